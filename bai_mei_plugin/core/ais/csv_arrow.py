"""The pyarrow backend of the CSV reader (optional dependency; imported only when pyarrow is installed).

Fast path: typed columns parsed by pyarrow in C++ on all cores. If any value does not convert (a letter in a
latitude, an odd time), the file is read again with raw byte columns and each value is checked, so bad values are
counted by row rather than failing the file.
"""

from __future__ import annotations

import os
from typing import Dict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import BaiMeiError, Canceled
from .columns import NULL_TOKENS, text_column
from .csv_reader import TEXT, ColumnParts
from .formats import OPTIONAL, REQUIRED, TIME_ISO, TIME_UNIX, TIME_UNIX_MS, Detection
from .model import MALFORMED, MISSING_MMSI, MISSING_TIME
from .timeparse import parse_unique

BLOCK_SIZE = 8 << 20
NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
WHOLE_NUMBER = r"^\s*\d+(\.0*)?\s*$"


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
            types[source] = pa.int64()
        elif name == "time":
            fmt = mapping.time_format
            types[source] = pa.float64() if fmt in (TIME_UNIX, TIME_UNIX_MS) else pa.timestamp("s")
        else:
            types[source] = pa.float64()
    return types


def _stream(path: str, detection: Detection, typed: bool, progress, is_canceled, malformed: list) -> pa.Table:
    types = _types(detection, typed)
    fmt = detection.mapping.time_format
    parsers = [] if fmt in (TIME_ISO, TIME_UNIX, TIME_UNIX_MS) else [fmt]

    def on_invalid_row(row) -> str:
        malformed.append(row)
        return "skip"

    size = os.path.getsize(path) or 1
    with pa.OSFile(path, "rb") as handle:
        reader = pacsv.open_csv(
            handle,
            read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=True),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(types), column_types=types, null_values=list(NULL_TOKENS),
                strings_can_be_null=True, quoted_strings_can_be_null=True, timestamp_parsers=parsers,
            ),
        )
        batches = []
        for batch in reader:
            batches.append(batch)
            if is_canceled and is_canceled():
                raise Canceled()
            if progress:
                progress(min(1.0, handle.tell() / size))  # the reader reads ahead a little: an estimate
    return pa.Table.from_batches(batches, schema=reader.schema)


def read_with_arrow(path: str, detection: Detection, progress, is_canceled) -> ColumnParts:
    malformed: list = []
    try:
        table = _stream(path, detection, True, progress, is_canceled, malformed)
        typed = True
    except pa.ArrowInvalid as exc:
        if "conversion error" not in str(exc).lower() and "invalid value" not in str(exc).lower():
            raise BaiMeiError(f"Cannot read the AIS file {path}: {exc}", str(exc)) from exc
        malformed = []
        table = _stream(path, detection, False, progress, is_canceled, malformed)
        typed = False
    except pa.ArrowException as exc:
        raise BaiMeiError(f"Cannot read the AIS file {path}: {exc}", str(exc)) from exc
    parts = ColumnParts(table.num_rows)
    parts.malformed = len(malformed)
    if malformed:
        row = malformed[0]
        where = f"line {row.number:,} " if row.number is not None else ""  # unknown when parsed in parallel
        parts.examples[MALFORMED] = (f"{where}{row.text[:80]!r} has {row.actual_columns} fields where the header "
                                     f"has {row.expected_columns}")
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
            _typed_column(parts, name, column, mapping.time_format)
        else:
            _checked_column(parts, name, source, column, mapping.time_format)
    return parts


def _typed_column(parts: ColumnParts, name: str, column, time_format: str) -> None:
    if name == "mmsi":
        parts.mmsi = pc.fill_null(column, MISSING_MMSI).to_numpy()
    elif name == "time":
        if time_format in (TIME_UNIX, TIME_UNIX_MS):
            seconds = column.to_numpy()
            if time_format == TIME_UNIX_MS:
                seconds = seconds / 1000.0
            parts.t = np.where(np.isnan(seconds), MISSING_TIME, np.floor(np.nan_to_num(seconds))).astype(np.int64)
        else:
            parts.t = pc.fill_null(column.cast(pa.int64()), MISSING_TIME).to_numpy()
    else:
        parts.numeric[name] = column.to_numpy()


def _checked_column(parts: ColumnParts, name: str, source: str, column, time_format: str) -> None:
    """Convert a raw byte column value by value, marking what does not parse."""
    column = pa.concat_arrays(column.chunks) if column.num_chunks else pa.array([], pa.binary())
    present = column.is_valid().to_numpy(zero_copy_only=False)

    def raw_at(i: int):
        return column[i].as_py()

    if name == "time":
        encoded = pc.dictionary_encode(column)
        unique = [v.decode("utf-8", "replace") if v is not None else None for v in encoded.dictionary.to_pylist()]
        seconds = np.append(parse_unique(unique, time_format), MISSING_TIME)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        parts.t = seconds[np.where(codes < 0, len(unique), codes)]
        parts.mark_bad(name, source, present & (parts.t == MISSING_TIME), raw_at)
        return
    pattern = WHOLE_NUMBER if name == "mmsi" else NUMBER
    ok = pc.fill_null(pc.match_substring_regex(column, pattern), False)
    numbers = pc.if_else(ok, column, pa.scalar(None, pa.binary())).cast(pa.string()).cast(pa.float64())
    values = numbers.to_numpy(zero_copy_only=False)
    parsed = ok.to_numpy(zero_copy_only=False)
    if name == "mmsi":
        parts.mmsi = np.where(parsed, np.nan_to_num(values), MISSING_MMSI).astype(np.int64)
    else:
        parts.numeric[name] = values
    parts.mark_bad(name, source, present & ~parsed, raw_at)
