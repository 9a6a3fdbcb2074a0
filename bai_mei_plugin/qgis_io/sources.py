"""QGIS layers -> core inputs: a point layer of AIS reports to columns (land layers: see land.py)."""

from __future__ import annotations

from typing import Callable, Dict, Optional

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsProject,
    QgsWkbTypes,
)

from ..core.ais.clean import clean
from ..core.ais.formats import TIME_ISO, auto_mapping, guess_time_format
from ..core.ais.model import MISSING_MMSI, MISSING_TIME, UNPARSEABLE, AisColumns, CleanResult, RawRead, TextColumn
from ..core.ais.timeparse import make_parser
from ..core.errors import BaiMeiError, Canceled
from .layers import epoch_seconds

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
OPTIONAL_NUMERIC = ("sog", "cog", "heading", "draught")
OPTIONAL_TEXT = ("vessel_name", "imo", "callsign", "vessel_type", "destination")


def _to_float(value) -> float:
    if not _present(value):
        return np.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _to_seconds(value, parse_text: Callable[[str], Optional[int]]) -> Optional[int]:
    if not _present(value):
        return None
    seconds = epoch_seconds(value)
    if seconds is not None:
        return seconds
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.strip():
        return parse_text(value)
    if hasattr(value, "toString") and hasattr(value, "isValid"):  # QDate or other Qt value
        return parse_text(value.toString("yyyy-MM-ddTHH:mm:ss")) if value.isValid() else None
    return None


def columns_from_source(
    source, mmsi_field: str, time_field: str, feedback=None, fields: Optional[Dict[str, str]] = None
) -> CleanResult:
    """Read AIS reports from a point feature source (layer or Processing source) into cleaned columns.

    Other columns (SOG, draught, name, destination...) are taken from fields with the usual names when present.
    """
    names = source.fields().names()
    for wanted in (mmsi_field, time_field):
        if wanted not in names:
            raise BaiMeiError(f"The layer has no field {wanted!r}. Fields found: {', '.join(names)}.")
    if QgsWkbTypes.geometryType(source.wkbType()) != QgsWkbTypes.GeometryType.PointGeometry:
        raise BaiMeiError("The AIS layer must be a point layer.")
    mapping = auto_mapping(names).columns
    mapping.update(fields or {})
    optional = {name: mapping.get(name) for name in OPTIONAL_NUMERIC + OPTIONAL_TEXT if mapping.get(name)}
    wanted = [mmsi_field, time_field, *optional.values()]
    request = QgsFeatureRequest().setSubsetOfAttributes(wanted, source.fields())
    transform = None
    if source.sourceCrs().isValid() and source.sourceCrs() != WGS84:
        transform = QgsCoordinateTransform(source.sourceCrs(), WGS84, QgsProject.instance())

    total = max(1, source.featureCount())
    mmsi, times, time_present, lon, lat = [], [], [], [], []
    numeric = {name: [] for name in optional if name in OPTIONAL_NUMERIC}
    text = {name: [] for name in optional if name in OPTIONAL_TEXT}
    parse_text = None
    for k, feature in enumerate(source.getFeatures(request)):
        if k % 5000 == 0 and feedback is not None:
            if feedback.isCanceled():
                raise Canceled()
            feedback.setProgress(50.0 * k / total)
        raw_time = feature[time_field]
        if parse_text is None and isinstance(raw_time, str) and raw_time.strip():
            parse_text = make_parser(guess_time_format([raw_time]) or TIME_ISO)
        mmsi.append(feature[mmsi_field])
        times.append(_to_seconds(raw_time, parse_text or make_parser(TIME_ISO)))
        time_present.append(_present(raw_time))
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            lon.append(np.nan)
            lat.append(np.nan)
        else:
            point = geometry.asPoint() if not geometry.isMultipart() else geometry.asMultiPoint()[0]
            if transform is not None:
                point = transform.transform(point)
            lon.append(point.x())
            lat.append(point.y())
        for name, values in numeric.items():
            values.append(_to_float(feature[optional[name]]))
        for name, values in text.items():
            value = feature[optional[name]]
            values.append(str(value) if _present(value) else None)

    n = len(mmsi)
    mmsi_values = np.array([_to_float(v) for v in mmsi], dtype=np.float64)
    bad_mmsi = np.isnan(mmsi_values) & np.array([_present(v) for v in mmsi], dtype=bool)
    time_values = np.array([MISSING_TIME if v is None else v for v in times], dtype=np.int64)
    bad_time = (time_values == MISSING_TIME) & np.array(time_present, dtype=bool)
    columns = AisColumns.build(
        np.where(np.isnan(mmsi_values), MISSING_MMSI, np.nan_to_num(mmsi_values)).astype(np.int64),
        time_values,
        lon,
        lat,
        **{name: np.array(values, dtype=np.float64) for name, values in numeric.items()},
        **{name: TextColumn.from_strings(values) for name, values in text.items()},
    )
    raw = RawRead(
        columns=columns,
        rows_read=n,
        unparseable=bad_mmsi | bad_time,
        not_vessel=np.zeros(n, bool),
        format_name="QGIS layer",
    )
    if raw.unparseable.any():
        raw.examples[UNPARSEABLE] = f"feature {int(np.argmax(raw.unparseable)) + 1}"
    return clean(raw).require_reports("the layer")


def _present(value) -> bool:
    """Whether a field value is there at all (to tell a missing time from an unparseable one)."""
    if value is None:
        return False
    if hasattr(value, "isNull") and value.isNull():
        return False
    return not (isinstance(value, str) and not value.strip())
