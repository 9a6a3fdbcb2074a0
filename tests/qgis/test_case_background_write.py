"""With a case open, a load writes its layers (gaps, tracks, points) and reports into the case GeoPackage in its
background task, not on the GUI thread: the event loop keeps turning while a large write runs, Cancel stops it and
leaves no table behind, and the session only makes the written tables current."""

import sqlite3
import time

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.qgis_io.case_workspace import Case
from tests.qgis.loop_watch import Heartbeat, slow_case_writes
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)
from tests.qgis.test_gap_scoring_dock import scored_world  # noqa: F401

SLOW_WRITE_SECONDS = 6.0  # each table's write made this slow: on the GUI thread it would freeze QGIS as long


def layer_tables(path):
    with sqlite3.connect(str(path)) as db:
        return sorted(row[0] for row in db.execute("SELECT table_name FROM gpkg_contents"))


def test_a_load_with_a_case_open_writes_the_layers_in_its_task(dock, qtbot, scored_world, tmp_path, monkeypatch):
    calls, _ = slow_case_writes(monkeypatch)
    case = dock.case_bar.new_case(str(tmp_path / "case.gpkg"))
    dock.pointsCheck.setChecked(True)
    load(dock, qtbot, scored_world)
    session = dock.session
    assert sorted(calls) == [("gaps", False), ("points", False), ("reports", False), ("tracks", False)]
    layers = case.layers()
    assert {"gaps", "tracks", "points"} <= set(layers)
    for kind in ("gaps", "tracks", "points"):
        shown = getattr(session, f"{kind}_layer") if kind != "points" else session.result.points_layer
        assert shown.providerType() == "ogr" and case.holds(shown), kind
        assert shown.source().endswith(f"layername={layers[kind].table}")
        assert shown.featureCount() > 0
    assert Case.open(case.path).read_reports() is not None  # the reports were kept, by the task
    assert session.result.points_layer.featureCount() == session.result.reports.rows_kept


def test_the_event_loop_turns_while_the_case_is_written_and_cancel_leaves_no_table(
    dock, qtbot, scored_world, tmp_path, monkeypatch
):
    path = tmp_path / "slow.gpkg"
    case = dock.case_bar.new_case(str(path))
    load(dock, qtbot, scored_world)  # a first load, written normally: it must survive the cancelled one
    before, tables = case.layers(), layer_tables(path)
    calls, writing = slow_case_writes(monkeypatch, SLOW_WRITE_SECONDS)
    with Heartbeat() as heartbeat:
        dock.loadButton.click()
        qtbot.waitUntil(writing.is_set, timeout=30000)
        qtbot.wait(int(SLOW_WRITE_SECONDS * 1000 / 2))
        worst = heartbeat.worst  # from the click: the load, then half the slow write
        asked = time.perf_counter()
        dock.cancelButton.click()
        qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=10000)
        stopped = time.perf_counter() - asked
    # hang bounds only: a write on the GUI thread would stall the loop for the whole slow write
    assert worst < SLOW_WRITE_SECONDS / 2, f"the event loop stalled {worst:.2f} s while the case was written"
    assert stopped < 5.0, f"Cancel took {stopped:.2f} s"
    assert calls and not any(on_gui for _, on_gui in calls)
    assert case.layers() == before  # the first load's layers are still the case's
    assert layer_tables(path) == tables  # the cancelled write's table was dropped
    assert all(layer.isValid() and case.holds(layer) for layer in dock.session.layers())


def test_a_write_that_fails_in_the_task_is_said_once_and_the_layers_stay_in_memory(
    dock, qtbot, scored_world, tmp_path, monkeypatch
):
    case = dock.case_bar.new_case(str(tmp_path / "full.gpkg"))
    problems = []
    dock.session.caseProblem.connect(problems.append)

    def disk_full(case, layer, kind, feedback=None, context=None):
        raise BaiMeiError(f"Could not write the layer {layer.name()} into the case {case.path}: No space left")

    monkeypatch.setattr(Case, "write_table", disk_full)
    load(dock, qtbot, scored_world)
    assert len(problems) == 1 and "full.gpkg" in problems[0] and "No space left" in problems[0]
    assert all(layer.providerType() == "memory" for layer in dock.session.layers())  # shown all the same
    assert case.layers() == {} and dock.gaps.proxy.rowCount() > 0
