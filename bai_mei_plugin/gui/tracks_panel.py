"""The Tracks page: choose a file or layer, check the detected format and columns, load in a background task."""

from __future__ import annotations

import os

from qgis.core import Qgis, QgsMapLayerProxyModel, QgsMessageLog
from qgis.PyQt.QtCore import QObject, QTimer
from qgis.PyQt.QtWidgets import QFileDialog

from ..core.ais.formats import FORMAT_LABELS, REQUIRED, TIME_FORMATS, AisFormat, mapping_for, time_pattern
from ..core.errors import BaiMeiError
from ..core.gaps import describe_drops
from ..qgis_io.i18n import tr
from ..qgis_io.time_window import plausible_time_window
from ..tasks.ais_tasks import LayerSnapshot, LoadAisTask, LoadRequest
from . import map_view
from .guard import guarded
from .settings import LAND_LAYER, SHOW_LAND, Settings
from .task_runner import TaskRunner

LOG_TAG = "Bai Mei"
FILE_FILTER = (
    "AIS files (*.csv *.CSV *.txt *.tsv *.nmea *.aivdm *.log *.json *.jsonl *.ndjson *.parquet *.geoparquet "
    "*.gz *.bz2 *.xz *.zip);;"
    "CSV (*.csv *.CSV *.txt *.tsv);;NMEA logs (*.nmea *.aivdm *.log *.txt);;"
    "JSON Lines / NDJSON (*.jsonl *.ndjson *.json);;Parquet / GeoParquet (*.parquet *.geoparquet);;"
    "Compressed AIS files (*.gz *.bz2 *.xz *.zip);;All files (*)"
)
MAPPING_COMBOS = {"mmsi": "mmsiCombo", "time": "timeCombo", "lat": "latCombo", "lon": "lonCombo"}


class TracksPanel(QObject):
    def __init__(self, dock, session, iface, criteria_source, settings: Settings):
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.iface = iface
        self.criteria_source = criteria_source  # a callable giving the Gaps page's criteria
        self.settings = settings
        self.detection = None
        d = dock
        self.runner = TaskRunner(
            iface,
            self.on_loaded,
            controls=(d.loadButton, d.rerunButton),
            cancel_button=d.cancelButton,
            progress=d.progressBar,
            hide_progress=True,
            cancelled=lambda task: tr("Loading {name} was cancelled; nothing was added.").format(name=task.name),
        )
        d.fileWidget.setFilter(FILE_FILTER)
        d.fileWidget.setDialogTitle("Choose an AIS file")
        d.fileWidget.setDefaultRoot(settings.value("last_folder", os.path.expanduser("~")))
        d.folderButton.clicked.connect(self.choose_folder)
        d.layerCombo.setFilters(QgsMapLayerProxyModel.Filter.PointLayer)
        d.layerCombo.setAllowEmptyLayer(True)
        d.layerCombo.setLayer(None)
        for fmt in AisFormat:
            d.formatCombo.addItem(FORMAT_LABELS[fmt], int(fmt))
        for key, label in TIME_FORMATS.items():
            d.timeFormatCombo.addItem(label, key)
        self.runner.set_busy(False)
        d.mappingGroup.setVisible(False)
        d.fileWidget.fileChanged.connect(self.on_file_changed)
        d.layerCombo.layerChanged.connect(self.on_layer_changed)
        d.fileRadio.toggled.connect(self.on_source_kind)
        d.formatCombo.currentIndexChanged.connect(self.on_format_chosen)
        d.loadButton.clicked.connect(self.load)
        self.on_source_kind()

    # --- source and detection -------------------------------------------------------------------------------
    def choose_folder(self, *_):
        """A folder of AIS files (a month of daily files) read as one dataset: its path goes in the file box."""
        folder = QFileDialog.getExistingDirectory(
            self.dock, tr("Choose a folder of AIS files"), self.settings.value("last_folder", os.path.expanduser("~"))
        )
        if folder:
            self.dock.fileRadio.setChecked(True)
            self.dock.fileWidget.setFilePath(folder)

    def on_source_kind(self, *_):
        from_file = self.dock.fileRadio.isChecked()
        self.dock.fileWidget.setEnabled(from_file)
        self.dock.folderButton.setEnabled(from_file)
        self.dock.layerCombo.setEnabled(not from_file)
        if from_file:
            self.on_file_changed(self.dock.fileWidget.filePath())
        else:
            self.on_layer_changed(self.dock.layerCombo.currentLayer())

    @guarded
    def on_file_changed(self, path: str):
        self.detection = None
        if not path:
            self.dock.formatLabel.setText(tr("Choose an AIS file or a point layer."))
            self.dock.mappingGroup.setVisible(False)
            return
        self.settings.set_value("last_folder", path if os.path.isdir(path) else os.path.dirname(path))
        self.detect(AisFormat.AUTO)

    @guarded
    def on_format_chosen(self, _index):
        if self.dock.fileRadio.isChecked() and self.dock.fileWidget.filePath():
            self.detect(AisFormat(self.dock.formatCombo.currentData()))

    def detect(self, fmt: AisFormat) -> None:
        """Show the detected format; open the column form, prefilled, when detection is not sure."""
        path = self.dock.fileWidget.filePath()
        try:
            detection = mapping_for(path, fmt)
        except BaiMeiError as exc:
            self.detection = None
            self.dock.formatLabel.setText(tr("<b>Not recognised.</b> {message}").format(message=exc.message))
            self.show_mapping(None, [], force=True)
            return
        self.detection = detection
        notes = "; ".join(detection.notes)
        self.dock.formatLabel.setText(
            tr("Format: <b>{format}</b> ({notes})").format(format=FORMAT_LABELS[detection.format], notes=notes)
            if notes
            else tr("Format: <b>{format}</b>").format(format=FORMAT_LABELS[detection.format])
        )
        self.dock.formatCombo.blockSignals(True)
        self.dock.formatCombo.setCurrentIndex(self.dock.formatCombo.findData(int(fmt)))
        self.dock.formatCombo.blockSignals(False)
        self.show_mapping(detection, detection.header, force=not detection.confident)

    def show_mapping(self, detection, header, force: bool) -> None:
        d = self.dock
        d.mappingGroup.setVisible(force or d.formatCombo.currentData() == int(AisFormat.GENERIC))
        for name, combo_name in MAPPING_COMBOS.items():
            combo = getattr(d, combo_name)
            combo.clear()
            combo.addItems(header)
            chosen = detection.mapping.get(name) if detection else None
            combo.setCurrentText(chosen or "")
        if detection is not None:
            index = d.timeFormatCombo.findData(detection.mapping.time_format)
            if index >= 0:
                d.timeFormatCombo.setCurrentIndex(index)
            else:
                d.timeFormatCombo.setCurrentText(detection.mapping.time_format)

    @guarded
    def on_layer_changed(self, layer):
        if self.dock.fileRadio.isChecked():
            return
        if layer is None:
            self.dock.formatLabel.setText(tr("Choose a point layer of AIS reports."))
            self.dock.mappingGroup.setVisible(False)
            return
        names = layer.fields().names()
        self.dock.formatLabel.setText(
            tr("Point layer <b>{name}</b>: {count:,} features.").format(name=layer.name(), count=layer.featureCount())
        )
        self.dock.mappingGroup.setVisible(True)
        for name, combo_name in MAPPING_COMBOS.items():
            combo = getattr(self.dock, combo_name)
            combo.clear()
            combo.addItems(names)
            enabled = name in ("mmsi", "time")  # positions come from the geometry
            combo.setEnabled(enabled)
            default = {"mmsi": "mmsi", "time": "timestamp"}.get(name)
            if default in names:
                combo.setCurrentText(default)

    # --- loading --------------------------------------------------------------------------------------------
    def request(self) -> tuple:
        """The load request from the widgets, and the name of the layer group."""
        d = self.dock
        criteria = self.criteria_source()
        if d.fileRadio.isChecked():
            path = d.fileWidget.filePath()
            if not path:
                raise BaiMeiError("Choose an AIS file first.")
            columns = {}
            time_format = None
            if d.mappingGroup.isVisible():
                columns = {name: getattr(d, combo).currentText() or None for name, combo in MAPPING_COMBOS.items()}
                time_format = d.timeFormatCombo.currentData() or d.timeFormatCombo.currentText() or None
                if d.timeFormatCombo.currentText() != d.timeFormatCombo.itemText(d.timeFormatCombo.currentIndex()):
                    time_format = d.timeFormatCombo.currentText()  # a strptime or Qt pattern typed by the user
                if time_format:
                    time_format = time_pattern(time_format)  # a bad pattern: said now, before the task starts
            missing = [name for name in REQUIRED if d.mappingGroup.isVisible() and not columns.get(name)]
            if missing:
                raise BaiMeiError(f"Choose the column for {', '.join(missing)}.")
            fmt = AisFormat(d.formatCombo.currentData())
            request = LoadRequest(
                path=path,
                fmt=fmt,
                columns=columns,
                time_format=time_format,
                criteria=criteria,
                with_points=d.pointsCheck.isChecked(),
                time_window=plausible_time_window(),
            )
            return request, os.path.basename(path.rstrip("/")) or path
        layer = d.layerCombo.currentLayer()
        if layer is None:
            raise BaiMeiError("Choose a point layer first.")
        request = LoadRequest(
            layer=LayerSnapshot(layer),
            mmsi_field=d.mmsiCombo.currentText(),
            time_field=d.timeCombo.currentText(),
            criteria=criteria,
            with_points=False,
        )
        return request, layer.name()

    @guarded(
        level=Qgis.MessageLevel.Warning, seconds=8
    )  # the analyst's choice to correct: a missing file, an unmapped column
    def load(self):
        request, name = self.request()
        self.runner.run(LoadAisTask(request, name, self.runner.finished))

    @property
    def task(self):
        return self.runner.task

    def cancel(self):
        self.runner.cancel()

    def on_loaded(self, task) -> None:
        bar = self.iface.messageBar()
        result = task.result
        self.session.show(task.name, result)
        reports = result.read_counts
        vessels = len(self.session.vessels)
        summary = tr(
            "{read:,} rows read, {kept:,} kept, {dropped:,} dropped; {vessels:,} vessels, {gaps:,} gaps."
        ).format(
            read=reports.rows_read,
            kept=reports.rows_kept,
            dropped=reports.rows_dropped,
            vessels=vessels,
            gaps=len(result.found.gaps),
        )
        reasons = "; ".join(f"{count:,} {reason}" for reason, count in reports.dropped.items())
        self.dock.summaryLabel.setText(
            f"<b>{task.name}</b>: {summary}" + (tr("<br>Dropped: {reasons}").format(reasons=reasons) if reasons else "")
        )
        # One short line in the bar (the group in the Layers panel names the source); "Show more" gives the file and
        # the counts by reason, which are also on the Tracks page and in the log.
        n_gaps = len(result.found.gaps)
        ships = (tr("{count:,} vessel") if vessels == 1 else tr("{count:,} vessels")).format(count=vessels)
        silences = (tr("{count:,} dark gap") if n_gaps == 1 else tr("{count:,} dark gaps")).format(count=n_gaps)
        short = tr("{vessels}, {gaps}; {dropped:,} rows dropped.").format(
            vessels=ships, gaps=silences, dropped=reports.rows_dropped
        )
        drops = describe_drops(result.found)  # what the gap criteria left out, and why
        more = "\n".join([task.name, *reports.summary_lines(), *([drops] if drops else [])])
        bar.pushMessage("Bai Mei", short, more, Qgis.MessageLevel.Success, 8)
        for line in [*reports.summary_lines(), *([drops] if drops else [])]:
            QgsMessageLog.logMessage(line, LOG_TAG, Qgis.MessageLevel.Info)
        self.add_land()
        extent = result.gaps_layer.extent()
        if result.tracks_layer is not None:  # no tracks when the reports stayed on disk (or on a server)
            extent.combineExtentWith(result.tracks_layer.extent())
        if not extent.isEmpty():
            view = extent.buffered(max(extent.width(), extent.height()) * 0.05)
            self.zoom_to(view)
            # QGIS sets up a canvas that had no layers once its layer tree's (queued) update comes, zooming to the
            # full extent of everything, the world's land included: zoom to the data again after it
            QTimer.singleShot(0, lambda: self.zoom_to(view))
        self.dock.tabs.setCurrentWidget(self.dock.gapsPage)

    def zoom_to(self, extent) -> None:
        canvas = self.iface.mapCanvas()
        canvas.setExtent(extent)
        canvas.refresh()

    def add_land(self) -> None:
        """Land under the tracks from the first load (once per project): the analyst's land layer when set, else
        QGIS's world map. A land that cannot be opened is said in the log; the load itself succeeded."""
        if str(self.settings.value(SHOW_LAND, "true")).lower() not in ("true", "1"):
            return
        try:
            map_view.add_land(self.session.project, self.settings.value(LAND_LAYER, "") or "")
        except BaiMeiError as exc:
            QgsMessageLog.logMessage(exc.message, LOG_TAG, Qgis.MessageLevel.Warning)

    def unload(self):
        self.cancel()
