"""Table models for the dock: the gaps and the vessels, with a proxy that filters by text and minimum hours."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Callable, Dict, List, Sequence, Tuple

from qgis.PyQt.QtCore import QT_TR_NOOP, QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from qgis.PyQt.QtGui import QBrush, QColor

from ..qgis_io.i18n import tr

FILTER_TEXT_ROLE = Qt.ItemDataRole.UserRole + 2
HOURS_ROLE = Qt.ItemDataRole.UserRole + 3


def utc_text(seconds) -> str:
    if seconds is None:
        return ""
    return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def number_text(value, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def change_text(before, after, digits=None) -> str:
    """'6.5 → 11.5' when a value changed across a gap, '' when unknown, the value alone when unchanged."""
    if before is None and after is None:
        return ""
    fmt = (lambda v: "?" if v is None else f"{v:.{digits}f}") if digits is not None else (lambda v: v or "?")
    return fmt(before) if before == after else f"{fmt(before)} → {fmt(after)}"


Column = Tuple[str, Callable[[Any], Any], Callable[[Any], Any]]  # header, display, sort key


class RecordTableModel(QAbstractTableModel):
    """Rows are plain records (dataclasses); columns say how to show and how to sort each."""

    COLUMNS: Sequence[Column] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.records: List[Any] = []
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.AscendingOrder

    def set_records(self, records) -> None:
        self.beginResetModel()
        self.records = list(records)
        self._sort_records()
        self.endResetModel()

    def _sort_records(self) -> None:
        if not 0 <= self.sort_column < len(self.COLUMNS):
            return
        key = self.COLUMNS[self.sort_column][2]
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        # One key call per record (a proxy's comparisons would call back into Python n log n times). Missing
        # values sort as the smallest.
        self.records.sort(key=lambda r: (key(r) is not None, key(r) if key(r) is not None else 0), reverse=descending)

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """Sort the records themselves, keeping selections on the same records."""
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [self.records[index.row()] for index in persistent]
        self._sort_records()
        rows = {id(record): row for row, record in enumerate(self.records)}
        self.changePersistentIndexList(
            persistent, [self.index(rows[id(record)], index.column()) for record, index in zip(before, persistent)]
        )
        self.layoutChanged.emit()

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.COLUMNS[section][0])  # marked QT_TR_NOOP where the columns are listed
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        record = self.records[index.row()]
        _, show, key = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return show(record)
        if role == FILTER_TEXT_ROLE:
            return f"{record.mmsi} {(self.name_of(record) or '').lower()}"
        if role == HOURS_ROLE:
            return self.hours_of(record)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(key(record), (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def name_of(self, record):
        return record.vessel_name

    def hours_of(self, record) -> float:
        return record.gap_hours


LEVEL_ROLE = Qt.ItemDataRole.UserRole + 4  # the gap's suspicion level as 0 (none) .. 3 (high); -1 before it is scored
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 5  # the gap's review status; "" when not reviewed
LEVEL_ORDER = ("none", "low", "medium", "high")  # core.suspicion.LEVELS (core is imported lazily by the panels)
# Background of a scored row by level (light, so the text stays readable): high red-ish, medium orange, low yellow.
LEVEL_COLOURS = {"high": "#f6b2b2", "medium": "#fdd3a5", "low": "#fff3a8"}


def points_text(points) -> str:
    """8 -> '8', 2.5 -> '2.5', -4 -> '-4'."""
    return f"{points:.1f}".rstrip("0").rstrip(".") if points is not None else ""


def plain_tooltip(text: str) -> str:
    """``text`` shown as plain text in a tooltip: Qt renders a tooltip that looks like markup as rich text, so the
    text is escaped and wrapped (vessel names, destinations and notes come from reports and analysts)."""
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"


class GapTableModel(RecordTableModel):
    """The gaps, with their suspicion (``scores``: gap_id -> core.suspicion.GapScore, filled in as they arrive)
    and review (``reviews``: gap_id -> core.review.Review)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.scores: Dict[str, Any] = {}
        self.reviews: Dict[str, Any] = {}
        # Rank and suspicion first, so the narrow dock shows which gap matters, who and how long without scrolling;
        # MMSI last (the name says who it is, and the filter still matches MMSIs).
        self.COLUMNS = (
            (QT_TR_NOOP("Rank"), lambda g: self._rank_text(g), lambda g: self._rank_key(g)),
            (QT_TR_NOOP("Suspicion"), lambda g: self._suspicion_text(g), lambda g: self._suspicion_key(g)),
            (QT_TR_NOOP("Vessel"), lambda g: g.vessel_name or "", lambda g: g.vessel_name or ""),
            (QT_TR_NOOP("Hours"), lambda g: number_text(g.gap_hours), lambda g: g.gap_hours),
            (QT_TR_NOOP("Review"), lambda g: self._review_status(g), lambda g: self._review_status(g) or None),
            (QT_TR_NOOP("Off (UTC)"), lambda g: utc_text(g.off_time), lambda g: g.off_time),
            (QT_TR_NOOP("On (UTC)"), lambda g: utc_text(g.on_time), lambda g: g.on_time),
            (QT_TR_NOOP("Distance nm"), lambda g: number_text(g.distance_nm, 0), lambda g: g.distance_nm),
            (QT_TR_NOOP("Implied kn"), lambda g: number_text(g.implied_speed_kn), lambda g: g.implied_speed_kn),
            (
                QT_TR_NOOP("Draught m"),
                lambda g: change_text(g.draught_before, g.draught_after, 1),
                lambda g: (
                    None if g.draught_before is None or g.draught_after is None else g.draught_after - g.draught_before
                ),
            ),
            (
                QT_TR_NOOP("Destination"),
                lambda g: change_text(g.destination_before, g.destination_after),
                lambda g: f"{g.destination_before or ''}>{g.destination_after or ''}",
            ),
            (QT_TR_NOOP("MMSI"), lambda g: str(g.mmsi), lambda g: g.mmsi),
        )

    # --- values -------------------------------------------------------------------------------------------------
    def _rank_text(self, gap) -> str:
        score = self.scores.get(gap.gap_id)
        return str(score.rank) if score is not None and score.rank else ""

    def _rank_key(self, gap):
        """Rank 1 first in an ascending sort (rank 0 = not ranked yet: missing)."""
        score = self.scores.get(gap.gap_id)
        return score.rank if score is not None and score.rank else None

    def _suspicion_text(self, gap) -> str:
        score = self.scores.get(gap.gap_id)
        return "" if score is None else f"{points_text(score.points)} {score.level}"

    def _suspicion_key(self, gap):
        """Points, then the longer gap (the scorer's own tie-break), so a descending sort is the ranking."""
        score = self.scores.get(gap.gap_id)
        return None if score is None else (score.points, gap.gap_hours)

    def _review_status(self, gap) -> str:
        review = self.reviews.get(gap.gap_id)
        return review.status if review is not None else ""

    def tooltip(self, gap) -> str:
        parts = []
        score = self.scores.get(gap.gap_id)
        if score is not None:
            parts.append(score.tooltip)
        review = self.reviews.get(gap.gap_id)
        if review is not None:
            parts.append(f"Review: {review.status}" + (f" — {review.note}" if review.note else ""))
        return plain_tooltip("\n".join(parts))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ToolTipRole,
            LEVEL_ROLE,
            REVIEW_ROLE,
        ):
            gap = self.records[index.row()]
            score = self.scores.get(gap.gap_id)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tooltip(gap) or None
            if role == REVIEW_ROLE:
                return self._review_status(gap)
            if role == LEVEL_ROLE:
                return LEVEL_ORDER.index(score.level) if score is not None and score.level in LEVEL_ORDER else -1
            colour = LEVEL_COLOURS.get(score.level) if score is not None else None
            return QBrush(QColor(colour)) if colour else None
        return super().data(index, role)

    # --- updates --------------------------------------------------------------------------------------------
    def set_records(self, records) -> None:
        self.scores = {}
        super().set_records(records)

    def set_scores(self, scores, replace: bool = False) -> None:
        """Add (or with ``replace`` replace all) scores: GapScores by gap_id; the rows are sorted again."""
        if replace:
            self.scores = {}
        self.scores.update({s.gap_id: s for s in scores})
        self.sort(self.sort_column, self.sort_order)

    def set_reviews(self, reviews: Dict[str, Any]) -> None:
        self.reviews = dict(reviews)
        self.sort(self.sort_column, self.sort_order)


class VesselTableModel(RecordTableModel):
    COLUMNS = (
        (QT_TR_NOOP("Vessel"), lambda v: v.name or "", lambda v: v.name or ""),
        (QT_TR_NOOP("Gaps"), lambda v: str(v.gap_count), lambda v: v.gap_count),
        (QT_TR_NOOP("Longest h"), lambda v: number_text(v.longest_gap_hours), lambda v: v.longest_gap_hours),
        (QT_TR_NOOP("Reports"), lambda v: f"{v.reports:,}", lambda v: v.reports),
        (QT_TR_NOOP("First seen"), lambda v: utc_text(v.first_seen), lambda v: v.first_seen),
        (QT_TR_NOOP("Last seen"), lambda v: utc_text(v.last_seen), lambda v: v.last_seen),
        (QT_TR_NOOP("MMSI"), lambda v: str(v.mmsi), lambda v: v.mmsi),
    )

    def name_of(self, record):
        return record.name

    def hours_of(self, record) -> float:
        return record.longest_gap_hours


class RecordFilterProxy(QSortFilterProxyModel):
    """Keeps the rows whose MMSI or name contains the text and whose hours reach the minimum; sorts by value."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.min_hours = 0.0
        self.min_level = 0  # 0: any (scored or not); 1 low or higher, 2 medium or higher, 3 high (LEVEL_ROLE)
        self.unreviewed_only = False

    def set_filter(self, text: str, min_hours: float = 0.0) -> None:
        self.text = text.strip().lower()
        self.min_hours = min_hours
        self.invalidateFilter()

    def set_level_filter(self, min_level: int = 0, unreviewed_only: bool = False) -> None:
        """Keep the gaps of at least ``min_level`` (LEVEL_ORDER's index; 0 = all) and, with ``unreviewed_only``,
        those no one has reviewed yet (the gap models' roles; other models are not filtered by them)."""
        self.min_level = min_level
        self.unreviewed_only = unreviewed_only
        self.invalidateFilter()

    def filterAcceptsRow(self, row, parent):  # noqa: N802 (Qt API)
        model = self.sourceModel()
        index = model.index(row, 0, parent)
        if self.text and self.text not in model.data(index, FILTER_TEXT_ROLE):
            return False
        if self.min_level > 0:
            level = model.data(index, LEVEL_ROLE)
            if level is None or level < self.min_level:  # not scored yet, or below the level asked for
                return False
        if self.unreviewed_only and model.data(index, REVIEW_ROLE):
            return False
        return model.data(index, HOURS_ROLE) >= self.min_hours

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """Sorting is the source model's (fast, in Python once per record); the proxy only filters."""
        self.sourceModel().sort(column, order)

    def record(self, proxy_index):
        return self.sourceModel().records[self.mapToSource(proxy_index).row()]

    def proxy_row_of(self, predicate) -> int:
        """The proxy row of the first record matching ``predicate``; -1 if none is shown."""
        model = self.sourceModel()
        for row, record in enumerate(model.records):
            if predicate(record):
                mapped = self.mapFromSource(model.index(row, 0))
                return mapped.row() if mapped.isValid() else -1
        return -1


def attach_table(
    table, model: RecordTableModel, sort_title: str, order=Qt.SortOrder.DescendingOrder
) -> RecordFilterProxy:
    """Show ``model`` in ``table`` through a filter proxy, sorted by the column titled ``sort_title``.

    The sort is applied explicitly: a view's header shows a sort indicator from the .ui before any model is set,
    and the proxy would otherwise keep the records in load order under that indicator.
    """
    proxy = RecordFilterProxy(table)
    proxy.setSourceModel(model)
    table.setModel(proxy)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setResizeContentsPrecision(50)  # sizing reads 50 rows, not all
    column = next(i for i, (title, _, _) in enumerate(model.COLUMNS) if title == sort_title)
    table.sortByColumn(column, order)
    return proxy
