"""The demo's SYNTHETIC Sentinel-1 scene (demo/sar_scene.py write_demo_scene) made from the demo's own scenario: it
holds fishing vessels that report AIS and the dark Bai Mei 8, and the analyst's chain (baimei:importais,
detectgaps, gapreachability, detectvessels, matchdetections) matches the first by MMSI and names the Bai Mei 8's
June gap for the second, as `make demo` prints it."""

from __future__ import annotations

import math

import numpy as np
import processing
import pytest
from qgis.core import QgsVectorLayer

from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.footprints import parse_rfc3339
from bai_mei_plugin.demo import scenario
from bai_mei_plugin.demo.sar_scene import DEMO_ACQUIRED, DEMO_DARK, write_demo_scene

BAI_MEI = scenario.BAI_MEI_MMSI


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The scenario, the demo scene made from it and the AIS of the vessels the scene shows plus the Bai Mei 8's."""
    folder = tmp_path_factory.mktemp("demo_radar")
    csv_path = folder / "scenario.csv"
    scenario.generate_scenario(str(csv_path))
    reports = read_ais(str(csv_path)).columns
    scene, planted = write_demo_scene(str(folder), reports)
    shown = {s.mmsi for s in planted if s.mmsi} | {BAI_MEI}
    subset = folder / "subset.csv"  # the import of 1.3 M reports is the demo's job; these vessels are enough here
    with open(csv_path, encoding="utf-8") as source, open(subset, "w", encoding="utf-8") as out:
        out.write(next(source))
        out.writelines(line for line in source if int(line.split(",", 3)[2]) in shown)
    return folder, reports, scene, planted, str(subset)


def gpkg_uri(gpkg, name):
    return f"ogr:dbname='{gpkg}' table=\"{name}\" (geom)"


def features(layer_or_path):
    layer = layer_or_path if isinstance(layer_or_path, QgsVectorLayer) else QgsVectorLayer(layer_or_path, "x", "ogr")
    return list(layer.getFeatures())


def test_the_scene_holds_two_ais_vessels_and_the_dark_bai_mei_8_on_its_own_track(demo):
    _folder, _reports, _scene, planted, _subset = demo
    ais = [s for s in planted if s.mmsi]
    dark = [s for s in planted if not s.mmsi]
    assert len(ais) >= 2, f"the scene holds {len(ais)} AIS-reporting vessel(s): {[s.name for s in ais]}"
    assert len(dark) == 1
    assert all(150 <= s.col <= 2850 and 150 <= s.row <= 2850 for s in planted)  # clear of the edges
    # the dark ship is where the scenario's own (unreported) track of the Bai Mei 8 is at the scene's time
    vessels, _rng, _graph = scenario.build_vessels()
    track = next(v for v in vessels if v.mmsi == BAI_MEI).track
    at = parse_rfc3339(DEMO_ACQUIRED)
    lon, lat = np.interp(at, track.kt, track.klon), np.interp(at, track.kt, track.klat)
    off_km = math.hypot((lon - DEMO_DARK.lon) * 111.32 * math.cos(math.radians(lat)), (lat - DEMO_DARK.lat) * 110.6)
    assert off_km < 0.2


def test_matching_finds_the_ais_vessels_by_mmsi_and_the_bai_mei_8_in_its_gap(demo, provider):
    folder, _reports, scene, planted, subset = demo
    gpkg = str(folder / "radar.gpkg")
    processing.run("baimei:importais", {"INPUT": subset, "OUTPUT": gpkg_uri(gpkg, "points")})
    processing.run(
        "baimei:detectgaps",
        {
            "INPUT": f"{gpkg}|layername=points",
            "OUTPUT_GAPS": gpkg_uri(gpkg, "gaps"),
            "OUTPUT_TRACKS": gpkg_uri(gpkg, "tracks"),
        },
    )
    processing.run(
        "baimei:gapreachability",
        {
            "GAPS": f"{gpkg}|layername=gaps",
            "INPUT": f"{gpkg}|layername=points",
            "OUTPUT_AREAS": gpkg_uri(gpkg, "reach_areas"),
            "OUTPUT_VISITS": "memory:",
        },
    )
    found = processing.run("baimei:detectvessels", {"INPUT": scene, "OUTPUT": gpkg_uri(gpkg, "sar_detections")})
    assert found["DETECTION_COUNT"] == len(planted)
    result = processing.run(
        "baimei:matchdetections",
        {
            "DETECTIONS": f"{gpkg}|layername=sar_detections",
            "INPUT": f"{gpkg}|layername=points",
            "FOOTPRINT": scene,
            "GAPS": f"{gpkg}|layername=gaps",
            "AREAS": f"{gpkg}|layername=reach_areas",
            "OUTPUT_MATCHED": "memory:",
            "OUTPUT_DARK": "memory:",
            "OUTPUT_UNSEEN": "memory:",
        },
    )
    matched = features(result["OUTPUT_MATCHED"])
    assert sorted(f["mmsi"] for f in matched) == sorted(s.mmsi for s in planted if s.mmsi)
    assert all(f["offset_m"] < 300 for f in matched)
    dark = features(result["OUTPUT_DARK"])
    assert len(dark) == 1 and result["DARK_COUNT"] == 1
    where = dark[0].geometry().asPoint()
    assert abs(where.x() - DEMO_DARK.lon) < 0.003 and abs(where.y() - DEMO_DARK.lat) < 0.003
    assert dark[0]["mmsis"] == str(BAI_MEI) and dark[0]["vessel_names"] == scenario.BAI_MEI_NAME
    assert dark[0]["gap_ids"].startswith(f"{BAI_MEI}-20170615T")
    assert 9.0 < float(dark[0]["hours_into_gap"]) < 11.0  # AIS off at 11:30, the scene at 21:30
    assert features(result["OUTPUT_UNSEEN"]) == []
