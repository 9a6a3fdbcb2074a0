"""Exporting the case in the background: the same writing as baimei:exportcase (qgis_io.case_export), in a QgsTask.

The heavy part (GeoPackage, GeoJSON, KML, CSV) runs off the GUI thread on copies of the layers made on the GUI
thread (``snapshot``: a clone reads its own connection to the file, a memory layer's clone shares its features), so
the map keeps panning. The report is a QGIS print layout, which is made and rendered on the GUI thread only: the
dialog writes it when the task has finished (``write_report``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from qgis.core import QgsProcessingFeedback, QgsVectorLayer

from ..core.errors import BaiMeiError, Canceled
from ..qgis_io.case_export import check_base_name, check_folder, export_layers, filtered_copy, make_folder
from .ais_tasks import BaiMeiTask


@dataclass
class ExportJob:
    """What to export: (layer snapshot, filter expression or None) pairs, where, how, and the report's vessel."""

    layers: List[Tuple[QgsVectorLayer, Optional[str]]]
    folder: str
    formats: Sequence[str]
    base_name: str = "bai_mei_case"
    overwrite: bool = False
    report: bool = False
    mmsi: Optional[int] = None
    report_layers: List[QgsVectorLayer] = field(default_factory=list)  # the originals, for the report

    def report_paths(self) -> Tuple[str, str]:
        return tuple(os.path.join(self.folder, f"{self.base_name}_report.{ext}") for ext in ("pdf", "html"))

    def check(self) -> None:
        """Refuse the job before anything is written: a bad folder or name, nothing to write, a report that would
        replace files without leave."""
        check_folder(self.folder)
        check_base_name(self.base_name)
        if not self.layers:
            raise BaiMeiError("Tick at least one layer to export.")
        if not self.formats and not self.report:
            raise BaiMeiError("Nothing to write: tick at least one format or the report.")
        if self.report and not self.overwrite:
            existing = [os.path.basename(p) for p in self.report_paths() if os.path.exists(p)]
            if existing:
                raise BaiMeiError(
                    f"{', '.join(existing)} already exist(s) in {self.folder}: choose another name or tick Overwrite."
                )


def snapshot(layer: QgsVectorLayer) -> QgsVectorLayer:
    """A copy of ``layer`` for another thread to read (made on the GUI thread): the same name, style and features;
    the analyst's layer is never touched by the task."""
    copy = layer.clone()
    copy.setName(layer.name())
    return copy


def run_export(job: ExportJob, feedback) -> List[str]:
    """Write ``job``'s layers (one vessel's features where a filter is set) in its formats; the paths written."""
    if not job.formats:
        make_folder(job.folder)
        return []
    layers = []
    for layer, expression in job.layers:
        if feedback.isCanceled():
            raise Canceled()
        layers.append(filtered_copy(layer, expression))
    return export_layers(layers, job.folder, list(job.formats), job.base_name, feedback, job.overwrite)


class TaskFeedback(QgsProcessingFeedback):
    """The export's feedback: what it is writing and what it wrote, kept for the dialog (QGIS 3.22's feedback has
    no signal for the text)."""

    def __init__(self):
        super().__init__()
        self.texts: List[str] = []

    def setProgressText(self, text: str) -> None:  # noqa: N802 (QGIS API)
        self.texts.append(text)

    def pushInfo(self, info: str) -> None:  # noqa: N802 (QGIS API)
        self.texts.append(info)


class ExportTask(BaiMeiTask):
    """Runs ``run_export`` off the GUI thread; Cancel stops the writer between features (within a second or two) and
    the temporary files are removed. ``result``: the paths written."""

    def __init__(self, job: ExportJob, on_done):
        super().__init__(f"Bai Mei: export the case to {job.folder}", on_done)
        self.job = job
        self.feedback = TaskFeedback()
        self.feedback.progressChanged.connect(self.setProgress)

    def cancel(self) -> None:
        self.feedback.cancel()  # the writer asks the feedback, not the task
        super().cancel()

    def work(self) -> List[str]:
        return run_export(self.job, self.feedback)


def write_report(job: ExportJob, project) -> List[str]:
    """The case report (PDF and HTML) of ``job``'s layers: on the GUI thread (a print layout), after the task."""
    from ..qgis_io.case_report import case_layers, guess_vessel, write_case_report

    make_folder(job.folder)
    by_kind = case_layers(job.report_layers)
    vessel = guess_vessel(by_kind, job.mmsi)
    pdf, html = job.report_paths()
    write_case_report(project, by_kind, vessel, pdf, html)
    return [pdf, html]
