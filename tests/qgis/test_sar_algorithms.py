"""baimei:detectvessels and baimei:matchdetections through processing.run on a SYNTHETIC Sentinel-1-like scene
(demo/sar_scene.py): planted ships found where they are, land masked, only the area of interest read (a COG served
by a loopback HTTP server with range requests), and detections matched with AIS, dark candidates named by the gap
whose reachable sea holds them, AIS vessels the radar did not see."""

from __future__ import annotations

import glob
import json
import os
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import processing
import pytest
from osgeo import gdal, osr
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, Qt
from shapely.geometry import box

from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.layer_kinds import reach_areas_of
from bai_mei_plugin.core.reachability import GapArea
from bai_mei_plugin.core.sar_detect import sar_item_assets
from bai_mei_plugin.demo.sar_scene import PlantedShip, planted_scene, write_cog
from bai_mei_plugin.qgis_io.records import records_layer

EPSG = 32651  # UTM 51N: Korea Bay
ORIGIN = (360000.0, 4280000.0)  # top-left corner, about 124.4 E 38.65 N: open sea on QGIS's world map
SCENE_TIME = int(datetime(2017, 6, 15, 18, 0, tzinfo=timezone.utc).timestamp())
SHIPS = [
    PlantedShip(200.0, 250.0, 180.0, 28.0, 60.0, 22.0, 412000001, "ALPHA"),
    PlantedShip(700.0, 300.0, 120.0, 20.0, 120.0, 20.0, 412000002, "BRAVO"),
    PlantedShip(500.0, 650.0, 90.0, 15.0, 10.0, 19.0, 412000003, "CHARLIE"),
    PlantedShip(800.0, 800.0, 170.0, 26.0, 35.0, 22.0),  # dark: no AIS
]
GT = (ORIGIN[0], 10.0, 0.0, ORIGIN[1], 0.0, -10.0)


def lon_lat(col, row):
    utm, wgs = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(EPSG)
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lon, lat, _ = osr.CoordinateTransformation(utm, wgs).TransformPoint(GT[0] + col * 10.0, GT[3] - row * 10.0)
    return lon, lat


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    image = planted_scene((1000, 1000), SHIPS, looks=4.4, mean_db=-19.0, seed=3)
    path = str(tmp_path_factory.mktemp("sar") / "S1_SYNTHETIC_TEST.tif")
    write_cog(path, image, GT, EPSG, {"ACQUISITION_START": "2017-06-15T18:00:00Z", "BAI_MEI_ITEM_ID": "S1_TEST"})
    return path


def detect(params):
    return processing.run("baimei:detectvessels", {"OUTPUT": "memory:", **params})


def features(layer):
    return list(layer.getFeatures())


def test_planted_ships_are_found_with_their_sizes_time_and_scene(provider, scene):
    result = detect({"INPUT": scene})
    found = features(result["OUTPUT"])
    assert result["DETECTION_COUNT"] == len(SHIPS) == len(found)
    for ship in SHIPS:
        lon, lat = lon_lat(ship.col, ship.row)
        nearest = min(found, key=lambda f: f.geometry().asPoint().distance(QgsPointXY(lon, lat)))
        assert nearest.geometry().asPoint().distance(QgsPointXY(lon, lat)) < 0.0005  # ~40 m
        assert nearest["length_m"] == pytest.approx(ship.length_m, rel=0.25)
        assert nearest["scene_id"] == "S1_TEST" and nearest["near_land"] is False
        assert nearest["acquired"].toSecsSinceEpoch() == SCENE_TIME


def test_land_layer_masks_a_ship_and_time_parameter_wins(provider, scene):
    lon, lat = lon_lat(700.0, 300.0)  # BRAVO, under a made-up island
    island = QgsVectorLayer("Polygon?crs=EPSG:4326", "island", "memory")
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromWkt(box(lon - 0.003, lat - 0.003, lon + 0.003, lat + 0.003).wkt))
    island.dataProvider().addFeatures([feature])
    given = QDateTime(2017, 6, 15, 19, 30, 0, 0, Qt.UTC)
    found = features(detect({"INPUT": scene, "LAND": island, "TIME": given})["OUTPUT"])
    assert len(found) == len(SHIPS) - 1
    assert all(f.geometry().asPoint().distance(QgsPointXY(lon, lat)) > 0.003 for f in found)
    assert {f["acquired"].toSecsSinceEpoch() for f in found} == {SCENE_TIME + 5400}


def test_a_scene_without_time_is_refused_with_the_keys_looked_for(provider, tmp_path):
    path = str(tmp_path / "no_time.tif")
    write_cog(path, planted_scene((300, 300), [], seed=1), GT, EPSG, {})
    with pytest.raises(QgsProcessingException, match="ACQUISITION_START.*Scene time"):
        detect({"INPUT": path})


class _RangeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, data):
        super().__init__(("127.0.0.1", 0), _RangeHandler)
        self.data, self.served, self.requests = data, 0, 0


class _RangeHandler(BaseHTTPRequestHandler):
    def do_HEAD(self):  # noqa: N802
        self._reply(body=False)

    def do_GET(self):  # noqa: N802
        self._reply(body=True)

    def _reply(self, body):
        if self.path != "/scene.tif":
            self.send_error(404)
            return
        data, wanted = self.server.data, self.headers.get("Range", "")
        start, end = 0, len(data) - 1
        if wanted.startswith("bytes="):
            first, _, last = wanted[6:].partition("-")
            start, end = int(first), min(int(last or end), end)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        if body:
            self.wfile.write(data[start : end + 1])
            self.server.served += end - start + 1
            self.server.requests += 1

    def log_message(self, *args):
        pass


@pytest.fixture
def served(scene):
    with open(scene, "rb") as f:
        server = _RangeServer(f.read())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
    yield server
    gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", None)
    server.shutdown()
    server.server_close()


def test_only_the_area_of_interest_is_read_from_a_remote_cog(provider, served):
    url = f"/vsicurl/http://127.0.0.1:{served.server_address[1]}/scene.tif"
    # ALPHA's surroundings only: 400 m around it, in the scene's CRS
    x, y = GT[0] + 200 * 10.0, GT[3] - 250 * 10.0
    extent = f"{x - 400},{x + 400},{y - 400},{y + 400} [EPSG:{EPSG}]"
    layer = QgsRasterLayer(url, "remote scene", "gdal")  # as the imagery panel adds a scene to the map
    assert layer.isValid(), layer.error().summary()
    opened = served.served
    result = detect({"INPUT": layer, "EXTENT": extent})
    found = features(result["OUTPUT"])
    assert len(found) == 1 and found[0]["length_m"] == pytest.approx(180, rel=0.25)
    assert 0 < served.served < 0.5 * len(served.data), f"{served.served} of {len(served.data)} bytes served"
    assert served.served > opened  # the pixels came through the server too


def _ais_layer(rows):
    layer = QgsVectorLayer(
        "Point?crs=EPSG:4326&field=mmsi:long&field=timestamp:datetime&field=sog:double&field=cog:double"
        "&field=vessel_name:string&field=length_m:double",
        "ais",
        "memory",
    )
    out = []
    for mmsi, t, lon, lat, name, length in rows:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        feature.setAttributes([mmsi, QDateTime.fromSecsSinceEpoch(t, Qt.UTC), 0.0, 0.0, name, length])
        out.append(feature)
    layer.dataProvider().addFeatures(out)
    return layer


def test_matching_pairs_ais_finds_the_dark_ship_in_its_gap_and_the_unseen_vessel(provider, scene):
    detections = detect({"INPUT": scene})["OUTPUT"]
    rows = []
    for ship in SHIPS[:3]:  # stationary, reported 20 min before and 25 min after the scene
        lon, lat = lon_lat(ship.col, ship.row)
        rows += [(ship.mmsi, SCENE_TIME + dt, lon, lat, ship.name, ship.length_m) for dt in (-1200, 1500)]
    ghost = lon_lat(300.0, 850.0)  # AIS says a vessel is here; the radar shows nothing
    rows += [(412000009, SCENE_TIME + dt, *ghost, "GHOST", 100.0) for dt in (-600, 600)]
    dark_lon, dark_lat = lon_lat(800.0, 800.0)
    gap = Gap(
        "200000008-1", 200000008, "BAI MEI 8", SCENE_TIME - 6 * 3600, SCENE_TIME + 80 * 3600, 86.0, 300.0, 3.5,
        dark_lon - 1, dark_lat, dark_lon + 1, dark_lat, 10.0, 9.0, None, None, None, None, 12, None, None,
    )  # fmt: skip
    reach = box(dark_lon - 0.5, dark_lat - 0.5, dark_lon + 0.5, dark_lat + 0.5)
    area = GapArea(gap.gap_id, gap.mmsi, 12.0, 5000.0, reach)
    gaps = records_layer("gaps", "gaps", [gap])
    areas = records_layer(reach_areas_of({gap.gap_id: gap}), "areas", [area])
    result = processing.run(
        "baimei:matchdetections",
        {
            "DETECTIONS": detections, "INPUT": _ais_layer(rows), "FOOTPRINT": scene, "GAPS": gaps, "AREAS": areas,
            "MAX_DISTANCE_M": 500, "OUTPUT_MATCHED": "memory:", "OUTPUT_DARK": "memory:", "OUTPUT_UNSEEN": "memory:",
        },
    )  # fmt: skip
    matched = {f["mmsi"]: f for f in features(result["OUTPUT_MATCHED"])}
    assert sorted(matched) == [412000001, 412000002, 412000003]
    assert all(f["offset_m"] < 60 and f["size_agreement"] > 0.7 for f in matched.values())
    assert matched[412000001]["vessel_name"] == "ALPHA"
    (dark,) = features(result["OUTPUT_DARK"])
    assert dark.geometry().asPoint().distance(QgsPointXY(dark_lon, dark_lat)) < 0.0005
    assert (dark["gap_ids"], dark["vessel_names"], dark["hours_into_gap"]) == ("200000008-1", "BAI MEI 8", "6.0")
    (unseen,) = features(result["OUTPUT_UNSEEN"])
    assert (unseen["mmsi"], unseen["vessel_name"]) == (412000009, "GHOST")
    assert result["DARK_COUNT"] == 1


def test_the_real_sentinel1_item_gives_its_cog_assets_and_time():
    from tests.support import SHARED_DATA

    (path,) = glob.glob(str(SHARED_DATA / "stac" / "pc_sentinel-1-grd_item_*.json")) or [None]
    if path is None or not os.path.exists(path):
        pytest.skip(f"the recorded Planetary Computer Sentinel-1 item is not in {SHARED_DATA / 'stac'}")
    with open(path, encoding="utf-8") as f:
        item = json.load(f)
    acquired, assets = sar_item_assets(item)
    assert acquired == int(datetime(2015, 1, 29, 8, 19, 16, tzinfo=timezone.utc).timestamp())
    assert list(assets) == ["hh"] and assets["hh"].endswith("measurement/ew-hh.tiff")
    assert np.all([not k.startswith("schema") for k in assets])


def test_demo_scene_is_marked_synthetic_and_shows_an_ais_ship_and_the_dark_one(provider, tmp_path):
    from bai_mei_plugin.core.ais.model import AisColumns
    from bai_mei_plugin.core.footprints import parse_rfc3339
    from bai_mei_plugin.demo.sar_scene import DEMO_ACQUIRED, DEMO_DARK, write_demo_scene

    at = parse_rfc3339(DEMO_ACQUIRED)
    lon, lat = DEMO_DARK.lon + 0.03, DEMO_DARK.lat - 0.01  # an AIS-reporting ship 3 km away
    reports = AisColumns.build(
        np.array([412000005, 412000005]), np.array([at - 300, at + 300]), np.array([lon, lon]), np.array([lat, lat]),
        sog=np.array([0.0, 0.0]), cog=np.array([45.0, 45.0]),
    )  # fmt: skip
    path, ships = write_demo_scene(str(tmp_path), reports, size_px=1000)
    dataset = gdal.Open(path)
    assert dataset.GetMetadataItem("SYNTHETIC") == "YES" and "SYNTHETIC" in dataset.GetMetadataItem(
        "TIFFTAG_IMAGEDESCRIPTION"
    )
    assert dataset.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") == "COG"
    assert sorted(s.mmsi for s in ships) == [0, 412000005]
    found = features(detect({"INPUT": path})["OUTPUT"])
    assert len(found) == 2
    dark = min(found, key=lambda f: f.geometry().asPoint().distance(QgsPointXY(DEMO_DARK.lon, DEMO_DARK.lat)))
    assert dark.geometry().asPoint().distance(QgsPointXY(DEMO_DARK.lon, DEMO_DARK.lat)) < 0.0005
    assert dark["length_m"] == pytest.approx(169, rel=0.25) and dark["acquired"].toSecsSinceEpoch() == at
