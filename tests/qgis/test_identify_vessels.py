"""baimei:identifyvessels on memory layers: sightings (in a projected CRS), AIS points, a dark gap and its area."""

import calendar

import processing
import pytest
from qgis.core import (
    NULL,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterDefinition,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, Qt

from bai_mei_plugin.processing.identify_vessels import IdentifyVesselsAlgorithm
from bai_mei_plugin.qgis_io.layer_kinds import kind_fields
from bai_mei_plugin.qgis_io.layers import utc

T0 = calendar.timegm((2017, 6, 17, 2, 5, 0))
H = 3600
NAMPO = (125.15, 38.70)
BAI_MEI = 200000008
JIN_HANG = 413780998  # a look-alike in the bundled profiles
LOOK = {
    "length_m": 170.0,
    "beam_m": 27.0,
    "hatch_count": 5,
    "crane_count": 4,
    "hull_colour": "black",
    "superstructure_position": "aft",
    "crane_type": "jib cranes",
}


@pytest.fixture
def identify(provider):
    if QgsApplication.processingRegistry().algorithmById("baimei:identifyvessels") is None:
        provider.addAlgorithm(IdentifyVesselsAlgorithm())
    return "baimei:identifyvessels"


def memory_layer(kind, fields, features):
    layer = QgsVectorLayer(kind, "layer", "memory")
    layer.dataProvider().addAttributes(fields.toList() if hasattr(fields, "toList") else fields)
    layer.updateFields()
    made = []
    for geometry, values in features:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(geometry)
        for name, value in values.items():
            feature[name] = value
        made.append(feature)
    layer.dataProvider().addFeatures(made)
    return layer


def point(lon, lat):
    return QgsGeometry.fromPointXY(QgsPointXY(lon, lat))


@pytest.fixture
def sightings():
    """One sighting at Nampo, stored in Web Mercator, with the BAI MEI 8's features as an analyst would enter them."""
    layer = QgsVectorLayer(
        "Point?crs=EPSG:3857&field=sighting_id:string&field=observed_at:datetime"
        "&field=length_m:double&field=beam_m:double&field=hatch_count:integer"
        "&field=crane_count:integer&field=hull_colour:string&field=superstructure_position:string"
        "&field=crane_type:string&field=bow_type:string",
        "sightings",
        "memory",
    )
    to_mercator = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), layer.crs(), QgsProject.instance())
    geometry = point(*NAMPO)
    geometry.transform(to_mercator)
    feature = QgsFeature(layer.fields())
    feature.setGeometry(geometry)
    for name, value in {"sighting_id": "nampo-june", "observed_at": utc(T0), **LOOK}.items():
        feature[name] = value
    layer.dataProvider().addFeatures([feature])
    return layer


@pytest.fixture
def ais():
    """The look-alike reporting 300 nm south of Nampo around the sighting; the BAI MEI 8 before and after its gap."""
    rows = [(JIN_HANG, T0 + k * 600, 125.15, 33.70) for k in range(-12, 13)]
    rows += [(BAI_MEI, T0 - 9 * 24 * H + k * 600, 123.47, 36.10) for k in range(-12, 1)]
    rows += [(BAI_MEI, T0 + 2 * 24 * H + k * 600, 125.27, 34.85) for k in range(0, 13)]
    values = [{"mmsi": m, "timestamp": utc(t), "sog": 10.0, "vessel_name": "X"} for m, t, _lon, _lat in rows]
    features = [(point(r[2], r[3]), v) for r, v in zip(rows, values)]
    return memory_layer("Point?crs=EPSG:4326", kind_fields("points"), features)


@pytest.fixture
def gap():
    off, on = T0 - 9 * 24 * H, T0 + 2 * 24 * H
    gap_id = f"{BAI_MEI}-gap"
    values = {
        "gap_id": gap_id,
        "mmsi": BAI_MEI,
        "vessel_name": "BAI MEI 8",
        "off_time": utc(off),
        "on_time": utc(on),
        "off_lon": 123.47,
        "off_lat": 36.10,
        "on_lon": 125.27,
        "on_lat": 34.85,
        "sog_before": 10.0,
        "sog_after": 10.0,
    }
    line = QgsGeometry.fromPolylineXY([QgsPointXY(123.47, 36.10), QgsPointXY(125.27, 34.85)])
    return memory_layer("LineString?crs=EPSG:4326", kind_fields("gaps"), [(line, values)])


def area_layer(gap_id, wkt):
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326&field=gap_id:string", "areas", "memory")
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromWkt(wkt))
    feature["gap_id"] = gap_id
    layer.dataProvider().addFeatures([feature])
    return layer


def value(feature, name):
    """A field value, NULL as None."""
    found = feature[name]
    return None if found == NULL else found


def run(algorithm, params):
    return processing.run(algorithm, params, feedback=QgsProcessingFeedback())


def test_the_dark_bai_mei_8_ranks_first_and_the_look_alike_far_away_is_excluded(identify, sightings, ais, gap):
    result = run(identify, {"SIGHTINGS": sightings, "INPUT": ais, "GAPS": gap, "OUTPUT": "memory:"})
    layer = result["OUTPUT"]
    rows = {f["mmsi"]: f for f in layer.getFeatures()}
    assert result["CANDIDATE_COUNT"] == layer.featureCount() == 5  # the five bundled profiles
    best = rows[BAI_MEI]
    assert (best["rank"], best["spacetime_status"], best["name"], best["imo"]) == (
        1,
        "dark and reachable",
        "BAI MEI 8",
        "9000008",
    )
    assert best["feature_score"] == 1.0 and best["total_score"] == pytest.approx(0.9)
    assert "5 hatches match" in best["reasons"] and "within its reachable sea" in best["reasons"]
    assert best["observed_at"] == QDateTime.fromString("2017-06-17T02:05:00Z", Qt.ISODate)
    assert best["observed_at"].timeSpec() == Qt.UTC and best["sighting_id"] == "nampo-june"
    # the output point is the sighting, in WGS 84
    assert best.geometry().asPoint().x() == pytest.approx(NAMPO[0]) and best["lat"] == pytest.approx(NAMPO[1])
    far = rows[JIN_HANG]
    assert far["spacetime_status"] == "elsewhere" and value(far, "rank") is None and far["total_score"] == 0
    assert "300 nm away" in far["reasons"]
    # profiles without AIS near the time: no data, ranked after the BAI MEI 8
    assert all(
        f["spacetime_status"] == "no data" and f["rank"] > 1 for m, f in rows.items() if m not in (BAI_MEI, JIN_HANG)
    )


def test_an_area_that_misses_the_sighting_excludes_the_dark_vessel(identify, sightings, gap):
    areas = area_layer(f"{BAI_MEI}-gap", "POLYGON((122 34, 124 34, 124 36, 122 36, 122 34))")
    result = run(identify, {"SIGHTINGS": sightings, "GAPS": gap, "AREAS": areas, "OUTPUT": "memory:"})
    best = next(f for f in result["OUTPUT"].getFeatures() if f["mmsi"] == BAI_MEI)
    assert best["spacetime_status"] == "elsewhere" and "outside its reachability area" in best["reasons"]


def test_profiles_from_a_layer_and_vessels_without_a_profile(identify, sightings, ais, gap):
    profiles = QgsVectorLayer(
        "None?field=mmsi:long&field=name:string&field=hatch_count:integer&field=hull_colour:string&field=source:string",
        "profiles",
        "memory",
    )
    feature = QgsFeature(profiles.fields())
    feature.setAttributes([JIN_HANG, "JIN HANG 71", 5, "red", "a photo"])
    profiles.dataProvider().addFeatures([feature])
    result = run(
        identify,
        {
            "SIGHTINGS": sightings,
            "PROFILES": profiles,
            "INPUT": ais,
            "GAPS": gap,
            "INCLUDE_UNPROFILED": True,
            "OUTPUT": "memory:",
        },
    )
    rows = sorted(result["OUTPUT"].getFeatures(), key=lambda f: (value(f, "rank") is None, value(f, "rank") or 0))
    assert [(f["mmsi"], value(f, "rank")) for f in rows] == [(BAI_MEI, 1), (JIN_HANG, None)]
    assert value(rows[0], "feature_score") is None and rows[0]["reasons"].startswith("no profile")
    assert rows[1]["feature_score"] == pytest.approx(2 / 3, abs=1e-4)


def test_a_bad_profile_value_is_a_clear_error(identify, sightings, tmp_path):
    csv_path = tmp_path / "profiles.csv"
    csv_path.write_text("mmsi,name,hatch_count\n1,X,4\n2,Y,many\n", encoding="utf-8")
    with pytest.raises(QgsProcessingException, match="profiles.csv, line 3, field hatch_count: expected a whole"):
        run(identify, {"SIGHTINGS": sightings, "PROFILES": str(csv_path), "OUTPUT": "memory:"})
    profiles = QgsVectorLayer("None?field=mmsi:long&field=name:string&field=hull_colour:string", "p", "memory")
    feature = QgsFeature(profiles.fields())
    feature.setAttributes([1, "X", "navy"])
    profiles.dataProvider().addFeatures([feature])
    with pytest.raises(QgsProcessingException, match="line 1, field hull_colour: expected one of black"):
        run(identify, {"SIGHTINGS": sightings, "PROFILES": profiles, "OUTPUT": "memory:"})


def test_the_algorithm_explains_its_scoring(identify):
    algorithm = QgsApplication.processingRegistry().algorithmById(identify)
    assert "Feature score" in algorithm.shortHelpString() and "dark and reachable" in algorithm.shortHelpString()
    for key in ("INPUT", "PROFILES", "GAPS", "AREAS"):
        assert algorithm.parameterDefinition(key).flags() & QgsProcessingParameterDefinition.FlagOptional
