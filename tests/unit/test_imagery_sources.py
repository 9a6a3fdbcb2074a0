"""The imagery sources registry: every source has a stable id, a label, form fields and a search; stored labels of
older versions map to ids; a source registered by one module is searched without touching the search code."""

from collections import Counter

import pytest
from shapely.geometry import Point, box

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.footprints import Footprint
from bai_mei_plugin.services import sources
from bai_mei_plugin.services.search import SearchArea, search_areas
from bai_mei_plugin.services.sources import FormFields, ImagerySource


def test_every_source_has_an_id_a_label_form_fields_and_a_search():
    found = sources.all_sources()
    assert len(found) >= 3
    assert len({s.id for s in found}) == len(found) and len({s.label for s in found}) == len(found)
    assert len({s.order for s in found}) == len(found)
    for source in found:
        assert source.id and source.id == source.id.lower() and " " not in source.id
        assert source.label and source.help
        assert isinstance(source.fields, FormFields)
        assert source.fields.collections_label and source.fields.login_hint
        assert source.fields.default_address(), f"{source.id} offers no address to start from"
        assert type(source).searcher is not ImagerySource.searcher, f"{source.id} cannot search"


def test_the_first_sources_keep_their_place_for_saved_processing_models():
    assert sources.ids()[:3] == ["stac", "planet", "static"]


def test_form_fields_describe_each_source():
    stac, planet, static = (sources.get(i).fields for i in ("stac", "planet", "static"))
    assert "https://earth-search.aws.element84.com/v1" == stac.default_address()
    assert stac.lists_collections and not stac.known_collections and not stac.address_is_file
    assert planet.collections_label == "Item types" and planet.collections_default == "PSScene, SkySatCollect"
    assert ("PSScene", "PlanetScope scene (3 to 8 bands, about 3 m)") in planet.known_collections
    assert static.address_is_file and not static.lists_collections and not static.known_collections
    assert static.default_address().endswith("bai_mei_8_synthetic.geojson")


def test_stored_labels_of_older_versions_are_read_as_ids():
    assert sources.id_of("STAC API") == "stac"
    assert sources.id_of("Planet Data API") == "planet"
    assert sources.id_of("Static catalogue (file or URL)") == "static"
    assert sources.id_of("static") == "static"
    assert sources.id_of("Sentinel Hub") is None and sources.id_of(None) is None


def test_an_unknown_source_names_the_known_ones():
    with pytest.raises(BaiMeiError) as raised:
        sources.get("sentinelhub")
    assert "'sentinelhub'" in raised.value.message and "stac (STAC API)" in raised.value.message


def test_no_source_refuses_a_scene_up_front_planet_activates_it_at_add_to_map():
    assert all(sources.get(s).scene_refusal("20170616_021000_ssc1") is None for s in ("planet", "stac", "static"))
    assert type(sources.get("planet")).scene_access is not sources.ImagerySource.scene_access


def test_planet_without_a_key_says_what_to_configure():
    with pytest.raises(BaiMeiError, match="needs an API key"):
        search_areas("planet", "", [SearchArea(box(0, 0, 1, 1), 0, 1)])


def test_a_registered_source_is_searched_without_changing_the_search(monkeypatch):
    seen = []

    class Scenes(ImagerySource):
        id, label, order, help = "scenes_test", "Test scenes", 999, "test"
        fields = FormFields(addresses=lambda: [("test://scenes", "test")])

        def searcher(self, url, credentials, transport, is_canceled, notes):
            notes.append(f"asked {url}")

            def search(query, progress):
                seen.append((query.start, query.end, query.max_items))
                scene = Footprint(self.label, "s1", "test", 15, None, None, None, None, box(0, 0, 2, 2), "")
                return [scene], False, Counter()

            return search

    monkeypatch.setitem(sources._SOURCES, "scenes_test", Scenes())
    assert sources.ids()[-1] == "scenes_test"
    found, summary = search_areas("scenes_test", "test://x", [SearchArea(Point(1, 1), 10, 20)], max_items=7)
    assert seen == [(10, 20, 7)]
    assert [f.footprint.item_id for f in found] == ["s1"] and found[0].covers_aoi
    assert summary["notes"] == ["asked test://x"] and summary["searches"] == 1


def test_two_sources_cannot_share_an_id(monkeypatch):
    class Other(ImagerySource):
        id, label = "stac", "Another STAC"

    monkeypatch.setattr(sources, "_SOURCES", dict(sources._SOURCES))
    with pytest.raises(ValueError, match="Two imagery sources"):
        sources.register(Other())


def test_planet_has_a_previews_origin_beside_its_api_other_sources_none():
    planet, stac, static = (sources.get(i) for i in ("planet", "stac", "static"))
    assert planet.fields.previews_label and planet.fields.previews_default == "https://tiles.planet.com"
    assert planet.previews_origin("") == "https://tiles.planet.com"  # the default when the field is empty
    # only the origin is kept of what the analyst typed: a path or a query (a key) never goes further
    typed = "https://tiles.example.com:8443/data/v1/?api_key=PLAK-secret"
    assert planet.previews_origin(typed) == "https://tiles.example.com:8443"
    assert planet.previews_origin("http://127.0.0.1:8081/x", "http://127.0.0.1:8080/data/v1") == "http://127.0.0.1:8081"
    assert stac.previews_origin("https://tiles.planet.com") == "" and static.previews_origin("x") == ""


@pytest.mark.parametrize(
    "typed, api, message",
    [
        ("tiles.planet.com", "", "not an http\\(s\\) address"),
        ("file:///tmp/tiles", "", "not an http\\(s\\) address"),
        ("http://tiles.planet.com", "https://api.planet.com/data/v1", "unencrypted"),
        ("http://tiles.planet.com", "", "unencrypted"),  # the default API address is https
    ],
)
def test_a_previews_address_the_key_could_not_safely_go_to_is_refused(typed, api, message):
    with pytest.raises(BaiMeiError, match=message):
        sources.get("planet").previews_origin(typed, api)


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://tiles.planet.com/data/v1/item-types/PSScene/items/x/thumb", "https://tiles.planet.com"),
        ("HTTPS://Tiles.Planet.com:443/", "https://tiles.planet.com"),
        ("http://127.0.0.1:8080/a?b=c", "http://127.0.0.1:8080"),
        ("http://[::1]:9000/", "http://[::1]:9000"),
        ("ftp://tiles.planet.com", ""),
        ("/tmp/catalogue.json", ""),
        ("", ""),
    ],
)
def test_origin_address(url, origin):
    assert sources.origin_address(url) == origin
