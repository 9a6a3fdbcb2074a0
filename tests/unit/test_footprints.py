"""Footprint records: time parsing, query validation, STAC/Planet/GeoJSON parsing, antimeridian, local filter.

Project-owned items are in ``data/footprints``; real recorded items in ``../shared/data`` are used when present.
"""

from __future__ import annotations

import calendar
import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.footprints import (
    DROP_AREA,
    DROP_CAP,
    DROP_CLOUD,
    DROP_COLLECTION,
    DROP_DUPLICATE,
    DROP_TIME,
    KEPT_CLOUD_UNKNOWN,
    Footprint,
    FootprintQuery,
    dropped_total,
    filter_footprints,
    footprint_fields,
    footprint_from_geojson_feature,
    footprint_from_planet_feature,
    footprint_from_stac_item,
    format_rfc3339,
    geometry_from_geojson,
    parse_rfc3339,
    redact_url,
)
from tests.support import ROOT, SHARED_DATA

DATA = Path(__file__).parent / "data" / "footprints"
T0 = calendar.timegm((2017, 6, 16, 2, 10, 0))
needs_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data (recorded real responses) absent")


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def shared(*parts):
    return json.loads(SHARED_DATA.joinpath(*parts).read_text(encoding="utf-8"))


def utc(*args):
    return calendar.timegm(tuple(args) + (0,) * (6 - len(args)))


# --- time --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2017-06-16T02:10:00Z", utc(2017, 6, 16, 2, 10, 0)),
        ("2017-06-16t02:10:00z", utc(2017, 6, 16, 2, 10, 0)),
        ("2019-09-01T18:32:46.342399Z", utc(2019, 9, 1, 18, 32, 46)),
        ("2019-01-01T00:00:01.024000Z", utc(2019, 1, 1, 0, 0, 1)),
        ("2017-06-18T21:40:12.5+00:00", utc(2017, 6, 18, 21, 40, 12)),
        ("2017-06-16T11:10:00+09:00", utc(2017, 6, 16, 2, 10, 0)),
        ("2017-06-15T21:10:00-0500", utc(2017, 6, 16, 2, 10, 0)),
        ("2015-01-29 08:19:38.070774+00:00", utc(2015, 1, 29, 8, 19, 38)),
        ("2017-06-16T02:10:00.123456789Z", utc(2017, 6, 16, 2, 10, 0)),
        ("2017-06-16T02:10:00", utc(2017, 6, 16, 2, 10, 0)),
        ("2017-06-16", utc(2017, 6, 16)),
    ],
)
def test_parse_rfc3339(text, expected):
    assert parse_rfc3339(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2017-13-01T00:00:00Z", "2017-06-16T25:00:00Z", None, 12.5])
def test_parse_rfc3339_rejects(text):
    with pytest.raises(BaiMeiError):
        parse_rfc3339(text)


def test_format_rfc3339_round_trip():
    assert format_rfc3339(T0) == "2017-06-16T02:10:00Z"
    assert parse_rfc3339(format_rfc3339(T0)) == T0


# --- query -------------------------------------------------------------------------------------------------------


def test_query_validation():
    area = Point(125.15, 38.7).buffer(0.1)
    query = FootprintQuery(area, T0, T0 + 3600, max_cloud=30, collections=("PSScene",))
    assert query.collections == ["PSScene"] and query.max_items == 500 and query.max_pages == 20
    with pytest.raises(BaiMeiError, match="ends .* before it starts"):
        FootprintQuery(area, T0, T0 - 1)
    with pytest.raises(BaiMeiError, match="between 0 and 100"):
        FootprintQuery(area, T0, T0, max_cloud=120)
    with pytest.raises(BaiMeiError, match="between 0 and 100"):
        FootprintQuery(area, T0, T0, max_cloud=-1)
    with pytest.raises(BaiMeiError, match="area is empty"):
        FootprintQuery(Polygon(), T0, T0)
    with pytest.raises(BaiMeiError, match="area is empty"):
        FootprintQuery(None, T0, T0)
    with pytest.raises(BaiMeiError, match="EPSG:4326"):
        FootprintQuery(box(500000, 4200000, 510000, 4210000), T0, T0)
    with pytest.raises(BaiMeiError, match="at least 1"):
        FootprintQuery(area, T0, T0, max_items=0)


# --- STAC --------------------------------------------------------------------------------------------------------


def _stac_item(assets, links=()):
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "PREVIEW_TEST",
        "geometry": {"type": "Point", "coordinates": [125.4, 38.7]},
        "properties": {"datetime": "2017-06-16T02:10:00Z"},
        "links": list(links),
        "assets": assets,
    }


PNG_OVERVIEW = {"href": "https://stac.invalid/o.png", "type": "image/png", "roles": ["overview"]}
COG_OVERVIEW = {"href": "https://stac.invalid/o.tif", "type": "image/tiff; profile=cloud-optimized"}
THUMB_LINK = {"rel": "thumbnail", "href": "https://stac.invalid/link.jpg"}


@pytest.mark.parametrize(
    "assets, links, preview",
    [
        ({"overview": PNG_OVERVIEW}, (), "https://stac.invalid/o.png"),  # a STAC API item with an overview only
        ({"overview": dict(PNG_OVERVIEW, roles=None, type=None)}, (), "https://stac.invalid/o.png"),  # by its name
        ({"quicklook": PNG_OVERVIEW}, (), "https://stac.invalid/o.png"),  # by its role
        ({"overview": COG_OVERVIEW}, (), None),  # an overview GeoTIFF is an image to open, not a picture to show
        (
            {"overview": PNG_OVERVIEW, "rendered_preview": {"href": "https://stac.invalid/r.png"}},
            (),
            "https://stac.invalid/r.png",
        ),
        (
            {"overview": PNG_OVERVIEW, "rendered_preview": {"href": "r.png"}, "thumbnail": {"href": "t.jpg"}},
            (),
            "t.jpg",
        ),
        ({"small": {"href": "s.jpg", "roles": ["thumbnail"]}, "rendered_preview": {"href": "r.png"}}, (), "s.jpg"),
        ({"overview": PNG_OVERVIEW}, (THUMB_LINK,), "https://stac.invalid/link.jpg"),
        ({}, (), None),
    ],
)
def test_one_preview_rule_thumbnail_then_rendered_preview_then_link_then_overview(assets, links, preview):
    from bai_mei_plugin.core.footprints import preview_href

    assert preview_href(assets, list(links)) == preview
    assert footprint_from_stac_item(_stac_item(assets, links), "STAC API").thumbnail_url == preview


def test_a_stac_api_item_with_only_an_overview_previews_like_a_static_catalogue(tmp_path):
    """The same item from a STAC API search and from a static catalogue file gets the same preview."""
    from bai_mei_plugin.services.static_catalogue import load_catalogue

    item = _stac_item({"visual": dict(COG_OVERVIEW, roles=["visual"]), "overview": PNG_OVERVIEW})
    from_api = footprint_from_stac_item(item, "STAC API")
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [item]}))
    (from_file,) = load_catalogue(str(path))
    assert from_api.thumbnail_url == from_file.thumbnail_url == "https://stac.invalid/o.png"


def test_stac_item_fields_and_secrets_removed():
    item = load("stac_search_page1.json")["features"][0]
    fp = footprint_from_stac_item(item, "STAC test")
    assert (fp.source, fp.item_id, fp.collection) == ("STAC test", "TEST_S2_20170616", "sentinel-2-l2a")
    assert fp.acquired == utc(2017, 6, 16, 2, 31, 1)
    assert (fp.cloud_cover, fp.gsd_m, fp.platform, fp.view_angle_deg) == (12.5, 10.0, "sentinel-2a", 0.0)
    assert fp.self_url.endswith("/collections/sentinel-2-l2a/items/TEST_S2_20170616")
    assert "SIGNATURE123" not in fp.thumbnail_url and "sig=***" in fp.thumbnail_url and "se=***" in fp.thumbnail_url
    assert fp.geometry.is_valid and fp.geometry.geom_type == "Polygon"
    json.dumps(fp.properties)
    assert "s2:mgrs_tile" not in fp.properties  # only a few chosen extras are kept


def test_stac_item_null_datetime_uses_start_datetime():
    item = load("stac_search_page2.json")["features"][0]
    fp = footprint_from_stac_item(item, "STAC test")
    assert fp.acquired == utc(2017, 6, 18, 21, 40, 12)
    assert fp.cloud_cover is None and fp.gsd_m is None
    assert fp.properties["sar:polarizations"] == ["VV", "VH"]
    assert fp.properties["end_datetime"] == "2017-06-18T21:40:37.5+00:00"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda i: i["properties"].update(datetime=None), "no acquisition time"),
        (lambda i: i["properties"].update(datetime="soon"), "unreadable acquisition time"),
        (lambda i: i.update(geometry=None), "no geometry"),
        (lambda i: i.update(geometry={"type": "Polygon", "coordinates": [[]]}), "empty footprint"),
        (
            lambda i: i.update(geometry={"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [2, 2], [1, 1]]]}),
            "malformed Polygon",
        ),
        (lambda i: i.update(geometry={"type": "MultiPolygon", "coordinates": [[[1, 2, 3]]]}), "malformed MultiPolygon"),
        (lambda i: i.pop("id"), "no id"),
        (lambda i: i["properties"].update({"eo:cloud_cover": "cloudy"}), "non-numeric eo:cloud_cover"),
        (lambda i: i.update(type="Collection"), "not a STAC Item"),
    ],
)
def test_stac_item_faults_are_named(change, message):
    item = load("stac_search_page1.json")["features"][1]
    change(item)
    with pytest.raises(BaiMeiError, match=message):
        footprint_from_stac_item(item, "STAC test")


def test_polygon_across_antimeridian_is_split():
    fp = footprint_from_stac_item(load("stac_item_antimeridian.json"), "STAC test")
    geom = fp.geometry
    assert isinstance(geom, MultiPolygon) and geom.is_valid and len(geom.geoms) == 2
    west, south, east, north = geom.bounds
    assert (west, south, east, north) == pytest.approx((-180.0, 64.0, 180.0, 66.0))
    assert geom.area == pytest.approx(5.0 * 2.0)  # 2 degrees west of 180 + 3 east, 2 degrees high
    assert geom.intersects(Point(179.0, 65.0)) and geom.intersects(Point(-178.0, 65.0))
    assert not geom.intersects(Point(0.0, 65.0))  # the unsplit ring would have covered the whole globe


def test_antimeridian_split_with_hole_and_plain_polygon_untouched():
    ring = [[179.0, 10.0], [-179.0, 10.0], [-179.0, 12.0], [179.0, 12.0], [179.0, 10.0]]
    hole = [[179.5, 10.5], [179.5, 11.5], [-179.5, 11.5], [-179.5, 10.5], [179.5, 10.5]]
    geom = geometry_from_geojson({"type": "Polygon", "coordinates": [ring, hole]})
    assert geom.is_valid and geom.area == pytest.approx(4.0 - 1.0)
    plain = geometry_from_geojson({"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 1]]]})
    assert plain.geom_type == "Polygon" and plain.area == pytest.approx(0.5)
    unclosed = geometry_from_geojson({"type": "Polygon", "coordinates": [[[1, 1, 5], [2, 1, 5], [2, 2, 5]]]})
    assert unclosed.area == pytest.approx(0.5) and not unclosed.has_z


@needs_shared
def test_recorded_sentinel1_item_across_antimeridian():
    item = shared("stac", "pc_sentinel-1-grd_item_S1A_EW_GRDM_1SSH_20150129.json")
    fp = footprint_from_stac_item(item, "STAC Microsoft Planetary Computer")
    assert fp.geometry.is_valid and not fp.geometry.is_empty
    west, south, east, north = fp.geometry.bounds
    assert -180 <= west and east <= 180 and west == pytest.approx(-179.8543052)
    assert fp.acquired == utc(2015, 1, 29, 8, 19, 27)
    assert fp.platform == "SENTINEL-1A" and fp.cloud_cover is None
    assert fp.properties["sar:instrument_mode"] == "EW"


@needs_shared
def test_recorded_stac_pages_parse():
    page = shared("stac", "es_v1_s2_landsat_point_page1.json")
    s2, landsat = (footprint_from_stac_item(f, "es") for f in page["features"])
    assert s2.item_id == "S2A_13TDE_20231008_0_L2A" and s2.cloud_cover == pytest.approx(0.000299)
    assert s2.gsd_m == 10.0  # finest asset gsd: the item itself has none
    assert s2.thumbnail_url and s2.self_url.startswith("https://earth-search.aws.element84.com/v1/collections/")
    assert landsat.gsd_m == 30.0 and landsat.view_angle_deg == 0.0
    for name in ("pc_sentinel-2-l2a_datetime_page1.json", "pc_naip_paging_page1.json"):
        for feature in shared("stac", name)["features"]:
            fp = footprint_from_stac_item(feature, "pc")
            assert fp.geometry.is_valid and fp.self_url
            json.dumps(fp.attributes())


# --- Planet ------------------------------------------------------------------------------------------------------


def test_planet_feature_fields():
    first, second = load("planet_page1.json")["features"]
    fp = footprint_from_planet_feature(first, "Planet")
    assert (fp.item_id, fp.collection, fp.platform) == ("20170616_021012_ssc1d1", "SkySatCollect", "SSC1")
    assert fp.acquired == utc(2017, 6, 16, 2, 10, 12)
    assert fp.cloud_cover == pytest.approx(4.0) and fp.gsd_m == 0.86 and fp.view_angle_deg == 12.3
    assert fp.thumbnail_url.endswith("/thumb") and fp.self_url.endswith("/items/20170616_021012_ssc1d1")
    assert fp.properties["provider"] == "skysat"
    assert footprint_from_planet_feature(second, "Planet").thumbnail_url is None
    cloudless = load("planet_page2.json")["features"][0]
    assert footprint_from_planet_feature(cloudless, "Planet").cloud_cover is None
    del first["properties"]["acquired"]
    with pytest.raises(BaiMeiError, match="no acquisition time"):
        footprint_from_planet_feature(first, "Planet")


@needs_shared
def test_recorded_planet_items():
    page = shared("planet", "quick_search_results_PSScene4Band_100.json")
    fps = [footprint_from_planet_feature(f, "Planet") for f in page["features"]]
    assert len(fps) == 100 and all(f.geometry.is_valid for f in fps)
    first = fps[0]
    assert (first.item_id, first.collection, first.platform) == ("20190901_183246_100c", "PSScene4Band", "100c")
    assert first.cloud_cover == pytest.approx(1.0) and first.gsd_m == 3.9 and first.view_angle_deg == 1
    assert first.acquired == utc(2019, 9, 1, 18, 32, 46)
    assert max(f.cloud_cover for f in fps) <= 14.0 + 1e-9  # 0.14 fraction -> 14 %
    skysat = footprint_from_planet_feature(shared("planet", "search_result_20200130_093253_ssc6_u0001.json"), "P")
    assert (skysat.collection, skysat.platform, skysat.gsd_m, skysat.view_angle_deg) == (
        "SkySatCollect",
        "SSC6",
        0.72,
        15.8,
    )
    assert skysat.cloud_cover == 0.0 and "_permissions" not in skysat.properties
    ps = footprint_from_planet_feature(shared("planet", "data_item_20220125_075509_67_1061.json"), "P")
    assert ps.collection == "PSScene" and ps.acquired == utc(2022, 1, 25, 7, 55, 9)


# --- plain GeoJSON -----------------------------------------------------------------------------------------------


def test_geojson_feature():
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [125.15, 38.7]},
        "properties": {"acquired": T0, "cloud_cover": 20, "collection": "aerial", "title": "t"},
    }
    fp = footprint_from_geojson_feature(feature, "file", index=4)
    assert (fp.item_id, fp.acquired, fp.cloud_cover, fp.collection) == ("feature-4", T0, 20.0, "aerial")
    feature["properties"] = {"datetime": "2017-06-16T02:10:00Z", "id": "abc"}
    assert footprint_from_geojson_feature(feature, "file").item_id == "abc"
    feature["properties"] = {"id": "abc"}
    with pytest.raises(BaiMeiError, match="'acquired' or 'datetime'"):
        footprint_from_geojson_feature(feature, "file")


# --- fields and secrets ------------------------------------------------------------------------------------------


def test_footprint_fields_cover_the_record():
    names = [name for name, _ in footprint_fields()]
    assert set(names) == {f.name for f in fields(Footprint)} - {"geometry"}
    fp = footprint_from_stac_item(load("stac_search_page1.json")["features"][0], "s")
    attributes = fp.attributes()
    assert list(attributes) == names and json.loads(attributes["properties"]) == fp.properties


def test_redact_url():
    url = "https://user:pw@host.example/a?api_key=K1&x=1&token=T2&sig=S3&se=2030&X-Amz-Signature=S4"
    shown = redact_url(url)
    for secret in ("K1", "T2", "S3", "2030", "S4", "user:pw"):
        assert secret not in shown
    assert "x=1" in shown and shown.startswith("https://***@host.example/a?")


# --- local filter ------------------------------------------------------------------------------------------------


def make_footprint(item_id, acquired=T0, cloud=10.0, collection="PSScene", geometry=None, source="s"):
    return Footprint(
        source,
        item_id,
        collection,
        acquired,
        cloud,
        3.7,
        "p",
        None,
        geometry if geometry is not None else box(125.1, 38.65, 125.2, 38.75),
        "",
        None,
        {},
    )


def test_filter_footprints_reasons():
    query = FootprintQuery(
        Point(125.15, 38.7).buffer(0.02), T0, T0 + 86400, max_cloud=30, collections=["PSScene", "SkySatCollect"]
    )
    items = [
        make_footprint("start", acquired=T0),
        make_footprint("end", acquired=T0 + 86400),
        make_footprint("late", acquired=T0 + 86401),
        make_footprint("early", acquired=T0 - 1),
        make_footprint("cloudy", cloud=30.5),
        make_footprint("at-limit", cloud=30.0),
        make_footprint("unknown-cloud", cloud=None),
        make_footprint("elsewhere", geometry=box(120, 30, 121, 31)),
        make_footprint("sentinel", collection="sentinel-2-l2a"),
        make_footprint("start"),
    ]
    kept, counts = filter_footprints(items, query)
    assert [f.item_id for f in kept] == ["start", "end", "at-limit", "unknown-cloud"]
    assert counts == {
        DROP_TIME: 2,
        DROP_CLOUD: 1,
        DROP_AREA: 1,
        DROP_COLLECTION: 1,
        DROP_DUPLICATE: 1,
        KEPT_CLOUD_UNKNOWN: 1,
    }
    assert dropped_total(counts) == 6


def test_filter_footprints_cap_and_no_collection_filter():
    query = FootprintQuery(box(125, 38, 126, 39), T0, T0, max_items=2)
    kept, counts = filter_footprints([make_footprint(f"i{n}", collection=f"c{n}", cloud=None) for n in range(5)], query)
    assert [f.item_id for f in kept] == ["i0", "i1"] and counts == {DROP_CAP: 3}  # no cloud limit: nothing counted


def test_core_and_services_import_no_qgis():
    code = (
        "import sys; import bai_mei_plugin.core.footprints, bai_mei_plugin.services.stac, "
        "bai_mei_plugin.services.planet, bai_mei_plugin.services.static_catalogue; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('qgis', 'PyQt5', 'PyQt6', 'sip')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
