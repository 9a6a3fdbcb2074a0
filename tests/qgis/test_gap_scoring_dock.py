"""The Gaps page scores every gap in the background after a load: sorted most suspicious first, level colours,
reasons as tooltips and in the Selected gap box, the level filter, the layer's score fields and style, Cancel, a new
load superseding a running scoring, and the weights kept in the project."""

import time

import pytest
from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtCore import QCoreApplication, Qt, QThread

from bai_mei_plugin.core import suspicion
from bai_mei_plugin.core.errors import Canceled
from bai_mei_plugin.gui.models import LEVEL_COLOURS
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)

DARK, PLAIN = 412000001, 367000002
BERTHS = (413000001, 413000002, 413000003)
DALIAN = (38.93, 121.65)


def _at(day: int, hour: int, minute: int) -> str:
    return f"2017-06-{day:02d}T{hour:02d}:{minute:02d}:00"


@pytest.fixture
def scored_world(write_file, mc_rows):
    """The issue's case in small: a ship with good reception in the open Yellow Sea goes dark for ten days and comes
    back loaded (Nampo within reach); three ships silent for 2.5 days alongside a berth at Dalian, stopped before and
    after, load cargo there (Nampo within reach too); a ship in the Gulf of Mexico silent for 10 hours, unchanged."""
    rows = []
    for minute in range(0, 180, 10):  # 18 positions in the 3 h before the gap (GFW's good reception: 14 in 12 h)
        rows.append(
            (DARK, _at(8, 17 + minute // 60, minute % 60), 36.10, 123.47 + minute / 2000, 10.5, 90, "DARK ONE", 6.5)
        )
        rows.append(
            (DARK, _at(19, 5 + minute // 60, minute % 60), 34.85, 125.0 + minute / 1500, 10.5, 90, "DARK ONE", 11.5)
        )
    for number, mmsi in enumerate(BERTHS):
        name = f"BERTH {number + 1}"
        for minute in range(0, 180, 10):
            rows.append((mmsi, _at(10, 6 + minute // 60, minute % 60), *DALIAN, 0.0, 511, name, 6.0))
            rows.append((mmsi, _at(12, 18 + minute // 60, minute % 60), *DALIAN, 0.0, 511, name, 10.0))
    for minute in range(0, 120, 10):
        rows.append((PLAIN, _at(1, minute // 60, minute % 60), 27.0, -90.0 + minute / 1000, 9.0, 90, "PLAIN", 5.0))
        rows.append((PLAIN, _at(1, 12 + minute // 60, minute % 60), 27.5, -89.0 + minute / 1000, 9.0, 90, "PLAIN", 5.0))
    rows.sort(key=lambda r: r[1])
    return write_file("scored.csv", mc_rows(rows))


def scored(dock, qtbot, timeout=120000):
    """Wait for the page's scoring to end with every gap scored."""
    qtbot.waitUntil(
        lambda: not dock.gaps.scoring.busy and len(dock.session.scores) == len(dock.gaps.model.records) > 0,
        timeout=timeout,
    )


def shown(dock):
    proxy = dock.gaps.proxy
    return [proxy.record(proxy.index(row, 0)) for row in range(proxy.rowCount())]


def column(proxy, title: str) -> int:
    return next(c for c in range(proxy.columnCount()) if proxy.headerData(c, Qt.Horizontal) == title)


def cell(dock, row: int, title: str, role=Qt.DisplayRole):
    proxy = dock.gaps.proxy
    return proxy.data(proxy.index(row, column(proxy, title)), role)


def test_after_a_load_every_gap_is_scored_and_the_most_suspicious_comes_first(dock, qtbot, scored_world, qgis_iface):
    threads = []
    original = dock.gaps.scoring.on_chunk
    dock.gaps.scoring.on_chunk = lambda chunk: (threads.append(QThread.currentThread()), original(chunk))
    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    gaps = shown(dock)
    assert {g.mmsi for g in gaps} == {DARK, PLAIN, *BERTHS}
    # sorted by suspicion by default: the dark voyage first, every port call at Dalian below it
    header = dock.gapTable.horizontalHeader()
    assert dock.gaps.proxy.headerData(header.sortIndicatorSection(), Qt.Horizontal) == "Suspicion"
    assert header.sortIndicatorOrder() == Qt.DescendingOrder
    scores = [dock.session.scores[g.gap_id] for g in gaps]
    assert gaps[0].mmsi == DARK and scores[0].rank == 1
    assert [s.points for s in scores] == sorted((s.points for s in scores), reverse=True)
    assert sorted(s.rank for s in scores) == list(range(1, len(gaps) + 1))
    assert all(s.points < scores[0].points for g, s in zip(gaps, scores) if g.mmsi in BERTHS)
    # rank, points and level in the table; the level colours the row; the reasons are the row's tooltip
    top = scores[0]
    assert cell(dock, 0, "Rank") == "1"
    assert cell(dock, 0, "Suspicion").endswith(top.level) and top.level in ("medium", "high")
    assert cell(dock, 0, "Vessel", Qt.BackgroundRole).color().name() == LEVEL_COLOURS[top.level]
    none_rows = [r for r, s in enumerate(scores) if s.level == "none"]
    assert all(cell(dock, r, "Hours", Qt.BackgroundRole) is None for r in none_rows)
    tooltip = cell(dock, 0, "Hours", Qt.ToolTipRole)
    assert top.reasons and all(r.text.split(" (")[0].replace(">", "&gt;") in tooltip for r in top.reasons)
    # the chunks crossed to the GUI thread; the message bar sums it up
    app_thread = QCoreApplication.instance().thread()
    assert threads and all(t == app_thread for t in threads)
    successes = qgis_iface.messageBar().get_messages(Qgis.Success)
    assert any(f"{len(gaps)} gaps scored:" in m and "top: DARK ONE" in m for m in successes), successes
    # the Selected gap box: the level, points and rank, each reason with its points
    dock.gapTable.selectRow(0)
    text = dock.gaps.details.label.text()
    assert f"Suspicion {top.level}</b> (" in text and f"rank 1 of {len(gaps)}" in text
    assert all(f"{r.points:+g} " in text for r in top.reasons)
    assert dock.gaps.details.suspicion is top


def test_the_gaps_layer_carries_the_scores_and_is_styled_by_level(dock, qtbot, scored_world):
    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    layer = dock.session.gaps_layer
    names = layer.fields().names()
    for name in ("suspicion", "suspicion_level", "suspicion_rank", "why", "review_status", "review_note"):
        assert name in names
    by_id = {f["gap_id"]: f for f in layer.getFeatures()}
    assert set(by_id) == set(dock.session.scores)
    for gap_id, score in dock.session.scores.items():
        feature = by_id[gap_id]
        assert feature["suspicion"] == pytest.approx(score.points)
        assert feature["suspicion_level"] == score.level and feature["suspicion_rank"] == score.rank
        assert feature["why"] == score.why and feature["review_status"] is None
    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "suspicion_level"
    assert {"high", "medium", "low", "none"} <= {c.value() for c in renderer.categories()}
    from bai_mei_plugin.core.suspicion import Weights

    assert Weights.from_json(layer.customProperty("bai_mei/weights")) == Weights()  # the weights used travel along


def test_filter_by_level_works_with_the_text_filter(dock, qtbot, scored_world):
    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    levels = {s.level for s in dock.session.scores.values()}
    for choice, allowed in (
        ("high", {"high"}),
        ("medium or higher", {"medium", "high"}),
        ("low or higher", {"low", "medium", "high"}),
    ):
        dock.levelCombo.setCurrentText(choice)
        got = [dock.session.scores[g.gap_id].level for g in shown(dock)]
        expected = sum(1 for s in dock.session.scores.values() if s.level in allowed)
        assert len(got) == expected and set(got) <= allowed, choice
        assert dock.gapCountLabel.text().startswith(f"{expected:,} of {len(dock.gaps.model.records)} gaps shown")
    assert levels == {"medium", "low", "none"}  # the dark voyage, the plain gap offshore, the port calls
    dock.levelCombo.setCurrentText("low or higher")
    dock.filterEdit.setText("dark")
    assert [g.mmsi for g in shown(dock)] == [DARK]
    dock.filterEdit.setText("berth")
    assert shown(dock) == []  # the port calls have no suspicion left
    dock.levelCombo.setCurrentText("All")
    assert sorted(g.mmsi for g in shown(dock)) == list(BERTHS)
    dock.filterEdit.setText("plain")
    dock.levelCombo.setCurrentText("medium or higher")
    assert shown(dock) == []
    dock.levelCombo.setCurrentText("low or higher")
    assert [g.mmsi for g in shown(dock)] == [PLAIN]


def slow_scorer(monkeypatch, calls):
    """score_gaps that scores the first gap, then works until cancelled (a scoring long enough to cancel)."""
    from bai_mei_plugin.core.suspicion import GapScore, Reason

    def fake(gaps, reports=None, ports=(), *, is_canceled, on_scores, **_options):
        # the task's own flag, read here in its thread: the task object itself is deleted once it has ended
        state = {"cancelled": False}
        calls.append(lambda: state["cancelled"] or is_canceled())
        first = gaps[0]
        reason = Reason("draught_rose", 2.0, "draught rose 6.0 -> 10.0 m (loaded while dark)")
        on_scores([GapScore(gap_id=first.gap_id, mmsi=first.mmsi, points=2.0, level="low", rank=0, reasons=[reason])])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if is_canceled():
                state["cancelled"] = True
                raise Canceled()
            time.sleep(0.01)
        raise AssertionError("the scoring was never cancelled")

    monkeypatch.setattr(suspicion, "score_gaps", fake)


def test_scores_show_as_they_arrive_and_cancel_stops_the_scoring_quickly(
    dock, qtbot, scored_world, monkeypatch, qgis_iface
):
    calls = []
    slow_scorer(monkeypatch, calls)
    load(dock, qtbot, scored_world)
    qtbot.waitUntil(lambda: len(dock.session.scores) == 1, timeout=60000)  # the first chunk, before the end
    assert dock.gaps.scoring.busy and dock.scoreCancelButton.isVisible() and dock.scoreProgress.isVisible()
    assert "Scoring… 1 scored." in dock.gapCountLabel.text()
    assert cell(dock, 0, "Suspicion") == "2 low"  # the scored gap first, the others unscored below
    assert cell(dock, 1, "Suspicion") == ""
    asked = time.perf_counter()
    dock.scoreCancelButton.click()
    qtbot.waitUntil(lambda: not dock.gaps.scoring.busy, timeout=10000)
    stopped = time.perf_counter() - asked
    assert stopped < 3.0, f"cancel took {stopped:.2f} s"  # a bound only a hang breaks
    assert not dock.scoreCancelButton.isVisible() and not dock.scoreProgress.isVisible()
    infos = qgis_iface.messageBar().get_messages(Qgis.Info)
    assert any(f"Scoring cancelled: 1 of {len(dock.gaps.model.records)} gaps scored." in m for m in infos), infos
    assert len(dock.session.scores) == 1 and cell(dock, 0, "Suspicion") == "2 low"  # what arrived stays
    total = len(dock.gaps.model.records)
    assert dock.gapCountLabel.text() == f"{total} of {total} gaps shown. 1 scored (stopped)."
    # Score scores them all again
    monkeypatch.undo()
    assert dock.scoreButton.isVisible()
    dock.scoreButton.click()
    scored(dock, qtbot)
    assert not dock.scoreButton.isVisible() and dock.gapCountLabel.text() == f"{total} of {total} gaps shown."


def test_a_new_load_or_changed_lists_supersede_a_running_scoring(dock, qtbot, scored_world, monkeypatch):
    calls = []
    slow_scorer(monkeypatch, calls)
    load(dock, qtbot, scored_world)
    qtbot.waitUntil(lambda: len(calls) == 1 and bool(dock.session.scores), timeout=60000)
    dock.loadButton.click()  # a new load: the scoring stops at once, leaving the machine to the load
    assert calls[0]() and not dock.gaps.scoring.busy
    qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=20000)
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=60000)
    assert not calls[1]()  # the new gaps' scoring runs
    first_layer_scores = dict(dock.session.scores)
    assert all(gap_id in {g.gap_id for g in dock.gaps.model.records} for gap_id in first_layer_scores)
    dock.session.watchlistsChanged.emit()  # other sanctions lists: scored again
    qtbot.waitUntil(lambda: len(calls) == 3, timeout=60000)
    assert calls[1]() and not calls[2]()
    dock.gaps.details.interestEdit.setText("Dalian")  # other ports of interest: scored again
    dock.gaps.details.interestEdit.editingFinished.emit()
    qtbot.waitUntil(lambda: len(calls) == 4, timeout=60000)
    assert calls[2]() and not calls[3]()
    dock.gaps.details.interestEdit.editingFinished.emit()  # the same ports again: nothing new to score
    qtbot.wait(200)
    assert len(calls) == 4
    dock.gaps.scoring.runner.cancel()
    qtbot.waitUntil(lambda: not dock.gaps.scoring.busy, timeout=10000)


def test_weights_edited_in_the_dialog_are_kept_in_the_project_and_used(dock, qtbot, scored_world, tmp_path):
    from bai_mei_plugin.core.suspicion import Weights
    from bai_mei_plugin.gui.weights_dialog import WeightsDialog

    load(dock, qtbot, scored_world)
    scored(dock, qtbot)
    before = {gap_id: s.points for gap_id, s in dock.session.scores.items()}
    dialog = WeightsDialog(dock.gaps.scoring.weights)
    names = [name for name, _words, _default in Weights.describe()]
    assert list(dialog.spins) == names  # one box per weight, in the table's order
    dialog.spins["interest_port"].setValue(10.0)
    dialog.spins["port_call"].setValue(-1.0)
    changed = dialog.weights()
    assert changed.interest_port == 10.0 and changed.port_call == -1.0
    dock.gaps.scoring.set_weights(changed)
    scored(dock, qtbot)
    assert dock.gaps.scoring.weights == changed
    assert any(dock.session.scores[g].points != p for g, p in before.items())  # scored again with them
    project = QgsProject.instance()
    assert project.isDirty()
    assert Weights.from_json(project.readEntry("bai_mei", "weights", "")[0]) == changed
    assert Weights.from_json(dock.session.gaps_layer.customProperty("bai_mei/weights")) == changed
    # saved with the project and back when it is opened again
    path = str(tmp_path / "weights.qgz")
    assert project.write(path)
    project.clear()
    assert dock.gaps.scoring.weights == Weights()
    assert project.read(path)
    assert dock.gaps.scoring.weights == changed
    # Reset to defaults in the dialog
    dialog = WeightsDialog(changed)
    dialog.reset()
    assert dialog.weights() == Weights()


def test_the_weights_button_opens_the_dialog_and_a_refused_value_is_a_message(
    dock, qtbot, scored_world, monkeypatch, qgis_iface
):
    from bai_mei_plugin.gui.weights_dialog import WeightsDialog

    load(dock, qtbot, scored_world)
    scored(dock, qtbot)

    def accept_with(name, value):
        def fake_exec(dialog):
            dialog.spins[name].setValue(value)
            return 1

        monkeypatch.setattr(WeightsDialog, "exec", fake_exec)

    accept_with("watchlist", 9.0)
    dock.weightsButton.click()
    assert dock.gaps.scoring.weights.watchlist == 9.0
    scored(dock, qtbot)
    accept_with("port_call", 4.0)  # a port call must lower a score: refused, the weights stay
    dock.weightsButton.click()
    errors = qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert any("port_call" in m and "4" in m for m in errors), errors
    assert dock.gaps.scoring.weights.port_call < 0 and not dock.gaps.scoring.busy
