"""The Vessels page inside the whole dock: a file loaded as an analyst would, a saved sanctions list marks the
listed vessel (Listed column, red) and puts it on the map in the source's group."""

import os

import pytest
from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import Qt

from bai_mei_plugin.core.watchlists import Watchlist, WatchlistEntry
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.qgis_io import watchlist_store
from bai_mei_plugin.qgis_io.watchlist_store import save_watchlist
from tests.qgis.test_dock import canvas, load  # noqa: F401 (fixture)


@pytest.fixture
def profile(tmp_path, monkeypatch):
    folder = str(tmp_path / "profile") + os.sep
    monkeypatch.setattr(QgsApplication, "qgisSettingsDirPath", staticmethod(lambda: folder))
    watchlist_store._CACHE.clear()
    return folder


@pytest.fixture
def dock(qgis_iface, qgis_new_project, canvas, qtbot, profile):  # noqa: F811
    qgis_iface.messageBar().clear_messages()
    QgsSettings().remove("bai_mei")
    # vessel "TWO" of voyage_csv (MMSI 367000002) is on a list by its MMSI, before the dock starts
    entry = WatchlistEntry("T-2", "SOMETHING ELSE", mmsi=367000002)
    save_watchlist(Watchlist("Test list", "2024-01-31", "test.csv", "2024-02-01T00:00:00+00:00", [entry]))
    widget = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.unload()


def test_loaded_vessel_on_a_list_is_marked_in_the_table_and_on_the_map(dock, qtbot, voyage_csv):
    assert dock.watchlistLabel.text() == "Lists: Test list (2024-01-31)"
    load(dock, qtbot, voyage_csv)
    assert list(dock.session.watchlist_matches) == [367000002]
    model = dock.vessels.model
    titles = [c[0] for c in model.COLUMNS]
    rows = {r.mmsi: i for i, r in enumerate(model.records)}
    listed = model.index(rows[367000002], titles.index("Listed"))
    assert model.data(listed) == "Test list"
    assert model.data(listed, Qt.ForegroundRole) is not None
    assert model.data(model.index(rows[367000001], titles.index("Listed"))) == ""
    group = QgsProject.instance().layerTreeRoot().findGroup("voyage.csv")
    assert "Listed vessels" in [node.layer().name() for node in group.findLayers()]
    layer = dock.session.extra["listed_vessels"]
    (feature,) = layer.getFeatures()
    assert feature["label"] == "TWO (Test list)" and feature["mmsi"] == 367000002


def test_worst_gap_fills_in_when_the_gaps_are_scored(dock, qtbot, voyage_csv):
    load(dock, qtbot, voyage_csv)
    qtbot.waitUntil(lambda: bool(dock.session.scores) and dock.gaps.scoring.task is None, timeout=30000)
    model = dock.vessels.model
    titles = [c[0] for c in model.COLUMNS]
    rows = {r.mmsi: i for i, r in enumerate(model.records)}
    (score,) = dock.session.scores.values()  # voyage_csv has one gap, vessel 367000001's
    worst = model.data(model.index(rows[367000001], titles.index("Worst gap")))
    assert worst == f"{score.level} ({score.points:g})"
    assert model.data(model.index(rows[367000002], titles.index("Worst gap"))) == ""  # no gap, no score
