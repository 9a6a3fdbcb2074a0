"""Cleaning: drop what cannot be a vessel position, count every dropped row by reason, sort by MMSI then time."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Optional, Tuple

import numpy as np

from .model import (
    BAD_POSITION,
    DUPLICATE,
    MALFORMED,
    MISSING_ID_TIME,
    MISSING_MMSI,
    MISSING_TIME,
    NOT_A_VESSEL,
    TIME_OUT_OF_RANGE,
    UNPARSEABLE,
    CleanResult,
    RawRead,
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


def sort_order(mmsi: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Stable order by MMSI then time (rows with equal keys keep their input order)."""
    return np.lexsort((t, mmsi))


def clean(raw: RawRead, time_window: Optional[Tuple[int, int]] = None) -> CleanResult:
    """Apply the drop rules in order, each row counted under its first failing rule; sort what is kept.

    Rules: malformed rows (counted by the reader), unparseable MMSI/time/position, missing MMSI or time (or an MMSI
    of zero or below), a time outside ``time_window`` (earliest, latest epoch seconds; None: no window; readers pass
    ``default_time_window()``), positions outside [-90, 90] x [-180, 180] (which catches the AIS "not available"
    values 91 and 181), non-vessel report types, and exact duplicates of (MMSI, time), of which the first in the
    input is kept.
    """
    cols = raw.columns
    dropped: Counter = Counter()
    if raw.malformed:
        dropped[MALFORMED] = raw.malformed

    keep = np.ones(len(cols), dtype=bool)

    def drop(mask: np.ndarray, reason: str) -> None:
        hit = mask & keep
        count = int(hit.sum())
        if count:
            dropped[reason] += count
            keep[hit] = False

    drop(np.asarray(raw.unparseable, dtype=bool), UNPARSEABLE)
    drop((cols.mmsi == MISSING_MMSI) | (cols.mmsi <= 0) | (cols.t == MISSING_TIME), MISSING_ID_TIME)
    examples = dict(raw.examples)
    if time_window is not None:
        outside = keep & ((cols.t < time_window[0]) | (cols.t > time_window[1]))
        if outside.any():
            first = cols.t[int(np.argmax(outside))]
            examples.setdefault(TIME_OUT_OF_RANGE, f"{_utc(first)} is outside {window_text(time_window)}")
        drop(outside, TIME_OUT_OF_RANGE)
    with np.errstate(invalid="ignore"):
        bad_position = ~((np.abs(cols.lat) <= 90.0) & (np.abs(cols.lon) <= 180.0))
    drop(bad_position, BAD_POSITION)
    drop(np.asarray(raw.not_vessel, dtype=bool), NOT_A_VESSEL)

    kept_index = np.flatnonzero(keep)
    order = kept_index[sort_order(cols.mmsi[kept_index], cols.t[kept_index])]
    mmsi_sorted = cols.mmsi[order]
    t_sorted = cols.t[order]
    duplicate = np.zeros(len(order), dtype=bool)
    if len(order) > 1:
        duplicate[1:] = (mmsi_sorted[1:] == mmsi_sorted[:-1]) & (t_sorted[1:] == t_sorted[:-1])
    n_dup = int(duplicate.sum())
    if n_dup:
        dropped[DUPLICATE] = n_dup
        order = order[~duplicate]

    return CleanResult(
        columns=cols.take(order),
        rows_read=raw.rows_read,
        dropped=dropped,
        examples=examples,
        warnings=list(raw.warnings),
        format_name=raw.format_name,
    )
