"""Scenes on the map in real QGIS: a public STAC asset (a real COG on a loopback server with range requests) opened
through /vsicurl/ reading only part of the file; the synthetic catalogue's local scene added to the case's group;
previews cached for the session and shown as a quick look; a basemap in one click; path-specific GDAL options."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)

from bai_mei_plugin.core.footprints import footprint_from_stac_item
from bai_mei_plugin.demo import nampo
from bai_mei_plugin.qgis_io.gdal_access import apply_access, clear_access
from bai_mei_plugin.qgis_io.scenes import basemap_layer, open_scene
from bai_mei_plugin.services import sources
from bai_mei_plugin.services.sources import SceneAccess
from bai_mei_plugin.services.static_catalogue import synthetic_catalogue_path
from bai_mei_plugin.services.transport import HttpTransport
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures)
from tests.qgis.test_imagery_panel import SOURCE_STATIC, search, set_window, use_source, whole_world

gdal = pytest.importorskip("osgeo.gdal")

COG = Path(__file__).resolve().parents[1] / "unit" / "data" / "cog" / "cog_rgb.tif"  # rio-tiler's, see its README
JUNE_16 = "SYNTHETIC_20170616_021000_ssc1"


class RangeServer:
    """A loopback HTTP server for one file that honours Range requests and counts the body bytes it sent, plus JSON
    documents at other paths."""

    def __init__(self, data: bytes, path: str = "/data/cog_rgb.tif", documents=None):
        self.data, self.documents, self.sent, self.requests = data, dict(documents or {}), 0, []
        self.path = path
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_HEAD(self):  # noqa: N802 (http.server API)
                server.requests.append(("HEAD", self.path, None))
                if self.path != server.path:
                    return self.reply(404, b"", "text/plain")
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.data)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()

            def do_GET(self):  # noqa: N802
                spec = self.headers.get("Range", "")
                server.requests.append(("GET", self.path, spec))
                if self.path in server.documents:
                    return self.reply(200, json.dumps(server.documents[self.path]).encode(), "application/json")
                if self.path != server.path:  # GDAL also asks for side files (.aux.xml, .ovr) and the folder
                    return self.reply(404, b"Not found", "text/plain")
                if not spec.startswith("bytes="):
                    return self.reply(200, server.data, "image/tiff")
                first, _, last = spec[6:].partition("-")
                first, last = int(first), min(int(last or len(server.data) - 1), len(server.data) - 1)
                self.reply(206, server.data[first : last + 1], "image/tiff", f"bytes {first}-{last}/{len(server.data)}")

            def reply(self, status, body, kind, content_range=None):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                if content_range:
                    self.send_header("Content-Range", content_range)
                self.end_headers()
                self.wfile.write(body)
                if kind == "image/tiff":
                    server.sent += len(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def cog_server():
    server = RangeServer(COG.read_bytes())
    yield server
    server.close()


def stac_item(root: str) -> dict:
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "REAL_COG",
        "collection": "aerial",
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
        "properties": {"datetime": "2017-06-16T02:10:00Z"},
        "links": [{"rel": "self", "href": f"{root}/collections/aerial/items/REAL_COG"}],
        "assets": {
            "visual": {
                "href": "../../../data/cog_rgb.tif",  # relative to the record, as STAC allows
                "roles": ["visual"],
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
            }
        },
    }


def test_public_stac_asset_opens_through_vsicurl_reading_only_part_of_the_file(cog_server):
    item = stac_item(cog_server.url(""))
    cog_server.documents["/collections/aerial/items/REAL_COG"] = item
    footprint = footprint_from_stac_item(item, "STAC")
    access = sources.get("stac").scene_access(
        footprint, "", None, HttpTransport(sleep=lambda s: None), lambda: False, lambda f: None
    )
    assert access.gdal_path == "/vsicurl/" + cog_server.url("/data/cog_rgb.tif")
    gdal.VSICurlClearCache()
    layer = open_scene(access)
    assert layer.isValid() and layer.bandCount() == 3 and layer.name() == "REAL_COG (visual)"
    assert layer.source() == access.gdal_path
    # a small view of the whole scene: GDAL reads the header and the overview, not every tile
    block = layer.dataProvider().block(1, layer.extent(), 48, 29)
    assert block.isValid() and block.width() == 48
    size = COG.stat().st_size
    assert 0 < cog_server.sent < size, f"GDAL read {cog_server.sent} of {size} bytes"
    assert any(spec and spec.startswith("bytes=") for _m, path, spec in cog_server.requests if path.endswith(".tif"))


def test_path_specific_options_reach_only_their_prefix():
    if not hasattr(gdal, "SetPathSpecificOption"):
        pytest.skip(f"GDAL {gdal.__version__} has no path-specific options (3.6+)")
    prefix = "/vsicurl/http://127.0.0.1:9/scoped/"
    apply_access(
        SceneAccess(prefix + "a.tif", "a", options=(("GDAL_HTTP_HEADERS", "X-Test: 1"),), options_prefix=prefix)
    )
    try:
        assert gdal.GetPathSpecificOption(prefix + "a.tif", "GDAL_HTTP_HEADERS") == "X-Test: 1"
        assert gdal.GetPathSpecificOption("/vsicurl/http://127.0.0.1:9/other.tif", "GDAL_HTTP_HEADERS") is None
        assert gdal.GetConfigOption("GDAL_HTTP_HEADERS") is None  # not global
    finally:
        clear_access(prefix)


def test_open_scene_refuses_options_without_a_prefix():
    from bai_mei_plugin.core.errors import BaiMeiError

    with pytest.raises(BaiMeiError, match="not for the path opened"):
        open_scene(SceneAccess("/nonexistent.tif", "x", options=(("GDAL_HTTP_HEADERS", "X: 1"),)))


def select(dock, qtbot, item_id):
    results = dock.imagery.results
    results.select_record(next(r for r in results.order if r.footprint.item_id == item_id))
    assert results.selected().footprint.item_id == item_id


def test_synthetic_scene_added_to_the_map_at_nampo_with_preview_and_quick_look(
    dock,
    qtbot,
    canvas,
    qgis_iface,  # noqa: F811
):
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STATIC, synthetic_catalogue_path())
    set_window(dock, "2017-06-01T00:00:00Z", "2017-07-31T00:00:00Z")
    search(dock, qtbot)
    select(dock, qtbot, JUNE_16)
    label = dock.imageryPreviewLabel
    assert label.pixmap() is not None and not label.pixmap().isNull()  # the local thumbnail, at once
    assert dock.imageryQuickLookButton.isEnabled()
    dock.imageryAddButton.click()
    qtbot.waitUntil(lambda: dock.imagery.results.scene_task is None, timeout=15000)
    layers = QgsProject.instance().mapLayersByName(f"{JUNE_16} (visual)")
    assert len(layers) == 1 and layers[0].isValid() and layers[0].bandCount() == 3
    scene = layers[0]
    assert scene.source().endswith(f"resources/scenes/{JUNE_16}.tif")
    to_wgs84 = QgsCoordinateTransform(scene.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    extent = to_wgs84.transformBoundingBox(scene.extent())
    assert extent.contains(QgsRectangle(nampo.BERTH_LON, nampo.BERTH_LAT, nampo.BERTH_LON, nampo.BERTH_LAT))
    assert extent.width() < 0.05
    assert any(f"Added {JUNE_16} (visual)" in m for m in qgis_iface.messageBar().get_messages(Qgis.Success))
    dock.imageryQuickLookButton.click()
    quick = QgsProject.instance().mapLayersByName(f"{JUNE_16} (quick look)")
    assert len(quick) == 1 and quick[0].isValid()
    west, south, east, north = dock.imagery.results.selected().footprint.geometry.bounds
    assert quick[0].extent().xMinimum() == pytest.approx(west) and quick[0].extent().yMaximum() == pytest.approx(north)


def test_scene_goes_into_the_case_group(dock, qtbot, canvas, qgis_iface):  # noqa: F811
    group = QgsProject.instance().layerTreeRoot().insertGroup(0, "case")
    footprints = QgsRasterLayer(str(COG), "footprints", "gdal")
    QgsProject.instance().addMapLayer(footprints, False)
    group.addLayer(footprints)
    dock.imagery.session.group = group
    layer = QgsRasterLayer(str(COG), "scene", "gdal")
    dock.imagery.place_scene(layer)
    assert group.children()[0].layerId() == layer.id()  # above the footprints, whose fill would hide the ship


def test_preview_over_http_is_fetched_once_per_session(dock, qtbot, canvas, httpserver):  # noqa: F811
    from tests.qgis.test_imagery_panel import png_bytes

    catalogue = json.loads(Path(synthetic_catalogue_path()).read_text(encoding="utf-8"))
    httpserver.expect_request("/c/catalogue.json").respond_with_json(catalogue)
    httpserver.expect_request(f"/scenes/{JUNE_16}_thumb.png").respond_with_data(png_bytes(), content_type="image/png")
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STATIC, httpserver.url_for("/c/catalogue.json"))
    set_window(dock, "2017-06-01T00:00:00Z", "2017-07-31T00:00:00Z")
    search(dock, qtbot)
    label = dock.imageryPreviewLabel

    def previews():
        return sum(1 for request, _ in httpserver.log if request.path.endswith("_thumb.png"))

    select(dock, qtbot, JUNE_16)
    qtbot.waitUntil(lambda: label.pixmap() is not None and not label.pixmap().isNull(), timeout=5000)
    assert previews() == 1
    dock.imageryResultTable.clearSelection()
    assert label.pixmap() is None or label.pixmap().isNull()
    select(dock, qtbot, JUNE_16)
    assert label.pixmap() is not None and not label.pixmap().isNull()  # at once, from the session's cache
    qtbot.wait(200)
    assert previews() == 1


def test_basemap_in_one_click_is_an_openstreetmap_xyz_layer(dock, qgis_iface):
    qgis_iface.messageBar().clear_messages()
    dock.imageryBasemapButton.click()
    layers = QgsProject.instance().mapLayersByName("OpenStreetMap")
    said = {level: qgis_iface.messageBar().get_messages(level) for level in range(4)}
    assert len(layers) == 1 and layers[0].providerType() == "wms", said
    source = layers[0].source()
    assert "type=xyz" in source and "tile.openstreetmap.org" in source
    assert "{z}/{x}/{y}" in source.replace("%7B", "{").replace("%7D", "}")
    assert "OpenStreetMap contributors" in " ".join(layers[0].metadata().rights())
    root = QgsProject.instance().layerTreeRoot()
    assert root.children()[-1].layerId() == layers[0].id()  # under everything
    dock.imageryBasemapButton.click()  # once per project
    assert len(QgsProject.instance().mapLayersByName("OpenStreetMap")) == 1
    imagery = basemap_layer("Esri World Imagery")
    assert imagery.isValid() and "World_Imagery" in imagery.source() and "Esri" in imagery.metadata().rights()[0]


def test_drawing_a_synthetic_scene_writes_nothing_beside_it(tmp_path):
    import shutil

    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize

    scene = tmp_path / f"{JUNE_16}.tif"
    shutil.copy(Path(synthetic_catalogue_path()).parents[1] / "scenes" / scene.name, scene)
    layer = QgsRasterLayer(str(scene), "scene", "gdal")
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent())
    settings.setOutputSize(QSize(200, 160))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    del layer, job
    # the statistics QGIS needs are inside the file: no .aux.xml appears in resources/scenes when a test draws it
    assert [p.name for p in tmp_path.iterdir()] == [scene.name]


def test_footprints_are_kept_in_the_case_and_the_table_still_selects_them(dock, qtbot, canvas, tmp_path):  # noqa: F811
    case = dock.case_bar.new_case(str(tmp_path / "footprints case.gpkg"))
    whole_world(dock, canvas)
    use_source(dock, SOURCE_STATIC, synthetic_catalogue_path())
    set_window(dock, "2017-06-01T00:00:00Z", "2017-07-31T00:00:00Z")
    search(dock, qtbot)
    results = dock.imagery.results
    layer = results.layer
    assert "footprints" in case.layers() and case.holds(layer) and layer.providerType() == "ogr"
    assert layer.featureCount() == len(results.order) > 1
    for found in list(results.order)[:3]:
        select(dock, qtbot, found.footprint.item_id)
        chosen = [f["item_id"] for f in layer.selectedFeatures()]
        assert chosen == [found.footprint.item_id]  # the case's table, feature ids mapped from the memory layer's
