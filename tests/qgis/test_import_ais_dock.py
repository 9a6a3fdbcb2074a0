"""The dock's Tracks page on the new inputs of issue 16: file filters, a folder of daily files, a zip, JSON Lines,
and a Qt-style time pattern typed in the column form."""

import os
import shutil

import pytest
from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtWidgets import QFileDialog

from bai_mei_plugin.gui import tracks_panel
from bai_mei_plugin.gui.dock import BaiMeiDock

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "ais_formats")


@pytest.fixture
def dock(qgis_iface, qgis_new_project, qtbot):
    qgis_iface.messageBar().clear_messages()
    QgsSettings().remove("bai_mei")
    widget = BaiMeiDock(qgis_iface, project=QgsProject.instance())
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.unload()


def loaded(dock, qtbot):
    """Waits for the load, then for the tasks it starts (the gaps' scoring) so none outlives the test."""
    qtbot.waitUntil(lambda: dock.tracks.task is None, timeout=30000)
    qtbot.waitUntil(lambda: QgsApplication.taskManager().countActiveTasks() == 0, timeout=30000)


def load(dock, qtbot, path):
    dock.fileRadio.setChecked(True)
    dock.fileWidget.setFilePath(path)
    dock.loadButton.click()
    loaded(dock, qtbot)


def test_file_dialog_offers_the_new_kinds(dock):
    assert dock.fileWidget.filter() == tracks_panel.FILE_FILTER
    for pattern in ("*.jsonl", "*.ndjson", "*.parquet", "*.zip", "*.gz", "*.bz2", "*.xz", "*.tsv"):
        assert pattern in tracks_panel.FILE_FILTER.split(";;")[0]


def test_folder_button_loads_a_month_as_one_dataset(dock, qtbot, tmp_path, monkeypatch):
    shutil.copy(os.path.join(DATA, "two_days.zip"), tmp_path / "AIS_2021_07_20.zip")
    shutil.copy(os.path.join(DATA, "gfw.jsonl"), tmp_path / "gfw_2021_07_20.jsonl")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(tmp_path))
    dock.folderButton.click()
    assert dock.fileWidget.filePath() == str(tmp_path)
    assert "3 files read as one dataset" in dock.formatLabel.text()
    dock.loadButton.click()
    loaded(dock, qtbot)
    assert "74 rows read, 36 kept" in dock.summaryLabel.text()  # 36 + 38: the JSON Lines repeat the zip's reports
    assert QgsProject.instance().layerTreeRoot().findGroup(os.path.basename(str(tmp_path))) is not None


@pytest.mark.parametrize("name", ["aisdk-2018-06-01.zip", "satellite.ndjson.gz", "semicolon_bom.csv"])
def test_new_formats_load_from_the_dock(dock, qtbot, name):
    load(dock, qtbot, os.path.join(DATA, name))
    assert "36 kept" in dock.summaryLabel.text()
    assert len(dock.session.vessels) == 3


def test_qt_time_pattern_typed_in_the_column_form(dock, qtbot, write_file):
    path = write_file(
        "minutes.csv", "mmsi;time;lat;lon\n412000001;01/03/2021 10:22;38,5;125\n412000001;02/03/2021 10:22;38,6;125\n"
    )
    dock.fileWidget.setFilePath(path)
    assert dock.mappingGroup.isVisible()  # 01/03 or 03/01: the form opens for the analyst to say
    dock.timeFormatCombo.setCurrentText("dd/MM/yyyy hh:mm")
    dock.loadButton.click()
    loaded(dock, qtbot)
    assert "2 rows read, 2 kept" in dock.summaryLabel.text()
