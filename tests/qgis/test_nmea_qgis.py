"""NMEA in QGIS (issue 16): baimei:importais on a plain .nmea file and on the same file gzip-compressed as .nmea.gz
gives the features core read_ais keeps, with the same MMSIs; the dock's Tracks page loads the .nmea.gz as it loads
the plain file (same vessels, gaps and points).

Files: the project's fixture (tests/unit/data/nmea/tagblocks_static.nmea), every real recording with receive times in
../shared/data/nmea (skipped, naming the folder, when it is absent), and a voyage written here with
tests/nmea_encode.py (tag-blocked sentences: one vessel with a 10-hour gap, one reporting steadily).
"""

import gzip
import os
import shutil
from pathlib import Path

import processing
import pytest
from qgis.core import QgsApplication, QgsProcessingFeedback, QgsProject

from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.qgis_io.time_window import plausible_time_window
from tests import nmea_encode as enc
from tests.qgis.test_import_ais_dock import dock  # noqa: F401 (the panel fixture of the input tests)

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "unit" / "data" / "nmea" / "tagblocks_static.nmea"
SHARED = HERE.parents[1].parent / "shared" / "data" / "nmea"  # beside the checkout, as test_nmea_oracle.py finds it
# The real recordings with receive times (gpsd's sample has none: every report would be dropped).
SHARED_NAMES = ("amsa_tagblock_timestamped.nmea", "exactearth_multisentence.nmea", "libais_typeexamples.nmea")
T0 = 1709251200  # 2024-03-01T00:00:00Z


def shared(name):
    return pytest.param(
        SHARED / name,
        id=name,
        marks=pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent (real NMEA samples not present)"),
    )


def voyage(path: Path) -> Path:
    """273000001: positions every 10 min for 3 h, silent 10 h, then 2 h more, and its two-sentence type 5;
    412000002: a position every 15 min for 5 h. Sorted by time, tag-blocked as a receiver writes them."""
    lines = []
    for minute in [*range(0, 180, 10), *range(13 * 60, 15 * 60, 10)]:
        payload, fill = enc.position(273000001, 56.0 + minute / 1000, 26.0, 11.5, 90.0, 90)
        lines.append((T0 + 60 * minute, enc.tagged(enc.sentences(payload, fill)[0], T0 + 60 * minute, "rQ1")))
    for minute in range(0, 300, 15):
        payload, fill = enc.position(412000002, 55.0, 25.5 + minute / 1000, 5.0, 0.0, 0, kind=18)
        lines.append((T0 + 60 * minute + 1, enc.tagged(enc.sentences(payload, fill)[0], T0 + 60 * minute + 1, "rQ1")))
    payload, fill = enc.static5(273000001, 9123456, "UBCD7", "SHADOW TANKER", 80, 12.5, "NAKHODKA")
    parts = enc.sentences(payload, fill, seq="1")
    for k, sentence in enumerate(parts, 1):
        lines.append((T0 + 30, enc.tagged(sentence, T0 + 30, "rQ1", f"{k}-{len(parts)}-7")))
    lines.sort(key=lambda item: item[0])
    path.write_text("".join(line + "\n" for _, line in lines), encoding="ascii")
    return path


def plain_and_gz(source: Path, folder: Path) -> tuple:
    """``source`` copied as a plain .nmea file and gzip-compressed as .nmea.gz."""
    stem = source.name.rsplit(".", 1)[0]
    plain = folder / f"{stem}.nmea"
    shutil.copyfile(source, plain)
    packed = folder / f"{stem}.nmea.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    return plain, packed


def run(path: Path):
    log = []
    feedback = QgsProcessingFeedback()
    feedback.pushInfo = log.append
    result = processing.run("baimei:importais", {"INPUT": str(path), "OUTPUT": "memory:"}, feedback=feedback)
    return result, log


@pytest.mark.parametrize("source", [FIXTURE, "voyage", *map(shared, SHARED_NAMES)], ids=lambda p: Path(p).name)
def test_importais_reads_plain_and_gzip_nmea_as_core_does(provider, tmp_path, source):
    if source == "voyage":
        source = voyage(tmp_path / "voyage.src")
    if not Path(source).is_file():
        pytest.skip(f"{source} is absent")
    outputs = {}
    for path in plain_and_gz(Path(source), tmp_path):
        core = read_ais(str(path), time_window=plausible_time_window())
        result, log = run(path)
        layer = result["OUTPUT"]
        assert "Format: NMEA" in log
        assert layer.featureCount() == core.rows_kept == result["ROWS_KEPT"] > 0
        assert (result["ROWS_READ"], result["ROWS_DROPPED"]) == (core.rows_read, core.rows_dropped)
        mmsis = sorted(int(f["mmsi"]) for f in layer.getFeatures())
        assert mmsis == sorted(core.columns.mmsi.tolist())
        outputs[path.name.endswith(".gz")] = (layer.featureCount(), mmsis, result["ROWS_READ"])
    assert outputs[True] == outputs[False]  # the .nmea.gz gives exactly what the plain file gives


def test_importais_reports_a_truncated_nmea_gz_without_a_traceback(provider, tmp_path):
    lines = "".join(
        f"{enc.tagged(enc.sentences(*enc.position(273000001, 56, 26))[0], T0 + i)}\n" for i in range(90_000)
    )
    packed = gzip.compress(lines.encode())
    path = tmp_path / "cut.nmea.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(Exception) as err:  # QgsProcessingException, carrying the reader's message
        run(path)
    message = str(err.value)
    assert "cut.nmea.gz is a damaged gzip file (truncated or corrupt)" in message
    assert "reading stopped after" in message and "AIVDM/AIVDO sentences" in message


# --- the dock's Tracks page ----------------------------------------------------------------------------------------


def load(dock, qtbot, path: Path) -> dict:
    """Loads ``path`` with points shown; what the dock then shows."""
    dock.fileRadio.setChecked(True)
    dock.pointsCheck.setChecked(True)
    dock.fileWidget.setFilePath(str(path))
    assert "NMEA" in dock.formatLabel.text()
    dock.loadButton.click()
    qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=30000)
    qtbot.waitUntil(lambda: QgsApplication.taskManager().countActiveTasks() == 0, timeout=30000)
    session = dock.session
    assert session.result is not None, dock.summaryLabel.text()
    gaps = sorted((int(f["mmsi"]), round(float(f["gap_hours"]), 6)) for f in session.gaps_layer.getFeatures())
    return {
        "summary": dock.summaryLabel.text().split("</b>: ", 1)[-1],  # without the file's name
        "vessels": dock.vessels.proxy.rowCount(),
        "gap rows": dock.gaps.proxy.rowCount(),
        "gaps": gaps,
        "points": session.result.points_layer.featureCount(),
        "kept": session.result.reports.rows_kept,
    }


def test_dock_loads_nmea_gz_as_the_plain_file(dock, qtbot, tmp_path):
    plain, packed = plain_and_gz(voyage(tmp_path / "voyage.src"), tmp_path)
    shown = load(dock, qtbot, plain)
    assert shown["vessels"] == 2 and shown["gap rows"] == 1
    assert shown["gaps"] == [(273000001, pytest.approx(10 + 10 / 60))]  # silent from 02:50 to 13:00
    assert shown["points"] == shown["kept"] == 50  # 18 + 12 positions of the first vessel, 20 of the second
    assert "50 rows read, 50 kept, 0 dropped; 2 vessels, 1 gaps" in shown["summary"]
    again = load(dock, qtbot, packed)
    assert again == shown
    assert QgsProject.instance().layerTreeRoot().findGroup(os.path.basename(str(packed))) is not None
