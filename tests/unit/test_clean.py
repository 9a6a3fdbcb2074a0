"""Cleaning (core/ais/clean.py): invalid MMSIs, conflicting duplicates and files without times each named as such,
and the dropped reports kept as evidence."""

import numpy as np
import pytest

from bai_mei_plugin.core.ais import model
from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import AisColumns, RawRead
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.geodesy import haversine_m

T0 = 1_600_000_000


def raw_of(mmsi, t, lon=None, lat=None):
    n = len(mmsi)
    lon = [120.0 + k * 0.001 for k in range(n)] if lon is None else lon
    lat = [30.0] * n if lat is None else lat
    cols = AisColumns.build(mmsi, t, lon, lat)
    return RawRead(cols, n, np.zeros(n, bool), np.zeros(n, bool))


# ---------------------------------------------------------------------------------------------------- invalid MMSIs


def test_invalid_mmsis_are_their_own_reason_and_kept_as_evidence():
    mmsi = [0, 0, -5, 123456, 1234567890, 912345678, 413000001, 111219001, 992191234, 4130000]
    t = [T0 + k for k in range(len(mmsi))]
    result = clean(raw_of(mmsi, t), check_mmsi=True)
    # 0, negative, 6 digits, 10 digits, a 9... outside 970/972/974/98/99: invalid. A ship, a SAR aircraft, an AtoN
    # and a 7-digit number (a coast station, 00MID...) follow ITU formats and stay.
    assert result.dropped == {model.INVALID_MMSI: 6}
    assert sorted(result.columns.mmsi.tolist()) == [4130000, 111219001, 413000001, 992191234]
    assert model.MISSING_ID_TIME not in result.dropped
    found = {x.mmsi: x for x in result.invalid_mmsis}
    assert set(found) == {0, -5, 123456, 1234567890, 912345678}
    assert result.invalid_mmsis[0].mmsi == 0 and found[0].reports == 2  # most reports first
    assert (found[0].first_time, found[0].last_time, found[0].lon, found[0].lat) == (T0, T0 + 1, 120.0, 30.0)
    assert "does not follow any MMSI format" in found[912345678].description
    assert result.examples[model.INVALID_MMSI].startswith("MMSI 0: 2 reports, MMSI 0 is not a 9-digit number")
    assert "4 other invalid MMSIs" in result.examples[model.INVALID_MMSI]
    line = next(x for x in result.summary_lines() if "invalid MMSI" in x)
    assert line.strip().startswith("dropped 6: invalid MMSI")


def test_without_the_mmsi_check_only_zero_and_negative_are_invalid():
    """Callers that build columns of their own (tests, toy MMSIs 1, 2, 3) keep them; 0 is never one ship."""
    result = clean(raw_of([0, 1, 2, -3], [T0, T0, T0, T0]))
    assert result.dropped == {model.INVALID_MMSI: 2} and sorted(result.columns.mmsi.tolist()) == [1, 2]


def test_an_invalid_mmsi_without_any_position_is_still_counted():
    result = clean(raw_of([0, 413000001], [T0, T0], lon=[181.0, 120.0], lat=[91.0, 30.0]), check_mmsi=True)
    (bad,) = result.invalid_mmsis
    assert (bad.reports, bad.lon, bad.lat) == (1, None, None) and result.dropped == {model.INVALID_MMSI: 1}


def test_a_missing_mmsi_is_still_missing(tmp_path):
    path = tmp_path / "mixed.csv"
    rows = ["mmsi,timestamp,lat,lon", "0,2020-06-01T12:00:00,30,120", ",2020-06-01T12:00:00,30,120"]
    rows += [f"413000001,2020-06-01T12:0{k}:00,30,120.{k}" for k in range(5)]
    path.write_text("\n".join(rows) + "\n")
    result = read_ais(str(path))
    assert result.dropped == {model.INVALID_MMSI: 1, model.MISSING_ID_TIME: 1}
    assert [x.mmsi for x in result.invalid_mmsis] == [0]


def test_a_file_of_invalid_mmsis_says_so(tmp_path):
    path = tmp_path / "zeros.csv"
    path.write_text("mmsi,timestamp,lat,lon\n" + "".join(f"0,2020-06-01T12:0{k}:00,30,120\n" for k in range(4)))
    with pytest.raises(BaiMeiError, match=r"4 rows read, all dropped \(dropped 4: invalid MMSI .*MMSI 0: 4 reports"):
        read_ais(str(path))


# ---------------------------------------------------------------------------------------------------- duplicates


def test_conflicting_duplicates_are_counted_apart_with_an_example():
    near = 1000 / 111_195  # about 1 km: the same ship heard by two receivers, within 1 nm
    far = 168 * 1852 / 111_195  # 168 nm
    mmsi = [413000001] * 5 + [413000002] * 2
    t = [T0, T0, T0 + 60, T0 + 60, T0 + 60, T0, T0 + 60]
    lat = [30.0, 30.0, 30.0, 30.0 + near, 30.0 + far, 31.0, 31.0]
    lon = [120.0] * 7
    result = clean(raw_of(mmsi, t, lon, lat))
    assert result.dropped == {model.DUPLICATE: 2, model.CONFLICTING_DUPLICATE: 1}
    assert result.rows_kept == 4 and result.columns.lat[:2].tolist() == [30.0, 30.0]  # the first of each kept
    c = result.conflicts
    assert len(c) == 1 and (int(c.mmsi[0]), int(c.t[0])) == (413000001, T0 + 60)
    assert (c.lat_kept[0], c.lat[0]) == (30.0, pytest.approx(30.0 + far))
    assert c.distance_nm[0] == pytest.approx(haversine_m(120.0, 30.0, 120.0, 30.0 + far) / 1852)
    assert c.distance_nm[0] == pytest.approx(168.0, abs=0.5)
    assert result.examples[model.CONFLICTING_DUPLICATE] == (
        f"MMSI 413000001 at 2020-09-13T12:27:40 UTC reported at 30.0000N 120.0000E and at {30 + far:.4f}N 120.0000E, "
        f"{c.distance_nm[0]:,.1f} nm apart"
    )
    assert any("dropped 1: conflicting duplicate" in line for line in result.summary_lines())


def test_repeats_are_compared_with_the_report_kept_not_the_one_before():
    """A, B 0.9 nm from A, C 0.9 nm beyond B: C is 1.8 nm from A, the report kept, so it conflicts."""
    step = 0.9 * 1852 / 111_195
    result = clean(raw_of([413000001] * 3, [T0] * 3, [120.0] * 3, [30.0, 30.0 + step, 30.0 + 2 * step]))
    assert result.dropped == {model.DUPLICATE: 1, model.CONFLICTING_DUPLICATE: 1}
    assert result.conflicts.distance_nm[0] == pytest.approx(1.8, abs=1e-3)


def test_no_duplicates_no_conflicts():
    result = clean(raw_of([413000001] * 3, [T0, T0 + 1, T0 + 2]))
    assert result.conflicts is None and result.dropped == {}


# ---------------------------------------------------------------------------------------------------- no times


def test_a_few_rows_without_a_time_are_missing_values():
    t = [T0 + k for k in range(10)]
    t[3] = model.MISSING_TIME
    result = clean(raw_of([413000001] * 10, t))
    assert result.dropped == {model.MISSING_ID_TIME: 1}


def test_most_rows_without_a_time_is_a_file_without_times():
    t = [model.MISSING_TIME] * 100
    t[:3] = [T0, T0 + 60, T0 + 120]
    result = clean(raw_of([413000001] * 100, t))
    assert result.dropped == {model.NO_TIMES: 97} and result.rows_kept == 3
    assert "carries no times on 97 % of its reports (97 of 100)" in result.examples[model.NO_TIMES]
    assert any("dropped 97: no time" in line for line in result.summary_lines())


# One type 1 position report of MMSI 273353020 (from the tag block fixture, pyais-encoded).
SENTENCE = "!ABVDM,1,1,,A,144FV@OP1k40kS0>wN@5AT<1P000,0*0F"


def test_an_nmea_log_with_tag_block_times_on_3_lines_of_100(tmp_path):
    lines = [f"\\c:{T0 + 60 * k}*00\\{SENTENCE}" for k in range(3)] + [SENTENCE] * 97
    path = tmp_path / "mostly_untimed.nmea"
    path.write_text("\n".join(lines) + "\n")
    result = read_ais(str(path))
    assert result.rows_kept == 3 and result.dropped == {model.NO_TIMES: 97}
    text = "\n".join(result.summary_lines())
    assert "no time: the file carries no times on most of its reports" in text
    assert "carries no times on 97 % of its reports" in text and "missing MMSI or time" not in text


def test_an_nmea_log_without_any_time_is_refused_naming_it(tmp_path):
    path = tmp_path / "untimed.nmea"
    path.write_text((SENTENCE + "\n") * 20)
    with pytest.raises(BaiMeiError, match=r"untimed\.nmea.*carries no times on 100 % of its reports"):
        read_ais(str(path))
