"""The plugin's own KML writer: escaping, TimeStamp/TimeSpan, geometries, styles, cancel, and its speed."""

import time
import xml.etree.ElementTree as ET

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsLineString, QgsVectorLayer

from bai_mei_plugin.core.errors import Canceled
from bai_mei_plugin.qgis_io import kml_writer
from bai_mei_plugin.qgis_io.kml_writer import KmlLayer, write_kml, xml_text
from bai_mei_plugin.qgis_io.styles import apply_style
from tests.qgis.test_case_export import KML, T0, H, iso, memory_layer, utc

TRACK_FIELDS = [
    ("mmsi", "int64"),
    ("vessel_name", "str"),
    ("segment", "int"),
    ("start_time", "datetime"),
    ("end_time", "datetime"),
]


def tracks_layer(segments: int, vertices: int) -> QgsVectorLayer:
    """A styled tracks layer (LineStringM, as Bai Mei writes them) of ``segments`` features sharing ``vertices``."""
    layer = memory_layer("LineStringM", "tracks", TRACK_FIELDS, [])
    per_segment = vertices // segments
    features = []
    for k in range(segments):
        x0, y0 = 120.0 + (k % 30) * 0.3, 30.0 + (k // 30) * 0.3
        xs = [x0 + i * 1e-4 for i in range(per_segment)]
        ys = [y0 + (i % 100) * 1e-4 for i in range(per_segment)]
        ms = [float(T0 + i * 60) for i in range(per_segment)]
        feature = QgsFeature(layer.fields())
        feature.setAttributes([200000000 + k % 40, f"VESSEL {k % 40}", k, utc(T0 + k * H), utc(T0 + (k + 9) * H)])
        feature.setGeometry(QgsGeometry(QgsLineString(xs, ys, [], ms)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    apply_style(layer, "tracks")
    return layer


def placemarks(path):
    root = ET.parse(path).getroot()  # well-formed XML, or this raises
    return list(root.iter(f"{KML}Placemark"))


def test_text_is_escaped_and_reads_back_as_it_was(tmp_path):
    nasty = ["a < b & c ]]> d", '<![CDATA[x]]><evil a="1"/>', "ctl\x01\x0b\x1fx", "cr\r\nlf", "üñí ✓"]
    layer = memory_layer(
        "Point",
        "points",
        [("name", "str"), ("notes", "str")],
        [(f"POINT (1 {k})", [t, t]) for k, t in enumerate(nasty)],
    )
    layer.setFieldAlias(1, "Notes <i>&</i>")
    path = tmp_path / "x.kml"
    write_kml(str(path), [KmlLayer(layer, 'folder <&> "quoted"', label="name")], title="case ]]> <title>")
    root = ET.parse(path).getroot()
    assert root.find(f"{KML}Document/{KML}name").text == "case ]]> <title>"
    assert root.find(f"{KML}Document/{KML}Folder/{KML}name").text == 'folder <&> "quoted"'
    expected = [t.replace("\x01", "\ufffd").replace("\x0b", "\ufffd").replace("\x1f", "\ufffd") for t in nasty]
    marks = placemarks(path)
    assert [p.find(f"{KML}name").text for p in marks] == expected  # the carriage return included
    assert [p.find(f".//{KML}SimpleData[@name='notes']").text for p in marks] == expected
    description = marks[0].find(f"{KML}description").text  # HTML for Google Earth: the data escaped in it
    escaped = "a &lt; b &amp; c ]]&gt; d"
    assert description == f"<b>Name</b>: {escaped}<br><b>Notes &lt;i&gt;&amp;&lt;/i&gt;</b>: {escaped}<br>"


def test_xml_text_replaces_what_xml_cannot_hold():
    assert xml_text("\x00a\tb\nc\x7f\ufffe") == "\ufffda\tb\nc\x7f\ufffd"
    assert xml_text("]]>&") == "]]&gt;&amp;"
    assert xml_text("\ud800 lone") == "\ufffd lone"  # UTF-8 cannot hold it (nor can QGIS on Python 3.13)


def test_timestamp_for_an_instant_and_timespan_for_a_start_and_an_end(tmp_path):
    fields = [("gap_id", "str"), ("off_time", "datetime"), ("on_time", "datetime"), ("seen", "str")]
    rows = [
        ("POINT (1 1)", ["G1", utc(T0), utc(T0 + H), "2017-06-16T03:00:00Z"]),
        ("POINT (1 2)", ["G2", utc(T0), None, None]),
        ("POINT (1 3)", ["G3", None, None, "not a time"]),
    ]
    layer = memory_layer("Point", "gaps", fields, rows)
    path = tmp_path / "t.kml"
    write_kml(
        str(path),
        [KmlLayer(layer, "spans", "off_time", "on_time", "gap_id"), KmlLayer(layer, "instants", "seen", None)],
    )
    marks = placemarks(path)
    spans, instants = marks[:3], marks[3:]
    assert [(p.findtext(f"{KML}TimeSpan/{KML}begin"), p.findtext(f"{KML}TimeSpan/{KML}end")) for p in spans] == [
        (iso(T0), iso(T0 + H)),
        (iso(T0), None),
        (None, None),
    ]
    assert spans[2].find(f"{KML}TimeSpan") is None and spans[0].find(f"{KML}TimeStamp") is None
    assert [p.findtext(f"{KML}TimeStamp/{KML}when") for p in instants] == ["2017-06-16T03:00:00Z", None, None]
    assert [p.findtext(f"{KML}name") for p in instants] == ["G1", "G2", "G3"]  # the display expression: gap_id
    assert instants[0].find(f"{KML}TimeSpan") is None


def coords(element):
    return [tuple(map(float, c.split(","))) for c in element.text.split()]


def test_geometries_and_reprojection_to_wgs84(tmp_path):
    shapes = [
        ("MultiPoint", "MULTIPOINT ((1 2), (3 4))", "mp"),
        ("MultiLineString", "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3, 4 4))", "ml"),
        ("Polygon", "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))", "hole"),
        ("LineStringZ", "LINESTRING Z (5 6 7, 8 9 10)", "z"),
        ("CircularString", "CIRCULARSTRING (0 0, 1 1, 2 0)", "curve"),
        ("GeometryCollection", "GEOMETRYCOLLECTION (POINT (1 1), LINESTRING (0 0, 0.1234567 1))", "collection"),
        ("Point", None, "none"),
    ]
    layers = [memory_layer(kind, name, [("name", "str")], [(wkt, [name])]) for kind, wkt, name in shapes]
    assert all(layer.featureCount() == 1 for layer in layers)
    mercator = memory_layer("Point", "mercator", [("name", "str")], [("POINT (13914936 4300621)", ["m"])])
    mercator.setCrs(mercator.crs().fromEpsgId(3857))
    path = tmp_path / "g.kml"
    write_kml(str(path), [KmlLayer(layer, layer.name(), label="name") for layer in layers + [mercator]])
    marks = {p.findtext(f"{KML}name"): p for p in placemarks(path)}
    points = marks["mp"].findall(f"{KML}MultiGeometry/{KML}Point/{KML}coordinates")
    assert [coords(c) for c in points] == [[(1, 2)], [(3, 4)]]
    lines = marks["ml"].findall(f"{KML}MultiGeometry/{KML}LineString/{KML}coordinates")
    assert [coords(c) for c in lines] == [[(0, 0), (1, 1)], [(2, 2), (3, 3), (4, 4)]]
    polygon = marks["hole"].find(f"{KML}Polygon")
    assert coords(polygon.find(f"{KML}outerBoundaryIs/{KML}LinearRing/{KML}coordinates"))[2] == (10, 10)
    assert len(coords(polygon.find(f"{KML}innerBoundaryIs/{KML}LinearRing/{KML}coordinates"))) == 4
    assert coords(marks["z"].find(f"{KML}LineString/{KML}coordinates")) == [(5, 6), (8, 9)]  # Z dropped
    assert len(coords(marks["curve"].find(f"{KML}LineString/{KML}coordinates"))) > 3  # the arc segmentized
    collection = marks["collection"].find(f"{KML}MultiGeometry")
    assert collection.find(f"{KML}Point") is not None
    assert collection.find(f"{KML}LineString/{KML}coordinates").text.split()[1] == "0.123457,1.000000"  # 6 decimals
    assert marks["none"].find(f".//{KML}coordinates") is None  # a feature without geometry is still a placemark
    lon, lat = coords(marks["m"].find(f"{KML}Point/{KML}coordinates"))[0]
    assert lon == pytest.approx(125.0, abs=1e-3) and lat == pytest.approx(36.0, abs=1e-2)


def test_colours_follow_the_renderer_per_feature(tmp_path):
    from qgis.core import QgsCategorizedSymbolRenderer, QgsRendererCategory, QgsSymbol
    from qgis.PyQt.QtGui import QColor

    layer = memory_layer(
        "LineString", "lines", [("kind", "str")], [("LINESTRING (0 0, 1 1)", [k]) for k in ("red", "blue", "red")]
    )
    categories = []
    for name, colour in (("red", "#ff0000"), ("blue", "#0000ff")):
        symbol = QgsSymbol.defaultSymbol(layer.geometryType())
        symbol.setColor(QColor(colour))
        categories.append(QgsRendererCategory(name, symbol, name))
    layer.setRenderer(QgsCategorizedSymbolRenderer("kind", categories))
    path = tmp_path / "c.kml"
    write_kml(str(path), [KmlLayer(layer, "lines")])
    root = ET.parse(path).getroot()
    styles = {s.get("id"): s.findtext(f"{KML}LineStyle/{KML}color") for s in root.iter(f"{KML}Style")}
    assert sorted(styles.values()) == ["ff0000ff", "ffff0000"]  # one shared style per colour (aabbggrr)
    used = [styles[p.findtext(f"{KML}styleUrl")[1:]] for p in placemarks(path)]
    assert used == ["ff0000ff", "ffff0000", "ff0000ff"]


class CancelAt:
    """is_canceled that says yes from its ``n``-th call."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __call__(self):
        self.calls += 1
        return self.calls >= self.n


def test_cancel_takes_effect_quickly_on_a_large_layer(tmp_path):
    layer = tracks_layer(890, 1_280_000)
    progress = []
    requested = time.monotonic() + 0.3  # the analyst clicks Cancel 0.3 s into the export

    def is_canceled():
        return time.monotonic() >= requested

    with pytest.raises(Canceled):
        write_kml(str(tmp_path / "c.kml"), [KmlLayer(layer, "tracks")], "c", progress.append, is_canceled)
    latency = time.monotonic() - requested
    assert latency < 0.5  # the brief asks for 2 s; a check every 50,000 vertices is a few tens of milliseconds
    assert progress == sorted(progress) and 0 < progress[-1] < 100  # stopped part way, having said how far


def test_progress_and_cancel_every_few_features(tmp_path):
    layer = tracks_layer(2000, 20_000)  # 10 vertices a feature: the feature count decides
    cancel, progress = CancelAt(4), []
    with pytest.raises(Canceled):
        write_kml(str(tmp_path / "c.kml"), [KmlLayer(layer, "tracks")], "c", progress.append, cancel)
    # the folder's start, then every 200 features; the fourth call stops the writing
    assert progress == [0.0, 10.0, 20.0] and cancel.calls == 4


def test_one_huge_feature_is_checked_by_vertices(tmp_path, monkeypatch):
    monkeypatch.setattr(kml_writer, "CHECK_EVERY_FEATURES", 10**9)  # only the vertex count can call the check
    layer = tracks_layer(10, 600_000)
    cancel = CancelAt(3)
    with pytest.raises(Canceled):
        write_kml(str(tmp_path / "v.kml"), [KmlLayer(layer, "tracks")], is_canceled=cancel)
    assert cancel.calls == 3  # the first folder, then one check per 60,000-vertex feature past 50,000


def test_a_million_vertices_are_written_and_read_back(tmp_path):
    layer = tracks_layer(890, 1_280_000)
    path = tmp_path / "tracks.kml"
    started = time.monotonic()
    write_kml(str(path), [KmlLayer(layer, "tracks", "start_time", "end_time", "vessel_name")], "tracks")
    elapsed = time.monotonic() - started
    # a bound only a hang (or LIBKML's 6 minutes) breaks; the time itself is printed by tests/bench/bench_kml.py
    assert elapsed < 300
    marks = placemarks(path)
    assert len(marks) == 890
    assert sum(len(p.findtext(f".//{KML}coordinates").split()) for p in marks) == 890 * (1_280_000 // 890)
    assert marks[5].findtext(f"{KML}TimeSpan/{KML}begin") == iso(T0 + 5 * H)
