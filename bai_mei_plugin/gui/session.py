"""What the dock has loaded: where the reports live, the gaps, and the layers in the project. Shared by the panels."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from qgis.core import Qgis, QgsMessageLog, QgsProject
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ..core.errors import BaiMeiError
from ..core.gap_engine import GapEngine, ReportsLocation
from ..core.vessels import summarise_vessels
from ..qgis_io.case_workspace import Case, made_by, restored_result
from ..qgis_io.scores import SCORE_FIELD_NAMES, WEIGHTS_PROPERTY, add_score_fields
from ..qgis_io.styles import apply_style
from ..tasks.ais_tasks import LoadResult
from ..tasks.case_tasks import ShownLayer

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
    # the case bar's write of the layers shown ended: layers held back meanwhile can be written now (owner: session)
    caseWritable = pyqtSignal()  # noqa: N815
    # a case's session was restored (Open case…, the project read): its case_info, for the pages to restore their own
    # state (the imagery results, the ranking)
    caseRestored = pyqtSignal(dict)  # noqa: N815

    def __init__(self, project: QgsProject, parent=None):
        super().__init__(parent)
        self.project = project
        self.case: Optional[Case] = None  # the open case workspace: every layer made is written into it
        # the case bar's task writing the layers shown into the case (None when idle): GDAL holds the file's write
        # lock meanwhile, so writing into the case here would freeze QGIS until it ends; such writes wait instead
        self.keeping = None
        self._pending_info = {}  # noted while ``keeping``, written into the case when it ends
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
        self._stop_keeping()
        self.remove_layers()
        self.name = name
        self.result = result
        self.group = self.project.layerTreeRoot().insertGroup(0, name)
        self._remember_load(name, result)
        result.gaps_layer = self._take(result, result.gaps_layer, "gaps")
        result.tracks_layer = self._take(result, result.tracks_layer, "tracks")
        result.points_layer = self._take(result, result.points_layer, "points")
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
        if layer is None or self.case is None or self.keeping is not None:
            return layer  # while keeping: written by the case bar's next task, once this one ends
        try:
            return self.case.persist(layer, kind, params)
        except BaiMeiError as exc:
            self._problem(exc.message)
            return layer

    def _take(self, result: LoadResult, layer, kind: str):
        """``layer`` of a task's ``result`` as the case keeps it: the table the task already wrote off the GUI thread
        made current (a quick switch), else written here (no task wrote it: the case was opened meanwhile)."""
        if layer is None or self.case is None:
            return layer
        if result.case_path != self.case.path:
            return self.persist(layer, kind)
        if result.case_problem:  # the task could not write (disk full...): said once, the layers stay in memory
            if not result.case_problem_said:
                result.case_problem_said = True
                self._problem(result.case_problem)
            return layer
        table = result.case_tables.get(kind)
        if table is None:
            return self.persist(layer, kind)
        try:
            return self.case.make_current(kind, table, layer.name(), made_by(layer))
        except BaiMeiError as exc:
            self._problem(exc.message)
            return layer

    def remember(self, **values) -> None:
        """Keep sources and parameters in the open case (``case_info``), e.g. ``remember(sightings_path=...)``;
        nothing without a case."""
        if self.case is None:
            return
        if self.keeping is not None:
            self._pending_info.update(values)
            return
        try:
            self.case.set_info(**values)
        except Exception as exc:  # a busy or read-only file: said, never raised into a panel
            self._problem(f"Could not note {', '.join(values)} in the case {self.case.path}: {exc}")

    def kept(self) -> None:
        """The case bar's write into the case ended: what was noted meanwhile goes into the case now."""
        self.keeping = None
        pending, self._pending_info = self._pending_info, {}
        if pending:
            self.remember(**pending)
        self.caseWritable.emit()

    def _stop_keeping(self) -> None:
        """A load (or re-run) replaces the layers being written into the case: that write is stopped (its tables
        dropped, nothing said) before the load's own tables are made current, which would wait on GDAL's lock."""
        task = self.keeping
        if task is None:
            return
        task.superseded = True
        task.cancel()
        task.waitForFinished(10000)  # Cancel is asked between features: the writer stops within moments
        self.kept()

    def _problem(self, message: str) -> None:
        QgsMessageLog.logMessage(message, LOG_TAG, Qgis.MessageLevel.Warning)
        self.caseProblem.emit(message)

    def _remember_load(self, name: str, result: LoadResult) -> None:
        """The load's source and engine, and its reports (so that reopening needs no re-read), into the case."""
        if self.case is None:
            return
        self._remember_source(name, result)
        if result.reports is not None and not (result.reports_in_case and result.case_path == self.case.path):
            try:
                self.case.write_reports(result.reports)
            except Exception as exc:  # disk full, busy file: the layers are still kept
                self._problem(f"Could not keep the AIS reports in the case {self.case.path}: {exc}")

    def _remember_source(self, name: str, result: LoadResult) -> None:
        location = result.location
        self.remember(
            name=name,
            source_kind=location.kind,
            source=location.source,
            engine=getattr(result.engine, "label", ""),
            candidate_gaps=result.found.candidate_gaps,
        )

    def set_case(self, case: Optional[Case]) -> None:
        """Work in ``case`` from now on (None: memory layers again). What is shown already is written into it by the
        case bar's task (``shown_to_keep``, then ``keep_written``), never here on the GUI thread."""
        self.case = case
        self.caseChanged.emit()

    def shown_to_keep(self) -> Tuple[List[ShownLayer], Optional[object]]:
        """What the session shows that the open case does not hold yet, as copies for a task to write (made here, on
        the GUI thread), and the reports to keep with them (None when there are none or the case has them). The
        load's source is noted in the case now (small)."""
        if self.case is None or self.result is None:
            return [], None
        shown = []
        for kind, layer in self._shown_layers():
            if layer is not None and not sip.isdeleted(layer) and not self.case.holds(layer):
                shown.append(ShownLayer(kind, layer.id(), layer.clone()))
        result = self.result
        self._remember_source(self.name, result)
        kept = result.reports_in_case and result.case_path == self.case.path
        return shown, (None if kept else result.reports)

    def keep_written(self, case_path: str, written: Dict[str, str], shown: List[ShownLayer], reports=None):
        """Make the tables a task wrote (kind -> table, copies of ``shown``) current in the case and show them instead
        of the memory layers. A layer replaced or removed meanwhile (a re-run, a new analysis) keeps its replacement:
        its table is dropped; so are all of them when the case was closed or changed meanwhile. ``reports``: those
        the task kept in the case (None: none). Returns the kinds swapped."""
        case = self.case
        if case is None or case.path != case_path:
            Case(case_path).discard(written.values())
            return []
        if reports is not None and self.result is not None:
            if self.result.reports is reports:
                self.result.reports_in_case, self.result.case_path = True, case.path
            else:  # a load meanwhile kept its own reports, then these overwrote them: written again (shown_to_keep)
                self.result.reports_in_case = False
        ids = {item.kind: item.layer_id for item in shown}
        swapped = []
        for kind, table in written.items():
            layer = self._shown(kind)
            if layer is None or sip.isdeleted(layer) or layer.id() != ids.get(kind) or case.holds(layer):
                case.discard([table])
                continue
            try:
                new = case.make_current(kind, table, layer.name(), made_by(layer))
            except BaiMeiError as exc:
                self._problem(exc.message)
                case.discard([table])
                continue
            self._swap(layer, new, kind)
            swapped.append(kind)
        return swapped

    def _shown_layers(self):
        """(kind, layer) of every layer the session shows."""
        core = [(kind, getattr(self.result, f"{kind}_layer")) for kind in CORE_KINDS] if self.result else []
        return [*core, *self.extra.items()]

    def _shown(self, kind: str):
        if kind in CORE_KINDS:
            return getattr(self.result, f"{kind}_layer") if self.result is not None else None
        return self.extra.get(kind)

    def _keep(self, kind: str, layer) -> None:
        if kind in CORE_KINDS:
            setattr(self.result, f"{kind}_layer", layer)
        else:
            self.extra[kind] = layer

    def _swap(self, layer, new, kind: str) -> None:
        """Show ``new`` (the case's table) where ``layer`` was, with the scores and reviews it gained meanwhile."""
        carry_scores(layer, new)
        scored = kind == "gaps" and "suspicion" in layer.fields().names()
        node = self.group.findLayer(layer.id()) if self.group is not None else None
        position = self.group.children().index(node) if node is not None else 0
        self._keep(kind, new)
        self._removing = True
        try:
            self.project.removeMapLayer(layer.id())
        finally:
            self._removing = False
        self._add(new, kind, position=position)
        if scored:
            apply_style(new, "scored_gaps")

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
        self._stop_keeping()
        old = self.result
        self._remove([old.gaps_layer, old.tracks_layer])  # first, so that the case can drop their tables
        result.gaps_layer = self._take(result, result.gaps_layer, "gaps")
        result.tracks_layer = self._take(result, result.tracks_layer, "tracks")
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


def carry_scores(old, new) -> None:
    """The score and review values (and the weights used) of ``old`` into ``new`` by gap_id: scores arriving or a
    verdict given while the case's copy of the gaps was written reached only the memory layer."""
    names = [name for name in SCORE_FIELD_NAMES if name in old.fields().names()]
    if not names or "gap_id" not in old.fields().names() or "gap_id" not in new.fields().names():
        return
    add_score_fields(new)
    subset = old.subsetString()  # every gap, including those the Gaps table's filter hides on the map
    if subset:
        old.setSubsetString("")
    try:
        values = {f["gap_id"]: [f[name] for name in names] for f in old.getFeatures()}
    finally:
        if subset:
            old.setSubsetString(subset)
    index = [new.fields().indexOf(name) for name in names]
    changes = {}
    for feature in new.getFeatures():
        kept = values.get(feature["gap_id"])
        if kept is not None and [feature[i] for i in index] != kept:
            changes[feature.id()] = dict(zip(index, kept))
    if changes:
        new.dataProvider().changeAttributeValues(changes)
    weights = old.customProperty(WEIGHTS_PROPERTY)
    if weights is not None:
        new.setCustomProperty(WEIGHTS_PROPERTY, weights)


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
