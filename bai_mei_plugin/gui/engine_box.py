"""The Gaps page's engine choice: find the dark gaps where the reports are kept — in QGIS (the loaded file), on a
PostGIS server (one SQL statement; the reports never leave the database) or in a Parquet or CSV archive with Dask —
by building that gap engine and running it in the dock's one gap task, with progress and cancel. The gaps found by a
server or a cluster fill the Gaps page and the map like loaded ones, and Re-run finds them there again."""

from __future__ import annotations

from typing import Dict

from qgis.core import Qgis
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

from ..core.errors import BaiMeiError
from ..core.gap_engine import ARCHIVE, POSTGIS, GapEngine, LandChoice, ReportsLocation
from ..engines.dask_gaps import DaskGapEngine
from ..engines.postgis_gaps import DEFAULT_COLUMNS, ROLES_OPTIONAL, ROLES_REQUIRED, LandUpload, PostgisGapEngine
from ..qgis_io.i18n import tr
from ..qgis_io.land import default_land
from ..qgis_io.postgres import connect
from ..tasks.ais_tasks import FindGapsTask
from .guard import guarded
from .session import PagePart
from .task_runner import TaskRunner

ENGINE_QGIS, ENGINE_POSTGIS, ENGINE_DASK = range(3)
ENGINE_NAMES = ("In QGIS: the loaded reports", "PostGIS: a table on a server", "Dask: a Parquet or CSV archive")
ENGINE_SHORT = ("In QGIS", "PostGIS", "Dask")
# the roles the Columns box accepts ("name" is short for vessel_name)
COLUMN_ROLES = ROLES_REQUIRED + ROLES_OPTIONAL


def parse_columns(text: str) -> Dict[str, str]:
    """``mmsi=ship_id, time=ts, geometry=geom`` -> the PostGIS engine's column roles; blank means the defaults."""
    columns = {}
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key == "name":
            key = "vessel_name"
        if not sep or not value or key not in COLUMN_ROLES:
            raise BaiMeiError(
                f"Columns: '{part}' is not 'role=column' with a role among {', '.join(sorted(COLUMN_ROLES))}."
            )
        columns[key] = value
    return columns


class EngineBox(PagePart):
    def __init__(self, gaps_panel, dock, session, iface, settings):
        super().__init__(dock, session, iface, settings)
        self.panel = gaps_panel

        self.group = QgsCollapsibleGroupBox(tr("Engine"), dock.gapsPage)
        self.group.setObjectName("engineGroup")
        self.group.setSaveCollapsedState(False)
        form = QFormLayout(self.group)
        self.engineCombo = QComboBox(self.group)
        self.engineCombo.setObjectName("engineCombo")
        self.engineCombo.addItems(ENGINE_NAMES)
        self.engineCombo.setToolTip(
            tr(
                "Where the gap detection runs. PostGIS and Dask find the same gaps as QGIS (same "
                "definition and criteria) in archives too big to load."
            )
        )
        form.addRow(tr("Run in"), self.engineCombo)

        self.pgWidget = QWidget(self.group)
        pg = QFormLayout(self.pgWidget)
        pg.setContentsMargins(0, 0, 0, 0)
        self.connectionCombo = QgsProviderConnectionComboBox("postgres", self.pgWidget)
        self.connectionCombo.setObjectName("connectionCombo")
        self.connectionCombo.setToolTip(
            tr("One of QGIS's PostgreSQL connections (Browser ▸ PostgreSQL); its credentials stay in QGIS")
        )
        pg.addRow(tr("Connection"), self.connectionCombo)
        self.tableEdit = QLineEdit(self.pgWidget)
        self.tableEdit.setObjectName("tableEdit")
        self.tableEdit.setPlaceholderText(tr("schema.table of AIS reports"))
        pg.addRow(tr("Table"), self.tableEdit)
        self.columnsEdit = QLineEdit(self.pgWidget)
        self.columnsEdit.setObjectName("columnsEdit")
        self.columnsEdit.setPlaceholderText(tr("mmsi=…, time=…, geometry=… (blank: mmsi, timestamp)"))
        self.columnsEdit.setToolTip(
            tr("Column names by role, comma-separated: {roles}").format(roles=", ".join(sorted(COLUMN_ROLES)))
        )
        pg.addRow(tr("Columns"), self.columnsEdit)
        self.landCheck = QCheckBox(tr("Upload QGIS's world map once, for the shore distance"), self.pgWidget)
        self.landCheck.setObjectName("landCheck")
        pg.addRow(self.landCheck)
        form.addRow(self.pgWidget)

        self.daskWidget = QWidget(self.group)
        dk = QFormLayout(self.daskWidget)
        dk.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.archiveEdit = QLineEdit(self.daskWidget)
        self.archiveEdit.setObjectName("archiveEdit")
        self.archiveEdit.setPlaceholderText(tr("Parquet folder or file, or a CSV glob"))
        row.addWidget(self.archiveEdit)
        self.browseButton = QToolButton(self.daskWidget)
        self.browseButton.setText("…")
        self.browseButton.setToolTip(tr("Choose a Parquet folder"))
        row.addWidget(self.browseButton)
        dk.addRow(tr("Archive"), row)
        self.schedulerEdit = QLineEdit(self.daskWidget)
        self.schedulerEdit.setObjectName("schedulerEdit")
        self.schedulerEdit.setPlaceholderText(tr("tcp://host:8786 (blank: a local cluster)"))
        dk.addRow(tr("Scheduler"), self.schedulerEdit)
        form.addRow(self.daskWidget)

        run_row = QHBoxLayout()
        self.runButton = QPushButton(tr("Find gaps"), self.group)
        self.runButton.setObjectName("engineRunButton")
        self.runButton.setToolTip(tr("Find the gaps with the criteria above, where the reports are"))
        self.cancelButton = QPushButton(tr("Cancel"), self.group)
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
        self.browseButton.clicked.connect(self.browse)
        self.runner = TaskRunner(
            iface,
            self.on_done,
            controls=(self.runButton,),
            cancel_button=self.cancelButton,
            progress=self.progress,
            cancelled=tr("Cancelled; nothing was changed."),
            on_failed=self.on_failed,
        )
        self.runner.set_busy(False)

    # --- form -----------------------------------------------------------------------------------------------
    def engine(self) -> int:
        return self.engineCombo.currentIndex()

    @guarded
    def on_engine(self, index: int) -> None:
        self.settings.set_value("engine", int(index))
        self.group.setTitle(tr("Engine: {name}").format(name=ENGINE_SHORT[index]))
        self.show_rows()
        self.statusLabel.setText(
            "" if index != ENGINE_QGIS else tr("Load a file on the Tracks page; Re-run above finds its gaps again.")
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
        folder = QFileDialog.getExistingDirectory(self.dock, tr("Parquet archive"), self.archiveEdit.text())
        if folder:
            self.archiveEdit.setText(folder)

    def chosen_engine(self) -> GapEngine:
        """The gap engine of the form (its settings remembered), or a BaiMeiError saying what is missing."""
        engine = self.engine()
        if engine == ENGINE_QGIS:
            raise BaiMeiError("The in-QGIS engine works on the reports loaded on the Tracks page.")
        if engine == ENGINE_POSTGIS:
            return self._postgis_engine()
        archive = self.archiveEdit.text().strip()
        if not archive:
            raise BaiMeiError("Give the archive: a Parquet folder or file, or a CSV glob such as /data/ais_*.csv.")
        scheduler = self.schedulerEdit.text().strip()
        self.settings.set_value("engine_archive", archive)
        self.settings.set_value("engine_scheduler", scheduler)
        location = ReportsLocation(ARCHIVE, f"{archive} (Dask)", archive)
        return DaskGapEngine(archive, location, scheduler=scheduler or None, land=LandChoice(default=default_land))

    def _postgis_engine(self) -> PostgisGapEngine:
        connection = self.connectionCombo.currentConnection()
        table = self.tableEdit.text().strip()
        if not connection:
            raise BaiMeiError("Choose a PostgreSQL connection (add one in QGIS's Browser ▸ PostgreSQL).")
        if not table:
            raise BaiMeiError("Give the table of AIS reports on the server, as schema.table.")
        columns = {**DEFAULT_COLUMNS, **parse_columns(self.columnsEdit.text())}
        self.settings.set_value("engine_table", table)
        self.settings.set_value("engine_columns", self.columnsEdit.text())
        return PostgisGapEngine(
            lambda: connect(connection),
            table,
            columns,
            ReportsLocation(POSTGIS, f"{table} (PostGIS {connection})", table),
            land=LandUpload(default_land) if self.landCheck.isChecked() else None,
        )

    # --- run ------------------------------------------------------------------------------------------------
    @guarded(level=Qgis.MessageLevel.Warning, seconds=8)  # what is missing from the form: the analyst's to give
    def run(self) -> None:
        try:
            engine = self.chosen_engine()
        except BaiMeiError as error:
            self.statusLabel.setText(error.message)  # and, through guarded, the message bar
            raise
        criteria = self.panel.criteria()
        self.statusLabel.setText(tr("Finding the gaps in {name}…").format(name=engine.location.name))
        self.runner.run(FindGapsTask(engine, criteria, self.runner.finished))

    def cancel(self) -> None:
        self.runner.cancel()

    def on_failed(self, task, error) -> None:
        self.statusLabel.setText(error.message if error is not None else tr("Cancelled; nothing was changed."))

    def on_done(self, task) -> None:
        bar = self.iface.messageBar()
        result = task.result
        engine, gaps = result.engine, result.found.gaps
        self.session.show(engine.location.name, result)
        self.statusLabel.setText(
            tr(
                "{count:,} gaps found by {label} in {name}; the reports stayed where they are (no tracks; "
                "the vessels and the reach use the reports either side of each gap)."
            ).format(count=len(gaps), label=engine.label, name=engine.location.name)
        )
        bar.pushMessage(
            "Bai Mei",
            tr("{count:,} gaps found by {label}.").format(count=len(gaps), label=engine.label),
            Qgis.MessageLevel.Success,
            8,
        )

    def unload(self) -> None:
        self.cancel()
