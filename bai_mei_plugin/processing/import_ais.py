"""baimei:importais — read an AIS file (MarineCadastre, DMA, generic CSV, NMEA) into a point layer."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ..core.ais.formats import FORMAT_LABELS, AisFormat
from ..core.ais.reader import read_ais
from ..core.errors import Canceled
from ..qgis_io.layer_kinds import kind_fields, wkb_type
from ..qgis_io.layers import point_features
from ..qgis_io.sources import WGS84
from ..qgis_io.styles import post_processor
from ..qgis_io.time_window import plausible_time_window
from .base import BaiMeiAlgorithm, progress_callbacks

FILE_FILTER = "AIS files (*.csv *.CSV *.txt *.nmea *.aivdm *.log *.gz *.bz2 *.xz *.zip);;All files (*)"


class ImportAisAlgorithm(BaiMeiAlgorithm):
    NAME = "importais"
    DISPLAY_NAME = "Import AIS file"
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
    HELP = (
        "<p>Reads an AIS file into a point layer (EPSG:4326), one point per vessel report, time-enabled on "
        "<i>timestamp</i> (UTC).</p>"
        "<p><b>Formats</b> (detected from the header, or chosen): NOAA MarineCadastre CSV (2015-2023 and 2024+ "
        "layouts, quoted exports with \\N for NULL), Danish Maritime Authority <i>aisdk</i> CSV (day-first times; "
        "only Class A/B reports are vessels), any CSV whose columns are matched by name or given in the field "
        "parameters, and raw NMEA AIVDM/AIVDO logs (needs the Python package pyais; tag-block times; static "
        "voyage data merged into positions).</p>"
        "<p><b>Time format</b> (generic CSV): <i>iso</i>, <i>unix</i>, <i>unix_ms</i>, or a strptime pattern such "
        "as %d/%m/%Y %H:%M:%S (day first) or %m/%d/%Y %H:%M:%S (month first).</p>"
        "<p><b>Cleaning</b>, each dropped row counted by reason in the log: malformed rows, unparseable MMSI, time "
        "or position, missing MMSI or time, positions out of range or not available (lat 91, lon 181), "
        "non-vessel reports, times outside 1990-01-01 to tomorrow, duplicates of (MMSI, time) (the first is kept). "
        "Outputs ROWS_READ, ROWS_KEPT and ROWS_DROPPED can be chained in models.</p>"
        "<p><b>Files</b>: UTF-8, Latin-1 or UTF-16 text, plain or compressed (gzip, bzip2, xz, or a zip holding one "
        "file), read as a stream. Before reading, the memory the file needs is estimated; a file too big for this "
        "computer is refused with advice instead of filling the memory (experts: set the environment variable "
        "BAI_MEI_SKIP_MEMORY_CHECK=1 to read anyway).</p>"
    )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.INPUT, "AIS file", fileFilter=FILE_FILTER))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FORMAT,
                "Format",
                options=[FORMAT_LABELS[f] for f in AisFormat],
                defaultValue=int(AisFormat.AUTO),
                optional=True,
            )
        )
        # Column mapping for generic CSVs: advanced, since detection fills it for known layouts.
        for key, label in (
            (self.MMSI_FIELD, "MMSI column (empty: detect)"),
            (self.TIME_FIELD, "Time column (empty: detect)"),
            (self.LAT_FIELD, "Latitude column (empty: detect)"),
            (self.LON_FIELD, "Longitude column (empty: detect)"),
            (self.TIME_FORMAT, "Time format (empty: detect)"),
        ):
            parameter = QgsProcessingParameterString(key, label, optional=True)
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(parameter)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, "AIS points", QgsProcessing.TypeVectorPoint))
        for key, label in (
            (self.ROWS_READ, "Rows read"),
            (self.ROWS_KEPT, "Rows kept"),
            (self.ROWS_DROPPED, "Rows dropped"),
        ):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def compute(self, parameters, context, feedback):
        path = self.parameterAsFile(parameters, self.INPUT, context)
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
            if not sink.addFeatures(features, QgsFeatureSink.FastInsert):
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
