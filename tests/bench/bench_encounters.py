"""Encounter detection at scale: ``find_encounters`` on 5 million reports with planted encounters.

    python -m tests.bench.bench_encounters [--rows 5000000] [--repeats 3]

The background is ``tests.bench.generate.simulate`` (about 3,000 vessels over a week, a fifth of them slow, on
random walks in three sea areas off the United States), built in memory: no CSV is written or read, since what is
measured is the detection itself. Then, at random places in those areas, pairs of vessels are planted (the same
number of rows is taken off the background, so the total stays at ``--rows``):

- ``found``: two vessels drifting 300 m apart at 0.5 kn for 3 to 5 h, reporting every 3 or 10 min: must be found;
- ``short``: the same for 1.5 h: must not be found;
- ``fast``: moving together at 8 kn for 4 h: must not be found;
- ``port``: drifting together for 4 h 5 km from a port of the ports list: must not be found.

Columns are sorted by MMSI then time first (as read_ais leaves them); the time of ``find_encounters`` (best of
``--repeats`` runs, each printed), its rate in reports per second and the peak memory of the process are printed, with
a target line: 5M reports in well under a minute, taken as at most 30 s (PASS/FAIL). The exit code is 1 when a
planted encounter is missed or a planted non-encounter is reported, else 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

import numpy as np

from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.encounters import EncounterCriteria, find_encounters, slow_slots
from bai_mei_plugin.core.geodesy import EARTH_RADIUS_M
from bai_mei_plugin.core.ports import Port
from tests.bench.generate import DEFAULT_SEED, REGIONS, START, simulate

TARGET_ROWS = 5_000_000
TARGET_S = 30.0  # "well under a minute"
PLANTED = {"found": 40, "short": 10, "fast": 10, "port": 10}
M_PER_DEG = np.pi * EARTH_RADIUS_M / 180.0


def _pair_rows(rng, kind: str, mmsi_a: int, mmsi_b: int, t0: int, lon: float, lat: float):
    """Reports of two vessels together (the second 300 m north of the first)."""
    hours = {"found": rng.uniform(3.0, 5.0), "short": 1.5, "fast": 4.0, "port": 4.0}[kind]
    step = int(rng.choice([180, 600]))
    knots = 8.0 if kind == "fast" else 0.5
    n = int(hours * 3600 // step) + 1
    t = t0 + np.arange(n, dtype=np.int64) * step
    east_m = np.arange(n) * step * knots * 1852 / 3600
    lon_track = lon + east_m / (M_PER_DEG * np.cos(np.radians(lat)))
    rows = []
    for mmsi, north in ((mmsi_a, 0.0), (mmsi_b, 300.0)):
        jitter = rng.integers(0, 60)  # the two transponders do not report at the same instants
        rows.append(
            (
                np.full(n, mmsi, dtype=np.int64),
                t + jitter,
                lon_track,
                np.full(n, lat + north / M_PER_DEG),
                np.full(n, knots),
            )
        )
    return rows, hours


def build(rows: int, seed: int = DEFAULT_SEED):
    """(sorted columns, planted pairs [(kind, mmsi_a, mmsi_b, start, hours)], bench ports)."""
    rng = np.random.default_rng(seed + 1)
    start = int(START.astype("datetime64[s]").astype(np.int64))
    plants, ports, planted = [], [], []
    next_mmsi = 990_000_000 - 1_000  # 99MID... is the AtoN range: outside simulate's 200-800 million ships
    for kind, count in PLANTED.items():
        for _ in range(count):
            region = REGIONS[rng.integers(0, len(REGIONS))]
            lon = rng.uniform(region[0] + 0.5, region[1] - 0.5)
            lat = rng.uniform(region[2] + 0.5, region[3] - 0.5)
            t0 = start + int(rng.integers(3600, 6 * 86400))
            a, b = next_mmsi, next_mmsi + 1
            next_mmsi += 2
            pair, hours = _pair_rows(rng, kind, a, b, t0, lon, lat)
            plants.extend(pair)
            planted.append((kind, a, b, t0, hours))
            if kind == "port":
                ports.append(
                    Port(f"Benchport {len(ports) + 1}", f"XX{len(ports) + 1:03d}", "XX", lat + 5000.0 / M_PER_DEG, lon)
                )
    planted_rows = sum(len(p[0]) for p in plants)
    data = simulate(rows - planted_rows, seed)
    vid = data["vid"]
    columns = [
        np.concatenate([data["mmsi"][vid]] + [p[0] for p in plants]),
        np.concatenate([start + data["t"]] + [p[1] for p in plants]),
        np.concatenate([data["lon"]] + [p[2] for p in plants]),
        np.concatenate([data["lat"]] + [p[3] for p in plants]),
        np.concatenate([data["sog"]] + [p[4] for p in plants]),
    ]
    del data
    order = np.lexsort((columns[1], columns[0]))
    mmsi, t, lon, lat, sog = (c[order] for c in columns)
    return AisColumns.build(mmsi, t, lon, lat, sog=sog), planted, ports


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def check(planted, found) -> list:
    """Problems: planted encounters missed, planted non-encounters reported."""
    pairs = {(e.mmsi_1, e.mmsi_2): e for e in found}
    problems = []
    for kind, a, b, t0, hours in planted:
        e = pairs.get((a, b))
        if kind == "found" and e is None:
            problems.append(f"missed the planted encounter {a}/{b} ({hours:.1f} h from {t0})")
        elif kind == "found" and not (t0 - 600 <= e.start and e.end <= t0 + hours * 3600 + 600):
            problems.append(f"planted encounter {a}/{b} found at the wrong time ({e.start}-{e.end})")
        elif kind != "found" and e is not None:
            problems.append(f"reported the planted {kind} pair {a}/{b}, which is not an encounter")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    print(
        f"Bai Mei encounter benchmark: {args.rows:,} reports; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; numpy {np.__version__}",
        flush=True,
    )
    started = time.perf_counter()
    cols, planted, ports = build(args.rows, args.seed)
    print(
        f"built in {time.perf_counter() - started:.1f} s: {len(cols):,} reports, "
        f"{len(np.unique(cols.mmsi)):,} vessels, planted pairs " + ", ".join(f"{k} {v}" for k, v in PLANTED.items()),
        flush=True,
    )
    criteria = EncounterCriteria()
    t0 = time.perf_counter()
    slots = slow_slots(cols, criteria, ports)
    print(f"slow slots away from ports: {len(slots[0]):,} (interpolation alone {time.perf_counter() - t0:.2f} s)")
    del slots
    times, found = [], []
    for k in range(args.repeats):
        t0 = time.perf_counter()
        found = find_encounters(cols, ports, criteria)
        times.append(time.perf_counter() - t0)
        print(f"  run {k + 1}/{args.repeats}: find_encounters {times[-1]:.2f} s, {len(found)} encounters", flush=True)
    best = min(times)
    planted_ids = {m for p in planted for m in p[1:3]}
    background = [e for e in found if e.mmsi_1 not in planted_ids and e.mmsi_2 not in planted_ids]
    problems = check(planted, found)
    n_found = PLANTED["found"]
    print(
        f"time: best {best:.2f} s (runs {' '.join(f'{s:.2f}' for s in times)}); {len(cols) / best:,.0f} reports/s; "
        f"peak RSS {peak_rss_mb():,.0f} MB"
    )
    print(
        f"planted encounters found: {n_found - sum('missed' in p for p in problems)}/{n_found}; planted "
        f"non-encounters reported: {sum('not an encounter' in p for p in problems)}/{len(planted) - n_found}; "
        f"encounters between background vessels: {len(background)}"
    )
    for problem in problems:
        print(f"ERROR: {problem}")
    if len(cols) >= TARGET_ROWS:
        verdict = "PASS" if best <= TARGET_S else "FAIL"
        print(f"target: 5M reports well under a minute (<= {TARGET_S:.0f} s): {best:.2f} s {verdict}")
    else:
        print(f"target: 5M reports well under a minute: not measured ({len(cols):,} reports)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
