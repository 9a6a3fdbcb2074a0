"""The pyarrow reader's columns are Arrow batches joined into numpy arrays once the file is read
(csv_arrow._Filled, _joined, _values_into): blanks become NaN or MISSING_TIME by the validity bitmap, slices
(arrays that start at an offset into their buffers) keep their own rows, and a file read in small blocks and in two
byte ranges gives exactly the values of the file."""

import numpy as np
import pytest

from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.model import MISSING_TIME

pytestmark = pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")


@pytest.fixture
def arrow():
    import pyarrow as pa

    from bai_mei_plugin.core.ais import csv_arrow

    return pa, csv_arrow


@pytest.mark.parametrize("offset", [0, 1, 3, 8, 13])
def test_values_into_fills_nulls_at_their_rows_in_a_slice(arrow, offset):
    pa, csv_arrow = arrow
    values = [None if i % 3 == 0 or i % 7 == 0 else i * 1.5 for i in range(40)]
    array = pa.array(values, pa.float64()).slice(offset, 20)
    out = np.full(20, 99.0)
    csv_arrow._values_into(array, np.nan, out)
    expected = np.array([np.nan if v is None else v for v in values[offset : offset + 20]])
    np.testing.assert_array_equal(out, expected)


def test_values_into_without_nulls_copies_the_values(arrow):
    pa, csv_arrow = arrow
    out = np.zeros(5, dtype=np.int32)
    csv_arrow._values_into(pa.array([4, 3, 2, 1, 0], pa.int32()).slice(0, 5), -1, out)
    assert out.tolist() == [4, 3, 2, 1, 0]


def test_joined_chunks_of_times_and_numbers(arrow):
    pa, csv_arrow = arrow
    times = [pa.array([0, None, 86400], pa.timestamp("s")), pa.array([], pa.timestamp("s"))]
    times.append(pa.array([None, 5, None, 7], pa.timestamp("s")).slice(1))
    joined = csv_arrow._joined(times, 6)
    assert joined.dtype == np.int64
    assert joined.tolist() == [0, MISSING_TIME, 86400, 5, MISSING_TIME, 7]
    assert times == []  # the chunks are let go once copied
    numbers = [pa.array([1.5, None], pa.float64()), pa.array([None, -2.0], pa.float64())]
    np.testing.assert_array_equal(csv_arrow._joined(numbers, 4), [1.5, np.nan, np.nan, -2.0])


def test_a_file_in_small_blocks_and_two_ranges_reads_every_value(arrow, tmp_path, monkeypatch):
    """Hundreds of batches, blanks in every numeric column and the time, joined across the two byte ranges."""
    _, csv_arrow = arrow
    from bai_mei_plugin.core.ais.reader import read_ais

    monkeypatch.setattr(csv_arrow, "SPLIT_BYTES", 1024)
    monkeypatch.setattr(csv_arrow, "BLOCK_SIZE", 2048)
    lines = ["MMSI,BaseDateTime,LAT,LON,SOG,Draft,VesselName"]
    expected = []
    for i in range(3000):
        mmsi = 413000000 + i % 11
        when = "" if i % 97 == 5 else f"2020-06-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
        sog = "" if i % 5 == 0 else f"{i % 20}.25"
        draught = "" if i % 3 == 0 else f"{1 + i % 9}.5"
        lines.append(f"{mmsi},{when},{20 + i % 50 / 100},{110 + i % 40 / 100},{sog},{draught},SHIP {i % 11}")
        if when:
            expected.append((mmsi, i, float(sog) if sog else None, float(draught) if draught else None))
    path = tmp_path / "blanks.csv"
    path.write_text("\n".join(lines) + "\n")
    result = read_ais(str(path), backend="arrow", time_window=None)
    expected.sort(key=lambda row: (row[0], row[1]))
    cols = result.columns
    start = 1590969600  # 2020-06-01T00:00:00Z
    assert [(int(m), int(t) - start) for m, t in zip(cols.mmsi, cols.t)] == [(r[0], r[1]) for r in expected]
    got_sog = [None if np.isnan(v) else float(v) for v in cols.sog]
    got_draught = [None if np.isnan(v) else float(v) for v in cols.draught]
    assert got_sog == [r[2] for r in expected]
    assert got_draught == [r[3] for r in expected]
    assert result.dropped  # the rows without a time, counted
