"""The default ports of every algorithm and dock task without a ports layer: the bundled World Port Index; the
regional gazetteer stays readable as a choice."""

import pytest

from bai_mei_plugin.core.ports import REGIONAL_PORTS_FILE, WORLD_PORT_INDEX_FILE, load_ports
from bai_mei_plugin.core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts
from bai_mei_plugin.paths import resource_path
from bai_mei_plugin.qgis_io.inputs import default_ports


def test_default_ports_hold_every_default_port_of_interest():
    ports = default_ports()
    interest = InterestPorts(DEFAULT_INTEREST_PORTS)
    assert {p.locode for p in ports if p in interest} >= {"KPNAM", "KPCHO", "KPHAE"}


def test_the_default_ports_are_the_world_port_index_with_the_real_nampo():
    ports = default_ports()
    assert len(ports) == 3768
    (nampo,) = [p for p in ports if p.locode == "KPNAM"]
    assert (nampo.name, nampo.lat, nampo.lon) == ("Nampo", pytest.approx(38.716667), pytest.approx(125.4))
    # the ports of interest by name, other spelling or UN/LOCODE: Songnim is Kyomip'o, Rajin is Najin
    by_locode = {p.locode: p for p in ports}
    for text, locode in (("Songnim", "KPSGN"), ("Rajin", "KPRJN"), ("KP NAM", "KPNAM"), ("Chinnampo", "KPNAM")):
        assert by_locode[locode] in InterestPorts([text]), text
    regional = load_ports(resource_path("ports", REGIONAL_PORTS_FILE))  # still a choice, with the same Nampo
    assert 30 <= len(regional) <= 45
    (old,) = [p for p in regional if p.locode == "KPNAM"]
    assert (old.lat, old.lon) == (pytest.approx(nampo.lat, abs=1e-4), pytest.approx(nampo.lon, abs=1e-4))


def test_default_ports_read_once_and_each_caller_gets_its_own_list():
    first = default_ports()
    n = len(first)
    first.clear()  # a caller changing its list does not change the next caller's
    assert len(default_ports()) == n > 0


def test_the_world_port_index_is_bundled_and_holds_the_real_nampo():
    ports = load_ports(resource_path("ports", WORLD_PORT_INDEX_FILE))
    assert len(ports) == 3768
    (nampo,) = [p for p in ports if p.locode == "KPNAM"]
    assert (nampo.lat, nampo.lon) == (pytest.approx(38.716667), pytest.approx(125.4))
    interest = InterestPorts(DEFAULT_INTEREST_PORTS)
    assert len([p for p in ports if p in interest]) == len(DEFAULT_INTEREST_PORTS)
