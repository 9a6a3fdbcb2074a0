"""What every Bai Mei algorithm shares: naming, help (and a link to its README section), turning core errors (and
MemoryError) into Processing errors, and file outputs written under a temporary name and renamed when complete."""

from __future__ import annotations

import os
import re
import sys
import traceback
from typing import Optional, Tuple

from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingUtils,
    QgsVectorFileWriter,
    QgsVectorLayerExporter,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from .. import paths
from ..core import atomic
from ..core.errors import BaiMeiError
from ..core.out_of_memory import not_enough_memory

# How QgsProcessingUtils tells a provider URI ("ogr:...", "postgres:...", "memory:...") from a file path.
_PROVIDER_PREFIX = re.compile(r"^(.{3,}?):(.*)$")
_LAYERNAME = "|layername="

# Translation context of the texts every algorithm shares (groups, the AIS input's parameters); each algorithm's own
# texts are translated in the context of its class's name, which is what pylupdate5 gives self.tr() and what its
# DISPLAY_NAME and HELP are marked with (QT_TRANSLATE_NOOP("ClassName", ...)).
SHARED_CONTEXT = "BaiMeiAlgorithm"
# The groups, marked here so that pylupdate5 extracts them; GROUP stays English in each algorithm (groupId is made
# from it, and models store that).
GROUP_NAMES = (
    QT_TRANSLATE_NOOP("BaiMeiAlgorithm", "AIS"),
    QT_TRANSLATE_NOOP("BaiMeiAlgorithm", "Analysis"),
    QT_TRANSLATE_NOOP("BaiMeiAlgorithm", "Case"),
    QT_TRANSLATE_NOOP("BaiMeiAlgorithm", "Imagery"),
    QT_TRANSLATE_NOOP("BaiMeiAlgorithm", "Large archives"),
)


def shared_tr(text: str) -> str:
    """``text`` (one of the texts all algorithms share) in the user's language."""
    return QCoreApplication.translate(SHARED_CONTEXT, text)


# Each algorithm's section of README.md, by the anchor GitHub gives its heading (lower case, punctuation other than
# - and _ dropped, spaces to -: "### `baimei:importais` — Import AIS file" is #baimeiimportais--import-ais-file).
# tests/qgis/test_help_urls.py checks every algorithm has one and that it is among README.md's headings.
README_ANCHORS = {
    "importais": "baimeiimportais--import-ais-file",
    "detectgaps": "baimeidetectgaps--detect-dark-gaps",
    "gapreachability": "baimeigapreachability--gap-reachability-and-candidate-port-visits",
    "scoregaps": "baimeiscoregaps--score-dark-gaps-by-suspicion",
    "portvisits": "baimeiportvisits--port-visits-and-stops",
    "encounters": "baimeiencounters--encounters-at-sea",
    "anomalies": "baimeianomalies--identity-anomalies",
    "searchfootprints": "baimeisearchfootprints--search-imagery-footprints",
    "identifyvessels": "baimeiidentifyvessels--identify-sighted-vessels",
    "exportcase": "baimeiexportcase--export-the-case",
    "detectgapsarchive": "dask-baimeidetectgapsarchive",
    "importpostgis": "postgis-baimeiimportpostgis-and-baimeidetectgapspostgis",
    "detectgapspostgis": "postgis-baimeiimportpostgis-and-baimeidetectgapspostgis",
    "detectvessels": "baimeidetectvessels--detect-vessels-in-a-radar-scene",
    "matchdetections": "baimeimatchdetections--match-radar-detections-with-ais",
}


def help_url(name: str) -> str:
    """The README section of algorithm ``name`` on the plugin's homepage (metadata.txt; the repository page, which
    shows README.md), or "" while the homepage is the @HOMEPAGE@ placeholder of an unreleased build: QGIS then shows
    no Help button rather than one that leads nowhere."""
    homepage = paths.metadata().get("homepage", "").strip()
    anchor = README_ANCHORS.get(name)
    if not anchor or not homepage.startswith(("https://", "http://")):
        return ""
    return f"{homepage.split('#')[0].rstrip('/')}#{anchor}"


def file_destination(destination: str) -> Optional[Tuple[str, Optional[str]]]:
    """(file, table or None) of a sink destination that QGIS writes as a file; None for anything
    else (memory:, postgres:, spatialite:...), which is written as before.

    ``x.gpkg`` and ``x.shp`` are whole files; ``ogr:dbname='x.gpkg' table="t" (geom)`` and ``x.gpkg|layername=t``
    are a table written into a file that may hold others."""
    if not destination:
        return None
    if destination.startswith("ogr:"):
        uri = QgsDataSourceUri(destination[4:])
        if not uri.database():
            return None
        return os.path.abspath(uri.database()), uri.table() or None
    if _PROVIDER_PREFIX.match(destination):
        return None
    path, sep, options = destination.partition("|")
    if sep:
        if not options.startswith(_LAYERNAME[1:]) or "|" in options:
            return None
        return os.path.abspath(path), options[len(_LAYERNAME) - 1 :]
    if not os.path.splitext(path)[1]:
        path += ".gpkg"  # what QGIS writes for a path without extension
    return os.path.abspath(path), None


def _table_writer(path: str, table: str, fields, wkb_type, crs, context):
    """A sink of ``table`` in the file ``path`` (created if missing), the table replaced and the file's other tables
    kept: what QGIS makes of ``ogr:dbname=... table=...``, through the OGR provider, which lets two tables of one
    file be written at once. Not through QGIS's own parsing, which takes the driver from everything after the first
    dot of the name (none for the hidden temporary name) and reads ``path|layername=`` as a file name."""
    driver = QgsVectorFileWriter.driverForExtension(os.path.splitext(path)[1]) or "GPKG"
    options = {
        "driverName": driver,
        "layerName": table,
        "update": True,
        "fileEncoding": context.defaultEncoding() or "system",
    }
    exporter = QgsVectorLayerExporter(path, "ogr", fields, wkb_type, crs, True, options)
    if exporter.errorCode() != QgsVectorLayerExporter.NoError:
        raise QgsProcessingException(f"Could not create the table {table} in {path}: {exporter.errorMessage()}")
    return exporter


class BaiMeiAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY_NAME, GROUP, HELP and define ``initAlgorithm`` and
    ``compute(parameters, context, feedback)``, which may raise BaiMeiError.

    Every file output is written under a temporary name in its folder (``core.atomic``) and renamed over the final
    name only once the algorithm has succeeded and its sinks are closed: a failed, cancelled or killed run leaves an
    existing output as it was."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = "AIS"
    HELP = ""
    # What to suggest when the algorithm runs out of memory.
    MEMORY_HINT = (
        "a shorter period or a smaller area of the input, or the Large archives algorithms (Detect dark "
        "gaps in an archive (Dask), Detect dark gaps in PostGIS), which do not hold the whole file in "
        "memory"
    )

    def name(self):
        return self.NAME

    def tr(self, text: str) -> str:
        """``text`` of this algorithm in the user's language: the context is the class's name, as pylupdate5
        extracts a ``self.tr("...")`` written in the class."""
        return QCoreApplication.translate(type(self).__name__, text)

    def displayName(self):  # noqa: N802
        return self.tr(self.DISPLAY_NAME)

    def group(self):
        return shared_tr(self.GROUP)

    def groupId(self):  # noqa: N802
        return self.GROUP.lower().replace(" ", "")

    def shortHelpString(self):  # noqa: N802
        return self.tr(self.HELP)

    def helpUrl(self):  # noqa: N802
        return help_url(self.NAME)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self._outputs = {}  # final file -> its temporary file, for the files this run writes
        self._sinks = []
        self._feedback = feedback
        try:
            results = self.compute(parameters, context, feedback)
            self._sinks = []  # a file is complete only once its sink is deleted
            self._commit_outputs()
            return results
        except BaiMeiError as exc:  # Canceled too
            self._discard_outputs(feedback)
            if exc.details:
                feedback.pushDebugInfo(exc.details)
            message = exc.message
            exc.__traceback__ = None
        except MemoryError as exc:
            self._discard_outputs(feedback)  # also frees what the failed frames held
            message = not_enough_memory(self.displayName(), self.MEMORY_HINT).message + " Nothing was written."
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
        """A feature sink for output ``key``. A file output is written under a temporary name, renamed over the
        final one when the algorithm succeeds; the returned destination is the final one."""
        original = parameters.get(key)
        target = file_destination(self.parameterAsOutputLayer(parameters, key, context))
        remapped = isinstance(original, QgsProcessingOutputLayerDefinition) and original.useRemapping()
        if target is None or remapped:  # memory:, postgres:..., or appending to a layer: as QGIS writes them
            sink, dest_id = self.parameterAsSink(parameters, key, context, fields, wkb_type, crs)
        else:
            path, table = target
            in_place = table is not None and self._open_in_project(path, table, context)
            written = path if in_place else self._temporary_file(path, table)
            if table is None:
                sink, dest_id = self._file_sink(parameters, key, context, written, path, fields, wkb_type, crs)
            else:
                sink = _table_writer(written, table, fields, wkb_type, crs, context)
                dest_id = f"{path}{_LAYERNAME}{table}"
            if sink is not None:
                self._load_on_completion(original, key, dest_id, context)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, key))
        self._sinks.append(sink)
        return sink, dest_id

    def _open_in_project(self, path: str, table: str, context) -> bool:
        """Whether a layer of the project reads the GeoPackage ``path``: replacing the file under that layer would
        leave it reading (or editing) the old one, so a table for that file is written into it directly."""
        project = context.project()
        if project is None or not os.path.exists(path):
            return False
        real = os.path.realpath(path)
        for layer in project.mapLayers().values():
            source = layer.source().split("|")[0]
            if layer.providerType() == "ogr" and source and os.path.realpath(source) == real:
                self._feedback.pushInfo(
                    f"{path} is open in the project ({layer.name()}): the table {table} is written into it directly."
                )
                return True
        return False

    def _temporary_file(self, path: str, table: Optional[str]) -> str:
        """The temporary file of this run for the output file ``path``: a copy of it for a table added to an
        existing file, so that its other tables are kept. Tables of one file share one temporary file."""
        temporary = self._outputs.get(path)
        if temporary is None:
            folder = os.path.dirname(os.path.realpath(path))
            if not os.path.isdir(folder):
                raise BaiMeiError(f"Cannot write {path}: the folder {folder} does not exist.")
            for stale in atomic.clean_stale(folder):
                self._feedback.pushInfo(f"Deleted {stale}, left by an earlier run that did not finish.")
            temporary = atomic.partial_path(path)
            self._outputs[path] = temporary
            if table is not None and os.path.exists(path):
                atomic.copy_existing(path, temporary)
        return temporary

    def _file_sink(self, parameters, key, context, temporary, path, fields, wkb_type, crs):
        """QGIS's sink for a whole file, writing ``temporary`` instead of ``path``."""
        original = parameters.get(key)
        redirected = QgsProcessingOutputLayerDefinition(temporary)
        options = dict(original.createOptions) if isinstance(original, QgsProcessingOutputLayerDefinition) else {}
        # the layer is named after the final file, as QGIS names it (QFileInfo.baseName), not the temporary one
        options.setdefault("layerName", os.path.basename(path).split(".")[0])
        redirected.createOptions = options
        sink, _ = self.parameterAsSink({**parameters, key: redirected}, key, context, fields, wkb_type, crs)
        return sink, path

    def _load_on_completion(self, original, key, dest_id, context) -> None:
        """Have QGIS load the final output when asked to (it was given another destination, not to be loaded)."""
        if isinstance(original, QgsProcessingOutputLayerDefinition) and original.destinationProject is not None:
            name = original.destinationName or self.parameterDefinition(key).description()
            details = QgsProcessingContext.LayerDetails(
                name, original.destinationProject, key, QgsProcessingUtils.LayerHint.Vector
            )
            context.addLayerToLoadOnCompletion(dest_id, details)

    def _commit_outputs(self) -> None:
        """Rename each complete temporary file over its final name."""
        for path, temporary in list(self._outputs.items()):
            try:
                atomic.commit(temporary, path)
            except OSError as exc:
                raise BaiMeiError(
                    f"Could not replace {path} with the new output: {exc.strerror or exc}. Is it open "
                    "in another program?"
                ) from None
            del self._outputs[path]

    def _discard_outputs(self, feedback) -> None:
        """Close the sinks and delete the temporary files of this run: the existing outputs stay as they were."""
        self._sinks = []  # dropping the last references closes the files
        traceback.clear_frames(sys.exc_info()[2])  # the failed frames hold references to the sinks too
        for path, temporary in getattr(self, "_outputs", {}).items():
            for left in atomic.discard(temporary):
                feedback.reportError(f"Could not delete the incomplete output {left}.")
            feedback.pushInfo(
                f"Deleted the incomplete new output for {path}; "
                + ("the existing file is unchanged." if os.path.exists(path) else "nothing was written.")
            )
        self._outputs = {}


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

        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                QCoreApplication.translate("BaiMeiAlgorithm", "AIS points"),
                [QgsProcessing.SourceType.TypeVectorPoint],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.MMSI_FIELD,
                QCoreApplication.translate("BaiMeiAlgorithm", "MMSI field"),
                "mmsi",
                self.INPUT,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.TIME_FIELD,
                QCoreApplication.translate("BaiMeiAlgorithm", "Time field (UTC)"),
                "timestamp",
                self.INPUT,
                optional=True,
            )
        )

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

    def write_records(self, parameters, key, context, records, kind, geometry=None):
        """Write core records to the sink ``key`` as a layer of ``kind`` (a LayerKind or its name: fields, geometry
        type, the kind's geometry unless ``geometry(record)`` is given); style and time-enable it when it is
        loaded."""
        from qgis.core import QgsFeatureSink

        from ..qgis_io.layer_kinds import kind_fields, kind_of, wkb_type
        from ..qgis_io.records import record_features
        from ..qgis_io.sources import WGS84
        from ..qgis_io.styles import post_processor

        kind = kind_of(kind)
        fields = kind_fields(kind)
        sink, dest_id = self.create_sink(parameters, key, context, fields, wkb_type(kind), WGS84)
        sink.addFeatures(list(record_features(records, kind, fields, geometry)), QgsFeatureSink.Flag.FastInsert)
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post_processor(kind.name))
        return dest_id
