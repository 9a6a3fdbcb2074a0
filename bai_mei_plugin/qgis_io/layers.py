"""Core records <-> QGIS features: fields, geometries and UTC datetimes. The only place that does this conversion."""

from __future__ import annotations

import math
import struct
from typing import Iterable, Iterator, List, Optional

import numpy as np
from qgis.core import QgsFeature, QgsField, QgsFields, QgsGeometry, QgsPointXY, QgsWkbTypes
from qgis.PyQt.QtCore import QDateTime, Qt, QVariant

from ..core.ais.model import AisColumns
from ..core.gaps import Gap, Track

POINT_WKB_TYPE = QgsWkbTypes.Point
GAP_WKB_TYPE = QgsWkbTypes.LineString
TRACK_WKB_TYPE = QgsWkbTypes.LineStringM


def utc(seconds: Optional[int]) -> Optional[QDateTime]:
    """A UTC QDateTime from epoch seconds (``None`` stays ``None``)."""
    if seconds is None:
        return None
    return QDateTime.fromSecsSinceEpoch(int(seconds), Qt.UTC)


def epoch_seconds(value) -> Optional[int]:
    """Epoch seconds from a QDateTime field value; a time without zone is read as UTC (AIS times are UTC)."""
    if isinstance(value, QDateTime):
        if not value.isValid():
            return None
        if value.timeSpec() == Qt.LocalTime:
            value = QDateTime(value.date(), value.time(), Qt.UTC)
        return value.toSecsSinceEpoch()
    return None


def _field(name: str, qtype, type_name: str = "", length: int = 0) -> QgsField:
    return QgsField(name, qtype, type_name, length)


def point_fields() -> QgsFields:
    fields = QgsFields()
    fields.append(_field("mmsi", QVariant.LongLong, "int8"))
    fields.append(_field("timestamp", QVariant.DateTime, "datetime"))
    for name in ("sog", "cog", "heading"):
        fields.append(_field(name, QVariant.Double, "double"))
    for name in ("vessel_name", "imo", "callsign", "vessel_type"):
        fields.append(_field(name, QVariant.String, "string"))
    fields.append(_field("draught", QVariant.Double, "double"))
    fields.append(_field("destination", QVariant.String, "string"))
    return fields


def _nan_to_none(values: np.ndarray) -> List[Optional[float]]:
    return [None if math.isnan(v) else v for v in values.tolist()]


def point_features(cols: AisColumns, fields: QgsFields, start: int = 0, stop: Optional[int] = None) -> Iterator:
    """Point features for rows [start, stop) of the columns."""
    stop = len(cols) if stop is None else stop
    sl = slice(start, stop)
    columns = [
        cols.mmsi[sl].tolist(),
        [utc(t) for t in cols.t[sl].tolist()],
        _nan_to_none(cols.sog[sl]),
        _nan_to_none(cols.cog[sl]),
        _nan_to_none(cols.heading[sl]),
        cols.vessel_name.take(sl).to_list(),
        cols.imo.take(sl).to_list(),
        cols.callsign.take(sl).to_list(),
        cols.vessel_type.take(sl).to_list(),
        _nan_to_none(cols.draught[sl]),
        cols.destination.take(sl).to_list(),
    ]
    lons, lats = cols.lon[sl].tolist(), cols.lat[sl].tolist()
    for k, attrs in enumerate(zip(*columns)):
        feature = QgsFeature(fields)
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lons[k], lats[k])))
        feature.setAttributes(list(attrs))
        yield feature


def gap_fields() -> QgsFields:
    fields = QgsFields()
    fields.append(_field("gap_id", QVariant.String, "string"))
    fields.append(_field("mmsi", QVariant.LongLong, "int8"))
    fields.append(_field("vessel_name", QVariant.String, "string"))
    fields.append(_field("off_time", QVariant.DateTime, "datetime"))
    fields.append(_field("on_time", QVariant.DateTime, "datetime"))
    for name in (
        "gap_hours",
        "distance_nm",
        "implied_speed_kn",
        "off_lon",
        "off_lat",
        "on_lon",
        "on_lat",
        "sog_before",
        "sog_after",
        "draught_before",
        "draught_after",
    ):
        fields.append(_field(name, QVariant.Double, "double"))
    fields.append(_field("destination_before", QVariant.String, "string"))
    fields.append(_field("destination_after", QVariant.String, "string"))
    fields.append(_field("positions_12h_before", QVariant.Int, "integer"))
    fields.append(_field("off_shore_nm", QVariant.Double, "double"))
    fields.append(_field("on_shore_nm", QVariant.Double, "double"))
    return fields


def _unwrapped_lon(reference: float, lon: float) -> float:
    """``lon`` shifted by 360 degrees when that draws the shorter line from ``reference`` (antimeridian)."""
    if lon - reference > 180.0:
        return lon - 360.0
    if reference - lon > 180.0:
        return lon + 360.0
    return lon


def gap_feature(gap: Gap, fields: QgsFields) -> QgsFeature:
    feature = QgsFeature(fields)
    on_lon = _unwrapped_lon(gap.off_lon, gap.on_lon)
    ends = [QgsPointXY(gap.off_lon, gap.off_lat), QgsPointXY(on_lon, gap.on_lat)]
    feature.setGeometry(QgsGeometry.fromPolylineXY(ends))
    feature.setAttributes(
        [
            gap.gap_id,
            gap.mmsi,
            gap.vessel_name,
            utc(gap.off_time),
            utc(gap.on_time),
            gap.gap_hours,
            gap.distance_nm,
            gap.implied_speed_kn,
            gap.off_lon,
            gap.off_lat,
            gap.on_lon,
            gap.on_lat,
            gap.sog_before,
            gap.sog_after,
            gap.draught_before,
            gap.draught_after,
            gap.destination_before,
            gap.destination_after,
            gap.positions_12h_before,
            gap.off_shore_nm,
            gap.on_shore_nm,
        ]
    )
    return feature


def gap_features(gaps: Iterable[Gap], fields: QgsFields) -> Iterator[QgsFeature]:
    for gap in gaps:
        yield gap_feature(gap, fields)


def track_fields() -> QgsFields:
    fields = QgsFields()
    fields.append(_field("mmsi", QVariant.LongLong, "int8"))
    fields.append(_field("vessel_name", QVariant.String, "string"))
    fields.append(_field("segment", QVariant.Int, "integer"))
    fields.append(_field("start_time", QVariant.DateTime, "datetime"))
    fields.append(_field("end_time", QVariant.DateTime, "datetime"))
    fields.append(_field("n_points", QVariant.Int, "integer"))
    return fields


_LINESTRING_M = struct.pack("<BI", 1, 2002)  # little-endian ISO WKB LineString M


def linestring_m_wkb(lon: np.ndarray, lat: np.ndarray, t: np.ndarray) -> bytes:
    """ISO WKB of a LineString M (M = epoch seconds), longitudes unwrapped across the antimeridian."""
    if len(lon) > 1 and np.abs(np.diff(lon)).max() > 180.0:
        lon = np.degrees(np.unwrap(np.radians(lon)))
    coords = np.empty((len(lon), 3), dtype="<f8")
    coords[:, 0], coords[:, 1], coords[:, 2] = lon, lat, t
    return _LINESTRING_M + struct.pack("<I", len(lon)) + coords.tobytes()


def track_features(cols: AisColumns, tracks: Iterable[Track], fields: QgsFields) -> Iterator[QgsFeature]:
    for track in tracks:
        sl = slice(track.start, track.stop)
        geometry = QgsGeometry()
        geometry.fromWkb(linestring_m_wkb(cols.lon[sl], cols.lat[sl], cols.t[sl]))
        feature = QgsFeature(fields)
        feature.setGeometry(geometry)
        feature.setAttributes(
            [track.mmsi, track.vessel_name, track.segment, utc(track.start_time), utc(track.end_time), track.n_points]
        )
        yield feature
