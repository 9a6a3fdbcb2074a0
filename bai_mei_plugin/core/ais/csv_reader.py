"""Reading AIS CSV files into columns.

Two backends produce identical results: pyarrow's multi-threaded CSV reader when pyarrow is installed (fast; used for
archives of millions of rows), and the standard library's ``csv`` module otherwise (QGIS installs without pyarrow).
"""

from __future__ import annotations

import csv
from typing import Callable, Dict, List, Optional

import numpy as np

from ..errors import BaiMeiError, Canceled
from .columns import NULL_TOKENS, apply_not_available, example, finite, mmsi_from_numbers, not_vessel_mask, text_column
from .formats import OPTIONAL, REQUIRED, Detection, printable
from .model import (
    MALFORMED,
    MISSING_MMSI,
    MISSING_TIME,
    UNPARSEABLE,
    AisColumns,
    RawRead,
    TextColumn,
    missing_numbers,
)
from .source import STREAM_ERRORS, SourceInfo, damaged, inspect, open_utf8
from .timeparse import all_times_failed, parse_unique

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


def read_csv(
    path: str,
    detection: Detection,
    progress: Progress = None,
    is_canceled: IsCanceled = None,
    backend: Optional[str] = None,
    info: Optional[SourceInfo] = None,
) -> RawRead:
    """Read an AIS CSV described by ``detection``; ``backend``: "arrow", "numpy", "stdlib" or None (the fastest)."""
    info = info or inspect(path)
    if info.size == 0:
        raise BaiMeiError(f"The AIS file {path} is empty.")
    if backend is None:
        backend = "arrow" if have_pyarrow() else "numpy"
    try:
        if backend == "arrow":
            from .csv_arrow import read_with_arrow

            parts = read_with_arrow(info, detection, progress, is_canceled)
        elif backend == "numpy":
            from .csv_numpy import read_with_numpy

            parts = read_with_numpy(info, detection, progress, is_canceled)
        else:
            parts = read_with_stdlib(info, detection, progress, is_canceled)
    except BaiMeiError:
        raise
    except STREAM_ERRORS as exc:
        raise damaged(info, exc) from exc
    if parts.rows_read == 0:
        raise BaiMeiError(f"The AIS file {path} has a header but no data rows.")
    if parts.time_failure:
        column, row, value, count = parts.time_failure
        raise all_times_failed(info.name, column, detection.mapping.time_format, row, value, count)
    return parts.to_raw(detection)


class ColumnParts:
    """What a backend hands over: typed arrays, text columns and the masks of unparseable values."""

    def __init__(self, rows_read: int, filled: bool = True):
        """``filled``: MMSI and time start as missing values, for a backend that writes them row by row; a backend
        that hands over whole columns passes False (two columns of 8 bytes a report, written for nothing)."""
        self.rows_read = rows_read
        self.mmsi = np.full(rows_read, MISSING_MMSI, dtype=np.int64) if filled else None
        self.t = np.full(rows_read, MISSING_TIME, dtype=np.int64) if filled else None
        self.numeric: Dict[str, np.ndarray] = {}
        self.text: Dict[str, TextColumn] = {}
        self.unparseable = np.zeros(rows_read, dtype=bool)
        self.malformed = 0
        self.examples: Dict[str, str] = {}
        self.bad_optional: Dict[str, int] = {}
        self.bad_utf8 = 0
        self.notes: List[str] = []  # how the file was read, when that is worth a line in the log
        self.time_failure: Optional[tuple] = None  # (column, row, value, count) when no time at all was read

    def check_times(self, source: str, present: np.ndarray, parsed: np.ndarray, raw_value_at) -> None:
        """Note when times are present but none parsed: the format is wrong, not the rows (read_csv says so)."""
        if present.any() and not (present & parsed).any():
            first = int(np.argmax(present))
            self.time_failure = (source, first + 1, raw_value_at(first), int(present.sum()))

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
        numeric = {
            name: apply_not_available(name, self.numeric[name]) if name in self.numeric else missing_numbers(n)
            for name in NUMERIC
        }
        text = [name for name in TEXT if name != "mobile_type"]
        read = set(self.numeric) | set(self.text) | set(REQUIRED)
        columns = AisColumns(
            mmsi=self.mmsi,
            t=self.t,
            **numeric,
            **{name: self.text[name] if name in self.text else TextColumn.missing(n) for name in text},
            absent=frozenset(name for name in NUMERIC + tuple(text) if name not in read),
        )
        not_vessel = not_vessel_mask(self.text.get("mobile_type"))
        warnings: List[str] = list(self.notes)
        for source, count in self.bad_optional.items():
            warnings.append(f"  {count:,} unreadable values in column {source} were set to NULL (rows kept).")
        if self.bad_utf8:
            warnings.append(
                f"  {self.bad_utf8:,} distinct text values were not valid UTF-8; their bad bytes are shown as \ufffd."
            )
        return RawRead(
            columns=columns,
            rows_read=n + self.malformed,
            unparseable=self.unparseable,
            not_vessel=not_vessel if not_vessel is not None else np.zeros(n, dtype=bool),
            malformed=self.malformed,
            examples=self.examples,
            warnings=warnings,
            format_name=detection.format.name,
        )


def _lines(handle, fraction: Callable[[], float], progress: Progress, is_canceled: IsCanceled):
    """Decoded lines of a binary file, checking for cancellation and reporting progress as it goes."""
    for number, line in enumerate(handle):
        if number % 20000 == 0:
            if is_canceled and is_canceled():
                raise Canceled()
            if progress:
                progress(fraction())
        yield line.decode("utf-8", errors="surrogateescape")


def read_with_stdlib(
    info: SourceInfo, detection: Detection, progress: Progress, is_canceled: IsCanceled
) -> ColumnParts:
    mapping = detection.mapping
    wanted = {name: mapping.get(name) for name in REQUIRED + OPTIONAL + ("mobile_type",) if mapping.get(name)}
    with open_utf8(info) as opened:
        reader = csv.reader(
            _lines(opened.stream, opened.fraction, progress, is_canceled), delimiter=detection.delimiter
        )
        header = [h.strip() for h in next(reader, [])]
        index = {name: header.index(source) for name, source in wanted.items()}
        values: Dict[str, List[str]] = {name: [] for name in wanted}
        malformed = 0
        malformed_example = None
        stopped = None
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    malformed += 1
                    if malformed_example is None:
                        malformed_example = (
                            f"line {reader.line_num:,} {printable(','.join(row), 80)!r} has "
                            f"{len(row)} fields where the header has {len(header)}"
                        )
                    continue
                for name, i in index.items():
                    values[name].append(row[i])
        except csv.Error as exc:
            failed, complaint = reader.line_num, str(exc)
        except STREAM_ERRORS as exc:  # a truncated or corrupt compressed file: say how far it got
            stopped = (exc, len(values[REQUIRED[0]]), reader.line_num)
            failed = 0
        else:
            failed = 0
    if failed:  # raised here, with the file closed and no csv.Error attached
        raise field_error(info, failed, complaint, detection.delimiter)
    if stopped:
        raise damaged(info, *stopped)
    n = len(values[REQUIRED[0]])
    parts = ColumnParts(n)
    parts.malformed = malformed
    if malformed_example:
        parts.examples[MALFORMED] = malformed_example
    nulls = set(NULL_TOKENS)
    for name, raw in values.items():
        source = wanted[name]
        raw = [v.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if not v.isascii() else v for v in raw]
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
            parts.check_times(source, present, parsed, raw.__getitem__)
        else:
            arr = _floats(raw, present, detection.decimal_comma)
            if name == "mmsi":
                parts.mmsi, parsed = mmsi_from_numbers(arr, ~np.isnan(arr))
            else:
                parts.numeric[name], parsed = finite(arr, ~np.isnan(arr))
        parts.mark_bad(name, source, present & ~parsed, raw.__getitem__)
    return parts


def _floats(raw: List[str], present: np.ndarray, decimal_comma: bool = False) -> np.ndarray:
    """float() of each present value, NaN where it fails; text that columns.NUMBER_PATTERN refuses but float()
    reads (non-ASCII digits, "1_000") is refused too, checked value by value only in a column that has any.
    ``decimal_comma``: "37,5" is 37.5 (a ";"-separated file from a spreadsheet in a comma locale)."""
    if decimal_comma:
        raw = [v.replace(",", ".", 1) for v in raw]
    joined = "".join(raw)
    strict = not joined.isascii() or "_" in joined
    nan = float("nan")
    out = []
    for v, keep in zip(raw, present.tolist()):  # a Python list of bools: much faster to walk than a numpy array
        if keep and not (strict and (not v.isascii() or "_" in v)):
            try:
                out.append(float(v))
                continue
            except ValueError:
                pass
        out.append(nan)
    return np.array(out, dtype=np.float64)


def _row_start(info: SourceInfo, failed: int, delimiter: str = ",") -> int:
    """The line where the row that failed on line ``failed`` began: the file read again up to there (an error
    path, so the main loop need not track row starts)."""
    start = 1
    with open_utf8(info) as opened:
        lines = (line.decode("utf-8", errors="surrogateescape") for line in opened.stream)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            for _row in reader:
                if reader.line_num >= failed:
                    break
                start = reader.line_num + 1
        except csv.Error:
            pass
    return start


def field_error(info: SourceInfo, failed: int, complaint: str, delimiter: str = ",") -> BaiMeiError:
    """The csv module's complaint (most often a field over its 128 KiB limit) as a message naming the line the row
    starts on."""
    start = _row_start(info, failed, delimiter)
    if "field larger than field limit" not in complaint:
        return BaiMeiError(
            f"Line {start:,} of {info.name} is not valid CSV ({complaint}): fix or remove that line ({info.path}).",
            complaint,
        )
    span = f"line {start:,}" + (f" (read on to line {failed:,})" if failed > start else "")
    return BaiMeiError(
        f"The row at {span} of {info.name} holds a field longer than {csv.field_size_limit() // 1024:,} KiB where "
        'AIS fields are a few dozen characters: most often a quote (") opened and never closed, which runs the '
        f"rest of the file into one field. Fix or remove that line ({info.path}).",
        f"csv field limit at line {failed}",
    )
