"""The Vessels page with sanctions lists: the Listed and Worst gap columns, listed vessels in red, the "Listed
vessels" map layer, and importing / removing lists (the page alone with a real Session and QgsProject; the
whole dock is in test_vessels_page_dock.py)."""

import os
from collections import Counter
from dataclasses import dataclass

import pytest
from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDialog, QWidget

import bai_mei_plugin.gui.vessels_panel as vessels_panel
from bai_mei_plugin.core.ais.model import AisColumns, CleanResult
from bai_mei_plugin.core.gap_engine import LOADED, InMemoryGapEngine, ReportsLocation
from bai_mei_plugin.core.gaps import GapCriteria
from bai_mei_plugin.core.watchlists import read_watchlist
from bai_mei_plugin.gui.session import Session
from bai_mei_plugin.gui.vessels_panel import VesselsPanel, WatchlistsDialog
from bai_mei_plugin.qgis_io import watchlist_store
from bai_mei_plugin.qgis_io.watchlist_store import save_watchlist, saved_watchlists
from bai_mei_plugin.tasks.ais_tasks import LoadResult, gap_layers
from tests.support import ROOT

DATA = ROOT / "tests" / "data" / "watchlists"
UI = ROOT / "bai_mei_plugin" / "gui" / "vessels_page.ui"
H = 3600


@dataclass
class Score:
    """Stands for core.suspicion.GapScore: the attributes the page reads."""

    gap_id: str
    mmsi: int
    points: float
    level: str
    rank: int = 0
    tooltip: str = ""


@pytest.fixture
def profile(tmp_path, monkeypatch):
    folder = str(tmp_path / "profile") + os.sep
    monkeypatch.setattr(QgsApplication, "qgisSettingsDirPath", staticmethod(lambda: folder))
    watchlist_store._CACHE.clear()
    return folder


def reports() -> AisColumns:
    """Vessel 1 reports the IMO of the generic list's G-1 and goes dark for 10 h; vessel 2 reports a listed former
    name; vessel 3 is on no list."""
    rows = []
    for mmsi, imo, name, lon in ((111111111, "9187629", "NEW NAME", 120.0), (222222222, None, "OMEGA STAR", 121.0)):
        rows += [(mmsi, t, lon + t / 1e5, 30.0, imo, name) for t in range(0, 3 * H, 600)]
        rows += [(mmsi, t, lon + 1 + t / 1e5, 31.0, imo, name) for t in range(13 * H, 15 * H, 600)]
    rows += [(333333333, t, 125.0, 33.0, "9074729", "QUIET ONE") for t in range(0, 15 * H, 600)]
    mmsi, t, lon, lat, imo, name = zip(*rows)
    return AisColumns.build(mmsi, t, lon, lat, imo=list(imo), vessel_name=list(name))


def load(session: Session) -> None:
    cols = reports()
    engine = InMemoryGapEngine(CleanResult(cols, len(cols), Counter()), ReportsLocation(LOADED, "test", "test"))
    found = engine.find_gaps(GapCriteria())
    gaps, tracks = gap_layers(cols, found)
    session.show(
        "listed test", LoadResult(found=found, engine=engine, columns=cols, gaps_layer=gaps, tracks_layer=tracks)
    )


@pytest.fixture
def page(qgis_iface, qgis_new_project, qtbot, profile):
    qgis_iface.messageBar().clear_messages()
    form = uic.loadUiType(str(UI))[0]
    widget = QWidget()
    ui = form()
    ui.setupUi(widget)
    for name, value in vars(ui).items():  # the panel finds the page's widgets as attributes, as on the dock
        setattr(widget, name, value)
    qtbot.addWidget(widget)
    session = Session(QgsProject.instance())
    panel = VesselsPanel(widget, session, qgis_iface)
    yield widget, session, panel
    session.remove_layers()


def cell(panel, mmsi, title, role=Qt.DisplayRole):
    model = panel.model
    column = next(i for i, c in enumerate(model.COLUMNS) if c[0] == title)
    row = next(i for i, r in enumerate(model.records) if r.mmsi == mmsi)
    return model.data(model.index(row, column), role)


def test_listed_and_worst_gap_columns_and_the_map_layer(page, qtbot):
    widget, session, panel = page
    save_watchlist(read_watchlist(DATA / "generic_list_2024-05-17.csv", name="TEST LIST"))
    announced = []
    session.watchlistsChanged.connect(lambda: announced.append(True))
    load(session)
    assert announced == [True]
    assert sorted(session.watchlist_matches) == [111111111, 222222222]
    assert [panel.model.COLUMNS[i][0] for i in range(3)] == ["Vessel", "Listed", "Worst gap"]
    assert cell(panel, 111111111, "Listed") == "TEST LIST" and cell(panel, 333333333, "Listed") == ""
    tooltip = cell(panel, 222222222, "Listed", Qt.ToolTipRole)
    assert "entry G-1 &quot;ARTAVIL&quot;, matched by former name &quot;OMEGA STAR&quot;" in tooltip
    # listed vessels stand out: red and bold; others do not
    assert cell(panel, 111111111, "Vessel", Qt.ForegroundRole).color().name() == "#be0000"
    assert cell(panel, 111111111, "MMSI", Qt.FontRole).bold()
    assert cell(panel, 333333333, "Vessel", Qt.ForegroundRole) is None
    assert widget.watchlistLabel.text() == "Lists: TEST LIST (2024-05-17) — 2 vessel(s) listed"
    # the map: a "Listed vessels" layer in the source's group, one point per listed vessel
    layer = session.extra["listed_vessels"]
    assert layer.name() == "Listed vessels" and layer.featureCount() == 2
    assert session.group.findLayer(layer.id()) is not None
    # Worst gap: empty until scores arrive, then the highest-scoring gap's level and points
    assert cell(panel, 111111111, "Worst gap") == ""
    gap = session.result.found.gaps[0]
    session.scores = {
        gap.gap_id: Score(gap.gap_id, gap.mmsi, 8, "high", 1, "Suspicion high (8 pts)\non a <list>"),
        "other": Score("other", gap.mmsi, 2.5, "low", 5),
    }
    session.scoresChanged.emit()
    assert cell(panel, gap.mmsi, "Worst gap") == "high (8)"
    assert cell(panel, gap.mmsi, "Worst gap", Qt.ToolTipRole) == "Suspicion high (8 pts)<br>on a &lt;list&gt;"
    assert cell(panel, 333333333, "Worst gap") == ""


def test_sorting_by_listed_keeps_the_selection(page):
    widget, session, panel = page
    save_watchlist(read_watchlist(DATA / "generic_list_2024-05-17.csv", name="TEST LIST"))
    load(session)
    table = widget.vesselTable
    table.sortByColumn(1, Qt.DescendingOrder)
    assert [panel.proxy.record(panel.proxy.index(r, 0)).mmsi in session.watchlist_matches for r in range(3)] == [
        True,
        True,
        False,
    ]
    table.selectRow(2)
    chosen = panel.selected_vessel()
    panel.apply_matches({}, lists_changed=True)  # the lists emptied: values change, the selection stays
    assert panel.selected_vessel() is chosen
    assert "listed_vessels" not in session.extra


def test_import_through_the_dialog_then_remove(page, qgis_iface, monkeypatch):
    widget, session, panel = page
    load(session)
    assert session.watchlist_matches == {} and "listed_vessels" not in session.extra
    assert widget.watchlistLabel.text() == "No sanctions lists"
    path = str(DATA / "generic_list_2024-05-17.csv")
    monkeypatch.setattr(vessels_panel.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (path, "")))
    seen = {}

    def accept(form):
        seen["name"], seen["date"] = form.nameEdit.text(), form.dateEdit.text()
        form.nameEdit.setText("My list")
        return QDialog.Accepted

    monkeypatch.setattr(vessels_panel.ImportForm, "exec", accept)
    dialog = WatchlistsDialog(panel, widget)
    dialog.importButton.click()
    assert seen == {"name": "generic list", "date": "2024-05-17"}  # prefilled from the file
    assert [wl.name for wl in saved_watchlists()] == ["My list"]
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "2024-05-17"
    assert dialog.table.item(0, 2).text() == "5"
    assert sorted(session.watchlist_matches) == [111111111, 222222222]
    assert session.extra["listed_vessels"].featureCount() == 2
    successes = qgis_iface.messageBar().get_messages(Qgis.Success)
    assert successes[-1] == (
        "Bai Mei:Imported the sanctions list My list (2024-05-17): 5 vessels (3 with an IMO number, 2 with an "
        "MMSI); 2 vessel(s) of listed test on it."
    )
    dialog.table.selectRow(0)
    dialog.removeButton.click()
    assert saved_watchlists() == [] and dialog.table.rowCount() == 0
    assert session.watchlist_matches == {} and "listed_vessels" not in session.extra
    assert cell(panel, 111111111, "Listed") == ""


def test_a_bad_file_or_date_goes_to_the_message_bar(page, qgis_iface, tmp_path, monkeypatch):
    widget, session, panel = page
    bad = tmp_path / "owners.csv"
    bad.write_text("owner,country\nACME,Panama\n", encoding="utf-8")
    assert panel.import_file(str(bad)) is None
    warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert warnings[-1].startswith("Bai Mei:owners.csv: no IMO, MMSI or name column in the first row")

    def typed_wrong(form):
        form.dateEdit.setText("March 2023")
        return QDialog.Accepted

    monkeypatch.setattr(vessels_panel.ImportForm, "exec", typed_wrong)
    assert panel.import_file(str(DATA / "latin1_list.csv")) is None
    assert qgis_iface.messageBar().get_messages(Qgis.Warning)[-1] == (
        "Bai Mei:The published date 'March 2023' is not a date: expected YYYY-MM-DD."
    )
    assert saved_watchlists() == []
