"""A strip that shows when the scenes were taken against when the vessel was dark.

Shaded bands are the vessel's dark gaps (the selected gap darker), ticks are the acquisitions (red when taken while
the vessel was dark); hovering shows what a tick or band is, clicking a tick selects that scene.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Sequence

from qgis.PyQt.QtCore import QEvent, QPointF, QRectF, QSize, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QPainter, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QToolTip, QWidget

HIT_PX = 4  # how close to a tick the pointer must be
DARK_BAND = QColor(60, 60, 60, 60)
SELECTED_BAND = QColor(200, 40, 40, 70)
TICK = QColor(30, 90, 180)
TICK_DARK = QColor(200, 30, 30)
TICK_SELECTED = QColor(255, 160, 0)


@dataclass
class Window:
    start: int  # epoch seconds UTC
    end: int
    label: str
    selected: bool = False


@dataclass
class Tick:
    time: int  # epoch seconds UTC
    label: str
    dark: bool = False


def day_text(seconds: int) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%d %b %Y")


class Timeline(QWidget):
    """``set_data(windows, ticks)``; ``tickClicked(index)`` when a tick is clicked; ``set_selected(index)``."""

    tickClicked = pyqtSignal(int)  # noqa: N815 (Qt signal naming)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.windows: List[Window] = []
        self.ticks: List[Tick] = []
        self.selected: Optional[int] = None
        self.empty_text = "No gap selected and no scenes yet"
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("")
        self.setAccessibleName("Imagery timeline")

    def sizeHint(self):  # noqa: N802 (Qt API)
        return QSize(300, 3 * self.fontMetrics().height() + 10)

    def minimumSizeHint(self):  # noqa: N802
        return QSize(120, self.sizeHint().height())

    def set_data(self, windows: Sequence[Window], ticks: Sequence[Tick]) -> None:
        self.windows = list(windows)
        self.ticks = list(ticks)
        if self.selected is not None and self.selected >= len(self.ticks):
            self.selected = None
        self.update()

    def set_selected(self, index: Optional[int]) -> None:
        self.selected = index
        self.update()

    # --- geometry -------------------------------------------------------------------------------------------
    def span(self):
        """(start, end) in epoch seconds shown across the strip: everything, with a little room either side."""
        times = [t.time for t in self.ticks] + [w.start for w in self.windows] + [w.end for w in self.windows]
        if not times:
            return None
        start, end = min(times), max(times)
        room = max((end - start) * 0.04, 6 * 3600)
        return start - room, end + room

    def strip(self) -> QRectF:
        """Where bands and ticks are drawn (the date labels go below)."""
        text = self.fontMetrics().height()
        return QRectF(4, 4, max(1, self.width() - 8), max(1, self.height() - text - 10))

    def x_of(self, seconds: float) -> float:
        start, end = self.span()
        rect = self.strip()
        return rect.left() + (seconds - start) / max(1.0, end - start) * rect.width()

    def tick_at(self, x: float) -> Optional[int]:
        if self.span() is None:
            return None
        best, distance = None, HIT_PX + 0.5
        for index, tick in enumerate(self.ticks):
            gap = abs(self.x_of(tick.time) - x)
            if gap < distance:
                best, distance = index, gap
        return best

    def window_at(self, x: float) -> Optional[Window]:
        if self.span() is None:
            return None
        return next((w for w in self.windows if self.x_of(w.start) <= x <= self.x_of(w.end)), None)

    # --- painting and events --------------------------------------------------------------------------------
    def paintEvent(self, _event):  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = self.strip()
        painter.fillRect(rect, palette.base())
        painter.setPen(QPen(palette.mid().color()))
        painter.drawRect(rect)
        span = self.span()
        if span is None:
            painter.setPen(palette.text().color())
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        for window in self.windows:
            x0, x1 = self.x_of(window.start), self.x_of(window.end)
            painter.fillRect(
                QRectF(x0, rect.top() + 1, max(2.0, x1 - x0), rect.height() - 1),
                SELECTED_BAND if window.selected else DARK_BAND,
            )
        for index, tick in enumerate(self.ticks):
            if index == self.selected:
                continue
            painter.setPen(QPen(TICK_DARK if tick.dark else TICK, 2))
            x = self.x_of(tick.time)
            painter.drawLine(QPointF(x, rect.top() + 4), QPointF(x, rect.bottom() - 4))
        if self.selected is not None:  # on top of the others
            painter.setPen(QPen(TICK_SELECTED, 4))
            x = self.x_of(self.ticks[self.selected].time)
            painter.drawLine(QPointF(x, rect.top() + 1), QPointF(x, rect.bottom() - 1))
        painter.setPen(palette.text().color())
        below = QRectF(rect.left(), rect.bottom() + 2, rect.width(), self.fontMetrics().height() + 4)
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, day_text(span[0]))
        painter.drawText(below, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, day_text(span[1]))
        painter.end()

    def event(self, event):
        if event.type() == QEvent.Type.ToolTip:
            x = event.pos().x()
            index = self.tick_at(x)
            window = self.window_at(x)
            text = self.ticks[index].label if index is not None else (window.label if window else "")
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event):  # noqa: N802 (Qt API)
        self.setCursor(
            Qt.CursorShape.PointingHandCursor
            if self.tick_at(event.pos().x()) is not None
            else Qt.CursorShape.ArrowCursor
        )
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event):  # noqa: N802 (Qt API)
        index = self.tick_at(event.pos().x()) if event.button() == Qt.MouseButton.LeftButton else None
        if index is not None:
            self.set_selected(index)
            self.tickClicked.emit(index)
        super().mousePressEvent(event)
