"""Bucket path benchmark: a file read in MMSI buckets on disk (core/ais/buckets.py) against the one-pass engine.

Both find the 6 h gaps of the benchmark's generated MarineCadastre file (``tests.bench.generate``, cached under
``bench-output/``), each in a fresh process so that its peak memory is its own (``VmHWM``, as tests/bench/worker.py
reports it): the one-pass engine reads the whole file (``read_ais(fields=GAP_FIELDS)`` + ``detect_gaps``); the bucket
path is given a memory budget of a quarter of what the one-pass read needs (``BENCH_BUDGET_MB`` overrides it), so it
is chosen as it would be on a machine where the file does not fit. Prints time, peak and the ratios, and checks that
both found the same gaps.

    BENCH_ROWS=10000000 python -m tests.bench.bench_buckets
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

from tests.bench.generate import ensure_file

DEFAULT_ROWS = 10_000_000


def worker(mode: str, path: str, budget: int) -> dict:
    from bai_mei_plugin.core.ais import buckets, memory
    from bai_mei_plugin.core.ais.reader import read_ais
    from bai_mei_plugin.core.gap_engine import LOADED, BucketedGapEngine, InMemoryGapEngine, ReportsLocation
    from bai_mei_plugin.core.gaps import GAP_FIELDS, GapCriteria
    from tests.bench.worker import vm_hwm_mb

    location = ReportsLocation(LOADED, "bench", path)
    started = time.perf_counter()
    extra = {}
    if mode == "one-pass":
        reports = read_ais(path, fields=GAP_FIELDS, check_memory=False)
        found = InMemoryGapEngine(reports, location).find_gaps(GapCriteria())
    else:
        memory.available_memory = lambda: (budget, "the benchmark's budget")
        plan = buckets.bucket_plan(path, folder=tempfile.gettempdir())
        reports = buckets.spill(plan)
        try:
            found = BucketedGapEngine(reports, location).find_gaps(GapCriteria())
        finally:
            reports.close()
        extra = {"buckets": plan.buckets, "block_mb": plan.block_bytes / 1e6}
    seconds = time.perf_counter() - started
    ids = hashlib.sha256("\n".join(g.gap_id for g in found.gaps).encode()).hexdigest()  # str hash() is per process
    return {"mode": mode, "seconds": seconds, "peak_mb": vm_hwm_mb(), "gaps": len(found.gaps), "ids": ids, **extra}


def run(mode: str, path: str, budget: int) -> dict:
    command = [sys.executable, "-m", "tests.bench.bench_buckets", "--worker", mode, path, str(budget)]
    env = dict(os.environ)
    env.pop("BAI_MEI_SKIP_MEMORY_CHECK", None)
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench_buckets: the {mode} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    rows = int(os.environ.get("BENCH_ROWS", DEFAULT_ROWS))
    path = str(ensure_file(rows))
    from bai_mei_plugin.core.ais import memory

    needed = rows * memory.bytes_per_row("arrow", True)
    budget = int(os.environ.get("BENCH_BUDGET_MB", 0)) << 20 or needed // 4
    one = run("one-pass", path, budget)
    bucketed = run("buckets", path, budget)
    print(f"Bucket path vs one-pass, {rows:,} rows ({os.path.getsize(path) / 1e6:,.0f} MB), 6 h gaps:")
    print(f"  {'one-pass engine':<34} {one['seconds']:8.2f} s  {one['peak_mb']:8,.0f} MB peak   {one['gaps']:,} gaps")
    print(
        f"  {'buckets (' + str(bucketed['buckets']) + ', budget ' + str(budget >> 20) + ' MB)':<34} "
        f"{bucketed['seconds']:8.2f} s  {bucketed['peak_mb']:8,.0f} MB peak   {bucketed['gaps']:,} gaps"
    )
    print(
        f"  ratio buckets / one-pass: time {bucketed['seconds'] / one['seconds']:.2f}x, "
        f"peak memory {bucketed['peak_mb'] / one['peak_mb']:.2f}x; "
        f"same gaps: {'yes' if (one['gaps'], one['ids']) == (bucketed['gaps'], bucketed['ids']) else 'NO'}"
    )
    if (one["gaps"], one["ids"]) != (bucketed["gaps"], bucketed["ids"]):
        raise SystemExit("bench_buckets: the bucket path found other gaps than the one-pass engine")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        main()
