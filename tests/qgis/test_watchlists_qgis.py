"""Sanctions lists in the user's QGIS profile (a temporary one here) and the "Listed vessels" map layer."""

import json
import os

import pytest
from qgis.core import QgsApplication, QgsWkbTypes

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.watchlists import WatchlistMatcher, read_watchlist
from bai_mei_plugin.qgis_io import watchlist_store
from bai_mei_plugin.qgis_io.listed_vessels import listed_vessels_layer
from bai_mei_plugin.qgis_io.watchlist_store import remove_watchlist, save_watchlist, saved_watchlists, store_folder
from tests.support import ROOT
from tests.unit.test_watchlists import _reports

DATA = ROOT / "tests" / "data" / "watchlists"


@pytest.fixture
def profile(tmp_path, monkeypatch):
    """QGIS's settings folder (the profile) moved to a temporary folder: the lists never touch the user's."""
    folder = str(tmp_path / "profile") + os.sep
    monkeypatch.setattr(QgsApplication, "qgisSettingsDirPath", staticmethod(lambda: folder))
    watchlist_store._CACHE.clear()
    return folder


def test_store_round_trip_in_the_profile(profile):
    assert saved_watchlists() == []
    wl = read_watchlist(DATA / "generic_list_2024-05-17.csv", name="Test list")
    path = save_watchlist(wl)
    assert store_folder() == os.path.join(profile, "bai_mei", "watchlists")
    assert os.path.dirname(path) == store_folder() and path.endswith(".json")
    assert os.listdir(store_folder()) == [os.path.basename(path)]  # no temporary file left behind
    watchlist_store._CACHE.clear()  # read back from the file, not the cache
    (back,) = saved_watchlists()
    assert back == wl
    assert (back.name, back.published, back.source) == ("Test list", "2024-05-17", "generic_list_2024-05-17.csv")
    assert back.imported.endswith("+00:00")


def test_same_name_replaces_and_other_names_add(profile):
    first = read_watchlist(DATA / "generic_list_2024-05-17.csv", name="Mine")
    save_watchlist(first)
    second = read_watchlist(DATA / "latin1_list.csv", name="Mine", published="2025-01-02")
    save_watchlist(second)
    save_watchlist(read_watchlist(DATA / "opensanctions_maritime.csv", name="mine!"))  # differs only in punctuation
    lists = saved_watchlists()
    assert [(wl.name, wl.published, len(wl.entries)) for wl in lists] == [("Mine", "2025-01-02", 2), ("mine!", None, 3)]
    remove_watchlist("Mine")
    assert [wl.name for wl in saved_watchlists()] == ["mine!"]
    remove_watchlist("Mine")  # already gone: nothing to do


def test_a_damaged_file_is_reported_and_the_others_still_load(profile):
    save_watchlist(read_watchlist(DATA / "latin1_list.csv", name="Good"))
    with open(os.path.join(store_folder(), "bad_00000000.json"), "w", encoding="utf-8") as handle:
        json.dump({"name": "Bad", "entries": [{"entry_id": "1", "name": "X", "imo": "12"}]}, handle)
    problems = []
    assert [wl.name for wl in saved_watchlists(problems)] == ["Good"]
    assert problems == ["The saved sanctions list bad_00000000.json cannot be read: entry 1: IMO '12' is not 7 digits."]


def test_save_into_an_unwritable_place_is_a_clear_error(profile):
    os.makedirs(os.path.join(profile, "bai_mei"))
    with open(os.path.join(profile, "bai_mei", "watchlists"), "w") as handle:  # a file where the folder should be
        handle.write("x")
    with pytest.raises(BaiMeiError, match="Cannot create the folder for sanctions lists"):
        save_watchlist(read_watchlist(DATA / "latin1_list.csv"))


def test_listed_vessels_layer_red_points_labelled_from_a_field():
    cols = _reports()
    matches = WatchlistMatcher([read_watchlist(DATA / "generic_list_2024-05-17.csv", name="TEST")]).match_reports(cols)
    layer = listed_vessels_layer(cols, matches)
    assert layer.isValid() and layer.name() == "Listed vessels" and layer.featureCount() == 3
    assert QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.PointGeometry
    features = {f["mmsi"]: f for f in layer.getFeatures()}
    two = features[222222222]
    assert (two.geometry().asPoint().x(), two.geometry().asPoint().y()) == (121.5, 31.5)
    assert two["label"] == "omega star (TEST)" and 'matched by former name "OMEGA STAR"' in two["matches"]
    assert listed_vessels_layer(cols, {}) is None

    from bai_mei_plugin.qgis_io.styles import apply_style

    assert apply_style(layer, "listed_vessels")
    settings = layer.labeling().settings()
    assert layer.labelsEnabled() and settings.fieldName == "label" and not settings.isExpression
    assert not settings.format().allowHtmlFormatting()
    assert layer.renderer().symbol().color().name() == "#dc0000"
    assert not layer.temporalProperties().isActive()  # a listed vessel stays marked whatever the time window
