"""A file bigger than memory: read in blocks into MMSI buckets on disk, gaps found bucket by bucket, and the same
gaps, drop counts and examples as the one-pass engine (core/ais/buckets.py, BucketedGapEngine)."""

import dataclasses
import glob
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bai_mei_plugin.core.ais import buckets, memory
from bai_mei_plugin.core.ais.model import (
    CONFLICTING_DUPLICATE,
    DUPLICATE,
    INVALID_MMSI,
    MALFORMED,
    NO_TIMES,
    TIME_OUT_OF_RANGE,
    UNPARSEABLE,
)
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.gap_engine import LOADED, BucketedGapEngine, InMemoryGapEngine, ReportsLocation
from bai_mei_plugin.core.gaps import GAP_FIELDS, GapCriteria

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300_000
BUDGET = 40 << 20  # 300,000 rows need about 200 MB: the bucket path is chosen
LOCATION = ReportsLocation(LOADED, "test", "test")


def messy_lines(rows: int, tmp_path: Path) -> list:
    """The benchmark's generated file (vessels reporting through the day, so each spans every block) with the
    faults cleaning handles: duplicates near and far, invalid MMSIs, rows out of order, malformed rows, unparseable
    values, missing times, times outside the window and positions out of range."""
    from tests.bench.generate import write_csv

    base = tmp_path / "base.csv"
    write_csv(base, rows)
    lines = base.read_bytes().decode("ascii").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    rng = np.random.default_rng(7)
    out = list(body)
    for i in rng.choice(len(body), 3000, replace=False).tolist():
        out.append(body[i])  # exact duplicate, later in the file
    for i in rng.choice(len(body), 500, replace=False).tolist():
        fields = body[i].split(",")
        fields[2] = f"{float(fields[2]) + 0.5:.5f}"  # same MMSI and time, 30 nm away: conflicting
        out.append(",".join(fields))
    for i in rng.choice(len(body), 2000, replace=False).tolist():
        fields = body[i].split(",")
        fields[0] = str(int(fields[0]) % 100000)  # too few digits: invalid MMSI
        out.append(",".join(fields))
    faults = [
        "123456789,2020-06-01T01:00:00,91.0,181.0,0,0,511,X,,,,,,,,,A\n",  # position not available
        "not-a-number,2020-06-01T01:00:00,10,10,0,0,511,X,,,,,,,,,A\n",  # unparseable MMSI
        "366000001,,10,10,0,0,511,X,,,,,,,,,A\n",  # missing time
        "366000002,1980-01-01T00:00:00,10,10,0,0,511,X,,,,,,,,,A\n",  # outside the time window
        "366000003,2020-06-01T01:00:00,10\n",  # malformed
    ]
    for k, line in enumerate(faults * 40):
        out.insert(1000 + k * 7919, line)
    shuffled = out[50_000:60_000]
    rng.shuffle(shuffled)  # rows out of order
    out[50_000:60_000] = shuffled
    return [header] + out


@pytest.fixture(scope="module")
def messy_file(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("buckets")
    path = tmp / "AIS_2020_06_01.csv"
    path.write_text("".join(messy_lines(ROWS, tmp)), encoding="ascii")
    return str(path)


@pytest.fixture
def small_memory(monkeypatch):
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (BUDGET, "free"))


def gap_rows(found):
    return [tuple(v for k, v in dataclasses.asdict(g).items() if k != "off_index") for g in found.gaps]


def one_pass(path, backend, criteria):
    reports = read_ais(path, fields=GAP_FIELDS, backend=backend, check_memory=False)
    return reports, InMemoryGapEngine(reports, LOCATION).find_gaps(criteria)


@pytest.mark.parametrize("backend", ["arrow", "stdlib"])
def test_bucket_path_is_chosen_and_finds_the_one_pass_gaps(messy_file, small_memory, tmp_path, backend):
    if backend == "arrow":
        pytest.importorskip("pyarrow")
    criteria = GapCriteria(min_gap_hours=2.0, min_positions_before=3)
    plan = buckets.bucket_plan(messy_file, backend=backend, folder=str(tmp_path))
    assert plan is not None and plan.buckets >= 2
    assert plan.block_bytes < os.path.getsize(messy_file) / 3  # several blocks: vessels split across them
    reports = buckets.spill(plan)
    try:
        assert len(glob.glob(os.path.join(reports.folder, "clean_*.npz"))) == plan.buckets
        found = BucketedGapEngine(reports, LOCATION).find_gaps(criteria)
    finally:
        reports.close()
    assert not os.path.exists(reports.folder)
    expected_reports, expected = one_pass(messy_file, backend, criteria)

    assert len(expected.gaps) > 100
    assert gap_rows(found) == gap_rows(expected)
    assert found.candidate_gaps == expected.candidate_gaps
    assert found.single_report_segments == expected.single_report_segments
    assert found.dropped == expected.dropped and found.dropped
    assert found.tracks == [] and "Tracks were not drawn" in found.notes[1]

    assert reports.rows_read == expected_reports.rows_read
    assert reports.rows_kept == expected_reports.rows_kept
    assert reports.dropped == expected_reports.dropped
    for reason in (DUPLICATE, CONFLICTING_DUPLICATE, INVALID_MMSI, MALFORMED, UNPARSEABLE, TIME_OUT_OF_RANGE):
        assert reports.dropped[reason] > 0, reason
    assert reports.examples == expected_reports.examples  # row and line numbers counted from the file's start
    assert reports.invalid_mmsis == expected_reports.invalid_mmsis
    for name in ("mmsi", "t", "lon_kept", "lat_kept", "lon", "lat", "distance_nm"):
        assert np.array_equal(getattr(reports.conflicts, name), getattr(expected_reports.conflicts, name)), name
    assert reports.summary_lines()[:-1] == expected_reports.summary_lines()
    assert reports.summary_lines()[-1].startswith(f"  Read in {plan.buckets} buckets on disk because AIS_2020_06_01")
    assert "MB is free" in reports.summary_lines()[-1]


def test_a_file_that_fits_is_read_in_one_pass(messy_file, monkeypatch):
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (64 << 30, "free"))
    assert buckets.bucket_plan(messy_file) is None


def test_missing_times_are_named_by_their_share_of_the_whole_file(tmp_path, monkeypatch):
    """Most rows without a time: the whole file "carries no times", though a bucket alone could say otherwise."""
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    lines = messy_lines(20_000, tmp_path)
    body = []
    for k, line in enumerate(lines[1:]):
        fields = line.split(",")
        body.append(line if k % 3 == 0 or len(fields) < 3 else ",".join([fields[0], "", *fields[2:]]))
    path = tmp_path / "AIS_no_times.csv"
    path.write_text(lines[0] + "".join(body), encoding="ascii")
    monkeypatch.setattr(memory, "available_memory", lambda: (2 << 20, "free"))  # 20,000 rows need about 13 MB
    reports = buckets.spill(buckets.bucket_plan(str(path), folder=str(tmp_path)))
    reports.close()
    expected = read_ais(str(path), fields=GAP_FIELDS, check_memory=False)
    assert reports.dropped == expected.dropped and NO_TIMES in reports.dropped
    assert reports.examples == expected.examples


def test_cancel_midway_leaves_no_folder(messy_file, small_memory, tmp_path):
    plan = buckets.bucket_plan(messy_file, folder=str(tmp_path))
    seen = []

    def progress(fraction):
        seen.append(fraction)

    with pytest.raises(Canceled):
        buckets.spill(plan, progress, is_canceled=lambda: len(seen) >= 2)
    assert seen and seen[-1] < 0.7  # stopped during the spill
    assert os.listdir(tmp_path) == []


def test_an_error_midway_leaves_no_folder(messy_file, small_memory, tmp_path, monkeypatch):
    plan = buckets.bucket_plan(messy_file, folder=str(tmp_path))

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(buckets, "_save", full_disk)
    with pytest.raises(OSError):
        buckets.spill(plan)
    assert os.listdir(tmp_path) == []


def test_a_disk_too_small_is_refused_naming_folder_and_sizes(messy_file, small_memory, tmp_path, monkeypatch):
    plan = buckets.bucket_plan(messy_file, folder=str(tmp_path))
    monkeypatch.setattr(buckets.shutil, "disk_usage", lambda folder: shutil._ntuple_diskusage(10_000, 9_000, 1_000))
    with pytest.raises(BaiMeiError) as err:
        buckets.spill(plan)
    message = str(err.value)
    assert str(tmp_path) in message and "1.0 KB is free" in message
    assert f"needs about {memory.size_text(plan.disk_needed)}" in message
    assert os.listdir(tmp_path) == []


# --- bounded memory, in a child process under prlimit --as ----------------------------------------------------

CHILD = textwrap.dedent("""
    import sys
    from bai_mei_plugin.core.ais import buckets
    from bai_mei_plugin.core.ais.reader import read_ais
    from bai_mei_plugin.core.errors import BaiMeiError
    from bai_mei_plugin.core.gap_engine import LOADED, BucketedGapEngine, ReportsLocation
    from bai_mei_plugin.core.gaps import GAP_FIELDS, GapCriteria

    path, mode, folder = sys.argv[1:4]
    if mode.startswith("one-pass"):
        try:
            read_ais(path, fields=GAP_FIELDS, backend="stdlib", check_memory=mode == "one-pass")
        except (BaiMeiError, MemoryError) as exc:
            print("REFUSED:", exc)
        sys.exit(0)
    plan = buckets.bucket_plan(path, backend="stdlib", folder=folder)
    reports = buckets.spill(plan)
    found = BucketedGapEngine(reports, ReportsLocation(LOADED, "x", "x")).find_gaps(GapCriteria(min_gap_hours=2.0))
    reports.close()
    print("BUCKETS:", plan.buckets, "GAPS:", len(found.gaps))
""")


@pytest.mark.skipif(not Path("/usr/bin/prlimit").exists(), reason="prlimit (util-linux) is not installed")
def test_peak_memory_is_bounded_under_an_address_space_limit(messy_file, tmp_path):
    """Under an address-space limit the one-pass read is refused (and runs out of memory when forced); the bucket
    path reads the same file and finds its gaps (the same count as the one-pass engine without the limit)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop(memory.SKIP_ENV, None)

    def run(mode, limit):
        command = ["prlimit", f"--as={limit}", sys.executable, str(script), messy_file, mode, str(tmp_path)]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)

    base = run("one-pass", 8 << 30)
    assert base.returncode == 0, base.stderr
    limit = _start_size(env) + (110 << 20)  # about half of what the one-pass read needs
    refused = run("one-pass", limit)
    assert "REFUSED:" in refused.stdout, refused.stdout + refused.stderr
    anyway = run("one-pass-unchecked", limit)  # the limit is real: reading anyway runs out of memory
    assert "ran out of memory" in anyway.stdout, anyway.stdout + anyway.stderr[-2000:]
    bucketed = run("buckets", limit)
    assert bucketed.returncode == 0, bucketed.stderr[-2000:]
    expected = InMemoryGapEngine(
        read_ais(messy_file, fields=GAP_FIELDS, backend="stdlib", check_memory=False), LOCATION
    ).find_gaps(GapCriteria(min_gap_hours=2.0))
    assert f"GAPS: {len(expected.gaps)}" in bucketed.stdout
    assert [p for p in os.listdir(tmp_path) if p.startswith(buckets.FOLDER_PREFIX)] == []


def _start_size(env) -> int:
    """The address space of the child once its modules are imported (VmSize), so the limit is above it."""
    code = (
        "import bai_mei_plugin.core.ais.buckets, bai_mei_plugin.core.gap_engine, bai_mei_plugin.core.ais.reader;"
        "from bai_mei_plugin.core.ais import memory;"
        "print(memory._kib_field(memory._read('/proc/self/status'), 'VmSize'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    return int(done.stdout.strip())
