"""baimei:detectgaps on a CSV layer whose file does not fit in memory: read into buckets on disk, the same gaps as
the one-pass engine, the reason in the log, no tracks."""

import os
import tempfile

import processing
from qgis.core import QgsProcessingFeedback, QgsVectorLayer

from bai_mei_plugin.core.ais import buckets, memory
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.gap_engine import LOADED, InMemoryGapEngine, ReportsLocation
from bai_mei_plugin.core.gaps import GAP_FIELDS, GapCriteria


class Log(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):  # noqa: N802 (QGIS's name)
        self.lines.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.lines.append(warning)
        super().pushWarning(warning)


def test_detectgaps_reads_a_csv_layer_too_big_for_memory_in_buckets(provider, tmp_path, monkeypatch):
    from tests.bench.generate import write_csv

    path = tmp_path / "AIS_2020_06_01.csv"
    write_csv(path, 60_000)
    layer = QgsVectorLayer(
        f"file://{path}?type=csv&delimiter=,&xField=LON&yField=LAT&crs=EPSG:4326&detectTypes=no", "ais", "delimitedtext"
    )
    assert layer.isValid()
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (20 << 20, "free"))  # 60,000 rows need about 39 MB
    before = set(os.listdir(tempfile.gettempdir()))
    log = Log()
    result = processing.run(
        "baimei:detectgaps",
        {
            "INPUT": layer,
            "MMSI_FIELD": "MMSI",
            "TIME_FIELD": "BaseDateTime",
            "PRESET": 0,
            "MIN_GAP_HOURS": 2.0,
            "OUTPUT_GAPS": "memory:",
            "OUTPUT_TRACKS": "memory:",
        },
        feedback=log,
    )
    reports = read_ais(str(path), fields=GAP_FIELDS, check_memory=False)
    expected = InMemoryGapEngine(reports, ReportsLocation(LOADED, "x", "x")).find_gaps(GapCriteria(min_gap_hours=2.0))
    assert len(expected.gaps) > 10
    assert result["GAP_COUNT"] == len(expected.gaps)
    gaps = result["OUTPUT_GAPS"]
    assert sorted(f["gap_id"] for f in gaps.getFeatures()) == sorted(g.gap_id for g in expected.gaps)
    assert result["OUTPUT_TRACKS"].featureCount() == 0
    assert any(
        line.startswith("  Read in ") and "buckets on disk because AIS_2020_06_01.csv" in line for line in log.lines
    )
    assert any("Tracks were not drawn" in line for line in log.lines)
    assert not [
        name for name in set(os.listdir(tempfile.gettempdir())) - before if name.startswith(buckets.FOLDER_PREFIX)
    ]
