"""The Imagery page: search imagery footprints for the selected gap's place and time in a background task.

The form (``imagery_form``) builds the query; ``search_areas`` (the same function as ``baimei:searchfootprints``)
runs in a ``SearchFootprintsTask``; the results (``imagery_results``) are a styled, time-enabled layer in the
session's group, a table in step with it, a timeline against the vessel's dark gaps and a preview.
"""

from __future__ import annotations

import os
from typing import List

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject
from qgis.PyQt.QtWidgets import QMenu

from ..core.errors import BaiMeiError
from ..core.footprints import KEPT_CLOUD_UNKNOWN, dropped_total
from ..qgis_io.case_workspace import mark_made_by
from ..qgis_io.i18n import tr
from ..qgis_io.scenes import BASEMAPS, basemap_in, basemap_layer
from ..qgis_io.styles import apply_style
from ..services import sources
from ..services.search import found_from_json, found_to_json
from ..services.transport import redact
from ..tasks.footprint_tasks import FootprintSearch, SearchFootprintsTask
from .guard import guarded
from .imagery_form import ImageryForm
from .imagery_results import ImageryResults
from .models import utc_text
from .task_runner import TaskRunner
from .timeline import Window

LOG_TAG = "Bai Mei"


def shown_address(url: str) -> str:
    """An address for messages: a URL without keys, a file by its name."""
    if url.lower().startswith(("http://", "https://")):
        return redact(url)
    return os.path.basename(url) or url


class ImageryPanel(QObject):
    def __init__(self, dock, session, iface, gaps, settings):
        super().__init__(dock)
        self.dock, self.session, self.iface, self.gaps = dock, session, iface, gaps
        self.last_search: FootprintSearch = None
        self.form = ImageryForm(dock, iface, gaps, settings, session.project)
        self.results = ImageryResults(dock, iface, session.project, self.connection, self.place_scene)
        d = dock
        self.basemap_menu = QMenu(dock)
        for name in BASEMAPS:
            self.basemap_menu.addAction(name).triggered.connect(lambda _checked=False, n=name: self.add_basemap(n))
        d.imageryBasemapButton.setMenu(self.basemap_menu)
        d.imageryBasemapButton.clicked.connect(lambda: self.add_basemap("OpenStreetMap"))
        self.runner = TaskRunner(
            iface,
            self.on_searched,
            controls=(d.imagerySearchButton,),
            cancel_button=d.imageryCancelButton,
            progress=d.imageryProgressBar,
            hide_progress=True,
            cancelled=tr("The imagery search was cancelled; nothing was added."),
            on_failed=self.on_failed,
            on_busy=lambda _busy: self.results.update_add_button(),
        )
        # one task of the page at a time: Add to map waits while a search runs (the scene's own runner disables
        # Search); both use the page's progress bar and Cancel button
        self.results.searching = lambda: self.runner.busy
        self.runner.set_busy(False)
        d.imageryStatusLabel.setVisible(False)
        d.imagerySearchButton.clicked.connect(self.search)
        d.gapTable.selectionModel().selectionChanged.connect(self.on_gap_changed)
        session.changed.connect(self.on_gap_changed)
        session.caseWritable.connect(self.keep_footprints)
        session.caseRestored.connect(self.restore_from_case)
        self.on_gap_changed()

    def connection(self) -> tuple:
        """(source id, address, auth-config id, previews origin) of the search whose results are shown (or of the
        form); the previews origin is where else than the address's origin a preview may get the login ("" for
        none)."""
        s = self.last_search
        if s is None:
            d = self.dock
            try:
                previews = self.form.previews_origin()
            except BaiMeiError:  # not usable: the login goes to the search's origin only
                previews = ""
            return self.form.source, d.imageryUrlCombo.currentText().strip(), self.form.auth.configId() or "", previews
        return s.source, s.url, s.authcfg, s.previews_url

    # --- the selected gap -----------------------------------------------------------------------------------
    def windows(self) -> List[Window]:
        """The dark gaps of the selected gap's vessel, for the timeline."""
        gap = self.gaps.selected_gap()
        result = self.session.result
        if gap is None or result is None:
            return []
        return [
            Window(
                g.off_time,
                g.on_time,
                f"{g.vessel_name or g.mmsi} dark {utc_text(g.off_time)} → "
                f"{utc_text(g.on_time)} UTC ({g.gap_hours:,.0f} h)",
                g.gap_id == gap.gap_id,
            )
            for g in result.found.gaps
            if g.mmsi == gap.mmsi
        ]

    @guarded
    def on_gap_changed(self, *_):
        self.form.window_from_gap(self.gaps.selected_gap())
        self.form.describe_aoi()
        self.results.update_timeline(self.windows())

    # --- search ---------------------------------------------------------------------------------------------
    @guarded(
        level=Qgis.MessageLevel.Warning, seconds=8
    )  # the form's fields to correct: no area, no time window, no address
    def search(self) -> None:
        if self.task is not None or self.results.scene_task is not None:
            return
        search = self.form.search()
        self.runner.run(SearchFootprintsTask(search, self.runner.finished))
        self.show_status("Searching…")

    @property
    def task(self):
        return self.runner.task

    def cancel(self) -> None:
        self.runner.cancel()

    def show_status(self, text: str) -> None:
        self.dock.imageryStatusLabel.setText(text)
        self.dock.imageryStatusLabel.setVisible(bool(text))

    def on_failed(self, task, error) -> None:
        self.show_status(
            tr("<b>Search failed.</b> {message}").format(message=error.message)
            if error
            else tr("Search cancelled; nothing was added.")
        )

    def on_searched(self, task) -> None:
        bar = self.iface.messageBar()
        search, result = task.search, task.result
        self.last_search = search
        self.results.remove_layer()  # the new search replaces the previous footprints
        short, details = self.summary(search, result)
        mark_made_by(
            result.layer,
            made_by="imagery search",
            source=search.source,
            url=redact(search.url),
            collections=list(search.collections),
            max_cloud=search.max_cloud,
            areas=[
                {
                    "bounds": list(a.geometry.bounds),
                    "start": utc_text(a.start),
                    "end": utc_text(a.end),
                    "gap_id": a.gap_id,
                }
                for a in search.areas
            ],
        )
        layer, fids = self.keep_in_case(result.layer, result.fids)
        self.remember_results(search, result.found)
        if layer is not None:
            self.add_layer(layer)
        self.results.set_results(result.found, layer, fids, self.windows())
        self.show_status(short)
        if result.found:
            self.dock.imageryTabs.setCurrentWidget(self.dock.imageryResultsPage)
        bar.pushMessage(
            "Bai Mei", short, details, Qgis.MessageLevel.Success if result.found else Qgis.MessageLevel.Info, 8
        )
        for line in details.splitlines():
            QgsMessageLog.logMessage(line, LOG_TAG, Qgis.MessageLevel.Info)

    def remember_results(self, search: FootprintSearch, found) -> None:
        """The results and where they came from, kept in the open case (``restore_from_case`` shows them again);
        the auth configuration by its id only, never a key."""
        self.session.remember(
            imagery_search={
                "source": search.source,
                "url": search.url,
                "authcfg": search.authcfg,
                "previews_url": search.previews_url,
            },
            imagery_results=found_to_json(found),
        )

    @guarded
    def restore_from_case(self, info: dict) -> None:
        """The results of the case's last search back in the table, timeline and map selection, over the
        footprints layer the case kept (which the page owns again, so that a new search replaces it)."""
        layer = self.session.extra.pop("footprints", None)
        if layer is None:
            return
        found = found_from_json(info.get("imagery_results"))
        by_key = {(str(f["item_id"]), str(f["gap_id"] or "")): f.id() for f in layer.getFeatures()}
        fids = [by_key.get((f.footprint.item_id, str(f.gap_id or "")), -1) for f in found]
        kept = [(f, fid) for f, fid in zip(found, fids) if fid >= 0]
        search = info.get("imagery_search") or {}
        if kept and search.get("source"):
            self.last_search = FootprintSearch(
                str(search["source"]),
                str(search.get("url") or ""),
                (),
                authcfg=str(search.get("authcfg") or ""),
                previews_url=str(search.get("previews_url") or ""),
            )
        self.results.set_results([f for f, _ in kept], layer, [fid for _, fid in kept], self.windows())
        if kept:
            self.show_status(tr("{count:,} scenes from the case's last search.").format(count=len(kept)))

    def keep_in_case(self, layer, fids):
        """The footprints written into the open case (so they survive a restart), and the results' feature ids in
        the case's table: the writer numbers features 1, 2, ... in the memory layer's order."""
        if layer is None:
            return layer, fids
        kept = self.session.persist(layer, "footprints")
        if kept is layer:
            return layer, fids
        new_ids = dict(zip(sorted(f.id() for f in layer.getFeatures()), sorted(f.id() for f in kept.getFeatures())))
        return kept, [new_ids.get(fid, fid) for fid in fids]

    @guarded(level=Qgis.MessageLevel.Warning, seconds=8)
    def keep_footprints(self) -> None:
        """The footprints shown, written into the case once it can take them: a search that ended while the case bar
        wrote the layers shown into a new case (the file was locked, so they stayed in memory), or made before the
        case. Shown from the case's table instead, the results table in step with it."""
        layer, case = self.results.layer, self.session.case
        if layer is None or sip.isdeleted(layer) or case is None or case.holds(layer):
            return
        found = list(self.results.order)
        fids = [self.results.fid_of_record[id(record)] for record in found]
        kept, new_fids = self.keep_in_case(layer, fids)
        if kept is layer:
            return  # not written (said through the case bar): the memory layer stays
        self.results.remove_layer()
        self.add_layer(kept)
        self.results.set_results(found, kept, new_fids, self.windows())
        if self.last_search is not None:
            self.remember_results(self.last_search, found)

    def add_layer(self, layer) -> None:
        """Styled and time-enabled, into the loaded data set's group (on top, removed with the data set) when
        there is one, else the project's root."""
        apply_style(layer, "footprints")
        project, group = self.session.project, self.session.group
        if group is not None and group.parent() is not None:
            project.addMapLayer(layer, False)
            group.insertLayer(0, layer)
        else:
            project.addMapLayer(layer)

    def place_scene(self, layer) -> None:
        """A scene or quick look on top of the case's group when there is one, else of the project's root: the
        footprints' fill (yellow when selected) would hide the ship; marks made on the scene go above it."""
        project, group = self.session.project, self.session.group
        project.addMapLayer(layer, False)
        if group is not None and group.parent() is not None:
            group.insertLayer(0, layer)
        else:
            project.layerTreeRoot().insertLayer(0, layer)

    @guarded
    def add_basemap(self, name: str) -> None:
        """A web basemap at the bottom of the project (once per name), its attribution in the message bar."""
        project = self.session.project
        bar = self.iface.messageBar()
        if basemap_in(project, name) is not None:
            bar.pushMessage(
                "Bai Mei",
                tr("The {name} basemap is already in the project.").format(name=name),
                Qgis.MessageLevel.Info,
                5,
            )
            return
        layer = basemap_layer(name)
        project.addMapLayer(layer, False)
        project.layerTreeRoot().addLayer(layer)
        bar.pushMessage(
            "Bai Mei",
            tr("Added the {name} basemap ({source}).").format(name=name, source=BASEMAPS[name][1]),
            Qgis.MessageLevel.Info,
            8,
        )

    def summary(self, search: FootprintSearch, result) -> tuple:
        """A short line for the message bar, and the details (source, counts by reason) for "Show more"."""
        found, info = result.found, result.summary
        count = len(found)
        found_text = tr("{count:,} scene found") if count == 1 else tr("{count:,} scenes found")
        short = found_text.format(count=count) if count else tr("No scenes found")
        dark = sum(1 for f in found if f.in_gap_window)
        if search.areas and search.areas[0].gap_window is not None and count:
            short += tr(", {dark:,} taken while the vessel was dark").format(dark=dark)
        if info.get("truncated"):
            short += tr("; stopped at {limit:,}: more match, narrow the search").format(limit=search.max_items)
        short += "."
        dropped = info.get("dropped") or {}
        lines = [
            f"{sources.get(search.source).label}: {shown_address(search.url)}",
            tr("{count} search(es); collections: {collections}").format(
                count=info.get("searches", 0), collections=", ".join(search.collections) or tr("all")
            ),
        ]
        if dropped_total(dropped):
            lines.append(tr("Not kept: {count:,}").format(count=dropped_total(dropped)))
        lines += [f"  {n:,} {reason}" for reason, n in dropped.items() if reason != KEPT_CLOUD_UNKNOWN]
        if dropped.get(KEPT_CLOUD_UNKNOWN):
            lines.append(tr("{count:,} kept with unknown cloud cover").format(count=dropped[KEPT_CLOUD_UNKNOWN]))
        lines += list(info.get("notes") or ())  # e.g. a next page on another host, asked without credentials
        return short, "\n".join(lines)

    def unload(self) -> None:
        """Stop what runs; the footprints layer stays in the project like the other layers."""
        self.runner.forget()
        self.form.unload()
        self.results.unload()
        for signal, slot in (
            (self.session.changed, self.on_gap_changed),
            (self.session.caseWritable, self.keep_footprints),
        ):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass
