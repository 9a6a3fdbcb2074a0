"""The Gaps page: criteria and re-run (saying what the criteria dropped and why), the gap table (every gap scored in
the background, most suspicious first, filtered by text, hours, level and review — the map shows the same gaps), the
review queue, a selection kept in step with the map and time, and Play voyage following the selected vessel."""

from __future__ import annotations

from qgis.core import Qgis, QgsExpression, QgsFeatureRequest, QgsMessageLog, QgsRectangle
from qgis.PyQt.QtCore import QObject, QTimer

from ..core.gaps import PRESET_DESCRIPTIONS, GapCriteria, describe_drops
from ..qgis_io.i18n import tr
from ..tasks.ais_tasks import FindGapsTask
from . import map_view
from .criteria_widget import CriteriaWidget
from .engine_box import EngineBox
from .gap_details import GapDetails
from .guard import guarded
from .models import GapTableModel, attach_table
from .review_widget import ReviewQueue
from .scoring_task import GapScoring
from .settings import OTHERS_WHILE_PLAYING, Settings
from .task_runner import TaskRunner
from .weights_dialog import WeightsDialog

PLAY_PADDING_S = 2 * 24 * 3600
# the level filter's choices (levelCombo's order) -> the lowest level shown (core.suspicion.LEVELS' index; 0 = all)
LEVEL_FILTERS = {"All": 0, "high": 3, "medium or higher": 2, "low or higher": 1}
MAP_FILTER_DELAY_MS = 250  # the map follows the table's filter once typing pauses, not at every key


class GapsPanel(QObject):
    def __init__(self, dock, session, iface, settings: Settings):
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.iface = iface
        self.settings = settings
        self._syncing = False
        self.model = GapTableModel(self)
        self.proxy = attach_table(dock.gapTable, self.model, "Suspicion")  # the most suspicious gaps first
        d = dock
        self.criteria_widget = CriteriaWidget(d.criteriaGroup)
        d.criteriaLayout.insertRow(0, self.criteria_widget)
        # the dock's names for the page's key widgets, as if they were in the .ui (the walkthrough measures them)
        d.presetCombo = self.criteria_widget.presetCombo
        d.minHoursSpin = self.criteria_widget.editors["min_gap_hours"]
        self.criteria_widget.restore(settings)
        # the criteria fold away (QGIS's collapsible group) to leave room for the table and the selected gap
        d.criteriaGroup.setSaveCollapsedState(False)
        # folded by default: its title names the preset, and the table and the selected gap need the room
        d.criteriaGroup.setCollapsed(str(settings.value("criteria_collapsed", "true")).lower() in ("true", "1"))
        d.criteriaGroup.collapsedStateChanged.connect(
            lambda collapsed: settings.set_value("criteria_collapsed", bool(collapsed))
        )
        self.on_preset(self.criteria_widget.preset())
        self.criteria_widget.presetChanged.connect(self.on_preset)
        d.rerunButton.clicked.connect(self.rerun)
        d.filterEdit.textChanged.connect(self.apply_filter)
        d.filterHoursSpin.valueChanged.connect(self.apply_filter)
        d.levelCombo.currentIndexChanged.connect(self.apply_filter)
        d.unreviewedCheck.toggled.connect(self.apply_filter)
        self.map_filter_timer = QTimer(self)
        self.map_filter_timer.setSingleShot(True)
        self.map_filter_timer.setInterval(MAP_FILTER_DELAY_MS)
        self.map_filter_timer.timeout.connect(self.filter_map)
        self.focus = None  # the VesselFocus of a voyage being played
        for key, text in map_view.OTHERS_CHOICES:
            d.othersCombo.addItem(text, key)
        remembered = settings.value(OTHERS_WHILE_PLAYING, map_view.OTHERS_FADED)
        d.othersCombo.setCurrentIndex(max(0, d.othersCombo.findData(remembered)))
        d.othersCombo.currentIndexChanged.connect(self.on_others_changed)
        d.weightsButton.clicked.connect(self.edit_weights)
        d.gapTable.selectionModel().selectionChanged.connect(self.on_row_selected)
        d.gapTable.doubleClicked.connect(lambda _index: self.show_whole_track())
        d.playButton.clicked.connect(self.play_voyage)
        d.trackButton.clicked.connect(self.show_whole_track)
        self.details = GapDetails(self, dock, session, iface, settings)
        self.engine = EngineBox(self, dock, session, iface, settings)
        self.reviews = ReviewQueue(self, dock, session, iface, settings)
        self.scoring = GapScoring(self, dock, session, iface, settings)
        # other ports of interest: every gap scored again (after the box has remembered them)
        self.details.interestEdit.editingFinished.connect(self.scoring.restart_if_interest_changed)
        # a new load stops the scoring at once (the load gets the machine; its gaps are scored when they arrive)
        d.loadButton.clicked.connect(self.scoring.interrupt)
        d.scoreButton.clicked.connect(self.scoring.restart)
        # Re-run finds the gaps by the engine box's progress bar and Cancel, as the engine's own run does.
        self.runner = TaskRunner(
            iface,
            self.on_rerun,
            controls=(d.rerunButton, self.engine.runButton),
            cancel_button=self.engine.cancelButton,
            progress=self.engine.progress,
        )
        session.changed.connect(self.on_session_changed)
        self.on_session_changed()

    # --- criteria -------------------------------------------------------------------------------------------
    def on_preset(self, name: str) -> None:
        self.dock.criteriaGroup.setTitle(tr("Gap criteria: {name}").format(name=name))
        self.dock.criteriaGroup.setToolTip(PRESET_DESCRIPTIONS.get(name, ""))

    def criteria(self) -> GapCriteria:
        """The criteria of the form (remembered for the next session)."""
        self.criteria_widget.save(self.settings)
        return self.criteria_widget.criteria()

    @guarded
    def rerun(self) -> None:
        """The gaps again with the form's criteria, by the engine that found the gaps shown: where the reports are
        (in memory, on the server, in the archive)."""
        engine = self.session.engine
        if engine is None:
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Load AIS reports first (Tracks page)."), Qgis.MessageLevel.Info, 5
            )
            return
        self.scoring.interrupt()  # the gaps are about to be replaced
        self.runner.run(FindGapsTask(engine, self.criteria(), self.runner.finished))

    @property
    def task(self):
        return self.runner.task

    def on_rerun(self, task) -> None:
        self.session.replace_gaps(task.result)
        drops = describe_drops(task.result.found)
        if drops:
            QgsMessageLog.logMessage(drops, "Bai Mei", Qgis.MessageLevel.Info)
        self.iface.messageBar().pushMessage(
            "Bai Mei",
            f"{len(task.result.found.gaps):,} gaps with the new criteria. {drops}".strip(),
            Qgis.MessageLevel.Success,
            8,
        )

    # --- table ----------------------------------------------------------------------------------------------
    def on_session_changed(self) -> None:
        result = self.session.result
        self.stop_focus()  # the layers it faded are being replaced
        self.model.set_records(result.found.gaps if result else [])
        self.dock.gapTable.resizeColumnsToContents()
        self.update_count()
        self.dock.dropLabel.setText(describe_drops(result.found) if result else "")
        self.filter_map()
        layer = self.session.gaps_layer
        if layer is not None:
            layer.selectionChanged.connect(self.on_map_selection)
        self.details.on_gap_changed()
        if hasattr(self, "scoring"):  # not during construction: the scorer is made after the table
            self.scoring.start()  # new gaps: the scores of the ones before are dropped, a running scoring stopped

    def apply_filter(self, *_):
        self.proxy.set_filter(self.dock.filterEdit.text(), self.dock.filterHoursSpin.value())
        self.proxy.set_level_filter(
            LEVEL_FILTERS.get(self.dock.levelCombo.currentText(), 0), self.dock.unreviewedCheck.isChecked()
        )
        self.update_count()
        self.map_filter_timer.start()

    def filtering(self) -> bool:
        proxy = self.proxy
        return bool(proxy.text or proxy.min_hours > 0 or proxy.min_level or proxy.unreviewed_only)

    @guarded
    def filter_map(self) -> None:
        """The map shows the gaps the table shows (and, when a text is typed, only those vessels' tracks): a subset
        of the gap ids (and MMSIs) shown, each value quoted; no filter shows everything again."""
        self.map_filter_timer.stop()
        gaps, tracks = self.session.gaps_layer, self.session.tracks_layer
        if gaps is None:
            return
        if not self.filtering():
            map_view.set_subset(gaps, "")
            map_view.set_subset(tracks, "")
            return
        shown = [self.proxy.record(self.proxy.index(row, 0)) for row in range(self.proxy.rowCount())]
        map_view.set_subset(gaps, map_view.membership_subset(gaps, "gap_id", [g.gap_id for g in shown]))
        if tracks is not None:
            vessels = sorted({g.mmsi for g in shown})
            map_view.set_subset(tracks, map_view.membership_subset(tracks, "mmsi", vessels) if self.proxy.text else "")

    def on_scores_changed(self) -> None:
        """Scores arrived or were replaced: the level filter sees them, the count and the selected gap follow."""
        if self.proxy.min_level:
            self.proxy.invalidateFilter()
            self.map_filter_timer.start()
        self.update_count()
        self.details.refresh(working=self.details.looking)

    def on_reviews_changed(self) -> None:
        if self.proxy.unreviewed_only:
            self.proxy.invalidateFilter()
            self.map_filter_timer.start()
        self.update_count()
        self.details.refresh(working=self.details.looking)

    def update_count(self) -> None:
        total = len(self.model.records)
        shown = self.proxy.rowCount()
        text = (
            tr("{shown:,} of {total:,} gaps shown.").format(shown=shown, total=total)
            if total
            else tr("No gaps loaded.")
        )
        scoring = getattr(self, "scoring", None)
        busy = scoring is not None and scoring.busy
        scored = len(self.model.scores)
        if total and busy:
            text += " " + tr("Scoring… {scored:,} scored.").format(scored=scored)
        elif total and scored < total:
            text += " " + tr("{scored:,} scored (stopped).").format(scored=scored)
        self.dock.gapCountLabel.setText(text)
        self.dock.scoreButton.setVisible(bool(total) and not busy and scored < total)

    def selected_gaps(self):
        """The selected gaps, in the table's order."""
        rows = sorted(self.dock.gapTable.selectionModel().selectedRows(), key=lambda index: index.row())
        return [self.proxy.record(index) for index in rows]

    def selected_gap(self):
        """The first selected gap (None when none is)."""
        rows = self.dock.gapTable.selectionModel().selectedRows()
        return self.proxy.record(min(rows, key=lambda index: index.row())) if rows else None

    @guarded
    def edit_weights(self) -> None:
        """The weights in a dialog; new ones are kept in the project and every gap is scored again."""
        dialog = WeightsDialog(self.scoring.weights, self.dock)
        if dialog.exec():
            self.scoring.set_weights(dialog.weights())

    @guarded
    def on_row_selected(self, *_):
        gap = self.selected_gap()
        if len(self.dock.gapTable.selectionModel().selectedRows()) <= 1:  # one gap: its note, to read or amend
            self.dock.reviewNoteEdit.setText(self.reviews.note_of(gap))
        if gap is None or self._syncing:
            return
        layer = self.session.gaps_layer
        if layer is not None:
            ids = [
                f.id()
                for f in layer.getFeatures(
                    QgsFeatureRequest()
                    .setFilterExpression(f'"gap_id" = {QgsExpression.quotedValue(gap.gap_id)}')
                    .setNoAttributes()
                    .setFlags(QgsFeatureRequest.Flag.NoGeometry)
                )
            ]
            self._syncing = True
            layer.selectByIds(ids)
            self._syncing = False
        canvas = self.iface.mapCanvas()
        map_view.zoom_to(
            canvas,
            QgsRectangle(
                min(gap.off_lon, gap.on_lon),
                min(gap.off_lat, gap.on_lat),
                max(gap.off_lon, gap.on_lon),
                max(gap.off_lat, gap.on_lat),
            ),
        )
        map_view.show_window(canvas, gap.off_time, gap.on_time)

    @guarded
    def on_map_selection(self, selected, _deselected, _clear):
        """A gap selected on the map selects its row (and the table shows it)."""
        if self._syncing or not selected:
            return
        layer = self.session.gaps_layer
        feature = layer.getFeature(selected[0])
        row = self.proxy.proxy_row_of(lambda g: g.gap_id == feature["gap_id"])
        if row < 0:
            return
        self._syncing = True
        self.dock.gapTable.selectRow(row)
        self.dock.gapTable.scrollTo(self.proxy.index(row, 0))
        self._syncing = False

    # --- actions --------------------------------------------------------------------------------------------
    @guarded
    def play_voyage(self) -> None:
        gap = self.selected_gap()
        if gap is None:
            self.iface.messageBar().pushMessage("Bai Mei", tr("Select a gap first."), Qgis.MessageLevel.Info, 4)
            return
        self.show_whole_track(gap)
        # let the zoom settle before the animation starts
        QTimer.singleShot(0, lambda: self.start_voyage(gap))

    def start_voyage(self, gap) -> None:
        """Animate the gap's voyage, following its vessel (the others faded, hidden or shown: the remembered
        choice)."""
        canvas = self.iface.mapCanvas()
        self.stop_focus()
        playing = map_view.play(canvas, gap.off_time - PLAY_PADDING_S, gap.on_time + PLAY_PADDING_S)
        columns = self.session.result.columns if self.session.result else None
        if not playing or columns is None:
            return
        self.focus = map_view.VesselFocus(
            canvas,
            [self.session.tracks_layer, self.session.gaps_layer],
            gap.mmsi,
            map_view.vessel_positions(columns, gap.mmsi),
            self.dock.othersCombo.currentData(),
            parent=self,
        )
        self.focus.start()

    def stop_focus(self) -> None:
        if self.focus is not None:
            self.focus.stop()
            self.focus = None

    def on_others_changed(self, _index) -> None:
        """The choice is remembered, and a voyage playing now follows it."""
        others = self.dock.othersCombo.currentData()
        self.settings.set_value(OTHERS_WHILE_PLAYING, others)
        if self.focus is not None and self.focus.active:
            self.focus.set_others(others)

    @guarded
    def show_whole_track(self, gap=None) -> None:
        gap = gap or self.selected_gap()
        tracks = self.session.tracks_layer
        if gap is None or tracks is None:
            return
        request = QgsFeatureRequest().setFilterExpression(f'"mmsi" = {int(gap.mmsi)}')
        features = list(tracks.getFeatures(request))
        if not features:
            return
        extent = QgsRectangle(features[0].geometry().boundingBox())
        for feature in features[1:]:
            extent.combineExtentWith(feature.geometry().boundingBox())
        tracks.selectByIds([f.id() for f in features])
        map_view.zoom_to(self.iface.mapCanvas(), extent, margin=0.05)

    def unload(self):
        self.stop_focus()
        self.details.unload()
        self.engine.unload()
        self.scoring.unload()
        self.reviews.unload()
        self.runner.cancel()
