"""``make bench``: every gap scored (``core.suspicion.score_gaps``) for 10,000 synthetic gaps around the Yellow Sea
and Korea, with ~1.5 M reports, QGIS's world map as land and the default North Korean ports of interest.

Prints the time of the scorer (fields of sea distances cold, i.e. built in the run) and, for comparison, a plain
per-gap loop (``gap_reachability`` one gap at a time: its reachable water and sea legs, as the first suspicion was
computed) timed on a sample and scaled to all gaps. Figures only: no pass/fail on time (the issue's target is under
a minute for 10,000 gaps on the 2-core machine).

Settings: ``BENCH_SCORING_GAPS`` (default 10000), ``BENCH_SCORING_SAMPLE`` (default 40).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
from shapely import wkb

from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.gaps import GapCriteria, detect_gaps
from bai_mei_plugin.core.land import LandIndex, read_gpkg_geometries
from bai_mei_plugin.core.ports import load_ports
from bai_mei_plugin.core.reachability import LandPolygons, default_max_speeds, gap_reachability
from bai_mei_plugin.core.sea_fields import clear_cache
from bai_mei_plugin.core.suspicion import score_gaps

WORLD_MAP = Path("/usr/share/qgis/resources/data/world_map.gpkg")
ROOT = Path(__file__).resolve().parents[2]
GAPS_PER_VESSEL = 10
ROWS_PER_VESSEL = 1500
STEP_S = 600
# open water (lon/lat boxes): the northern Yellow Sea and Korea Bay, the Yellow Sea, the East China Sea, the Korea
# Strait, the Sea of Japan
SEAS = np.array(
    [
        (121.5, 38.0, 124.0, 39.3),
        (120.5, 34.0, 125.0, 37.0),
        (122.5, 29.5, 127.0, 33.0),
        (128.6, 33.6, 129.8, 34.8),
        (130.0, 36.5, 136.0, 41.0),
    ]
)


def synthetic_reports(n_gaps: int, seed: int = 14) -> AisColumns:
    """Vessels wandering over the Yellow Sea and the seas around Korea, reporting every 10 min, each silent
    ``GAPS_PER_VESSEL`` times for 6 to 96 h (draught and destination sometimes changed across a silence)."""
    rng = np.random.default_rng(seed)
    vessels = max(1, n_gaps // GAPS_PER_VESSEL)
    n = vessels * ROWS_PER_VESSEL
    mmsi = np.repeat(412_000_000 + np.arange(vessels), ROWS_PER_VESSEL)
    steps = np.full(n, STEP_S, dtype=np.int64)
    within = np.arange(n) % ROWS_PER_VESSEL
    for k in range(GAPS_PER_VESSEL):  # one silence in each tenth of the vessel's rows
        row = np.arange(vessels) * ROWS_PER_VESSEL + (k * ROWS_PER_VESSEL) // GAPS_PER_VESSEL + 50
        steps[row] = rng.integers(6 * 3600, 96 * 3600, vessels)
    steps[within == 0] = 0
    start = np.repeat(1_686_000_000 + rng.integers(0, 86400, vessels), ROWS_PER_VESSEL)
    t = start + np.cumsum(steps) - np.repeat(np.cumsum(steps)[within == 0], ROWS_PER_VESSEL)
    box = SEAS[rng.integers(0, len(SEAS), vessels)]  # each vessel stays in one sea (clipped to its box)
    lon0 = np.repeat(rng.uniform(box[:, 0], box[:, 2]), ROWS_PER_VESSEL)
    lat0 = np.repeat(rng.uniform(box[:, 1], box[:, 3]), ROWS_PER_VESSEL)
    box = np.repeat(box, ROWS_PER_VESSEL, axis=0)
    drift = rng.normal(0.0, 0.01, (n, 2))
    drift[within == 0] = 0.0
    walk = np.cumsum(drift, axis=0)
    walk -= np.repeat(walk[within == 0], ROWS_PER_VESSEL, axis=0)
    gap_rows = steps > STEP_S
    jump = np.cumsum(np.where(gap_rows[:, None], rng.normal(0.0, 0.5, (n, 2)), 0.0), axis=0)
    jump -= np.repeat(jump[within == 0], ROWS_PER_VESSEL, axis=0)
    lon = np.clip(lon0 + walk[:, 0] + jump[:, 0], box[:, 0], box[:, 2])
    lat = np.clip(lat0 + walk[:, 1] + jump[:, 1], box[:, 1], box[:, 3])
    sog = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(6.0, 14.0, n))
    segment = np.cumsum(gap_rows)
    draught = 6.0 + (segment // 4 % 2) * 4.0  # loaded across one silence in four
    names = np.array(["NINGBO", "BUSAN", "DALIAN", "VLADIVOSTOK", "NAMPO"])
    destination = names[(segment + mmsi) % len(names)]
    return AisColumns.build(mmsi, t, lon, lat, sog=sog, draught=draught, destination=list(destination))


def main() -> int:
    if not WORLD_MAP.exists():
        print(f"bench_scoring: QGIS's world map is not at {WORLD_MAP}; nothing measured.")
        return 0
    n_gaps = int(os.environ.get("BENCH_SCORING_GAPS", "10000"))
    sample = int(os.environ.get("BENCH_SCORING_SAMPLE", "40"))
    ports = load_ports(ROOT / "resources" / "ports" / "ports.csv")
    t = time.perf_counter()
    blobs = read_gpkg_geometries(str(WORLD_MAP), "countries")
    land_index = LandIndex.from_wkb(blobs)
    land = LandPolygons(wkb.loads(b) for b in blobs)
    print(f"land: world map read and dissolved in {time.perf_counter() - t:.1f} s (once per session in the plugin)")
    cols = synthetic_reports(n_gaps)
    gaps = detect_gaps(cols, GapCriteria(min_gap_hours=6.0), land_index).gaps
    print(f"{len(cols):,} reports, {len(gaps):,} gaps")

    clear_cache()
    t = time.perf_counter()
    result = score_gaps(gaps, cols, ports, land_index=land_index, land_polygons=land)
    scored_s = time.perf_counter() - t
    levels = {lvl: sum(s.level == lvl for s in result.scores) for lvl in ("high", "medium", "low", "none")}
    print(
        f"score_gaps: {len(gaps):,} gaps in {scored_s:.1f} s ({scored_s / max(1, len(gaps)) * 1000:.2f} ms/gap); "
        f"levels {levels}; {len(result.notes)} notes"
    )
    by_sea = sum(any(r.code == "interest_port" and "by sea" in r.text for r in s.reasons) for s in result.scores)
    print(f"  {by_sea:,} gaps with a port of interest within reach by sea")
    for note in result.notes[:5]:
        print(f"  note: {note}")

    speeds = default_max_speeds(cols)
    rng = np.random.default_rng(1)
    chosen = [gaps[i] for i in rng.choice(len(gaps), min(sample, len(gaps)), replace=False)]
    t = time.perf_counter()
    for gap in chosen:  # the plain loop: each gap's reachable water and sea legs, one at a time
        gap_reachability([gap], None, land, ports, speeds[gap.mmsi], by_sea_areas=False)
    per_gap = (time.perf_counter() - t) / max(1, len(chosen))
    loop_s = per_gap * len(gaps)
    print(
        f"plain per-gap loop: {per_gap * 1000:.0f} ms/gap on {len(chosen)} gaps -> {loop_s:.0f} s for all; "
        f"ratio {loop_s / scored_s:.1f}x (target for score_gaps: under 60 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
