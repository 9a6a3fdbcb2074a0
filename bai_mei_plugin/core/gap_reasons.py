"""The facts behind the reasons of gap scoring (:mod:`.suspicion`), computed for all gaps at once where they can be.

Each function takes the gaps as arrays (:class:`GapArrays`) or what the reports say once for all gaps (port calls
and stops, identity anomalies, reported IMOs and names), so that scoring thousands of gaps costs a few passes over
numpy arrays, not a loop over the reports per gap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .ais.model import AisColumns
from .anomalies import (
    CALLSIGN_CHANGE,
    IMO_CHANGE,
    INVALID_IMO,
    INVALID_MMSI,
    NAME_CHANGE,
    SHARED_MMSI,
    UNALLOCATED_MID,
    Anomaly,
)
from .compat import covers_xy
from .geodesy import EARTH_RADIUS_M, haversine_nm, unit_vectors
from .mid import INVALID, SHIP, describe_mmsi
from .port_visits import PortIndex, PortVisit, Stop, destination_matches, normalise_destination
from .ports import Port

IDENTITY_KINDS = (UNALLOCATED_MID, INVALID_MMSI, SHARED_MMSI, INVALID_IMO, NAME_CHANGE, IMO_CHANGE, CALLSIGN_CHANGE)
_PAIRS_PER_BLOCK = 2_000_000
_CHANGES = (NAME_CHANGE, IMO_CHANGE, CALLSIGN_CHANGE)  # events in time; the other kinds are the vessel's for good


def _opt(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


@dataclass
class GapArrays:
    """The gaps as numpy columns (None as NaN)."""

    mmsi: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    hours: np.ndarray
    off_lon: np.ndarray
    off_lat: np.ndarray
    on_lon: np.ndarray
    on_lat: np.ndarray
    sog_before: np.ndarray
    sog_after: np.ndarray

    @classmethod
    def of(cls, gaps: Sequence) -> GapArrays:
        t0 = np.array([g.off_time for g in gaps], dtype=np.int64)
        t1 = np.array([g.on_time for g in gaps], dtype=np.int64)
        return cls(
            np.array([g.mmsi for g in gaps], dtype=np.int64),
            t0,
            t1,
            (t1 - t0) / 3600.0,
            np.array([g.off_lon for g in gaps], dtype=float),
            np.array([g.off_lat for g in gaps], dtype=float),
            np.array([g.on_lon for g in gaps], dtype=float),
            np.array([g.on_lat for g in gaps], dtype=float),
            _opt(g.sog_before for g in gaps),
            _opt(g.sog_after for g in gaps),
        )


def day(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%d")


def where(lon: float, lat: float) -> str:
    return f"{abs(lat):.2f}{'N' if lat >= 0 else 'S'} {abs(lon):.2f}{'E' if lon >= 0 else 'W'}"


# ---------------------------------------------------------------------------------------------------- port calls


def port_calls(a: GapArrays, ports: Sequence[Port], radius_nm: float, berth_speed_kn: float) -> np.ndarray:
    """Per gap, the index in ``ports`` of the port both its ends lie in (its outline when it has one, else within
    ``radius_nm`` of its position) with the SOG before and after at most ``berth_speed_kn``; -1 otherwise."""
    n = len(a.mmsi)
    found = np.full(n, -1, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        slow = (a.sog_before <= berth_speed_kn) & (a.sog_after <= berth_speed_kn)
    rows = np.flatnonzero(slow)
    if len(rows) == 0 or not ports:
        return found
    by_position = [k for k, p in enumerate(ports) if p.area is None]
    if by_position:
        index = PortIndex([ports[k] for k in by_position])
        lon = np.array([ports[k].lon for k in by_position])
        lat = np.array([ports[k].lat for k in by_position])
        for ends, other in (
            ((a.off_lon, a.off_lat), (a.on_lon, a.on_lat)),
            ((a.on_lon, a.on_lat), (a.off_lon, a.off_lat)),
        ):
            nearest, metres = index.nearest(ends[0][rows], ends[1][rows])
            other_nm = haversine_nm(other[0][rows], other[1][rows], lon[nearest], lat[nearest])
            inside = (metres / 1852.0 <= radius_nm) & (other_nm <= radius_nm) & (found[rows] < 0)
            found[rows[inside]] = np.array(by_position)[nearest[inside]]
    for k, port in enumerate(ports):  # an outline decides for its port, whatever the radius says
        if port.area is None:
            continue
        inside = covers_xy(port.area, a.off_lon[rows], a.off_lat[rows]) & covers_xy(
            port.area, a.on_lon[rows], a.on_lat[rows]
        )
        found[rows[inside]] = k
    return found


# ---------------------------------------------------------------------------------------------------- reports


@dataclass
class NextPorts:
    """Each vessel's port visits in time order, to find the first one after a gap."""

    arrivals: Dict[int, np.ndarray]
    visits: Dict[int, List[PortVisit]]

    @classmethod
    def of(cls, visits: Sequence[PortVisit]) -> NextPorts:
        by: Dict[int, List[PortVisit]] = {}
        for visit in visits:
            by.setdefault(visit.mmsi, []).append(visit)
        for items in by.values():
            items.sort(key=lambda v: v.arrival)
        return cls({m: np.array([v.arrival for v in items]) for m, items in by.items()}, by)

    def after(self, mmsi: int, t: int) -> Optional[PortVisit]:
        arrivals = self.arrivals.get(mmsi)
        if arrivals is None:
            return None
        k = int(np.searchsorted(arrivals, t, side="left"))
        return self.visits[mmsi][k] if k < len(arrivals) else None


def next_port_differs(gap, next_visit: Optional[PortVisit], call: Optional[Port], ports: Sequence[Port]):
    """(declared text, declared port, the port seen next) when the next port visited after ``gap`` is not the
    destination declared before it, else None. Only a declaration that names a port of the gazetteer is judged. A
    port call is not judged: the ship was in a port, and a ship at a berth often already declares its next port."""
    declared = gap.destination_before
    if not declared or call is not None:
        return None
    named = _resolve(declared, ports)
    if named is None or next_visit is None:
        return None
    seen = Port(next_visit.port_name, next_visit.locode, next_visit.country, next_visit.lat, next_visit.lon)
    return None if destination_matches(declared, seen) else (declared, named, next_visit.port_name)


_resolved: Dict[Tuple[str, int], Optional[Port]] = {}


def _resolve(text: str, ports: Sequence[Port]) -> Optional[Port]:
    key = (normalise_destination(text), id(ports))
    if key not in _resolved:
        if len(_resolved) > 10_000:
            _resolved.clear()
        _resolved[key] = next((p for p in ports if destination_matches(text, p)), None)
    return _resolved[key]


def destination_change(gap, ports: Sequence[Port]) -> Optional[Tuple[str, str]]:
    """(before, after) when the declared destination changed across the gap: the normalised texts differ and do not
    name the same port."""
    d0, d1 = normalise_destination(gap.destination_before), normalise_destination(gap.destination_after)
    if not d0 or not d1 or d0 == d1:
        return None
    p0, p1 = _resolve(d0, ports), _resolve(d1, ports)
    if p0 is not None and p0 == p1:
        return None
    return d0, d1


def identity_texts(anomalies: Sequence[Anomaly], t0: int, t1: int, days: float) -> List[str]:
    """Short words for the identity anomalies of a vessel that bear on a gap from t0 to t1: changes within ``days``
    of it, and what is true of the vessel for good (its MID, its IMO number, a shared MMSI)."""
    window = days * 86400.0
    out = []
    for an in anomalies:
        if an.kind in _CHANGES:
            if an.time is None or not (t0 - window <= an.time <= t1 + window):
                continue
            label = {NAME_CHANGE: "name", IMO_CHANGE: "IMO", CALLSIGN_CHANGE: "call sign"}[an.kind]
            out.append(f"{label} changed {an.before} -> {an.after} ({day(an.time)})")
        elif an.kind == UNALLOCATED_MID:
            out.append(f"MMSI {an.mmsi:09d} has an unallocated MID")
        elif an.kind == INVALID_MMSI:
            out.append(f"MMSI {an.mmsi} is not a valid ship MMSI")
        elif an.kind == SHARED_MMSI:
            out.append(f"MMSI shared by two transmitters ({an.count} impossible jumps)")
        elif an.kind == INVALID_IMO:
            out.append(f"invalid IMO number {an.before}")
    return list(dict.fromkeys(out))


def mmsi_identity(mmsi: int) -> List[Anomaly]:
    """Without reports, what the MMSI alone tells: an unallocated MID or an invalid MMSI."""
    info = describe_mmsi(mmsi)
    if info.kind == INVALID:
        return [Anomaly(mmsi, INVALID_MMSI, None, None, None, info.description)]
    if info.kind == SHIP and not info.allocated:
        return [Anomaly(mmsi, UNALLOCATED_MID, None, None, None, info.description)]
    return []


def reported_ids(cols: AisColumns) -> Dict[int, Tuple[List[str], List[str]]]:
    """Per MMSI, the distinct IMO numbers and names it reported (one pass over the codes, not the rows' text)."""
    out: Dict[int, Tuple[List[str], List[str]]] = {}
    for slot, column in enumerate((cols.imo, cols.vessel_name)):
        codes = column.codes
        rows = np.flatnonzero(codes >= 0)
        if len(rows) == 0:
            continue
        key = np.unique(cols.mmsi[rows].astype(np.int64) * (len(column.values) + 1) + codes[rows])
        for m, c in zip((key // (len(column.values) + 1)).tolist(), (key % (len(column.values) + 1)).tolist()):
            out.setdefault(int(m), ([], []))[slot].append(column.values[c])
    return out


# ---------------------------------------------------------------------------------------------------- rendezvous


@dataclass
class StopArrays:
    """Stops away from ports (``find_stops``), as columns for matching against many gaps."""

    stops: List[Stop]
    mmsi: np.ndarray
    start: np.ndarray
    end: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    @classmethod
    def of(cls, stops: Sequence[Stop]) -> StopArrays:
        stops = [s for s in stops if s.near_port is None]
        return cls(
            stops,
            np.array([s.mmsi for s in stops], dtype=np.int64),
            np.array([s.start for s in stops], dtype=np.int64),
            np.array([s.end for s in stops], dtype=np.int64),
            np.array([s.lon for s in stops], dtype=float),
            np.array([s.lat for s in stops], dtype=float),
        )


def rendezvous(a: GapArrays, rows: np.ndarray, budget: np.ndarray, stops: StopArrays, min_hours: float, areas=None):
    """For gaps ``rows``: {row: [(stop, overlap hours)]} of other vessels' stops that overlap the gap by at least
    ``min_hours`` and lie in its reachable sea: inside ``areas[row]`` when given (a geometry), else inside the
    great-circle ellipse d(A, S) + d(S, B) <= budget."""
    out: Dict[int, list] = {}
    if len(stops.stops) == 0 or len(rows) == 0:
        return out
    block = max(1, _PAIRS_PER_BLOCK // len(stops.stops))  # gaps x stops matrices of bounded size
    if len(rows) > block:
        for start in range(0, len(rows), block):
            out.update(rendezvous(a, rows[start : start + block], budget, stops, min_hours, areas))
        return out
    begin = np.maximum(stops.start[None, :], a.t0[rows][:, None])
    finish = np.minimum(stops.end[None, :], a.t1[rows][:, None])
    overlap = finish - begin
    other = stops.mmsi[None, :] != a.mmsi[rows][:, None]
    hit_g, hit_s = np.nonzero((overlap >= min_hours * 3600.0) & (overlap > 0) & other)
    if len(hit_g) == 0:
        return out
    g = rows[hit_g]
    inside = (
        haversine_nm(a.off_lon[g], a.off_lat[g], stops.lon[hit_s], stops.lat[hit_s])
        + haversine_nm(stops.lon[hit_s], stops.lat[hit_s], a.on_lon[g], a.on_lat[g])
        <= budget[g]
    )
    for k in np.flatnonzero(inside).tolist():
        row, s = int(g[k]), int(hit_s[k])
        area = areas.get(row) if areas else None
        if area is not None and not covers_xy(area, np.array([stops.lon[s]]), np.array([stops.lat[s]]))[0]:
            continue
        out.setdefault(row, []).append((stops.stops[s], float(overlap[hit_g[k], s]) / 3600.0))
    return out


# ---------------------------------------------------------------------------------------------------- repeated


def repeated_counts(a: GapArrays, radius_nm: float, skip: np.ndarray) -> np.ndarray:
    """Per gap, how many other gaps of its vessel began or ended within ``radius_nm`` of where it began or ended
    (gaps where ``skip`` is True, port calls, neither count nor are counted)."""
    n = len(a.mmsi)
    counts = np.zeros(n, dtype=np.int64)
    use = np.flatnonzero(~skip)
    if len(use) < 2:
        return counts
    order = use[np.argsort(a.mmsi[use], kind="stable")]
    m = a.mmsi[order]
    cuts = np.flatnonzero(np.diff(m)) + 1
    for group in np.split(order, cuts):
        if len(group) < 2:
            continue
        near = np.zeros((len(group), len(group)), dtype=bool)
        for lon1, lat1 in ((a.off_lon, a.off_lat), (a.on_lon, a.on_lat)):
            for lon2, lat2 in ((a.off_lon, a.off_lat), (a.on_lon, a.on_lat)):
                near |= (
                    haversine_nm(lon1[group][:, None], lat1[group][:, None], lon2[group][None, :], lat2[group][None, :])
                    <= radius_nm
                )
        np.fill_diagonal(near, False)
        counts[group] = near.sum(axis=1)
    return counts


# ---------------------------------------------------------------------------------------------------- common places


def _neighbours(xyz: np.ndarray, chord: float) -> List[np.ndarray]:
    """For each point, the indices of the points within ``chord`` (straight-line distance on the unit sphere)."""
    try:
        from scipy.spatial import cKDTree
    except ImportError:
        cKDTree = None  # noqa: N806 - the class name, when scipy is there
    if cKDTree is not None:
        return [np.asarray(found, dtype=np.int64) for found in cKDTree(xyz).query_ball_point(xyz, chord)]
    out: List[np.ndarray] = []
    step = max(1, 2_000_000 // max(len(xyz), 1))  # bounded memory: step x n distances at a time
    for start in range(0, len(xyz), step):
        d2 = ((xyz[start : start + step, None, :] - xyz[None, :, :]) ** 2).sum(axis=2)
        out.extend(np.flatnonzero(row <= chord * chord) for row in d2)
    return out


def common_place_counts(a: GapArrays, radius_nm: float, skip: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Per gap, how many OTHER vessels had a gap (not a port call: ``skip``) begin or end within ``radius_nm`` of where
    this one began, and of where it ended. Many vessels going dark and reappearing at the same places mark a hole in
    the reception or the edge of the data's area (ships leaving it and coming back), not one ship's choice."""
    n = len(a.mmsi)
    off_count, on_count = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    use = np.flatnonzero(~skip)
    if len(use) < 2 or not radius_nm > 0:
        return off_count, on_count
    lon = np.concatenate((a.off_lon[use], a.on_lon[use]))
    lat = np.concatenate((a.off_lat[use], a.on_lat[use]))
    owner = np.concatenate((a.mmsi[use], a.mmsi[use]))
    chord = 2.0 * np.sin(min(radius_nm * 1852.0 / EARTH_RADIUS_M, np.pi) / 2.0)
    near = _neighbours(unit_vectors(lon, lat).reshape(-1, 3), chord)
    k = len(use)
    for j, found in enumerate(near):
        others = np.unique(owner[found])
        count = int(len(others) - np.count_nonzero(others == owner[j]))
        (off_count if j < k else on_count)[use[j % k]] = count
    return off_count, on_count
