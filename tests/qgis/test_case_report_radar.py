"""The case report's "Seen on radar" section (qgis_io/case_report.py): present, with the scene, its time and the
counts, when the case holds the radar layers (baimei:detectvessels, baimei:matchdetections); absent otherwise; vessel
names (hostile data) printed literally in the PDF and escaped in the HTML; through baimei:exportcase as the export
dialog and the demo call it."""

from __future__ import annotations

import html
import shutil
import subprocess
from datetime import datetime, timezone

import processing
import pytest

from bai_mei_plugin.core.layer_kinds import DARK_DETECTIONS, SAR_DETECTIONS, SAR_MATCHES, UNSEEN_VESSELS
from bai_mei_plugin.core.sar_detect import SceneDetection
from bai_mei_plugin.core.sar_match import DarkCandidate, Match, VesselAt
from bai_mei_plugin.qgis_io.case_report import case_layers, radar_section
from bai_mei_plugin.qgis_io.records import at_lon_lat, records_layer
from tests.qgis.test_case_export import T0, H, areas, memory_layer, utc  # noqa: F401 (fixture)

HOSTILE = '<script>alert(1)</script> =HYPERLINK("http://x.example/?a=1","CLICK")'
SCENE = "S1_TEST_20170616T213000"
ACQUIRED = int(datetime(2017, 6, 16, 21, 30, tzinfo=timezone.utc).timestamp())


def detections():
    rows = [
        ("D1", 123.80, 38.90, 150.0, 40.0),
        ("D2", 123.85, 38.95, 95.0, 120.0),
        ("D3", 123.87, 38.87, 165.0, 82.0),
        ("D4", 123.95, 38.80, 70.0, 10.0),
    ]
    records = [SceneDetection(i, SCENE, ACQUIRED, n, n / 6, h, 5.0, 0.9, False, x, y) for i, x, y, n, h in rows]
    return records_layer(SAR_DETECTIONS, "radar detections", records, at_lon_lat)


def matches():
    records = [
        Match("D1", 412000001, HOSTILE, 120.4, 150.0, 160.0, 0.94, "interpolated", 123.80, 38.90),
        Match("D2", 412000002, "LU RONG YU 8858", 85.0, 95.0, None, None, "interpolated", 123.85, 38.95),
    ]
    return records_layer(SAR_MATCHES, "radar detections with AIS", records, at_lon_lat)


def dark():
    records = [
        DarkCandidate("D3", 165.0, 17000.0, "G1", "200000008", "BAI MEI 8", "20.5", 123.87, 38.87),
        DarkCandidate("D4", 70.0, 9000.0, "", "", "", "", 123.95, 38.80),
    ]
    return records_layer(DARK_DETECTIONS, "dark vessel candidates", records, at_lon_lat)


def unseen():
    return records_layer(
        UNSEEN_VESSELS, "not seen", [VesselAt(412000009, "SMALL ONE", 123.9, 38.9, "interpolated", 60)], at_lon_lat
    )


@pytest.fixture
def gaps():
    fields = [
        ("gap_id", "str"),
        ("mmsi", "int64"),
        ("vessel_name", "str"),
        ("off_time", "datetime"),
        ("on_time", "datetime"),
        ("gap_hours", "float"),
        ("draught_before", "float"),
        ("draught_after", "float"),
    ]
    row = (
        "LINESTRING (123 38.8, 125.3 38.7)",
        ["G1", 200000008, "BAI MEI 8", utc(T0 - H), utc(T0 + 72 * H), 73.0, 6.5, 11.5],
    )
    return memory_layer("LineString", "Dark gaps", fields, [row], "gaps")


def export(layers, folder):
    result = processing.run(
        "baimei:exportcase",
        {"LAYERS": layers, "FORMATS": [0], "FOLDER": str(folder), "NAME": "case", "REPORT": True, "MMSI": 200000008},
    )
    pdf, page = result["WRITTEN"].split(";")[-2:]
    return pdf, open(page, encoding="utf-8").read()


def pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is needed to read the report's text")
    run = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True)
    return "".join(run.stdout.split())  # a table cell may wrap anywhere


def test_radar_layers_are_recognised_by_their_fields_and_counted(gaps):
    layers = case_layers([gaps, detections(), matches(), dark(), unseen()])
    assert {"sar_detections", "sar_matches", "dark_detections", "unseen_vessels", "gaps"} <= set(layers)
    radar = radar_section(layers)
    assert (radar.detected, radar.matched, radar.dark, radar.unseen) == (4, 2, 2, 1)
    assert radar.scenes == [f"{SCENE} acquired 16 Jun 2017 21:30 UTC: 4 detection(s)"]
    first = radar.dark_rows[0]
    assert first == {
        "position": "38.870 N 123.870 E",
        "length": "165",
        "heading": "82",  # from the detection of the same id
        "gaps": "BAI MEI 8 (MMSI 200000008), 20.5 h",
    }
    assert radar.dark_rows[1]["gaps"] == "no dark gap of the case"
    assert radar.match_rows[1] == {
        "vessel": "LU RONG YU 8858",
        "mmsi": "412000002",
        "offset": "85",
        "radar_length": "95",
        "ais_length": "?",
    }
    assert radar_section(case_layers([gaps])) is None


def test_report_shows_what_the_radar_saw_with_names_as_they_are(provider, gaps, areas, tmp_path, qgis_new_project):  # noqa: F811
    pdf, page = export([gaps, areas, detections(), matches(), dark(), unseen()], tmp_path)
    assert "<h2 id='radar'>Seen on radar</h2>" in page
    assert (
        "Detected: 4; with AIS: 2; dark (no AIS explains them): 2; AIS vessels in the scene the radar did not see: 1."
        in page
    )
    assert f"{SCENE} acquired 16 Jun 2017 21:30 UTC" in page
    assert "<img alt='Radar detections' src='data:image/png;base64," in page
    assert "<td>BAI MEI 8 (MMSI 200000008), 20.5 h</td>" in page
    assert "<script>" not in page and f"<td>{html.escape(HOSTILE)}</td>" in page
    text = pdf_text(pdf)
    assert "Seenonradar" in text
    assert "Detected:4;withAIS:2;dark(noAISexplainsthem):2" in text
    assert "".join(HOSTILE.split()) in text  # printed as it is, not run as an expression or markup
    assert "BAIMEI8(MMSI200000008),20.5h" in text


def test_no_radar_section_without_radar_layers(provider, gaps, areas, tmp_path, qgis_new_project):  # noqa: F811
    pdf, page = export([gaps, areas], tmp_path)
    assert "Seen on radar" not in page and "Seenonradar" not in pdf_text(pdf)
