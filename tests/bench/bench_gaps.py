"""``make bench``: Bai Mei's file -> gaps + tracks layers against a plain numpy baseline, at 1M and 5M rows.

For each size (env ``BENCH_SIZES``, comma-separated, default ``1000000,5000000``) a synthetic MarineCadastre file is
generated (cached in ``bench-output/``) and measured, each run in its own process (``tests.bench.worker``) so peak
memory is per method:

(a) baseline: pyarrow ``read_csv`` of MMSI, BaseDateTime, LAT, LON -> numpy -> lexsort -> diff -> gaps -> haversine;
(b) Bai Mei: ``read_ais`` (with ``fields=GAP_FIELDS``, as the dock reads a file when no points layer is asked for)
    -> ``default_land`` -> ``detect_gaps`` -> gaps and tracks memory layers in QGIS;
(c) the optional points layer (one feature per report), reported separately.

Times are the best of 3 runs (the points layer: 3 runs up to 1M rows, 1 above); peak RSS is the highest of the
runs. Targets, at 5M rows: (b) within 3x of (a), and (b) peaking under 2,500 MB. A missed target prints FAIL and
still exits 0; the exit code is non-zero only when a run crashed or the two methods disagree on the gaps.

Other settings: ``BENCH_PREWARM=0`` turns off the memory pre-warm before each run (see PREWARM below). Results are
also written to ``bench-output/results.json``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.generate import DEFAULT_SEED, GENERATOR_VERSION, N_VESSELS, OUTPUT_DIR, cached_path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SIZES = (1_000_000, 5_000_000)
TARGET_ROWS = 5_000_000
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 2500.0
POINTS_BUDGET_S = 240.0  # the points layer is measured at a size only if it is estimated to take less than this
WORKER_TIMEOUT_S = 1800
# This VM's host takes back guest memory that sits free for some seconds, and the first touch of such memory costs
# about 2 ms per MB (ten times a normal page fault): a process that grows to 2 GB can lose 4 s to it or nothing,
# depending on what ran before. So before each run a throwaway process touches a bit more memory than the run is
# expected to need, which leaves the host backing it and makes the runs comparable (BENCH_PREWARM=0 turns it off).
PREWARM = os.environ.get("BENCH_PREWARM", "1") != "0"
PREWARM_DEFAULT_MB = 3072
BUSY_LIMIT = 0.25  # share of all CPUs used by other processes above which a run waits (the machine is shared)
BUSY_MAX_WAIT_S = 30.0
RESULTS = OUTPUT_DIR / "results.json"


class BenchError(RuntimeError):
    pass


def sizes_from_env() -> list:
    text = os.environ.get("BENCH_SIZES", "").strip()
    if not text:
        return list(DEFAULT_SIZES)
    try:
        sizes = sorted({int(part.strip().replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise SystemExit(f"BENCH_SIZES must be comma-separated row counts, e.g. 200000,1000000 (got {text!r})") from exc
    if not sizes or min(sizes) < 2 * N_VESSELS:
        raise SystemExit(f"BENCH_SIZES: each size needs at least {2 * N_VESSELS:,} rows")
    return sizes


def repeats_for(rows: int) -> int:
    """Runs of (a) and (b) per size: three, even at 5M rows, where a run of each takes about 10 s with start-up."""
    return 3


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def ensure_file(rows: int, log) -> Path:
    """The cached input file, generated in a separate process if missing.

    Not in this process: Linux counts the parent's memory at fork/exec time in a child's ``ru_maxrss``, so the
    parent must stay small for the workers' peak memory to be their own.
    """
    path = cached_path(rows, DEFAULT_SEED)
    if not path.exists():
        proc = subprocess.run(
            [sys.executable, "-m", "tests.bench.generate", str(rows), "--seed", str(DEFAULT_SEED)],
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 or not path.exists():
            raise BenchError(f"generating {path.name} failed:\n{proc.stdout}{proc.stderr}")
        log(f"  {proc.stdout.strip().splitlines()[0]}")
    return path


def _cpu_ticks() -> tuple:
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values), idle


def busy_share(seconds: float = 0.5) -> float:
    """Share of all CPUs busy over ``seconds`` while this process sleeps: the load of other processes."""
    try:
        total0, idle0 = _cpu_ticks()
        time.sleep(seconds)
        total1, idle1 = _cpu_ticks()
    except (OSError, ValueError, IndexError):
        return 0.0
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet() -> float:
    """Wait (a while) until other processes leave the CPUs alone; returns the busy share last seen."""
    deadline = time.monotonic() + BUSY_MAX_WAIT_S
    busy = busy_share()
    while busy > BUSY_LIMIT and time.monotonic() < deadline:
        busy = busy_share(1.0)
    return busy


def prewarm(megabytes: float) -> float:
    """Touch ``megabytes`` of memory in a throwaway process; returns the seconds it took (see PREWARM)."""
    if not PREWARM or megabytes <= 0:
        return 0.0
    started = time.perf_counter()
    code = f"import numpy as np; a = np.ones({int(megabytes)} << 17); a[::512] += 1"
    subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
    return time.perf_counter() - started


def run_worker(method: str, path: Path, warm_mb: float = PREWARM_DEFAULT_MB) -> dict:
    busy = wait_for_quiet()
    warm_s = prewarm(warm_mb)
    env = _env()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.bench.worker", method, str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{method} on {path.name} took longer than {WORKER_TIMEOUT_S} s") from exc
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith("{"):
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise BenchError(f"{method} on {path.name} crashed (exit code {proc.returncode}):\n{tail}")
    out = json.loads(lines[-1])
    out["busy_before"] = busy
    out["prewarm_mb"], out["prewarm_s"] = (warm_mb, warm_s) if PREWARM else (0, 0.0)
    return out


def summarise(runs: list) -> dict:
    best = min(runs, key=lambda r: r["total"])
    return {
        "runs_s": [r["total"] for r in runs],
        "best_s": best["total"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "vm_hwm_mb": max(r["vm_hwm_mb"] for r in runs),
        "best_run": best,
        "all_runs": runs,
    }


def warm_page_cache(path: Path) -> None:
    """Read the file once so that every run finds it in the page cache (the first run is not penalised)."""
    with open(path, "rb") as handle:
        while handle.read(16 << 20):
            pass


def mem_available_mb() -> float:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("inf")


def points_plan(rows: int, earlier: list) -> tuple:
    """(run?, reason, estimated peak MB): measured up to 1M rows, above only if an estimate says it is cheap."""
    if rows <= 1_000_000:
        return True, "", PREWARM_DEFAULT_MB
    if not earlier:
        return False, "no smaller size was measured to estimate its cost (add 1000000 to BENCH_SIZES)", 0.0
    prev_rows, prev = earlier[-1]
    scale = rows / prev_rows
    est_s = prev["best_s"] * scale
    est_mb = prev["peak_rss_mb"] * scale
    if est_s > POINTS_BUDGET_S:
        return False, f"estimated {est_s:,.0f} s from {prev_rows:,} rows, over the {POINTS_BUDGET_S:.0f} s budget", 0.0
    if est_mb > 0.7 * mem_available_mb():
        return (False, f"estimated peak {est_mb:,.0f} MB, over 70% of the {mem_available_mb():,.0f} MB available", 0.0)
    return True, f"estimated {est_s:,.0f} s and {est_mb:,.0f} MB from {prev_rows:,} rows", est_mb


def check_agreement(base: dict, bai: dict) -> list:
    """Differences between what the two methods found (empty when they agree)."""
    problems = []
    if base["gaps"] != bai["gaps"]:
        problems.append(f"gap counts differ: baseline {base['gaps']:,}, Bai Mei {bai['gaps']:,}")
    if base["tracks"] != bai["tracks"]:
        problems.append(f"track counts differ: baseline {base['tracks']:,}, Bai Mei {bai['tracks']:,}")
    if base["rows"] != bai["rows"]:
        problems.append(f"rows kept differ: baseline {base['rows']:,}, Bai Mei {bai['rows']:,}")
    scale = max(1.0, abs(base["gap_nm_sum"]))
    if abs(base["gap_nm_sum"] - bai["gap_nm_sum"]) > 1e-6 * scale:
        problems.append(
            f"gap distances differ: baseline {base['gap_nm_sum']:.3f} nm in all, Bai Mei {bai['gap_nm_sum']:.3f} nm"
        )
    return problems


def _warm_mb(earlier_runs: list, estimate_mb: float = PREWARM_DEFAULT_MB) -> float:
    """A little more than the run is expected to need: its previous peak, or an estimate."""
    expected = max((r["peak_rss_mb"] for r in earlier_runs), default=estimate_mb)
    return max(1024.0, 1.25 * expected)


def _run_note(run: dict) -> str:
    busy = run.get("busy_before", 0.0)
    note = f"  (other processes were using {busy:.0%} of the CPUs)" if busy > BUSY_LIMIT else ""
    warm = f", pre-warm {run['prewarm_mb']:,.0f} MB in {run['prewarm_s']:.1f} s" if run.get("prewarm_mb") else ""
    return f"{run['total']:7.2f} s, CPU {run['cpu_s']:6.2f} s, peak {run['peak_rss_mb']:6,.0f} MB{warm}{note}"


def measure_size(rows: int, earlier_points: list, log) -> dict:
    started = time.perf_counter()
    path = ensure_file(rows, log)
    generated_s = time.perf_counter() - started
    warm_page_cache(path)
    repeats = repeats_for(rows)
    base_runs, bai_runs = [], []
    for k in range(repeats):  # interleaved, so that a slow spell of the machine hits both methods alike
        for method, runs in (("baseline", base_runs), ("baimei", bai_runs)):
            runs.append(run_worker(method, path, _warm_mb(runs)))
            log(f"  run {k + 1}/{repeats} {method:<8} {_run_note(runs[-1])}")
    base, bai = summarise(base_runs), summarise(bai_runs)
    result = {
        "rows": rows,
        "file": str(path),
        "file_mb": path.stat().st_size / 1e6,
        "generate_or_cache_s": generated_s,
        "repeats": repeats,
        "baseline": base,
        "baimei": bai,
        "ratio": bai["best_s"] / base["best_s"],
        "land_build_s": bai["best_run"]["steps"].get("default_land (land index build)", 0.0),
        "disagreements": [],
    }
    result["ratio_without_land_build"] = (bai["best_s"] - result["land_build_s"]) / base["best_s"]
    for b_run, m_run in zip(base_runs, bai_runs):
        for problem in check_agreement(b_run, m_run):
            if problem not in result["disagreements"]:
                result["disagreements"].append(problem)
    run_points, reason, estimate_mb = points_plan(rows, earlier_points)
    if run_points:
        point_repeats = 3 if rows <= 1_000_000 else 1
        runs = []
        if reason:
            log(f"  points layer: {reason}")
        for k in range(point_repeats):
            runs.append(run_worker("points", path, _warm_mb(runs, estimate_mb)))
            log(f"  run {k + 1}/{point_repeats} points   {_run_note(runs[-1])}")
        result["points"] = summarise(runs)
        earlier_points.append((rows, result["points"]))
    else:
        result["points"] = {"skipped": reason}
    if rows == TARGET_ROWS:
        result["targets"] = {
            "ratio": {"value": result["ratio"], "limit": TARGET_RATIO, "pass": result["ratio"] <= TARGET_RATIO},
            "peak_rss_mb": {
                "value": bai["peak_rss_mb"],
                "limit": TARGET_PEAK_MB,
                "pass": bai["peak_rss_mb"] <= TARGET_PEAK_MB,
            },
        }
    return result


# ---------------------------------------------------------------------------------------------------------------
# Printing


def _runs(summary: dict) -> str:
    return " ".join(f"{s:.2f}" for s in summary["runs_s"])


def print_table(results: list, out=print) -> None:
    head = (
        f"{'rows':>10}  {'method':<40} {'best (s)':>9}  {'runs (s)':<17} {'peak RSS (MB)':>13} {'gaps':>7} "
        f"{'tracks':>7}"
    )
    out(head)
    out("-" * len(head))
    for r in results:
        rows = f"{r['rows']:>10,}"
        for label, key in (
            ("(a) numpy baseline (file -> gaps)", "baseline"),
            ("(b) Bai Mei (file -> gaps+tracks layers)", "baimei"),
        ):
            s = r[key]
            best = s["best_run"]
            out(
                f"{rows}  {label:<40} {s['best_s']:>9.2f}  {_runs(s):<17} {s['peak_rss_mb']:>13,.0f} "
                f"{best['gaps']:>7,} {best['tracks']:>7,}"
            )
        verdict = ""
        if "targets" in r:
            t = r["targets"]
            verdict = (
                f"  {'PASS' if t['ratio']['pass'] else 'FAIL'} (target <= {TARGET_RATIO:.1f}x); peak "
                f"{t['peak_rss_mb']['value']:,.0f} MB {'PASS' if t['peak_rss_mb']['pass'] else 'FAIL'} "
                f"(target <= {TARGET_PEAK_MB:,.0f} MB)"
            )
        agree = "DIFFER: " + "; ".join(r["disagreements"]) if r["disagreements"] else "same gaps, tracks and distances"
        out(f"{rows}  {'check (a) against (b)':<40} {agree}")
        out(f"{rows}  {'ratio (b) / (a)':<40} {r['ratio']:>8.2f}x{verdict}")
        out(
            f"{rows}  {'  same, without the land index build':<40} {r['ratio_without_land_build']:>8.2f}x"
            "  (built once per session, and only for a minimum distance from shore)"
        )
        p = r["points"]
        if "skipped" in p:
            out(f"{rows}  {'(c) points layer (optional)':<40} {'skipped':>9}  {p['skipped']}")
        else:
            out(
                f"{rows}  {'(c) points layer (optional, extra)':<40} {p['best_s']:>9.2f}  {_runs(p):<17} "
                f"{p['peak_rss_mb']:>13,.0f}"
            )
        out("")
    out(
        "Best of the runs; peak RSS is the highest of the runs. (c) is the time to build the layer from columns "
        "already read; its peak\nRSS is the whole process, read_ais included."
    )
    out("")


def print_steps(results: list, out=print) -> None:
    out("Sub-timings of the best run of each method (seconds):")
    for r in results:
        out(f"  {r['rows']:,} rows ({r['file_mb']:,.0f} MB file)")
        for key, label in (("baseline", "(a) baseline"), ("baimei", "(b) Bai Mei"), ("points", "(c) points")):
            s = r[key]
            if "best_run" not in s:
                continue
            run = s["best_run"]
            out(f"    {label}: total {s['best_s']:.3f}")
            for name, seconds in run["steps"].items():
                indent = "        " if name.startswith(("read_ais:", "detect_gaps:")) else "      "
                out(f"{indent}{name:<48} {seconds:8.3f}")
            if "start_rss_mb" in run:
                out(f"      {'(RSS after imports + QGIS start, MB)':<48} {run['start_rss_mb']:8.0f}")
            out(f"      {'(peak: ru_maxrss / VmHWM, MB)':<48} {s['peak_rss_mb']:8.0f} / {s['vm_hwm_mb']:.0f}")
    out("")


def main() -> int:
    sizes = sizes_from_env()
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, flush=True)

    log(
        f"Bai Mei gap benchmark: sizes {', '.join(f'{s:,}' for s in sizes)}; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}; {sys.executable}"
    )
    log(
        "Memory pre-warm before each run: "
        + ("on (see PREWARM in bench_gaps.py; BENCH_PREWARM=0 turns it off)" if PREWARM else "off")
    )
    results, earlier_points = [], []
    started = time.perf_counter()
    try:
        for rows in sizes:
            log(f"{rows:,} rows:")
            results.append(measure_size(rows, earlier_points, log))
    except BenchError as exc:
        log(f"\nCRASH: {exc}")
        return 2
    log("")
    print_table(results, log)
    print_steps(results, log)
    disagreements = [(r["rows"], p) for r in results for p in r["disagreements"]]
    busy_runs = sum(
        run.get("busy_before", 0.0) > BUSY_LIMIT
        for r in results
        for key in ("baseline", "baimei")
        for run in r[key]["all_runs"]
    )
    if busy_runs:
        log(
            f"Note: other processes were busy on the CPUs before {busy_runs} of the runs (waited up to "
            f"{BUSY_MAX_WAIT_S:.0f} s each); times are less reliable."
        )
    if TARGET_ROWS not in sizes:
        log(f"Targets apply at {TARGET_ROWS:,} rows, which this run did not measure.")
    else:
        t = next(r for r in results if r["rows"] == TARGET_ROWS)["targets"]
        ok = t["ratio"]["pass"] and t["peak_rss_mb"]["pass"]
        log(
            f"Targets at {TARGET_ROWS:,} rows: {'PASS' if ok else 'FAIL'}: ratio {t['ratio']['value']:.2f}x "
            f"(<= {TARGET_RATIO:.1f}x: {'PASS' if t['ratio']['pass'] else 'FAIL'}), peak "
            f"{t['peak_rss_mb']['value']:,.0f} MB (<= {TARGET_PEAK_MB:,.0f} MB: "
            f"{'PASS' if t['peak_rss_mb']['pass'] else 'FAIL'})"
        )
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "executable": sys.executable,
        },
        "generator": {"version": GENERATOR_VERSION, "seed": DEFAULT_SEED, "vessels": N_VESSELS},
        "timing": "best of the runs (wall clock, time.perf_counter); peak RSS is the highest of the runs",
        "prewarm": PREWARM,
        "targets": {"rows": TARGET_ROWS, "ratio": TARGET_RATIO, "peak_rss_mb": TARGET_PEAK_MB},
        "results": results,
        "total_bench_s": time.perf_counter() - started,
    }
    RESULTS.write_text(json.dumps(report, indent=2))
    log(f"Results written to {RESULTS.relative_to(ROOT)} (whole run {report['total_bench_s']:.0f} s).")
    if disagreements:
        for rows, problem in disagreements:
            log(f"ERROR at {rows:,} rows: the baseline and Bai Mei disagree: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
