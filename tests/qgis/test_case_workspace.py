"""The case workspace: every layer the dock makes is written into the case GeoPackage as it is made; the project
remembers the case, and reading the project (or opening the case after a crash) brings the panel's state back."""

import os
import sqlite3

import pytest
from qgis.core import Qgis, QgsProject

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.qgis_io.case_workspace import Case, made_by, remembered_case, write_vector
from tests.qgis.test_analysis_page import run, settle
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)
from tests.qgis.test_gap_scoring_dock import cell, scored, scored_world, shown  # noqa: F401
from tests.qgis.test_review_queue import select

HOSTILE = "x'); DROP TABLE case_info; --"


def build_case(dock, qtbot, path, csv):
    """New case, load, every gap scored, the first gap escalated with a note, reachability of the selected gap."""
    case = dock.case_bar.new_case(str(path))
    load(dock, qtbot, csv)
    scored(dock, qtbot)
    select(dock, 0)
    dock.reviewNoteEdit.setText(HOSTILE)
    dock.escalateButton.click()
    dock.gapTable.selectRow(0)
    settle(dock, qtbot)
    run(dock, qtbot, dock.analysis.page.reachButton)
    return case


def case_sources(session):
    return sorted(layer.source() for layer in [*session.layers(), *session.extra.values()])


def state(dock):
    """What the analyst sees: the gaps (in table order) with scores and reviews, and the selected gap."""
    gaps = shown(dock)
    rows = [(g.gap_id, cell(dock, r, "Suspicion"), cell(dock, r, "Review")) for r, g in enumerate(gaps)]
    selected = dock.gaps.selected_gap()
    return rows, selected.gap_id if selected else None


def other_dock(qgis_iface, qtbot):
    widget = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(widget)
    return widget


def test_layers_are_written_into_the_case_as_made_and_come_back_with_the_project(
    dock, qtbot, scored_world, tmp_path, qgis_iface
):
    path = tmp_path / "bai mei 8.gpkg"
    case = build_case(dock, qtbot, path, scored_world)
    session = dock.session
    assert dock.caseLabel.text() == "Case: bai mei 8"
    # every layer the panel made reads from the case GeoPackage, none from memory
    made = [*session.layers(), *session.extra.values()]
    assert {"gaps", "tracks", "reach_areas"} <= set(case.layers()) and "reach_areas" in session.extra
    assert all(layer.providerType() == "ogr" and case.holds(layer) for layer in made)
    # scores and reviews are in the GeoPackage's gaps table itself
    by_id = {f["gap_id"]: f for f in case.open_layer(case.layers()["gaps"]).getFeatures()}
    first = shown(dock)[0]
    assert by_id[first.gap_id]["review_status"] == "escalated" and by_id[first.gap_id]["review_note"] == HOSTILE
    assert all(f["suspicion"] is not None for f in by_id.values())
    info = case.info()
    assert info["source"] == scored_world and info["criteria"]["min_gap_hours"] > 0 and info["selected_gap"]
    before = state(dock), case_sources(session)
    project = QgsProject.instance()
    assert remembered_case(project) == case.path
    project_path = str(tmp_path / "case.qgz")
    assert project.write(project_path)
    project.clear()
    assert session.result is None and session.case is None and dock.gaps.model.rowCount() == 0
    assert project.read(project_path)
    # the panel is back from the project and the case: the same layers (no duplicates), gaps, scores, reviews
    assert session.case is not None and session.case.path == case.path
    scored(dock, qtbot)
    assert (state(dock), case_sources(session)) == before
    assert len([lyr for lyr in project.mapLayers().values() if case.holds(lyr)]) == len(before[1])  # no duplicates
    # the reports came from the case, not the AIS file: re-run works even with the file gone
    os.remove(scored_world)
    assert session.engine.columns is not None and len(session.engine.columns) > 0


def test_each_layer_of_the_case_keeps_the_source_and_parameters_that_made_it(dock, qtbot, scored_world, tmp_path):
    case = build_case(dock, qtbot, tmp_path / "made.gpkg", scored_world)
    layers = case.layers()
    criteria = dock.tracks.criteria_source()
    for kind in ("gaps", "tracks"):
        made = layers[kind].params
        assert made["made_by"] == "dark gaps" and made["source"] == scored_world, (kind, made)
        assert made["criteria"]["min_gap_hours"] == criteria.min_gap_hours
        assert made["engine"] == "InMemoryGapEngine"
    gap = dock.gaps.selected_gap()
    for kind in ("reach_areas", "candidate_visits"):
        made = layers[kind].params
        assert made["made_by"] == "reachability" and made["gap_id"] == gap.gap_id, (kind, made)
        assert made["max_speed_kn"] > 0 and "ports of the bundled gazetteer" in made["ports"]
    # the layer shown (read from the case) records it too, and a reopened case gives it back
    shown_areas = dock.session.extra["reach_areas"]
    assert made_by(shown_areas) == layers["reach_areas"].params
    assert made_by(Case(case.path).open_layer(Case(case.path).layers()["gaps"]))["source"] == scored_world


def test_a_killed_session_loses_nothing_already_made(dock, qtbot, scored_world, tmp_path, qgis_iface):
    path = tmp_path / "killed.gpkg"
    case = build_case(dock, qtbot, path, scored_world)
    before = state(dock)
    kinds = set(case.layers())
    # "killed": no project saved, the dock dropped without unload, QGIS's project gone
    dock.session.case = None  # the dead session must not write into the case any more
    QgsProject.instance().clear()
    again = other_dock(qgis_iface, qtbot)
    try:
        again.case_bar.open_case(str(path))
        scored(again, qtbot)
        assert set(Case.open(str(path)).layers()) == kinds
        assert {kind for kind in ("gaps", "tracks") if getattr(again.session, f"{kind}_layer") is not None} == {
            "gaps",
            "tracks",
        }
        assert "reach_areas" in again.session.extra
        assert state(again) == before  # the reviews came back from the layer, the selected gap from the case
        review = again.gaps.reviews.reviews[before[0][0][0]]
        assert review.status == "escalated" and review.note == HOSTILE
        # the hostile note is stored as text: the case's tables are intact
        with sqlite3.connect(str(path)) as db:
            assert db.execute("SELECT count(*) FROM case_info").fetchone()[0] > 0
    finally:
        again.unload()


def test_a_crash_while_writing_leaves_an_orphan_that_is_dropped(tmp_path, qgis_new_project):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    case = Case.create(str(tmp_path / "c.gpkg"))
    memory = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string", HOSTILE, "memory")
    feature = QgsFeature(memory.fields())
    feature.setAttributes([HOSTILE])
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(1, 2)))
    memory.dataProvider().addFeatures([feature])
    kept = case.persist(memory, "sightings")
    assert kept.name() == HOSTILE and next(kept.getFeatures())["name"] == HOSTILE
    # a write that never became current (a crash before the switch): an orphan table
    from qgis.core import QgsVectorFileWriter

    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName = "GPKG", "sightings_deadbeef"
    options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
    write_vector(memory, case.path, options)
    del kept
    reopened = Case.open(case.path)
    assert [e.name for e in reopened.layers().values()] == [HOSTILE]
    with sqlite3.connect(case.path) as db:
        tables = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
    assert "sightings_deadbeef" not in tables and reopened.layers()["sightings"].table in tables


def test_opening_a_file_that_is_not_a_case_names_it(tmp_path):
    with pytest.raises(BaiMeiError, match="does not exist"):
        Case.open(str(tmp_path / "nowhere.gpkg"))
    other = tmp_path / "plain.gpkg"
    with sqlite3.connect(str(other)) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(BaiMeiError, match="plain.gpkg is not a Bai Mei case: it lacks the table"):
        Case.open(str(other))


def offers(bar):
    from qgis.PyQt.QtWidgets import QPushButton

    return [b for item in bar.items() for b in item.findChildren(QPushButton) if b.text() == "New case…"]


def test_without_a_case_layers_stay_in_memory_and_a_case_is_offered_once(dock, qtbot, scored_world, qgis_iface):
    bar = qgis_iface.messageBar()
    bar.clearWidgets()
    load(dock, qtbot, scored_world)
    assert dock.session.gaps_layer.providerType() == "memory" and dock.session.case is None
    assert len(offers(bar)) == 1 and "in memory only" in bar.items()[-1].text()
    load(dock, qtbot, scored_world)
    assert len(offers(bar)) == 1  # once, not after every load


def test_sightings_live_in_the_case_and_come_back_with_it(dock, qtbot, scored_world, tmp_path, qgis_iface):
    from bai_mei_plugin.qgis_io.sightings_layer import add_sighting

    path = tmp_path / "sightings case.gpkg"
    case = build_case(dock, qtbot, path, scored_world)
    dock.annotate.page.newLayerButton.click()  # with a case open: no file dialog, a table of the case
    layer = dock.annotate.layer()
    assert layer is not None and case.holds(layer) and layer.source().endswith("|layername=sightings")
    add_sighting(layer, 125.4, 38.7, {"observed_at": 1497600000, "hull_colour": "black"})
    run(dock, qtbot, dock.analysis.page.reachButton)  # the case writes again while the sightings table is open
    assert Case.open(str(path)).drop_orphans() == []  # the sightings (and QGIS's layer_styles) are not orphans
    # New sightings layer… again opens the case's own table instead of refusing or making a second one
    dock.annotate.page.newLayerButton.click()
    source = layer.source()
    assert dock.annotate.layer().source() == source
    assert len([lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source() == source]) == 1
    QgsProject.instance().clear()
    again = other_dock(qgis_iface, qtbot)
    try:
        again.case_bar.open_case(str(path))
        back = again.annotate.layer()
        assert back is not None and back.source() == source
        assert [f["hull_colour"] for f in back.getFeatures()] == ["black"]
    finally:
        again.unload()


def test_open_sightings_layer_reads_one_made_before_and_names_a_file_without_one(
    dock, tmp_path, qgis_iface, monkeypatch
):
    from qgis.PyQt.QtWidgets import QFileDialog

    from bai_mei_plugin.qgis_io.sightings_layer import add_sighting, create_sightings_layer

    made = create_sightings_layer(str(tmp_path / "earlier.gpkg"))
    add_sighting(made, 125.4, 38.7, {"observed_at": 1497600000})
    del made
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "earlier.gpkg"), ""))
    dock.annotate.page.openLayerButton.click()
    layer = dock.annotate.layer()
    assert layer is not None and layer.featureCount() == 1
    other = Case.create(str(tmp_path / "no sightings.gpkg"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (other.path, ""))
    qgis_iface.messageBar().clear_messages()
    dock.annotate.page.openLayerButton.click()
    errors = qgis_iface.messageBar().get_messages(Qgis.Critical) + qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert any("no sightings.gpkg holds no Bai Mei sightings layer" in m for m in errors), errors


def test_the_ranking_comes_back_in_the_table_with_the_case(dock, qtbot, scored_world, tmp_path, qgis_iface):
    path = tmp_path / "ranking.gpkg"
    build_case(dock, qtbot, path, scored_world)
    panel = dock.annotate
    panel.page.newLayerButton.click()
    panel.mark_tool.marked.emit(125.15, 38.70)
    if panel.form_dialog is not None:
        panel.form_dialog.close()
    panel.update_selected({"hatch_count": 5, "crane_count": 4, "hull_colour": "black", "length_m": 169.0})
    panel.identify()
    qtbot.waitUntil(lambda: panel.task is None, timeout=20000)
    shown = sorted((r.rank or 0, r.mmsi, r.name) for r in panel.model.records)
    assert shown
    QgsProject.instance().clear()
    again = other_dock(qgis_iface, qtbot)
    try:
        again.case_bar.open_case(str(path))
        assert sorted((r.rank or 0, r.mmsi, r.name) for r in again.annotate.model.records) == shown
        assert "from the case" in again.annotate.page.reasonsLabel.toolTip()
    finally:
        again.unload()
