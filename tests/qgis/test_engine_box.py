"""The Gaps page's engine choice: gaps found by PostGIS and by Dask fill the panel like loaded ones."""

from pathlib import Path

import pytest
from qgis.core import Qgis, QgsProject

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.gap_engine import ARCHIVE, POSTGIS, ReportsLocation
from bai_mei_plugin.gui.engine_box import ENGINE_DASK, ENGINE_POSTGIS, ENGINE_QGIS, parse_columns
from tests.qgis.test_detect_gaps_postgis import pg_tests, qgis_connection  # noqa: F401 (a throwaway PostGIS server)
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)


def finish(dock, qtbot, timeout=120000):
    """Until the engine box's run and the Gaps page's re-run are done."""
    qtbot.waitUntil(lambda: dock.gaps.engine.task is None and dock.gaps.task is None, timeout=timeout)


def ids(dock):
    model = dock.gaps.model
    return sorted((g.mmsi, g.off_time, g.on_time) for g in model.records)


def test_the_form_follows_the_engine(dock):
    box = dock.gaps.engine
    assert box.group.parent() is dock.gapsPage and box.engine() == ENGINE_QGIS
    assert box.group.isCollapsed() and box.group.title() == "Engine: In QGIS"
    box.group.setCollapsed(False)
    assert box.runButton.isHidden() and box.pgWidget.isHidden() and box.daskWidget.isHidden()
    box.engineCombo.setCurrentIndex(ENGINE_POSTGIS)
    assert box.group.title() == "Engine: PostGIS" and not box.pgWidget.isHidden() and box.daskWidget.isHidden()
    assert not box.runButton.isHidden()
    box.engineCombo.setCurrentIndex(ENGINE_DASK)
    assert not box.daskWidget.isHidden() and box.pgWidget.isHidden()
    assert parse_columns("") == {}
    assert parse_columns("mmsi=ship_id, time = ts; geometry=geom, name=shipname") == {
        "mmsi": "ship_id",
        "time": "ts",
        "geometry": "geom",
        "vessel_name": "shipname",
    }
    for bad in ("ship_id", "colour=red", "time="):
        with pytest.raises(BaiMeiError, match="Columns"):
            parse_columns(bad)


def test_missing_input_is_a_message_and_nothing_changes(dock, qtbot, voyage_csv, qgis_iface):
    load(dock, qtbot, voyage_csv)
    before = ids(dock)
    box = dock.gaps.engine
    box.engineCombo.setCurrentIndex(ENGINE_DASK)
    box.archiveEdit.setText("")
    qgis_iface.messageBar().clear_messages()
    box.runButton.click()
    assert box.task is None and any("Give the archive" in m for m in qgis_iface.messageBar().get_messages(Qgis.Warning))
    box.engineCombo.setCurrentIndex(ENGINE_POSTGIS)
    box.tableEdit.setText("")
    box.runButton.click()
    assert box.task is None and ids(dock) == before


def test_dask_archive_gaps_fill_the_panel(provider, dock, qtbot, tmp_path, qgis_iface):
    dask_tests = pytest.importorskip(
        "tests.unit.test_dask_gaps", reason="the Dask engine needs dask[distributed], pandas and pyarrow"
    )
    data = dask_tests.make_reports()
    folder, order = dask_tests.write_archive(tmp_path / "archive", data)
    expected = dask_tests.in_process_gaps(data, order, dask_tests.GapCriteria())
    box = dock.gaps.engine
    box.engineCombo.setCurrentIndex(ENGINE_DASK)
    box.archiveEdit.setText(str(folder))
    qgis_iface.messageBar().clear_messages()
    box.runButton.click()
    bar = qgis_iface.messageBar()
    assert box.task is not None, (bar.get_messages(Qgis.Warning), bar.get_messages(Qgis.Critical))
    assert not box.runButton.isEnabled() and box.cancelButton.isEnabled()
    finish(dock, qtbot)
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert ids(dock) == sorted((g.mmsi, g.off_time, g.on_time) for g in expected)
    group = QgsProject.instance().layerTreeRoot().findGroup(f"{folder} (Dask)")
    assert group is not None and [n.layer().name() for n in group.findLayers()] == ["dark gaps"]
    assert dock.session.gaps_layer.temporalProperties().isActive()
    assert f"{len(expected):,} gaps found by Dask" in box.statusLabel.text()
    assert dock.session.location == ReportsLocation(ARCHIVE, f"{folder} (Dask)", str(folder))
    assert dock.session.result.reports is None and dock.session.tracks_layer is None  # nothing was read into QGIS
    # the Vessels page and the Selected gap box work from the reports either side of the gaps
    assert len(dock.session.vessels) == len({g.mmsi for g in expected})
    dock.gapTable.selectRow(0)
    details = dock.gaps.details
    qtbot.waitUntil(lambda: details.task is None and not details.timer.isActive(), timeout=60000)
    text = details.label.text()
    assert "Could have called at" in text or "No port of the gazetteer was within reach" in text, text


def test_postgis_table_gaps_fill_the_panel(provider, dock, qtbot, qgis_connection, qgis_iface):  # noqa: F811
    name, data, _server = qgis_connection
    expected = pg_tests.in_process_gaps(data, pg_tests.GapCriteria())
    box = dock.gaps.engine
    box.engineCombo.setCurrentIndex(ENGINE_POSTGIS)
    box.connectionCombo.setConnection(name)
    assert box.connectionCombo.currentConnection() == name
    box.tableEdit.setText("public.ais")
    box.columnsEdit.setText("time=ts, geometry=geom")
    qgis_iface.messageBar().clear_messages()
    box.runButton.click()
    finish(dock, qtbot)
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical), qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert ids(dock) == sorted((g.mmsi, g.off_time, g.on_time) for g in expected)
    assert QgsProject.instance().layerTreeRoot().findGroup(f"public.ais (PostGIS {name})") is not None
    assert dock.session.location == ReportsLocation(POSTGIS, f"public.ais (PostGIS {name})", "public.ais")
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    dock.resize(430, 760)
    dock.tabs.setCurrentWidget(dock.gapsPage)
    dock.criteriaGroup.setCollapsed(True)
    box.group.setCollapsed(False)
    qtbot.wait(200)
    assert box.daskWidget.isHidden() and not box.pgWidget.isHidden()  # unfolding shows the chosen engine's rows
    assert dock.grab().save(str(out / "dock-engine-postgis.png"))
    # Re-run with other criteria runs on the server again
    dock.gaps.criteria_widget.set_criteria(pg_tests.GapCriteria(min_gap_hours=20.0))
    dock.rerunButton.click()
    finish(dock, qtbot)
    assert dock.session.location.kind == POSTGIS  # found again on the server, in the same group
    longer = pg_tests.in_process_gaps(data, pg_tests.GapCriteria(min_gap_hours=20.0))
    assert ids(dock) == sorted((g.mmsi, g.off_time, g.on_time) for g in longer) and len(longer) < len(expected)
    # a table that is not there: the error in the message bar, the gaps shown stay
    box.tableEdit.setText("public.nothing_here")
    box.runButton.click()
    finish(dock, qtbot)
    errors = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert errors and "nothing_here" in errors[-1]
    assert ids(dock) == sorted((g.mmsi, g.off_time, g.on_time) for g in longer)
