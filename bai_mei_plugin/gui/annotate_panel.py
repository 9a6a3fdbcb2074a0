"""The Annotate page: a sightings layer, the Mark vessel and Measure hull map tools, and who a sighting could be."""

from __future__ import annotations

import html
import os

from qgis.core import Qgis, QgsFeature, QgsFeatureRequest, QgsMapLayerProxyModel, QgsProject
from qgis.gui import QgsAttributeDialog, QgsAttributeEditorContext
from qgis.PyQt import sip, uic
from qgis.PyQt.QtCore import QT_TR_NOOP, QEvent, QObject, Qt
from qgis.PyQt.QtWidgets import QFileDialog, QWidget

from ..core.identify import identify_vessels
from ..core.profiles import default_profiles_path, load_profiles, profile_from_sighting, write_profiles
from ..core.sightings import feature_label
from ..qgis_io.case_workspace import mark_made_by
from ..qgis_io.i18n import tr
from ..qgis_io.inputs import sightings_from_source
from ..qgis_io.layers import epoch_seconds
from ..qgis_io.sightings_layer import (
    add_sighting,
    create_sightings_layer,
    gpkg_has_table,
    is_sightings_layer,
    open_sightings_layer,
    save_edits_as_made,
    scene_attributes,
    scene_under,
    update_sighting,
    upgrade_sightings_layer,
)
from ..tasks.analysis_tasks import AnalysisResult, AnalysisTask
from .guard import guarded
from .map_tools import MarkVesselTool, MeasureHullTool
from .models import RecordTableModel, attach_table, number_text
from .task_runner import TaskRunner
from .timeline import Tick, Timeline, day_text

PAGE_CLASS, _ = uic.loadUiType(os.path.join(os.path.dirname(__file__), "annotate_page.ui"))
LABEL_LINES = 3  # the sighting and reasons labels: room for an id, a scene and the key features
WINDOW_PER_LENGTH = 1.6  # after Measure hull, the sighting's pixel window is the hull's length times this, square


class AnnotatePage(QWidget, PAGE_CLASS):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)


class RankTableModel(RecordTableModel):
    COLUMNS = (
        (
            QT_TR_NOOP("Rank"),
            lambda c: "—" if c.rank is None else str(c.rank),
            lambda c: c.rank if c.rank is not None else 1e9,
        ),
        (QT_TR_NOOP("Vessel"), lambda c: c.name or "", lambda c: c.name or ""),
        (QT_TR_NOOP("Score"), lambda c: number_text(c.total_score, 2), lambda c: c.total_score),
        (QT_TR_NOOP("AIS"), lambda c: c.spacetime_status, lambda c: c.spacetime_status),
        (QT_TR_NOOP("MMSI"), lambda c: str(c.mmsi), lambda c: c.mmsi),
    )

    def name_of(self, record):
        return record.name

    def hours_of(self, record) -> float:
        return 0.0

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.ToolTipRole and index.isValid()
        ):  # the whole text of a cell too narrow for it, and why
            record = self.records[index.row()]
            return f"{record.name} (MMSI {record.mmsi}): {record.spacetime_status}. {record.reasons or ''}".strip()
        return super().data(index, role)


class AnnotatePanel(QObject):
    def __init__(self, dock, session, iface, settings):
        super().__init__(dock)
        self.dock, self.session, self.iface, self.settings = dock, session, iface, settings
        self.page = AnnotatePage()
        dock.tabs.addTab(self.page, "Annotate")
        p = self.page
        self.identifier = TaskRunner(
            iface,
            self.on_identified,
            on_busy=lambda busy: p.identifyButton.setEnabled(not busy and self._layer is not None),
        )
        self.patterner = TaskRunner(iface, self.on_pattern)
        p.sightingsCombo.setFilters(QgsMapLayerProxyModel.Filter.PointLayer)
        p.sightingsCombo.setAllowEmptyLayer(True)
        self.offer_only_sightings()
        project = QgsProject.instance()
        project.layersAdded.connect(self.offer_only_sightings)
        project.layersRemoved.connect(self.offer_only_sightings)
        self.keep_layout_steady()
        p.sightingsCombo.layerChanged.connect(self.on_layer_changed)
        self.model = RankTableModel(self)
        self.proxy = attach_table(p.candidateRankTable, self.model, "Rank", order=0)
        session.caseRestored.connect(self.restore_ranking)
        p.candidateRankTable.selectionModel().selectionChanged.connect(self.on_candidate_selected)
        canvas = iface.mapCanvas()
        hint = getattr(iface, "statusBarIface", None)
        show = (lambda text: hint().showMessage(text)) if hint is not None else None
        self.mark_tool = MarkVesselTool(canvas, show)
        self.measure_tool = MeasureHullTool(canvas, show)
        self.mark_tool.marked.connect(self.on_marked)
        self.measure_tool.measured.connect(self.on_measured)
        self.measure_tool.measured_beam.connect(lambda beam: self.update_selected({"beam_m": round(beam, 1)}))
        p.markButton.toggled.connect(lambda on: self.use_tool(self.mark_tool, on))
        p.measureButton.toggled.connect(lambda on: self.use_tool(self.measure_tool, on))
        p.chipButton.clicked.connect(lambda: self.show_chips())
        canvas.mapToolSet.connect(self.on_tool_set)
        p.newLayerButton.clicked.connect(self.new_layer)
        p.openLayerButton.clicked.connect(lambda: self.open_layer())
        p.identifyButton.clicked.connect(self.identify)
        p.profileButton.clicked.connect(self.create_profile)
        p.profilesButton.clicked.connect(lambda: self.open_profiles())
        p.exportButton.clicked.connect(lambda: self.export())  # not clicked(checked) as the ask argument
        self.pattern = Timeline(p)
        self.pattern.setAccessibleName("Pattern of activity")
        self.pattern.empty_text = "Sightings in the map view, over time"
        self.pattern.tickClicked.connect(self.on_pattern_tick)
        p.patternLayout.addWidget(self.pattern)
        self.pattern_ids = []
        p.patternButton.clicked.connect(self.pattern_of_activity)
        self._layer = None
        self.form_dialog = None
        self.export_dialog = None
        self.chip_view = None
        self.on_layer_changed(p.sightingsCombo.currentLayer())
        self.notice_unfinished_export()

    # --- layer -------------------------------------------------------------------------------------------------
    def offer_only_sightings(self, *_):
        """The combo lists Bai Mei sightings layers only (recognised by their fields), not every point layer."""
        others = [layer for layer in QgsProject.instance().mapLayers().values() if not is_sightings_layer(layer)]
        self.page.sightingsCombo.setExceptedLayerList(others)

    def keep_layout_steady(self) -> None:
        """Labels whose text changes keep their height, so the buttons below them never move under the cursor:
        three lines each; a longer text is cut at a word with "…" (the whole text in the tooltip)."""
        for label in (self.page.sightingLabel, self.page.reasonsLabel):
            margins = label.contentsMargins().top() + label.contentsMargins().bottom() + 2 * label.margin()
            label.setFixedHeight(label.fontMetrics().lineSpacing() * LABEL_LINES + margins + 8)  # 8: rich text's
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # document margins
            label.installEventFilter(self)

    def set_label(self, label, text: str) -> None:
        """Show ``text`` in a fixed-height label: whole when it fits, else cut at the last word that fits (again at
        each resize: see eventFilter). The whole text is the tooltip."""
        label.setToolTip(text)
        self.fit_label(label)

    def fit_label(self, label) -> None:
        text = label.toolTip()
        label.setText(text)
        width = label.width()
        if not label.isVisible() or label.heightForWidth(width) <= label.height():
            return  # a hidden label has no width yet: fitted when shown
        words = text.split(" ")
        while len(words) > 1:
            words.pop()
            label.setText(" ".join(words) + " …")
            if label.heightForWidth(width) <= label.height():
                return

    def eventFilter(self, watched, event):  # noqa: N802 (Qt API)
        page = getattr(self, "page", None)  # events reach the filter while the panel is built or torn down
        if page is None or sip.isdeleted(page):
            return False
        labels = (page.sightingLabel, page.reasonsLabel)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and watched in labels:
            self.fit_label(watched)
        return False

    def layer(self):
        layer = self.page.sightingsCombo.currentLayer()
        return layer if is_sightings_layer(layer) else None

    @guarded
    def on_layer_changed(self, layer) -> None:
        if self._layer is not None:
            try:
                self._layer.selectionChanged.disconnect(self.on_selection)
            except (TypeError, RuntimeError):
                pass
        self._layer = layer if is_sightings_layer(layer) else None
        if self._layer is not None:
            added = upgrade_sightings_layer(self._layer)
            if added:
                self.iface.messageBar().pushMessage(
                    "Bai Mei",
                    tr(
                        "The sightings layer {name} was made by an earlier Bai Mei: the field(s) {join} were added "
                        "to it."
                    ).format(name=self._layer.name(), join=", ".join(added)),
                    Qgis.MessageLevel.Info,
                    8,
                )
            save_edits_as_made(self._layer)
            self._layer.selectionChanged.connect(self.on_selection)
        for button in (self.page.markButton, self.page.measureButton, self.page.identifyButton, self.page.chipButton):
            button.setEnabled(self._layer is not None)
        self.on_selection()

    @guarded
    def new_layer(self) -> None:
        """With a case open, the sightings table of the case's GeoPackage (made, or opened when the case has one);
        otherwise a GeoPackage the analyst names."""
        case = self.session.case
        if case is not None:
            if gpkg_has_table(case.path, "sightings"):
                self.open_layer(case.path)
            else:
                self.create_layer(case.path)
            return
        folder = self.settings.value("last_folder", os.path.expanduser("~"))
        path, _ = QFileDialog.getSaveFileName(
            self.page, tr("New sightings layer"), os.path.join(folder, "sightings.gpkg"), tr("GeoPackage (*.gpkg)")
        )
        if path:
            self.create_layer(path)

    @guarded
    def create_layer(self, path: str):
        layer = create_sightings_layer(path)
        self.show_layer(layer)
        self.iface.messageBar().pushMessage(
            "Bai Mei",
            tr("Sightings are saved in {path} as you add them.").format(path=path),
            Qgis.MessageLevel.Success,
            5,
        )
        return layer

    @guarded
    def open_layer(self, path: str = ""):
        """A sightings layer made before, from its GeoPackage (asked for when ``path`` is empty); the one already
        in the project when it is there."""
        if not path:
            folder = self.settings.value("last_folder", os.path.expanduser("~"))
            path, _ = QFileDialog.getOpenFileName(
                self.page, tr("Open sightings layer"), folder, tr("GeoPackage (*.gpkg)")
            )
            if not path:
                return None
        layer = open_sightings_layer(path)
        shown = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source() == layer.source()]
        if shown:
            layer = shown[0]
        else:
            self.show_layer(layer)
        self.page.sightingsCombo.setLayer(layer)
        return layer

    def show_layer(self, layer) -> None:
        """``layer`` added to the source's group (the project's root without one) and chosen in the list."""
        project = QgsProject.instance()
        project.addMapLayer(layer, self.session.group is None)
        if self.session.group is not None:
            self.session.group.insertLayer(0, layer)
        self.page.sightingsCombo.setLayer(layer)

    # --- map tools ---------------------------------------------------------------------------------------------
    def use_tool(self, tool, on: bool) -> None:
        canvas = self.iface.mapCanvas()
        if on:
            canvas.setMapTool(tool)
        elif canvas.mapTool() is tool:
            canvas.unsetMapTool(tool)

    def on_tool_set(self, new, *_):
        self.page.markButton.setChecked(new is self.mark_tool)
        self.page.measureButton.setChecked(new is self.measure_tool)

    def footprint_context(self, item_id: str = "") -> dict:
        """observed_at, image_id and image_source from the footprint of scene ``item_id`` in a footprints layer,
        else from the selected footprint, if any."""
        from qgis.core import QgsExpression

        for layer in QgsProject.instance().mapLayers().values():
            names = layer.fields().names() if hasattr(layer, "fields") else []
            if not {"item_id", "acquired", "source"} <= set(names):
                continue
            wanted = f'"item_id" = {QgsExpression.quotedValue(item_id)}' if item_id else None
            feature = next(layer.getFeatures(wanted), None) if wanted else None
            if feature is None and layer.selectedFeatureCount():
                feature = next(layer.getSelectedFeatures())
            if feature is not None:
                return {
                    "observed_at": epoch_seconds(feature["acquired"]),
                    "image_id": feature["item_id"],
                    "image_source": feature["source"],
                }
        return {}

    def scene_context(self, lon: float, lat: float) -> dict:
        """What a mark at lon/lat was made on: the scene layer under it (its item id, source and the pixel window
        around the mark) and that scene's footprint (time, source); the selected footprint when no scene is."""
        scene = scene_under(lon, lat, self.iface.mapCanvas().layers())
        on_scene = scene_attributes(scene, lon, lat) if scene is not None else {}
        context = self.footprint_context(on_scene.get("image_id", ""))
        if on_scene and context.get("image_id") != on_scene["image_id"]:
            context = {}  # a footprint of another scene says nothing about this one
        return {**context, **on_scene}

    @guarded
    def on_marked(self, lon: float, lat: float) -> None:
        layer = self.layer()
        if layer is None:
            return
        fid = add_sighting(layer, lon, lat, self.scene_context(lon, lat))
        layer.selectByIds([fid])
        self.open_form(layer, fid)

    def open_form(self, layer, fid: int) -> None:
        """QGIS's attribute form of the saved sighting, non-modal; its OK is committed to the file at once."""
        if not layer.isEditable():
            layer.startEditing()  # the form edits the saved sighting; each change is committed when made
        if self.form_dialog is not None:
            self.form_dialog.close()
        context = QgsAttributeEditorContext()
        context.setMapCanvas(self.iface.mapCanvas())
        self.form_dialog = QgsAttributeDialog(
            layer, layer.getFeature(fid), False, self.iface.mainWindow(), True, context
        )
        self.form_dialog.setMode(QgsAttributeEditorContext.Mode.SingleEditMode)
        self.form_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form_dialog.destroyed.connect(self._form_closed)
        self.form_dialog.show()

    def _form_closed(self, *_):
        self.form_dialog = None

    @guarded
    def update_selected(self, values: dict) -> None:
        layer = self.layer()
        if layer is None or not layer.selectedFeatureCount():
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Select the sighting to measure first."), Qgis.MessageLevel.Info, 5
            )
            return
        if layer.isEditable() and layer.isModified():
            layer.commitChanges(False)
        fid = layer.selectedFeatureIds()[0]
        update_sighting(layer, fid, values)
        self.show_in_form(fid, values)
        self.on_selection()

    def show_in_form(self, fid: int, values: dict) -> None:
        """Put measured values into the open form of sighting ``fid`` too: it shows them, and its OK keeps them."""
        form = self.form_dialog
        if form is None or form.attributeForm().feature().id() != fid:
            return
        for name, value in values.items():
            form.attributeForm().changeAttribute(name, value)

    @guarded
    def on_measured(self, length: float, heading: float) -> None:
        values = {"length_m": round(length, 1), "heading_deg": round(heading, 1)}
        self.update_selected({**values, **self.measured_window(length)})

    def measured_window(self, length: float) -> dict:
        """The selected sighting's pixel window fitted to the measured hull (its scene is on the map), else {}."""
        layer = self.layer()
        feature = next(layer.getSelectedFeatures(), None) if layer is not None else None
        if feature is None or not feature["scene_source"]:
            return {}
        scene = next(
            (s for s in QgsProject.instance().mapLayers().values() if s.source() == feature["scene_source"]), None
        )
        point = feature.geometry().asPoint()
        if scene is None or not hasattr(scene, "rasterUnitsPerPixelX"):
            return {}
        found = scene_attributes(scene, point.x(), point.y(), max(100.0, WINDOW_PER_LENGTH * length))
        return {k: v for k, v in found.items() if k.startswith("window_")}

    # --- identification ----------------------------------------------------------------------------------------
    def selected_sighting(self):
        layer = self.layer()
        if layer is None or not layer.selectedFeatureCount():
            return None
        fid = layer.selectedFeatureIds()[0]
        return sightings_from_source(layer.materialize(QgsFeatureRequest().setFilterFids([fid])))[0]

    @guarded
    def on_selection(self, *_):
        layer = self.layer()
        feature = next(layer.getSelectedFeatures(), None) if layer is not None else None
        self.model.set_records([])
        self.set_label(self.page.reasonsLabel, "")
        if feature is None:
            self.set_label(self.page.sightingLabel, "Select a sighting to see who it could be.")
            return
        features = {
            name: feature[name]
            for name in ("hatch_count", "crane_count", "hull_colour", "length_m")
            if feature[name] not in (None, "") and not (hasattr(feature[name], "isNull") and feature[name].isNull())
        }
        image = feature["image_id"] if feature["image_id"] not in (None, "") else None
        if hasattr(image, "isNull") and image.isNull():
            image = None
        where = f" on {html.escape(str(image))}" if image else ""
        label = html.escape(feature_label(features)) or "marked; describe it in its form and Measure hull"
        self.set_label(self.page.sightingLabel, f"<b>{html.escape(str(feature['sighting_id']))}</b>{where}: {label}")

    @guarded
    def identify(self) -> None:
        sighting = self.selected_sighting()
        if sighting is None:
            self.iface.messageBar().pushMessage("Bai Mei", tr("Select a sighting first."), Qgis.MessageLevel.Info, 5)
            return
        profiles = load_profiles(self.settings.value("profiles_path", "") or default_profiles_path())
        result = self.session.result
        cols = result.columns if result else None
        gaps = list(result.found.gaps) if result else []
        areas = self.session.extra.get("reach_areas")
        area_of = None
        if areas is not None:
            from ..qgis_io.footprints import source_geometries

            area_of = {f["gap_id"]: shape for f, shape in source_geometries(areas)}

        def work(task):
            ranked = identify_vessels([sighting], profiles, cols, gaps, area_of, is_canceled=task.is_canceled)
            best = next((c for c in ranked if c.rank == 1), None)
            text = (
                f"Most likely {best.name} (MMSI {best.mmsi}): {best.spacetime_status}."
                if best
                else "No candidate fits."
            )
            return AnalysisResult(text, [], ranked)

        self.identifier.run(AnalysisTask(f"Bai Mei: who is {sighting.sighting_id}?", work, self.identifier.finished))

    @property
    def task(self):
        """The running identification (or pattern of activity), None when idle."""
        return self.identifier.task or self.patterner.task

    def on_identified(self, task) -> None:
        self.model.set_records(task.result.records)
        self.page.candidateRankTable.resizeColumnsToContents()  # "dark and reachable" whole, not "dark and …"
        self.set_label(self.page.reasonsLabel, task.result.summary)
        if task.result.records:
            self.add_candidates_layer(task.result.records)

    @guarded
    def restore_ranking(self, _info: dict) -> None:
        """The ranking the case kept (its ``candidates`` layer) back in the table, the latest sighting's first."""
        from ..core.layer_kinds import CANDIDATES
        from ..qgis_io.records import records_of

        layer = self.session.extra.get("candidates")
        if layer is None:
            return
        ranked = records_of(layer, CANDIDATES)
        if not ranked:
            return
        latest = max(ranked, key=lambda c: (c.observed_at or 0, c.sighting_id)).sighting_id
        shown = [c for c in ranked if c.sighting_id == latest]
        self.model.set_records(shown)
        self.page.candidateRankTable.resizeColumnsToContents()
        best = next((c for c in shown if c.rank == 1), None)
        if best is not None:
            self.set_label(
                self.page.reasonsLabel,
                tr("{sighting}: best candidate {name} (from the case).").format(
                    sighting=latest, name=best.name or best.mmsi
                ),
            )

    def add_candidates_layer(self, ranked) -> None:
        """The ranking as a layer of the case (kind ``candidates``, the fields of baimei:identifyvessels' output),
        so that the export and its report carry it. Ranking another sighting adds its rows; ranking one again
        replaces that sighting's rows."""
        from ..core.layer_kinds import CANDIDATES
        from ..qgis_io.records import records_layer

        layer = records_layer(CANDIDATES, "candidates", ranked)
        sightings = self.layer()
        mark_made_by(
            layer,
            made_by="who could it be",
            sightings=sorted({str(c.sighting_id) for c in ranked}),
            sightings_layer=sightings.source() if sightings is not None else "",
            profiles=self.settings.value("profiles_path", "") or default_profiles_path(),
            with_reachable_sea="reach_areas" in self.session.extra,
        )
        old = self.session.extra.get("candidates")
        if old is not None and QgsProject.instance().mapLayer(old.id()) is not None:
            again = {c.sighting_id for c in ranked}
            kept = []
            for feature in old.getFeatures():
                if str(feature["sighting_id"]) not in again:
                    copy = QgsFeature(layer.fields())
                    copy.setAttributes([feature[name] for name in layer.fields().names()])
                    copy.setGeometry(feature.geometry())
                    kept.append(copy)
            layer.dataProvider().addFeatures(kept)
            layer.updateExtents()
        if self.session.group is not None:
            self.session.add_extra(layer, "candidates")
            return
        # no AIS loaded (a ranking by looks alone): no source group to put it in; the project's root instead
        if old is not None and QgsProject.instance().mapLayer(old.id()) is not None:
            QgsProject.instance().removeMapLayer(old.id())
        from ..qgis_io.styles import apply_style

        apply_style(layer, "candidates")
        QgsProject.instance().addMapLayer(layer)
        self.session.extra["candidates"] = layer

    @guarded
    def on_candidate_selected(self, *_):
        rows = self.page.candidateRankTable.selectionModel().selectedRows()
        if rows:
            candidate = self.proxy.record(rows[0])
            self.set_label(
                self.page.reasonsLabel, f"<b>{html.escape(candidate.name or '')}</b>: {html.escape(candidate.reasons)}"
            )

    @guarded
    def pattern_of_activity(self) -> None:
        """Every sighting in the map view, identified, on one time line: repeated visits make a pattern."""
        layer = self.layer()
        if layer is None:
            return
        from qgis.core import QgsCoordinateTransform

        canvas = self.iface.mapCanvas()
        extent = QgsCoordinateTransform(
            canvas.mapSettings().destinationCrs(), layer.crs(), QgsProject.instance()
        ).transformBoundingBox(canvas.extent())
        here = layer.materialize(QgsFeatureRequest().setFilterRect(extent))
        if here.featureCount() == 0:
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("No sighting in the map view."), Qgis.MessageLevel.Info, 5
            )
            return
        sightings = sightings_from_source(here)
        profiles = load_profiles(self.settings.value("profiles_path", "") or default_profiles_path())
        result = self.session.result
        cols = result.columns if result else None
        gaps = list(result.found.gaps) if result else []

        def work(task):
            ranked = identify_vessels(sightings, profiles, cols, gaps, None, is_canceled=task.is_canceled)
            best = {c.sighting_id: c for c in ranked if c.rank == 1}
            return AnalysisResult(
                tr("{count} sightings here.").format(count=len(sightings)),
                [],
                [(s, best.get(s.sighting_id)) for s in sightings],
            )

        self.patterner.run(AnalysisTask("Bai Mei: pattern of activity", work, self.patterner.finished))

    def on_pattern(self, task) -> None:
        rows = sorted((r for r in task.result.records if r[0].observed_at is not None), key=lambda r: r[0].observed_at)
        ticks = []
        for sighting, best in rows:
            who = f"{best.name} ({best.spacetime_status})" if best is not None else "unidentified"
            ticks.append(
                Tick(
                    sighting.observed_at,
                    f"{day_text(sighting.observed_at)}: {who}",
                    dark=best is not None and best.spacetime_status == "dark and reachable",
                )
            )
        self.pattern_ids = [sighting.sighting_id for sighting, _ in rows]
        self.pattern.set_data([], ticks)
        names = sorted({best.name for _, best in rows if best is not None})
        self.set_label(
            self.page.reasonsLabel,
            f"{len(rows)} sightings here, {day_text(rows[0][0].observed_at)} – "
            f"{day_text(rows[-1][0].observed_at)}: " + (", ".join(names) or "none identified")
            if rows
            else "",
        )

    @guarded
    def on_pattern_tick(self, index: int) -> None:
        layer = self.layer()
        if layer is None or not 0 <= index < len(self.pattern_ids):
            return
        wanted = self.pattern_ids[index]
        from qgis.core import QgsExpression

        layer.selectByExpression(f'"sighting_id" = {QgsExpression.quotedValue(wanted)}')

    def profiles_path(self, ask: bool = True) -> str:
        """The analyst's profiles file (settings); the first time, a copy of the bundled profiles they choose where
        to keep."""
        path = self.settings.value("profiles_path", "")
        if path or not ask:
            return path
        path, _ = QFileDialog.getSaveFileName(
            self.page, tr("Vessel profiles"), os.path.expanduser("~/profiles.csv"), tr("CSV (*.csv)")
        )
        return path

    @guarded
    def open_profiles(self, path: str = ""):
        """The profiles as a table layer QGIS can edit (OGR writes the CSV back); identification reads that file."""
        from qgis.core import QgsVectorLayer

        path = path or self.profiles_path()
        if not path:
            return None
        if not os.path.exists(path):
            write_profiles(path, load_profiles(default_profiles_path()))
        self.settings.set_value("profiles_path", path)
        for layer in QgsProject.instance().mapLayers().values():
            if layer.source().split("|")[0] == path:
                return layer
        layer = QgsVectorLayer(path, "vessel profiles", "ogr")
        if not layer.isValid():
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Cannot open {path} as a table.").format(path=path), Qgis.MessageLevel.Critical, 0
            )
            return None
        QgsProject.instance().addMapLayer(layer)
        if hasattr(self.iface, "showAttributeTable"):
            self.iface.showAttributeTable(layer)
        return layer

    @guarded
    def create_profile(self) -> None:
        """Add the selected sighting's features to the profiles file as the selected candidate (a confirmed
        identification); the first time, the file starts as a copy of the bundled profiles."""
        sighting = self.selected_sighting()
        rows = self.page.candidateRankTable.selectionModel().selectedRows()
        if sighting is None or not rows:
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Select a sighting and the candidate it was confirmed to be."), Qgis.MessageLevel.Info, 5
            )
            return
        path = self.profiles_path()
        if path:
            self.add_profile(path, sighting, self.proxy.record(rows[0]))

    def add_profile(self, path: str, sighting, candidate) -> None:
        profiles = load_profiles(path if os.path.exists(path) else default_profiles_path())
        profiles = [p for p in profiles if p.mmsi != candidate.mmsi]
        profiles.append(
            profile_from_sighting(
                sighting, candidate.mmsi, candidate.imo, candidate.name, f"from sighting {sighting.sighting_id}"
            )
        )
        write_profiles(path, profiles)
        self.settings.set_value("profiles_path", path)
        self.iface.messageBar().pushMessage(
            "Bai Mei",
            tr("Profile of {name} saved in {path}.").format(name=candidate.name, path=path),
            Qgis.MessageLevel.Success,
            5,
        )

    @guarded
    def notice_unfinished_export(self) -> None:
        """At start: say when an export was cut short (QGIS killed while writing) and left its temporary files in
        the last export folder; Export the case… offers to remove them."""
        from ..qgis_io.case_export import stale_partials
        from .settings import EXPORT_FOLDER

        folder = self.settings.value(EXPORT_FOLDER, "")
        found = stale_partials(folder) if folder else []
        if found:
            self.iface.messageBar().pushMessage(
                "Bai Mei",
                tr(
                    "An export to {folder} did not finish (QGIS was closed or stopped while writing): {count} "
                    "temporary file(s) are left there. Export the case… offers to remove them."
                ).format(folder=folder, count=len(found)),
                Qgis.MessageLevel.Warning,
                0,
            )

    def case_layers(self) -> list:
        """The layers of the case: the session's (gaps, tracks, points), its analysis layers and the sightings."""
        layers = [*self.session.layers(), *self.session.extra.values(), self.layer()]
        project = QgsProject.instance()
        seen, out = set(), []
        for layer in layers:
            if layer is not None and layer.id() not in seen and project.mapLayer(layer.id()) is not None:
                seen.add(layer.id())
                out.append(layer)
        return out

    def case_vessel(self):
        """The MMSI of the case: the selected gap's vessel, else the most likely candidate of the sightings (else
        the vessel with the longest gap); None when there is nothing to tell."""
        gaps = getattr(self.dock, "gaps", None)
        gap = gaps.selected_gap() if gaps is not None and hasattr(gaps, "selected_gap") else None
        if gap is not None:
            return int(gap.mmsi)
        from ..qgis_io.case_report import case_layers, guess_vessel

        return guess_vessel(case_layers(self.case_layers())).mmsi

    @guarded
    def export(self, ask=None):
        """The Export the case dialog, pre-filled with the case (its vessel, layers and the report) and the last
        folder and formats; it writes in the background."""
        from .export_dialog import ExportDialog

        if self.export_dialog is not None and self.export_dialog.task is not None:
            self.export_dialog.show()  # an export is running: its dialog, not a second one
            self.export_dialog.raise_()
            return self.export_dialog
        dialog = ExportDialog(
            self.iface,
            self.settings,
            self.case_layers(),
            self.session.vessels,
            self.case_vessel(),
            self.iface.mainWindow(),
            ask,
        )
        self.export_dialog = dialog
        dialog.show()
        return dialog

    @guarded
    def show_chips(self):
        """The chip view of the selected sighting: its scene at about 1:2,500 turned to the ship's heading, beside
        another date's sighting of the same vessel."""
        from .chip_view import ChipView, pair_of

        layer = self.layer()
        feature = next(layer.getSelectedFeatures(), None) if layer is not None else None
        if feature is None:
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Select a sighting to see its chip."), Qgis.MessageLevel.Info, 5
            )
            return None
        if self.chip_view is not None:
            self.chip_view.close()
        self.chip_view = ChipView(pair_of(layer, feature), self.iface.mainWindow())
        self.chip_view.show()
        return self.chip_view

    def unload(self) -> None:
        project = QgsProject.instance()
        for signal in (project.layersAdded, project.layersRemoved):
            try:
                signal.disconnect(self.offer_only_sightings)
            except (TypeError, RuntimeError):
                pass
        if self.chip_view is not None:
            self.chip_view.close()
        if self.form_dialog is not None:
            self.form_dialog.close()
        canvas = self.iface.mapCanvas()
        for tool in (self.mark_tool, self.measure_tool):
            if canvas.mapTool() is tool:
                canvas.unsetMapTool(tool)
        self.identifier.cancel()
        self.patterner.cancel()
        if self.export_dialog is not None:
            self.export_dialog.cancel()
            self.export_dialog.close()
        self.page.setParent(None)
