"""The numpy backend of the CSV reader: for QGIS installs without pyarrow (numpy is in every QGIS).

A plain file is read in blocks of whole lines; two threads split each block into rows and columns with numpy (line
breaks and delimiters found by byte comparisons, each wanted column gathered into a numpy byte array) and convert the
values by the rules of the standard library reader: vectorised where a value is plainly a decimal number or an ISO
time, value by value (once per distinct value) elsewhere, so both backends give the same columns, drop counts and
row-numbered examples. numpy releases the GIL in these operations, so the two threads use both cores.

This splitting is right only when every line break ends a row and every delimiter ends a field: a block with quotes,
NUL bytes, blank lines, lone carriage returns or a row with the wrong number of fields - or a compressed file - is
read by the standard library reader instead, which counts and names the odd rows. A note in the summary says so.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..errors import Canceled
from .columns import NULL_TOKENS, finite, mmsi_from_numbers, text_column
from .csv_reader import TEXT, ColumnParts, read_with_stdlib
from .formats import OPTIONAL, REQUIRED, TIME_ISO, TIME_UNIX, TIME_UNIX_MS, Detection
from .model import MISSING_TIME
from .source import SourceInfo
from .timeparse import UNIX_LIMIT, parse_unique

BLOCK_BYTES = 16 << 20  # a block of lines: big enough that numpy's per-call costs vanish, small enough to stay cheap
SLACK = 64 << 10  # room after a block for the rest of its last line (a longer rest costs a copy of the block)
PAD = 64  # zero bytes after a block's text: values up to this long are gathered without a copy of the block
THREADS = 2
MAX_VALUE_BYTES = 1024  # AIS values are short; a file with a longer one goes to the standard library reader
_NULLS = frozenset(NULL_TOKENS)
# Bytes of a value that is plainly a decimal number (NUL pads the shorter values of a numpy byte array).
_NUMBER_BYTES = np.zeros(256, dtype=bool)
_NUMBER_BYTES[list(b"0123456789.+-eE\0")] = True
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
# Decimal numbers of up to this many digits are exact integers in a double, and so is every power of ten up to 1e22:
# their quotient is the correctly rounded value of the decimal, the same double float() gives.
_EXACT_DIGITS = 15
_POWERS_OF_TEN = 10.0 ** np.arange(23)


class UseStdlibError(Exception):
    """This file is read by the standard library reader instead (the message says why, for the summary)."""


def read_with_numpy(info: SourceInfo, detection: Detection, progress, is_canceled) -> ColumnParts:
    try:
        parts = _read(info, detection, progress, is_canceled)
    except UseStdlibError as exc:
        reason = str(exc)
        parts = None
    if parts is None:  # outside the handler, so whatever the read held is freed first
        parts = read_with_stdlib(info, detection, progress, is_canceled)
        parts.notes.append(f"  {info.name} {reason}: read with the standard library reader.")
    return parts


# --- splitting blocks of lines into columns ----------------------------------------------------------------------


def _wanted(detection: Detection) -> Tuple[Dict[str, int], int]:
    """({Bai Mei column: its index in the file}, number of fields a row has)."""
    header = [h.strip() for h in detection.header]
    mapping = detection.mapping
    names = [name for name in REQUIRED + OPTIONAL + ("mobile_type",) if mapping.get(name)]
    return {name: header.index(mapping.get(name)) for name in names}, len(header)


def _lines(info: SourceInfo):
    """(blocks of whole data lines, the file position after each). A block is a numpy byte array whose text ends
    with a line break and is followed by PAD zero bytes (read straight into it: no copy of the block is made)."""
    with open(info.path, "rb") as handle:
        handle.seek(info.bom)
        handle.readline()  # the header
        while True:
            data = np.empty(BLOCK_BYTES + SLACK + PAD, dtype=np.uint8)
            size = handle.readinto(memoryview(data)[:BLOCK_BYTES])
            if not size:
                return
            rest = handle.readline()  # the rest of the block's last line
            if not (rest or data[size - 1] == 10):
                rest = b"\n"  # the file's last line, without its line break
            elif rest and not rest.endswith(b"\n"):
                rest += b"\n"
            if len(rest) > SLACK:
                data = np.concatenate([data[:size], np.frombuffer(rest, dtype=np.uint8), np.empty(PAD, np.uint8)])
            else:
                data[size : size + len(rest)] = np.frombuffer(rest, dtype=np.uint8)
            size += len(rest)
            data[size : size + PAD] = 0
            yield data[: size + PAD], size, handle.tell()


def _check(data: np.ndarray) -> None:
    """UseStdlibError when the csv module would split this block's rows otherwise than by its line breaks and
    delimiters (blank lines are found by _split)."""
    for byte, why in ((34, "has quoted values"), (0, "holds NUL bytes")):
        if (data == byte).any():
            raise UseStdlibError(why)
    returns = np.flatnonzero(data == 13)
    if len(returns) and (data[returns + 1] != 10).any():
        raise UseStdlibError("has carriage returns inside lines")


def _split(padded: np.ndarray, size: int, wanted: Dict[str, int], fields: int, delimiter: int):
    """({Bai Mei column: numpy byte array of its values}, rows) of one block of whole lines: ``padded[:size]``,
    followed by PAD zero bytes."""
    data = padded[:size]
    _check(data)
    ends = np.flatnonzero(data == 10)
    rows = len(ends)
    starts = np.empty(rows, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    ends -= data[ends - 1] == 13  # _check let "\r" through only as "\r\n": a line's end
    if (ends == starts).any():
        raise UseStdlibError("has blank lines")
    inner = fields - 1
    if inner:
        seps = np.flatnonzero(data == delimiter)
        # Each row has exactly `inner` delimiters when there are that many per row in all, and each row's share
        # (the next `inner` of them, in order) lies inside it.
        if len(seps) != rows * inner:
            raise UseStdlibError("has rows with more or fewer fields than its header")
        seps = seps.reshape(rows, inner)
        if (seps[:, 0] < starts).any() or (seps[:, -1] >= ends).any():
            raise UseStdlibError("has rows with more or fewer fields than its header")
    # A sliding window over the block: each value is one row of it (a copy of its bytes), NUL-padded past its end.
    out = {}
    for name, j in wanted.items():
        begin = starts if j == 0 else seps[:, j - 1] + 1
        end = ends if j == inner else seps[:, j]
        lengths = end - begin
        width = max(1, int(lengths.max()))
        if width > MAX_VALUE_BYTES:  # every value of the column is gathered at this width: not for a freak one
            raise UseStdlibError(f"has values of more than {MAX_VALUE_BYTES:,} bytes")
        if width > len(padded) - size:
            padded = np.concatenate([data, np.zeros(width, dtype=np.uint8)])
        window = np.lib.stride_tricks.sliding_window_view(padded, width)
        values = window[begin]
        values *= np.arange(width, dtype=np.int32) < lengths[:, None]
        out[name] = values.view(f"S{width}").ravel()
    return out, rows


class _Columns:
    """The read's columns, written block by block into their final arrays (each thread its own block's rows, so
    nothing is copied again at the end). The arrays are sized from the first block and grown when the file has
    more rows than that guessed."""

    def __init__(self, names: List[str], capacity: int):
        self.capacity = capacity
        self.arrays = {name: np.empty(capacity, dtype=_DTYPES.get(name, np.float64)) for name in names}

    def grow(self, rows: int, filled: int) -> None:
        """Room for ``rows`` rows; the first ``filled`` are kept. Only while no block is being written."""
        self.capacity = max(rows, int(self.capacity * 1.25))
        for name, old in self.arrays.items():
            new = np.empty(self.capacity, dtype=old.dtype)
            new[:filled] = old[:filled]
            self.arrays[name] = new


_DTYPES = {"mmsi": np.int64, "time": np.int64, **{name: np.int32 for name in TEXT}}


class _Block:
    """What a block tells the read besides its values: per column the block's unreadable rows (with the first
    one's text), its distinct texts, and for the time column whether any was present and whether any was read."""

    def __init__(self, first: int, rows: int):
        self.first, self.rows = first, rows
        self.bad: Dict[str, Tuple[np.ndarray, object]] = {}  # name: (rows in the block, text of the first)
        self.texts: Dict[str, list] = {}
        self.times_present = 0
        self.times_read = False
        self.first_time: Optional[tuple] = None  # (row in the block, text) of its first time, when none was read


def _read(info: SourceInfo, detection: Detection, progress, is_canceled) -> ColumnParts:
    """The file's ColumnParts; UseStdlibError when it needs the csv module's rules. Two threads split and convert
    blocks while this one reads the next and joins those done, in file order."""
    if not info.plain:
        raise UseStdlibError("is compressed or not UTF-8")
    wanted, fields = _wanted(detection)
    delimiter = detection.delimiter.encode()
    if len(delimiter) != 1:
        raise UseStdlibError("has a delimiter of more than one byte")
    columns: Optional[_Columns] = None
    joined = _Joined(detection, wanted)
    pending: list = []
    rows = 0
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        try:
            for block, size, position in _lines(info):
                count = int(np.count_nonzero(block[:size] == 10))
                if columns is None:
                    columns = _Columns(list(wanted), int(count * info.size / max(position, 1) * 1.02) + count)
                elif rows + count > columns.capacity:
                    while pending:  # nothing may write into the arrays while they move
                        joined.add(pending.pop(0), columns, info, progress, is_canceled)
                    columns.grow(rows + count, rows)
                job = _Block(rows, count)
                pending.append(
                    (pool.submit(_work, block, size, job, columns, wanted, fields, delimiter[0], detection), position)
                )
                rows += count
                del block
                while len(pending) > THREADS:  # a bounded read-ahead: memory stays a few blocks
                    joined.add(pending.pop(0), columns, info, progress, is_canceled)
            while pending:
                joined.add(pending.pop(0), columns, info, progress, is_canceled)
        except BaseException:
            for future, _ in pending:
                future.cancel()
            raise
    return joined.parts(columns, rows)


def _work(
    block: np.ndarray, size: int, job: _Block, columns: _Columns, wanted, fields: int, delimiter: int, detection
) -> _Block:
    """Split one block and write its converted values into the columns at its rows (in a worker thread)."""
    values, rows = _split(block, size, wanted, fields, delimiter)  # rows == job.rows: both count the block's line ends
    at = slice(job.first, job.first + rows)
    for name, raw in values.items():
        out = columns.arrays[name]
        if name in TEXT:
            codes, job.texts[name] = _text_block(raw)
            out[at] = codes
            continue
        if name == "time":
            t, present = _times(raw, detection.mapping.time_format)
            out[at] = t
            parsed = t != MISSING_TIME
            job.times_present = int(present.sum())
            job.times_read = bool((present & parsed).any())
            if job.times_present and not job.times_read:
                first = int(np.argmax(present))
                job.first_time = (first, raw[first])
        else:
            numbers, present = _numbers(raw, detection.decimal_comma)
            if name == "mmsi":
                out[at], parsed = mmsi_from_numbers(numbers, ~np.isnan(numbers))
            else:
                out[at], parsed = finite(numbers, ~np.isnan(numbers))
        bad = np.flatnonzero(present & ~parsed)
        if len(bad):
            job.bad[name] = (bad, raw[bad[0]])
    return job


class _Joined:
    """What the blocks tell, gathered in file order: the text values merged in order of first appearance (each
    block's codes renumbered in place), the unreadable rows of each column and the first of them, the time checks."""

    def __init__(self, detection: Detection, wanted: Dict[str, int]):
        self.detection = detection
        self.codes_of: Dict[str, Dict[str, int]] = {name: {} for name in wanted if name in TEXT}
        self.bad: Dict[str, list] = {name: [] for name in wanted if name not in TEXT}
        self.first_bad: Dict[str, Tuple[int, object]] = {}
        self.times_present = 0
        self.times_read = False
        self.first_time: Optional[Tuple[int, object]] = None

    def add(self, item, columns: _Columns, info: SourceInfo, progress, is_canceled) -> None:
        future, position = item
        job: _Block = future.result()
        at = slice(job.first, job.first + job.rows)
        for name, values in job.texts.items():
            codes_of = self.codes_of[name]
            remap = np.array([codes_of.setdefault(v, len(codes_of)) for v in values], dtype=np.int32)
            if len(remap):
                codes = columns.arrays[name][at]
                codes[:] = remap[codes]
        for name, (rows, value) in job.bad.items():
            self.bad[name].append(rows + job.first)
            self.first_bad.setdefault(name, (job.first + int(rows[0]), value))
        self.times_present += job.times_present
        self.times_read |= job.times_read
        if job.first_time is not None and self.first_time is None:
            self.first_time = (job.first + job.first_time[0], job.first_time[1])
        if is_canceled and is_canceled():
            raise Canceled()
        if progress:
            progress(min(1.0, position / max(info.size, 1)))

    def parts(self, columns: Optional[_Columns], rows: int) -> ColumnParts:
        parts = ColumnParts(rows, filled=False)
        mapping = self.detection.mapping
        for name in self.codes_of:
            codes = columns.arrays[name][:rows] if columns else np.zeros(0, dtype=np.int32)
            parts.text[name], bad = text_column(codes, list(self.codes_of[name]))
            parts.bad_utf8 += bad
        for name, bad_rows in self.bad.items():
            values = columns.arrays[name][:rows] if columns else np.zeros(0, dtype=_DTYPES.get(name, np.float64))
            if name == "mmsi":
                parts.mmsi = values
            elif name == "time":
                parts.t = values
            else:
                parts.numeric[name] = values
            source = mapping.get(name)
            if name == "time" and self.times_present and not self.times_read:
                first, value = self.first_time
                parts.time_failure = (source, first + 1, value, self.times_present)
            if bad_rows:
                bad = np.zeros(rows, dtype=bool)
                bad[np.concatenate(bad_rows)] = True
                first, value = self.first_bad[name]
                parts.mark_bad(name, source, bad, lambda i, first=first, value=value: value)
        return parts


def _byte_matrix(raw: np.ndarray) -> np.ndarray:
    return raw.view(np.uint8).reshape(len(raw), raw.dtype.itemsize)


def _plain_numbers(raw: np.ndarray) -> np.ndarray:
    """Rows whose value is made of digits, signs, points and exponents only (no blank, no space)."""
    if raw.dtype.itemsize == 0 or not len(raw):
        return np.zeros(len(raw), dtype=bool)
    matrix = _byte_matrix(raw)
    return _NUMBER_BYTES[matrix].all(axis=1) & (matrix[:, 0] != 0)


def _decimals(raw: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(values, rows done) for the values that are a sign, digits and at most one point, with at least one and at
    most _EXACT_DIGITS digits: the digits read as one integer and divided by a power of ten, which is exact
    (Clinger's fast path) - the double float() gives. The other rows are left to numpy's or Python's parser."""
    n, width = len(raw), raw.dtype.itemsize
    values = np.zeros(n, dtype=np.float64)
    if not n or width == 0:
        return values, np.zeros(n, dtype=bool)
    m = np.ascontiguousarray(_byte_matrix(raw).T)  # a row per byte position: each step below is contiguous
    digit = m - np.uint8(48)
    is_digit = digit <= 9  # uint8: bytes below "0" wrap round to large values
    is_point = m == 46
    negative = m[0] == 45
    other = ~(is_digit | is_point | (m == 0))
    other[0] &= ~(negative | (m[0] == 43))
    digits = is_digit.sum(axis=0)
    done = ~other.any(axis=0) & (is_point.sum(axis=0) <= 1) & (digits >= 1) & (digits <= _EXACT_DIGITS)
    done &= m[0] != 0
    mantissa = np.zeros(n, dtype=np.int64)
    for j in range(width):
        np.multiply(mantissa, 10, out=mantissa, where=is_digit[j])
        np.add(mantissa, digit[j], out=mantissa, where=is_digit[j])
    fraction = (is_digit & np.logical_or.accumulate(is_point, axis=0)).sum(axis=0)
    mantissa[~done] = 0  # a long digit run may have wrapped round: those rows are not used
    values = mantissa / _POWERS_OF_TEN[np.minimum(fraction, 22)]
    np.negative(values, out=values, where=negative)
    return values, done


def _distinct(raw: np.ndarray, rows: np.ndarray) -> Tuple[list, np.ndarray]:
    """(distinct byte values of ``raw[rows]``, each row's index into them)."""
    unique, inverse = np.unique(raw[rows], return_inverse=True)
    return unique.tolist(), inverse


def _text_of(value: bytes) -> str:
    """A value as the standard library reader sees it: invalid UTF-8 bytes replaced by U+FFFD."""
    return value.decode("utf-8", errors="replace")


def _number_of(text: str, decimal_comma: bool) -> Tuple[bool, float]:
    """(present, value or NaN) exactly as csv_reader._floats reads one value."""
    present = text.strip() not in _NULLS
    if decimal_comma:
        text = text.replace(",", ".", 1)
    if present and text.isascii() and "_" not in text:
        try:
            return present, float(text)
        except ValueError:
            pass
    return present, float("nan")


def _numbers(raw: np.ndarray, decimal_comma: bool) -> Tuple[np.ndarray, np.ndarray]:
    """(float values, NaN where missing or unreadable; present mask): plain decimals read from their digits, other
    plain numbers (exponents, long digit runs) converted by numpy, the rest (blanks, spaces, NULL tokens, decimal
    commas, letters) once per distinct value."""
    values, done = _decimals(raw)
    present = np.ones(len(raw), dtype=bool)
    if done.all():
        return values, present
    values[~done] = np.nan
    plain = _plain_numbers(raw) & ~done
    if plain.any():
        try:
            values[plain] = raw[plain].astype(np.float64)
        except ValueError:  # "1.2.3", "1e", "-": numpy refuses the whole array; so do those values one by one
            plain[:] = False
    rest = ~(plain | done)
    if rest.any():
        unique, inverse = _distinct(raw, rest)
        read = [_number_of(_text_of(v), decimal_comma) for v in unique]
        present[rest] = np.array([p for p, _ in read], dtype=bool)[inverse]
        values[rest] = np.array([v for _, v in read], dtype=np.float64)[inverse]
    return values, present


def _times(raw: np.ndarray, time_format: str) -> Tuple[np.ndarray, np.ndarray]:
    """(epoch seconds, MISSING_TIME where missing or unreadable; present mask)."""
    t = np.full(len(raw), MISSING_TIME, dtype=np.int64)
    present = np.ones(len(raw), dtype=bool)
    if time_format == TIME_ISO:
        fast = _iso_seconds(raw, t)
    elif time_format in (TIME_UNIX, TIME_UNIX_MS):
        fast = _unix_seconds(raw, t, 1000.0 if time_format == TIME_UNIX_MS else 1.0)
    else:
        fast = np.zeros(len(raw), dtype=bool)
    rest = ~fast
    if rest.any():
        unique, inverse = _distinct(raw, rest)
        texts = [_text_of(v).strip() for v in unique]
        present[rest] = np.array([s not in _NULLS for s in texts], dtype=bool)[inverse]
        t[rest] = parse_unique(texts, time_format)[inverse]
    return t, present


def _unix_seconds(raw: np.ndarray, t: np.ndarray, scale: float) -> np.ndarray:
    """Fill ``t`` where the value is a plain number (as timeparse's unix parser: floor, within UNIX_LIMIT)."""
    plain = _plain_numbers(raw)
    try:
        seconds = raw[plain].astype(np.float64) / scale
    except ValueError:
        return np.zeros(len(raw), dtype=bool)
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(seconds) & (np.abs(seconds) < UNIX_LIMIT)
    rows = np.flatnonzero(plain)[usable]
    t[rows] = np.floor(seconds[usable]).astype(np.int64)
    done = np.zeros(len(raw), dtype=bool)
    done[rows] = True
    return done


def _iso_seconds(raw: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Fill ``t`` where the value is exactly YYYY-MM-DDTHH:MM:SS (or a space for the T) and a valid date and time;
    the rows done. Everything else (offsets, fractions, minutes, blanks) is left to the time parser, value by value.
    The date becomes a day number by the proleptic Gregorian calendar's arithmetic (as numpy's datetime64)."""
    width = raw.dtype.itemsize
    if width < 19 or not len(raw):
        return np.zeros(len(raw), dtype=bool)
    m = _byte_matrix(raw)

    def number(*columns: int) -> np.ndarray:
        value = np.zeros(len(raw), dtype=np.int64)
        for j in columns:
            value = value * 10 + (m[:, j] - np.uint8(48))
        return value

    ok = (m[:, 4] == 45) & (m[:, 7] == 45) & ((m[:, 10] == 84) | (m[:, 10] == 32)) & (m[:, 13] == 58)
    ok &= m[:, 16] == 58
    if width > 19:
        ok &= m[:, 19] == 0
    for j in (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18):
        ok &= (m[:, j] - np.uint8(48)) <= 9  # uint8: bytes below "0" wrap round to large values
    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (hour < 24) & (minute < 60) & (second < 60)
    # Days since 1970-01-01 of a civil date: years counted from March, so that February's leap day comes last.
    early = month <= 2
    y = year - early
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * (month + np.where(early, 9, -3)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    t[ok] = seconds[ok]
    return ok


def _unique_bytes(raw: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct values, the first row of each, each row's index into them) of a numpy byte array. Values are keyed
    by their bytes read as 64-bit words (exactly, up to 8 bytes; hashed, for longer ones, with every row checked
    against its key's value, and numpy's string sort when two values share a hash)."""
    n, width = len(raw), raw.dtype.itemsize
    words = -(-width // 8)
    if width != words * 8:
        raw8 = raw.astype(f"S{words * 8}")
    else:
        raw8 = raw
    matrix = raw8.view(np.uint64).reshape(n, words)
    key = matrix[:, 0].copy()
    for k in range(1, words):  # a multiply-xor hash of the words (wrapping unsigned arithmetic)
        key ^= key >> np.uint64(29)
        key *= np.uint64(0x9E3779B97F4A7C15)
        key ^= matrix[:, k]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    distinct = raw[first]
    if words > 1 and not np.array_equal(distinct[inverse], raw):  # a hash collision: sort the values themselves
        distinct, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    return distinct, first, inverse


def _text_block(raw: np.ndarray) -> Tuple[np.ndarray, list]:
    """(each row's code, the block's distinct values in order of first appearance, bad UTF-8 replaced as the
    standard library reader does)."""
    if not len(raw):
        return np.zeros(0, dtype=np.int32), []
    distinct, first, inverse = _unique_bytes(raw)
    order = np.argsort(first, kind="stable")
    codes_of: Dict[str, int] = {}
    remap = np.empty(len(distinct), dtype=np.int32)
    for index in order.tolist():
        remap[index] = codes_of.setdefault(_text_of(distinct[index]), len(codes_of))
    return remap[inverse], list(codes_of)
