"""The Vessels page: who is in the data, how often each went dark; show one vessel alone or all."""

from __future__ import annotations

from qgis.PyQt.QtCore import QObject

from . import map_view
from .guard import guarded
from .models import VesselTableModel, attach_table


class VesselsPanel(QObject):
    def __init__(self, dock, session, iface):
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.iface = iface
        self.model = VesselTableModel(self)
        self.proxy = attach_table(dock.vesselTable, self.model, "Longest h")  # the longest silences first
        dock.vesselFilterEdit.textChanged.connect(lambda text: self.proxy.set_filter(text))
        dock.showVesselButton.clicked.connect(self.show_selected_vessel)
        dock.showAllButton.clicked.connect(self.show_all)
        dock.vesselTable.doubleClicked.connect(lambda _index: self.show_selected_vessel())
        session.changed.connect(self.on_session_changed)
        self.on_session_changed()

    def on_session_changed(self) -> None:
        self.model.set_records(self.session.vessels)
        self.dock.vesselTable.resizeColumnsToContents()

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
