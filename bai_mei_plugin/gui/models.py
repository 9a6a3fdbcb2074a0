"""Table models for the dock: the gaps and the vessels, with a proxy that filters by text and minimum hours."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, List, Sequence, Tuple

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

FILTER_TEXT_ROLE = Qt.UserRole + 2
HOURS_ROLE = Qt.UserRole + 3


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
        self.sort_order = Qt.AscendingOrder

    def set_records(self, records) -> None:
        self.beginResetModel()
        self.records = list(records)
        self._sort_records()
        self.endResetModel()

    def _sort_records(self) -> None:
        if not 0 <= self.sort_column < len(self.COLUMNS):
            return
        key = self.COLUMNS[self.sort_column][2]
        descending = self.sort_order == Qt.DescendingOrder
        # One key call per record (a proxy's comparisons would call back into Python n log n times). Missing
        # values sort as the smallest.
        self.records.sort(key=lambda r: (key(r) is not None, key(r) if key(r) is not None else 0), reverse=descending)

    def sort(self, column, order=Qt.AscendingOrder):
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

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.COLUMNS[section][0]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        record = self.records[index.row()]
        _, show, key = self.COLUMNS[index.column()]
        if role == Qt.DisplayRole:
            return show(record)
        if role == FILTER_TEXT_ROLE:
            return f"{record.mmsi} {(self.name_of(record) or '').lower()}"
        if role == HOURS_ROLE:
            return self.hours_of(record)
        if role == Qt.TextAlignmentRole and isinstance(key(record), (int, float)):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def name_of(self, record):
        return record.vessel_name

    def hours_of(self, record) -> float:
        return record.gap_hours


class GapTableModel(RecordTableModel):
    # Key columns first, so the narrow dock shows who, how long and when without scrolling; MMSI last (the name
    # says who it is, and the filter still matches MMSIs).
    COLUMNS = (
        ("Vessel", lambda g: g.vessel_name or "", lambda g: g.vessel_name or ""),
        ("Hours", lambda g: number_text(g.gap_hours), lambda g: g.gap_hours),
        ("Off (UTC)", lambda g: utc_text(g.off_time), lambda g: g.off_time),
        ("On (UTC)", lambda g: utc_text(g.on_time), lambda g: g.on_time),
        ("Distance nm", lambda g: number_text(g.distance_nm, 0), lambda g: g.distance_nm),
        ("Implied kn", lambda g: number_text(g.implied_speed_kn), lambda g: g.implied_speed_kn),
        (
            "Draught m",
            lambda g: change_text(g.draught_before, g.draught_after, 1),
            lambda g: (
                None if g.draught_before is None or g.draught_after is None else g.draught_after - g.draught_before
            ),
        ),
        (
            "Destination",
            lambda g: change_text(g.destination_before, g.destination_after),
            lambda g: f"{g.destination_before or ''}>{g.destination_after or ''}",
        ),
        ("MMSI", lambda g: str(g.mmsi), lambda g: g.mmsi),
    )


class VesselTableModel(RecordTableModel):
    COLUMNS = (
        ("Vessel", lambda v: v.name or "", lambda v: v.name or ""),
        ("Gaps", lambda v: str(v.gap_count), lambda v: v.gap_count),
        ("Longest h", lambda v: number_text(v.longest_gap_hours), lambda v: v.longest_gap_hours),
        ("Reports", lambda v: f"{v.reports:,}", lambda v: v.reports),
        ("First seen", lambda v: utc_text(v.first_seen), lambda v: v.first_seen),
        ("Last seen", lambda v: utc_text(v.last_seen), lambda v: v.last_seen),
        ("MMSI", lambda v: str(v.mmsi), lambda v: v.mmsi),
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

    def set_filter(self, text: str, min_hours: float = 0.0) -> None:
        self.text = text.strip().lower()
        self.min_hours = min_hours
        self.invalidateFilter()

    def filterAcceptsRow(self, row, parent):  # noqa: N802 (Qt API)
        index = self.sourceModel().index(row, 0, parent)
        if self.text and self.text not in self.sourceModel().data(index, FILTER_TEXT_ROLE):
            return False
        return self.sourceModel().data(index, HOURS_ROLE) >= self.min_hours

    def sort(self, column, order=Qt.AscendingOrder):
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


def attach_table(table, model: RecordTableModel, sort_title: str, order=Qt.DescendingOrder) -> RecordFilterProxy:
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
