"""Cleaning: drop what cannot be a vessel position, count every dropped row by reason, sort by MMSI then time."""

from __future__ import annotations

from collections import Counter

import numpy as np

from .model import (
    BAD_POSITION,
    DUPLICATE,
    MALFORMED,
    MISSING_ID_TIME,
    MISSING_MMSI,
    MISSING_TIME,
    NOT_A_VESSEL,
    UNPARSEABLE,
    CleanResult,
    RawRead,
)


def sort_order(mmsi: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Stable order by MMSI then time (rows with equal keys keep their input order)."""
    return np.lexsort((t, mmsi))


def clean(raw: RawRead) -> CleanResult:
    """Apply the drop rules in order, each row counted under its first failing rule; sort what is kept.

    Rules: malformed rows (counted by the reader), unparseable MMSI/time/position, missing MMSI or time,
    positions outside [-90, 90] x [-180, 180] (which catches the AIS "not available" values 91 and 181),
    non-vessel report types, and exact duplicates of (MMSI, time), of which the first in the input is kept.
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
        examples=dict(raw.examples),
        warnings=list(raw.warnings),
        format_name=raw.format_name,
    )
