"""DuckDB as the reference for file -> gaps: the same query Bai Mei answers, in SQL, timed in a fresh process.

    python -m tests.bench.duckdb_ref FILE [--hours 6] [--compare] [--repeats 3]

The query (issue 19's reference): read MMSI, BaseDateTime, LAT, LON from the CSV; ``DISTINCT``; ``LAG`` of the time
over each MMSI ordered by time; a gap where the silence is at least ``hours``. ``duckdb_gaps(path, hours)`` returns
``(gaps, seconds, rows)``; ``duckdb_gap_keys`` returns the gaps themselves (MMSI, off time, on time) so that another
method's gaps can be compared one by one.

Without arguments but FILE it prints one JSON line (as ``tests.bench.worker`` does: time, peak RSS). ``--compare``
runs DuckDB and Bai Mei's fast path (``read_ais(path, fields=GAP_FIELDS)`` -> ``detect_gaps``, no land, no layers)
each in its own process, interleaved, best of ``--repeats``, and prints the ratio to DuckDB and the peak memory
against issue 19's targets (<= 1.3x DuckDB, <= 1,000 MB at 5M rows). The machine may be shared: only ratios measured
in the same run mean anything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_RATIO = 1.3
TARGET_PEAK_MB = 1000.0

# The columns the query reads of a MarineCadastre file (tests/bench/generate.py), typed as Bai Mei reads them; the
# others are detected from a sample and never parsed (DuckDB reads only the columns a query uses).
_COLUMNS = "{'MMSI': 'BIGINT', 'BaseDateTime': 'TIMESTAMP', 'LAT': 'DOUBLE', 'LON': 'DOUBLE'}"


def _query(path: str, hours: float, select: str) -> str:
    # The path is quoted as a SQL string literal (a quote in it doubled); it is a file this bench generated.
    literal = "'" + str(path).replace("'", "''") + "'"
    seconds = int(round(hours * 3600))
    return f"""
        WITH reports AS (
            SELECT DISTINCT MMSI AS mmsi, epoch(BaseDateTime)::BIGINT AS t, LAT AS lat, LON AS lon
            FROM read_csv({literal}, header = true, types = {_COLUMNS})
        ),
        lagged AS (
            SELECT mmsi, t, LAG(t) OVER (PARTITION BY mmsi ORDER BY t) AS prev_t FROM reports
        )
        {select.format(seconds=seconds)}
    """


def duckdb_gaps(path, hours: float = 6.0):
    """(number of gaps, wall seconds, rows after DISTINCT) of the reference query on ``path``."""
    import duckdb

    con = duckdb.connect()
    try:
        start = time.perf_counter()
        gaps, rows = con.execute(
            _query(path, hours, "SELECT count(*) FILTER (WHERE t - prev_t >= {seconds}), count(*) FROM lagged")
        ).fetchone()
        seconds = time.perf_counter() - start
    finally:
        con.close()
    return int(gaps), seconds, int(rows)


def duckdb_gap_keys(path, hours: float = 6.0):
    """The reference's gaps as a sorted list of (MMSI, off time, on time) in epoch seconds."""
    import duckdb

    con = duckdb.connect()
    try:
        rows = con.execute(
            _query(
                path,
                hours,
                "SELECT mmsi, prev_t, t FROM lagged WHERE t - prev_t >= {seconds} ORDER BY mmsi, prev_t",
            )
        ).fetchall()
    finally:
        con.close()
    return [(int(m), int(a), int(b)) for m, a, b in rows]


def baimei_fast(path, hours: float = 6.0):
    """(number of gaps, wall seconds, rows kept) of Bai Mei's fast path: read_ais(GAP_FIELDS) -> detect_gaps."""
    from bai_mei_plugin.core.ais.reader import read_ais
    from bai_mei_plugin.core.gaps import GAP_FIELDS, GapCriteria, detect_gaps

    start = time.perf_counter()
    result = read_ais(str(path), fields=GAP_FIELDS)
    found = detect_gaps(result.columns, GapCriteria(min_gap_hours=hours))
    seconds = time.perf_counter() - start
    return len(found.gaps), seconds, len(result.columns)


METHODS = {"duckdb": duckdb_gaps, "baimei": baimei_fast}


def _measure(method: str, path: str, hours: float) -> dict:
    from tests.bench.worker import peak_rss_mb, vm_hwm_mb

    gaps, seconds, rows = METHODS[method](path, hours)
    return {
        "method": method,
        "gaps": gaps,
        "total": seconds,
        "rows": rows,
        "peak_rss_mb": peak_rss_mb(),
        "vm_hwm_mb": vm_hwm_mb(),
    }


def run_in_process(method: str, path, hours: float = 6.0, warm_mb: float = 1500.0) -> dict:
    """One measurement in a fresh process, so that its peak memory is its own; before it, as bench_gaps does, a
    wait for the shared CPUs to calm down and a memory pre-warm (see bench_gaps.PREWARM)."""
    from tests.bench.bench_gaps import prewarm, wait_for_quiet

    wait_for_quiet()
    prewarm(warm_mb)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.duckdb_ref", str(path), "--method", method, "--hours", str(hours)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise RuntimeError(
            f"{method} on {path} failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}"
        )
    return json.loads(lines[-1])


def compare(path, hours: float, repeats: int, out=print) -> int:
    runs: dict = {"duckdb": [], "baimei": []}
    for k in range(repeats):  # interleaved, so that a busy spell of the shared machine hits both alike
        for method in runs:
            run = run_in_process(method, path, hours)
            runs[method].append(run)
            out(
                f"  run {k + 1}/{repeats} {method:<7} {run['total']:7.2f} s  peak {run['peak_rss_mb']:7,.0f} MB  "
                f"gaps {run['gaps']:,}  rows {run['rows']:,}"
            )
    best = {m: min(r["total"] for r in rs) for m, rs in runs.items()}
    peak = {m: max(r["peak_rss_mb"] for r in rs) for m, rs in runs.items()}
    ratio = best["baimei"] / best["duckdb"]
    same = {r["gaps"] for rs in runs.values() for r in rs}
    out(
        f"DuckDB {best['duckdb']:.2f} s, {peak['duckdb']:,.0f} MB; Bai Mei fast path {best['baimei']:.2f} s, "
        f"{peak['baimei']:,.0f} MB"
    )
    out(
        f"ratio {ratio:.2f}x ({'PASS' if ratio <= TARGET_RATIO else 'MISS'} <= {TARGET_RATIO}x); peak "
        f"{peak['baimei']:,.0f} MB ({'PASS' if peak['baimei'] <= TARGET_PEAK_MB else 'MISS'} <= "
        f"{TARGET_PEAK_MB:,.0f} MB); gaps {'the same' if len(same) == 1 else 'DIFFER: ' + str(sorted(same))}"
    )
    return 0 if len(same) == 1 else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--method", choices=sorted(METHODS), default="duckdb")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.compare:
        return compare(args.file, args.hours, args.repeats)
    sys.stdout.write(json.dumps(_measure(args.method, args.file, args.hours)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
