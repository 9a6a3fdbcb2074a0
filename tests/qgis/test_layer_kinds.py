"""Layer kinds in QGIS (qgis_io/layer_kinds.py, records.py, styles.py): every kind's fields, geometry, style and
time; recognition of a layer's kind; records -> features -> records."""

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer, QgsVectorLayerTemporalProperties, QgsWkbTypes
from qgis.PyQt.QtCore import QVariant

from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.layer_kinds import GAPS, KINDS, RECOGNITION_ORDER, STOPS
from bai_mei_plugin.core.port_visits import Stop
from bai_mei_plugin.qgis_io.inputs import gaps_from_source
from bai_mei_plugin.qgis_io.layer_kinds import kind_fields, memory_uri, recognised_kind, wkb_type
from bai_mei_plugin.qgis_io.records import feature_values, gap_features, record_features, records_layer
from bai_mei_plugin.qgis_io.styles import apply_style

QT_TYPES = {
    "int": (QVariant.Int, "integer"),
    "int64": (QVariant.LongLong, "int8"),
    "float": (QVariant.Double, "double"),
    "str": (QVariant.String, "string"),
    "datetime": (QVariant.DateTime, "datetime"),
    "bool": (QVariant.Bool, "boolean"),
}


def _layer(kind) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{memory_uri(kind)}?crs=EPSG:4326", kind.name, "memory")
    layer.dataProvider().addAttributes(kind_fields(kind).toList())
    layer.updateFields()
    return layer


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_makes_its_layer_styled_and_timed(name):
    kind = KINDS[name]
    fields = kind_fields(name)
    assert [(f.name(), f.type(), f.typeName()) for f in fields] == [(f.name, *QT_TYPES[f.type]) for f in kind.fields]
    layer = _layer(kind)
    assert layer.isValid() and layer.fields().names() == list(kind.names)
    assert layer.wkbType() == wkb_type(name)
    assert apply_style(layer, name) is kind.styled  # the style file loads (destinations has none)
    props = layer.temporalProperties()
    if kind.temporal is None:
        assert not props.isActive()
    else:
        start, end = kind.temporal
        assert props.isActive() and props.startField() == start
        expected = (
            QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields
            if end
            else QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField
        )
        assert props.mode() == expected and (end is None or props.endField() == end)


@pytest.mark.parametrize("name", RECOGNITION_ORDER)
def test_a_layer_of_each_recognisable_kind_is_recognised(name):
    kind = KINDS[name]
    if kind.fields:
        layer = _layer(kind)
    else:  # ports: the analyst's own layer, recognised by name and locode
        layer = QgsVectorLayer(
            "Point?crs=EPSG:4326&field=name:string&field=locode:string&field=x:integer", "p", "memory"
        )
    layer.setName("renamed by the analyst")  # names change; fields do not
    assert recognised_kind(layer) == name


def test_unrecognised_layer_has_no_kind():
    points = _layer(KINDS["points"])
    assert recognised_kind(points) is None


def _gap(gap_id="1-20200601T000000Z", on_lon=-179.5) -> Gap:
    return Gap(
        gap_id=gap_id,
        mmsi=367000001,
        vessel_name="ONE",
        off_time=1590969600,
        on_time=1591005600,
        gap_hours=10.0,
        distance_nm=42.5,
        implied_speed_kn=4.25,
        off_lon=179.5,
        off_lat=30.0,
        on_lon=on_lon,
        on_lat=31.0,
        sog_before=10.0,
        sog_after=None,
        draught_before=6.5,
        draught_after=11.0,
        destination_before="NAMPO",
        destination_after=None,
        positions_12h_before=14,
        off_shore_nm=None,
        on_shore_nm=80.0,
    )


def test_gaps_round_trip_through_a_layer():
    gaps = [_gap(), _gap("2-x", on_lon=178.0)]
    layer = _layer(GAPS)
    assert layer.dataProvider().addFeatures(list(gap_features(gaps, layer.fields())))[0]
    first = next(layer.getFeatures())
    assert first["off_time"].toSecsSinceEpoch() == 1590969600 and first["mmsi"] == 367000001
    line = first.geometry().asPolyline()
    assert line[1].x() == pytest.approx(180.5)  # across the antimeridian: the short way
    back = gaps_from_source(layer)
    assert back == gaps  # every field, off_index (not in the layer) at its default


def test_feature_values_convert_by_type_and_miss_absent_fields():
    layer = QgsVectorLayer(
        "Point?crs=EPSG:4326&field=mmsi:string&field=hours:string&field=start:datetime", "stops", "memory"
    )
    feature = QgsFeature(layer.fields())
    feature.setAttributes(["367000001", "not a number", None])
    values = feature_values(feature, STOPS, layer.fields().names())
    assert values["mmsi"] == 367000001 and values["hours"] is None and values["start"] is None
    assert values["locode"] is None and set(values) == set(STOPS.names)


def test_records_layer_and_record_features_use_the_kind():
    stop = Stop(1, "ONE", 0, 7200, 2.0, 125.0, 38.7, 12, "Nampo", "KPNAM", 1.5)
    layer = records_layer("stops", "stops", [stop])
    assert layer.featureCount() == 1 and layer.wkbType() == QgsWkbTypes.Point
    feature = next(layer.getFeatures())
    assert feature.geometry().asPoint() == QgsPointXY(125.0, 38.7)
    assert feature["end"].toSecsSinceEpoch() == 7200 and feature["bridged_hours"] == 0.0
    custom = next(record_features([stop], "stops", geometry=lambda s: QgsGeometry.fromPointXY(QgsPointXY(1, 2))))
    assert custom.geometry().asPoint() == QgsPointXY(1, 2)
    table = records_layer("destinations", "checks", [])
    assert table.isValid() and not table.isSpatial()
