"""The Gaps page's engine choice: find the dark gaps where the reports are kept — in QGIS (the loaded file), on a
PostGIS server (one SQL statement; the reports never leave the database) or in a Parquet or CSV archive with Dask —
through the same Processing algorithms as a model would, in a background task with progress and cancel. The gaps
found by a server or a cluster fill the Gaps page and the map like loaded ones."""

from __future__ import annotations

from collections import Counter
from typing import Dict, Tuple

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsMessageLog,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.gui import QgsCollapsibleGroupBox, QgsProviderConnectionComboBox
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QWidget,
)

from ..core.ais.model import CleanResult
from ..core.errors import BaiMeiError
from ..core.gaps import GapResult, gap_end_columns
from ..processing.detect_gaps import PRESET_NAMES
from ..processing.detect_gaps_postgis import DetectGapsPostgisAlgorithm
from ..qgis_io.inputs import gaps_from_source
from ..tasks.ais_tasks import LOG_TAG, LoadResult
from .guard import guarded
from .session import PagePart

ENGINE_QGIS, ENGINE_POSTGIS, ENGINE_DASK = range(3)
ENGINE_NAMES = ("In QGIS: the loaded reports", "PostGIS: a table on a server", "Dask: a Parquet or CSV archive")
ENGINE_SHORT = ("In QGIS", "PostGIS", "Dask")
ALGORITHMS = {ENGINE_POSTGIS: "baimei:detectgapspostgis", ENGINE_DASK: "baimei:detectgapsarchive"}
# "mmsi=ship, time=ts" in the Columns box -> the algorithm's column parameters
COLUMN_KEYS = {key.replace("_COLUMN", "").lower(): key for key in DetectGapsPostgisAlgorithm.COLUMNS}
COLUMN_KEYS["vessel_name"] = COLUMN_KEYS.pop("name")


def parse_columns(text: str) -> Dict[str, str]:
    """``mmsi=ship_id, time=ts, geometry=geom`` -> the algorithm's parameters; blank means the defaults."""
    params = {}
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key == "name":
            key = "vessel_name"
        if not sep or not value or key not in COLUMN_KEYS:
            raise BaiMeiError(
                f"Columns: '{part}' is not 'role=column' with a role among {', '.join(sorted(COLUMN_KEYS))}."
            )
        params[COLUMN_KEYS[key]] = value
    return params


class EngineBox(PagePart):
    def __init__(self, gaps_panel, dock, session, iface, settings):
        super().__init__(dock, session, iface, settings)
        self.panel = gaps_panel
        self.context = None
        self.feedback = None

        self.group = QgsCollapsibleGroupBox("Engine", dock.gapsPage)
        self.group.setObjectName("engineGroup")
        self.group.setSaveCollapsedState(False)
        form = QFormLayout(self.group)
        self.engineCombo = QComboBox(self.group)
        self.engineCombo.setObjectName("engineCombo")
        self.engineCombo.addItems(ENGINE_NAMES)
        self.engineCombo.setToolTip(
            "Where the gap detection runs. PostGIS and Dask find the same gaps as QGIS "
            "(same definition and criteria) in archives too big to load."
        )
        form.addRow("Run in", self.engineCombo)

        self.pgWidget = QWidget(self.group)
        pg = QFormLayout(self.pgWidget)
        pg.setContentsMargins(0, 0, 0, 0)
        self.connectionCombo = QgsProviderConnectionComboBox("postgres", self.pgWidget)
        self.connectionCombo.setObjectName("connectionCombo")
        self.connectionCombo.setToolTip(
            "One of QGIS's PostgreSQL connections (Browser ▸ PostgreSQL); its credentials stay in QGIS"
        )
        pg.addRow("Connection", self.connectionCombo)
        self.tableEdit = QLineEdit(self.pgWidget)
        self.tableEdit.setObjectName("tableEdit")
        self.tableEdit.setPlaceholderText("schema.table of AIS reports")
        pg.addRow("Table", self.tableEdit)
        self.columnsEdit = QLineEdit(self.pgWidget)
        self.columnsEdit.setObjectName("columnsEdit")
        self.columnsEdit.setPlaceholderText("mmsi=…, time=…, geometry=… (blank: mmsi, timestamp)")
        self.columnsEdit.setToolTip("Column names by role, comma-separated: " + ", ".join(sorted(COLUMN_KEYS)))
        pg.addRow("Columns", self.columnsEdit)
        self.landCheck = QCheckBox("Upload QGIS's world map once, for the shore distance", self.pgWidget)
        self.landCheck.setObjectName("landCheck")
        pg.addRow(self.landCheck)
        form.addRow(self.pgWidget)

        self.daskWidget = QWidget(self.group)
        dk = QFormLayout(self.daskWidget)
        dk.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.archiveEdit = QLineEdit(self.daskWidget)
        self.archiveEdit.setObjectName("archiveEdit")
        self.archiveEdit.setPlaceholderText("Parquet folder or file, or a CSV glob")
        row.addWidget(self.archiveEdit)
        self.browseButton = QToolButton(self.daskWidget)
        self.browseButton.setText("…")
        self.browseButton.setToolTip("Choose a Parquet folder")
        row.addWidget(self.browseButton)
        dk.addRow("Archive", row)
        self.schedulerEdit = QLineEdit(self.daskWidget)
        self.schedulerEdit.setObjectName("schedulerEdit")
        self.schedulerEdit.setPlaceholderText("tcp://host:8786 (blank: a local cluster)")
        dk.addRow("Scheduler", self.schedulerEdit)
        form.addRow(self.daskWidget)

        run_row = QHBoxLayout()
        self.runButton = QPushButton("Find gaps", self.group)
        self.runButton.setObjectName("engineRunButton")
        self.runButton.setToolTip("Find the gaps with the criteria above, where the reports are")
        self.cancelButton = QPushButton("Cancel", self.group)
        self.cancelButton.setObjectName("engineCancelButton")
        self.progress = QProgressBar(self.group)
        self.progress.setObjectName("engineProgress")
        for widget in (self.runButton, self.cancelButton, self.progress):
            run_row.addWidget(widget)
        form.addRow(run_row)
        self.statusLabel = QLabel("", self.group)
        self.statusLabel.setObjectName("engineStatusLabel")
        self.statusLabel.setWordWrap(True)
        form.addRow(self.statusLabel)

        layout = dock.gapsLayout
        layout.insertWidget(layout.indexOf(dock.criteriaGroup) + 1, self.group)
        for key, edit in (
            ("engine_table", self.tableEdit),
            ("engine_columns", self.columnsEdit),
            ("engine_archive", self.archiveEdit),
            ("engine_scheduler", self.schedulerEdit),
        ):
            edit.setText(str(settings.value(key, "")))
        engine = int(settings.value("engine", ENGINE_QGIS))
        self.engineCombo.setCurrentIndex(engine if 0 <= engine < len(ENGINE_NAMES) else ENGINE_QGIS)
        self.on_engine(self.engineCombo.currentIndex())
        self.group.setCollapsed(self.engineCombo.currentIndex() == ENGINE_QGIS)
        self.group.collapsedStateChanged.connect(self.show_rows)
        self.show_rows()
        self.engineCombo.currentIndexChanged.connect(self.on_engine)
        self.runButton.clicked.connect(self.run)
        self.cancelButton.clicked.connect(self.cancel)
        self.browseButton.clicked.connect(self.browse)
        self.set_busy(False)

    # --- form -----------------------------------------------------------------------------------------------
    def engine(self) -> int:
        return self.engineCombo.currentIndex()

    @guarded
    def on_engine(self, index: int) -> None:
        self.settings.set_value("engine", int(index))
        self.group.setTitle(f"Engine: {ENGINE_SHORT[index]}")
        self.show_rows()
        self.statusLabel.setText(
            "" if index != ENGINE_QGIS else "Load a file on the Tracks page; Re-run above finds its gaps again."
        )

    def show_rows(self, *_) -> None:
        """Only the chosen engine's rows (again after the group is unfolded: unfolding shows every child)."""
        if self.group.isCollapsed():
            return
        index = self.engine()
        self.pgWidget.setVisible(index == ENGINE_POSTGIS)
        self.daskWidget.setVisible(index == ENGINE_DASK)
        for widget in (self.runButton, self.cancelButton, self.progress):
            widget.setVisible(index != ENGINE_QGIS)

    @guarded
    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.dock, "Parquet archive", self.archiveEdit.text())
        if folder:
            self.archiveEdit.setText(folder)

    def set_busy(self, busy: bool) -> None:
        self.runButton.setEnabled(not busy)
        self.cancelButton.setEnabled(busy)
        self.progress.setValue(0)

    def algorithm_parameters(self) -> Tuple[str, dict, str]:
        """(algorithm id, parameters, a name for the layer group) for the chosen engine and the page's criteria."""
        engine = self.engine()
        if engine == ENGINE_QGIS:
            raise BaiMeiError("The in-QGIS engine works on the reports loaded on the Tracks page.")
        criteria = self.panel.criteria()
        params = {
            "PRESET": PRESET_NAMES.index("Custom"),
            "MIN_GAP_HOURS": criteria.min_gap_hours,
            "MIN_SHORE_NM": criteria.min_shore_nm,
            "MIN_POSITIONS_BEFORE": criteria.min_positions_before,
            "OUTPUT_GAPS": "memory:",
        }
        if engine == ENGINE_POSTGIS:
            connection = self.connectionCombo.currentConnection()
            table = self.tableEdit.text().strip()
            if not connection:
                raise BaiMeiError("Choose a PostgreSQL connection (add one in QGIS's Browser ▸ PostgreSQL).")
            if not table:
                raise BaiMeiError("Give the table of AIS reports on the server, as schema.table.")
            params.update(CONNECTION=connection, TABLE=table, UPLOAD_LAND=self.landCheck.isChecked())
            params.update(parse_columns(self.columnsEdit.text()))
            self.settings.set_value("engine_table", table)
            self.settings.set_value("engine_columns", self.columnsEdit.text())
            return ALGORITHMS[engine], params, f"{table} (PostGIS {connection})"
        archive = self.archiveEdit.text().strip()
        if not archive:
            raise BaiMeiError("Give the archive: a Parquet folder or file, or a CSV glob such as /data/ais_*.csv.")
        params.update(ARCHIVE=archive, SCHEDULER=self.schedulerEdit.text().strip())
        self.settings.set_value("engine_archive", archive)
        self.settings.set_value("engine_scheduler", self.schedulerEdit.text().strip())
        return ALGORITHMS[engine], params, f"{archive} (Dask)"

    # --- run ------------------------------------------------------------------------------------------------
    @guarded
    def run(self) -> None:
        try:
            algorithm_id, params, name = self.algorithm_parameters()
        except BaiMeiError as error:
            self.iface.messageBar().pushMessage("Bai Mei", error.message, Qgis.Warning, 8)
            self.statusLabel.setText(error.message)
            return
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
        if algorithm is None:
            self.iface.messageBar().pushMessage(
                "Bai Mei", f"The algorithm {algorithm_id} is not available.", Qgis.Critical, 0
            )
            return
        self.context = QgsProcessingContext()
        self.context.setProject(QgsProject.instance())
        self.feedback = EngineFeedback()
        self.feedback.progressChanged.connect(lambda value: self.progress.setValue(int(value)))
        self.task = QgsProcessingAlgRunnerTask(algorithm, params, self.context, self.feedback)
        self.task.setDescription(f"Bai Mei: dark gaps in {name}")
        self.task.executed.connect(
            lambda ok, results, task=self.task, name=name: self.on_executed(task, ok, results, name)
        )
        self.set_busy(True)
        self.statusLabel.setText(f"Finding the gaps in {name}…")
        QgsApplication.taskManager().addTask(self.task)

    def cancel(self) -> None:
        if self.task is not None:
            self.feedback.cancel()
            self.task.cancel()

    @guarded
    def on_executed(self, task, ok: bool, results: dict, name: str) -> None:
        if task is not self.task:
            return
        self.task = None
        self.set_busy(False)
        bar = self.iface.messageBar()
        if not ok:
            if self.feedback.isCanceled():
                self.statusLabel.setText("Cancelled; nothing was changed.")
                bar.pushMessage("Bai Mei", "Cancelled; nothing was changed.", Qgis.Info, 5)
            else:
                error = self.feedback.errors[-1] if self.feedback.errors else "the algorithm failed (see the log)"
                self.statusLabel.setText(error)
                bar.pushMessage("Bai Mei", error, Qgis.Critical, 0)
            return
        layer = self.context.takeResultLayer(results["OUTPUT_GAPS"])
        gaps = gaps_from_source(layer) if layer.featureCount() else []
        for line in self.feedback.infos:
            QgsMessageLog.logMessage(line, LOG_TAG, Qgis.Info)
        reports = CleanResult(
            columns=gap_end_columns(gaps), rows_read=0, dropped=Counter(), format_name=ENGINE_SHORT[self.engine()]
        )
        layer.setName("dark gaps")
        self.session.show(
            name,
            LoadResult(reports=reports, found=GapResult(gaps, [], len(gaps), 0), gaps_layer=layer, tracks_layer=None),
        )
        text = (
            f"{len(gaps):,} gaps found by {ENGINE_SHORT[self.engine()]} in {name}; the reports stayed "
            "where they are (no tracks; the vessels and the reach use the reports either side of each gap)."
        )
        self.statusLabel.setText(text)
        bar.pushMessage("Bai Mei", f"{len(gaps):,} gaps found by {ENGINE_SHORT[self.engine()]}.", Qgis.Success, 8)

    def unload(self) -> None:
        self.cancel()


class EngineFeedback(QgsProcessingFeedback):
    """Keeps what the algorithm said, for the panel's message and the log."""

    def __init__(self):
        super().__init__()
        self.errors, self.infos = [], []

    def reportError(self, error, fatalError=False):  # noqa: N802,N803 - Qt's signature
        self.errors.append(error)
        super().reportError(error, fatalError)

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)
        super().pushInfo(info)
