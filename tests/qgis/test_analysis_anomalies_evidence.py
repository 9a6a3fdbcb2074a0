"""The Analysis page's Anomalies run uses what cleaning set aside at load time: reports with an invalid MMSI (kept out
of the tracks) and conflicting duplicates (same MMSI and second, far apart) become anomalies, as in the Processing
algorithm."""

import pytest
from qgis.core import QgsProject

from tests.qgis.test_analysis_page import run
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)


@pytest.fixture
def evidence_csv(write_file, mc_rows):
    """A normal track, three reports under MMSI 0 and one report of the track's MMSI at an existing second 30 nm
    away (a shared or spoofed MMSI)."""
    rows = []
    for minute in range(0, 120, 10):
        rows.append(
            (
                412000003,
                f"2017-06-08T{18 + minute // 60:02d}:{minute % 60:02d}:00",
                35.0,
                122.0 + minute / 1500,
                9.0,
                90,
                "STEADY",
                7.0,
            )
        )
    rows.append((412000003, "2017-06-08T18:30:00", 35.5, 122.0, 9.0, 90, "STEADY", 7.0))  # 30 nm north, same second
    for minute in (0, 10, 20):
        rows.append((0, f"2017-06-08T18:{minute:02d}:00", 36.0, 123.0 + minute / 1000, 5.0, 90, "NOBODY", 3.0))
    rows.sort(key=lambda r: r[1])
    return write_file("evidence.csv", mc_rows(rows))


def test_anomalies_from_the_dock_include_invalid_mmsis_and_conflicting_duplicates(dock, qtbot, evidence_csv):
    load(dock, qtbot, evidence_csv)
    reports = dock.session.result.reports
    assert reports is not None and [bad.mmsi for bad in reports.invalid_mmsis] == [0]
    assert len(reports.conflicts) == 1
    page = dock.analysis.page
    run(dock, qtbot, page.anomaliesButton)
    layer = dock.session.extra["anomalies"]
    found = {(f["mmsi"], f["kind"]): f for f in layer.getFeatures()}
    assert (0, "invalid_mmsi") in found and found[(0, "invalid_mmsi")]["count"] == 3
    conflict = found[(412000003, "conflicting_duplicate")]
    assert conflict["distance_nm"] == pytest.approx(30.0, abs=0.5)
    assert "invalid_mmsi" in page.analysisLabel.text() and "conflicting_duplicate" in page.analysisLabel.text()
    group = QgsProject.instance().layerTreeRoot().findGroup("evidence.csv")
    assert "anomalies" in [node.layer().name() for node in group.findLayers()]
