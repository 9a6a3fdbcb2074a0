"""JSON Lines / NDJSON AIS (Global Fishing Watch and satellite providers' style), issue 16."""

import gzip
import os

import numpy as np
import pytest

from bai_mei_plugin.core.ais.formats import AisFormat, detect, mapping_for
from bai_mei_plugin.core.ais.model import MALFORMED
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "ais_formats")


def fixture(name):
    return os.path.join(DATA, name)


def reference():
    return read_ais(fixture("AIS_2023_01_01.csv.gz"), backend="stdlib", time_window=None)


def test_global_fishing_watch_style_with_bad_lines_named():
    detection = detect(fixture("gfw.jsonl"))
    assert detection.format == AisFormat.JSONL and detection.confident
    assert detection.mapping.get("mmsi") == "ssvid" and detection.mapping.get("sog") == "speed"
    result = read_ais(fixture("gfw.jsonl"), time_window=None)
    assert result.format_name == "JSONL"
    assert result.rows_read == 38 and result.rows_kept == 36 and result.dropped[MALFORMED] == 2
    example = result.examples[MALFORMED]
    assert example.startswith("line 6 is not JSON") and "bad lines: 6, 15" in example
    ref = reference()
    np.testing.assert_array_equal(result.columns.mmsi, ref.columns.mmsi)
    np.testing.assert_array_equal(result.columns.t, ref.columns.t)
    np.testing.assert_allclose(result.columns.sog, ref.columns.sog)
    assert result.columns.vessel_name.get(0) == "HUA YANG"


def test_satellite_ndjson_gzipped_nested_positions_and_milliseconds():
    result = read_ais(fixture("satellite.ndjson.gz"), time_window=None)
    ref = reference()
    assert result.rows_read == result.rows_kept == 36
    np.testing.assert_array_equal(result.columns.t, ref.columns.t)
    np.testing.assert_allclose(result.columns.lat, ref.columns.lat)
    np.testing.assert_allclose(result.columns.lon, ref.columns.lon)
    assert result.columns.imo.get(0) == "9187629" and result.columns.callsign.get(0) == "BSDF"
    assert result.columns.destination.get(0) == "NAMPO" and result.columns.draught[0] == 7.5
    assert result.columns.heading[0] == 44


def test_keys_given_by_the_user(write_file):
    path = write_file("odd.jsonl", '{"boat": 412000001, "when": "2021-07-20T18:00:00Z", "lat": 38, "lon": 125}\n')
    with pytest.raises(BaiMeiError, match=r"No key for mmsi, time in the JSON Lines file .*Keys found: boat, when"):
        mapping_for(path, AisFormat.AUTO)
    result = read_ais(path, columns={"mmsi": "boat", "time": "when"})
    assert result.columns.mmsi.tolist() == [412000001]
    with pytest.raises(BaiMeiError, match="Column 'ship' is not in"):
        read_ais(path, columns={"mmsi": "ship", "time": "when"})


def test_text_is_never_evaluated_and_odd_values_are_counted(write_file):
    lines = [
        '{"mmsi": "__import__(\'os\').system(\'false\')", "t": 1626804000, "lat": 38, "lon": 125}',
        '{"mmsi": 412000001, "t": 1626804000, "lat": "north", "lon": 125}',
        '{"mmsi": 412000001, "t": 1626804600, "lat": 38.1, "lon": 125.1, "sog": "fast"}',
        '{"mmsi": true, "t": 1626805200, "lat": 38.2, "lon": 125.2}',
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" * 40,
    ]
    result = read_ais(write_file("odd.jsonl", "\n".join(lines) + "\n"), time_window=None)
    assert result.rows_read == 5 and result.rows_kept == 1 and result.dropped[MALFORMED] == 1
    assert result.columns.lat.tolist() == [38.1] and np.isnan(result.columns.sog[0])


def test_all_times_unreadable_names_format_and_value(write_file):
    path = write_file("t.jsonl", '{"mmsi": 412000001, "time": "20/07/2021 18:00", "lat": 38, "lon": 125}\n')
    with pytest.raises(BaiMeiError) as err:
        read_ais(path, time_format="iso")
    assert "column 'time' of t.jsonl" in str(err.value) and "'20/07/2021 18:00'" in str(err.value)
    assert read_ais(path, time_format="dd/MM/yyyy hh:mm").rows_kept == 1


def test_truncated_gzip_jsonl_says_how_far_it_got(tmp_path):
    lines = "".join(f'{{"mmsi": 412000001, "t": {1626804000 + i}, "lat": 38, "lon": 125}}\n' for i in range(100000))
    packed = gzip.compress(lines.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(BaiMeiError, match=r"cut.jsonl.gz is a damaged gzip file .*stopped after [\d,]+ rows"):
        read_ais(str(path))


def test_not_objects_at_all(write_file):
    with pytest.raises(BaiMeiError, match="none of its first 2 lines is a JSON object"):
        read_ais(write_file("bad.jsonl", "{not json\n{also not\n"))
