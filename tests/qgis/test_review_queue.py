"""The review queue on the Gaps page: mark gaps reviewed / dismissed / escalated with a note, filter the ones not
reviewed yet, kept in the QGIS project (saved, cleared, read back), written into the gaps layer, notes shown as text."""

import pytest
from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtCore import QItemSelectionModel, Qt

from bai_mei_plugin.core.review import Review
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.qgis_io.review import load_reviews, save_reviews
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)
from tests.qgis.test_gap_scoring_dock import cell, scored, scored_world, shown  # noqa: F401 (fixture and helpers)

HOSTILE = '<b>bold</b><img src=x onerror=alert(1)> =HYPERLINK("http://x") {{7*7}} & done'


def select(dock, *rows):
    table = dock.gapTable
    table.clearSelection()
    model = table.selectionModel()
    for row in rows:
        model.select(dock.gaps.proxy.index(row, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)


def test_mark_gaps_filter_the_unreviewed_and_write_the_layer(dock, qtbot, scored_world, qgis_iface):
    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    total = dock.gaps.proxy.rowCount()
    dock.reviewedButton.click()  # nothing selected: a hint, nothing marked
    assert any("Select one or more gaps" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    first, second = shown(dock)[:2]
    select(dock, 0, 1)
    dock.reviewNoteEdit.setText("checked both against the imagery")
    dock.escalateButton.click()
    reviews = dock.gaps.reviews.reviews
    assert set(reviews) == {first.gap_id, second.gap_id}
    assert all(r.status == "escalated" and r.note == "checked both against the imagery" for r in reviews.values())
    assert cell(dock, 0, "Review") == "escalated" and cell(dock, 1, "Review") == "escalated"
    assert "Review: escalated — checked both" in cell(dock, 0, "Vessel", Qt.ToolTipRole)
    assert QgsProject.instance().isDirty()
    assert load_reviews(QgsProject.instance()) == reviews  # kept in the project at once
    # not reviewed yet: the others
    dock.unreviewedCheck.setChecked(True)
    assert {g.gap_id for g in shown(dock)} == {g.gap_id for g in dock.gaps.model.records} - set(reviews)
    assert dock.gaps.proxy.rowCount() == total - 2
    dock.unreviewedCheck.setChecked(False)
    # the layer's review fields
    by_id = {f["gap_id"]: f for f in dock.session.gaps_layer.getFeatures()}
    assert by_id[first.gap_id]["review_status"] == "escalated"
    assert by_id[first.gap_id]["review_note"] == "checked both against the imagery"
    others = set(by_id) - set(reviews)
    assert others and all(by_id[g]["review_status"] is None for g in others)
    # dismissed through the context menu's action; then cleared
    select(dock, 0)
    assert dock.reviewNoteEdit.text() == "checked both against the imagery"  # one gap selected: its note
    dock.gaps.reviews.mark("dismissed")
    assert dock.gaps.reviews.reviews[first.gap_id].status == "dismissed"
    dock.gaps.reviews.mark(None)
    assert first.gap_id not in dock.gaps.reviews.reviews and cell(dock, 0, "Review") == ""
    assert {f["gap_id"]: f["review_status"] for f in dock.session.gaps_layer.getFeatures()}[first.gap_id] is None


def test_reviews_survive_saving_and_reopening_the_project_and_a_reload(dock, qtbot, scored_world, tmp_path, qgis_iface):
    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    select(dock, 0)
    chosen = shown(dock)[0]
    dock.reviewNoteEdit.setText("seen at Nampo on imagery")
    dock.reviewedButton.click()
    project = QgsProject.instance()
    path = str(tmp_path / "team.qgz")
    assert project.write(path)
    project.clear()
    assert dock.gaps.reviews.reviews == {} and load_reviews(project) == {}
    assert project.read(path)
    review = dock.gaps.reviews.reviews[chosen.gap_id]
    assert (review.status, review.note) == ("reviewed", "seen at Nampo on imagery") and review.when
    # the next analyst: a dock opened on the reopened project, the same data loaded (gap ids are stable): the
    # review is back on its row and in the layer
    other = BaiMeiDock(qgis_iface, project=project)
    qtbot.addWidget(other)
    try:
        assert other.gaps.reviews.reviews == dock.gaps.reviews.reviews
        load(other, qtbot, scored_world)
        scored(other, qtbot)
        row = next(r for r, g in enumerate(shown(other)) if g.gap_id == chosen.gap_id)
        assert cell(other, row, "Review") == "reviewed"
        by_id = {f["gap_id"]: f for f in other.session.gaps_layer.getFeatures()}
        assert by_id[chosen.gap_id]["review_note"] == "seen at Nampo on imagery"
    finally:
        other.unload()


def test_a_damaged_queue_in_a_project_is_a_warning_not_an_error_dialog(dock, qgis_iface, tmp_path):
    project = QgsProject.instance()
    project.writeEntry("bai_mei", "reviews", '{"reviews": [{"gap_id": "g", "status": "lost"}]}')
    path = str(tmp_path / "damaged.qgz")
    assert project.write(path)
    project.clear()
    assert project.read(path)
    warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert any("Review queue not read: Review 1 kept in the project" in m and "'lost'" in m for m in warnings)
    assert dock.gaps.reviews.reviews == {}


def test_hostile_note_text_is_shown_as_text(dock, qtbot, scored_world):
    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    select(dock, 0)
    gap = dock.gaps.selected_gap()
    dock.reviewNoteEdit.setText(HOSTILE)
    dock.escalateButton.click()
    assert dock.gaps.reviews.reviews[gap.gap_id].note == HOSTILE  # kept verbatim
    box = dock.gaps.details.label.text()
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;" in box and "<img" not in box
    tooltip = cell(dock, 0, "Vessel", Qt.ToolTipRole)
    assert "&lt;img src=x" in tooltip and "<img" not in tooltip and "&amp; done" in tooltip
    feature = next(f for f in dock.session.gaps_layer.getFeatures() if f["gap_id"] == gap.gap_id)
    assert feature["review_note"] == HOSTILE  # the layer holds the text, to be exported as text
    assert load_reviews(QgsProject.instance())[gap.gap_id].note == HOSTILE


def test_load_and_save_reviews_through_a_project(tmp_path, qgis_new_project):
    project = QgsProject.instance()
    reviews = {"g1": Review("g1", "dismissed", "berth at Dalian", "2024-05-01T10:00:00Z")}
    save_reviews(project, reviews)
    assert project.isDirty() and load_reviews(project) == reviews
    path = str(tmp_path / "p.qgs")
    assert project.write(path)
    project.clear()
    assert project.read(path) and load_reviews(project) == reviews
    save_reviews(project, {})
    assert load_reviews(project) == {} and project.readEntry("bai_mei", "reviews", "")[1] is False


@pytest.mark.parametrize("status", ["reviewed", "dismissed", "escalated"])
def test_each_button_gives_its_status(dock, qtbot, scored_world, status):
    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    select(dock, 2)
    button = {"reviewed": dock.reviewedButton, "dismissed": dock.dismissButton, "escalated": dock.escalateButton}
    button[status].click()
    assert [r.status for r in dock.gaps.reviews.reviews.values()] == [status]


def test_the_table_context_menu_marks_and_clears(dock, qtbot, scored_world, monkeypatch):
    from qgis.PyQt.QtCore import QPoint
    from qgis.PyQt.QtWidgets import QMenu

    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    titles = []

    def choose(title):
        def fake_exec(menu, *_args):
            titles.append([a.text() for a in menu.actions() if not a.isSeparator()])
            next(a for a in menu.actions() if a.text() == title).trigger()

        monkeypatch.setattr(QMenu, "exec", fake_exec)

    select(dock, 1)
    gap = dock.gaps.selected_gap()
    dock.reviewNoteEdit.setText("via the menu")
    choose("Escalated")
    dock.gapTable.customContextMenuRequested.emit(QPoint(5, 5))
    assert titles[0] == ["Reviewed", "Dismissed", "Escalated", "Clear review"]
    assert dock.gaps.reviews.reviews[gap.gap_id].status == "escalated"
    assert dock.gaps.reviews.reviews[gap.gap_id].note == "via the menu"
    choose("Clear review")
    dock.gapTable.customContextMenuRequested.emit(QPoint(5, 5))
    assert dock.gaps.reviews.reviews == {}
