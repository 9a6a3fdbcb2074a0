"""AIS CSV readers: every layout, both backends, bad input."""

import numpy as np
import pytest

from bai_mei_plugin.core.ais import model
from bai_mei_plugin.core.ais.csv_reader import have_pyarrow
from bai_mei_plugin.core.ais.formats import (
    TIME_DAY_FIRST,
    TIME_MONTH_FIRST,
    TIME_UNIX,
    AisFormat,
    detect,
)
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from tests.fixtures import DMA_HEADER, MC2024_HEADER
from tests.support import SHARED_DATA

BACKENDS = [
    pytest.param("arrow", marks=pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is not installed")),
    "stdlib",
]
T0 = 1591012800  # 2020-06-01T12:00:00Z


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def test_marinecadastre_classic(write_file, mc_rows, backend):
    path = write_file(
        "mc.csv",
        mc_rows(
            [
                (367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 511, "ALPHA", 9.1),
                (367000001, "2020-06-01T12:01:00", 30.6, -91.4, 10.5, 90, "ALPHA", ""),
                (367000002, "2020-06-01T12:00:30", 29.0, -90.0, 0.0, 200, "", ""),
            ]
        ),
    )
    assert detect(path).format == AisFormat.MARINECADASTRE
    result = read_ais(path, backend=backend)
    cols = result.columns
    assert result.rows_read == 3 and result.rows_kept == 3 and result.rows_dropped == 0
    assert cols.mmsi.tolist() == [367000001, 367000001, 367000002]
    assert cols.t.tolist() == [T0, T0 + 60, T0 + 30]
    assert cols.lat.tolist() == [30.5, 30.6, 29.0] and cols.lon.tolist() == [-91.5, -91.4, -90.0]
    assert np.isnan(cols.heading[0]) and cols.heading[1] == 90.0  # 511 = not available
    assert cols.vessel_name.to_list() == ["ALPHA", "ALPHA", None]
    assert cols.draught[0] == 9.1 and np.isnan(cols.draught[1])
    assert cols.imo.get(0) == "IMO9000001"


def test_marinecadastre_2024_lon_before_lat_quoted_with_null(write_file, backend):
    header = ",".join(f'"{h}"' for h in MC2024_HEADER.split(","))
    rows = [
        '"367000001","2024-01-02 03:04:05","-91.5","30.5","10","100","\\N","ALPHA","\\N","\\N","70","0","180",'
        '"30","\\N","\\N","A"',
    ]
    path = write_file("mc2024.csv", "\n".join([header, *rows]) + "\n")
    assert detect(path).format == AisFormat.MARINECADASTRE
    cols = read_ais(path, backend=backend).columns
    assert cols.lon[0] == -91.5 and cols.lat[0] == 30.5  # longitude comes first in this layout
    assert cols.t[0] == 1704164645
    assert np.isnan(cols.heading[0]) and cols.imo.get(0) is None and np.isnan(cols.draught[0])


def test_dma_day_first_drops_non_vessels_and_not_available(write_file, backend):
    rows = [
        "02/06/2018 00:00:00,Class A,219000001,55.5,11.0,Under way,0,12.0,90,91,Unknown,OXAB,NORDIC,Cargo,,20,150,"
        "GPS,7.5,AARHUS,,AIS",
        "02/06/2018 00:10:00,Class B,219000002,55.6,11.1,Unknown,,3.0,10,511,Unknown,,SAILOR,Sailing,,,,GPS,,,,AIS",
        "02/06/2018 00:10:00,Base Station,2190001,55.7,11.2,Unknown,,,,,,,,Undefined,,,,GPS,,,,AIS",
        "02/06/2018 00:10:00,AtoN,992190001,55.7,11.2,Unknown,,,,,,,,Undefined,,,,GPS,,,,AIS",
        "13/06/2018 23:59:59,Class A,219000001,91.0,181.0,Under way,0,12.0,90,91,Unknown,OXAB,NORDIC,Cargo,,20,150,"
        "GPS,7.5,AARHUS,,AIS",
    ]
    path = write_file("dma.csv", "\n".join([DMA_HEADER, *rows]) + "\n")
    detection = detect(path)
    assert detection.format == AisFormat.DMA and detection.mapping.time_format == TIME_DAY_FIRST
    result = read_ais(path, backend=backend)
    assert result.rows_read == 5 and result.rows_kept == 2
    assert result.dropped[model.NOT_A_VESSEL] == 2
    assert result.dropped[model.BAD_POSITION] == 1
    cols = result.columns
    assert cols.t[0] == 1527897600  # 2018-06-02T00:00:00Z: day first
    assert cols.destination.get(0) == "AARHUS" and cols.draught[0] == 7.5
    assert cols.imo.get(0) is None  # "Unknown"
    assert cols.vessel_type.get(0) == "Cargo"


@pytest.mark.parametrize(
    "time_text,time_format,expected",
    [
        ("2017-06-19T04:30:00Z", None, 1497846600),
        ("1497846600", None, 1497846600),
        ("19/06/2017 04:30:00", None, 1497846600),  # 19 > 12: day first is certain
        ("06/19/2017 04:30:00", None, 1497846600),  # 19 > 12 in second place: month first
        ("03/04/2017 04:30:00", TIME_DAY_FIRST, 1491193800),
        ("03/04/2017 04:30:00", TIME_MONTH_FIRST, 1488601800),
        ("1497846600000", "unix_ms", 1497846600),
    ],
)
def test_generic_csv_time_formats_and_bom(write_file, backend, time_text, time_format, expected):
    text = "\ufeffssvid,timestamp,latitude,lng,speed\n413000001," + time_text + ",35.0,123.0,11.5\n"
    path = write_file("generic.csv", text)
    assert detect(path).format == AisFormat.GENERIC
    result = read_ais(path, time_format=time_format, backend=backend)
    assert result.rows_kept == 1, result.summary_lines()
    assert result.columns.t[0] == expected
    assert result.columns.sog[0] == 11.5


def test_generic_csv_with_explicit_column_mapping(write_file, backend):
    path = write_file("odd.csv", "vessel,when,northing,easting\n413000001,1497846600,35.0,123.0\n")
    with pytest.raises(BaiMeiError) as err:
        read_ais(path, backend=backend)
    message = str(err.value)
    assert "odd.csv" in message and "mmsi" in message and "vessel, when, northing, easting" in message
    result = read_ais(
        path,
        AisFormat.GENERIC,
        {"mmsi": "vessel", "time": "when", "lat": "northing", "lon": "easting"},
        TIME_UNIX,
        backend=backend,
    )
    assert result.columns.mmsi.tolist() == [413000001] and result.columns.lat[0] == 35.0


def test_ambiguous_dates_are_flagged_not_guessed(write_file):
    path = write_file("amb.csv", "mmsi,time,lat,lon\n1,03/04/2017 04:30:00,1,1\n")
    detection = detect(path)
    assert not detection.confident
    assert any("time format" in note for note in detection.notes)


def test_bad_rows_are_counted_by_reason_and_named(write_file, mc_rows, backend):
    text = mc_rows(
        [
            (367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 90, "A", ""),
            (367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 90, "A", ""),  # duplicate
            (367000001, "not a time", 30.5, -91.5, 10.0, 90, "A", ""),  # unparseable time
            (367000001, "2020-06-01T12:05:00", "abc", -91.5, 10.0, 90, "A", ""),  # unparseable latitude
            ("", "2020-06-01T12:05:00", 30.5, -91.5, 10.0, 90, "A", ""),  # missing MMSI
            (367000001, "2020-06-01T12:06:00", 30.5, -91.5, "fast", 90, "A", ""),  # bad SOG: kept, SOG NULL
        ]
    )
    text += "367000001,2020-06-01T12:07:00,30.5\n"  # ragged
    path = write_file("bad.csv", text)
    result = read_ais(path, backend=backend)
    assert result.rows_read == 7
    assert result.dropped[model.DUPLICATE] == 1
    assert result.dropped[model.UNPARSEABLE] == 2
    assert result.dropped[model.MISSING_ID_TIME] == 1
    assert result.dropped[model.MALFORMED] == 1
    assert result.rows_kept == 2 and result.rows_kept + result.rows_dropped == result.rows_read
    assert np.isnan(result.columns.sog[1])
    text_out = "\n".join(result.summary_lines())
    assert "SOG" in text_out and "unreadable" in text_out
    assert "field BaseDateTime" in result.examples[model.UNPARSEABLE]


def test_non_utf8_bytes_do_not_break_reading(write_file, mc_rows, backend):
    text = mc_rows([(367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 90, "NAME", "")]).encode()
    text = text.replace(b"NAME", b"S\xe9VERINE")
    path = write_file("latin1.csv", text)
    result = read_ais(path, backend=backend)
    assert result.rows_kept == 1
    assert result.columns.vessel_name.get(0) == "S\ufffdVERINE"
    assert any("UTF-8" in line for line in result.summary_lines())


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "is empty"),
        (
            (
                b"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,"
                b"Cargo,TransceiverClass\n"
            ),
            "no data rows",
        ),
        (b"foo,bar\n1,2\n", "Unrecognised AIS header"),
    ],
)
def test_empty_header_only_and_unknown_header(write_file, backend, content, expected):
    path = write_file("x.csv", content)
    with pytest.raises(BaiMeiError) as err:
        read_ais(path, backend=backend)
    assert expected in str(err.value) and "x.csv" in str(err.value)


def test_missing_file_is_a_clear_error():
    with pytest.raises(BaiMeiError, match="Cannot open the AIS file"):
        read_ais("/nonexistent/ais.csv")


def test_cancel_stops_reading(write_file, mc_rows, backend):
    rows = [
        (
            367000000 + i % 50,
            f"2020-06-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
            30.0,
            -90.0,
            1.0,
            1,
            "X",
            "",
        )
        for i in range(60000)
    ]
    path = write_file("big.csv", mc_rows(rows))
    with pytest.raises(Canceled):
        read_ais(path, backend=backend, is_canceled=lambda: True)


def test_backends_agree(write_file, mc_rows):
    if not have_pyarrow():
        pytest.skip("pyarrow is not installed: only one backend to compare")
    rng = np.random.default_rng(3)
    rows = [
        (
            int(rng.integers(1, 30)) + 367000000,
            f"2020-06-01T{int(h):02d}:{int(m):02d}:00",
            round(float(rng.uniform(-95, 95)), 5),
            round(float(rng.uniform(-185, 185)), 5),
            3.0,
            int(rng.choice([90, 511])),
            rng.choice(["A", "", "B C"]),
            "",
        )
        for h, m in zip(rng.integers(0, 24, 400), rng.integers(0, 60, 400))
    ]
    path = write_file("r.csv", mc_rows(rows))
    a, b = read_ais(path, backend="arrow"), read_ais(path, backend="stdlib")
    assert a.dropped == b.dropped
    for name in ("mmsi", "t", "lon", "lat", "heading"):
        np.testing.assert_array_equal(getattr(a.columns, name), getattr(b.columns, name))
    assert a.columns.vessel_name.to_list() == b.columns.vessel_name.to_list()


SHARED_AIS = SHARED_DATA / "ais"


@pytest.mark.skipif(not SHARED_AIS.is_dir(), reason="../shared/data/ais not present (a clone without shared data)")
def test_real_dma_sample(backend):
    result = read_ais(str(SHARED_AIS / "dma_aisdk_sample.csv"), backend=backend)
    assert result.format_name == "DMA"
    assert result.rows_read == 138
    assert result.dropped[model.NOT_A_VESSEL] > 0 and result.dropped[model.BAD_POSITION] > 0
    assert result.rows_kept + result.rows_dropped == result.rows_read
    assert (np.abs(result.columns.lat) <= 90).all()


@pytest.mark.skipif(not SHARED_AIS.is_dir(), reason="../shared/data/ais not present (a clone without shared data)")
def test_real_marinecadastre_sample(backend):
    result = read_ais(str(SHARED_AIS / "marinecadastre_sample.csv"), backend=backend)
    assert result.format_name == "MARINECADASTRE"
    assert result.rows_kept == result.rows_read > 0
    assert result.columns.t.min() >= 1590969600  # 2020-06-01


def test_reading_only_the_fields_gap_detection_needs(write_file, mc_rows, backend):
    from bai_mei_plugin.core.gaps import GAP_FIELDS

    path = write_file("mc.csv", mc_rows([(367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 90, "ALPHA", 9.1)]))
    cols = read_ais(path, backend=backend, fields=GAP_FIELDS).columns
    assert cols.vessel_name.get(0) == "ALPHA" and cols.sog[0] == 10.0 and cols.draught[0] == 9.1
    assert np.isnan(cols.heading[0]) and cols.imo.get(0) is None  # not read
