"""baimei:gapreachability on the Bai Mei 8's two dark gaps, and chained into the footprint search."""

import numpy as np
import processing
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingFeedback, QgsVectorLayer, QgsWkbTypes
from qgis.PyQt.QtCore import QDateTime, Qt

from bai_mei_plugin.paths import resource_path
from bai_mei_plugin.qgis_io.layers import gap_fields
from bai_mei_plugin.qgis_io.sources import default_land_path

# The two gaps as the synthetic scenario produces them (id, off, on, off lon/lat, on lon/lat, SOG before/after).
BAI_MEI_GAPS = (
    ("200000008-20170608T205207Z", "2017-06-08T20:52:07Z", "2017-06-19T05:20:50Z", 123.4737, 36.0991, 125.2675,
     34.8455, 3.0, 10.5),
    ("200000008-20170702T151040Z", "2017-07-02T15:10:40Z", "2017-07-08T10:13:32Z", 122.4169, 34.1950, 125.2895,
     34.3425, 12.1, 10.4),
)


@pytest.fixture
def bai_mei_gaps():
    import os

    if not os.path.exists(default_land_path()):
        pytest.skip("QGIS's bundled world map (the default land) is not installed")
    layer = QgsVectorLayer("LineString?crs=EPSG:4326", "gaps", "memory")
    layer.dataProvider().addAttributes(gap_fields().toList())
    layer.updateFields()
    features = []
    for gap_id, off, on, a_lon, a_lat, b_lon, b_lat, sog_a, sog_b in BAI_MEI_GAPS:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(a_lon, a_lat), QgsPointXY(b_lon, b_lat)]))
        for name, value in (("gap_id", gap_id), ("mmsi", 200000008), ("vessel_name", "BAI MEI 8"),
                            ("off_time", QDateTime.fromString(off, Qt.ISODate)),
                            ("on_time", QDateTime.fromString(on, Qt.ISODate)), ("off_lon", a_lon), ("off_lat", a_lat),
                            ("on_lon", b_lon), ("on_lat", b_lat), ("sog_before", sog_a), ("sog_after", sog_b)):
            feature[name] = value
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def run(algorithm, params):
    return processing.run(algorithm, params, feedback=QgsProcessingFeedback())


def test_nampo_is_a_candidate_for_the_june_gap_and_areas_are_clipped(provider, bai_mei_gaps):
    result = run("baimei:gapreachability", {"GAPS": bai_mei_gaps, "OUTPUT_AREAS": "memory:",
                                            "OUTPUT_VISITS": "memory:"})
    areas = {f["gap_id"]: f for f in result["OUTPUT_AREAS"].getFeatures()}
    june = areas["200000008-20170608T205207Z"]
    # 1.2 x the 95th percentile of the SOG either side of its two gaps (no points given)
    assert june["max_speed_kn"] == pytest.approx(1.2 * float(np.percentile([3.0, 10.5, 12.1, 10.4], 95)))
    assert june.geometry().wkbType() == QgsWkbTypes.MultiPolygon and june.geometry().isGeosValid()
    assert june["off_time"].timeSpec() == Qt.UTC and june["area_km2"] > 100_000
    # clipped to the sea: the Korean peninsula's interior is not in the area
    assert not june.geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(127.5, 37.0)))
    assert june.geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(124.5, 37.5)))  # Korea Bay
    visits = [f for f in result["OUTPUT_VISITS"].getFeatures() if f["gap_id"] == june["gap_id"]]
    by_port = {f["locode"]: f for f in visits}
    nampo = by_port["KPNAM"]
    # A 10.4-day gap leaves time to reach Vladivostok or Ningbo too (great-circle, at 14 kn), but for far shorter
    # stays than at Nampo.
    for far in ("RUVVO", "CNNGB"):
        assert far not in by_port or by_port[far]["max_dwell_hours"] < nampo["max_dwell_hours"]
    assert 150 < nampo["max_dwell_hours"] < 250  # it lay at Nampo from 9 to 17 June in the story
    assert nampo["arrive_earliest"] < QDateTime.fromString("2017-06-09T12:00:00Z", Qt.ISODate)
    assert nampo["max_dwell_hours_sea"] is None or nampo["max_dwell_hours_sea"] <= nampo["max_dwell_hours"]
    assert nampo.geometry().asPoint().x() == pytest.approx(125.15)
    assert result["VISIT_COUNT"] == result["OUTPUT_VISITS"].featureCount()


def test_a_fixed_slow_speed_can_make_a_gap_unreachable(provider, bai_mei_gaps):
    result = run("baimei:gapreachability", {"GAPS": bai_mei_gaps, "MAX_SPEED_KN": 0.5, "OUTPUT_AREAS": "memory:",
                                            "OUTPUT_VISITS": "memory:"})
    july = next(f for f in result["OUTPUT_AREAS"].getFeatures() if f["gap_id"].startswith("200000008-201707"))
    assert july["feasible"] is False and july["area_km2"] == 0


def test_footprints_over_the_june_area_include_the_nampo_scenes_taken_while_dark(provider, bai_mei_gaps):
    areas = run("baimei:gapreachability", {"GAPS": bai_mei_gaps, "OUTPUT_AREAS": "memory:",
                                           "OUTPUT_VISITS": "memory:"})["OUTPUT_AREAS"]
    found = run("baimei:searchfootprints", {"GAPS": bai_mei_gaps, "AOI": areas, "SOURCE": 2, "OUTPUT": "memory:",
                                            "URL": resource_path("catalogues", "bai_mei_8_synthetic.geojson")})
    dark = {f["item_id"]: f["gap_id"] for f in found["OUTPUT"].getFeatures() if f["in_gap_window"]}
    assert dark["SYNTHETIC_20170616_021000_ssc1"] == "200000008-20170608T205207Z"
    assert dark["SYNTHETIC_20170706_022000_ssc2"] == "200000008-20170702T151040Z"
    assert "SYNTHETIC_20170624_003512_1003" not in dark  # Vladivostok, with AIS on
