"""Files that are not what an AIS reader expects: each gets a message naming the file and what to do, never a
traceback, a hang or binary garbage."""

import bz2
import gzip
import lzma
import os
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from bai_mei_plugin.core.ais import model
from bai_mei_plugin.core.ais.clean import EARLIEST_TIME
from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.formats import detect
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError

BACKENDS = [
    pytest.param("arrow", marks=pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")),
    "stdlib",
]
ROWS = [
    (367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 90, "ALPHA", 9.1),
    (367000001, "2020-06-01T12:01:00", 30.6, -91.4, 10.5, 90, "ALPHA", ""),
    (367000002, "2020-06-01T12:00:30", 29.0, -90.0, 0.0, 200, "SÉVERINE", ""),
]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def mc_text(mc_rows):
    return mc_rows(ROWS)


def assert_plain(message: str) -> None:
    """A message for a person: printable, no replacement characters standing for binary bytes."""
    assert all(c.isprintable() for c in message), repr(message)
    assert "\ufffd" not in message


def expect_error(path, match, **kwargs) -> str:
    with pytest.raises(BaiMeiError) as err:
        read_ais(path, **kwargs)
    message = str(err.value)
    assert os.path.basename(path) in message, message
    assert match in message, message
    assert_plain(message)
    return message


# --- encodings --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding,bom",
    [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""), ("utf-8", b"\xef\xbb\xbf")],
)
def test_utf16_and_bom_files_are_read_like_utf8(write_file, mc_text, backend, encoding, bom):
    path = write_file("wide.csv", bom + mc_text.encode(encoding))
    result = read_ais(path, backend=backend)
    assert result.rows_kept == 3 and result.format_name == "MARINECADASTRE"
    assert result.columns.vessel_name.to_list()[-1] == "SÉVERINE"
    assert result.columns.lat.tolist() == [30.5, 30.6, 29.0]


def test_utf32_is_named_with_what_to_do(write_file, mc_text):
    path = write_file("wider.csv", b"\xff\xfe\x00\x00" + mc_text.encode("utf-32-le"))
    message = expect_error(path, "UTF-32")
    assert "save it as UTF-8" in message


def test_latin1_names_do_not_crash(write_file, mc_text, backend):
    path = write_file("latin1.csv", mc_text.encode("latin-1"))
    result = read_ais(path, backend=backend)
    assert result.rows_kept == 3
    assert result.columns.vessel_name.to_list()[-1] == "S\ufffdVERINE"


# --- compression and binary ----------------------------------------------------------------------------------


def _zip(text: bytes, names=("ais.csv",)) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, text)
    return buffer.getvalue()


COMPRESSORS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress, "zip": _zip}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_csv_is_read_as_a_stream(write_file, mc_text, backend, suffix):
    plain = read_ais(write_file("plain.csv", mc_text), backend=backend)
    path = write_file(f"AIS_2020.csv.{suffix}", COMPRESSORS[suffix](mc_text.encode()))
    result = read_ais(path, backend=backend)
    assert result.rows_kept == plain.rows_kept == 3
    np.testing.assert_array_equal(result.columns.t, plain.columns.t)
    assert result.columns.vessel_name.to_list() == plain.columns.vessel_name.to_list()


def test_compressed_utf16_is_read(write_file, mc_text, backend):
    path = write_file("wide.csv.gz", gzip.compress(b"\xff\xfe" + mc_text.encode("utf-16-le")))
    assert read_ais(path, backend=backend).rows_kept == 3


def test_compressed_nmea_is_read(write_file):
    log = (Path(__file__).parent / "data" / "nmea" / "tagblocks_static.nmea").read_bytes()
    plain = read_ais(write_file("log.nmea", log))
    path = write_file("log.nmea.gz", gzip.compress(log))
    assert detect(path).format.name == "NMEA"
    result = read_ais(path)
    assert result.rows_read == plain.rows_read and result.rows_kept == plain.rows_kept > 0
    np.testing.assert_array_equal(result.columns.mmsi, plain.columns.mmsi)


def test_zip_with_several_files_is_one_dataset(write_file, mc_text):
    """Issue 16: a zip of several CSVs is read as one dataset (the copies' rows are duplicates, dropped once)."""
    path = write_file("month.zip", _zip(mc_text.encode(), ("a.csv", "b.csv")))
    result = read_ais(path)
    assert result.rows_read == 2 * len(ROWS) and result.rows_kept == len(ROWS)
    assert any("a.csv" in w for w in result.warnings) and any("b.csv" in w for w in result.warnings)


def test_damaged_gzip_says_so(write_file, mc_text, backend):
    packed = gzip.compress((mc_text * 2000).encode())
    path = write_file("cut.csv.gz", packed[: len(packed) // 2])
    expect_error(path, "damaged gzip", backend=backend)


@pytest.mark.parametrize(
    "content,kind",
    [
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(range(256)) * 4, "7-Zip archive"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
        (b"PAR1" + bytes(range(256)) * 4, "Parquet"),
        (bytes(np.random.default_rng(1).integers(0, 256, 70000, dtype=np.uint8)), "binary file"),
        (
            gzip.compress(bytes(np.random.default_rng(2).integers(0, 256, 70000, dtype=np.uint8))),
            "gzip-compressed binary",
        ),
    ],
)
def test_binary_files_are_named_not_printed(write_file, content, kind):
    path = write_file("AIS_2023.csv", content)
    message = expect_error(path, kind)
    assert "Unrecognised AIS header" not in message


def test_unknown_header_never_prints_control_characters(write_file):
    path = write_file("odd.csv", b"foo\x01\x02,bar\xff,plenty,of,ordinary,column,names\n1,2,3,4,5,6,7,8\n")
    message = expect_error(path, "Unrecognised AIS header")
    assert "foo??" in message


# --- not regular files ------------------------------------------------------------------------------------------


def _within(seconds, function):
    """function()'s exception, failing the test if it has not returned within ``seconds`` (a FIFO open blocks)."""
    outcome = {}

    def run():
        try:
            function()
        except BaseException as exc:  # noqa: BLE001 (handed to the test thread)
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "reading blocked"
    return outcome.get("error")


def test_fifo_is_refused_before_opening(tmp_path):
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    error = _within(10, lambda: read_ais(str(fifo)))
    assert isinstance(error, BaiMeiError)
    assert "named pipe (FIFO)" in str(error) and "feed.csv" in str(error)


def test_fifo_is_refused_by_the_nmea_reader_too(tmp_path):
    from bai_mei_plugin.core.ais.nmea import read_nmea

    fifo = tmp_path / "feed.nmea"
    os.mkfifo(fifo)
    error = _within(10, lambda: read_nmea(str(fifo)))
    assert isinstance(error, BaiMeiError) and "named pipe" in str(error)


@pytest.mark.parametrize("make,kind", [(lambda tmp: str(tmp), "a folder"), (lambda tmp: "/dev/zero", "a device")])
def test_folder_and_device_are_refused(tmp_path, make, kind):
    path = make(tmp_path)
    error = _within(10, lambda: read_ais(path))
    assert isinstance(error, BaiMeiError) and kind in str(error) and path in str(error)


# --- sizes of lines and fields ---------------------------------------------------------------------------------


def test_one_huge_line_is_not_called_empty(write_file):
    path = write_file("blob.csv", b"x" * (3 * 1024 * 1024))
    message = expect_error(path, "no line break")
    assert "3.1 MB" in message and "not an AIS file" in message


def test_field_over_the_csv_limit_names_the_line(write_file, mc_text, backend):
    lines = mc_text.splitlines()
    lines.insert(2, lines[1].replace("ALPHA", '"' + "N" * (200 * 1024) + '"'))
    path = write_file("wide_field.csv", "\n".join(lines) + "\n")
    if backend == "stdlib":
        message = expect_error(path, "line 3 of wide_field.csv", backend=backend)
        assert "KiB" in message and "quote" in message
    else:  # pyarrow has no field limit: the row is read (its long name is just a name)
        assert read_ais(path, backend=backend).rows_read == 4


def test_unclosed_quote_names_the_line_where_it_opens(write_file, mc_text, backend):
    lines = mc_text.splitlines()
    lines[2] = lines[2].replace("ALPHA", '"ALPHA')
    filler = [lines[1].replace("12:00:00", f"13:{i // 60 % 60:02d}:{i % 60:02d}") for i in range(4000)]
    path = write_file("quote.csv", "\n".join(lines + filler) + "\n")
    message = expect_error(path, "line 3 (read on to line", backend=backend)
    assert "never closed" in message


# --- implausible times ------------------------------------------------------------------------------------------


def test_times_outside_the_window_are_dropped_and_counted(write_file, mc_rows, backend):
    path = write_file(
        "years.csv",
        mc_rows(
            [
                (367000001, "0001-01-01T00:00:00", 30.5, -91.5, 10.0, 90, "A", ""),
                (367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 90, "A", ""),
                (367000001, "9999-12-31T23:59:59", 30.5, -91.5, 10.0, 90, "A", ""),
                (367000001, "1989-12-31T23:59:59", 30.5, -91.5, 10.0, 90, "A", ""),
            ]
        ),
    )
    result = read_ais(path, backend=backend)
    assert result.rows_kept == 1 and result.dropped[model.TIME_OUT_OF_RANGE] == 3
    assert result.columns.t.min() >= EARLIEST_TIME
    summary = "\n".join(result.summary_lines())
    assert "dropped 3: time outside the plausible window" in summary and "1990-01-01 – 20" in summary
    assert "0001-01-01T00:00:00 is outside" in summary
    wide = read_ais(path, backend=backend, time_window=None)
    assert wide.rows_kept == 4
    narrow = read_ais(path, backend=backend, time_window=(0, 1600000000))
    assert narrow.rows_kept == 2 and narrow.dropped[model.TIME_OUT_OF_RANGE] == 2


def test_unix_times_too_large_for_int64_are_unparseable(write_file, backend):
    path = write_file(
        "unix.csv", "mmsi,timestamp,lat,lon\n413000001,1497846600,1,1\n413000002,1e300,1,1\n413000003,inf,1,1\n"
    )
    result = read_ais(path, backend=backend, time_format="unix")
    assert result.rows_kept == 1 and result.dropped[model.UNPARSEABLE] == 2
