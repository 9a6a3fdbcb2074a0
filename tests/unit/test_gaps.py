"""Gap detection and track segments against hand-computed cases and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import AisColumns, RawRead
from bai_mei_plugin.core.gaps import PRESET_GFW, PRESETS, GapCriteria, detect_gaps, gap_id
from bai_mei_plugin.core.geodesy import haversine_nm
from bai_mei_plugin.core.land import LandIndex

H = 3600


def cleaned(mmsi, t, lon=None, lat=None, **extra):
    n = len(mmsi)
    lon = np.zeros(n) if lon is None else lon
    lat = np.zeros(n) if lat is None else lat
    cols = AisColumns.build(mmsi, t, lon, lat, **extra)
    raw = RawRead(cols, n, np.zeros(n, bool), np.zeros(n, bool))
    return clean(raw).columns


def test_threshold_is_inclusive():
    cols = cleaned([1, 1, 1], [0, 6 * H, 12 * H - 1])
    result = detect_gaps(cols, GapCriteria(min_gap_hours=6))
    assert [(g.off_time, g.on_time) for g in result.gaps] == [(0, 6 * H)]  # exactly 6 h is a gap, 6 h - 1 s is not
    assert result.gaps[0].gap_hours == 6.0


def test_unsorted_input_duplicates_and_single_report_vessels():
    cols = cleaned([2, 1, 1, 1, 3, 1], [50, 10 * H, 0, 10 * H, 0, 30 * H])
    result = detect_gaps(cols, GapCriteria(min_gap_hours=6))
    # vessel 1: 0, 10h (duplicate dropped), 30h -> gaps 0->10h and 10h->30h; vessels 2 and 3 have one report each
    assert [(g.mmsi, g.off_time, g.on_time) for g in result.gaps] == [(1, 0, 10 * H), (1, 10 * H, 30 * H)]
    assert result.tracks == []
    assert result.single_report_segments == 5


def test_many_vessels_interleaved_and_tracks():
    t = np.array([0, 0, 1 * H, 1 * H, 8 * H, 2 * H, 9 * H, 3 * H])
    mmsi = np.array([1, 2, 1, 2, 1, 2, 1, 2])
    lon = np.array([0.0, 10.0, 0.1, 10.1, 1.0, 10.2, 1.1, 10.3])
    lat = np.zeros(8)
    cols = cleaned(mmsi, t, lon, lat, vessel_name=["ONE", "TWO", None, None, None, None, None, None])
    result = detect_gaps(cols, GapCriteria(min_gap_hours=6))
    assert len(result.gaps) == 1
    gap = result.gaps[0]
    assert (gap.mmsi, gap.off_time, gap.on_time, gap.vessel_name) == (1, 1 * H, 8 * H, "ONE")
    assert gap.distance_nm == pytest.approx(0.9 * 60 * 1.000641, rel=1e-3)  # 0.9 degree of the equator
    assert gap.implied_speed_kn == pytest.approx(gap.distance_nm / 7)
    assert gap.gap_id == "1-19700101T010000Z" == gap_id(1, H)
    assert gap.positions_12h_before == 2
    segments = [(tr.mmsi, tr.segment, tr.start_time, tr.end_time, tr.n_points) for tr in result.tracks]
    assert segments == [(1, 1, 0, 1 * H, 2), (1, 2, 8 * H, 9 * H, 2), (2, 1, 0, 3 * H, 4)]
    assert result.tracks[2].vessel_name == "TWO"


def test_positions_before_criterion():
    t = np.array([0, 11 * H, 11 * H + 60, 11 * H + 120, 30 * H, 50 * H])
    cols = cleaned([7] * 6, t)
    gaps = detect_gaps(cols, GapCriteria(min_gap_hours=6)).gaps
    assert [g.positions_12h_before for g in gaps] == [1, 4, 1]  # window [t_off - 12 h, t_off], t_off included
    strict = detect_gaps(cols, GapCriteria(min_gap_hours=6, min_positions_before=3))
    assert [g.off_time for g in strict.gaps] == [11 * H + 120]
    assert strict.candidate_gaps == 3
    assert len(strict.tracks) == 2  # only the gap that passed splits the track


def test_draught_and_destination_either_side_of_a_gap():
    nan = np.nan
    cols = cleaned(
        [5] * 5,
        [0, H, 20 * H, 21 * H, 22 * H],
        draught=[6.5, nan, nan, 11.5, nan],
        destination=["VLADIVOSTOK", None, None, "VLADIVOSTOK", None],
    )
    gap = detect_gaps(cols, GapCriteria(min_gap_hours=6)).gaps[0]
    assert gap.draught_before == 6.5 and gap.draught_after == 11.5
    assert gap.destination_before == gap.destination_after == "VLADIVOSTOK"
    assert gap.sog_before is None


def test_shore_distance_criterion_with_a_square_island():
    from shapely.geometry import box

    land = LandIndex([box(0, 0, 1, 1)], step_km=1.0)
    assert land.distance_nm([0.5], [0.5])[0] == 0.0
    near = land.distance_nm([1.1], [0.5])[0]
    assert near == pytest.approx(0.1 * 60 * 1.000641, abs=0.3)
    t = [0, 10 * H, 0, 10 * H]
    cols = cleaned([1, 1, 2, 2], t, np.array([1.1, 1.2, 3.0, 3.5]), np.array([0.5, 0.5, 0.5, 0.5]))
    result = detect_gaps(cols, GapCriteria(min_gap_hours=6, min_shore_nm=50), land)
    assert [g.mmsi for g in result.gaps] == [2]
    assert result.gaps[0].off_shore_nm == pytest.approx(2.0 * 60 * 1.000641, abs=0.3)


def test_shore_distance_across_the_antimeridian():
    from shapely.geometry import box

    land = LandIndex([box(179.0, -1.0, 180.0, 1.0)])
    distance = land.distance_nm([-179.9], [0.0])[0]
    assert distance == pytest.approx(0.1 * 60 * 1.000641, abs=0.3)


def test_gfw_preset_values():
    preset = PRESETS[PRESET_GFW]
    assert (preset.min_gap_hours, preset.min_shore_nm, preset.min_positions_before) == (12.0, 50.0, 14)


reports = st.lists(st.tuples(st.integers(1, 4), st.integers(0, 200).map(lambda h: h * 900)), min_size=0, max_size=60)


@settings(max_examples=150, deadline=None)
@given(reports, st.randoms())
def test_gap_count_does_not_depend_on_input_order(rows, rnd):
    mmsi = [r[0] for r in rows]
    t = [r[1] for r in rows]
    first = detect_gaps(cleaned(mmsi, t), GapCriteria(min_gap_hours=6))
    order = list(range(len(rows)))
    rnd.shuffle(order)
    second = detect_gaps(cleaned([mmsi[i] for i in order], [t[i] for i in order]), GapCriteria(min_gap_hours=6))
    assert len(first.gaps) == len(second.gaps)
    assert [(g.mmsi, g.off_time, g.on_time) for g in first.gaps] == [
        (g.mmsi, g.off_time, g.on_time) for g in second.gaps
    ]


@settings(max_examples=150, deadline=None)
@given(reports)
def test_every_gap_joins_consecutive_reports(rows):
    cols = cleaned([r[0] for r in rows], [r[1] for r in rows])
    result = detect_gaps(cols, GapCriteria(min_gap_hours=6))
    for gap in result.gaps:
        mine = np.sort(np.unique(cols.t[cols.mmsi == gap.mmsi]))
        k = int(np.searchsorted(mine, gap.off_time))
        assert mine[k] == gap.off_time and mine[k + 1] == gap.on_time
        assert gap.on_time - gap.off_time >= 6 * H
    # every long pause is a gap
    expected = sum(int((np.diff(np.unique(cols.t[cols.mmsi == m])) >= 6 * H).sum()) for m in np.unique(cols.mmsi))
    assert len(result.gaps) == expected
    # tracks + single-report segments cover every report exactly once
    assert sum(tr.n_points for tr in result.tracks) + result.single_report_segments == len(cols)


def test_distance_is_great_circle():
    assert haversine_nm(0, 0, 0, 1) == pytest.approx(60.04, abs=0.01)


def test_the_criteria_description_covers_gap_criteria():
    from dataclasses import fields

    from bai_mei_plugin.core.gaps import CRITERIA_FIELDS

    described = [f.name for f in CRITERIA_FIELDS]
    # every criterion a form can set is a GapCriteria field; the window of the positions criterion is fixed (12 h)
    assert set(described) == {f.name for f in fields(GapCriteria)} - {"positions_window_hours"}
    assert [f.key for f in CRITERIA_FIELDS] == [
        "MIN_GAP_HOURS",
        "MIN_SHORE_NM",
        "MIN_POSITIONS_BEFORE",
    ]  # models use them
    assert [f.default for f in CRITERIA_FIELDS] == [6.0, 0.0, 0]


def test_a_preset_wins_over_the_values_and_custom_takes_them():
    from bai_mei_plugin.core.gaps import PRESET_CUSTOM, PRESET_PORT_CALL, criteria_with, describe_criteria

    values = {"min_gap_hours": 3.0, "min_shore_nm": 1.5, "min_positions_before": 2.0}
    assert criteria_with(values, PRESET_GFW) == PRESETS[PRESET_GFW]
    assert criteria_with(values, PRESET_PORT_CALL) == GapCriteria(min_gap_hours=6.0)
    custom = criteria_with(values, PRESET_CUSTOM)
    assert custom == GapCriteria(3.0, 1.5, 2) and isinstance(custom.min_positions_before, int)
    assert criteria_with({"min_gap_hours": None}) == GapCriteria()  # a value not given keeps its default
    assert describe_criteria(custom) == "Minimum gap 3 h, Distance from shore 1.5 nm, Positions in 12 h before 2"


def test_the_in_memory_engine_finds_the_gaps_of_detect_gaps():
    from shapely.geometry import box

    from bai_mei_plugin.core.errors import BaiMeiError
    from bai_mei_plugin.core.gap_engine import LOADED, InMemoryGapEngine, LandChoice, ReportsLocation

    cols = cleaned([1, 1, 1, 2, 2], [0, 7 * H, 8 * H, 0, 20 * H], lon=[0.0, 3.0, 3.0, 5.0, 5.0], lat=[0.0] * 5)
    reports = RawRead(cols, len(cols.mmsi), np.zeros(5, bool), np.zeros(5, bool))
    reports = clean(reports)
    loads = []

    def coast():
        loads.append(1)
        return LandIndex([box(-1.0, -1.0, -0.5, 1.0)])

    engine = InMemoryGapEngine(reports, ReportsLocation(LOADED, "two.csv", "/data/two.csv"), LandChoice(default=coast))
    assert engine.location.in_memory and engine.columns is reports.columns
    progress = []
    found = engine.find_gaps(GapCriteria(min_gap_hours=6), progress.append)
    expected = detect_gaps(reports.columns, GapCriteria(min_gap_hours=6))
    assert (
        [(g.mmsi, g.off_time) for g in found.gaps]
        == [(g.mmsi, g.off_time) for g in expected.gaps]
        == [
            (1, 0),
            (2, 0),
        ]
    )
    assert len(found.tracks) == len(expected.tracks) and progress[-1] == 1.0
    assert loads == [] and found.gaps[0].off_shore_nm is None  # no land built when no criterion needs it
    far = engine.find_gaps(GapCriteria(min_gap_hours=6, min_shore_nm=100))
    assert loads == [1] and [g.mmsi for g in far.gaps] == [2]  # vessel 1 leaves from 30 nm off the coast
    with pytest.raises(BaiMeiError, match="needs a land layer"):
        InMemoryGapEngine(reports, engine.location).find_gaps(GapCriteria(min_shore_nm=1))
