"""baimei:portvisits, baimei:encounters and baimei:anomalies on a hand-made traffic file, through Processing."""

import processing
import pytest
from qgis.core import (
    NULL,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt


def stamp(minutes):
    return f"2020-06-01T{minutes // 60:02d}:{minutes % 60:02d}:00"


@pytest.fixture
def traffic(provider, write_file, mc_rows):
    """A port call, two ships drifting together at sea, an impossible jump and a change of name."""
    rows = []
    for m in range(0, 190, 10):  # 367000011 lies at Testport for 3 h, then sails east
        rows.append((367000011, stamp(m), 29.0, -89.0, 0.1, 90, "PORTER", 8.0))
    for m in range(190, 300, 10):
        rows.append((367000011, stamp(m), 29.0, -89.0 + (m - 180) * 0.003, 10.0, 90, "PORTER", 8.0))
    for m in range(0, 250, 10):  # 367000021 and 367000022 drift ~290 m apart, far from any port, for 4 h
        rows.append((367000021, stamp(m), 28.0, -86.0, 0.5, 0, "MOTHER", 12.0))
        rows.append((367000022, stamp(m), 28.0, -86.003, 0.4, 0, "FEEDER", 5.0))
    rows.append((367000031, stamp(0), 27.0, -85.0, 10.0, 90, "JUMPER", 7.0))  # 260 nm in 10 min
    for m in range(10, 60, 10):
        rows.append((367000031, stamp(m), 27.0, -80.0 + m * 0.0005, 10.0, 90, "JUMPER", 7.0))
    for m in range(0, 130, 10):  # 367000041 renames itself after an hour
        rows.append((367000041, stamp(m), 26.0, -84.0 + m * 0.003, 10.0, 90, "ALPHA" if m < 70 else "BRAVO", 7.0))
    rows.sort(key=lambda r: r[1])
    path = write_file("traffic.csv", mc_rows(rows))
    return processing.run("baimei:importais", {"INPUT": path, "OUTPUT": "memory:"})["OUTPUT"]


@pytest.fixture
def testport():
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string&field=locode:string", "ports", "memory")
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(-89.0, 29.0)))
    feature.setAttributes(["Testport", "USTST"])
    layer.dataProvider().addFeatures([feature])
    return layer


def run(algorithm, params):
    return processing.run(algorithm, params, feedback=QgsProcessingFeedback())


def test_port_visits_finds_the_call_with_times_and_stops(traffic, testport):
    result = run(
        "baimei:portvisits",
        {"INPUT": traffic, "PORTS": testport, "OUTPUT_VISITS": "memory:", "OUTPUT_STOPS": "memory:"},
    )
    assert result["VISIT_COUNT"] == 1
    visit = next(result["OUTPUT_VISITS"].getFeatures())
    assert visit["mmsi"] == 367000011 and visit["port_name"] == "Testport" and visit["locode"] == "USTST"
    assert visit["arrival"].timeSpec() == Qt.UTC and visit["arrival"].toString(Qt.ISODate) == "2020-06-01T00:00:00Z"
    assert visit["hours"] == pytest.approx(3.0, abs=0.2)
    stops = {f["mmsi"] for f in result["OUTPUT_STOPS"].getFeatures()}
    assert {367000011, 367000021, 367000022} <= stops  # the drifting pair stopped too, far from the port


def test_port_visits_with_port_outlines_in_another_crs(traffic):
    """A polygon ports layer (in Web Mercator): a stop counts by the outline, however far from its centre."""
    layer = QgsVectorLayer("Polygon?crs=EPSG:3857&field=name:string&field=locode:string", "harbours", "memory")
    outlines = (
        ("Drift harbour", "USDRF", "POLYGON((-86.01 27.99, -85.6 27.99, -85.6 28.01, -86.01 28.01, -86.01 27.99))"),
        ("Far harbour", "USFAR", "POLYGON((-70.1 20, -70 20, -70 20.1, -70.1 20.1, -70.1 20))"),
    )
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), layer.crs(), QgsProject.instance())
    features = []
    for name, locode, wkt in outlines:
        feature = QgsFeature(layer.fields())
        geometry = QgsGeometry.fromWkt(wkt)
        geometry.transform(transform)
        feature.setGeometry(geometry)
        feature.setAttributes([name, locode])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    result = run(
        "baimei:portvisits", {"INPUT": traffic, "PORTS": layer, "OUTPUT_VISITS": "memory:", "OUTPUT_STOPS": "memory:"}
    )
    visits = {(f["mmsi"], f["port_name"]) for f in result["OUTPUT_VISITS"].getFeatures()}
    # the drifting pair lie inside the outline, ~20 km from its centre; Testport is not in this layer
    assert visits == {(367000021, "Drift harbour"), (367000022, "Drift harbour")}
    stops = {f["mmsi"]: f for f in result["OUTPUT_STOPS"].getFeatures()}
    assert stops[367000021]["port_distance_km"] == 0.0 and stops[367000011]["near_port"] == NULL


def test_encounters_pairs_the_drifting_ships_only(traffic, testport):
    result = run("baimei:encounters", {"INPUT": traffic, "PORTS": testport, "OUTPUT": "memory:"})
    assert result["ENCOUNTER_COUNT"] == 1
    encounter = next(result["OUTPUT"].getFeatures())
    assert (encounter["mmsi_1"], encounter["mmsi_2"]) == (367000021, 367000022)
    assert encounter["vessel_name_1"] == "MOTHER" and encounter["hours"] >= 3.5
    assert 250 < encounter["median_distance_m"] < 350
    closer = run("baimei:encounters", {"INPUT": traffic, "PORTS": testport, "MAX_DISTANCE_M": 100, "OUTPUT": "memory:"})
    assert closer["ENCOUNTER_COUNT"] == 0


def test_anomalies_name_the_jump_and_the_renaming(traffic):
    result = run("baimei:anomalies", {"INPUT": traffic, "OUTPUT": "memory:"})
    found = {(f["mmsi"], f["kind"]): f for f in result["OUTPUT"].getFeatures()}
    jump = found[(367000031, "jump")]
    assert jump["speed_kn"] > 1000 and "nm" in jump["evidence"]
    assert jump["time"].toString(Qt.ISODate) == "2020-06-01T00:10:00Z"
    rename = found[(367000041, "name_change")]
    assert (rename["before"], rename["after"]) == ("ALPHA", "BRAVO")
    assert not any(mmsi == 367000021 and kind == "jump" for mmsi, kind in found)
    assert result["ANOMALY_COUNT"] == result["OUTPUT"].featureCount()


def test_anomalies_flag_mismatch_from_a_flags_table(traffic):
    flags = QgsVectorLayer("None?field=mmsi:long&field=flag:string", "flags", "memory")
    rows = []
    for mmsi, flag in ((367000011, "US"), (367000021, "PA")):  # MID 367 is the United States
        feature = QgsFeature(flags.fields())
        feature.setAttributes([mmsi, flag])
        rows.append(feature)
    flags.dataProvider().addFeatures(rows)
    result = run("baimei:anomalies", {"INPUT": traffic, "FLAGS": flags, "OUTPUT": "memory:"})
    mismatched = {f["mmsi"] for f in result["OUTPUT"].getFeatures() if f["kind"] == "flag_mismatch"}
    assert mismatched == {367000021}


def test_anomalies_report_what_reading_set_aside():
    """MMSI 0 and a same-second report 100 nm away are left out of the reports, and still shown as anomalies."""
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=mmsi:long&field=timestamp:string", "reports", "memory")
    rows = [(367000051, stamp(m), -84.0 + m * 0.003, 26.0) for m in range(0, 60, 10)]
    rows += [(367000051, stamp(30), -84.0, 27.0 + 40 / 60), (0, stamp(5), -85.0, 25.0), (0, stamp(15), -85.1, 25.0)]
    features = []
    for mmsi, time, lon, lat in rows:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        feature.setAttributes([mmsi, time])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    result = run("baimei:anomalies", {"INPUT": layer, "OUTPUT": "memory:"})
    found = {(f["mmsi"], f["kind"]): f for f in result["OUTPUT"].getFeatures()}
    assert set(found) == {(0, "invalid_mmsi"), (367000051, "conflicting_duplicate")}
    invalid = found[(0, "invalid_mmsi")]
    assert invalid["count"] == 2 and invalid.geometry().asPoint() == QgsPointXY(-85.0, 25.0)
    conflict = found[(367000051, "conflicting_duplicate")]
    assert conflict["count"] == 1 and conflict["distance_nm"] == pytest.approx(100.0, abs=0.5)
    assert f"{conflict['distance_nm']:,.1f} nm apart" in conflict["evidence"]
