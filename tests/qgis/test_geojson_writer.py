"""The plugin's own GeoJSON writer: RFC 7946 output that json and GDAL read as GDAL's own writer's, typed
properties, hostile text kept literally, polygon winding, Cancel leaving nothing behind."""

import json
import os

import pytest
from osgeo import ogr
from qgis.core import (
    QgsCoordinateTransformContext,
    QgsProcessingFeedback,
    QgsVectorFileWriter,
)

from bai_mei_plugin.core.errors import Canceled
from bai_mei_plugin.qgis_io import geojson_writer
from bai_mei_plugin.qgis_io.case_export import IsoTimeConverter, export_layers
from bai_mei_plugin.qgis_io.geojson_writer import json_value, write_geojson
from tests.qgis.test_case_export import T0, H, iso, memory_layer, utc
from tests.qgis.test_kml_writer import tracks_layer

FIELDS = [("name", "str"), ("mmsi", "int64"), ("n", "int"), ("sog", "float"), ("seen", "datetime"), ("ok", "bool")]
HOSTILE = [
    '"},{"type":"Feature","properties":{"evil":1}}',
    "</script><script>alert(1)</script>",
    "back\\slash \\u0041 \\\\",
    "line\nbreak\r\ttab \x01\x1f",
    "\u2028\u2029 üñí ✓ 船",
]
GEOMETRIES = [
    ("Point", "POINT (125.4 38.7167)"),
    ("LineStringM", "LINESTRING M (125 38 1, 125.5 38.5 2, 126 38.2 3)"),
    ("LineStringZ", "LINESTRING Z (125 38 5, 125.5 38.5 6)"),
    # exterior clockwise and a counterclockwise hole: the writer turns both round, as RFC 7946 asks
    ("Polygon", "POLYGON ((120 30, 120 31, 121 31, 121 30, 120 30), (120.2 30.2, 120.8 30.2, 120.8 30.8, 120.2 30.2))"),
    ("MultiPolygon", "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((2 2, 3 2, 3 3, 2 2)))"),
    ("MultiPoint", "MULTIPOINT ((1 2), (3 4))"),
    ("MultiLineString", "MULTILINESTRING ((1 2, 3 4), (5 6, 7 8, 9 10))"),
    ("CompoundCurve", "COMPOUNDCURVE (CIRCULARSTRING (0 0, 1 1, 2 0))"),
]


def typed_layer(geometry="Point", wkt="POINT (125.4 38.7167)"):
    rows = [(wkt, [text, 200000000 + k, k, 11.5 + k, utc(T0 + k * H), k % 2 == 0]) for k, text in enumerate(HOSTILE)]
    rows.append((None, [None, None, None, float("nan"), None, None]))  # all unset, no geometry
    return memory_layer(geometry, "typed", FIELDS, rows)


def gdal_geojson(layer, path):
    """What the export wrote before: GDAL's GeoJSON writer in RFC 7946 mode, times as ISO text."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GeoJSON"
    options.fileEncoding = "UTF-8"
    options.layerOptions = ["RFC7946=YES", "WRITE_NAME=NO"]
    options.fieldValueConverter = converter = IsoTimeConverter(layer)
    write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
    error = write(layer, str(path), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    del converter


def ogr_features(path):
    """(attributes, geometry) of each feature as OGR's GeoJSON driver reads ``path``."""
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayer(0)
    rows = []
    for feature in layer:
        geometry = feature.GetGeometryRef()
        rows.append((feature.items(), geometry.Clone() if geometry is not None else None))
    del layer, dataset
    return rows


def same_geometry(a, b, curved=False):
    if a is None:  # null; QGIS hands GDAL an empty line for a feature without geometry of a LineStringM layer
        return b is None or b.IsEmpty()
    if b is None:
        return False
    if a.GetGeometryType() != b.GetGeometryType():
        return False
    if curved:  # QGIS and GDAL cut an arc into different chords (1 and 4 degrees): the same line within their sag
        return a.Buffer(1e-3).Contains(b) and b.Buffer(1e-3).Contains(a)
    return a.Equals(b) and a.ExportToIsoWkt() == b.ExportToIsoWkt()


@pytest.mark.parametrize("geometry,wkt", GEOMETRIES, ids=[g for g, _ in GEOMETRIES])
def test_ogr_reads_what_gdals_own_writer_gives(tmp_path, geometry, wkt):
    layer = typed_layer(geometry, wkt)
    ours, theirs = tmp_path / "ours.geojson", tmp_path / "gdal.geojson"
    assert write_geojson(str(ours), layer) == layer.featureCount() == 6
    gdal_geojson(layer, theirs)
    got, expected = ogr_features(ours), ogr_features(theirs)
    assert len(got) == len(expected) == 6
    for (attributes, shape), (gdal_attributes, gdal_shape) in zip(got, expected):
        assert attributes == gdal_attributes
        assert same_geometry(shape, gdal_shape, geometry == "CompoundCurve"), shape and shape.ExportToIsoWkt()
    assert sorted(os.listdir(tmp_path)) == ["gdal.geojson", "ours.geojson"]  # no temporary file left


def test_properties_are_typed_and_times_are_utc(tmp_path):
    path = tmp_path / "typed.geojson"
    write_geojson(str(path), typed_layer())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data and "name" not in data  # RFC 7946
    first, unset = data["features"][0], data["features"][-1]
    assert first["properties"] == {
        "name": HOSTILE[0],
        "mmsi": 200000000,
        "n": 0,
        "sog": 11.5,
        "seen": iso(T0),
        "ok": True,
    }
    assert first["geometry"] == {"type": "Point", "coordinates": [125.4, 38.7167]}
    assert unset == {  # the NaN speed is null: JSON has no NaN
        "type": "Feature",
        "properties": {"name": None, "mmsi": None, "n": None, "sog": None, "seen": None, "ok": None},
        "geometry": None,
    }


def test_hostile_text_survives_literally_in_values_and_field_names(tmp_path):
    names = ['na"me', "</script>", "back\\slash", "tab\tnew\nline"]
    layer = memory_layer("Point", "hostile", [(n, "str") for n in names], [("POINT (1 2)", HOSTILE[:4])])
    path = tmp_path / "hostile.geojson"
    write_geojson(str(path), layer)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["features"]) == 1  # the quote in the first value did not open a second feature
    assert data["features"][0]["properties"] == dict(zip(names, HOSTILE[:4]))
    assert ogr_features(path)[0][0] == dict(zip(names, HOSTILE[:4]))


def test_rings_follow_the_right_hand_rule(tmp_path):
    path = tmp_path / "polygon.geojson"
    write_geojson(str(path), typed_layer(*GEOMETRIES[3]))
    exterior, hole = json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"]["coordinates"]

    def twice_area(ring):
        return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))

    assert twice_area(exterior) > 0 and twice_area(hole) < 0  # counterclockwise outside, clockwise inside
    assert exterior[0] == exterior[-1] == [120.0, 30.0]


def test_reprojected_to_wgs84_longitude_latitude(tmp_path):
    mercator = memory_layer("Point", "mercator", [("name", "str")], [("POINT (13914936 4300621)", ["x"])])
    mercator.setCrs(mercator.crs().fromEpsgId(3857))
    path = tmp_path / "mercator.geojson"
    write_geojson(str(path), mercator)
    lon, lat = json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(125.0, abs=1e-3) and lat == pytest.approx(36.0, abs=1e-2)


def test_a_long_track_keeps_every_vertex_to_seven_decimals(tmp_path):
    layer = tracks_layer(3, 30_000)
    path = tmp_path / "tracks.geojson"
    write_geojson(str(path), layer)
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    source = next(layer.getFeatures()).geometry().constGet()
    line = features[0]["geometry"]["coordinates"]
    assert len(line) == source.numPoints() == 10_000 and features[0]["geometry"]["type"] == "LineString"
    assert line[1234] == [round(source.xAt(1234), 7), round(source.yAt(1234), 7)]  # M dropped, no Z
    assert features[2]["properties"]["start_time"] == iso(T0 + 2 * H)


def test_json_value_of_qgis_types():
    from qgis.PyQt.QtCore import QByteArray, QDate, QTime, QVariant

    assert json_value(QVariant()) is None
    assert json_value(QDate(2017, 6, 16)) == "2017-06-16"
    assert json_value(QTime(1, 2, 3)) == "01:02:03"
    assert json_value(QByteArray(b"\x00\xff")) == "AP8="
    assert json_value(["a", float("inf"), 2]) == ["a", None, 2]
    assert json_value({"k": utc(T0)}) == {"k": iso(T0)}


def test_cancel_stops_within_the_layer_and_leaves_no_partial_file(tmp_path):
    asked = []

    def is_canceled():
        asked.append(1)
        return len(asked) > 2  # the start, the first checkpoint, then Cancel

    progress = []
    with pytest.raises(Canceled):
        write_geojson(str(tmp_path / "big.geojson"), tracks_layer(2000, 200_000), progress.append, is_canceled)
    assert os.listdir(tmp_path) == []
    assert progress == [0.0, 25.0]  # stopped at the second checkpoint, a quarter of the way


def test_a_failure_mid_file_leaves_no_partial_file(tmp_path, monkeypatch):
    def broken(geometry):
        raise OSError("disk full")

    monkeypatch.setattr(geojson_writer, "geometry_json", broken)
    with pytest.raises(OSError, match="disk full"):
        write_geojson(str(tmp_path / "x.geojson"), typed_layer())
    assert os.listdir(tmp_path) == []


class CancelInGeoJson(QgsProcessingFeedback):
    def setProgress(self, progress):  # noqa: N802 (QGIS API)
        super().setProgress(progress)
        if 0 < progress < 100:
            self.cancel()


def test_the_case_export_writes_geojson_with_this_writer_and_cancels_inside_it(tmp_path):
    layer = typed_layer()
    written = export_layers([layer], str(tmp_path / "out"), ["geojson"], "case")
    assert json.loads(open(written[0], encoding="utf-8").read())["features"][0]["properties"]["name"] == HOSTILE[0]
    feedback = CancelInGeoJson()
    with pytest.raises(Canceled):
        export_layers([tracks_layer(2000, 200_000)], str(tmp_path / "cancel"), ["geojson"], "big", feedback)
    assert os.listdir(tmp_path / "cancel") == []
