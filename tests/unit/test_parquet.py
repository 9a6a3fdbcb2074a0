"""Parquet / GeoParquet AIS: pyarrow, else GDAL's Parquet driver, else a message saying what to install (issue 16)."""

import os

import numpy as np
import pytest

from bai_mei_plugin.core.ais import parquet
from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.formats import AisFormat, detect
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "ais_formats")
needs_pyarrow = pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")
needs_gdal_parquet = pytest.mark.skipif(
    not parquet.have_gdal_parquet(), reason="this GDAL has no Parquet driver (Debian's GDAL is built without it)"
)


def fixture(name):
    return os.path.join(DATA, name)


def reference():
    return read_ais(fixture("AIS_2023_01_01.csv.gz"), backend="stdlib", time_window=None)


def same_reports(result):
    ref = reference()
    assert result.rows_read == result.rows_kept == 36
    np.testing.assert_array_equal(result.columns.mmsi, ref.columns.mmsi)
    np.testing.assert_array_equal(result.columns.t, ref.columns.t)
    np.testing.assert_allclose(result.columns.lat, ref.columns.lat)
    np.testing.assert_allclose(result.columns.lon, ref.columns.lon)
    np.testing.assert_allclose(result.columns.sog, ref.columns.sog)


@needs_pyarrow
def test_parquet_with_pyarrow():
    detection = detect(fixture("reports.parquet"))
    assert detection.format == AisFormat.PARQUET and detection.mapping.time_format == parquet.TIME_NATIVE
    result = read_ais(fixture("reports.parquet"), time_window=None)
    assert result.format_name == "Parquet"
    same_reports(result)
    assert result.columns.vessel_name.get(0) == "HUA YANG" and result.columns.imo.get(0) == "9187629"


@needs_pyarrow
def test_geoparquet_points_and_unix_times_with_pyarrow():
    detection = detect(fixture("reports_geo.parquet"))
    assert detection.mapping.get("lat") == detection.mapping.get("lon") == "geometry"
    assert detection.mapping.time_format == "unix" and detection.mapping.get("mmsi") == "ssvid"
    same_reports(read_ais(fixture("reports_geo.parquet"), time_window=None))


@needs_pyarrow
def test_parquet_in_a_folder_with_csv(tmp_path):
    import shutil

    shutil.copy(fixture("reports.parquet"), tmp_path / "a.parquet")
    shutil.copy(fixture("AIS_2024_01_01.zip"), tmp_path / "b.zip")
    result = read_ais(str(tmp_path), time_window=None)
    assert result.rows_read == 72 and result.rows_kept == 36
    assert result.format_name == "MARINECADASTRE+Parquet"


@needs_pyarrow
def test_damaged_parquet_is_named(tmp_path):
    data = open(fixture("reports.parquet"), "rb").read()
    path = tmp_path / "cut.parquet"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BaiMeiError, match="cut.parquet starts like a Parquet file but cannot be read"):
        read_ais(str(path))


def test_wkb_points_big_little_ewkb_and_not_points():
    import struct

    values = [
        struct.pack("<BIdd", 1, 1, 125.5, 38.5),
        struct.pack(">BIdd", 0, 1, 121.0, 39.0),
        struct.pack("<BIIdd", 1, 0x20000001, 4326, 10.0, 20.0),  # EWKB with SRID
        struct.pack("<BIddd", 1, 1001, 1.0, 2.0, 3.0),  # POINT Z
        struct.pack("<BII", 1, 2, 0) + b"\0" * 16,  # a LINESTRING: not a position
        None,
    ]
    x, y = parquet.wkb_points(values)
    assert x[:4].tolist() == [125.5, 121.0, 10.0, 1.0] and y[:4].tolist() == [38.5, 39.0, 20.0, 2.0]
    assert np.isnan(x[4]) and np.isnan(x[5])


@needs_gdal_parquet
def test_parquet_with_gdal(monkeypatch):
    monkeypatch.setattr(parquet, "have_pyarrow", lambda: False)
    same_reports(read_ais(fixture("reports.parquet"), time_window=None))
    same_reports(read_ais(fixture("reports_geo.parquet"), time_window=None))


def test_without_pyarrow_or_gdal_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setattr(parquet, "have_pyarrow", lambda: False)
    monkeypatch.setattr(parquet, "have_gdal_parquet", lambda: False)
    with pytest.raises(BaiMeiError) as err:
        read_ais(fixture("reports.parquet"))
    assert "pyarrow" in str(err.value) and "Parquet driver" in str(err.value)
