"""One entry point for every AIS file format: detect, read, clean."""

from __future__ import annotations

import copy
from typing import Dict, Iterable, Optional

from ..errors import BaiMeiError
from .clean import clean
from .csv_reader import IsCanceled, Progress, read_csv
from .formats import REQUIRED, AisFormat, Detection, mapping_for
from .model import CleanResult


def read_ais(path: str, fmt: AisFormat = AisFormat.AUTO, columns: Optional[Dict[str, Optional[str]]] = None,
             time_format: Optional[str] = None, progress: Progress = None, is_canceled: IsCanceled = None,
             backend: Optional[str] = None, fields: Optional[Iterable[str]] = None) -> CleanResult:
    """Read ``path`` (format detected from its first lines unless given), clean it and sort it by MMSI and time.

    ``columns`` overrides the detected source column of any Bai Mei column (``mmsi``, ``time``, ``lat``...).
    ``fields`` limits the optional columns read (e.g. ``GAP_FIELDS``); the others come back empty. Reading fewer
    columns is faster on big files. Raises BaiMeiError with a message naming the file and what was wrong.
    """
    detection = only_fields(mapping_for(path, AisFormat(fmt), columns, time_format), fields)
    return clean(read_detected(path, detection, progress, is_canceled, backend)).require_reports(path)


def only_fields(detection: Detection, fields: Optional[Iterable[str]]) -> Detection:
    """The detection with optional columns outside ``fields`` unmapped (the required ones are always read)."""
    if fields is None:
        return detection
    keep = set(REQUIRED) | set(fields) | {"mobile_type"}
    narrowed = copy.deepcopy(detection)
    narrowed.mapping.columns = {k: (v if k in keep else None) for k, v in detection.mapping.columns.items()}
    return narrowed


def read_detected(path: str, detection: Detection, progress: Progress = None, is_canceled: IsCanceled = None,
                  backend: Optional[str] = None):
    if detection.format == AisFormat.NMEA:
        from .nmea import read_nmea

        return read_nmea(path, progress=progress, is_canceled=is_canceled)
    try:
        return read_csv(path, detection, progress, is_canceled, backend)
    except UnicodeDecodeError as exc:  # the header itself is not text
        raise BaiMeiError(f"The AIS file {path} is not a text file the reader understands ({exc.reason}).") from exc
