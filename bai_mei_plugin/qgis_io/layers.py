"""UTC times <-> QDateTime, the AIS columns as point features (column by column, for speed) and the line
geometries of gaps and tracks. Other records <-> features: records.py."""

from __future__ import annotations

import math
import struct
from typing import Iterator, List, Optional

import numpy as np
from qgis.core import QgsFeature, QgsFields, QgsGeometry, QgsPointXY
from qgis.PyQt.QtCore import QDateTime, Qt

from ..core.ais.model import AisColumns
from ..core.layer_kinds import POINTS


def utc(seconds: Optional[int]) -> Optional[QDateTime]:
    """A UTC QDateTime from epoch seconds (``None`` stays ``None``)."""
    if seconds is None:
        return None
    return QDateTime.fromSecsSinceEpoch(int(seconds), Qt.TimeSpec.UTC)


def epoch_seconds(value) -> Optional[int]:
    """Epoch seconds from a QDateTime field value; a time without zone is read as UTC (AIS times are UTC)."""
    if isinstance(value, QDateTime):
        if not value.isValid():
            return None
        if value.timeSpec() == Qt.TimeSpec.LocalTime:
            value = QDateTime(value.date(), value.time(), Qt.TimeSpec.UTC)
        return value.toSecsSinceEpoch()
    return None


def _nan_to_none(values: np.ndarray) -> List[Optional[float]]:
    return [None if math.isnan(v) else v for v in values.tolist()]


def _point_columns(cols: AisColumns, sl: slice) -> dict:
    """Field name -> the values of rows ``sl`` of the columns, as the points layer stores them."""
    return {
        "mmsi": cols.mmsi[sl].tolist(),
        "timestamp": [utc(t) for t in cols.t[sl].tolist()],
        "sog": _nan_to_none(cols.sog[sl]),
        "cog": _nan_to_none(cols.cog[sl]),
        "heading": _nan_to_none(cols.heading[sl]),
        "vessel_name": cols.vessel_name.take(sl).to_list(),
        "imo": cols.imo.take(sl).to_list(),
        "callsign": cols.callsign.take(sl).to_list(),
        "vessel_type": cols.vessel_type.take(sl).to_list(),
        "draught": _nan_to_none(cols.draught[sl]),
        "destination": cols.destination.take(sl).to_list(),
    }


def point_features(cols: AisColumns, fields: QgsFields, start: int = 0, stop: Optional[int] = None) -> Iterator:
    """Point features for rows [start, stop) of the columns, in the order of the points kind's fields."""
    stop = len(cols) if stop is None else stop
    sl = slice(start, stop)
    by_name = _point_columns(cols, sl)
    columns = [by_name[name] for name in POINTS.names]
    lons, lats = cols.lon[sl].tolist(), cols.lat[sl].tolist()
    for k, attrs in enumerate(zip(*columns)):
        feature = QgsFeature(fields)
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lons[k], lats[k])))
        feature.setAttributes(list(attrs))
        yield feature


def unwrapped_lon(reference: float, lon: float) -> float:
    """``lon`` shifted by 360 degrees when that draws the shorter line from ``reference`` (antimeridian)."""
    if lon - reference > 180.0:
        return lon - 360.0
    if reference - lon > 180.0:
        return lon + 360.0
    return lon


_LINESTRING_M = struct.pack("<BI", 1, 2002)  # little-endian ISO WKB LineString M


def linestring_m_wkb(lon: np.ndarray, lat: np.ndarray, t: np.ndarray) -> bytes:
    """ISO WKB of a LineString M (M = epoch seconds), longitudes unwrapped across the antimeridian."""
    if len(lon) > 1 and np.abs(np.diff(lon)).max() > 180.0:
        lon = np.degrees(np.unwrap(np.radians(lon)))
    coords = np.empty((len(lon), 3), dtype="<f8")
    coords[:, 0], coords[:, 1], coords[:, 2] = lon, lat, t
    return _LINESTRING_M + struct.pack("<I", len(lon)) + coords.tobytes()
