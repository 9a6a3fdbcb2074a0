"""QGIS's side of the network rules: thumbnails fetched with QgsNetworkAccessManager carry the auth config's
credentials only to the search's origin or the source's configured previews origin (Planet's tiles host), and never
follow a redirect elsewhere with them; oversized previews are aborted, the limits come from ``bai_mei/network/...``
settings, and the task's Cancel ends the network thread."""

import base64
import threading
import time

import pytest
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsNetworkAccessManager, QgsSettings
from qgis.PyQt.QtNetwork import QNetworkReply

from bai_mei_plugin.core.errors import Canceled
from bai_mei_plugin.qgis_io.network import SETTINGS_PREFIX, limit_reply_size, preview_request, qgis_transport
from bai_mei_plugin.services.transport import HttpTransport
from bai_mei_plugin.tasks.footprint_tasks import wait_for
from tests.qgis.test_dock import canvas, dock  # noqa: F401 (fixtures)
from tests.unit.test_transport_limits import HostileServer
from tests.unit.test_transport_security import Recorder

KEY = "PLAK-preview-test-93d1"  # made up
BASIC = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def key_config(qgis_app):
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("bai-mei-test-master", True), "could not set the test master password"
    config = QgsAuthMethodConfig()
    config.setName("Previews (test)")
    config.setMethod("Basic")
    config.setConfig("username", KEY)
    config.setConfig("password", "")
    assert manager.storeAuthenticationConfig(config)
    yield config.id()
    manager.removeAuthenticationConfig(config.id())


@pytest.fixture
def home():
    server = Recorder()
    yield server
    server.close()


@pytest.fixture
def foreign():
    server = Recorder()
    yield server
    server.close()


def fetch(qtbot, url, search_url, authcfg, max_bytes=None) -> QNetworkReply:
    reply = QgsNetworkAccessManager.instance().get(preview_request(url, search_url, authcfg))
    limit_reply_size(reply, max_bytes)
    with qtbot.waitSignal(reply.finished, timeout=10000):
        pass
    return reply


def png(_request):
    return 200, {"Content-Type": "image/png"}, PNG


def test_thumbnail_on_the_search_origin_gets_the_key(qtbot, home, key_config):
    home.routes["/thumb.png"] = png
    reply = fetch(qtbot, home.url("/thumb.png"), home.url("/stac/v1"), key_config)
    assert reply.error() == QNetworkReply.NoError and bytes(reply.readAll()) == PNG
    assert home.requests[0]["headers"].get("authorization") == BASIC


def test_thumbnail_on_another_origin_gets_no_key(qtbot, home, foreign, key_config):
    foreign.routes["/thumb.png"] = png
    reply = fetch(qtbot, foreign.url("/thumb.png"), home.url("/stac/v1"), key_config)
    assert reply.error() == QNetworkReply.NoError
    assert len(foreign.requests) == 1 and "authorization" not in foreign.requests[0]["headers"]
    assert KEY not in str(foreign.requests[0])


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_thumbnail_redirected_to_another_origin_never_carries_the_key(qtbot, home, foreign, key_config, status):
    home.redirect("/thumb.png", foreign.url("/thumb.png"), status)
    foreign.routes["/thumb.png"] = png
    fetch(qtbot, home.url("/thumb.png"), home.url("/stac/v1"), key_config)
    assert home.requests[0]["headers"].get("authorization") == BASIC
    # Qt refuses a cross-origin redirect of a request that carries credentials: the foreign server is not asked,
    # and if it ever were, it would get no key
    assert all("authorization" not in r["headers"] and KEY not in str(r) for r in foreign.requests)


def test_thumbnail_without_credentials_follows_a_redirect(qtbot, home, foreign):
    home.redirect("/thumb.png", foreign.url("/thumb.png"), 302)
    foreign.routes["/thumb.png"] = png
    reply = fetch(qtbot, home.url("/thumb.png"), home.url("/stac/v1"), "")
    assert reply.error() == QNetworkReply.NoError and bytes(reply.readAll()) == PNG


def test_oversized_preview_is_aborted(qtbot, home):
    home.routes["/big.png"] = lambda _request: (200, {"Content-Type": "image/png"}, b"\0" * (20 * 1024 * 1024))
    reply = fetch(qtbot, home.url("/big.png"), "", "", max_bytes=1024 * 1024)
    assert reply.error() == QNetworkReply.OperationCanceledError
    assert reply.bytesAvailable() < 20 * 1024 * 1024


def test_limits_come_from_settings(qgis_app):
    settings = QgsSettings()
    try:
        settings.setValue(SETTINGS_PREFIX + "max_response_mb", 2)
        settings.setValue(SETTINGS_PREFIX + "read_timeout_s", 7)
        settings.setValue(SETTINGS_PREFIX + "search_deadline_s", "not a number")
        transport = qgis_transport(retries=1)
        assert transport.max_bytes == 2 * 1024 * 1024 and transport.timeout == (10.0, 7.0)
        assert transport.search_deadline == 900.0  # unreadable: the default
        assert transport.retries == 1 and transport.deadline == 300.0
    finally:
        for name in ("max_response_mb", "read_timeout_s", "search_deadline_s"):
            settings.remove(SETTINGS_PREFIX + name)
    assert qgis_transport().max_bytes == 50 * 1024 * 1024


def test_task_cancel_ends_the_network_thread(qgis_app):
    """What the Imagery panel's Cancel does: the task's is_canceled stops wait_for, whose helper's transfer the
    transport then cuts — the thread is gone, not left trickling in the background."""
    server = HostileServer()
    serving = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    serving.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/trickle"
        transport = HttpTransport(deadline=600)
        at = time.monotonic() + 0.7
        with pytest.raises(Canceled):
            wait_for(
                lambda stopped, _report: transport.request("GET", url, is_canceled=stopped),
                lambda: time.monotonic() >= at,
            )
        assert time.monotonic() - at < 2.0  # the "within 2 s"
        assert not [t for t in threading.enumerate() if t.name == "bai-mei-network" and t.is_alive()]
        assert server.dropped.wait(5)  # and the server saw the client leave
    finally:
        server.shutdown()
        server.server_close()


# --- scenes on the map: the Planet key and the Planetary Computer token are nowhere but in memory -----------------

from tests.qgis.test_scene_access_gdal import (  # noqa: E402 (the scene tests' loopback servers and COG)
    PLANET_TOKEN,
    SIG_1,
    STORAGE_SIG,
    PlanetaryComputer,
    RealisticPlanet,
    cog,  # noqa: F401 (a fixture)
    loopback,  # noqa: F401 (a fixture)
    planet_access,
    planet_api,
    realistic_footprint,
    storage,  # noqa: F401 (a fixture)
)


def _scene_errors(attempts):
    """The message and details of the BaiMeiError each attempt raised (what the user and the log see)."""
    from bai_mei_plugin.core.errors import BaiMeiError

    texts = []
    for attempt in attempts:
        try:
            attempt()
        except BaiMeiError as exc:
            texts.append(f"{exc.message}\n{exc.details}")
    return texts


def test_scene_keys_and_tokens_are_nowhere_after_opening_scenes(loopback, storage, key_config, tmp_path):  # noqa: F811
    from pathlib import Path

    from osgeo import gdal
    from qgis.core import QgsProject

    from bai_mei_plugin.qgis_io import gdal_access
    from bai_mei_plugin.qgis_io.network import credentials_for
    from bai_mei_plugin.qgis_io.scenes import open_scene

    logged = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, *_: logged.append(message))
    pc = PlanetaryComputer(loopback)
    planet_api(loopback, "storage", basic=BASIC)
    credentials = credentials_for(key_config)  # the key read from QgsAuthManager when a request is sent
    pc_layer = open_scene(gdal_access.apply_access(pc.access(), now=1796300000))
    planet_layer = open_scene(gdal_access.apply_access(planet_access(loopback, credentials)))
    # a real Planet asset: a download?token=... location redirected to signed storage, downloaded into the case folder
    RealisticPlanet(loopback, storage, basic=BASIC)
    scenes = tmp_path / "case_scenes"
    access = planet_access(loopback, credentials, folder=str(scenes), footprint=realistic_footprint())
    downloaded_layer = open_scene(gdal_access.apply_access(access))
    assert pc_layer.isValid() and planet_layer.isValid() and downloaded_layer.isValid()
    assert any(r[4] == BASIC for r in loopback.requests)  # the key was used, so finding it nowhere means something
    # failures: the blob service refuses the token; Planet refuses the key (the error is built with it in hand)
    pc.current = "another-signature"
    gdal.VSICurlClearCache()  # else GDAL answers from the blocks it already read
    errors = _scene_errors(
        [
            lambda: open_scene(gdal_access.apply_access(pc.access(), now=1796300000)),
            lambda: (planet_api(loopback, "planet", basic="Basic another"), planet_access(loopback, credentials)),
        ]
    )
    assert len(errors) == 2
    project = QgsProject.instance()
    layers = [pc_layer, planet_layer, downloaded_layer]
    project.addMapLayers(layers)
    project_file = tmp_path / "case.qgs"
    assert project.write(str(project_file))
    QgsSettings().sync()
    settings_file = Path(QgsSettings().fileName())
    places = {
        "project file": project_file.read_bytes(),
        "settings": settings_file.read_bytes() if settings_file.exists() else b"",
        "log": "\n".join(logged).encode(),
        "layer sources": "\n".join(layer.source() for layer in layers).encode(),
        "scene folder": "\n".join(path.name for path in scenes.iterdir()).encode(),
        "errors": "\n".join(errors).encode(),
    }
    secret_forms = (
        KEY.encode(),
        BASIC.split()[1].encode(),
        SIG_1.encode(),
        PLANET_TOKEN.encode(),
        STORAGE_SIG.encode(),
    )
    leaks = [name for name, content in places.items() if any(form in content for form in secret_forms)]
    project.removeAllMapLayers()
    assert not leaks, f"the Planet key or the PC token was written to: {leaks}"


# --- Planet thumbnails on its tiles host: the key goes to the configured previews origin, and nowhere else ----------


@pytest.fixture
def tiles():
    server = Recorder()
    yield server
    server.close()


def picture() -> bytes:
    """A PNG QPixmap reads (the preview pane shows it)."""
    from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice
    from qgis.PyQt.QtGui import QColor, QImage

    image = QImage(8, 8, QImage.Format_RGB32)
    image.fill(QColor("darkred"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def keyed_png(request):
    """Planet's tiles host: the thumbnail only with the key."""
    if request["headers"].get("authorization") != BASIC:
        return 401, {"Content-Type": "application/json"}, b'{"message": "Please enter your API key."}'
    return 200, {"Content-Type": "image/png"}, picture()


def test_thumbnail_on_the_configured_previews_origin_gets_the_key(qtbot, home, tiles, foreign, key_config):
    """Three loopback origins: the API (``home``), the tiles host the analyst configured (``tiles``, which demands
    the key) and an unconfigured one (``foreign``)."""
    tiles.routes["/thumb.png"] = keyed_png
    foreign.routes["/thumb.png"] = png
    api, previews = home.url("/data/v1"), tiles.url("")
    reply = fetch_also(qtbot, tiles.url("/thumb.png"), api, key_config, previews)
    assert reply.error() == QNetworkReply.NoError and bytes(reply.readAll()) == picture()
    assert tiles.requests[0]["headers"].get("authorization") == BASIC
    fetch_also(qtbot, foreign.url("/thumb.png"), api, key_config, previews)
    assert len(foreign.requests) == 1 and "authorization" not in foreign.requests[0]["headers"]
    # the same port on another host name is another origin; so is the tiles host without its configuration
    fetch_also(qtbot, tiles.url("/thumb.png", host="localhost"), api, key_config, previews)
    fetch(qtbot, tiles.url("/thumb.png"), api, key_config)
    assert [r["headers"].get("authorization") for r in tiles.requests] == [BASIC, None, None]
    # a redirect from the tiles host elsewhere is not followed with the key
    tiles.redirect("/moved.png", foreign.url("/thumb.png"), 302)
    fetch_also(qtbot, tiles.url("/moved.png"), api, key_config, previews)
    assert all("authorization" not in r["headers"] and KEY not in str(r) for r in foreign.requests)


def fetch_also(qtbot, url, search_url, authcfg, previews) -> QNetworkReply:
    reply = QgsNetworkAccessManager.instance().get(preview_request(url, search_url, authcfg, (previews,)))
    with qtbot.waitSignal(reply.finished, timeout=10000):
        pass
    return reply


def planet_item(item_id, thumbnail, self_url):
    return {
        "type": "Feature",
        "id": item_id,
        "_links": {"_self": self_url, "thumbnail": thumbnail},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[125.11, 38.67], [125.19, 38.67], [125.19, 38.73], [125.11, 38.73], [125.11, 38.67]]],
        },
        "properties": {"acquired": "2017-06-16T02:10:12Z", "cloud_cover": 0.04, "item_type": "SkySatCollect"},
    }


def test_planet_previews_on_the_tiles_origin_are_shown_and_cached_a_third_origin_gets_no_key(
    dock,  # noqa: F811
    qtbot,
    canvas,  # noqa: F811
    home,
    tiles,
    foreign,
    key_config,
):
    """The Imagery page searches a Planet API on ``home`` with the key; the items' thumbnails are on the tiles host
    set in the Previews field (``tiles``, demanding the key: shown, then cached) or on a third origin nobody
    configured (``foreign``: asked without the key). The key is in no setting; the tiles address is."""
    from pathlib import Path

    from bai_mei_plugin.services import sources
    from tests.qgis.test_imagery_panel import search, use_source, whole_world

    item_path = "/data/v1/item-types/SkySatCollect/items/"
    tiles.routes[item_path + "ON_TILES/thumb"] = keyed_png
    foreign.routes[item_path + "ELSEWHERE/thumb"] = keyed_png
    home.json(
        "/data/v1/quick-search",
        {
            "type": "FeatureCollection",
            "_links": {},
            "features": [
                planet_item("ON_TILES", tiles.url(item_path + "ON_TILES/thumb"), home.url(item_path + "ON_TILES")),
                planet_item("ELSEWHERE", foreign.url(item_path + "ELSEWHERE/thumb"), home.url(item_path + "ELSEWHERE")),
            ],
        },
    )
    use_source(dock, sources.get("planet").label, home.url("/data/v1"))
    assert dock.imageryPreviewsUrlEdit.isVisible()  # Planet has a previews address beside its API address
    assert dock.imageryPreviewsUrlEdit.placeholderText() == "https://tiles.planet.com"
    dock.imageryPreviewsUrlEdit.setText(tiles.url("/"))
    dock.imageryAuthSelect.setConfigId(key_config)
    whole_world(dock, canvas)
    dock.imagery.form.set_window(1497500000, 1497700000)
    search(dock, qtbot)
    results = dock.imagery.results
    assert [f.footprint.item_id for f in results.order] == ["ON_TILES", "ELSEWHERE"]
    assert home.requests[0]["headers"].get("authorization") == BASIC

    def shown():
        pixmap = dock.imageryPreviewLabel.pixmap()
        return pixmap is not None and not pixmap.isNull()

    on_tiles, elsewhere = results.order
    results.select_record(on_tiles)
    qtbot.waitUntil(shown, timeout=5000)
    assert [r["headers"].get("authorization") for r in tiles.requests] == [BASIC]
    assert results.previews[on_tiles.footprint.thumbnail_url] == picture()  # kept for the session
    results.select_record(elsewhere)
    qtbot.waitUntil(lambda: "HTTP 401" in dock.imageryPreviewLabel.text(), timeout=5000)
    assert len(foreign.requests) == 1 and "authorization" not in foreign.requests[0]["headers"]
    assert KEY not in str(foreign.requests)
    results.select_record(on_tiles)  # from the session's cache: not asked again
    assert shown() and len(tiles.requests) == 1
    dock.imagery.form.save()
    settings = QgsSettings()
    settings.sync()
    stored = Path(settings.fileName()).read_bytes()
    assert tiles.url("").encode() in stored  # the tiles address is remembered (it is no secret)
    assert KEY.encode() not in stored and BASIC.split()[1].encode() not in stored


def test_a_previews_address_that_would_carry_the_key_in_clear_is_refused(dock, canvas, qgis_iface, key_config):  # noqa: F811
    from qgis.core import Qgis

    from bai_mei_plugin.services import sources

    dock.tabs.setCurrentWidget(dock.imageryPage)
    dock.imagerySourceCombo.setCurrentText(sources.get("planet").label)
    dock.imageryUrlCombo.setCurrentText("https://api.planet.com/data/v1")
    dock.imageryPreviewsUrlEdit.setText("http://tiles.planet.com")
    dock.imageryAuthSelect.setConfigId(key_config)
    dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData("extent"))
    dock.imagerySearchButton.click()
    assert dock.imagery.task is None
    warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert warnings and "unencrypted" in warnings[-1]
