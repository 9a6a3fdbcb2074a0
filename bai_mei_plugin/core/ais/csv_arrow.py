"""The pyarrow backend of the CSV reader (optional dependency; imported only when pyarrow is installed).

Fast path: typed columns parsed by pyarrow in C++ on all cores. If any value does not convert (a letter in a
latitude, an odd time), the file is read again with raw byte columns and each value is checked, so bad values are
counted by row rather than failing the file. Numbers follow the rules of columns.py, shared with the stdlib backend.
A file with line breaks inside quoted values is read again with Arrow's multi-line parsing (noted in the summary);
one Arrow cannot split into rows (a row larger than a block, a quote never closed) goes to the stdlib reader, which
reads it or names the line where it cannot.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import BaiMeiError, Canceled
from .columns import BLANK_PATTERN, NULL_TOKENS, NUMBER_PATTERN, finite, mmsi_from_numbers, text_column
from .csv_reader import TEXT, ColumnParts, read_with_stdlib
from .formats import OPTIONAL, REQUIRED, TIME_ISO, TIME_UNIX, TIME_UNIX_MS, Detection, printable
from .memory import release_free_memory
from .model import MALFORMED, MISSING_TIME
from .source import STREAM_ERRORS, SourceInfo, open_utf8
from .timeparse import UNIX_LIMIT, parse_unique

BLOCK_SIZE = 8 << 20
# A plain file from this size on is read as two byte ranges split at a line end, by two Arrow readers at once: one
# streaming reader parses on one core, and a second one on the other core nearly halves the read.
SPLIT_BYTES = 32 << 20
# Text columns are dictionary-encoded as Arrow reads them: a vessel's name repeats on every report, so a column of
# millions costs 4 bytes a row instead of the bytes of every value (and no concatenation of them afterwards).
TEXT_TYPE = pa.dictionary(pa.int32(), pa.binary())


def _types(detection: Detection, typed: bool) -> Dict[str, pa.DataType]:
    mapping = detection.mapping
    types = {}
    for name in REQUIRED + OPTIONAL + ("mobile_type",):
        source = mapping.get(name)
        if not source:
            continue
        if name in TEXT:
            types[source] = TEXT_TYPE
        elif not typed:
            types[source] = pa.binary()
        elif name == "mmsi":
            types[source] = pa.float64()  # not int64, which takes "0x10" as hex; mmsi_from_numbers keeps whole ones
        elif name == "time":
            fmt = mapping.time_format
            types[source] = pa.float64() if fmt in (TIME_UNIX, TIME_UNIX_MS) else pa.timestamp("s")
        else:
            types[source] = pa.float64()
    return types


def _memory_pool():
    """Arrow's jemalloc pool where this pyarrow has it, else the default one (None).

    Arrow's allocators keep memory they have freed for reuse. The whole file passes through the reader's buffers,
    and the default pool (mimalloc) keeps much of it resident after the read in the threads that allocated it, a
    few hundred MB for 5M reports; jemalloc gives it back within a second.
    """
    try:
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowException):
        return None


def _options(detection: Detection, types: dict, newlines_in_values: bool, on_invalid_row, names=None) -> dict:
    mapping = detection.mapping
    fmt = mapping.time_format
    return dict(
        read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=True, column_names=names),
        parse_options=pacsv.ParseOptions(
            delimiter=detection.delimiter,
            invalid_row_handler=on_invalid_row,
            newlines_in_values=newlines_in_values,
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(types),
            column_types=types,
            null_values=list(NULL_TOKENS),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            timestamp_parsers=[] if fmt in (TIME_ISO, TIME_UNIX, TIME_UNIX_MS) else [fmt],
            decimal_point="," if detection.decimal_comma else ".",
        ),
    )


def _stream(
    info: SourceInfo,
    detection: Detection,
    typed: bool,
    progress,
    is_canceled,
    malformed: list,
    newlines_in_values: bool = False,
):
    """Stream the file through Arrow into ``_Filled`` numpy columns (typed) or ``_Batches`` (raw bytes)."""
    types = _types(detection, typed)

    def on_invalid_row(row) -> str:
        malformed.append(row)
        return "skip"

    ranges = _split(info, detection) if typed and not newlines_in_values else None
    if ranges is not None:
        return _stream_ranges(info, detection, types, ranges, progress, is_canceled, on_invalid_row)
    sink = _Filled(types) if typed else _Batches()
    # A plain file is read by Arrow's own file reader (fastest); a compressed or UTF-16 one as a Python stream.
    opened = None if info.plain else open_utf8(info)
    try:
        pool = _memory_pool()
        handle = pa.OSFile(info.path, "rb", memory_pool=pool) if opened is None else opened.stream
        fraction = (lambda: handle.tell() / (info.size or 1)) if opened is None else opened.fraction
        with handle:
            reader = pacsv.open_csv(
                handle, memory_pool=pool, **_options(detection, types, newlines_in_values, on_invalid_row)
            )
            for batch in reader:
                sink.add(batch)
                del batch  # the batch's Arrow memory goes as soon as it is copied
                if is_canceled and is_canceled():
                    raise Canceled()
                if progress:
                    progress(min(1.0, fraction()))  # the reader reads ahead a little: an estimate
    except STREAM_ERRORS as exc:  # a truncated or corrupt compressed file: the stdlib reader says how far it gets
        if opened is None:
            raise
        raise StreamBrokenError(str(exc)) from exc
    finally:
        if opened is not None:
            opened.close()
    if not typed:
        sink.schema = reader.schema
    return sink


def _split(info: SourceInfo, detection: Detection) -> Optional[List[Tuple[int, int]]]:
    """Two byte ranges of the rows of a big plain file, split at a line end, or None to read it as one stream.

    Only where a line end is always a row end to Arrow (read without ``newlines_in_values``, as Arrow's own blocks
    are split) and where the first line is the detected header as it is (no quotes, BOM skipped), which the second
    reader is given as its column names."""
    if not info.plain or info.size < SPLIT_BYTES or len(set(detection.header)) != len(detection.header):
        return None
    with open(info.path, "rb") as handle:
        handle.seek(info.bom)
        first = handle.readline()
        start = handle.tell()
        try:
            names = first.rstrip(b"\r\n").decode("utf-8").split(detection.delimiter)
        except UnicodeDecodeError:
            return None
        if b'"' in first or names != detection.header:
            return None
        handle.seek(start + (info.size - start) // 2)
        handle.readline()
        middle = handle.tell()
    if middle >= info.size:
        return None
    return [(start, middle), (middle, info.size)]


class _Range:
    """Bytes ``start`` to ``stop`` of a file as a read-only stream (for ``pa.PythonFile``)."""

    def __init__(self, path: str, start: int, stop: int):
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close(), which Arrow's reader calls)
        self._file.seek(start)
        self.size = stop - start
        self.position = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.position
        data = self._file.read(left if n is None or n < 0 or n > left else n)
        self.position += len(data)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self.closed = True
        self._file.close()


def _stream_ranges(info, detection, types, ranges, progress, is_canceled, on_invalid_row) -> _Filled:
    """The byte ranges read at once, each by its own Arrow reader in a thread of its own, into ``_Filled`` columns
    joined in file order. This thread reports progress and watches for a cancel; an error in any range, or a
    cancel, stops them all."""
    names = list(detection.header)
    sinks = [_Filled(types) for _ in ranges]
    streams = [_Range(info.path, a, b) for a, b in ranges]
    stop = threading.Event()
    errors: list = []
    pool = _memory_pool()

    def read(k: int) -> None:
        try:
            with pa.PythonFile(streams[k], mode="r") as handle:
                reader = pacsv.open_csv(
                    handle, memory_pool=pool, **_options(detection, types, False, on_invalid_row, names)
                )
                for batch in reader:
                    sinks[k].add(batch)
                    del batch
                    if stop.is_set():
                        return
        except BaseException as exc:  # noqa: BLE001 (handed over to the calling thread, which raises it)
            errors.append(exc)
            stop.set()

    threads = [
        threading.Thread(target=read, args=(k,), name=f"bai-mei-csv-{k}", daemon=True) for k in range(len(ranges))
    ]
    try:
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            next(thread for thread in threads if thread.is_alive()).join(0.1)
            if is_canceled and is_canceled():
                stop.set()
                errors.append(Canceled())
            elif progress and not stop.is_set():
                progress(min(1.0, sum(s.position for s in streams) / (sum(s.size for s in streams) or 1)))
    finally:
        if any(thread.is_alive() for thread in threads):  # this thread failed (a progress callback raised)
            stop.set()
        for thread in threads:
            thread.join()
        for stream in streams:
            if not stream.closed:
                stream.close()
    if errors:
        raise errors[0]
    return _Filled.joined(sinks)


class _Batches:
    """The raw-bytes read: record batches kept as they come, joined into a table."""

    def __init__(self):
        self.batches: list = []
        self.schema = None

    def add(self, batch) -> None:
        self.batches.append(batch)

    @property
    def rows(self) -> int:
        return sum(b.num_rows for b in self.batches)

    def columns(self) -> dict:
        table = pa.Table.from_batches(self.batches, schema=self.schema)
        self.batches = []
        return {name: table.column(name) for name in table.column_names}


class _Filled:
    """The typed read: each batch's columns kept as they came (Arrow arrays), joined into whole numpy columns once
    the file is read (text: the dictionary chunks, joined later).

    So each value is copied once, into its final column, rather than into growing columns and again when the byte
    ranges are joined. A batch's columns are separate Arrow buffers: each column's are freed (and given back to the
    system) as soon as that column is joined, so what was read and the columns made of it are not all held at once.
    """

    def __init__(self, types: dict):
        self.rows = 0
        self.numbers: dict = {source: [] for source, t in types.items() if t != TEXT_TYPE}
        self.text: dict = {source: [] for source, t in types.items() if t == TEXT_TYPE}

    def add(self, batch) -> None:
        for source, column in zip(batch.schema.names, batch.columns):
            (self.text if source in self.text else self.numbers)[source].append(column)
        self.rows += batch.num_rows

    @classmethod
    def joined(cls, sinks: list) -> _Filled:
        """The rows of ``sinks`` one after the other (their chunks listed in order; nothing is copied yet)."""
        out = sinks[0]
        for other in sinks[1:]:
            for source, chunks in out.numbers.items():
                chunks.extend(other.numbers.pop(source))
            for source, chunks in out.text.items():
                chunks.extend(other.text.pop(source))
            out.rows += other.rows
        return out

    def columns(self) -> dict:
        """Source column -> numpy array of the rows read (times as int64 seconds, MISSING_TIME where blank; numbers
        as float64, NaN where blank), or ChunkedArray (text); emptied as it is handed over."""
        out = {}
        for source in list(self.numbers):
            out[source] = _joined(self.numbers.pop(source), self.rows)
        out.update({source: pa.chunked_array(chunks, TEXT_TYPE) for source, chunks in self.text.items()})
        self.text = {}
        return out


def _joined(chunks: list, rows: int) -> np.ndarray:
    """Arrow ``chunks`` (float64 or timestamps) in one numpy array, blanks filled (NaN, MISSING_TIME); their memory
    given back once copied."""
    if chunks and pa.types.is_timestamp(chunks[0].type):
        out = _into_numpy(chunks, rows, np.int64, MISSING_TIME, lambda chunk: chunk.cast(pa.int64()))
    else:
        out = _into_numpy(chunks, rows, np.float64, np.nan)
    release_free_memory()
    return out


def _into_numpy(arrays: list, rows: int, dtype, fill, convert=None) -> np.ndarray:
    """Primitive Arrow ``arrays`` (each through ``convert`` first, if given) copied one after the other into one new
    numpy array, ``fill`` where null, on two threads (numpy and Arrow copy without the GIL); the list is emptied."""
    out = np.empty(rows, dtype=dtype)
    bounds = np.cumsum([0] + [len(a) for a in arrays]).tolist()

    def part(k: int) -> None:
        array = arrays[k] if convert is None else convert(arrays[k])
        _values_into(array, fill, out[bounds[k] : bounds[k + 1]])

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in pool.map(part, range(len(arrays))):
            pass
    arrays.clear()
    return out


def _values_into(array, fill, out: np.ndarray) -> None:
    """``out[:] =`` a primitive Arrow array's values, read straight from its buffers (``to_numpy`` of an array with
    nulls goes through pandas' conversion code, which imports pandas), ``fill`` where they are null (chosen by the
    validity bitmap in numpy: ten times faster than Arrow's ``fill_null`` here)."""
    n = len(array)
    if n == 0:
        return
    validity, data = array.buffers()[:2]
    out[:] = np.frombuffer(data, dtype=out.dtype, count=n, offset=array.offset * out.itemsize)
    if array.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=array.offset + n, bitorder="little")
        np.copyto(out, fill, where=~bits[array.offset :].view(bool))


def _read_table(info: SourceInfo, detection: Detection, progress, is_canceled, notes: list):
    """(read, typed, malformed rows): typed columns if every value converts, else raw bytes to check one by one.

    Files whose quoted fields hold line breaks are read again with Arrow's slower multi-line parsing; a row larger
    than a block raises RowTooLargeError so that the stdlib reader can name its line.
    """
    newlines = False
    for typed in (True, False):
        while True:
            malformed: list = []
            try:
                read = _stream(info, detection, typed, progress, is_canceled, malformed, newlines)
            except pa.ArrowInvalid as exc:
                text = str(exc).lower()
                if "newlines_in_values" in text and not newlines:
                    notes.append(f"  {info.name} has line breaks inside quoted values: read with multi-line parsing.")
                    newlines = True
                    continue
                if "straddl" in text or "block size" in text:
                    raise RowTooLargeError(str(exc)) from exc
                if typed and ("conversion error" in text or "invalid value" in text):
                    break  # some value does not convert: read raw bytes and check them
                raise arrow_error(info, exc) from exc
            except pa.ArrowException as exc:
                if isinstance(exc, MemoryError):
                    raise
                raise arrow_error(info, exc) from exc
            if any("\n" in row.text for row in malformed):
                # A bad row spanning lines: most often a quote never closed, which ran the rest of the file into
                # one row. The stdlib reader names the line where it starts.
                raise RowTooLargeError("a malformed row spans several lines")
            return read, typed, malformed
    raise AssertionError("unreachable: the untyped read either returns or raises")


class StreamBrokenError(Exception):
    """A compressed stream failed in the middle: the stdlib reader reads it again, line by line, to name the row
    and line where it stops (Arrow reads blocks of 8 MB and cannot)."""


class RowTooLargeError(Exception):
    """Arrow cannot split this file into rows (a row larger than a block, a quote never closed): the stdlib reader
    takes over, reading what it can and naming the line where it cannot."""


def arrow_error(info: SourceInfo, exc: Exception) -> BaiMeiError:
    return BaiMeiError(
        f"Cannot read {info.name} as CSV: {printable(str(exc), 300)}. Check that it is a CSV file "
        f"with one report per line ({info.path}).",
        str(exc),
    )


def read_with_arrow(info: SourceInfo, detection: Detection, progress, is_canceled) -> ColumnParts:
    notes: list = []
    try:
        read, typed, malformed = _read_table(info, detection, progress, is_canceled, notes)
    except RowTooLargeError as exc:
        read, reason = None, str(exc)
    except StreamBrokenError as exc:
        read, reason = None, f"the stream broke: {exc}"
    if read is None:  # outside the handler, so the failed read's frames and batches are freed first
        parts = read_with_stdlib(info, detection, progress, is_canceled)
        parts.notes.append(
            f"  {info.name} has rows pyarrow cannot split ({reason}): read with the standard library reader."
        )
        return parts
    parts = ColumnParts(read.rows, filled=False)  # MMSI and time are required columns: both are set below
    parts.notes.extend(notes)
    parts.malformed = len(malformed)
    if malformed:
        row = malformed[0]
        where = f"line {row.number:,} " if row.number is not None else ""  # unknown when parsed in parallel
        parts.examples[MALFORMED] = (
            f"{where}{printable(row.text, 80)!r} has {row.actual_columns} fields where "
            f"the header has {row.expected_columns}"
        )
    mapping = detection.mapping
    wanted = [(name, mapping.get(name)) for name in REQUIRED + OPTIONAL + ("mobile_type",) if mapping.get(name)]
    # Each column is released as soon as it is converted, so that what was read and the arrays made from it are not
    # held in memory together; the reader's own buffers, freed by now, are given back first.
    release_free_memory()
    columns = read.columns()
    del read
    last_use = {source: name for name, source in wanted}  # two Bai Mei columns may share a source column
    for name, source in wanted:
        column = columns.pop(source) if last_use[source] == name else columns[source]
        if name in TEXT:
            parts.text[name], bad = _text_column(column)
            parts.bad_utf8 += bad
        elif typed:
            _typed_column(parts, name, source, column, mapping.time_format)
        else:
            _checked_column(parts, name, source, column, mapping.time_format, detection.decimal_comma)
        del column
    return parts


def _text_column(column):
    """(TextColumn, distinct values not UTF-8) from a dictionary-encoded Arrow column: the chunks' dictionaries are
    unified (values in order of first appearance, as the stdlib reader has them) and their indices joined."""
    if column.num_chunks == 0:
        return text_column(np.zeros(0, dtype=np.int32), [])
    column = column.unify_dictionaries()
    dictionary = column.chunk(0).dictionary.to_pylist()
    codes = _into_numpy([chunk.indices for chunk in column.chunks], len(column), np.int32, -1)
    return text_column(codes, dictionary)


def _typed_column(parts: ColumnParts, name: str, source: str, column: np.ndarray, time_format: str) -> None:
    """Columns Arrow converted (numpy; times in seconds, MISSING_TIME where blank); values it accepts and the shared
    rules do not (inf, huge MMSIs) are marked bad."""

    def raw_at(i: int):
        return str(float(column[i]))

    if name == "mmsi":
        values = column
        parts.mmsi, ok = mmsi_from_numbers(values, ~np.isnan(values))
        bad = ~ok & ~np.isnan(values)
    elif name == "time":
        if time_format in (TIME_UNIX, TIME_UNIX_MS):
            seconds = column
            if time_format == TIME_UNIX_MS:
                seconds = seconds / 1000.0
            usable = np.isfinite(seconds) & (np.abs(np.nan_to_num(seconds)) < UNIX_LIMIT)  # as timeparse does
            parts.t = np.full(len(seconds), MISSING_TIME, dtype=np.int64)
            parts.t[usable] = np.floor(seconds[usable])
            bad = ~usable & ~np.isnan(seconds)
            parts.check_times(source, ~np.isnan(seconds), usable, raw_at)
        else:
            parts.t = column
            bad = None
    else:
        bad = np.isinf(column)
        parts.numeric[name] = np.where(bad, np.nan, column) if bad.any() else column
    if bad is not None:
        parts.mark_bad(name, source, bad, raw_at)


def _checked_column(
    parts: ColumnParts, name: str, source: str, column, time_format: str, decimal_comma: bool = False
) -> None:
    """Convert a raw byte column value by value, marking what does not parse (columns.NUMBER_PATTERN rules).
    ``decimal_comma``: "37,5" is read as 37.5, as the stdlib reader does."""
    column = pa.concat_arrays(column.chunks) if column.num_chunks else pa.array([], pa.binary())
    blank = pc.fill_null(pc.match_substring_regex(column, BLANK_PATTERN), True)
    present = pc.invert(blank).to_numpy(zero_copy_only=False)

    def raw_at(i: int):
        return column[i].as_py()

    if name == "time":
        encoded = pc.dictionary_encode(column)
        unique = [v.decode("utf-8", "replace") if v is not None else None for v in encoded.dictionary.to_pylist()]
        seconds = np.append(parse_unique(unique, time_format), MISSING_TIME)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        parts.t = seconds[np.where(codes < 0, len(unique), codes)]
        parts.mark_bad(name, source, present & (parts.t == MISSING_TIME), raw_at)
        parts.check_times(source, present, parts.t != MISSING_TIME, raw_at)
        return
    number_text = pc.replace_substring(column, ",", ".", max_replacements=1) if decimal_comma else column
    ok = pc.fill_null(pc.match_substring_regex(number_text, NUMBER_PATTERN), False)
    text = pc.if_else(ok, number_text, pa.scalar(None, pa.binary())).cast(pa.string())
    numbers = pc.utf8_trim_whitespace(text).cast(pa.float64())
    values = numbers.to_numpy(zero_copy_only=False)
    parsed = ok.to_numpy(zero_copy_only=False)
    if name == "mmsi":
        parts.mmsi, parsed = mmsi_from_numbers(values, parsed)
    else:
        parts.numeric[name], parsed = finite(values, parsed)
    parts.mark_bad(name, source, present & ~parsed, raw_at)
