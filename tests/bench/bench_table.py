"""``make bench``'s summary (issue 19): every way of finding the dark gaps of one file, in one table.

For a generated MarineCadastre file (``tests.bench.generate``, cached in ``bench-output/``; 5M rows, or the
``BENCH_ROWS`` environment variable, e.g. 50000000), each method runs in its own process so that its peak memory
(``VmHWM`` of that process) is its own, imports before the clock:

- DuckDB, the reference: the CSV read by DuckDB, ``SELECT DISTINCT`` (MMSI, time), then ``LAG`` over MMSI by time,
  the gaps where the silence is at least the threshold (6 h, ``GapCriteria``'s default);
- the numpy + pyarrow baseline of ``bench_gaps`` (``tests.bench.worker.baseline``);
- Bai Mei in process (``read_ais(fields=GAP_FIELDS)`` + ``detect_gaps``) with the pyarrow, numpy and standard library
  CSV backends (the last two with pyarrow made unimportable, as in a stock QGIS);
- Bai Mei's bucketed path (``core.ais.buckets``, forced by a small memory budget), when that module exists;
- Dask (``detect_gaps_dask``, 2 workers, on the same simulation as Parquet, as ``bench_dask``; the workers' memory
  is not in the calling process's peak) and the PostGIS query (``detect_gaps_postgis`` after the COPY import, which
  is not timed; the server's memory is its own), skipped with the reason when they cannot run.

Each row: best time of the runs, highest peak, ratio to DuckDB, gap count and whether the gaps (MMSI, off and on
times) are identical to DuckDB's. The issue's targets are printed beside as PASS/MISS. The exit code is non-zero
only when a method crashed or found other gaps.

    python -m tests.bench.bench_table            # BENCH_ROWS=1000000 for a quick run; BENCH_REPEATS (default 3)
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.bench_gaps import BenchError, _env, ensure_file, mem_available_mb, prewarm, wait_for_quiet
from tests.bench.worker import GAP_SECONDS, peak_rss_mb, vm_hwm_mb

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROWS = 5_000_000
TIMEOUT_S = 3600
BUCKET_BUDGET_MB = 256  # the memory the bucketed path is told it has, so that it spills even a small file
ROWS_PER_FILE = 1_000_000  # the Parquet archive of Dask and PostGIS, as bench_dask's default
# Issue 19's targets at 5M rows.
FAST_RATIO, NO_PYARROW_RATIO, FAST_PEAK_MB = 1.3, 4.0, 1024.0


class Method:
    def __init__(self, key: str, label: str, slow: bool = False):
        self.key, self.label, self.slow = key, label, slow


METHODS = [
    Method("duckdb", "DuckDB (DISTINCT, LAG over MMSI by time)"),
    Method("baseline", "numpy + pyarrow baseline"),
    Method("arrow", "Bai Mei in process, pyarrow"),
    Method("numpy", "Bai Mei, numpy backend (no pyarrow)"),
    Method("stdlib", "Bai Mei, stdlib backend (no pyarrow)", slow=True),
    Method("buckets", f"Bai Mei bucketed ({BUCKET_BUDGET_MB} MB budget)", slow=True),
    Method("dask", "Dask (Parquet, 2 workers)", slow=True),
    Method("postgis", "PostGIS query (after import)", slow=True),
]


# --- the measurements, each in a process of its own ----------------------------------------------------------


def gap_list(gaps) -> list:
    return sorted([int(g.mmsi), int(g.off_time), int(g.on_time)] for g in gaps)


def run_duckdb(path: str) -> dict:
    import duckdb

    conn = duckdb.connect()
    started = time.perf_counter()
    rows = conn.execute(
        f"""
        WITH reports AS (
            SELECT DISTINCT MMSI AS mmsi, epoch(BaseDateTime)::BIGINT AS t
            FROM read_csv(?, header = true, columns = {{
                'MMSI': 'BIGINT', 'BaseDateTime': 'TIMESTAMP', 'LAT': 'DOUBLE', 'LON': 'DOUBLE', 'SOG': 'VARCHAR',
                'COG': 'VARCHAR', 'Heading': 'VARCHAR', 'VesselName': 'VARCHAR', 'IMO': 'VARCHAR',
                'CallSign': 'VARCHAR', 'VesselType': 'VARCHAR', 'Status': 'VARCHAR', 'Length': 'VARCHAR',
                'Width': 'VARCHAR', 'Draft': 'VARCHAR', 'Cargo': 'VARCHAR', 'TransceiverClass': 'VARCHAR'}})
        ), silences AS (
            SELECT mmsi, LAG(t) OVER (PARTITION BY mmsi ORDER BY t) AS off_t, t AS on_t FROM reports
        )
        SELECT mmsi, off_t, on_t FROM silences WHERE on_t - off_t >= {GAP_SECONDS}
        """,
        [path],
    ).fetchall()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "gaps": sorted([int(m), int(a), int(b)] for m, a, b in rows)}


def run_baseline(path: str) -> dict:
    from tests.bench.worker import baseline

    out = baseline(path)
    return {"seconds": out["total"], "gaps": sorted(out["gap_list"])}


def _block_pyarrow() -> None:
    """As a stock QGIS: ``import pyarrow`` fails."""
    for name in ("pyarrow", "pyarrow.csv", "pyarrow.compute", "pyarrow.parquet"):
        sys.modules[name] = None  # type: ignore[assignment]


def run_baimei(path: str, backend: str) -> dict:
    if backend != "arrow":
        _block_pyarrow()
    from bai_mei_plugin.core.ais.reader import read_ais
    from bai_mei_plugin.core.gaps import GAP_FIELDS, GapCriteria, detect_gaps

    if backend == "arrow":
        from bai_mei_plugin.core.ais import csv_arrow  # noqa: F401 (imported before the clock, as in a session)
    started = time.perf_counter()
    result = read_ais(path, fields=GAP_FIELDS, backend=backend)
    found = detect_gaps(result.columns, GapCriteria())
    seconds = time.perf_counter() - started
    notes = [line.strip() for line in result.summary_lines() if "standard library reader" in line]
    return {"seconds": seconds, "gaps": gap_list(found.gaps), "notes": notes}


def run_buckets(path: str) -> dict:
    from bai_mei_plugin.core.ais import buckets, memory
    from bai_mei_plugin.core.gap_engine import LOADED, BucketedGapEngine, ReportsLocation
    from bai_mei_plugin.core.gaps import GapCriteria

    memory.available_memory = lambda: (BUCKET_BUDGET_MB << 20, "the benchmark's budget")
    started = time.perf_counter()
    plan = buckets.bucket_plan(path)
    if plan is None:
        raise RuntimeError("bucket_plan chose the one-pass read despite the small budget")
    engine = BucketedGapEngine(buckets.spill(plan), ReportsLocation(LOADED, os.path.basename(path), path))
    found = engine.find_gaps(GapCriteria())
    seconds = time.perf_counter() - started
    engine.close()
    return {"seconds": seconds, "gaps": gap_list(found.gaps), "notes": [f"{plan.buckets} buckets"]}


def run_dask(archive: str) -> dict:
    from bai_mei_plugin.engines.dask_gaps import detect_gaps_dask

    started = time.perf_counter()
    gaps, _info = detect_gaps_dask(archive, n_workers=2)
    return {"seconds": time.perf_counter() - started, "gaps": gap_list(gaps), "notes": ["cluster start included"]}


def run_postgis(table: str, server: str) -> dict:
    import psycopg2

    from bai_mei_plugin.engines.postgis_gaps import detect_gaps_postgis
    from tests.bench.bench_postgis import COLUMNS

    conn = psycopg2.connect(**json.loads(server))
    started = time.perf_counter()
    gaps = detect_gaps_postgis(conn, table, COLUMNS)
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, "gaps": gap_list(gaps)}


def run(method: str, *args: str) -> dict:
    if method == "duckdb":
        return run_duckdb(*args)
    if method == "baseline":
        return run_baseline(*args)
    if method in ("arrow", "numpy", "stdlib"):
        return run_baimei(args[0], method)
    return {"buckets": run_buckets, "dask": run_dask, "postgis": run_postgis}[method](*args)


# --- the parent: files, processes, the table -------------------------------------------------------------------


def child(method: str, *args: str) -> dict:
    """One measurement in a fresh process (the last line of its output is the JSON result)."""
    wait_for_quiet()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_table", "--run", method, *args],
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{method} took longer than {TIMEOUT_S} s") from exc
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith("{"):
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
        raise BenchError(f"{method} crashed (exit code {proc.returncode}):\n{tail}")
    return json.loads(lines[-1])


def measure(method: Method, args: list, repeats: int, log) -> dict:
    runs = []
    for k in range(1 if method.slow else repeats):
        prewarm(max(1024.0, 1.25 * max((r["peak_mb"] for r in runs), default=2048.0)))
        runs.append(child(method.key, *args))
        log(f"  {method.label:<42} run {k + 1}: {runs[-1]['seconds']:8.2f} s, peak {runs[-1]['peak_mb']:7,.0f} MB")
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "runs": len(runs), "peak_mb": max(r["peak_mb"] for r in runs)}


def archive_for(rows: int, log) -> Path:
    from tests.bench.bench_dask import archive_path

    path = archive_path(rows)
    if not (path / "_done").exists():
        log(f"  writing the Parquet archive of {rows:,} rows for Dask and PostGIS")
        subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_dask", "--generate", str(rows)]
            + ["--rows-per-file", str(ROWS_PER_FILE)],
            cwd=ROOT,
            env=_env(),
            check=True,
            capture_output=True,
        )
    return path


def skip_reason(method: str) -> str:
    """Why a method cannot run here ('' when it can)."""
    if method == "buckets" and not (ROOT / "bai_mei_plugin" / "core" / "ais" / "buckets.py").exists():
        return "core/ais/buckets.py is not in this tree"
    if method == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            return "dask[distributed] is not installed"
    if method == "postgis":
        from tests.pg_server import unavailable_reason

        return unavailable_reason() or ""
    return ""


def measure_all(path: Path, rows: int, repeats: int, log) -> dict:
    results: dict = {}
    for method in METHODS:
        reason = skip_reason(method.key)
        if reason:
            results[method.key] = {"skipped": reason}
            log(f"  {method.label:<42} skipped: {reason}")
            continue
        if method.key == "dask":
            results["dask"] = measure(method, [str(archive_for(rows, log))], repeats, log)
        elif method.key == "postgis":
            results["postgis"] = measure_postgis(method, rows, repeats, log)
        else:
            results[method.key] = measure(method, [str(path)], repeats, log)
    return results


def measure_postgis(method: Method, rows: int, repeats: int, log) -> dict:
    from tests.bench.bench_postgis import TABLE
    from tests.bench.bench_postgis import child as postgis_child
    from tests.pg_server import PgServer

    archive = archive_for(rows, log)
    table = TABLE.format(rows=rows)
    with PgServer() as server:
        params = json.dumps(server.params)
        imported = postgis_child("--import", str(archive), table, params)
        log(f"  {'PostGIS import (COPY, indexes; not timed)':<42} {imported['seconds']:8.2f} s")
        result = measure(method, [table, params], repeats, log)
    result["notes"] = [f"import {imported['seconds']:.0f} s not included"]
    return result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(results: dict, rows: int, log) -> list:
    """The table; returns the disagreements with DuckDB."""
    reference = results["duckdb"]
    ref_gaps, ref_s = reference["gaps"], reference["seconds"]
    log(f"\nDark gaps (>= {GAP_SECONDS // 3600} h) of {rows:,} MarineCadastre rows; best of the runs, peak = VmHWM.")
    head = f"{'method':<42} {'time s':>8} {'peak MB':>8} {'x DuckDB':>9} {'gaps':>7}  {'identical':<9}  notes"
    log(head)
    log("-" * len(head))
    problems = []
    for method in METHODS:
        r = results[method.key]
        if "skipped" in r:
            log(f"{method.label:<42} {'-':>8} {'-':>8} {'-':>9} {'-':>7}  {'-':<9}  skipped: {r['skipped']}")
            continue
        same = r["gaps"] == ref_gaps
        if not same:
            problems.append(f"{method.label}: {len(r['gaps']):,} gaps, {difference(r['gaps'], ref_gaps)}")
        notes = "; ".join(r.get("notes", []) + (["1 run"] if r["runs"] == 1 else []))
        log(
            f"{method.label:<42} {r['seconds']:>8.2f} {r['peak_mb']:>8,.0f} {r['seconds'] / ref_s:>8.2f}x "
            f"{len(r['gaps']):>7,}  {'yes' if same else 'NO':<9}  {notes}"
        )
    log("")
    print_targets(results, rows, log)
    return problems


def difference(found: list, expected: list) -> str:
    a, b = {tuple(g) for g in found}, {tuple(g) for g in expected}
    return f"{len(a - b)} not in DuckDB's, {len(b - a)} of DuckDB's missing, e.g. {sorted(a ^ b)[:3]}"


def print_targets(results: dict, rows: int, log) -> None:
    ref_s = results["duckdb"]["seconds"]
    scale = "" if rows == DEFAULT_ROWS else f" (the targets are set at {DEFAULT_ROWS:,} rows; this run has {rows:,})"
    log(f"Issue 19's targets{scale}:")
    arrow, plain = results["arrow"], results["numpy"]
    log(
        f"  fast path (pyarrow) <= {FAST_RATIO}x DuckDB: {arrow['seconds'] / ref_s:.2f}x  "
        f"{verdict(arrow['seconds'] <= FAST_RATIO * ref_s)}"
    )
    log(
        f"  fast path peak <= {FAST_PEAK_MB:,.0f} MB: {arrow['peak_mb']:,.0f} MB  "
        f"{verdict(arrow['peak_mb'] <= FAST_PEAK_MB)}"
    )
    log(
        f"  without pyarrow (numpy backend) <= {NO_PYARROW_RATIO}x DuckDB: {plain['seconds'] / ref_s:.2f}x  "
        f"{verdict(plain['seconds'] <= NO_PYARROW_RATIO * ref_s)}"
    )


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--run":
        out = run(sys.argv[2], *sys.argv[3:])
        out["peak_mb"] = vm_hwm_mb()
        out["ru_maxrss_mb"] = peak_rss_mb()
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        os._exit(0)  # no teardown of clusters or QGIS: not part of any measurement
    rows = int(os.environ.get("BENCH_ROWS", DEFAULT_ROWS))
    repeats = int(os.environ.get("BENCH_REPEATS", 3))

    def log(message: str) -> None:
        print(message, flush=True)

    log(
        f"Bai Mei gap methods side by side: {rows:,} rows, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{mem_available_mb():,.0f} MB available; best of {repeats} runs (slow methods: 1)."
    )
    try:
        path = ensure_file(rows, log)
        results = measure_all(path, rows, repeats, log)
    except BenchError as exc:
        log(f"\nCRASH: {exc}")
        return 2
    problems = print_table(results, rows, log)
    for problem in problems:
        log(f"DIFFERENT GAPS: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
