"""Dask engine benchmark: a synthetic Parquet archive through a local Dask cluster and through the in-process engine.

The archive is ``tests.bench.generate``'s simulation (about 3,000 vessels over a week, reports interleaved by time)
written as Parquet partitions of ``--rows-per-file`` rows in time order, so every vessel is spread over every file.
Cached under ``bench-output/`` by size, seed and generator version.

Measured, each in a fresh process so that peak memory is its own (``VmHWM``, the resident-memory high-water mark of
the calling process, the one that would be QGIS's; ``ru_maxrss``, which also counts the parent at fork, is in the
JSON beside it):
- Dask: ``detect_gaps_dask`` with a LocalCluster of ``--workers`` processes (cluster start included) on ``--rows``;
- both engines on ``--compare-rows`` (the largest size the in-process engine does comfortably here): Dask, and the
  in-process engine (``read_archive``: the whole archive read into the process, cleaned, ``detect_gaps``).

Issue 7 asks for 50M reports: ``--rows 50000000`` runs it (the archive: 50 files, 1 GB, about 40 s and 6.3 GB of
memory to generate, once); ``make bench`` uses 10M so that it stays within minutes on a 2-core machine.

    python -m tests.bench.bench_dask [--rows 10000000] [--compare-rows 5000000] [--workers 2]
    python -m tests.bench.bench_dask --rows 50000000 --compare-rows 10000000
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

import numpy as np

from tests.bench.generate import DEFAULT_SEED, GENERATOR_VERSION, OUTPUT_DIR, START, simulate

ISSUE_ROWS = 50_000_000


def archive_path(rows: int, seed: int = DEFAULT_SEED) -> Path:
    return OUTPUT_DIR / f"ais_parquet_{rows}_s{seed}_g{GENERATOR_VERSION}"


def write_archive(rows: int, rows_per_file: int, seed: int = DEFAULT_SEED) -> Path:
    """The cached Parquet archive for (rows, seed), written in time order, ``rows_per_file`` rows a file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = archive_path(rows, seed)
    if (path / "_done").exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    data = simulate(rows, seed)
    names = pa.array([f"VESSEL {k + 1}" for k in range(len(data["mmsi"]))])
    start = START.astype(np.int64)
    for k, first in enumerate(range(0, rows, rows_per_file)):
        idx = data["order"][first : first + rows_per_file]
        vid = data["vid"][idx]
        table = pa.table(
            {
                "MMSI": data["mmsi"][vid].astype(np.int64),
                "BaseDateTime": pa.array(start + data["t"][idx], pa.timestamp("s")),
                "LAT": data["lat"][idx],
                "LON": data["lon"][idx],
                "SOG": np.round(data["sog"][idx], 1),
                "VesselName": pa.DictionaryArray.from_arrays(pa.array(vid.astype(np.int32)), names),
            }
        )
        pq.write_table(table, path / f"part-{k:04d}.parquet")
    (path / "_done").touch()
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def vm_hwm_mb() -> float:
    """The resident-memory high-water mark of this process image (``VmHWM``); unlike ``ru_maxrss`` it does not
    include the parent's memory at fork/exec."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def run_engine(engine: str, archive: str, workers: int) -> dict:
    from bai_mei_plugin.core.gaps import detect_gaps
    from bai_mei_plugin.engines.dask_gaps import detect_gaps_dask, read_archive

    start_rss = peak_rss_mb()
    started = time.perf_counter()
    if engine == "dask":
        gaps, info = detect_gaps_dask(archive, n_workers=workers)
        rows, steps = info["rows_kept"], info["seconds"]
    else:
        cleaned = read_archive(archive)
        read_s = time.perf_counter() - started
        gaps = detect_gaps(cleaned.columns).gaps
        rows, steps = cleaned.rows_kept, {"read + clean": read_s, "detect_gaps": time.perf_counter() - started - read_s}
    return {
        "engine": engine,
        "seconds": time.perf_counter() - started,
        "steps": steps,
        "rows": rows,
        "gaps": len(gaps),
        "gap_nm_sum": float(sum(g.distance_nm for g in gaps)),
        "first_gaps": [(g.mmsi, g.off_time, g.on_time) for g in gaps[:50]],
        "start_rss_mb": start_rss,
        "peak_rss_mb": peak_rss_mb(),
        "vm_hwm_mb": vm_hwm_mb(),
    }


def measure(engine: str, archive: Path, workers: int) -> dict:
    """One engine run in a fresh process (the last line of its output is the JSON result)."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_dask", "--run", engine, str(archive), "--workers", str(workers)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{engine} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def generate(rows: int, rows_per_file: int) -> Path:
    """The archive, generated in a separate process so this one stays small."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_dask",
            "--generate",
            str(rows),
            "--rows-per-file",
            str(rows_per_file),
        ],
        check=True,
    )
    path = archive_path(rows)
    size = sum(p.stat().st_size for p in path.glob("*.parquet")) / 1e6
    print(
        f"archive {path.name}: {len(list(path.glob('*.parquet')))} files, {size:,.0f} MB "
        f"(ready in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    return path


def line(label: str, r: dict) -> str:
    return (
        f"  {label:<34} {r['rows']:>12,} {r['seconds']:>9.1f} {r['vm_hwm_mb']:>10,.0f} {r['gaps']:>8,}  "
        + ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="archive size for the Dask-only run")
    parser.add_argument("--compare-rows", type=int, default=5_000_000, help="size both engines run on")
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--run", nargs=2, metavar=("ENGINE", "ARCHIVE"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        write_archive(args.generate, args.rows_per_file)
        return 0
    if args.run:
        print(json.dumps(run_engine(args.run[0], args.run[1], args.workers)), flush=True)
        return 0

    print(
        f"Dask gap benchmark: issue 7 asks for {ISSUE_ROWS:,} reports; this run: {args.rows:,} through Dask, "
        f"{args.compare_rows:,} through both engines; {args.workers} worker processes, {os.cpu_count()} CPUs.",
        flush=True,
    )
    compare = generate(args.compare_rows, args.rows_per_file)
    dask_small = measure("dask", compare, args.workers)
    local = measure("inprocess", compare, args.workers)
    big = dask_small
    if args.rows != args.compare_rows:
        big = measure("dask", generate(args.rows, args.rows_per_file), args.workers)
    print(f"\n  {'':<34} {'rows kept':>12} {'time s':>9} {'peak MB':>10} {'gaps':>8}  steps (s)")
    print(line("in-process (read_archive)", local))
    print(line(f"dask LocalCluster x{args.workers}", dask_small))
    if big is not dask_small:
        print(line(f"dask LocalCluster x{args.workers}", big))
    same = (local["gaps"], local["first_gaps"]) == (dask_small["gaps"], dask_small["first_gaps"]) and abs(
        local["gap_nm_sum"] - dask_small["gap_nm_sum"]
    ) <= 1e-6 * max(1.0, local["gap_nm_sum"])
    print(
        f"\nAt {args.compare_rows:,} rows: Dask / in-process time {dask_small['seconds'] / local['seconds']:.2f}x, "
        f"peak memory of the calling process {dask_small['vm_hwm_mb']:,.0f} MB vs {local['vm_hwm_mb']:,.0f} MB "
        f"({dask_small['vm_hwm_mb'] / local['vm_hwm_mb']:.2f}x); gaps identical: {'yes' if same else 'NO'}."
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
