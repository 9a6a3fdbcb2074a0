"""Exporting the case: GeoPackage, GeoJSON, KML and CSV round trips, no overwrite, no partial files; the PDF and HTML
report from the layout template; baimei:exportcase."""

import csv
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
from osgeo import gdal, ogr
from qgis.core import (
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, Qt, QVariant

from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.qgis_io import case_export, case_report
from bai_mei_plugin.qgis_io.case_export import export_layers
from bai_mei_plugin.qgis_io.case_report import CaseVessel, case_layers, guess_vessel, write_case_report
from bai_mei_plugin.qgis_io.layers import epoch_seconds
from bai_mei_plugin.qgis_io.sightings_layer import add_sighting, create_sightings_layer
from bai_mei_plugin.qgis_io.styles import apply_style

T0 = 1497574923  # 2017-06-16T01:02:03Z
H = 3600
KML = "{http://www.opengis.net/kml/2.2}"
TYPES = {
    "int": QVariant.Int,
    "int64": QVariant.LongLong,
    "float": QVariant.Double,
    "str": QVariant.String,
    "datetime": QVariant.DateTime,
    "bool": QVariant.Bool,
}


def utc(seconds):
    return QDateTime.fromSecsSinceEpoch(seconds, Qt.UTC)


def iso(seconds):
    return utc(seconds).toString("yyyy-MM-ddTHH:mm:ss") + "Z"


def memory_layer(geometry, name, fields, rows, kind=None):
    """A memory layer: fields [(name, kind)], rows [(wkt or None, [values])], styled as ``kind``."""
    layer = QgsVectorLayer(f"{geometry}?crs=EPSG:4326", name, "memory")
    layer.dataProvider().addAttributes([QgsField(n, TYPES[k]) for n, k in fields])
    layer.updateFields()
    features = []
    for wkt, values in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(list(values))
        if wkt:
            feature.setGeometry(QgsGeometry.fromWkt(wkt))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    if kind:
        apply_style(layer, kind)
    return layer


@pytest.fixture
def points():
    return memory_layer(
        "Point",
        "AIS reports",
        [("mmsi", "int64"), ("vessel_name", "str"), ("timestamp", "datetime"), ("sog", "float")],
        [
            (f"POINT ({124 + k / 10} {36 + k / 10})", [200000008, "BAI MEI 8", utc(T0 + k * H), 9.5 + k])
            for k in range(3)
        ],
        "points",
    )


@pytest.fixture
def areas():
    fields = [
        ("gap_id", "str"),
        ("mmsi", "int64"),
        ("off_time", "datetime"),
        ("on_time", "datetime"),
        ("area_km2", "float"),
    ]
    return memory_layer(
        "MultiPolygon",
        "Reachable sea",
        fields,
        [
            (
                "MULTIPOLYGON (((123 35, 127 35, 127 39, 123 39, 123 35)))",
                ["G1", 200000008, utc(T0), utc(T0 + 248 * H), 1.5e5],
            )
        ],
        "reach_areas",
    )


@pytest.fixture
def table():
    return memory_layer(
        "None",
        "destinations",
        [
            ("gap_id", "str"),
            ("declared_destination", "str"),
            ("n", "int"),
            ("off_time", "datetime"),
            ("on_time", "datetime"),
        ],
        [
            (None, ["G1", "VLADIVOSTOK, RU", 3, utc(T0), utc(T0 + 248 * H)]),
            (None, ["G2", None, None, utc(T0 + 500 * H), None]),
        ],
        "destinations",
    )


@pytest.fixture
def case(points, areas, table):
    return [points, areas, table]


def test_geopackage_round_trip_with_styles(case, tmp_path):
    written = export_layers(case, str(tmp_path), ["gpkg"], "case")
    assert written == [str(tmp_path / "case.gpkg")]
    for source, name in zip(case, ["ais_reports", "reachable_sea", "destinations"]):
        layer = QgsVectorLayer(f"{written[0]}|layername={name}", name, "ogr")
        assert layer.isValid() and layer.featureCount() == source.featureCount()
        got = [f.attributes()[1:] for f in layer.getFeatures()]  # without the GeoPackage fid
        want = [f.attributes() for f in source.getFeatures()]
        for row_got, row_want in zip(got, want):
            for a, b in zip(row_got, row_want):
                assert epoch_seconds(a) == epoch_seconds(b) if isinstance(b, QDateTime) else a == b
        if source.isSpatial():  # the style came with the file
            assert layer.renderer().type() == source.renderer().type()
            assert layer.renderer().symbol().color() == source.renderer().symbol().color()
    dataset = ogr.Open(written[0])  # kept: a GDAL layer must not outlive its dataset
    styles = dataset.GetLayerByName("layer_styles")
    assert sorted(f["f_table_name"] for f in styles) == ["ais_reports", "destinations", "reachable_sea"]


def test_geojson_round_trip_rfc7946_and_utc_times(case, tmp_path):
    written = export_layers(case, str(tmp_path), ["geojson"], "case")
    assert [os.path.basename(p) for p in written] == [
        "case_ais_reports.geojson",
        "case_reachable_sea.geojson",
        "case_destinations.geojson",
    ]
    points = json.loads(open(written[0], encoding="utf-8").read())
    assert "crs" not in points  # RFC 7946: WGS 84 longitude/latitude, no crs member
    assert [f["properties"]["timestamp"] for f in points["features"]] == [iso(T0), iso(T0 + H), iso(T0 + 2 * H)]
    assert points["features"][0]["geometry"]["coordinates"] == [124.0, 36.0]
    assert points["features"][2]["properties"]["sog"] == 11.5
    table = json.loads(open(written[2], encoding="utf-8").read())
    assert [f["geometry"] for f in table["features"]] == [None, None]
    assert table["features"][1]["properties"] == {
        "gap_id": "G2",
        "declared_destination": None,
        "n": None,
        "off_time": iso(T0 + 500 * H),
        "on_time": None,
    }
    for path, source in zip(written, case):
        assert QgsVectorLayer(path, "again", "ogr").featureCount() == source.featureCount()


def kml_colour(colour):
    return f"{colour.alpha():02x}{colour.blue():02x}{colour.green():02x}{colour.red():02x}"


def test_kml_has_timestamps_timespans_names_and_descriptions(case, tmp_path):
    written = export_layers(case, str(tmp_path), ["kml"], "case")
    assert written == [str(tmp_path / "case.kml")]
    root = ET.parse(written[0]).getroot()
    folders = {d.find(f"{KML}name").text: d for d in root.iter(f"{KML}Folder")}
    assert list(folders) == ["ais_reports", "reachable_sea", "destinations"]  # one Folder per layer, in order
    styles = {s.get("id"): s for s in root.iter(f"{KML}Style")}
    reports = folders["ais_reports"].findall(f"{KML}Placemark")
    assert [p.find(f"{KML}TimeStamp/{KML}when").text for p in reports] == [iso(T0), iso(T0 + H), iso(T0 + 2 * H)]
    assert reports[0].find(f"{KML}name").text == "BAI MEI 8"
    assert "Timestamp</b>: 2017-06-16 01:02 UTC" in reports[0].find(f"{KML}description").text
    assert reports[0].find(f"{KML}Point/{KML}coordinates").text.strip() == "124.000000,36.000000"
    icon = styles[reports[0].find(f"{KML}styleUrl").text[1:]].find(f"{KML}IconStyle/{KML}color").text
    assert icon == kml_colour(case[0].renderer().symbol().color())  # the layer's colour in Google Earth
    area = folders["reachable_sea"].find(f"{KML}Placemark")
    assert area.find(f"{KML}TimeSpan/{KML}begin").text == iso(T0)
    assert area.find(f"{KML}TimeSpan/{KML}end").text == iso(T0 + 248 * H)
    assert area.find(f".//{KML}Polygon") is not None
    fill = styles[area.find(f"{KML}styleUrl").text[1:]].find(f"{KML}PolyStyle/{KML}color").text
    symbol = case[1].renderer().symbol()
    assert fill[2:] == kml_colour(symbol.color())[2:] and int(fill[:2], 16) == round(
        symbol.color().alpha() * symbol.opacity()
    )
    data = {d.get("name"): d.text for d in area.iter(f"{KML}SimpleData")}
    assert data["gap_id"] == "G1" and data["on_time"] == iso(T0 + 248 * H) and float(data["area_km2"]) == 1.5e5
    destinations = folders["destinations"].findall(f"{KML}Placemark")
    assert len(destinations) == 2 and destinations[1].find(f"{KML}TimeSpan/{KML}begin").text == iso(T0 + 500 * H)
    assert destinations[1].find(f"{KML}TimeSpan/{KML}end") is None  # no on_time: a span open at its end
    # GDAL reads it as a layer per folder, with both of its KML drivers where they exist (Debian sid's GDAL has no
    # LIBKML); the plain KML driver skips a folder whose placemarks have no geometry (the destinations table).
    expected = {"KML": [3, 1], "LIBKML": [3, 1, 2]}
    for driver in [d for d in expected if gdal.GetDriverByName(d) is not None]:
        dataset = gdal.OpenEx(written[0], gdal.OF_VECTOR, allowed_drivers=[driver])
        counts = [dataset.GetLayer(i).GetFeatureCount() for i in range(dataset.GetLayerCount())]
        assert counts == expected[driver], driver
        del dataset


def test_csv_round_trip_with_xy_or_wkt(case, tmp_path):
    written = export_layers(case, str(tmp_path), ["csv"], "case")
    with open(written[0], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["X"], r["Y"], r["timestamp"]) for r in rows] == [
        ("124", "36", iso(T0)),
        ("124.1", "36.1", iso(T0 + H)),
        ("124.2", "36.2", iso(T0 + 2 * H)),
    ]
    assert rows[0]["mmsi"] == "200000008"
    with open(written[1], newline="", encoding="utf-8") as handle:
        area = next(csv.DictReader(handle))
    assert area["WKT"].startswith("MULTIPOLYGON") and area["on_time"] == iso(T0 + 248 * H)
    with open(written[2], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["declared_destination"] == "VLADIVOSTOK, RU" and rows[1]["n"] == ""


def test_every_format_at_once_and_the_reprojection_to_wgs84(points, tmp_path):
    mercator = memory_layer("Point", "mercator", [("name", "str")], [("POINT (13914936 4300621)", ["x"])])
    mercator.setCrs(mercator.crs().fromEpsgId(3857))
    written = export_layers([points, mercator], str(tmp_path), ["csv", "gpkg", "kml", "geojson"], "all")
    assert len(written) == 6 and all(os.path.exists(p) for p in written)
    data = json.loads(open(tmp_path / "all_mercator.geojson", encoding="utf-8").read())
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(125.0, abs=1e-3) and lat == pytest.approx(36.0, abs=1e-2)


def test_refuses_to_overwrite_unless_asked(case, tmp_path):
    first = export_layers(case, str(tmp_path), ["gpkg", "csv"], "case")
    before = {p: os.path.getmtime(p) for p in first}
    with pytest.raises(BaiMeiError, match="case.gpkg, case_ais_reports.csv"):
        export_layers(case, str(tmp_path), ["gpkg", "csv"], "case")
    assert {p: os.path.getmtime(p) for p in first} == before
    assert export_layers(case[:1], str(tmp_path), ["gpkg"], "case", overwrite=True) == [str(tmp_path / "case.gpkg")]
    assert QgsVectorLayer(str(tmp_path / "case.gpkg"), "x", "ogr").dataProvider().subLayerCount() >= 1
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(p) for p in first)


class CancelAfter(QgsProcessingFeedback):
    def __init__(self, files):
        super().__init__()
        self.files = files

    def setProgressText(self, text):  # noqa: N802 (QGIS API)
        self.files -= 1
        if self.files < 0:
            self.cancel()


def test_nothing_is_left_after_a_cancel_or_a_failure(case, tmp_path, monkeypatch):
    with pytest.raises(Canceled):
        export_layers(case, str(tmp_path), ["gpkg", "geojson", "kml"], "case", CancelAfter(2))
    assert os.listdir(tmp_path) == []

    def broken(*args):
        raise BaiMeiError("Could not write the KML.")

    monkeypatch.setattr(case_export, "_write_kml", broken)
    with pytest.raises(BaiMeiError, match="KML"):
        export_layers(case, str(tmp_path), ["gpkg", "geojson", "kml", "csv"], "case")
    assert os.listdir(tmp_path) == []  # the GeoPackage and GeoJSON files written first were removed too


class CancelDuringKml(QgsProcessingFeedback):
    """Cancels once the KML writer has reported progress inside its file (the second of two)."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def setProgress(self, progress):  # noqa: N802 (QGIS API)
        super().setProgress(progress)
        self.seen.append(progress)
        if 50 < progress < 100:
            self.cancel()


def test_a_kml_export_is_cancelled_from_the_feedback_inside_its_file(tmp_path):
    from tests.qgis.test_kml_writer import tracks_layer

    feedback = CancelDuringKml()
    with pytest.raises(Canceled):
        export_layers([tracks_layer(1000, 100_000)], str(tmp_path), ["geojson", "kml"], "big", feedback)
    assert os.listdir(tmp_path) == []  # neither the finished GeoJSON nor the partial KML is left
    # the GeoJSON's start, its first 500 of 1,000 features (25 %), the next 500, its end and the file done (50 %),
    # the KML's start, its first 200 of 1,000 features (60 %, cancelled there); then the writer stopped at its next
    # check instead of going on to the end of the file
    assert feedback.seen == [0.0, 25.0, 50.0, 50.0, 50.0, 50.0, 60.0]


def test_bad_requests_are_refused(case, tmp_path):
    with pytest.raises(BaiMeiError, match="formats"):
        export_layers(case, str(tmp_path), ["shp"], "case")
    with pytest.raises(BaiMeiError, match="file name"):
        export_layers(case, str(tmp_path), ["gpkg"], "../case")
    with pytest.raises(BaiMeiError, match="at least one"):
        export_layers([], str(tmp_path), ["gpkg"], "case")


# ---- the report ---------------------------------------------------------------------------------------------------

GAP = ("LINESTRING (123.47 36.10, 125.27 34.85)", "G1")
NAMPO = (125.36, 38.73)


@pytest.fixture
def case_report_layers(tmp_path):
    ids = [("gap_id", "str"), ("mmsi", "int64")]
    tracks = memory_layer(
        "LineString",
        "tracks",
        [
            ("mmsi", "int64"),
            ("vessel_name", "str"),
            ("segment", "int"),
            ("start_time", "datetime"),
            ("end_time", "datetime"),
        ],
        [
            (
                "LINESTRING (119.4 34.7, 123.47 36.10)",
                [200000008, "BAI MEI 8", 0, utc(T0 - 200 * H), utc(T0 - 160 * H)],
            ),
            ("LINESTRING (125.27 34.85, 131.9 43.1)", [200000008, "BAI MEI 8", 1, utc(T0 + 88 * H), utc(T0 + 160 * H)]),
        ],
    )
    gaps = memory_layer(
        "LineString",
        "gaps",
        ids
        + [
            ("vessel_name", "str"),
            ("off_time", "datetime"),
            ("on_time", "datetime"),
            ("gap_hours", "float"),
            ("draught_before", "float"),
            ("draught_after", "float"),
        ],
        [
            (GAP[0], ["G1", 200000008, "BAI MEI 8", utc(T0 - 160 * H), utc(T0 + 88 * H), 248.0, 6.5, 11.5]),
            ("LINESTRING (140 30, 141 31)", ["G9", 412000001, "OTHER", utc(T0), utc(T0 + 30 * H), 30.0, 5.0, 5.0]),
        ],
    )
    areas = memory_layer(
        "MultiPolygon",
        "reach",
        ids + [("area_km2", "float"), ("off_time", "datetime"), ("on_time", "datetime")],
        [
            (
                "MULTIPOLYGON (((121 33, 127 33, 127 40, 121 40, 121 33)))",
                ["G1", 200000008, 2e5, utc(T0 - 160 * H), utc(T0 + 88 * H)],
            )
        ],
    )
    visits = memory_layer(
        "Point",
        "visits",
        ids + [("port_name", "str"), ("locode", "str"), ("max_dwell_hours", "float")],
        [
            (f"POINT ({NAMPO[0]} {NAMPO[1]})", ["G1", 200000008, "Nampo", "KPNAM", 220.0]),
            ("POINT (126.36 34.77)", ["G1", 200000008, "Mokpo", "KRMOK", 233.0]),
        ],
    )
    scenes = memory_layer(
        "MultiPolygon",
        "scenes",
        [
            ("item_id", "str"),
            ("acquired", "datetime"),
            ("gap_id", "str"),
            ("source", "str"),
            ("in_gap_window", "bool"),
            ("properties", "str"),
        ],
        [
            (
                "MULTIPOLYGON (((125.2 38.6, 125.5 38.6, 125.5 38.8, 125.2 38.8, 125.2 38.6)))",
                ["SCENE-1", utc(T0 + H), "G1", "Catalogue test", True, '{"bai_mei:synthetic": true}'],
            )
        ],
    )
    sightings = create_sightings_layer(str(tmp_path / "sightings.gpkg"))
    add_sighting(
        sightings,
        *NAMPO,
        {
            "sighting_id": "S-1",
            "observed_at": T0 + H,
            "hatch_count": 5,
            "crane_count": 4,
            "hull_colour": "black",
            "length_m": 170.0,
            "activity": "loading",
            "analyst": "Test Analyst",
        },
    )
    candidates = memory_layer(
        "Point",
        "candidates",
        [
            ("sighting_id", "str"),
            ("observed_at", "datetime"),
            ("rank", "int"),
            ("mmsi", "int64"),
            ("name", "str"),
            ("imo", "str"),
            ("feature_score", "float"),
            ("spacetime_status", "str"),
            ("total_score", "float"),
            ("reasons", "str"),
        ],
        [
            (f"POINT ({NAMPO[0]} {NAMPO[1]})", ["S-1", utc(T0 + H), rank, mmsi, name, "", 1.0, status, score, "why"])
            for rank, mmsi, name, status, score in (
                (1, 200000008, "BAI MEI 8", "dark and reachable", 0.9),
                (2, 440983791, "HAN SAN 1", "no data", 0.46),
            )
        ],
    )
    layers = [tracks, gaps, areas, visits, scenes, sightings, candidates]
    yield layers
    # Free the layers while QGIS is still up: left to the interpreter's exit, they crash it (QGIS 3.22).
    del layers[:], tracks, gaps, areas, visits, scenes, sightings, candidates
    import gc

    gc.collect()


def test_layers_are_recognised_by_their_fields_and_the_vessel_guessed(case_report_layers):
    layers = case_layers(case_report_layers)
    assert sorted(layers) == [
        "candidate_visits",
        "candidates",
        "footprints",
        "gaps",
        "reach_areas",
        "sightings",
        "tracks",
    ]
    assert guess_vessel(layers) == CaseVessel(200000008, "BAI MEI 8", "", True)  # a synthetic scene in its gap
    del layers["candidates"]
    assert guess_vessel(layers).mmsi == 200000008  # the longest gap
    assert guess_vessel(layers, 412000001) == CaseVessel(412000001, "OTHER", "", False)


def page_count(pdf: bytes) -> int:
    """Pages in the page tree (a /Type /Page object may repeat: QGIS appends the georeferencing as an update)."""
    assert re.search(rb"/Type\s*/Page(?![s\w])", pdf)
    return max(int(n) for n in re.findall(rb"/Count\s+(\d+)", pdf))


def test_pdf_and_html_report(case_report_layers, tmp_path, qgis_new_project):
    layers = case_layers(case_report_layers)
    pdf, page = tmp_path / "case_report.pdf", tmp_path / "case_report.html"
    write_case_report(QgsProject.instance(), layers, guess_vessel(layers), str(pdf), str(page))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and page_count(data) == 4
    text = page.read_text(encoding="utf-8")
    sightings = re.search(r"<table id='sightings'>.*?</table>", text, re.S).group(0)
    assert "S-1" in sightings and "5 hatches · 4 cranes · black hull · 170 m" in sightings
    assert "2017-06-16 02:02" in sightings and "loading" in sightings
    candidates = re.search(r"<table id='candidates'>.*?</table>", text, re.S).group(0)
    assert candidates.index("BAI MEI 8") < candidates.index("HAN SAN 1")
    assert "SCENE-1" in text and "SYNTHETIC DATA" in text and "Test Analyst" in text
    assert "Could have called at Nampo (KPNAM) for up to 220 h" in text
    assert text.count("data:image/png;base64,") == 2  # the map and the timeline, embedded
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]  # no partial or picture files left
    assert case_report_layers[1].featureCount() == 2  # the analyst's layers are not filtered


def test_a_long_table_continues_on_pages_inserted_after_it(case_report_layers, tmp_path, qgis_new_project):
    layers = case_layers(case_report_layers)
    rows = [
        (
            f"POINT ({NAMPO[0]} {NAMPO[1]})",
            [f"S-{k:02d}", utc(T0 + k * H), rank, 440000000 + rank, f"V{rank}", "", 0.5, "no data", 0.25, "why " * 40],
        )
        for k in range(30)
        for rank in (1, 2, 3)
    ]
    layers["candidates"] = memory_layer(
        "Point",
        "many",
        [
            ("sighting_id", "str"),
            ("observed_at", "datetime"),
            ("rank", "int"),
            ("mmsi", "int64"),
            ("name", "str"),
            ("imo", "str"),
            ("feature_score", "float"),
            ("spacetime_status", "str"),
            ("total_score", "float"),
            ("reasons", "str"),
        ],
        rows,
    )
    pdf, page = tmp_path / "long.pdf", tmp_path / "long.html"
    write_case_report(QgsProject.instance(), layers, CaseVessel(200000008, "BAI MEI 8"), str(pdf), str(page))
    assert page_count(pdf.read_bytes()) > 4  # 90 rows do not fit one page: more pages, nothing cut
    candidates = re.search(r"<table id='candidates'>.*?</table>", page.read_text(encoding="utf-8"), re.S).group(0)
    assert candidates.count("<tr>") == 91  # the header and every row
    assert "SYNTHETIC DATA" not in page.read_text(encoding="utf-8")  # not the scenario: no notice


def test_a_report_from_gaps_alone(case_report_layers, tmp_path, qgis_new_project):
    layers = case_layers(case_report_layers[1:2])
    pdf, page = tmp_path / "gaps.pdf", tmp_path / "gaps.html"
    write_case_report(QgsProject.instance(), layers, guess_vessel(layers), str(pdf), str(page))
    assert page_count(pdf.read_bytes()) == 4
    text = page.read_text(encoding="utf-8")
    assert "Dark 09 Jun 09:02 → 19 Jun 17:02 UTC: 248 h; draught 6.5 → 11.5 m" in text
    assert re.search(r"<table id='sightings'>.*None\..*</table>", text, re.S)


def test_template_has_every_item_and_a_broken_one_is_named(tmp_path, qgis_new_project):
    layout = case_report.load_template(QgsProject.instance())
    assert all(layout.itemById(i) is not None for i in case_report.ITEM_IDS)
    assert layout.pageCollection().pageCount() == 4
    columns = [c.heading() for c in layout.itemById("sightings_table").multiFrame().columns()]
    assert columns == [heading for heading, _, _ in case_report.TABLE_COLUMNS["sightings"]]
    broken = tmp_path / "broken.qpt"
    broken.write_text(open(case_report.TEMPLATE, encoding="utf-8").read().replace('id="timeline"', 'id="x"'))
    with pytest.raises(BaiMeiError, match="timeline"):
        case_report.load_template(QgsProject.instance(), str(broken))


def test_exportcase_algorithm_writes_layers_and_report(case_report_layers, tmp_path, provider, qgis_new_project):
    import processing

    from bai_mei_plugin.processing.export_case import ExportCaseAlgorithm

    algorithm = ExportCaseAlgorithm()
    algorithm.initAlgorithm()
    folder = tmp_path / "out"
    params = {
        "LAYERS": list(case_report_layers),
        "FORMATS": [0, 2],
        "FOLDER": str(folder),
        "NAME": "bm8",
        "REPORT": True,
    }
    result = processing.run(algorithm, params)
    written = result["WRITTEN"].split(";")
    assert [os.path.basename(p) for p in written] == ["bm8.gpkg", "bm8.kml", "bm8_report.pdf", "bm8_report.html"]
    assert all(os.path.exists(p) for p in written)
    with pytest.raises(Exception, match="already exist"):
        processing.run(algorithm, params)


def test_the_report_shows_the_chip_of_each_sighting_marked_on_a_scene(case_report_layers, tmp_path, qgis_new_project):
    from qgis.core import QgsRasterLayer

    from bai_mei_plugin.demo.nampo import BERTH_LAT, BERTH_LON
    from bai_mei_plugin.qgis_io.sightings_layer import scene_attributes
    from tests.qgis.ship_scene import write_ship_scene

    scene = QgsRasterLayer(write_ship_scene(str(tmp_path / "SCENE-1.tif")), "SCENE-1", "gdal")
    sightings = case_report_layers[5]
    hostile = "<script>alert('x')</script> [%ENV('HOME')%]"
    on_scene = scene_attributes(scene, BERTH_LON, BERTH_LAT, size_m=200)
    add_sighting(
        sightings,
        BERTH_LON,
        BERTH_LAT,
        {**on_scene, "sighting_id": "S-2", "observed_at": T0 + 2 * H, "hatch_count": 5, "funnel_markings": hostile},
    )
    gone = {**on_scene, "scene_source": str(tmp_path / "deleted.tif")}
    add_sighting(sightings, BERTH_LON, BERTH_LAT, {**gone, "sighting_id": "S-3", "observed_at": T0 + 3 * H})
    layers = case_layers(case_report_layers)
    pdf, page = tmp_path / "chips.pdf", tmp_path / "chips.html"
    write_case_report(QgsProject.instance(), layers, guess_vessel(layers), str(pdf), str(page))
    assert page_count(pdf.read_bytes()) == 5  # a page of chips after the four of the report
    text = page.read_text(encoding="utf-8")
    chips = re.search(r"<div id='chips'>.*?</div>", text, re.S).group(0)
    figures = re.findall(r"<figure class='chip'>.*?</figure>", chips, re.S)
    assert len(figures) == 2  # S-1 was not marked on a scene: no chip
    assert "<b>S-2</b>" in figures[0] and "data:image/png;base64," in figures[0]
    assert "Hatches: 5" in figures[0] and "&lt;script&gt;" in figures[0] and "<script>" not in text
    assert "<b>S-3</b>" in figures[1] and "deleted.tif is missing" in figures[1] and "<img" not in figures[1]
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]  # no chip pictures left behind


def test_a_chip_is_the_scene_around_the_window(tmp_path):
    from bai_mei_plugin.qgis_io.case_report import sighting_chips
    from bai_mei_plugin.qgis_io.sightings_layer import add_sighting as add
    from tests.qgis.ship_scene import HULL, write_ship_scene

    path = write_ship_scene(str(tmp_path / "scene.tif"))
    layer = create_sightings_layer(str(tmp_path / "one.gpkg"))
    window = {"window_col": 150, "window_row": 150, "window_width": 100, "window_height": 100}
    add(layer, 125.4, 38.7, {"sighting_id": "S-9", "scene_source": path, **window, "length_m": 169.0})
    (chip,) = sighting_chips(layer)
    assert chip.image is not None and (chip.image.width(), chip.image.height()) == (100, 100)
    colour = chip.image.pixelColor(50, 50)
    assert (colour.red(), colour.green(), colour.blue()) == HULL and chip.features == ["Length (m): 169"]


def test_a_cancel_reaches_the_writer_busy_in_another_thread():
    """The export runs in a task's thread, busy inside GDAL's writer: the Cancel pressed on the main thread must reach
    the writer's feedback at once, not wait (queued) for that thread's event loop, which does not run until the file
    is written."""
    import threading
    import time

    from qgis.core import QgsFeedback

    from bai_mei_plugin.qgis_io.case_export import _writer_feedback

    parent, started, seen = QgsFeedback(), threading.Event(), []

    def writer():
        child = _writer_feedback(parent)  # made in the writer's thread, as the export makes it
        started.set()
        deadline = time.monotonic() + 5  # a bound only a lost Cancel would reach
        while not child.isCanceled() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(child.isCanceled())

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait(5)
    parent.cancel()
    thread.join(10)
    assert seen == [True]
