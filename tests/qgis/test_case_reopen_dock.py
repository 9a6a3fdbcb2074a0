"""QGIS started with a project on its command line reads it before the Bai Mei panel is first opened: the panel, made
afterwards, still opens the project's case and shows its state, with the AIS file back in the Tracks page's box (the
desktop test tests/desktop/test_desktop_case.py does the same in the real application, after a SIGKILL)."""

from qgis.core import QgsProject

from tests.qgis.test_case_workspace import build_case, other_dock, state
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures of the dock tests)
from tests.qgis.test_gap_scoring_dock import scored, scored_world  # noqa: F401


def test_a_panel_opened_after_the_project_was_read_restores_its_case(dock, qtbot, scored_world, tmp_path, qgis_iface):
    case = build_case(dock, qtbot, tmp_path / "bai mei 8.gpkg", scored_world)
    before = state(dock)
    project_path = str(tmp_path / "case.qgz")
    project = QgsProject.instance()
    assert project.write(project_path)
    dock.unload()  # the panel of the first session is gone, as with QGIS closed
    dock.session.case = None
    project.clear()
    assert project.read(project_path)  # read with no panel listening: QGIS's command line
    again = other_dock(qgis_iface, qtbot)
    try:
        qtbot.waitUntil(lambda: again.session.result is not None, timeout=20000)
        scored(again, qtbot)
        assert again.session.case is not None and again.session.case.path == case.path
        assert again.caseLabel.text() == "Case: bai mei 8"
        assert state(again) == before  # gaps, scores, reviews and the selected gap
        assert again.fileWidget.filePath() == str(scored_world)
        assert again.fileRadio.isChecked()
    finally:
        again.unload()
