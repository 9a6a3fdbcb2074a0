"""The sightings layer: a GeoPackage point table with QGIS's own form (tabs, widgets, constraints) from SIGHTING_FIELDS.

Edits are saved as they are made, so a crash loses nothing:

- ``add_sighting`` writes a new sighting straight through the data provider (committed at once, no edit buffer);
  the Annotate map tool calls it on a click and then opens the feature form on the new feature.
- The feature form edits through the layer's edit buffer (that is how QGIS forms work). ``save_edits_as_made``
  makes the layer commit each finished edit command (a form's OK, an attribute table cell) right after it ends,
  keeping the layer in edit mode, so the buffer never holds more than the edit in progress. The Annotate page
  calls ``layer.startEditing()``, ``save_edits_as_made(layer)``, then ``iface.openFeatureForm(layer, feature)``.
- ``update_sighting`` changes attributes through the data provider (committed at once), for code that does not
  go through a form.

The style (``resources/styles/sightings.qml``: symbol, the key-features label, time on ``observed_at``) and the
form are saved into the GeoPackage as its default style, so the file opens configured in any QGIS.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from typing import Dict, Optional

from qgis.core import (
    Qgis,
    QgsAttributeEditorContainer,
    QgsAttributeEditorField,
    QgsCoordinateTransformContext,
    QgsDefaultValue,
    QgsEditFormConfig,
    QgsEditorWidgetSetup,
    QgsFieldConstraints,
    QgsGeometry,
    QgsMessageLog,
    QgsPointXY,
    QgsValueMapFieldFormatter,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)
from qgis.PyQt.QtCore import QDateTime, QObject, Qt, QTimer, pyqtSlot

from ..core.errors import BaiMeiError
from ..core.sightings import FIELD_BY_NAME, FORM_TABS, SIGHTING_FIELDS, FieldSpec
from .compat import field, save_style_to_database
from .styles import apply_style

UTC_DISPLAY_FORMAT = "yyyy-MM-dd HH:mm:ss 'UTC'"
NULL_LABEL = "(not set)"
# A readable id that stays unique when two sightings are drawn within a second.
SIGHTING_ID_DEFAULT = (
    "'S-' || format_date(now(), 'yyyyMMdd-HHmmss') || '-' || substr(regexp_replace(uuid(), '[^0-9a-f]', ''), 1, 4)"
)
# core.sightings.feature_label as a QGIS expression (the label in sightings.qml): "5 hatches · 4 cranes · black hull"
SIGHTING_LABEL_EXPRESSION = (
    "coalesce(array_to_string(array_filter(array("
    'CASE WHEN "hatch_count" IS NOT NULL THEN to_string("hatch_count") || \' hatch\' || '
    "CASE WHEN \"hatch_count\" = 1 THEN '' ELSE 'es' END END, "
    'CASE WHEN "crane_count" IS NOT NULL THEN to_string("crane_count") || \' crane\' || '
    "CASE WHEN \"crane_count\" = 1 THEN '' ELSE 's' END END, "
    "CASE WHEN coalesce(\"hull_colour\", '') <> '' THEN \"hull_colour\" || ' hull' END, "
    'CASE WHEN "length_m" IS NOT NULL THEN format_number("length_m", 0) || \' m\' END'
    "), @element IS NOT NULL), ' · '), '')"
)


def _write_vector(layer, path: str, options) -> tuple:
    """QgsVectorFileWriter.writeAsVectorFormatV3 where QGIS has it (3.20+), else V2."""
    write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
    return write(layer, path, QgsCoordinateTransformContext(), options)


def gpkg_has_table(path: str, table: str) -> bool:
    if not os.path.exists(path):
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT 1 FROM gpkg_contents WHERE lower(table_name) = lower(?)", (table,)).fetchone()
    except sqlite3.Error as exc:
        raise BaiMeiError(f"{path} is not a GeoPackage QGIS can add a table to.", str(exc)) from exc
    return row is not None


def create_sightings_layer(path: str, layer_name: str = "sightings") -> QgsVectorLayer:
    """A new, empty, configured sightings table ``layer_name`` in the GeoPackage ``path`` (created if missing)."""
    if gpkg_has_table(path, layer_name):
        raise BaiMeiError(
            f"{os.path.basename(path)} already has a table named {layer_name}: choose another name "
            "or open the existing sightings layer."
        )
    template = QgsVectorLayer("Point?crs=EPSG:4326", layer_name, "memory")
    template.dataProvider().addAttributes([field(f.name, f.kind) for f in SIGHTING_FIELDS])
    template.updateFields()
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer_name
    options.actionOnExistingFile = (
        QgsVectorFileWriter.CreateOrOverwriteLayer
        if os.path.exists(path)
        else QgsVectorFileWriter.CreateOrOverwriteFile
    )
    error = _write_vector(template, path, options)
    if error[0] != QgsVectorFileWriter.NoError:
        raise BaiMeiError(f"Could not create the sightings layer in {path}.", str(error[1]))
    uri = f"{path}|layername={layer_name}"
    styled = QgsVectorLayer(uri, layer_name, "ogr")
    if not styled.isValid():
        raise BaiMeiError(f"QGIS cannot open the new sightings layer in {path}.")
    configure_sightings_layer(styled)
    message = save_style_to_database(styled, layer_name, "Bai Mei sightings: form, label and time")
    if message:
        raise BaiMeiError(f"Could not save the sightings form into {path}.", str(message))
    del styled  # QGIS 3.22: a layer that saved a style into its GeoPackage fails later queries; open it afresh
    layer = QgsVectorLayer(uri, layer_name, "ogr")
    configure_sightings_layer(layer)  # the stored style's time settings load only explicitly on QGIS 3.22
    return layer


def _value_map(spec: FieldSpec) -> QgsEditorWidgetSetup:
    entries = [{NULL_LABEL: QgsValueMapFieldFormatter.NULL_VALUE}] + [{v: v} for v in spec.values]
    return QgsEditorWidgetSetup("ValueMap", {"map": entries})


def editor_widget(spec: FieldSpec) -> QgsEditorWidgetSetup:
    """QGIS's editor widget for a sighting field: value list, range, UTC date-time or text."""
    if spec.values:
        return _value_map(spec)
    if spec.minimum is not None and spec.kind in ("int", "float"):
        integer = spec.kind == "int"
        return QgsEditorWidgetSetup(
            "Range",
            {
                "Min": spec.minimum,
                "Max": spec.maximum,
                "Step": 1 if integer else 0.5,
                "Precision": 0 if integer else 1,
                "Style": "SpinBox",
                "AllowNull": True,
            },
        )
    if spec.kind == "datetime":
        return QgsEditorWidgetSetup(
            "DateTime",
            {
                "field_format": "yyyy-MM-dd HH:mm:ss",
                "field_iso_format": False,
                "display_format": UTC_DISPLAY_FORMAT,
                "allow_null": True,
                "calendar_popup": True,
            },
        )
    return QgsEditorWidgetSetup("TextEdit", {"IsMultiline": spec.name == "notes", "UseHtml": False})


def constraint_expression(spec: FieldSpec) -> Optional[str]:
    """The expression a value of ``spec`` must satisfy (empty values are allowed), or None."""
    if spec.values:
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in spec.values)
        return f'"{spec.name}" IS NULL OR "{spec.name}" IN ({listed})'
    if spec.minimum is not None:
        return f'"{spec.name}" IS NULL OR ("{spec.name}" >= {spec.minimum:g} AND "{spec.name}" <= {spec.maximum:g})'
    return None


def _form_layout():
    form_layouts = getattr(Qgis, "AttributeFormLayout", None)  # QGIS 3.32+
    return form_layouts.DragAndDrop if form_layouts is not None else QgsEditFormConfig.TabLayout


def configure_sightings_layer(layer: QgsVectorLayer) -> None:
    """Style, widgets, constraints, default id, aliases and the tabbed form of a sightings layer."""
    apply_style(layer, "sightings")  # first: loading a style must not undo the form set up below
    fields = layer.fields()
    for spec in SIGHTING_FIELDS:
        index = fields.indexOf(spec.name)
        if index < 0:
            raise BaiMeiError(f"The layer {layer.name()} has no field {spec.name}: it is not a sightings layer.")
        layer.setFieldAlias(index, spec.label)
        layer.setEditorWidgetSetup(index, editor_widget(spec))
        expression = constraint_expression(spec)
        if expression:
            message = spec.message or f"{spec.label}: one of {', '.join(spec.values)}."
            layer.setConstraintExpression(index, expression, message)
            layer.setFieldConstraint(
                index, QgsFieldConstraints.ConstraintExpression, QgsFieldConstraints.ConstraintStrengthHard
            )
    id_index = fields.indexOf("sighting_id")
    layer.setDefaultValueDefinition(id_index, QgsDefaultValue(SIGHTING_ID_DEFAULT))
    layer.setFieldConstraint(
        id_index, QgsFieldConstraints.ConstraintNotNull, QgsFieldConstraints.ConstraintStrengthHard
    )
    layer.setFieldConstraint(id_index, QgsFieldConstraints.ConstraintUnique, QgsFieldConstraints.ConstraintStrengthHard)
    layer.setFieldConstraint(
        fields.indexOf("observed_at"), QgsFieldConstraints.ConstraintNotNull, QgsFieldConstraints.ConstraintStrengthSoft
    )  # a warning: the time may come later
    config = layer.editFormConfig()
    config.setLayout(_form_layout())
    config.clearTabs()
    for tab in FORM_TABS:
        container = QgsAttributeEditorContainer(tab, config.invisibleRootContainer())
        container_types = getattr(Qgis, "AttributeEditorContainerType", None)  # QGIS 3.32+
        if container_types is not None:
            container.setType(container_types.Tab)
        else:
            container.setIsGroupBox(False)  # containers are group boxes unless told otherwise
        for spec in (s for s in SIGHTING_FIELDS if s.tab == tab):
            container.addChildElement(QgsAttributeEditorField(spec.name, fields.indexOf(spec.name), container))
        config.addTab(container)
    layer.setEditFormConfig(config)
    layer.setDisplayExpression('"sighting_id"')


def _value(spec: FieldSpec, value):
    """A Python value as the field expects it: datetimes (aware, naive UTC or epoch seconds) as UTC QDateTime."""
    if value in (None, ""):
        return None
    if spec.kind == "datetime":
        if isinstance(value, QDateTime):
            return value
        if isinstance(value, dt.datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
        return QDateTime.fromSecsSinceEpoch(int(value), Qt.UTC)
    return {"int": int, "float": float, "str": str}[spec.kind](value)


def _by_index(layer: QgsVectorLayer, attributes: Dict[str, object]) -> Dict[int, object]:
    out = {}
    for name, value in attributes.items():
        index = layer.fields().indexOf(name)
        if index < 0 or name not in FIELD_BY_NAME:
            raise BaiMeiError(f"A sighting has no field {name}.")
        out[index] = _value(FIELD_BY_NAME[name], value)
    return out


def add_sighting(layer: QgsVectorLayer, lon: float, lat: float, attributes: Optional[Dict[str, object]] = None) -> int:
    """Add a sighting at lon/lat through the data provider (written at once) and return its feature id.

    Default values (the sighting id) are filled in; ``attributes`` maps field names to values."""
    values = _by_index(layer, attributes or {})
    feature = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(lon, lat)), values)
    fid_index = layer.fields().indexOf("fid")
    if fid_index >= 0:
        feature.setAttribute(fid_index, None)  # let the GeoPackage number it
    ok, added = layer.dataProvider().addFeatures([feature])
    if not ok:
        raise BaiMeiError("Could not save the sighting.", "; ".join(layer.dataProvider().errors()))
    layer.triggerRepaint()
    return added[0].id()


def update_sighting(layer: QgsVectorLayer, fid: int, attributes: Dict[str, object]) -> None:
    """Change a sighting's attributes through the data provider (written at once)."""
    if not layer.dataProvider().changeAttributeValues({fid: _by_index(layer, attributes)}):
        raise BaiMeiError(f"Could not save the changes to sighting {fid}.", "; ".join(layer.dataProvider().errors()))
    layer.triggerRepaint()


class _EditSaver(QObject):
    """Commits its layer's edits after each edit command; a child of the layer, so it lives and dies with it."""

    def __init__(self, layer: QgsVectorLayer):
        super().__init__(layer)
        layer.editCommandEnded.connect(self.schedule)

    @pyqtSlot()
    def schedule(self):
        # Deferred: committing inside the edit command that is still being closed would break the undo stack.
        QTimer.singleShot(0, self.commit)

    @pyqtSlot()
    def commit(self):
        layer = self.parent()
        if layer.isEditable() and layer.isModified() and not layer.commitChanges(False):
            QgsMessageLog.logMessage("Could not save a sighting edit: " + "; ".join(layer.commitErrors()), "Bai Mei")


def save_edits_as_made(layer: QgsVectorLayer) -> None:
    """Commit each finished edit command (a form's OK, a table cell) right after it ends, staying in edit mode."""
    if layer.findChild(_EditSaver) is None:
        _EditSaver(layer)
