"""The default ports of every algorithm and dock task without a ports layer (the regional gazetteer), and the bundled
World Port Index read by the same loader."""

import pytest

from bai_mei_plugin.core.ports import WORLD_PORT_INDEX_FILE, load_ports
from bai_mei_plugin.core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts
from bai_mei_plugin.paths import resource_path
from bai_mei_plugin.qgis_io.inputs import default_ports


def test_default_ports_hold_every_default_port_of_interest():
    ports = default_ports()
    interest = InterestPorts(DEFAULT_INTEREST_PORTS)
    assert {p.locode for p in ports if p in interest} >= {"KPNAM", "KPCHO", "KPHAE"}


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
