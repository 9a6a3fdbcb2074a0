"""QGIS's side of the network rules: thumbnails fetched with QgsNetworkAccessManager carry the auth config's
credentials only to the search's origin (and never follow a redirect elsewhere with them), oversized previews are
aborted, the limits come from ``bai_mei/network/...`` settings, and the task's Cancel ends the network thread."""

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
