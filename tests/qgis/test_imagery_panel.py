"""The dock's Imagery page with a real QgsProject: search in a task, layer and table in step, loopback servers,
errors, cancel, settings without secrets."""

import base64
import json
import time
from pathlib import Path

import pytest
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsAuthMethodConfig,
    QgsFeature,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from qgis.PyQt.QtGui import QColor, QImage
from werkzeug import Response

from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.services import sources
from bai_mei_plugin.services.static_catalogue import synthetic_catalogue_path
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures)

SOURCE_STAC = sources.get("stac").label  # the form lists the sources by label
SOURCE_STATIC = sources.get("static").label
DATA = Path(__file__).resolve().parents[1] / "unit" / "data" / "footprints"
JUNE_NAMPO = ["SYNTHETIC_20170616_021000_ssc1", "SYNTHETIC_20170617_020500_ssc3"]
NAMPO_BOX = "POLYGON((124.9 38.5, 125.4 38.5, 125.4 38.9, 124.9 38.9, 124.9 38.5))"
FAKE_KEY = "PLAK-imagery-test-5d1c0e9a"  # made up; must never be written outside the auth database


@pytest.fixture
def bai_mei_csv(write_file, mc_rows):
    """The Bai Mei 8 goes dark on 8 June 2017 at 20:50 in the Yellow Sea and reappears on 19 June at 05:20."""
    rows = []
    for minute in range(0, 180, 10):
        rows.append(
            (
                200000008,
                f"2017-06-08T{18 + minute // 60:02d}:{minute % 60:02d}:00",
                36.5 + minute / 2000,
                123.0,
                9.0,
                45,
                "BAI MEI 8",
                6.5,
            )
        )
    for minute in range(0, 120, 10):
        rows.append(
            (
                200000008,
                f"2017-06-19T{5 + minute // 60:02d}:{20 + minute % 40:02d}:00",
                34.0,
                125.5 + minute / 2000,
                10.0,
                180,
                "BAI MEI 8",
                11.5,
            )
        )
    rows.sort(key=lambda r: r[1])
    return write_file("bai_mei_8.csv", mc_rows(rows))


def polygon_layer(name, wkt, gap_id=None):
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326&field=gap_id:string", name, "memory")
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromWkt(wkt))
    feature.setAttributes([gap_id])
    layer.dataProvider().addFeatures([feature])
    return layer


def footprints_layers():
    return QgsProject.instance().mapLayersByName("imagery footprints")


def search(dock, qtbot, timeout=15000):
    dock.imagerySearchButton.click()
    qtbot.waitUntil(lambda: dock.imagery.task is None, timeout=timeout)


def use_source(dock, source, url):
    dock.tabs.setCurrentWidget(dock.imageryPage)
    dock.imagerySourceCombo.setCurrentText(source)
    dock.imageryUrlCombo.setCurrentText(url)


def set_window(dock, start, end):
    from bai_mei_plugin.core.footprints import parse_rfc3339

    dock.imagery.form.set_window(parse_rfc3339(start), parse_rfc3339(end))


def whole_world(dock, canvas):  # noqa: F811 (fixture)
    dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData("extent"))
    canvas.setExtent(QgsRectangle(-180, -90, 180, 90))


def test_bundled_catalogue_over_the_gaps_reachable_area(dock, qtbot, bai_mei_csv, canvas, qgis_iface):  # noqa: F811
    load(dock, qtbot, bai_mei_csv)
    dock.gapTable.selectRow(0)
    gap = dock.gaps.selected_gap()
    assert gap.mmsi == 200000008
    start, end = dock.imagery.form.window()
    assert (start, end) == (gap.off_time - 12 * 3600, gap.on_time + 12 * 3600)  # prefilled from the gap
    # another page's reachability layer for this gap: the area of interest
    QgsProject.instance().addMapLayer(polygon_layer("reachable sea", NAMPO_BOX, gap.gap_id))
    dock.tabs.setCurrentWidget(dock.imageryPage)
    dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData("reachability"))
    assert "reachable sea" in dock.imageryAoiLabel.text()
    dock.imagerySourceCombo.setCurrentText(SOURCE_STATIC)
    assert dock.imageryUrlCombo.currentText() == synthetic_catalogue_path()
    search(dock, qtbot)
    layer = dock.imagery.results.layer
    assert layer is not None and footprints_layers() == [layer]
    assert layer.wkbType() == QgsWkbTypes.MultiPolygon
    assert sorted(f["item_id"] for f in layer.getFeatures()) == JUNE_NAMPO
    assert all(f["in_gap_window"] is True and f["gap_id"] == gap.gap_id for f in layer.getFeatures())
    temporal = layer.temporalProperties()
    assert temporal.isActive() and temporal.startField() == "acquired"
    assert temporal.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField
    assert layer.renderer().type() == "RuleRenderer"  # resources/styles/footprints.qml
    group = QgsProject.instance().layerTreeRoot().findGroup("bai_mei_8.csv")
    assert group.findLayer(layer.id()) is not None  # in the data set's group
    proxy = dock.imagery.results.proxy
    assert proxy.rowCount() == layer.featureCount() == 2
    assert dock.imageryTabs.currentWidget() is dock.imageryResultsPage
    assert dock.imageryTabs.tabText(1) == "Results (2)"
    assert [proxy.data(proxy.index(r, 1)) for r in range(2)] == ["yes", "yes"]  # Dark
    successes = qgis_iface.messageBar().get_messages(Qgis.Success)
    assert any("2 scenes found, 2 taken while the vessel was dark" in m for m in successes)
    # table -> map: the feature is selected and the map zooms to it
    dock.imageryResultTable.selectRow(1)
    chosen = dock.imagery.results.selected()
    assert [f["item_id"] for f in layer.getSelectedFeatures()] == [chosen.footprint.item_id]
    west, south, east, north = chosen.footprint.geometry.bounds
    extent = canvas.extent()
    assert extent.contains(QgsRectangle(west, south, east, north)) and extent.width() < 1.0
    preview = dock.imageryPreviewLabel.pixmap()  # the synthetic scene's thumbnail, beside the catalogue
    assert preview is not None and not preview.isNull()
    # map -> table
    first = next(f for f in layer.getFeatures() if f["item_id"] == JUNE_NAMPO[0])
    layer.selectByIds([first.id()])
    assert dock.imagery.results.selected().footprint.item_id == JUNE_NAMPO[0]
    # timeline: the gap as a band, the scenes as ticks; a click on a tick selects its row
    timeline = dock.imagery.results.timeline
    assert len(timeline.windows) == 1 and timeline.windows[0].selected and len(timeline.ticks) == 2
    band = timeline.window_at((timeline.x_of(gap.off_time) + timeline.x_of(gap.off_time + 3600)) / 2)
    assert band is not None and band.label.startswith("BAI MEI 8 dark 2017-06-08")  # its tooltip
    index = next(i for i, r in enumerate(dock.imagery.results.order) if r.footprint.item_id == JUNE_NAMPO[1])
    qtbot.mouseClick(timeline, Qt.LeftButton, pos=QPoint(int(timeline.x_of(timeline.ticks[index].time)), 10))
    assert dock.imagery.results.selected().footprint.item_id == JUNE_NAMPO[1]
    # the synthetic scene behind the footprint goes into the data set's group
    dock.imageryAddButton.click()
    qtbot.waitUntil(lambda: dock.imagery.results.scene_task is None, timeout=15000)
    scene = QgsProject.instance().mapLayersByName(f"{JUNE_NAMPO[1]} (visual)")
    assert len(scene) == 1 and scene[0].isValid() and group.findLayer(scene[0].id()) is not None
    # a second search replaces the footprints layer
    search(dock, qtbot)
    assert len(footprints_layers()) == 1 and footprints_layers()[0] is not layer


def test_selected_features_without_a_data_set_go_to_the_project_root(dock, qtbot, qgis_iface):
    aoi = polygon_layer("harbour", NAMPO_BOX)
    QgsProject.instance().addMapLayer(aoi)
    aoi.selectAll()
    qgis_iface.setActiveLayer(aoi)
    dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData("selection"))
    use_source(dock, SOURCE_STATIC, synthetic_catalogue_path())
    set_window(dock, "2017-06-08T20:52:00Z", "2017-06-19T05:20:00Z")
    search(dock, qtbot)
    layer = dock.imagery.results.layer
    assert sorted(f["item_id"] for f in layer.getFeatures()) == JUNE_NAMPO
    assert QgsProject.instance().layerTreeRoot().findLayer(layer.id()).parent() is QgsProject.instance().layerTreeRoot()
    assert dock.imagery.results.proxy.data(dock.imagery.results.proxy.index(0, 1)) == ""  # no gap: dark unknown
    # the layer removed by the analyst: the table empties
    QgsProject.instance().removeMapLayer(layer.id())
    assert dock.imagery.results.proxy.rowCount() == 0


def png_bytes():
    image = QImage(40, 30, QImage.Format_RGB32)
    image.fill(QColor("steelblue"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


@pytest.fixture
def stac_server(httpserver):
    """A STAC API on loopback: the two-page search of tests/unit/data/footprints, thumbnails and item records."""
    root = httpserver.url_for("").rstrip("/")

    def fixture(name):
        return json.loads((DATA / name).read_text().replace("http://loopback.invalid", root))

    landing, page1, page2 = (fixture(f"stac_{n}.json") for n in ("landing_filter", "search_page1", "search_page2"))
    page1["features"][1]["assets"]["thumbnail"] = {"href": f"{root}/thumbs/landsat.png"}  # an unsigned thumbnail
    httpserver.expect_request("/", method="GET").respond_with_json(landing)
    httpserver.expect_request("/search", method="POST").respond_with_handler(
        lambda request: Response(
            json.dumps(page2 if b'"token"' in request.data else page1), content_type="application/geo+json"
        )
    )
    httpserver.expect_request("/search", method="GET").respond_with_json({"type": "FeatureCollection", "features": []})
    httpserver.expect_request("/thumbs/landsat.png").respond_with_data(png_bytes(), content_type="image/png")
    httpserver.expect_request("/collections/landsat-c2-l2/items/TEST_L8_20170617").respond_with_json(
        {
            "type": "Feature",
            "id": "TEST_L8_20170617",
            "assets": {"B4": {"href": f"{root}/B4.TIF", "type": "image/tiff"}},
        }
    )
    httpserver.expect_request("/collections").respond_with_json(fixture("stac_collections_page1.json"))
    return httpserver, len(page1["features"]) + len(page2["features"])


def test_stac_api_on_loopback_fills_the_table_and_previews(
    dock,
    qtbot,
    canvas,
    stac_server,
    qgis_iface,  # noqa: F811
    fake_key_config,
):
    server, expected = stac_server
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STAC, server.url_for("/"))
    dock.imageryAuthSelect.setConfigId(fake_key_config)
    set_window(dock, "2000-01-01T00:00:00Z", "2030-01-01T00:00:00Z")
    dock.imageryCloudSpin.setValue(50)
    search(dock, qtbot)
    assert dock.imagery.results.proxy.rowCount() == dock.imagery.results.layer.featureCount() == expected
    body = next(json.loads(r.data) for r, _ in server.log if r.path == "/search" and r.data)
    assert body["filter"]["args"][1] == 50  # the cloud limit reached the server
    results = dock.imagery.results
    landsat = next(r for r in results.order if r.footprint.item_id == "TEST_L8_20170617")
    results.select_record(landsat)
    qtbot.waitUntil(
        lambda: dock.imageryPreviewLabel.pixmap() is not None and not dock.imageryPreviewLabel.pixmap().isNull(),
        timeout=5000,
    )
    # the key went from the auth database to the search's host only, for the search and the thumbnail
    sent = {r.path: r.headers.get("Authorization") for r, _ in server.log}
    basic = "Basic " + base64.b64encode(f"{FAKE_KEY}:".encode()).decode()
    assert sent["/search"] == sent["/thumbs/landsat.png"] == basic
    # its record has no visual image: the message bar explains
    dock.imageryAddButton.click()
    qtbot.waitUntil(lambda: results.scene_task is None, timeout=5000)
    assert any("no visual image" in m for m in qgis_iface.messageBar().get_messages(Qgis.Warning))


def geotiff_bytes(tmp_path):
    from osgeo import gdal

    path = str(tmp_path / "visual.tif")
    raster = gdal.GetDriverByName("GTiff").Create(path, 64, 64, 3, gdal.GDT_Byte, ["TILED=YES"])
    raster.SetGeoTransform((125.10, 0.0015, 0, 38.74, 0, -0.0015))
    raster.SetProjection("EPSG:4326")
    for band in range(1, 4):
        raster.GetRasterBand(band).Fill(band * 60)
    raster = None
    return Path(path).read_bytes()


def ranged(data: bytes):
    """A handler serving ``data`` with HTTP range requests, as GDAL's /vsicurl/ reads files."""

    def handler(request):
        if request.method == "HEAD":
            return Response(data, content_type="image/tiff", headers={"Accept-Ranges": "bytes"})  # body not sent
        spec = request.headers.get("Range", "")
        if not spec.startswith("bytes="):
            return Response(data, content_type="image/tiff")
        first, _, last = spec[6:].partition("-")
        first, last = int(first), min(int(last or len(data) - 1), len(data) - 1)
        return Response(
            data[first : last + 1],
            status=206,
            content_type="image/tiff",
            headers={"Content-Range": f"bytes {first}-{last}/{len(data)}", "Accept-Ranges": "bytes"},
        )

    return handler


def test_add_to_map_opens_the_visual_asset_through_vsicurl(
    dock,
    qtbot,
    canvas,
    httpserver,
    tmp_path,  # noqa: F811
    qgis_iface,
):
    root = httpserver.url_for("").rstrip("/")
    item = {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "TEST_VISUAL",
        "collection": "test",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[125.1, 38.64], [125.2, 38.64], [125.2, 38.74], [125.1, 38.74], [125.1, 38.64]]],
        },
        "properties": {"datetime": "2017-06-16T02:10:00Z"},
        "links": [{"rel": "self", "href": f"{root}/items/TEST_VISUAL"}],
        "assets": {
            "visual": {
                "href": f"{root}/visual.tif",
                "roles": ["visual"],
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
            }
        },
    }
    httpserver.expect_request("/items/TEST_VISUAL").respond_with_json(item)
    httpserver.expect_request("/visual.tif").respond_with_handler(ranged(geotiff_bytes(tmp_path)))
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps({"type": "FeatureCollection", "features": [item]}))
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STATIC, str(catalogue))
    set_window(dock, "2017-06-01T00:00:00Z", "2017-06-30T00:00:00Z")
    search(dock, qtbot)
    dock.imageryResultTable.selectRow(0)
    dock.imageryAddButton.click()
    qtbot.waitUntil(lambda: dock.imagery.results.scene_task is None, timeout=10000)
    layers = QgsProject.instance().mapLayersByName("TEST_VISUAL (visual)")
    assert len(layers) == 1 and layers[0].isValid() and layers[0].bandCount() == 3
    assert layers[0].source() == f"/vsicurl/{root}/visual.tif"


def test_list_collections_in_a_task(dock, qtbot, stac_server):
    server, _ = stac_server
    use_source(dock, SOURCE_STAC, server.url_for("/"))
    dock.imageryListButton.click()
    qtbot.waitUntil(lambda: dock.imagery.form.list_task is None, timeout=5000)
    menu = dock.imagery.form.collections_menu
    ids = [action.data() for action in menu.actions()]
    assert ids and all(ids)
    menu.actions()[0].trigger()
    assert dock.imagery.form.collections() == [ids[0]]


def test_refused_request_is_a_message_bar_error_and_adds_nothing(dock, qtbot, canvas, httpserver, qgis_iface):  # noqa: F811
    httpserver.expect_request("/").respond_with_data("Unauthorized", status=401)
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STAC, httpserver.url_for("/"))
    search(dock, qtbot)
    errors = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert errors and "refused the request (HTTP 401)" in errors[-1]
    assert footprints_layers() == [] and dock.imagery.results.proxy.rowCount() == 0
    assert dock.imagerySearchButton.isEnabled() and not dock.imageryCancelButton.isEnabled()


def test_cancel_during_a_slow_server_stops_at_once_and_adds_nothing(
    dock,
    qtbot,
    canvas,
    httpserver,  # noqa: F811
    qgis_iface,
):
    landing = json.loads((DATA / "stac_landing_filter.json").read_text())

    def slow(_request):
        time.sleep(3)
        return Response(json.dumps({"type": "FeatureCollection", "features": []}), content_type="application/json")

    httpserver.expect_request("/", method="GET").respond_with_json(landing)
    httpserver.expect_request("/search", method="POST").respond_with_handler(slow)
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STAC, httpserver.url_for("/"))
    dock.imagerySearchButton.click()
    assert dock.imageryProgressBar.isVisible() and dock.imageryCancelButton.isEnabled()
    qtbot.waitUntil(
        lambda: any(r.path == "/search" for r, _ in httpserver.log) or len(httpserver.log) > 0, timeout=5000
    )
    qtbot.wait(300)  # the search request is on its way to the sleeping handler
    asked = time.perf_counter()
    dock.imageryCancelButton.click()
    qtbot.waitUntil(lambda: dock.imagery.task is None, timeout=5000)
    assert time.perf_counter() - asked < 3.0  # a bound only a hang breaks: Cancel closes the connection at once
    assert any("cancelled; nothing was added" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    assert footprints_layers() == [] and not dock.imageryProgressBar.isVisible()
    qtbot.wait(3500)  # the server's late answer changes nothing
    assert footprints_layers() == []


@pytest.fixture
def fake_key_config(qgis_app):
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("bai-mei-test-master", True), "could not set the test master password"
    config = QgsAuthMethodConfig()
    config.setName("Imagery (test)")
    config.setMethod("Basic")
    config.setConfig("username", FAKE_KEY)
    config.setConfig("password", "")
    assert manager.storeAuthenticationConfig(config)
    yield config.id()
    manager.removeAuthenticationConfig(config.id())


def test_settings_persist_and_never_hold_a_secret(
    dock,
    qtbot,
    canvas,
    qgis_iface,
    httpserver,  # noqa: F811
    fake_key_config,
):
    httpserver.expect_request("/stac").respond_with_data("Unauthorized", status=401)
    own = httpserver.url_for("/stac")
    dock.imagerySourceCombo.setCurrentText(SOURCE_STAC)
    dock.imageryUrlCombo.setCurrentText(own)
    dock.imageryAuthSelect.setConfigId(fake_key_config)
    dock.imageryCollectionsEdit.setText("sentinel-2-l2a, landsat-c2-l2")
    dock.imageryCloudSpin.setValue(30)
    dock.imageryPadSpin.setValue(6)
    whole_world(dock, canvas)
    search(dock, qtbot)  # refused: the settings are saved all the same
    dock.imageryUrlCombo.setCurrentText(f"{own}?api_key={FAKE_KEY}")  # a key in an address: never remembered
    search(dock, qtbot)
    dock.unload()
    again = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(again)
    try:
        assert again.imagerySourceCombo.currentText() == SOURCE_STAC
        assert again.imageryAuthSelect.configId() == fake_key_config
        assert again.imageryCollectionsEdit.text() == "sentinel-2-l2a, landsat-c2-l2"
        assert again.imageryCloudSpin.value() == 30 and again.imageryCloudSlider.value() == 30
        assert again.imageryPadSpin.value() == 6
        assert again.imageryAoiCombo.currentData() == "extent"
        urls = [again.imageryUrlCombo.itemText(i) for i in range(again.imageryUrlCombo.count())]
        assert own in urls and again.imageryUrlCombo.currentText() == own
        assert not any(FAKE_KEY in url for url in urls)
    finally:
        again.unload()
    settings = QgsSettings()
    settings.sync()
    stored = Path(settings.fileName()).read_bytes()
    assert b"bai_mei" in stored and fake_key_config.encode() in stored
    assert FAKE_KEY.encode() not in stored


def test_unload_during_a_search_leaves_nothing_behind(dock, qtbot, canvas, httpserver):  # noqa: F811
    def slow(_request):
        time.sleep(1.5)
        return Response(
            json.dumps(json.loads((DATA / "stac_landing_filter.json").read_text())), content_type="application/json"
        )

    httpserver.expect_request("/").respond_with_handler(slow)
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STAC, httpserver.url_for("/"))
    dock.imagerySearchButton.click()
    assert dock.imagery.task is not None
    dock.unload()
    assert dock.imagery.task is None
    # the task ends at once (the task manager then deletes it) although the server is still sleeping
    qtbot.waitUntil(lambda: QgsApplication.taskManager().countActiveTasks() == 0, timeout=1000)
    qtbot.wait(2000)
    assert footprints_layers() == []
