"""The pyarrow reader reads a big plain CSV as two byte ranges at once (csv_arrow._split, _stream_ranges): the rows,
their order, the drops and the examples are those of one stream; files it cannot split safely are read as one."""

import threading

import numpy as np
import pytest

from bai_mei_plugin.core.ais import model
from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import Canceled

pytestmark = pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")

HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,VesselName,Draft"


def rows(n: int, odd_every: int = 0):
    out = []
    for i in range(n):
        mmsi = 413000000 + (i * 7919) % 37  # every vessel in both halves, so the sort joins them
        when = f"2020-06-{1 + i // 86400:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
        sog = "fast" if odd_every and i % odd_every == 0 else f"{i % 13}.5"
        out.append(f"{mmsi},{when},{30 + i % 90 / 100},{120 + i % 50 / 100},{sog},SHIP {mmsi % 37},{i % 9}")
    return out


@pytest.fixture
def split_small(monkeypatch):
    """Split files from 1 KB on, in small Arrow blocks, and count the reads that were split."""
    from bai_mei_plugin.core.ais import csv_arrow

    monkeypatch.setattr(csv_arrow, "SPLIT_BYTES", 1024)
    monkeypatch.setattr(csv_arrow, "BLOCK_SIZE", 4096)
    calls = []
    original = csv_arrow._stream_ranges

    def counted(*args, **kwargs):
        calls.append(args[3])  # the ranges
        return original(*args, **kwargs)

    monkeypatch.setattr(csv_arrow, "_stream_ranges", counted)
    return calls


def one_stream(path, monkeypatch):
    from bai_mei_plugin.core.ais import csv_arrow

    with monkeypatch.context() as patch:
        patch.setattr(csv_arrow, "SPLIT_BYTES", 1 << 60)
        return read_ais(path, backend="arrow")


def assert_same(a, b):
    assert a.rows_read == b.rows_read and a.rows_kept == b.rows_kept
    assert a.dropped == b.dropped and a.examples == b.examples
    for name in ("mmsi", "t", "lat", "lon", "sog", "draught"):
        np.testing.assert_array_equal(getattr(a.columns, name), getattr(b.columns, name))
    assert a.columns.vessel_name.to_list() == b.columns.vessel_name.to_list()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_split_read_equals_one_stream(write_file, split_small, monkeypatch, newline):
    lines = [HEADER, *rows(20_000)]
    # duplicates of (MMSI, time) in both halves: the first in the file must stay the one kept
    lines += [lines[5].replace(",30.", ",31."), lines[15_000]]
    path = write_file("big.csv", newline.join(lines) + newline)
    split = read_ais(path, backend="arrow")
    assert len(split_small) == 1 and len(split_small[0]) == 2
    (a, middle), (b, end) = split_small[0]
    text = open(path, "rb").read()
    assert text[middle - 1 : middle] == b"\n" and a == text.index(b"\n") + 1 and end == len(text)
    assert_same(split, one_stream(path, monkeypatch))
    assert split.rows_read == 20_002 and sum(split.dropped.values()) == 2


def test_odd_values_and_malformed_rows_in_both_halves(write_file, split_small, monkeypatch):
    lines = [HEADER, *rows(20_000, odd_every=997)]
    lines[3] += ",extra"  # a row with a field too many in each half
    lines[18_000] += ",extra"
    path = write_file("odd.csv", "\n".join(lines) + "\n")
    split = read_ais(path, backend="arrow")  # SOG "fast": the typed read fails, the raw-bytes read checks each value
    assert_same(split, one_stream(path, monkeypatch))
    assert split.dropped[model.MALFORMED] == 2


def test_a_bom_is_skipped_and_an_unsplittable_header_reads_as_one_stream(write_file, split_small, monkeypatch):
    body = "\n".join(rows(5_000)) + "\n"
    path = write_file("bom.csv", "\ufeff" + HEADER + "\n" + body)
    assert_same(read_ais(path, backend="arrow"), one_stream(path, monkeypatch))
    assert len(split_small) == 1
    quoted = write_file("quoted.csv", ",".join(f'"{h}"' for h in HEADER.split(",")) + "\n" + body)
    assert_same(read_ais(quoted, backend="arrow"), one_stream(quoted, monkeypatch))
    assert len(split_small) == 1  # the quoted header: not split


def test_cancel_stops_both_readers(write_file, split_small):
    path = write_file("cancel.csv", "\n".join([HEADER, *rows(30_000)]) + "\n")
    asked = []

    def is_canceled():
        asked.append(1)
        return True

    before = {t.name for t in threading.enumerate()}
    with pytest.raises(Canceled):
        read_ais(path, backend="arrow", is_canceled=is_canceled)
    assert asked
    assert not [t for t in threading.enumerate() if t.name.startswith("bai-mei-csv") and t.name not in before]


def test_progress_rises_to_the_end(write_file, split_small):
    path = write_file("progress.csv", "\n".join([HEADER, *rows(30_000)]) + "\n")
    seen = []
    read_ais(path, backend="arrow", progress=seen.append)
    assert all(0.0 <= f <= 1.0 for f in seen) and seen == sorted(seen)
