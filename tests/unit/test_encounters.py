"""Encounters at sea and dark rendezvous candidates (bai_mei_plugin.core.encounters)."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from bai_mei_plugin.core import encounters as enc
from bai_mei_plugin.core import port_visits as pv
from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import Canceled
from bai_mei_plugin.core.gaps import Gap, detect_gaps
from bai_mei_plugin.core.geodesy import EARTH_RADIUS_M, haversine_m, unit_vectors
from bai_mei_plugin.core.ports import Port, load_ports
from bai_mei_plugin.demo import scenario
from bai_mei_plugin.paths import resource_path

HOUR = 3600
T0 = 1_500_000_000  # a multiple of 600 s: slots fall on report times
LAT0, LON0 = 30.0, 140.0  # open sea, far from the test port
PORT = Port("Testport", "XXTST", "XX", LAT0, LON0 - 0.05)  # about 4.8 km west of the drift
M_PER_DEG_LAT = np.pi * EARTH_RADIUS_M / 180.0


def drift(mmsi, hours, lat=LAT0, lon=LON0, t0=T0, step=180, sog=0.5, north_m=0.0, skip=None, name=None):
    """Reports every ``step`` s of a vessel drifting slowly east (about 0.3 kn), ``north_m`` north of the base."""
    rows = []
    for k in range(int(hours * 3600 // step) + 1):
        t = t0 + k * step
        if skip and skip[0] <= t - t0 < skip[1]:
            continue
        east = k * step * 0.15  # 0.15 m/s
        rows.append(
            (mmsi, t, lon + east / (M_PER_DEG_LAT * np.cos(np.radians(lat))), lat + north_m / M_PER_DEG_LAT, sog, name)
        )
    return rows


def columns(*tracks, shuffle_seed=None):
    rows = [r for track in tracks for r in track]
    if shuffle_seed is None:
        rows.sort(key=lambda r: (r[0], r[1]))
    else:
        np.random.default_rng(shuffle_seed).shuffle(rows)
    mmsi, t, lon, lat, sog, name = zip(*rows)
    return AisColumns.build(mmsi, t, lon, lat, sog=sog, vessel_name=name)


def test_two_vessels_drifting_together_far_from_port_make_one_encounter():
    cols = columns(
        drift(222, 3, north_m=300, name="BRAVO"), drift(111, 3, name="ALPHA"), drift(333, 3, lat=LAT0 + 1)
    )  # a third vessel 111 km away
    (e,) = enc.find_encounters(cols, [PORT], enc.EncounterCriteria(min_port_km=1.0))
    assert (e.mmsi_1, e.mmsi_2, e.vessel_name_1, e.vessel_name_2) == (111, 222, "ALPHA", "BRAVO")
    assert (e.start, e.end, e.hours, e.n_slots) == (T0, T0 + 3 * HOUR - 600, 2 + 50 / 60, 18)
    assert e.median_distance_m == pytest.approx(300, abs=1)
    assert e.lat == pytest.approx(LAT0 + 150 / M_PER_DEG_LAT, abs=1e-5)
    assert LON0 < e.lon < LON0 + 0.02
    assert e.distance_to_port_km == pytest.approx(haversine_m(e.lon, e.lat, PORT.lon, PORT.lat) / 1000)
    assert enc.find_encounters(cols)[0].distance_to_port_km is None


def test_near_a_port_no_encounter():
    cols = columns(drift(111, 3), drift(222, 3, north_m=300))
    assert enc.find_encounters(cols, [PORT]) == []  # the port is 4.8 km away, within the 10 km
    assert len(enc.find_encounters(cols, [PORT], enc.EncounterCriteria(min_port_km=0))) == 1


def test_too_short_too_far_or_too_fast_no_encounter():
    assert enc.find_encounters(columns(drift(111, 1.5), drift(222, 1.5, north_m=300))) == []
    assert enc.find_encounters(columns(drift(111, 3), drift(222, 3, north_m=600))) == []
    assert enc.find_encounters(columns(drift(111, 3, sog=8), drift(222, 3, north_m=300, sog=8))) == []
    # no SOG: the implied speed decides (the drift is 0.3 kn: slow)
    assert len(enc.find_encounters(columns(drift(111, 3, sog=np.nan), drift(222, 3, north_m=300, sog=np.nan)))) == 1


def test_a_reception_gap_invents_no_positions():
    # vessel 222 is silent from 1 h to 2 h 30 (90 min, more than the 1 h interpolation limit)
    cols = columns(drift(111, 4), drift(222, 4, north_m=300, skip=(3600, 9000)))
    mmsi, slot, _lon, _lat = enc.slow_slots(cols, enc.EncounterCriteria())
    times = slot[mmsi == 222] * 600 - T0
    assert not ((times > 3600 - 180) & (times < 9000)).any(), "no slot inside the silence"
    assert enc.find_encounters(cols) == []  # 1 h together, silence, 1.5 h together: neither run lasts 2 h
    (e,) = enc.find_encounters(cols, criteria=enc.EncounterCriteria(max_interp_gap_hours=2))
    assert e.hours > 3.5


def test_three_vessels_together_make_three_pairs():
    cols = columns(drift(5, 3), drift(4, 3, north_m=200), drift(6, 3, north_m=400))
    found = enc.find_encounters(cols)
    assert [(e.mmsi_1, e.mmsi_2) for e in found] == [(4, 5), (4, 6), (5, 6)]


def test_across_the_antimeridian():
    cols = columns(drift(1, 3, lat=0.0, lon=179.9995, sog=0.0), drift(2, 3, lat=0.0, lon=-179.9995, sog=0.0))
    (e,) = enc.find_encounters(cols)
    assert e.median_distance_m == pytest.approx(0.001 * M_PER_DEG_LAT, rel=0.01)
    assert abs(e.lon) > 179.99


def test_progress_cancel_and_chunks(monkeypatch):
    cols = columns(*[drift(m, 3, north_m=100 * m) for m in range(1, 5)])
    fractions = []
    found = enc.find_encounters(cols, progress=fractions.append)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(found) == 6
    with pytest.raises(Canceled):
        enc.find_encounters(cols, is_canceled=lambda: True)
    monkeypatch.setattr(enc, "_CHUNK_ROWS", 7)  # many chunks: the same result
    assert enc.find_encounters(cols) == found


def test_same_result_without_scipy(monkeypatch):
    cols = columns(
        drift(111, 3),
        drift(222, 3, north_m=300),
        drift(333, 3, lat=LAT0 + 0.2, north_m=100),
        drift(444, 3, lat=LAT0 + 0.2),
    )
    far_port = Port("Far", "XXFAR", "XX", LAT0 - 1, LON0)
    with_scipy = enc.find_encounters(cols, [PORT, far_port])
    assert [(e.mmsi_1, e.mmsi_2) for e in with_scipy] == [(333, 444)]
    monkeypatch.setattr(pv, "KDTree", None)
    assert pv.PortIndex([PORT]).tree is None
    (numpy_only,) = enc.find_encounters(cols, [PORT, far_port])
    assert numpy_only.distance_to_port_km == pytest.approx(with_scipy[0].distance_to_port_km, abs=1e-6)
    numpy_only.distance_to_port_km = with_scipy[0].distance_to_port_km
    assert [numpy_only] == with_scipy


def test_close_pairs_splits_a_long_time_range():
    # two points 10 m apart, one slot every ~70 years: more slots than one int64 key can hold with a global grid
    slot = np.array([0, 0, 4_000_000, 4_000_000], dtype=np.int64)
    xyz = unit_vectors([0.0, 0.0001, 170.0, 170.0001], [0.0, 0.0, -60.0, -60.0]) * EARTH_RADIUS_M
    i, j, d = enc.close_pairs(np.array([1, 2, 1, 2]), slot, xyz, 20.0)
    assert sorted(zip(i.tolist(), j.tolist())) == [(0, 1), (2, 3)]


# ---------------------------------------------------------------------------------------------------- properties

points = st.lists(
    st.tuples(st.integers(0, 3), st.floats(-0.01, 0.01), st.floats(-0.01, 0.01), st.integers(1, 9)),
    min_size=2,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(points, st.sampled_from([100.0, 500.0, 1000.0]), st.floats(-80, 80), st.floats(-180, 180))
def test_close_pairs_match_brute_force(pts, distance, lat0, lon0):
    slot = np.array([p[0] for p in pts], dtype=np.int64)
    lon = np.array([(lon0 + p[1] + 180) % 360 - 180 for p in pts])
    lat = np.array([lat0 + p[2] for p in pts])
    mmsi = np.array([p[3] for p in pts], dtype=np.int64)
    xyz = unit_vectors(lon, lat) * EARTH_RADIUS_M
    i, j, _d = enc.close_pairs(mmsi, slot, xyz, distance)
    got = {tuple(sorted(p)) for p in zip(i.tolist(), j.tolist())}
    assert len(got) == len(i), "each pair once"
    want = {
        (a, b)
        for a, b in itertools.combinations(range(len(pts)), 2)
        if slot[a] == slot[b] and mmsi[a] != mmsi[b] and np.linalg.norm(xyz[a] - xyz[b]) <= distance
    }
    assert got == want


fleet = st.lists(
    st.tuples(st.floats(-900, 900), st.floats(-900, 900), st.integers(60, 900), st.floats(0, 3), st.integers(0, 3000)),
    min_size=2,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleet, st.randoms(use_true_random=False))
def test_encounters_do_not_depend_on_vessel_order_or_labels(vessels, rnd):
    tracks = []
    for m, (north, east, step, sog, delay) in enumerate(vessels, start=1):
        tracks.append(
            [
                (m, t + delay, lon + east / 96_000, lat, s, n)
                for (_m, t, lon, lat, s, n) in drift(m, 4, north_m=north, step=step, sog=sog)
            ]
        )
    base = enc.find_encounters(columns(*tracks))
    labels = list(range(1, len(vessels) + 1))
    rnd.shuffle(labels)
    relabel = {m: 1000 * labels[m - 1] for m in range(1, len(vessels) + 1)}
    relabelled = [[(relabel[r[0]],) + r[1:] for r in track] for track in tracks]
    rnd.shuffle(relabelled)
    other = enc.find_encounters(columns(*relabelled, shuffle_seed=rnd.randrange(1000)))

    def key(e, mapping=None):
        a, b = (mapping[e.mmsi_1], mapping[e.mmsi_2]) if mapping else (e.mmsi_1, e.mmsi_2)
        return (min(a, b), max(a, b), e.start, e.end, round(e.median_distance_m, 6), round(e.lat, 9))

    assert sorted(key(e, relabel) for e in base) == sorted(key(e) for e in other)
    assert all(e.mmsi_1 < e.mmsi_2 and e.hours >= 2 for e in other)


# ---------------------------------------------------------------------------------------------------- dark rendezvous


def _gap(mmsi, off, on):
    return Gap(
        gap_id=f"{mmsi}-{off}",
        mmsi=mmsi,
        vessel_name="DARK",
        off_time=off,
        on_time=on,
        gap_hours=(on - off) / 3600,
        distance_nm=0,
        implied_speed_kn=0,
        off_lon=0,
        off_lat=0,
        on_lon=0,
        on_lat=0,
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


def _stop(mmsi, start, end, lon, lat, near_port=None):
    return pv.Stop(
        mmsi=mmsi,
        vessel_name=f"V{mmsi}",
        start=start,
        end=end,
        hours=(end - start) / 3600,
        lon=lon,
        lat=lat,
        n_reports=10,
        near_port=near_port,
        locode=None,
        port_distance_km=None,
    )


def test_dark_rendezvous_finds_stops_inside_the_area_while_dark():
    gap = _gap(1, T0, T0 + 48 * HOUR)
    area = box(124.0, 38.0, 126.0, 39.5)
    stops = [
        _stop(2, T0 + 10 * HOUR, T0 + 14 * HOUR, 125.0, 38.7, "Nampo"),  # inside, during the gap
        _stop(3, T0 - 10 * HOUR, T0 + 5 * HOUR, 124.5, 38.2),  # inside, began before the gap
        _stop(4, T0 + 10 * HOUR, T0 + 14 * HOUR, 127.0, 38.7),  # outside the area
        _stop(5, T0 + 50 * HOUR, T0 + 54 * HOUR, 125.0, 38.7),  # after the gap
        _stop(1, T0 + 10 * HOUR, T0 + 14 * HOUR, 125.0, 38.7),  # the dark vessel itself
    ]
    found = enc.dark_rendezvous([(gap, area), (_gap(9, T0, T0 + HOUR), None)], stops)
    assert [(r.other_mmsi, r.start, r.end, r.hours) for r in found] == [
        (2, T0 + 10 * HOUR, T0 + 14 * HOUR, 4.0),
        (3, T0, T0 + 5 * HOUR, 5.0),
    ]
    first = found[0]
    assert (first.gap_id, first.mmsi, first.vessel_name, first.other_name, first.lon, first.lat, first.near_port) == (
        gap.gap_id,
        1,
        "DARK",
        "V2",
        125.0,
        38.7,
        "Nampo",
    )
    assert len(enc.dark_rendezvous([(gap, area)], stops, min_overlap_hours=4.5)) == 1
    circle = Point(125.0, 38.7).buffer(0.1)
    assert [r.other_mmsi for r in enc.dark_rendezvous([(gap, circle)], stops)] == [2]
    assert enc.dark_rendezvous([(gap, area)], []) == []


# ---------------------------------------------------------------------------------------------------- the scenario


@pytest.fixture(scope="module")
def scenario_columns(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "aisdk_bai_mei_scenario.csv"
    if not path.exists():  # shared by the test modules of one session
        scenario.generate_scenario(path)
    return read_ais(str(path)).columns


def test_scenario_has_no_encounter_at_sea(scenario_columns):
    """The scenario plants no ship-to-ship meeting: with the ports excluded nothing is found. Without the port
    exclusion, ships lying near each other in port are, the BAI MEI 8 among them in the ports it is seen in."""
    ports = load_ports(resource_path("ports", "ports.csv"))
    assert enc.find_encounters(scenario_columns, ports) == []
    in_port = enc.find_encounters(scenario_columns)
    assert len(in_port) > 100
    index = pv.PortIndex(ports)
    nearest, metres = index.nearest([e.lon for e in in_port], [e.lat for e in in_port])
    assert (metres < 15_000).all()
    bai_mei = {ports[i].name for e, i in zip(in_port, nearest) if scenario.BAI_MEI_MMSI in (e.mmsi_1, e.mmsi_2)}
    assert bai_mei <= {"Lianyungang", "Vladivostok", "Ningbo"}


def test_scenario_dark_rendezvous_at_nampo_finds_nobody(scenario_columns):
    """No other vessel is seen stopped near Nampo while the BAI MEI 8 is dark there."""
    ports = load_ports(resource_path("ports", "ports.csv"))
    stops = pv.find_stops(scenario_columns, ports)
    gaps = [g for g in detect_gaps(scenario_columns).gaps if g.mmsi == scenario.BAI_MEI_MMSI]
    assert len(gaps) == 2
    nampo = Point(125.15, 38.7).buffer(0.5)
    assert enc.dark_rendezvous([(g, nampo) for g in gaps], stops) == []
    # an area holding Yantai and Weihai: ships lying there while the BAI MEI 8 was dark are candidates
    found = enc.dark_rendezvous([(g, box(121.0, 37.0, 122.5, 38.0)) for g in gaps], stops)
    assert len({r.other_mmsi for r in found}) > 10
    assert {r.near_port for r in found} <= {"Yantai", "Weihai", None}
    by_id = {g.gap_id: g for g in gaps}
    for r in found:
        gap = by_id[r.gap_id]
        assert gap.off_time <= r.start < r.end <= gap.on_time and r.other_mmsi != scenario.BAI_MEI_MMSI
