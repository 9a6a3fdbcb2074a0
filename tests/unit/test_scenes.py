"""The SYNTHETIC demo scenes (bai_mei_plugin/demo/scenes.py, resources/scenes/) and how the static catalogue's assets
lead to them: reproducible bytes, the ship where and when the story puts it, relative hrefs resolved, and no local
file opened from a catalogue that came over the network."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.demo import nampo, scenes
from bai_mei_plugin.services import sources
from bai_mei_plugin.services.static_catalogue import (
    ASSETS_PROPERTY,
    LOCAL_ASSETS_PROPERTY,
    load_catalogue,
    synthetic_catalogue_path,
)
from bai_mei_plugin.services.transport import HttpTransport

gdal = pytest.importorskip("osgeo.gdal")

SCENES_DIR = Path(synthetic_catalogue_path()).parents[1] / "scenes"
SHIP_DATES = {"SYNTHETIC_20170616_021000_ssc1", "SYNTHETIC_20170617_020500_ssc3", "SYNTHETIC_20170706_022000_ssc2"}


def never():
    return False


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    spec = scenes.SCENES[1]
    profiles = scenes.load_profiles()
    first = scenes.write_scene(spec, str(tmp_path), profiles, seed=7)
    first_bytes = [Path(p).read_bytes() for p in first]
    (tmp_path / "again").mkdir()
    again = scenes.write_scene(spec, str(tmp_path / "again"), profiles, seed=7)
    assert [Path(p).read_bytes() for p in again] == first_bytes
    (tmp_path / "other").mkdir()
    other = scenes.write_scene(spec, str(tmp_path / "other"), profiles, seed=8)
    assert Path(other[0]).read_bytes() != first_bytes[0]
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob("*.aux.xml"))


def test_committed_scenes_are_small_synthetic_cogs_at_the_berth():
    files = sorted(SCENES_DIR.iterdir())
    assert sum(f.stat().st_size for f in files) < 5 * 1024 * 1024
    for spec in scenes.SCENES:
        dataset = gdal.Open(str(SCENES_DIR / f"{spec.item_id}.tif"))
        assert dataset.GetMetadataItem("SYNTHETIC") == "YES"
        assert "SYNTHETIC" in dataset.GetMetadataItem("TIFFTAG_IMAGEDESCRIPTION")
        assert dataset.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") == "COG"
        assert dataset.GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE") in ("JPEG", "YCbCr JPEG")
        assert dataset.RasterCount == 3 and dataset.GetRasterBand(1).GetOverviewCount() >= 2
        west, size, _r, north, _r2, neg = dataset.GetGeoTransform()
        assert size == -neg == pytest.approx(0.8)
        x, y = scenes.berth_utm()
        assert west < x < west + size * dataset.RasterXSize and north - size * dataset.RasterYSize < y < north
        assert (SCENES_DIR / f"{spec.item_id}_thumb.png").stat().st_size > 0


def berth_pixels(item_id):
    """The scene's pixels within 10 m of the berth's centre."""
    dataset = gdal.Open(str(SCENES_DIR / f"{item_id}.tif"))
    west, size, _r, north, _r2, _n = dataset.GetGeoTransform()
    x, y = scenes.berth_utm()
    col, row = int((x - west) / size), int((north - y) / size)
    return np.dstack([dataset.GetRasterBand(b).ReadAsArray(col - 12, row - 12, 25, 25) for b in (1, 2, 3)])


@pytest.mark.parametrize("spec", scenes.SCENES, ids=lambda s: s.date)
def test_the_bai_mei_8_is_at_the_berth_on_the_story_dates_only(spec):
    pixels = berth_pixels(spec.item_id).reshape(-1, 3).astype(int)
    red_deck = (pixels[:, 0] > 80) & (pixels[:, 1] < 60) & (pixels[:, 2] < 60)
    if spec.item_id in SHIP_DATES:
        assert red_deck.mean() > 0.5, f"{spec.date}: the berth should show the Bai Mei 8's red deck"
    else:
        assert red_deck.mean() < 0.05, f"{spec.date}: the berth should be empty water"


def test_the_notice_is_burned_into_the_top_left_corner():
    dataset = gdal.Open(str(SCENES_DIR / f"{scenes.SCENES[0].item_id}.tif"))
    corner = dataset.GetRasterBand(1).ReadAsArray(0, 0, 200, 120)
    assert (corner > 200).mean() > 0.05 and (corner < 40).mean() > 0.5  # white letters on black


def test_catalogue_hrefs_are_relative_and_resolve_to_the_scenes():
    document = json.loads(Path(synthetic_catalogue_path()).read_text(encoding="utf-8"))
    assert "SYNTHETIC" in document["notice"]
    with_scenes = [f for f in document["features"] if f["assets"]]
    assert {f["id"] for f in with_scenes} == {s.item_id for s in scenes.SCENES}
    for feature in with_scenes:
        for asset in feature["assets"].values():
            assert not os.path.isabs(asset["href"]) and "://" not in asset["href"]
    footprints = {f.item_id: f for f in load_catalogue(synthetic_catalogue_path())}
    for spec in scenes.SCENES:
        footprint = footprints[spec.item_id]
        assert footprint.geometry.contains(Point(nampo.BERTH_LON, nampo.BERTH_LAT))
        assert Path(footprint.thumbnail_url) == SCENES_DIR / f"{spec.item_id}_thumb.png"
        access = sources.get("static").scene_access(footprint, "", None, None, never, lambda f: None)
        assert Path(access.gdal_path) == SCENES_DIR / f"{spec.item_id}.tif"
        assert access.name == f"{spec.item_id} (visual)" and access.options == ()


def test_a_catalogue_over_http_resolves_hrefs_to_urls_and_never_opens_local_files(httpserver):
    document = json.loads(Path(synthetic_catalogue_path()).read_text(encoding="utf-8"))
    item = next(f for f in document["features"] if f["assets"])
    item["properties"][ASSETS_PROPERTY] = {"visual": {"href": "/etc/hostname", "roles": ["visual"]}}  # not trusted
    item["properties"][LOCAL_ASSETS_PROPERTY] = True
    other = json.loads(json.dumps(item))
    other["id"] = "LOCAL_PATH"
    other["assets"] = {"visual": {"href": "file:///etc/hostname", "roles": ["visual"]}}
    body = json.dumps({"type": "FeatureCollection", "features": [item, other]})
    httpserver.expect_request("/demo/catalogues/c.geojson").respond_with_data(body, content_type="application/json")
    url = httpserver.url_for("/demo/catalogues/c.geojson")
    found = {f.item_id: f for f in load_catalogue(url, HttpTransport(sleep=lambda s: None))}
    remote = found[item["id"]]
    base = httpserver.url_for("/demo/scenes/")
    assert remote.thumbnail_url == f"{base}{item['id']}_thumb.png"
    access = sources.get("static").scene_access(remote, "", None, None, never, lambda f: None)
    assert access.gdal_path == f"/vsicurl/{base}{item['id']}.tif"
    with pytest.raises(BaiMeiError, match="no visual image"):
        sources.get("static").scene_access(found["LOCAL_PATH"], "", None, None, never, lambda f: None)


def test_a_stac_api_record_is_fetched_and_its_relative_asset_resolved(httpserver):
    record = {"type": "Feature", "id": "S2", "assets": {"visual": {"href": "../data/S2/TCI.tif", "roles": ["visual"]}}}
    httpserver.expect_request("/collections/s2/items/S2").respond_with_json(record)
    footprint = load_catalogue_item(httpserver.url_for("/collections/s2/items/S2"))
    access = sources.get("stac").scene_access(
        footprint, "", None, HttpTransport(sleep=lambda s: None), never, lambda f: None
    )
    assert access.gdal_path == "/vsicurl/" + httpserver.url_for("/collections/s2/data/S2/TCI.tif")
    signed = dict(record, assets={"visual": {"href": "https://blob.invalid/TCI.tif?sig=SECRET&se=2030", "roles": []}})
    httpserver.clear()
    httpserver.expect_request("/collections/s2/items/S2").respond_with_json(signed)
    with pytest.raises(BaiMeiError, match="signed address") as raised:
        sources.get("stac").scene_access(footprint, "", None, HttpTransport(sleep=lambda s: None), never, print)
    assert "SECRET" not in raised.value.message


def load_catalogue_item(self_url):
    from bai_mei_plugin.core.footprints import footprint_from_stac_item

    item = {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "S2",
        "geometry": {"type": "Point", "coordinates": [125.4, 38.7]},
        "properties": {"datetime": "2017-06-16T02:10:00Z", ASSETS_PROPERTY: {"visual": {"href": "/etc/hostname"}}},
        "links": [{"rel": "self", "href": self_url}],
    }
    return footprint_from_stac_item(item, "STAC")


def test_an_overview_picture_is_the_preview_when_there_is_no_thumbnail(tmp_path):
    item = {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "OVERVIEW_ONLY",
        "geometry": {"type": "Point", "coordinates": [125.4, 38.7]},
        "properties": {"datetime": "2017-06-16T02:10:00Z"},
        "assets": {
            "analytic": {"href": "img/a.tif", "type": "image/tiff; application=geotiff", "roles": ["overview"]},
            "quicklook": {"href": "img/a.jpg", "type": "image/jpeg", "roles": ["overview"]},
        },
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [item]}))
    (footprint,) = load_catalogue(str(path))
    assert footprint.thumbnail_url == str(tmp_path / "img" / "a.jpg")


def test_a_stac_api_thumbnail_relative_to_its_record_is_made_absolute():
    from bai_mei_plugin.core.footprints import footprint_from_stac_item
    from bai_mei_plugin.services.sources.stac import resolve_thumbnail

    item = {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "REL",
        "geometry": {"type": "Point", "coordinates": [125.4, 38.7]},
        "properties": {"datetime": "2017-06-16T02:10:00Z"},
        "links": [{"rel": "self", "href": "https://stac.invalid/v1/collections/c/items/REL"}],
        "assets": {"thumbnail": {"href": "./REL/thumb.png"}},
    }
    footprint = footprint_from_stac_item(item, "STAC")
    resolve_thumbnail(footprint)
    assert footprint.thumbnail_url == "https://stac.invalid/v1/collections/c/items/REL/thumb.png"
