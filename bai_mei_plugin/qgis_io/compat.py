"""One spelling for the QGIS calls deprecated between QGIS 3.22 (Debian 12, the oldest QGIS the plugin supports) and
3.44 / 4.x: each helper uses the current API where QGIS has it and the old one before, so that the plugin raises no
DeprecationWarning on a new QGIS and still runs on 3.22, where the new API does not exist yet."""

from __future__ import annotations

from typing import Optional

from qgis.core import Qgis, QgsField, QgsMapLayer, QgsRectangle, QgsTextFormat
from qgis.PyQt.QtCore import QMetaType
from qgis.PyQt.QtGui import QColor, QFont

# QgsField takes and returns QMetaType.Type from QGIS 3.38 on (QVariant.Type is deprecated there and gone from Qt6).
QMETATYPE_FIELDS = Qgis.QGIS_VERSION_INT >= 33800


def _field_types() -> dict:
    if QMETATYPE_FIELDS:
        meta = QMetaType.Type
        return {
            "int": meta.Int,
            "int64": meta.LongLong,
            "float": meta.Double,
            "str": meta.QString,
            "datetime": meta.QDateTime,
            "date": meta.QDate,
            "bool": meta.Bool,
        }
    from qgis.PyQt.QtCore import QVariant  # only QGIS < 3.38 (Qt5) gets here: PyQt6 has no QVariant.Type

    return {
        "int": QVariant.Type.Int,  # qt5-only
        "int64": QVariant.Type.LongLong,  # qt5-only
        "float": QVariant.Type.Double,  # qt5-only
        "str": QVariant.Type.String,  # qt5-only
        "datetime": QVariant.Type.DateTime,  # qt5-only
        "date": QVariant.Type.Date,  # qt5-only
        "bool": QVariant.Type.Bool,  # qt5-only
    }


# The plugin's field type names (core/layer_kinds.py: "int", "str", ...) -> the type QgsField takes on this QGIS.
FIELD_TYPES = _field_types()


def field_type(kind: str):
    """The QgsField type of the plugin's type name ``kind`` ("int", "int64", "float", "str", "datetime", "date",
    "bool") on this QGIS: comparable with ``QgsField.type()``."""
    return FIELD_TYPES[kind]


def field(name: str, kind: str, type_name: str = "") -> QgsField:
    """A QgsField ``name`` of the plugin's type ``kind``, without QGIS 3.38+'s deprecated QVariant constructor."""
    return QgsField(name, field_type(kind), type_name)


def field_is(qgs_field: QgsField, *kinds: str) -> bool:
    """Whether the field's type is one of the plugin's types ``kinds``."""
    return qgs_field.type() in tuple(FIELD_TYPES[kind] for kind in kinds)


def null_rectangle() -> QgsRectangle:
    """An empty rectangle that ``combineExtentWith`` grows from the first extent (not from 0,0): ``setNull`` where
    QGIS has it (3.40 does, 3.22 not; ``setMinimal`` is deprecated by 3.40), else ``setMinimal``."""
    rectangle = QgsRectangle()
    if hasattr(rectangle, "setNull"):
        rectangle.setNull()
    else:
        rectangle.setMinimal()
    return rectangle


def save_style_to_database(layer: QgsMapLayer, name: str, description: str) -> str:
    """Store the layer's style in its own database (a GeoPackage) as its default: "" when stored, else QGIS's
    reason. ``saveStyleToDatabaseV2`` from QGIS 3.44 (the old call is deprecated there); a style QGIS cannot
    express in SLD is still stored (only the QML is needed), as the old call did."""
    save_v2 = getattr(layer, "saveStyleToDatabaseV2", None)
    if save_v2 is None:
        return layer.saveStyleToDatabase(name, description, True, "")
    results, message = save_v2(name, description, True, "")
    result = QgsMapLayer.SaveStyleResult
    if results & result.QmlGenerationFailed or results & result.DatabaseWriteFailed:
        return message or "QGIS could not store the style."
    return ""


def set_label_font(label, font: QFont, colour: Optional[QColor] = None) -> None:
    """The font (and colour) of a QgsLayoutItemLabel: a text format from QGIS 3.24, where ``setFont`` and
    ``setFontColor`` are deprecated; those two before."""
    if hasattr(label, "setTextFormat"):
        text_format = QgsTextFormat.fromQFont(font)
        text_format.setSize(font.pointSizeF())
        if colour is not None:
            text_format.setColor(colour)
        label.setTextFormat(text_format)
        return
    label.setFont(font)
    if colour is not None:
        label.setFontColor(colour)
