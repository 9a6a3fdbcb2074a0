"""Slots that never let an exception reach QGIS's Python error dialog: the message bar says what went wrong.

The one style of error handling of the dock: a BaiMeiError shows its message in the message bar (details in the
log), anything else a short "unexpected error" line (traceback in the log). Slots use ``guarded``; tasks get the
same through gui.task_runner, which calls ``show_error`` / ``show_unexpected`` below."""

from __future__ import annotations

import functools
import inspect
import traceback

from qgis.core import Qgis, QgsMessageLog

from ..core.errors import BaiMeiError
from ..qgis_io.i18n import tr

LOG_TAG = "Bai Mei"


def show_error(
    iface, error: BaiMeiError, level=Qgis.MessageLevel.Critical, seconds: int = 0, details: bool = True
) -> None:
    """The error's message in the bar; its details (unless already logged: ``details=False``) in the log."""
    iface.messageBar().pushMessage("Bai Mei", error.message, level, seconds)
    if details and error.details:
        QgsMessageLog.logMessage(error.details, LOG_TAG, Qgis.MessageLevel.Critical)


def show_unexpected(iface, exc: Exception) -> None:
    """A short line for a bug, never the error dialog; the traceback goes to the log."""
    iface.messageBar().pushMessage(
        "Bai Mei", tr("Unexpected error: {exc} (details in the log)").format(exc=exc), Qgis.MessageLevel.Critical, 0
    )
    QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Critical)


def guarded(method=None, *, level=Qgis.MessageLevel.Critical, seconds: int = 0):
    """Wrap a panel method (the panel has ``iface``): a BaiMeiError shows its message, anything else a short
    'unexpected error' line, with the details in the log. ``@guarded(level=Qgis.Warning, seconds=8)`` for slots
    whose errors are the analyst's input to correct (a missing file, an empty field), which warn instead."""
    if method is None:
        return lambda wrapped: guarded(wrapped, level=level, seconds=seconds)

    parameters = list(inspect.signature(method).parameters.values())[1:]
    takes_any = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    positional = len([p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not takes_any:
            args = args[:positional]  # Qt signals pass more (clicked's "checked"), as PyQt drops for plain slots
        try:
            return method(self, *args, **kwargs)
        except BaiMeiError as exc:
            show_error(self.iface, exc, level, seconds)
        except Exception as exc:  # noqa: BLE001 - the point: nothing escapes to the error dialog
            show_unexpected(self.iface, exc)
        return None

    return wrapper
