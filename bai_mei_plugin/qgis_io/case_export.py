"""Exporting the case: layers to GeoPackage (styled), GeoJSON, KML for Google Earth (with time) and CSV.

Every file is written under a temporary name in the destination folder and renamed only when all of them are
complete, so a failed or cancelled export leaves nothing half-written; an existing file is replaced only when asked.
"""

from __future__ import annotations

import os
import re
import uuid
from typing import Iterable, List, Optional, Sequence, Tuple

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsField,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QVariant
from qgis.PyQt.QtXml import QDomDocument

from ..core.errors import BaiMeiError, Canceled
from .styles import TEMPORAL_FIELDS

FORMATS = ("gpkg", "geojson", "kml", "csv")
FORMAT_LABELS = ("GeoPackage (.gpkg, styled)", "GeoJSON (.geojson, one file per layer)",
                 "KML for Google Earth (.kml, with time)", "CSV (.csv, one file per layer)")
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
KML_NAME, KML_DESCRIPTION = "kml_name", "kml_description"
# Fields that name a feature best, most telling first (the KML placemark's name).
NAME_FIELDS = ("sighting_id", "vessel_name", "port_name", "name", "item_id", "gap_id", "kind", "mmsi")
PER_FEATURE_SYMBOLOGY = getattr(QgsVectorFileWriter, "FeatureSymbology", None)
if PER_FEATURE_SYMBOLOGY is None:  # QGIS 3.32+ moved the enum
    PER_FEATURE_SYMBOLOGY = Qgis.FeatureSymbologyExport.PerFeature
KML_OPTIONS = ("LIBKML_TIMESTAMP_FIELD", "LIBKML_BEGIN_FIELD", "LIBKML_END_FIELD", "LIBKML_NAME_FIELD",
               "LIBKML_DESCRIPTION_FIELD")


def _write(layer, path: str, options) -> None:
    write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
    error = write(layer, path, QgsCoordinateTransformContext(), options)
    if error[0] != QgsVectorFileWriter.NoError:
        raise BaiMeiError(f"Could not write {layer.name()} to {os.path.basename(path)}.", str(error[1]))


def iso_utc(value) -> Optional[str]:
    """ISO 8601 UTC text of a QDateTime (a time without zone is UTC, as the plugin stores it) or QDate."""
    if isinstance(value, QDateTime) and value.isValid():
        if value.timeSpec() == Qt.LocalTime:
            value = QDateTime(value.date(), value.time(), Qt.UTC)
        return value.toUTC().toString("yyyy-MM-ddTHH:mm:ss") + "Z"
    if isinstance(value, QDate) and value.isValid():
        return value.toString("yyyy-MM-dd")
    return None


class IsoTimeConverter(QgsVectorFileWriter.FieldValueConverter):
    """Writes date-time fields as ISO 8601 UTC text ("2017-06-16T01:02:03Z"): unambiguous in GeoJSON and CSV,
    and what KML's <when>, <begin> and <end> take verbatim."""

    def __init__(self, layer: QgsVectorLayer):
        super().__init__()
        self.layer = layer
        self.times = {i for i, f in enumerate(layer.fields()) if f.type() in (QVariant.DateTime, QVariant.Date)}

    def fieldDefinition(self, field):  # noqa: N802 (QGIS API)
        if self.layer.fields().indexOf(field.name()) in self.times:
            return QgsField(field.name(), QVariant.String, "string")
        return QgsField(field)

    def convert(self, index, value):
        return iso_utc(value) if index in self.times else value

    def clone(self):
        return IsoTimeConverter(self.layer)


def layer_table_names(layers: Sequence[QgsVectorLayer]) -> List[str]:
    """Distinct file- and table-safe names for the layers ("Dark gaps (≥ 6 h)" -> "dark_gaps_6_h")."""
    names: List[str] = []
    for layer in layers:
        base = re.sub(r"[^0-9a-z]+", "_", layer.name().lower()).strip("_") or "layer"
        name, k = base, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def time_fields(layer: QgsVectorLayer) -> Tuple[Optional[str], Optional[str]]:
    """(start, end) time fields of a layer: its temporal properties, else the plugin's field names by layer kind;
    end is None for an instant."""
    props = layer.temporalProperties()
    names = layer.fields().names()
    if props.isActive():
        if props.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField:
            return props.startField(), None
        if props.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields:
            return props.startField(), props.endField()
    for start, end in TEMPORAL_FIELDS.values():
        if start in names and (end is None or end in names):
            return start, end
    return None, None


def _description_expression(layer: QgsVectorLayer) -> str:
    """A QGIS expression giving a readable HTML description: one "Label: value" line per field that is set."""
    lines = []
    for index, field in enumerate(layer.fields()):
        if field.name() == "fid":
            continue
        name = field.name().replace('"', '""')
        label = layer.attributeAlias(index) or field.name().replace("_", " ").capitalize()
        label = label.replace("'", "''")
        if field.type() == QVariant.DateTime:
            value = f"format_date(\"{name}\", 'yyyy-MM-dd HH:mm') || ' UTC'"
        elif field.type() == QVariant.Double:
            value = f"format_number(\"{name}\", 2)"
        else:
            value = f"replace(to_string(\"{name}\"), array('&', '<', '>'), array('&amp;', '&lt;', '&gt;'))"
        lines.append(f"CASE WHEN \"{name}\" IS NOT NULL THEN '<b>{label}</b>: ' || {value} || '<br>' END")
    return "concat(" + ", ".join(lines) + ")" if lines else "''"


def kml_source(layer: QgsVectorLayer) -> QgsVectorLayer:
    """A memory copy of the layer with a placemark name and a readable description, for LIBKML."""
    copy = layer.materialize(QgsFeatureRequest())
    copy.setName(layer.name())
    if layer.renderer() is not None:
        copy.setRenderer(layer.renderer().clone())
    for index in range(layer.fields().count()):
        if layer.attributeAlias(index):
            copy.setFieldAlias(index, layer.attributeAlias(index))
    present = [n for n in NAME_FIELDS if n in layer.fields().names()]
    name_expression = f'to_string("{present[0]}")' if present else (layer.displayExpression() or "@id")
    copy.addExpressionField(_description_expression(copy), QgsField(KML_DESCRIPTION, QVariant.String))
    copy.addExpressionField(name_expression, QgsField(KML_NAME, QVariant.String))
    return copy


def _kml_config(layer: QgsVectorLayer) -> dict:
    start, end = time_fields(layer)
    config = dict.fromkeys(KML_OPTIONS)
    config.update(LIBKML_NAME_FIELD=KML_NAME, LIBKML_DESCRIPTION_FIELD=KML_DESCRIPTION)
    if start and end:
        config.update(LIBKML_BEGIN_FIELD=start, LIBKML_END_FIELD=end)
    elif start:
        config["LIBKML_TIMESTAMP_FIELD"] = start
    return config


def _set_gdal_options(config: dict) -> None:
    from osgeo import gdal

    for key, value in config.items():  # thread-local: Processing runs algorithms in worker threads
        gdal.SetThreadLocalConfigOption(key, value)


def _options(driver: str, layer: QgsVectorLayer, name: str, first: bool, layer_options: Iterable[str] = ()):
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = driver
    options.layerName = name
    options.fileEncoding = "UTF-8"
    options.layerOptions = list(layer_options)
    options.actionOnExistingFile = (QgsVectorFileWriter.CreateOrOverwriteFile if first
                                    else QgsVectorFileWriter.CreateOrOverwriteLayer)
    if driver != "GPKG" and layer.isSpatial() and layer.crs() != WGS84:
        options.ct = QgsCoordinateTransform(layer.crs(), WGS84, QgsCoordinateTransformContext())
    return options


def _write_gpkg(layers, names, path, check) -> None:
    for k, (layer, name) in enumerate(zip(layers, names)):
        check()
        _write(layer, path, _options("GPKG", layer, name, k == 0))
    for layer, name in zip(layers, names):  # the styles, so that the file opens styled anywhere
        written = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        document = QDomDocument()
        layer.exportNamedStyle(document)
        written.importNamedStyle(document)
        message = written.saveStyleToDatabase(name, f"Bai Mei: {layer.name()}", True, "")
        del written
        if message:
            raise BaiMeiError(f"Could not store the style of {layer.name()} in the GeoPackage.", str(message))


def _write_kml(layers, names, path, check) -> None:
    for k, (layer, name) in enumerate(zip(layers, names)):
        check()
        source = kml_source(layer)
        converter = IsoTimeConverter(source)
        options = _options("LIBKML", layer, name, k == 0)
        options.fieldValueConverter = converter
        options.symbologyExport = PER_FEATURE_SYMBOLOGY  # the layer's colours in Google Earth
        _set_gdal_options(_kml_config(layer))
        try:
            _write(source, path, options)
        finally:
            _set_gdal_options(dict.fromkeys(KML_OPTIONS))


def _write_table(layer, name, path, driver) -> None:
    if driver == "GeoJSON":
        layer_options = ["RFC7946=YES", "WRITE_NAME=NO"]
    elif not layer.isSpatial():
        layer_options = []
    else:
        point = QgsWkbTypes.flatType(layer.wkbType()) == QgsWkbTypes.Point
        layer_options = ["GEOMETRY=AS_XY" if point else "GEOMETRY=AS_WKT"]
    if driver == "CSV":
        layer_options.append("STRING_QUOTING=IF_NEEDED")  # GDAL would quote integers otherwise
    converter = IsoTimeConverter(layer)
    options = _options(driver, layer, name, True, layer_options)
    options.fieldValueConverter = converter
    _write(layer, path, options)


def _temporary(path: str) -> str:
    folder, filename = os.path.split(path)
    stem, ext = os.path.splitext(filename)
    return os.path.join(folder, f".{stem}.{uuid.uuid4().hex[:8]}.partial{ext}")  # drivers go by the extension


def _remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def planned_files(layers, folder: str, formats: Sequence[str], base_name: str) -> List[Tuple[str, str, list]]:
    """(format, path, [(layer, table name)]) of each file an export writes."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BaiMeiError(f"Choose the formats among {', '.join(FORMATS)} (got {', '.join(formats) or 'none'}).")
    if not base_name or os.sep in base_name or base_name.startswith("."):
        raise BaiMeiError(f"{base_name!r} cannot be a file name: give a plain name such as bai_mei_case.")
    pairs = list(zip(layers, layer_table_names(layers)))
    plan = []
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        if fmt in ("gpkg", "kml"):
            plan.append((fmt, os.path.join(folder, f"{base_name}.{fmt}"), pairs))
        else:
            plan.extend((fmt, os.path.join(folder, f"{base_name}_{name}.{fmt}"), [(layer, name)])
                        for layer, name in pairs)
    return plan


def export_layers(layers: Sequence[QgsVectorLayer], folder: str, formats: Sequence[str], base_name: str,
                  feedback=None, overwrite: bool = False) -> List[str]:
    """Write ``layers`` to ``folder`` in each of ``formats`` and return the paths written.

    ``gpkg``: ``<base>.gpkg``, every layer a table with its style stored in the file. ``geojson``:
    ``<base>_<layer>.geojson`` per layer (RFC 7946, WGS 84, times ISO 8601 UTC). ``kml``: ``<base>.kml``, a folder
    per layer, each placemark with a name, a readable description and its time (TimeStamp, or TimeSpan for layers
    with a start and an end) for Google Earth's time slider. ``csv``: ``<base>_<layer>.csv`` per layer (X/Y columns
    for points, WKT otherwise; times ISO 8601 UTC)."""
    layers = [layer for layer in layers if isinstance(layer, QgsVectorLayer) and layer.isValid()]
    if not layers:
        raise BaiMeiError("Choose at least one vector layer to export.")
    plan = planned_files(layers, folder, formats, base_name)
    existing = [path for _, path, _ in plan if os.path.exists(path)]
    if existing and not overwrite:
        raise BaiMeiError(f"{', '.join(os.path.basename(p) for p in existing)} already exist(s) in {folder}: choose "
                          "another name or allow overwriting.")
    os.makedirs(folder, exist_ok=True)

    def check():
        if feedback is not None and feedback.isCanceled():
            raise Canceled()

    done: List[Tuple[str, str]] = []
    try:
        for step, (fmt, path, pairs) in enumerate(plan):
            check()
            temporary = _temporary(path)
            done.append((temporary, path))
            if feedback is not None:
                feedback.setProgressText(f"Writing {os.path.basename(path)}")
            group, names = [p[0] for p in pairs], [p[1] for p in pairs]
            if fmt == "gpkg":
                _write_gpkg(group, names, temporary, check)
            elif fmt == "kml":
                _write_kml(group, names, temporary, check)
            else:
                _write_table(group[0], names[0], temporary, "GeoJSON" if fmt == "geojson" else "CSV")
            if feedback is not None:
                feedback.setProgress(100.0 * (step + 1) / len(plan))
        check()
        for temporary, path in done:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in done:
            _remove(temporary)
        raise
    written = [path for _, path in done]
    if feedback is not None:
        for path in written:
            feedback.pushInfo(f"Wrote {path}")
    return written
