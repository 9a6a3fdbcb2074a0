"""Writing what the panel already shows into a case just made or opened (New case… / Open case… after a load), off
the GUI thread: the points layer of a large load is millions of features, and GDAL writing them on the GUI thread froze
QGIS. The task writes copies of the shown layers into fresh tables of the case; the session makes them current and
shows them instead on the GUI thread when the task ends. A Cancel or a failure drops what was written (the memory
layers stay shown); a crash meanwhile leaves at most orphan tables, dropped when the case is next opened
(Case.drop_orphans)."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Dict, List, Optional

from qgis.core import QgsCoordinateTransformContext, QgsVectorLayer

from ..core.ais.model import CleanResult
from ..core.errors import BaiMeiError, Canceled
from ..qgis_io.case_workspace import Case
from .ais_tasks import BaiMeiTask

# Share of each kind in the task's progress (by its usual size): the points table is most of the work.
WEIGHTS = {"points": 10.0, "tracks": 3.0}
KEPT_IN_MEMORY = "The layers shown stay in memory, not in the case."


@dataclass
class ShownLayer:
    """A layer the session shows, to write into the case: its kind, the shown layer's id (it is swapped only if still
    shown when written) and a copy made on the GUI thread (a memory layer's copy shares its features until either
    changes, so later edits of the shown layer never race the writer)."""

    kind: str
    layer_id: str
    copy: QgsVectorLayer


class KeepShownTask(BaiMeiTask):
    """Write ``shown`` (and the cleaned ``reports``, when given) into the case at ``case_path``. ``tables`` (kind ->
    fresh table, not yet current) is the result."""

    def __init__(self, case_path: str, shown: List[ShownLayer], reports: Optional[CleanResult], on_done=None):
        super().__init__(f"Bai Mei: keeping the layers shown in the case {os.path.basename(case_path)}", on_done)
        self.case_path = case_path
        self.shown = shown
        self.reports = reports
        self.tables: Dict[str, str] = {}
        self.reports_kept = False
        self.superseded = False  # stopped because a load replaced the layers: not the analyst's Cancel

    def work(self) -> Dict[str, str]:
        case = Case(self.case_path)
        try:
            self._write_layers(case)
            if self.isCanceled():
                raise Canceled()
            if self.reports is not None:
                self.setProgress(95)
                case.write_reports(self.reports)  # one transaction: the reports before stay until it commits
                self.reports_kept = True
        except Canceled:
            self._drop(case)
            raise
        except BaiMeiError as exc:  # disk full, busy file: said, with what stays shown
            self._drop(case)
            raise BaiMeiError(f"{exc.message} {KEPT_IN_MEMORY}", exc.details) from None
        except Exception as exc:  # noqa: BLE001 - never a traceback to the analyst
            self._drop(case)
            raise BaiMeiError(
                f"Could not write the layers shown into the case {case.path}: {exc}. {KEPT_IN_MEMORY}",
                traceback.format_exc(),
            ) from None
        self.setProgress(100)
        return self.tables

    def _write_layers(self, case: Case) -> None:
        context = QgsCoordinateTransformContext()  # the layers are in WGS 84 already: nothing to transform
        total = sum(WEIGHTS.get(item.kind, 1.0) for item in self.shown) or 1.0
        done = 0.0
        for item in self.shown:
            self.setProgress(90 * done / total)
            self.tables[item.kind] = case.write_table(item.copy, item.kind, self.feedback, context)
            done += WEIGHTS.get(item.kind, 1.0)
            if self.isCanceled():
                raise Canceled()

    def _drop(self, case: Case) -> None:
        case.discard(self.tables.values())
        self.tables.clear()

    def finished(self, ok: bool) -> None:
        # the copies were only for the writer: freed on the GUI thread, where they were made
        for item in self.shown:
            item.copy = None
        super().finished(ok)
