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
