"""Shared by the tests that prove slow work stays off the GUI thread: a heartbeat timer that notes how long the event
loop went without turning, and a spy that makes the case's table writes slow (as a large layer's would be) and records
on which thread each ran. Only hang bounds are asserted with them; speed figures are in `make bench`."""

from __future__ import annotations

import threading
import time

from qgis.PyQt.QtCore import QTimer

from bai_mei_plugin.qgis_io.case_workspace import Case


class Heartbeat:
    """A 20 ms timer noting the gaps between its beats (``beats``, seconds): a long gap is a stalled event loop.
    Use as a context manager; ``worst`` is the longest gap since the start or the last ``reset()``."""

    def __init__(self, interval_ms: int = 20):
        self.beats, self._last = [], None
        self._timer = QTimer()
        self._timer.timeout.connect(self._beat)
        self._interval = interval_ms

    def _beat(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.beats.append(now - self._last)
        self._last = now

    def reset(self) -> None:
        self.beats.clear()
        self._last = time.perf_counter()

    @property
    def worst(self) -> float:
        return max(self.beats, default=0.0)

    def __enter__(self) -> Heartbeat:
        self.reset()
        self._timer.start(self._interval)
        return self

    def __exit__(self, *_exc) -> None:
        self._timer.stop()


def slow_case_writes(monkeypatch, slow: float = 0.0, speed=None):
    """Record (kind, on the GUI thread?) of every table and reports write into a case. Table writes off the GUI thread
    wait ``slow`` seconds first (``speed["slow"]`` instead when given, read as each write starts), or until their
    Cancel; ``writing`` is set when the first such write starts. Writes on the GUI thread (the small analysis layers a
    selected gap makes) go at their pace, recorded. Returns (calls, writing)."""
    calls, writing = [], threading.Event()
    speed = {"slow": slow} if speed is None else speed
    write_table, write_reports = Case.write_table, Case.write_reports

    def slow_write_table(case, layer, kind, feedback=None, context=None):
        on_gui = threading.current_thread() is threading.main_thread()
        calls.append((kind, on_gui))
        if not on_gui:
            writing.set()
            deadline = time.monotonic() + speed["slow"]
            while time.monotonic() < deadline and not (feedback is not None and feedback.isCanceled()):
                time.sleep(0.02)
        return write_table(case, layer, kind, feedback, context)

    def spied_write_reports(case, reports):
        calls.append(("reports", threading.current_thread() is threading.main_thread()))
        return write_reports(case, reports)

    monkeypatch.setattr(Case, "write_table", slow_write_table)
    monkeypatch.setattr(Case, "write_reports", spied_write_reports)
    return calls, writing
