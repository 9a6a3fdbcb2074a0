"""NMEA decoding speed: Bai Mei's numpy reader against the pyais path on the same generated file.

Run with ``python -m tests.bench.bench_nmea [sentences] [--seed N] [--no-memory] [--strict]`` (default 500,000
sentences, as ``make bench`` runs it; ``--help`` lists the options). The file holds tag-blocked sentences
(``\\s:...,c:...*hh\\``): Class A positions (type 1), Class B positions (18), two-sentence type 5 static reports
(tag block groups ``g:``) and type 24 parts A and B, for 2,000 invented vessels. Prints sentences per second of each
reader (wall clock and CPU time: the machine may be shared), the ratio, the peak memory of Bai Mei's read (traced with
tracemalloc in a separate run, as tracing slows numpy down), whether both readers gave the same rows, and issue 16's
two targets, each PASS or MISS on the wall clock (the CPU figure beside it): at least 10 times the pyais path's speed
and at least 300,000 sentences a second. Without pyais the ratio is not measured (neither PASS nor MISS). With
``--strict`` the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from bai_mei_plugin.core.ais.nmea import read_nmea
from tests import nmea_encode as enc

T0 = 1_709_251_200
VESSELS = 2_000
DEFAULT_SENTENCES = 500_000
TARGET_RATIO = 10.0  # issue 16: at least 10x the pyais path...
TARGET_RATE = 300_000  # ...and at least 300,000 sentences a second


def generate(path: str, sentences: int, seed: int = 7) -> int:
    """Write about ``sentences`` tag-blocked sentences to ``path``; returns how many were written."""
    rng = random.Random(seed)
    mmsis = [200_000_000 + 7919 * i for i in range(VESSELS)]
    statics = {}
    for i, mmsi in enumerate(mmsis):
        payload, fill = enc.static5(mmsi, 9_000_000 + i, f"C{i:05d}", f"VESSEL {i}", 70 + i % 30, 5 + i % 15, "PORT")
        statics[mmsi] = (enc.sentences(payload, fill, seq=str(i % 10)), enc.static24(mmsi, 0, name=f"BOAT {i}"))
    written, group, t = 0, 0, T0
    with open(path, "w", encoding="ascii") as out:
        while written < sentences:
            t += rng.random() < 0.3
            mmsi = rng.choice(mmsis)
            roll = rng.random()
            if roll < 0.08:
                group += 1
                parts = statics[mmsi][0]
                for k, sentence in enumerate(parts, 1):
                    out.write(enc.tagged(sentence, t, "rBench", f"{k}-{len(parts)}-{group}") + "\n")
                written += len(parts)
                continue
            if roll < 0.12:
                payload, fill = statics[mmsi][1]
            else:
                kind = 18 if roll > 0.8 else 1
                lon, lat = rng.uniform(-180, 180), rng.uniform(-90, 90)
                payload, fill = enc.position(mmsi, lon, lat, rng.uniform(0, 30), rng.uniform(0, 359), 90, kind)
            out.write(enc.tagged(enc.sentences(payload, fill)[0], t, "rBench") + "\n")
            written += 1
    return written


def timed(read, path: str) -> tuple:
    wall, cpu = time.perf_counter(), time.process_time()
    raw = read(path)
    return raw, time.perf_counter() - wall, time.process_time() - cpu


def peak_memory(read, path: str) -> int:
    tracemalloc.start()
    try:
        read(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def same_rows(a, b) -> bool:
    ca, cb = a.columns, b.columns
    numbers = all(
        np.array_equal(getattr(ca, f), getattr(cb, f), equal_nan=True)
        for f in ("mmsi", "t", "lon", "lat", "sog", "cog", "heading", "draught")
    )
    texts = all(
        getattr(ca, f).to_list() == getattr(cb, f).to_list()
        for f in ("vessel_name", "callsign", "imo", "vessel_type", "destination")
    )
    return numbers and texts and np.array_equal(a.not_vessel, b.not_vessel) and a.malformed == b.malformed


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def targets(n: int, wall: float, cpu: float, ref: tuple | None) -> tuple:
    """The lines saying whether issue 16's targets are met (judged on the wall clock), and whether all measured are."""
    rate, rate_cpu = n / wall, n / cpu
    lines = [
        f"target >= {TARGET_RATE:,} sentences/s: {rate:,.0f} sentences/s wall clock ({rate_cpu:,.0f} CPU): "
        f"{verdict(rate >= TARGET_RATE)}"
    ]
    met = rate >= TARGET_RATE
    if ref is None:
        lines.append(f"target >= {TARGET_RATIO:.0f}x pyais: not measured (pyais is not installed)")
    else:
        ratio, ratio_cpu = ref[0] / wall, ref[1] / cpu
        lines.append(
            f"target >= {TARGET_RATIO:.0f}x pyais: {ratio:.1f}x wall clock ({ratio_cpu:.1f}x CPU): "
            f"{verdict(ratio >= TARGET_RATIO)}"
        )
        met = met and ratio >= TARGET_RATIO
    return lines, met


def main(sentences: int = DEFAULT_SENTENCES, seed: int = 7, memory: bool = True) -> bool:
    """Runs the benchmark and prints its figures; True when every target measured is met."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.nmea")
        n = generate(path, sentences, seed)
        print(f"{n:,} tag-blocked sentences, {os.path.getsize(path) / 1e6:.1f} MB")
        raw, wall, cpu = timed(read_nmea, path)
        print(f"numpy reader: {wall:.2f} s ({n / wall:,.0f} sentences/s), CPU {cpu:.2f} s ({n / cpu:,.0f} sentences/s)")
        if memory:
            print(f"numpy reader peak memory: {peak_memory(read_nmea, path) / 1e6:.0f} MB (tracemalloc)")
        ref = None
        try:
            import pyais  # noqa: F401

            from tests.nmea_oracle import read_nmea_pyais
        except ImportError:
            print("pyais path: skipped (pyais is not installed)")
        else:
            ref_raw, ref_wall, ref_cpu = timed(read_nmea_pyais, path)
            ref = (ref_wall, ref_cpu)
            print(
                f"pyais path:   {ref_wall:.2f} s ({n / ref_wall:,.0f} sentences/s), CPU {ref_cpu:.2f} s"
                f" ({n / ref_cpu:,.0f} sentences/s)"
            )
            print(
                f"ratio: {ref_wall / wall:.1f}x wall clock, {ref_cpu / cpu:.1f}x CPU;"
                f" same rows: {same_rows(raw, ref_raw)} ({len(raw.columns):,} rows)"
            )
        lines, met = targets(n, wall, cpu, ref)
        print("\n".join(lines))
        return met


def count(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(text)
    return value


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_nmea",
        description="NMEA decoding speed: Bai Mei's numpy reader against the pyais path on the same generated file, "
        f"with issue 16's targets (>= {TARGET_RATIO:.0f}x pyais, >= {TARGET_RATE:,} sentences/s) marked PASS or MISS.",
    )
    parser.add_argument(
        "sentences",
        nargs="?",
        type=count,
        default=DEFAULT_SENTENCES,
        help=f"how many sentences to generate (default {DEFAULT_SENTENCES:,})",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated file (default 7)")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the peak memory run (a third read, traced with tracemalloc)"
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    met = main(args.sentences, args.seed, memory=not args.no_memory)
    sys.exit(1 if args.strict and not met else 0)
