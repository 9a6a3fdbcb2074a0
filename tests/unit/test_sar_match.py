"""Radar detections against AIS: positions at the scene time, the one-to-one assignment and its gate, dark vessel
candidates inside a gap's reachable sea, and AIS vessels the radar did not see."""

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from bai_mei_plugin.core.ais.model import AisColumns, TextColumn
from bai_mei_plugin.core.sar_match import (
    DetectionIn,
    GapWindow,
    MatchParams,
    VesselAt,
    _project,
    dark_candidates,
    distance_m,
    match,
    match_scene,
    positions_at,
    size_agreement,
    unseen_in_footprint,
    vessel_names,
)

T = 1_497_549_600  # 2017-06-15 18:00 UTC


def _track(mmsi, lon0, lat0, speed_deg_per_h, times):
    t = np.array(times, dtype=np.int64)
    lon = lon0 + speed_deg_per_h * (t - T) / 3600.0
    return np.full(len(t), mmsi, dtype=np.int64), t, lon, np.full(len(t), lat0)


def _columns(*tracks):
    return [np.concatenate(parts) for parts in zip(*tracks)]


def test_positions_interpolated_dead_reckoned_or_not_placed():
    a = _track(1, 124.0, 38.5, 0.2, [T - 600, T + 1200])  # reports around the scene time: interpolated
    b = _track(2, 124.5, 38.5, 0.0, [T - 900])  # last report 15 min before, moving east at 10 kn
    c = _track(3, 124.8, 38.5, 0.0, [T - 7200])  # 2 h old: not placed
    d = _track(4, 125.0, 38.5, 0.0, [T - 5000, T + 5000])  # reports too far apart, none near: not placed
    mmsi, t, lon, lat = _columns(a, b, c, d)
    sog = np.where(mmsi == 2, 10.0, np.nan)
    cog = np.where(mmsi == 2, 90.0, np.nan)
    placed = {v.mmsi: v for v in positions_at(mmsi, t, lon, lat, T, sog, cog, names={1: "ALPHA"})}
    assert sorted(placed) == [1, 2]
    assert (
        placed[1].lon == pytest.approx(124.0) and placed[1].how == "interpolated" and placed[1].vessel_name == "ALPHA"
    )
    moved = distance_m(124.5, 38.5, placed[2].lon, placed[2].lat)
    assert moved == pytest.approx(10 * 1852 / 4, rel=0.01) and placed[2].lon > 124.5
    assert placed[2].how == "dead reckoned" and placed[2].seconds_from_report == 900


def test_dead_reckoning_north():
    lon, lat = _project(125.0, 38.0, 12.0, 0.0, 3600)
    assert lon == pytest.approx(125.0) and distance_m(125.0, 38.0, lon, lat) == pytest.approx(12 * 1852, rel=0.001)


def test_correct_pairs_with_timing_offsets_and_sizes():
    # vessels reported 20 min before and 10 min after the scene; the detections where they really were
    tracks = [_track(m, 124.0 + 0.02 * m, 38.5 + 0.001 * m, 0.1, [T - 1200, T + 600]) for m in range(1, 6)]
    mmsi, t, lon, lat = _columns(*tracks)
    lengths = {m: 50.0 + 40 * m for m in range(1, 6)}
    vessels = positions_at(mmsi, t, lon, lat, T, lengths=lengths)
    truth = {v.mmsi: v for v in vessels}
    detections = [
        DetectionIn(f"D{m}", truth[m].lon + 0.002, truth[m].lat - 0.001, lengths[m] * 1.1, T) for m in range(1, 6)
    ]
    matches, dark, unseen = match(detections[::-1], vessels)
    assert sorted((m.detection_id, m.mmsi) for m in matches) == [(f"D{m}", m) for m in range(1, 6)]
    assert dark == [] and unseen == []
    assert all(150 < m.offset_m < 250 and m.size_agreement == pytest.approx(0.9) for m in matches)


def test_size_breaks_a_tie_between_two_equally_near_vessels():
    vessels = [
        VesselAt(1, "SMALL", 124.0, 38.5, "interpolated", 0, 60.0),
        VesselAt(2, "BIG", 124.004, 38.5, "interpolated", 0, 250.0),
    ]
    detections = [DetectionIn("A", 124.002, 38.5, 240.0), DetectionIn("B", 124.002, 38.5005, 65.0)]
    matches, _, _ = match(detections, vessels)
    assert {(m.detection_id, m.mmsi) for m in matches} == {("A", 2), ("B", 1)}


def test_gate_respected_and_leftovers_on_both_sides():
    vessels = [VesselAt(1, "NEAR", 124.0, 38.5, "interpolated", 0), VesselAt(2, "FAR", 124.5, 38.5, "interpolated", 0)]
    near = DetectionIn("near", 124.0 + 1500 / 87000, 38.5)  # 1.5 km east
    lone = DetectionIn("lone", 124.5 + 3000 / 87000, 38.5)  # 3 km from FAR: outside a 2 km gate
    matches, dark, unseen = match([near, lone], vessels, MatchParams(max_distance_m=2000))
    assert [(m.detection_id, m.mmsi) for m in matches] == [("near", 1)]
    assert [d.detection_id for d in dark] == ["lone"] and [v.mmsi for v in unseen] == [2]
    matches, dark, unseen = match([near, lone], vessels, MatchParams(max_distance_m=5000))
    assert len(matches) == 2 and not dark and not unseen


def test_dark_candidate_names_the_gap_whose_reachable_sea_holds_it():
    area = Polygon([(124.0, 38.0), (125.5, 38.0), (125.5, 39.0), (124.0, 39.0)])
    gaps = [
        GapWindow("g1", 200000008, "BAI MEI 8", T - 6 * 3600, T + 80 * 3600),
        GapWindow("g2", 300, "OTHER", T - 6 * 3600, T + 3600),  # in time but its area elsewhere
        GapWindow("g3", 400, "LATER", T + 3600, T + 7200),  # the right area, the wrong time
    ]
    areas = {"g1": area, "g2": box(120, 30, 121, 31), "g3": area}
    dark = [DetectionIn("D9", 124.7, 38.75, 170.0, T)]
    vessels = [VesselAt(1, "X", 124.6, 38.75, "interpolated", 0)]
    (cand,) = dark_candidates(dark, vessels, gaps, areas)
    assert (cand.gap_ids, cand.mmsis, cand.vessel_names, cand.hours_into_gap) == ("g1", "200000008", "BAI MEI 8", "6.0")
    assert cand.nearest_ais_m == pytest.approx(distance_m(124.7, 38.75, 124.6, 38.75), abs=0.1)
    (outside,) = dark_candidates([DetectionIn("D10", 126.0, 38.5, None, T)], [], gaps, areas)
    assert outside.gap_ids == "" and outside.nearest_ais_m is None


def test_unseen_only_inside_the_footprint_and_size_agreement():
    vessels = [VesselAt(1, "IN", 124.5, 38.5, "interpolated", 0), VesselAt(2, "OUT", 126.5, 38.5, "interpolated", 0)]
    assert [v.mmsi for v in unseen_in_footprint(vessels, box(124, 38, 125, 39))] == [1]
    assert size_agreement(100, 100) == 1.0 and size_agreement(100, 200) == 0.0 and size_agreement(None, 50) is None


def _reports(*tracks, names=()):
    mmsi, t, lon, lat = _columns(*tracks)
    named = dict(names)
    cols = AisColumns.build(mmsi, t, lon, lat)
    cols.vessel_name = TextColumn.from_strings([named.get(int(m)) for m in mmsi])
    return cols


def test_vessel_names_take_each_vessels_last_name():
    cols = _reports(_track(1, 124.0, 38.5, 0.0, [T - 60, T]), _track(2, 124.1, 38.5, 0.0, [T]), names={1: "ALPHA"})
    cols.vessel_name = TextColumn.from_strings(["OLD NAME", "ALPHA", None])
    assert vessel_names(cols) == {1: "ALPHA"}


def test_match_scene_pairs_names_dark_and_unseen_in_one_call():
    """The sequence both the Processing algorithm and the dock's task run: placed, paired, dark named by the gap,
    unseen inside the footprint only; without a footprint, the detections' surroundings."""
    seen = _track(1, 124.0, 38.5, 0.0, [T - 600, T + 600])
    missed = _track(2, 124.3, 38.5, 0.0, [T - 600, T + 600])  # inside the footprint, no detection
    away = _track(3, 126.0, 38.5, 0.0, [T - 600, T + 600])  # outside it
    cols = _reports(seen, missed, away, names={1: "ALPHA", 2: "BRAVO"})
    detections = [DetectionIn("D1", 124.001, 38.5, None, T), DetectionIn("D2", 124.7, 38.75, None, T)]
    gaps = [GapWindow("g1", 9, "DARK ONE", T - 3600, T + 3600)]
    areas = {"g1": box(124.5, 38.5, 125.0, 39.0)}
    found = match_scene(detections, cols, T, box(123.5, 38.0, 125.0, 39.0), gaps, areas)
    assert [(m.detection_id, m.mmsi, m.vessel_name) for m in found.pairs] == [("D1", 1, "ALPHA")]
    assert [(d.detection_id, d.gap_ids) for d in found.dark] == [("D2", "g1")]
    assert [(v.mmsi, v.vessel_name) for v in found.unseen] == [(2, "BRAVO")]
    near = match_scene(detections[:1], cols, T, None, params=MatchParams(max_distance_m=500))
    assert near.unseen == []  # BRAVO is 26 km from the detection: outside its 1 km surroundings
    wide = match_scene(detections[:1], cols, T, None, params=MatchParams(max_distance_m=20_000))
    assert [v.mmsi for v in wide.unseen] == [2]  # within 40 km now; the vessel at 126 E still is not
    assert match_scene([], cols, T).unseen == []  # no footprint and nothing detected: nothing said to be unseen
