"""Bigger than memory: AIS reports read in blocks and spilled into MMSI-hash buckets on disk, then cleaned bucket
by bucket, so that their gaps are found in bounded memory.

What can be read this way: a CSV file of any size (read in blocks of lines), and a dataset of several files (a
folder, a pattern, a zip of several: a month of daily files) whose files are each either small enough to read whole,
in any format, or CSV files read in blocks. The files are read in the order ``read_ais`` reads them.

Every cleaning rule that spans rows (duplicates by MMSI and time, conflicting positions, the evidence of invalid
MMSIs) looks at one vessel at a time, and a vessel's reports all fall into one bucket in the order they were read,
so each bucket cleaned on its own drops exactly what the one-pass ``clean`` drops. The rules that look at the whole
file are settled during the spill: rows without MMSI or time (and whether the file "carries no times", a share of
the whole file), and the first report outside the time window (the example the summary gives).

    plan = bucket_plan(path)          # None: the reports fit in memory, read_ais as usual
    reports = spill(plan, ...)        # BucketedReports: cleaned buckets in a temporary folder
    for columns in reports.buckets(): # sorted by MMSI then time, one bucket at a time
    reports.close()                   # the folder removed (also when the object is collected or Python exits)

Buckets are .npz files of plain arrays (no pickle); text columns are stored as UTF-8 bytes with offsets.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..errors import BaiMeiError, Canceled
from . import memory
from .clean import (
    NO_TIMES_SHARE,
    Conflicts,
    InvalidMmsi,
    _invalid_example,
    _utc,
    clean,
    conflict_text,
    default_time_window,
    invalid_mmsi_mask,
    sort_order,
    window_text,
)
from .formats import AisFormat
from .model import (
    CONFLICTING_DUPLICATE,
    DROP_REASONS,
    INVALID_MMSI,
    MALFORMED,
    MISSING_ID_TIME,
    MISSING_MMSI,
    MISSING_TIME,
    NO_TIMES,
    TIME_OUT_OF_RANGE,
    UNPARSEABLE,
    AisColumns,
    RawRead,
    TextColumn,
)
from .source import inspect, size_text, text_size

Progress = Optional[Callable[[float], None]]
IsCanceled = Optional[Callable[[], bool]]

# One block read, and one bucket cleaned and searched, should each take about this share of the available memory.
BUDGET_SHARE = 0.25
# Buckets are filled unevenly (a hash of MMSIs, vessels with many reports): room for the fullest one.
SKEW = 1.5
# Bytes a report takes on disk in a bucket: MMSI, time, lon, lat, SOG, draught (8 B each), the not-a-vessel flag and
# two text codes (4 B each), plus the text values; and once more while a bucket is cleaned beside its raw blocks.
DISK_BYTES_PER_ROW = 80
DISK_SLACK = 1.2
# An NMEA file's decoded position reports wait on disk until its static reports are all read (nmea.NmeaBlocks):
# order, MMSI, time, lon, lat, SOG, COG, heading (8 B each) and the not-a-vessel flag.
NMEA_SPILL_BYTES = 72
NUMBERS = ("mmsi", "t", "lon", "lat", "sog", "draught")
TEXTS = ("vessel_name", "destination")
STREAMABLE = (AisFormat.MARINECADASTRE, AisFormat.DMA, AisFormat.GENERIC, AisFormat.JSONL)  # read in blocks of lines
FOLDER_PREFIX = "bai_mei_buckets_"


@dataclass
class BucketPart:
    """One file of what is read: whole (``block_bytes`` and ``block_rows`` 0), in blocks of about ``block_bytes`` of
    text (CSV, JSON Lines) or in blocks of ``block_rows`` rows (Parquet, NMEA)."""

    reader_plan: object  # reader.Plan
    name: str  # as a dataset's read names it ("" for a single file)
    block_bytes: int
    share: int  # its weight in the progress
    block_rows: int = 0


@dataclass
class BucketPlan:
    """How reports too big for memory are read: each file whole or in blocks of text, into ``buckets``."""

    path: str
    parts: List[BucketPart]
    estimate: memory.Estimate
    buckets: int
    folder: str  # where the temporary bucket folder is made
    disk_needed: int

    @property
    def block_bytes(self) -> int:
        """The largest block of text read at once from a file read in blocks (0: every file is read whole)."""
        return max(part.block_bytes for part in self.parts)

    def reason(self) -> str:
        est = self.estimate
        free = size_text(est.available) if est.available is not None else "too little"
        return (
            f"Read in {self.buckets:,} buckets on disk because {est.info.name} needs about {size_text(est.needed)} "
            f"of memory and {free} is {est.limited_by}."
        )


def bucket_plan(
    path: str,
    fmt: AisFormat = AisFormat.AUTO,
    columns: Optional[Dict[str, Optional[str]]] = None,
    time_format: Optional[str] = None,
    backend: Optional[str] = None,
    folder: Optional[str] = None,
    check_memory: bool = True,
) -> Optional[BucketPlan]:
    """None when ``path`` read with the gap columns fits in memory (use ``read_ais``); else the plan of a bucketed
    read. A file that does not fit in memory on its own and cannot be read in blocks (Parquet without pyarrow) is
    refused with the advice ``read_ais`` gives."""
    from ..gaps import GAP_FIELDS
    from .dataset import display_name, list_parts
    from .reader import dataset_estimate, part_estimates, plan, read_share

    plans = [plan(part, AisFormat(fmt), columns, time_format, backend, GAP_FIELDS) for part in list_parts(path)]
    estimates = part_estimates(plans, True)
    found = dataset_estimate(path, plans, True, estimates=estimates)
    if memory.skipped(check_memory) or found.fits:
        return None
    budget = BUDGET_SHARE * memory.SAFETY * max(found.available or 0, 1 << 20)
    block_rows = max(1000, int(budget / max(1, found.needed // max(found.rows, 1))))
    parts = []
    for p, est in zip(plans, estimates):
        by_rows = p.detection.format == AisFormat.NMEA or (
            p.detection.format == AisFormat.PARQUET and parquet_backend_is_arrow()
        )
        streamable = p.detection.format in STREAMABLE or by_rows
        if not streamable and not est.fits:
            memory.require(est)  # raises today's refusal with its advice, naming the file
        whole = est.rows <= block_rows or not streamable
        block_bytes = 0 if whole or by_rows else max(64 << 10, int(block_rows * text_size(p.info) / max(est.rows, 1)))
        name = display_name(p.path, path) if len(plans) > 1 else ""
        parts.append(BucketPart(p, name, block_bytes, read_share(p), 0 if whole or not by_rows else block_rows))
    buckets = max(2, math.ceil(SKEW * found.needed / budget))
    folder = folder or tempfile.gettempdir()
    spilled = sum(est.rows for p, est in zip(plans, estimates) if p.detection.format == AisFormat.NMEA)
    disk = int(
        DISK_SLACK
        * (found.rows * DISK_BYTES_PER_ROW + spilled * NMEA_SPILL_BYTES + max(part.block_bytes for part in parts))
    )
    return BucketPlan(path, parts, found, buckets, folder, disk)


def parquet_backend_is_arrow() -> bool:
    from .parquet import backend

    try:
        return backend() == "arrow"
    except BaiMeiError:
        return False


def check_disk(plan: BucketPlan) -> None:
    """BaiMeiError naming the folder and the sizes when its disk cannot hold the buckets."""
    try:
        free = shutil.disk_usage(plan.folder).free
    except OSError as exc:
        raise BaiMeiError(f"Cannot use the folder {plan.folder} for the buckets of {plan.path}: {exc}.") from exc
    if free < plan.disk_needed:
        raise BaiMeiError(
            f"{plan.estimate.info.name} does not fit in memory, and reading it in buckets on disk needs about "
            f"{size_text(plan.disk_needed)} in {plan.folder}, where {size_text(free)} is free: free some disk there, "
            f"or {memory.ADVICE}.",
            f"disk needed {plan.disk_needed} B, free {free} B in {plan.folder}",
        )


# --- the summary of a bucketed read (what CleanResult says of a one-pass read) -----------------------------------


@dataclass
class BucketedReports:
    """Cleaned reports in buckets on disk, with the counts a ``CleanResult`` has (merged exactly across buckets)."""

    folder: str
    buckets_count: int
    rows_read: int
    rows_kept: int
    dropped: Counter
    examples: dict
    warnings: list
    format_name: str
    invalid_mmsis: List[InvalidMmsi]
    conflicts: Optional[Conflicts]
    absent: frozenset
    reason: str
    _finalizer: object = field(default=None, repr=False)

    @property
    def rows_dropped(self) -> int:
        return sum(self.dropped.values())

    def summary_lines(self) -> list:
        lines = [f"{self.rows_read:,} rows read, {self.rows_kept:,} kept, {self.rows_dropped:,} dropped."]
        for reason in DROP_REASONS:
            count = self.dropped.get(reason, 0)
            if count:
                example = self.examples.get(reason)
                lines.append(f"  dropped {count:,}: {reason}" + (f" (e.g. {example})" if example else ""))
        lines.extend(self.warnings)
        lines.append(f"  {self.reason}")
        return lines

    def buckets(self) -> Iterator[AisColumns]:
        """Each bucket's cleaned reports, sorted by MMSI then time (buckets hold disjoint MMSIs)."""
        for k in range(self.buckets_count):
            yield _load(os.path.join(self.folder, f"clean_{k:04d}.npz"), self.absent)

    def close(self) -> None:
        """Remove the bucket folder (safe to call twice)."""
        if self._finalizer is not None:
            self._finalizer()


def _remove(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# --- the spill ---------------------------------------------------------------------------------------------------


@dataclass
class _PartCounts:
    """What the spill settles for one file, block after block (what its one-pass read would say of it)."""

    part: BucketPart
    rows_read: int = 0
    data_rows: int = 0  # well-formed rows before the current block (readers number examples by them)
    lines: int = 0  # physical lines before the current block, after the header
    warnings: list = field(default_factory=list)
    bad_optional: Counter = field(default_factory=Counter)
    bad_utf8: int = 0
    format_name: str = ""


@dataclass
class _FileCounts:
    """What the spill settles for everything read, block after block."""

    rows_read: int = 0
    malformed: int = 0
    unparseable: int = 0
    missing_mmsi: int = 0
    missing_time: int = 0
    candidates: int = 0  # rows with a parseable MMSI: the base of the "carries no times" share
    examples: dict = field(default_factory=dict)
    absent: Optional[frozenset] = None
    parts: List[_PartCounts] = field(default_factory=list)

    @property
    def format_name(self) -> str:
        names = [p.format_name for p in self.parts]
        return names[0] if len(names) == 1 else "+".join(sorted({n for n in names if n}))


def spill(
    plan: BucketPlan,
    progress: Progress = None,
    is_canceled: IsCanceled = None,
    time_window="default",
) -> BucketedReports:
    """Read ``plan``'s file in blocks into buckets, clean each bucket; the temporary folder is removed on any error
    or cancel. ``time_window`` as ``read_ais``'s."""
    check_disk(plan)
    window = default_time_window() if time_window == "default" else time_window
    folder = tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=plan.folder)
    try:
        counts = _FileCounts()
        blocks = _spill_blocks(plan, folder, counts, window, _scaled(progress, 0.0, 0.7), is_canceled)
        result = _clean_buckets(plan, folder, blocks, counts, window, _scaled(progress, 0.7, 1.0), is_canceled)
    except BaseException:  # cancel, a bad file, a full disk: nothing is left behind
        _remove(folder)
        raise
    result._finalizer = weakref.finalize(result, _remove, folder)
    if result.rows_kept == 0:
        result.close()
        raise BaiMeiError(f"No usable AIS reports in {plan.path}: {result.rows_read:,} rows read, all dropped.")
    return result


def _scaled(progress: Progress, start: float, stop: float) -> Progress:
    if progress is None:
        return None
    return lambda f: progress(start + (stop - start) * max(0.0, min(1.0, f)))


def _blocks(part: BucketPart, chunk: str, is_canceled: IsCanceled) -> Iterator[Tuple[int, float]]:
    """Write the file's lines, a block at a time, into ``chunk`` (header first); yields (lines, fraction read).

    A block ends only at a line end outside quotes (an even count of '"' so far), so a quoted line break stays in
    its row."""
    from .source import open_utf8

    info = part.reader_plan.info
    with open_utf8(info) as opened:
        stream = opened.stream
        header = stream.readline()
        out = None
        size = lines = 0
        quoted = False
        for line in stream:
            if out is None:
                out = open(chunk, "wb")
                out.write(header)
            out.write(line)
            size += len(line)
            lines += 1
            if line.count(b'"') % 2:
                quoted = not quoted
            if size >= part.block_bytes and not quoted:
                out.close()
                out = None
                yield lines, opened.fraction()
                if is_canceled and is_canceled():
                    raise Canceled()
                size = lines = 0
        if out is not None:
            out.close()
            yield lines, 1.0


def _spill_blocks(plan: BucketPlan, folder, counts: _FileCounts, window, progress, is_canceled) -> int:
    """Every file's reports into the buckets, file after file, block after block; returns the blocks written."""
    blocks = 0
    total = sum(part.share for part in plan.parts)
    done = 0
    for part in plan.parts:
        mine = _PartCounts(part)
        counts.parts.append(mine)
        whole_read = _scaled(progress, done / total, (done + part.share) / total)
        for raw, lines, fraction in _part_reads(part, folder, whole_read, is_canceled, mine, counts):
            if raw is not None:
                _count_block(raw, counts, mine, window)
                _write_block(raw, folder, blocks, plan.buckets)
                mine.data_rows += raw.rows_read - raw.malformed
                blocks += 1
            mine.lines += lines
            if progress:
                progress((done + fraction * part.share) / total)
        done += part.share
    return blocks


def _part_reads(part: BucketPart, folder: str, progress: Progress, is_canceled: IsCanceled, mine, counts):
    """A file's reads: (RawRead or None for a block of blank lines, physical lines, fraction of the file read)."""
    from .reader import read_detected

    p = part.reader_plan
    if part.block_rows and p.detection.format == AisFormat.NMEA:
        from .nmea import NmeaBlocks

        yield from NmeaBlocks(p.info, folder, part.block_rows, progress, is_canceled)
        return
    if part.block_rows:
        from .parquet import parquet_blocks

        yield from parquet_blocks(p.info, p.detection, part.block_rows, is_canceled)
        return
    if not part.block_bytes:
        yield read_detected(p.path, p.detection, progress, is_canceled, p.backend, p.info), 0, 1.0
        return
    if p.detection.format == AisFormat.JSONL:
        from .jsonl import JsonlBlocks

        blocks = JsonlBlocks(p.info, p.detection, part.block_bytes, is_canceled)
        yield from blocks
        if blocks.malformed_example:  # numbered in the file already: the blocks' reads carry none
            prefix = f"{mine.part.name}: " if mine.part.name else ""
            counts.examples.setdefault(MALFORMED, prefix + blocks.malformed_example)
        return
    chunk = os.path.join(folder, "block.csv")
    try:
        for lines, fraction in _blocks(part, chunk, is_canceled):
            raw = (
                None
                if _blank(chunk)
                else read_detected(chunk, p.detection, None, is_canceled, p.backend, inspect(chunk))
            )
            yield raw, lines, fraction
    finally:
        if os.path.exists(chunk):
            os.remove(chunk)


def _blank(chunk: str) -> bool:
    """A block of blank lines only (a file's trailing newlines): the reader would call it a file without rows."""
    with open(chunk, "rb") as handle:
        handle.readline()
        return not any(line.strip() for line in handle)


def _count_block(raw: RawRead, counts: _FileCounts, part: _PartCounts, window) -> None:
    """The counts of everything read and the first examples (numbered from the start of their file)."""
    cols = raw.columns
    counts.rows_read += raw.rows_read
    part.rows_read += raw.rows_read
    counts.malformed += raw.malformed
    part.format_name = part.format_name or raw.format_name
    counts.absent = cols.absent if counts.absent is None else counts.absent & cols.absent
    prefix = f"{part.part.name}: " if part.part.name else ""
    for reason, text in raw.examples.items():
        counts.examples.setdefault(reason, prefix + _renumbered(text, part))
    _merge_warnings(raw.warnings, part)
    unparseable = np.asarray(raw.unparseable, dtype=bool)
    no_mmsi = ~unparseable & (cols.mmsi == MISSING_MMSI)
    candidates = ~unparseable & ~no_mmsi
    no_time = candidates & (cols.t == MISSING_TIME)
    counts.unparseable += int(unparseable.sum())
    counts.missing_mmsi += int(no_mmsi.sum())
    counts.missing_time += int(no_time.sum())
    counts.candidates += int(candidates.sum())
    if window is not None and TIME_OUT_OF_RANGE not in counts.examples:
        kept = candidates & ~no_time & ~invalid_mmsi_mask(cols.mmsi)
        outside = kept & ((cols.t < window[0]) | (cols.t > window[1]))
        if outside.any():
            first = cols.t[int(np.argmax(outside))]
            counts.examples[TIME_OUT_OF_RANGE] = f"{_utc(first)} is outside {window_text(window)}"


_NUMBERED = re.compile(r"^(row|line) (\d{1,3}(?:,\d{3})+|\d+)")


def _renumbered(text: str, part: _PartCounts) -> str:
    """A reader's example numbered within its block, numbered within the file: rows (well-formed data rows) for
    values, lines (the header is line 1 in both) for malformed rows."""
    match = _NUMBERED.match(text)
    if match is None:
        return text
    shift = part.lines if match.group(1) == "line" else part.data_rows
    number = int(match.group(2).replace(",", "")) + shift
    return f"{match.group(1)} {number:,}" + text[match.end() :]


_BAD_OPTIONAL = re.compile(r"^ +([\d,]+) unreadable values in column (.+) were set to NULL \(rows kept\)\.$")
_BAD_UTF8 = re.compile(r"^ +([\d,]+) distinct text values were not valid UTF-8")


def _merge_warnings(warnings: List[str], counts: _PartCounts) -> None:
    """Per-block warnings summed over the file; notes naming the block file name the file instead."""
    for line in warnings:
        bad = _BAD_OPTIONAL.match(line)
        utf8 = _BAD_UTF8.match(line)
        if bad:
            counts.bad_optional[bad.group(2)] += int(bad.group(1).replace(",", ""))
        elif utf8:
            counts.bad_utf8 += int(utf8.group(1).replace(",", ""))
        else:
            line = line.replace("block.csv", counts.part.reader_plan.info.name)
            if line not in counts.warnings:
                counts.warnings.append(line)


def _final_warnings(counts: _FileCounts) -> List[str]:
    """The warnings of everything read, as the one-pass read gives them (a dataset's: file by file)."""
    if len(counts.parts) == 1:
        return _part_warnings(counts.parts[0])
    lines = [f"  Read {len(counts.parts):,} files as one dataset:"]
    for part in counts.parts:
        lines.append(f"    {part.part.name}: {part.rows_read:,} rows ({part.format_name})")
        lines.extend(f"  {part.part.name}: {w.strip()}" for w in _part_warnings(part))
    return lines


def _part_warnings(counts: _PartCounts) -> List[str]:
    lines = list(counts.warnings)
    for source, count in counts.bad_optional.items():
        lines.append(f"  {count:,} unreadable values in column {source} were set to NULL (rows kept).")
    if counts.bad_utf8:
        # counted per block: a bad value repeated in several blocks is counted in each (the one-pass read counts it
        # once), so this line may say more than the one-pass read would
        lines.append(
            f"  {counts.bad_utf8:,} text values (distinct within each block read) were not valid UTF-8; their bad "
            "bytes are shown as \ufffd."
        )
    return lines


def bucket_of(mmsi: np.ndarray, buckets: int) -> np.ndarray:
    """The bucket of each MMSI: a multiplicative hash, so that MMSIs sharing their last digits still spread."""
    mixed = (mmsi.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(33)
    return (mixed % np.uint64(buckets)).astype(np.int64)


def _write_block(raw: RawRead, folder: str, block: int, buckets: int) -> None:
    """The block's rows that have an MMSI and a time, each into its MMSI's bucket, in the order read."""
    cols = raw.columns
    ok = ~np.asarray(raw.unparseable, dtype=bool) & (cols.mmsi != MISSING_MMSI) & (cols.t != MISSING_TIME)
    rows = np.flatnonzero(ok)
    owner = bucket_of(cols.mmsi[rows], buckets)
    order = np.argsort(owner, kind="stable")
    rows, owner = rows[order], owner[order]
    bounds = np.searchsorted(owner, np.arange(buckets + 1))
    not_vessel = np.asarray(raw.not_vessel, dtype=bool)
    for k in range(buckets):
        part = rows[bounds[k] : bounds[k + 1]]
        if len(part) == 0:
            continue
        arrays = {name: getattr(cols, name)[part] for name in NUMBERS}
        arrays["not_vessel"] = not_vessel[part]
        for name in TEXTS:
            arrays.update(_text_arrays(name, getattr(cols, name), part))
        np.savez(os.path.join(folder, f"raw_{k:04d}_{block:06d}.npz"), **arrays)


def _text_arrays(name: str, column: TextColumn, rows: np.ndarray) -> dict:
    """A text column's rows as codes into the values they use, the values as UTF-8 bytes and offsets."""
    codes = column.codes[rows]
    used, inverse = np.unique(codes, return_inverse=True)
    present = used >= 0
    values = [column.values[c].encode("utf-8") for c in used[present].tolist()]
    new_codes = np.where(codes >= 0, inverse.reshape(-1) - int((~present).sum()), -1).astype(np.int32)
    offsets = np.cumsum([0] + [len(v) for v in values], dtype=np.int64)
    data = np.frombuffer(b"".join(values), dtype=np.uint8)
    return {f"{name}.codes": new_codes, f"{name}.bytes": data, f"{name}.offsets": offsets}


def _text_column(parts: List[dict], name: str) -> TextColumn:
    values: List[str] = []
    codes = []
    for arrays in parts:
        raw = arrays[f"{name}.bytes"].tobytes()
        offsets = arrays[f"{name}.offsets"].tolist()
        own = arrays[f"{name}.codes"]
        codes.append(np.where(own >= 0, own + len(values), -1))
        values.extend(raw[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:]))
    return TextColumn(np.concatenate(codes) if codes else np.zeros(0, np.int32), values)


def _columns(parts: List[dict], absent: frozenset) -> AisColumns:
    n = sum(len(p["mmsi"]) for p in parts)
    numbers = {name: np.concatenate([p[name] for p in parts]) if parts else np.zeros(0) for name in NUMBERS}
    return AisColumns(
        mmsi=numbers["mmsi"].astype(np.int64),
        t=numbers["t"].astype(np.int64),
        lon=numbers["lon"],
        lat=numbers["lat"],
        sog=numbers["sog"],
        cog=np.full(n, np.nan),
        heading=np.full(n, np.nan),
        draught=numbers["draught"],
        vessel_name=_text_column(parts, "vessel_name"),
        imo=TextColumn.empty(n),
        callsign=TextColumn.empty(n),
        vessel_type=TextColumn.empty(n),
        destination=_text_column(parts, "destination"),
        absent=absent | {"cog", "heading", "imo", "callsign", "vessel_type"},
    )


def _read_npz(path: str) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _load(path: str, absent: frozenset) -> AisColumns:
    return _columns([_read_npz(path)], absent)


def _save(path: str, cols: AisColumns) -> None:
    arrays = {name: getattr(cols, name) for name in NUMBERS}
    rows = np.arange(len(cols))
    for name in TEXTS:
        arrays.update(_text_arrays(name, getattr(cols, name), rows))
    np.savez(path, **arrays)


# --- bucket by bucket ------------------------------------------------------------------------------------------


def _clean_buckets(plan, folder, blocks: int, counts: _FileCounts, window, progress, is_canceled) -> BucketedReports:
    dropped: Counter = Counter()
    if counts.malformed:
        dropped[MALFORMED] = counts.malformed
    for reason, n in ((UNPARSEABLE, counts.unparseable), (MISSING_ID_TIME, counts.missing_mmsi)):
        if n:
            dropped[reason] += n
    examples = dict(counts.examples)
    _missing_times(counts, dropped, examples)
    absent = counts.absent or frozenset()
    invalid: List[InvalidMmsi] = []
    conflicts: List[Conflicts] = []
    kept = 0
    for k in range(plan.buckets):
        if is_canceled and is_canceled():
            raise Canceled()
        names = [os.path.join(folder, f"raw_{k:04d}_{b:06d}.npz") for b in range(blocks)]
        names = [name for name in names if os.path.exists(name)]
        parts = [_read_npz(name) for name in names]
        cols = _columns(parts, absent)
        not_vessel = np.concatenate([p["not_vessel"] for p in parts]) if parts else np.zeros(0, bool)
        del parts
        raw = RawRead(cols, 0, np.zeros(len(cols), bool), not_vessel, format_name=counts.format_name)
        cleaned = clean(raw, window, check_mmsi=True, reuse=True)  # the bucket's columns are not read again
        del raw, cols
        _save(os.path.join(folder, f"clean_{k:04d}.npz"), cleaned.columns)
        for name in names:
            os.remove(name)
        dropped.update(cleaned.dropped)
        invalid.extend(cleaned.invalid_mmsis)
        if cleaned.conflicts is not None:
            conflicts.append(cleaned.conflicts)
        kept += cleaned.rows_kept
        if progress:
            progress((k + 1) / plan.buckets)
    invalid.sort(key=lambda x: (-x.reports, x.mmsi))
    if invalid:
        examples[INVALID_MMSI] = _invalid_example(invalid)
    merged = _merge_conflicts(conflicts)
    if merged is not None:
        examples[CONFLICTING_DUPLICATE] = conflict_text(merged, int(np.argmax(merged.distance_nm)))
    return BucketedReports(
        folder=folder,
        buckets_count=plan.buckets,
        rows_read=counts.rows_read,
        rows_kept=kept,
        dropped=dropped,
        examples=examples,
        warnings=_final_warnings(counts),
        format_name=counts.format_name,
        invalid_mmsis=invalid,
        conflicts=merged,
        absent=absent | {"cog", "heading", "imo", "callsign", "vessel_type"},
        reason=plan.reason(),
    )


def _missing_times(counts: _FileCounts, dropped: Counter, examples: dict) -> None:
    """Rows without a time, under the reason the one-pass ``clean`` gives them: its share of the whole file."""
    missing, candidates = counts.missing_time, counts.candidates
    if not missing:
        return
    share = missing / candidates
    if share <= NO_TIMES_SHARE:
        dropped[MISSING_ID_TIME] += missing
        return
    percent = 100 if missing == candidates else min(int(share * 100), 99)
    examples.setdefault(
        NO_TIMES,
        f"the file carries no times on {percent} % of its reports ({missing:,} of {candidates:,}); NMEA needs "
        "tag blocks with c: times or trailing receive times, a table a time column",
    )
    dropped[NO_TIMES] += missing


def _merge_conflicts(parts: List[Conflicts]) -> Optional[Conflicts]:
    """The conflicts of every bucket in MMSI then time order, as the one-pass ``clean`` lists them (a stable sort:
    the conflicts of one MMSI and time all come from one bucket, in its order)."""
    if not parts:
        return None
    names = ("mmsi", "t", "lon_kept", "lat_kept", "lon", "lat", "distance_nm")
    joined = {name: np.concatenate([getattr(p, name) for p in parts]) for name in names}
    order = sort_order(joined["mmsi"], joined["t"])
    return Conflicts(**{name: values[order] for name, values in joined.items()})
