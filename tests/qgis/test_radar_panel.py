"""The Analysis page's radar row: Detect vessels on a SYNTHETIC Sentinel-1-like scene added to the map, matched with
the loaded AIS in a background task; the rows in step with the map; a dark detection made into a sighting; Cancel."""

import time

import pytest
from qgis.core import Qgis, QgsProject, QgsRasterLayer

from bai_mei_plugin.demo.sar_scene import DemoVessel, korea_bay_scene
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.qgis_io import sar_raster
from bai_mei_plugin.qgis_io.sar_raster import parse_time
from bai_mei_plugin.tasks import radar_tasks
from tests.qgis.test_analysis_page import run
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)

CENTRE = (124.55, 38.72)  # open water of Korea Bay (the demo's dark vessel)
ACQUIRED = "2017-06-15T18:00:00Z"
SCENE_ID = "S1_TEST_RADAR_PANEL"
AIS_SHIP = DemoVessel(CENTRE[0] + 0.015, CENTRE[1] + 0.005, 120.0, 30.0, 412000111, "RADAR ONE")
DARK_SHIP = DemoVessel(CENTRE[0] - 0.015, CENTRE[1] - 0.005, 150.0, 60.0)


@pytest.fixture
def radar_ais(write_file, mc_rows):
    """The AIS ship reporting every 10 minutes around the scene's time, at anchor where the scene shows it."""
    rows = [
        (AIS_SHIP.mmsi, f"2017-06-15T{17 + m // 60:02d}:{m % 60:02d}:00", AIS_SHIP.lat, AIS_SHIP.lon, 0.1, 30,
         AIS_SHIP.name, 7.0)
        for m in range(0, 130, 10)
    ]  # fmt: skip
    return write_file("radar.csv", mc_rows(rows))


@pytest.fixture
def scene_layer(tmp_path):
    path, ships = korea_bay_scene(
        str(tmp_path), [AIS_SHIP, DARK_SHIP], CENTRE, size_px=600, acquired=ACQUIRED, scene_id=SCENE_ID
    )  # the time of this test's AIS, not the demo's
    assert len(ships) == 2  # both drawn inside the scene
    layer = QgsRasterLayer(path, "synthetic S1 scene")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    return layer


def rows_of(proxy):
    return [proxy.record(proxy.index(r, 0)) for r in range(proxy.rowCount())]


def detect(dock, qtbot, qgis_iface, scene_layer, radar_ais):
    load(dock, qtbot, radar_ais)
    page = dock.analysis.page
    page.radarSceneCombo.setLayer(scene_layer)
    assert page.radarSceneCombo.currentLayer() is scene_layer
    qgis_iface.messageBar().clear_messages()
    run(dock, qtbot, page.radarDetectButton)
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
    return page


def select_row(dock, status):
    radar = dock.analysis.radar
    row = radar.proxy.proxy_row_of(lambda r: r.status == status)
    assert row >= 0, f"no {status} row in {[r.status for r in rows_of(radar.proxy)]}"
    dock.analysis.page.candidateTable.selectRow(row)
    return radar.proxy.record(radar.proxy.index(row, 0))


def test_detect_vessels_lists_one_matched_and_one_dark_detection(dock, qtbot, qgis_iface, scene_layer, radar_ais):
    page = detect(dock, qtbot, qgis_iface, scene_layer, radar_ais)
    radar = dock.analysis.radar
    assert page.candidateTable.model() is radar.proxy  # the page's table shows the radar rows now
    rows = rows_of(radar.proxy)
    assert sorted(r.status for r in rows) == [radar_tasks.DARK, radar_tasks.MATCHED]
    matched = next(r for r in rows if r.status == radar_tasks.MATCHED)
    dark = next(r for r in rows if r.status == radar_tasks.DARK)
    assert matched.mmsi == AIS_SHIP.mmsi and matched.vessel_name == "RADAR ONE" and matched.offset_m < 200
    assert dark.length_m == pytest.approx(DARK_SHIP.length_m, rel=0.25)
    for kind in ("sar_detections", "sar_matches", "dark_detections", "unseen_vessels"):
        assert kind in dock.session.extra, f"{kind} not added to the session"
    assert dock.session.extra["sar_detections"].featureCount() == 2
    assert dock.session.extra["unseen_vessels"].featureCount() == 0
    assert "1 with AIS, 1 dark" in page.analysisLabel.text()


def test_rows_and_map_selection_follow_each_other(dock, qtbot, qgis_iface, scene_layer, radar_ais, canvas):  # noqa: F811
    page = detect(dock, qtbot, qgis_iface, scene_layer, radar_ais)
    radar = dock.analysis.radar
    dark_layer, matches_layer = dock.session.extra["dark_detections"], dock.session.extra["sar_matches"]
    dark = select_row(dock, radar_tasks.DARK)
    assert [f["detection_id"] for f in dark_layer.getSelectedFeatures()] == [dark.detection_id]
    assert matches_layer.selectedFeatureCount() == 0
    assert page.radarSightingButton.isEnabled()
    extent = canvas.extent()
    assert extent.width() < 1.0 and extent.contains(dark.lon, dark.lat)  # zoomed to the detection
    # on the map -> the table
    fid = next(matches_layer.getFeatures()).id()
    matches_layer.selectByIds([fid])
    selected = radar.selected()
    assert selected is not None and selected.status == radar_tasks.MATCHED and selected.mmsi == AIS_SHIP.mmsi
    assert not page.radarSightingButton.isEnabled()  # only a dark detection becomes a sighting


def test_make_sighting_fills_in_the_radar_measurements(dock, qtbot, qgis_iface, scene_layer, radar_ais, tmp_path):
    detect(dock, qtbot, qgis_iface, scene_layer, radar_ais)
    page = dock.analysis.page
    dark = select_row(dock, radar_tasks.DARK)
    qgis_iface.messageBar().clear_messages()
    page.radarSightingButton.click()  # no sightings layer yet: a hint, nothing written
    assert any("sightings layer" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    sightings = dock.annotate.create_layer(str(tmp_path / "sightings.gpkg"))
    page.radarSightingButton.click()
    features = list(sightings.getFeatures())
    assert len(features) == 1
    s = features[0]
    assert s["length_m"] == pytest.approx(DARK_SHIP.length_m, rel=0.25)
    assert s["beam_m"] == pytest.approx(dark.detection.width_m)
    assert abs((s["heading_deg"] - DARK_SHIP.heading_deg + 90) % 180 - 90) < 15  # a blob's axis: 0-180
    assert s["observed_at"].toSecsSinceEpoch() == parse_time(ACQUIRED)
    assert s["image_id"] == SCENE_ID
    assert s["notes"].startswith("radar detection")
    point = s.geometry().asPoint()
    assert point.x() == pytest.approx(dark.lon) and point.y() == pytest.approx(dark.lat)


def test_cancel_stops_detection_and_adds_nothing(dock, qtbot, qgis_iface, scene_layer, radar_ais, monkeypatch):
    real = sar_raster.detect_scene

    def slow(read, *args, **kwargs):
        """Small windows, each read slowly: a scene that takes far longer than the hang bound."""

        def slow_read(window):
            time.sleep(0.2)
            return read(window)

        return real(slow_read, *args[:8], 64, **kwargs)

    monkeypatch.setattr(sar_raster, "detect_scene", slow)
    load(dock, qtbot, radar_ais)
    page = dock.analysis.page
    page.radarSceneCombo.setLayer(scene_layer)
    qgis_iface.messageBar().clear_messages()
    page.radarDetectButton.click()
    qtbot.waitUntil(lambda: page.analysisProgress.value() > 5, timeout=30000)  # reading windows
    page.analysisCancelButton.click()
    started = time.monotonic()
    qtbot.waitUntil(lambda: dock.analysis.task is None, timeout=10000)
    assert time.monotonic() - started < 5  # a hang bound, not a speed figure
    assert "sar_detections" not in dock.session.extra
    assert any("Cancelled" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    assert page.radarDetectButton.isEnabled()


def test_a_scene_without_its_time_names_the_scene(dock, qtbot, qgis_iface, radar_ais, tmp_path):
    from osgeo import gdal, osr

    path = str(tmp_path / "no_time.tif")
    data = gdal.GetDriverByName("GTiff").Create(path, 64, 64, 1, gdal.GDT_Float32)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32651)
    data.SetProjection(srs.ExportToWkt())
    data.SetGeoTransform((300000.0, 10.0, 0.0, 4290000.0, 0.0, -10.0))
    data.GetRasterBand(1).Fill(0.01)
    data = None
    layer = QgsRasterLayer(path, "no_time")
    QgsProject.instance().addMapLayer(layer)
    load(dock, qtbot, radar_ais)
    page = dock.analysis.page
    page.radarSceneCombo.setLayer(layer)
    qgis_iface.messageBar().clear_messages()
    run(dock, qtbot, page.radarDetectButton)
    errors = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any("scene time of no_time" in m and "ACQUISITION_START" in m for m in errors), errors
    assert "sar_detections" not in dock.session.extra


def test_with_a_case_open_the_radar_layers_are_written_into_it_with_what_made_them(
    dock, qtbot, qgis_iface, scene_layer, radar_ais, tmp_path
):
    case = dock.case_bar.new_case(str(tmp_path / "radar case.gpkg"))
    detect(dock, qtbot, qgis_iface, scene_layer, radar_ais)
    kept = case.layers()
    kinds = ("sar_detections", "sar_matches", "dark_detections", "unseen_vessels")
    for kind in kinds:
        assert kind in kept, kind
        made = kept[kind].params
        assert made["made_by"] == "radar" and made["scene_id"] == SCENE_ID, (kind, made)
        assert made["detection"]["pfa"] > 0 and made["matching"]["max_distance_m"] > 0
        assert case.holds(dock.session.extra[kind])
    dark = [f for f in case.open_layer(kept["dark_detections"]).getFeatures()]
    assert len(dark) == 1  # the dark vessel is in the case, not only in memory
    shown = sorted((r.status, r.detection_id, r.mmsi, r.vessel_name) for r in dock.analysis.radar.model.records)
    measured = {r.detection_id: r.detection.length_m for r in dock.analysis.radar.model.records if r.detection}
    # a panel opened afresh on the case (QGIS restarted) shows the same table, measurements included
    QgsProject.instance().clear()
    again = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(again)
    try:
        again.case_bar.open_case(case.path)
        rows = again.analysis.radar.model.records
        assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
        assert sorted((r.status, r.detection_id, r.mmsi, r.vessel_name) for r in rows) == shown
        assert {r.detection_id: r.detection.length_m for r in rows if r.detection} == pytest.approx(measured)
        assert again.analysis.radar.result.scene_id == SCENE_ID
    finally:
        again.unload()
