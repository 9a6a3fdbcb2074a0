"""The synthetic-data mark travels with the data: GeoPackage layer metadata, memory copies, catalogue item
properties; the case report decides from it, not from the demo's MMSI."""

import pytest
from qgis.core import (
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsGeometry,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.synthetic import GENERIC_NOTICE, properties_say_synthetic
from bai_mei_plugin.qgis_io.case_report import CaseVessel, guess_vessel, synthetic_notice
from bai_mei_plugin.qgis_io.synthetic import (
    layer_is_synthetic,
    mark_layer_synthetic,
    notice_of,
    save_synthetic_mark,
    synthetic_footprints,
)

NOTICE = "SYNTHETIC DATA - made up for this test."


def layer(geometry, fields, rows, name="layer"):
    """A memory layer with string/int fields [(name, QVariant type)] and rows [(wkt, [values])]."""
    out = QgsVectorLayer(f"{geometry}?crs=EPSG:4326", name, "memory")
    out.dataProvider().addAttributes([QgsField(n, t) for n, t in fields])
    out.updateFields()
    features = []
    for wkt, values in rows:
        feature = QgsFeature(out.fields())
        feature.setAttributes(values)
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        features.append(feature)
    out.dataProvider().addFeatures(features)
    return out


def gaps_layer():
    """Two gaps: the demo's MMSI (200000008) and another vessel's."""
    fields = [("gap_id", QVariant.String), ("mmsi", QVariant.LongLong), ("vessel_name", QVariant.String)]
    fields.append(("gap_hours", QVariant.Double))
    return layer(
        "LineString",
        fields,
        [
            ("LINESTRING (123 36, 125 35)", ["G1", 200000008, "BAI MEI 8", 80.0]),
            ("LINESTRING (140 30, 141 31)", ["G9", 412000001, "OTHER", 30.0]),
        ],
        "gaps",
    )


def scenes_layer(properties):
    fields = [("item_id", QVariant.String), ("gap_id", QVariant.String), ("properties", QVariant.String)]
    return layer("Polygon", fields, [("POLYGON ((125 38, 126 38, 126 39, 125 38))", ["S1", "G1", properties])])


def write_gpkg(source, path, name):
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    if path.exists():
        options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
    error = QgsVectorFileWriter.writeAsVectorFormatV2(source, str(path), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error


def test_properties_say_synthetic_only_when_the_item_says_so():
    assert properties_say_synthetic({"bai_mei:synthetic": True})
    assert properties_say_synthetic('{"bai_mei:synthetic": true, "title": "x"}')
    assert not properties_say_synthetic('{"bai_mei:synthetic": "yes"}')  # only a JSON true counts
    assert not properties_say_synthetic('{"title": "SYNTHETIC"}')  # words in a title are not the mark
    assert not properties_say_synthetic("not json")
    assert not properties_say_synthetic(None)


def test_the_mark_saved_in_a_geopackage_is_read_back_with_the_layer(tmp_path):
    gpkg = tmp_path / "case.gpkg"
    write_gpkg(gaps_layer(), gpkg, "gaps")
    write_gpkg(gaps_layer(), gpkg, "other")
    save_synthetic_mark(str(gpkg), "gaps", NOTICE)
    marked = QgsVectorLayer(f"{gpkg}|layername=gaps", "gaps", "ogr")
    unmarked = QgsVectorLayer(f"{gpkg}|layername=other", "other", "ogr")
    assert layer_is_synthetic(marked) and not layer_is_synthetic(unmarked)
    assert notice_of([unmarked, marked]) == NOTICE
    assert notice_of([unmarked]) == ""
    copy = marked.materialize(QgsFeatureRequest())
    assert not layer_is_synthetic(copy)  # a memory copy loses the metadata...
    mark_layer_synthetic(copy, notice_of([marked]))
    assert layer_is_synthetic(copy) and notice_of([copy]) == NOTICE  # ...unless it is marked again


def test_marking_a_missing_layer_names_it(tmp_path):
    gpkg = tmp_path / "case.gpkg"
    write_gpkg(gaps_layer(), gpkg, "gaps")
    with pytest.raises(BaiMeiError, match="has no layer tracks"):
        save_synthetic_mark(str(gpkg), "tracks", NOTICE)


def test_the_demo_mmsi_alone_does_not_make_a_report_synthetic():
    layers = {"gaps": gaps_layer(), "footprints": scenes_layer('{"title": "a real scene"}')}
    assert guess_vessel(layers) == CaseVessel(200000008, "BAI MEI 8", "", False)


def test_a_synthetic_scene_marks_only_the_vessel_whose_gap_it_falls_in():
    layers = {"gaps": gaps_layer(), "footprints": scenes_layer('{"bai_mei:synthetic": true}')}
    assert synthetic_footprints(layers["footprints"])
    assert guess_vessel(layers).synthetic  # the scene is in G1, the BAI MEI 8's gap
    assert not guess_vessel(layers, 412000001).synthetic  # no synthetic scene in G9
    assert synthetic_notice(layers) == GENERIC_NOTICE  # no layer carries a notice of its own


def test_a_marked_layer_makes_any_vessels_report_synthetic_with_its_notice():
    layers = {"gaps": gaps_layer()}
    mark_layer_synthetic(layers["gaps"], NOTICE)
    assert guess_vessel(layers, 412000001) == CaseVessel(412000001, "OTHER", "", True)
    assert synthetic_notice(layers) == NOTICE
