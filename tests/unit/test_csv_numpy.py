"""The numpy CSV backend (core/ais/csv_numpy.py, for QGIS without pyarrow): the existing CSV-reader behaviour cases
run again with backend="numpy", and its result equals the standard library reader's on the repository's fixtures and
on messy files, both where it reads the file itself and where it hands the file to the standard library reader."""

import inspect
import os

import numpy as np
import pytest

from bai_mei_plugin.core.ais import memory, reader
from bai_mei_plugin.core.ais.formats import AisFormat, read_head
from bai_mei_plugin.core.ais.model import NUMERIC_FIELDS
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.ais.source import inspect as inspect_source
from bai_mei_plugin.core.errors import BaiMeiError
from tests.support import SHARED_DATA
from tests.unit import test_csv_dialects, test_csv_readers, test_hostile_files, test_reader_agreement
from tests.unit.test_hostile_files import mc_text  # noqa: F401 (a fixture of the hostile-file cases collected below)

FALLBACK = "read with the standard library reader"
TEXT_FIELDS = ("vessel_name", "imo", "callsign", "vessel_type", "destination")
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "ais_formats")
HEADER = "mmsi,timestamp,lat,lon,sog,name"


@pytest.fixture
def backend():
    """Every reader test collected below runs with the numpy backend (they take ``backend`` as a fixture)."""
    return "numpy"


# The behaviour cases of the CSV reader tests, collected here again so that they run with this module's backend.
# Not the 200 KiB quoted field: it expects pyarrow's reading of it, and the numpy reader hands quoted files to the
# stdlib reader (test_rows_the_csv_module_refuses_get_its_message_naming_the_line below: the stdlib reader's message).
NOT_COLLECTED = {"test_field_over_the_csv_limit_names_the_line"}
for _module in (test_csv_readers, test_hostile_files, test_csv_dialects):
    for _name, _test in list(vars(_module).items()):
        if _name in NOT_COLLECTED:
            continue
        if _name.startswith("test_") and "backend" in inspect.signature(_test).parameters:
            globals()[f"test_{_module.__name__.rsplit('.', 1)[1][5:]}__{_name[5:]}"] = _test


def assert_same_read(path, **kwargs):
    """numpy and stdlib read ``path`` alike: rows, drops, examples, every column. Returns the numpy result."""
    fast, stdlib = read_ais(path, backend="numpy", **kwargs), read_ais(path, backend="stdlib", **kwargs)
    assert fast.rows_read == stdlib.rows_read
    assert fast.dropped == stdlib.dropped
    assert fast.examples == stdlib.examples
    np.testing.assert_array_equal(fast.columns.mmsi, stdlib.columns.mmsi)
    np.testing.assert_array_equal(fast.columns.t, stdlib.columns.t)
    for name in NUMERIC_FIELDS:
        np.testing.assert_array_equal(getattr(fast.columns, name), getattr(stdlib.columns, name), err_msg=name)
    for name in TEXT_FIELDS:
        assert getattr(fast.columns, name).to_list() == getattr(stdlib.columns, name).to_list(), name
    assert [line for line in fast.summary_lines()[1:] if FALLBACK not in line] == stdlib.summary_lines()[1:]
    return fast


def fell_back(result) -> bool:
    return any(FALLBACK in line for line in result.summary_lines())


def rows_text(*rows, header=HEADER, sep=","):
    return "\n".join([header.replace(",", sep), *rows]) + "\n"


GOOD = [f"41300000{i},2020-06-01T1{i}:00:00,30.5,120.5,10,SHIP {i}" for i in range(1, 6)]

# Files the numpy reader reads itself (no quotes, every row with the header's fields).
READ_BY_NUMPY = {
    "clean": rows_text(*GOOD),
    "semicolons": rows_text(*(r.replace(",", ";") for r in GOOD), sep=";"),
    "decimal_comma": rows_text(*(r.replace(",", ";").replace("30.5", "30,5") for r in GOOD), sep=";"),
    "blanks_and_nulls": rows_text(
        *GOOD,
        "413000007,2020-06-01T12:00:00,,120.5,,",
        "413000008,2020-06-01T12:00:00,NULL,120.5,\\N, NA ",
        " , , , , ,",
    ),
    "bad_numbers": rows_text(
        *GOOD,
        "413000007,2020-06-01T12:00:00,3O.5,120.5,10,X",
        "413000008,2020-06-01T12:00:00,30.5,1.2.3,inf,X",
        "413000009,2020-06-01T12:00:00,30.5,120.5,1_000,X",
        "41300001e,2020-06-01T12:00:00,30.5,120.5,-nan,X",
        "413000010,2020-06-01T12:00:00,1e400,120.5, 7 ,X",
        "3.5,2020-06-01T12:00:00,30.5,120.5,7,X",
        "\u0663\u0661\u0663,2020-06-01T12:00:00,30.5,120.5,7,X",
    ),
    "minute_times": rows_text(*(r.replace(":00:00", ":00") for r in GOOD), "413000009,2020-06-01 12:30,30.5,120.5,1,Y"),
    "odd_times": rows_text(
        *GOOD,
        "413000007,2020-02-30T12:00:00,30.5,120.5,1,Y",
        "413000008,2020-06-01T24:00:00,30.5,120.5,1,Y",
        "413000009,2020-06-01T12:00:60,30.5,120.5,1,Y",
        "413000010,2020-06-01T12:00:00Z,30.5,120.5,1,Y",
        "413000011,2020-06-01T12:00:00+02:00,30.5,120.5,1,Y",
        "413000012,0000-01-01T00:00:00,30.5,120.5,1,Y",
        "413000013,2020-06-01T12:00:00.5,30.5,120.5,1,Y",
        "413000014,2024-02-29 12:00:00,30.5,120.5,1,Y",
    ),
    "mmsi_zero_and_negative": rows_text(
        *GOOD, "0,2020-06-01T12:00:00,30.5,120.5,1,Z", "-413000002,2020-06-01T12:00:00,30.5,120.5,1,Z"
    ),
    "crlf_and_no_final_newline": rows_text(*GOOD).replace("\n", "\r\n").rstrip("\r\n"),
    "latin1_names": (rows_text(*GOOD) + "413000009,2020-06-01T12:00:00,30.5,120.5,1,CAF\xc9\n").encode("latin-1"),
}

# Files the csv module splits otherwise than by line breaks and delimiters: handed to the standard library reader.
HANDED_OVER = {
    "quotes": rows_text(*GOOD, '413000007,2020-06-01T12:00:00,30.5,120.5,1,"NAME, WITH COMMA"', 'x"y,1,2,3,4,5'),
    "too_many_fields": rows_text(*GOOD, "413000007,2020-06-01T12:00:00,30.5,120.5,1,X,EXTRA"),
    "too_few_fields": rows_text(*GOOD, "413000007,2020-06-01T12:00:00,30.5"),
    "blank_line": rows_text(*GOOD[:2], "", *GOOD[2:]),
    "nul_byte": rows_text(*GOOD, "413000007,2020-06-01T12:00:00,30.5,120.5,1,A\0B"),
}


@pytest.mark.parametrize("name", sorted(READ_BY_NUMPY))
def test_numpy_reads_messy_files_like_the_stdlib_reader(write_file, name):
    result = assert_same_read(write_file(f"{name}.csv", READ_BY_NUMPY[name]), time_window=None)
    assert not fell_back(result), "the numpy reader itself should have read this file"


@pytest.mark.parametrize("name", sorted(HANDED_OVER))
def test_files_split_otherwise_go_to_the_stdlib_reader(write_file, name):
    result = assert_same_read(write_file(f"{name}.csv", HANDED_OVER[name]), time_window=None)
    assert fell_back(result), "this file should have been handed to the standard library reader"


@pytest.mark.parametrize(
    "name,text",
    [
        ("carriage_return.csv", rows_text(*GOOD, "413000007,2020-06-01T12:00:00,30.5,120.5,1,A\rB")),
        ("wide_field.csv", rows_text(*GOOD, '413000007,2020-06-01T12:00:00,30.5,120.5,1,"' + "N" * (200 * 1024) + '"')),
    ],
)
def test_rows_the_csv_module_refuses_get_its_message_naming_the_line(write_file, name, text):
    path = write_file(name, text)
    messages = []
    for backend in ("numpy", "stdlib"):
        with pytest.raises(BaiMeiError) as caught:
            read_ais(path, backend=backend)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert f"ine 7 of {name}" in messages[0]


def test_every_agreement_case_in_one_file(write_file):
    """The value table of test_reader_agreement (MMSI rules, NULL tokens, inf, 1_000, Arabic digits...)."""
    rows = [test_reader_agreement.GOOD] + [
        test_reader_agreement.case_row(column, text, i)
        for i, (column, text, _) in enumerate(test_reader_agreement.CASES, 100)
    ]
    path = write_file("all.csv", "\n".join([test_reader_agreement.HEADER, *rows]) + "\n")
    result = assert_same_read(path)
    assert not fell_back(result)
    assert result.rows_kept == 1 + sum(isinstance(e, tuple) for _, _, e in test_reader_agreement.CASES)


@pytest.mark.parametrize(
    "name", ["semicolon_bom.csv", "generic_message_types.csv", "pipe_offsets.csv", "tab_compact.tsv", "unix_ms.csv"]
)
def test_repository_fixtures_read_alike(name):
    assert_same_read(os.path.join(DATA, name), time_window=None)


@pytest.mark.parametrize("name", ["AIS_2023_01_01.csv.gz", "AIS_2024_01_01.zip", "aisdk-2018-06-01.zip"])
def test_compressed_fixtures_are_read_by_the_stdlib_reader_with_a_note(name):
    result = assert_same_read(os.path.join(DATA, name), time_window=None)
    assert fell_back(result)


@pytest.mark.skipif(not (SHARED_DATA / "ais").is_dir(), reason="../shared/data/ais not present (no shared data)")
@pytest.mark.parametrize("name", ["dma_aisdk_sample.csv", "marinecadastre_sample.csv"])
def test_real_samples_read_alike(name):
    assert_same_read(str(SHARED_DATA / "ais" / name), time_window=None)


def test_a_big_clean_file_is_read_in_blocks(write_file, monkeypatch):
    """Many blocks (split and converted in two threads), unix times and a text column with many values, read by
    the numpy reader itself; the text values are merged across blocks in order of first appearance."""
    from bai_mei_plugin.core.ais import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK_BYTES", 4096)
    rng = np.random.default_rng(5)
    rows = [
        f"{413000000 + int(m)},{1590969600 + i * 7},{lat:.5f},{lon:.5f},{sog:.1f},N{int(m) % 97}"
        for i, (m, lat, lon, sog) in enumerate(
            zip(
                rng.integers(0, 300, 5000),
                rng.uniform(-80, 80, 5000),
                rng.uniform(-179, 179, 5000),
                rng.uniform(0, 20, 5000),
            )
        )
    ]
    seen = []
    path = write_file("big.csv", rows_text(*rows))
    assert_same_read(path, time_format="unix")
    result = read_ais(path, backend="numpy", time_format="unix", progress=seen.append)
    assert not fell_back(result) and result.rows_kept == 5000
    assert len(seen) >= 5 and seen[-1] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "odd_row", [None, "413000007,2020-06-01T12:00:00,30.5", 'x,"y",1,2,3,4', "413000007,2020-06-01T12:00:00,1,2,3,4,5"]
)
def test_an_odd_row_in_a_late_block_sends_the_whole_file_to_the_stdlib_reader(write_file, monkeypatch, odd_row):
    from bai_mei_plugin.core.ais import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK_BYTES", 1024)
    rows = [f"{413000000 + i % 50},{1590969600 + i * 60},{i % 80}.5,120.{i},{i % 20},N{i % 7}" for i in range(3000)]
    if odd_row:
        rows.insert(2500, odd_row)
    path = write_file("late.csv", rows_text(*rows))
    result = assert_same_read(path, time_format="unix")
    assert fell_back(result) == bool(odd_row)
    assert result.rows_read == 3000 + bool(odd_row)


def test_a_row_short_by_one_field_and_one_long_by_one_are_not_taken_for_two_good_rows(write_file, monkeypatch):
    """The delimiter count of the file is right, but not that of each row."""
    rows = [*GOOD[:2], "413000007,2020-06-01T12:00:00,30.5,120.5,1", "413000008,2020-06-01T12:00:00,30.5,120.5,1,X,Y"]
    result = assert_same_read(write_file("ragged.csv", rows_text(*rows)), time_window=None)
    assert fell_back(result)


def test_a_bad_value_in_a_late_block_is_named_with_its_line(write_file, monkeypatch):
    from bai_mei_plugin.core.ais import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK_BYTES", 1024)
    rows = [f"{413000000 + i % 50},{1590969600 + i * 60},{i % 80}.5,120.{i},{i % 20},N{i % 7}" for i in range(3000)]
    rows[2700] = rows[2700].replace(",120.", ",12O.")
    result = assert_same_read(write_file("late_bad.csv", rows_text(*rows)), time_format="unix")
    assert not fell_back(result)
    assert "row 2,701, field lon" in " ".join(result.examples.values())


@pytest.mark.parametrize(
    "text",
    [
        "0.1",
        "-0",
        "+7.25",
        ".5",
        "5.",
        "-.125",
        "123456789012345",
        "1234567890123456",
        "0000000000000000012.5",
        "1.7976931348623157",
        "9007199254740993",
        "3.14159265358979",
    ],
)
def test_decimals_read_from_their_digits_are_the_doubles_float_gives(text):
    from bai_mei_plugin.core.ais import csv_numpy

    values, present = csv_numpy._numbers(np.array([text.encode()]), False)
    assert present[0]
    assert values[0] == float(text) and np.signbit(values[0]) == np.signbit(float(text))


def test_random_decimals_are_the_doubles_float_gives():
    from bai_mei_plugin.core.ais import csv_numpy

    rng = np.random.default_rng(11)
    texts = [f"{v:.{d}f}" for v, d in zip(rng.normal(0, 10 ** rng.integers(0, 9, 20000)), rng.integers(0, 12, 20000))]
    values, _ = csv_numpy._numbers(np.array([t.encode() for t in texts]), False)
    assert values.tolist() == [float(t) for t in texts]


def test_iso_times_by_calendar_arithmetic_are_numpys():
    from bai_mei_plugin.core.ais import csv_numpy
    from bai_mei_plugin.core.ais.formats import TIME_ISO

    rng = np.random.default_rng(3)
    seconds = rng.integers(-62135596800, 253402300799, 50000)  # 0001-01-01 to 9999-12-31
    texts = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").astype("S19")
    t, present = csv_numpy._times(texts, TIME_ISO)
    assert present.all()
    np.testing.assert_array_equal(t, seconds)


def test_cancel_stops_the_read(write_file, monkeypatch):
    from bai_mei_plugin.core.ais import csv_numpy
    from bai_mei_plugin.core.errors import Canceled

    monkeypatch.setattr(csv_numpy, "BLOCK_BYTES", 1024)
    path = write_file("cancel.csv", rows_text(*[f"41300000{i % 9},{1590969600 + i},1,2,3,N" for i in range(3000)]))
    with pytest.raises(Canceled):
        read_ais(path, backend="numpy", time_format="unix", is_canceled=lambda: True)


def test_plan_picks_numpy_without_pyarrow(write_file, monkeypatch):
    path = write_file("plan.csv", rows_text(*GOOD))
    monkeypatch.setattr(reader, "have_pyarrow", lambda: False)
    assert reader.plan(path, AisFormat.AUTO, None, None, None, None).backend == "numpy"


def test_memory_estimate_of_the_numpy_backend_suggests_pyarrow(write_file):
    path = write_file("estimate.csv", rows_text(*GOOD))
    info = inspect_source(path)
    found = memory.estimate(info, read_head(path, 200), "numpy", can_use_arrow=True)
    assert found.needed == found.rows * memory.BYTES_PER_ROW["numpy"]
    assert found.arrow_needed == found.rows * memory.BYTES_PER_ROW["arrow"]
    assert "numpy" in memory.BYTES_PER_ROW_FEW_FIELDS


def test_memory_estimate_of_a_file_the_numpy_reader_hands_over_is_the_stdlib_readers(write_file):
    quoted = write_file("quoted.csv", rows_text(*GOOD, '413000007,2020-06-01T12:00:00,30.5,120.5,1,"A, B"'))
    found = memory.estimate(inspect_source(quoted), read_head(quoted, 200), "numpy")
    assert found.needed == found.rows * memory.BYTES_PER_ROW["stdlib"]
    assert found.backend == "numpy"


def test_a_file_with_more_rows_than_its_first_block_suggests_grows_its_columns(write_file, monkeypatch):
    """The columns are sized from the first block; long lines first and short ones after overflow that guess."""
    from bai_mei_plugin.core.ais import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK_BYTES", 2048)
    long_rows = [f"4130000{i:02d},{1590969600 + i * 60},30.5,120.5,1,{'LONG NAME ' * 12}{i}" for i in range(40)]
    short_rows = [f"41300{i % 97:04d},{1591969600 + i * 60},1,2,3,S" for i in range(4000)]
    grown = []
    grow = csv_numpy._Columns.grow
    monkeypatch.setattr(csv_numpy._Columns, "grow", lambda self, *a: grown.append(a) or grow(self, *a))
    path = write_file("grow.csv", rows_text(*long_rows, *short_rows))
    result = assert_same_read(path, time_format="unix")
    assert not fell_back(result) and result.rows_read == 4040
    assert grown


def test_a_file_whose_times_are_all_unreadable_is_named_as_the_stdlib_reader_names_it(write_file, monkeypatch):
    from bai_mei_plugin.core.ais import csv_numpy

    monkeypatch.setattr(csv_numpy, "BLOCK_BYTES", 1024)
    rows = [f"{413000000 + i % 50},{i}/06/2020 12:00,30.5,120.{i},1,N" for i in range(1, 400)]
    path = write_file("times.csv", rows_text(*rows))
    messages = []
    for backend in ("numpy", "stdlib"):
        with pytest.raises(BaiMeiError) as caught:
            read_ais(path, backend=backend, time_format="iso")
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "1/06/2020 12:00" in messages[0]


def test_a_freakishly_long_value_sends_the_file_to_the_stdlib_reader(write_file):
    """Each column is gathered at the width of its longest value: one value of 100 KB would make that 100 KB a row."""
    rows = [*GOOD, "413000007,2020-06-01T12:00:00,30.5,120.5,1," + "N" * 100_000]
    result = assert_same_read(write_file("long.csv", rows_text(*rows)), time_window=None)
    assert fell_back(result)
    assert any("more than 1,024 bytes" in line for line in result.summary_lines())
