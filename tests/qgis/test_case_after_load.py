"""New case… (or Open case… of a case without gaps) after a load writes the layers already shown into the case in a
background task, not on the GUI thread: the event loop keeps turning and the panel stays usable while a slow write
runs, the layers are swapped to the case's tables when written (with a verdict given meanwhile), and Cancel or a
failed write leaves the memory layers shown, no table behind, and says so."""

import pytest
from qgis.core import Qgis

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.qgis_io.case_workspace import Case
from tests.qgis.loop_watch import Heartbeat, slow_case_writes
from tests.qgis.test_case_background_write import layer_tables
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)
from tests.qgis.test_gap_scoring_dock import scored, scored_world  # noqa: F401
from tests.qgis.test_review_queue import select

SLOW_WRITE_SECONDS = 4.0  # each table's write made this slow: on the GUI thread the loop would stall as long
STALL_BOUND = 3.0  # a hang bound, not a speed figure
VESSELS, REPORTS_EACH = 8, 3000  # 24,000 reports: a largish CSV for a test


@pytest.fixture
def fleet_csv(write_file, mc_rows):
    """Eight ships reporting every three minutes for about a week in the Yellow Sea, each dark for a day in the
    middle."""
    rows = []
    for ship in range(VESSELS):
        mmsi = 412100000 + ship
        for step in range(REPORTS_EACH):
            if REPORTS_EACH // 2 <= step < REPORTS_EACH // 2 + 480:  # 480 x 3 min: the day dark
                continue
            minutes = step * 3
            day, hour, minute = 1 + minutes // 1440, (minutes // 60) % 24, minutes % 60
            lat, lon = 33.0 + ship * 0.3, 123.0 + step * 0.0004
            rows.append((mmsi, f"2017-06-{day:02d}T{hour:02d}:{minute:02d}:00", lat, lon, 8.0, 90, f"SHIP {ship}", 7.0))
    rows.sort(key=lambda r: r[1])
    return write_file("fleet.csv", mc_rows(rows))


def session_layers(session):
    return [*session.layers(), *session.extra.values()]


def loaded_in_memory(dock, qtbot, path):
    dock.pointsCheck.setChecked(True)
    load(dock, qtbot, path, timeout=60000)
    layers = session_layers(dock.session)
    assert len(layers) == 3 and all(layer.providerType() == "memory" for layer in layers)
    return {layer.name(): layer.featureCount() for layer in layers}


def test_new_case_after_a_load_writes_in_a_task_while_the_loop_turns(dock, qtbot, fleet_csv, tmp_path, monkeypatch):
    counts = loaded_in_memory(dock, qtbot, fleet_csv)
    scored(dock, qtbot)
    calls, writing = slow_case_writes(monkeypatch, SLOW_WRITE_SECONDS)
    with Heartbeat() as heartbeat:
        case = dock.case_bar.new_case(str(tmp_path / "after load.gpkg"))
        assert dock.case_bar.keeping and not dock.case_bar.keepCancelButton.isHidden()
        assert "writing the layers shown" in dock.caseLabel.text()
        assert not dock.newCaseButton.isEnabled() and dock.loadButton.isEnabled()  # the rest of the panel works
        qtbot.waitUntil(writing.is_set, timeout=10000)
        first = dock.gaps.proxy.record(dock.gaps.proxy.index(0, 0)).gap_id
        select(dock, 0)
        dock.escalateButton.click()  # a verdict while the copy is written: it reaches the case's table too
        qtbot.waitUntil(lambda: not dock.case_bar.keeping, timeout=60000)
    worst = heartbeat.worst
    assert worst < STALL_BOUND, f"the event loop stalled {worst:.2f} s while the case was written"
    kept = sorted(call for call in calls if call[0] in ("gaps", "tracks", "points", "reports"))
    assert kept == [("gaps", False), ("points", False), ("reports", False), ("tracks", False)]
    layers = case.layers()
    assert {"gaps", "tracks", "points"} <= set(layers)
    shown = session_layers(dock.session)
    assert all(layer.providerType() == "ogr" and case.holds(layer) for layer in shown)
    assert {layer.name(): layer.featureCount() for layer in dock.session.layers()} == counts  # every feature
    assert "reach_areas" in dock.session.extra  # made by the selected gap meanwhile, written after the shown ones
    gaps = {f["gap_id"]: f for f in dock.session.gaps_layer.getFeatures()}
    assert gaps[first]["review_status"] == "escalated"
    assert all(f["suspicion"] is not None for f in gaps.values())
    assert Case.open(case.path).read_reports() is not None
    assert case.info()["selected_gap"] == first  # noted while the file was busy, written once it was free
    assert dock.caseLabel.text() == "Case: after load" and dock.newCaseButton.isEnabled()


def test_cancel_leaves_the_memory_layers_and_no_table(dock, qtbot, fleet_csv, tmp_path, monkeypatch, qgis_iface):
    counts = loaded_in_memory(dock, qtbot, fleet_csv)
    _calls, writing = slow_case_writes(monkeypatch, 30.0)  # a write that would outlast the test
    path = tmp_path / "cancelled.gpkg"
    case = dock.case_bar.new_case(str(path))
    empty = {"case_info", "case_layers"}
    qtbot.waitUntil(writing.is_set, timeout=10000)
    dock.case_bar.keepCancelButton.click()
    qtbot.waitUntil(lambda: not dock.case_bar.keeping, timeout=5000)  # a hang bound for Cancel
    shown = session_layers(dock.session)
    assert all(layer.providerType() == "memory" and layer.isValid() for layer in shown)
    assert {layer.name(): layer.featureCount() for layer in shown} == counts
    assert case.layers() == {} and set(layer_tables(path)) <= empty
    said = qgis_iface.messageBar().get_messages(Qgis.Info)
    assert any("cancelled" in m and "stay in memory" in m and "cancelled.gpkg" in m for m in said), said
    assert dock.session.case is not None and dock.caseLabel.text() == "Case: cancelled"  # new layers still go there


def test_a_failed_write_says_so_and_the_layers_stay_in_memory(
    dock, qtbot, scored_world, tmp_path, monkeypatch, qgis_iface
):
    load(dock, qtbot, scored_world)

    def disk_full(case, layer, kind, feedback=None, context=None):
        raise BaiMeiError(f"Could not write the layer {layer.name()} into the case {case.path}: No space left")

    monkeypatch.setattr(Case, "write_table", disk_full)
    case = dock.case_bar.new_case(str(tmp_path / "full.gpkg"))
    qtbot.waitUntil(lambda: not dock.case_bar.keeping, timeout=10000)
    assert all(layer.providerType() == "memory" for layer in session_layers(dock.session))
    warned = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert any("full.gpkg" in m and "No space left" in m and "stay in memory" in m for m in warned), warned
    assert case.layers() == {}


def test_open_case_without_gaps_after_a_load_keeps_the_layers_shown(dock, qtbot, scored_world, tmp_path):
    path = str(tmp_path / "empty case.gpkg")
    Case.create(path)
    load(dock, qtbot, scored_world)
    dock.case_bar.open_case(path)
    qtbot.waitUntil(lambda: not dock.case_bar.keeping, timeout=20000)
    case = dock.session.case
    assert {"gaps", "tracks"} <= set(case.layers())
    assert all(case.holds(layer) for layer in session_layers(dock.session))
    assert Case.open(path).read_reports() is not None


def test_a_load_during_the_write_replaces_it_without_a_freeze(
    dock, qtbot, fleet_csv, scored_world, tmp_path, monkeypatch, qgis_iface
):
    loaded_in_memory(dock, qtbot, fleet_csv)
    speed = {"slow": 30.0}
    _calls, writing = slow_case_writes(monkeypatch, 0.0, speed)
    case = dock.case_bar.new_case(str(tmp_path / "replaced.gpkg"))
    qtbot.waitUntil(writing.is_set, timeout=10000)
    speed["slow"] = 0.0  # the load's own writes into the case go at their pace
    qgis_iface.messageBar().clear_messages()
    with Heartbeat() as heartbeat:
        load(dock, qtbot, scored_world, timeout=60000)
        qtbot.waitUntil(lambda: not dock.case_bar.keeping, timeout=10000)
    worst = heartbeat.worst
    assert worst < STALL_BOUND, f"the event loop stalled {worst:.2f} s when the load replaced the write"
    assert all(case.holds(layer) for layer in dock.session.layers())  # the load's tables, made current
    assert dock.session.name == "scored.csv" and set(case.layers()) == {"gaps", "tracks", "points"}
    assert not any("cancelled" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))  # not the analyst's
    assert dock.caseLabel.text() == "Case: replaced"
