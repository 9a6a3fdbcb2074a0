"""Credentials stay with the origin the user configured: two loopback servers (the configured origin and a
"foreign" one on another port) and every way a client can be led to the foreign one — STAC next links (GET and
POST with a body), Planet ``_links._next``, 301/302/303/307/308 redirects, item records and assets, collections
paging, a redirected static catalogue — for Basic, API-header (``X-Api-Key``) and Planet-key credentials. The
foreign server records every request; no Authorization, X-Api-Key or secret value may arrive there.

Page bodies are recorded real answers (``../shared/data``) when present, else the project's own fixtures.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, List

import pytest
from shapely.geometry import box

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.footprints import FootprintQuery
from bai_mei_plugin.services.planet import PlanetClient, planet_api_key_auth
from bai_mei_plugin.services.search import SearchArea, search_areas
from bai_mei_plugin.services.stac import StacClient
from bai_mei_plugin.services.static_catalogue import load_catalogue
from bai_mei_plugin.services.transport import (
    BasicAuth,
    HeaderAuth,
    HttpTransport,
    origin_label,
    origin_of,
    same_origin,
)
from tests.support import SHARED_DATA

DATA = Path(__file__).parent / "data" / "footprints"
WORLD = box(-180, -90, 180, 90)
EVER = (0, 2_000_000_000)

USER, PASSWORD = "analyst", "Basic-Pass-93xq"
API_KEY = "APIKEY-7f3c9a51"
PLANET_KEY = "PLAK-4d2e8b1c77"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# name -> (credentials factory, strings that must never reach the foreign origin)
CREDENTIALS = {
    "basic": (lambda: BasicAuth(lambda: (USER, PASSWORD)), [PASSWORD, _b64(f"{USER}:{PASSWORD}")]),
    "api-header": (lambda: HeaderAuth(lambda: {"X-Api-Key": API_KEY}), [API_KEY]),
    "planet-key": (lambda: planet_api_key_auth(lambda: PLANET_KEY), [PLANET_KEY, _b64(f"{PLANET_KEY}:")]),
}
AUTH_HEADERS = ("authorization", "x-api-key")


class Recorder:
    """A loopback HTTP server (one origin) that records every request and answers from its routes.

    A route is ``path`` (with or without the query) -> ``handler(request) -> (status, headers, body)``; unknown
    paths answer 404. ``request`` is a dict: method, path, headers (lower-case names), body (bytes)."""

    def __init__(self):
        self.requests: List[dict] = []
        self.routes: Dict[str, Callable[[dict], tuple]] = {}
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = {
                    "method": self.command,
                    "path": self.path,
                    "body": self.rfile.read(length),
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                }
                recorder.requests.append(request)
                route = recorder.routes.get(self.path) or recorder.routes.get(self.path.split("?")[0])
                status, headers, body = route(request) if route else (404, {}, b"not here")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _serve  # noqa: N815 (http.server's names)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def json(self, path: str, document, status: int = 200):
        body = json.dumps(document).encode()
        self.routes[path] = lambda _request: (status, {"Content-Type": "application/geo+json"}, body)

    def redirect(self, path: str, location: str, status: int = 302):
        self.routes[path] = lambda _request: (status, {"Location": location}, b"")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


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


def assert_no_credentials(requests: List[dict], secrets: List[str]):
    """None of ``requests`` carries an auth header or any form of a secret, anywhere (headers, path, body)."""
    assert requests, "the foreign origin was never asked: the test would prove nothing"
    for request in requests:
        assert not [h for h in AUTH_HEADERS if h in request["headers"]], request
        text = json.dumps(request["headers"]) + request["path"] + request["body"].decode("latin-1")
        assert not [s for s in secrets if s in text], request


def assert_credentials(request: dict, name: str):
    """The configured origin did get the credentials (so the foreign origin's lack of them is the rule at work)."""
    if name == "api-header":
        assert request["headers"].get("x-api-key") == API_KEY
    else:
        assert request["headers"].get("authorization", "").startswith("Basic ")


def recorded_or_own(shared_name: str, own_name: str) -> dict:
    shared = SHARED_DATA / shared_name
    return json.loads((shared if shared.is_file() else DATA / own_name).read_text(encoding="utf-8"))


def stac_pages():
    """Two pages of real STAC items (Planetary Computer NAIP paging) or the project's own two pages."""
    first = recorded_or_own("stac/pc_naip_paging_page1.json", "stac_search_page1.json")
    second = recorded_or_own("stac/pc_naip_paging_page2.json", "stac_search_page2.json")
    second["links"] = []  # the last page
    return first, second


def client(home: Recorder, name: str) -> StacClient:
    return StacClient(home.url(""), HttpTransport(sleep=lambda s: None), credentials=CREDENTIALS[name][0]())


# --- the rule itself ---------------------------------------------------------------------------------------------


def test_an_origin_is_scheme_host_and_port():
    assert origin_of("https://API.example.com/v1?x=1") == ("https", "api.example.com", 443)
    assert same_origin("https://api.example.com/v1", "https://api.example.com:443/search")
    assert not same_origin("https://api.example.com/v1", "http://api.example.com/v1")  # scheme
    assert not same_origin("https://api.example.com/v1", "https://api.example.com:8443/v1")  # port
    assert not same_origin("https://api.example.com/v1", "https://evil.example.com/v1")  # host
    assert not same_origin("https://api.example.com/v1", "https://api.example.com.evil.net/v1")
    assert not same_origin("https://user:pw@evil.net/x", "https://api.example.com/x")
    assert not same_origin("/tmp/catalogue.json", "/tmp/catalogue.json")  # a file is no origin
    assert origin_label("https://h.example/v1?api_key=SECRET") == "h.example"
    assert origin_label("http://127.0.0.1:8001/x") == "127.0.0.1:8001"


# --- STAC next links ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CREDENTIALS)
def test_stac_get_next_link_to_another_origin_goes_without_credentials(home, foreign, name):
    first, second = stac_pages()
    first["links"] = [{"rel": "next", "href": foreign.url("/search?token=page2"), "method": "GET"}]
    home.json("/search", first)
    foreign.json("/search", second)
    found, info = client(home, name).search(FootprintQuery(WORLD, *EVER))
    assert info["pages"] == 2 and len(found) == len(first["features"]) + len(second["features"])
    assert_credentials(home.requests[0], name)
    assert_no_credentials(foreign.requests, CREDENTIALS[name][1])
    assert foreign.requests[0]["method"] == "GET" and foreign.requests[0]["path"] == "/search?token=page2"
    assert any(f"127.0.0.1:{foreign.port} was asked without your credentials" in n for n in info["notes"])


@pytest.mark.parametrize("name", CREDENTIALS)
def test_stac_post_next_link_with_body_to_another_origin_goes_without_credentials(home, foreign, name):
    first, second = stac_pages()
    body = {"limit": 10, "token": "next:page2"}
    first["links"] = [
        {
            "rel": "next",
            "href": foreign.url("/search"),
            "method": "POST",
            "body": body,
            "merge": True,
            "headers": {"X-Page": "2"},
        }
    ]
    home.json("/search", first)
    foreign.json("/search", second)
    found, info = client(home, name).search(FootprintQuery(WORLD, *EVER))
    assert info["pages"] == 2
    assert_credentials(home.requests[0], name)
    assert_no_credentials(foreign.requests, CREDENTIALS[name][1])
    sent = foreign.requests[0]
    assert sent["method"] == "POST" and json.loads(sent["body"])["token"] == "next:page2"
    assert sent["headers"]["x-page"] == "2"  # the link's own headers are the server's business, not a secret


def test_relative_next_link_stays_on_the_origin_with_credentials(home):
    first, second = stac_pages()
    first["links"] = [{"rel": "next", "href": "search?page=2", "method": "GET"}]
    home.json("/search", first)
    home.json("/search?page=2", second)
    _found, info = client(home, "api-header").search(FootprintQuery(WORLD, *EVER))
    assert info["pages"] == 2 and info["notes"] == []
    assert [r["path"] for r in home.requests] == ["/search", "/search?page=2"]
    for request in home.requests:
        assert_credentials(request, "api-header")


def test_same_port_other_host_name_is_another_origin(home):
    """localhost and 127.0.0.1 reach the same server, but they are different origins: no credentials to the
    second name."""
    first, second = stac_pages()
    first["links"] = [{"rel": "next", "href": home.url("/search?page=2", host="localhost"), "method": "GET"}]
    home.json("/search", first)
    home.json("/search?page=2", second)
    client(home, "basic").search(FootprintQuery(WORLD, *EVER))
    other = [r for r in home.requests if r["headers"]["host"].startswith("localhost")]
    assert_no_credentials(other, CREDENTIALS["basic"][1])


# --- Planet --------------------------------------------------------------------------------------------------------


def planet_page() -> dict:
    return recorded_or_own("planet/quick_search_results_PSScene4Band_100.json", "planet_page1.json")


def test_planet_next_link_to_another_origin_is_refused_naming_the_host(home, foreign):
    page = planet_page()
    page["_links"] = {"_next": foreign.url("/data/v1/searches/abc/results?_page=2")}
    home.json("/data/v1/quick-search", page)
    foreign.json("/data/v1/searches/abc/results", {"type": "FeatureCollection", "features": []})
    planet = PlanetClient(
        HttpTransport(sleep=lambda s: None), CREDENTIALS["planet-key"][0](), base_url=home.url("/data/v1")
    )
    with pytest.raises(BaiMeiError) as caught:
        planet.search(FootprintQuery(WORLD, *EVER))
    message = caught.value.message
    assert f"127.0.0.1:{foreign.port}" in message and "did not send the key" in message
    assert foreign.requests == []  # not asked at all
    assert_credentials(home.requests[0], "planet-key")
    assert PLANET_KEY not in message + caught.value.details


def test_planet_redirect_to_another_origin_loses_the_key(home, foreign):
    home.redirect("/data/v1/quick-search", foreign.url("/data/v1/quick-search"), status=307)
    foreign.json("/data/v1/quick-search", {"type": "FeatureCollection", "features": [], "_links": {}})
    planet = PlanetClient(
        HttpTransport(sleep=lambda s: None), CREDENTIALS["planet-key"][0](), base_url=home.url("/data/v1")
    )
    found, info = planet.search(FootprintQuery(WORLD, *EVER))
    assert found == [] and info["pages"] == 1
    assert_credentials(home.requests[0], "planet-key")
    assert_no_credentials(foreign.requests, CREDENTIALS["planet-key"][1])
    assert foreign.requests[0]["method"] == "POST" and json.loads(foreign.requests[0]["body"])["item_types"]


# --- redirects -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("name", CREDENTIALS)
def test_redirect_to_another_origin_drops_every_kind_of_credentials(home, foreign, name, status):
    home.redirect("/search", foreign.url("/landed"), status)
    foreign.json("/landed", {"type": "FeatureCollection", "features": []})
    transport = HttpTransport(sleep=lambda s: None)
    response = transport.request(
        "POST", home.url("/search"), json_body={"limit": 1}, auth=CREDENTIALS[name][0](), auth_origin=home.url("/")
    )
    assert response.status == 200 and response.url == foreign.url("/landed")
    assert_credentials(home.requests[0], name)
    assert_no_credentials(foreign.requests, CREDENTIALS[name][1])
    landed = foreign.requests[0]
    if status in (307, 308):  # the request is repeated as it was
        assert landed["method"] == "POST" and json.loads(landed["body"]) == {"limit": 1}
    else:  # 303 always, 301/302 after a POST: a GET without the body
        assert landed["method"] == "GET" and landed["body"] == b""
    assert any(f"127.0.0.1:{foreign.port}" in note for note in response.notes)


def test_redirect_within_the_origin_keeps_credentials(home):
    home.redirect("/v1", "/v1/", 301)
    home.json("/v1/", {"conformsTo": [], "stac_version": "1.0.0"})
    StacClient(
        home.url("/v1"), HttpTransport(sleep=lambda s: None), credentials=CREDENTIALS["api-header"][0]()
    ).landing()
    assert [r["path"] for r in home.requests] == ["/v1", "/v1/"]
    for request in home.requests:
        assert_credentials(request, "api-header")


def test_redirect_back_and_forth_sends_nothing_to_the_foreign_leg(home, foreign):
    home.redirect("/start", foreign.url("/bounce"), 302)
    foreign.redirect("/bounce", home.url("/end"), 302)
    home.json("/end", {"ok": True})
    response = HttpTransport(sleep=lambda s: None).request("GET", home.url("/start"), auth=CREDENTIALS["basic"][0]())
    assert response.json() == {"ok": True}
    assert_no_credentials(foreign.requests, CREDENTIALS["basic"][1])


def test_redirect_loop_stops_with_a_message(home):
    home.redirect("/loop", "/loop", 302)
    with pytest.raises(BaiMeiError) as caught:
        HttpTransport(sleep=lambda s: None, max_redirects=5).request("GET", home.url("/loop"))
    assert caught.value.message.startswith(f"127.0.0.1:{home.port} redirected the request more than 5 times")
    assert len(home.requests) == 6


def test_stac_landing_redirected_to_another_origin(home, foreign):
    home.redirect("/", foreign.url("/stac/"), 308)
    foreign.json("/stac/", {"conformsTo": [], "stac_version": "1.0.0"})
    StacClient(home.url("/"), HttpTransport(sleep=lambda s: None), credentials=CREDENTIALS["basic"][0]()).landing()
    assert_no_credentials(foreign.requests, CREDENTIALS["basic"][1])


# --- collections, records, assets, catalogues ----------------------------------------------------------------------


@pytest.mark.parametrize("name", CREDENTIALS)
def test_collections_next_page_on_another_origin_goes_without_credentials(home, foreign, name):
    first = recorded_or_own("stac/es_v1_collections.json", "stac_collections_page1.json")
    first["links"] = [{"rel": "next", "href": foreign.url("/collections?page=2")}]
    second = json.loads((DATA / "stac_collections_page2.json").read_text())
    second["links"] = []
    home.json("/collections", first)
    foreign.json("/collections", second)
    ids = [cid for cid, _title in client(home, name).collections()]
    assert set(c["id"] for c in first["collections"] + second["collections"]) == set(ids)
    assert_credentials(home.requests[0], name)
    assert_no_credentials(foreign.requests, CREDENTIALS[name][1])


@pytest.mark.parametrize("name", CREDENTIALS)
def test_item_record_or_asset_on_another_origin_goes_without_credentials(home, foreign, name):
    """What "Add to map" does (LoadSceneTask): the item record with the credentials bound to the search's origin;
    a record or a thumbnail/asset elsewhere is fetched without them."""
    foreign.json("/items/S1", {"type": "Feature", "id": "S1"})
    foreign.routes["/thumb.png"] = lambda _request: (200, {"Content-Type": "image/png"}, b"\x89PNG....")
    transport = HttpTransport(sleep=lambda s: None)
    for path in ("/items/S1", "/thumb.png"):
        response = transport.request(
            "GET", foreign.url(path), auth=CREDENTIALS[name][0](), auth_origin=home.url("/stac/v1")
        )
        assert response.status == 200
    assert_no_credentials(foreign.requests, CREDENTIALS[name][1])


def test_static_catalogue_redirected_to_another_origin(home, foreign):
    catalogue = json.loads(
        (DATA / "stac_search_page1.json").read_text().replace("http://loopback.invalid", foreign.url(""))
    )
    home.redirect("/catalogue.json", foreign.url("/catalogue.json"), 302)
    foreign.json("/catalogue.json", catalogue)
    footprints = load_catalogue(
        home.url("/catalogue.json"), HttpTransport(sleep=lambda s: None), CREDENTIALS["api-header"][0]()
    )
    assert len(footprints) == len(catalogue["features"])
    assert_credentials(home.requests[0], "api-header")
    assert_no_credentials(foreign.requests, CREDENTIALS["api-header"][1])


def test_search_summary_names_the_host_asked_without_credentials(home, foreign):
    first, second = stac_pages()
    first["links"] = [{"rel": "next", "href": foreign.url("/search?token=2"), "method": "GET"}]
    home.json("/", {"conformsTo": [], "stac_version": "1.0.0"})
    home.json("/search", first)
    foreign.json("/search", second)
    found, summary = search_areas(
        "stac",
        home.url("/"),
        [SearchArea(WORLD, *EVER)],
        credentials=CREDENTIALS["basic"][0](),
        transport=HttpTransport(sleep=lambda s: None),
    )
    assert summary["found"] == len(found) > 0
    assert summary["notes"] == [
        f"127.0.0.1:{foreign.port} was asked without your credentials (they are sent only to 127.0.0.1:{home.port})."
    ]
    assert_no_credentials(foreign.requests, CREDENTIALS["basic"][1])
