"""The one task-run template of the dock's pages (busy state, progress, where success, an error and a cancel go)
and the one style of slot errors (gui.guard)."""

import time

import pytest
from qgis.core import Qgis, QgsApplication
from qgis.PyQt import sip
from qgis.PyQt.QtWidgets import QProgressBar, QPushButton

from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.gui.guard import guarded
from bai_mei_plugin.gui.task_runner import TaskRunner
from bai_mei_plugin.tasks.ais_tasks import BaiMeiTask


class Job(BaiMeiTask):
    """Succeeds with "found", fails with a BaiMeiError, or waits until cancelled: as ``outcome`` says."""

    def __init__(self, outcome: str, on_done):
        super().__init__(f"Bai Mei: test job ({outcome})", on_done)
        self.outcome = outcome

    def work(self):
        self.progress(0.4)
        if self.outcome == "error":
            raise BaiMeiError("Cannot read ships.csv: row 3 has no MMSI.", "ships.csv row 3: ',2020-06-01,1,2'")
        if self.outcome == "wait":
            deadline = time.monotonic() + 30
            while not self.is_canceled() and time.monotonic() < deadline:
                time.sleep(0.01)
            raise Canceled()
        return "found"


@pytest.fixture
def page(qgis_iface):
    """A page's widgets and a runner over them; what its callbacks received; the log lines."""
    qgis_iface.messageBar().clear_messages()
    run, cancel, progress = QPushButton("Run"), QPushButton("Cancel"), QProgressBar()
    done, failed, logged = [], [], []

    def on_log(message, tag, level):
        logged.append((message, tag, level))

    QgsApplication.messageLog().messageReceived.connect(on_log)
    runner = TaskRunner(
        qgis_iface,
        done.append,
        controls=(run,),
        cancel_button=cancel,
        progress=progress,
        hide_progress=True,
        cancelled="Cancelled; nothing was added.",
        on_failed=lambda task, error: failed.append(error),
    )
    runner.set_busy(False)
    yield runner, run, cancel, progress, done, failed, logged
    QgsApplication.messageLog().messageReceived.disconnect(on_log)
    runner.forget()


def assert_idle(runner, run, cancel, progress):
    assert runner.task is None and not runner.busy
    assert run.isEnabled() and not cancel.isEnabled() and progress.isHidden() and progress.value() == 0


def test_success_goes_to_the_page_and_the_page_is_idle_again(page, qtbot, qgis_iface):
    runner, run, cancel, progress, done, failed, _logged = page
    assert_idle(runner, run, cancel, progress)
    job = Job("ok", None)
    runner.run(job)
    assert runner.busy and not run.isEnabled() and cancel.isEnabled() and not progress.isHidden()
    qtbot.waitUntil(lambda: runner.task is None, timeout=10000)
    assert done == [job] and job.result == "found" and failed == []
    assert_idle(runner, run, cancel, progress)
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)


def test_an_error_goes_to_the_message_bar_and_its_details_to_the_log(page, qtbot, qgis_iface):
    runner, run, cancel, progress, done, failed, logged = page
    runner.run(Job("error", None))
    qtbot.waitUntil(lambda: runner.task is None, timeout=10000)
    assert done == [] and [e.message for e in failed] == ["Cannot read ships.csv: row 3 has no MMSI."]
    assert qgis_iface.messageBar().get_messages(Qgis.Critical) == ["Bai Mei:Cannot read ships.csv: row 3 has no MMSI."]
    bai_mei = [(message, level) for message, tag, level in logged if tag == "Bai Mei"]
    assert ("ships.csv row 3: ',2020-06-01,1,2'", Qgis.Critical) in bai_mei
    assert_idle(runner, run, cancel, progress)


def test_cancel_says_nothing_was_added_and_the_page_is_idle_again(page, qtbot, qgis_iface):
    runner, run, cancel, progress, done, failed, _logged = page
    runner.run(Job("wait", None))
    qtbot.waitUntil(lambda: runner.task is not None and runner.task.status() == runner.task.Running, timeout=10000)
    cancel.click()  # the page's Cancel button reaches the task
    qtbot.waitUntil(lambda: runner.task is None, timeout=10000)
    assert done == [] and failed == [None]
    assert qgis_iface.messageBar().get_messages(Qgis.Info) == ["Bai Mei:Cancelled; nothing was added."]
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert_idle(runner, run, cancel, progress)


def test_a_forgotten_task_is_stopped_and_its_outcome_ignored(page, qtbot, qgis_iface):
    runner, run, cancel, progress, done, failed, _logged = page
    job = Job("wait", None)
    runner.run(job)
    runner.forget()
    assert_idle(runner, run, cancel, progress)
    # QGIS's task manager deletes a finished task: gone counts as ended
    qtbot.waitUntil(lambda: sip.isdeleted(job) or job.status() in (job.Complete, job.Terminated), timeout=10000)
    qtbot.wait(50)
    assert done == [] and failed == [] and not qgis_iface.messageBar().get_messages(Qgis.Info)


def test_a_failing_page_callback_is_a_message_not_an_error_dialog(qgis_iface, qtbot):
    qgis_iface.messageBar().clear_messages()

    def broken(_task):
        raise ValueError("no column 'mmsi'")

    runner = TaskRunner(qgis_iface, broken)
    runner.run(Job("ok", None))
    qtbot.waitUntil(lambda: runner.task is None, timeout=10000)
    assert qgis_iface.messageBar().get_messages(Qgis.Critical) == [
        "Bai Mei:Unexpected error: no column 'mmsi' (details in the log)"
    ]


class Panel:
    """A page's controller as ``guarded`` sees it: it has ``iface``."""

    def __init__(self, iface):
        self.iface = iface

    @guarded
    def open(self, path):
        raise BaiMeiError(f"Cannot open {path}: no such file.", f"{path}: errno 2")

    @guarded(level=Qgis.Warning, seconds=8)
    def load(self):
        raise BaiMeiError("Choose an AIS file or a point layer.")

    @guarded
    def broken(self):
        raise KeyError("mmsi")


def test_guarded_slots_show_errors_in_one_style(qgis_iface):
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    panel = Panel(qgis_iface)
    assert panel.open("/data/ais.csv", False) is None  # a signal's extra "checked" is dropped
    panel.load()
    panel.broken()
    assert bar.get_messages(Qgis.Critical) == [
        "Bai Mei:Cannot open /data/ais.csv: no such file.",
        "Bai Mei:Unexpected error: 'mmsi' (details in the log)",
    ]
    assert bar.get_messages(Qgis.Warning) == ["Bai Mei:Choose an AIS file or a point layer."]
