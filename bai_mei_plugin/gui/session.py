"""What the dock has loaded: where the reports live, the gaps, and the layers in the project. Shared by the panels."""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsProject
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ..core.gap_engine import GapEngine, ReportsLocation
from ..core.vessels import summarise_vessels
from ..qgis_io.styles import apply_style
from ..tasks.ais_tasks import LoadResult


class Session(QObject):
    """The current AIS data set. ``changed`` fires when gaps or layers are replaced."""

    changed = pyqtSignal()
    # the gaps' scores (gap_id -> core.suspicion.GapScore) changed: some arrived, or all were replaced (owner: the
    # Gaps page's scoring task)
    scoresChanged = pyqtSignal()  # noqa: N815 (Qt signal naming)
    # the sanctions lists or their matches (mmsi -> [core.watchlists.WatchlistMatch]) changed (owner: Vessels page)
    watchlistsChanged = pyqtSignal()  # noqa: N815

    def __init__(self, project: QgsProject, parent=None):
        super().__init__(parent)
        self.project = project
        self.name = ""
        self.result: Optional[LoadResult] = None
        self.group = None
        self.vessels = []
        self.extra = {}  # analysis layers by kind (reachable sea, port visits...), replaced when re-run
        self.scores = {}  # gap_id -> core.suspicion.GapScore of the gaps shown (filled in the background)
        self.watchlist_matches = {}  # mmsi -> [core.watchlists.WatchlistMatch] for the vessels loaded

    @property
    def location(self) -> Optional[ReportsLocation]:
        """Where the reports live: loaded into QGIS, a PostGIS table or an archive (None before any load)."""
        return self.result.location if self.result else None

    @property
    def engine(self) -> Optional[GapEngine]:
        """The engine that found the gaps shown: it finds them again, where the reports are, with other criteria."""
        return self.result.engine if self.result else None

    @property
    def gaps_layer(self):
        return self.result.gaps_layer if self.result else None

    @property
    def tracks_layer(self):
        return self.result.tracks_layer if self.result else None

    def layers(self):
        if not self.result:
            return []
        return [
            layer
            for layer in (self.result.gaps_layer, self.result.tracks_layer, self.result.points_layer)
            if layer is not None
        ]

    def show(self, name: str, result: LoadResult) -> None:
        """Put a load's layers in a group named after the source, replacing what this session showed before."""
        self.remove_layers()
        self.name = name
        self.result = result
        self.group = self.project.layerTreeRoot().insertGroup(0, name)
        for layer, kind in (
            (result.gaps_layer, "gaps"),
            (result.tracks_layer, "tracks"),
            (result.points_layer, "points"),
        ):
            self._add(layer, kind)
        self._summarise()

    def replace_gaps(self, result: LoadResult) -> None:
        """New gaps and tracks for the same reports (a re-run with other criteria); the points layer stays."""
        old = self.result
        for layer in (old.gaps_layer, old.tracks_layer):
            if layer is not None and self.project.mapLayer(layer.id()) is not None:
                self.project.removeMapLayer(layer.id())
        result.points_layer = old.points_layer
        self.result = result
        self._add(result.tracks_layer, "tracks", position=0)
        self._add(result.gaps_layer, "gaps", position=0)
        self._summarise()

    def _add(self, layer, kind: str, position: int = -1) -> None:
        if layer is None:
            return
        apply_style(layer, kind)
        self.project.addMapLayer(layer, False)
        if position < 0:
            self.group.addLayer(layer)
        else:
            self.group.insertLayer(position, layer)

    def add_extra(self, layer, kind: str) -> None:
        """Add an analysis layer to the source's group, replacing the previous one of the same kind."""
        old = self.extra.pop(kind, None)
        if old is not None and self.project.mapLayer(old.id()) is not None:
            self.project.removeMapLayer(old.id())
        self._add(layer, kind, position=0)
        self.extra[kind] = layer

    def _summarise(self) -> None:
        self.vessels = summarise_vessels(self.result.columns, self.result.found.gaps)
        self.changed.emit()

    def remove_layers(self) -> None:
        if self.result is None:
            return
        for layer in [*self.layers(), *self.extra.values()]:
            if self.project.mapLayer(layer.id()) is not None:
                self.project.removeMapLayer(layer.id())
        self.extra = {}
        if self.group is not None and self.group.parent() is not None:
            self.group.parent().removeChildNode(self.group)
        self.group = None
        self.result = None


class PagePart(QObject):
    """A part of a dock page: what it works with (the dock, the session, QGIS's interface, the settings) and the
    background task it runs, if any (through its ``runner``, a gui.task_runner.TaskRunner)."""

    runner = None

    def __init__(self, dock, session: Session, iface, settings):
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.iface = iface
        self.settings = settings

    @property
    def task(self):
        """The running task, None when idle."""
        return self.runner.task if self.runner is not None else None
