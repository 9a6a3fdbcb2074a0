"""The sightings GeoPackage layer: fields, QGIS's form (widgets, constraints, tabs), the style stored in the file,
edits saved as they are made, and sightings surviving a killed QGIS."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from qgis.core import QgsExpression, QgsExpressionContext, QgsProject, QgsVectorLayer, QgsVectorLayerUtils
from qgis.PyQt.QtCore import QDateTime, QVariant

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.sightings import FORM_TABS, SIGHTING_FIELDS, feature_label
from bai_mei_plugin.qgis_io.layers import epoch_seconds
from bai_mei_plugin.qgis_io.sightings_layer import (
    SIGHTING_LABEL_EXPRESSION,
    add_sighting,
    create_sightings_layer,
    save_edits_as_made,
    update_sighting,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T0 = 1497574923  # 2017-06-16 01:02:03 UTC
BAI_MEI_LIKE = {
    "observed_at": T0,
    "image_source": "SkySat",
    "image_id": "20170616_010203_ssc1",
    "length_m": 190.0,
    "hatch_count": 5,
    "crane_count": 4,
    "hull_colour": "black",
    "confidence": "medium",
    "activity": "loading",
    "notes": "coal on the quay\nhatches open",
}


@pytest.fixture
def gpkg(tmp_path):
    return str(tmp_path / "case.gpkg")


def reopen(path, name="sightings"):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid()
    return layer


def widget(layer, name):
    setup = layer.editorWidgetSetup(layer.fields().indexOf(name))
    return setup.type(), setup.config()


def test_fields_and_types(gpkg):
    layer = create_sightings_layer(gpkg)
    assert layer.isValid() and layer.crs().authid() == "EPSG:4326"
    assert layer.geometryType() == 0  # point
    kinds = {"str": QVariant.String, "int": QVariant.Int, "float": QVariant.Double, "datetime": QVariant.DateTime}
    for spec in SIGHTING_FIELDS:
        field = layer.fields().field(spec.name)
        assert field.type() == kinds[spec.kind], spec.name
    assert layer.featureCount() == 0


def test_editor_widgets(gpkg):
    layer = create_sightings_layer(gpkg)
    kind, config = widget(layer, "hull_colour")
    assert kind == "ValueMap"
    values = [list(entry.values())[0] for entry in config["map"]]
    assert values[1:] == ["black", "grey", "white", "red", "brown", "blue", "green", "orange", "yellow", "other"]
    assert values[0] == "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"  # QGIS's NULL entry: a value can be left empty
    kind, config = widget(layer, "length_m")
    assert kind == "Range" and (config["Min"], config["Max"], config["AllowNull"]) == (10, 450, True)
    kind, config = widget(layer, "hatch_count")
    assert kind == "Range" and (config["Min"], config["Max"], config["Precision"]) == (0, 30, 0)
    kind, config = widget(layer, "observed_at")
    assert kind == "DateTime"
    assert config["display_format"] == "yyyy-MM-dd HH:mm:ss 'UTC'"
    assert config["field_format"] == "yyyy-MM-dd HH:mm:ss"
    assert config["allow_null"] and config["calendar_popup"]
    assert widget(layer, "notes") == ("TextEdit", {"IsMultiline": True, "UseHtml": False})
    assert widget(layer, "analyst")[1]["IsMultiline"] is False


def test_constraints_reject_out_of_range_and_unknown_values(gpkg):
    layer = create_sightings_layer(gpkg)
    fid = add_sighting(layer, 125.38, 38.73, BAI_MEI_LIKE)
    feature = layer.getFeature(fid)
    index = layer.fields().indexOf("length_m")
    assert QgsVectorLayerUtils.validateAttribute(layer, feature, index)[0]
    assert layer.constraintExpression(index) == '"length_m" IS NULL OR ("length_m" >= 10 AND "length_m" <= 450)'
    feature["length_m"] = 500.0
    ok, errors = QgsVectorLayerUtils.validateAttribute(layer, feature, index)
    assert not ok and "Length must be between 10 and 450 m." in errors[0]
    feature["length_m"] = None  # unknown is allowed
    assert QgsVectorLayerUtils.validateAttribute(layer, feature, index)[0]
    colour = layer.fields().indexOf("hull_colour")
    feature["hull_colour"] = "purple"
    assert not QgsVectorLayerUtils.validateAttribute(layer, feature, colour)[0]
    assert layer.fieldConstraints(index) and layer.constraintDescription(index)


def test_form_tabs_aliases_default_id_and_label(gpkg):
    layer = create_sightings_layer(gpkg)
    tabs = layer.editFormConfig().tabs()
    assert [t.name() for t in tabs] == list(FORM_TABS)
    in_tabs = {t.name(): [c.name() for c in t.children()] for t in tabs}
    assert in_tabs["Hull"] == ["length_m", "beam_m", "heading_deg", "hull_colour", "bow_type", "funnel_markings"]
    assert sum(len(v) for v in in_tabs.values()) == len(SIGHTING_FIELDS)
    assert layer.attributeAlias(layer.fields().indexOf("length_m")) == "Length (m)"
    fid = add_sighting(layer, 125.38, 38.73, {"hatch_count": 5})
    assert str(layer.getFeature(fid)["sighting_id"]).startswith("S-")  # the default id expression was applied
    assert layer.labelsEnabled() and layer.labeling().settings().fieldName == SIGHTING_LABEL_EXPRESSION
    props = layer.temporalProperties()
    assert props.isActive() and props.startField() == "observed_at"


@pytest.mark.parametrize(
    "features",
    [
        {"hatch_count": 5, "crane_count": 4, "hull_colour": "black"},
        {"hatch_count": 1, "crane_count": 1, "length_m": 182.3},
        {"hatch_count": 0, "hull_colour": "red", "length_m": 96.7},
        {"crane_count": 0},
        {},
    ],
)
def test_label_expression_matches_core_feature_label(gpkg, features):
    layer = create_sightings_layer(gpkg)
    fid = add_sighting(layer, 125.0, 38.0, features)
    context = QgsExpressionContext()
    context.setFeature(layer.getFeature(fid))
    assert QgsExpression(SIGHTING_LABEL_EXPRESSION).evaluate(context) == feature_label(features)


def test_style_and_form_are_stored_in_the_geopackage(gpkg):
    create_sightings_layer(gpkg)
    fresh = reopen(gpkg)  # a fresh layer: everything below comes from the style stored in the file
    assert widget(fresh, "hull_colour")[0] == "ValueMap"
    assert widget(fresh, "observed_at")[1]["display_format"] == "yyyy-MM-dd HH:mm:ss 'UTC'"
    assert [t.name() for t in fresh.editFormConfig().tabs()] == list(FORM_TABS)
    assert fresh.labelsEnabled() and fresh.labeling().settings().fieldName == SIGHTING_LABEL_EXPRESSION
    assert fresh.constraintExpression(fresh.fields().indexOf("beam_m"))
    assert fresh.attributeAlias(fresh.fields().indexOf("hatch_count")) == "Hatches"
    _, ok = fresh.loadDefaultStyle()  # QGIS 3.22 applies the stored time settings only when asked
    assert ok and fresh.temporalProperties().startField() == "observed_at"


def test_new_table_in_an_existing_geopackage_and_refusal_to_overwrite(gpkg):
    first = create_sightings_layer(gpkg)
    add_sighting(first, 125.0, 38.0, {"hatch_count": 3})
    second = create_sightings_layer(gpkg, "sightings_july")
    assert second.isValid() and second.featureCount() == 0
    with pytest.raises(BaiMeiError, match="already has a table named sightings"):
        create_sightings_layer(gpkg)
    assert reopen(gpkg).featureCount() == 1  # untouched


def test_add_and_update_are_written_at_once(gpkg):
    layer = create_sightings_layer(gpkg)
    fid = add_sighting(layer, 125.38, 38.73, BAI_MEI_LIKE)
    assert not layer.isEditable() and not layer.isModified()
    feature = reopen(gpkg).getFeature(fid)
    assert epoch_seconds(feature["observed_at"]) == T0
    assert feature["notes"] == "coal on the quay\nhatches open"
    assert feature.geometry().asPoint().x() == pytest.approx(125.38)
    update_sighting(layer, fid, {"candidate_mmsi": 200000008, "confidence": "high"})
    again = reopen(gpkg).getFeature(fid)
    assert (again["candidate_mmsi"], again["confidence"]) == (200000008, "high")
    with pytest.raises(BaiMeiError, match="no field"):
        update_sighting(layer, fid, {"colour": "black"})


def test_form_edits_are_committed_as_they_are_made(gpkg, qtbot):
    from qgis.gui import QgsAttributeForm

    layer = create_sightings_layer(gpkg)
    fid = add_sighting(layer, 125.38, 38.73, BAI_MEI_LIKE)
    layer.startEditing()
    save_edits_as_made(layer)
    form = QgsAttributeForm(layer, layer.getFeature(fid))
    try:
        form.changeAttribute("notes", "gantry visible")
        form.changeAttribute("crane_count", 2)
        assert form.save()
        qtbot.waitUntil(lambda: not layer.isModified(), timeout=2000)
        assert layer.isEditable()  # still editing: the next edit is saved the same way
        stored = reopen(gpkg).getFeature(fid)
        assert (stored["notes"], stored["crane_count"]) == ("gantry visible", 2)
        form.changeAttribute("confidence", "high")
        assert form.save()
        qtbot.waitUntil(lambda: not layer.isModified(), timeout=2000)
        assert reopen(gpkg).getFeature(fid)["confidence"] == "high"
    finally:
        del form  # before the layer it shows
    layer.rollBack()


CRASHING_SESSION = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {repo!r})
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    from bai_mei_plugin.qgis_io.sightings_layer import add_sighting, create_sightings_layer
    layer = create_sightings_layer({path!r})
    for k in range(3):
        add_sighting(layer, 125.0 + k, 38.0, {{"observed_at": {t0} + 3600 * k, "hatch_count": 5 + k,
                                               "hull_colour": "black", "notes": "sighting %d" % k}})
    print("added", flush=True)
    time.sleep(60)
""")


def test_sightings_survive_a_killed_session(gpkg):
    script = CRASHING_SESSION.format(repo=REPO, path=gpkg, t0=T0)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    try:
        assert process.stdout.readline().strip() == "added"
        os.kill(process.pid, signal.SIGKILL)  # no clean exit: nothing is flushed or closed
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
    layer = reopen(gpkg)
    features = sorted(layer.getFeatures(), key=lambda f: f["hatch_count"])
    assert [f["hatch_count"] for f in features] == [5, 6, 7]
    assert [f["notes"] for f in features] == ["sighting 0", "sighting 1", "sighting 2"]
    assert [epoch_seconds(f["observed_at"]) for f in features] == [T0, T0 + 3600, T0 + 7200]
    assert [round(f.geometry().asPoint().x()) for f in features] == [125, 126, 127]
    assert all(isinstance(f["observed_at"], QDateTime) for f in features)
    assert widget(layer, "hull_colour")[0] == "ValueMap"  # the stored form survived too


# --- where on the image a sighting was marked ------------------------------------------------------------------------


@pytest.fixture
def scene(tmp_path):
    from qgis.core import QgsRasterLayer

    from tests.qgis.ship_scene import write_ship_scene

    layer = QgsRasterLayer(write_ship_scene(str(tmp_path / "SYNTHETIC_20170616_ssc1.tif")), "scene", "gdal")
    assert layer.isValid()
    return layer


def test_marked_window_is_the_pixels_around_the_mark(scene):
    from bai_mei_plugin.demo.nampo import BERTH_LAT, BERTH_LON
    from bai_mei_plugin.qgis_io.sightings_layer import scene_attributes, scene_under
    from tests.qgis.ship_scene import SIZE_PX

    assert scene_under(BERTH_LON, BERTH_LAT, [scene]) is scene
    assert scene_under(BERTH_LON + 0.01, BERTH_LAT, [scene]) is None  # 870 m east: off the 320 m scene
    found = scene_attributes(scene, BERTH_LON, BERTH_LAT, size_m=160)
    assert found["image_id"] == "SYNTHETIC_20170616_ssc1"  # the file's name: Add to map gave it no item id
    assert found["scene_source"] == scene.source()
    # 160 m at 0.8 m pixels: 200 pixels square, centred on the ship in the middle of the 400-pixel scene
    assert found["window_width"] == pytest.approx(200, abs=2) and found["window_height"] == pytest.approx(200, abs=2)
    assert found["window_col"] == pytest.approx(SIZE_PX / 2 - 100, abs=2)
    assert found["window_row"] == pytest.approx(SIZE_PX / 2 - 100, abs=2)
    # near the edge the window is clipped to the scene
    corner = scene_attributes(scene, BERTH_LON - 0.0017, BERTH_LAT, size_m=160)  # 148 m west of the centre
    assert corner["window_col"] == 0 and corner["window_width"] < 150
    scene.setCustomProperty("baimei/scene_item_id", "20170616_010203_ssc1")
    assert scene_attributes(scene, BERTH_LON, BERTH_LAT)["image_id"] == "20170616_010203_ssc1"


def test_a_chip_is_cut_from_the_scene(scene):
    from bai_mei_plugin.qgis_io.sightings_layer import read_chip
    from tests.qgis.ship_scene import HULL, WATER

    chip = read_chip(scene.source(), (100, 100, 200, 200), max_side=100)
    assert (chip.width(), chip.height()) == (100, 100)
    centre, corner = chip.pixelColor(50, 50), chip.pixelColor(2, 2)
    assert (centre.red(), centre.green(), centre.blue()) == HULL  # the ship in the middle
    assert (corner.red(), corner.green(), corner.blue()) == WATER
    with pytest.raises(BaiMeiError, match="missing.tif is missing"):
        read_chip(scene.source().replace("SYNTHETIC_20170616_ssc1", "missing"), (0, 0, 10, 10))


def test_a_layer_of_an_earlier_release_gets_the_new_fields(tmp_path):
    from qgis.core import QgsVectorFileWriter

    from bai_mei_plugin.qgis_io.compat import field
    from bai_mei_plugin.qgis_io.sightings_layer import is_sightings_layer, upgrade_sightings_layer

    old = QgsVectorLayer("Point?crs=EPSG:4326", "sightings", "memory")
    old.dataProvider().addAttributes([field(s.name, s.kind) for s in SIGHTING_FIELDS if s.tab != "Image"])
    old.updateFields()
    path = str(tmp_path / "old.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName = "GPKG", "sightings"
    QgsVectorFileWriter.writeAsVectorFormatV2(old, path, QgsProject.instance().transformContext(), options)
    layer = QgsVectorLayer(f"{path}|layername=sightings", "sightings", "ogr")
    assert is_sightings_layer(layer)
    assert upgrade_sightings_layer(layer) == [
        "scene_source",
        "window_col",
        "window_row",
        "window_width",
        "window_height",
    ]
    assert upgrade_sightings_layer(layer) == []
    again = QgsVectorLayer(f"{path}|layername=sightings", "again", "ogr")
    assert "window_height" in again.fields().names()  # written to the file
    add_sighting(layer, 125.4, 38.7, {"window_col": 3, "scene_source": "/data/scene.tif"})
    assert next(again.getFeatures())["window_col"] == 3
    points = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string&field=locode:string", "ports", "memory")
    assert not is_sightings_layer(points)
