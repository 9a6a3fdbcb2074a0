"""Cleaning: drop what cannot be a vessel position, count every dropped row by reason, sort by MMSI then time."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from ..geodesy import METRES_PER_NM, haversine_m
from ..mid import INVALID, describe_mmsi
from .model import (
    BAD_POSITION,
    CONFLICTING_DUPLICATE,
    DUPLICATE,
    INVALID_MMSI,
    MALFORMED,
    MISSING_ID_TIME,
    MISSING_MMSI,
    MISSING_TIME,
    NO_TIMES,
    NOT_A_VESSEL,
    TIME_OUT_OF_RANGE,
    UNPARSEABLE,
    AisColumns,
    CleanResult,
    RawRead,
    take_into,
)

# Reports before this are not AIS (AIS began in the early 2000s; 1990 leaves room for any test or replay data), and
# reports more than a day in the future are clock errors: years 0001 or 9999 would make gaps of millions of hours.
EARLIEST_TIME = 631152000  # 1990-01-01T00:00:00Z
FUTURE_SLACK_S = 86400


def default_time_window() -> Tuple[int, int]:
    """(earliest, latest) epoch seconds a report may carry: 1990-01-01 to now + 1 day."""
    return EARLIEST_TIME, int(time.time()) + FUTURE_SLACK_S


def _utc(seconds: int) -> str:
    try:
        return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds))).isoformat()
    except (OverflowError, OSError, ValueError):
        return f"{int(seconds)} s"


def window_text(window: Tuple[int, int]) -> str:
    return f"{_utc(window[0])[:10]} – {_utc(window[1])[:10]}"


def sort_order(mmsi: np.ndarray, t: np.ndarray, rows: Optional[np.ndarray] = None) -> np.ndarray:
    """Stable order by MMSI then time (rows with equal keys keep their input order), as ``np.lexsort((t, mmsi))``;
    with ``rows`` (a boolean mask), the order of those rows only."""
    if rows is None or rows.all():  # no copies of the columns when every row is kept (the common case)
        return _mmsi_time_order(mmsi, t)
    index = np.flatnonzero(rows)
    return index[_mmsi_time_order(mmsi[index], t[index])]


_RADIX_BITS = 15
_RADIX_MMSI_LIMIT = 1 << (2 * _RADIX_BITS)  # every nine-digit MMSI is below it


def _mmsi_time_order(mmsi: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``np.lexsort((t, mmsi))`` three times faster where MMSIs are 0 to 2**30: a stable sort by time (none when the
    times already rise, as in most files, which are written in time order), then two stable passes on 15-bit digits
    of the MMSI, low then high (_by_digit)."""
    n = len(mmsi)
    if n < 2 or mmsi.dtype.kind not in "iu" or int(mmsi.min()) < 0 or int(mmsi.max()) >= _RADIX_MMSI_LIMIT:
        return np.lexsort((t, mmsi))
    order = None if bool(np.all(t[1:] >= t[:-1])) else _compact(np.argsort(t, kind="stable"))
    low = mmsi.astype(np.uint32)  # below 2**30: the digits are made in 4-byte, then 2-byte arrays
    high = (low >> _RADIX_BITS).astype(np.uint16)
    low &= (1 << _RADIX_BITS) - 1
    digits = [low.astype(np.uint16), high]
    del low, high
    while digits:
        keys = digits.pop(0)  # each digit's array freed once it is ordered (or read in the order so far)
        if order is not None:
            ordered = np.empty_like(keys)
            take_into(keys, order, ordered)
            keys = ordered
        order = _by_digit(keys, order)
        del keys
    return order


_DIGIT_CHUNK = 1 << 20


def _by_digit(keys: np.ndarray, order: Optional[np.ndarray]) -> np.ndarray:
    """``order`` (every row when None) stably sorted by ``keys`` (15-bit digits, one per row of ``order``), as 4-byte
    row numbers: a counting sort a million rows at a time, on two threads, each chunk ordered by numpy's radix sort
    and placed after the rows of the same digit in the chunks before it. numpy's whole-array argsort would hand over
    8-byte row numbers, and with the order so far and its result beside them that was the sort's peak at 50M."""
    n = len(keys)
    out = np.empty(n, dtype=np.int32 if n < (1 << 31) else np.int64)
    starts = range(0, n, _DIGIT_CHUNK)
    counts = np.array([np.bincount(keys[s : s + _DIGIT_CHUNK], minlength=1 << _RADIX_BITS) for s in starts])
    total = counts.sum(axis=0)
    # where each chunk's first row of each digit goes: after every digit below it, and this digit in earlier chunks
    first = (np.cumsum(total) - total) + (np.cumsum(counts, axis=0) - counts)

    def place(k: int) -> None:
        start = starts[k]
        chunk = keys[start : start + _DIGIT_CHUNK]
        local = np.argsort(chunk, kind="stable")
        sorted_keys = chunk[local]
        runs = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        position = np.arange(len(local))
        rank = position - np.maximum.accumulate(np.where(runs, position, 0))
        local += start
        out[first[k][sorted_keys] + rank] = local if order is None else order[local]

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in pool.map(place, range(len(starts))):
            pass
    return out


def _compact(order: np.ndarray) -> np.ndarray:
    """Row numbers in 4 bytes where they fit (half the memory of numpy's 8-byte ones at 50M reports)."""
    return order.astype(np.int32) if len(order) < (1 << 31) else order


# Two reports of one MMSI at the same second further apart than this are not one ship's report received twice
# (receivers disagree by metres, not by a mile): the MMSI is shared or spoofed, and the second report is evidence.
CONFLICT_M = METRES_PER_NM
# When more than this share of the reports lack a time, the file (not a few rows) has no times: said as such.
NO_TIMES_SHARE = 0.5


@dataclass
class InvalidMmsi:
    """The reports of one invalid MMSI that cleaning set aside: how many, when, and where the first one was."""

    mmsi: int
    reports: int
    first_time: int
    last_time: int
    lon: Optional[float]  # the first report with a usable position; None when none has one
    lat: Optional[float]
    description: str  # why it is invalid (core.mid.describe_mmsi)


@dataclass
class Conflicts:
    """Conflicting duplicates as columns: the kept report (``lon_kept``, ``lat_kept``), the dropped one, and the
    distance between them, in MMSI then time order."""

    mmsi: np.ndarray
    t: np.ndarray
    lon_kept: np.ndarray
    lat_kept: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    distance_nm: np.ndarray

    def __len__(self) -> int:
        return len(self.mmsi)


def where_text(lon: float, lat: float) -> str:
    return f"{abs(lat):.4f}{'N' if lat >= 0 else 'S'} {abs(lon):.4f}{'E' if lon >= 0 else 'W'}"


def clean(
    raw: RawRead, time_window: Optional[Tuple[int, int]] = None, check_mmsi: bool = False, reuse: bool = False
) -> CleanResult:
    """Apply the drop rules in order, each row counted under its first failing rule; sort what is kept.

    Rules: malformed rows (counted by the reader), unparseable MMSI/time/position, missing MMSI or time (counted as
    ``NO_TIMES``, naming the share, when more than half the reports lack a time: the file carries none), an invalid
    MMSI (0 or negative always; with ``check_mmsi``, which readers pass, also under 7 or over 9 digits or digits no
    ITU-R M.585 format allows, per ``core.mid.describe_mmsi``: special but valid ones such as coast stations or SAR
    aircraft are kept; without it toy MMSIs such as 1, 2, 3 stay for tests), a time outside ``time_window``
    (earliest, latest epoch seconds; None: no window; readers pass ``default_time_window()``), positions outside
    [-90, 90] x [-180, 180] (which catches the AIS "not available" values 91 and 181), non-vessel report types, and
    duplicates of (MMSI, time), of which the first in the input is kept: within 1 nm of it they are counted as
    duplicates, further away as conflicting duplicates. The invalid MMSIs and the conflicts are kept as evidence in
    ``CleanResult.invalid_mmsis`` and ``CleanResult.conflicts``. ``reuse``: the rows kept are sorted in the raw
    columns' own memory (``AisColumns.take_in_place``), which overwrites them: for a read nobody uses afterwards.
    """
    cols = raw.columns
    dropped: Counter = Counter()
    if raw.malformed:
        dropped[MALFORMED] = raw.malformed
    examples = dict(raw.examples)
    keep = np.ones(len(cols), dtype=bool)

    def drop(mask: np.ndarray, reason: str) -> None:
        hit = mask & keep
        count = int(hit.sum())
        if count:
            dropped[reason] += count
            keep[hit] = False

    drop(np.asarray(raw.unparseable, dtype=bool), UNPARSEABLE)
    drop(cols.mmsi == MISSING_MMSI, MISSING_ID_TIME)
    _drop_missing_times(cols, keep, drop, examples)
    # One sort of the rows left, by MMSI then time: the distinct MMSIs come from it, and the rows kept in the end
    # are taken from it in order (leaving out rows keeps the order sorted).
    order = sort_order(cols.mmsi, cols.t, keep)
    invalid = keep & (_invalid_in_order(cols.mmsi, order) if check_mmsi else cols.mmsi <= 0)
    invalid_mmsis = set_aside_invalid(cols, np.flatnonzero(invalid))
    if invalid_mmsis:
        examples.setdefault(INVALID_MMSI, _invalid_example(invalid_mmsis))
    drop(invalid, INVALID_MMSI)
    if time_window is not None:
        outside = keep & ((cols.t < time_window[0]) | (cols.t > time_window[1]))
        if outside.any():
            first = cols.t[int(np.argmax(outside))]
            examples.setdefault(TIME_OUT_OF_RANGE, f"{_utc(first)} is outside {window_text(time_window)}")
        drop(outside, TIME_OUT_OF_RANGE)
    drop(~_placed(cols.lon, cols.lat), BAD_POSITION)
    drop(np.asarray(raw.not_vessel, dtype=bool), NOT_A_VESSEL)

    if np.count_nonzero(keep) < len(order):  # rows dropped since the sort (usually none: no pass over the order)
        order = order[keep[order]]
    order, conflicts = _drop_duplicates(cols, order, dropped, examples)
    return CleanResult(
        columns=cols.take_in_place(order) if reuse else cols.take(order),
        rows_read=raw.rows_read,
        dropped=dropped,
        examples=examples,
        warnings=list(raw.warnings),
        format_name=raw.format_name,
        invalid_mmsis=invalid_mmsis,
        conflicts=conflicts,
    )


def _drop_missing_times(cols: AisColumns, keep: np.ndarray, drop, examples: dict) -> None:
    """Rows without a time: a few are missing values; most of the file means it carries no times at all, which
    deserves its own words (an NMEA log without tag blocks or receive times cannot give gaps)."""
    no_time = keep & (cols.t == MISSING_TIME)
    missing = int(no_time.sum())
    candidates = int(keep.sum())
    if not missing:
        return
    share = missing / candidates
    if share <= NO_TIMES_SHARE:
        drop(no_time, MISSING_ID_TIME)
        return
    percent = 100 if missing == candidates else min(int(share * 100), 99)
    examples.setdefault(
        NO_TIMES,
        f"the file carries no times on {percent} % of its reports ({missing:,} of {candidates:,}); NMEA needs "
        "tag blocks with c: times or trailing receive times, a table a time column",
    )
    drop(no_time, NO_TIMES)


def _placed(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each position is on the globe (NaN and the "not available" 91 / 181 are not), in one boolean array
    made in place: no float temporaries of a column's size."""
    placed = lat >= -90.0
    placed &= lat <= 90.0
    placed &= lon >= -180.0
    placed &= lon <= 180.0
    return placed


def invalid_mmsi_mask(mmsi: np.ndarray) -> np.ndarray:
    """Rows whose MMSI ``core.mid.describe_mmsi`` calls invalid (each distinct MMSI described once)."""
    if len(mmsi) == 0:
        return np.zeros(0, dtype=bool)
    ids, inverse = np.unique(mmsi, return_inverse=True)
    bad = np.array([describe_mmsi(int(m)).kind == INVALID for m in ids.tolist()], dtype=bool)
    return bad[inverse.reshape(-1)]


def _invalid_in_order(mmsi: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``invalid_mmsi_mask`` for the rows of ``order`` (which sorts them by MMSI), False elsewhere, without sorting
    again: each distinct MMSI is the first of its run in that order."""
    bad = np.zeros(len(mmsi), dtype=bool)
    if len(order) == 0:
        return bad
    ordered = np.empty(len(order), dtype=mmsi.dtype)
    take_into(mmsi, order, ordered)
    first = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    bad_id = invalid_mmsi_mask(ordered[first])
    if bad_id.any():
        runs = np.diff(np.append(first, len(order)))
        bad[order[np.repeat(bad_id, runs)]] = True  # the rows of the invalid MMSIs only: usually a few
    return bad


def set_aside_invalid(cols: AisColumns, rows: np.ndarray) -> List[InvalidMmsi]:
    """One ``InvalidMmsi`` per distinct MMSI of ``rows`` (rows that have a time), most reports first."""
    if len(rows) == 0:
        return []
    rows = rows[sort_order(cols.mmsi[rows], cols.t[rows])]
    mmsi, t = cols.mmsi[rows], cols.t[rows]
    placed = _placed(cols.lon[rows], cols.lat[rows])
    starts = np.flatnonzero(np.concatenate(([True], mmsi[1:] != mmsi[:-1])))
    ends = np.append(starts[1:], len(rows))
    out = []
    for a, b in zip(starts.tolist(), ends.tolist()):
        where = np.flatnonzero(placed[a:b])
        row = int(rows[a + where[0]]) if len(where) else None
        m = int(mmsi[a])
        out.append(
            InvalidMmsi(
                mmsi=m,
                reports=b - a,
                first_time=int(t[a]),
                last_time=int(t[b - 1]),
                lon=None if row is None else float(cols.lon[row]),
                lat=None if row is None else float(cols.lat[row]),
                description=describe_mmsi(m).description,
            )
        )
    out.sort(key=lambda x: (-x.reports, x.mmsi))
    return out


def _invalid_example(found: List[InvalidMmsi]) -> str:
    top = found[0]
    more = f"; {len(found) - 1:,} other invalid MMSIs" if len(found) > 1 else ""
    return f"MMSI {top.mmsi}: {top.reports:,} reports, {top.description.rstrip('.')}{more}"


def _drop_duplicates(cols: AisColumns, order: np.ndarray, dropped: Counter, examples: dict):
    """``order`` without repeated (MMSI, time) rows, and the conflicting ones as ``Conflicts`` (None if none).

    Each repeat is compared with the first row of its (MMSI, time), the one kept."""
    repeat = _repeats(cols.mmsi, cols.t, order)
    if not repeat.any():
        return order, None
    position = np.arange(len(order))
    first = np.maximum.accumulate(np.where(repeat, 0, position))  # the kept row of each repeat's group
    dup = np.flatnonzero(repeat)
    kept, other = order[first[dup]], order[dup]
    dist = haversine_m(cols.lon[kept], cols.lat[kept], cols.lon[other], cols.lat[other])
    far = dist > CONFLICT_M
    if (~far).any():
        dropped[DUPLICATE] += int((~far).sum())
    conflicts = None
    if far.any():
        dropped[CONFLICTING_DUPLICATE] += int(far.sum())
        k, o = kept[far], other[far]
        conflicts = Conflicts(
            mmsi=cols.mmsi[o],
            t=cols.t[o],
            lon_kept=cols.lon[k],
            lat_kept=cols.lat[k],
            lon=cols.lon[o],
            lat=cols.lat[o],
            distance_nm=dist[far] / METRES_PER_NM,
        )
        examples.setdefault(CONFLICTING_DUPLICATE, conflict_text(conflicts, int(np.argmax(conflicts.distance_nm))))
    return order[~repeat], conflicts


_REPEAT_CHUNK = 1 << 20


def _repeats(mmsi: np.ndarray, t: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Whether each row of ``order`` has the MMSI and time of the row before it; gathered a million rows at a time
    (two whole gathered columns would be 16 bytes a report), on two threads (numpy gathers without the GIL)."""
    n = len(order)
    repeat = np.zeros(n, dtype=bool)

    def part(start: int) -> None:
        rows = order[start - 1 : start + _REPEAT_CHUNK]
        m, times = mmsi[rows], t[rows]
        repeat[start : start + len(rows) - 1] = (m[1:] == m[:-1]) & (times[1:] == times[:-1])

    starts = range(1, n, _REPEAT_CHUNK)
    if len(starts) < 2:
        for start in starts:
            part(start)
        return repeat
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in pool.map(part, starts):
            pass
    return repeat


def conflict_text(c: Conflicts, i: int) -> str:
    return (
        f"MMSI {int(c.mmsi[i])} at {_utc(c.t[i])} UTC reported at {where_text(c.lon_kept[i], c.lat_kept[i])} and at "
        f"{where_text(c.lon[i], c.lat[i])}, {c.distance_nm[i]:,.1f} nm apart"
    )
