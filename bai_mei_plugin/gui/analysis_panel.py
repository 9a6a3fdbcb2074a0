"""The Analysis page: reachability of the selected gap, and port visits, encounters and anomalies of the loaded
reports, each run in a background task through the same core functions as the Processing algorithms."""

from __future__ import annotations

import os

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QT_TR_NOOP, QObject, Qt
from qgis.PyQt.QtWidgets import QWidget

from ..qgis_io.i18n import tr
from ..tasks import analysis_tasks, radar_tasks
from ..tasks.ais_tasks import LOG_TAG
from . import map_view
from .guard import guarded
from .models import RecordTableModel, attach_table, number_text, utc_text
from .radar_part import RadarPart
from .task_runner import TaskRunner

PAGE_CLASS, _ = uic.loadUiType(os.path.join(os.path.dirname(__file__), "analysis_page.ui"))


class AnalysisPage(QWidget, PAGE_CLASS):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)


def _stay(visit) -> float:
    """The longest possible stay: by sea when known (ships cannot cross land), else by great circle."""
    return visit.max_dwell_hours_sea if visit.max_dwell_hours_sea is not None else visit.max_dwell_hours


class CandidateTableModel(RecordTableModel):
    COLUMNS = (
        (QT_TR_NOOP("Port"), lambda v: v.port_name, lambda v: v.port_name),
        (QT_TR_NOOP("Max stay h"), lambda v: number_text(_stay(v), 0), _stay),
        (QT_TR_NOOP("Arrive ≥"), lambda v: utc_text(v.arrive_earliest), lambda v: v.arrive_earliest),
        (QT_TR_NOOP("Leave ≤"), lambda v: utc_text(v.depart_latest), lambda v: v.depart_latest),
        (QT_TR_NOOP("LOCODE"), lambda v: v.locode, lambda v: v.locode),
    )

    def name_of(self, record):
        return record.port_name

    def hours_of(self, record) -> float:
        return _stay(record)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.ToolTipRole and index.isValid()
        ):  # the whole value when the narrow dock cuts a column
            return super().data(index, Qt.ItemDataRole.DisplayRole) or None
        return super().data(index, role)


class AnalysisPanel(QObject):
    def __init__(self, dock, session, iface):
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.iface = iface
        self.page = AnalysisPage()
        dock.tabs.insertTab(dock.tabs.indexOf(dock.vesselsPage) + 1, self.page, "Analysis")
        p = self.page
        self.model = CandidateTableModel(self)
        self.proxy = attach_table(p.candidateTable, self.model, "Max stay h")
        p.reachButton.clicked.connect(self.reach)
        p.portVisitsButton.clicked.connect(lambda: self.run_on_reports("port visits", self._port_visits))
        p.encountersButton.clicked.connect(lambda: self.run_on_reports("encounters", analysis_tasks.encounters))
        p.anomaliesButton.clicked.connect(lambda: self.run_on_reports("anomalies", analysis_tasks.anomalies, True))
        self.radar = RadarPart(self)
        p.radarDetectButton.clicked.connect(self.detect_vessels)
        self.table_slot = None  # what the table's selection calls (the radar rows'; none for the ports)
        self.runner = TaskRunner(
            iface,
            self.on_done,
            controls=(p.reachButton, p.portVisitsButton, p.encountersButton, p.anomaliesButton, p.radarDetectButton),
            cancel_button=p.analysisCancelButton,
            progress=p.analysisProgress,
            hide_progress=True,
            cancelled=tr("Cancelled; nothing was added."),
            on_busy=lambda busy: self.radar.update_buttons(busy),
        )
        self.runner.set_busy(False)
        self.table_gap_id = None  # the gap whose candidate ports the table shows
        # the Selected gap box works out the selected gap's ports as it is selected: the table shows them when the
        # page opens, without a second click on "Reachable sea and ports"
        dock.tabs.currentChanged.connect(self.on_tab_changed)

    def on_tab_changed(self, _index) -> None:
        if self.dock.tabs.currentWidget() is self.page:
            self.show_selected_gap_ports()

    @guarded
    def show_selected_gap_ports(self) -> None:
        """The selected gap's candidate ports from the Selected gap box, when it has worked them out; an empty
        table (and a hint) rather than another gap's ports."""
        gaps = getattr(self.dock, "gaps", None)  # None while the dock is being built
        gap = gaps.selected_gap() if gaps is not None else None
        if gap is None or gap.gap_id == self.table_gap_id:
            return
        details = gaps.details
        if details.gap is gap and details.visits is not None:
            self.show_ports(gap.gap_id, details.visits)
            name = gap.vessel_name or gap.mmsi
            self.page.analysisLabel.setText(
                tr("{count:,} candidate ports of {name}'s gap.").format(count=len(details.visits), name=name)
            )
        elif self.table_gap_id is not None:
            self.show_ports(None, [])
            self.page.analysisLabel.setText(tr("Reachable sea and ports: for the gap selected on the Gaps page."))

    def show_ports(self, gap_id, visits) -> None:
        self.table_gap_id = gap_id
        self.model.set_records(list(visits))
        self.use_table(self.proxy)
        self.page.candidateTable.resizeColumnsToContents()

    def use_table(self, proxy, on_selected=None) -> None:
        """The page's one table shows the last thing asked for: candidate ports or radar rows (``proxy``);
        ``on_selected`` follows its selection (a view makes a new selection model with each model)."""
        table = self.page.candidateTable
        if table.model() is proxy:
            return
        old = table.selectionModel()
        table.setModel(proxy)
        if old is not None:
            old.deleteLater()  # a view does not delete the selection model it made for its previous model
        model = proxy.sourceModel()
        table.horizontalHeader().setSortIndicator(max(model.sort_column, 0), model.sort_order)
        self.table_slot = on_selected
        if on_selected is not None:
            table.selectionModel().selectionChanged.connect(on_selected)

    def _port_visits(self, task, cols):
        return analysis_tasks.port_visits(task, cols, list(self.session.result.found.gaps))

    @property
    def task(self):
        return self.runner.task

    def _start(self, description: str, work) -> None:
        self.runner.run(analysis_tasks.AnalysisTask(description, work, self.runner.finished))

    def _need_reports(self) -> bool:
        if self.session.result is None:
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Load AIS reports first (Tracks page)."), Qgis.MessageLevel.Info, 5
            )
            return False
        return True

    @guarded
    def reach(self) -> None:
        if not self._need_reports():
            return
        gap = self.dock.gaps.selected_gap()
        if gap is None:
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Select a gap on the Gaps page first."), Qgis.MessageLevel.Info, 5
            )
            return
        speed = self.page.reachSpeedSpin.value() or None
        cols = self.session.result.columns
        self.reach_gap_id = gap.gap_id
        self._start(
            tr("Bai Mei: where could {vessel} have gone?").format(vessel=gap.vessel_name or gap.mmsi),
            lambda task: analysis_tasks.reachability(task, cols, gap, speed),
        )

    @guarded
    def run_on_reports(self, what: str, work, cleaned: bool = False) -> None:
        """``work(task, columns)`` on the loaded reports; with ``cleaned``, the load's cleaning result follows (the
        reports it set aside as evidence), taken now: the task must not see a load that replaces it meanwhile."""
        if not self._need_reports():
            return
        cols, reports = self.session.result.columns, self.session.result.reports
        self._start(f"Bai Mei: {what}", lambda task: work(task, cols, reports) if cleaned else work(task, cols))

    @guarded
    def detect_vessels(self) -> None:
        """Vessels in the chosen SAR scene, matched with the loaded reports at the scene's time."""
        if not self._need_reports():
            return
        layer = self.radar.scene()
        if layer is None:
            self.iface.messageBar().pushMessage(
                "Bai Mei",
                tr("Add a single-band SAR scene to the map (Imagery page or Layer > Add Raster Layer) and choose it."),
                Qgis.MessageLevel.Info,
                6,
            )
            return
        scene = radar_tasks.SceneInput(layer.source(), layer.name())
        cols = self.session.result.columns
        gaps = radar_tasks.gap_windows(self.session.result.found.gaps)
        areas = radar_tasks.reach_areas(self.session.extra.get("reach_areas"))  # read here: layers stay on this thread
        params, match_params = self.radar.params()  # the radar settings as they are now
        self._start(
            tr("Bai Mei: vessels on radar in {layer}").format(layer=layer.name()),
            lambda task: radar_tasks.detect_and_match(task, scene, cols, gaps, areas, params, match_params),
        )

    def cancel(self) -> None:
        self.runner.cancel()

    def on_done(self, task) -> None:
        bar = self.iface.messageBar()
        result = task.result
        if self.session.group is None:  # the data set was closed while the task ran
            return
        for layer, kind in result.layers:
            self.session.add_extra(layer, kind)
        if isinstance(result, radar_tasks.RadarResult):
            self.radar.show(result)
        if result.layers and result.layers[0][1] == "reach_areas":
            self.show_ports(getattr(self, "reach_gap_id", None), result.records)
            extent = result.layers[0][0].extent()
            if not extent.isEmpty():
                map_view.zoom_to(self.iface.mapCanvas(), extent, margin=0.05)
        for note in result.notes:
            QgsMessageLog.logMessage(note, LOG_TAG, Qgis.MessageLevel.Info)
        self.page.analysisLabel.setText(result.summary)
        bar.pushMessage("Bai Mei", result.summary, Qgis.MessageLevel.Success, 8)

    def unload(self) -> None:
        self.cancel()
        self.radar.unload()
        self.page.setParent(None)
