"""Context on the live map and explanations where choices drop things, with the real dock and QgsProject: land under
the tracks once per project, the Gaps table's filter on the map (quoted, never pasted), Play voyage following the
selected vessel (others faded or hidden, remembered), what the gap criteria dropped and why, the Imagery page's
bundled default, "around a port" and its "Covers" column explained."""

import json

import pytest
from qgis.core import (
    Qgis,
    QgsDateTimeRange,
    QgsPointXY,
    QgsProject,
    QgsRenderContext,
    QgsSettings,
    QgsSymbol,
    QgsTemporalNavigationObject,
)
from qgis.PyQt.QtCore import QDateTime, Qt, QTimeZone

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.gaps import GapCriteria
from bai_mei_plugin.core.geodesy import haversine_nm
from bai_mei_plugin.core.ports import Port
from bai_mei_plugin.gui import map_view
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.gui.imagery_aoi import AOI_PORT, find_port, port_circle
from bai_mei_plugin.gui.imagery_results import COVERS_HELP, FootprintTableModel, coverage_explained
from bai_mei_plugin.gui.settings import LAND_LAYER, OTHERS_WHILE_PLAYING, SHOW_LAND, Settings
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures)

QUOTED_NAME = "O'HARA % STAR"  # a quote and a LIKE wildcard: pasted into an expression, either would break it


@pytest.fixture
def fleet_csv(write_file, mc_rows):
    """Three vessels, each with one silence: ONE 10 h (at 30N 90W), TWO 7 h (29N 88W), O'HARA % STAR 14 h (28N 86W)."""
    rows = []
    for mmsi, name, lat, lon, silence_h in (
        (367000001, "ONE", 30.0, -90.0, 10),
        (367000002, "TWO", 29.0, -88.0, 7),
        (367000003, QUOTED_NAME, 28.0, -86.0, 14),
    ):
        for minute in range(0, 120, 10):
            rows.append(
                (mmsi, f"2020-06-01T{minute // 60:02d}:{minute % 60:02d}:00", lat, lon + minute / 1000, 10, 90, name, 6)
            )
        for minute in range(0, 120, 10):
            hour = 2 + silence_h + minute // 60
            rows.append(
                (
                    mmsi,
                    f"2020-06-{1 + hour // 24:02d}T{hour % 24:02d}:{minute % 60:02d}:00",
                    lat + 0.5,
                    lon + 0.5,
                    10,
                    90,
                    name,
                    6,
                )
            )
    rows.sort(key=lambda r: r[1])
    return write_file("fleet.csv", mc_rows(rows))


def shown_on_map(layer, field):
    return sorted(feature[field] for feature in layer.getFeatures())


# --- land under the tracks -------------------------------------------------------------------------------------------
def test_land_is_drawn_under_the_tracks_from_the_first_load_once_per_project(dock, qtbot, fleet_csv):
    project = QgsProject.instance()
    load(dock, qtbot, fleet_csv)
    lands = map_view.land_layers(project)
    assert len(lands) == 1
    land = lands[0]
    assert land.isValid() and land.featureCount() > 100  # QGIS's world map: the countries
    assert land.name() == "Land (Natural Earth)"
    root = project.layerTreeRoot()
    assert root.children()[-1].layer() is land  # last in the tree: drawn under the tracks and gaps
    colour = land.renderer().symbol().color()
    assert (colour.red(), colour.green(), colour.blue()) == (236, 232, 220)  # resources/styles/land.qml
    load(dock, qtbot, fleet_csv)  # a second load: the same land, not a second one
    assert map_view.land_layers(project) == [land]


def test_the_analysts_land_layer_is_used_and_land_can_be_turned_off(dock, qtbot, fleet_csv, write_file):
    island = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-91, 27], [-85, 27], [-85, 29], [-91, 29], [-91, 27]]],
                },
            }
        ],
    }
    path = write_file("my_land.geojson", json.dumps(island))
    Settings().set_value(LAND_LAYER, path)
    load(dock, qtbot, fleet_csv)
    (land,) = map_view.land_layers(QgsProject.instance())
    assert land.name() == "Land" and land.source().startswith(path) and land.featureCount() == 1

    QgsProject.instance().removeMapLayer(land.id())
    Settings().set_value(SHOW_LAND, False)
    load(dock, qtbot, fleet_csv)
    assert map_view.land_layers(QgsProject.instance()) == []


def test_a_land_that_cannot_be_opened_is_said_and_the_load_still_succeeds(dock, qtbot, fleet_csv, tmp_path):
    missing = str(tmp_path / "no_such_land.gpkg")
    Settings().set_value(LAND_LAYER, missing)
    with pytest.raises(BaiMeiError, match="no_such_land.gpkg"):
        map_view.add_land(QgsProject.instance(), missing)
    load(dock, qtbot, fleet_csv)
    assert dock.gaps.proxy.rowCount() == 3 and map_view.land_layers(QgsProject.instance()) == []


# --- the table's filter filters the map ------------------------------------------------------------------------------
def test_the_gaps_filter_filters_the_map_with_quoted_values(dock, qtbot, fleet_csv):
    load(dock, qtbot, fleet_csv)
    gaps, tracks = dock.session.gaps_layer, dock.session.tracks_layer
    assert len(shown_on_map(gaps, "gap_id")) == 3
    dock.filterEdit.setText("o'hara %")  # the quote and the % are text to find, not syntax
    qtbot.waitUntil(lambda: gaps.subsetString() != "", timeout=3000)
    assert shown_on_map(gaps, "mmsi") == [367000003]
    assert set(shown_on_map(tracks, "mmsi")) == {367000003}  # a typed name shows only that vessel's tracks
    assert "O'HARA" not in gaps.subsetString()  # values come from the table's records, quoted
    dock.filterEdit.setText("")
    dock.filterHoursSpin.setValue(9)  # the hours filter: ONE (10 h) and O'HARA (14 h)
    qtbot.waitUntil(lambda: len(shown_on_map(gaps, "mmsi")) == 2, timeout=3000)
    assert shown_on_map(gaps, "mmsi") == [367000001, 367000003]
    assert tracks.subsetString() == ""  # the tracks stay as context unless a name or MMSI is typed
    dock.filterHoursSpin.setValue(20)  # nothing left: the map shows nothing, not everything
    qtbot.waitUntil(lambda: shown_on_map(gaps, "mmsi") == [], timeout=3000)
    dock.filterHoursSpin.setValue(0)
    qtbot.waitUntil(lambda: gaps.subsetString() == "", timeout=3000)
    assert len(shown_on_map(gaps, "gap_id")) == 3


def test_membership_subset_is_sql_for_a_file_layer_and_a_map_lookup_for_memory(dock, qtbot, fleet_csv):
    load(dock, qtbot, fleet_csv)
    memory = dock.session.gaps_layer
    assert map_view.membership_subset(memory, "gap_id", ["a'b"]) == "map_get(map('a''b',1), to_string(\"gap_id\")) = 1"

    class FileLayer:
        def providerType(self):  # noqa: N802 (QGIS API)
            return "ogr"

    assert map_view.membership_subset(FileLayer(), "gap_id", ["a'b", "c"]) == "\"gap_id\" IN ('a''b','c')"
    assert map_view.membership_subset(FileLayer(), "mmsi", []) == '"mmsi" IS NULL'


# --- Play voyage follows the selected vessel -------------------------------------------------------------------------
def opacity_expressions(layer):
    symbols = layer.renderer().symbols(QgsRenderContext())
    return {
        s.dataDefinedProperties().property(QgsSymbol.PropertyOpacity).expressionString()
        if s.dataDefinedProperties().isActive(QgsSymbol.PropertyOpacity)
        else ""
        for s in symbols
    }


def utc_range(start, end):
    return QgsDateTimeRange(
        QDateTime.fromSecsSinceEpoch(int(start), QTimeZone.utc()),
        QDateTime.fromSecsSinceEpoch(int(end), QTimeZone.utc()),
    )


def test_play_voyage_fades_the_others_follows_the_vessel_and_restores(dock, qtbot, fleet_csv, canvas):
    load(dock, qtbot, fleet_csv)
    tracks = dock.session.tracks_layer
    assert opacity_expressions(tracks) == {""}
    row = dock.gaps.proxy.proxy_row_of(lambda g: g.mmsi == 367000002)
    dock.gapTable.selectRow(row)
    dock.playButton.click()
    qtbot.waitUntil(lambda: dock.gaps.focus is not None and dock.gaps.focus.active, timeout=3000)
    assert canvas.temporalController().navigationMode() == QgsTemporalNavigationObject.Animated
    assert opacity_expressions(tracks) == {'if("mmsi" = 367000002, 100, 15)'}  # the others faded
    assert opacity_expressions(dock.session.gaps_layer) == {'if("mmsi" = 367000002, 100, 15)'}
    canvas.temporalController().pause()

    # the choice changes what is playing now and is remembered
    dock.othersCombo.setCurrentIndex(dock.othersCombo.findData(map_view.OTHERS_HIDDEN))
    assert opacity_expressions(tracks) == {'if("mmsi" = 367000002, 100, 0)'}
    assert QgsSettings().value("bai_mei/" + OTHERS_WHILE_PLAYING) == "hidden"

    # the map follows the vessel: a frame where it is far from the map's centre pans to it
    canvas.setExtent(canvas.extent().buffered(-canvas.extent().width() * 0.3))
    canvas.setCenter(QgsPointXY(0.0, 0.0))
    gap = dock.gaps.selected_gap()
    focus = dock.gaps.focus
    lon, lat = map_view.position_at(focus.times, focus.lons, focus.lats, gap.on_time + 3600)
    assert not canvas.extent().contains(lon, lat)
    focus.follow(utc_range(gap.on_time, gap.on_time + 3600))
    assert canvas.extent().contains(lon, lat)

    # a gap selected shows a fixed range: the voyage ends and the layers' own look comes back
    dock.gapTable.clearSelection()
    dock.gapTable.selectRow(row)
    assert not dock.gaps.focus or not dock.gaps.focus.active
    assert opacity_expressions(tracks) == {""}


def test_the_others_choice_is_remembered_by_a_new_dock(dock, qtbot, qgis_iface):
    dock.othersCombo.setCurrentIndex(dock.othersCombo.findData(map_view.OTHERS_SHOWN))
    assert Settings().value(OTHERS_WHILE_PLAYING) == "shown"
    second = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(second)
    try:
        assert second.othersCombo.currentData() == "shown"
    finally:
        second.unload()


def test_position_at_interpolates_between_reports():
    times, lons, lats = [0, 3600], [10.0, 11.0], [50.0, 52.0]
    assert map_view.position_at(times, lons, lats, 1800) == (10.5, 51.0)
    assert map_view.position_at(times, lons, lats, -5) == (10.0, 50.0)
    assert map_view.position_at([], [], [], 0) is None


# --- what the criteria dropped and why -------------------------------------------------------------------------------
def test_the_gaps_page_and_the_message_bar_say_what_the_criteria_dropped(dock, qtbot, fleet_csv, qgis_iface):
    load(dock, qtbot, fleet_csv)
    assert dock.dropLabel.text() == ""  # the default preset (Port call, 6 h) dropped nothing
    dock.gaps.criteria_widget.set_criteria(GapCriteria(min_gap_hours=12))  # drops TWO (7 h) and ONE (10 h)
    qgis_iface.messageBar().clear_messages()
    dock.rerunButton.click()
    qtbot.waitUntil(lambda: dock.gaps.task is None, timeout=20000)
    assert dock.gaps.proxy.rowCount() == 1
    expected = "2 silences dropped by the criteria: 2 shorter than 12 h."
    assert dock.dropLabel.text() == expected
    assert any(expected in message for message in qgis_iface.messageBar().get_messages(Qgis.Success))


# --- imagery -------------------------------------------------------------------------------------------------------
PORTS = [
    Port("Nampo", "KPNAM", "KP", 38.716667, 125.4, alternate_name="Chinnampo"),
    Port("Namibe", "AOMSZ", "AO", -15.2, 12.15),
    Port("Nakhodka", "RUNJK", "RU", 42.8, 132.9),
    Port("Haiphong", "", "VN", 20.85, 106.68),
]


def test_find_port_by_locode_name_other_name_or_unique_start():
    assert find_port("KPNAM", PORTS).name == "Nampo"
    assert find_port(" kp nam ", PORTS).name == "Nampo"
    assert find_port("nampo", PORTS).name == "Nampo"
    assert find_port("Chinnampo", PORTS).name == "Nampo"
    assert find_port("Haip", PORTS).name == "Haiphong"
    with pytest.raises(Exception, match=r"'Na' matches 3 ports: Nampo \(KPNAM\), Namibe \(AOMSZ\), Nakhodka"):
        find_port("Na", PORTS)
    with pytest.raises(Exception, match="No port named or coded 'Atlantis'"):
        find_port("Atlantis", PORTS)
    with pytest.raises(Exception, match="Type a port's name or UN/LOCODE"):
        find_port("  ", PORTS)


def test_port_circle_is_the_radius_in_nautical_miles_all_round():
    circle = port_circle(PORTS[0], 20.0)
    for lon, lat in list(circle.exterior.coords)[:-1]:
        assert haversine_nm(125.4, 38.716667, lon, lat) == pytest.approx(20.0, rel=1e-6)
    with pytest.raises(Exception, match="must be more than 0 nm"):
        port_circle(PORTS[0], 0)


def test_the_imagery_form_searches_around_a_port(dock, qtbot):
    assert dock.imagerySourceCombo.currentData() == "static"  # the bundled catalogue, as the README's walkthrough
    dock.tabs.setCurrentWidget(dock.imageryPage)
    assert dock.imageryPortEdit.isHidden()
    dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData(AOI_PORT))
    assert not dock.imageryPortEdit.isHidden() and not dock.imageryPortRadiusSpin.isHidden()
    assert "UN/LOCODE" in dock.imageryAoiLabel.text()  # says what to type
    dock.imageryPortEdit.setText("KPNAM")
    dock.imageryPortRadiusSpin.setValue(30)
    assert dock.imageryAoiLabel.text() == "Within 30 nm of Nampo (KP, KPNAM)."
    geometry, _ = dock.imagery.form.aoi(None)
    assert geometry.contains(geometry.centroid) and geometry.bounds[1] < 38.716667 < geometry.bounds[3]
    dock.imagery.form.save()
    assert Settings().value("imagery/port") == "KPNAM"
    assert float(Settings().value("imagery/port_radius_nm")) == 30.0


def test_covers_is_explained_in_the_header_and_each_row():
    model = FootprintTableModel()
    column = next(i for i, (title, _, _) in enumerate(model.COLUMNS) if title == "Covers")
    assert model.headerData(column, Qt.Horizontal, Qt.ToolTipRole) == COVERS_HELP
    assert "far larger than the scene" in COVERS_HELP

    class Found:
        covers_aoi = False
        aoi_overlap_pct = 0.4

    assert coverage_explained(Found()).startswith("Shows <1 % of the search area: the area is larger than the scene")


def test_scores_reach_the_gaps_a_map_filter_hides(dock, qtbot, fleet_csv):
    from bai_mei_plugin.core.suspicion import GapScore
    from bai_mei_plugin.qgis_io.scores import write_scores

    load(dock, qtbot, fleet_csv)
    gaps = dock.session.gaps_layer
    ids = shown_on_map(gaps, "gap_id")
    dock.filterHoursSpin.setValue(20)  # the map shows none of them
    qtbot.waitUntil(lambda: shown_on_map(gaps, "mmsi") == [], timeout=3000)
    hidden = gaps.subsetString()
    write_scores(gaps, [GapScore(gap_id, 1, 42.0, "high", k + 1, []) for k, gap_id in enumerate(ids)])
    assert gaps.subsetString() == hidden  # the filter is kept
    gaps.setSubsetString("")
    assert sorted(f["suspicion"] for f in gaps.getFeatures()) == [42.0] * len(ids)
