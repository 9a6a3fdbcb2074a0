"""The scorer's ports of interest by sea (one sea distance field per port) agree with the per-gap computation of
``gap_reachability`` (each gap's own reachable water) on demo-like gaps around Korea, on QGIS's world map."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from shapely import wkb

from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.geodesy import haversine_nm
from bai_mei_plugin.core.land import read_gpkg_geometries
from bai_mei_plugin.core.ports import load_ports
from bai_mei_plugin.core.reachability import LandPolygons, gap_reachability
from bai_mei_plugin.core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, score_gaps

WORLD_MAP = Path("/usr/share/qgis/resources/data/world_map.gpkg")  # QGIS's bundled Natural Earth countries
PORTS = load_ports(Path(__file__).resolve().parents[2] / "resources" / "ports" / "ports.csv")
H = 3600


def _gap(k, a, b, hours):
    return Gap(
        gap_id=f"g{k}",
        mmsi=412000000 + k,
        vessel_name=None,
        off_time=0,
        on_time=int(hours * H),
        gap_hours=hours,
        distance_nm=float(haversine_nm(*a, *b)),
        implied_speed_kn=0.0,
        off_lon=a[0],
        off_lat=a[1],
        on_lon=b[0],
        on_lat=b[1],
        sog_before=None,
        sog_after=None,
        draught_before=None,
        draught_after=None,
        destination_before=None,
        destination_after=None,
        positions_12h_before=0,
        off_shore_nm=None,
        on_shore_nm=None,
    )


GAPS = [
    _gap(1, (123.1, 38.8), (119.5, 38.7), 80.0),  # the Bai Mei 8's June gap, roughly
    _gap(2, (121.65, 38.93), (121.66, 38.93), 60.0),  # silent at a berth in Dalian
    _gap(3, (123.4, 38.2), (123.5, 38.0), 72.0),  # dark offshore in the northern Yellow Sea
    _gap(4, (129.5, 35.3), (130.0, 36.0), 60.0),  # off Busan: Nampo is close by great circle, far by sea
    _gap(5, (131.0, 41.5), (131.5, 41.0), 20.0),  # off Rason and Chongjin
    _gap(6, (128.5, 39.5), (129.0, 39.0), 40.0),  # off Wonsan
    _gap(7, (124.5, 37.0), (124.0, 36.5), 12.0),  # south of Haeju, short
    _gap(8, (126.0, 33.0), (127.0, 34.0), 16.0),  # Jeju strait
]


@pytest.fixture(scope="module")
def land():
    if not WORLD_MAP.exists():
        pytest.skip(f"QGIS's bundled world map (the plugin's default land) is not installed at {WORLD_MAP}")
    return LandPolygons(wkb.loads(b) for b in read_gpkg_geometries(str(WORLD_MAP), "countries"))


def test_same_ports_of_interest_by_sea_as_gap_reachability(land):
    interest = InterestPorts(DEFAULT_INTEREST_PORTS)
    direct = gap_reachability(GAPS, None, land, PORTS, 12.0, by_sea_areas=False)
    expected = {g.gap_id: {} for g in GAPS}
    for v in direct.visits:
        if (v.port_name, v.locode) in interest:
            expected[v.gap_id][v.port_name] = v.max_dwell_hours_sea
    result = score_gaps(GAPS, None, PORTS, interest, land_polygons=land, max_speed_kn=12.0)
    for gap, score in zip(GAPS, result.scores):
        found = [r for r in score.reasons if r.code == "interest_port"]
        named = {name: dwell for name, dwell in expected[gap.gap_id].items()}
        if not named:
            assert not found, f"{gap.gap_id}: {found}"
            continue
        text = found[0].text
        listed = re.findall(r"(\w+) \(up to (\d+) h by sea\)", text)
        more = re.search(r"and (\d+) more", text)
        assert len(listed) + (int(more.group(1)) if more else 0) == len(named), f"{gap.gap_id}: {text} vs {named}"
        longest = sorted(named, key=lambda name: -named[name])[: len(listed)]
        assert {name for name, _ in listed} <= set(named) and listed[0][0] in longest[:2], text
        assert "great circle" not in text
    # the Busan gap: Haeju within reach by great circle (across Korea) but not by sea, in both computations
    busan = result.scores[3]
    gc_only = score_gaps([GAPS[3]], None, PORTS, interest, max_speed_kn=12.0).scores[0]
    assert "Haeju" in gc_only.why and "Haeju" not in busan.why


def test_sea_dwell_close_to_the_per_gap_dwell(land):
    interest = InterestPorts(["Nampo"])
    for gap in (GAPS[0], GAPS[2], replace(GAPS[1], on_time=48 * H, gap_hours=48.0)):
        direct = gap_reachability([gap], None, land, PORTS, 12.0, by_sea_areas=False)
        [visit] = [v for v in direct.visits if v.port_name == "Nampo"]
        score = score_gaps([gap], None, PORTS, interest, land_polygons=land, max_speed_kn=12.0).scores[0]
        hours = float(score.reasons[0].text.split("up to ")[1].split(" h")[0])
        assert abs(hours - visit.max_dwell_hours_sea) <= max(2.0, 0.05 * visit.max_dwell_hours_sea), gap.gap_id
