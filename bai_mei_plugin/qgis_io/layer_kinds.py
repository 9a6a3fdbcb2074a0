"""Layer kinds (core/layer_kinds.py) in QGIS: their fields and geometry types, and a layer's kind recognised from
its fields. Records <-> features: records.py; styles and time: styles.py."""

from __future__ import annotations

from typing import Optional, Union

from qgis.core import QgsFields, QgsWkbTypes

from ..core.layer_kinds import LayerKind, layer_kind, recognise
from .compat import field

KindRef = Union[LayerKind, str]

# field type -> type name (the QGIS field type: compat.field_type, which depends on the QGIS version)
TYPE_NAMES = {
    "int": "integer",
    "int64": "int8",
    "float": "double",
    "str": "string",
    "datetime": "datetime",
    "bool": "boolean",
}
WKB_TYPES = {
    "Point": QgsWkbTypes.Type.Point,
    "LineString": QgsWkbTypes.Type.LineString,
    "LineStringM": QgsWkbTypes.Type.LineStringM,
    "MultiPolygon": QgsWkbTypes.Type.MultiPolygon,
    "NoGeometry": QgsWkbTypes.Type.NoGeometry,
}


def kind_of(kind: KindRef) -> LayerKind:
    return kind if isinstance(kind, LayerKind) else layer_kind(kind)


def kind_fields(kind: KindRef) -> QgsFields:
    """The QGIS fields of a kind, in its order."""
    fields = QgsFields()
    for spec in kind_of(kind).fields:
        fields.append(field(spec.name, spec.type, TYPE_NAMES[spec.type]))
    return fields


def wkb_type(kind: KindRef):
    return WKB_TYPES[kind_of(kind).geometry]


def memory_uri(kind: KindRef) -> str:
    """The geometry part of a memory layer URI for the kind ("Point", "LineStringM", "None")."""
    geometry = kind_of(kind).geometry
    return "None" if geometry == "NoGeometry" else geometry


def recognised_kind(layer) -> Optional[str]:
    """The kind of a vector layer, from the fields only that kind has (layer names change; fields do not)."""
    return recognise(layer.fields().names())
