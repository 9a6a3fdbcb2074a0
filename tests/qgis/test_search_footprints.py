"""baimei:searchfootprints against the bundled catalogue and loopback servers; the API key stays in the auth DB."""

import base64
import json
from pathlib import Path

import processing
import pytest
from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, Qt

from bai_mei_plugin.demo.nampo import NAMPO_LAT, NAMPO_LON
from bai_mei_plugin.paths import resource_path
from bai_mei_plugin.qgis_io.network import proxies_from_settings

DATA = Path(__file__).resolve().parents[1] / "unit" / "data" / "footprints"
CATALOGUE = resource_path("catalogues", "bai_mei_8_synthetic.geojson")
NAMPO = (NAMPO_LON, NAMPO_LAT)  # the real port, where the synthetic SkySat collects are
PLANET_FIXTURE_NAMPO = (125.150, 38.700)  # where the recorded Planet answers (tests/unit/data) put their footprints
API_KEY = "PLAK-test-9f3b2c7d1e"  # a made-up key; the test checks it is never written anywhere


class RecordingFeedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):  # noqa: N802 (QGIS API)
        self.lines.append(info)
        super().pushInfo(info)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.lines.append(error)
        super().reportError(error, fatalError)


def point_layer(lon, lat):
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string", "aoi", "memory")
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
    feature.setAttributes(["Nampo"])
    layer.dataProvider().addFeatures([feature])
    return layer


def utc(text):
    return QDateTime.fromString(text, Qt.ISODate).toUTC()


def gap_layer(gap_id, off, on, line):
    layer = QgsVectorLayer(
        "LineString?crs=EPSG:4326&field=gap_id:string&field=mmsi:long&field=off_time:datetime&field=on_time:datetime",
        "gaps",
        "memory",
    )
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(*p) for p in line]))
    feature.setAttributes([gap_id, 200000008, utc(off), utc(on)])
    layer.dataProvider().addFeatures([feature])
    return layer


def run(params, feedback=None):
    return processing.run(
        "baimei:searchfootprints", {"OUTPUT": "memory:", **params}, feedback=feedback or QgsProcessingFeedback()
    )


def test_static_catalogue_finds_the_two_june_nampo_scenes(provider):
    result = run(
        {
            "AOI": point_layer(*NAMPO),
            "START": utc("2017-06-08T20:52:00Z"),
            "END": utc("2017-06-19T05:20:00Z"),
            "SOURCE": 2,
            "URL": CATALOGUE,
        }
    )
    layer = result["OUTPUT"]
    assert result["FOOTPRINT_COUNT"] == 2
    ids = sorted(f["item_id"] for f in layer.getFeatures())
    assert ids == ["SYNTHETIC_20170616_021000_ssc1", "SYNTHETIC_20170617_020500_ssc3"]
    for feature in layer.getFeatures():
        assert feature["covers_aoi"] is True and feature["aoi_overlap_pct"] == 100
        assert feature["acquired"].timeSpec() == Qt.UTC
        assert feature["collection"] == "SkySatCollect" and feature["gsd_m"] < 1
        assert feature["gap_id"] is None or feature["gap_id"] == "" or not feature["gap_id"]
        assert feature.geometry().isMultipart()


def test_per_gap_search_uses_the_area_with_the_same_gap_id_and_flags_dark_scenes(provider):
    gaps = gap_layer(
        "200000008-20170608T205200Z", "2017-06-08T20:52:00Z", "2017-06-19T05:20:00Z", [(123.0, 36.5), (125.5, 34.0)]
    )
    area = QgsVectorLayer("Polygon?crs=EPSG:4326&field=gap_id:string", "areas", "memory")
    feature = QgsFeature(area.fields())
    feature.setGeometry(QgsGeometry.fromWkt("POLYGON((124.9 38.5, 125.4 38.5, 125.4 38.9, 124.9 38.9, 124.9 38.5))"))
    feature.setAttributes(["200000008-20170608T205200Z"])
    area.dataProvider().addFeatures([feature])
    result = run({"GAPS": gaps, "AOI": area, "PAD_HOURS": 48, "SOURCE": 2, "URL": CATALOGUE})
    by_id = {f["item_id"]: f for f in result["OUTPUT"].getFeatures()}
    assert by_id["SYNTHETIC_20170616_021000_ssc1"]["in_gap_window"] is True
    assert by_id["SYNTHETIC_20170616_021000_ssc1"]["gap_id"] == "200000008-20170608T205200Z"
    assert 0 < by_id["SYNTHETIC_20170616_021000_ssc1"]["aoi_overlap_pct"] < 100  # a scene is smaller than the area
    assert "SYNTHETIC_20170706_022000_ssc2" not in by_id  # July: outside the window even with the padding
    # the gap line alone (no area with its gap_id) is far from Nampo: nothing over Nampo
    alone = run({"GAPS": gaps, "SOURCE": 2, "URL": CATALOGUE})["OUTPUT"]
    assert not any("ssc1" in f["item_id"] for f in alone.getFeatures())


def test_missing_window_and_bad_catalogue_are_clear_errors(provider, tmp_path):
    with pytest.raises(QgsProcessingException, match="start and an end"):
        run({"AOI": point_layer(*NAMPO), "SOURCE": 2, "URL": CATALOGUE})
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}]}')
    with pytest.raises(QgsProcessingException, match="broken.geojson"):
        run(
            {
                "AOI": point_layer(*NAMPO),
                "START": utc("2017-06-01T00:00:00Z"),
                "END": utc("2017-06-30T00:00:00Z"),
                "SOURCE": 2,
                "URL": str(broken),
            }
        )


def test_stac_api_on_loopback_two_pages(provider, httpserver):
    def fixture(name):
        return json.loads(
            (DATA / name).read_text().replace("http://loopback.invalid", httpserver.url_for("").rstrip("/"))
        )

    landing, page1, page2 = (fixture(f"stac_{n}.json") for n in ("landing_filter", "search_page1", "search_page2"))
    httpserver.expect_request("/", method="GET").respond_with_json(landing)
    httpserver.expect_request("/search", method="POST").respond_with_handler(
        lambda request: __import__("werkzeug").Response(
            json.dumps(page2 if b'"token"' in request.data or "token" in request.args else page1),
            content_type="application/geo+json",
        )
    )
    httpserver.expect_request("/search", method="GET").respond_with_json(
        {"type": "FeatureCollection", "features": []}
    )  # page 3: empty
    feedback = RecordingFeedback()
    bbox = QgsGeometry.fromWkt("POLYGON((-180 -90, 180 -90, 180 90, -180 90, -180 -90))").boundingBox()
    result = run(
        {
            "EXTENT": bbox,
            "START": utc("2000-01-01T00:00:00Z"),
            "END": utc("2030-01-01T00:00:00Z"),
            "SOURCE": 0,
            "URL": httpserver.url_for("/"),
            "MAX_CLOUD": 50,
        },
        feedback,
    )
    expected = len(page1["features"]) + len(page2["features"])
    assert result["FOOTPRINT_COUNT"] == expected
    searches = [json.loads(r.data) for r, _ in httpserver.log if r.path == "/search" and r.data]
    assert searches[0]["filter"]["args"][1] == 50  # the landing page conforms to CQL2 filtering


@pytest.fixture
def planet_key_config(qgis_app):
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("bai-mei-test-master", True), "could not set the test master password"
    config = QgsAuthMethodConfig()
    config.setName("Planet (test)")
    config.setMethod("Basic")
    config.setConfig("username", API_KEY)
    config.setConfig("password", "")
    assert manager.storeAuthenticationConfig(config)
    yield config.id()
    manager.removeAuthenticationConfig(config.id())


def test_planet_key_from_the_auth_db_is_sent_and_never_written(provider, httpserver, planet_key_config, tmp_path):
    root = httpserver.url_for("/data/v1")
    page1 = json.loads((DATA / "planet_page1.json").read_text().replace("http://loopback.invalid", root))
    page2 = json.loads((DATA / "planet_page2.json").read_text().replace("http://loopback.invalid", root))
    expected_auth = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    httpserver.expect_request(
        "/data/v1/quick-search", method="POST", headers={"Authorization": expected_auth}
    ).respond_with_json(page1)
    httpserver.expect_request(
        "/data/v1/searches/abc/results", method="GET", headers={"Authorization": expected_auth}
    ).respond_with_json(page2)
    logged = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, *_: logged.append(message))
    feedback = RecordingFeedback()
    output = tmp_path / "footprints.gpkg"
    result = run(
        {
            "AOI": point_layer(*PLANET_FIXTURE_NAMPO),
            "START": utc("2017-06-01T00:00:00Z"),
            "END": utc("2017-07-31T00:00:00Z"),
            "SOURCE": 1,
            "URL": root,
            "COLLECTIONS": "SkySatCollect,PSScene",
            "AUTHCFG": planet_key_config,
            "OUTPUT": str(output),
        },
        feedback,
    )
    assert result["FOOTPRINT_COUNT"] == len(page1["features"]) + len(page2["features"])
    requests = [r for r, _ in httpserver.log]
    assert all(r.headers.get("Authorization") == expected_auth for r in requests)
    # a wrong key: the error says so without the key
    httpserver.clear()
    httpserver.expect_request("/data/v1/quick-search", method="POST").respond_with_data("Unauthorized", status=401)
    with pytest.raises(QgsProcessingException) as refused:
        run(
            {
                "AOI": point_layer(*PLANET_FIXTURE_NAMPO),
                "START": utc("2017-06-01T00:00:00Z"),
                "END": utc("2017-07-31T00:00:00Z"),
                "SOURCE": 1,
                "URL": root,
                "AUTHCFG": planet_key_config,
            },
            feedback,
        )
    assert "refused" in str(refused.value) and API_KEY not in str(refused.value)
    # the key is nowhere but the auth database: project file, settings, log, Processing messages, output
    project = QgsProject.instance()
    layer = QgsVectorLayer(str(output), "footprints", "ogr")
    project.addMapLayer(layer)
    project_file = tmp_path / "case.qgs"
    assert project.write(str(project_file))
    QgsSettings().sync()
    places = {
        "project file": project_file.read_bytes(),
        "settings": Path(QgsSettings().fileName()).read_bytes() if Path(QgsSettings().fileName()).exists() else b"",
        "output": output.read_bytes(),
        "log": "\n".join(logged).encode(),
        "feedback": "\n".join(feedback.lines).encode(),
    }
    secret_forms = (API_KEY.encode(), base64.b64encode(f"{API_KEY}:".encode()))
    leaks = [name for name, content in places.items() if any(form in content for form in secret_forms)]
    assert not leaks, f"the API key was written to: {leaks}"
    project.removeAllMapLayers()


def test_planet_without_a_key_is_a_clear_error(provider):
    with pytest.raises(QgsProcessingException, match="API key"):
        run(
            {
                "AOI": point_layer(*NAMPO),
                "START": utc("2017-06-01T00:00:00Z"),
                "END": utc("2017-07-31T00:00:00Z"),
                "SOURCE": 1,
            }
        )


def test_unknown_auth_config_is_a_clear_error(provider):
    with pytest.raises(QgsProcessingException, match="no authentication configuration"):
        run(
            {
                "AOI": point_layer(*NAMPO),
                "START": utc("2017-06-01T00:00:00Z"),
                "END": utc("2017-07-31T00:00:00Z"),
                "SOURCE": 1,
                "AUTHCFG": "nope123",
            }
        )


def test_proxy_settings_are_read_from_qgis(qgis_app):
    settings = QgsSettings()
    try:
        settings.setValue("proxy/proxyEnabled", True)
        settings.setValue("proxy/proxyType", "HttpProxy")
        settings.setValue("proxy/proxyHost", "proxy.example")
        settings.setValue("proxy/proxyPort", "3128")
        settings.setValue("proxy/proxyUser", "")
        settings.setValue("proxy/proxyExcludedUrls", "localhost|127.0.0.1")
        assert proxies_from_settings() == {
            "http": "http://proxy.example:3128",
            "https": "http://proxy.example:3128",
            "no_proxy": "localhost,127.0.0.1",
        }
        settings.setValue("proxy/proxyEnabled", False)
        assert proxies_from_settings() is None
    finally:
        for key in ("Enabled", "Type", "Host", "Port", "User", "ExcludedUrls"):
            settings.remove(f"proxy/proxy{key}")
