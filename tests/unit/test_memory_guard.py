"""The memory estimate made before reading an AIS file, and what happens when memory runs out anyway."""

import ast
import gzip
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bai_mei_plugin.core.ais import memory
from bai_mei_plugin.core.ais.formats import read_head
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.ais.source import inspect, text_size
from bai_mei_plugin.core.errors import BaiMeiError

ROOT = Path(__file__).resolve().parents[2]
needs_prlimit = pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit (util-linux) is not installed")


@pytest.fixture
def ais_file(tmp_path):
    """A MarineCadastre file of 20,000 rows (the benchmark's generator: realistic line lengths)."""
    from tests.bench.generate import write_csv

    path = tmp_path / "AIS_2020_06_01.csv"
    write_csv(path, 20000)
    return str(path)


def test_rows_are_estimated_from_size_and_line_length(ais_file):
    info = inspect(ais_file)
    rows = memory.estimate_rows(info, read_head(ais_file, 200))
    assert 18000 <= rows <= 22000


def test_compressed_files_are_estimated_on_their_text(ais_file, tmp_path):
    packed = tmp_path / "AIS_2020_06_01.csv.gz"
    packed.write_bytes(gzip.compress(Path(ais_file).read_bytes()))
    info = inspect(str(packed))
    assert info.size < os.path.getsize(ais_file) / 2
    rows = memory.estimate_rows(info, read_head(str(packed), 200), text_size(info, sample=256 * 1024))
    # 20,000 rows; the compressed position the ratio is taken at includes the decompressor's read-ahead, which
    # differs between Python versions (3.11: within 20 %, 3.13: 25 % low), so an estimate, not a count
    assert 14000 <= rows <= 26000


def test_a_read_that_does_not_fit_is_refused_with_advice(ais_file, monkeypatch):
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (10 << 20, "free"))  # 20,000 rows need about 20 MB
    with pytest.raises(BaiMeiError) as err:
        read_ais(ais_file, backend="stdlib")
    message = str(err.value)
    assert re.match(
        r"Reading AIS_2020_06_01\.csv \(2\.1 MB, about (19|20),\d{3} reports\) needs about (19|20)\.\d MB "
        r"of memory and 10\.5 MB is free: use 'Detect dark gaps in an archive \(Dask\)' on the same file",
        message,
    ), message
    assert err.value.details and memory.SKIP_ENV in err.value.details


def test_the_message_offers_pyarrow_with_what_it_would_need(ais_file, monkeypatch):
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (6 << 30, "free"))
    monkeypatch.setitem(memory.BYTES_PER_ROW, "stdlib", 500_000)  # as if the file had 500 times its rows
    monkeypatch.setitem(memory.BYTES_PER_ROW, "arrow", 100_000)
    with pytest.raises(BaiMeiError) as err:
        read_ais(ais_file, backend="stdlib")
    message = str(err.value)
    assert re.search(r"needs about (9\.\d|10\.\d) GB of memory and 6\.4 GB is free", message), message
    assert "cut it by time or area first" in message
    assert re.search(r"install the Python package pyarrow \(then it needs about 2\.0 GB\)\.$", message), message


def test_pyarrow_is_not_offered_when_it_would_not_fit_either(ais_file, monkeypatch):
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (1 << 30, "free"))
    monkeypatch.setitem(memory.BYTES_PER_ROW, "stdlib", 500_000)
    monkeypatch.setitem(memory.BYTES_PER_ROW, "arrow", 500_000)
    with pytest.raises(BaiMeiError) as err:
        read_ais(ais_file, backend="stdlib")
    assert "pyarrow" not in str(err.value)


def test_experts_can_skip_the_check(ais_file, monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: (1 << 20, "free"))
    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    assert read_ais(ais_file, backend="stdlib", check_memory=False).rows_kept == 20000
    monkeypatch.setenv(memory.SKIP_ENV, "1")
    assert read_ais(ais_file, backend="stdlib").rows_kept == 20000


def test_available_memory_is_the_smallest_limit(monkeypatch):
    # /proc/meminfo changes between two reads on a busy machine: hold it still for the comparison
    meminfo = memory._meminfo_available()
    assert meminfo is not None
    monkeypatch.setattr(memory, "_meminfo_available", lambda: meminfo)
    available, _ = memory.available_memory()
    assert available is not None and 0 <= available <= meminfo
    monkeypatch.setattr(memory, "_meminfo_available", lambda: 12345)
    assert memory.available_memory() == (12345, "free")


# --- in a child process under prlimit --as -------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, sys
    from bai_mei_plugin.core.ais import memory
    from bai_mei_plugin.core.ais.reader import read_ais
    from bai_mei_plugin.core.errors import BaiMeiError

    if sys.argv[2] == "vmsize":
        print(memory._kib_field(memory._read("/proc/self/status"), "VmSize"))
        sys.exit(0)
    if sys.argv[2] == "big-estimate":
        memory.BYTES_PER_ROW["stdlib"] = 1_000_000  # 20,000 rows: about 20 GB, far above the limit
    try:
        result = read_ais(sys.argv[1], backend="stdlib", check_memory=sys.argv[2] != "no-check")
    except BaiMeiError as exc:
        print("MESSAGE:", exc)
        print("AVAILABLE:", memory.available_memory())
        sys.exit(0)
    print("READ:", result.rows_kept)
""")


def run_child(tmp_path, path: str, mode: str, limit: int = 0):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop(memory.SKIP_ENV, None)
    command = [sys.executable, str(script), path, mode]
    if limit:
        command = ["prlimit", f"--as={limit}", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def child_vmsize(tmp_path, path: str) -> int:
    done = run_child(tmp_path, path, "vmsize")
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


@needs_prlimit
def test_under_prlimit_the_estimate_refuses_and_the_process_ends_normally(tmp_path, ais_file):
    limit = child_vmsize(tmp_path, ais_file) + (300 << 20)
    done = run_child(tmp_path, ais_file, "big-estimate", limit)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "MESSAGE: Reading AIS_2020_06_01.csv (2.1 MB, about 20," in done.stdout
    assert "address-space limit (RLIMIT_AS)" in done.stdout
    assert "MemoryError" not in done.stderr and "Traceback" not in done.stderr


@needs_prlimit
def test_under_prlimit_a_memory_error_becomes_the_same_advice(tmp_path):
    from tests.bench.generate import write_csv

    path = tmp_path / "AIS_big.csv"
    write_csv(path, 400_000)  # about 43 MB of text, about 400 MB to read with the stdlib reader
    limit = child_vmsize(tmp_path, str(path)) + (150 << 20)
    done = run_child(tmp_path, str(path), "no-check", limit)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "MESSAGE: Reading AIS_big.csv" in done.stdout and "ran out of memory" in done.stdout, done.stdout
    assert "Detect dark gaps in an archive (Dask)" in done.stdout
    assert "Traceback" not in done.stderr


@needs_prlimit
def test_with_the_check_the_same_read_is_refused_before_it_starts(tmp_path):
    from tests.bench.generate import write_csv

    path = tmp_path / "AIS_big.csv"
    write_csv(path, 400_000)
    limit = child_vmsize(tmp_path, str(path)) + (150 << 20)
    done = run_child(tmp_path, str(path), "check", limit)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "MESSAGE: Reading AIS_big.csv (43." in done.stdout and "needs about 4" in done.stdout, done.stdout
    assert "ran out" not in done.stdout


def test_rlimit_is_read_back(tmp_path, ais_file):
    """The child's own RLIMIT_AS shows up as the limiting figure (without prlimit: set in the child itself)."""
    script = tmp_path / "rlimit.py"
    script.write_text(
        textwrap.dedent("""
        import resource
        from bai_mei_plugin.core.ais import memory
        used = memory._kib_field(memory._read("/proc/self/status"), "VmSize")
        resource.setrlimit(resource.RLIMIT_AS, (used + (64 << 20), resource.RLIM_INFINITY))
        print(memory.available_memory())
    """)
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    value, label = ast.literal_eval(done.stdout.strip())  # the (bytes, label) tuple the child printed
    assert 0 < value <= 64 << 20 and "RLIMIT_AS" in label


def test_what_the_caller_adds_per_row_counts_too(ais_file, monkeypatch):
    """The dock's points layer (about 1.1 KB a point in QGIS) is counted when it is asked for."""
    from bai_mei_plugin.core.gaps import GAP_FIELDS

    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: (30 << 20, "free"))  # 20,000 rows x 650 B: 13 MB
    assert read_ais(ais_file, backend="stdlib", fields=GAP_FIELDS).rows_kept == 20000
    with pytest.raises(BaiMeiError, match=r"needs about 3\d\.\d MB"):
        read_ais(ais_file, backend="stdlib", extra_bytes_per_row=memory.POINT_LAYER_BYTES_PER_ROW, fields=GAP_FIELDS)


def test_small_pages_turns_numpy_huge_pages_off_and_restores_them(monkeypatch):
    from bai_mei_plugin.core.ais import memory

    calls = []
    state = {"on": True}

    def setter(on):
        calls.append(on)
        previous, state["on"] = state["on"], on
        return previous

    monkeypatch.setattr(memory, "_hugepage_setter", lambda: setter)
    with memory.small_pages():
        assert state["on"] is False
    assert state["on"] is True
    state["on"] = False  # a process that had them off keeps them off
    try:
        with memory.small_pages():
            raise ValueError("a failed read")
    except ValueError:
        pass
    assert state["on"] is False and calls == [False, True, False, False]


def test_small_pages_with_this_numpy_and_without_the_setting(monkeypatch):
    from bai_mei_plugin.core.ais import memory

    setter = memory._hugepage_setter()
    if setter is not None:  # this numpy has it: off inside, as it was after
        before = setter(True)
        with memory.small_pages():
            assert setter(False) is False
        assert setter(before) is True
    monkeypatch.setattr(memory, "_hugepage_setter", lambda: None)
    with memory.small_pages():  # a numpy without the setting: nothing to do
        pass
