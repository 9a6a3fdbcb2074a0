"""baimei:gapreachability on the Bai Mei 8's two dark gaps, and chained into the footprint search."""

import numpy as np
import processing
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingFeedback, QgsVectorLayer, QgsWkbTypes
from qgis.PyQt.QtCore import QDateTime, Qt

from bai_mei_plugin.core.suspicion import Weights
from bai_mei_plugin.paths import resource_path
from bai_mei_plugin.qgis_io.land import default_land_path
from bai_mei_plugin.qgis_io.layer_kinds import kind_fields

# The two gaps as the synthetic scenario produces them (id, off, on, off lon/lat, on lon/lat, SOG and draught
# before/after).
BAI_MEI_GAPS = (
    (
        "200000008-20170615T113248Z",
        "2017-06-15T11:32:48Z",
        "2017-06-19T00:55:13Z",
        123.332095,
        38.829113,
        119.55602,
        38.695303,
        1.8,
        1.8,
        6.5,
        11.5,
    ),
    (
        "200000008-20170703T114437Z",
        "2017-07-03T11:44:37Z",
        "2017-07-08T10:10:04Z",
        122.319961,
        33.85985,
        125.26729,
        34.85089,
        9.6,
        9.7,
        6.6,
        6.6,
    ),
)


@pytest.fixture
def bai_mei_gaps():
    import os

    if not os.path.exists(default_land_path()):
        pytest.skip("QGIS's bundled world map (the default land) is not installed")
    layer = QgsVectorLayer("LineString?crs=EPSG:4326", "gaps", "memory")
    layer.dataProvider().addAttributes(kind_fields("gaps").toList())
    layer.updateFields()
    features = []
    for gap_id, off, on, a_lon, a_lat, b_lon, b_lat, sog_a, sog_b, draught_a, draught_b in BAI_MEI_GAPS:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(a_lon, a_lat), QgsPointXY(b_lon, b_lat)]))
        for name, value in (
            ("gap_id", gap_id),
            ("mmsi", 200000008),
            ("vessel_name", "BAI MEI 8"),
            ("off_time", QDateTime.fromString(off, Qt.ISODate)),
            ("on_time", QDateTime.fromString(on, Qt.ISODate)),
            ("off_lon", a_lon),
            ("off_lat", a_lat),
            ("on_lon", b_lon),
            ("on_lat", b_lat),
            ("sog_before", sog_a),
            ("sog_after", sog_b),
            ("draught_before", draught_a),
            ("draught_after", draught_b),
        ):
            feature[name] = value
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def run(algorithm, params):
    return processing.run(algorithm, params, feedback=QgsProcessingFeedback())


def test_nampo_is_a_candidate_for_the_june_gap_and_areas_are_clipped(provider, bai_mei_gaps):
    feedback = QgsProcessingFeedback()
    log = []
    feedback.reportError = lambda text, fatal=False: log.append(text)
    result = processing.run(
        "baimei:gapreachability",
        {"GAPS": bai_mei_gaps, "OUTPUT_AREAS": "memory:", "OUTPUT_VISITS": "memory:"},
        feedback=feedback,
    )
    areas = {f["gap_id"]: f for f in result["OUTPUT_AREAS"].getFeatures()}
    june = areas["200000008-20170615T113248Z"]
    # 1.2 x the 95th percentile of the SOG either side of its two gaps (no points given) is under 12 kn: 12 kn
    assert 1.2 * float(np.percentile([1.8, 1.8, 9.6, 9.7], 95)) < 12.0 and june["max_speed_kn"] == 12.0
    assert june.geometry().wkbType() == QgsWkbTypes.MultiPolygon and june.geometry().isGeosValid()
    assert june["off_time"].timeSpec() == Qt.UTC and june["area_km2"] > 100_000
    # clipped to the sea: the Korean peninsula's interior is not in the area
    assert not june.geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(127.5, 37.0)))
    assert june.geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(124.5, 38.5)))  # Korea Bay
    # by sea (the default): not the Sea of Japan behind Korea, which only a great circle reaches in time
    assert june["by_sea"] is True
    assert not june.geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(130.0, 38.0)))
    visits = [f for f in result["OUTPUT_VISITS"].getFeatures() if f["gap_id"] == june["gap_id"]]
    by_port = {f["locode"]: f for f in visits}
    nampo = by_port["KPNAM"]
    # The story: at Nampo on 16 and 17 June, back on air on 19 June: about two days to spare; Vladivostok and
    # Ningbo out of reach; Wonsan, across Korea, within reach by great circle only.
    assert 40 < nampo["max_dwell_hours_sea"] <= nampo["max_dwell_hours"] < 60
    assert nampo["arrive_earliest"] < QDateTime.fromString("2017-06-16T02:10:00Z", Qt.ISODate)
    assert nampo["depart_latest"] > QDateTime.fromString("2017-06-17T20:00:00Z", Qt.ISODate)
    assert not {"RUVVO", "CNNGB", "KPWON"} & set(by_port)
    assert any("Wonsan is within reach by great circle" in line and "not by sea" in line for line in log), log
    assert nampo["of_interest"] is True and by_port["CNDAL"]["of_interest"] is False  # Dalian in the World Port Index
    assert (nampo.geometry().asPoint().x(), nampo.geometry().asPoint().y()) == (
        pytest.approx(125.4),
        pytest.approx(38.7167),
    )
    assert result["VISIT_COUNT"] == result["OUTPUT_VISITS"].featureCount()
    # suspicion, in words, scored as baimei:scoregaps scores it: Nampo within reach by sea, the draught up 5 m and
    # the MMSI's unallocated MID (the synthetic 200...)
    weights = Weights()
    assert june["suspicion"] == weights.interest_port + weights.draught_rose + weights.identity
    assert june["suspicion_level"] == "high"
    assert "Nampo (up to 54 h by sea)" in june["why"] and "draught rose 6.5 -> 11.5 m" in june["why"]
    july = areas["200000008-20170703T114437Z"]
    assert july["suspicion"] == weights.interest_port + weights.identity and "draught" not in july["why"]


def test_without_by_sea_the_area_is_the_clipped_ellipse(provider, bai_mei_gaps):
    result = run(
        "baimei:gapreachability",
        {"GAPS": bai_mei_gaps, "BY_SEA": False, "OUTPUT_AREAS": "memory:", "OUTPUT_VISITS": "memory:"},
    )
    june = next(f for f in result["OUTPUT_AREAS"].getFeatures() if f["gap_id"].startswith("200000008-201706"))
    assert june["by_sea"] is False
    assert june.geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(130.0, 38.0)))  # across Korea: in the ellipse


def test_ports_of_interest_are_the_users_to_choose(provider, bai_mei_gaps):
    result = run(
        "baimei:gapreachability",
        {
            "GAPS": bai_mei_gaps,
            "INTEREST_PORTS": "Dalian; KRINC",
            "OUTPUT_AREAS": "memory:",
            "OUTPUT_VISITS": "memory:",
        },
    )
    june = next(f for f in result["OUTPUT_AREAS"].getFeatures() if f["gap_id"].startswith("200000008-201706"))
    assert "Dalian (up to" in june["why"] and "Inchon (up to" in june["why"] and "Nampo" not in june["why"]
    interest = {f["locode"] for f in result["OUTPUT_VISITS"].getFeatures() if f["of_interest"]}
    assert interest == {"CNDAL", "KRINC"}  # the World Port Index's codes: Dalian is CNDAL there


def test_a_fixed_slow_speed_can_make_a_gap_unreachable(provider, bai_mei_gaps):
    result = run(
        "baimei:gapreachability",
        {"GAPS": bai_mei_gaps, "MAX_SPEED_KN": 0.5, "OUTPUT_AREAS": "memory:", "OUTPUT_VISITS": "memory:"},
    )
    july = next(f for f in result["OUTPUT_AREAS"].getFeatures() if f["gap_id"].startswith("200000008-201707"))
    assert july["feasible"] is False and july["area_km2"] == 0


def test_footprints_over_the_june_area_include_the_nampo_scenes_taken_while_dark(provider, bai_mei_gaps):
    areas = run(
        "baimei:gapreachability", {"GAPS": bai_mei_gaps, "OUTPUT_AREAS": "memory:", "OUTPUT_VISITS": "memory:"}
    )["OUTPUT_AREAS"]
    found = run(
        "baimei:searchfootprints",
        {
            "GAPS": bai_mei_gaps,
            "AOI": areas,
            "SOURCE": 2,
            "OUTPUT": "memory:",
            "URL": resource_path("catalogues", "bai_mei_8_synthetic.geojson"),
        },
    )
    dark = {f["item_id"]: f["gap_id"] for f in found["OUTPUT"].getFeatures() if f["in_gap_window"]}
    assert dark["SYNTHETIC_20170616_021000_ssc1"] == "200000008-20170615T113248Z"
    assert dark["SYNTHETIC_20170706_022000_ssc2"] == "200000008-20170703T114437Z"
    assert "SYNTHETIC_20170624_003512_1003" not in dark  # Vladivostok, with AIS on
