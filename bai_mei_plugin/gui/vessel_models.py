"""The Vessels page's table: each vessel's reports and gaps, the sanctions lists it is on and its worst gap.

Rows are the session's ``VesselSummary`` records; the list matches (MMSI -> [WatchlistMatch]) and the worst gap's
score (MMSI -> GapScore) are looked up by MMSI, so that they change without resetting the table (selection and
order stay)."""

from __future__ import annotations

import html
from typing import Dict, List, Optional

from qgis.PyQt.QtCore import QT_TR_NOOP, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont

from .models import RecordTableModel, number_text, utc_text

LISTED_COLOUR = QColor(190, 0, 0)


def points_text(points: float) -> str:
    return f"{points:g}" if float(points).is_integer() else f"{points:.1f}"


def worst_scores(scores) -> Dict[int, object]:
    """Each vessel's highest-scoring gap (``scores``: gap_id -> GapScore; ties: the first ranked)."""
    out: Dict[int, object] = {}
    for score in scores.values():
        best = out.get(score.mmsi)
        if best is None or (score.points, -(score.rank or 0)) > (best.points, -(best.rank or 0)):
            out[score.mmsi] = score
    return out


class VesselsModel(RecordTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.matches: Dict[int, List] = {}
        self.worst: Dict[int, object] = {}
        # Per instance: the Listed and Worst gap columns read this model's lookups.
        self.COLUMNS = (
            (QT_TR_NOOP("Vessel"), lambda v: v.name or "", lambda v: v.name or ""),
            (QT_TR_NOOP("Listed"), self.listed_text, lambda v: self.listed_text(v) or None),
            (QT_TR_NOOP("Worst gap"), self.worst_text, lambda v: self._worst_points(v)),
            (QT_TR_NOOP("Gaps"), lambda v: str(v.gap_count), lambda v: v.gap_count),
            (QT_TR_NOOP("Longest h"), lambda v: number_text(v.longest_gap_hours), lambda v: v.longest_gap_hours),
            (QT_TR_NOOP("Reports"), lambda v: f"{v.reports:,}", lambda v: v.reports),
            (QT_TR_NOOP("First seen"), lambda v: utc_text(v.first_seen), lambda v: v.first_seen),
            (QT_TR_NOOP("Last seen"), lambda v: utc_text(v.last_seen), lambda v: v.last_seen),
            (QT_TR_NOOP("MMSI"), lambda v: str(v.mmsi), lambda v: v.mmsi),
        )
        self.listed_column = 1
        self.worst_column = 2

    def name_of(self, record):
        return record.name

    def hours_of(self, record) -> float:
        return record.longest_gap_hours

    def listed_text(self, record) -> str:
        """The lists the vessel is on, each once: 'OFAC SDN, UN 1718'."""
        return ", ".join(dict.fromkeys(m.list_name for m in self.matches.get(record.mmsi, ())))

    def worst_text(self, record) -> str:
        """'high (8)': the level and points of the vessel's highest-scoring gap; '' before scores arrive."""
        score = self.worst.get(record.mmsi)
        return "" if score is None else f"{score.level} ({points_text(score.points)})"

    def _worst_points(self, record) -> Optional[float]:
        score = self.worst.get(record.mmsi)
        return None if score is None else score.points

    def is_listed(self, record) -> bool:
        return record.mmsi in self.matches

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return self._extra(self.records[index.row()], index.column(), role)
        return super().data(index, role)

    def _extra(self, record, column: int, role):
        listed = self.is_listed(record)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(LISTED_COLOUR) if listed else None
        if role == Qt.ItemDataRole.FontRole:
            if not listed:
                return None
            font = QFont()
            font.setBold(True)
            return font
        if column == self.listed_column and listed:
            # Rich text, with each match escaped: a name like "<b>" from a list or AIS is shown, never rendered.
            lines = (html.escape(m.text) for m in self.matches[record.mmsi])
            return "<p style='white-space:pre'>" + "<br>".join(lines) + "</p>"
        if column == self.worst_column and record.mmsi in self.worst:
            tooltip = getattr(self.worst[record.mmsi], "tooltip", "")
            return html.escape(tooltip).replace("\n", "<br>") if tooltip else None
        return None

    def set_matches(self, matches: Dict[int, List]) -> None:
        self.matches = dict(matches)
        self._refresh()

    def set_worst(self, worst: Dict[int, object]) -> None:
        self.worst = dict(worst)
        self._refresh()

    def _refresh(self) -> None:
        """Show new values in place; re-sort when the table is sorted by a column that changed."""
        if not self.records:
            return
        if self.sort_column in (self.listed_column, self.worst_column):
            self.sort(self.sort_column, self.sort_order)
        self.dataChanged.emit(self.index(0, 0), self.index(len(self.records) - 1, len(self.COLUMNS) - 1))
