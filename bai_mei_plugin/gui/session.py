"""What the dock has loaded: where the reports live, the gaps, and the layers in the project. Shared by the panels."""

from __future__ import annotations

from typing import Optional

from qgis.core import Qgis, QgsMessageLog, QgsProject
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ..core.errors import BaiMeiError
from ..core.gap_engine import GapEngine, ReportsLocation
from ..core.vessels import summarise_vessels
from ..qgis_io.case_workspace import Case, restored_result
from ..qgis_io.styles import apply_style
from ..tasks.ais_tasks import LoadResult

LOG_TAG = "Bai Mei"
CORE_KINDS = ("gaps", "tracks", "points")


class Session(QObject):
    """The current AIS data set. ``changed`` fires when gaps or layers are replaced."""

    changed = pyqtSignal()
    # the gaps' scores (gap_id -> core.suspicion.GapScore) changed: some arrived, or all were replaced (owner: the
    # Gaps page's scoring task)
    scoresChanged = pyqtSignal()  # noqa: N815 (Qt signal naming)
    # the sanctions lists or their matches (mmsi -> [core.watchlists.WatchlistMatch]) changed (owner: Vessels page)
    watchlistsChanged = pyqtSignal()  # noqa: N815
    # the case workspace could not keep a layer (the message names the layer and the file; owner: the case bar)
    caseProblem = pyqtSignal(str)  # noqa: N815
    # a case was opened, made or closed (owner: the case bar)
    caseChanged = pyqtSignal()  # noqa: N815

    def __init__(self, project: QgsProject, parent=None):
        super().__init__(parent)
        self.project = project
        self.case: Optional[Case] = None  # the open case workspace: every layer made is written into it
        self._removing = False
        project.cleared.connect(self.on_project_cleared)
        project.layersWillBeRemoved.connect(self.on_layers_removed)
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
        self._remember_load(name, result)
        result.gaps_layer = self.persist(result.gaps_layer, "gaps")
        result.tracks_layer = self.persist(result.tracks_layer, "tracks")
        result.points_layer = self.persist(result.points_layer, "points")
        for layer, kind in (
            (result.gaps_layer, "gaps"),
            (result.tracks_layer, "tracks"),
            (result.points_layer, "points"),
        ):
            self._add(layer, kind)
        self._summarise()

    # --- the case workspace -------------------------------------------------------------------------------------
    def persist(self, layer, kind: str, params: Optional[dict] = None):
        """``layer`` written into the open case as the current layer of ``kind`` (the GeoPackage layer to show
        instead is returned); the layer itself without a case, or when writing failed (said through caseProblem)."""
        if layer is None or self.case is None:
            return layer
        try:
            return self.case.persist(layer, kind, params)
        except BaiMeiError as exc:
            self._problem(exc.message)
            return layer

    def remember(self, **values) -> None:
        """Keep sources and parameters in the open case (``case_info``), e.g. ``remember(sightings_path=...)``;
        nothing without a case."""
        if self.case is None:
            return
        try:
            self.case.set_info(**values)
        except Exception as exc:  # a busy or read-only file: said, never raised into a panel
            self._problem(f"Could not note {', '.join(values)} in the case {self.case.path}: {exc}")

    def _problem(self, message: str) -> None:
        QgsMessageLog.logMessage(message, LOG_TAG, Qgis.Warning)
        self.caseProblem.emit(message)

    def _remember_load(self, name: str, result: LoadResult) -> None:
        """The load's source and engine, and its reports (so that reopening needs no re-read), into the case."""
        if self.case is None:
            return
        location = result.location
        self.remember(
            name=name,
            source_kind=location.kind,
            source=location.source,
            engine=getattr(result.engine, "label", ""),
            candidate_gaps=result.found.candidate_gaps,
        )
        if result.reports is not None:
            try:
                self.case.write_reports(result.reports)
            except Exception as exc:  # disk full, busy file: the layers are still kept
                self._problem(f"Could not keep the AIS reports in the case {self.case.path}: {exc}")

    def set_case(self, case: Optional[Case]) -> None:
        """Work in ``case`` from now on (None: memory layers again). What is shown now is written into it."""
        self.case = case
        if case is not None and self.result is not None:
            self._persist_shown()
        self.caseChanged.emit()

    def _persist_shown(self) -> None:
        """Write what the session shows into the case just opened (the analyst made the case after a load)."""
        result = self.result
        self._remember_load(self.name, result)
        for kind in CORE_KINDS:
            attr = f"{kind}_layer"
            self._swap(getattr(result, attr), kind, lambda new, attr=attr: setattr(result, attr, new))
        for kind, layer in list(self.extra.items()):
            self._swap(layer, kind, lambda new, kind=kind: self.extra.__setitem__(kind, new))

    def _swap(self, layer, kind: str, keep) -> None:
        if layer is None or sip.isdeleted(layer) or self.case.holds(layer):
            return
        new = self.persist(layer, kind)
        if new is layer:
            return
        node = self.group.findLayer(layer.id()) if self.group is not None else None
        position = self.group.children().index(node) if node is not None else 0
        keep(new)
        self._removing = True
        try:
            self.project.removeMapLayer(layer.id())
        finally:
            self._removing = False
        self._add(new, kind, position=position)

    def restore(self, case: Case) -> bool:
        """The case's layers, gaps and reports back in the session, found again in the project (by their source in
        the case) or added from the case. False when the case holds no gaps yet."""
        self.case = case
        restored = restored_result(case, self.project, LoadResult)
        if restored is None:
            self.caseChanged.emit()
            return False
        self.remove_layers()
        self.name, self.result, self.extra = restored.name, restored.result, dict(restored.extra)
        self.group = restored.group
        for kind, layer in restored.added:
            self._add(layer, kind)
        self._summarise()
        self.caseChanged.emit()
        return True

    def on_project_cleared(self) -> None:
        """The project was cleared (closed, or about to be read): its layers are deleted, so is what shows them."""
        self.result, self.group, self.extra, self.name = None, None, {}, ""
        self.vessels, self.scores = [], {}
        self.case = None
        self.caseChanged.emit()
        self.changed.emit()

    def on_layers_removed(self, layer_ids) -> None:
        """The analyst removed some of the session's layers: forget them (a removed gaps layer ends the session)."""
        if self._removing or self.result is None:
            return
        gone = set(layer_ids)
        for kind, layer in list(self.extra.items()):
            if sip.isdeleted(layer) or layer.id() in gone:
                self.extra.pop(kind)
        gaps = self.result.gaps_layer
        if gaps is not None and (sip.isdeleted(gaps) or gaps.id() in gone):
            self.result, self.group, self.extra, self.vessels, self.scores = None, None, {}, [], {}
            self.changed.emit()
            return
        for attr in ("tracks_layer", "points_layer"):
            layer = getattr(self.result, attr)
            if layer is not None and (sip.isdeleted(layer) or layer.id() in gone):
                setattr(self.result, attr, None)

    def replace_gaps(self, result: LoadResult) -> None:
        """New gaps and tracks for the same reports (a re-run with other criteria); the points layer stays."""
        old = self.result
        self._remove([old.gaps_layer, old.tracks_layer])  # first, so that the case can drop their tables
        result.gaps_layer = self.persist(result.gaps_layer, "gaps")
        result.tracks_layer = self.persist(result.tracks_layer, "tracks")
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
        self._remove([old])  # first, so that the case can drop its table
        layer = self.persist(layer, kind)
        self._add(layer, kind, position=0)
        self.extra[kind] = layer

    def _remove(self, layers) -> None:
        """Remove the session's own layers from the project (not taken for the analyst removing them)."""
        self._removing = True
        try:
            for layer in layers:
                if layer is not None and not sip.isdeleted(layer) and self.project.mapLayer(layer.id()) is not None:
                    self.project.removeMapLayer(layer.id())
        finally:
            self._removing = False

    def _summarise(self) -> None:
        self.vessels = summarise_vessels(self.result.columns, self.result.found.gaps)
        self.changed.emit()

    def remove_layers(self) -> None:
        if self.result is None:
            return
        self._remove([*self.layers(), *self.extra.values()])
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
