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
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsDefaultValue,
    QgsDistanceArea,
    QgsEditFormConfig,
    QgsEditorWidgetSetup,
    QgsFieldConstraints,
    QgsGeometry,
    QgsMessageLog,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsValueMapFieldFormatter,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerUtils,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDateTime, QObject, Qt, QTimer, pyqtSlot

from ..core.errors import BaiMeiError
from ..core.layer_kinds import recognise
from ..core.sightings import FIELD_BY_NAME, FORM_TABS, SIGHTING_FIELDS, FieldSpec, pixel_window
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
        QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer
        if os.path.exists(path)
        else QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteFile
    )
    error = _write_vector(template, path, options)
    if error[0] != QgsVectorFileWriter.WriterError.NoError:
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


def open_sightings_layer(path: str) -> QgsVectorLayer:
    """The sightings layer a GeoPackage holds (a case's, or one made with New sightings layer…), configured; the
    table named ``sightings`` first when there are several. BaiMeiError naming the file and its tables when it has
    none."""
    from osgeo import ogr

    source = ogr.Open(path) if os.path.isfile(path) else None
    if source is None:
        raise BaiMeiError(f"{path} is not a GeoPackage QGIS can read.")
    tables = [source.GetLayerByIndex(i).GetName() for i in range(source.GetLayerCount())]
    source = None
    for table in sorted(tables, key=lambda name: name != "sightings"):
        layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
        if is_sightings_layer(layer):
            configure_sightings_layer(layer)
            return layer
    listed = ", ".join(tables[:8]) or "no tables"
    raise BaiMeiError(
        f"{os.path.basename(path)} holds no Bai Mei sightings layer (a point table with the sighting fields); its "
        f"tables: {listed}. Make one with New sightings layer…"
    )


def is_sightings_layer(layer) -> bool:
    """Whether ``layer`` is a Bai Mei sightings layer (a point layer recognised by its fields, see layer_kinds), also
    one made before the latest sighting fields (``upgrade_sightings_layer`` adds them)."""
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        return False
    return (
        layer.geometryType() == QgsWkbTypes.GeometryType.PointGeometry
        and recognise(layer.fields().names()) == "sightings"
    )


def upgrade_sightings_layer(layer: QgsVectorLayer) -> list:
    """Add the sighting fields a layer made by an earlier Bai Mei lacks (e.g. the scene and pixel window), written
    to its file at once, and configure its form again; returns the names added."""
    missing = [spec for spec in SIGHTING_FIELDS if layer.fields().indexOf(spec.name) < 0]
    if not missing:
        return []
    if not layer.dataProvider().addAttributes([field(spec.name, spec.kind) for spec in missing]):
        raise BaiMeiError(
            f"Could not add the field(s) {', '.join(s.name for s in missing)} to the sightings layer {layer.name()} "
            f"({layer.source().split('|')[0]}): is the file read-only?",
            "; ".join(layer.dataProvider().errors()),
        )
    layer.updateFields()
    configure_sightings_layer(layer)
    return [spec.name for spec in missing]


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
    return form_layouts.DragAndDrop if form_layouts is not None else QgsEditFormConfig.EditorLayout.TabLayout


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
                index,
                QgsFieldConstraints.Constraint.ConstraintExpression,
                QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard,
            )
    id_index = fields.indexOf("sighting_id")
    layer.setDefaultValueDefinition(id_index, QgsDefaultValue(SIGHTING_ID_DEFAULT))
    layer.setFieldConstraint(
        id_index,
        QgsFieldConstraints.Constraint.ConstraintNotNull,
        QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard,
    )
    layer.setFieldConstraint(
        id_index,
        QgsFieldConstraints.Constraint.ConstraintUnique,
        QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard,
    )
    layer.setFieldConstraint(
        fields.indexOf("observed_at"),
        QgsFieldConstraints.Constraint.ConstraintNotNull,
        QgsFieldConstraints.ConstraintStrength.ConstraintStrengthSoft,
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
        return QDateTime.fromSecsSinceEpoch(int(value), Qt.TimeSpec.UTC)
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


# --- where on the image a sighting was marked ----------------------------------------------------------------------
SCENE_ITEM_PROPERTY = "baimei/scene_item_id"  # set on a scene's raster layer by Add to map: the catalogue item id
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
MARK_WINDOW_M = 320.0  # the window kept around a mark: the longest ships (~300 m) fit whatever their heading


def scene_item_id(layer) -> str:
    """The catalogue item id of a scene layer: the property Add to map sets, else the name before " (asset)", else
    the file name without its extension (the synthetic scenes are <item_id>.tif)."""
    item = layer.customProperty(SCENE_ITEM_PROPERTY)
    if item:
        return str(item)
    name = layer.name()
    if name.endswith(")") and " (" in name:
        return name.rsplit(" (", 1)[0]
    stem = os.path.basename(layer.source().split("|")[0].rstrip("/"))
    return os.path.splitext(stem)[0] or name


def scene_under(lon: float, lat: float, layers) -> Optional[QgsRasterLayer]:
    """The first raster layer of ``layers`` (top first, as drawn) whose extent holds lon/lat: the scene clicked on."""
    point = QgsGeometry.fromPointXY(QgsPointXY(lon, lat))
    for layer in layers:
        if not isinstance(layer, QgsRasterLayer) or not layer.isValid():
            continue
        where = QgsGeometry(point)
        if layer.crs().isValid() and layer.crs() != WGS84:
            where.transform(QgsCoordinateTransform(WGS84, layer.crs(), QgsProject.instance()))
        if layer.extent().contains(where.asPoint()):
            return layer
    return None


def _metres_per_pixel(layer: QgsRasterLayer, at: QgsPointXY) -> tuple:
    """(x, y) size of one pixel of ``layer`` in metres at ``at`` (in the layer's CRS), geodesic on WGS 84."""
    area = QgsDistanceArea()
    area.setSourceCrs(layer.crs(), QgsProject.instance().transformContext())
    area.setEllipsoid("WGS84")
    dx, dy = layer.rasterUnitsPerPixelX(), layer.rasterUnitsPerPixelY()
    return (
        area.measureLine(at, QgsPointXY(at.x() + dx, at.y())),
        area.measureLine(at, QgsPointXY(at.x(), at.y() + dy)),
    )


def marked_window(layer: QgsRasterLayer, lon: float, lat: float, size_m: float = MARK_WINDOW_M) -> Optional[tuple]:
    """The pixel window (col, row, width, height) of ``layer``, about ``size_m`` metres square, centred on lon/lat
    and clipped to the raster; None when lon/lat is off it."""
    point = QgsPointXY(lon, lat)
    if layer.crs().isValid() and layer.crs() != WGS84:
        point = QgsCoordinateTransform(WGS84, layer.crs(), QgsProject.instance()).transform(point)
    extent = layer.extent()
    col = (point.x() - extent.xMinimum()) / layer.rasterUnitsPerPixelX()
    row = (extent.yMaximum() - point.y()) / layer.rasterUnitsPerPixelY()
    mx, my = _metres_per_pixel(layer, point)
    if not (mx > 0 and my > 0):
        return None
    return pixel_window(col, row, size_m / 2 / mx, size_m / 2 / my, layer.width(), layer.height())


def scene_attributes(layer: QgsRasterLayer, lon: float, lat: float, size_m: float = MARK_WINDOW_M) -> dict:
    """The sighting fields that say where on ``layer`` lon/lat was marked: the scene's item id and source and the
    pixel window; empty when lon/lat is off the scene."""
    window = marked_window(layer, lon, lat, size_m)
    if window is None:
        return {}
    col, row, width, height = window
    return {
        "image_id": scene_item_id(layer),
        "scene_source": layer.source(),
        "window_col": col,
        "window_row": row,
        "window_width": width,
        "window_height": height,
    }


def _to_bytes(band):
    """A band as 0-255 bytes: byte data as it is, other data stretched between its 2nd and 98th percentiles."""
    import numpy

    if band.dtype == numpy.uint8:
        return band
    low, high = numpy.percentile(band, (2, 98))
    scaled = (band.astype("float64") - low) / max(high - low, 1e-9) * 255
    return numpy.clip(scaled, 0, 255).astype(numpy.uint8)


def read_chip(source: str, window: tuple, max_side: int = 480):
    """The image chip of a scene (``source``: a GDAL path) in ``window`` (col, row, width, height), as a QImage at
    most ``max_side`` pixels on its longer side; a BaiMeiError names the scene when GDAL cannot read it."""
    import numpy
    from osgeo import gdal
    from qgis.PyQt.QtGui import QImage

    col, row, width, height = (int(v) for v in window)
    if not source.startswith("/vsi") and not os.path.exists(source):
        raise BaiMeiError(f"The scene file {source} is missing: its chip cannot be cut.")
    gdal.PushErrorHandler("CPLQuietErrorHandler")  # the message below says what failed; no GDAL noise in the log
    try:
        dataset = gdal.OpenEx(source, gdal.OF_RASTER)
    finally:
        gdal.PopErrorHandler()
    if dataset is None:
        raise BaiMeiError(f"The scene {source} cannot be opened: it is not an image GDAL reads, or not reachable.")
    col, row = min(col, dataset.RasterXSize - 1), min(row, dataset.RasterYSize - 1)
    width, height = min(width, dataset.RasterXSize - col), min(height, dataset.RasterYSize - row)
    scale = min(1.0, max_side / max(width, height))
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    bands = [dataset.GetRasterBand(i + 1) for i in range(min(3, dataset.RasterCount))]
    try:
        arrays = [_to_bytes(b.ReadAsArray(col, row, width, height, buf_xsize=out_w, buf_ysize=out_h)) for b in bands]
    except (RuntimeError, AttributeError, TypeError) as exc:
        raise BaiMeiError(f"The window {window} of the scene {source} cannot be read.", str(exc)) from exc
    while len(arrays) < 3:  # one band: grey
        arrays.append(arrays[0])
    rgb = numpy.ascontiguousarray(numpy.dstack(arrays[:3]))
    data = rgb.tobytes()
    return QImage(data, out_w, out_h, 3 * out_w, QImage.Format.Format_RGB888).copy()  # a copy: it outlives ``data``
