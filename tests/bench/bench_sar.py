"""Radar vessel detection at scale: ``detect_scene`` on a 10,000 x 10,000 pixel SYNTHETIC scene (10 m: 100 km x
100 km, the size of a Sentinel-1 IW scene's width) with planted ships.

    python -m tests.bench.bench_sar [--size 10000] [--window 2048] [--ships 400]

The scene is never held whole: each window is drawn when it is read (gamma clutter seeded by the window's place,
the ships that touch it planted), as a file would be read window by window, so what is measured is the detection
and the peak memory stays that of a window. Printed: the time, the rate in megapixels per second, the peak memory
of the process, the recall of the planted ships and the false alarms per 100 km2; and, as a reference measured in
the same run on this machine, the time of drawing the windows alone (the detection's cost is printed as a ratio to
it). Exit code 1 when recall is under 90 % or there is more than one false alarm per 100 km2.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time

import numpy as np

from bai_mei_plugin.core.sar_detect import CfarParams, GeoTransform, detect_scene
from bai_mei_plugin.demo.sar_scene import clutter, plant, random_ships

MEAN_DB = -19.0


def scene_reader(size: int, ships, seed: int = 2017):
    """read(window) drawing the window's pixels: clutter seeded by its place, the ships near it planted."""

    def read(win):
        rng = np.random.default_rng([seed, win.col, win.row, win.width, win.height])
        image = clutter((win.height, win.width), 4.4, MEAN_DB, rng)
        for ship in ships:
            if -40 <= ship.col - win.col < win.width + 40 and -40 <= ship.row - win.row < win.height + 40:
                texture = np.random.default_rng([seed, int(ship.col), int(ship.row)])  # the same in every window
                plant(image, _moved(ship, win), MEAN_DB, 10.0, texture)
        return image

    return read


def _moved(ship, win):
    from dataclasses import replace

    return replace(ship, col=ship.col - win.col, row=ship.row - win.row)


def _score(ships, found):
    cols = np.array([d.col for d in found])
    rows = np.array([d.row for d in found])
    used = set()
    for s in ships:
        if not len(found):
            break
        gap = np.hypot(cols - s.col, rows - s.row)
        i = int(gap.argmin())
        if gap[i] <= s.length_m / 20 + 3:
            used.add(i)
    return len(used), len(found) - len(used)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--window", type=int, default=2048)
    parser.add_argument("--ships", type=int, default=400)
    args = parser.parse_args(argv)
    size = args.size
    ships = random_ships(np.random.default_rng(1), (size, size), args.ships, spacing_px=100)
    transform = GeoTransform((500000.0, 10.0, 0.0, 4400000.0, 0.0, -10.0))
    read = scene_reader(size, ships)

    from bai_mei_plugin.core.sar_detect import window_margin, windows

    margin = window_margin(CfarParams(), 10.0)
    started = time.perf_counter()
    for win in windows(size, size, args.window, margin):
        read(win)
    reference = time.perf_counter() - started

    started = time.perf_counter()
    found = detect_scene(read, size, size, transform, CfarParams(), window_size=args.window)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    hits, false_alarms = _score(ships, found)
    km2 = (size * 10 / 1000) ** 2
    megapixels = size * size / 1e6
    print(f"SAR detection: {size:,} x {size:,} pixels ({km2:,.0f} km2) in windows of {args.window} (+{margin} margin)")
    print(f"  time {elapsed:.1f} s ({megapixels / elapsed:.1f} Mpx/s); drawing the windows alone {reference:.1f} s")
    print(f"  ratio detection / drawing: {elapsed / reference:.2f}")
    print(f"  peak memory of the process {peak_mb:,.0f} MB")
    print(
        f"  recall {hits}/{len(ships)} ({100 * hits / len(ships):.1f} %), false alarms {false_alarms} "
        f"({100 * false_alarms / km2:.2f} per 100 km2)"
    )
    ok = hits >= 0.9 * len(ships) and false_alarms <= math.ceil(km2 / 100)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
