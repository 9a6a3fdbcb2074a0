"""The Vessels page: who is in the data, how often each went dark, its worst gap and the sanctions lists it is on;
show one vessel alone or all; import, see and remove sanctions lists (kept in the user's profile)."""

from __future__ import annotations

import os
from typing import Dict, List, Optional

from qgis.core import Qgis
from qgis.PyQt.QtCore import QT_TR_NOOP, QObject, Qt
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core.watchlists import Watchlist, WatchlistMatcher, list_name, parse_published, read_watchlist
from ..qgis_io.case_workspace import mark_made_by
from ..qgis_io.i18n import tr
from ..qgis_io.listed_vessels import KIND as LISTED_KIND
from ..qgis_io.listed_vessels import listed_vessels_layer
from ..qgis_io.watchlist_store import remove_watchlist, save_watchlist, saved_watchlists
from . import map_view
from .guard import guarded
from .models import attach_table
from .settings import Settings
from .vessel_models import VesselsModel, worst_scores


class VesselsPanel(QObject):
    def __init__(self, dock, session, iface):
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.iface = iface
        self.lists: List[Watchlist] = []
        self._matcher = None  # (ids of the lists it was built from, WatchlistMatcher)
        self.model = VesselsModel(self)
        self.proxy = attach_table(dock.vesselTable, self.model, "Longest h")  # the longest silences first
        dock.vesselFilterEdit.textChanged.connect(lambda text: self.proxy.set_filter(text))
        dock.showVesselButton.clicked.connect(self.show_selected_vessel)
        dock.showAllButton.clicked.connect(self.show_all)
        dock.sanctionsButton.clicked.connect(self.open_lists)
        dock.vesselTable.doubleClicked.connect(lambda _index: self.show_selected_vessel())
        session.changed.connect(self.on_session_changed)
        session.scoresChanged.connect(self.on_scores_changed)
        self.on_session_changed()

    @guarded
    def on_session_changed(self) -> None:
        self.model.set_records(self.session.vessels)
        self.on_scores_changed()
        self.rematch()
        self.dock.vesselTable.resizeColumnsToContents()

    @guarded
    def on_scores_changed(self) -> None:
        self.model.set_worst(worst_scores(getattr(self.session, "scores", None) or {}))

    # ------------------------------------------------------------------------------------------- matching

    @guarded(level=Qgis.MessageLevel.Warning, seconds=10)
    def rematch(self, lists_changed: bool = False) -> None:
        """Match the session's reports against the saved lists; store, show and announce the matches."""
        problems: List[str] = []
        self.lists = saved_watchlists(problems)
        result = self.session.result
        matches = self.matcher().match_reports(result.columns) if result is not None and self.lists else {}
        self.apply_matches(matches, lists_changed)
        self.show_lists()
        for problem in problems:
            self.iface.messageBar().pushMessage("Bai Mei", problem, Qgis.MessageLevel.Warning, 10)

    def matcher(self) -> WatchlistMatcher:
        """The matcher of the current lists (the store returns the same objects until a file changes)."""
        key = tuple(id(wl) for wl in self.lists)
        if self._matcher is None or self._matcher[0] != key:
            self._matcher = (key, WatchlistMatcher(self.lists))
        return self._matcher[1]

    def apply_matches(self, matches: Dict[int, list], lists_changed: bool = False) -> None:
        changed = matches != self.session.watchlist_matches
        self.session.watchlist_matches = matches
        self.model.set_matches(matches)
        self.update_layer(matches, changed)
        if changed or lists_changed:
            self.session.watchlistsChanged.emit()

    def update_layer(self, matches: Dict[int, list], changed: bool) -> None:
        """The "Listed vessels" layer in the source's group: replaced when the matches change, removed when none."""
        session = self.session
        if session.result is None or session.group is None:
            return
        shown = session.extra.get(LISTED_KIND)
        if not changed and (shown is not None) == bool(matches):
            return
        layer = listed_vessels_layer(session.result.columns, matches) if matches else None
        if layer is not None:
            lists = [f"{wl.name} ({wl.published or wl.imported[:10]}, {wl.source})" for wl in self.lists]
            mark_made_by(layer, made_by="sanctions lists", lists=lists)
            session.add_extra(layer, LISTED_KIND)
            return
        old = session.extra.pop(LISTED_KIND, None)
        if old is not None and session.project.mapLayer(old.id()) is not None:
            session.project.removeMapLayer(old.id())

    def show_lists(self) -> None:
        label = self.dock.watchlistLabel
        if not self.lists:
            label.setText(tr("No sanctions lists"))
            label.setToolTip("")
            return
        text = "Lists: " + ", ".join(wl.title for wl in self.lists)
        if self.session.result is not None:
            text += f" — {len(self.session.watchlist_matches):,} vessel(s) listed"
        label.setText(text)
        label.setToolTip("\n".join(f"{wl.title}: {len(wl.entries):,} vessels, from {wl.source}" for wl in self.lists))

    # ------------------------------------------------------------------------------------------- the lists

    @guarded
    def open_lists(self) -> None:
        WatchlistsDialog(self, self.dock).exec()

    def choose_file(self, parent) -> str:
        settings = Settings()
        path, _ = QFileDialog.getOpenFileName(
            parent,
            tr("Import a sanctions list"),
            settings.value("watchlist_folder", "") or "",
            tr("CSV files (*.csv *.txt);;All files (*)"),
        )
        if path:
            settings.set_value("watchlist_folder", os.path.dirname(path))
        return path

    @guarded(level=Qgis.MessageLevel.Warning, seconds=10)
    def import_file(self, path: str, parent=None) -> Optional[Watchlist]:
        """Read a list, let the analyst confirm its name and date (prefilled), keep it and match it."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            wl = read_watchlist(path)
        finally:
            QApplication.restoreOverrideCursor()
        form = ImportForm(wl, parent or self.dock)
        if form.exec() != QDialog.DialogCode.Accepted:
            return None
        wl.name = list_name(form.nameEdit.text())
        wl.published = parse_published(form.dateEdit.text())
        return self.import_watchlist(wl)

    def import_watchlist(self, wl: Watchlist) -> Watchlist:
        replaced = any(old.name == wl.name for old in self.lists)
        save_watchlist(wl)
        self.rematch(lists_changed=True)
        on_it = sum(any(m.list_name == wl.name for m in ms) for ms in self.session.watchlist_matches.values())
        with_imo = sum(1 for e in wl.entries if e.imo)
        with_mmsi = sum(1 for e in wl.entries if e.mmsi)
        message = (
            f"{'Replaced' if replaced else 'Imported'} the sanctions list {wl.title}: {len(wl.entries):,} vessels "
            f"({with_imo:,} with an IMO number, {with_mmsi:,} with an MMSI)"
        )
        if self.session.result is not None:
            message += f"; {on_it:,} vessel(s) of {self.session.name} on it"
        self.iface.messageBar().pushMessage("Bai Mei", message + ".", Qgis.MessageLevel.Success, 8)
        return wl

    @guarded
    def remove_list(self, name: str) -> None:
        remove_watchlist(name)
        self.rematch(lists_changed=True)
        self.iface.messageBar().pushMessage(
            "Bai Mei", tr("Removed the sanctions list {name}.").format(name=name), Qgis.MessageLevel.Info, 5
        )

    # ------------------------------------------------------------------------------------------- showing vessels

    def selected_vessel(self):
        rows = self.dock.vesselTable.selectionModel().selectedRows()
        return self.proxy.record(rows[0]) if rows else None

    def filter_layers(self, expression: str) -> None:
        for layer in self.session.layers():
            layer.setSubsetString(expression)
            layer.triggerRepaint()

    @guarded
    def show_selected_vessel(self) -> None:
        vessel = self.selected_vessel()
        if vessel is None:
            return
        self.filter_layers(f'"mmsi" = {int(vessel.mmsi)}')
        canvas = self.iface.mapCanvas()
        layer = self.session.tracks_layer or self.session.gaps_layer  # gaps from an archive come without tracks
        extent = layer.extent()
        if not extent.isEmpty():
            map_view.zoom_to(canvas, extent, margin=0.05)
        # A gap's window may still be set in the Temporal Controller: widen it to the vessel's whole time in the data.
        map_view.show_window(canvas, vessel.first_seen, vessel.last_seen, padding_s=3600)

    @guarded
    def show_all(self) -> None:
        self.filter_layers("")
        vessels = self.session.vessels
        if vessels:
            start = min(v.first_seen for v in vessels)
            end = max(v.last_seen for v in vessels)
            map_view.show_window(self.iface.mapCanvas(), start, end, padding_s=3600)


LIST_COLUMNS = (
    QT_TR_NOOP("Name"),
    QT_TR_NOOP("Published"),
    QT_TR_NOOP("Vessels"),
    QT_TR_NOOP("Source file"),
    QT_TR_NOOP("Imported (UTC)"),
)


class WatchlistsDialog(QDialog):
    """The saved lists with their dates and sizes; Import… and Remove."""

    def __init__(self, panel: VesselsPanel, parent=None):
        super().__init__(parent)
        self.panel = panel
        self.setWindowTitle(tr("Sanctions lists"))
        self.resize(560, 260)
        self.table = QTableWidget(0, len(LIST_COLUMNS), self)
        self.table.setHorizontalHeaderLabels([tr(name) for name in LIST_COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.importButton = QPushButton(tr("Import…"), self)
        self.removeButton = QPushButton(tr("Remove"), self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for widget in (self.importButton, self.removeButton):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        hint = QLabel(tr("Kept in your QGIS profile; vessels of the loaded reports on a list are shown in red."), self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.importButton.clicked.connect(self.import_list)
        self.removeButton.clicked.connect(self.remove_selected)
        self.table.itemSelectionChanged.connect(self._enable)
        self.refresh()

    def refresh(self) -> None:
        lists = self.panel.lists
        self.table.setRowCount(len(lists))
        for row, wl in enumerate(lists):
            imported = wl.imported.replace("T", " ")[:16]
            values = (wl.name, wl.published or "unknown", f"{len(wl.entries):,}", wl.source, imported)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)  # plain text: a name is shown, never interpreted
                item.setToolTip("\n".join(wl.notes) if wl.notes else "")
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self._enable()

    def _enable(self) -> None:
        self.removeButton.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def selected_name(self) -> Optional[str]:
        rows = self.table.selectionModel().selectedRows()
        return self.panel.lists[rows[0].row()].name if rows else None

    def import_list(self) -> None:
        path = self.panel.choose_file(self)
        if path and self.panel.import_file(path, self) is not None:
            self.refresh()

    def remove_selected(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.panel.remove_list(name)
            self.refresh()


class ImportForm(QDialog):
    """The name and published date of a list being imported, prefilled from the file; what was read."""

    def __init__(self, wl: Watchlist, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Import a sanctions list"))
        self.nameEdit = QLineEdit(wl.name, self)
        self.dateEdit = QLineEdit(wl.published or "", self)
        self.dateEdit.setPlaceholderText(tr("YYYY-MM-DD (the date the list was published)"))
        # the reasons (and the notes) come from core.watchlists, in English like its errors
        dropped = "; ".join(f"{count:,} {reason}" for reason, count in wl.dropped.items())
        vessels = tr("{count:,} vessel") if len(wl.entries) == 1 else tr("{count:,} vessels")
        summary = f"{wl.source} ({wl.format}): " + vessels.format(count=len(wl.entries))
        if dropped:
            summary += tr("; skipped {dropped}").format(dropped=dropped)
        read = QLabel(summary + "".join(f"\n{note}" for note in wl.notes), self)
        read.setTextFormat(Qt.TextFormat.PlainText)
        read.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(read)
        form.addRow(tr("Name"), self.nameEdit)
        form.addRow(tr("Published"), self.dateEdit)
        form.addRow(buttons)
