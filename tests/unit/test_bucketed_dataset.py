"""A month of files bigger than memory: a dataset (a folder of daily files, one of them a zip of several, one
gzipped, one JSON Lines) read file after file into MMSI buckets on disk, with the same gaps, drop counts, examples
and summary as the one-pass read of the whole dataset (core/ais/buckets.py)."""

import gzip
import json
import zipfile

import pytest

from bai_mei_plugin.core.ais import buckets, memory
from bai_mei_plugin.core.ais.model import CONFLICTING_DUPLICATE, DUPLICATE, INVALID_MMSI, MALFORMED, UNPARSEABLE
from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.gap_engine import BucketedGapEngine, InMemoryGapEngine
from bai_mei_plugin.core.gaps import GapCriteria
from tests.unit.test_bucketed_gaps import LOCATION, gap_rows, messy_lines, one_pass

BUDGET = 24 << 20
CRITERIA = GapCriteria(min_gap_hours=2.0, min_positions_before=3)


def jsonl_line(csv_line: str) -> str:
    """A generated CSV row as a JSON Lines report (the keys a satellite provider would use)."""
    f = csv_line.rstrip("\n").split(",")
    return json.dumps({"mmsi": int(f[0]), "timestamp": f[1] + "Z", "lat": float(f[2]), "lon": float(f[3])}) + "\n"


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """Four "days": a big plain CSV (read in blocks), a gzipped CSV (in blocks), a zip of two small CSVs (each read
    whole) and a small JSON Lines file (read whole); the messy file's duplicates on day 1, its malformed and
    unreadable rows on day 2."""
    tmp = tmp_path_factory.mktemp("month")
    lines = messy_lines(150_000, tmp)
    header, body = lines[0], lines[1:]
    faults = [
        line
        for line in body
        if line.count(",") != 16 or not line.split(",")[1].startswith("2020") or not line.split(",")[0].isdigit()
    ]
    body = [line for line in body if line not in set(faults)]
    body = body[-8000:] + body[:-8000]  # the duplicates, conflicts and invalid MMSIs appended last: on day 1
    day2 = body[90_000:140_000]
    for k, line in enumerate(faults):  # the malformed and unreadable rows on day 2, across its blocks
        day2.insert(20_000 + k * 201, line)
    folder = tmp / "june"
    folder.mkdir()
    (folder / "AIS_2020_06_01.csv").write_text(header + "".join(body[:90_000]))
    with gzip.open(folder / "AIS_2020_06_02.csv.gz", "wt") as out:
        out.write(header + "".join(day2))
    with zipfile.ZipFile(folder / "AIS_2020_06_03.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("AIS_2020_06_03_a.csv", header + "".join(body[140_000:144_000]))
        z.writestr("AIS_2020_06_03_b.csv", header + "".join(body[144_000:148_000]))
    good = [line for line in body[148_000:] if line.count(",") == 16 and line.split(",")[1].startswith("2020")]
    (folder / "AIS_2020_06_04.jsonl").write_text("".join(jsonl_line(line) for line in good[:3000]))
    return folder


@pytest.fixture
def small_memory(monkeypatch):
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (BUDGET, "free"))


def test_a_month_of_files_too_big_for_memory_gives_the_one_pass_gaps(month, small_memory, tmp_path):
    pytest.importorskip("pyarrow")
    backend = "arrow"
    plan = buckets.bucket_plan(str(month), backend=backend, folder=str(tmp_path))
    assert plan is not None and plan.buckets >= 2
    read_whole = {part.name: part.block_bytes == 0 for part in plan.parts}
    assert read_whole == {
        "AIS_2020_06_01.csv": False,
        "AIS_2020_06_02.csv.gz": False,
        "AIS_2020_06_03.zip/AIS_2020_06_03_a.csv": True,
        "AIS_2020_06_03.zip/AIS_2020_06_03_b.csv": True,
        "AIS_2020_06_04.jsonl": True,
    }
    seen = []
    reports = buckets.spill(plan, progress=seen.append)
    try:
        found = BucketedGapEngine(reports, LOCATION).find_gaps(CRITERIA)
    finally:
        reports.close()
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)

    expected_reports = one_pass(str(month), backend, CRITERIA)[0]
    expected = InMemoryGapEngine(expected_reports, LOCATION).find_gaps(CRITERIA)
    assert len(expected.gaps) > 50
    assert gap_rows(found) == gap_rows(expected)
    assert reports.rows_read == expected_reports.rows_read
    assert reports.rows_kept == expected_reports.rows_kept
    assert reports.dropped == expected_reports.dropped
    for reason in (DUPLICATE, CONFLICTING_DUPLICATE, INVALID_MMSI, MALFORMED, UNPARSEABLE):
        assert reports.dropped[reason] > 0, reason
    # examples name their file and are numbered from the start of it, as the one-pass read of the dataset does
    assert reports.examples == expected_reports.examples
    assert reports.examples[UNPARSEABLE].startswith("AIS_2020_06_02.csv.gz: row 20,001, field MMSI")
    assert reports.format_name == expected_reports.format_name
    assert reports.summary_lines()[:-1] == expected_reports.summary_lines()
    assert "  Read 5 files as one dataset:" in reports.summary_lines()
    assert reports.summary_lines()[-1].startswith(f"  Read in {plan.buckets} buckets on disk because june needs")


def test_a_file_of_the_dataset_too_big_to_read_whole_and_not_readable_in_blocks_is_refused_by_name(
    tmp_path, monkeypatch
):
    """A Parquet file read without pyarrow (GDAL's driver reads it whole)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (2 << 20, "free"))
    monkeypatch.setattr(buckets, "parquet_backend_is_arrow", lambda: False)
    folder = tmp_path / "days"
    folder.mkdir()
    for name, n in (("a.parquet", 20), ("b.parquet", 60_000)):
        table = pa.table({"mmsi": [366000001] * n, "timestamp": list(range(1590969600, 1590969600 + n))})
        table = table.append_column("lat", pa.array([10.0] * n)).append_column("lon", pa.array([10.0] * n))
        pq.write_table(table, folder / name)
    with pytest.raises(BaiMeiError) as err:
        buckets.bucket_plan(str(folder), time_format="unix")
    assert str(err.value).startswith("Reading b.parquet (")
    assert "Detect dark gaps in an archive (Dask)" in str(err.value)
