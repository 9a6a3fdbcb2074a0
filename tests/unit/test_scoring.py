"""Gap scoring (bai_mei_plugin.core.suspicion.score_gaps): each reason on a hand-made gap, the weights, ranking,
cancel and the chunks of scores."""

import json
import re
from dataclasses import replace

import numpy as np
import pytest
from shapely.geometry import box

from bai_mei_plugin.core import suspicion
from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.land import LandIndex
from bai_mei_plugin.core.ports import Port
from bai_mei_plugin.core.suspicion import InterestPorts, Weights, rank_scores, score_gaps

H = 3600
T0 = 1_686_000_000
PORTS = [
    Port("Dalian", "CNDLC", "CN", 38.935, 121.710),
    Port("Nampo", "KPNAM", "KP", 38.700, 125.150),
    Port("Busan", "KRPUS", "KR", 35.070, 129.070),
    Port("Vladivostok", "RUVVO", "RU", 43.080, 131.885),
]
GAP = Gap(
    gap_id="g1",
    mmsi=412000001,
    vessel_name="PLAIN",
    off_time=T0,
    on_time=T0 + 24 * H,
    gap_hours=24.0,
    distance_nm=30.0,
    implied_speed_kn=1.25,
    off_lon=127.0,  # the Sea of Japan side, far from Nampo in a day
    off_lat=36.0,
    on_lon=127.5,
    on_lat=36.2,
    sog_before=10.0,
    sog_after=10.0,
    draught_before=7.0,
    draught_after=7.0,
    destination_before="BUSAN",
    destination_after="BUSAN",
    positions_12h_before=5,
    off_shore_nm=20.0,
    on_shore_nm=20.0,
)


def score(gap=GAP, **kw):
    kw.setdefault("ports", PORTS)
    kw.setdefault("max_speed_kn", 12.0)
    return score_gaps([gap], **kw).scores[0]


def codes(s):
    return [r.code for r in s.reasons]


def test_a_plain_gap_has_no_reason():
    s = score()
    assert (s.points, s.level, s.reasons, s.rank) == (0, "none", [], 1)
    assert s.why.startswith("No sign of suspicion") and s.score == 0


def test_port_of_interest_without_land_says_great_circle():
    near = replace(GAP, off_lon=124.0, off_lat=38.3, on_lon=124.2, on_lat=38.1, gap_hours=48.0, on_time=T0 + 48 * H)
    result = score_gaps([near], ports=PORTS, max_speed_kn=12.0)
    s = result.scores[0]
    assert codes(s) == ["interest_port"] and s.points == 3 and s.level == "low"
    assert re.fullmatch(
        r"could have called at Nampo \(up to \d+ h by great circle, may cross land\)", s.reasons[0].text
    )
    assert any("no land layer" in n for n in result.notes)
    assert any("not in the ports list" in n and "Chongjin" in n for n in result.notes)
    assert score(near, interest=InterestPorts(["Busan"])).points == 0  # only the list given counts


def test_port_of_interest_behind_land_is_not_reached_by_sea():
    # a wall from the coast almost to Nampo's latitude... the only way round is far to the south
    gap = replace(GAP, off_lon=124.6, off_lat=38.7, on_lon=124.6, on_lat=38.6, on_time=T0 + 6 * H, gap_hours=6.0)
    wall = [box(124.8, 37.0, 124.9, 39.5)]
    assert "interest_port" in codes(score(gap))  # 28 nm away: within reach by great circle
    assert "interest_port" not in codes(score(gap, land_polygons=wall))
    open_sea = [box(120.0, 40.5, 121.0, 41.0)]
    by_sea = score(gap, land_polygons=open_sea)
    assert "by sea" in by_sea.reasons[0].text


@pytest.mark.parametrize(
    "before, after, code, text",
    [
        (6.5, 11.5, "draught_rose", "draught rose 6.5 -> 11.5 m (loaded while dark)"),
        (11.5, 6.5, "draught_fell", "draught fell 11.5 -> 6.5 m (unloaded while dark)"),
        (7.0, 7.4, None, None),
        (None, 11.5, None, None),
    ],
)
def test_draught(before, after, code, text):
    s = score(replace(GAP, draught_before=before, draught_after=after))
    assert [(r.code, r.text) for r in s.reasons] == ([(code, text)] if code else [])


def test_destination_changed_but_not_by_spelling():
    assert codes(score(replace(GAP, destination_after="vladivostok"))) == ["destination_changed"]
    assert score(replace(GAP, destination_after="vladivostok")).reasons[0].text == (
        "declared destination changed BUSAN -> VLADIVOSTOK"
    )
    assert score(replace(GAP, destination_after="KR PUS")).reasons == []  # the same port, another spelling
    assert score(replace(GAP, destination_after="")).reasons == []


def _reports(rows):
    """AisColumns from (mmsi, t, lon, lat, sog, extra dict) rows, grouped by vessel in time order."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    texts = {k: [r[5].get(k) for r in rows] for k in ("vessel_name", "destination", "imo")}
    return AisColumns.build(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        sog=[r[4] for r in rows],
        **texts,
    )


def _track(mmsi, t_start, hours, lon, lat, sog, step=600, **extra):
    return [(mmsi, t_start + k * step, lon, lat, sog, extra) for k in range(int(hours * H / step))]


def test_next_port_seen_is_not_the_declared_one():
    gap = replace(GAP, destination_before="VLADIVOSTOK", destination_after="VLADIVOSTOK")
    at_busan = _track(GAP.mmsi, GAP.on_time + 10 * H, 4, 129.07, 35.07, 0.0)
    cols = _reports(at_busan)
    s = score(gap, reports=cols)
    assert codes(s) == ["next_port_differs"]
    assert s.reasons[0].text == ("declared VLADIVOSTOK (Vladivostok) before the gap, but the next port seen was Busan")
    assert score(replace(gap, destination_before="BUSAN", destination_after="BUSAN"), reports=cols).reasons == []
    orders = replace(gap, destination_before="FOR ORDERS", destination_after="FOR ORDERS")
    assert score(orders, reports=cols).reasons == []  # names no port: nothing to compare
    assert score(gap, reports=cols, ports=PORTS[:2]).reasons == []  # Vladivostok unknown: nothing to judge


def test_offshore_from_the_gap_or_from_land():
    far = replace(GAP, off_shore_nm=60.0, on_shore_nm=70.0)
    s = score(far)
    assert codes(s) == ["offshore"] and s.points == 2
    assert s.reasons[0].text == "went dark 60 nm and came back 70 nm from shore (both at least 50 nm offshore)"
    assert score(replace(far, on_shore_nm=30.0)).reasons == []
    unknown = replace(GAP, off_shore_nm=None, on_shore_nm=None)
    assert score(unknown).reasons == []  # neither the gap nor a land layer tells
    far_land = LandIndex([box(120.0, 30.0, 120.5, 30.5)])
    assert codes(score(unknown, land_index=far_land)) == ["offshore"]
    near_land = LandIndex([box(126.0, 35.0, 126.9, 37.0)])
    assert score(unknown, land_index=near_land).reasons == []


def _at_dalian(**kw):
    values = dict(
        off_lon=121.65,
        off_lat=38.93,
        on_lon=121.66,
        on_lat=38.93,
        sog_before=0.0,
        sog_after=0.2,
        off_shore_nm=1.0,
        on_shore_nm=1.0,
        draught_before=6.0,
        draught_after=10.5,
        on_time=T0 + 48 * H,
        gap_hours=48.0,
    )
    values.update(kw)
    return replace(GAP, **values)


def test_a_port_call_lowers_the_score_below_what_it_explains():
    s = score(_at_dalian())
    assert codes(s) == ["interest_port", "draught_rose", "port_call"]
    call = s.reasons[-1]
    assert call.points == -7 and call.text.startswith("a port call at Dalian: both ends within 5.4 nm of it")
    assert s.points == -2 and s.level == "none"
    assert "port_call" not in codes(score(_at_dalian(sog_after=6.0)))  # it sailed away: not at a berth
    assert "port_call" not in codes(score(_at_dalian(on_lon=122.0)))  # came back 16 nm out
    assert "port_call" not in codes(score(_at_dalian(sog_before=None)))  # speed unknown: not a port call


def test_a_port_outline_decides_instead_of_the_radius():
    outline = box(121.55, 38.88, 121.62, 38.95)  # the berth (121.65, 38.93) is outside it
    ports = [replace(PORTS[0], area=outline), *PORTS[1:]]
    assert "port_call" not in codes(score(_at_dalian(), ports=ports))
    inside = _at_dalian(off_lon=121.56, on_lon=121.57)  # 7.5 nm from the position, inside the outline
    assert "port_call" in codes(score(inside, ports=ports))
    assert "port_call" not in codes(score(inside))  # by the radius alone it is not in the port


def test_good_reception_uses_gfws_fourteen_positions():
    assert codes(score(replace(GAP, positions_12h_before=14))) == ["good_reception"]
    assert score(replace(GAP, positions_12h_before=13)).reasons == []


def test_identity_anomalies_near_the_gap():
    before = _track(GAP.mmsi, GAP.off_time - 5 * H, 4, 127.0, 36.0, 10.0, vessel_name="OLD NAME")
    after = _track(GAP.mmsi, GAP.on_time, 4, 127.5, 36.2, 10.0, vessel_name="NEW NAME")
    s = score(reports=_reports(before + after))
    assert codes(s) == ["identity"]
    assert s.reasons[0].text == "identity anomalies: name changed OLD NAME -> NEW NAME (2023-06-06)"
    weeks_later = [(m, t + 30 * 86400, *rest) for m, t, *rest in after]
    assert score(reports=_reports(before + weeks_later)).reasons == []
    unallocated = replace(GAP, mmsi=200000001)  # MID 200 is not allocated: known from the MMSI alone
    s = score(unallocated)
    assert codes(s) == ["identity"] and "unallocated MID" in s.reasons[0].text


def test_rendezvous_with_a_ship_stopped_in_the_reachable_sea():
    other = 412000002
    inside = _track(other, GAP.off_time + 4 * H, 8, 127.3, 36.3, 0.0, vessel_name="MEETER")
    s = score(reports=_reports(inside))
    assert codes(s) == ["rendezvous"]
    assert s.reasons[0].text.startswith(
        "possible rendezvous: another ship stopped in its reachable sea while it was dark: MEETER"
    )
    outside = _track(other, GAP.off_time + 4 * H, 8, 131.0, 36.3, 0.0)  # 190 nm away: out of reach in 24 h
    assert score(reports=_reports(outside)).reasons == []
    earlier = _track(other, GAP.off_time - 30 * H, 8, 127.3, 36.3, 0.0)  # before the gap
    assert score(reports=_reports(earlier)).reasons == []
    in_port = _track(other, GAP.off_time + 4 * H, 8, 129.07, 35.07, 0.0)
    far_gap = replace(GAP, on_time=T0 + 48 * H, gap_hours=48.0)
    assert "rendezvous" not in codes(score(far_gap, reports=_reports(in_port)))  # stopped at Busan: a port


def test_repeated_gaps_in_the_same_area():
    again = replace(GAP, gap_id="g2", off_time=GAP.off_time + 5 * 86400, on_time=GAP.on_time + 5 * 86400)
    elsewhere = replace(GAP, gap_id="g3", off_lon=140.0, on_lon=140.5, off_time=GAP.off_time + 9 * 86400)
    someone_else = replace(again, gap_id="g4", mmsi=412000009)
    result = score_gaps([GAP, again, elsewhere, someone_else], ports=PORTS, max_speed_kn=12.0)
    by_id = {s.gap_id: s for s in result.scores}
    assert codes(by_id["g1"]) == codes(by_id["g2"]) == ["repeated"]
    assert by_id["g1"].reasons[0].text == "1 other gap of this vessel began or ended within 20 nm of this one's ends"
    assert by_id["g3"].reasons == [] and by_id["g4"].reasons == []


class FakeMatcher:
    def __init__(self):
        self.calls = []

    def match(self, mmsi=None, imo=None, names=()):
        self.calls.append((mmsi, imo, tuple(names)))
        found = []
        if imo == "9187629":
            found.append(type("M", (), {"text": 'on LIST (2023-03-01): entry 1 "ARTAVIL", matched by IMO 9187629'}))
        if "PLAIN" in names:
            found.append(type("M", (), {"text": 'on LIST (2023-03-01): entry 2 "PLAIN", matched by name PLAIN'}))
        return found


def test_watchlist_by_the_gaps_name_and_the_reported_imo():
    matcher = FakeMatcher()
    s = score(watchlists=[matcher])
    assert codes(s) == ["watchlist"] and s.points == 5
    assert s.reasons[0].text == 'on LIST (2023-03-01): entry 2 "PLAIN", matched by name PLAIN'
    reports = _reports(_track(GAP.mmsi, GAP.on_time, 2, 127.5, 36.2, 10.0, imo="9187629", vessel_name="OTHER"))
    s = score(replace(GAP, vessel_name=None), reports=reports, watchlists=[FakeMatcher()])
    assert s.reasons[0].text.endswith("matched by IMO 9187629")
    assert score(watchlists=[matcher], weights=Weights(watchlist=0)).reasons == []  # weight 0: reason off


def test_weights_json_round_trip_and_errors():
    w = Weights(interest_port=4.0, offshore_nm=30.0)
    assert Weights.from_json(w.to_json()) == w
    assert Weights.from_dict({"interest_port": "2.5", "not a weight": 1}).interest_port == 2.5
    assert json.loads(Weights().to_json())["port_call"] == -7.0
    for bad, key in (
        ({"offshore": "many"}, "offshore"),
        ({"offshore": float("nan")}, "offshore"),
        ({"offshore": True}, "offshore"),
        ({"offshore_nm": -1}, "offshore_nm"),
        ({"port_call": 3}, "port_call"),
        ({"low_from": 6}, "low_from"),
    ):
        with pytest.raises(BaiMeiError, match=key):
            Weights.from_dict(bad)
    with pytest.raises(BaiMeiError, match="not valid JSON"):
        Weights.from_json("{interest_port: 3")
    with pytest.raises(BaiMeiError, match="mapping"):
        Weights.from_json("[1, 2]")
    assert score(replace(GAP, positions_12h_before=14), weights=Weights(good_reception=0.5)).points == 0.5


def test_the_documented_table_gives_the_defaults():
    """Every reason's default points are the ones the module docstring's table states."""
    described = {name: default for name, _, default in Weights.describe()}
    assert set(described) == set(Weights().to_dict())
    for code in suspicion.REASON_CODES:
        row = re.search(rf"^{code}\s+([+-]\d+)\s", suspicion.__doc__, re.MULTILINE)
        assert row, f"{code} missing from the table"
        assert float(row.group(1)) == described[code]


def test_levels_follow_the_thresholds():
    w = Weights()
    assert [w.level(p) for p in (-2, 0, 1, 3.9, 4, 6.9, 7, 12)] == [
        "none",
        "none",
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_ranking_ties_go_to_the_longer_gap_then_the_id():
    scores = [
        suspicion.GapScore("b", 1, 3.0, "medium", gap_hours=10.0),
        suspicion.GapScore("a", 1, 3.0, "medium", gap_hours=10.0),
        suspicion.GapScore("c", 1, 3.0, "medium", gap_hours=30.0),
        suspicion.GapScore("d", 1, 5.0, "high", gap_hours=1.0),
        suspicion.GapScore("e", 1, -2.0, "none", gap_hours=99.0),
    ]
    rank_scores(scores)
    assert [s.rank for s in scores] == [4, 3, 2, 1, 5]


def test_scores_arrive_in_chunks_with_progress_and_in_the_gaps_order():
    gaps = [replace(GAP, gap_id=f"g{k}", mmsi=412000100 + k, positions_12h_before=20 * (k % 2)) for k in range(5)]
    chunks, progress = [], []
    result = score_gaps(
        gaps,
        ports=PORTS,
        max_speed_kn=12.0,
        chunk=2,
        on_scores=lambda c: chunks.append([(s.gap_id, s.rank) for s in c]),
        progress=progress.append,
    )
    assert [len(c) for c in chunks] == [2, 2, 1] and all(rank == 0 for c in chunks for _, rank in c)
    assert [s.gap_id for s in result.scores] == [g.gap_id for g in gaps]
    assert [s.rank for s in result.scores] == [3, 1, 4, 2, 5]
    assert progress == sorted(progress) and progress[-1] == 1.0


def test_cancel_between_chunks():
    gaps = [replace(GAP, gap_id=f"g{k}") for k in range(5)]
    calls = []
    with pytest.raises(Canceled):
        score_gaps(
            gaps, ports=PORTS, max_speed_kn=12.0, chunk=2, is_canceled=lambda: len(calls) >= 1, on_scores=calls.append
        )
    assert len(calls) == 1
    with pytest.raises(Canceled):
        score_gaps(gaps, ports=PORTS, max_speed_kn=12.0, is_canceled=lambda: True)


def test_default_speed_from_the_gaps_own_sog_and_a_bad_speed():
    near = replace(GAP, off_lon=124.0, off_lat=38.3, on_lon=124.0, on_lat=38.3, on_time=T0 + 6 * H, gap_hours=6.0)
    slow_ship = score_gaps([replace(near, sog_before=1.0, sog_after=1.0)], ports=PORTS).scores[0]
    fast_ship = score_gaps([replace(near, sog_before=30.0, sog_after=30.0)], ports=PORTS).scores[0]
    assert "interest_port" not in codes(slow_ship)  # at least 12 kn: Nampo 59 nm away and back takes 9.8 h
    assert "interest_port" in codes(fast_ship)  # 1.2 x 30 kn: 3.3 h
    with pytest.raises(BaiMeiError, match="must be positive"):
        score_gaps([GAP], max_speed_kn=0.0)


def test_why_and_tooltip_words():
    s = score(replace(GAP, positions_12h_before=20, draught_after=9.0))
    assert s.why == (
        "Suspicion low (3 pts): draught rose 7.0 -> 9.0 m (loaded while dark) +2; good reception before the gap "
        "(20 positions in 12 h, at least 14): the silence looks deliberate +1."
    )
    assert s.tooltip.splitlines() == [
        "Suspicion low: 3 points, rank 1",
        "+2  draught rose 7.0 -> 9.0 m (loaded while dark)",
        "+1  good reception before the gap (20 positions in 12 h, at least 14): the silence looks deliberate",
    ]
    assert np.isclose(s.score, 3.0)
