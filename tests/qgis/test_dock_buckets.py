"""The dock's Tracks page on a month of files that does not fit in memory: the load task reads them into buckets on
disk (core/ais/buckets.py), the gaps table shows the one-pass gaps, and Cancel during the spill leaves no bucket
folder and adds nothing."""

import os
import tempfile

import pytest
from qgis.core import Qgis, QgsApplication, QgsProject, QgsSettings

from bai_mei_plugin.core.ais import buckets, memory
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.gap_engine import LOADED, BucketedGapEngine, InMemoryGapEngine, ReportsLocation
from bai_mei_plugin.core.gaps import GAP_FIELDS
from bai_mei_plugin.gui.dock import BaiMeiDock


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """Two "days" of the benchmark's generator (different seeds: different vessels), one gzipped."""
    import gzip

    from tests.bench.generate import write_csv

    folder = tmp_path_factory.mktemp("month") / "june"
    folder.mkdir()
    write_csv(folder / "AIS_2020_06_01.csv", 60_000, seed=1)
    write_csv(folder / "day2.csv", 60_000, seed=2)
    with open(folder / "day2.csv", "rb") as plain, gzip.open(folder / "AIS_2020_06_02.csv.gz", "wb") as packed:
        packed.write(plain.read())
    os.remove(folder / "day2.csv")
    return str(folder)


@pytest.fixture
def dock(qgis_iface, qgis_new_project, qtbot, monkeypatch):
    qgis_iface.messageBar().clear_messages()
    QgsSettings().remove("bai_mei")
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (24 << 20, "free"))  # 120,000 rows need ~80 MB
    widget = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.unload()


def bucket_folders() -> set:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith(buckets.FOLDER_PREFIX)}


def test_a_month_too_big_for_memory_loads_from_the_dock_in_buckets(dock, qtbot, month, qgis_iface):
    before = bucket_folders()
    dock.fileRadio.setChecked(True)
    dock.fileWidget.setFilePath(month)
    dock.loadButton.click()
    qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=120000)
    qtbot.waitUntil(lambda: QgsApplication.taskManager().countActiveTasks() == 0, timeout=60000)

    criteria = dock.tracks.criteria_source()  # the Gaps page's criteria the load used
    reports = read_ais(month, fields=GAP_FIELDS, check_memory=False)
    expected = InMemoryGapEngine(reports, ReportsLocation(LOADED, "x", "x")).find_gaps(criteria)
    result = dock.session.result
    assert result is not None
    assert sorted(g.gap_id for g in result.found.gaps) == sorted(g.gap_id for g in expected.gaps)
    assert len(expected.gaps) > 10
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert f"{reports.rows_kept:,} kept" in dock.summaryLabel.text()
    assert isinstance(result.engine, BucketedGapEngine)
    assert result.read_counts.summary_lines()[-1].startswith("  Read in ")
    assert "buckets on disk because june needs" in result.read_counts.summary_lines()[-1]
    assert result.read_counts.summary_lines()[:-1] == reports.summary_lines()
    assert result.gaps_layer.featureCount() == len(expected.gaps)
    assert bucket_folders() - before  # kept by the engine, to find the gaps again with other criteria


def test_cancel_while_spilling_leaves_no_bucket_folder_and_adds_nothing(dock, qtbot, month, qgis_iface):
    before = bucket_folders()
    groups = len(QgsProject.instance().layerTreeRoot().findGroups())
    dock.fileRadio.setChecked(True)
    dock.fileWidget.setFilePath(month)
    dock.loadButton.click()
    qtbot.waitUntil(lambda: bool(bucket_folders() - before), timeout=60000)  # the spill has begun
    dock.cancelButton.click()
    qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=10000)  # a bound only a hang breaks
    assert any("was cancelled; nothing was added" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))
    assert not bucket_folders() - before
    assert len(QgsProject.instance().layerTreeRoot().findGroups()) == groups
