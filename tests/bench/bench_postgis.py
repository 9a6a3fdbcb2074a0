"""PostGIS engine benchmark: the Dask benchmark's Parquet archive imported into a throwaway PostgreSQL + PostGIS
server with Bai Mei's COPY importer, its gaps found by the server in one SQL statement, and the in-process engine on
the same data.

The archive is ``tests.bench.bench_dask``'s (``tests.bench.generate``'s simulation as Parquet partitions of
``--rows-per-file`` rows, cached under ``bench-output/``), so the two benchmarks measure the same reports. The server
is ``tests.pg_server.PgServer`` (its own data directory under the temporary directory, stock settings apart from
fsync off; deleted afterwards).

Measured, each in a fresh process so that its peak memory is its own (``VmHWM``, the resident-memory high-water mark
of the process; ``ru_maxrss`` beside it):
- import: each Parquet partition read and cleaned (``read_archive``) and written with ``import_columns`` (COPY) into
  one table, then the (mmsi, ts) and GiST indexes and ANALYZE (``index_table``), as ``baimei:importpostgis`` does;
- gaps: ``detect_gaps_postgis`` from a process that holds only the gaps, as QGIS would: the calling process; with
  the draught, destination and name columns mapped, so the last known values are looked up (the importer's
  (mmsi, ts) index makes them index lookups for the gaps only); then, in another process and not timed, the
  statement's ``EXPLAIN (ANALYZE, BUFFERS)`` is printed (``--no-explain`` skips that second run);
- in-process: ``read_archive`` + ``detect_gaps`` of the whole archive (the Dask benchmark's reference run) on
  ``--compare-rows``, and the ratio of the two engines there. The gap count, the first gaps and the sum of gap
  distances must agree, or the exit code is 1.

    python -m tests.bench.bench_postgis [--rows 10000000] [--compare-rows 5000000]
    python -m tests.bench.bench_postgis --rows 50000000 --compare-rows 10000000   # the size issue 7 names
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.bench_dask import ISSUE_ROWS, generate, measure

TABLE = "public.ais_{rows}"
COLUMNS = {
    "mmsi": "mmsi",
    "time": "ts",
    "geometry": "geom",
    "sog": "sog",
    "draught": "draught",
    "destination": "destination",
    "vessel_name": "vessel_name",
}


def vm_hwm_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def memory() -> dict:
    return {"peak_rss_mb": vm_hwm_mb(), "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def run_import(archive: str, table: str, server: dict) -> dict:
    """Every partition of the archive into ``table`` with the COPY importer, then the indexes."""
    import psycopg2

    from bai_mei_plugin.engines.dask_gaps import read_archive
    from bai_mei_plugin.engines.postgis_import import import_columns, index_table

    files = sorted(Path(archive).glob("*.parquet"))
    conn = psycopg2.connect(**server)
    started = time.perf_counter()
    read_s = rows = 0
    for k, path in enumerate(files):
        began = time.perf_counter()
        cols = read_archive(str(path)).columns
        read_s += time.perf_counter() - began
        rows += import_columns(conn, table, cols, append=k > 0, indexes=False)
        del cols
    copied = time.perf_counter() - started
    index_table(conn, table)
    with conn.cursor() as cur:
        cur.execute("SELECT pg_total_relation_size(%s::regclass)", (table,))
        size_mb = cur.fetchone()[0] / 1e6
    conn.close()
    total = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": total,
        "steps": {"read + clean": read_s, "COPY": copied - read_s, "indexes + analyze": total - copied},
        "table_mb": size_mb,
        **memory(),
    }


def run_detect(table: str, server: dict) -> dict:
    """The server's gaps of ``table``; this process holds only them."""
    import psycopg2

    from bai_mei_plugin.engines.postgis_gaps import detect_gaps_postgis

    conn = psycopg2.connect(**server)
    started = time.perf_counter()
    notes = []
    gaps = detect_gaps_postgis(conn, table, COLUMNS, notes=notes)
    seconds = time.perf_counter() - started
    conn.close()
    return {
        "engine": "postgis",
        "seconds": seconds,
        "steps": {"query + fetch": seconds},
        "notes": notes,
        "gaps": len(gaps),
        "gap_nm_sum": float(sum(g.distance_nm for g in gaps)),
        "first_gaps": [(g.mmsi, g.off_time, g.on_time) for g in gaps[:50]],
        **memory(),
    }


def run_explain(table: str, server: dict) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the gap statement (a second run, not timed by the table)."""
    import psycopg2

    from bai_mei_plugin.engines.postgis_gaps import explain_gaps_postgis

    conn = psycopg2.connect(**server)
    plan = explain_gaps_postgis(conn, table, COLUMNS, analyze=True)
    conn.close()
    return {"plan": plan}


def server_version(params: dict) -> str:
    import psycopg2

    with psycopg2.connect(**params) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT split_part(version(), ',', 1) || ', PostGIS ' || postgis_lib_version() || "
            "', shared_buffers ' || current_setting('shared_buffers') || ', work_mem ' || "
            "current_setting('work_mem')"
        )
        version = cur.fetchone()[0]
    conn.close()
    return version


def child(*args: str) -> dict:
    """A step in a fresh process; the last line of its output is the JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_postgis", *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def same_gaps(a: dict, b: dict) -> bool:
    return (a["gaps"], [tuple(g) for g in a["first_gaps"]]) == (b["gaps"], [tuple(g) for g in b["first_gaps"]]) and abs(
        a["gap_nm_sum"] - b["gap_nm_sum"]
    ) <= 1e-6 * max(1.0, b["gap_nm_sum"])


def line(label: str, rows: int, r: dict) -> str:
    return (
        f"  {label:<30} {rows:>12,} {r['seconds']:>9.1f} {r['peak_rss_mb']:>10,.0f} {r.get('gaps', ''):>8}  "
        + ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
    )


def postgis_run(server, rows: int, rows_per_file: int, explain: bool = True) -> tuple:
    archive = generate(rows, rows_per_file)
    table = TABLE.format(rows=rows)
    params = json.dumps(server.params)
    imported = child("--import", str(archive), table, params)
    print(
        line("import (COPY importer)", imported["rows"], imported) + f"; table {imported['table_mb']:,.0f} MB",
        flush=True,
    )
    detected = child("--detect", table, params)
    print(line("gaps in PostGIS", imported["rows"], detected), flush=True)
    for note in detected.get("notes", []):
        print(f"    note: {note}", flush=True)
    if explain:
        plan = child("--explain", table, params)["plan"]
        print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of the gap statement at {imported['rows']:,} rows (a second run):")
        print("\n".join("    " + row for row in plan.splitlines()) + "\n", flush=True)
    return archive, imported, detected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="archive size for the PostGIS-only run")
    parser.add_argument("--compare-rows", type=int, default=5_000_000, help="size both engines run on")
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument(
        "--import", nargs=3, dest="do_import", metavar=("ARCHIVE", "TABLE", "SERVER"), help=argparse.SUPPRESS
    )
    parser.add_argument("--detect", nargs=2, metavar=("TABLE", "SERVER"), help=argparse.SUPPRESS)
    parser.add_argument("--explain", nargs=2, metavar=("TABLE", "SERVER"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-explain", action="store_true", help="skip EXPLAIN (ANALYZE, BUFFERS), which runs the query again"
    )
    args = parser.parse_args()
    if args.do_import:
        archive, table, server = args.do_import
        print(json.dumps(run_import(archive, table, json.loads(server))), flush=True)
        return 0
    if args.detect:
        print(json.dumps(run_detect(args.detect[0], json.loads(args.detect[1]))), flush=True)
        return 0
    if args.explain:
        print(json.dumps(run_explain(args.explain[0], json.loads(args.explain[1]))), flush=True)
        return 0

    from tests.pg_server import PgServer, unavailable_reason

    reason = unavailable_reason()
    if reason:
        print(f"PostGIS benchmark skipped: {reason}")
        return 0
    print(
        f"PostGIS gap benchmark: issue 7 asks for {ISSUE_ROWS:,} reports; this run: {args.rows:,} through PostGIS, "
        f"{args.compare_rows:,} through both engines; {os.cpu_count()} CPUs. Time in s, peak memory (VmHWM) in MB "
        "of each step's own process.",
        flush=True,
    )
    print(f"\n  {'':<30} {'rows':>12} {'time s':>9} {'peak MB':>10} {'gaps':>8}  steps (s)", flush=True)
    with PgServer() as server:
        started = time.perf_counter()
        print(f"  server: {server_version(server.params)}", flush=True)
        archive, _imported, small = postgis_run(server, args.compare_rows, args.rows_per_file, not args.no_explain)
        local = measure("inprocess", archive, 1)
        local["peak_rss_mb"] = local["vm_hwm_mb"]
        print(line("in-process (read_archive)", local["rows"], local), flush=True)
        big = small
        if args.rows != args.compare_rows:
            _archive, _imported, big = postgis_run(server, args.rows, args.rows_per_file, not args.no_explain)
        print(f"  (server up, imports and queries: {time.perf_counter() - started:,.0f} s)")
    same = same_gaps(small, local)
    ratio = small["seconds"] / local["seconds"]
    print(
        f"\nAt {args.compare_rows:,} rows: PostGIS query / in-process time {ratio:.2f}x "
        f"({small['seconds']:.1f} s vs {local['seconds']:.1f} s), peak memory of the calling process "
        f"{small['peak_rss_mb']:,.0f} MB vs {local['peak_rss_mb']:,.0f} MB "
        f"({small['peak_rss_mb'] / local['peak_rss_mb']:.2f}x); gaps identical: {'yes' if same else 'NO'}."
    )
    if big is not small:
        print(
            f"At {args.rows:,} rows: PostGIS query {big['seconds']:.1f} s, {big['gaps']:,} gaps, calling process "
            f"peak {big['peak_rss_mb']:,.0f} MB."
        )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
