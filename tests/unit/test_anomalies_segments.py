"""shared_mmsi found by segmenting a track (core/segments.py), every jump listed, and the anomalies made of what
cleaning set aside (invalid MMSIs, conflicting duplicates)."""

import numpy as np
import pytest

from bai_mei_plugin.core import anomalies as an
from bai_mei_plugin.core import segments as sg
from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import AisColumns, RawRead

T0 = 1_600_000_000
MMSI = 273000001


def track(t0, n, lon, lat, step=180, knots=12.0, heading_east=True):
    """(t, lon, lat) of a ship sailing east (or north) at ``knots`` from (lon, lat), a report every ``step`` s."""
    per_s = knots * 1852 / 3600
    out = []
    for k in range(n):
        d = per_s * step * k / 111_195
        if heading_east:
            out.append((t0 + k * step, lon + d / np.cos(np.radians(lat)), lat))
        else:
            out.append((t0 + k * step, lon, lat + d))
    return out


def columns(rows, mmsi=MMSI):
    rows = sorted(rows)
    t, lon, lat = zip(*rows)
    return AisColumns.build([mmsi] * len(rows), t, lon, lat)


# Three ships far apart (Korea Strait, East China Sea, Sea of Japan) on one MMSI for six hours, their reports
# interleaved: each ship reports every 3 minutes, a minute after the previous one.
SHIP_A = track(T0, 120, 129.0, 34.5)
SHIP_B = track(T0 + 60, 120, 124.0, 30.0, heading_east=False)
SHIP_C = track(T0 + 120, 120, 134.0, 39.0)


def bbox(ship):
    lon = [p[1] for p in ship]
    lat = [p[2] for p in ship]
    return min(lat), max(lat), min(lon), max(lon)


def test_three_ships_interleaved_on_one_mmsi_far_apart():
    cols = columns(SHIP_A + SHIP_B + SHIP_C)
    result = an.find_anomalies(cols)
    (shared,) = [a for a in result.anomalies if a.kind == "shared_mmsi"]
    assert shared.segments == 3 and shared.count == result.jumps_per_mmsi[MMSI] == 359  # every report jumps
    assert (shared.time, shared.lon, shared.lat) == (T0, 129.0, 34.5)  # the first track's first report
    for k, ship in enumerate((SHIP_A, SHIP_B, SHIP_C), 1):
        lat0, lat1, lon0, lon1 = bbox(ship)
        start, end = an.utc_text(ship[0][0]), an.utc_text(ship[-1][0])
        expected = f"#{k} 120 reports {start} to {end}, lat {lat0:.3f} to {lat1:.3f}, lon {lon0:.3f} to {lon1:.3f}"
        assert expected in shared.evidence
    assert "3 tracks run at the same time" in shared.evidence
    jumps = [a for a in result.anomalies if a.kind == "jump"]
    assert len(jumps) == 359  # all of them, not the first 50
    assert max(j.distance_nm for j in jumps) > 500  # the Sea of Japan to the East China Sea is among them


def test_the_segmenter_gives_each_ship_its_own_reports():
    rows = sorted(SHIP_A + SHIP_B + SHIP_C)
    t, lon, lat = (np.array(c) for c in zip(*rows))
    found = sg.segment(t, lon, lat)
    assert len(found) == 3
    for seg, ship in zip(found, (SHIP_A, SHIP_B, SHIP_C)):
        assert [(int(t[i]), lon[i], lat[i]) for i in seg.rows] == ship
    assert len(sg.interleaved(found, t)) == 3


def test_a_glitch_left_behind_does_not_capture_the_real_track():
    """A stray report 3 nm ahead of the ship and 93 m off its line: 15 minutes later the ship passes 0.1 nm from it,
    nearer than its own last report (0.2 nm back) and at a lower implied speed. The ship's segment still takes the
    report, as the ship was expected there (its last report moved on at its velocity)."""
    ship = track(T0, 60, 125.0, 35.0, step=60)
    ahead = 3.1 * 1852 / 111_195 / np.cos(np.radians(35.0))
    glitch = (T0 + 1830, ship[30][1] + ahead, 35.0 + 0.05 / 60)
    rows = sorted(ship + [glitch])
    t, lon, lat = (np.array(c) for c in zip(*rows))
    found = sg.segment(t, lon, lat)
    assert [s.reports for s in found] == [60, 1] and found[1].rows == [31]
    assert sg.interleaved(found, t) == []
    result = an.find_anomalies(columns(rows))
    assert [a.kind for a in result.anomalies] == ["jump", "jump"]  # to the glitch and back; not shared


def test_one_mmsi_reused_one_ship_after_the_other_is_not_shared():
    """Ship A stops reporting, ship B starts far away: one jump, two segments, but never at the same time."""
    a = track(T0, 60, 129.0, 34.5)
    b = track(T0 + 60 * 180 + 600, 60, 140.0, 38.0)
    result = an.find_anomalies(columns(a + b))
    assert [x.kind for x in result.anomalies] == ["jump"]


def test_two_repeating_glitch_places_need_long_lived_segments():
    """Two reports at a far place among a ship's reports: a segment of two is too short to be a second ship."""
    ship = track(T0, 100, 125.0, 35.0, step=60)
    far = [(T0 + 1530, 130.0, 38.0), (T0 + 3030, 130.0, 38.0)]
    result = an.find_anomalies(columns(ship + far))
    kinds = [x.kind for x in result.anomalies]
    assert kinds.count("jump") == 4 and "shared_mmsi" not in kinds


def test_a_lasting_track_at_zero_zero_is_a_missing_fix_not_a_second_ship():
    ship = track(T0, 60, 125.0, 35.0, step=60)
    nulls = [(T0 + 30 + 60 * k, 0.0, 0.0) for k in range(0, 60, 6)]
    result = an.find_anomalies(columns(ship + nulls))
    assert "shared_mmsi" not in [x.kind for x in result.anomalies]


def test_every_jump_is_listed_with_the_mmsi_total():
    a = track(T0, 150, 131.0, 42.0, step=120)
    b = track(T0 + 60, 150, 140.0, 38.0, step=120)
    result = an.find_anomalies(columns(a + b))
    jumps = [x for x in result.anomalies if x.kind == "jump"]
    assert len(jumps) == 299 and {j.count for j in jumps} == {299}
    assert [j.time for j in jumps] == sorted(t for t, _, _ in a + b)[1:]


# ---------------------------------------------------------------------------------------------------- set aside


def raw_of(mmsi, t, lon, lat):
    cols = AisColumns.build(mmsi, t, lon, lat)
    n = len(cols)
    return RawRead(cols, n, np.zeros(n, bool), np.zeros(n, bool))


def test_invalid_mmsis_set_aside_by_cleaning_become_anomalies():
    mmsi = [0, 0, 0, 123456, 412000001, 412000001]
    t = [T0 + 300, T0, T0 + 600, T0 + 60, T0, T0 + 600]
    lon = [181.0, 121.0, 122.0, 120.5, 125.0, 125.01]
    lat = [91.0, 31.0, 32.0, 30.5, 35.0, 35.0]
    cleaned = clean(raw_of(mmsi, t, lon, lat), check_mmsi=True)
    result = an.find_anomalies(cleaned.columns, cleaned=cleaned)
    invalid = [a for a in result.anomalies if a.kind == "invalid_mmsi"]
    assert [(a.mmsi, a.count, a.time, a.lon, a.lat) for a in invalid] == [
        (0, 3, T0, 121.0, 31.0),  # the first report with a usable position
        (123456, 1, T0 + 60, 120.5, 30.5),
    ]
    assert "3 reports from 2020-09-13 12:26:40 UTC to 2020-09-13 12:36:40 UTC were left out" in invalid[0].evidence
    assert "not a 9-digit number" in invalid[0].evidence
    assert an.find_anomalies(cleaned.columns).anomalies == []  # without the read, nothing to report


def test_conflicting_duplicates_become_one_anomaly_per_mmsi_at_the_largest():
    mmsi = [412000001] * 6 + [412000002] * 2
    t = [T0, T0, T0 + 60, T0 + 60, T0 + 120, T0 + 120, T0, T0]
    lon = [125.0, 125.005, 125.0, 127.0, 125.0, 129.0, 130.0, 130.0]
    lat = [35.0] * 8
    cleaned = clean(raw_of(mmsi, t, lon, lat))
    result = an.find_anomalies(cleaned.columns, cleaned=cleaned)
    (conflict,) = [a for a in result.anomalies if a.kind == "conflicting_duplicate"]
    assert (conflict.mmsi, conflict.count, conflict.time, conflict.lon, conflict.lon_before) == (
        412000001,
        2,
        T0 + 120,
        129.0,
        125.0,
    )
    expected_nm = an.haversine_m(125.0, 35.0, 129.0, 35.0) / 1852
    assert conflict.distance_nm == pytest.approx(expected_nm)
    assert f"{expected_nm:,.1f} nm apart" in conflict.evidence and "2 reports at the same second" in conflict.evidence
