"""The one way a page runs a background task: busy state, progress, Cancel, and where the outcome goes.

A page makes one ``TaskRunner`` per kind of task and calls ``run(task)``; the runner routes the task's end:
success -> the page's ``on_done(task)``; a BaiMeiError -> the message bar (and its message to the log; the task
already logged the details); cancelled -> the page's "cancelled; nothing was added" line; and it restores the idle
state in every case, so no page copies this handling."""

from __future__ import annotations

from typing import Callable, Iterable, Optional, Union

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt import sip

from ..core.errors import BaiMeiError
from ..tasks.ais_tasks import BaiMeiTask, start
from .guard import LOG_TAG, show_error, show_unexpected

Text = Union[str, Callable[[BaiMeiTask], str], None]


def _show_progress(bar, percent) -> None:
    # a cancelled task can still report progress after its page closed and deleted the bar
    if not sip.isdeleted(bar):
        bar.setValue(int(percent))


class TaskRunner:
    """Runs one task of a page at a time (a new ``run`` supersedes the outcome of the one before)."""

    def __init__(
        self,
        iface,
        on_done: Callable[[BaiMeiTask], None],
        *,
        controls: Iterable = (),
        cancel_button=None,
        progress=None,
        hide_progress: bool = False,
        cancelled: Text = None,
        on_failed: Optional[Callable[[BaiMeiTask, Optional[BaiMeiError]], None]] = None,
        error_level=Qgis.MessageLevel.Critical,
        error_seconds: int = 0,
        on_busy: Optional[Callable[[bool], None]] = None,
    ):
        """``controls`` are disabled while busy; ``cancel_button`` is enabled while busy and cancels the task;
        ``progress`` (a QProgressBar) follows the task, shown only while busy when ``hide_progress``;
        ``cancelled`` is the Info line when the analyst cancels (a text or a function of the task; None: no line);
        ``on_failed(task, error)`` updates the page after an error or a cancel (error None) — the message bar is the
        runner's; ``error_level``/``error_seconds``: how the error shows (Critical and kept by default; a side task
        such as listing collections warns instead); ``on_busy(busy)``: the page's own busy/idle state beyond these
        widgets (e.g. a button enabled only when the source allows it)."""
        self.iface = iface
        self.on_done = on_done
        self.controls = tuple(controls)
        self.cancel_button = cancel_button
        self.progress = progress
        self.hide_progress = hide_progress
        self.cancelled = cancelled
        self.on_failed = on_failed
        self.error_level = error_level
        self.error_seconds = error_seconds
        self.on_busy = on_busy
        self.task: Optional[BaiMeiTask] = None
        if cancel_button is not None:
            cancel_button.clicked.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def run(self, task: BaiMeiTask) -> None:
        """Start ``task`` with the page busy; its end comes back to ``finished``."""
        self.forget()
        task.on_done = self.finished
        if self.progress is not None:
            task.progressChanged.connect(lambda percent, bar=self.progress: _show_progress(bar, percent))
        self.task = task
        self.set_busy(True)
        start(task)

    def cancel(self, *_) -> None:
        """Ask the task to stop; its end still comes back (as cancelled) and restores the idle state."""
        if self.task is not None:
            self.task.cancel()

    def forget(self) -> None:
        """Stop the task and ignore its outcome (the page moved on, or is closing); the page is idle at once."""
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        for widget in self.controls:
            widget.setEnabled(not busy)
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(busy)
        if self.progress is not None:
            self.progress.setValue(0)
            if self.hide_progress:
                self.progress.setVisible(busy)
        if self.on_busy is not None:
            self.on_busy(busy)

    def finished(self, task: BaiMeiTask, ok: bool) -> None:
        if task is not self.task:  # superseded or forgotten: its page has moved on
            return
        self.task = None
        self.set_busy(False)
        try:
            if ok:
                self.on_done(task)
            else:
                self._failed(task)
        except BaiMeiError as exc:  # the page's own handling of the result failed: the same routes as a slot's
            show_error(self.iface, exc, self.error_level, self.error_seconds)
        except Exception as exc:  # noqa: BLE001 - a failing page must not bring up QGIS's error dialog
            show_unexpected(self.iface, exc)

    def _failed(self, task: BaiMeiTask) -> None:
        if task.error is not None:
            # BaiMeiTask.finished logged the details; the message goes to the log too, next to them
            show_error(self.iface, task.error, self.error_level, self.error_seconds, details=False)
            QgsMessageLog.logMessage(task.error.message, LOG_TAG, self.error_level)
        else:
            text = self.cancelled(task) if callable(self.cancelled) else self.cancelled
            if text:
                self.iface.messageBar().pushMessage("Bai Mei", text, Qgis.MessageLevel.Info, 5)
        if self.on_failed is not None:
            self.on_failed(task, task.error)
