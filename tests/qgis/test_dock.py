"""The dock's controllers with a real QgsProject: load, table, filters, selection to map and time, cancel, errors."""

import time

import pytest
from qgis.core import Qgis, QgsProject, QgsSettings, QgsTemporalNavigationObject

from bai_mei_plugin.core.gap_engine import LOADED, ReportsLocation
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.gui.settings import Settings
from tests.qgis.loop_watch import Heartbeat


@pytest.fixture
def canvas(qgis_iface):
    canvas = qgis_iface.mapCanvas()
    if not isinstance(canvas.temporalController(), QgsTemporalNavigationObject):
        canvas.setTemporalController(QgsTemporalNavigationObject(canvas))
    return canvas


@pytest.fixture
def dock(qgis_iface, qgis_new_project, canvas, qtbot):
    qgis_iface.messageBar().clear_messages()
    QgsSettings().remove("bai_mei")  # each test starts from the default criteria
    widget = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    yield widget
    widget.unload()


def load(dock, qtbot, path, timeout=20000):
    dock.fileRadio.setChecked(True)
    dock.fileWidget.setFilePath(path)
    dock.loadButton.click()
    qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=timeout)


def test_load_file_fills_project_tables_and_message_bar(dock, qtbot, voyage_csv, qgis_iface):
    dock.fileWidget.setFilePath(voyage_csv)
    assert "MarineCadastre" in dock.formatLabel.text()
    assert not dock.mappingGroup.isVisible()  # detection is sure: no column form
    load(dock, qtbot, voyage_csv)
    group = QgsProject.instance().layerTreeRoot().findGroup("voyage.csv")
    assert group is not None
    names = sorted(layer.name() for layer in group.findLayers())
    assert names == ["dark gaps", "tracks"]
    for node in group.findLayers():
        assert node.layer().temporalProperties().isActive()
    assert dock.gaps.proxy.rowCount() == 1
    assert dock.vessels.proxy.rowCount() == 2
    successes = qgis_iface.messageBar().get_messages(Qgis.Success)
    assert successes[0] == "Bai Mei:2 vessels, 1 dark gap; 0 rows dropped."
    assert all("gap scored:" in m for m in successes[1:])  # then, as soon as it is done, the gaps' scoring
    assert "50 rows read, 50 kept, 0 dropped; 2 vessels, 1 gaps" in dock.summaryLabel.text()
    assert Settings().value("last_folder")
    # the session knows where its reports live, and keeps the engine that finds their gaps again
    assert dock.session.location == ReportsLocation(LOADED, "voyage.csv", voyage_csv)
    assert dock.session.engine.columns is dock.session.result.reports.columns


def test_select_row_moves_map_time_and_selection_both_ways(dock, qtbot, voyage_csv, canvas):
    load(dock, qtbot, voyage_csv)
    before = canvas.extent()
    dock.gapTable.selectRow(0)
    gap = dock.gaps.selected_gap()
    assert gap.mmsi == 367000001
    layer = dock.session.gaps_layer
    assert layer.selectedFeatureCount() == 1
    assert next(layer.getSelectedFeatures())["gap_id"] == gap.gap_id
    extent = canvas.extent()
    assert extent != before
    assert extent.contains(gap.off_lon, gap.off_lat) and extent.contains(gap.on_lon, gap.on_lat)
    window = canvas.temporalController().temporalExtents()
    assert window.begin().toSecsSinceEpoch() < gap.off_time < gap.on_time < window.end().toSecsSinceEpoch()
    # map -> table
    dock.gapTable.clearSelection()
    assert dock.gaps.selected_gap() is None
    layer.selectByIds([next(layer.getFeatures()).id()])
    assert dock.gaps.selected_gap().gap_id == gap.gap_id


def column_of(proxy, title: str) -> int:
    return next(c for c in range(proxy.columnCount()) if proxy.headerData(c, 1) == title)  # 1 = Qt.Horizontal


def test_filters_sorting_and_vessel_only(dock, qtbot, voyage_csv, canvas):
    load(dock, qtbot, voyage_csv)
    dock.filterEdit.setText("two")
    assert dock.gaps.proxy.rowCount() == 0
    dock.filterEdit.setText("one")
    assert dock.gaps.proxy.rowCount() == 1
    dock.filterEdit.setText("36700000")
    dock.filterHoursSpin.setValue(12)
    assert dock.gaps.proxy.rowCount() == 0
    dock.filterHoursSpin.setValue(10)
    assert dock.gaps.proxy.rowCount() == 1
    # vessel list sorted by reports, then show one vessel alone, then all
    # key columns first: which gap matters (rank, suspicion), who and how long
    assert [dock.gaps.proxy.headerData(c, 1) for c in range(4)] == ["Rank", "Suspicion", "Vessel", "Hours"]
    dock.vesselTable.sortByColumn(column_of(dock.vessels.proxy, "Reports"), 1)  # descending
    first = dock.vessels.proxy.record(dock.vessels.proxy.index(0, 0))
    assert first.reports == 30 and first.gap_count == 1 and first.longest_gap_hours == pytest.approx(10.1667, 1e-3)
    dock.vesselTable.selectRow(1)
    other = dock.vessels.selected_vessel()
    dock.showVesselButton.click()
    assert dock.session.tracks_layer.subsetString() == f'"mmsi" = {other.mmsi}'
    assert dock.session.tracks_layer.featureCount() == 1
    # the Temporal Controller shows the vessel's whole time, not a gap window chosen before
    window = canvas.temporalController().temporalExtents()
    assert window.begin().toSecsSinceEpoch() <= other.first_seen
    assert window.end().toSecsSinceEpoch() >= other.last_seen
    dock.showAllButton.click()
    assert dock.session.tracks_layer.subsetString() == ""
    assert dock.session.tracks_layer.featureCount() == 3
    window = canvas.temporalController().temporalExtents()
    vessels = dock.session.vessels
    assert window.begin().toSecsSinceEpoch() <= min(v.first_seen for v in vessels)
    assert window.end().toSecsSinceEpoch() >= max(v.last_seen for v in vessels)


def test_rerun_changes_gaps_without_reading_again(dock, qtbot, voyage_csv, monkeypatch):
    load(dock, qtbot, voyage_csv)
    import bai_mei_plugin.tasks.ais_tasks as tasks

    monkeypatch.setattr(tasks, "read_ais", lambda *a, **k: pytest.fail("re-run must not re-read the file"))
    dock.presetCombo.setCurrentText("Custom")
    dock.minHoursSpin.setValue(11)
    dock.rerunButton.click()
    qtbot.waitUntil(lambda: dock.gaps.task is None, timeout=10000)
    assert dock.gaps.proxy.rowCount() == 0
    group = QgsProject.instance().layerTreeRoot().findGroup("voyage.csv")
    assert len(group.findLayers()) == 2
    assert Settings().value("min_gap_hours", type_=float) == 11.0


def test_a_preset_shows_its_values_read_only_and_custom_edits_them(dock):
    from bai_mei_plugin.core.gaps import CRITERIA_FIELDS, PRESET_GFW, PRESETS, GapCriteria

    form = dock.gaps.criteria_widget
    assert form.parent() is dock.criteriaGroup and dock.presetCombo is form.presetCombo
    assert list(form.editors) == [f.name for f in CRITERIA_FIELDS]  # one editor per criterion of the description
    form.set_preset(PRESET_GFW)
    gfw = PRESETS[PRESET_GFW]
    assert form.values() == {"min_gap_hours": 12.0, "min_shore_nm": 50.0, "min_positions_before": 14}
    assert all(e.isReadOnly() for e in form.editors.values()) and form.criteria() == gfw
    assert dock.criteriaGroup.title() == f"Gap criteria: {PRESET_GFW}"
    form.editors["min_gap_hours"].setValue(3.0)  # a program may write into a read-only box: the preset still wins
    assert form.criteria() == gfw
    form.set_preset("Custom")
    assert not any(e.isReadOnly() for e in form.editors.values())
    form.editors["min_positions_before"].setValue(4)
    assert form.criteria() == GapCriteria(min_gap_hours=3.0, min_shore_nm=50.0, min_positions_before=4)
    dock.gaps.criteria()  # remembered for the next session
    assert Settings().value("preset") == "Custom" and Settings().value("min_positions_before", type_=int) == 4


def test_bad_file_gives_message_bar_error_and_no_layers(dock, qtbot, write_file, qgis_iface):
    path = write_file("junk.csv", "foo,bar\nabc,def\n")
    dock.fileWidget.setFilePath(path)
    assert "Not recognised" in dock.formatLabel.text()
    assert dock.mappingGroup.isVisible()  # the column form opens so the analyst can map the columns
    dock.mmsiCombo.setCurrentText("foo")
    dock.timeCombo.setCurrentText("bar")
    dock.latCombo.setCurrentText("foo")
    dock.lonCombo.setCurrentText("bar")
    dock.loadButton.click()
    qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=10000)
    errors = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert errors and "junk.csv" in errors[-1]
    # no time of the file reads: the message names the time format tried and the value (issue 16)
    assert "could be read with the time format" in errors[-1] and "'def'" in errors[-1]
    assert QgsProject.instance().layerTreeRoot().findGroup("junk.csv") is None
    assert QgsProject.instance().count() == 0


def test_ambiguous_dates_open_the_column_form(dock, write_file):
    path = write_file("amb.csv", "mmsi,time,lat,lon\n1,03/04/2017 04:30:00,1,1\n")
    dock.fileWidget.setFilePath(path)
    assert dock.mappingGroup.isVisible()
    assert dock.mmsiCombo.currentText() == "mmsi" and dock.timeCombo.currentText() == "time"


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory):
    """A 1M-row MarineCadastre file (the benchmark's generator)."""
    from tests.bench.generate import ensure_file

    return str(ensure_file(1_000_000, out_dir=tmp_path_factory.mktemp("big"), log=lambda *a: None))


def measure_load_and_cancel(dock, qtbot, path):
    """Load ``path``, then start a second load and cancel it half way. Returns (worst event-loop stall during the
    load in seconds, seconds from Cancel to the task's end). tests/bench/bench_gui.py prints the same figures."""
    with Heartbeat() as heartbeat:
        load(dock, qtbot, path, timeout=120000)
        assert dock.session.result is not None and dock.session.result.reports.rows_kept > 900_000
        worst_load = heartbeat.worst
        dock.loadButton.click()
        qtbot.waitUntil(lambda: dock.progressBar.value() > 5, timeout=30000)
        asked = time.perf_counter()
        dock.cancelButton.click()
        qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=10000)
        stopped = time.perf_counter() - asked
    return worst_load, stopped


def test_loading_a_million_rows_never_freezes_the_gui_and_cancel_takes_effect(dock, qtbot, million_rows, qgis_iface):
    worst_load, stopped = measure_load_and_cancel(dock, qtbot, million_rows)
    # Bounds only a hang breaks (the load runs in a QgsTask; a busy machine stalls the loop for a few hundred ms);
    # the figures themselves are printed by `make bench` (tests/bench/bench_gui.py).
    assert worst_load < 5.0, f"the event loop stalled {worst_load:.3f} s during the load: work on the GUI thread?"
    assert stopped < 5.0, f"cancel took {stopped:.2f} s"
    assert any("was cancelled; nothing was added" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    assert len(QgsProject.instance().layerTreeRoot().findGroups()) == 1  # the cancelled load added nothing


def test_tables_open_sorted_and_keep_the_selection_when_resorted(dock, qtbot, voyage_csv):
    load(dock, qtbot, voyage_csv)
    proxy = dock.vessels.proxy
    longest = [proxy.record(proxy.index(r, 0)).longest_gap_hours for r in range(proxy.rowCount())]
    assert longest == sorted(longest, reverse=True)  # opens with the longest silences first
    header = dock.vesselTable.horizontalHeader()
    assert proxy.headerData(header.sortIndicatorSection(), 1) == "Longest h"
    dock.vesselTable.selectRow(1)
    chosen = dock.vessels.selected_vessel()
    dock.vesselTable.sortByColumn(column_of(proxy, "MMSI"), 0)
    mmsis = [proxy.record(proxy.index(r, 0)).mmsi for r in range(proxy.rowCount())]
    assert mmsis == sorted(mmsis)
    assert dock.vessels.selected_vessel() is chosen
