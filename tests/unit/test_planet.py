"""The Planet Data API client against a loopback server: request body, basic auth with the key, paging, and the key
never appearing in an error. Recorded real answers (``../shared/data/planet``) are replayed when present; the
project-owned ``data/footprints/planet_page*.json`` cover the same paths.
"""

from __future__ import annotations

import base64
import calendar
import json
from pathlib import Path

import pytest
from shapely.geometry import Point, box, shape
from werkzeug.wrappers import Response as WerkzeugResponse

from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.footprints import DROP_CLOUD, KEPT_CLOUD_UNKNOWN, FootprintQuery
from bai_mei_plugin.services.planet import PLANET_ITEM_TYPES, PlanetClient, planet_api_key_auth
from bai_mei_plugin.services.transport import HttpTransport
from tests.support import SHARED_DATA

DATA = Path(__file__).parent / "data" / "footprints"
PLACEHOLDER = "http://loopback.invalid"
REAL = "https://api.planet.com/data/v1"
KEY = "PLAKtestkey0123456789abcdef"
BASIC = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
needs_shared = pytest.mark.skipif(
    not (SHARED_DATA / "planet").is_dir(), reason="../shared/data/planet (recorded real Planet answers) absent"
)
NAMPO_AREA = Point(125.15, 38.70).buffer(0.05)


def utc(*args):
    return calendar.timegm(tuple(args) + (0,) * (6 - len(args)))


def fixture(name, base):
    return json.loads((DATA / name).read_text(encoding="utf-8").replace(PLACEHOLDER, base))


def client(base, waits=None, key_calls=None, retries=3):
    def key():
        if key_calls is not None:
            key_calls.append(1)
        return KEY

    transport = HttpTransport(sleep=(waits.append if waits is not None else lambda s: None), retries=retries)
    return PlanetClient(transport, planet_api_key_auth(key), base_url=base)


def sent(httpserver):
    return [request for request, _ in httpserver.log]


def assert_secret_free(error):
    text = error.message + " " + error.details
    assert KEY not in text and BASIC.split()[1] not in text


def test_build_search_request():
    query = FootprintQuery(
        box(125.1, 38.65, 125.2, 38.75),
        utc(2017, 6, 8),
        utc(2017, 6, 19, 23, 59, 59),
        max_cloud=30,
        collections=["SkySatCollect", "PSScene"],
    )
    body = PlanetClient(None, None).build_search_request(query)
    assert body["item_types"] == ["SkySatCollect", "PSScene"]
    assert body["filter"]["type"] == "AndFilter"
    geometry, dates, cloud = body["filter"]["config"]
    assert geometry["type"] == "GeometryFilter" and geometry["field_name"] == "geometry"
    assert shape(geometry["config"]).equals(query.geometry)
    assert dates == {
        "type": "DateRangeFilter",
        "field_name": "acquired",
        "config": {"gte": "2017-06-08T00:00:00Z", "lte": "2017-06-19T23:59:59Z"},
    }
    assert cloud == {"type": "RangeFilter", "field_name": "cloud_cover", "config": {"lte": 0.3}}
    json.dumps(body)
    no_cloud = PlanetClient(None, None).build_search_request(FootprintQuery(query.geometry, 0, 1))
    assert [f["type"] for f in no_cloud["filter"]["config"]] == ["GeometryFilter", "DateRangeFilter"]
    assert no_cloud["item_types"] == ["PSScene", "SkySatCollect"]
    assert {"PSScene", "SkySatCollect", "SkySatScene", "PSScene4Band"} <= set(PLANET_ITEM_TYPES)


@needs_shared
def test_search_request_matches_recorded_shape():
    recorded = json.loads((SHARED_DATA / "planet" / "search_query.json").read_text(encoding="utf-8"))
    (ring,) = recorded["filter"]["config"][0]["config"]["coordinates"]
    area = box(min(p[0] for p in ring), min(p[1] for p in ring), max(p[0] for p in ring), max(p[1] for p in ring))
    body = PlanetClient(None, None).build_search_request(
        FootprintQuery(area, 0, 10, max_cloud=100, collections=["PSScene4Band"])
    )
    assert body.keys() == recorded.keys() and body["item_types"] == recorded["item_types"]
    assert body["filter"]["type"] == recorded["filter"]["type"]
    ours = {f["type"]: f for f in body["filter"]["config"]}
    theirs = {f["type"]: f for f in recorded["filter"]["config"]}
    for kind, filt in theirs.items():
        assert ours[kind]["field_name"] == filt["field_name"] and ours[kind].keys() == filt.keys()
    assert shape(ours["GeometryFilter"]["config"]).equals(shape(theirs["GeometryFilter"]["config"]))
    assert ours["RangeFilter"]["config"] == {"lte": 1.0}  # the Data API's cloud_cover is a 0-1 fraction


def serve_pages(httpserver, page1, page2):
    httpserver.expect_request("/data/v1/quick-search", method="POST").respond_with_json(page1)
    httpserver.expect_request("/data/v1/searches/abc/results", method="GET").respond_with_json(page2)


def test_two_pages_with_basic_auth(httpserver):
    base = httpserver.url_for("/data/v1")
    serve_pages(httpserver, fixture("planet_page1.json", base), fixture("planet_page2.json", base))
    key_calls = []
    query = FootprintQuery(
        NAMPO_AREA,
        utc(2017, 6, 8),
        utc(2017, 6, 19, 23, 59, 59),
        max_cloud=10,
        collections=["SkySatCollect", "PSScene"],
    )
    progress = []
    footprints, info = client(base, key_calls=key_calls).search(query, progress=progress.append)
    assert [f.item_id for f in footprints] == ["20170616_021012_ssc1d1", "20170618_013000_0f2a"]
    assert info["pages"] == 2 and info["received"] == 3 and not info["truncated"]
    assert info["dropped"] == {DROP_CLOUD: 1, KEPT_CLOUD_UNKNOWN: 1}  # 50 % cloud dropped, unknown kept
    assert footprints[0].source == "Planet Data API" and footprints[0].cloud_cover == pytest.approx(4.0)
    post, get = sent(httpserver)
    assert post.method == "POST" and post.args["_page_size"] == "250"
    assert post.get_json() == PlanetClient(None, None).build_search_request(query)
    assert get.method == "GET" and get.args["_page"] == "2" and get.get_data() == b""
    assert post.headers["Authorization"] == BASIC and get.headers["Authorization"] == BASIC
    assert len(key_calls) == 2  # the key is looked up for each request, never stored
    assert progress == sorted(progress) and 0 < progress[0] and progress[-1] <= 1.0


def test_max_items_and_cancel(httpserver):
    base = httpserver.url_for("/data/v1")
    serve_pages(httpserver, fixture("planet_page1.json", base), fixture("planet_page2.json", base))
    query = FootprintQuery(NAMPO_AREA, utc(2017, 6, 1), utc(2017, 6, 30), max_items=1)
    footprints, info = client(base).search(query)
    assert len(footprints) == 1 and info["truncated"] and len(sent(httpserver)) == 1
    assert sent(httpserver)[0].args["_page_size"] == "1"
    httpserver.clear_log()
    with pytest.raises(Canceled):
        client(base).search(
            FootprintQuery(NAMPO_AREA, utc(2017, 6, 1), utc(2017, 6, 30)), is_canceled=lambda: len(httpserver.log) >= 1
        )
    assert len(sent(httpserver)) == 1


def test_401_message_has_no_key(httpserver):
    def echo(request):
        body = {"message": f"Invalid API key {KEY}", "auth": request.headers.get("Authorization")}
        return WerkzeugResponse(json.dumps(body), status=401, content_type="application/json")

    httpserver.expect_request("/data/v1/quick-search", method="POST").respond_with_handler(echo)
    with pytest.raises(BaiMeiError) as caught:
        client(httpserver.url_for("/data/v1")).search(FootprintQuery(NAMPO_AREA, 0, 10))
    assert "API key was refused" in caught.value.message and "authentication configuration" in caught.value.message
    assert "***" in caught.value.details
    assert_secret_free(caught.value)


def test_500_then_fail_message_has_no_key(httpserver):
    def echo(request):
        body = {"message": f"internal error for {request.headers.get('Authorization')} key={KEY}"}
        return WerkzeugResponse(json.dumps(body), status=500, content_type="application/json")

    httpserver.expect_request("/data/v1/quick-search", method="POST").respond_with_handler(echo)
    waits = []
    with pytest.raises(BaiMeiError) as caught:
        client(httpserver.url_for("/data/v1"), waits=waits, retries=2).search(FootprintQuery(NAMPO_AREA, 0, 10))
    assert "HTTP 500" in caught.value.message and "after 3 attempt(s)" in caught.value.message
    assert waits == [1.0, 2.0] and len(sent(httpserver)) == 3
    assert_secret_free(caught.value)


def test_not_a_feature_collection(httpserver):
    httpserver.expect_request("/data/v1/quick-search", method="POST").respond_with_json({"field": "x"})
    with pytest.raises(BaiMeiError, match="did not answer with a FeatureCollection"):
        client(httpserver.url_for("/data/v1")).search(FootprintQuery(NAMPO_AREA, 0, 10))


@needs_shared
def test_replay_recorded_quick_search(httpserver):
    base = httpserver.url_for("/data/v1")
    text = (SHARED_DATA / "planet" / "quick_search_results_PSScene4Band_100.json").read_text(encoding="utf-8")
    page1 = json.loads(text.replace(REAL, base))
    singles = [
        json.loads((SHARED_DATA / "planet" / name).read_text(encoding="utf-8"))
        for name in ("search_result_20200130_093253_ssc6_u0001.json", "data_item_20220125_075509_67_1061.json")
    ]
    page2 = {"type": "FeatureCollection", "features": singles, "_links": {"_self": base + "/searches/x/results"}}
    search_id = page1["_links"]["_next"].split("/searches/")[1].split("/")[0]
    httpserver.expect_request("/data/v1/quick-search", method="POST").respond_with_json(page1)
    httpserver.expect_request(f"/data/v1/searches/{search_id}/results", method="GET").respond_with_json(page2)
    query = FootprintQuery(
        box(-180, -90, 180, 90),
        utc(2019, 8, 1),
        utc(2022, 12, 31),
        collections=["PSScene4Band", "SkySatCollect", "PSScene"],
    )
    footprints, info = client(base).search(query)
    assert len(footprints) == 102 and info["pages"] == 2 and not info["truncated"]
    assert {f.collection for f in footprints} == {"PSScene4Band", "SkySatCollect", "PSScene"}
    assert max(f.cloud_cover for f in footprints) == pytest.approx(14.0)
    post, get = sent(httpserver)
    assert get.args["_page"] == page1["_links"]["_next"].split("_page=")[1].replace("%3D", "=")
    assert post.headers["Authorization"] == BASIC and get.headers["Authorization"] == BASIC
    httpserver.clear_log()
    footprints, info = client(base).search(FootprintQuery(query.geometry, query.start, query.end, max_items=60))
    assert len(footprints) == 60 and info["truncated"] and len(sent(httpserver)) == 1
