"""NMEA decoding speed: Bai Mei's numpy reader against the pyais path on the same generated file.

Run with ``python -m tests.bench.bench_nmea [sentences]`` (default 500,000). The file holds tag-blocked sentences
(``\\s:...,c:...*hh\\``): Class A positions (type 1), Class B positions (18), two-sentence type 5 static reports
(tag block groups ``g:``) and type 24 parts A and B, for 2,000 invented vessels. Prints sentences per second of each
reader (wall clock and CPU time: the machine may be shared), the ratio, the peak memory of Bai Mei's read (traced with
tracemalloc in a separate run, as tracing slows numpy down) and whether both readers gave the same rows.
"""

from __future__ import annotations

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


def main(sentences: int = 500_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.nmea")
        n = generate(path, sentences)
        print(f"{n:,} tag-blocked sentences, {os.path.getsize(path) / 1e6:.1f} MB")
        raw, wall, cpu = timed(read_nmea, path)
        print(f"numpy reader: {wall:.2f} s ({n / wall:,.0f} sentences/s), CPU {cpu:.2f} s ({n / cpu:,.0f} sentences/s)")
        print(f"numpy reader peak memory: {peak_memory(read_nmea, path) / 1e6:.0f} MB (tracemalloc)")
        try:
            import pyais  # noqa: F401

            from tests.nmea_oracle import read_nmea_pyais
        except ImportError:
            print("pyais path: skipped (pyais is not installed)")
            return
        ref, ref_wall, ref_cpu = timed(read_nmea_pyais, path)
        print(
            f"pyais path:   {ref_wall:.2f} s ({n / ref_wall:,.0f} sentences/s), CPU {ref_cpu:.2f} s"
            f" ({n / ref_cpu:,.0f} sentences/s)\nratio: {ref_wall / wall:.1f}x wall clock, {ref_cpu / cpu:.1f}x CPU;"
            f" same rows: {same_rows(raw, ref)} ({len(raw.columns):,} rows)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500_000)
