"""Reading AIS CSV files into columns.

Two backends produce identical results: pyarrow's multi-threaded CSV reader when pyarrow is installed (fast; used for
archives of millions of rows), and the standard library's ``csv`` module otherwise (QGIS installs without pyarrow).
"""

from __future__ import annotations

import csv
import os
from typing import Callable, Dict, List, Optional

import numpy as np

from ..errors import BaiMeiError, Canceled
from .columns import NULL_TOKENS, apply_not_available, example, not_vessel_mask, text_column
from .formats import OPTIONAL, REQUIRED, Detection
from .model import MALFORMED, MISSING_MMSI, MISSING_TIME, UNPARSEABLE, AisColumns, RawRead, TextColumn
from .timeparse import parse_unique

Progress = Optional[Callable[[float], None]]
IsCanceled = Optional[Callable[[], bool]]

NUMERIC = ("lat", "lon", "sog", "cog", "heading", "draught")
TEXT = ("vessel_name", "imo", "callsign", "vessel_type", "destination", "mobile_type")


def have_pyarrow() -> bool:
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def read_csv(path: str, detection: Detection, progress: Progress = None, is_canceled: IsCanceled = None,
             backend: Optional[str] = None) -> RawRead:
    """Read an AIS CSV described by ``detection``; ``backend`` is "arrow", "stdlib" or None (the fastest present)."""
    if os.path.getsize(path) == 0:
        raise BaiMeiError(f"The AIS file {path} is empty.")
    if backend is None:
        backend = "arrow" if have_pyarrow() else "stdlib"
    if backend == "arrow":
        from .csv_arrow import read_with_arrow

        parts = read_with_arrow(path, detection, progress, is_canceled)
    else:
        parts = read_with_stdlib(path, detection, progress, is_canceled)
    if parts.rows_read == 0:
        raise BaiMeiError(f"The AIS file {path} has a header but no data rows.")
    return parts.to_raw(detection)


class ColumnParts:
    """What a backend hands over: typed arrays, text columns and the masks of unparseable values."""

    def __init__(self, rows_read: int):
        self.rows_read = rows_read
        self.mmsi = np.full(rows_read, MISSING_MMSI, dtype=np.int64)
        self.t = np.full(rows_read, MISSING_TIME, dtype=np.int64)
        self.numeric: Dict[str, np.ndarray] = {}
        self.text: Dict[str, TextColumn] = {}
        self.unparseable = np.zeros(rows_read, dtype=bool)
        self.malformed = 0
        self.examples: Dict[str, str] = {}
        self.bad_optional: Dict[str, int] = {}
        self.bad_utf8 = 0

    def mark_bad(self, name: str, source: str, bad: np.ndarray, raw_value_at: Callable[[int], object]) -> None:
        """Record unparseable values of column ``name``: required ones drop the row, optional ones become NULL."""
        count = int(bad.sum())
        if not count:
            return
        first = int(np.argmax(bad))
        if name in REQUIRED:
            self.unparseable |= bad
            self.examples.setdefault(UNPARSEABLE, example(first + 1, source, raw_value_at(first)))
        else:
            self.bad_optional[source] = self.bad_optional.get(source, 0) + count

    def to_raw(self, detection: Detection) -> RawRead:
        n = self.rows_read
        numeric = {name: apply_not_available(name, self.numeric.get(name, np.full(n, np.nan))) for name in NUMERIC}
        text = [name for name in TEXT if name != "mobile_type"]
        read = set(self.numeric) | set(self.text) | set(REQUIRED)
        columns = AisColumns(
            mmsi=self.mmsi, t=self.t, **numeric, **{name: self.text.get(name, TextColumn.empty(n)) for name in text},
            absent=frozenset(name for name in NUMERIC + tuple(text) if name not in read),
        )
        not_vessel = not_vessel_mask(self.text.get("mobile_type"))
        warnings: List[str] = []
        for source, count in self.bad_optional.items():
            warnings.append(f"  {count:,} unreadable values in column {source} were set to NULL (rows kept).")
        if self.bad_utf8:
            warnings.append(f"  {self.bad_utf8:,} distinct text values were not valid UTF-8; "
                            "their bad bytes are shown as \ufffd.")
        return RawRead(
            columns=columns, rows_read=n + self.malformed, unparseable=self.unparseable,
            not_vessel=not_vessel if not_vessel is not None else np.zeros(n, dtype=bool),
            malformed=self.malformed, examples=self.examples, warnings=warnings,
            format_name=detection.format.name,
        )


def _lines(handle, size: int, progress: Progress, is_canceled: IsCanceled):
    """Decoded lines of a binary file, checking for cancellation and reporting progress as it goes."""
    done = 0
    for number, line in enumerate(handle):
        done += len(line)
        if number % 20000 == 0:
            if is_canceled and is_canceled():
                raise Canceled()
            if progress and size:
                progress(done / size)
        yield line.decode("utf-8", errors="surrogateescape")


def read_with_stdlib(path: str, detection: Detection, progress: Progress, is_canceled: IsCanceled) -> ColumnParts:
    mapping = detection.mapping
    wanted = {name: mapping.get(name) for name in REQUIRED + OPTIONAL + ("mobile_type",) if mapping.get(name)}
    with open(path, "rb") as handle:
        first = handle.read(3)
        if first != b"\xef\xbb\xbf":
            handle.seek(0)
        reader = csv.reader(_lines(handle, os.path.getsize(path), progress, is_canceled))
        header = [h.strip() for h in next(reader, [])]
        index = {name: header.index(source) for name, source in wanted.items()}
        values: Dict[str, List[str]] = {name: [] for name in wanted}
        malformed = 0
        malformed_example = None
        line_number = 1
        for row in reader:
            line_number += 1
            if not row:
                continue
            if len(row) != len(header):
                malformed += 1
                if malformed_example is None:
                    malformed_example = (f"line {line_number:,} {','.join(row)[:80]!r} has {len(row)} fields where "
                                         f"the header has {len(header)}")
                continue
            for name, i in index.items():
                values[name].append(row[i])
    n = len(values[REQUIRED[0]])
    parts = ColumnParts(n)
    parts.malformed = malformed
    if malformed_example:
        parts.examples[MALFORMED] = malformed_example
    nulls = set(NULL_TOKENS)
    for name, raw in values.items():
        source = wanted[name]
        raw = [v.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if not v.isascii() else v
               for v in raw]
        present = np.array([v.strip() not in nulls for v in raw], dtype=bool)
        if name in TEXT:
            unique: Dict[str, int] = {}
            codes = np.array([unique.setdefault(v, len(unique)) for v in raw], dtype=np.int64)
            parts.text[name], bad = text_column(codes, list(unique))
            parts.bad_utf8 += bad
            continue
        if name == "time":
            unique = {}
            codes = np.array([unique.setdefault(v.strip(), len(unique)) for v in raw], dtype=np.int64)
            parts.t = parse_unique(list(unique), mapping.time_format)[codes]
            parsed = parts.t != MISSING_TIME
        else:
            arr = np.full(n, np.nan)
            for i, v in enumerate(raw):
                if present[i]:
                    try:
                        arr[i] = float(v)
                    except ValueError:
                        pass
            parsed = ~np.isnan(arr)
            if name == "mmsi":
                whole = parsed & (arr == np.floor(arr))
                parts.mmsi = np.where(whole, arr, MISSING_MMSI).astype(np.int64)
                parsed = whole
            else:
                parts.numeric[name] = arr
        parts.mark_bad(name, source, present & ~parsed, raw.__getitem__)
    return parts
