"""baimei:importais on the new inputs of issue 16: containers, folders and patterns, JSON Lines, Parquet, ';' CSVs,
Qt time patterns, and a QGIS point layer as INPUT."""

import os
import shutil

import processing
import pytest
from qgis.core import (
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, Qt, QVariant

from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.formats import FORMAT_LABELS, AisFormat

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "ais_formats")


def fixture(name):
    return os.path.join(DATA, name)


def run(params, log=None):
    feedback = QgsProcessingFeedback()
    if log is not None:
        feedback.pushInfo = log.append
    return processing.run("baimei:importais", {"OUTPUT": "memory:", **params}, feedback=feedback)


def test_format_enum_offers_the_new_formats(provider):
    alg = provider.algorithm("importais")
    options = alg.parameterDefinition("FORMAT").options()
    assert options[AisFormat.JSONL] == FORMAT_LABELS[AisFormat.JSONL]
    assert options[AisFormat.PARQUET] == FORMAT_LABELS[AisFormat.PARQUET]
    help_text = alg.shortHelpString()
    assert "glob pattern" in help_text and "JSON Lines" in help_text and "dd/MM/yyyy hh:mm" in help_text


@pytest.mark.parametrize(
    "name",
    [
        "AIS_2023_01_01.zip",
        "AIS_2024_01_01.zip",
        "aisdk-2018-06-01.zip",
        "two_days.zip",
        "AIS_2023_01_01.csv.xz",
        "semicolon_bom.csv",
        "tab_compact.tsv",
        "pipe_offsets.csv",
        "gfw.jsonl",
        "satellite.ndjson.gz",
        pytest.param("reports.parquet", marks=pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is absent")),
        pytest.param("reports_geo.parquet", marks=pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is absent")),
    ],
)
def test_every_new_kind_of_file_imports(provider, name):
    result = run({"INPUT": fixture(name)})
    assert result["ROWS_KEPT"] == 36
    layer = result["OUTPUT"]
    assert layer.featureCount() == 36
    first = min(layer.getFeatures(), key=lambda f: (f["mmsi"], f["timestamp"]))
    assert first["mmsi"] == 412000001
    assert first["timestamp"].toUTC() == QDateTime.fromString("2021-07-20T18:00:00Z", Qt.ISODate)


def test_folder_and_glob_of_daily_files(provider, tmp_path):
    shutil.copy(fixture("two_days.zip"), tmp_path / "AIS_2023_01_01.zip")
    shutil.copy(fixture("AIS_2023_01_01.csv.gz"), tmp_path / "AIS_2023_01_02.csv.gz")
    log = []
    by_folder = run({"INPUT": str(tmp_path)}, log)
    assert by_folder["ROWS_READ"] == 72 and by_folder["ROWS_KEPT"] == 36  # the second day repeats the first
    assert any("Read 3 files as one dataset" in line for line in log)
    assert run({"INPUT": str(tmp_path / "AIS_2023_01_0*")})["ROWS_READ"] == 72


def test_time_format_in_qt_style(provider, write_file):
    path = write_file("minutes.csv", "mmsi;time;lat;lon\n412000001;01/03/2021 10:22;38,5;125\n")
    result = run({"INPUT": path, "TIME_FORMAT": "dd/MM/yyyy hh:mm"})
    feature = next(result["OUTPUT"].getFeatures())
    assert feature["timestamp"].toUTC() == QDateTime.fromString("2021-03-01T10:22:00Z", Qt.ISODate)
    assert feature.geometry().asPoint().y() == 38.5


def test_encrypted_zip_and_bad_input_are_processing_errors(provider, tmp_path):
    with pytest.raises(QgsProcessingException, match="encrypted"):
        run({"INPUT": fixture("encrypted.zip")})
    with pytest.raises(QgsProcessingException, match="missing.csv not found"):
        run({"INPUT": str(tmp_path / "missing.csv")})


def point_layer(mmsi_name="mmsi", time_name="timestamp"):
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "ais points", "memory")
    layer.dataProvider().addAttributes([QgsField(mmsi_name, QVariant.LongLong), QgsField(time_name, QVariant.DateTime)])
    layer.updateFields()
    features = []
    for k in range(3):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([412000001, QDateTime.fromString(f"2021-07-20T18:{10 * k:02d}:00Z", Qt.ISODate)])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(125.1 + k / 100, 38.6)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def test_a_point_layer_as_input(provider):
    """Issue 16: metadata.txt promised a point layer; detectgaps took one, importais refused it."""
    layer = point_layer()
    result = run({"INPUT": layer})
    assert result["ROWS_KEPT"] == 3
    points = sorted(f.geometry().asPoint().x() for f in result["OUTPUT"].getFeatures())
    assert points == pytest.approx([125.1, 125.11, 125.12])


def test_a_project_layer_by_id_with_fields_matched_by_name(provider):
    layer = point_layer("ssvid", "t")
    QgsProject.instance().addMapLayer(layer)
    try:
        assert run({"INPUT": layer.id()})["ROWS_KEPT"] == 3
        assert run({"INPUT": layer, "MMSI_FIELD": "ssvid", "TIME_FIELD": "t"})["ROWS_KEPT"] == 3
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


def test_a_geopackage_path_is_read_as_a_layer(provider, tmp_path):
    path = str(tmp_path / "tracks.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    error = QgsVectorFileWriter.writeAsVectorFormatV2(
        point_layer(), path, QgsProject.instance().transformContext(), options
    )
    assert error[0] == QgsVectorFileWriter.NoError
    assert run({"INPUT": path})["ROWS_KEPT"] == 3
