"""The case workspace: every layer the dock makes is written into the case GeoPackage as it is made; the project
remembers the case, and reading the project (or opening the case after a crash) brings the panel's state back."""

import os
import sqlite3

import pytest
from qgis.core import QgsProject

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.qgis_io.case_workspace import Case, remembered_case, write_vector
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
