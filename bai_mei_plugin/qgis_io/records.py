"""Core records (dataclasses) <-> QGIS features, through their layer kind (core/layer_kinds.py): values converted
by field type (``datetime``: epoch seconds in the record, a UTC QDateTime in the layer) and each kind's geometry."""

from __future__ import annotations

import dataclasses
import math
import typing
from typing import Callable, Dict, Iterable, Iterator, Optional

from qgis.core import QgsFeature, QgsFields, QgsGeometry, QgsPointXY, QgsVectorLayer

from ..core.ais.model import AisColumns
from ..core.gaps import Gap, Track
from .layer_kinds import KindRef, kind_fields, kind_of, memory_uri
from .layers import epoch_seconds, linestring_m_wkb, unwrapped_lon, utc
from .sources import _present

Geometry = Callable[[object], Optional[QgsGeometry]]


def to_qgis(field_type: str, value):
    """A record value as the layer stores it (NaN and None are NULL; times are UTC date-times)."""
    if value is None:
        return None
    if field_type == "datetime":
        return utc(value)
    if field_type == "float":
        value = float(value)
        return None if math.isnan(value) else value
    if field_type in ("int", "int64"):
        return int(value)
    if field_type == "bool":
        return bool(value)
    return str(value)


_FROM_QGIS = {"int": int, "int64": int, "float": float, "str": str, "bool": bool}


def from_qgis(field_type: str, value):
    """A field value as a record holds it: NULL and blank text are None, a time is epoch seconds, a value that
    does not convert is None."""
    if not _present(value):
        return None
    if field_type == "datetime":
        return epoch_seconds(value)
    try:
        return _FROM_QGIS[field_type](value)
    except (TypeError, ValueError):
        return None


def feature_values(feature, kind: KindRef, names) -> Dict[str, object]:
    """Every field of the kind -> its value in ``feature`` (from a layer with the fields ``names``); None when the
    layer lacks the field."""
    return {
        spec.name: from_qgis(spec.type, feature[spec.name]) if spec.name in names else None
        for spec in kind_of(kind).fields
    }


def records_of(layer, kind: KindRef) -> list:
    """The kind's records (``LayerKind.record``) read back from ``layer``'s features, as they were written: fields
    by name, ``lon``/``lat`` from the point where the layer keeps them as its geometry only."""
    spec = kind_of(kind)
    names = layer.fields().names()
    wanted = {f.name for f in dataclasses.fields(spec.record) if f.init}
    texts = {name for name, hint in typing.get_type_hints(spec.record).items() if hint is str}
    records = []
    for feature in layer.getFeatures():
        values = {k: v for k, v in feature_values(feature, spec, names).items() if k in wanted}
        values.update({k: "" for k in texts & set(values) if values[k] is None})  # "" is written as NULL
        if {"lon", "lat"} <= wanted - set(values):
            geometry = feature.geometry()
            point = geometry.asPoint() if geometry is not None and not geometry.isEmpty() else None
            values["lon"], values["lat"] = (point.x(), point.y()) if point is not None else (None, None)
        records.append(spec.record(**values))
    return records


def point_of(lon_attr: str = "lon", lat_attr: str = "lat") -> Callable[[object], QgsGeometry]:
    def make(record) -> QgsGeometry:
        return QgsGeometry.fromPointXY(QgsPointXY(getattr(record, lon_attr), getattr(record, lat_attr)))

    return make


at_lon_lat = point_of("lon", "lat")


def shapely_geometry(shape) -> Optional[QgsGeometry]:
    """A QGIS geometry from a shapely one (through WKB); None for an empty or missing shape."""
    if shape is None or shape.is_empty:
        return None
    geometry = QgsGeometry()
    geometry.fromWkb(shape.wkb)
    return geometry


def anomaly_point(anomaly) -> Optional[QgsGeometry]:
    return at_lon_lat(anomaly) if anomaly.lon is not None and anomaly.lat is not None else None


def area_geometry(area) -> Optional[QgsGeometry]:
    geometry = shapely_geometry(area.geometry)
    if geometry is not None and not geometry.isMultipart():
        geometry.convertToMultiType()
    return geometry


def gap_line(gap: Gap) -> QgsGeometry:
    """The line from the last report before the gap to the first after (the shorter way across the antimeridian)."""
    ends = [QgsPointXY(gap.off_lon, gap.off_lat), QgsPointXY(unwrapped_lon(gap.off_lon, gap.on_lon), gap.on_lat)]
    return QgsGeometry.fromPolylineXY(ends)


def no_geometry(_record) -> None:
    return None


# The geometry of each kind's records, where the record alone gives it (candidate ports: the port; footprints:
# their scene outline, in footprints.py; tracks: the reports, see track_features).
GEOMETRIES: Dict[str, Geometry] = {
    "gaps": gap_line,
    "scored_gaps": gap_line,
    "port_visits": at_lon_lat,
    "stops": at_lon_lat,
    "destinations": no_geometry,
    "encounters": at_lon_lat,
    "rendezvous": at_lon_lat,
    "anomalies": anomaly_point,
    "reach_areas": area_geometry,
    "candidates": at_lon_lat,
}


def record_features(
    records: Iterable, kind: KindRef, fields: Optional[QgsFields] = None, geometry: Optional[Geometry] = None
) -> Iterator[QgsFeature]:
    """Features of ``records`` with the kind's fields (``fields``: the layer's, the kind's by default);
    ``geometry(record)`` gives each one's geometry (None for none), the kind's (GEOMETRIES) by default."""
    kind = kind_of(kind)
    fields = kind_fields(kind) if fields is None else fields
    geometry = geometry or GEOMETRIES[kind.name]
    specs = kind.fields
    for record in records:
        feature = QgsFeature(fields)
        shape = geometry(record)
        if shape is not None:
            feature.setGeometry(shape)
        feature.setAttributes([to_qgis(spec.type, spec.value(record)) for spec in specs])
        yield feature


def gap_features(gaps: Iterable[Gap], fields: Optional[QgsFields] = None) -> Iterator[QgsFeature]:
    return record_features(gaps, "gaps", fields)


def track_features(cols: AisColumns, tracks: Iterable[Track], fields: Optional[QgsFields] = None):
    """Track segments as LineString M features (M = epoch seconds) through their reports in ``cols``."""

    def line(track: Track) -> QgsGeometry:
        sl = slice(track.start, track.stop)
        geometry = QgsGeometry()
        geometry.fromWkb(linestring_m_wkb(cols.lon[sl], cols.lat[sl], cols.t[sl]))
        return geometry

    return record_features(tracks, "tracks", fields, line)


def records_layer(kind: KindRef, name: str, records: Iterable, geometry: Optional[Geometry] = None) -> QgsVectorLayer:
    """A WGS 84 memory layer ``name`` of the kind holding ``records`` (geometry: as in ``record_features``)."""
    kind = kind_of(kind)
    layer = QgsVectorLayer(f"{memory_uri(kind)}?crs=EPSG:4326", name, "memory")
    layer.dataProvider().addAttributes(kind_fields(kind).toList())
    layer.updateFields()
    layer.dataProvider().addFeatures(list(record_features(records, kind, layer.fields(), geometry)))
    layer.updateExtents()
    return layer
