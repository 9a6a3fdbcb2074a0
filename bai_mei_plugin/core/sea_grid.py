"""Distances by sea (ships cannot cross land) inside a gap's reachable water, on a fine lon/lat grid.

The water (a gap's reachable area already clipped to the sea) is sampled on a grid whose cells are about square on
the ground (the longitude step is the latitude step divided by the cosine of the middle latitude), at most
``max_cells`` cells. Each water cell is joined to its 16 neighbours (the 8 around it and the 8 a knight's move away;
a knight's move needs both cells it passes between to be water, a diagonal one of them) by an edge as long as the
great circle between the cell centres, and Dijkstra's algorithm gives the distance by sea from a point to every cell.

Accuracy: a route made of those 16 directions is at most 1/cos(13.3 deg) - 1 = 2.75 % longer than the straight line
it follows, so distances are divided by that factor (and never reported shorter than the great circle). With that,
a sea distance is a lower bound of the real distance by sea up to the grid step, and a dwell computed with it stays
an upper bound, as the great-circle dwell is: a port found not reachable by sea is truly not reachable.

Why not a router of shipping lanes: this needs no network and no extra package, follows the same land layer that
clipped the area, and every path it finds lies in the area (a route longer than the gap's budget leaves the ellipse,
and such a route makes the dwell negative whatever its exact length).
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np
from shapely.affinity import translate
from shapely.geometry.base import BaseGeometry

from .compat import contains_xy
from .geodesy import EARTH_RADIUS_M, METRES_PER_NM, haversine_nm

GRID_FACTOR = 1.0 / math.cos(math.radians(26.565051177 / 2.0))  # 16 directions: worst detour 2.75 %
DEFAULT_MAX_CELLS = 120_000
# A port of the World Port Index is given at its quay or town, often on the land of a coarse world map (2,050 of its
# 3,768 positions on QGIS's, 400 of them more than 10 km in). A point within this distance of the map's water is
# joined to the nearest water cell (the great circle to it counted in its sea distance); a point farther in has no
# sea distance and is named as such.
SNAP_KM = 10.0
SNAP_NM = SNAP_KM * 1000.0 / 1852.0
MAX_ABS_LAT = 84.0  # beyond this the lon/lat grid degenerates; no sea distances there


def continuous(geometry: BaseGeometry, ref_lon: float) -> BaseGeometry:
    """``geometry`` with the parts split at the antimeridian moved next to ``ref_lon`` (one continuous frame)."""
    minx, _, maxx, _ = geometry.bounds
    if maxx - minx <= 180.0:
        return geometry
    parts = list(getattr(geometry, "geoms", [geometry]))
    moved = []
    for part in parts:
        cx = part.centroid.x
        if ref_lon >= 0 and cx < 0:
            part = translate(part, 360.0)
        elif ref_lon < 0 and cx > 0:
            part = translate(part, -360.0)
        moved.append(part)
    return type(geometry)(moved) if len(moved) > 1 else moved[0]


def _unit(lon, lat) -> np.ndarray:
    """Unit vectors (n, 3) of lon/lat degrees: nearest neighbours by chord are nearest by great circle."""
    lo, la = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def _chord(nm: float) -> float:
    return 2.0 * math.sin(min(math.pi, nm * METRES_PER_NM / EARTH_RADIUS_M) / 2.0)


class SeaGrid:
    """The water of ``area`` as a graph of grid cells; :meth:`distances_from` gives sea distances from a point."""

    def __init__(self, area: BaseGeometry, ref_lon: float, max_cells: int = DEFAULT_MAX_CELLS):
        self.ref_lon = float(ref_lon)
        water = continuous(area, self.ref_lon)
        self.water = water  # the polygons themselves: a port's distance to the map's water is measured on them
        minx, miny, maxx, maxy = water.bounds
        mid = math.radians(max(-80.0, min(80.0, (miny + maxy) / 2.0)))
        aspect = 1.0 / math.cos(mid)  # degrees of longitude per degree of latitude for square cells
        span_x, span_y = max(maxx - minx, 1e-6), max(maxy - miny, 1e-6)
        dy = math.sqrt(span_x * span_y / (aspect * max_cells))
        dy = max(dy, 1e-3)
        dx = dy * aspect
        self.nx = int(math.ceil(span_x / dx)) + 1
        self.ny = int(math.ceil(span_y / dy)) + 1
        self.x0, self.y0, self.dx, self.dy = minx, miny, dx, dy
        xs = minx + dx * np.arange(self.nx)
        ys = miny + dy * np.arange(self.ny)
        gx, gy = np.meshgrid(xs, ys)
        wet = contains_xy(water, gx.ravel(), gy.ravel()).reshape(self.ny, self.nx)
        self.wet = wet
        self.node = np.full(wet.shape, -1, dtype=np.int64)
        self.node[wet] = np.arange(int(wet.sum()))
        self.lon = gx[wet]
        self.lat = gy[wet]
        self._tree = None  # built when a point is first snapped
        self.graph = self._graph()

    @property
    def n_cells(self) -> int:
        return int(self.lon.size)

    def _graph(self):
        from scipy.sparse import coo_matrix

        wet, node = self.wet, self.node
        ny, nx = wet.shape
        rows, cols, weights = [], [], []
        # (di, dj, cells it passes between, how many of them must be water)
        moves = (
            (0, 1, (), 0),
            (1, 0, (), 0),
            (1, 1, ((0, 1), (1, 0)), 1),
            (1, -1, ((0, -1), (1, 0)), 1),
            (1, 2, ((0, 1), (1, 1)), 2),
            (2, 1, ((1, 0), (1, 1)), 2),
            (1, -2, ((0, -1), (1, -1)), 2),
            (2, -1, ((1, 0), (1, -1)), 2),
        )
        for di, dj, between, needed in moves:
            i0, i1 = 0, ny - di
            j0, j1 = max(0, -dj), nx - max(0, dj)
            if i1 <= i0 or j1 <= j0:
                continue
            ok = wet[i0:i1, j0:j1] & wet[i0 + di : i1 + di, j0 + dj : j1 + dj]
            if between:
                count = sum(wet[i0 + bi : i1 + bi, j0 + bj : j1 + bj].astype(np.int8) for bi, bj in between)
                ok &= count >= needed
            rows.append(node[i0:i1, j0:j1][ok])
            cols.append(node[i0 + di : i1 + di, j0 + dj : j1 + dj][ok])
            # on a lon/lat grid an edge's length depends only on its row and its move: one great circle per row
            lat0 = self.y0 + self.dy * np.arange(i0, i1)
            row_w = haversine_nm(0.0, lat0, dj * self.dx, lat0 + di * self.dy)
            weights.append(np.broadcast_to(row_w[:, None], ok.shape)[ok])
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        w = np.concatenate(weights) if weights else np.zeros(0)
        w = np.maximum(w, 1e-9)  # scipy drops explicit zeros
        n = self.n_cells
        # one more node, without edges: the start of :meth:`distances_from`, joined to the cells near it per call
        return coo_matrix((w, (r, c)), shape=(n + 1, n + 1)).tocsr()

    @property
    def snap_nm(self) -> float:
        """How far a point may be from a water cell's centre and still start at sea: ``SNAP_KM`` from the water, plus
        a cell's diagonal (a coast cell whose centre is dry still holds water)."""
        mid = self.y0 + self.dy * self.ny / 2.0
        dx_nm = float(haversine_nm(0.0, mid, self.dx, mid))
        return SNAP_NM + math.hypot(dx_nm, self.dy * 60.0)

    def _tree_query(self):
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(_unit(self.lon, self.lat))
        return self._tree

    def snap_many(self, lon, lat) -> Tuple[np.ndarray, np.ndarray]:
        """The nearest water cell to each point within :attr:`snap_nm` (-1 when none) and the great circle to it (nm).
        A k-d tree of the cells' unit vectors: one query whatever the snapping distance is in cells."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        node = np.full(lon.shape, -1, dtype=np.int64)
        dist = np.full(lon.shape, np.inf)
        if self.n_cells == 0 or lon.size == 0:
            return node, dist
        _, found = self._tree_query().query(_unit(lon, lat), distance_upper_bound=_chord(self.snap_nm))
        hit = found < self.n_cells  # scipy answers n_cells for "none within the bound"
        node[hit] = found[hit]
        dist[hit] = haversine_nm(lon[hit], lat[hit], self.lon[found[hit]], self.lat[found[hit]])
        return node, dist

    def near(self, lon: float, lat: float, radius_nm: Optional[float] = None) -> Tuple[np.ndarray, np.ndarray]:
        """Every water cell within :attr:`snap_nm` (or ``radius_nm``) of (lon, lat) and the great circle to each
        (nm). A port is joined to all of them, not only the nearest: where a narrow estuary breaks into pieces on
        the grid (Nampo's, on a coarse grid), the nearest cell may be a puddle that no route reaches."""
        if self.n_cells == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        radius = self.snap_nm if radius_nm is None else radius_nm
        ids = np.asarray(self._tree_query().query_ball_point(_unit([lon], [lat])[0], _chord(radius)), dtype=np.int64)
        return ids, haversine_nm(float(lon), float(lat), self.lon[ids], self.lat[ids])

    def on_water(self, lon: float, lat: float) -> bool:
        """Whether (lon, lat) is within ``SNAP_KM`` of the water polygons themselves (not of the cells' centres)."""
        from shapely.geometry import Point
        from shapely.ops import nearest_points

        lon = float(lon) + 360.0 * round((self.ref_lon - float(lon)) / 360.0)  # in the water's continuous frame
        point = Point(lon, lat)
        if self.water.is_empty:
            return False
        nearest = nearest_points(self.water, point)[0]
        return float(haversine_nm(point.x, point.y, nearest.x, nearest.y)) <= SNAP_NM

    def channel(self, lon: float, lat: float) -> Tuple[np.ndarray, np.ndarray]:
        """For a point within ``SNAP_KM`` of the map's water whose water the coarse cells do not show (a port up an
        estuary narrower than a cell): the cells within :attr:`channel_nm`, joined by the great circle. None for a
        point farther inland."""
        if not self.on_water(lon, lat):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return self.near(lon, lat, self.channel_nm)

    @property
    def channel_nm(self) -> float:
        """How far a port's water may be from the water a route reaches: a channel narrower than the grid's cells
        (an estuary up to a port) leaves only puddles on a coarse grid. Three cells' diagonals beyond
        :attr:`snap_nm`, sailed as the great circle."""
        return self.snap_nm + 2.0 * (self.snap_nm - SNAP_NM)

    def snap(self, lon: float, lat: float) -> Optional[Tuple[int, float]]:
        """The water cell nearest to (lon, lat) within :attr:`snap_nm`, and the great circle to it (nm); None when
        the point is farther in on land (or off the grid)."""
        node, dist = self.snap_many(lon, lat)
        if node[0] < 0:
            return None
        return int(node[0]), float(dist[0])

    def distances_from(self, lon: float, lat: float, limit: float = np.inf) -> Optional[np.ndarray]:
        """Sea distance (nm, before the grid correction) from (lon, lat) to every water cell, infinite beyond
        ``limit``; None when (lon, lat) is farther than :attr:`snap_nm` from every water cell. The point joins every
        cell within that distance (see :meth:`near`) through the great circle to it: a virtual node of the graph."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import dijkstra

        ids, offsets = self.near(lon, lat)
        if ids.size == 0 or not np.isfinite(offsets).any():
            ids, offsets = self.channel(lon, lat)
        if ids.size == 0:
            return None
        n = self.n_cells
        start = coo_matrix((np.maximum(offsets, 1e-9), (np.full(ids.size, n), ids)), shape=(n + 1, n + 1))
        return dijkstra(self.graph + start.tocsr(), directed=False, indices=n, limit=limit)[:n]

    def distance_to(self, field: np.ndarray, lon: float, lat: float) -> Optional[float]:
        """The sea distance to (lon, lat) in ``field`` (from :meth:`distances_from`): the best of the water cells
        within :attr:`snap_nm` of it plus the great circle from there; None when no such cell is reached."""
        ids, offsets = self.near(lon, lat)
        value = float(np.min(field[ids] + offsets)) if ids.size else math.inf
        if not math.isfinite(value):  # no cell, or only puddles, near a port up a channel narrower than the cells
            ids, offsets = self.channel(lon, lat)
            value = float(np.min(field[ids] + offsets)) if ids.size else math.inf
        return value if math.isfinite(value) else None


class SeaLegs:
    """Sea distances from a gap's off position and to its on position, through the gap's reachable water."""

    def __init__(
        self,
        area: BaseGeometry,
        off: Tuple[float, float],
        on: Tuple[float, float],
        budget_nm: float = np.inf,
        max_cells: int = DEFAULT_MAX_CELLS,
    ):
        """``budget_nm``: the distance the vessel could sail in the gap; farther cells are left unexplored."""
        self.off, self.on = off, on
        self.grid = None
        self.reason = ""
        if area.is_empty:
            self.reason = "the reachable area is empty"
            return
        _, miny, _, maxy = area.bounds
        if max(abs(miny), abs(maxy)) > MAX_ABS_LAT:
            self.reason = f"the reachable area reaches beyond {MAX_ABS_LAT:.0f} degrees of latitude"
            return
        self.grid = SeaGrid(area, off[0], max_cells)
        limit = budget_nm * GRID_FACTOR + 2.0 * self.grid.snap_nm  # grid detours and snapping at both ends
        self.from_off = self.grid.distances_from(*off, limit=limit)
        self.to_on = self.grid.distances_from(*on, limit=limit)
        if self.from_off is None or self.to_on is None:
            self.grid = None
            self.reason = f"the gap's ends are more than {SNAP_KM:g} km from the water of the land layer"

    @property
    def available(self) -> bool:
        return self.grid is not None

    def inland(self, lon: float, lat: float) -> bool:
        """True when (lon, lat) is farther than ``SNAP_KM`` from this water (a port up a river or lake the land layer
        does not draw): no sea distance can start from it."""
        return self.grid is not None and self.grid.snap(lon, lat) is None and not self.grid.on_water(lon, lat)

    def reachable_cells(self, budget_nm: float) -> np.ndarray:
        """Which water cells lie on a route by sea from the off position to the on position no longer than
        ``budget_nm`` (the grid's detour allowed for, so that no reachable cell is left out)."""
        total = (self.from_off + self.to_on) / GRID_FACTOR
        slack = 2.0 * self.grid.dy * 60.0  # a cell's own size: its centre may be a little off the best route
        return np.isfinite(total) & (total <= budget_nm + slack)

    def reachable_water(self, budget_nm: float):
        """The reachable cells as a geometry in the grid's longitudes (rows of touching cells merged), or None."""
        from shapely.geometry import box as rect
        from shapely.ops import unary_union

        if self.grid is None:
            return None
        keep = np.zeros(self.grid.wet.shape, dtype=bool)
        keep[self.grid.wet] = self.reachable_cells(budget_nm)
        g = self.grid
        boxes = []
        for i in np.flatnonzero(keep.any(axis=1)).tolist():
            row = np.concatenate(([False], keep[i], [False])).astype(np.int8)
            edges = np.flatnonzero(np.diff(row))
            # a row's top and the next row's bottom computed by one expression: the same float, so rows merge (a
            # rounding sliver between them would leave the area in horizontal strips)
            bottom, top = g.y0 + (i - 0.5) * g.dy, g.y0 + (i + 0.5) * g.dy
            for j0, j1 in zip(edges[0::2].tolist(), edges[1::2].tolist()):
                boxes.append(rect(g.x0 + (j0 - 0.5) * g.dx, bottom, g.x0 + (j1 - 0.5) * g.dx, top))
        return unary_union(boxes) if boxes else None

    def legs(self, lon: float, lat: float) -> Tuple[Optional[float], Optional[float]]:
        """(sea distance off -> point, point -> on) in nm, corrected to a lower bound and never below the great
        circle; None for a leg with no route by sea inside the reachable water."""
        if self.grid is None:
            return None, None
        legs = []
        for field, (elon, elat) in ((self.from_off, self.off), (self.to_on, self.on)):
            raw = self.grid.distance_to(field, lon, lat)
            if raw is None:
                legs.append(None)
                continue
            great_circle = float(haversine_nm(elon, elat, lon, lat))
            legs.append(max(great_circle, raw / GRID_FACTOR))
        return legs[0], legs[1]
