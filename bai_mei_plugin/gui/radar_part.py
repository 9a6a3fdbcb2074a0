"""The Analysis page's radar row: a SAR scene on the map, Detect vessels (tasks.radar_tasks), the detections with
and without AIS in the page's table in step with the map, and a dark detection made into a sighting."""

from __future__ import annotations

from functools import partial
from typing import Dict, Optional, Tuple

from qgis.core import Qgis, QgsMapLayerProxyModel, QgsProject, QgsRasterLayer, QgsRectangle
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QT_TR_NOOP, QObject
from qgis.PyQt.QtWidgets import QAbstractItemView

from ..core.layer_kinds import DARK_DETECTIONS, SAR_MATCHES, UNSEEN_VESSELS
from ..core.sar_detect import CfarParams
from ..core.sar_match import MatchParams
from ..qgis_io.i18n import tr
from ..qgis_io.sightings_layer import add_sighting
from ..tasks.radar_tasks import DARK, MATCHED, UNSEEN, RadarResult, RadarRow, result_from_layers
from . import map_view
from .guard import guarded
from .models import RecordFilterProxy, RecordTableModel, number_text
from .radar_settings import RadarSettingsDialog, radar_params
from .settings import Settings

ROW_KINDS = (SAR_MATCHES.name, DARK_DETECTIONS.name, UNSEEN_VESSELS.name)  # the layers the table's rows are in
STATUS_ORDER = {DARK: 0, MATCHED: 1, UNSEEN: 2}  # dark first: what the analyst is looking for


def _vessel(row: RadarRow) -> str:
    return row.vessel_name or (str(row.mmsi) if row.mmsi else "")


class RadarTableModel(RecordTableModel):
    COLUMNS = (
        (QT_TR_NOOP("Radar"), lambda r: tr(r.status), lambda r: STATUS_ORDER[r.status]),  # marked in radar_tasks
        (QT_TR_NOOP("Vessel"), _vessel, _vessel),
        (QT_TR_NOOP("Length m"), lambda r: number_text(r.length_m, 0), lambda r: r.length_m),
        (QT_TR_NOOP("Offset m"), lambda r: number_text(r.offset_m, 0), lambda r: r.offset_m),
        (QT_TR_NOOP("Dark gap of"), lambda r: r.gaps, lambda r: r.gaps),
        (QT_TR_NOOP("Detection"), lambda r: r.detection_id, lambda r: r.detection_id),
    )

    def name_of(self, record):
        return record.vessel_name

    def hours_of(self, record) -> float:
        return 0.0  # the proxy's minimum-hours filter does not apply


def row_key(row: RadarRow) -> Tuple[str, str]:
    """What finds a row's feature in its layer: the detection id, or the MMSI of a vessel not seen."""
    return row.kind, row.detection_id or str(row.mmsi)


def feature_key(kind: str, feature) -> Tuple[str, str]:
    return kind, str(feature["mmsi"]) if kind == UNSEEN_VESSELS.name else str(feature["detection_id"])


class RadarPart(QObject):
    """Owns the radar row's widgets; the page (gui.analysis_panel) runs its task and shows its table."""

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.page = panel.page
        self.session, self.iface = panel.session, panel.iface
        p = self.page
        self.model = RadarTableModel(self)
        self.proxy = RecordFilterProxy(p.candidateTable)
        self.proxy.setSourceModel(self.model)
        self.model.sort(0)
        self.result: Optional[RadarResult] = None
        self.fids: Dict[Tuple[str, str], int] = {}
        self.layers: Dict[str, object] = {}
        self._connections = []  # (layer, slot) of the selection links to the result layers
        self._syncing = False
        p.radarSceneCombo.setFilters(QgsMapLayerProxyModel.Filter.RasterLayer)
        p.radarSceneCombo.setAllowEmptyLayer(True)
        self.offer_single_band()
        project = QgsProject.instance()
        project.layersAdded.connect(self.offer_single_band)
        project.layersRemoved.connect(self.offer_single_band)
        p.radarSightingButton.clicked.connect(self.make_sighting)
        p.radarSettingsButton.clicked.connect(self.open_settings)
        self.session.caseRestored.connect(self.restore_from_case)
        self.update_buttons()

    # --- the scene ------------------------------------------------------------------------------------------
    def offer_single_band(self, *_):
        """Only single-band rasters: a SAR scene's backscatter, not an optical picture."""
        layers = QgsProject.instance().mapLayers().values()
        others = [layer for layer in layers if isinstance(layer, QgsRasterLayer) and layer.bandCount() != 1]
        self.page.radarSceneCombo.setExceptedLayerList(others)

    def scene(self) -> Optional[QgsRasterLayer]:
        layer = self.page.radarSceneCombo.currentLayer()
        return layer if isinstance(layer, QgsRasterLayer) else None

    # --- the detector's and the matching's settings ------------------------------------------------------------
    @guarded
    def open_settings(self) -> None:
        """The settings dialog; what OK keeps is used by the next Detect vessels."""
        dialog = RadarSettingsDialog(Settings(), self.page)
        dialog.exec()
        dialog.deleteLater()

    def params(self) -> Tuple[CfarParams, MatchParams]:
        """The parameters for a run, read from the settings as it starts (a new panel finds them too)."""
        return radar_params(Settings())

    # --- results --------------------------------------------------------------------------------------------
    def show(self, result: RadarResult) -> None:
        """The result's rows in the page's table; the table's rows found again in the layers the session added."""
        self.disconnect_layers()
        self.result = result
        self.layers = {kind: self.session.extra.get(kind) for kind in ROW_KINDS}
        self.fids = {}
        for kind, layer in self.layers.items():
            if layer is None:
                continue
            for feature in layer.getFeatures():
                self.fids[feature_key(kind, feature)] = feature.id()
            slot = partial(self.on_map_selection, kind)
            layer.selectionChanged.connect(slot)
            self._connections.append((layer, slot))
        self.model.set_records(result.rows)
        self.panel.use_table(self.proxy, self.on_row_selected)
        self.page.candidateTable.resizeColumnsToContents()
        self.update_buttons()

    @guarded
    def restore_from_case(self, _info: dict) -> None:
        """The table of the case's last radar run, read back from its four layers."""
        result = result_from_layers(self.session.extra)
        if result is not None:
            self.show(result)

    def disconnect_layers(self) -> None:
        for layer, slot in self._connections:
            if not sip.isdeleted(layer):
                try:
                    layer.selectionChanged.disconnect(slot)
                except (TypeError, RuntimeError):  # already gone
                    pass
        self._connections, self.layers = [], {}

    def selected(self) -> Optional[RadarRow]:
        table = self.page.candidateTable
        if table.model() is not self.proxy:
            return None
        rows = table.selectionModel().selectedRows()
        return self.proxy.record(rows[0]) if rows else None

    def update_buttons(self, busy: bool = False) -> None:
        row = None if busy else self.selected()
        self.page.radarSightingButton.setEnabled(row is not None and row.status == DARK)

    # --- selection, both ways -------------------------------------------------------------------------------
    @guarded
    def on_row_selected(self, *_) -> None:
        row = self.selected()
        self.update_buttons()
        if row is None or self._syncing:
            return
        self._syncing = True
        try:
            for kind, layer in self.layers.items():
                if layer is None or sip.isdeleted(layer):
                    continue
                fid = self.fids.get(row_key(row)) if kind == row.kind else None
                layer.selectByIds([fid] if fid is not None else [])
        finally:
            self._syncing = False
        canvas = self.iface.mapCanvas()
        map_view.zoom_to(canvas, QgsRectangle(row.lon, row.lat, row.lon, row.lat), margin=1.0, min_size_deg=0.02)
        self._show_scene_time(canvas)

    def _show_scene_time(self, canvas) -> None:
        """The map's time filter would hide the detections of a scene outside the range shown."""
        acquired = self.result.acquired if self.result is not None else None
        shown = canvas.temporalRange()
        begin, end = shown.begin(), shown.end()
        if acquired is None or not (begin.isValid() and end.isValid()):
            return
        if not begin.toSecsSinceEpoch() <= acquired <= end.toSecsSinceEpoch():
            map_view.show_window(canvas, acquired, acquired)

    @guarded
    def on_map_selection(self, kind: str, selected, _deselected, _clear) -> None:
        if self._syncing or not selected:
            return
        key = next((k for k, fid in self.fids.items() if k[0] == kind and fid == selected[0]), None)
        row = -1 if key is None else self.proxy.proxy_row_of(lambda r: row_key(r) == key)
        if row < 0:
            return
        self._syncing = True
        try:
            table = self.page.candidateTable
            table.selectRow(row)
            table.scrollTo(self.proxy.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._syncing = False

    # --- a dark detection as a sighting ---------------------------------------------------------------------
    @guarded
    def make_sighting(self) -> None:
        row = self.selected()
        bar = self.iface.messageBar()
        if row is None or row.status != DARK or row.detection is None:
            bar.pushMessage("Bai Mei", tr("Select a dark detection in the table first."), Qgis.MessageLevel.Info, 5)
            return
        layer = self.panel.dock.annotate.layer()
        if layer is None:
            bar.pushMessage(
                "Bai Mei",
                tr("Choose or create a sightings layer on the Annotate page first."),
                Qgis.MessageLevel.Info,
                6,
            )
            return
        d = row.detection
        fid = add_sighting(
            layer,
            row.lon,
            row.lat,
            {
                "observed_at": d.acquired,
                "image_id": d.scene_id,
                "length_m": d.length_m,
                "beam_m": d.width_m,
                "heading_deg": d.heading_deg,
                "notes": f"radar detection {d.detection_id} (peak {d.peak_db:.1f} dB, confidence {d.confidence})",
            },
        )
        layer.selectByIds([fid])
        bar.pushMessage(
            "Bai Mei",
            tr(
                "Sighting added to {layer} from radar detection {detection}: {length} m long, heading {heading}° "
                "(or {opposite}°). Describe it on the Annotate page."
            ).format(
                layer=layer.name(),
                detection=d.detection_id,
                length=f"{d.length_m:.0f}",
                heading=f"{d.heading_deg:.0f}",
                opposite=f"{(d.heading_deg + 180) % 360:.0f}",
            ),
            Qgis.MessageLevel.Success,
            8,
        )

    def unload(self) -> None:
        self.disconnect_layers()
        project = QgsProject.instance()
        for slot in (self.offer_single_band,):
            for signal in (project.layersAdded, project.layersRemoved):
                try:
                    signal.disconnect(slot)
                except (TypeError, RuntimeError):
                    pass
