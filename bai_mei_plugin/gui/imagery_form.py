"""The Imagery page's query form: source and connection, time window, area of interest; kept in settings.

Settings keep the source's id, the addresses the analyst typed (addresses only: one carrying a key or signature is never
remembered), a source's previews address (its origin only: Planet's tiles host), collections, cloud and item limits,
padding, area choice and the auth-config *id*; keys stay in QGIS's authentication database. What the form shows for a
source (address presets, browse, previews address, collections, login hint, cloud) comes from the source's
``FormFields`` in ``services.sources``: the form never tests which source it is.
"""

from __future__ import annotations

import json
import os
import time

from qgis.core import Qgis, QgsProject
from qgis.gui import QgsAuthConfigSelect, QgsDateTimeEdit
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtWidgets import QCompleter, QFileDialog, QMenu, QSizePolicy

from ..core.errors import BaiMeiError
from ..core.footprints import redact_url
from ..paths import PLUGIN_DIR, resources_dir
from ..qgis_io.i18n import tr
from ..qgis_io.layers import epoch_seconds, utc
from ..services import sources
from ..services.search import SearchArea
from ..tasks.footprint_tasks import FootprintSearch, ListCollectionsTask
from .guard import guarded
from .imagery_aoi import AOI_CHOICES, AOI_PORT, AOI_REACH, area_of_interest
from .task_runner import TaskRunner

MAX_REMEMBERED_URLS = 10
CATALOGUE_FILTER = "Catalogues (*.geojson *.json);;All files (*)"


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([path, folder]) == folder


class ImageryForm(QObject):
    def __init__(self, dock, iface, gaps, settings, project=None):
        super().__init__(dock)
        self.dock, self.iface, self.gaps, self.settings = dock, iface, gaps, settings
        self.project = project or QgsProject.instance()
        self.source = None  # the id of the chosen source
        # listing the collections is a helper of the form: a failure warns, the form stays as it was
        self.lister = TaskRunner(
            iface,
            self.show_collections_of,
            error_level=Qgis.MessageLevel.Warning,
            error_seconds=8,
            on_busy=lambda busy: dock.imageryListButton.setEnabled(not busy and self.can_list()),
        )
        self.collections_menu = None
        d = dock
        self.auth = QgsAuthConfigSelect(d, "")
        self.auth.setObjectName("imageryAuthSelect")
        self.auth.setSizePolicy(
            QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed
        )  # the page's spacer takes the height
        d.imageryAuthSelect = self.auth
        d.imageryAuthLayout.addWidget(self.auth)
        self.start_edit, self.end_edit = self._time_edit("imageryStartEdit"), self._time_edit("imageryEndEdit")
        d.imageryStartLayout.addWidget(self.start_edit)
        d.imageryEndLayout.addWidget(self.end_edit)
        for source in sources.all_sources():
            d.imagerySourceCombo.addItem(source.label, source.id)
        for key, text in AOI_CHOICES:
            d.imageryAoiCombo.addItem(text, key)
        now = int(time.time())
        self.set_window(now - 30 * 86400, now)
        self.restore()
        d.imagerySourceCombo.currentIndexChanged.connect(lambda _i: self.on_source(d.imagerySourceCombo.currentData()))
        d.imageryCloudSlider.valueChanged.connect(d.imageryCloudSpin.setValue)
        d.imageryCloudSpin.valueChanged.connect(d.imageryCloudSlider.setValue)
        d.imageryBrowseButton.clicked.connect(self.browse)
        d.imageryListButton.clicked.connect(self.list_collections)
        d.imageryGapTimeButton.clicked.connect(lambda: self.window_from_gap(self.gaps.selected_gap()))
        d.imageryMapTimeButton.clicked.connect(self.window_from_map)
        d.imageryPadSpin.valueChanged.connect(lambda _v: self.window_from_gap(self.gaps.selected_gap()))
        d.imageryAoiCombo.currentIndexChanged.connect(lambda _i: self.describe_aoi())
        self._ports = None  # the ports list, read when "Around a port" is first used
        d.imageryPortEdit.editingFinished.connect(self.describe_aoi)
        d.imageryPortRadiusSpin.valueChanged.connect(lambda _v: self.describe_aoi())
        d.tabs.currentChanged.connect(
            lambda _i: self.describe_aoi() if d.tabs.currentWidget() is d.imageryPage else None
        )
        self.project.layersAdded.connect(self.describe_aoi)  # e.g. the reachability layer of the Analysis page
        self.project.layersRemoved.connect(self.describe_aoi)
        self.on_source(d.imagerySourceCombo.currentData())

    def _time_edit(self, name: str) -> QgsDateTimeEdit:
        edit = QgsDateTimeEdit(self.dock)
        edit.setObjectName(name)
        edit.setAllowNull(False)
        edit.setTimeSpec(Qt.TimeSpec.UTC)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        setattr(self.dock, name, edit)
        return edit

    # --- settings -------------------------------------------------------------------------------------------
    def restore(self) -> None:
        d, s = self.dock, self.settings
        d.imagerySourceCombo.setCurrentIndex(max(0, d.imagerySourceCombo.findData(s.imagery_source())))
        d.imageryCloudSpin.setValue(int(s.value("imagery/max_cloud", 100, int)))
        d.imageryCloudSlider.setValue(d.imageryCloudSpin.value())
        d.imageryMaxItemsSpin.setValue(int(s.value("imagery/max_items", 500, int)))
        d.imageryPadSpin.setValue(float(s.value("imagery/pad_hours", 12.0, float)))
        index = d.imageryAoiCombo.findData(s.value("imagery/aoi", AOI_REACH))
        d.imageryAoiCombo.setCurrentIndex(max(0, index))
        d.imageryPortEdit.setText(s.value("imagery/port", "") or "")
        d.imageryPortRadiusSpin.setValue(float(s.value("imagery/port_radius_nm", 20.0, float)))
        self.auth.setConfigId(s.value("imagery/authcfg", "") or "")

    @property
    def fields(self) -> sources.FormFields:
        return sources.get(self.source).fields

    def remembered_urls(self, source_id: str) -> list:
        try:
            urls = json.loads(self.settings.value(f"imagery/urls/{source_id}", "[]") or "[]")
        except ValueError:
            return []
        return [u for u in urls if isinstance(u, str)] if isinstance(urls, list) else []

    def save(self) -> None:
        d, s = self.dock, self.settings
        key = self.source
        url = d.imageryUrlCombo.currentText().strip()
        s.set_imagery_source(self.source)
        s.set_value(f"imagery/collections/{key}", d.imageryCollectionsEdit.text().strip())
        s.set_value("imagery/max_cloud", d.imageryCloudSpin.value())
        s.set_value("imagery/max_items", d.imageryMaxItemsSpin.value())
        s.set_value("imagery/pad_hours", d.imageryPadSpin.value())
        s.set_value("imagery/aoi", d.imageryAoiCombo.currentData())
        s.set_value("imagery/port", d.imageryPortEdit.text().strip())
        s.set_value("imagery/port_radius_nm", d.imageryPortRadiusSpin.value())
        s.set_value("imagery/authcfg", self.auth.configId() or "")  # the id only; the key stays in QgsAuthManager
        self.save_previews_url()
        if url and redact_url(url) == url:  # never an address carrying a key or signature
            # the default is remembered as "the default" (the bundled catalogue's path moves with the plugin)
            s.set_value(f"imagery/url/{key}", "" if url == self.fields.default_address() else url)
            urls = self.remembered_urls(self.source)
            if url not in self.fields.preset_addresses():
                urls = [url] + [u for u in urls if u != url]
                s.set_value(f"imagery/urls/{key}", json.dumps(urls[:MAX_REMEMBERED_URLS]))

    def save_previews_url(self) -> None:
        """The source's previews address, as its origin only (a path or query could carry a key; "" for the
        default); an address that is not a plain http(s) origin is not remembered."""
        if not self.fields.previews_label:
            return
        origin = sources.origin_address(self.dock.imageryPreviewsUrlEdit.text().strip())
        if origin or not self.dock.imageryPreviewsUrlEdit.text().strip():
            default = sources.origin_address(self.fields.previews_default)
            self.settings.set_value(f"imagery/previews_url/{self.source}", "" if origin == default else origin)

    def previews_origin(self) -> str:
        """The origin of the previews address in the form (the source's default when empty); BaiMeiError when it
        cannot be used (see ``ImagerySource.previews_origin``)."""
        url = self.dock.imageryUrlCombo.currentText().strip()
        return sources.get(self.source).previews_origin(self.dock.imageryPreviewsUrlEdit.text(), url)

    # --- source and connection ------------------------------------------------------------------------------
    def on_source(self, source_id: str) -> None:
        d = self.dock
        if self.source is not None and self.source != source_id:
            self.settings.set_value(f"imagery/collections/{self.source}", d.imageryCollectionsEdit.text().strip())
            self.save_previews_url()
        self.source = source_id
        fields = self.fields
        presets = list(fields.addresses())
        defaults = [address for address, _tooltip in presets]
        urls = defaults + [u for u in self.remembered_urls(source_id) if u not in defaults]
        d.imageryUrlCombo.clear()
        d.imageryUrlCombo.addItems(urls)
        tooltips = dict(presets)
        for index, url in enumerate(urls):
            d.imageryUrlCombo.setItemData(index, tooltips.get(url, url), Qt.ItemDataRole.ToolTipRole)
        d.imageryUrlCombo.setCurrentText(self.settings.value(f"imagery/url/{source_id}", urls[0]) or urls[0])
        d.imageryCollectionsEdit.setText(
            self.settings.value(f"imagery/collections/{source_id}", fields.collections_default)
        )
        d.imageryCollectionsEdit.setPlaceholderText(fields.collections_hint)
        d.imageryCollectionsLabel.setText(fields.collections_label)
        d.imageryBrowseButton.setVisible(fields.address_is_file)
        # a second address for the previews (Planet's tiles host), only for a source that has one
        has_previews = bool(fields.previews_label)
        for widget in (d.imageryPreviewsUrlLabel, d.imageryPreviewsUrlEdit):
            widget.setVisible(has_previews)
        d.imageryPreviewsUrlEdit.setText(
            (self.settings.value(f"imagery/previews_url/{source_id}", "") or "") if has_previews else ""
        )
        d.imageryPreviewsUrlEdit.setPlaceholderText(fields.previews_default)
        if has_previews:
            d.imageryPreviewsUrlLabel.setText(fields.previews_label)
            d.imageryPreviewsUrlEdit.setToolTip(fields.previews_hint)
        d.imageryListButton.setEnabled(self.can_list())
        self.auth.setToolTip(fields.login_hint)
        for widget in (d.imageryCloudSlider, d.imageryCloudSpin):
            widget.setEnabled(fields.cloud_filter)

    def can_list(self) -> bool:
        return bool(self.fields.known_collections) or self.fields.lists_collections

    def browse_start(self) -> str:
        """Where the file dialog opens: the catalogue chosen before, else the last folder the analyst used; never
        the plugin's own folder, where the bundled catalogue lives."""
        current = self.dock.imageryUrlCombo.currentText().strip()
        if current and os.path.exists(current) and not any(_inside(current, f) for f in (PLUGIN_DIR, resources_dir())):
            return current
        return str(self.settings.value("last_folder", "") or os.path.expanduser("~"))

    @guarded
    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.dock, tr("Choose a catalogue"), self.browse_start(), CATALOGUE_FILTER
        )
        if path:
            self.dock.imageryUrlCombo.setCurrentText(path)

    @guarded
    def list_collections(self) -> None:
        if self.fields.known_collections:  # offered without asking the source
            self.show_collections(list(self.fields.known_collections))
            return
        if self.list_task is not None or not self.fields.lists_collections:
            return
        url = self.dock.imageryUrlCombo.currentText().strip()
        self.lister.run(ListCollectionsTask(self.source, url, self.auth.configId(), self.lister.finished))

    @property
    def list_task(self):
        return self.lister.task

    def show_collections_of(self, task) -> None:
        self.show_collections(task.result)

    def show_collections(self, collections) -> None:
        """A menu of the collections (id — title); choosing one adds it to the collections text."""
        menu = QMenu(self.dock)
        for cid, title in collections:
            action = menu.addAction(cid if title == cid else f"{cid} — {title}")
            action.setData(cid)
            action.triggered.connect(lambda _checked=False, c=cid: self.add_collection(c))
        if not collections:
            menu.addAction("(no collections)").setEnabled(False)
        self.collections_menu = menu
        button = self.dock.imageryListButton
        menu.popup(button.mapToGlobal(button.rect().bottomLeft()))

    def add_collection(self, cid: str) -> None:
        current = self.collections()
        if cid not in current:
            self.dock.imageryCollectionsEdit.setText(", ".join(current + [cid]))

    def collections(self) -> list:
        return [c.strip() for c in self.dock.imageryCollectionsEdit.text().split(",") if c.strip()]

    # --- when -----------------------------------------------------------------------------------------------
    def set_window(self, start: int, end: int) -> None:
        self.start_edit.setDateTime(utc(start))
        self.end_edit.setDateTime(utc(end))

    def window(self) -> tuple:
        return epoch_seconds(self.start_edit.dateTime()), epoch_seconds(self.end_edit.dateTime())

    def window_from_gap(self, gap) -> None:
        if gap is None:
            return
        pad = int(round(self.dock.imageryPadSpin.value() * 3600))
        self.set_window(gap.off_time - pad, gap.on_time + pad)

    @guarded
    def window_from_map(self) -> None:
        canvas = self.iface.mapCanvas()
        window = canvas.temporalRange()
        controller = canvas.temporalController()
        if not (window.begin().isValid() and window.end().isValid()) and controller is not None:
            window = controller.temporalExtents()
        if window.begin().isValid() and window.end().isValid():
            self.set_window(epoch_seconds(window.begin()), epoch_seconds(window.end()))
        else:
            self.iface.messageBar().pushMessage(
                "Bai Mei",
                tr("The map has no time range: turn on the Temporal Controller or select a gap."),
                Qgis.MessageLevel.Info,
                5,
            )

    # --- where ----------------------------------------------------------------------------------------------
    @guarded
    def describe_aoi(self, *_) -> None:
        around_port = self.dock.imageryAoiCombo.currentData() == AOI_PORT
        for widget in (self.dock.imageryPortEdit, self.dock.imageryPortRadiusSpin):
            widget.setVisible(around_port)
        if around_port:
            self.ports()  # the completer offers the names as soon as the box shows
        try:
            _, text = self.aoi(self.gaps.selected_gap())
        except BaiMeiError as exc:
            text = exc.message
        self.dock.imageryAoiLabel.setText(text)

    def ports(self) -> list:
        """The bundled ports list (read once), offered by name and UN/LOCODE as the analyst types."""
        if self._ports is None:
            from ..qgis_io.inputs import default_ports

            self._ports = default_ports()
            names = sorted({p.name for p in self._ports} | {p.locode for p in self._ports if p.locode})
            completer = QCompleter(names, self.dock.imageryPortEdit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.dock.imageryPortEdit.setCompleter(completer)
        return self._ports

    def aoi(self, gap) -> tuple:
        """(lon/lat shapely geometry, one-line description) of the chosen area of interest."""
        choice = self.dock.imageryAoiCombo.currentData()
        port = None
        if choice == AOI_PORT:
            port = (self.dock.imageryPortEdit.text(), self.dock.imageryPortRadiusSpin.value(), self.ports())
        return area_of_interest(choice, gap, self.iface, self.project, port)

    # --- the query ------------------------------------------------------------------------------------------
    def search(self) -> FootprintSearch:
        """The query from the widgets (BaiMeiError when something is missing); saves the settings."""
        d = self.dock
        url = d.imageryUrlCombo.currentText().strip()
        if not url:
            raise BaiMeiError("Give the address of the source (or the catalogue file).")
        start, end = self.window()
        if start is None or end is None or end <= start:
            raise BaiMeiError("The time window must end after it starts.")
        gap = self.gaps.selected_gap()
        geometry, description = self.aoi(gap)
        d.imageryAoiLabel.setText(description)
        area = SearchArea(geometry, start, end)
        if gap is not None:  # scenes are also judged against the selected gap: taken while it was dark?
            area.gap_id, area.mmsi, area.gap_window = gap.gap_id, gap.mmsi, (gap.off_time, gap.on_time)
        cloud = d.imageryCloudSpin.value()
        previews = self.previews_origin()
        self.save()
        return FootprintSearch(
            self.source,
            url,
            [area],
            self.collections(),
            None if cloud >= 100 else float(cloud),
            d.imageryMaxItemsSpin.value(),
            self.auth.configId() or "",
            previews,
        )

    def unload(self) -> None:
        for signal in (self.project.layersAdded, self.project.layersRemoved):
            try:
                signal.disconnect(self.describe_aoi)
            except (TypeError, RuntimeError):  # unloaded twice
                pass
        self.lister.forget()
