"""CSV dialects (separator, BOM, quoting, decimal comma) and a generic CSV's message-type column (issue 16)."""

import os

import numpy as np
import pytest

from bai_mei_plugin.core.ais.columns import is_vessel_type
from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.formats import AisFormat, detect, mapping_for, sniff_delimiter
from bai_mei_plugin.core.ais.model import NOT_A_VESSEL
from bai_mei_plugin.core.ais.reader import read_ais

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "ais_formats")
BACKENDS = [
    pytest.param("arrow", marks=pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")),
    "stdlib",
]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def fixture(name):
    return os.path.join(DATA, name)


def reference():
    return read_ais(fixture("AIS_2023_01_01.csv.gz"), backend="stdlib", time_window=None)


@pytest.mark.parametrize(
    "lines,expected",
    [
        (["a,b,c", "1,2,3"], ","),
        (["a;b;c", "1;2,5;3"], ";"),
        (["a\tb\tc", "1\t2\t3"], "\t"),
        (["a|b|c", "1|2|3"], "|"),
        (['"a;x",b,c', '"1;2",2,3'], ","),  # a separator inside quotes does not count
        (["mmsi", "1"], ","),
    ],
)
def test_separator_is_sniffed(lines, expected):
    assert sniff_delimiter(lines) == expected


def test_semicolon_bom_decimal_comma_day_first_minutes(backend):
    """A spreadsheet export from Europe: BOM, ';', quoted names holding ';', 38,6 for 38.6, 20/07/2021 18:00."""
    detection = detect(fixture("semicolon_bom.csv"))
    assert detection.format == AisFormat.GENERIC and detection.confident
    assert detection.delimiter == ";" and detection.decimal_comma
    assert detection.header[0] == "ship_id"  # the BOM is not part of the first column's name
    assert detection.mapping.time_format == "%d/%m/%Y %H:%M"
    assert "semicolon-separated" in detection.notes and "decimal comma" in detection.notes
    result = read_ais(fixture("semicolon_bom.csv"), backend=backend, time_window=None)
    assert result.rows_read == result.rows_kept == 36
    ref = reference()
    np.testing.assert_array_equal(result.columns.t, ref.columns.t)
    np.testing.assert_allclose(result.columns.lat, ref.columns.lat)
    np.testing.assert_allclose(result.columns.sog, ref.columns.sog)
    assert result.columns.vessel_name.get(0) == "HUA YANG; NAMPO"


@pytest.mark.parametrize("name", ["tab_compact.tsv", "pipe_offsets.csv", "unix_ms.csv"])
def test_tab_and_pipe_files_with_compact_offset_and_millisecond_times(name, backend):
    result = read_ais(fixture(name), backend=backend, time_window=None)
    assert result.rows_read == result.rows_kept == 36
    np.testing.assert_array_equal(result.columns.t, reference().columns.t)


def test_decimal_comma_mixed_with_points_in_one_column(write_file, backend):
    path = write_file("mixed.csv", "mmsi;time;lat;lon\n412000001;2021-07-20T18:00:00Z;38,5;125.25\n")
    result = read_ais(path, backend=backend)
    assert result.columns.lat.tolist() == [38.5] and result.columns.lon.tolist() == [125.25]


def test_forced_generic_format_keeps_the_dialect(write_file):
    path = write_file("forced.csv", "id;t;y;x\n412000001;2021-07-20T18:00:00Z;38,5;125,25\n")
    detection = mapping_for(path, AisFormat.GENERIC, {"mmsi": "id"})
    assert detection.delimiter == ";" and detection.decimal_comma
    assert read_ais(path, AisFormat.GENERIC, {"mmsi": "id"}).columns.lon.tolist() == [125.25]


@pytest.mark.parametrize(
    "value,vessel",
    [
        ("Class A", True),
        ("B", True),
        ("Position report Class A", True),
        ("1", True),
        ("18", True),
        ("27.0", True),
        ("Base Station", False),
        ("AtoN", False),
        ("SAR Airborne", False),
        ("4", False),
        ("9", False),
        ("21", False),
    ],
)
def test_mobile_and_message_types(value, vessel):
    assert is_vessel_type(value) is vessel


def test_generic_message_type_column_drops_base_stations_aton_and_sar(backend):
    """Issue 16: a generic CSV's message-type column was ignored, so a base station made a false 110 min 'gap'."""
    detection = detect(fixture("generic_message_types.csv"))
    assert detection.mapping.get("mobile_type") == "message_type"
    result = read_ais(fixture("generic_message_types.csv"), backend=backend, time_window=None)
    assert result.dropped[NOT_A_VESSEL] == 6
    assert set(result.columns.mmsi.tolist()) == {412000001, 412000002, 636000003}
