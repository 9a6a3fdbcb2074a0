"""The GDAL backend of the CSV reader: for QGIS installs without pyarrow (GDAL >= 3.6 is in every QGIS).

OGR's CSV driver reads only the columns asked for (the others are ignored fields) and hands them over as numpy byte
arrays through its Arrow stream (``GetArrowStreamAsNumPy``). The values are then converted by the rules of the
standard library reader, vectorised where a value is plainly a number or an ISO time and value by value (once per
distinct value) elsewhere, so both backends give the same columns, drop counts and row-numbered examples.

OGR and Python's csv module split rows differently only around quotes, NUL bytes, lone carriage returns, blank lines
and rows with the wrong number of fields; a quick scan of the raw bytes (and the row count OGR returns) finds those,
and such a file - or a compressed one, or one GDAL complains about - is read by the standard library reader instead,
which counts and names the odd rows. A note in the summary says so.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Tuple

import numpy as np

from ..errors import Canceled
from .columns import NULL_TOKENS, finite, mmsi_from_numbers, text_column
from .csv_reader import TEXT, ColumnParts, read_with_stdlib
from .formats import OPTIONAL, REQUIRED, TIME_ISO, TIME_UNIX, TIME_UNIX_MS, Detection
from .model import MISSING_TIME
from .source import SourceInfo
from .timeparse import UNIX_LIMIT, parse_unique

SCAN_CHUNK = 16 << 20
SPLIT_BYTES = 32 << 20  # files from this size on are read as two halves in two threads
BATCH_ROWS = 100_000  # rows per Arrow batch: fewer Python round trips, and progress and cancel still come often
_NULLS = frozenset(NULL_TOKENS)
# Bytes of a value that is plainly a decimal number (NUL pads the shorter values of a numpy byte array).
_NUMBER_BYTES = np.zeros(256, dtype=bool)
_NUMBER_BYTES[list(b"0123456789.+-eE\0")] = True
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def have_gdal_arrow() -> bool:
    """Whether the installed GDAL can hand OGR layers over as numpy arrays (GDAL >= 3.6)."""
    try:
        from osgeo import ogr
    except ImportError:
        return False
    return hasattr(ogr.Layer, "GetArrowStreamAsNumPy")


class UseStdlibError(Exception):
    """This file is read by the standard library reader instead (the message says why, for the summary)."""


def read_with_gdal(info: SourceInfo, detection: Detection, progress, is_canceled) -> ColumnParts:
    try:
        arrays, rows = _read_arrays(info, detection, progress, is_canceled)
    except UseStdlibError as exc:
        reason = str(exc)
        arrays = None
    if arrays is None:  # outside the handler, so whatever the GDAL read held is freed first
        parts = read_with_stdlib(info, detection, progress, is_canceled)
        parts.notes.append(f"  {info.name} {reason}: read with the standard library reader.")
        return parts
    return _convert(arrays, rows, detection)


# --- reading with OGR ------------------------------------------------------------------------------------------


def _scan(info: SourceInfo, delimiter: str) -> Tuple[int, int]:
    """(data lines, delimiters in them) of a file with nothing OGR and the csv module would split differently;
    UseStdlibError otherwise. Byte searches in C over the file, a small share of the read."""
    lines = delimiters = 0
    sep = delimiter.encode()
    with open(info.path, "rb") as handle:
        handle.seek(info.bom)
        handle.readline()  # the header
        last = b"\n"
        while True:
            chunk = handle.read(SCAN_CHUNK)
            if not chunk:
                break
            chunk += handle.readline()  # whole lines, so that "\n\n" and "\r\n" are never cut apart
            for what, why in ((b'"', "has quoted values"), (b"\0", "holds NUL bytes")):
                if what in chunk:
                    raise UseStdlibError(why)
            if b"\n\n" in chunk or b"\n\r\n" in chunk or (last == b"\n" and chunk[:1] in (b"\n", b"\r")):
                raise UseStdlibError("has blank lines")
            if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):
                raise UseStdlibError("has carriage returns inside lines")
            lines += chunk.count(b"\n") + (not chunk.endswith(b"\n"))
            delimiters += chunk.count(sep)
            last = chunk[-1:]
    return lines, delimiters


def _open_layer(source: str, headers: bool, header: List[str]):
    """(dataset, layer) of ``source`` (a GDAL path) whose columns are ``header``'s, all read as text."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()  # as parquet.py: failures raise RuntimeError, caught below
    try:
        ds = gdal.OpenEx(
            "CSV:" + source,  # the prefix reads any file name as CSV (.txt, no extension, a /vsisubfile/ part)
            gdal.OF_VECTOR,
            allowed_drivers=["CSV"],
            open_options=[f"HEADERS={'YES' if headers else 'NO'}", "AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO"],
        )
    except RuntimeError as exc:
        raise UseStdlibError(f"could not be opened by GDAL ({exc})") from None
    layer = ds.GetLayer(0)
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    if len(names) != len(header) or (headers and names != header):
        raise UseStdlibError("has a header GDAL reads differently (duplicate, empty or odd column names)")
    if any(defn.GetFieldDefn(i).GetType() != ogr.OFTString for i in range(len(names))):
        raise UseStdlibError("has typed columns for GDAL (a .csvt file beside it)")
    return ds, layer


def _parts(info: SourceInfo) -> List[Tuple[str, bool]]:
    """(GDAL path, has the header) of the file, or of its two halves split at a line break when it is big: GDAL
    releases the GIL while it parses, so two threads read a big file in about half the time on two cores. Safe
    because _scan found no quotes: every line break ends a row."""
    if info.size < SPLIT_BYTES:
        return [(info.path, True)]
    with open(info.path, "rb") as handle:
        handle.seek(info.size // 2)
        handle.readline()
        split = handle.tell()
    if split >= info.size:
        return [(info.path, True)]
    return [
        (f"/vsisubfile/0_{split},{info.path}", True),
        (f"/vsisubfile/{split}_{info.size - split},{info.path}", False),
    ]


def _read_part(source: str, headers: bool, header: List[str], keep: List[int], stop, report) -> Tuple[list, int]:
    """([numpy arrays of column ``keep[k]``, batch by batch] for each k, rows) of one part; ``stop()`` is checked
    and ``report(rows)`` called after each batch. Runs in any thread: GDAL's error handlers are per thread."""
    from osgeo import gdal

    complaints: List[str] = []
    gdal.PushErrorHandler(lambda _cls, _no, message: complaints.append(message))
    batches: List[List[np.ndarray]] = [[] for _ in keep]
    rows = 0
    ds = layer = stream = None
    try:
        ds, layer = _open_layer(source, headers, header)
        defn = layer.GetLayerDefn()
        names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        wanted = [names[i] for i in keep]
        layer.SetIgnoredFields([n for n in names if n not in wanted] + ["OGR_GEOMETRY", "OGR_STYLE"])
        stream = layer.GetArrowStreamAsNumPy(options=["INCLUDE_FID=NO", f"MAX_FEATURES_IN_BATCH={BATCH_ROWS}"])
        for batch in stream:
            for k, name in enumerate(wanted):
                batches[k].append(batch[name])
            rows += len(batch[wanted[0]])
            stop()
            report(rows)
    except RuntimeError as exc:
        complaints.append(str(exc))
    finally:
        gdal.PopErrorHandler()
        del stream, layer, ds  # released in this order: the stream before its layer, the layer before its file
    if complaints:
        raise UseStdlibError(f"gave GDAL trouble ({complaints[0][:200]})")
    return batches, rows


def _read_arrays(info: SourceInfo, detection: Detection, progress, is_canceled) -> Tuple[Dict[str, np.ndarray], int]:
    """{Bai Mei column: numpy byte array} of every row, and the row count; UseStdlibError when the file needs the csv
    module's rules."""
    if not info.plain:
        raise UseStdlibError("is compressed or not UTF-8")
    lines, delimiters = _scan(info, detection.delimiter)
    header = [h.strip() for h in detection.header]
    mapping = detection.mapping
    wanted = {name: mapping.get(name) for name in REQUIRED + OPTIONAL + ("mobile_type",) if mapping.get(name)}
    # The last column too: it is null where a row has too few fields.
    keep = sorted({header.index(source) for source in wanted.values()} | {len(header) - 1})
    parts = _parts(info)
    share = len(parts)  # this thread reads the first part: about 1/share of the lines
    canceled = threading.Event()

    def stop() -> None:
        if canceled.is_set():
            raise Canceled()

    def stop_and_report(rows: int) -> None:
        if is_canceled and is_canceled():
            canceled.set()
            raise Canceled()
        if progress:
            progress(min(1.0, rows * share / max(lines, 1)))

    results = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        others = [
            pool.submit(_read_part, path, headers, header, keep, stop, lambda _rows: None)
            for path, headers in parts[1:]
        ]
        try:
            results.append(_read_part(parts[0][0], True, header, keep, lambda: None, stop_and_report))
        except BaseException:
            canceled.set()  # the other half stops at its next batch
            raise
        finally:
            for future in others:
                future.exception()  # wait for it; its error (if any) is raised below
        results.extend(future.result() for future in others)
    rows = sum(r for _, r in results)
    columns = [_joined([a for batches, _ in results for a in batches[k]]) for k in range(len(keep))]
    if rows != lines or delimiters != rows * (len(header) - 1) or np.ma.is_masked(columns[-1]):
        raise UseStdlibError("has rows with more or fewer fields than its header")
    by_index = dict(zip(keep, columns))
    return {name: np.ma.getdata(by_index[header.index(source)]) for name, source in wanted.items()}, rows


def _joined(parts: List[np.ndarray]) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype="S1")
    if any(np.ma.isMaskedArray(p) for p in parts):
        return np.ma.concatenate(parts)
    return np.concatenate(parts)


# --- converting, by the standard library reader's rules --------------------------------------------------------


def _convert(arrays: Dict[str, np.ndarray], rows: int, detection: Detection) -> ColumnParts:
    parts = ColumnParts(rows)
    mapping = detection.mapping
    for name, raw in arrays.items():
        source = mapping.get(name)

        def raw_at(i: int, raw=raw):
            return raw[i]

        if name in TEXT:
            parts.text[name], bad = _text(raw)
            parts.bad_utf8 += bad
            continue
        if name == "time":
            parts.t, present = _times(raw, mapping.time_format)
            parsed = parts.t != MISSING_TIME
            parts.check_times(source, present, parsed, raw_at)
        else:
            values, present = _numbers(raw, detection.decimal_comma)
            if name == "mmsi":
                parts.mmsi, parsed = mmsi_from_numbers(values, ~np.isnan(values))
            else:
                parts.numeric[name], parsed = finite(values, ~np.isnan(values))
        parts.mark_bad(name, source, present & ~parsed, raw_at)
    return parts


def _byte_matrix(raw: np.ndarray) -> np.ndarray:
    return raw.view(np.uint8).reshape(len(raw), raw.dtype.itemsize)


def _plain_numbers(raw: np.ndarray) -> np.ndarray:
    """Rows whose value is made of digits, signs, points and exponents only (no blank, no space)."""
    if raw.dtype.itemsize == 0 or not len(raw):
        return np.zeros(len(raw), dtype=bool)
    matrix = _byte_matrix(raw)
    return _NUMBER_BYTES[matrix].all(axis=1) & (matrix[:, 0] != 0)


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
    """(float values, NaN where missing or unreadable; present mask): plain numbers converted by numpy, the rest
    (blanks, spaces, NULL tokens, decimal commas, letters) once per distinct value."""
    values = np.full(len(raw), np.nan)
    present = np.ones(len(raw), dtype=bool)
    plain = _plain_numbers(raw)
    try:
        values[plain] = raw[plain].astype(np.float64)
    except ValueError:  # "1.2.3", "1e", "-": numpy refuses the whole array; so do those values one by one
        plain[:] = False
    rest = ~plain
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
    numpy parses the rows checked here (its parser crashes on an invalid date, so every row is checked first)."""
    width = raw.dtype.itemsize
    if width < 19 or not len(raw):
        return np.zeros(len(raw), dtype=bool)
    m = _byte_matrix(raw)

    def number(*columns: int) -> np.ndarray:
        value = np.zeros(len(raw), dtype=np.int32)
        for j in columns:
            value = value * 10 + (m[:, j] - 48)
        return value

    ok = (m[:, 4] == 45) & (m[:, 7] == 45) & ((m[:, 10] == 84) | (m[:, 10] == 32)) & (m[:, 13] == 58)
    ok &= m[:, 16] == 58
    if width > 19:
        ok &= m[:, 19] == 0
    for j in (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18):
        ok &= (m[:, j] - 48) <= 9  # uint8: bytes below "0" wrap round to large values
    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (number(11, 12) < 24) & (number(14, 15) < 60) & (number(17, 18) < 60)
    checked = raw[ok]
    if width > 19:
        checked = checked.astype("S19")
    t[ok] = checked.astype("datetime64[s]").astype(np.int64)
    return ok


def _text(raw: np.ndarray):
    """A TextColumn as the standard library reader builds it: distinct values in order of first appearance, bad
    UTF-8 replaced (and counted) as it does."""
    if not len(raw):
        return text_column(np.zeros(0, dtype=np.int64), [])
    unique, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    codes_of: Dict[str, int] = {}
    remap = np.empty(len(unique), dtype=np.int64)
    for index in order.tolist():
        remap[index] = codes_of.setdefault(_text_of(unique[index]), len(codes_of))
    return text_column(remap[inverse], list(codes_of))
