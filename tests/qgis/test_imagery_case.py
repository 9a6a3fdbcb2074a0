"""Imagery footprints reach the case even when the case could not take them at once: a search made before New case,
or one that ended while the case bar was writing the layers shown into a new case (GDAL holds the file then, so the
footprints wait in memory). Once the write ends they are written into the case and shown from it, the results
table still in step with the layer."""

from qgis.core import QgsProject

from bai_mei_plugin.services.static_catalogue import synthetic_catalogue_path
from tests.qgis.loop_watch import slow_case_writes
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures)
from tests.qgis.test_imagery_panel import (  # noqa: F401 (fixture)
    JUNE_NAMPO,
    NAMPO_BOX,
    SOURCE_STATIC,
    bai_mei_csv,
    footprints_layers,
    polygon_layer,
    search,
    set_window,
    use_source,
)


def search_nampo(dock, qtbot, qgis_iface):
    aoi = polygon_layer("harbour", NAMPO_BOX)
    QgsProject.instance().addMapLayer(aoi)
    aoi.selectAll()
    qgis_iface.setActiveLayer(aoi)
    dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData("selection"))
    use_source(dock, SOURCE_STATIC, synthetic_catalogue_path())
    set_window(dock, "2017-06-08T20:52:00Z", "2017-06-19T05:20:00Z")
    search(dock, qtbot)
    return dock.imagery.results.layer


def assert_in_case_and_in_step(dock, case):
    layer = dock.imagery.results.layer
    assert layer is not None and case.holds(layer), layer.source() if layer else None
    assert footprints_layers() == [layer]  # the memory layer replaced, not doubled
    assert sorted(f["item_id"] for f in layer.getFeatures()) == JUNE_NAMPO
    assert "footprints" in case.layers()
    made = case.layers()["footprints"].params  # what made it: the source, its address, each area and time window
    assert made["made_by"] == "imagery search" and made["source"] == "static", made
    assert made["url"] == synthetic_catalogue_path() and made["areas"][0]["start"].startswith("2017-06-08 20:52")
    proxy = dock.imagery.results.proxy
    assert proxy.rowCount() == 2
    dock.imageryResultTable.selectRow(1)
    item = proxy.record(proxy.index(1, 0)).footprint.item_id
    assert [f["item_id"] for f in layer.selectedFeatures()] == [item]  # row -> feature of the case's table


def test_a_search_before_new_case_is_written_into_the_case(dock, qtbot, bai_mei_csv, tmp_path, qgis_iface):  # noqa: F811
    load(dock, qtbot, bai_mei_csv)
    memory = search_nampo(dock, qtbot, qgis_iface)
    assert memory.providerType() == "memory"
    case = dock.case_bar.new_case(str(tmp_path / "before.gpkg"))
    qtbot.waitUntil(lambda: not dock.case_bar.keeping, timeout=60000)
    assert_in_case_and_in_step(dock, case)


def test_a_search_ending_while_the_case_is_written_waits_then_goes_in(
    dock,
    qtbot,
    bai_mei_csv,
    tmp_path,
    monkeypatch,
    qgis_iface,  # noqa: F811
):
    load(dock, qtbot, bai_mei_csv)
    speed = {"slow": 8.0}
    _calls, writing = slow_case_writes(monkeypatch, 0.0, speed)
    case = dock.case_bar.new_case(str(tmp_path / "during.gpkg"))
    qtbot.waitUntil(writing.is_set, timeout=10000)
    layer = search_nampo(dock, qtbot, qgis_iface)
    assert dock.case_bar.keeping and layer.providerType() == "memory"  # the case's file is busy: held back
    speed["slow"] = 0.0  # the next tables' writes go at their pace
    qtbot.waitUntil(lambda: not dock.case_bar.keeping, timeout=60000)
    assert_in_case_and_in_step(dock, case)


def test_the_results_come_back_with_the_case_and_a_new_search_replaces_them(
    dock,
    qtbot,
    bai_mei_csv,
    tmp_path,
    qgis_iface,  # noqa: F811
):
    from bai_mei_plugin.gui.dock import BaiMeiDock

    case = dock.case_bar.new_case(str(tmp_path / "results.gpkg"))
    load(dock, qtbot, bai_mei_csv)
    search_nampo(dock, qtbot, qgis_iface)
    assert_in_case_and_in_step(dock, case)
    assert case.info()["imagery_search"]["source"] == "static"
    project = QgsProject.instance()
    project_path = str(tmp_path / "results.qgz")
    assert project.write(project_path)
    project.clear()
    assert project.read(project_path)
    # the reopened panel shows the last search's results over the case's footprints, in step with the map
    assert_in_case_and_in_step(dock, case)
    # a new search replaces the restored footprints: one footprints layer, reading the case's current table
    search(dock, qtbot)
    assert footprints_layers() == [dock.imagery.results.layer]
    assert dock.imagery.results.layer.isValid() and case.holds(dock.imagery.results.layer)
    # a panel opened afresh (QGIS restarted, Open case…) shows them too, with the search's source and address
    project.clear()
    again = BaiMeiDock(qgis_iface, project=project)
    qtbot.addWidget(again)
    try:
        again.case_bar.open_case(case.path)
        assert again.imagery.results.proxy.rowCount() == 2
        assert again.imagery.connection()[:2] == ("static", synthetic_catalogue_path())
    finally:
        again.unload()
