"""The case bar at the top of the dock: New case… / Open case…, the case in use, and the project remembering it.

A case is one GeoPackage (qgis_io/case_workspace.py) where the session writes every layer as it is made; the project
keeps the case's path (never anything secret), so reading the project opens the case again and restores the panel:
the gaps table, the reviews, the sightings layer and the selected gap."""

from __future__ import annotations

import dataclasses
import os

from qgis.core import Qgis, QgsVectorLayer
from qgis.gui import QgsMessageBar
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from ..core.errors import BaiMeiError
from ..core.gap_engine import LOADED
from ..core.review import Review
from ..qgis_io.case_workspace import Case, remember_case, remembered_case
from ..qgis_io.i18n import tr
from ..qgis_io.review import load_reviews
from ..tasks.case_tasks import KeepShownTask
from .guard import guarded, show_error
from .task_runner import TaskRunner

NO_CASE = "No case: layers stay in memory"


class CaseBar(QWidget):
    def __init__(self, dock, session, iface, settings):
        super().__init__(dock)
        self.setObjectName("caseBar")
        self.dock, self.session, self.iface, self.settings = dock, session, iface, settings
        self.offered = False  # "New case…" offered once after the first load without a case
        # its own height only: the Tracks page's spare height goes below the form, not around this row
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caseLabel = QLabel(NO_CASE)
        self.caseLabel.setObjectName("caseLabel")
        self.newCaseButton = QPushButton(tr("New case…"))
        self.newCaseButton.setObjectName("newCaseButton")
        self.newCaseButton.setToolTip(tr("Keep every layer the panel makes in one GeoPackage, written as it is made"))
        self.openCaseButton = QPushButton(tr("Open case…"))
        self.openCaseButton.setObjectName("openCaseButton")
        self.openCaseButton.setToolTip(tr("Open a case GeoPackage: its layers, gaps, scores and reviews come back"))
        # writing what is shown into a case just made or opened runs in a task: its progress and Cancel, here
        self.keepProgress = QProgressBar()
        self.keepProgress.setObjectName("caseKeepProgress")
        self.keepProgress.setMaximumWidth(120)
        self.keepProgress.setVisible(False)
        self.keepCancelButton = QPushButton(tr("Cancel"))
        self.keepCancelButton.setObjectName("caseKeepCancelButton")
        self.keepCancelButton.setToolTip(tr("Stop writing the layers shown into the case: they stay in memory"))
        self.keepCancelButton.setVisible(False)
        layout.addWidget(self.caseLabel, 1)
        layout.addWidget(self.keepProgress)
        layout.addWidget(self.keepCancelButton)
        layout.addWidget(self.newCaseButton)
        layout.addWidget(self.openCaseButton)
        self.runner = TaskRunner(
            iface,
            self.on_kept,
            controls=(self.newCaseButton, self.openCaseButton),
            cancel_button=self.keepCancelButton,
            progress=self.keepProgress,
            hide_progress=True,
            cancelled=self.cancelled_text,
            error_level=Qgis.MessageLevel.Warning,
            error_seconds=10,
            on_busy=self.on_keep_busy,
        )
        self.newCaseButton.clicked.connect(self.ask_new_case)
        self.openCaseButton.clicked.connect(self.ask_open_case)
        session.caseChanged.connect(self.show_case)
        session.caseProblem.connect(self.on_problem)
        session.changed.connect(self.on_session_changed)
        session.project.readProject.connect(self.on_project_read)
        dock.gapTable.selectionModel().selectionChanged.connect(self.on_gap_selected)
        annotate = getattr(dock, "annotate", None)
        self.sightings_combo = getattr(getattr(annotate, "page", None), "sightingsCombo", None)
        if self.sightings_combo is not None:
            self.sightings_combo.layerChanged.connect(self.on_sightings_changed)
        # QGIS reads a project given on its command line before the panel is first opened: its case is opened once
        # the panel is up (after the constructors, so that every panel hears the restore)
        if remembered_case(session.project) and session.result is None:
            QTimer.singleShot(0, self.on_project_read)

    # --- making and opening -----------------------------------------------------------------------------------
    def _folder(self) -> str:
        return str(self.settings.value("case_folder", "") or os.path.expanduser("~"))

    @guarded
    def ask_new_case(self, *_):
        path, _ = QFileDialog.getSaveFileName(
            self, tr("New case"), os.path.join(self._folder(), "case.gpkg"), tr("GeoPackage (*.gpkg)")
        )
        if path:
            self.new_case(path)

    @guarded
    def ask_open_case(self, *_):
        path, _ = QFileDialog.getOpenFileName(self, tr("Open case"), self._folder(), tr("GeoPackage (*.gpkg)"))
        if path:
            self.open_case(path)

    def new_case(self, path: str) -> Case:
        """A new case at ``path``: what the panel shows now is written into it, and the project remembers it."""
        case = Case.create(path)
        self.settings.set_value("case_folder", os.path.dirname(case.path))
        self.runner.forget()  # a write into another case still running: stopped, its tables dropped
        self.session.set_case(case)
        remember_case(self.session.project, case)
        self.remember_state()
        self.keep_shown()
        self.iface.messageBar().pushMessage(
            "Bai Mei",
            tr("Case {path}: every layer the panel makes is kept there as it is made.").format(path=case.path),
            Qgis.MessageLevel.Success,
            6,
        )
        return case

    def open_case(self, path: str, quiet: bool = False) -> Case:
        """Open the case at ``path``: its layers, gaps, reviews, sightings and selected gap come back."""
        case = Case.open(path)
        self.settings.set_value("case_folder", os.path.dirname(case.path))
        self.runner.forget()
        remember_case(self.session.project, case)
        if self.session.restore(case):
            info = case.info()
            self.restore_reviews()
            self.restore_sightings(info)
            self.restore_selected_gap(info)
            self.restore_source(info)
            self.session.caseRestored.emit(info)
        else:  # a case with no gaps yet: what is shown goes into it, as after New case…
            self.keep_shown()
        if not quiet:
            count = len(self.session.result.found.gaps) if self.session.result is not None else 0
            self.iface.messageBar().pushMessage(
                "Bai Mei",
                tr("Case {path} opened: {count:,} gaps.").format(path=case.path, count=count),
                Qgis.MessageLevel.Info,
                5,
            )
        return case

    @guarded
    def on_project_read(self, *_):
        path = remembered_case(self.session.project)
        if not path:
            return
        try:
            self.open_case(path, quiet=True)
        except BaiMeiError as exc:
            show_error(
                self.iface,
                BaiMeiError(f"The project's case was not reopened: {exc.message}"),
                Qgis.MessageLevel.Warning,
            )

    # --- what is shown already, written into a case just made or opened (in a task) ---------------------------
    def keep_shown(self) -> None:
        """Write the layers shown (a load before the case was made) into the case in a background task: a large
        load's points would freeze QGIS while GDAL writes them. They are swapped to the case's tables when written."""
        shown, reports = self.session.shown_to_keep()
        if not shown and reports is None:
            return
        self.runner.run(KeepShownTask(self.session.case.path, shown, reports))

    @staticmethod
    def cancelled_text(task: KeepShownTask):
        """What the analyst's Cancel left (nothing said when a load replaced the layers being written)."""
        if task.superseded:
            return None
        return tr(
            "Writing the layers shown into the case {path} was cancelled: they stay in memory, not in the case. "
            "New layers are still written there."
        ).format(path=task.case_path)

    @property
    def keeping(self) -> bool:
        """Whether the layers shown are being written into the case."""
        return self.runner.busy

    def on_keep_busy(self, busy: bool) -> None:
        """While writing, the session holds back its own writes into the case (GDAL has the file locked)."""
        self.keepCancelButton.setVisible(busy)
        if busy:
            self.session.keeping = self.runner.task
            self.caseLabel.setText(tr("Case: {name} (writing the layers shown…)").format(name=self.session.case.name))
            return
        if self.session.keeping is not None:
            self.session.kept()
        self.show_case()

    def on_kept(self, task: KeepShownTask) -> None:
        kept = task.reports if task.reports_kept else None
        swapped = self.session.keep_written(task.case_path, task.tables, task.shown, kept)
        gaps = getattr(self.dock, "gaps", None)
        if "gaps" in swapped and gaps is not None:
            self.session.gaps_layer.selectionChanged.connect(gaps.on_map_selection)
        if gaps is not None and swapped:
            gaps.filter_map()  # the Gaps table's filter, on the case's tables now
        self.keep_shown()  # layers made while writing (kept in memory meanwhile): written next
        if swapped:
            self.iface.messageBar().pushMessage(
                "Bai Mei",
                tr("The layers shown are in the case {case_path} now ({join}).").format(
                    case_path=task.case_path, join=", ".join(swapped)
                ),
                Qgis.MessageLevel.Success,
                5,
            )

    # --- what the panel shows, kept in the case ------------------------------------------------------------------
    def show_case(self) -> None:
        case = self.session.case
        self.caseLabel.setText(tr("Case: {name}").format(name=case.name) if case is not None else NO_CASE)
        self.caseLabel.setToolTip(case.path if case is not None else "")

    def on_problem(self, message: str) -> None:
        self.iface.messageBar().pushMessage("Bai Mei", message, Qgis.MessageLevel.Warning, 10)

    def on_session_changed(self) -> None:
        if self.session.result is None:
            return
        if self.session.case is not None:
            self.remember_state()
        elif not self.offered:
            self.offered = True
            self.offer_case()

    def offer_case(self) -> None:
        """Once, after the first load without a case: say that a case would keep the layers."""
        bar = self.iface.messageBar()
        text = "These layers are in memory only and go with QGIS."
        if isinstance(bar, QgsMessageBar):
            item = bar.createMessage("Bai Mei", text)
            button = QPushButton(tr("New case…"), item)
            button.clicked.connect(self.ask_new_case)
            item.layout().addWidget(button)
            bar.pushWidget(item, Qgis.MessageLevel.Info, 15)
        else:
            text += " New case… (top of the panel) keeps them in a GeoPackage."
            bar.pushMessage("Bai Mei", text, Qgis.MessageLevel.Info, 15)

    def remember_state(self) -> None:
        """The criteria of the form (those of the gaps shown after a load or re-run) into the case."""
        if self.session.case is None or self.session.result is None or not hasattr(self.dock, "gaps"):
            return
        criteria = self.dock.gaps.criteria_widget.criteria()
        self.session.remember(criteria=dataclasses.asdict(criteria))

    @guarded
    def on_gap_selected(self, *_):
        if self.session.case is None:
            return
        gap = self.dock.gaps.selected_gap()
        if gap is not None:
            self.session.remember(selected_gap=gap.gap_id)

    @guarded
    def on_sightings_changed(self, layer):
        if self.session.case is None or layer is None or layer.providerType() != "ogr":
            return
        self.session.remember(sightings_source=layer.source(), sightings_name=layer.name())

    # --- restoring ----------------------------------------------------------------------------------------------
    def restore_reviews(self) -> None:
        """Reviews from the case's gaps layer when the project keeps none (the project was not saved)."""
        queue = self.dock.gaps.reviews
        try:
            kept = load_reviews(self.session.project)
        except BaiMeiError:
            kept = {}  # unreadable: the review queue warns about it; the layer's reviews stand in
        if kept:
            return
        layer = self.session.gaps_layer
        if layer is None or "review_status" not in layer.fields().names():
            return
        reviews = {}
        for feature in layer.getFeatures():
            status = feature["review_status"]
            if status:
                note = feature["review_note"]
                gap_id = str(feature["gap_id"])
                reviews[gap_id] = Review(gap_id, str(status), str(note) if note else "")
        if reviews:
            queue.set_reviews(reviews)

    def restore_sightings(self, info: dict) -> None:
        source = info.get("sightings_source")
        if not source or self.sightings_combo is None:
            return
        project = self.session.project
        layer = next((lyr for lyr in project.mapLayers().values() if lyr.source() == source), None)
        if layer is None:
            layer = QgsVectorLayer(str(source), str(info.get("sightings_name") or "sightings"), "ogr")
            if not layer.isValid():
                self.on_problem(f"The case's sightings layer {source} cannot be read (moved or deleted?).")
                return
            project.addMapLayer(layer)
        self.sightings_combo.setLayer(layer)

    def restore_source(self, info: dict) -> None:
        """The AIS file (or folder) the case was loaded from, back in the Tracks page's file box."""
        source = str(info.get("source") or "")
        file_widget = getattr(self.dock, "fileWidget", None)
        if info.get("source_kind") != LOADED or not os.path.exists(source) or file_widget is None:
            return  # a PostGIS table, an archive, a QGIS layer, or a file moved since: nothing to point at
        self.dock.fileRadio.setChecked(True)
        file_widget.setFilePath(source)

    def restore_selected_gap(self, info: dict) -> None:
        gap_id = info.get("selected_gap")
        proxy = self.dock.gaps.proxy
        for row in range(proxy.rowCount()):
            if proxy.record(proxy.index(row, 0)).gap_id == gap_id:
                self.dock.gapTable.selectRow(row)
                return

    def unload(self) -> None:
        self.runner.forget()
        project = self.session.project
        if sip.isdeleted(project):
            return
        try:
            project.readProject.disconnect(self.on_project_read)
        except (TypeError, RuntimeError):
            pass
