"""Background tasks for the dock: read an AIS file or layer and find its gaps, or find gaps with any gap engine (the
reports in memory again with other criteria, a PostGIS table, an archive on a Dask cluster).

``run()`` does the work off the GUI thread (reading, cleaning, gap detection, building memory layers, which are then
moved to the main thread); ``finished()`` runs on the main thread and only hands the result to a callback.
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransformContext,
    QgsFeedback,
    QgsMessageLog,
    QgsProject,
    QgsTask,
    QgsVectorLayer,
    QgsVectorLayerFeatureSource,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.ais.buckets import bucket_plan, spill
from ..core.ais.formats import AisFormat
from ..core.ais.memory import POINT_LAYER_BYTES_PER_ROW
from ..core.ais.model import AisColumns, CleanResult
from ..core.ais.reader import read_ais
from ..core.errors import BaiMeiError, Canceled
from ..core.gap_engine import LOADED, BucketedGapEngine, GapEngine, InMemoryGapEngine, LandChoice, ReportsLocation
from ..core.gaps import GAP_FIELDS, GapCriteria, GapResult, gap_end_columns
from ..qgis_io.case_workspace import Case, mark_made_by, remembered_case
from ..qgis_io.i18n import tr
from ..qgis_io.land import default_land
from ..qgis_io.layer_kinds import kind_fields
from ..qgis_io.layers import point_features
from ..qgis_io.records import gap_features, track_features
from ..qgis_io.sources import columns_from_source

LOG_TAG = "Bai Mei"


@dataclass
class LoadRequest:
    """What to load: a file (with its format and column mapping) or a point layer's features."""

    path: Optional[str] = None
    fmt: AisFormat = AisFormat.AUTO
    columns: Dict[str, Optional[str]] = field(default_factory=dict)
    time_format: Optional[str] = None
    layer: Optional[LayerSnapshot] = None  # made on the main thread with LayerSnapshot(layer)
    mmsi_field: str = "mmsi"
    time_field: str = "timestamp"
    criteria: GapCriteria = GapCriteria()
    with_points: bool = False
    time_window: Optional[Tuple[int, int]] = None  # plausible report times (read from the settings on the GUI thread)


@dataclass
class LoadResult:
    """What the dock shows for one source of reports: the gaps, the engine that found them (it finds them again with
    other criteria, and knows where the reports live), the reports the dock can work with and the layers."""

    found: GapResult
    engine: GapEngine
    # every report when they are in memory; the two reports either side of each gap when they stayed on a server or
    # in an archive (enough for the vessel summary and the default maximum speed)
    columns: AisColumns
    gaps_layer: QgsVectorLayer
    tracks_layer: Optional[QgsVectorLayer] = None  # None when the reports are not in memory
    points_layer: Optional[QgsVectorLayer] = None
    reports: Optional[CleanResult] = None  # the read and its counts, when the reports were read into QGIS
    # Written by the task into the open case (off the GUI thread): its path, kind -> fresh table (not yet current:
    # the session makes them current), whether the reports were kept, and why writing failed ("" when it did not).
    case_path: str = ""
    case_tables: Dict[str, str] = field(default_factory=dict)
    reports_in_case: bool = False
    case_problem: str = ""
    case_problem_said: bool = False  # the session said it (once for all the layers)

    @property
    def location(self) -> ReportsLocation:
        return self.engine.location

    @property
    def read_counts(self):
        """What the read kept and dropped, and its summary lines: the reports' ``CleanResult``, or the
        ``BucketedReports`` of a read into buckets on disk (None when a server or an archive holds the reports)."""
        if self.reports is not None:
            return self.reports
        return self.engine.reports if isinstance(self.engine, BucketedGapEngine) else None


def memory_layer(uri: str, name: str, fields, features) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{uri}?crs=EPSG:4326", name, "memory")
    provider = layer.dataProvider()
    provider.addAttributes(fields.toList())
    layer.updateFields()
    batch: List = []
    for feature in features:
        batch.append(feature)
        if len(batch) == 5000:
            provider.addFeatures(batch)
            batch = []
    provider.addFeatures(batch)
    layer.updateExtents()
    return layer


def gap_layers(columns: Optional[AisColumns], found: GapResult):
    """Memory layers of the gaps and, when the reports are at hand, the tracks (built in the calling thread)."""
    # Short names: the layers sit in a group named after the source, which says whose gaps they are.
    gaps = memory_layer("LineString", "dark gaps", kind_fields("gaps"), gap_features(found.gaps))
    if columns is None:
        return gaps, None
    tracks = memory_layer("LineStringM", "tracks", kind_fields("tracks"), track_features(columns, found.tracks))
    return gaps, tracks


class BaiMeiTask(QgsTask):
    """A cancellable task whose outcome (result or error message) is passed to ``on_done`` on the main thread."""

    def __init__(self, description: str, on_done: Callable):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.on_done = on_done
        self.result = None
        self.error: Optional[BaiMeiError] = None
        self.feedback = QgsFeedback()  # for GDAL's writer, which asks a feedback, not the task, between features

    def cancel(self) -> None:
        self.feedback.cancel()
        super().cancel()

    def is_canceled(self) -> bool:
        return self.isCanceled()

    def progress(self, fraction: float, start: float = 0.0, span: float = 100.0) -> None:
        self.setProgress(start + span * max(0.0, min(1.0, fraction)))

    def run(self) -> bool:
        try:
            self.result = self.work()
            return True
        except Canceled:
            return False
        except BaiMeiError as exc:
            self.error = exc
            return False
        except MemoryError:  # a message in the panel, not "Unexpected error: " (issue 12)
            from ..core.out_of_memory import not_enough_memory

            self.error = not_enough_memory(self.description().replace("Bai Mei: ", "", 1))
            return False
        except Exception as exc:  # never let an error escape into QGIS's Python error dialog
            self.error = BaiMeiError(f"Unexpected error: {exc}", traceback.format_exc())
            return False

    def _to_main_thread(self, *layers) -> None:
        main = QCoreApplication.instance().thread()
        for layer in layers:
            if layer is not None:
                layer.moveToThread(main)

    def finished(self, ok: bool) -> None:
        if self.error is not None and self.error.details:
            QgsMessageLog.logMessage(self.error.details, LOG_TAG, Qgis.MessageLevel.Critical)
        try:
            self.on_done(self, ok)
        except Exception:  # a failing callback must not bring up QGIS's error dialog either
            QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Critical)


class LoadAisTask(BaiMeiTask):
    """Read a file or layer, clean it, find gaps and tracks, and build their layers."""

    def __init__(self, request: LoadRequest, name: str, on_done: Callable, case_path: Optional[str] = None):
        super().__init__(f"Bai Mei: loading {name}", on_done)
        self.request = request
        self.name = name
        self.case_path = open_case_path() if case_path is None else case_path

    def work(self) -> LoadResult:
        request = self.request
        plan = None
        if request.path:
            plan = bucket_plan(request.path, request.fmt, request.columns, request.time_format)
        if plan is not None:
            return self.work_in_buckets(plan)
        if request.path:
            reports = read_ais(
                request.path,
                request.fmt,
                request.columns,
                request.time_format,
                progress=lambda f: self.progress(f, 0, 60),
                is_canceled=self.is_canceled,
                fields=None if request.with_points else GAP_FIELDS,
                extra_bytes_per_row=POINT_LAYER_BYTES_PER_ROW if request.with_points else 0,
                **({} if request.time_window is None else {"time_window": request.time_window}),
            )
        else:
            reports = columns_from_source(request.layer, request.mmsi_field, request.time_field, _TaskFeedback(self))
        self.setProgress(60)
        location = ReportsLocation(LOADED, self.name, request.path or self.name)
        engine = InMemoryGapEngine(reports, location, LandChoice(default=default_land))
        result = find_gaps(self, engine, request.criteria, start=60)
        if request.with_points and not self.isCanceled():
            result.points_layer = memory_layer(
                "Point", "reports", kind_fields("points"), point_features(reports.columns, kind_fields("points"))
            )
            mark_made_by(result.points_layer, **{**made_by_load(engine, request.criteria), "made_by": "reports"})
            self._to_main_thread(result.points_layer)
        write_into_case(self, result, self.case_path, with_reports=True)
        return result

    def work_in_buckets(self, plan) -> LoadResult:
        """A file too big for memory: read into buckets on disk and searched bucket by bucket (no tracks, no
        points); the engine keeps the buckets to find the gaps again with other criteria."""
        request = self.request
        window = {} if request.time_window is None else {"time_window": request.time_window}
        reports = spill(plan, lambda f: self.progress(f, 0, 60), self.is_canceled, **window)
        for line in reports.summary_lines():
            QgsMessageLog.logMessage(line, LOG_TAG, Qgis.MessageLevel.Info)
        location = ReportsLocation(LOADED, self.name, request.path)
        engine = BucketedGapEngine(reports, location, LandChoice(default=default_land))
        try:
            result = find_gaps(self, engine, request.criteria, start=60)
            write_into_case(self, result, self.case_path, with_reports=False)
        except BaseException:  # cancel or error: the buckets go now, not when the engine is collected
            engine.close()
            raise
        if request.with_points:
            note = tr("No points layer: the file does not fit in memory.")
            result.found.notes.append(note)
            QgsMessageLog.logMessage(note, LOG_TAG, Qgis.MessageLevel.Info)
        return result


class FindGapsTask(BaiMeiTask):
    """The gaps found by any engine: the reports in memory (again, with other criteria), a PostGIS table, an archive;
    with their layers."""

    def __init__(self, engine: GapEngine, criteria: GapCriteria, on_done: Callable, case_path: Optional[str] = None):
        super().__init__(f"Bai Mei: dark gaps in {engine.location.name}", on_done)
        self.engine = engine
        self.criteria = criteria
        self.name = engine.location.name
        self.case_path = open_case_path() if case_path is None else case_path

    def work(self) -> LoadResult:
        result = find_gaps(self, self.engine, self.criteria)
        write_into_case(self, result, self.case_path, with_reports=False)
        return result


def open_case_path() -> str:
    """The case the project works in ("" for none), read on the GUI thread when a task is made: the case bar makes
    the project remember the case it opens or makes (qgis_io.case_workspace.remember_case)."""
    path = remembered_case(QgsProject.instance())
    return path if path and os.path.isfile(path) else ""


# Share of the write into the case in a load's progress, by kind: the points table is most of it.
CASE_WRITES = (("gaps", "gaps_layer", 1.0), ("tracks", "tracks_layer", 3.0), ("points", "points_layer", 10.0))


def write_into_case(task: BaiMeiTask, result: LoadResult, case_path: str, with_reports: bool) -> None:
    """Write ``result``'s layers (and, ``with_reports``, the cleaned reports) into fresh tables of the case at
    ``case_path``, off the GUI thread: a large load with a case open no longer freezes QGIS while GDAL writes. The
    tables become current only when the session takes the result (one transaction each, on the GUI thread), so a
    crash loses at most this load. Cancel drops what was written and stops the load; a failure to write (disk full,
    a busy file) is kept in ``case_problem`` for the session to say, and the layers stay in memory."""
    if not case_path:
        return
    case = Case(case_path)
    layers = [(kind, getattr(result, attr), weight) for kind, attr, weight in CASE_WRITES]
    layers = [(kind, layer, weight) for kind, layer, weight in layers if layer is not None]
    total = sum(weight for _, _, weight in layers) or 1.0
    done = 0.0
    context = QgsCoordinateTransformContext()  # the layers are in WGS 84 already: nothing to transform
    result.case_path = case.path
    try:
        for kind, layer, weight in layers:
            task.setProgress(95 + 5 * done / total)
            result.case_tables[kind] = case.write_table(layer, kind, task.feedback, context)
            done += weight
        if with_reports and result.reports is not None:
            task.setProgress(99)
            case.write_reports(result.reports)
            result.reports_in_case = True
    except Canceled:
        _drop_tables(case, result)
        raise
    except Exception as exc:  # disk full, busy file: the load itself stands, the session says what was not kept
        _drop_tables(case, result)
        result.case_problem = tr("Could not write the load into the case {path}: {problem}").format(
            path=case.path, problem=exc
        )
    if task.isCanceled():
        _drop_tables(case, result)
        raise Canceled()


def _drop_tables(case: Case, result: LoadResult) -> None:
    for table in result.case_tables.values():
        case._drop(table)
    result.case_tables.clear()
    result.reports_in_case = False


def made_by_load(engine: GapEngine, criteria: GapCriteria) -> dict:
    """What a load's layers are made from: where the reports are, which engine, the gap criteria."""
    location = engine.location
    return {
        "made_by": "dark gaps",
        "source": location.source,
        "reports": location.kind,
        "engine": type(engine).__name__,
        "criteria": dataclasses.asdict(criteria),
    }


def find_gaps(task: BaiMeiTask, engine: GapEngine, criteria: GapCriteria, start: float = 0.0) -> LoadResult:
    """The engine's gaps and their layers, with the task's progress from ``start`` and its cancel."""
    span = 95.0 - start
    found = engine.find_gaps(
        criteria, progress=lambda f: task.progress(f, start, span * 0.6), is_canceled=task.is_canceled
    )
    for note in found.notes:
        QgsMessageLog.logMessage(note, LOG_TAG, Qgis.MessageLevel.Info)
    task.setProgress(start + span * 0.6)
    if task.isCanceled():
        raise Canceled()
    gaps, tracks = gap_layers(engine.columns, found)
    made = made_by_load(engine, criteria)
    mark_made_by(gaps, **made)
    mark_made_by(tracks, **made)
    task._to_main_thread(gaps, tracks)
    task.setProgress(95)
    return LoadResult(
        found=found,
        engine=engine,
        columns=engine.columns if engine.columns is not None else gap_end_columns(found.gaps),
        gaps_layer=gaps,
        tracks_layer=tracks,
        reports=engine.reports if isinstance(engine, InMemoryGapEngine) else None,
    )


class LayerSnapshot:
    """A point layer's features readable from a worker thread (QGIS layers themselves are not thread-safe).

    Made on the main thread; offers the parts of QgsFeatureSource that ``columns_from_source`` uses.
    """

    def __init__(self, layer: QgsVectorLayer):
        self._source = QgsVectorLayerFeatureSource(layer)
        self._fields = layer.fields()
        self._crs = layer.crs()
        self._wkb_type = layer.wkbType()
        self._count = layer.featureCount()

    def fields(self):
        return self._fields

    def sourceCrs(self):  # noqa: N802 (QgsFeatureSource's name)
        return self._crs

    def wkbType(self):  # noqa: N802
        return self._wkb_type

    def featureCount(self):  # noqa: N802
        return self._count

    def getFeatures(self, request=None):  # noqa: N802
        return self._source.getFeatures(request) if request is not None else self._source.getFeatures()


class _TaskFeedback:
    """The two feedback methods columns_from_source uses, answered by a task."""

    def __init__(self, task: BaiMeiTask):
        self.task = task

    def isCanceled(self) -> bool:  # noqa: N802 (QgsFeedback's name)
        return self.task.isCanceled()

    def setProgress(self, percent: float) -> None:  # noqa: N802
        self.task.setProgress(percent * 0.6)


def start(task: QgsTask) -> None:
    QgsApplication.taskManager().addTask(task)
