"""Export the case: a dialog that starts from the case (its vessel, its layers, the report, the last folder and
formats) and writes in the background (tasks.export_tasks), with progress and a Cancel that works.

Before a large export it says how large ("1.28 million vertices of tracks: about 28 MB of KML") and offers the
case vessel's features only; temporary files an unfinished export left in the folder (QGIS killed mid-export) are
found and offered for removal.
"""

from __future__ import annotations

import os
from typing import Callable, List, Optional

from qgis.core import Qgis, QgsProject, QgsVectorLayer
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from ..qgis_io.case_export import (
    FORMAT_LABELS,
    FORMATS,
    estimate_export,
    remove_partials,
    stale_partials,
    vessel_filter,
    with_reviews,
)
from ..qgis_io.i18n import tr
from ..tasks.export_tasks import ExportJob, ExportTask, snapshot, write_report
from . import settings as keys
from .guard import guarded
from .task_runner import TaskRunner

# ask(title, text, choices) -> the chosen text, or None when the analyst closes the question
Ask = Callable[[str, str, List[str]], Optional[str]]


def ask_with_buttons(parent) -> Ask:
    def ask(title: str, text: str, choices: List[str]) -> Optional[str]:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
        buttons = {box.addButton(choice, QMessageBox.ButtonRole.AcceptRole): choice for choice in choices}
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return buttons.get(box.clickedButton())

    return ask


def default_folder() -> str:
    return os.path.join(os.path.expanduser("~"), "Bai Mei exports")


class ExportDialog(QDialog):
    """Pre-filled from ``case_layers`` (ticked), the other vector layers of the project (unticked), the case vessel
    ``mmsi`` and the settings' last choices."""

    def __init__(self, iface, settings, case_layers, vessels, mmsi=None, parent=None, ask: Optional[Ask] = None):
        super().__init__(parent)
        self.iface, self.settings = iface, settings
        self.ask = ask or ask_with_buttons(self)
        self.job: Optional[ExportJob] = None
        self.written: List[str] = []
        self.setWindowTitle(tr("Bai Mei: export the case"))
        self._build(vessels, mmsi)
        self._fill_layers(case_layers)
        self.runner = TaskRunner(
            iface,
            self.on_exported,
            controls=(self.exportButton, self.layerList),
            cancel_button=self.cancelButton,
            progress=self.progressBar,
            cancelled=tr("Export cancelled: its temporary files were removed, nothing was written."),
            on_failed=lambda task, error: self.statusLabel.setText(
                error.message if error is not None else tr("Cancelled: nothing was written.")
            ),
        )
        self.offer_stale_partials(self.folder())

    # --- the form ---------------------------------------------------------------------------------------------
    def _build(self, vessels, mmsi) -> None:
        s = self.settings
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.vesselCombo = QComboBox()
        self.vesselCombo.addItem(tr("(no vessel: every vessel's features)"), None)
        for vessel in vessels:
            self.vesselCombo.addItem(
                tr("{vessel_name_or_unnamed} (MMSI {mmsi})").format(
                    vessel_name_or_unnamed=vessel.name or "unnamed", mmsi=vessel.mmsi
                ),
                int(vessel.mmsi),
            )
        if mmsi is not None and self.vesselCombo.findData(int(mmsi)) < 0:
            self.vesselCombo.addItem(tr("MMSI {mmsi}").format(mmsi=mmsi), int(mmsi))
        self.vesselCombo.setCurrentIndex(max(0, self.vesselCombo.findData(mmsi)) if mmsi is not None else 0)
        form.addRow(tr("Vessel of the case"), self.vesselCombo)
        self.vesselOnlyCheck = QCheckBox(tr("Only this vessel's features (tracks, gaps, areas, ports of its gaps)"))
        self.vesselOnlyCheck.setChecked(s.value(keys.EXPORT_VESSEL_ONLY, True, bool))
        form.addRow("", self.vesselOnlyCheck)
        self.layerList = QListWidget()
        form.addRow(tr("Layers"), self.layerList)
        remembered = str(s.value(keys.EXPORT_FORMATS, "gpkg,kml") or "").split(",")
        self.formatChecks = {}
        formats = QVBoxLayout()
        for fmt, label in zip(FORMATS, FORMAT_LABELS):
            check = QCheckBox(label)
            check.setChecked(fmt in remembered)
            self.formatChecks[fmt] = check
            formats.addWidget(check)
        form.addRow(tr("Formats"), formats)
        self.reportCheck = QCheckBox(tr("The case report (PDF and HTML)"))
        self.reportCheck.setChecked(s.value(keys.EXPORT_REPORT, True, bool))
        form.addRow("", self.reportCheck)
        self.folderWidget = QgsFileWidget()
        self.folderWidget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.folderWidget.setFilePath(s.value(keys.EXPORT_FOLDER, "") or default_folder())
        form.addRow(tr("Folder"), self.folderWidget)
        self.nameEdit = QLineEdit(s.value(keys.EXPORT_NAME, "") or "bai_mei_case")
        form.addRow(tr("Base name of the files"), self.nameEdit)
        self.overwriteCheck = QCheckBox(tr("Replace files of the same name"))
        form.addRow("", self.overwriteCheck)
        layout.addLayout(form)
        self.statusLabel = QLabel("")
        self.statusLabel.setWordWrap(True)
        self.statusLabel.setTextFormat(Qt.TextFormat.PlainText)  # names come from the data
        layout.addWidget(self.statusLabel)
        self.progressBar = QProgressBar()
        layout.addWidget(self.progressBar)
        buttons = QHBoxLayout()
        self.exportButton = QPushButton(tr("Export"))
        self.cancelButton = QPushButton(tr("Cancel export"))
        self.cancelButton.setEnabled(False)
        self.closeButton = QPushButton(tr("Close"))
        for button in (self.exportButton, self.cancelButton, self.closeButton):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.exportButton.clicked.connect(self.export)
        self.closeButton.clicked.connect(self.close)

    def _fill_layers(self, case_layers) -> None:
        ticked = {layer.id() for layer in case_layers if layer is not None}
        layers = [layer for layer in case_layers if layer is not None]
        others = [
            layer
            for layer in QgsProject.instance().mapLayers().values()
            if isinstance(layer, QgsVectorLayer) and layer.id() not in ticked
        ]
        for layer in layers + sorted(others, key=lambda layer: layer.name()):
            item = QListWidgetItem(layer.name())
            item.setData(Qt.ItemDataRole.UserRole, layer.id())
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.id() in ticked else Qt.CheckState.Unchecked)
            self.layerList.addItem(item)

    def mmsi(self) -> Optional[int]:
        return self.vesselCombo.currentData()

    def folder(self) -> str:
        return self.folderWidget.filePath().strip()

    def formats(self) -> List[str]:
        return [fmt for fmt, check in self.formatChecks.items() if check.isChecked()]

    def ticked_layers(self) -> List[QgsVectorLayer]:
        project = QgsProject.instance()
        items = [self.layerList.item(row) for row in range(self.layerList.count())]
        layers = [
            project.mapLayer(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]
        return [layer for layer in layers if isinstance(layer, QgsVectorLayer) and layer.isValid()]

    # --- the export -------------------------------------------------------------------------------------------
    def build_job(self, vessel_only: bool) -> ExportJob:
        """The job the form describes: snapshots of the ticked layers (the gaps with the project's review queue),
        each with the case vessel's filter when ``vessel_only``."""
        from ..qgis_io.review import load_reviews

        originals = self.ticked_layers()
        layers = with_reviews(originals, load_reviews(QgsProject.instance()))
        mmsi = self.mmsi()
        gap_ids = self._gap_ids(originals, mmsi) if vessel_only and mmsi is not None else []
        pairs = [
            (snapshot(layer), vessel_filter(layer, mmsi, gap_ids) if vessel_only and mmsi is not None else None)
            for layer in layers
        ]
        return ExportJob(
            pairs,
            self.folder(),
            self.formats(),
            self.nameEdit.text().strip() or "bai_mei_case",
            self.overwriteCheck.isChecked(),
            self.reportCheck.isChecked(),
            mmsi,
            originals,
        )

    @staticmethod
    def _gap_ids(layers, mmsi: int) -> List[str]:
        from qgis.core import QgsFeatureRequest

        ids = []
        for layer in layers:
            names = layer.fields().names()
            if {"gap_id", "mmsi"} <= set(names):
                request = QgsFeatureRequest().setFilterExpression(f'"mmsi" = {int(mmsi)}')
                ids += [str(f["gap_id"]) for f in layer.getFeatures(request)]
        return sorted(set(ids))

    @guarded
    def export(self) -> None:
        vessel_only = self.vesselOnlyCheck.isChecked() and self.mmsi() is not None
        job = self.build_job(vessel_only)
        job.check()
        estimate = estimate_export(job.layers, job.formats)
        if estimate.large and not vessel_only:
            choice = self._ask_large(estimate)
            if choice is None:
                self.statusLabel.setText(tr("Export not started."))
                return
            if choice != "Everything":
                self.vesselOnlyCheck.setChecked(True)
                job = self.build_job(True)
                estimate = estimate_export(job.layers, job.formats)
        self.statusLabel.setText(self.kept_text(job, estimate))
        self.offer_stale_partials(job.folder)
        self.remember(job)
        self.job = job
        self.runner.run(ExportTask(job, self.runner.finished))

    def _ask_large(self, estimate) -> Optional[str]:
        mmsi = self.mmsi()
        vessel = self.vesselCombo.currentText()
        choices = ([f"Only {vessel}'s"] if mmsi is not None else []) + ["Everything"]
        # the choices stay as written: the answer is compared with them
        question = tr("export only {vessel}'s?").format(vessel=vessel) if mmsi is not None else tr("export it all?")
        return self.ask(tr("Bai Mei: a large export"), f"{estimate.text()}; {question}", choices)

    @staticmethod
    def kept_text(job: ExportJob, estimate) -> str:
        """What the vessel filter kept of each layer and why ("tracks: 12 of 890 features (the case vessel's)")."""
        parts = []
        for (layer, expression), size in zip(job.layers, estimate.layers):
            if expression:
                parts.append(f"{layer.name()}: {size.features:,} of {layer.featureCount():,} features")
        if not parts:
            return f"Exporting: {estimate.text()}."
        return f"Only the case vessel's features — {'; '.join(parts)}. Exporting: {estimate.text()}."

    def remember(self, job: ExportJob) -> None:
        s = self.settings
        s.set_value(keys.EXPORT_FOLDER, job.folder)
        s.set_value(keys.EXPORT_FORMATS, ",".join(job.formats))
        s.set_value(keys.EXPORT_REPORT, job.report)
        s.set_value(keys.EXPORT_VESSEL_ONLY, self.vesselOnlyCheck.isChecked())
        s.set_value(keys.EXPORT_NAME, job.base_name)

    @property
    def task(self):
        return self.runner.task

    def cancel(self) -> None:
        self.runner.cancel()

    def on_exported(self, task) -> None:
        """The files are written; the report's print layout is made here, on the GUI thread."""
        job = task.job
        written = list(task.result or [])
        if job.report:
            self.statusLabel.setText(tr("Writing the case report…"))
            written += write_report(job, QgsProject.instance())
        self.written = written
        text = tr("Wrote {count} file(s) to {folder}.").format(count=len(written), folder=job.folder)
        self.statusLabel.setText(text)
        self.progressBar.setValue(100)
        self.iface.messageBar().pushMessage("Bai Mei", text, Qgis.MessageLevel.Success, 8)

    # --- what a killed export left behind ---------------------------------------------------------------------
    def offer_stale_partials(self, folder: str) -> None:
        """Offer to remove the temporary files an export that never finished left in ``folder``."""
        found = stale_partials(folder) if folder else []
        if not found:
            return
        size = sum(os.path.getsize(p) for p in found if os.path.exists(p))
        names = ", ".join(os.path.basename(p) for p in found[:3]) + (", …" if len(found) > 3 else "")
        choice = self.ask(
            tr("Bai Mei: unfinished export"),
            tr(
                "{count} temporary file(s) ({megabytes:.1f} MB) of an export that never finished (QGIS was closed or "
                "stopped while writing) are in {folder}: {names}. They are incomplete and cannot be recovered as "
                "files; remove them?"
            ).format(count=len(found), megabytes=size / 1e6, folder=folder, names=names),
            ["Remove them"],
        )
        if choice is None:
            return
        freed, failed = remove_partials(found)
        text = tr("Removed {count} unfinished export file(s) ({megabytes:.1f} MB) from {folder}.").format(
            count=len(found) - len(failed), megabytes=freed / 1e6, folder=folder
        )
        if failed:
            text += " " + tr("Could not remove: {files}.").format(files="; ".join(failed))
        self.statusLabel.setText(text)
