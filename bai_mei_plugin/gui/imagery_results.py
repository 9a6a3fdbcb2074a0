"""The Imagery page's results: the table in step with the footprints layer, the timeline, the preview and
"Add to map"."""

from __future__ import annotations

import html
from typing import Callable, Dict, List, Optional
from urllib.parse import unquote, urlsplit

from qgis.core import Qgis, QgsNetworkAccessManager, QgsRasterLayer, QgsRectangle
from qgis.PyQt.QtCore import QT_TR_NOOP, QObject, Qt
from qgis.PyQt.QtGui import QPixmap
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from ..qgis_io.gdal_access import renewal_timer
from ..qgis_io.i18n import tr
from ..qgis_io.network import limit_reply_size, preview_request
from ..qgis_io.scenes import open_scene, quicklook_layer
from ..services import sources
from ..services.search import FoundFootprint
from ..services.static_catalogue import LOCAL_ASSETS_PROPERTY
from ..tasks.footprint_tasks import LoadSceneTask, SceneRequest
from . import map_view
from .guard import guarded
from .models import RecordTableModel, attach_table, number_text, utc_text
from .task_runner import TaskRunner
from .timeline import Tick, Timeline, Window

MAX_PREVIEW_BYTES = 8 * 1024 * 1024  # a thumbnail on disk larger than this is not one


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def coverage_text(pct: float) -> str:
    """The share of the area of interest a scene shows ("<1 %" rather than a misleading "0 %")."""
    return "none" if pct <= 0 else ("<1 %" if pct < 1 else f"{pct:.0f} %")


COVERS_HELP = (
    "How much of the search area the scene shows: 'yes' when it shows all of it. A small share such as '<1 %' "
    "means the area is far larger than the scene (a long gap's reachable sea can be thousands of square miles, a "
    "high-resolution scene a few), not that the scene is bad: it still shows the vessel if it was there."
)


def coverage_explained(found: FoundFootprint) -> str:
    """One sentence on what the Covers column says for this scene."""
    if found.covers_aoi:
        return "Covers the whole search area."
    pct = found.aoi_overlap_pct
    if pct <= 0:
        return "Touches the search area's bounding box only: it shows none of the area itself."
    share = coverage_text(pct)
    return (
        f"Shows {share} of the search area: the area is larger than the scene, so it sees part of where the "
        "vessel could have been."
    )


class FootprintTableModel(RecordTableModel):
    # What tells a useful scene first: when, whether the vessel was dark then, whether it covers the area, cloud.
    COLUMNS = (
        (QT_TR_NOOP("Date (UTC)"), lambda f: utc_text(f.footprint.acquired), lambda f: f.footprint.acquired),
        (QT_TR_NOOP("Dark"), lambda f: _yes_no(f.in_gap_window), lambda f: f.in_gap_window),
        (
            QT_TR_NOOP("Covers"),
            lambda f: "yes" if f.covers_aoi else coverage_text(f.aoi_overlap_pct),
            lambda f: 100.0 + f.aoi_overlap_pct if f.covers_aoi else f.aoi_overlap_pct,
        ),
        (QT_TR_NOOP("Cloud %"), lambda f: number_text(f.footprint.cloud_cover, 0), lambda f: f.footprint.cloud_cover),
        (QT_TR_NOOP("GSD m"), lambda f: number_text(f.footprint.gsd_m, 1), lambda f: f.footprint.gsd_m),
        (QT_TR_NOOP("Platform"), lambda f: f.footprint.platform or "", lambda f: f.footprint.platform or ""),
        (QT_TR_NOOP("Collection"), lambda f: f.footprint.collection, lambda f: f.footprint.collection),
    )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            return describe(self.records[index.row()])
        return super().data(index, role)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and orientation == Qt.Orientation.Horizontal
            and self.COLUMNS[section][0] == "Covers"
        ):
            return COVERS_HELP
        return super().headerData(section, orientation, role)

    def name_of(self, record):
        return record.footprint.item_id

    def hours_of(self, record) -> float:
        return 0.0


def describe(found: FoundFootprint) -> str:
    f = found.footprint
    parts = [f"{utc_text(f.acquired)} UTC", f.platform or "", f.collection]
    details = [
        f"cloud {number_text(f.cloud_cover, 0)} %" if f.cloud_cover is not None else "",
        f"{number_text(f.gsd_m, 1)} m" if f.gsd_m is not None else "",
        "while dark" if found.in_gap_window else "",
    ]
    return (
        " · ".join(p for p in parts if p)
        + "\n"
        + ", ".join(d for d in details if d)
        + f"\n{coverage_explained(found)}\n{f.item_id}"
    )


def reload_scene_layers(project, prefixes) -> List[str]:
    """Reloads the raster layers read through one of ``prefixes`` (their access was renewed: an open GDAL dataset
    keeps the old token); the names of those reloaded."""
    reloaded = []
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsRasterLayer) and any(layer.source().startswith(p) for p in prefixes if p):
            layer.dataProvider().reloadData()
            layer.triggerRepaint()
            reloaded.append(layer.name())
    return reloaded


class ImageryResults(QObject):
    def __init__(self, dock, iface, project, connection, place=None):
        super().__init__(dock)
        self.dock, self.iface, self.project = dock, iface, project
        # () -> (source id, address, auth-config id, previews origin) of the results shown
        self.connection = connection
        self.searching: Callable[[], bool] = lambda: False  # whether the page's search runs (the panel sets it)
        self.place = place or project.addMapLayer  # puts a scene layer in the case's group
        self.previews: Dict[str, bytes] = {}  # preview images by address, for the session
        # signed access (Planetary Computer tokens) renewed in the background before it expires; the scenes open
        # on it are reloaded so that GDAL reads on with the new token
        self.renewal = renewal_timer(self, lambda prefixes: reload_scene_layers(self.project, prefixes))
        self.layer = None
        self.order: List[FoundFootprint] = []  # the records in the layer's (and the timeline's) order
        self.fid_of_record: Dict[int, int] = {}
        self.record_of_fid: Dict[int, FoundFootprint] = {}
        self.reply: Optional[QNetworkReply] = None
        # adding a scene (a Planet activation can take minutes, a download is big) runs like the search: the page's
        # progress bar and Cancel button, Search disabled meanwhile (one task of the page at a time, so the two
        # never share the bar); a failure warns, being an extra on a result
        self.scene_runner = TaskRunner(
            iface,
            self.on_scene,
            controls=(dock.imagerySearchButton,),
            cancel_button=dock.imageryCancelButton,
            progress=dock.imageryProgressBar,
            hide_progress=True,
            cancelled=tr("Adding the scene to the map was cancelled; nothing was added."),
            error_level=Qgis.MessageLevel.Warning,
            error_seconds=10,
            on_busy=lambda _busy: self.update_add_button(),
        )
        self._syncing = False
        self.model = FootprintTableModel(self)
        self.proxy = attach_table(dock.imageryResultTable, self.model, "Date (UTC)", Qt.SortOrder.AscendingOrder)
        self.timeline = Timeline(dock)
        self.timeline.setObjectName("imageryTimeline")
        dock.imageryTimeline = self.timeline
        dock.imageryTimelineLayout.addWidget(self.timeline)
        dock.imageryResultTable.selectionModel().selectionChanged.connect(self.on_row_selected)
        self.timeline.tickClicked.connect(self.select_record_index)
        dock.imageryAddButton.clicked.connect(self.add_to_map)
        dock.imageryQuickLookButton.clicked.connect(self.quick_look)
        project.layersWillBeRemoved.connect(self.on_layers_removed)
        self.show_item(None)

    # --- results --------------------------------------------------------------------------------------------
    def set_results(self, found: List[FoundFootprint], layer, fids: List[int], windows) -> None:
        self.disconnect_layer()
        self.layer, self.order = layer, list(found)
        self.fid_of_record = {id(r): fid for r, fid in zip(found, fids)}
        self.record_of_fid = {fid: r for r, fid in zip(found, fids)}
        self.model.set_records(found)
        self.dock.imageryResultTable.resizeColumnsToContents()
        if layer is not None:
            layer.selectionChanged.connect(self.on_map_selection)
        self.update_timeline(windows)
        self.show_item(None)
        self.dock.imageryTabs.setTabText(1, tr("Results ({count})").format(count=len(found)))

    def update_timeline(self, windows: List[Window]) -> None:
        ticks = [Tick(f.footprint.acquired, describe(f), bool(f.in_gap_window)) for f in self.order]
        self.timeline.set_data(windows, ticks)

    def clear(self) -> None:
        self.set_results([], None, [], self.timeline.windows)
        self.dock.imageryTabs.setTabText(1, tr("Results"))

    def disconnect_layer(self) -> None:
        if self.layer is not None:
            try:
                self.layer.selectionChanged.disconnect(self.on_map_selection)
            except (TypeError, RuntimeError):  # already gone
                pass
        self.layer = None

    def remove_layer(self) -> None:
        """Takes this page's footprints layer out of the project (a new search replaces it)."""
        layer = self.layer
        self.clear()
        if layer is not None and self.project.mapLayer(layer.id()) is not None:
            self.project.removeMapLayer(layer.id())

    def on_layers_removed(self, ids) -> None:
        if self.layer is not None and self.layer.id() in ids:
            self.clear()

    def record_index(self, found) -> int:
        return next(i for i, record in enumerate(self.order) if record is found)

    def selected(self) -> Optional[FoundFootprint]:
        rows = self.dock.imageryResultTable.selectionModel().selectedRows()
        return self.proxy.record(rows[0]) if rows else None

    def update_add_button(self) -> None:
        """Add to map: for a selected scene, while neither a scene is being added nor a search runs."""
        busy = self.scene_runner.busy or self.searching()
        self.dock.imageryAddButton.setEnabled(not busy and self.selected() is not None)

    # --- selection, both ways -------------------------------------------------------------------------------
    @guarded
    def on_row_selected(self, *_):
        found = self.selected()
        self.show_item(found)
        self.timeline.set_selected(None if found is None else self.record_index(found))
        if found is None or self._syncing or self.layer is None:
            return
        fid = self.fid_of_record.get(id(found))
        self._syncing = True
        self.layer.selectByIds([fid] if fid is not None else [])
        self._syncing = False
        west, south, east, north = found.footprint.geometry.bounds
        canvas = self.iface.mapCanvas()
        map_view.zoom_to(canvas, QgsRectangle(west, south, east, north), margin=0.5, min_size_deg=0.05)
        shown, acquired = canvas.temporalRange(), found.footprint.acquired
        begin, end = shown.begin(), shown.end()
        if begin.isValid() and end.isValid() and not begin.toSecsSinceEpoch() <= acquired <= end.toSecsSinceEpoch():
            map_view.show_window(canvas, acquired, acquired)  # else the map's time filter would hide the scene

    @guarded
    def on_map_selection(self, selected, _deselected, _clear):
        if self._syncing or not selected:
            return
        found = self.record_of_fid.get(selected[0])
        if found is not None:
            self.select_record(found)

    def select_record_index(self, index: int) -> None:
        self.select_record(self.order[index])

    def select_record(self, found) -> None:
        row = self.proxy.proxy_row_of(lambda r: r is found)
        if row >= 0:
            self.dock.imageryResultTable.selectRow(row)
            self.dock.imageryResultTable.scrollTo(self.proxy.index(row, 0))

    # --- preview and scene ----------------------------------------------------------------------------------
    def show_item(self, found: Optional[FoundFootprint]) -> None:
        d = self.dock
        self.abort_preview()
        d.imageryPreviewLabel.setPixmap(QPixmap())
        d.imageryAddButton.setEnabled(found is not None and not self.scene_runner.busy and not self.searching())
        d.imageryQuickLookButton.setEnabled(False)
        if found is None:
            d.imageryPreviewLabel.setText(tr("No preview"))
            d.imageryItemLabel.setText(tr("Select a scene in the table, on the map or on the timeline."))
            return
        # Break long ids after their separators: one unbreakable word would widen the whole dock.
        text = describe(found)
        for separator in "_-.:/":
            text = text.replace(separator, separator + "\u200b")
        d.imageryItemLabel.setText(html.escape(text).replace("\n", "<br>"))
        url = found.footprint.thumbnail_url
        if not url or "***" in url:  # none, or a signed address whose signature was (rightly) not kept
            d.imageryPreviewLabel.setText(tr("No preview"))
            return
        if url in self.previews:  # fetched once per session
            self.show_preview(self.previews[url])
            return
        if not url.startswith(("http://", "https://")):
            self.show_preview(self.local_preview(url), url)
            return
        d.imageryPreviewLabel.setText(tr("Loading preview…"))
        _source, search_url, authcfg, previews = self.connection()
        # the credentials go only to the search's origin (scheme, host, port) or the source's configured previews
        # origin (Planet's tiles host), never to a thumbnail host elsewhere
        reply = QgsNetworkAccessManager.instance().get(preview_request(url, search_url, authcfg, (previews,)))
        limit_reply_size(reply)
        self.reply = reply
        reply.finished.connect(lambda r=reply, u=url: self.on_preview(r, u))

    def local_preview(self, url: str) -> Optional[bytes]:
        """A static catalogue's thumbnail on disk (its href resolved against the catalogue file)."""
        path = unquote(urlsplit(url).path) if url.startswith("file://") else url
        try:
            with open(path, "rb") as handle:
                return handle.read(MAX_PREVIEW_BYTES + 1)[:MAX_PREVIEW_BYTES]
        except OSError:
            return None

    def show_preview(self, data: Optional[bytes], url: str = "", status=None) -> bool:
        """Shows ``data`` (an image) in the preview; remembers it for ``url`` for the session. False if no image."""
        label = self.dock.imageryPreviewLabel
        pixmap = QPixmap()
        if data is None or not pixmap.loadFromData(data):
            label.setText(tr("No preview\n(HTTP {status})").format(status=status) if status else tr("No preview"))
            return False
        if url:
            self.previews[url] = data
        label.setPixmap(
            pixmap.scaled(
                label.contentsRect().size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.dock.imageryQuickLookButton.setEnabled(True)
        return True

    def abort_preview(self) -> None:
        reply, self.reply = self.reply, None  # first, so that the aborted reply's answer is ignored
        if reply is not None:
            reply.abort()

    def on_preview(self, reply, url: str = "") -> None:
        if reply is not self.reply:
            reply.deleteLater()
            return
        self.reply = None
        ok = reply.error() == QNetworkReply.NetworkError.NoError
        status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
        self.show_preview(bytes(reply.readAll()) if ok else None, url, status)
        reply.deleteLater()

    @guarded
    def quick_look(self) -> None:
        """The selected scene's preview as a layer stretched over its footprint's bounds (a first look)."""
        found = self.selected()
        data = self.previews.get(found.footprint.thumbnail_url or "") if found is not None else None
        if data is None:
            return
        f = found.footprint
        layer = quicklook_layer(data, f.geometry.bounds, f.item_id)
        self.place(layer)
        self.iface.messageBar().pushMessage(
            "Bai Mei",
            tr(
                "Added the quick look of {item_id}: its preview stretched over the footprint, not georeferenced."
            ).format(item_id=f.item_id),
            Qgis.MessageLevel.Info,
            5,
        )

    @guarded
    def add_to_map(self) -> None:
        found = self.selected()
        if found is None or self.scene_runner.busy or self.searching():
            return
        source_id, search_url, authcfg, _previews = self.connection()
        f = found.footprint
        refusal = sources.get(source_id).scene_refusal(f.item_id)
        if refusal:
            self.iface.messageBar().pushMessage("Bai Mei", refusal, Qgis.MessageLevel.Info, 8)
            return
        source = sources.get(source_id)
        if source.assets_on_footprints and f.properties.get(LOCAL_ASSETS_PROPERTY) is True:
            # a file beside a local catalogue opens at once: no network to wait for, and no queue behind the
            # analyses QGIS's task manager may be running
            self.add_scene(open_scene(source.scene_access(f, "", None, None, lambda: False, lambda _f: None)))
            return
        # the task sends the credentials only if the record is on the search's own origin
        request = SceneRequest(source_id, f, authcfg, search_url)
        self.scene_runner.run(LoadSceneTask(request, self.scene_runner.finished))

    @property
    def scene_task(self):
        return self.scene_runner.task

    def on_scene(self, task) -> None:
        self.add_scene(task.result)

    def add_scene(self, layer) -> None:
        self.place(layer)
        self.iface.messageBar().pushMessage(
            "Bai Mei", tr("Added {name}.").format(name=layer.name()), Qgis.MessageLevel.Success, 5
        )

    def unload(self) -> None:
        self.renewal.stop()
        self.abort_preview()
        self.scene_runner.forget()
        self.disconnect_layer()
        try:
            self.project.layersWillBeRemoved.disconnect(self.on_layers_removed)
        except (TypeError, RuntimeError):
            pass
