"""The bundled World Port Index (resources/ports/world_port_index.csv), its converter and the ports it makes the
default: positions against UN/LOCODE, ports of interest found by name, code or other name, ports without a code."""

import csv
from pathlib import Path

import numpy as np
import pytest

from bai_mei_plugin.core import port_visits as pv
from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.geodesy import haversine_m
from bai_mei_plugin.core.ports import Port, load_ports
from bai_mei_plugin.core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts
from bai_mei_plugin.paths import resource_path
from tests.data_tools import convert_wpi

REPO = Path(__file__).resolve().parents[2]
WPI_SOURCE = REPO.parent / "shared" / "data" / "ports" / "UpdatedPub150.csv"
BUNDLED = Path(resource_path("ports", "world_port_index.csv"))
HEADER = ",".join(convert_wpi.COLUMNS)


@pytest.fixture(scope="module")
def ports():
    return load_ports(BUNDLED)


def _km(port, lat, lon):
    return float(haversine_m(port.lon, port.lat, lon, lat)) / 1000.0


@pytest.mark.parametrize(
    "name, locode, lat, lon",
    [
        # positions of the UN/LOCODE code list (degrees and minutes): KP NAM 3843N 12524E, CN DLC 3855N 12138E,
        # RU VVO 4307N 13154E; the index gives Dalian the code CN DAL
        ("Nampo", "KPNAM", 38 + 43 / 60, 125 + 24 / 60),
        ("Dalian", "CNDAL", 38 + 55 / 60, 121 + 38 / 60),
        ("Vladivostok", "RUVVO", 43 + 7 / 60, 131 + 54 / 60),
    ],
)
def test_ports_are_where_un_locode_puts_them(ports, name, locode, lat, lon):
    (port,) = [p for p in ports if p.name == name]
    assert port.locode == locode and port.country == locode[:2]
    assert _km(port, lat, lon) < 5.0, f"{name} is {_km(port, lat, lon):.1f} km from its UN/LOCODE position"


def test_nampo_is_the_real_port_in_the_index_and_in_the_regional_gazetteer(ports):
    (nampo,) = [p for p in ports if p.locode == "KPNAM"]
    regional = next(p for p in load_ports(resource_path("ports", "ports.csv")) if p.locode == "KPNAM")
    # the regional gazetteer (and the demo) moved from 38.70 N 125.15 E, 21 km west, to the real port
    assert _km(nampo, 38.7167, 125.4) < 0.1 and _km(regional, 38.7167, 125.4) < 0.1
    assert _km(regional, 38.70, 125.15) > 20.0
    assert nampo.alternate_name == "Chinnampo"


def test_the_index_is_worldwide_and_each_locode_names_one_port(ports):
    assert len(ports) == 3768
    codes = [p.locode for p in ports if p.locode]
    assert len(codes) == len(set(codes)) and len(codes) > 3300
    assert len({p.country for p in ports}) > 180
    assert all(-90 <= p.lat <= 90 and -180 <= p.lon <= 180 for p in ports)


def test_every_default_port_of_interest_is_in_the_index(ports):
    interest = InterestPorts(DEFAULT_INTEREST_PORTS)
    found = {p.locode for p in ports if p in interest}
    # Chongjin is "Ch'ongjin", Songnim "Kyomip'o" (KPSGN), Rajin "Najin" (KPRJN), Haeju "Haeju Hang" in the index
    assert found == {"KPNAM", "KPCHO", "KPSGN", "KPRJN", "KPWON", "KPHAE"}
    for name in DEFAULT_INTEREST_PORTS:
        assert any(p in InterestPorts([name]) for p in ports), name


def test_ports_of_interest_by_un_locode(ports):
    interest = InterestPorts(["KPNAM", "RU VVO", "cndal"])
    assert sorted(p.name for p in ports if p in interest) == ["Dalian", "Nampo", "Vladivostok"]
    # the code list's code for Dalian, which the index spells CNDAL, finds it too
    assert [p.name for p in ports if p in InterestPorts(["CNDLC"])] == ["Dalian"]


def test_committed_layer_is_the_converters_output(tmp_path):
    if not WPI_SOURCE.exists():
        pytest.skip(f"the World Port Index source {WPI_SOURCE} is not on this machine (../shared/data)")
    out = tmp_path / "wpi.csv"
    assert convert_wpi.main([str(WPI_SOURCE), str(out)]) == 0
    assert out.read_bytes() == BUNDLED.read_bytes()


def _source_row(number, name, locode, country, size="Small", lat="10", lon="20", length="0", alternate=" "):
    return {
        "World Port Index Number": number, "Main Port Name": name, "Alternate Port Name": alternate,
        "UN/LOCODE": locode, "Country Code": country, "Harbor Size": size, "Harbor Type": "Coastal (Natural)",
        "Latitude": lat, "Longitude": lon, "Maximum Vessel Length (m)": length, "Maximum Vessel Draft (m)": "0",
    }  # fmt: skip


def test_converter_counts_what_it_changes():
    rows = [
        _source_row("1", "Big Port", "XX BIG", "Xland", size="Large", length="300"),
        _source_row("2", "Big Port Terminal", "XX BIG", "Xland", size="Very Small"),
        _source_row("3", "No Code", " ", "Xland"),
        _source_row("4", "Typo Code", "XB TYP", "Xland"),
        _source_row("5", "Bad Code", 'GB ME""', "Xland"),
        _source_row("6", "Rock", " ", "Gibraltar"),
    ]
    out, counts = convert_wpi.convert(rows)
    by_name = {r["name"]: r for r in out}
    assert by_name["Big Port"]["locode"] == "XXBIG" and by_name["Big Port Terminal"]["locode"] == ""
    assert by_name["Big Port"]["max_length_m"] == "300" and by_name["Big Port Terminal"]["max_length_m"] == ""
    # the country code is the one most of the country's codes start with, not a typo's
    assert {by_name[n]["country"] for n in ("No Code", "Typo Code", "Bad Code")} == {"XX"}
    assert by_name["Typo Code"]["locode"] == "XBTYP" and by_name["Bad Code"]["locode"] == ""
    assert by_name["Rock"]["country"] == "GI"
    assert counts["no UN/LOCODE in the index"] == 2
    assert counts["UN/LOCODE given to two ports, kept by the larger: blank for Big Port Terminal (XXBIG)"] == 1
    assert counts["UN/LOCODE 'GB ME\"\"' not 2 letters + 3 letters/digits: left blank"] == 1


def test_load_ports_reads_blank_and_spaced_codes_and_alternate_names(tmp_path):
    path = tmp_path / "ports.csv"
    path.write_text(
        "name,alternate_name,locode,country,lat,lon,harbour_size\n"
        "Nampo,Chinnampo,KP NAM,KP,38.716667,125.4,Small\n"
        "Ch'aho,Shako,,KP,40.2,128.65,Very Small\n"
        "Senbong,,,KP,42.33,130.4,Small\n",
        encoding="utf-8",
    )
    nampo, chaho, senbong = load_ports(path)
    assert nampo == Port("Nampo", "KPNAM", "KP", 38.716667, 125.4) and nampo.alternate_name == "Chinnampo"
    assert (chaho.locode, chaho.alternate_name, senbong.locode) == ("", "Shako", "")


def _stay(mmsi, t0, hours, lon, lat):
    t = np.arange(t0, t0 + hours * 3600 + 1, 600)
    return [(mmsi, int(x), lon, lat) for x in t]


def test_visits_to_two_ports_without_a_locode_name_each_port():
    # two ports the index gives no UN/LOCODE: a visit is told apart by the port, not by its (blank) code
    west, east = Port("Westbay", "", "XX", 10.0, 20.0), Port("Eastbay", "", "XX", 10.0, 21.0)
    rows = _stay(1, 1_500_000_000, 4, 20.01, 10.0) + _stay(1, 1_500_100_000, 4, 20.99, 10.0)
    mmsi, t, lon, lat = zip(*rows)
    cols = AisColumns.build(mmsi, t, lon, lat, sog=[0.0] * len(rows))
    result = pv.detect_port_visits(cols, [west, east])
    assert [(v.port_name, v.locode) for v in result.visits] == [("Westbay", ""), ("Eastbay", "")]
    assert [round(v.distance_km, 1) for v in result.visits] == [1.1, 1.1]


def test_header_of_the_bundled_layer():
    with open(BUNDLED, newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == list(convert_wpi.COLUMNS)
    assert HEADER.startswith("name,alternate_name,locode,country")
