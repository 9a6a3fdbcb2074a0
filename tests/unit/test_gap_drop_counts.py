"""The criteria say what they dropped and why: each silence that a preset or a custom criterion removes is counted
once, under the first criterion it fails (duration, then shore, then reception), and described in words."""

import numpy as np
from shapely.geometry import box

from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import AisColumns, RawRead
from bai_mei_plugin.core.gaps import PRESET_GFW, PRESETS, GapCriteria, GapResult, describe_drops, detect_gaps
from bai_mei_plugin.core.land import LandIndex

H = 3600
ISLAND = box(0.0, 0.0, 1.0, 1.0)  # a one-degree island; 0.5 degree off its east coast is about 30 nm


def cleaned(mmsi, t, lon, lat):
    n = len(mmsi)
    cols = AisColumns.build(mmsi, t, lon, lat)
    return clean(RawRead(cols, n, np.zeros(n, bool), np.zeros(n, bool))).columns


def fleet():
    """Vessel 1: a 8 h silence (6-12 h); vessel 2: a 20 h silence off the coast (30 nm); vessel 3: a 20 h silence
    far offshore after only 2 positions; vessel 4: a 20 h silence far offshore after 20 positions (kept)."""
    mmsi, t, lon, lat = [], [], [], []

    def vessel(number, times, x):
        mmsi.extend([number] * len(times))
        t.extend(times)
        lon.extend([x] * len(times))
        lat.extend([0.5] * len(times))

    vessel(1, [0, 8 * H], 5.0)
    vessel(2, [0, 20 * H], 1.5)
    vessel(3, [0, 11 * H, 31 * H], 5.0)
    vessel(4, [k * 600 for k in range(20)] + [19 * 600 + 20 * H], 5.0)
    return cleaned(np.array(mmsi), np.array(t), np.array(lon), np.array(lat))


def test_the_gfw_preset_counts_its_drops_by_criterion():
    land = LandIndex([ISLAND], step_km=2.0)
    result = detect_gaps(fleet(), PRESETS[PRESET_GFW], land)
    assert [g.mmsi for g in result.gaps] == [4]
    # vessel 3's first silence (11 h) is short; its 20 h one had too few positions before it
    assert result.dropped == {
        "shorter than 12 h": 2,
        "start or end within 50 nm of shore": 1,
        "fewer than 14 positions in the 12 h before": 1,
    }
    assert describe_drops(result) == (
        "4 silences dropped by the criteria: 2 shorter than 12 h, 1 start or end within 50 nm of shore, "
        "1 fewer than 14 positions in the 12 h before."
    )


def test_a_silence_failing_several_criteria_is_counted_once_under_the_first():
    land = LandIndex([ISLAND], step_km=2.0)
    cols = cleaned(np.array([7, 7]), np.array([0, 30 * H]), np.array([1.2, 1.2]), np.array([0.5, 0.5]))
    result = detect_gaps(cols, GapCriteria(min_gap_hours=12, min_shore_nm=50, min_positions_before=14), land)
    assert result.gaps == []
    assert result.dropped == {"start or end within 50 nm of shore": 1}  # near shore and only 1 position: once


def test_the_port_call_preset_drops_nothing_and_says_nothing():
    result = detect_gaps(fleet(), GapCriteria(min_gap_hours=6))
    assert len(result.gaps) == 5
    assert result.dropped == {}
    assert describe_drops(result) == ""
    assert describe_drops(GapResult([], [], 0, 0)) == ""


def test_a_longer_minimum_alone_counts_the_silences_between_6_h_and_it():
    result = detect_gaps(fleet(), GapCriteria(min_gap_hours=10))
    assert result.dropped == {"shorter than 10 h": 1}  # vessel 1's 8 h; vessel 3's 11 h is kept
    assert describe_drops(result) == "1 silence dropped by the criteria: 1 shorter than 10 h."
