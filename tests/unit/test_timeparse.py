"""Time formats: detection (minute precision, day-first proven by a day > 12, compact, ISO offsets, unix s/ms),
strptime and Qt-style patterns, and the message when no time of a file can be read (issue 16)."""

import calendar
import datetime as dt

import pytest

from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.ais.timeparse import (
    TIME_ISO,
    TIME_UNIX,
    TIME_UNIX_MS,
    guess,
    guess_time_format,
    make_parser,
    qt_to_strptime,
    time_pattern,
)
from bai_mei_plugin.core.errors import BaiMeiError

BACKENDS = [
    pytest.param("arrow", marks=pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")),
    "stdlib",
]
T = calendar.timegm((2021, 7, 1, 18, 51, 51))


def utc(*fields):
    return calendar.timegm(dt.datetime(*fields).timetuple())


@pytest.mark.parametrize(
    "samples,expected",
    [
        (["20/03/2021 00:22", "01/03/2021 10:22"], "%d/%m/%Y %H:%M"),
        (["03/20/2021 00:22", "03/01/2021 10:22"], "%m/%d/%Y %H:%M"),
        (["20/03/2021 00:22:10"], "%d/%m/%Y %H:%M:%S"),
        (["20.03.2021 00:22"], "%d.%m.%Y %H:%M"),
        (["20210701_185151", "20210701_185200"], "%Y%m%d_%H%M%S"),
        (["20210701T185151Z"], "%Y%m%dT%H%M%SZ"),
        (["20210701185151"], "%Y%m%d%H%M%S"),
        (["2021-07-01T18:51:51+02:00", "2021-07-01T18:51:51Z"], TIME_ISO),
        (["2021-07-01 18:51"], TIME_ISO),
        (["1625165511", "1625165571"], TIME_UNIX),
        (["1625165511000"], TIME_UNIX_MS),
    ],
)
def test_guess_proves_the_format(samples, expected):
    assert guess(samples) == (expected, True)
    assert guess_time_format(samples) == expected


def test_ambiguous_dates_are_day_first_but_unsure():
    assert guess(["01/03/2021 10:22", "02/03/2021 10:22"]) == ("%d/%m/%Y %H:%M", False)
    assert guess_time_format(["01/03/2021 10:22"]) is None
    assert guess(["yesterday"]) == (None, False)


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("2021-07-01T18:51:51Z", T),
        ("2021-07-01T20:51:51+02:00", T),
        ("2021-07-01T13:51:51-0500", T),
        ("2021-07-01 18:51:51 UTC", T),
        ("2021-07-01T18:51:51.999999999Z", T),  # nanoseconds: cut, not refused
        ("2021-07-01T18:51:51", T),
    ],
)
def test_iso_offsets_are_applied(text, seconds):
    assert make_parser(TIME_ISO)(text) == seconds


@pytest.mark.parametrize(
    "qt,strptime",
    [
        ("dd/MM/yyyy hh:mm", "%d/%m/%Y %H:%M"),
        ("yyyy-MM-dd HH:mm:ss.zzz", "%Y-%m-%d %H:%M:%S.%f"),
        ("d/M/yy h:mm AP", "%d/%m/%y %I:%M %p"),
        ("yyyyMMdd'_'hhmmss", "%Y%m%d_%H%M%S"),
    ],
)
def test_qt_patterns_become_strptime(qt, strptime):
    assert qt_to_strptime(qt) == strptime
    assert time_pattern(qt) == strptime


def test_named_formats_and_strptime_are_accepted_and_nonsense_refused():
    assert time_pattern(" ISO ") == TIME_ISO and time_pattern("unix_ms") == TIME_UNIX_MS
    assert time_pattern("epoch") == TIME_UNIX
    assert time_pattern("%d/%m/%Y %H:%M") == "%d/%m/%Y %H:%M"
    with pytest.raises(BaiMeiError, match="'tomorrow' is not one Bai Mei knows.*dd/MM/yyyy hh:mm"):
        time_pattern("tomorrow")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("time_format", ["dd/MM/yyyy hh:mm", "%d/%m/%Y %H:%M"])
def test_time_format_parameter_takes_qt_and_strptime(write_file, backend, time_format):
    path = write_file(
        "minutes.csv", "mmsi,time,lat,lon\n412000001,01/03/2021 10:22,38,125\n412000001,02/03/2021 10:22,38,125\n"
    )
    result = read_ais(path, time_format=time_format, backend=backend)
    assert result.columns.t.tolist() == [utc(2021, 3, 1, 10, 22), utc(2021, 3, 2, 10, 22)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_when_every_time_fails_the_message_says_format_value_row_and_how(write_file, backend):
    """The issue's case: minute times read with a seconds pattern dropped every row without saying why."""
    path = write_file(
        "generic.csv", "ship_id,fix_time,y,x\n412000001,20/03/2021 00:22,38,125\n412000001,21/03/2021 00:22,38,125\n"
    )
    with pytest.raises(BaiMeiError) as err:
        read_ais(path, time_format="%d/%m/%Y %H:%M:%S", backend=backend)
    message = str(err.value)
    assert "None of the 2 times in column 'fix_time' of generic.csv" in message
    assert "%d/%m/%Y %H:%M:%S" in message and "row 1 holds '20/03/2021 00:22'" in message
    assert "looks like %d/%m/%Y %H:%M" in message
    assert "TIME_FORMAT" in message and "dd/MM/yyyy hh:mm" in message


@pytest.mark.parametrize("backend", BACKENDS)
def test_some_bad_times_are_only_counted(write_file, backend):
    path = write_file("mixed.csv", "mmsi,time,lat,lon\n412000001,2021-07-01T18:51:51Z,38,125\n412000001,soon,38,125\n")
    result = read_ais(path, backend=backend)
    assert result.rows_kept == 1 and result.rows_dropped == 1
