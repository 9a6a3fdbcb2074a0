"""One JSON Lines, Parquet or NMEA file bigger than memory: read in blocks (of lines, of rows) into MMSI buckets on
disk, with the one-pass read's gaps, drop counts, examples and summary (core/ais/buckets.py)."""

import json
import os

import numpy as np
import pytest

from bai_mei_plugin.core.ais import buckets, memory
from bai_mei_plugin.core.ais.formats import detect
from bai_mei_plugin.core.ais.jsonl import JsonlBlocks
from bai_mei_plugin.core.ais.model import DUPLICATE, INVALID_MMSI, MALFORMED, UNPARSEABLE
from bai_mei_plugin.core.ais.source import inspect
from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.gap_engine import BucketedGapEngine
from bai_mei_plugin.core.gaps import GapCriteria
from tests import nmea_encode as enc
from tests.unit.test_bucketed_gaps import LOCATION, gap_rows, messy_lines, one_pass

BUDGET = 24 << 20
CRITERIA = GapCriteria(min_gap_hours=2.0, min_positions_before=3)


def report(csv_line: str) -> dict:
    f = csv_line.rstrip("\n").split(",")
    return {
        "mmsi": int(f[0]),
        "timestamp": f[1] + "Z",
        "lat": float(f[2]),
        "lon": float(f[3]),
        "sog": float(f[4]),
        "shipname": f[7],
        "draught": float(f[14]) if f[14] else None,
    }


def good_reports(tmp_path, rows: int) -> list:
    lines = messy_lines(rows, tmp_path)[1:]
    return [
        report(line)
        for line in lines
        if line.count(",") == 16 and line.split(",")[1].startswith("2020") and line.split(",")[0].isdigit()
    ]


@pytest.fixture(scope="module")
def jsonl_file(tmp_path_factory):
    """The messy file's reports (duplicates, conflicts, invalid MMSIs, rows out of order) as JSON Lines, with
    malformed lines, blank lines and unreadable values spread through it, and a run of 400 malformed lines."""
    tmp = tmp_path_factory.mktemp("jsonl")
    lines = [json.dumps(r) + "\n" for r in good_reports(tmp, 60_000)]
    faults = [
        "{not json\n",
        "[1, 2, 3]\n",
        "\n",
        json.dumps({"mmsi": "abc", "timestamp": "2020-06-01T01:00:00Z", "lat": 1.0, "lon": 1.0}) + "\n",
        json.dumps({"mmsi": 366000002, "timestamp": "2020-06-01T01:00:00Z", "lat": "north", "lon": 1.0}) + "\n",
    ]
    for k, line in enumerate(faults * 30):
        lines.insert(500 + k * 1733, line)
    lines[30_000:30_000] = ["{broken\n"] * 400
    path = tmp / "satellite.jsonl"
    path.write_text("".join(lines))
    return str(path)


@pytest.fixture
def small_memory(monkeypatch):
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (BUDGET, "free"))


def assert_like_one_pass(plan, path, backend):
    reports = buckets.spill(plan)
    try:
        found = BucketedGapEngine(reports, LOCATION).find_gaps(CRITERIA)
    finally:
        reports.close()
    expected_reports, expected = one_pass(path, backend, CRITERIA)
    assert len(expected.gaps) >= 20
    assert gap_rows(found) == gap_rows(expected)
    assert reports.rows_read == expected_reports.rows_read
    assert reports.rows_kept == expected_reports.rows_kept
    assert reports.dropped == expected_reports.dropped
    assert reports.examples == expected_reports.examples
    assert reports.summary_lines()[:-1] == expected_reports.summary_lines()
    return reports


@pytest.mark.parametrize("block_bytes", [None, 20_000])
def test_one_json_lines_file_too_big_for_memory_gives_the_one_pass_gaps(
    jsonl_file, small_memory, tmp_path, block_bytes
):
    """In the blocks the budget gives, and in blocks of 20 KB (hundreds of them, some of malformed lines only)."""
    plan = buckets.bucket_plan(jsonl_file, folder=str(tmp_path))
    assert plan is not None and plan.buckets >= 2
    if block_bytes:
        plan.parts[0].block_bytes = block_bytes
    assert 0 < plan.parts[0].block_bytes < inspect(jsonl_file).size / 3
    reports = assert_like_one_pass(plan, jsonl_file, None)
    for reason in (DUPLICATE, INVALID_MMSI, MALFORMED, UNPARSEABLE):
        assert reports.dropped[reason] > 0, reason
    # the malformed lines are named as the one-pass read names them: the first five of the file, then "..."
    assert reports.examples[MALFORMED].startswith("line 501 is ")
    assert reports.examples[MALFORMED].endswith(", ...")


def test_json_lines_blocks_of_malformed_lines_only_are_counted(jsonl_file):
    detection = detect(jsonl_file)
    blocks = JsonlBlocks(inspect(jsonl_file), detection, 2_000)
    reads = list(blocks)
    empty = [raw for raw, _lines, _fraction in reads if raw.rows_read == raw.malformed]
    assert empty and all(raw.malformed > 0 for raw in empty)
    assert sum(raw.malformed for raw, _, _ in reads) == blocks.malformed == 400 + 2 * 30
    assert all(MALFORMED not in raw.examples for raw, _, _ in reads)


def test_a_json_lines_file_without_any_object_is_refused_as_in_one_pass(tmp_path):
    path = tmp_path / "junk.jsonl"
    path.write_text('{"mmsi": 1, "timestamp": "2020-06-01T00:00:00Z", "lat": 1, "lon": 1}\n')
    detection = detect(str(path))
    path.write_text("{nope\n" * 5000)
    with pytest.raises(BaiMeiError, match="holds no JSON object"):
        list(JsonlBlocks(inspect(str(path)), detection, 1000))


def test_one_parquet_file_too_big_for_memory_is_read_in_blocks_of_rows(tmp_path, small_memory):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = good_reports(tmp_path, 80_000)
    rows[7000]["mmsi"] = "not a number"
    table = pa.table(
        {
            "mmsi": pa.array([str(r["mmsi"]) for r in rows]),
            "timestamp": pa.array(np.array([r["timestamp"][:-1] for r in rows], dtype="datetime64[s]")),
            "lat": [r["lat"] for r in rows],
            "lon": [r["lon"] for r in rows],
            "sog": [r["sog"] for r in rows],
            "shipname": [r["shipname"] for r in rows],
        }
    )
    path = str(tmp_path / "archive.parquet")
    pq.write_table(table, path, row_group_size=10_000)
    plan = buckets.bucket_plan(path, folder=str(tmp_path))
    assert plan is not None and plan.buckets >= 2
    assert 0 < plan.parts[0].block_rows < len(rows) / 3 and plan.parts[0].block_bytes == 0
    reports = assert_like_one_pass(plan, path, None)
    assert reports.examples[UNPARSEABLE].startswith("row 7,001, field mmsi")


def test_parquet_without_pyarrow_keeps_the_refusal(tmp_path, small_memory, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    n = 300_000
    table = pa.table({"mmsi": np.full(n, 366000001), "timestamp": np.arange(n) + 1590969600, "lat": np.zeros(n)})
    table = table.append_column("lon", pa.array(np.zeros(n)))
    path = str(tmp_path / "big.parquet")
    pq.write_table(table, path)
    monkeypatch.setattr(buckets, "parquet_backend_is_arrow", lambda: False)
    with pytest.raises(BaiMeiError) as err:
        buckets.bucket_plan(path, time_format="unix")
    assert "Detect dark gaps in an archive (Dask)" in str(err.value)


def nmea_lines(vessels: int = 60, hours: int = 30) -> list:
    """A day and more of tag-blocked traffic: positions every 4 minutes with 8-hour silences; each Class A vessel's
    two-sentence type 5 (first sent after its first positions, so names are back-filled, and again with another
    destination mid-way), Class B names in type 24 parts; and faults: unreadable lines, bad checksums, a fragment
    whose sibling never comes, a fragment repeated."""
    rng = np.random.default_rng(19)
    t0 = 1_591_000_000
    lines = []
    for v in range(vessels):
        mmsi = 412_000_000 + v * 7
        class_b = v % 5 == 0
        silent = set(range(int(rng.integers(60, 300)), int(rng.integers(300, 420)))) if v % 3 == 0 else set()
        lon, lat = 120.0 + v * 0.05, 30.0 + v * 0.02
        for k in range(hours * 15):
            if k in silent:
                continue
            t = t0 + k * 240 + v
            payload, fill = enc.position(mmsi, lon + k * 0.001, lat, 10.0, 90.0, 90, kind=18 if class_b else 1)
            lines.append((t, enc.tagged(enc.sentences(payload, fill)[0], t, "r1")))
        for when, destination in ((t0 + 3600 + v * 60, "NAMPO"), (t0 + 15 * 3600 + v * 60, "VLADIVOSTOK")):
            if class_b:
                for part, (payload, fill) in enumerate(
                    [enc.static24(mmsi, 0, name=f"BOAT {v}"), enc.static24(mmsi, 1, callsign=f"B{v}", ship_type=37)]
                ):
                    lines.append((when + part, enc.tagged(enc.sentences(payload, fill)[0], when + part, "r1")))
                continue
            payload, fill = enc.static5(mmsi, 9100000 + v, f"C{v}", f"SHIP {v}", 70, 5.0 + v % 9, destination)
            parts = enc.sentences(payload, fill, seq=str(v % 10))
            for k, sentence in enumerate(parts, 1):
                lines.append((when, enc.tagged(sentence, when, "r1", f"{k}-{len(parts)}-{v + 1}")))
    lines.sort(key=lambda item: item[0])
    text = [line + "\n" for _, line in lines]
    payload, fill = enc.static5(412_999_993, 9199999, "LOST", "ORPHAN", 70, 9.0, "NOWHERE")
    orphan = enc.sentences(payload, fill, seq="3")[0]
    for k, fault in enumerate(
        ["!AIVDM,garbage\n", "!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*00\n", orphan + "\n", "not nmea at all\n"]
        * 25
    ):
        text.insert(300 + k * 997, fault)
    return text


@pytest.fixture(scope="module")
def nmea_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("nmea") / "feed.nmea"
    path.write_text("".join(nmea_lines()), encoding="ascii")
    return str(path)


@pytest.mark.parametrize("block_rows", [None, 3_000])
def test_one_nmea_file_too_big_for_memory_gives_the_one_pass_gaps_and_names(
    nmea_file, small_memory, tmp_path, block_rows, monkeypatch
):
    """The static reports of the whole file name every block's positions, as in the one-pass read (back-filled
    names, a destination changed mid-way); the malformed lines, bad checksums and their example as in one pass."""
    from bai_mei_plugin.core.ais import nmea

    monkeypatch.setattr(memory, "available_memory", lambda: (4 << 20, "free"))  # 27,000 positions need ~8 MB
    monkeypatch.setattr(nmea, "CHUNK", 64 << 10)  # decoded 64 KB at a time: blocks of a few thousand rows
    plan = buckets.bucket_plan(nmea_file, folder=str(tmp_path))
    assert plan is not None and plan.buckets >= 2
    if block_rows:
        plan.parts[0].block_rows = block_rows
    assert 0 < plan.parts[0].block_rows < 30_000
    reports = assert_like_one_pass(plan, nmea_file, None)
    assert reports.dropped[MALFORMED] > 0
    assert any("bad checksum" in line for line in reports.summary_lines())
    assert os.listdir(tmp_path) == []  # the spilled rows and the buckets are gone


def test_the_names_of_every_block_come_from_the_whole_files_static_reports(nmea_file, tmp_path, monkeypatch):
    from bai_mei_plugin.core.ais import nmea
    from bai_mei_plugin.core.ais.nmea import NmeaBlocks, read_nmea

    whole = read_nmea(nmea_file)
    monkeypatch.setattr(nmea, "CHUNK", 64 << 10)
    blocks = [raw for raw, _lines, _fraction in NmeaBlocks(inspect(nmea_file), str(tmp_path), 2_000)]
    assert len(blocks) > 5 and os.listdir(tmp_path) == []
    for name in ("vessel_name", "destination", "callsign", "imo", "vessel_type"):
        joined = [v for raw in blocks for v in getattr(raw.columns, name).to_list()]
        assert joined == getattr(whole.columns, name).to_list(), name
    assert np.array_equal(
        np.concatenate([raw.columns.draught for raw in blocks]), whole.columns.draught, equal_nan=True
    )
    assert sum(raw.malformed for raw in blocks) == whole.malformed == blocks[-1].malformed
    assert blocks[-1].examples == whole.examples and blocks[-1].warnings == whole.warnings
    assert sum(raw.rows_read for raw in blocks) == whole.rows_read


def test_a_truncated_nmea_gz_in_blocks_says_how_far_it_got(nmea_file, tmp_path):
    import gzip

    from bai_mei_plugin.core.ais.nmea import NmeaBlocks

    packed = gzip.compress(open(nmea_file, "rb").read())
    path = tmp_path / "feed.nmea.gz"
    path.write_bytes(packed[: len(packed) // 2])
    folder = tmp_path / "spill"
    folder.mkdir()
    with pytest.raises(BaiMeiError, match="feed.nmea.gz"):
        list(NmeaBlocks(inspect(str(path)), str(folder), 2_000))
    assert os.listdir(folder) == []
