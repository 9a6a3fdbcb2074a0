"""Slots that never let an exception reach QGIS's Python error dialog: the message bar says what went wrong."""

from __future__ import annotations

import functools
import inspect
import traceback

from qgis.core import Qgis, QgsMessageLog

from ..core.errors import BaiMeiError

LOG_TAG = "Bai Mei"


def guarded(method):
    """Wrap a panel method (the panel has ``iface``): a BaiMeiError shows its message, anything else a short
    'unexpected error' line, with the details in the log."""

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
            self.iface.messageBar().pushMessage("Bai Mei", exc.message, Qgis.Critical, 0)
            if exc.details:
                QgsMessageLog.logMessage(exc.details, LOG_TAG, Qgis.Critical)
        except Exception as exc:  # noqa: BLE001 - the point: nothing escapes to the error dialog
            self.iface.messageBar().pushMessage(
                "Bai Mei", f"Unexpected error: {exc} (details in the log)", Qgis.Critical, 0
            )
            QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.Critical)
        return None

    return wrapper
