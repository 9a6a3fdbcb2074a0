"""baimei:importais — read AIS (a file, a compressed file, a zip, a folder or glob of daily files, or a point layer)
into a point layer."""

from __future__ import annotations

import os

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.ais.dataset import GLOB_CHARACTERS
from ..core.ais.formats import FORMAT_LABELS, AisFormat, auto_mapping
from ..core.ais.reader import read_ais
from ..core.ais.source import split_member
from ..core.errors import Canceled
from ..qgis_io.layer_kinds import kind_fields, wkb_type
from ..qgis_io.layers import point_features
from ..qgis_io.sources import WGS84, columns_from_source
from ..qgis_io.styles import post_processor
from ..qgis_io.time_window import plausible_time_window
from .base import BaiMeiAlgorithm, progress_callbacks

# Files GDAL opens as vector layers: a path to one is read as a point layer, not by the AIS file readers.
VECTOR_EXTENSIONS = (".gpkg", ".shp", ".geojson", ".fgb", ".gml", ".kml", ".sqlite", ".gdb", ".tab", ".mif")


def is_ais_path(value: str) -> bool:
    """A file, zip member, folder or glob pattern for the AIS readers (not a GIS vector file or layer URI)."""
    value = value.strip()
    if not value or value.lower().endswith(VECTOR_EXTENSIONS) or "|layername=" in value:
        return False
    return os.path.exists(split_member(value)[0]) or any(c in value for c in GLOB_CHARACTERS)


class ImportAisAlgorithm(BaiMeiAlgorithm):
    NAME = "importais"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("ImportAisAlgorithm", "Import AIS file")
    INPUT = "INPUT"
    FORMAT = "FORMAT"
    MMSI_FIELD = "MMSI_FIELD"
    TIME_FIELD = "TIME_FIELD"
    LAT_FIELD = "LAT_FIELD"
    LON_FIELD = "LON_FIELD"
    TIME_FORMAT = "TIME_FORMAT"
    OUTPUT = "OUTPUT"
    ROWS_READ = "ROWS_READ"
    ROWS_KEPT = "ROWS_KEPT"
    ROWS_DROPPED = "ROWS_DROPPED"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "ImportAisAlgorithm",
        "<p>Reads AIS reports into a point layer (EPSG:4326), one point per vessel report, time-enabled on "
        "<i>timestamp</i> (UTC).</p>"
        "<p><b>Input</b>: an AIS file; a compressed one (gzip, bzip2, xz, zip), read as a stream without extracting "
        "it; a zip holding several files, a folder, or a glob pattern such as <i>/data/AIS_2023_01_*.zip</i> "
        "(a month of daily files), each file detected on its own and all read as one dataset; or a point layer "
        "(a layer of the project, or a GeoPackage/Shapefile path), whose MMSI and time fields are taken from the "
        "field parameters or matched by name, positions from the geometry.</p>"
        "<p><b>Formats</b> (detected, or chosen): NOAA MarineCadastre CSV (2015-2023 and 2024+ layouts, quoted "
        "exports with \\N for NULL), Danish Maritime Authority <i>aisdk</i> CSV (day-first times; only Class A/B "
        "reports are vessels), any CSV whose columns are matched by name or given in the field parameters "
        "(separator , ; tab or | detected; UTF-8 BOM; quoted fields; decimal commas such as 37,5 in ; files; a "
        "message-type or mobile-type column drops base stations (4), AtoN (21) and SAR aircraft (9)), raw NMEA "
        "AIVDM/AIVDO logs, JSON Lines / NDJSON (one object per line; keys such as mmsi/ssvid, timestamp/time/t, "
        "lat/latitude, lon/longitude, speed/sog, course/cog, heading, name/shipname, imo, callsign, destination, "
        "draught; lines that are not JSON objects are counted with their line numbers), and Parquet / GeoParquet "
        "(needs pyarrow, or a GDAL with the Parquet driver; positions from lat/lon columns or a point geometry).</p>"
        "<p><b>Time format</b> (empty: detected from the first values: ISO 8601 with or without offset or Z, unix "
        "seconds or milliseconds, day- or month-first dates to the minute or second, compact 20210701_185151): "
        "<i>iso</i>, <i>unix</i>, <i>unix_ms</i>, a strptime pattern such as %d/%m/%Y %H:%M, or a Qt pattern "
        "such as dd/MM/yyyy hh:mm. When no time of a file can be read, the message names the format tried, the "
        "value and the row.</p>"
        "<p><b>Cleaning</b>, each dropped row counted by reason in the log: malformed rows, unparseable MMSI, time "
        "or position, missing MMSI or time, positions out of range or not available (lat 91, lon 181), "
        "non-vessel reports, times outside 1990-01-01 to tomorrow, duplicates of (MMSI, time) (the first is kept). "
        "Outputs ROWS_READ, ROWS_KEPT and ROWS_DROPPED can be chained in models.</p>"
        "<p><b>Files</b>: UTF-8, Latin-1 or UTF-16 text. An encrypted zip or a truncated compressed file is refused "
        "with a message naming the file (and the rows read before it stopped). Before reading, the memory the "
        "files need is estimated; a read too big for this computer is refused with advice instead of filling the "
        "memory (experts: set the environment variable BAI_MEI_SKIP_MEMORY_CHECK=1 to read anyway).</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        # A feature source: the dialog offers the project's point layers and a file browser; any path (a CSV, a
        # .gz, a zip, a folder, a glob pattern) is accepted as text and read by the AIS readers (see compute).
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("AIS file, folder, pattern or point layer"),
                [QgsProcessing.SourceType.TypeVectorPoint],
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FORMAT,
                self.tr("Format"),
                options=[FORMAT_LABELS[f] for f in AisFormat],
                defaultValue=int(AisFormat.AUTO),
                optional=True,
            )
        )
        # Column mapping for generic CSVs: advanced, since detection fills it for known layouts.
        for key, label in (
            (self.MMSI_FIELD, self.tr("MMSI column (empty: detect)")),
            (self.TIME_FIELD, self.tr("Time column (empty: detect)")),
            (self.LAT_FIELD, self.tr("Latitude column (empty: detect)")),
            (self.LON_FIELD, self.tr("Longitude column (empty: detect)")),
            (
                self.TIME_FORMAT,
                self.tr("Time format: iso, unix, unix_ms, %d/%m/%Y %H:%M or dd/MM/yyyy hh:mm (empty: detect)"),
            ),
        ):
            parameter = QgsProcessingParameterString(key, label, optional=True)
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("AIS points"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        for key, label in (
            (self.ROWS_READ, self.tr("Rows read")),
            (self.ROWS_KEPT, self.tr("Rows kept")),
            (self.ROWS_DROPPED, self.tr("Rows dropped")),
        ):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """A path INPUT (a CSV, a .gz, a zip, a folder, a pattern) is checked when read, not loaded as a layer here,
        which Processing would do for a feature source; every other parameter is checked as usual."""
        value = parameters.get(self.INPUT)
        if not (isinstance(value, str) and is_ais_path(value)):
            return super().checkParameterValues(parameters, context)
        for definition in self.parameterDefinitions():
            name = definition.name()
            if name != self.INPUT and not definition.checkValueIsAcceptable(parameters.get(name), context):
                return False, f"Incorrect parameter value for {definition.description()}"
        return True, ""

    def input_path(self, parameters, context):
        """The AIS file, zip member, folder or glob pattern INPUT names, or None when it names a layer (a layer
        object, a layer id or name, a GIS vector file)."""
        value = parameters.get(self.INPUT)
        return value.strip() if isinstance(value, str) and is_ais_path(value) else None

    def compute(self, parameters, context, feedback):
        path = self.input_path(parameters, context)
        if path is None:
            return self.compute_from_layer(parameters, context, feedback)
        fmt = AisFormat(self.parameterAsEnum(parameters, self.FORMAT, context))
        columns = {
            "mmsi": self.parameterAsString(parameters, self.MMSI_FIELD, context),
            "time": self.parameterAsString(parameters, self.TIME_FIELD, context),
            "lat": self.parameterAsString(parameters, self.LAT_FIELD, context),
            "lon": self.parameterAsString(parameters, self.LON_FIELD, context),
        }
        time_format = self.parameterAsString(parameters, self.TIME_FORMAT, context) or None
        progress, is_canceled = progress_callbacks(feedback, 0, 40)
        result = read_ais(
            path,
            fmt,
            columns,
            time_format,
            progress=progress,
            is_canceled=is_canceled,
            time_window=plausible_time_window(),
        )
        return self.write_points(parameters, context, feedback, result)

    def compute_from_layer(self, parameters, context, feedback):
        """A point layer as INPUT: MMSI and time fields from the parameters, else matched by name (mmsi/ssvid,
        timestamp/time/t...), positions from the geometry, other fields by name; cleaned like a file."""
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        names = source.fields().names()
        matched = auto_mapping(names)
        mmsi_field = self.parameterAsString(parameters, self.MMSI_FIELD, context) or matched.get("mmsi") or "mmsi"
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context) or matched.get("time") or "timestamp"
        progress, _ = progress_callbacks(feedback, 0, 40)
        result = columns_from_source(source, mmsi_field, time_field, feedback)
        progress(1.0)
        return self.write_points(parameters, context, feedback, result)

    def write_points(self, parameters, context, feedback, result):
        feedback.pushInfo(f"Format: {result.format_name}")
        for line in result.summary_lines():
            feedback.pushInfo(line)

        fields = kind_fields("points")
        sink, dest_id = self.create_sink(parameters, self.OUTPUT, context, fields, wkb_type("points"), WGS84)
        cols = result.columns
        total = max(1, len(cols))
        chunk = 20000
        for start in range(0, len(cols), chunk):
            if feedback.isCanceled():
                raise Canceled()
            features = list(point_features(cols, fields, start, start + chunk))
            if not sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert):
                raise QgsProcessingException(f"Could not write the points: {sink.lastError()}")
            feedback.setProgress(40 + 60 * min(total, start + chunk) / total)
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post_processor("points"))
        return {
            self.OUTPUT: dest_id,
            self.ROWS_READ: result.rows_read,
            self.ROWS_KEPT: result.rows_kept,
            self.ROWS_DROPPED: result.rows_dropped,
        }
