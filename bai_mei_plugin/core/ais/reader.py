"""One entry point for every AIS file format: check, detect, estimate the memory, read, clean."""

from __future__ import annotations

import copy
from typing import Dict, Iterable, Optional, Tuple, Union

from ..errors import BaiMeiError
from . import memory
from .clean import clean, default_time_window
from .csv_reader import IsCanceled, Progress, have_pyarrow, read_csv
from .formats import REQUIRED, AisFormat, Detection, mapping_for, read_head
from .model import CleanResult
from .source import SourceInfo, inspect, text_size

TimeWindow = Optional[Tuple[int, int]]
DEFAULT_WINDOW = "default"  # read_ais(time_window=...): 1990-01-01 to now + 1 day, see clean.default_time_window


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

    ``columns`` overrides the detected source column of any Bai Mei column (``mmsi``, ``time``, ``lat``...).
    ``fields`` limits the optional columns read (e.g. ``GAP_FIELDS``); the others come back empty. Reading fewer
    columns is faster on big files. ``time_window`` (earliest, latest) epoch seconds: reports outside are dropped
    and counted (default 1990-01-01 to now + 1 day; None keeps every time). Before reading, the memory the read
    needs is estimated and a read that would not fit is refused with advice (``check_memory=False`` or the
    environment variable BAI_MEI_SKIP_MEMORY_CHECK=1 skips the check; a MemoryError still becomes that advice);
    ``extra_bytes_per_row`` is what the caller will add per report afterwards (the dock's points layer).
    Raises BaiMeiError with a message naming the file and what was wrong.
    """
    info = inspect(path)
    detection = only_fields(mapping_for(path, AisFormat(fmt), columns, time_format), fields)
    if detection.format != AisFormat.NMEA and backend is None:
        backend = "arrow" if have_pyarrow() else "stdlib"
    found = memory_estimate(info, detection, backend, fields is not None, extra_bytes_per_row)
    if not memory.skipped(check_memory):
        memory.require(found)
    window = default_time_window() if time_window == DEFAULT_WINDOW else time_window
    try:
        return clean(read_detected(path, detection, progress, is_canceled, backend, info), window).require_reports(path)
    except MemoryError:
        pass  # raised below, outside the handler, so the failed frames and their arrays are freed first
    raise BaiMeiError(found.message(failed=True), "MemoryError while reading")


def memory_estimate(
    info: SourceInfo, detection: Detection, backend: Optional[str], few_fields: bool, extra_per_row: int = 0
) -> memory.Estimate:
    reader = "nmea" if detection.format == AisFormat.NMEA else backend
    return memory.estimate(
        info,
        read_head(info.path, 200),
        reader,
        few_fields,
        text_size(info),
        can_use_arrow=reader == "stdlib",
        extra_per_row=extra_per_row,
    )


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
    try:
        return read_csv(path, detection, progress, is_canceled, backend, info)
    except UnicodeDecodeError as exc:  # the header itself is not text
        raise BaiMeiError(f"The AIS file {path} is not a text file the reader understands ({exc.reason}).") from exc
