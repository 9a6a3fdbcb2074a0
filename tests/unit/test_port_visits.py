"""Stops, port visits and declared-versus-actual destinations (bai_mei_plugin.core.port_visits)."""

from datetime import datetime, timezone

import numpy as np
import pytest

from bai_mei_plugin.core import port_visits as pv
from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.gaps import detect_gaps
from bai_mei_plugin.core.ports import Port, load_ports
from bai_mei_plugin.demo import scenario
from bai_mei_plugin.paths import resource_path

HOUR = 3600
PORT = Port("Testport", "XXTST", "XX", 10.0, 20.0)
OTHER = Port("Otherport", "YYOTH", "YY", 10.0, 22.0)
VVO = Port("Vladivostok", "RUVVO", "RU", 43.080, 131.885)
T0 = 1_500_000_000
DEG_LON_M = 111_195.0 * np.cos(np.radians(10.0))  # metres per degree of longitude at 10 N


def _epoch(day, month, hour=0):
    return int(datetime(2017, month, day, hour, tzinfo=timezone.utc).timestamp())


class Builder:
    """Reports of several vessels, appended leg by leg: ``stay`` (SOG 0) and ``sail`` (moving east)."""

    def __init__(self):
        self.rows = []

    def stay(self, mmsi, t0, hours, lon, lat, step=300, sog=0.0, dest=None, name=None):
        for k in range(int(hours * 3600 // step) + 1):
            self.rows.append((mmsi, t0 + k * step, lon, lat, sog, dest, name))
        return t0 + int(hours * 3600 // step) * step

    def sail(self, mmsi, t0, hours, lon, lat, knots=10.0, step=300, sog=True, dest=None, name=None):
        mps = knots * 1852 / 3600
        for k in range(1, int(hours * 3600 // step) + 1):
            x = lon + k * step * mps / DEG_LON_M
            self.rows.append((mmsi, t0 + k * step, x, lat, abs(knots) if sog else np.nan, dest, name))
        return t0 + int(hours * 3600 // step) * step, x

    def columns(self, shuffle_seed=None):
        rows = list(self.rows)
        if shuffle_seed is not None:
            np.random.default_rng(shuffle_seed).shuffle(rows)
        else:
            rows.sort(key=lambda r: (r[0], r[1]))
        mmsi, t, lon, lat, sog, dest, name = zip(*rows)
        return AisColumns.build(mmsi, t, lon, lat, sog=sog, destination=dest, vessel_name=name)


def test_moored_ship_makes_one_stop_and_one_visit():
    b = Builder()
    end = b.stay(1, T0, 5, PORT.lon + 0.01, PORT.lat, dest="TESTPORT", name="ALPHA")
    b.sail(1, end, 3, PORT.lon + 0.01, PORT.lat, dest="OTHERPORT", name="ALPHA")
    result = pv.detect_port_visits(b.columns(), [PORT, OTHER])
    (stop,) = result.stops
    assert (stop.start, stop.end, stop.hours, stop.n_reports) == (T0, T0 + 5 * HOUR, 5.0, 61)
    assert stop.near_port == "Testport" and stop.locode == "XXTST" and stop.bridged_hours == 0
    assert stop.port_distance_km == pytest.approx(0.01 * DEG_LON_M / 1000, rel=1e-3)
    (visit,) = result.visits
    assert (visit.mmsi, visit.vessel_name, visit.port_name, visit.locode, visit.country) == (
        1,
        "ALPHA",
        "Testport",
        "XXTST",
        "XX",
    )
    assert (visit.arrival, visit.departure, visit.hours, visit.n_reports) == (T0, T0 + 5 * HOUR, 5.0, 61)
    assert visit.destination == "TESTPORT" and visit.stops == 1
    assert visit.lon == pytest.approx(PORT.lon + 0.01) and visit.lat == pytest.approx(PORT.lat)


def test_short_stay_and_moving_ship_make_no_stop():
    b = Builder()
    b.stay(1, T0, 1.9, 0.0, 0.0)
    b.sail(2, T0, 6, 0.0, 0.0, knots=3.0)
    assert pv.find_stops(b.columns(), [PORT]) == []


def test_stop_away_from_ports_is_kept_without_a_port():
    b = Builder()
    b.stay(7, T0, 3, PORT.lon + 1.0, PORT.lat)  # about 110 km east of the port
    result = pv.detect_port_visits(b.columns(), [PORT])
    (stop,) = result.stops
    assert stop.near_port is None and stop.locode is None
    assert stop.port_distance_km == pytest.approx(DEG_LON_M / 1000, rel=1e-3)
    assert result.visits == []
    assert pv.find_stops(b.columns())[0].port_distance_km is None  # no gazetteer, no distance


def test_missing_sog_uses_implied_speed():
    b = Builder()
    b.stay(1, T0, 4, 0.0, 0.0, sog=np.nan)  # positions still, no SOG: a stop
    b.sail(2, T0, 4, 0.0, 0.0, knots=4.0, sog=False)  # moving at 4 kn, no SOG: not a stop
    stops = pv.find_stops(b.columns())
    assert [s.mmsi for s in stops] == [1]


def test_long_gap_in_the_same_place_is_bridged_elsewhere_splits():
    b = Builder()
    end = b.stay(1, T0, 3, 0.0, 0.0)
    b.stay(1, end + 10 * HOUR, 3, 0.0003, 0.0)  # 33 m away after 10 h of silence: the same place
    end = b.stay(2, T0, 3, 1.0, 0.0)
    b.stay(2, end + 10 * HOUR, 3, 1.05, 0.0)  # 5.6 km away: it moved while silent
    cols = b.columns()
    stops = pv.find_stops(cols)
    assert [(s.mmsi, s.hours) for s in stops] == [(1, 16.0), (2, 3.0), (2, 3.0)]
    assert stops[0].bridged_hours == 10.0 and stops[1].bridged_hours == 0.0
    strict = pv.find_stops(cols, criteria=pv.StopCriteria(same_place_m=0))
    assert [(s.mmsi, s.hours) for s in strict] == [(1, 3.0), (1, 3.0), (2, 3.0), (2, 3.0)]


def test_anchorage_then_berth_is_one_visit_but_leaving_the_port_area_makes_two():
    b = Builder()
    # vessel 1: anchored 5 km out, 40 min to the berth, alongside
    end = b.stay(1, T0, 4, PORT.lon + 0.05, PORT.lat, dest="TESTPORT")
    t = end
    for k in range(1, 9):
        t += 300
        b.rows.append((1, t, PORT.lon + 0.05 - k * 0.005, PORT.lat, 4.0, "TESTPORT", None))
    b.stay(1, t + 300, 6, PORT.lon + 0.009, PORT.lat, dest="OTHERPORT")
    # vessel 2: anchored, then out to sea 30 km away and back
    end = b.stay(2, T0, 4, PORT.lon + 0.05, PORT.lat)
    end, x = b.sail(2, end, 1.5, PORT.lon + 0.05, PORT.lat, knots=12.0)
    b.stay(2, end + 300, 3, x, PORT.lat)
    end, x = b.sail(2, end + 3 * HOUR + 300, 1.5, x, PORT.lat, knots=-12.0)
    b.stay(2, end + 300, 3, x, PORT.lat)
    result = pv.detect_port_visits(b.columns(), [PORT])
    one = [v for v in result.visits if v.mmsi == 1]
    assert len(one) == 1 and one[0].stops == 2 and one[0].arrival == T0
    assert one[0].destination == "TESTPORT"  # declared at arrival, not the later "OTHERPORT"
    assert one[0].hours == pytest.approx(4 + 9 * 300 / 3600 + 6)
    two = [v for v in result.visits if v.mmsi == 2]
    assert len(two) == 2 and all(v.stops == 1 for v in two)
    assert [s.near_port for s in result.stops if s.mmsi == 2] == ["Testport", None, "Testport"]


def test_a_port_given_by_its_outline_counts_by_the_outline_not_the_radius():
    from dataclasses import replace

    from shapely.geometry import box

    # a long harbour: 0.6 degrees (about 66 km) of quays east of its point; a radius of 10 km would miss most of it
    harbour = replace(PORT, area=box(PORT.lon - 0.02, PORT.lat - 0.02, PORT.lon + 0.6, PORT.lat + 0.02))
    b = Builder()
    end = b.stay(1, T0, 4, PORT.lon + 0.5, PORT.lat, dest="TESTPORT")  # 55 km from the point, inside the outline
    t = end
    for k in range(1, 9):  # along the harbour to another quay, inside it all the way
        t += 300
        b.rows.append((1, t, PORT.lon + 0.5 - k * 0.05, PORT.lat, 4.0, "TESTPORT", None))
    b.stay(1, t + 300, 4, PORT.lon + 0.08, PORT.lat)
    b.stay(2, T0, 4, PORT.lon - 0.05, PORT.lat)  # 5.5 km west of the point, but outside the outline
    result = pv.detect_port_visits(b.columns(), [harbour, OTHER])
    assert [(s.mmsi, s.near_port) for s in result.stops] == [(1, "Testport"), (1, "Testport"), (2, None)]
    assert result.stops[0].port_distance_km == 0.0
    (visit,) = result.visits
    assert (visit.mmsi, visit.port_name, visit.stops, visit.arrival) == (1, "Testport", 2, T0)
    # the same stops with the port known by its point only: the far quay is not in port, the stop west of it is
    plain = pv.detect_port_visits(b.columns(), [PORT, OTHER])
    assert [(s.mmsi, s.near_port) for s in plain.stops] == [(1, None), (1, "Testport"), (2, "Testport")]


def test_rows_in_any_order_give_the_same_stops():
    b = Builder()
    for m in (3, 1, 2):
        end = b.stay(m, T0 + m * 100, 3, PORT.lon + 0.01 * m, PORT.lat)
        b.sail(m, end, 1, PORT.lon, PORT.lat)
    sorted_stops = pv.find_stops(b.columns(), [PORT])
    shuffled = pv.find_stops(b.columns(shuffle_seed=1), [PORT])
    assert [(s.mmsi, s.start, s.end) for s in sorted_stops] == [(s.mmsi, s.start, s.end) for s in shuffled]
    assert [s.mmsi for s in sorted_stops] == [1, 2, 3]


def test_progress_and_cancel():
    b = Builder()
    b.stay(1, T0, 3, PORT.lon, PORT.lat)
    fractions = []
    result = pv.detect_port_visits(b.columns(), [PORT], progress=fractions.append)
    assert len(result.visits) == 1 and fractions == sorted(fractions) and fractions[-1] == 1.0
    with pytest.raises(pv.Canceled):
        pv.detect_port_visits(b.columns(), [PORT], is_canceled=lambda: True)
    assert pv.detect_port_visits(AisColumns.build([], [], [], []), [PORT]) == pv.PortVisitResult([], [])


def test_port_index_with_and_without_scipy_agree():
    ports = load_ports(resource_path("ports", "ports.csv"))
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(117, 140, 5000), rng.uniform(28, 44, 5000)
    fast, slow = pv.PortIndex(ports), pv.PortIndex(ports, use_scipy=False)
    assert slow.tree is None
    i1, d1 = fast.nearest(lon, lat)
    i2, d2 = slow.nearest(lon, lat)
    assert np.array_equal(i1, i2) and np.allclose(d1, d2, rtol=1e-9, atol=1e-3)
    assert np.allclose(d1, pv.haversine_m(lon, lat, [ports[i].lon for i in i1], [ports[i].lat for i in i1]))
    for radius in (10_000.0, 50_000.0):
        assert np.array_equal(fast.within(lon, lat, radius), slow.within(lon, lat, radius))
        assert np.array_equal(fast.within(lon, lat, radius), d1 <= radius)
    empty = pv.PortIndex([])
    assert empty.nearest([1.0], [2.0])[0].tolist() == [-1] and not empty.within([1.0], [2.0], 1e6).any()


# ---------------------------------------------------------------------------------------------------- destinations


@pytest.mark.parametrize(
    "text",
    [
        "VLADIVOSTOK",
        "vladivostok ",
        "RU VVO",
        "RUVVO",
        "ru-vvo",
        "VVO",
        "CN LYG>RU VVO",
        "LIANYUNGANG=>VLADIVOSTOK",
        "VLADIVOSTOK RUSSIA",
        "PORT OF VLADIVOSTOK",
        "VLADIVOSTOK,RU",
        "VLADIVOSTOCK",
        "RUVVO VLADIVOSTOK",
    ],
)
def test_destination_matches(text):
    assert pv.destination_matches(text, VVO)


@pytest.mark.parametrize(
    "text", [None, "", "  ", "NAKHODKA", "RUNJK", "VLADIVOSTOK>NINGBO", "RU", "VLADIVOS", "NEW VLADIVOSTOKX"]
)
def test_destination_does_not_match(text):
    assert not pv.destination_matches(text, VVO)


def test_destination_matches_name_written_with_spaces():
    lyg = Port("Lianyungang", "CNLYG", "CN", 34.76, 119.49)
    assert pv.destination_matches("LIAN YUN GANG", lyg) and pv.destination_matches("CN LYG", lyg)
    assert pv.resolve_destination("RU VVO", [lyg, VVO]) == VVO
    assert pv.resolve_destination("NOWHERE", [lyg, VVO]) is None


def _gap(mmsi, off, on, before, after=None):
    return pv.Gap(
        gap_id=f"{mmsi}-{off}",
        mmsi=mmsi,
        vessel_name="X",
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
        destination_before=before,
        destination_after=after,
        positions_12h_before=0,
        off_shore_nm=None,
        on_shore_nm=None,
    )


def _visit(mmsi, port, arrival, departure):
    return pv.PortVisit(
        mmsi=mmsi,
        vessel_name="X",
        port_name=port.name,
        locode=port.locode,
        country=port.country,
        arrival=arrival,
        departure=departure,
        hours=(departure - arrival) / 3600,
        lon=port.lon,
        lat=port.lat,
        destination=None,
        n_reports=10,
        distance_km=0.0,
    )


def test_declared_vs_actual_flags_a_different_next_port():
    visits = [
        _visit(1, PORT, T0, T0 + 10 * HOUR),
        _visit(1, OTHER, T0 + 100 * HOUR, T0 + 110 * HOUR),
        _visit(1, VVO, T0 + 200 * HOUR, T0 + 210 * HOUR),
        _visit(2, OTHER, T0 + 100 * HOUR, T0 + 110 * HOUR),
    ]
    gaps = [
        _gap(1, T0 + 20 * HOUR, T0 + 60 * HOUR, "RU VVO", "OTHERPORT"),  # said Vladivostok, went to Otherport
        _gap(1, T0 + 120 * HOUR, T0 + 150 * HOUR, "VLADIVOSTOK"),  # said Vladivostok, went there
        _gap(1, T0 + 220 * HOUR, T0 + 250 * HOUR, "TESTPORT"),  # no visit after: unknown
        _gap(2, T0, T0 + 50 * HOUR, None),
    ]  # nothing declared: unknown
    checks = pv.declared_vs_actual(gaps, visits, [PORT, OTHER, VVO])
    assert [
        (c.previous_port, c.declared_destination, c.declared_port, c.actual_next_port, c.mismatch) for c in checks
    ] == [
        ("Testport", "RU VVO", "Vladivostok", "Otherport", True),
        ("Otherport", "VLADIVOSTOK", "Vladivostok", "Vladivostok", False),
        ("Vladivostok", "TESTPORT", "Testport", None, None),
        (None, None, None, "Otherport", None),
    ]
    first = checks[0]
    assert (first.gap_id, first.previous_departure, first.next_arrival, first.destination_after) == (
        f"1-{T0 + 20 * HOUR}",
        T0 + 10 * HOUR,
        T0 + 100 * HOUR,
        "OTHERPORT",
    )


# ---------------------------------------------------------------------------------------------------- the scenario


@pytest.fixture(scope="module")
def scenario_run(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "aisdk_bai_mei_scenario.csv"
    if not path.exists():  # shared by the test modules of one session
        scenario.generate_scenario(path)
    cols = read_ais(str(path)).columns
    ports = load_ports(resource_path("ports", "ports.csv"))
    return cols, ports, pv.detect_port_visits(cols, ports), detect_gaps(cols).gaps


def test_scenario_bai_mei_visits_the_ports_it_is_seen_in(scenario_run):
    _cols, _ports, result, _gaps = scenario_run
    visits = [v for v in result.visits if v.mmsi == scenario.BAI_MEI_MMSI]
    assert [v.port_name for v in visits] == ["Lianyungang", "Vladivostok", "Ningbo"]
    lyg, vvo, ngb = visits
    assert lyg.arrival < _epoch(1, 6, 1) and _epoch(10, 6, 0) < lyg.departure < _epoch(10, 6, 3)
    assert lyg.destination == "LIANYUNGANG"
    # anchorage (from 24 June) and berth (25-26 June) make one call
    assert _epoch(24, 6) <= vvo.arrival < _epoch(25, 6) and _epoch(26, 6, 18) < vvo.departure < _epoch(26, 6, 22)
    assert vvo.stops == 2 and vvo.destination == "VLADIVOSTOK" and vvo.vessel_name == "BAI MEI 8"
    assert _epoch(1, 7) <= ngb.arrival < _epoch(2, 7) and _epoch(2, 7, 4) < ngb.departure < _epoch(2, 7, 8)
    assert ngb.stops == 2 and ngb.destination == "NINGBO"
    assert all(v.distance_km < 10 for v in visits)
    # Nampo lies inside the dark periods: no report, so no visit and no stop there
    assert not [s for s in result.stops if s.mmsi == scenario.BAI_MEI_MMSI and s.near_port is None]
    assert not [v for v in result.visits if v.locode == "KPNAM"], "no vessel is seen calling at Nampo"


def test_scenario_declared_destination_against_the_next_port(scenario_run):
    _cols, ports, result, gaps = scenario_run
    bai_mei_gaps = [g for g in gaps if g.mmsi == scenario.BAI_MEI_MMSI]
    assert len(bai_mei_gaps) == 2
    first, second = pv.declared_vs_actual(bai_mei_gaps, result.visits, ports)
    # June: declared Vladivostok, and Vladivostok is indeed the next port seen: the detour to Nampo does not show
    # as a mismatch (the gap's length and the draught change betray it)
    assert (
        first.previous_port,
        first.declared_destination,
        first.declared_port,
        first.actual_next_port,
        first.mismatch,
    ) == ("Lianyungang", "VLADIVOSTOK", "Vladivostok", "Vladivostok", False)
    # July: sailed from Ningbo declaring Vladivostok; the scenario ends before any next port call: undetermined
    assert (second.previous_port, second.declared_destination, second.actual_next_port, second.mismatch) == (
        "Ningbo",
        "VLADIVOSTOK",
        None,
        None,
    )
    assert second.destination_after == "VLADIVOSTOK"
