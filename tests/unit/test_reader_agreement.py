"""Both CSV backends (pyarrow and the standard library) read the same rows the same way, by one table of rules
(core/ais/columns.py: NUMBER_PATTERN, BLANK_PATTERN, mmsi_from_numbers)."""

import numpy as np
import pytest

from bai_mei_plugin.core.ais import model
from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError

pytestmark = pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed: only one backend to compare")

HEADER = "mmsi,timestamp,lat,lon,sog"
GOOD = "413000001,2020-06-01T12:00:00,30.5,120.5,10"
KEPT = "kept"

# (column, text, expected): the value replaces one field of a good row; expected is KEPT, KEPT with a value, or the
# reason the row is dropped.
CASES = [
    ("mmsi", "413000002", (KEPT, 413000002)),
    ("mmsi", "4.13e8", (KEPT, 413000000)),
    ("mmsi", "413000002.0", (KEPT, 413000002)),
    ("mmsi", " 413000002 ", (KEPT, 413000002)),
    ("mmsi", "+413000002", (KEPT, 413000002)),
    ("mmsi", "-413000002", model.INVALID_MMSI),
    ("mmsi", "0", model.INVALID_MMSI),
    ("mmsi", "", model.MISSING_ID_TIME),
    ("mmsi", "NULL", model.MISSING_ID_TIME),
    ("mmsi", "   ", model.MISSING_ID_TIME),
    ("mmsi", "\\N", model.MISSING_ID_TIME),
    ("mmsi", "3.5", model.UNPARSEABLE),
    ("mmsi", "abc", model.UNPARSEABLE),
    ("mmsi", "1e400", model.UNPARSEABLE),
    ("mmsi", "inf", model.UNPARSEABLE),
    ("mmsi", "1_000", model.UNPARSEABLE),
    ("mmsi", "0x10", model.UNPARSEABLE),
    ("mmsi", "\u0663\u0661\u0663", model.UNPARSEABLE),  # Arabic-Indic digits: float() reads them, CSV readers don't
    ("mmsi", str(2**53), model.UNPARSEABLE),
    ("mmsi", str(2**53 - 1), model.INVALID_MMSI),  # read exactly, then too many digits,
    ("lat", ".5", (KEPT, 0.5)),
    ("lat", "5.", (KEPT, 5.0)),
    ("lat", "-3.5e1", (KEPT, -35.0)),
    ("lat", "inf", model.UNPARSEABLE),
    ("lat", "-Infinity", model.UNPARSEABLE),
    ("lat", "1e400", model.UNPARSEABLE),
    ("lat", "1_0", model.UNPARSEABLE),
    ("lat", "  ", model.BAD_POSITION),  # blank: missing, so no position
    ("lat", "NaN", model.BAD_POSITION),
    ("lat", "91", model.BAD_POSITION),
    ("sog", "inf", (KEPT, None)),  # an optional column: the value becomes NULL, the row stays
    ("sog", "fast", (KEPT, None)),
    ("sog", " 12.5 ", (KEPT, 12.5)),
    ("timestamp", "2020-06-01T12:00:05Z", (KEPT, 1591012805)),
    ("timestamp", "2020-06-01 12:00:05", (KEPT, 1591012805)),
    ("timestamp", "   ", model.MISSING_ID_TIME),
    ("timestamp", "yesterday", model.UNPARSEABLE),
    ("timestamp", "0001-01-01T00:00:00", model.TIME_OUT_OF_RANGE),
    ("timestamp", "9999-12-31T23:59:59", model.TIME_OUT_OF_RANGE),
]
COLUMN = {name: i for i, name in enumerate(HEADER.split(","))}


def case_row(column: str, text: str, number: int = 0) -> str:
    """A good row with ``text`` in ``column``; ``number`` gives it an MMSI and time of its own."""
    mmsi, time = (
        (f"4130{number:05d}", f"2020-06-01T13:{number // 60:02d}:{number % 60:02d}")
        if number
        else ("413000009", "2020-06-01T12:00:05")
    )
    fields = [mmsi, time, "30.5", "120.5", "10"]
    fields[COLUMN[column]] = text
    return ",".join(fields)


def outcome(result, column: str):
    """What became of the case row: (KEPT, its value) or the reason it was dropped."""
    if result.rows_kept == 1:
        return next(reason for reason, count in result.dropped.items() if count)
    cols = result.columns
    index = int(np.flatnonzero(cols.mmsi != 413000001)[0]) if column == "mmsi" else 1
    value = {"mmsi": cols.mmsi, "lat": cols.lat, "sog": cols.sog, "timestamp": cols.t}[column][index]
    if column == "sog" and np.isnan(value):
        return KEPT, None
    return KEPT, value.item()


@pytest.mark.parametrize("column,text,expected", CASES, ids=[f"{c}={t!r}" for c, t, _ in CASES])
def test_each_value_read_the_same_by_both_backends(write_file, column, text, expected):
    # Alone in its file, so that the pyarrow backend's typed fast path sees it (one odd value sends the whole file
    # to the checked path, which the combined test below covers).
    path = write_file("case.csv", f"{HEADER}\n{GOOD}\n{case_row(column, text)}\n")
    results = {backend: read_ais(path, backend=backend) for backend in ("arrow", "stdlib")}
    found = {backend: outcome(result, column) for backend, result in results.items()}
    assert found["arrow"] == found["stdlib"] == expected
    assert results["arrow"].dropped == results["stdlib"].dropped


def test_all_values_in_one_file_read_the_same(write_file):
    rows = [GOOD] + [case_row(column, text, i) for i, (column, text, _) in enumerate(CASES, 100)]
    path = write_file("all.csv", "\n".join([HEADER, *rows]) + "\n")
    arrow, stdlib = read_ais(path, backend="arrow"), read_ais(path, backend="stdlib")
    assert arrow.dropped == stdlib.dropped
    assert arrow.rows_kept == stdlib.rows_kept == 1 + sum(isinstance(e, tuple) for _, _, e in CASES)
    for name in ("mmsi", "t", "lat", "lon", "sog"):
        np.testing.assert_array_equal(getattr(arrow.columns, name), getattr(stdlib.columns, name))
    assert arrow.summary_lines()[1:] == stdlib.summary_lines()[1:]


def test_quoted_line_breaks_are_read_by_pyarrow_too(write_file, monkeypatch):
    from bai_mei_plugin.core.ais import csv_arrow

    # Arrow splits a file into blocks at line breaks; small blocks make a quoted line break cross a block boundary,
    # as the 8 MB blocks do in a big file.
    monkeypatch.setattr(csv_arrow, "BLOCK_SIZE", 4096)
    rows = [
        f'{413000000 + i % 7},2020-06-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d},30.5,120.5,"NAME\n{i}"'
        for i in range(3000)
    ]
    path = write_file("names.csv", "mmsi,timestamp,lat,lon,name\n" + "\n".join(rows) + "\n")
    arrow, stdlib = read_ais(path, backend="arrow"), read_ais(path, backend="stdlib")
    assert arrow.rows_kept == stdlib.rows_kept == 3000
    assert arrow.columns.vessel_name.to_list() == stdlib.columns.vessel_name.to_list()
    assert "NAME\n2999" in arrow.columns.vessel_name.values
    assert any("line breaks inside quoted values" in line for line in arrow.summary_lines())
    assert not any("newlines_in_values" in line for line in arrow.summary_lines())


def test_no_backend_raises_on_the_odd_values(write_file):
    for column, text, _ in CASES:
        path = write_file("alone.csv", f"{HEADER}\n{case_row(column, text)}\n")
        for backend in ("arrow", "stdlib"):
            try:
                read_ais(path, backend=backend)
            except BaiMeiError as exc:  # a file whose only row is dropped: a message, not a crash
                # (when its only time is unreadable, the message names the time format tried and the value)
                assert "No usable AIS reports" in str(exc) or "could be read with the time format" in str(exc)


def test_many_small_blocks_and_growing_columns_read_the_same(write_file, monkeypatch):
    from bai_mei_plugin.core.ais import csv_arrow

    # The pyarrow reader copies each block into numpy columns sized from the file size and grown when full: with
    # 4 KB blocks and short rows (fewer bytes a row than it guesses) every path of that runs many times. The odd
    # values of CASES are scattered through it, so bad rows fall in many blocks.
    monkeypatch.setattr(csv_arrow, "BLOCK_SIZE", 4096)
    rows, odd = [], iter(enumerate(CASES * 20))
    for i in range(20_000):
        if i % 23 == 0 and (case := next(odd, None)) is not None:
            rows.append(case_row(case[1][0], case[1][1], 100 + case[0]))
        else:
            when = f"2020-06-0{2 + i // 14400}T{i // 600 % 24:02d}:{i // 10 % 60:02d}:{i % 10 * 6:02d}"
            rows.append(f"{413000000 + i % 11},{when},{30 + i % 90 / 100},{120 + i % 50 / 100},{i % 9}")
    path = write_file("blocks.csv", "\n".join([HEADER, *rows]) + "\n")
    arrow, stdlib = read_ais(path, backend="arrow"), read_ais(path, backend="stdlib")
    assert arrow.rows_kept == stdlib.rows_kept and arrow.rows_kept > 19_000
    assert arrow.dropped == stdlib.dropped and sum(arrow.dropped.values()) > 100
    for name in ("mmsi", "t", "lat", "lon", "sog"):
        np.testing.assert_array_equal(getattr(arrow.columns, name), getattr(stdlib.columns, name))
    assert arrow.summary_lines()[1:] == stdlib.summary_lines()[1:]
