"""Planet scenes on the map against a loopback Data API: the asset is listed, activated (inactive → activating →
active, one 429 with Retry-After on the way), then opened from its location, in place when GDAL can read it
without the key, else downloaded into the scene folder (once: a second open finds the file). The server demands the
key on the asset and activation endpoints; the key never reaches the storage host a location redirects to, nor the
GDAL path.

The storage host is the same loopback server reached as ``127.0.0.1`` while the API is ``localhost``: another
origin (scheme, host, port), so the transport treats it as any other host."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import replace

import pytest
from werkzeug.wrappers import Response as WerkzeugResponse

from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.footprints import footprint_from_planet_feature
from bai_mei_plugin.services import sources
from bai_mei_plugin.services.planet import PlanetClient, PlanetScenes, choose_asset, planet_api_key_auth, scene_file
from bai_mei_plugin.services.sources.planet import api_of
from bai_mei_plugin.services.transport import HttpTransport
from tests.support import SHARED_DATA

KEY = "PLAKsceneskey0123456789abcdef"
BASIC = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
ITEM_TYPE, ITEM_ID = "SkySatCollect", "20200130_093253_ssc6_u0001"
ASSETS_PATH = f"/data/v1/item-types/{ITEM_TYPE}/items/{ITEM_ID}/assets/"
ACTIVATE_PATH = f"/data/v1/assets/{ITEM_ID}/ortho_visual/activate"
SCENE_BYTES = b"II*\x00" + bytes(range(256)) * 8


def served(request):
    """The scene as storage serves it: one byte to a range probe, the whole file to a download."""
    if request.headers.get("Range"):
        return WerkzeugResponse(SCENE_BYTES[:1], status=206)
    return WerkzeugResponse(SCENE_BYTES, status=200, content_type="image/tiff")


class FakeTime:
    """sleep() advances monotonic(): the activation wait is measured without waiting."""

    def __init__(self):
        self.now, self.slept = 0.0, []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now


class PlanetApi:
    """The Data API's asset endpoints and a storage host, with the states Planet goes through."""

    def __init__(self, httpserver, polls_activating=2, location="redirect", throttle_once=True):
        self.server = httpserver
        self.polls_activating = polls_activating
        self.location = location
        self.throttle_once = throttle_once
        self.status = "inactive"
        self.log = []  # (method, host, path, Authorization or None)
        self.polls = 0
        self.clock = None  # a FakeTime: when each asset list was asked (for the Retry-After check)
        self.asked_at = []
        httpserver.expect_request(ASSETS_PATH).respond_with_handler(self.assets)
        httpserver.expect_request(ACTIVATE_PATH, method="POST").respond_with_handler(self.activate)
        httpserver.expect_request("/data/v1/download").respond_with_handler(self.download)
        httpserver.expect_request("/storage/scene.tif").respond_with_handler(self.storage)

    def api(self, path=""):
        return f"http://localhost:{self.server.port}/data/v1{path}"

    def storage_url(self, query=""):
        return f"http://127.0.0.1:{self.server.port}/storage/scene.tif" + query

    def _seen(self, request):
        auth = request.headers.get("Authorization")
        self.log.append((request.method, request.host.split(":")[0], request.path, auth))
        return auth == BASIC

    def assets(self, request):
        if not self._seen(request):
            return WerkzeugResponse('{"message": "Please enter your API key."}', status=401)
        self.asked_at.append(self.clock.now if self.clock else None)
        if self.status == "activating":
            self.polls += 1
            if self.throttle_once and self.polls == 1:
                return WerkzeugResponse("slow down", status=429, headers={"Retry-After": "7"})
            if self.polls > self.polls_activating:
                self.status = "active"
        asset = {
            "_links": {"activate": self.api(f"/assets/{ITEM_ID}/ortho_visual/activate")},
            "_permissions": ["download"],
            "status": self.status,
            "type": "ortho_visual",
        }
        if self.status == "active":
            asset["location"] = (
                self.storage_url() if self.location == "storage" else self.api("/download?asset=ortho_visual")
            )
        body = {"ortho_visual": asset, "ortho_analytic": {"_links": {}, "status": "inactive"}}
        return WerkzeugResponse(json.dumps(body), content_type="application/json")

    def activate(self, request):
        if not self._seen(request):
            return WerkzeugResponse("no key", status=401)
        self.status = "activating" if self.status == "inactive" else self.status
        return WerkzeugResponse("", status=202)

    def download(self, request):
        if not self._seen(request) and self.location != "planet-open":
            return WerkzeugResponse("no key", status=401)
        if self.location == "redirect":
            return WerkzeugResponse("", status=302, headers={"Location": self.storage_url()})
        if self.location == "signed":
            return WerkzeugResponse("", status=302, headers={"Location": self.storage_url("?X-Amz-Signature=abc123")})
        return served(request)  # on Planet's own origin

    def storage(self, request):
        self._seen(request)
        return served(request)


def footprint():
    recorded = SHARED_DATA / "planet" / f"search_result_{ITEM_ID}.json"
    if not recorded.is_file():
        pytest.skip(f"{recorded} (a recorded Planet item) absent")
    return footprint_from_planet_feature(json.loads(recorded.read_text()), "Planet Data API")


def open_scene(api, clock=None, is_canceled=lambda: False, progress=None, key=KEY, asset_key="", folder=None):
    clock = clock or FakeTime()
    transport = HttpTransport(sleep=clock.sleep, monotonic=clock.monotonic, retries=2)
    credentials = planet_api_key_auth(lambda: key) if key else None
    return sources.get("planet").scene_access(
        footprint(),
        asset_key,
        credentials,
        transport,
        is_canceled,
        progress or (lambda f: None),
        url=api.api(),
        folder=folder or tempfile.mkdtemp(prefix="bai_mei_planet_test_"),
    )


def assert_secret_free(text):
    assert KEY not in text and BASIC.split()[1] not in text


def test_an_inactive_asset_is_activated_waited_for_and_opened_from_storage_without_the_key(httpserver):
    api, clock, fractions = PlanetApi(httpserver), FakeTime(), []
    api.clock = clock
    access = open_scene(api, clock, progress=fractions.append)
    assert access.gdal_path == f"/vsicurl/{api.storage_url()}" and access.options == ()
    assert access.asset_key == "ortho_visual" and access.name == f"{ITEM_ID} (ortho_visual)"
    planet = [entry for entry in api.log if entry[1] == "localhost"]
    storage = [entry for entry in api.log if entry[1] == "127.0.0.1"]
    assert all(auth == BASIC for *_rest, auth in planet)  # the key on every request to Planet
    assert storage and all(auth is None for *_rest, auth in storage)  # and never to the storage host
    assert ("POST", "localhost", ACTIVATE_PATH, BASIC) in api.log
    throttled = 2  # the list, then the first poll answered 429 with Retry-After: 7 (polls are 5 s apart)
    assert api.asked_at[throttled] - api.asked_at[throttled - 1] == pytest.approx(7)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and any(0 < f < 1 for f in fractions)
    assert_secret_free(access.gdal_path)


def test_an_asset_planet_serves_only_with_the_key_is_downloaded_with_it_and_opened_from_the_file(httpserver, tmp_path):
    api = PlanetApi(httpserver, location="planet", throttle_once=False)
    access = open_scene(api, folder=str(tmp_path))
    path = scene_file(str(tmp_path), ITEM_TYPE, ITEM_ID, "ortho_visual")
    assert access.gdal_path == path and access.options == () and open(path, "rb").read() == SCENE_BYTES
    assert os.listdir(tmp_path) == [os.path.basename(path)]  # renamed from .partial: nothing else left
    probe, download = api.log[-2], api.log[-1]  # asked whether GDAL could read it without the key: no
    assert probe[2] == download[2] == "/data/v1/download" and probe[3] is None and download[3] == BASIC
    assert_secret_free(access.gdal_path + access.name)


def test_an_asset_planet_serves_without_the_key_opens_from_planets_address(httpserver):
    api = PlanetApi(httpserver, location="planet-open", throttle_once=False)
    access = open_scene(api)
    assert access.gdal_path == f"/vsicurl/{api.api('/download?asset=ortho_visual')}" and access.options == ()
    assert_secret_free(access.gdal_path + access.name)


def test_a_signed_final_address_is_downloaded_without_the_key_and_a_second_open_asks_nothing(httpserver, tmp_path):
    api = PlanetApi(httpserver, location="signed", throttle_once=False)
    fractions = []
    access = open_scene(api, folder=str(tmp_path), progress=fractions.append)
    path = scene_file(str(tmp_path), ITEM_TYPE, ITEM_ID, "ortho_visual")
    assert access.gdal_path == path and open(path, "rb").read() == SCENE_BYTES
    storage = [entry for entry in api.log if entry[1] == "127.0.0.1"]
    assert len(storage) == 2 and all(auth is None for *_rest, auth in storage)  # the probe, then the download
    assert "abc123" not in access.gdal_path + access.name
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    asked = len(api.log)
    again = open_scene(api, folder=str(tmp_path), key="")  # not even the key is needed for a file already here
    assert again.gdal_path == path and again.asset_key == "ortho_visual" and len(api.log) == asked


def test_a_download_larger_than_its_cap_is_refused_with_the_size_and_leaves_nothing(httpserver, tmp_path):
    api = PlanetApi(httpserver, location="signed", throttle_once=False)
    scenes = PlanetScenes(
        PlanetClient(HttpTransport(retries=0), planet_api_key_auth(lambda: KEY), api.api()), max_download=1000
    )
    path = str(tmp_path / "scene.tif")
    with pytest.raises(BaiMeiError) as raised:
        scenes.download(api.api("/download?asset=ortho_visual"), path)
    message = raised.value.message
    assert (
        "scene.tif" in message
        and f"127.0.0.1:{httpserver.port}" in message
        and f"{len(SCENE_BYTES):,} bytes (as announced)" in message
        and "more than the 1,000 bytes" in message
    )
    assert os.listdir(tmp_path) == []
    assert_secret_free(message + raised.value.details)


def test_the_endpoints_refuse_a_wrong_key_and_the_error_hides_it(httpserver):
    api = PlanetApi(httpserver)
    with pytest.raises(BaiMeiError) as raised:
        open_scene(api, key="PLAKwrongkey999")
    assert "HTTP 401" in raised.value.message and "PLAKwrongkey999" not in raised.value.message + raised.value.details
    assert api.status == "inactive"  # nothing activated with a wrong key


def test_without_an_authentication_configuration_nothing_is_asked(httpserver):
    api = PlanetApi(httpserver)
    with pytest.raises(BaiMeiError, match="needs an API key"):
        open_scene(api, key="")
    assert api.log == []


def test_cancel_while_planet_activates_stops_the_wait(httpserver):
    api = PlanetApi(httpserver, polls_activating=1000, throttle_once=False)
    clock = FakeTime()
    with pytest.raises(Canceled):
        open_scene(api, clock, is_canceled=lambda: clock.now >= 12)
    assert clock.now < 20 and api.status == "activating"


def test_the_wait_for_activation_is_bounded_with_a_clear_message(httpserver):
    api = PlanetApi(httpserver, polls_activating=10_000, throttle_once=False)
    transport = HttpTransport(sleep=FakeTime().sleep, retries=0)
    clock = FakeTime()
    transport.sleep, transport.monotonic = clock.sleep, clock.monotonic
    scenes = PlanetScenes(PlanetClient(transport, planet_api_key_auth(lambda: KEY), api.api()), max_wait=60, poll=5)
    with pytest.raises(BaiMeiError) as raised:
        scenes.activate(ITEM_TYPE, ITEM_ID, "", lambda: False)
    message = raised.value.message
    assert "within 1 minutes" in message and "'activating'" in message and ITEM_ID in message
    assert 55 <= clock.now <= 65


def test_an_activation_link_on_another_origin_is_not_sent_the_key(httpserver):
    api = PlanetApi(httpserver)
    scenes = PlanetScenes(PlanetClient(HttpTransport(retries=0), planet_api_key_auth(lambda: KEY), api.api()))
    asset = {"status": "inactive", "_links": {"activate": "https://elsewhere.example/activate"}}
    with pytest.raises(BaiMeiError) as raised:
        scenes._request_activation("ortho_visual", asset, ITEM_ID, None)
    assert "elsewhere.example" in raised.value.message and "did not send the key" in raised.value.message
    assert api.log == []


def test_without_the_search_address_the_api_is_the_one_the_item_link_names(httpserver):
    api = PlanetApi(httpserver, location="storage", throttle_once=False)
    item = footprint()
    item = replace(item, self_url=api.api(f"/item-types/{ITEM_TYPE}/items/{ITEM_ID}"))
    transport = HttpTransport(sleep=FakeTime().sleep, retries=0)
    access = sources.get("planet").scene_access(
        item, "", planet_api_key_auth(lambda: KEY), transport, lambda: False, lambda f: None
    )
    assert access.gdal_path == f"/vsicurl/{api.storage_url()}"
    assert api_of("https://example.com/not-an-item") == "https://api.planet.com/data/v1"


def test_the_asset_asked_for_must_exist_and_the_default_prefers_the_visual_image():
    assets = {"ortho_analytic": {}, "ortho_visual": {}, "ortho_udm2": {}}
    assert choose_asset(assets, "", "x") == "ortho_visual"
    assert choose_asset(assets, "ortho_analytic", "x") == "ortho_analytic"
    with pytest.raises(BaiMeiError) as raised:
        choose_asset(assets, "basic_analytic_4b", "x")
    assert "'basic_analytic_4b'" in raised.value.message and "ortho_udm2" in raised.value.message
    with pytest.raises(BaiMeiError, match="no image Bai Mei can show"):
        choose_asset({"ortho_udm2": {}}, "", "x")
