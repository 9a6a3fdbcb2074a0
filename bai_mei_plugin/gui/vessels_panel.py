"""The Vessels page: who is in the data, how often each went dark; show one vessel alone or all."""

from __future__ import annotations

from qgis.PyQt.QtCore import QObject

from .models import RecordFilterProxy, VesselTableModel


class VesselsPanel(QObject):
    def __init__(self, dock, session, iface):
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.iface = iface
        self.model = VesselTableModel(self)
        self.proxy = RecordFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        dock.vesselTable.setModel(self.proxy)
        dock.vesselTable.verticalHeader().setVisible(False)
        dock.vesselTable.horizontalHeader().setResizeContentsPrecision(50)  # sizing reads 50 rows, not all
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

    def show_selected_vessel(self) -> None:
        vessel = self.selected_vessel()
        if vessel is None:
            return
        self.filter_layers(f'"mmsi" = {int(vessel.mmsi)}')
        extent = self.session.tracks_layer.extent()
        if not extent.isEmpty():
            from .map_view import zoom_to

            zoom_to(self.iface.mapCanvas(), extent, margin=0.05)

    def show_all(self) -> None:
        self.filter_layers("")
