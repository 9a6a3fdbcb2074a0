"""Containers: zips of one or several files, gzip/bzip2/xz, folders and glob patterns read as one dataset; encrypted
zips and truncated streams refused with a message naming the file and the rows read (issue 16)."""

import gzip
import io
import os
import shutil
import zipfile

import numpy as np
import pytest

from bai_mei_plugin.core.ais import dataset
from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.formats import AisFormat, mapping_for
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.ais.source import inspect, split_member
from bai_mei_plugin.core.errors import BaiMeiError

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "ais_formats")
SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "ais")
ROWS = 36  # tests/data/ais_formats/generate.py: 3 vessels x 12 reports
BACKENDS = [
    pytest.param("arrow", marks=pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")),
    "stdlib",
]


def fixture(name):
    return os.path.join(DATA, name)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def reference():
    return read_ais(fixture("AIS_2023_01_01.csv.gz"), backend="stdlib", time_window=None)


def same_reports(a, b):
    np.testing.assert_array_equal(a.columns.mmsi, b.columns.mmsi)
    np.testing.assert_array_equal(a.columns.t, b.columns.t)
    np.testing.assert_allclose(a.columns.lat, b.columns.lat)
    np.testing.assert_allclose(a.columns.lon, b.columns.lon)


@pytest.mark.parametrize(
    "name", ["AIS_2023_01_01.zip", "AIS_2024_01_01.zip", "AIS_2023_01_01.csv.bz2", "AIS_2023_01_01.csv.xz"]
)
def test_marinecadastre_daily_files_in_every_container(name, backend):
    result = read_ais(fixture(name), backend=backend, time_window=None)
    assert result.format_name == "MARINECADASTRE"
    assert result.rows_read == result.rows_kept == ROWS
    same_reports(result, reference())


def test_dma_daily_zip_drops_the_non_vessels(backend):
    result = read_ais(fixture("aisdk-2018-06-01.zip"), backend=backend, time_window=None)
    assert result.format_name == "DMA"
    assert result.rows_read == ROWS + 3 and result.rows_kept == ROWS
    assert sum(result.dropped.values()) == 3
    same_reports(result, reference())


def test_zip_of_several_days_is_one_dataset_and_skips_resource_forks(backend):
    assert dataset.list_parts(fixture("two_days.zip")) == [
        fixture("two_days.zip") + "/day1.csv",
        fixture("two_days.zip") + "/day2.csv",
    ]
    result = read_ais(fixture("two_days.zip"), backend=backend, time_window=None)
    assert result.rows_read == result.rows_kept == ROWS
    same_reports(result, reference())
    assert any("day1.csv: 18 rows" in w for w in result.warnings)


def test_zip_member_path_names_one_member():
    path = fixture("two_days.zip") + "/day2.csv"
    assert split_member(path) == (fixture("two_days.zip"), "day2.csv")
    info = inspect(path)
    assert info.name == "day2.csv" and info.archive == fixture("two_days.zip")
    assert read_ais(path, time_window=None).rows_read == 18
    with pytest.raises(BaiMeiError, match="holds no member 'day3.csv'.*day1.csv"):
        inspect(fixture("two_days.zip") + "/day3.csv")


def test_a_month_of_daily_files_in_a_folder_and_by_pattern(tmp_path, backend):
    """30 daily gzip files (one vessel moving a little each day) read as one month, by folder and by glob."""
    header = "MMSI,BaseDateTime,LAT,LON,SOG"
    for day in range(1, 31):
        rows = [
            f"412000001,2023-01-{day:02d}T{h:02d}:00:00,{30 + day / 100:.2f},{120 + h / 100:.2f},10" for h in range(24)
        ]
        (tmp_path / f"AIS_2023_01_{day:02d}.csv.gz").write_bytes(
            gzip.compress(("\n".join([header, *rows]) + "\n").encode())
        )
    (tmp_path / "README.pdf").write_bytes(b"%PDF-1.4")  # not an AIS file: ignored in a folder
    by_folder = read_ais(str(tmp_path), backend=backend)
    by_glob = read_ais(str(tmp_path / "AIS_2023_01_*.csv.gz"), backend=backend)
    for result in (by_folder, by_glob):
        assert result.rows_read == result.rows_kept == 30 * 24
        assert np.all(np.diff(result.columns.t) == 3600)
        assert result.warnings[0].strip() == "Read 30 files as one dataset:"
    detection = mapping_for(str(tmp_path), AisFormat.AUTO)
    assert len(detection.parts) == 30 and detection.notes[0].startswith("30 files read as one dataset")


def test_folder_of_zips_expands_each_zip(tmp_path):
    shutil.copy(fixture("two_days.zip"), tmp_path / "a.zip")
    shutil.copy(fixture("AIS_2024_01_01.zip"), tmp_path / "b.zip")
    parts = dataset.list_parts(str(tmp_path))
    assert [os.path.relpath(p, tmp_path) for p in parts] == ["a.zip/day1.csv", "a.zip/day2.csv", "b.zip"]
    result = read_ais(str(tmp_path), time_window=None)
    assert result.rows_read == 2 * ROWS and result.rows_kept == ROWS  # b repeats a's reports: duplicates dropped


def test_pattern_and_folder_without_files_say_so(tmp_path):
    with pytest.raises(BaiMeiError, match=r"No file matches .*\*\.zip"):
        read_ais(str(tmp_path / "AIS_2099_*.zip"))
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(BaiMeiError, match="is a folder with no AIS files in it.*notes.pdf"):
        read_ais(str(tmp_path))


def test_errors_in_one_file_of_a_dataset_name_that_file(tmp_path):
    shutil.copy(fixture("AIS_2023_01_01.csv.gz"), tmp_path / "day1.csv.gz")
    (tmp_path / "day2.csv").write_text("MMSI,BaseDateTime,LAT,LON\n412000001,yesterday,1,2\n")
    with pytest.raises(BaiMeiError) as err:
        read_ais(str(tmp_path))
    assert "day2.csv" in str(err.value) and "'yesterday'" in str(err.value)


def test_encrypted_zip_is_named_with_what_to_do():
    with pytest.raises(BaiMeiError) as err:
        read_ais(fixture("encrypted.zip"))
    message = str(err.value)
    assert "encrypted.zip is an encrypted (password-protected) zip" in message
    assert "AIS_2023_01_01.csv" in message and "Extract it with the password" in message


def test_encrypted_member_of_a_several_file_zip(tmp_path):
    text = "MMSI,BaseDateTime,LAT,LON\n412000001,2023-01-01T00:00:00,30,120\n"
    data = bytearray(zipfile_bytes({"a.csv": text, "b.csv": text}))
    at = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)  # the second member's central directory entry
    data[at + 8] |= 0x01
    path = tmp_path / "month.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(BaiMeiError, match="encrypted .*member b.csv"):
        read_ais(str(path))


def zipfile_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_truncated_gzip_says_how_far_it_got(tmp_path, backend):
    header = "MMSI,BaseDateTime,LAT,LON,SOG\n"
    rows = "".join(
        f"41200{i % 1000:04d},2023-01-01T00:{i % 60:02d}:{i % 59:02d},30.{i % 97},120.{i % 89},10\n"
        for i in range(200000)
    )
    packed = gzip.compress((header + rows).encode())
    path = tmp_path / "AIS_2023_01_01.csv.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    with pytest.raises(BaiMeiError) as err:
        read_ais(str(path), backend=backend)
    message = str(err.value)
    assert "AIS_2023_01_01.csv.gz is a damaged gzip file (truncated or corrupt)" in message
    assert "reading stopped after" in message and " rows" in message and "Nothing was loaded" in message
    rows_read = int(message.split("reading stopped after ")[1].split(" rows")[0].replace(",", ""))
    assert 0 < rows_read < 200000


def test_no_extraction_to_disk(monkeypatch):
    """Members are streamed: nothing may call zipfile's extract."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a member was extracted to disk")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    assert read_ais(fixture("two_days.zip"), time_window=None).rows_kept == ROWS


@pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/data/ais (real samples) is absent in this checkout")
def test_real_samples_zipped_like_their_publishers(tmp_path):
    """The real MarineCadastre and DMA samples zipped as they are published (one CSV per daily zip) read exactly as
    the CSVs themselves."""
    for name, member, zip_name in (
        ("marinecadastre_sample.csv", "AIS_2020_06_01.csv", "AIS_2020_06_01.zip"),
        ("dma_aisdk_sample.csv", "aisdk-2018-06-01.csv", "aisdk-2018-06-01.zip"),
    ):
        source = os.path.join(SHARED, name)
        with zipfile.ZipFile(tmp_path / zip_name, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(source, member)
        plain = read_ais(source, time_window=None)
        zipped = read_ais(str(tmp_path / zip_name), time_window=None)
        assert zipped.rows_read == plain.rows_read and zipped.dropped == plain.dropped
        same_reports(zipped, plain)
