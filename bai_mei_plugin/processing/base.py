"""What every Bai Mei algorithm shares: naming, help, and turning core errors into Processing errors."""

from __future__ import annotations

import os
import sys
import traceback

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException

from ..core.errors import BaiMeiError


class BaiMeiAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY_NAME, GROUP, HELP and define ``initAlgorithm`` and
    ``compute(parameters, context, feedback)``, which may raise BaiMeiError."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = "AIS"
    HELP = ""

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.DISPLAY_NAME

    def group(self):
        return self.GROUP

    def groupId(self):  # noqa: N802
        return self.GROUP.lower().replace(" ", "")

    def shortHelpString(self):  # noqa: N802
        return self.HELP

    def createInstance(self):  # noqa: N802
        return type(self)()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self._new_files = []
        self._sinks = []
        try:
            return self.compute(parameters, context, feedback)
        except BaiMeiError as exc:  # Canceled too
            self._discard_outputs(feedback)
            if exc.details:
                feedback.pushDebugInfo(exc.details)
            message = exc.message
            exc.__traceback__ = None
        except Exception:
            self._discard_outputs(feedback)
            raise
        finally:
            self._sinks = []
        # Raised outside the handler, so not chained to the core error: its traceback holds the algorithm's frames
        # and their layers, which would then outlive QGIS and crash it at exit (QGIS 3.22).
        raise QgsProcessingException(message)

    def create_sink(self, parameters, key, context, fields, wkb_type, crs):
        """A feature sink for output ``key``; a file it creates is deleted again if the algorithm fails."""
        destination = self.parameterAsOutputLayer(parameters, key, context)
        path = destination.split("|")[0]
        if path and not path.startswith(("memory:", "ogr:", "postgres:", "spatialite:")) and not os.path.exists(path):
            self._new_files.append(path)
        sink, dest_id = self.parameterAsSink(parameters, key, context, fields, wkb_type, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, key))
        self._sinks.append(sink)
        return sink, dest_id

    def _discard_outputs(self, feedback) -> None:
        """Close the sinks and delete the files this run created, so no half-written output looks complete."""
        self._sinks = []  # dropping the last references closes the files
        traceback.clear_frames(sys.exc_info()[2])  # the failed frames hold references to the sinks too
        for path in self._new_files:
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(path + suffix):
                    try:
                        os.remove(path + suffix)
                    except OSError as exc:
                        feedback.reportError(f"Could not delete the incomplete output {path}: {exc}")
            feedback.pushInfo(f"Deleted the incomplete output {path}.")
        self._new_files = []

def progress_callbacks(feedback, start: float = 0.0, span: float = 100.0):
    """(progress, is_canceled) callbacks for core functions, mapping 0..1 onto [start, start + span] percent."""
    def progress(fraction: float) -> None:
        feedback.setProgress(start + span * max(0.0, min(1.0, fraction)))

    return progress, feedback.isCanceled


# The last AIS points file read by an algorithm: a chain of steps on one file (a model, make demo) reads it once.
_LAST_READ: dict = {}


def _file_key(value, *fields):
    """What identifies an input given as a file path, unchanged: path, layer, and the layer's last change (a
    GeoPackage table's ``last_change``, so writing other tables to the same file keeps it) or the file's size and
    time. None for anything else (layers in the project may be edited at any time)."""
    if not isinstance(value, str):
        return None
    path, _, options = value.partition("|")
    if not os.path.isfile(path):
        return None
    layer = options.split("=", 1)[1] if options.startswith("layername=") else options
    if path.lower().endswith(".gpkg") and layer:
        import sqlite3

        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                row = db.execute("SELECT last_change FROM gpkg_contents WHERE table_name = ?", (layer,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else (os.path.abspath(path), layer, row[0], fields)
    stat = os.stat(path)
    return (os.path.abspath(path), layer, stat.st_size, stat.st_mtime_ns, fields)


class AisInputMixin:
    """The AIS points input that several algorithms share: a point layer and its MMSI and time fields."""

    INPUT = "INPUT"
    MMSI_FIELD = "MMSI_FIELD"
    TIME_FIELD = "TIME_FIELD"

    def add_ais_input(self) -> None:
        from qgis.core import QgsProcessing, QgsProcessingParameterFeatureSource, QgsProcessingParameterField

        self.addParameter(QgsProcessingParameterFeatureSource(self.INPUT, "AIS points",
                                                              [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(self.MMSI_FIELD, "MMSI field", "mmsi", self.INPUT,
                                                      optional=True))
        self.addParameter(QgsProcessingParameterField(self.TIME_FIELD, "Time field (UTC)", "timestamp", self.INPUT,
                                                      optional=True))

    def read_ais_input(self, parameters, context, feedback):
        """The reports of the AIS points input as cleaned columns (the counts go to the log)."""
        from ..qgis_io.sources import columns_from_source

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        mmsi_field = self.parameterAsString(parameters, self.MMSI_FIELD, context) or "mmsi"
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context) or "timestamp"
        feedback.setProgressText("Reading reports")
        key = _file_key(parameters.get(self.INPUT), mmsi_field, time_field)
        if key is not None and _LAST_READ.get("key") == key:
            feedback.pushInfo("Reports read again from memory (same file, unchanged since the previous step).")
            result = _LAST_READ["result"]
        else:
            result = columns_from_source(source, mmsi_field, time_field, feedback)
            if key is not None:
                _LAST_READ.update(key=key, result=result)
        for line in result.summary_lines():
            feedback.pushInfo(line)
        return result.require_reports("the AIS points layer")

    def write_records(self, parameters, key, context, records, schema, geometry, wkb_type, kind):
        """Write core records to the sink ``key`` through a schema; style and time-enable it when it is loaded."""
        from qgis.core import QgsFeatureSink

        from ..qgis_io.records import record_features, schema_fields
        from ..qgis_io.sources import WGS84
        from ..qgis_io.styles import post_processor

        fields = schema_fields(schema)
        sink, dest_id = self.create_sink(parameters, key, context, fields, wkb_type, WGS84)
        sink.addFeatures(list(record_features(records, schema, fields, geometry)), QgsFeatureSink.FastInsert)
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post_processor(kind))
        return dest_id
