"""Background tasks for the dock: read an AIS file or layer and find its gaps, or re-run the gaps alone.

``run()`` does the work off the GUI thread (reading, cleaning, gap detection, building memory layers, which are then
moved to the main thread); ``finished()`` runs on the main thread and only hands the result to a callback.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsTask, QgsVectorLayer, QgsVectorLayerFeatureSource
from qgis.PyQt.QtCore import QCoreApplication

from ..core.ais.formats import AisFormat
from ..core.ais.memory import POINT_LAYER_BYTES_PER_ROW
from ..core.ais.model import CleanResult
from ..core.ais.reader import read_ais
from ..core.errors import BaiMeiError, Canceled
from ..core.gaps import GAP_FIELDS, GapCriteria, GapResult, detect_gaps
from ..qgis_io.layers import (
    gap_features,
    gap_fields,
    point_features,
    point_fields,
    track_features,
    track_fields,
)
from ..qgis_io.sources import columns_from_source, default_land

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
    reports: CleanResult
    found: GapResult
    gaps_layer: QgsVectorLayer
    tracks_layer: QgsVectorLayer
    points_layer: Optional[QgsVectorLayer] = None


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


def gap_layers(reports: CleanResult, found: GapResult):
    """Memory layers of the gaps and tracks (built in the calling thread)."""
    # Short names: the layers sit in a group named after the source, which says whose gaps they are.
    gaps = memory_layer("LineString", "dark gaps", gap_fields(), gap_features(found.gaps, gap_fields()))
    tracks = memory_layer(
        "LineStringM", "tracks", track_fields(), track_features(reports.columns, found.tracks, track_fields())
    )
    return gaps, tracks


class BaiMeiTask(QgsTask):
    """A cancellable task whose outcome (result or error message) is passed to ``on_done`` on the main thread."""

    def __init__(self, description: str, on_done: Callable):
        super().__init__(description, QgsTask.CanCancel)
        self.on_done = on_done
        self.result = None
        self.error: Optional[BaiMeiError] = None

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
            QgsMessageLog.logMessage(self.error.details, LOG_TAG, Qgis.Critical)
        try:
            self.on_done(self, ok)
        except Exception:  # a failing callback must not bring up QGIS's error dialog either
            QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.Critical)


class LoadAisTask(BaiMeiTask):
    """Read a file or layer, clean it, find gaps and tracks, and build their layers."""

    def __init__(self, request: LoadRequest, name: str, on_done: Callable):
        super().__init__(f"Bai Mei: loading {name}", on_done)
        self.request = request
        self.name = name

    def work(self) -> LoadResult:
        request = self.request
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
        result = run_gaps(self, reports, request.criteria)
        if request.with_points and not self.isCanceled():
            result.points_layer = memory_layer(
                "Point", "reports", point_fields(), point_features(reports.columns, point_fields())
            )
            self._to_main_thread(result.points_layer)
        return result


class RerunGapsTask(BaiMeiTask):
    """Gaps and tracks again, with new criteria, from reports already in memory (no re-reading)."""

    def __init__(self, reports: CleanResult, criteria: GapCriteria, name: str, on_done: Callable):
        super().__init__(f"Bai Mei: gaps of {name}", on_done)
        self.reports = reports
        self.criteria = criteria
        self.name = name

    def work(self) -> LoadResult:
        return run_gaps(self, self.reports, self.criteria)


def run_gaps(task: BaiMeiTask, reports: CleanResult, criteria: GapCriteria) -> LoadResult:
    land = default_land() if criteria.min_shore_nm > 0 else None
    found = detect_gaps(reports.columns, criteria, land, is_canceled=task.is_canceled)
    task.setProgress(75)
    if task.isCanceled():
        raise Canceled()
    gaps, tracks = gap_layers(reports, found)
    task._to_main_thread(gaps, tracks)
    task.setProgress(95)
    return LoadResult(reports=reports, found=found, gaps_layer=gaps, tracks_layer=tracks)


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
