"""The SYNTHETIC scenario as a DMA "aisdk" CSV file, and the file's companion metadata saying it is synthetic.

The output is a valid aisdk file: the exact aisdk header, day-first UTC timestamps, empty fields for missing values,
static and voyage fields (IMO, name, draught, destination, ETA...) merged into every row as the DMA does, and a few
Base Station and AtoN rows that readers are expected to drop. Rows are sorted by time. Positions are interpolated
with numpy along the track and a little noise is added. Beside ``<name>.csv`` the writer puts ``<name>.csv.json``:
``{"synthetic": true, "notice": ...}`` and what was generated, since the aisdk format has no place for it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Sequence, Tuple

import numpy as np

from ..core.atomic import atomic_output
from ..core.geodesy import haversine_nm
from .routing import ANCHORED, FISHING, bearing_deg
from .tables import read_table
from .world import HOUR, SCENARIO_END, SCENARIO_START

if TYPE_CHECKING:
    from .fleet import Vessel

AISDK_HEADER = (
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,"
    "Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type"
)
# aisdk navigational status by activity kind (routing.UNDERWAY ... FISHING); the last one for Class B and stations
STATUS_TEXT = ("Under way using engine", "Moored", "At anchor", "Engaged in fishing", "Unknown value")
COMPANION_SUFFIX = ".json"


@dataclass
class Rows:
    """Columns of rows as codes into the lookup tables used when writing; code -1 picks the empty (missing) entry."""

    t: np.ndarray
    vessel: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    status: np.ndarray
    rot: np.ndarray
    sog: np.ndarray
    cog: np.ndarray
    heading: np.ndarray
    voyage: np.ndarray


ROT_MAX = 20.0  # deg/min; lookup covers -20.0 .. 20.0 in steps of 0.1
SOG_MAX = 40.0


def vessel_rows(v: Vessel, index: int, t: np.ndarray, rng, voyage_codes: Dict[str, int]) -> Rows:
    """Positions, speeds, courses and statuses at the report times, with realistic noise."""
    tr = v.track
    kt = np.asarray(tr.kt)
    klat, klon = np.asarray(tr.klat), np.asarray(tr.klon)
    n = len(t)
    tf = t.astype(float)
    lat = np.interp(tf, kt, klat)
    lon = np.interp(tf, kt, klon)
    k = np.clip(np.searchsorted(kt, tf, side="right") - 1, 0, len(kt) - 2)
    leg_nm = haversine_nm(klon[:-1], klat[:-1], klon[1:], klat[1:])
    leg_kn = leg_nm / np.maximum(np.diff(kt), 1.0) * HOUR
    leg_course = bearing_deg(klat[:-1], klon[:-1], klat[1:], klon[1:])
    seg = np.clip(np.searchsorted(np.asarray(tr.seg_t0), tf, side="right") - 1, 0, None)
    kind = np.asarray(tr.seg_kind)[seg]
    seg_heading = np.asarray(tr.seg_heading)[seg]
    moving = leg_nm[k] > 1e-4
    class_b = v.mobile == "Class B"

    # position noise: GPS jitter under way and alongside, swinging round the anchor at anchor
    sigma = np.where(kind == ANCHORED, 4e-4, np.where(moving, 6e-5, 2e-5))
    lat = lat + rng.normal(0.0, 1.0, n) * sigma
    lon = lon + rng.normal(0.0, 1.0, n) * sigma / np.cos(np.radians(lat))

    sog = np.where(moving, leg_kn[k] + rng.normal(0.0, 0.15, n), np.abs(rng.normal(0.0, 0.08, n)))
    sog = np.where(kind == ANCHORED, np.abs(rng.normal(0.0, 0.2, n)), sog)
    sog = np.clip(sog, 0.0, SOG_MAX)
    cog = np.where(moving, leg_course[k] + rng.normal(0.0, 1.5, n), rng.uniform(0.0, 360.0, n)) % 360.0
    heading = np.where(moving, leg_course[k] + rng.normal(0.0, 2.0, n), seg_heading + rng.normal(0.0, 1.0, n))
    heading = np.where(kind == ANCHORED, seg_heading + 25.0 * np.sin(tf / 9000.0), heading) % 360.0
    rot = np.where(moving & (rng.random(n) < 0.4), rng.normal(0.0, 2.5, n), 0.0)

    status = np.where(class_b, len(STATUS_TEXT) - 1, np.minimum(kind, FISHING))
    voyage_of_seg = np.array([voyage_codes.setdefault(x, len(voyage_codes)) for x in tr.seg_voyage], dtype=np.int32)
    return Rows(
        t=t,
        vessel=np.full(n, index, dtype=np.int32),
        lat=lat,
        lon=lon,
        status=status.astype(np.int8),
        rot=(np.full(n, -1) if class_b else np.round(np.clip(rot, -ROT_MAX, ROT_MAX) * 10 + ROT_MAX * 10)).astype(
            np.int32
        ),
        sog=np.round(sog * 10).astype(np.int32),
        cog=np.round(cog * 10).astype(np.int32) % 3600,
        heading=(np.full(n, -1) if class_b else np.round(heading).astype(np.int64) % 360).astype(np.int32),
        voyage=voyage_of_seg[seg],
    )


# Base stations and aids to navigation: a handful of rows the aisdk reader is expected to drop.
FIXED_STATIONS = tuple(
    read_table("fixed_stations.csv", (("mobile", str), ("mmsi", int), ("lat", float), ("lon", float), ("static", str)))
)


def format_lines(rows: Rows, prefixes: List[str], statics: List[str], voyages: List[str]) -> List[str]:
    """aisdk lines, via lookup tables for every value with a fixed number of decimals (much faster than %)."""
    day0 = SCENARIO_START - 86400 * 2
    days = [time.strftime("%d/%m/%Y", time.gmtime(day0 + i * 86400)) for i in range(50)]
    hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
    rel = rows.t - day0
    day_idx = (rel // 86400).tolist()
    sec_idx = (rel % 86400).tolist()
    rot_table = [f"{(i - ROT_MAX * 10) / 10:.1f}" for i in range(int(ROT_MAX * 20) + 1)] + [""]
    sog_table = [f"{i / 10:.1f}" for i in range(int(SOG_MAX * 10) + 1)] + [""]
    cog_table = [f"{i / 10:.1f}" for i in range(3600)] + [""]
    hdg_table = [str(i) for i in range(360)] + [""]
    rot = np.asarray(rot_table, dtype=object)[rows.rot].tolist()
    sog = np.asarray(sog_table, dtype=object)[rows.sog].tolist()
    cog = np.asarray(cog_table, dtype=object)[rows.cog].tolist()
    hdg = np.asarray(hdg_table, dtype=object)[rows.heading].tolist()
    status = np.asarray(STATUS_TEXT, dtype=object)[rows.status].tolist()
    pre = np.asarray(prefixes, dtype=object)[rows.vessel].tolist()
    mid = np.asarray(statics, dtype=object)[rows.vessel].tolist()
    voy = np.asarray(voyages, dtype=object)[rows.voyage].tolist()
    return [
        f"{days[d]} {hms[s]},{p},{la:.6f},{lo:.6f},{st},{r},{sg},{cg},{hd},{m},{vy},AIS"
        for d, s, p, la, lo, st, r, sg, cg, hd, m, vy in zip(
            day_idx, sec_idx, pre, rows.lat.tolist(), rows.lon.tolist(), status, rot, sog, cog, hdg, mid, voy
        )
    ]


def fixed_station_rows(rng, first_index: int, voyage_codes: Dict[str, int]) -> Tuple[Rows, List[str], List[str]]:
    parts, prefixes, statics = [], [], []
    empty = voyage_codes.setdefault(",,", len(voyage_codes))
    for i, (mobile, mmsi, lat, lon, static) in enumerate(FIXED_STATIONS):
        t = np.unique(rng.integers(SCENARIO_START, SCENARIO_END, int(rng.integers(15, 40))))
        n = len(t)
        parts.append(
            Rows(
                t=t,
                vessel=np.full(n, first_index + i, dtype=np.int32),
                lat=np.full(n, lat),
                lon=np.full(n, lon),
                status=np.full(n, len(STATUS_TEXT) - 1, dtype=np.int8),
                rot=np.full(n, -1, dtype=np.int32),
                sog=np.full(n, -1, dtype=np.int32),
                cog=np.full(n, -1, dtype=np.int32),
                heading=np.full(n, -1, dtype=np.int32),
                voyage=np.full(n, empty, dtype=np.int32),
            )
        )
        prefixes.append(f"{mobile},{mmsi}")
        statics.append(static)
    return concat_rows(parts), prefixes, statics


def concat_rows(parts: Sequence[Rows]) -> Rows:
    return Rows(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in Rows.__dataclass_fields__})


def write_aisdk(path, vessels: Sequence[Vessel], parts: List[Rows], voyage_codes: Dict[str, int], rng) -> int:
    """Write the vessels' rows (``parts``, one per vessel) and the fixed stations' as one aisdk file, interleaved by
    time as a real feed is; returns the number of rows. The file replaces ``path`` only once complete."""
    prefixes = [f"{v.mobile},{v.mmsi}" for v in vessels]
    statics = [v.static for v in vessels]
    fixed, fixed_prefixes, fixed_statics = fixed_station_rows(rng, len(vessels), voyage_codes)
    rows = concat_rows(parts + [fixed])
    prefixes += fixed_prefixes
    statics += fixed_statics
    order = np.lexsort((rows.vessel, rows.t))
    rows = Rows(**{name: getattr(rows, name)[order] for name in Rows.__dataclass_fields__})
    voyages = [""] * len(voyage_codes)
    for text, code in voyage_codes.items():
        voyages[code] = text
    lines = format_lines(rows, prefixes, statics, voyages)
    with atomic_output(str(path)) as temporary, open(temporary, "w", encoding="utf-8", newline="\n") as f:
        f.write(AISDK_HEADER + "\n")
        for i in range(0, len(lines), 200_000):
            f.write("\n".join(lines[i : i + 200_000]))
            f.write("\n")
    return len(lines)


def companion_path(path) -> str:
    return str(path) + COMPANION_SUFFIX


def write_companion(path, notice: str, **facts) -> str:
    """``<path>.json`` beside the CSV: ``synthetic`` true, the notice and ``facts`` (JSON-serialisable)."""
    target = companion_path(path)
    document = {"synthetic": True, "notice": notice, "data": os.path.basename(str(path)), **facts}
    with atomic_output(target) as temporary, open(temporary, "w", encoding="utf-8", newline="\n") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    return target
