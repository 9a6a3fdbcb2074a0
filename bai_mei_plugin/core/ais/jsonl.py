"""JSON Lines / NDJSON AIS: one JSON object per line, as Global Fishing Watch and satellite AIS providers deliver.

Keys are matched by name like CSV headers (``mmsi``/``ssvid``, ``timestamp``/``time``/``t``, ``lat``/``latitude``,
``lon``/``longitude``, ``speed``/``sog``, ``course``/``cog``, ``heading``, ``name``/``shipname``, ``imo``,
``callsign``, ``destination``, ``draught``); objects nested one level or more (``{"position": {"lat": ...}}``) are
matched by their inner key names. Times are ISO strings, any pattern ``timeparse`` guesses, or unix seconds /
milliseconds as numbers. Every line is parsed with ``json.loads`` (never evaluated); a line that is not a JSON
object is counted as malformed, and the first ones are named by line number.
"""

from __future__ import annotations

import json
import re
from typing import Dict, List, Optional

import numpy as np

from ..errors import BaiMeiError, Canceled
from .columns import NUMBER_PATTERN, finite, mmsi_from_numbers, text_column
from .csv_reader import NUMERIC, TEXT, ColumnParts, IsCanceled, Progress
from .formats import (
    OPTIONAL,
    REQUIRED,
    SYNONYMS,
    TIME_ISO,
    TIME_UNIX,
    TIME_UNIX_MS,
    AisFormat,
    Detection,
    auto_mapping,
    check_overrides,
    guess,
    printable,
)
from .model import MALFORMED, MISSING_TIME, RawRead
from .source import STREAM_ERRORS, SourceInfo, damaged, inspect, open_utf8
from .timeparse import UNIX_LIMIT, all_times_failed, make_parser

FORMAT_NAME = "JSONL"
BAD_LINES_NAMED = 5  # line numbers listed in the malformed example
_NUMBER = re.compile(NUMBER_PATTERN)


def flatten(obj: dict, out: Optional[dict] = None) -> dict:
    """The object's scalar values by key, nested objects' keys included (the first of a name wins)."""
    out = {} if out is None else out
    for key, value in obj.items():
        if isinstance(value, dict):
            flatten(value, out)
        else:
            out.setdefault(str(key), value)
    return out


def _parse(line: str):
    """(the flattened object, None) or (None, why it is not one)."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return None, f"not JSON ({printable(str(exc), 80)})"
    if not isinstance(value, dict):
        return None, f"a JSON {type(value).__name__}, not an object"
    return flatten(value), None


def _time_guess(values: List[object]):
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values):
        return (TIME_UNIX_MS if abs(float(numbers[0])) > 1e11 else TIME_UNIX), True
    return guess([str(v) for v in values if v is not None])


def detect_jsonl(path: str, lines: List[str], overrides: Optional[Dict[str, str]] = None) -> Detection:
    """The key mapping of a JSON Lines file from its first lines (the keys of every object seen, in order)."""
    keys: Dict[str, None] = {}
    objects = []
    for line in lines:
        if line.strip():
            obj, _why = _parse(line)
            if obj is not None:
                objects.append(obj)
                keys.update(dict.fromkeys(obj))
    header = list(keys)
    if not objects:
        raise BaiMeiError(
            f"{path} starts like JSON Lines but none of its first {len(lines)} lines is a JSON object "
            f"(line 1: {printable(lines[0] if lines else '', 80)!r}): expected one object per line, "
            'such as {"mmsi": 123456789, "timestamp": "2021-07-01T18:51:51Z", "lat": 38.7, "lon": 125.4}.'
        )
    mapping = auto_mapping(header)
    overrides = overrides or {}
    check_overrides(path, header, overrides)
    mapping.columns.update(overrides)
    missing = mapping.missing_required()
    if missing:
        expected = "; ".join(f"{name}: one of {', '.join(SYNONYMS[name][:4])}" for name in missing)
        raise BaiMeiError(
            f"No key for {', '.join(missing)} in the JSON Lines file {path}: expected {expected}. "
            f"Keys found: {printable(', '.join(header))}. Give the keys in the column fields."
        )
    found, confident = _time_guess([o.get(mapping.get("time")) for o in objects if o.get(mapping.get("time"))])
    mapping.time_format = found or TIME_ISO
    notes = ["JSON Lines: keys matched by name"]
    if not found:
        notes.append("the time format could not be told from the first lines; choose it")
    return Detection(AisFormat.JSONL, header, mapping, confident, notes)


def read_jsonl(
    path: str,
    detection: Detection,
    progress: Progress = None,
    is_canceled: IsCanceled = None,
    info: Optional[SourceInfo] = None,
) -> RawRead:
    """Read a JSON Lines file described by ``detection`` into uncleaned columns."""
    info = info or inspect(path)
    wanted = _wanted(detection)
    ((values, rows, bad, _lines, _fraction),) = _blocks(info, wanted, 0, progress, is_canceled)
    if rows == 0:
        raise _no_object(path, bad)
    return _raw_read(values, wanted, detection, rows, len(bad), info, _malformed_example(bad, len(bad)))


class JsonlBlocks:
    """A JSON Lines file read in blocks of about ``block_bytes`` of text, for the bucketed read: iterating gives
    (RawRead, lines, fraction of the file read) for each block, its rows numbered from the block's start and no
    example of its malformed lines; ``malformed_example`` is the file's (its first bad lines, numbered in the file),
    as the one-pass read gives it, once every block is read. A file without any JSON object raises as read_jsonl."""

    def __init__(self, info: SourceInfo, detection: Detection, block_bytes: int, is_canceled: IsCanceled = None):
        self.info, self.detection, self.block_bytes, self.is_canceled = info, detection, block_bytes, is_canceled
        self.bad: List[tuple] = []  # the first BAD_LINES_NAMED + 1 malformed lines
        self.malformed = 0

    def __iter__(self):
        wanted = _wanted(self.detection)
        rows = 0
        for values, block_rows, bad, lines, fraction in _blocks(
            self.info, wanted, self.block_bytes, None, self.is_canceled
        ):
            rows += block_rows
            self.bad.extend(bad[: BAD_LINES_NAMED + 1 - len(self.bad)])
            self.malformed += len(bad)
            yield _raw_read(values, wanted, self.detection, block_rows, len(bad), self.info, None), lines, fraction
        if rows == 0:
            raise _no_object(self.info.path, self.bad)

    @property
    def malformed_example(self) -> Optional[str]:
        return _malformed_example(self.bad, self.malformed)


def _wanted(detection: Detection) -> Dict[str, str]:
    mapping = detection.mapping
    return {name: mapping.get(name) for name in REQUIRED + OPTIONAL + ("mobile_type",) if mapping.get(name)}


def _blocks(info: SourceInfo, wanted: Dict[str, str], block_bytes: int, progress: Progress, is_canceled: IsCanceled):
    """(values by column, objects, malformed lines [(line number in the file, why)], lines, fraction read) of each
    block of about ``block_bytes`` of text; one block for the whole file (even an empty one) when 0."""
    values: Dict[str, list] = {name: [] for name in wanted}
    bad: List[tuple] = []
    rows = total = size = lines = line_no = 0
    stopped: Optional[tuple] = None
    with open_utf8(info) as opened:
        try:
            for line_no, raw in enumerate(opened.stream, 1):
                if line_no % 20000 == 0:
                    if is_canceled and is_canceled():
                        raise Canceled()
                    if progress:
                        progress(opened.fraction())
                lines += 1
                size += len(raw)
                line = raw.decode("utf-8", errors="replace").strip()
                if line:
                    obj, why = _parse(line)
                    if obj is None:
                        bad.append((line_no, why))
                    else:
                        rows += 1
                        for name, key in wanted.items():
                            values[name].append(obj.get(key))
                if block_bytes and size >= block_bytes:
                    yield values, rows, bad, lines, opened.fraction()
                    total += rows
                    values, bad = {name: [] for name in wanted}, []
                    rows = size = lines = 0
                    if is_canceled and is_canceled():
                        raise Canceled()
        except STREAM_ERRORS as exc:
            stopped = (exc, total + rows, line_no)
    if stopped:
        raise damaged(info, *stopped)
    if lines or not block_bytes:
        yield values, rows, bad, lines, 1.0


def _no_object(path: str, bad: List[tuple]) -> BaiMeiError:
    where = f" (line {bad[0][0]:,} is {bad[0][1]})" if bad else ""
    return BaiMeiError(f"The JSON Lines file {path} holds no JSON object{where}.")


def _malformed_example(bad: List[tuple], count: int) -> Optional[str]:
    if not bad:
        return None
    listed = ", ".join(f"{n:,}" for n, _ in bad[:BAD_LINES_NAMED]) + (", ..." if count > BAD_LINES_NAMED else "")
    return f"line {bad[0][0]:,} is {bad[0][1]}; bad lines: {listed}"


def _raw_read(values, wanted, detection: Detection, rows: int, malformed: int, info: SourceInfo, example):
    parts = _columns(values, wanted, detection.mapping.time_format, rows)
    parts.malformed = malformed
    if example:
        parts.examples[MALFORMED] = example
    if parts.time_failure:
        column, row, value, count = parts.time_failure
        raise all_times_failed(info.name, column, detection.mapping.time_format, row, value, count)
    raw_read = parts.to_raw(detection)
    raw_read.format_name = FORMAT_NAME
    return raw_read


def _number(value) -> float:
    if isinstance(value, bool) or value is None:
        return np.nan
    if isinstance(value, (int, float)):
        return float(value) if abs(value) < 1e300 else np.nan
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    return np.nan


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _times(raw: list, time_format: str) -> np.ndarray:
    """Epoch seconds: numbers as unix seconds (milliseconds when the format says so), text with ``time_format``."""
    parse = make_parser(time_format)
    scale = 1000.0 if time_format == TIME_UNIX_MS else 1.0
    cache: Dict[str, Optional[int]] = {}
    out = np.full(len(raw), MISSING_TIME, dtype=np.int64)
    for i, value in enumerate(raw):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = value / scale
            if np.isfinite(seconds) and abs(seconds) < UNIX_LIMIT:
                out[i] = int(seconds // 1)
        elif isinstance(value, str):
            if value not in cache:
                cache[value] = parse(value)
            if cache[value] is not None:
                out[i] = cache[value]
    return out


def _columns(values: Dict[str, list], wanted: Dict[str, str], time_format: str, n: int) -> ColumnParts:
    parts = ColumnParts(n)
    for name, raw in values.items():
        source = wanted[name]
        present = np.array([_present(v) for v in raw], dtype=bool)
        if name in TEXT:
            unique: Dict[str, int] = {}
            codes = np.array([unique.setdefault(str(v), len(unique)) if v is not None else -1 for v in raw])
            parts.text[name], _bad = text_column(codes.astype(np.int64), list(unique))
            continue
        if name == "time":
            parts.t = _times(raw, time_format)
            parsed = parts.t != MISSING_TIME
            parts.check_times(source, present, parsed, raw.__getitem__)
        else:
            arr = np.array([_number(v) for v in raw], dtype=np.float64)
            if name == "mmsi":
                parts.mmsi, parsed = mmsi_from_numbers(arr, ~np.isnan(arr))
            elif name in NUMERIC:
                parts.numeric[name], parsed = finite(arr, ~np.isnan(arr))
            else:
                continue
        parts.mark_bad(name, source, present & ~parsed, raw.__getitem__)
    return parts
