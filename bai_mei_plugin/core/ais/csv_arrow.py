"""The pyarrow backend of the CSV reader (optional dependency; imported only when pyarrow is installed).

Fast path: typed columns parsed by pyarrow in C++ on all cores. If any value does not convert (a letter in a
latitude, an odd time), the file is read again with raw byte columns and each value is checked, so bad values are
counted by row rather than failing the file. Numbers follow the rules of columns.py, shared with the stdlib backend.
A file with line breaks inside quoted values is read again with Arrow's multi-line parsing (noted in the summary);
one Arrow cannot split into rows (a row larger than a block, a quote never closed) goes to the stdlib reader, which
reads it or names the line where it cannot.
"""

from __future__ import annotations

from typing import Dict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import BaiMeiError, Canceled
from .columns import BLANK_PATTERN, NULL_TOKENS, NUMBER_PATTERN, finite, mmsi_from_numbers, text_column
from .csv_reader import TEXT, ColumnParts, read_with_stdlib
from .formats import OPTIONAL, REQUIRED, TIME_ISO, TIME_UNIX, TIME_UNIX_MS, Detection, printable
from .model import MALFORMED, MISSING_TIME
from .source import STREAM_ERRORS, SourceInfo, open_utf8
from .timeparse import UNIX_LIMIT, parse_unique

BLOCK_SIZE = 8 << 20


def _types(detection: Detection, typed: bool) -> Dict[str, pa.DataType]:
    mapping = detection.mapping
    types = {}
    for name in REQUIRED + OPTIONAL + ("mobile_type",):
        source = mapping.get(name)
        if not source:
            continue
        if not typed or name in TEXT:
            types[source] = pa.binary()
        elif name == "mmsi":
            types[source] = pa.float64()  # not int64, which takes "0x10" as hex; mmsi_from_numbers keeps whole ones
        elif name == "time":
            fmt = mapping.time_format
            types[source] = pa.float64() if fmt in (TIME_UNIX, TIME_UNIX_MS) else pa.timestamp("s")
        else:
            types[source] = pa.float64()
    return types


def _stream(
    info: SourceInfo,
    detection: Detection,
    typed: bool,
    progress,
    is_canceled,
    malformed: list,
    newlines_in_values: bool = False,
) -> pa.Table:
    types = _types(detection, typed)
    fmt = detection.mapping.time_format
    parsers = [] if fmt in (TIME_ISO, TIME_UNIX, TIME_UNIX_MS) else [fmt]

    def on_invalid_row(row) -> str:
        malformed.append(row)
        return "skip"

    # A plain file is read by Arrow's own file reader (fastest); a compressed or UTF-16 one as a Python stream.
    opened = None if info.plain else open_utf8(info)
    batches: list = []
    try:
        handle = pa.OSFile(info.path, "rb") if opened is None else opened.stream
        fraction = (lambda: handle.tell() / (info.size or 1)) if opened is None else opened.fraction
        with handle:
            reader = pacsv.open_csv(
                handle,
                read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=True),
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
                    timestamp_parsers=parsers,
                    decimal_point="," if detection.decimal_comma else ".",
                ),
            )
            for batch in reader:
                batches.append(batch)
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
    return pa.Table.from_batches(batches, schema=reader.schema)


def _read_table(info: SourceInfo, detection: Detection, progress, is_canceled, notes: list):
    """(table, typed, malformed rows): typed columns if every value converts, else raw bytes to check one by one.

    Files whose quoted fields hold line breaks are read again with Arrow's slower multi-line parsing; a row larger
    than a block raises RowTooLargeError so that the stdlib reader can name its line.
    """
    newlines = False
    for typed in (True, False):
        while True:
            malformed: list = []
            try:
                table = _stream(info, detection, typed, progress, is_canceled, malformed, newlines)
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
            return table, typed, malformed
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
        table, typed, malformed = _read_table(info, detection, progress, is_canceled, notes)
    except RowTooLargeError as exc:
        table, reason = None, str(exc)
    except StreamBrokenError as exc:
        table, reason = None, f"the stream broke: {exc}"
    if table is None:  # outside the handler, so the failed read's frames and batches are freed first
        parts = read_with_stdlib(info, detection, progress, is_canceled)
        parts.notes.append(
            f"  {info.name} has rows pyarrow cannot split ({reason}): read with the standard library reader."
        )
        return parts
    parts = ColumnParts(table.num_rows)
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
    for name in REQUIRED + OPTIONAL + ("mobile_type",):
        source = mapping.get(name)
        if not source:
            continue
        column = table.column(source)
        if name in TEXT:
            encoded = pa.concat_arrays([c for c in column.chunks]) if column.num_chunks else pa.array([], pa.binary())
            encoded = pc.dictionary_encode(encoded)
            codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
            parts.text[name], bad = text_column(codes, encoded.dictionary.to_pylist())
            parts.bad_utf8 += bad
        elif typed:
            _typed_column(parts, name, source, column, mapping.time_format)
        else:
            _checked_column(parts, name, source, column, mapping.time_format, detection.decimal_comma)
    return parts


def _typed_column(parts: ColumnParts, name: str, source: str, column, time_format: str) -> None:
    """Columns Arrow converted; values it accepts and the shared rules do not (inf, huge MMSIs) are marked bad."""

    def raw_at(i: int):
        return str(column[i].as_py())

    if name == "mmsi":
        values = column.to_numpy()
        parts.mmsi, ok = mmsi_from_numbers(values, ~np.isnan(values))
        bad = ~ok & ~np.isnan(values)
    elif name == "time":
        if time_format in (TIME_UNIX, TIME_UNIX_MS):
            seconds = column.to_numpy()
            if time_format == TIME_UNIX_MS:
                seconds = seconds / 1000.0
            usable = np.isfinite(seconds) & (np.abs(np.nan_to_num(seconds)) < UNIX_LIMIT)  # as timeparse does
            parts.t = np.full(len(seconds), MISSING_TIME, dtype=np.int64)
            parts.t[usable] = np.floor(seconds[usable])
            bad = ~usable & ~np.isnan(seconds)
            parts.check_times(source, ~np.isnan(seconds), usable, raw_at)
        else:
            parts.t = pc.fill_null(column.cast(pa.int64()), MISSING_TIME).to_numpy()
            bad = None
    else:
        values = column.to_numpy()
        bad = np.isinf(values)
        parts.numeric[name] = np.where(bad, np.nan, values)
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
