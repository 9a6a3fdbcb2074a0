"""Plain core records (dataclasses) -> QGIS fields and features, from a declared schema.

A schema is a sequence of ``(field name, kind)`` with kind one of ``int``, ``int64``, ``float``, ``str``,
``datetime`` (epoch seconds in the record, a UTC QDateTime in the layer) and ``bool``. The record attribute has the
field's name unless a getter is given as a third element.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Iterator, Optional, Sequence

from qgis.core import QgsFeature, QgsField, QgsFields, QgsGeometry, QgsPointXY
from qgis.PyQt.QtCore import QVariant

from .layers import utc

_KINDS = {
    "int": (QVariant.Int, "integer"),
    "int64": (QVariant.LongLong, "int8"),
    "float": (QVariant.Double, "double"),
    "str": (QVariant.String, "string"),
    "datetime": (QVariant.DateTime, "datetime"),
    "bool": (QVariant.Bool, "boolean"),
}


def schema_fields(schema: Sequence[tuple]) -> QgsFields:
    fields = QgsFields()
    for entry in schema:
        name, kind = entry[0], entry[1]
        qtype, type_name = _KINDS[kind]
        fields.append(QgsField(name, qtype, type_name))
    return fields


def _convert(kind: str, value):
    if value is None:
        return None
    if kind == "datetime":
        return utc(value)
    if kind == "float":
        value = float(value)
        return None if math.isnan(value) else value
    if kind in ("int", "int64"):
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def record_features(
    records: Iterable, schema: Sequence[tuple], fields: QgsFields, geometry: Callable[[object], Optional[QgsGeometry]]
) -> Iterator[QgsFeature]:
    """Features for ``records``; ``geometry(record)`` gives each one's geometry (None for none)."""
    getters = []
    for entry in schema:
        name, kind = entry[0], entry[1]
        getter = entry[2] if len(entry) > 2 else (lambda r, n=name: getattr(r, n, None))
        getters.append((kind, getter))
    for record in records:
        feature = QgsFeature(fields)
        shape = geometry(record)
        if shape is not None:
            feature.setGeometry(shape)
        feature.setAttributes([_convert(kind, getter(record)) for kind, getter in getters])
        yield feature


def point_of(lon_attr: str = "lon", lat_attr: str = "lat") -> Callable[[object], QgsGeometry]:
    def make(record) -> QgsGeometry:
        return QgsGeometry.fromPointXY(QgsPointXY(getattr(record, lon_attr), getattr(record, lat_attr)))

    return make


def shapely_geometry(shape) -> Optional[QgsGeometry]:
    """A QGIS geometry from a shapely one (through WKB); None for an empty or missing shape."""
    if shape is None or shape.is_empty:
        return None
    geometry = QgsGeometry()
    geometry.fromWkb(shape.wkb)
    return geometry
