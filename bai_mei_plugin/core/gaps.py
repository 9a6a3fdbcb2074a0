"""Dark gaps and track segments.

Definition (the algorithm help repeats it): reports are cleaned and sorted per MMSI by time. A **gap** is a pair of
consecutive reports of one MMSI whose times differ by at least ``min_gap_hours`` (a difference of exactly the
threshold is a gap). Optional criteria, each off at 0:
- ``min_shore_nm``: both ends of the gap at least that many nautical miles from land;
- ``min_positions_before``: at least that many reports of the vessel in the ``positions_window_hours`` (12 h) before
  the gap, counting the last report before it (reports at times t_off - 12 h ... t_off).
Track segments are the runs of reports between the gaps that pass the criteria.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional

import numpy as np

from .ais.model import AisColumns, TextColumn
from .errors import Canceled
from .geodesy import haversine_nm
from .land import LandIndex

# The optional AIS columns gap detection uses (read_ais(..., fields=GAP_FIELDS) reads only these).
GAP_FIELDS = ("sog", "draught", "vessel_name", "destination")


@dataclass(frozen=True)
class GapCriteria:
    min_gap_hours: float = 6.0
    min_shore_nm: float = 0.0
    min_positions_before: int = 0
    positions_window_hours: float = 12.0


@dataclass(frozen=True)
class CriterionField:
    """How one criterion of GapCriteria is shown and asked for: the Processing parameters and the dock's criteria
    widget are both generated from ``CRITERIA_FIELDS``, so a new criterion is added here (and to GapCriteria and the
    engines' filters), not in each form."""

    name: str  # the GapCriteria attribute; its upper case is the Processing parameter key (models rely on it)
    label: str  # the Processing parameter's description
    short_label: str  # the dock's form label (narrow)
    unit: str  # shown after the value: "h", "nm", or "" for a count
    integer: bool
    minimum: float
    maximum: float
    help: str

    @property
    def key(self) -> str:
        return self.name.upper()

    @property
    def default(self):
        return getattr(GapCriteria(), self.name)

    def format(self, value) -> str:
        text = f"{int(value)}" if self.integer else f"{float(value):g}"
        return f"{text} {self.unit}" if self.unit else text


CRITERIA_FIELDS = (
    CriterionField(
        "min_gap_hours",
        "Minimum gap (hours)",
        "Minimum gap",
        "h",
        False,
        0.0,
        10000.0,
        "A gap is two consecutive reports of a vessel at least this far apart in time (exactly the threshold counts).",
    ),
    CriterionField(
        "min_shore_nm",
        "Minimum distance from shore (nm)",
        "Distance from shore",
        "nm",
        False,
        0.0,
        10000.0,
        "Both ends of the gap at least this many nautical miles from land (0: anywhere).",
    ),
    CriterionField(
        "min_positions_before",
        "Minimum positions in the 12 h before the gap",
        "Positions in 12 h before",
        "",
        True,
        0,
        100000,
        "At least this many reports of the vessel in the 12 h before the gap, counting its last report "
        "(0: any reception).",
    ),
)


def describe_criteria(criteria: GapCriteria) -> str:
    """The criteria in words, for the log and a table comment: 'Minimum gap 6 h, Distance from shore 0 nm, ...'."""
    return ", ".join(f"{f.short_label} {f.format(getattr(criteria, f.name))}" for f in CRITERIA_FIELDS)


PRESET_CUSTOM = "Custom"
PRESET_PORT_CALL = "Port call (6 h, any distance)"
PRESET_GFW = "GFW (12 h, 50 nm offshore)"
PRESETS = {
    PRESET_CUSTOM: None,
    PRESET_PORT_CALL: GapCriteria(min_gap_hours=6.0),
    PRESET_GFW: GapCriteria(min_gap_hours=12.0, min_shore_nm=50.0, min_positions_before=14),
}
PRESET_NAMES = list(PRESETS)  # their order is the Processing enum's (models store the index)
DEFAULT_PRESET = PRESET_PORT_CALL
PRESET_DESCRIPTIONS = {
    PRESET_CUSTOM: "Set each criterion yourself.",
    PRESET_PORT_CALL: "Every silence of 6 h or more, wherever it starts: catches ships that go dark near a coast or in "
    "port, as the Bai Mei 8 did.",
    PRESET_GFW: "Global Fishing Watch's AIS-disabling events: 12 h or more, both ends at least 50 nm from shore, and "
    "at least 14 positions in the 12 h before the gap (good reception, so the silence is deliberate).",
}


def criteria_with(values: dict, preset: str = PRESET_CUSTOM) -> GapCriteria:
    """The criteria of a preset, or (Custom) the given values by field name over the defaults. Every form (the
    Processing parameters, the dock) resolves a preset through this one rule: a preset's own values win."""
    chosen = PRESETS.get(preset)
    if chosen is not None:
        return chosen
    known = {
        f.name: (int(v) if f.integer else float(v)) for f in CRITERIA_FIELDS if (v := values.get(f.name)) is not None
    }
    return replace(GapCriteria(), **known)


@dataclass
class Gap:
    gap_id: str
    mmsi: int
    vessel_name: Optional[str]
    off_time: int
    on_time: int
    gap_hours: float
    distance_nm: float
    implied_speed_kn: float
    off_lon: float
    off_lat: float
    on_lon: float
    on_lat: float
    sog_before: Optional[float]
    sog_after: Optional[float]
    draught_before: Optional[float]
    draught_after: Optional[float]
    destination_before: Optional[str]
    destination_after: Optional[str]
    positions_12h_before: int
    off_shore_nm: Optional[float]
    on_shore_nm: Optional[float]
    off_index: int = field(repr=False, default=-1)


@dataclass
class Track:
    mmsi: int
    vessel_name: Optional[str]
    segment: int
    start_time: int
    end_time: int
    n_points: int
    start: int = field(repr=False, default=0)  # row range [start, stop) in the sorted columns
    stop: int = field(repr=False, default=0)


@dataclass
class GapResult:
    gaps: List[Gap]
    tracks: List[Track]
    candidate_gaps: int  # gaps by duration alone, before the optional criteria
    single_report_segments: int  # segments of one report, which make no line
    notes: List[str] = field(default_factory=list)  # what the engine did, for the log (land used, rows read...)
    # silences the criteria dropped, by reason in words (criteria order; each silence counted once, under the first
    # criterion it fails): what a preset removed, for the Gaps page and the log (see describe_drops)
    dropped: Dict[str, int] = field(default_factory=dict)


# A silence this long is a gap for the widest preset (Port call): a stricter minimum is said to drop the ones
# between the two, so "GFW" explains the silences "Port call" would have shown.
BASELINE_GAP_HOURS = PRESETS[PRESET_PORT_CALL].min_gap_hours


def drop_reasons(criteria: GapCriteria) -> Dict[str, str]:
    """The words for each criterion that can drop a silence (keys: ``short``, ``shore``, ``positions``)."""
    return {
        "short": f"shorter than {criteria.min_gap_hours:g} h",
        "shore": f"start or end within {criteria.min_shore_nm:g} nm of shore",
        "positions": f"fewer than {criteria.min_positions_before} positions in the "
        f"{criteria.positions_window_hours:g} h before",
    }


def describe_drops(result: GapResult) -> str:
    """'675 gaps dropped: 612 start or end within 50 nm of shore, 63 shorter than 12 h' ('' when none were)."""
    dropped = {reason: n for reason, n in result.dropped.items() if n}
    if not dropped:
        return ""
    total = sum(dropped.values())
    parts = ", ".join(f"{n:,} {reason}" for reason, n in dropped.items())
    return f"{total:,} silence{'s' * (total != 1)} dropped by the criteria: {parts}."


def _count_drops(criteria: GapCriteria, short: int, fails_shore: np.ndarray, fails_positions: np.ndarray) -> dict:
    """Each dropped silence under the first criterion it fails, in the criteria's order."""
    words = drop_reasons(criteria)
    counts = {words["short"]: int(short)}
    counts[words["shore"]] = int(np.count_nonzero(fails_shore))
    counts[words["positions"]] = int(np.count_nonzero(fails_positions & ~fails_shore))
    return {reason: n for reason, n in counts.items() if n}


def gap_id(mmsi: int, off_time: int) -> str:
    stamp = dt.datetime.fromtimestamp(int(off_time), dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{int(mmsi)}-{stamp}"


def vessel_starts(mmsi: np.ndarray) -> np.ndarray:
    """Boolean mask of the first row of each vessel in MMSI-sorted columns."""
    first = np.ones(len(mmsi), dtype=bool)
    first[1:] = mmsi[1:] != mmsi[:-1]
    return first


class _Nearest:
    """The nearest row of the same vessel, at or before (or after) given rows, where a column has a value.

    Binary search over the rows that have a value: cost grows with the number of queries (gaps, tracks), not rows.
    """

    def __init__(self, starts: np.ndarray, group: Optional[np.ndarray] = None):
        self.group = np.cumsum(starts) - 1 if group is None else group  # the vessel number of each row

    def _lookup(self, valid: np.ndarray, query: np.ndarray, backward: bool) -> np.ndarray:
        rows = np.flatnonzero(valid)
        query = np.asarray(query, dtype=np.int64)
        if len(rows) == 0 or len(query) == 0:
            return np.full(len(query), -1, dtype=np.int64)
        if backward:
            pos = np.searchsorted(rows, query, side="right") - 1
            inside = pos >= 0
        else:
            pos = np.searchsorted(rows, query, side="left")
            inside = pos < len(rows)
        found = rows[np.clip(pos, 0, len(rows) - 1)]
        same = inside & (self.group[found] == self.group[query])
        return np.where(same, found, -1)

    def before(self, valid, query):
        return self._lookup(valid, query, backward=True)

    def after(self, valid, query):
        return self._lookup(valid, query, backward=False)

    def either(self, valid, before_rows, after_rows):
        """At or before ``before_rows``, else at or after ``after_rows`` (a name known anywhere on the vessel)."""
        found = self.before(valid, before_rows)
        return np.where(found >= 0, found, self.after(valid, after_rows))


def _value(arr: np.ndarray, idx: int) -> Optional[float]:
    return None if idx < 0 or np.isnan(arr[idx]) else float(arr[idx])


def _text(col: TextColumn, idx: int) -> Optional[str]:
    return None if idx < 0 else col.get(idx)


def detect_gaps(
    cols: AisColumns, criteria: GapCriteria = GapCriteria(), land: Optional[LandIndex] = None, is_canceled=None
) -> GapResult:
    """Gaps and track segments of cleaned, MMSI/time-sorted columns (see the module docstring)."""
    mmsi, t = cols.mmsi, cols.t
    n = len(mmsi)
    starts = vessel_starts(mmsi) if n else np.zeros(0, dtype=bool)
    threshold = int(np.ceil(criteria.min_gap_hours * 3600.0))
    same_vessel = ~starts[1:] if n else np.zeros(0, dtype=bool)
    silence = np.diff(t) if n else np.zeros(0, dtype=t.dtype)
    candidate = np.flatnonzero(same_vessel & (silence >= threshold))  # off rows; on rows are off + 1
    baseline = int(np.ceil(min(BASELINE_GAP_HOURS, criteria.min_gap_hours) * 3600.0))
    short = int(np.count_nonzero(same_vessel & (silence >= baseline) & (silence < threshold)))
    del silence, same_vessel  # a column's worth of memory each: freed before the next ones are made
    off, on = candidate, candidate + 1
    keep = np.ones(len(off), dtype=bool)

    # Reports of the vessel in the window before the gap, found by binary search on a (vessel, time) key. Both
    # arrays are made in place (no temporaries of a column's size: at 50M reports each is 200-400 MB).
    group = np.cumsum(starts, dtype=np.int32)  # vessel number of each row (fewer than 2**31 vessels)
    group -= 1
    window = int(criteria.positions_window_hours * 3600)
    key = group.astype(np.int64)
    key <<= 40
    key += t
    key -= t.min() if n else 0
    first_in_window = np.searchsorted(key, key[off] - window, side="left")
    del key
    positions_before = off - first_in_window + 1
    fails_positions = np.zeros(len(off), dtype=bool)
    if criteria.min_positions_before > 0:
        fails_positions = positions_before < criteria.min_positions_before
        keep &= ~fails_positions
    if is_canceled and is_canceled():
        raise Canceled()

    shore_off = shore_on = np.full(len(off), np.nan)
    if land is not None and len(off):
        shore = land.distance_nm(
            np.concatenate((cols.lon[off], cols.lon[on])), np.concatenate((cols.lat[off], cols.lat[on]))
        )
        shore_off, shore_on = shore[: len(off)], shore[len(off) :]
    fails_shore = np.zeros(len(off), dtype=bool)
    if criteria.min_shore_nm > 0:
        if land is None:
            raise ValueError("A minimum distance from shore needs a land layer.")
        fails_shore = ~((shore_off >= criteria.min_shore_nm) & (shore_on >= criteria.min_shore_nm))
        keep &= ~fails_shore

    candidates = len(off)
    dropped = _count_drops(criteria, short, fails_shore, fails_positions)
    off, on = off[keep], on[keep]
    shore_off, shore_on, positions_before = shore_off[keep], shore_on[keep], positions_before[keep]

    distance = haversine_nm(cols.lon[off], cols.lat[off], cols.lon[on], cols.lat[on])
    hours = (t[on] - t[off]) / 3600.0
    nearest = _Nearest(starts, group)
    has_name = cols.vessel_name.codes >= 0
    name_rows = nearest.either(has_name, off, on).tolist()
    draught_ok = ~np.isnan(cols.draught)
    dest_ok = cols.destination.codes >= 0
    d_before, d_after = nearest.before(draught_ok, off).tolist(), nearest.after(draught_ok, on).tolist()
    dest_before, dest_after = nearest.before(dest_ok, off).tolist(), nearest.after(dest_ok, on).tolist()

    gaps = []
    for k, (i, j) in enumerate(zip(off.tolist(), on.tolist())):
        name_row = name_rows[k]
        gaps.append(
            Gap(
                gap_id=gap_id(mmsi[i], t[i]),
                mmsi=int(mmsi[i]),
                vessel_name=_text(cols.vessel_name, name_row),
                off_time=int(t[i]),
                on_time=int(t[j]),
                gap_hours=float(hours[k]),
                distance_nm=float(distance[k]),
                implied_speed_kn=float(distance[k] / hours[k]) if hours[k] > 0 else 0.0,
                off_lon=float(cols.lon[i]),
                off_lat=float(cols.lat[i]),
                on_lon=float(cols.lon[j]),
                on_lat=float(cols.lat[j]),
                sog_before=_value(cols.sog, i),
                sog_after=_value(cols.sog, j),
                draught_before=_value(cols.draught, d_before[k]),
                draught_after=_value(cols.draught, d_after[k]),
                destination_before=_text(cols.destination, dest_before[k]),
                destination_after=_text(cols.destination, dest_after[k]),
                positions_12h_before=int(positions_before[k]),
                off_shore_nm=None if np.isnan(shore_off[k]) else float(shore_off[k]),
                on_shore_nm=None if np.isnan(shore_on[k]) else float(shore_on[k]),
                off_index=i,
            )
        )
    tracks, singles = build_tracks(cols, starts, on, nearest, has_name)
    return GapResult(
        gaps=gaps, tracks=tracks, candidate_gaps=candidates, single_report_segments=singles, dropped=dropped
    )


def build_tracks(cols: AisColumns, starts: np.ndarray, gap_on: np.ndarray, nearest: _Nearest, has_name):
    """Track segments: runs of rows split at vessel changes and at the first report after each gap."""
    n = len(cols.mmsi)
    if n == 0:
        return [], 0
    breaks = starts.copy()
    breaks[gap_on] = True
    seg_start = np.flatnonzero(breaks)
    seg_stop = np.append(seg_start[1:], n)
    vessel_first = np.flatnonzero(starts)
    # segment number within its vessel: count of breaks since the vessel's first row
    owner = np.searchsorted(vessel_first, seg_start, side="right") - 1
    segment_no = np.arange(len(seg_start)) - np.searchsorted(seg_start, vessel_first[owner])
    name_rows = nearest.either(has_name, seg_stop - 1, seg_start).tolist()
    tracks = []
    singles = 0
    for a, b, s, row in zip(seg_start.tolist(), seg_stop.tolist(), segment_no.tolist(), name_rows):
        if b - a < 2:
            singles += 1
            continue
        tracks.append(
            Track(
                mmsi=int(cols.mmsi[a]),
                vessel_name=_text(cols.vessel_name, row),
                segment=s + 1,
                start_time=int(cols.t[a]),
                end_time=int(cols.t[b - 1]),
                n_points=b - a,
                start=a,
                stop=b,
            )
        )
    return tracks, singles


def gap_end_columns(gaps) -> AisColumns:
    """The two reports around each gap (last before, first after) as columns, sorted by MMSI then time: enough for a
    vessel summary and the default maximum speed when the reports themselves stayed in an archive."""
    rows = []
    for gap in gaps:
        rows.append(
            (
                gap.mmsi,
                gap.off_time,
                gap.off_lon,
                gap.off_lat,
                gap.sog_before,
                gap.draught_before,
                gap.destination_before,
                gap.vessel_name,
            )
        )
        rows.append(
            (
                gap.mmsi,
                gap.on_time,
                gap.on_lon,
                gap.on_lat,
                gap.sog_after,
                gap.draught_after,
                gap.destination_after,
                gap.vessel_name,
            )
        )
    rows = sorted(set(rows), key=lambda r: (r[0], r[1]))

    def number(value):
        return float("nan") if value is None else float(value)

    return AisColumns.build(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        sog=[number(r[4]) for r in rows],
        draught=[number(r[5]) for r in rows],
        destination=[r[6] for r in rows],
        vessel_name=[r[7] for r in rows],
    )
