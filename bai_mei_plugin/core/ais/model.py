"""Columnar AIS reports: numpy arrays, one entry per report, and the bookkeeping of dropped rows."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import numpy as np

from ..errors import BaiMeiError

# Reasons a row is dropped, in the order they are checked (a row is counted once, under its first reason).
MALFORMED = "malformed row or sentence (wrong number of fields, bad checksum...)"
UNPARSEABLE = "unparseable value in MMSI, time, latitude or longitude"
MISSING_ID_TIME = "missing MMSI or time"
NO_TIMES = "no time: the file carries no times on most of its reports"
INVALID_MMSI = "invalid MMSI (0, negative, fewer than 7 digits or more than 9, or no ITU-R M.585 format)"
TIME_OUT_OF_RANGE = "time outside the plausible window"
BAD_POSITION = "position out of range or not available (lat 91 / lon 181)"
NOT_A_VESSEL = "not a vessel report (base station, AtoN, SAR aircraft...)"
DUPLICATE = "duplicate of an earlier report (same MMSI and time, within 1 nm of it)"
CONFLICTING_DUPLICATE = "conflicting duplicate (same MMSI and time as an earlier report, more than 1 nm from it)"
DROP_REASONS = (
    MALFORMED,
    UNPARSEABLE,
    MISSING_ID_TIME,
    NO_TIMES,
    INVALID_MMSI,
    TIME_OUT_OF_RANGE,
    BAD_POSITION,
    NOT_A_VESSEL,
    DUPLICATE,
    CONFLICTING_DUPLICATE,
)

MISSING_TIME = np.iinfo(np.int64).min
MISSING_MMSI = -1

NUMERIC_FIELDS = ("lon", "lat", "sog", "cog", "heading", "draught")


_TAKE_CHUNK = 1 << 20


def take_into(a: np.ndarray, index: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = a[index]`` for valid row numbers, a million rows at a time on two threads (numpy gathers without
    the GIL): numpy turns 4-byte row numbers into 8-byte ones for each call, and mode "raise" would buffer a copy of
    ``out``."""
    n = len(index)
    if n <= _TAKE_CHUNK:
        np.take(a, index, out=out, mode="clip")
        return

    def part(start: int) -> None:
        stop = min(n, start + _TAKE_CHUNK)
        np.take(a, index[start:stop], out=out[start:stop], mode="clip")

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in pool.map(part, range(0, n, _TAKE_CHUNK)):
            pass


def missing_numbers(n: int) -> np.ndarray:
    """``n`` NaNs that take no memory: a read-only view of one value, for a column the source does not have (a
    full array would cost 8 bytes a report, 40 MB at 5M reports, for nothing). Indexing it gives ordinary arrays."""
    return np.broadcast_to(np.float64(np.nan), (n,))


TEXT_FIELDS = ("vessel_name", "imo", "callsign", "vessel_type", "destination")


class TextColumn:
    """A dictionary-encoded text column: ``codes`` (int32, -1 = NULL) index into ``values`` (unique strings).

    AIS text repeats endlessly (a vessel's name on every report), so millions of rows cost a few arrays.
    """

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray, values: Sequence[str]):
        self.codes = np.asarray(codes, dtype=np.int32)
        self.values = list(values)

    @classmethod
    def empty(cls, n: int) -> TextColumn:
        return cls(np.full(n, -1, dtype=np.int32), [])

    @classmethod
    def missing(cls, n: int) -> TextColumn:
        """``n`` NULLs that take no memory (read-only codes, see ``missing_numbers``), for absent columns."""
        return cls(np.broadcast_to(np.int32(-1), (n,)), [])

    @classmethod
    def from_strings(cls, items: Iterable[Optional[str]]) -> TextColumn:
        lookup: dict = {}
        codes = []
        for item in items:
            if item is None:
                codes.append(-1)
                continue
            item = item.strip()
            if not item:
                codes.append(-1)
                continue
            code = lookup.get(item)
            if code is None:
                code = lookup[item] = len(lookup)
            codes.append(code)
        return cls(np.array(codes, dtype=np.int32), list(lookup))

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, i: int) -> Optional[str]:
        code = int(self.codes[i])
        return None if code < 0 else self.values[code]

    def take(self, index) -> TextColumn:
        return TextColumn(self.codes[index], self.values)

    def to_list(self) -> list:
        lookup = self.values
        return [None if c < 0 else lookup[c] for c in self.codes.tolist()]


@dataclass
class AisColumns:
    """AIS reports as columns. Times are int64 epoch seconds (UTC); missing numbers are NaN."""

    mmsi: np.ndarray
    t: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    sog: np.ndarray
    cog: np.ndarray
    heading: np.ndarray
    draught: np.ndarray
    vessel_name: TextColumn
    imo: TextColumn
    callsign: TextColumn
    vessel_type: TextColumn
    destination: TextColumn
    # Optional columns the source does not have (or that were not read): all missing, so not worth gathering.
    absent: frozenset = frozenset()

    @classmethod
    def build(cls, mmsi, t, lon, lat, **optional) -> AisColumns:
        """Columns from the four required arrays; optional numeric arrays and text columns default to missing."""
        n = len(mmsi)
        values = {
            "mmsi": np.asarray(mmsi, dtype=np.int64),
            "t": np.asarray(t, dtype=np.int64),
            "lon": np.asarray(lon, dtype=np.float64),
            "lat": np.asarray(lat, dtype=np.float64),
        }
        absent = set()
        for name in ("sog", "cog", "heading", "draught"):
            arr = optional.pop(name, None)
            if arr is None:
                absent.add(name)
            values[name] = missing_numbers(n) if arr is None else np.asarray(arr, dtype=np.float64)
        for name in TEXT_FIELDS:
            col = optional.pop(name, None)
            if col is None:
                absent.add(name)
                col = TextColumn.missing(n)
            elif not isinstance(col, TextColumn):
                col = TextColumn.from_strings(col)
            values[name] = col
        if optional:
            raise TypeError(f"unknown AIS columns: {sorted(optional)}")
        return cls(**values, absent=frozenset(absent))

    def __len__(self) -> int:
        return len(self.mmsi)

    def take(self, index) -> AisColumns:
        """The rows at ``index`` (an integer array or a boolean mask), in that order."""
        return self._assembled(lambda a: a[index])

    def _assembled(self, gathered) -> AisColumns:
        """Columns each made by ``gathered(array)`` from this one; absent ones stay missing (as many rows)."""
        mmsi = gathered(self.mmsi)
        n = len(mmsi)
        numeric = {
            name: missing_numbers(n) if name in self.absent else gathered(getattr(self, name))
            for name in NUMERIC_FIELDS
        }
        text = {
            name: TextColumn.missing(n)
            if name in self.absent
            else TextColumn(gathered(getattr(self, name).codes), getattr(self, name).values)
            for name in TEXT_FIELDS
        }
        return AisColumns(mmsi=mmsi, t=gathered(self.t), **numeric, **text, absent=self.absent)

    def take_in_place(self, index: np.ndarray) -> AisColumns:
        """``take(index)`` (integer rows, each once) written into the columns' own memory: no new array of a
        column's size but one scratch buffer, since touching fresh memory is what gathering millions of rows costs.
        These columns are overwritten: only for columns nobody reads again (a reader's, once cleaned). A column
        that cannot be written, or shares memory with another, is gathered into a new array as ``take`` does."""
        n = len(index)
        arrays = [self.mmsi, self.t]
        arrays += [getattr(self, name) for name in NUMERIC_FIELDS if name not in self.absent]
        arrays += [getattr(self, name).codes for name in TEXT_FIELDS if name not in self.absent]
        distinct = list({id(a): a for a in arrays}.values())
        done: dict = {}
        scratch = None
        for a in distinct:
            alone = not any(b is not a and np.may_share_memory(a, b) for b in distinct)
            if not (alone and a.ndim == 1 and a.flags.writeable and a.flags.c_contiguous and a.itemsize <= 8):
                continue
            if scratch is None:
                scratch = np.empty(n, dtype=np.int64)
            out = scratch.view(a.dtype)[:n]
            take_into(a, index, out)
            a[:n] = out
            done[id(a)] = a[:n]

        return self._assembled(lambda a: done[id(a)] if id(a) in done else a[index])


@dataclass
class RawRead:
    """What a reader produced before cleaning.

    ``unparseable`` marks rows whose MMSI, time, latitude or longitude was present but could not be read;
    ``not_vessel`` marks reports from base stations, aids to navigation and the like. ``malformed`` counts rows
    the reader could not split into fields at all. ``examples`` keeps one example per reason for messages.
    """

    columns: AisColumns
    rows_read: int
    unparseable: np.ndarray
    not_vessel: np.ndarray
    malformed: int = 0
    examples: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    format_name: str = ""


@dataclass
class CleanResult:
    """Cleaned reports sorted by MMSI then time, and the count of dropped rows by reason."""

    columns: AisColumns
    rows_read: int
    dropped: Counter
    examples: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    format_name: str = ""
    # Evidence the dropped rows still hold, for ``core.anomalies.find_anomalies(..., cleaned=...)``:
    # one ``clean.InvalidMmsi`` per distinct invalid MMSI, and the conflicting duplicates (``clean.Conflicts``).
    invalid_mmsis: list = field(default_factory=list)
    conflicts: Optional[object] = None

    @property
    def rows_kept(self) -> int:
        return len(self.columns)

    @property
    def rows_dropped(self) -> int:
        return sum(self.dropped.values())

    def require_reports(self, source: str) -> CleanResult:
        """Itself, or a BaiMeiError saying why nothing was kept (an empty result helps no one)."""
        if self.rows_kept == 0:
            reasons = "; ".join(line.strip() for line in self.summary_lines()[1:])
            raise BaiMeiError(
                f"No usable AIS reports in {source}: {self.rows_read:,} rows read, all dropped"
                + (f" ({reasons})." if reasons else ".")
            )
        return self

    def summary_lines(self) -> list:
        """Plain-language lines: rows read, kept, and each reason rows were dropped for."""
        lines = [f"{self.rows_read:,} rows read, {self.rows_kept:,} kept, {self.rows_dropped:,} dropped."]
        for reason in DROP_REASONS:
            count = self.dropped.get(reason, 0)
            if count:
                example = self.examples.get(reason)
                lines.append(f"  dropped {count:,}: {reason}" + (f" (e.g. {example})" if example else ""))
        lines.extend(self.warnings)
        return lines
