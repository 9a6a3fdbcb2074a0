"""Static catalogues: the shipped SYNTHETIC Bai Mei 8 catalogue (local and served over loopback), plain GeoJSON,
single STAC Items, and errors that name the file, the feature and the fault."""

from __future__ import annotations

import calendar
import json
from pathlib import Path

import pytest
from shapely.geometry import Point

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.footprints import DROP_AREA, DROP_CLOUD, DROP_TIME, FootprintQuery
from bai_mei_plugin.demo.nampo import NAMPO_LAT, NAMPO_LON
from bai_mei_plugin.services.static_catalogue import load_catalogue, search_catalogue, synthetic_catalogue_path
from bai_mei_plugin.services.transport import HttpTransport

NAMPO = Point(NAMPO_LON, NAMPO_LAT)  # the real port, where the synthetic SkySat collects now are
VLADIVOSTOK = Point(131.885, 43.080)
DALIAN = Point(121.710, 38.935)
JUNE_NAMPO = {"SYNTHETIC_20170616_021000_ssc1", "SYNTHETIC_20170617_020500_ssc3"}


def utc(*args):
    return calendar.timegm(tuple(args) + (0,) * (6 - len(args)))


def dark_window_query(**kwargs):
    return FootprintQuery(NAMPO.buffer(0.03), utc(2017, 6, 8), utc(2017, 6, 19, 23, 59, 59), **kwargs)


def test_synthetic_catalogue_is_labelled_and_well_formed():
    path = synthetic_catalogue_path()
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    assert "SYNTHETIC" in document["description"] and "SYNTHETIC" in document["notice"]
    footprints = load_catalogue(path)
    assert len(footprints) == 12 and len({f.item_id for f in footprints}) == 12
    for fp in footprints:
        assert fp.item_id.startswith("SYNTHETIC_") and fp.properties["bai_mei:synthetic"] is True
        assert fp.properties["title"].startswith("SYNTHETIC")
        assert fp.geometry.is_valid and fp.cloud_cover is not None and fp.gsd_m and fp.platform
        assert fp.view_angle_deg is not None
        assert utc(2017, 5, 1) <= fp.acquired < utc(2017, 8, 1)
        assert fp.source == "Catalogue bai_mei_8_synthetic.geojson"
    skysat = [f for f in footprints if f.collection == "SkySatCollect" and f.geometry.intersects(NAMPO)]
    assert sorted(f.item_id for f in skysat) == sorted(
        JUNE_NAMPO | {"SYNTHETIC_20170520_021500_ssc2", "SYNTHETIC_20170706_022000_ssc2"}
    )
    for fp in skysat:  # about 6 x 6 km around the port
        west, south, east, north = fp.geometry.bounds
        assert 0.05 < north - south < 0.07 and 0.06 < east - west < 0.09 and fp.gsd_m == 0.8
    assert max(f.cloud_cover for f in footprints) == 85.0


def test_dark_window_over_nampo_finds_the_two_june_skysat_scenes():
    kept, counts = search_catalogue(synthetic_catalogue_path(), dark_window_query())
    assert {f.item_id for f in kept} == JUNE_NAMPO and len(kept) == 2
    assert counts[DROP_TIME] >= 2  # the May and July Nampo scenes among others
    kept, _ = search_catalogue(
        synthetic_catalogue_path(), FootprintQuery(NAMPO.buffer(0.03), utc(2017, 6, 8), utc(2017, 7, 10))
    )
    assert {f.item_id for f in kept} == JUNE_NAMPO | {"SYNTHETIC_20170706_022000_ssc2"}


def test_vladivostok_and_cloud_limit():
    kept, _ = search_catalogue(
        synthetic_catalogue_path(),
        FootprintQuery(VLADIVOSTOK.buffer(0.05), utc(2017, 6, 19), utc(2017, 6, 30), collections=["PSScene"]),
    )
    assert [(f.item_id, f.gsd_m) for f in kept] == [("SYNTHETIC_20170624_003512_1003", 3.7)]
    west, south, east, north = kept[0].geometry.bounds
    assert 0.25 < east - west < 0.35 and 0.13 < north - south < 0.2  # about 25 x 12 km, slightly turned
    kept, counts = search_catalogue(
        synthetic_catalogue_path(), FootprintQuery(DALIAN.buffer(0.05), utc(2017, 6, 1), utc(2017, 7, 31), max_cloud=50)
    )
    assert kept == [] and counts[DROP_CLOUD] == 1


def test_served_over_loopback(httpserver):
    httpserver.expect_request("/catalogues/bai_mei_8_synthetic.geojson").respond_with_data(
        Path(synthetic_catalogue_path()).read_bytes(), content_type="application/geo+json"
    )
    url = httpserver.url_for("/catalogues/bai_mei_8_synthetic.geojson")
    transport = HttpTransport(sleep=lambda s: None)
    kept, counts = search_catalogue(url + "?sig=SECRETSIG", dark_window_query(), transport=transport)
    assert {f.item_id for f in kept} == JUNE_NAMPO
    assert kept[0].source == "Catalogue bai_mei_8_synthetic.geojson"
    assert counts[DROP_AREA] > 0
    httpserver.expect_request("/missing.geojson").respond_with_data("no such file", status=404)
    with pytest.raises(BaiMeiError, match=r"Nothing at .*/missing.geojson\?token=\*\*\* \(HTTP 404\)"):
        load_catalogue(httpserver.url_for("/missing.geojson") + "?token=SECRET", transport=transport)


def test_plain_geojson_and_single_item(write_file):
    plain = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "a1",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[125.1, 38.65], [125.2, 38.65], [125.2, 38.75], [125.1, 38.75], [125.1, 38.65]]],
                },
                "properties": {"acquired": "2017-06-16T02:10:00Z", "cloud_cover": 5, "collection": "aerial"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [125.15, 38.7]},
                "properties": {"datetime": utc(2017, 6, 18)},
            },
        ],
    }
    footprints = load_catalogue(write_file("plain.geojson", json.dumps(plain)), source_name="My file")
    assert [(f.item_id, f.collection, f.cloud_cover) for f in footprints] == [
        ("a1", "aerial", 5.0),
        ("feature-1", "", None),
    ]
    assert footprints[0].source == "My file"
    item = json.loads(Path(synthetic_catalogue_path()).read_text(encoding="utf-8"))["features"][1]
    (single,) = load_catalogue(write_file("item.json", json.dumps(item)))
    assert single.item_id == "SYNTHETIC_20170616_021000_ssc1" and single.source == "Catalogue item.json"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f["properties"].update(datetime=None), "feature 1 (bad-one) has no acquisition time"),
        (lambda f: f["properties"].update(datetime="June"), "feature 1 (bad-one) has an unreadable acquisition time"),
        (lambda f: f.update(geometry=None), "feature 1 (bad-one) has no geometry"),
        (lambda f: f["properties"].update(gsd="fine"), "feature 1 (bad-one) has a non-numeric gsd"),
        (
            lambda f: f.update(geometry={"type": "Point", "coordinates": []}),
            "feature 1 (bad-one) has an empty footprint",
        ),
        (
            lambda f: f.update(geometry={"type": "LineString", "coordinates": [[1]]}),
            "(bad-one) has a malformed LineString",
        ),
        (lambda f: f.update(geometry={"type": "Circle", "radius": 3}), "(bad-one) has an unsupported geometry type"),
    ],
)
def test_malformed_feature_errors_name_file_feature_and_fault(write_file, change, message):
    document = json.loads(Path(synthetic_catalogue_path()).read_text(encoding="utf-8"))
    document["features"][1]["id"] = "bad-one"
    change(document["features"][1])
    path = write_file("broken.geojson", json.dumps(document))
    with pytest.raises(BaiMeiError) as caught:
        load_catalogue(path)
    assert caught.value.message.startswith("In broken.geojson, ") and message in caught.value.message


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "broken.geojson is not valid JSON"),
        ('{"type": "Catalog", "id": "x"}', "its type is 'Catalog'"),
        ('{"type": "FeatureCollection"}', "without a 'features' array"),
        ("[1, 2]", "is not a GeoJSON FeatureCollection"),
        (b"\xff\xfe\x00bad", "is not a text (UTF-8) file"),
        ('{"type": "FeatureCollection", "features": [42]}', "In broken.geojson, feature 0 is not a GeoJSON Feature"),
    ],
)
def test_unreadable_files(write_file, content, message):
    with pytest.raises(BaiMeiError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_catalogue(write_file("broken.geojson", content))


def test_missing_file(tmp_path):
    with pytest.raises(BaiMeiError, match="does not exist"):
        load_catalogue(str(tmp_path / "nowhere.geojson"))
