"""``make bench``: reachability (``core.reachability.gap_reachability``, sea distances on QGIS's world map) of the
demo's gaps with the default World Port Index (3,768 ports) against the regional gazetteer (40 ports).

The demo scenario is generated (about 12 s), its gaps of at least 6 h detected, and a sample of them (the Bai Mei
8's two gaps and an even spread of the others) computed with each port list in the same run. Prints the CPU seconds
of each (the machine may be shared), their ratio, and how many ports within reach were too far inside the map's land
for a distance by sea (snapped to the map's water within ``core.sea_grid.SNAP_KM``). Figures only: no pass/fail on
time.

Settings: ``BENCH_PORTS_SAMPLE`` (default 200 gaps).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from shapely import wkb

from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.gaps import GAP_FIELDS, GapCriteria, detect_gaps
from bai_mei_plugin.core.land import read_gpkg_geometries
from bai_mei_plugin.core.ports import DEFAULT_PORTS_FILE, REGIONAL_PORTS_FILE, load_ports
from bai_mei_plugin.core.reachability import LandPolygons, gap_reachability
from bai_mei_plugin.core.sea_grid import SNAP_KM
from bai_mei_plugin.demo import scenario
from bai_mei_plugin.paths import resource_path

WORLD_MAP = Path("/usr/share/qgis/resources/data/world_map.gpkg")


def demo_gaps(folder: str, sample: int):
    path = os.path.join(folder, "aisdk_bai_mei_synthetic.csv")
    info = scenario.generate_scenario(path)
    cols = read_ais(path, fields=GAP_FIELDS).columns
    gaps = detect_gaps(cols, GapCriteria(min_gap_hours=6)).gaps
    bai_mei = [g for g in gaps if g.mmsi == info.bai_mei_mmsi]
    others = [g for g in gaps if g.mmsi != info.bai_mei_mmsi]
    return cols, bai_mei + others[:: max(1, len(others) // max(1, sample - len(bai_mei)))][: sample - len(bai_mei)]


def timed(gaps, cols, land, ports):
    start = time.process_time()
    out = gap_reachability(gaps, cols, land, ports)
    return time.process_time() - start, out


def main() -> int:
    if not WORLD_MAP.exists():
        print(f"bench_port_index: skipped, QGIS's world map {WORLD_MAP} is not installed (Debian package qgis)")
        return 0
    sample = int(os.environ.get("BENCH_PORTS_SAMPLE", "200"))
    land = LandPolygons(wkb.loads(blob) for blob in read_gpkg_geometries(str(WORLD_MAP), "countries"))
    with tempfile.TemporaryDirectory() as folder:
        cols, gaps = demo_gaps(folder, sample)
    regional = load_ports(resource_path("ports", REGIONAL_PORTS_FILE))
    world = load_ports(resource_path("ports", DEFAULT_PORTS_FILE))
    timed(gaps[:2], cols, land, world)  # imports and first-call costs out of both figures
    t_regional, _ = timed(gaps, cols, land, regional)
    t_world, out = timed(gaps, cols, land, world)
    inland = [n for n in out.notes if f"more than {SNAP_KM:g} km from the water" in n and "port(s)" in n]
    print(f"bench_port_index: {len(gaps)} demo gaps, sea distances on {WORLD_MAP.name}")
    print(f"  regional gazetteer ({len(regional)} ports): {t_regional:.2f} s")
    print(f"  World Port Index ({len(world)} ports):      {t_world:.2f} s  ({t_world / t_regional:.2f} x the regional)")
    print(f"  candidate visits with the World Port Index: {len(out.visits)}")
    print(f"  {inland[0] if inland else f'no port within reach lies more than {SNAP_KM:g} km inland'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
