"""One entry point for every AIS file format: check, detect, estimate the memory, read, clean.

``path`` may name one file (plain or compressed), a zip of several files, a folder or a glob pattern: every file
is detected and read on its own, and the reads are joined into one dataset before cleaning (dataset.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple, Union

from ..errors import BaiMeiError
from . import memory
from .clean import clean, default_time_window
from .csv_reader import IsCanceled, Progress, have_pyarrow, read_csv
from .dataset import concat_reads, display_name, list_parts
from .formats import REQUIRED, AisFormat, Detection, mapping_for_file, read_head
from .model import CleanResult, RawRead
from .source import SourceInfo, inspect, text_size

TimeWindow = Optional[Tuple[int, int]]
DEFAULT_WINDOW = "default"  # read_ais(time_window=...): 1990-01-01 to now + 1 day, see clean.default_time_window


@dataclass
class Plan:
    """One file (or zip member) to read: where, what it is, and with which reader."""

    path: str
    info: SourceInfo
    detection: Detection
    backend: Optional[str]


def read_ais(
    path: str,
    fmt: AisFormat = AisFormat.AUTO,
    columns: Optional[Dict[str, Optional[str]]] = None,
    time_format: Optional[str] = None,
    progress: Progress = None,
    is_canceled: IsCanceled = None,
    backend: Optional[str] = None,
    fields: Optional[Iterable[str]] = None,
    check_memory: bool = True,
    time_window: Union[str, TimeWindow] = DEFAULT_WINDOW,
    extra_bytes_per_row: int = 0,
) -> CleanResult:
    """Read ``path`` (format detected from its first lines unless given), clean it and sort it by MMSI and time.

    ``path``: a file, a zip of several files, a folder or a glob pattern (``AIS_2023_01_*.zip``): several files are
    read as one dataset. ``columns`` overrides the detected source column of any Bai Mei column (``mmsi``, ``time``,
    ``lat``...). ``time_format``: iso, unix, unix_ms, a strptime or a Qt-style pattern. ``fields`` limits the
    optional columns read (e.g. ``GAP_FIELDS``); the others come back empty. Reading fewer columns is faster on big
    files. ``time_window`` (earliest, latest) epoch seconds: reports outside are dropped and counted (default
    1990-01-01 to now + 1 day; None keeps every time). Before reading, the memory the read needs is estimated and a
    read that would not fit is refused with advice (``check_memory=False`` or the environment variable
    BAI_MEI_SKIP_MEMORY_CHECK=1 skips the check; a MemoryError still becomes that advice); ``extra_bytes_per_row``
    is what the caller will add per report afterwards (the dock's points layer).
    Raises BaiMeiError with a message naming the file and what was wrong.
    """
    plans = [plan(part, AisFormat(fmt), columns, time_format, backend, fields) for part in list_parts(path)]
    found = dataset_estimate(path, plans, fields is not None, extra_bytes_per_row)
    if not memory.skipped(check_memory):
        memory.require(found)
    window = default_time_window() if time_window == DEFAULT_WINDOW else time_window
    try:
        with memory.small_pages():
            raw = read_plans(path, plans, progress, is_canceled)
            memory.release_free_memory()  # the blocks' converted arrays, freed: not kept under the sort's
            return clean(raw, window, check_mmsi=True, reuse=True).require_reports(path)
    except MemoryError:
        pass  # raised below, outside the handler, so the failed frames and their arrays are freed first
    raise BaiMeiError(found.message(failed=True), "MemoryError while reading")


def plan(
    part: str,
    fmt: AisFormat,
    columns: Optional[Dict[str, Optional[str]]],
    time_format: Optional[str],
    backend: Optional[str],
    fields: Optional[Iterable[str]],
) -> Plan:
    info = inspect(part)
    detection = only_fields(mapping_for_file(part, fmt, columns, time_format), fields)
    if detection.format == AisFormat.NMEA:
        backend = None
    elif detection.format in (AisFormat.JSONL, AisFormat.PARQUET):
        backend = detection.format.name.lower()
    elif backend is None:
        backend = csv_backend()
    return Plan(part, info, detection, backend)


def csv_backend() -> str:
    """The fastest CSV reader installed: pyarrow's, else the numpy reader (which hands odd files to the csv
    module's)."""
    return "arrow" if have_pyarrow() else "numpy"


def read_plans(path: str, plans: List[Plan], progress: Progress, is_canceled: IsCanceled) -> RawRead:
    """Each planned file read in turn, progress shared by size; several reads joined into one."""
    if len(plans) == 1:
        p = plans[0]
        return read_detected(p.path, p.detection, progress, is_canceled, p.backend, p.info)
    total = sum(read_share(p) for p in plans)
    done = 0
    reads = []
    for p in plans:
        share = read_share(p)
        start = done

        def part_progress(fraction: float, start=start, share=share) -> None:
            if progress:
                progress((start + fraction * share) / total)

        reads.append(read_detected(p.path, p.detection, part_progress, is_canceled, p.backend, p.info))
        done += share
    return concat_reads(reads, [display_name(p.path, path) for p in plans])


def read_share(p: Plan) -> int:
    """A planned file's weight in the progress of a dataset's read: the bytes read from disk."""
    return max(1, p.info.member_bytes or p.info.size)


def memory_estimate(
    info: SourceInfo, detection: Detection, backend: Optional[str], few_fields: bool, extra_per_row: int = 0
) -> memory.Estimate:
    reader = "nmea" if detection.format == AisFormat.NMEA else backend
    if detection.format == AisFormat.PARQUET:
        from .parquet import row_count

        return memory.estimate(
            info, [], "parquet", few_fields, rows=row_count(info) or info.size // 20, extra_per_row=extra_per_row
        )
    return memory.estimate(
        info,
        read_head(info.path, 200),
        reader,
        few_fields,
        text_size(info),
        can_use_arrow=reader in ("stdlib", "numpy"),
        extra_per_row=extra_per_row,
    )


def part_estimates(plans: List[Plan], few_fields: bool, extra_per_row: int = 0) -> List[memory.Estimate]:
    """The memory estimate of each planned file on its own."""
    return [memory_estimate(p.info, p.detection, p.backend, few_fields, extra_per_row) for p in plans]


def dataset_estimate(
    path: str,
    plans: List[Plan],
    few_fields: bool,
    extra_per_row: int = 0,
    estimates: Optional[List[memory.Estimate]] = None,
) -> memory.Estimate:
    """The memory estimate of every planned file together (one file: its own estimate); ``estimates``: the parts'
    own, when already made."""
    if estimates is None:
        estimates = part_estimates(plans, few_fields, extra_per_row)
    if len(estimates) == 1:
        return estimates[0]
    return memory.combine(SourceInfo(path, sum(p.info.size for p in plans)), estimates)


def only_fields(detection: Detection, fields: Optional[Iterable[str]]) -> Detection:
    """The detection with optional columns outside ``fields`` unmapped (the required ones are always read)."""
    if fields is None:
        return detection
    keep = set(REQUIRED) | set(fields) | {"mobile_type"}
    narrowed = copy.deepcopy(detection)
    narrowed.mapping.columns = {k: (v if k in keep else None) for k, v in detection.mapping.columns.items()}
    return narrowed


def read_detected(
    path: str,
    detection: Detection,
    progress: Progress = None,
    is_canceled: IsCanceled = None,
    backend: Optional[str] = None,
    info: Optional[SourceInfo] = None,
):
    if detection.format == AisFormat.NMEA:
        from .nmea import read_nmea

        return read_nmea(path, progress=progress, is_canceled=is_canceled)
    if detection.format == AisFormat.JSONL:
        from .jsonl import read_jsonl

        return read_jsonl(path, detection, progress, is_canceled, info)
    if detection.format == AisFormat.PARQUET:
        from .parquet import read_parquet

        return read_parquet(path, detection, progress, is_canceled, info)
    try:
        return read_csv(
            path, detection, progress, is_canceled, backend if backend in ("arrow", "numpy", "stdlib") else None, info
        )
    except UnicodeDecodeError as exc:  # the header itself is not text
        raise BaiMeiError(f"The AIS file {path} is not a text file the reader understands ({exc.reason}).") from exc
