"""The "common place" reason: gaps that many vessels begin and end at the same places (a reception hole, the edge of
the data's area) are not one ship's choice; a ship going dark somewhere of its own is not lowered."""

from dataclasses import replace

from bai_mei_plugin.core.suspicion import Weights, score_gaps

from .test_scoring import GAP, PORTS, codes

DAY = 86400


def _gate_gaps(n_vessels: int):
    """``n_vessels`` ships each leaving at one gate (127.8 E 32.3 N) and coming back days later at another
    (139.2 E 41.15 N), offshore, like ships leaving a regional data set and coming back."""
    return [
        replace(
            GAP,
            gap_id=f"gate{k}",
            mmsi=412000100 + k,
            off_time=GAP.off_time + k * DAY,
            on_time=GAP.off_time + k * DAY + 6 * DAY,
            gap_hours=144.0,
            off_lon=127.8 + 0.01 * k,
            off_lat=32.3,
            on_lon=139.2,
            on_lat=41.15 - 0.01 * k,
            off_shore_nm=60.0,
            on_shore_nm=60.0,
        )
        for k in range(n_vessels)
    ]


def test_many_vessels_dark_at_the_same_places_are_lowered_and_say_why():
    alone = replace(GAP, gap_id="alone", mmsi=412000999, off_shore_nm=60.0, on_shore_nm=60.0)
    result = score_gaps(_gate_gaps(5) + [alone], ports=PORTS, max_speed_kn=12.0)
    by_id = {s.gap_id: s for s in result.scores}
    for k in range(5):
        s = by_id[f"gate{k}"]
        common = next(r for r in s.reasons if r.code == "common_place")
        assert common.points == -4 and s.points == sum(r.points for r in s.reasons)
        assert common.text.startswith("4 other vessels also went dark or came back within 20 nm")
        assert "4 near where it came back" in common.text and "edge of the data" in common.text
    assert codes(by_id["alone"]) == ["offshore"]  # a place of its own: not lowered, and on top
    assert by_id["alone"].rank == 1


def test_a_common_place_needs_both_ends_and_enough_other_vessels():
    three = _gate_gaps(3)  # each sees 2 other vessels: fewer than the 3 needed
    assert all("common_place" not in codes(s) for s in score_gaps(three, ports=PORTS, max_speed_kn=12.0).scores)
    one_end = [replace(g, on_lon=130.0 + 2 * k, on_lat=40.0) for k, g in enumerate(_gate_gaps(5))]
    assert all("common_place" not in codes(s) for s in score_gaps(one_end, ports=PORTS, max_speed_kn=12.0).scores)
    same_ship = [replace(g, mmsi=412000100) for g in _gate_gaps(5)]  # one ship's habit is "repeated", not common
    scores = score_gaps(same_ship, ports=PORTS, max_speed_kn=12.0).scores
    assert all("common_place" not in codes(s) and "repeated" in codes(s) for s in scores)


def test_the_common_place_weights_are_editable_and_zero_switches_it_off():
    gaps = _gate_gaps(5)
    off = score_gaps(gaps, ports=PORTS, max_speed_kn=12.0, weights=Weights(common_place=0.0)).scores
    assert all("common_place" not in codes(s) for s in off)
    strict = score_gaps(gaps, ports=PORTS, max_speed_kn=12.0, weights=Weights(common_place_vessels=5)).scores
    assert all("common_place" not in codes(s) for s in strict)
    narrow = Weights(common_place_nm=0.3)  # the ends lie 0.5 nm and more apart
    scores = score_gaps(gaps, ports=PORTS, max_speed_kn=12.0, weights=narrow).scores
    assert all("common_place" not in codes(s) for s in scores)
