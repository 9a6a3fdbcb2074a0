"""The Annotate page: a new sightings layer, Mark vessel and Measure hull, identification and profiles."""

import pytest
from qgis.core import QgsProject, QgsVectorLayer

from bai_mei_plugin.core.profiles import load_profiles
from tests.qgis.test_dock import canvas, dock  # noqa: F401 (fixtures of the dock tests)

NAMPO = (125.15, 38.70)


@pytest.fixture
def panel(dock):
    return dock.annotate


def test_the_page_is_the_last_tab(dock, panel):
    titles = [dock.tabs.tabText(i) for i in range(dock.tabs.count())]
    assert titles == ["Tracks", "Gaps", "Vessels", "Analysis", "Imagery", "Annotate"]
    assert dock.tabs.widget(titles.index("Annotate")) is panel.page


def test_mark_measure_identify_and_profile(panel, tmp_path, qgis_iface, qtbot):
    layer = panel.create_layer(str(tmp_path / "case.gpkg"))
    assert layer is not None and panel.layer() is layer
    assert panel.page.markButton.isEnabled()
    panel.page.markButton.setChecked(True)
    assert qgis_iface.mapCanvas().mapTool() is panel.mark_tool
    panel.mark_tool.marked.emit(*NAMPO)
    assert layer.featureCount() == 1 and layer.selectedFeatureCount() == 1
    # saved at once: another reader of the file sees it
    assert QgsVectorLayer(f"{tmp_path / 'case.gpkg'}|layername=sightings", "again", "ogr").featureCount() == 1
    # the QGIS form of the new sighting is open; its OK is written to the file at once
    form = panel.form_dialog
    assert form is not None and form.isVisible()
    form.attributeForm().changeAttribute("hatch_count", 5)
    form.attributeForm().changeAttribute("hull_colour", "black")
    form.accept()
    qtbot.waitUntil(lambda: not layer.isModified(), timeout=5000)
    reopened = QgsVectorLayer(f"{tmp_path / 'case.gpkg'}|layername=sightings", "again", "ogr")
    assert next(reopened.getFeatures())["hatch_count"] == 5
    panel.page.measureButton.setChecked(True)
    assert not panel.page.markButton.isChecked()
    panel.measure_tool.measured.emit(168.6, 92.4)
    panel.measure_tool.measured_beam.emit(27.2)
    feature = next(layer.getFeatures())
    assert (feature["length_m"], feature["heading_deg"], feature["beam_m"]) == (168.6, 92.4, 27.2)
    assert "169 m" in panel.page.sightingLabel.text()
    # who could it be? (no AIS loaded: every profile, ranked by features alone)
    panel.identify()
    qtbot.waitUntil(lambda: panel.task is None, timeout=20000)
    ranked = [panel.proxy.record(panel.proxy.index(r, 0)) for r in range(panel.proxy.rowCount())]
    assert ranked and ranked[0].rank == 1
    assert {c.spacetime_status for c in ranked} == {"no data"}
    # confirm the first candidate: a profile from the sighting
    panel.page.candidateRankTable.selectRow(0)
    assert ranked[0].name in panel.page.reasonsLabel.text()
    profiles = tmp_path / "profiles.csv"
    panel.add_profile(str(profiles), panel.selected_sighting(), ranked[0])
    saved = {p.mmsi: p for p in load_profiles(profiles)}
    assert saved[ranked[0].mmsi].length_m == 168.6 and len(saved) >= 5
    QgsProject.instance().removeAllMapLayers()


def test_measuring_without_a_selection_says_what_to_do(panel, tmp_path, qgis_iface):
    panel.create_layer(str(tmp_path / "empty.gpkg"))
    qgis_iface.messageBar().clear_messages()
    panel.measure_tool.measured.emit(100.0, 10.0)
    assert any("Select the sighting" in m for m in qgis_iface.messageBar().get_messages(0))
    QgsProject.instance().removeAllMapLayers()


def test_pattern_of_activity_at_a_place(panel, tmp_path, qgis_iface, qtbot):
    from qgis.core import QgsRectangle

    from bai_mei_plugin.qgis_io.sightings_layer import add_sighting

    layer = panel.create_layer(str(tmp_path / "pattern.gpkg"))
    features = {"hatch_count": 5, "crane_count": 4, "hull_colour": "black", "length_m": 169.0}
    for when, lon in ((1497665100, 125.150), (1499307600, 125.151)):  # 17 June and 6 July 2017
        add_sighting(layer, lon, 38.70, {**features, "observed_at": when})
    add_sighting(layer, 131.9, 43.1, {**features, "observed_at": 1498200000})  # Vladivostok: not in the view
    qgis_iface.mapCanvas().setExtent(QgsRectangle(125.0, 38.6, 125.3, 38.8))
    panel.pattern_of_activity()
    qtbot.waitUntil(lambda: panel.task is None, timeout=20000)
    ticks = panel.pattern.ticks
    assert [t.time for t in ticks] == [1497665100, 1499307600]
    assert all("BAI MEI 8" in t.label for t in ticks)  # the best profile by features (no AIS loaded)
    assert "2 sightings here" in panel.page.reasonsLabel.text()
    panel.pattern.tickClicked.emit(1)
    assert next(layer.getSelectedFeatures())["observed_at"].toSecsSinceEpoch() == 1499307600
    QgsProject.instance().removeAllMapLayers()


def test_profiles_open_as_an_editable_table_that_identification_reads(panel, tmp_path):
    path = str(tmp_path / "my_profiles.csv")
    layer = panel.open_profiles(path)
    assert layer is not None and layer.featureCount() == 5  # a copy of the bundled profiles
    assert layer.dataProvider().capabilities() & layer.dataProvider().ChangeAttributeValues
    index = layer.fields().indexOf("hatch_count")
    bai_mei = next(f for f in layer.getFeatures() if f["name"] == "BAI MEI 8")
    assert layer.startEditing() and layer.changeAttributeValue(bai_mei.id(), index, "6") and layer.commitChanges()
    edited = {p.name: p for p in load_profiles(path)}
    assert edited["BAI MEI 8"].hatch_count == 6
    assert panel.open_profiles(path) is layer  # not opened twice
    QgsProject.instance().removeAllMapLayers()


def test_a_failing_action_is_a_message_not_an_exception(panel, qgis_iface, tmp_path):
    qgis_iface.messageBar().clear_messages()
    assert panel.open_profiles(str(tmp_path / "no" / "such" / "folder" / "profiles.csv")) is None
    errors = qgis_iface.messageBar().get_messages(2)  # Qgis.Critical
    assert errors and "profiles.csv" in errors[-1] and "does not exist" in errors[-1]
    assert "partial" not in errors[-1]  # the name the analyst chose, not a temporary file's


# --- annotation on the pixels of a scene ---------------------------------------------------------------------------


@pytest.fixture
def scene(tmp_path, qgis_iface):
    from qgis.core import QgsRasterLayer

    from tests.qgis.ship_scene import write_ship_scene

    layer = QgsRasterLayer(write_ship_scene(str(tmp_path / "SYNTHETIC_20170616_ssc1.tif")), "the 16 June scene", "gdal")
    layer.setCustomProperty("baimei/scene_item_id", "20170616_010203_ssc1")
    QgsProject.instance().addMapLayer(layer)
    qgis_iface.mapCanvas().setLayers([layer])
    yield layer
    qgis_iface.mapCanvas().setLayers([])


def test_the_combo_offers_only_sightings_layers(panel, tmp_path):
    ports = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string&field=locode:string", "ports", "memory")
    QgsProject.instance().addMapLayer(ports)
    layer = panel.create_layer(str(tmp_path / "only.gpkg"))
    combo = panel.page.sightingsCombo
    offered = [combo.layer(i) for i in range(combo.count()) if combo.layer(i) is not None]
    assert offered == [layer]
    later = QgsVectorLayer("Point?crs=EPSG:4326&field=x:int", "added later", "memory")
    QgsProject.instance().addMapLayer(later)
    assert later not in [combo.layer(i) for i in range(combo.count())]
    QgsProject.instance().removeAllMapLayers()


def test_mark_on_a_scene_keeps_the_scene_and_its_pixel_window(panel, scene, tmp_path):
    from bai_mei_plugin.demo.nampo import BERTH_HEADING_DEG, BERTH_LAT, BERTH_LON

    layer = panel.create_layer(str(tmp_path / "pixels.gpkg"))
    panel.mark_tool.marked.emit(BERTH_LON, BERTH_LAT)
    feature = next(layer.getFeatures())
    assert feature["image_id"] == "20170616_010203_ssc1" and feature["scene_source"] == scene.source()
    # 320 m around the mark at 0.8 m: 400 pixels, i.e. the whole 400-pixel test scene
    assert (feature["window_col"], feature["window_row"]) == (0, 0)
    assert feature["window_width"] == 400 and feature["window_height"] == 400
    # the status says what was marked and what to do, not "no features yet"
    text = panel.page.sightingLabel.text()
    assert "no features yet" not in text and "20170616_010203_ssc1" in text and "Measure hull" in text
    # Measure hull: the length, heading and beam are saved, shown in the open form, and the window fits the hull
    panel.measure_tool.measured.emit(168.7, BERTH_HEADING_DEG)
    panel.measure_tool.measured_beam.emit(27.1)
    feature = next(layer.getFeatures())
    assert (feature["length_m"], feature["heading_deg"], feature["beam_m"]) == (168.7, 212.0, 27.1)
    assert feature["window_width"] == pytest.approx(1.6 * 168.7 / 0.8, abs=3)  # 270 m square
    form = panel.form_dialog.attributeForm()
    assert form.currentFormFeature()["length_m"] == 168.7 and form.currentFormFeature()["beam_m"] == 27.1
    QgsProject.instance().removeAllMapLayers()


def test_a_mark_off_every_scene_has_no_window(panel, scene, tmp_path):
    layer = panel.create_layer(str(tmp_path / "off.gpkg"))
    panel.mark_tool.marked.emit(125.2, 38.6)  # 20 km from the scene
    feature = next(layer.getFeatures())
    for name in ("scene_source", "window_col", "window_width"):
        assert feature[name] is None or feature[name].isNull(), name
    QgsProject.instance().removeAllMapLayers()


def test_the_ais_column_shows_its_whole_text(panel):
    from bai_mei_plugin.core.identify import Candidate
    from bai_mei_plugin.tasks.analysis_tasks import AnalysisResult

    best = Candidate("S-1", 412000001, "BAI MEI 8", None, 0.9, "dark and reachable", 0.95, 1, "5 hatches", 125.4, 38.7)

    class Done:
        result = AnalysisResult("Most likely BAI MEI 8.", [], [best])

    panel.add_candidates_layer = lambda ranked: None  # the layer is another test's subject
    panel.on_identified(Done())
    table = panel.page.candidateRankTable
    column = next(i for i in range(panel.model.columnCount()) if panel.model.headerData(i, 1) == "AIS")
    assert table.horizontalHeader().sectionSize(column) >= table.fontMetrics().horizontalAdvance("dark and reachable")
    tip = panel.proxy.data(panel.proxy.index(0, column), 3)  # Qt.ToolTipRole
    assert "dark and reachable" in tip and "5 hatches" in tip


def test_who_could_it_be_does_not_move_when_the_texts_change(panel, dock):
    page = panel.page
    dock.tabs.setCurrentWidget(page)
    before = page.identifyButton.mapTo(page, page.identifyButton.rect().topLeft())
    long_text = "<b>S-20170616-010203-abcd</b> on 20170616_010203_ssc1: " + "5 hatches · 4 cranes · black hull " * 4
    panel.set_label(page.sightingLabel, long_text)
    panel.set_label(page.reasonsLabel, "Most likely BAI MEI 8 (MMSI 412000001): dark and reachable. " * 5)
    page.layout().activate()
    assert page.identifyButton.mapTo(page, page.identifyButton.rect().topLeft()) == before
    assert page.sightingLabel.toolTip() == long_text  # the whole text, where the label cuts it
    shown = page.sightingLabel.text()
    assert shown.endswith(" …") and long_text.startswith(shown[:-2])  # cut at a word, no line half shown
    assert page.sightingLabel.heightForWidth(page.sightingLabel.width()) <= page.sightingLabel.height()


def test_chip_view_shows_two_dates_bow_up_at_1_2500(panel, scene, tmp_path):
    from qgis.core import QgsMapRendererSequentialJob

    from bai_mei_plugin.demo.nampo import BERTH_HEADING_DEG, BERTH_LAT, BERTH_LON
    from bai_mei_plugin.qgis_io.sightings_layer import add_sighting, scene_attributes

    layer = panel.create_layer(str(tmp_path / "chips.gpkg"))
    on_scene = {**scene_attributes(scene, BERTH_LON, BERTH_LAT), "heading_deg": BERTH_HEADING_DEG}
    first = add_sighting(layer, BERTH_LON, BERTH_LAT, {**on_scene, "observed_at": 1497574923, "candidate_mmsi": 1})
    add_sighting(layer, BERTH_LON, BERTH_LAT, {**on_scene, "observed_at": 1499307600, "candidate_mmsi": 1})
    add_sighting(layer, BERTH_LON, BERTH_LAT, {**on_scene, "observed_at": 1499307600, "candidate_mmsi": 2})
    layer.selectByIds([first])
    view = panel.show_chips()
    assert len(view.panes) == 2
    assert [p.caption.text()[:13] for p in view.panes] == ["<b>2017-06-16", "<b>2017-07-06"]
    canvas = view.panes[0].canvas
    assert canvas.scale() == pytest.approx(2500, rel=0.05)
    assert canvas.rotation() == pytest.approx(148)  # 212° turned bow up
    job = QgsMapRendererSequentialJob(canvas.mapSettings())
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    size = image.width()
    metre = size / (2500 * size / canvas.mapSettings().outputDpi() * 0.0254)  # pixels per metre on the ground

    def dark(dx_m, dy_m):  # metres right and up of the centre, on screen
        return image.pixelColor(int(size / 2 + dx_m * metre), int(size / 2 - dy_m * metre)).blue() < 60

    assert dark(0, 0) and dark(0, 70) and dark(0, -70)  # the hull runs up and down the chip
    assert not dark(40, 0) and not dark(-40, 0)  # water either side: the ship is turned upright
    view.close()
    QgsProject.instance().removeAllMapLayers()


def test_chip_view_of_a_sighting_without_a_scene_says_why(panel, tmp_path):
    from bai_mei_plugin.qgis_io.sightings_layer import add_sighting

    layer = panel.create_layer(str(tmp_path / "noscene.gpkg"))
    fid = add_sighting(layer, 125.4, 38.7, {"scene_source": str(tmp_path / "gone.tif"), "observed_at": 1497574923})
    layer.selectByIds([fid])
    view = panel.show_chips()
    assert len(view.panes) == 1 and view.panes[0].canvas is None
    assert "gone.tif" in view.panes[0].note.text() and "cannot be opened" in view.panes[0].note.text()
    view.close()
    QgsProject.instance().removeAllMapLayers()
