"""The "assess a gap" use case shared by the dock and Processing: one assessment per gap, its own visits, its
suspicion from those visits, and where each visit's port is."""

import pytest
from shapely.geometry import box

from bai_mei_plugin.core.assess_gap import assess_gaps
from bai_mei_plugin.core.errors import Canceled
from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.geodesy import haversine_nm
from bai_mei_plugin.core.ports import Port
from bai_mei_plugin.core.reachability import gap_reachability
from bai_mei_plugin.core.suspicion import InterestPorts, Weights, score_gaps

H = 3600
PORTS = [
    Port("Middle", "XXMID", "XX", 0.0, 0.5),
    Port("Far", "XXFAR", "XX", 0.0, 5.0),
    Port("Aside", "XXASI", "XX", 1.5, 0.5),
]


def gap(a, b, t0, t1, mmsi, draught=(None, None)):
    mmsi += 412_000_000  # a valid MMSI: an invalid one would be an identity reason of the score
    return Gap(
        gap_id=f"{mmsi}-{t0}",
        mmsi=mmsi,
        vessel_name=None,
        off_time=t0,
        on_time=t1,
        gap_hours=(t1 - t0) / H,
        distance_nm=float(haversine_nm(*a, *b)),
        implied_speed_kn=0.0,
        off_lon=a[0],
        off_lat=a[1],
        on_lon=b[0],
        on_lat=b[1],
        sog_before=None,
        sog_after=None,
        draught_before=draught[0],
        draught_after=draught[1],
        destination_before=None,
        destination_after=None,
        positions_12h_before=0,
        off_shore_nm=None,
        on_shore_nm=None,
    )


GAPS = [
    gap((0.0, 0.0), (1.0, 0.0), 0, 20 * H, mmsi=1),  # Middle and Aside within reach at 12 kn
    gap((0.0, 0.0), (10.0, 0.0), 0, 10 * H, mmsi=2),  # 600 nm in 10 h: not reachable, no visits
    gap((0.0, 0.0), (1.0, 0.0), 0, 20 * H, mmsi=3, draught=(6.0, 11.0)),  # loaded while dark
]


def test_each_gap_gets_its_area_its_own_visits_and_its_suspicion():
    interest = InterestPorts(["XXASI"])
    land = [box(0.4, 0.4, 0.6, 0.6)]  # an island off the route
    assessed = assess_gaps(GAPS, None, PORTS, land, interest, max_speed_kn=12.0)
    direct = gap_reachability(GAPS, None, land, PORTS, 12.0)
    assert [item.gap for item in assessed.items] == GAPS
    assert [item.area.gap_id for item in assessed.items] == [g.gap_id for g in GAPS]
    assert [(v.gap_id, v.locode) for v in assessed.visits] == [(v.gap_id, v.locode) for v in direct.visits]
    scored = score_gaps(GAPS, None, PORTS, interest, max_speed_kn=12.0, visits=direct.visits)
    for item, score in zip(assessed.items, scored.scores):
        assert all(v.gap_id == item.gap.gap_id for v in item.visits)
        assert item.suspicion == score  # the one scorer, given the same candidate visits (ranks among these gaps)
    first, unreachable, loaded = assessed.items
    assert {v.locode for v in first.visits} == {"XXMID", "XXASI"}
    assert first.suspicion.points == 3 and "Aside (up to" in first.suspicion.why and "by sea" in first.suspicion.why
    assert not unreachable.area.feasible and unreachable.visits == [] and unreachable.suspicion.points == 0
    assert loaded.suspicion.points == 5 and loaded.suspicion.rank == 1  # a port of interest (3), loaded (2)
    assert assessed.notes == direct.notes and any("not reachable" in n for n in assessed.notes)
    assert set(assessed.suspicion_of) == set(assessed.gap_of) == {g.gap_id for g in GAPS}


def test_visits_are_placed_at_their_port():
    assessed = assess_gaps(GAPS[:1], None, PORTS, None, InterestPorts([]), max_speed_kn=12.0)
    ports = {assessed.port_of(v).locode: (assessed.port_of(v).lon, assessed.port_of(v).lat) for v in assessed.visits}
    assert ports == {"XXMID": (0.5, 0.0), "XXASI": (0.5, 1.5)}  # Port takes lat, then lon


def test_by_sea_and_cancel_reach_the_engine():
    wall = [box(0.45, -3.0, 0.55, 0.3)]
    by_sea = assess_gaps(GAPS[:1], None, [], wall, InterestPorts([]), 12.0, by_sea=True)
    clipped = assess_gaps(GAPS[:1], None, [], wall, InterestPorts([]), 12.0, by_sea=False)
    assert by_sea.items[0].area.by_sea and not clipped.items[0].area.by_sea
    with pytest.raises(Canceled):
        assess_gaps(GAPS, None, PORTS, None, InterestPorts([]), 12.0, is_canceled=lambda: True)


def test_watchlists_weights_and_the_reachable_area_reach_the_scorer():
    class Listed:
        def match(self, mmsi=None, imo=None, names=()):
            return [type("M", (), {"text": "on LIST: entry 1, matched by MMSI 3"})] if mmsi == 412_000_003 else []

    assessed = assess_gaps(
        GAPS, None, PORTS, None, InterestPorts(["XXASI"]), 12.0, watchlists=[Listed()], weights=Weights(watchlist=9)
    )
    loaded = assessed.items[2].suspicion
    assert loaded.points == 14 and loaded.reasons[0].text == "on LIST: entry 1, matched by MMSI 3"
    assert assessed.items[0].suspicion.points == 3
