"""Encounters between vessels at sea, and candidate rendezvous during a dark gap (``baimei:encounters``).

Encounters follow Global Fishing Watch's published criteria: two vessels within ``max_distance_m`` (500 m) of each
other for at least ``min_hours`` (2 h), both slower than ``max_speed_kn`` (2 kn), at least ``min_port_km`` (10 km)
from any port. The method:

1. Each vessel's positions are interpolated (linearly in longitude/latitude) onto a fixed time grid of
   ``slot_minutes`` (10 min), only between consecutive reports at most ``max_interp_gap_hours`` (1 h) apart: no
   position is invented across a longer silence. A slot at time s comes from the reports just before (at or
   before s) and just after it.
2. A slot is kept when the vessel is slow over that pair of reports (the mean of their SOGs; the implied speed
   where both lack SOG) and when no port lies within ``min_port_km``. Every slot of an encounter therefore
   satisfies the speed and port criteria.
3. Positions become points on the sphere (x, y, z in metres) bucketed by (slot, cube of side ``max_distance_m``):
   two points within that distance lie in the same or a neighbouring cube, so only those are compared (no
   all-pairs comparison). Pairs closer than ``max_distance_m`` are close slots.
4. For each pair of vessels, consecutive close slots form runs; a run lasting at least ``min_hours`` (first to last
   slot) is an encounter. Its position is the mean of the pair's midpoints, its distance the median separation.

Columns must be grouped by vessel in time order (as cleaned columns are; other orders are sorted first), so the
result does not depend on the order of the rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .ais.model import AisColumns
from .errors import Canceled
from .gaps import Gap, vessel_starts
from .geodesy import EARTH_RADIUS_M, METRES_PER_NM, haversine_m, unit_vectors
from .port_visits import PortIndex, Stop, arc_of, grouped_by_vessel, vessel_names
from .ports import Port

# The 13 neighbouring cubes "after" a cube (lexicographically), so that each pair of cubes is visited once.
_HALF_NEIGHBOURS = [o for o in itertools.product((-1, 0, 1), repeat=3) if o > (0, 0, 0)]
_CHUNK_ROWS = 2_000_000  # slot rows bucketed at a time (bounds memory and gives progress)


@dataclass(frozen=True)
class EncounterCriteria:
    max_distance_m: float = 500.0
    min_hours: float = 2.0
    max_speed_kn: float = 2.0
    min_port_km: float = 10.0
    slot_minutes: float = 10.0
    max_interp_gap_hours: float = 1.0


@dataclass
class Encounter:
    mmsi_1: int  # mmsi_1 < mmsi_2
    mmsi_2: int
    vessel_name_1: Optional[str]
    vessel_name_2: Optional[str]
    start: int
    end: int
    hours: float
    lon: float
    lat: float
    median_distance_m: float
    distance_to_port_km: Optional[float]  # None without a ports list
    n_slots: int


@dataclass
class DarkRendezvous:
    """Another vessel stopped inside a dark vessel's reachable area while it was dark."""

    gap_id: str
    mmsi: int  # the dark vessel
    vessel_name: Optional[str]
    other_mmsi: int
    other_name: Optional[str]
    start: int  # the overlap of the gap and the other vessel's stop
    end: int
    hours: float
    lon: float  # the other vessel's stop position
    lat: float
    near_port: Optional[str]


def _check(is_canceled) -> None:
    if is_canceled and is_canceled():
        raise Canceled()


# ---------------------------------------------------------------------------------------------------- slots


def slow_slots(cols: AisColumns, criteria: EncounterCriteria, ports: Sequence[Port] = ()):
    """The interpolated slow slots of every vessel away from ports: (mmsi, slot number, lon, lat) arrays.

    Slot number k stands for the time ``k * slot_s`` (epoch seconds).
    """
    slot_s = int(round(criteria.slot_minutes * 60))
    if slot_s <= 0:
        raise ValueError("the slot length must be positive")
    n = len(cols)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
    if n < 2:
        return empty
    t, lon, lat, sog = cols.t, cols.lon, cols.lat, cols.sog
    dt = np.diff(t)
    pair = np.flatnonzero(~vessel_starts(cols.mmsi)[1:] & (dt > 0) & (dt <= criteria.max_interp_gap_hours * 3600))
    a, b = sog[pair], sog[pair + 1]
    speed = np.where(np.isnan(a), b, np.where(np.isnan(b), a, 0.5 * (a + b)))
    no_sog = np.flatnonzero(np.isnan(speed))
    if len(no_sog):
        i = pair[no_sog]
        speed[no_sog] = (haversine_m(lon[i], lat[i], lon[i + 1], lat[i + 1]) / METRES_PER_NM) / (dt[i] / 3600.0)
    pair = pair[speed < criteria.max_speed_kn]
    t0, t1 = t[pair], t[pair + 1]
    k0 = -((-t0) // slot_s)  # first slot at or after t0
    count = -((-t1) // slot_s) - k0  # slots in [t0, t1)
    has = count > 0
    pair, t0, t1, k0, count = pair[has], t0[has], t1[has], k0[has], count[has]
    if len(pair) == 0:
        return empty
    which = np.repeat(np.arange(len(pair)), count)
    offsets = np.concatenate(([0], np.cumsum(count)[:-1]))
    slot = k0[which] + (np.arange(len(which)) - offsets[which])
    i = pair[which]
    f = (slot * slot_s - t0[which]) / (t1 - t0)[which]
    dlon = (lon[i + 1] - lon[i] + 180.0) % 360.0 - 180.0
    s_lon = (lon[i] + f * dlon + 180.0) % 360.0 - 180.0
    s_lat = lat[i] + f * (lat[i + 1] - lat[i])
    s_mmsi = cols.mmsi[i]
    if len(ports) and criteria.min_port_km > 0:
        away = ~PortIndex(ports).within(s_lon, s_lat, criteria.min_port_km * 1000.0)
        s_mmsi, slot, s_lon, s_lat = s_mmsi[away], slot[away], s_lon[away], s_lat[away]
    return s_mmsi, slot, s_lon, s_lat


# ---------------------------------------------------------------------------------------------------- close pairs


def _cross(a_start, a_size, b_start, b_size) -> Tuple[np.ndarray, np.ndarray]:
    """All (i, j) with i in [a_start, a_start + a_size) and j in [b_start, b_start + b_size), per group pair."""
    count = a_size * b_size
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    which = np.repeat(np.arange(len(count)), count)
    local = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    return a_start[which] + local // b_size[which], b_start[which] + local % b_size[which]


def close_pairs(mmsi, slot, xyz_m, max_distance_m: float):
    """Pairs of rows (i, j) in the same slot, of different vessels, within ``max_distance_m`` (chord) of each other.

    Rows are bucketed by (slot, cube of side ``max_distance_m``) and compared only with the same and neighbouring
    cubes. Returns (i, j, distance_m) with i, j indices into the inputs.
    """
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if len(slot) < 2:
        return empty
    # cubes of at least 20 m, so that (slot, cube) fits an int64 key even for the whole globe
    cell = np.floor(xyz_m / max(max_distance_m, 20.0)).astype(np.int64)
    cell -= cell.min(axis=0) - 1  # a margin of one empty cube on each side, so neighbours never wrap
    size = cell.max(axis=0) + 2
    n_cells = int(size[0]) * int(size[1]) * int(size[2])
    k_min, k_max = int(slot.min()), int(slot.max())
    if (k_max - k_min + 1) * n_cells >= 2**62:  # too many slots for one key: halve the time range
        mid = (k_min + k_max) // 2
        parts = []
        for rows in (np.flatnonzero(slot <= mid), np.flatnonzero(slot > mid)):
            i, j, d = close_pairs(mmsi[rows], slot[rows], xyz_m[rows], max_distance_m)
            parts.append((rows[i], rows[j], d))
        return tuple(np.concatenate(p) for p in zip(*parts))
    cell_id = (cell[:, 0] * size[1] + cell[:, 1]) * size[2] + cell[:, 2]
    key = (slot - k_min) * n_cells + cell_id
    order = np.argsort(key, kind="stable")
    skey = key[order]
    bounds = np.flatnonzero(np.concatenate(([True], skey[1:] != skey[:-1])))
    g_key = skey[bounds]
    g_size = np.diff(np.append(bounds, len(skey)))
    parts_i, parts_j = [], []
    crowded = np.flatnonzero(g_size > 1)  # pairs inside one cube
    if len(crowded):
        i, j = _cross(bounds[crowded], g_size[crowded], bounds[crowded], g_size[crowded])
        below = i < j
        parts_i.append(i[below])
        parts_j.append(j[below])
    for dx, dy, dz in _HALF_NEIGHBOURS:
        target = g_key + (dx * size[1] + dy) * size[2] + dz
        pos = np.minimum(np.searchsorted(g_key, target), len(g_key) - 1)
        hit = np.flatnonzero(g_key[pos] == target)
        if len(hit):
            i, j = _cross(bounds[hit], g_size[hit], bounds[pos[hit]], g_size[pos[hit]])
            parts_i.append(i)
            parts_j.append(j)
    if not parts_i:
        return empty
    i = order[np.concatenate(parts_i)]
    j = order[np.concatenate(parts_j)]
    chord = np.sqrt(np.sum((xyz_m[i] - xyz_m[j]) ** 2, axis=1))
    keep = (chord <= max_distance_m) & (mmsi[i] != mmsi[j])
    i, j = i[keep], j[keep]
    return i, j, arc_of(chord[keep] / EARTH_RADIUS_M)


def _chunks(slot: np.ndarray, rows_per_chunk: int) -> List[Tuple[int, int]]:
    """Row ranges of slot-sorted rows, cut between slots, of about ``rows_per_chunk`` rows each."""
    n = len(slot)
    cuts = [0]
    while cuts[-1] < n:
        nxt = min(cuts[-1] + rows_per_chunk, n)
        if nxt < n:
            nxt = int(np.searchsorted(slot, slot[nxt], side="left"))
            if nxt <= cuts[-1]:
                nxt = int(np.searchsorted(slot, slot[cuts[-1]], side="right"))
        cuts.append(nxt)
    return list(zip(cuts[:-1], cuts[1:]))


# ---------------------------------------------------------------------------------------------------- encounters


def find_encounters(
    cols: AisColumns,
    ports: Sequence[Port] = (),
    criteria: EncounterCriteria = EncounterCriteria(),
    progress=None,
    is_canceled=None,
) -> List[Encounter]:
    """Encounters between vessels (see the module docstring), ordered by start time then MMSIs."""
    cols = grouped_by_vessel(cols)
    slot_s = int(round(criteria.slot_minutes * 60))
    s_mmsi, slot, s_lon, s_lat = slow_slots(cols, criteria, ports)
    _check(is_canceled)
    if progress:
        progress(0.2)
    order = np.argsort(slot, kind="stable")
    s_mmsi, slot, s_lon, s_lat = s_mmsi[order], slot[order], s_lon[order], s_lat[order]
    xyz = unit_vectors(s_lon, s_lat) * EARTH_RADIUS_M
    found = []
    chunks = _chunks(slot, _CHUNK_ROWS)
    for c, (a, b) in enumerate(chunks):
        i, j, dist = close_pairs(s_mmsi[a:b], slot[a:b], xyz[a:b], criteria.max_distance_m)
        found.append((i + a, j + a, dist))
        _check(is_canceled)
        if progress:
            progress(0.2 + 0.6 * (c + 1) / len(chunks))
    if not found:
        return []
    i = np.concatenate([f[0] for f in found])
    j = np.concatenate([f[1] for f in found])
    dist = np.concatenate([f[2] for f in found])
    swap = s_mmsi[i] > s_mmsi[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    m1, m2, k = s_mmsi[i], s_mmsi[j], slot[i]
    order = np.lexsort((k, m2, m1))
    m1, m2, k, i, j, dist = m1[order], m2[order], k[order], i[order], j[order], dist[order]
    if len(k) == 0:
        return []

    new_run = np.ones(len(k), dtype=bool)
    new_run[1:] = (m1[1:] != m1[:-1]) | (m2[1:] != m2[:-1]) | (k[1:] != k[:-1] + 1)
    run_first = np.flatnonzero(new_run)
    run_last = np.append(run_first[1:], len(k)) - 1
    long_enough = (k[run_last] - k[run_first]) * slot_s >= criteria.min_hours * 3600.0
    run_first, run_last = run_first[long_enough], run_last[long_enough]
    if len(run_first) == 0:
        return []
    run_len = run_last - run_first + 1
    rows = np.repeat(run_first, run_len) + (np.arange(run_len.sum()) - np.repeat(np.cumsum(run_len) - run_len, run_len))
    run_id = np.repeat(np.arange(len(run_first)), run_len)
    mid = xyz[i[rows]] + xyz[j[rows]]
    sums = np.add.reduceat(mid, np.cumsum(run_len) - run_len, axis=0)
    lon = np.degrees(np.arctan2(sums[:, 1], sums[:, 0]))
    lat = np.degrees(np.arctan2(sums[:, 2], np.hypot(sums[:, 0], sums[:, 1])))
    by_dist = rows[np.lexsort((dist[rows], run_id))]
    starts = np.cumsum(run_len) - run_len
    median = 0.5 * (dist[by_dist[starts + (run_len - 1) // 2]] + dist[by_dist[starts + run_len // 2]])
    port_km = PortIndex(ports).nearest(lon, lat)[1] / 1000.0 if len(ports) else None
    names = vessel_names(cols)
    out = []
    for r, (f, last) in enumerate(zip(run_first.tolist(), run_last.tolist())):
        a_m, b_m = int(m1[f]), int(m2[f])
        start, end = int(k[f]) * slot_s, int(k[last]) * slot_s
        out.append(
            Encounter(
                mmsi_1=a_m,
                mmsi_2=b_m,
                vessel_name_1=names.get(a_m),
                vessel_name_2=names.get(b_m),
                start=start,
                end=end,
                hours=(end - start) / 3600.0,
                lon=float(lon[r]),
                lat=float(lat[r]),
                median_distance_m=float(median[r]),
                distance_to_port_km=None if port_km is None else float(port_km[r]),
                n_slots=int(run_len[r]),
            )
        )
    out.sort(key=lambda e: (e.start, e.mmsi_1, e.mmsi_2))
    if progress:
        progress(1.0)
    return out


# ---------------------------------------------------------------------------------------------------- dark rendezvous


def dark_rendezvous(
    gap_areas: Iterable[Tuple[Gap, object]], stops: Sequence[Stop], min_overlap_hours: float = 0.0
) -> List[DarkRendezvous]:
    """Other vessels' stops that overlap a dark gap in time and lie inside the gap's area.

    ``gap_areas`` pairs each gap with a shapely geometry in longitude/latitude (the area the dark vessel could have
    reached, computed elsewhere); ``stops`` come from ``find_stops``. A stop overlaps the gap when it began before
    the vessel came back on air and ended after it went silent, for at least ``min_overlap_hours``.
    """
    from shapely.geometry import Point
    from shapely.prepared import prep

    if not stops:
        return []
    s_mmsi = np.array([s.mmsi for s in stops], dtype=np.int64)
    s_start = np.array([s.start for s in stops], dtype=np.int64)
    s_end = np.array([s.end for s in stops], dtype=np.int64)
    s_lon = np.array([s.lon for s in stops])
    s_lat = np.array([s.lat for s in stops])
    out = []
    for gap, area in gap_areas:
        if area is None or area.is_empty:
            continue
        begin = np.maximum(s_start, gap.off_time)
        finish = np.minimum(s_end, gap.on_time)
        x0, y0, x1, y1 = area.bounds
        candidate = np.flatnonzero(
            (s_mmsi != gap.mmsi)
            & (finish > begin)
            & (finish - begin >= min_overlap_hours * 3600.0)
            & (s_lon >= x0)
            & (s_lon <= x1)
            & (s_lat >= y0)
            & (s_lat <= y1)
        )
        if len(candidate) == 0:
            continue
        prepared = prep(area)
        for c in candidate.tolist():
            stop = stops[c]
            if not prepared.intersects(Point(stop.lon, stop.lat)):
                continue
            out.append(
                DarkRendezvous(
                    gap_id=gap.gap_id,
                    mmsi=gap.mmsi,
                    vessel_name=gap.vessel_name,
                    other_mmsi=stop.mmsi,
                    other_name=stop.vessel_name,
                    start=int(begin[c]),
                    end=int(finish[c]),
                    hours=float(finish[c] - begin[c]) / 3600.0,
                    lon=stop.lon,
                    lat=stop.lat,
                    near_port=stop.near_port,
                )
            )
    return out
