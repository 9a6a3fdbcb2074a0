"""Ships on the SYNTHETIC scenario's sea: the sea graph and its shortest routes, and a vessel's track over time.

Ships sail along a small hand-made graph of sea waypoints (``resources/demo/waypoints.csv``, ``sea_edges.csv``;
routes by Dijkstra on great-circle lengths; straight legs in longitude/latitude between waypoints). The graph was
checked against the Natural Earth land mask shipped with QGIS so that no leg crosses land (a unit test checks it
again). Each vessel has a piecewise-linear track (knots of time and position) and segments saying what it is doing.
"""

from __future__ import annotations

import bisect
import heapq
import math
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..core.geodesy import haversine_nm
from .world import FISHING_GROUNDS, HOUR, KM_PER_NM, PORT_APPROACHES, PORT_TABLE, SEA_EDGES, WAYPOINTS

# --------------------------------------------------------------------------------------------------------------
# Sea graph and routes
# --------------------------------------------------------------------------------------------------------------


def bearing_deg(lat1, lon1, lat2, lon2):
    """Initial great-circle bearing in degrees [0, 360) between arrays of points."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


class SeaGraph:
    """Waypoints, ports (as leaf nodes with their approach chains) and fishing grounds; shortest sea routes."""

    def __init__(self):
        self.ports = {locode: (name, country, lat, lon) for name, locode, country, lat, lon in PORT_TABLE}
        self.coords: Dict[str, Tuple[float, float]] = dict(WAYPOINTS)
        self.adj: Dict[str, List[Tuple[str, float]]] = {}
        for a, b in SEA_EDGES:
            self._link(a, b)
        for name, (lat, lon, _radius, links) in FISHING_GROUNDS.items():
            self.coords[name] = (lat, lon)
            for w in links:
                self._link(name, w)
        # A port is a leaf: port -> approach points -> waypoint, so no route ever passes through a port.
        self.chains: Dict[str, List[Tuple[float, float]]] = {}
        for locode, (_name, _country, lat, lon) in self.ports.items():
            approaches, waypoint = PORT_APPROACHES[locode]
            previous = locode
            self.coords[locode] = (lat, lon)
            for i, point in enumerate(approaches):
                node = f"{locode}~{i}"
                self.coords[node] = point
                self._link(previous, node)
                previous = node
            self._link(previous, waypoint)
            self.chains[locode] = [(lat, lon), *approaches, self.coords[waypoint]]
        self._cache: Dict[Tuple[str, str], Tuple[np.ndarray, np.ndarray]] = {}

    def _link(self, a: str, b: str) -> None:
        (lat1, lon1), (lat2, lon2) = self.coords[a], self.coords[b]
        d = float(haversine_nm(lon1, lat1, lon2, lat2))
        self.adj.setdefault(a, []).append((b, d))
        self.adj.setdefault(b, []).append((a, d))

    def route(self, start: str, goal: str) -> Tuple[np.ndarray, np.ndarray]:
        """Latitudes and longitudes of the shortest route from node ``start`` to node ``goal`` (both included)."""
        key = (start, goal)
        if key not in self._cache:
            nodes = self._dijkstra(start, goal)
            lat = np.array([self.coords[n][0] for n in nodes])
            lon = np.array([self.coords[n][1] for n in nodes])
            self._cache[key] = (lat, lon)
        return self._cache[key]

    def _dijkstra(self, start: str, goal: str) -> List[str]:
        dist = {start: 0.0}
        previous: Dict[str, str] = {}
        heap = [(0.0, start)]  # ties break on the node name, so routes are deterministic
        done = set()
        while heap:
            d, node = heapq.heappop(heap)
            if node in done:
                continue
            if node == goal:
                break
            done.add(node)
            if node != start and node in self.ports:
                continue  # ports are destinations, never waypoints
            for nxt, w in self.adj[node]:
                nd = d + w
                if nd < dist.get(nxt, math.inf):
                    dist[nxt] = nd
                    previous[nxt] = node
                    heapq.heappush(heap, (nd, nxt))
        if goal not in dist:
            raise ValueError(f"no sea route from {start} to {goal}")
        path = [goal]
        while path[-1] != start:
            path.append(previous[path[-1]])
        return path[::-1]

    def route_nm(self, start: str, goal: str) -> float:
        lat, lon = self.route(start, goal)
        return float(np.sum(haversine_nm(lon[:-1], lat[:-1], lon[1:], lat[1:])))

    def anchorage(self, locode: str, rng: np.random.Generator) -> Tuple[int, float, float]:
        """A point on the port's approach chain a few km out: (index of the chain leg it lies on, lat, lon)."""
        chain = np.array(self.chains[locode])
        legs_km = haversine_nm(chain[:-1, 1], chain[:-1, 0], chain[1:, 1], chain[1:, 0]) * KM_PER_NM
        along = min(rng.uniform(4.0, 7.5), 0.6 * float(legs_km.sum()))
        cum = np.concatenate(([0.0], np.cumsum(legs_km)))
        leg = int(np.searchsorted(cum, along, side="right") - 1)
        f = (along - cum[leg]) / legs_km[leg]
        lat = chain[leg, 0] + f * (chain[leg + 1, 0] - chain[leg, 0])
        lon = chain[leg, 1] + f * (chain[leg + 1, 1] - chain[leg, 1])
        # a small sideways scatter so ships do not anchor on top of each other
        lat += rng.normal(0.0, 0.003)
        lon += rng.normal(0.0, 0.003) / math.cos(math.radians(lat))
        return leg, lat, lon

    def berth(self, locode: str, rng: np.random.Generator) -> Tuple[float, float]:
        """A berth near the port position (a few hundred metres of scatter between calls)."""
        _name, _country, lat, lon = self.ports[locode]
        return lat + rng.normal(0.0, 0.002), lon + rng.normal(0.0, 0.002) / math.cos(math.radians(lat))


# --------------------------------------------------------------------------------------------------------------
# Tracks: what a vessel does over time
# --------------------------------------------------------------------------------------------------------------

UNDERWAY, MOORED, ANCHORED, FISHING, OFFMAP = range(5)
PORT_SPEED_KN = 7.0  # speed on a port's approach chain


class Track:
    """Piecewise-linear movement (knots of time, lat, lon) plus segments of activity and voyage data.

    A segment starts at ``seg_t0`` and lasts until the next one starts; it carries the activity kind, the voyage
    fields ("draught,destination,ETA" as they appear in aisdk) and, for stays, the ship's heading.
    """

    def __init__(self, t0: float, lat: float, lon: float, voyage: str = ",,"):
        self.kt = [float(t0)]
        self.klat = [float(lat)]
        self.klon = [float(lon)]
        self.seg_t0: List[float] = []
        self.seg_kind: List[int] = []
        self.seg_voyage: List[str] = []
        self.seg_heading: List[float] = []
        self.voyage = voyage
        self.heading = 0.0

    @property
    def now(self) -> float:
        return self.kt[-1]

    def _begin(self, kind: int, t: Optional[float] = None) -> None:
        t = self.now if t is None else t
        if self.seg_t0 and self.seg_t0[-1] == t:  # a zero-length segment is replaced
            self.seg_kind[-1], self.seg_voyage[-1], self.seg_heading[-1] = kind, self.voyage, self.heading
            return
        if self.seg_t0 and self.seg_kind[-1] == kind and self.seg_voyage[-1] == self.voyage and kind == UNDERWAY:
            return  # consecutive identical under-way segments merge
        self.seg_t0.append(t)
        self.seg_kind.append(kind)
        self.seg_voyage.append(self.voyage)
        self.seg_heading.append(self.heading)

    def set_voyage(self, voyage: str, t: Optional[float] = None) -> None:
        """New voyage fields from time ``t`` (default now) on, whatever the ship is doing then.

        ``t`` may lie in the already planned past (a destination entered before departure) or, for the BAI MEI 8,
        inside a voyage planned ahead (the ETA corrected after the ship is back on air).
        """
        self.voyage = voyage
        if not self.seg_t0:
            return
        t = min(max(self.now if t is None else float(t), self.seg_t0[0]), self.now)
        i = bisect.bisect_right(self.seg_t0, t) - 1  # the segment under way at t
        for j in range(i + 1, len(self.seg_t0)):
            self.seg_voyage[j] = voyage
        if self.seg_t0[i] == t:
            self.seg_voyage[i] = voyage
        else:
            self.seg_t0.insert(i + 1, t)
            self.seg_kind.insert(i + 1, self.seg_kind[i])
            self.seg_voyage.insert(i + 1, voyage)
            self.seg_heading.insert(i + 1, self.seg_heading[i])

    def stay(self, until: float, kind: int, heading: Optional[float] = None) -> None:
        if until <= self.now:
            return
        if heading is not None:
            self.heading = heading
        self._begin(kind)
        self.kt.append(float(until))
        self.klat.append(self.klat[-1])
        self.klon.append(self.klon[-1])

    def jump(self, until: float, lat: float, lon: float) -> None:
        """Out of the area until ``until``, then back at (lat, lon): no reports in between."""
        self._begin(OFFMAP)
        self.kt.append(float(max(until, self.now + 1.0)))
        self.klat.append(float(lat))
        self.klon.append(float(lon))

    def sail(self, lat: Sequence[float], lon: Sequence[float], speed_kn, kind: int = UNDERWAY) -> None:
        """Sail from the current position through the given points at ``speed_kn`` (scalar or one per leg)."""
        lat = np.concatenate(([self.klat[-1]], np.asarray(lat, dtype=float)))
        lon = np.concatenate(([self.klon[-1]], np.asarray(lon, dtype=float)))
        dist = haversine_nm(lon[:-1], lat[:-1], lon[1:], lat[1:])
        speed = np.broadcast_to(np.asarray(speed_kn, dtype=float), dist.shape)
        keep = dist > 1e-4
        if not keep.any():
            return
        self._begin(kind)
        times = self.now + np.cumsum(dist[keep] / speed[keep] * HOUR)
        self.kt.extend(times.tolist())
        self.klat.extend(lat[1:][keep].tolist())
        self.klon.extend(lon[1:][keep].tolist())

    def wander(self, rng, clat, clon, radius_nm, until, speed_range, kind) -> None:
        """Random legs inside a disc (fishing, loitering) until ``until``, ending back at the centre."""
        coslat = math.cos(math.radians(clat))
        while self.now < until:
            r = radius_nm * math.sqrt(rng.random()) / 60.0
            a = rng.uniform(0.0, 2.0 * math.pi)
            self.sail([clat + r * math.cos(a)], [clon + r * math.sin(a) / coslat], rng.uniform(*speed_range), kind)
        self.sail([clat], [clon], speed_range[1], kind)


def _chain_speeds(n_legs: int, n_slow_start: int, n_slow_end: int, speed: float) -> np.ndarray:
    """Leg speeds of a route: slow on port approach chains, service speed at sea."""
    speeds = np.full(n_legs, float(speed))
    speeds[:n_slow_start] = min(speed, PORT_SPEED_KN)
    if n_slow_end:
        speeds[n_legs - n_slow_end :] = min(speed, PORT_SPEED_KN)
    return speeds


def _eta_text(t: float) -> str:
    return time.strftime("%d/%m/%Y %H:%M:%S", time.gmtime(int(t)))


def voyage_text(draught: Optional[float], destination: str, eta: Optional[float]) -> str:
    d = "" if draught is None else f"{draught:.1f}"
    e = "" if eta is None else _eta_text(round(eta / HOUR) * HOUR)
    return f"{d},{destination},{e}"


def port_name(graph: SeaGraph, node: str) -> str:
    return graph.ports[node][0].upper() if node in graph.ports else node


def sail_between(
    tr: Track,
    graph: SeaGraph,
    rng,
    src: str,
    dst: str,
    speed: float,
    anchor_until: Optional[float] = None,
    anchor_hours: float = 0.0,
    berth: Optional[Tuple[float, float]] = None,
) -> None:
    """Sail from ``src`` (a port the ship is at, or a sea node it is at) to ``dst``.

    If ``dst`` is a port, the ship goes alongside, first waiting at the anchorage off it until ``anchor_until`` or
    for ``anchor_hours`` when either is given. Speed drops to ``PORT_SPEED_KN`` on the ports' approach chains.
    ``berth`` (lat, lon) is where it lies alongside when the story fixes it (the Bai Mei 8 at Nampo's coal wharf, as
    the SkySat scenes show it); the random berth is drawn all the same, so the other draws do not move.
    """
    lat, lon = graph.route(src, dst)
    n_legs = len(lat) - 1
    slow_start = len(graph.chains[src]) - 1 if src in graph.ports else 0
    slow_end = len(graph.chains[dst]) - 1 if dst in graph.ports else 0
    speeds = _chain_speeds(n_legs, slow_start, slow_end, speed)
    if dst not in graph.ports:
        tr.sail(lat[1:], lon[1:], speeds)
        return
    if anchor_until is None and anchor_hours <= 0:
        drawn = graph.berth(dst, rng)
        blat, blon = berth or drawn
        tr.sail(np.r_[lat[1:-1], blat], np.r_[lon[1:-1], blon], speeds)
        return
    leg, alat, alon = graph.anchorage(dst, rng)
    # the anchorage lies on chain leg ``leg`` (chain index 0 is the port): sail the route up to chain point leg+1
    head = len(lat) - (leg + 1)
    tr.sail(np.r_[lat[1:head], alat], np.r_[lon[1:head], alon], speeds[:head])
    until = anchor_until if anchor_until is not None else tr.now + anchor_hours * HOUR
    tr.stay(max(until, tr.now + 0.5 * HOUR), ANCHORED, heading=rng.uniform(0, 360))
    drawn = graph.berth(dst, rng)
    blat, blon = berth or drawn
    tr.sail(np.r_[lat[head:-1], blat], np.r_[lon[head:-1], blon], PORT_SPEED_KN * 0.8)
