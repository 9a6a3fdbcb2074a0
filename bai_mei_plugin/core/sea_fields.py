"""Sea distances from a port to anywhere near it, computed once and looked up for thousands of gaps.

Scoring asks, for every gap and every port of interest within reach by great circle, how far the gap's two ends are
from the port *by sea*. :mod:`.reachability` answers it one gap at a time (a grid of the gap's reachable water, two
Dijkstra runs). Here the question is turned round: one **sea distance field** per port (Dijkstra from the port over a
grid of the water within ``radius_nm`` of it, the same :class:`.sea_grid.SeaGrid` with the same 16 directions and
the same correction) gives the sea leg of every gap end by a table lookup.

Why the answers agree: a route from A to the port to B no longer than the gap's budget lies inside the gap's ellipse
(every point of it is within the budget of A and B together), so restricting routes to the gap's reachable water
changes nothing for a route that matters, and neither does restricting them to the disc around the port, as long as
the disc's radius covers the leg asked for. A leg longer than the radius is reported as not known (``nan``): the
caller falls back to the per-gap computation there. The grids differ (a disc is larger than a gap's ellipse, so its
cells are coarser), so sea distances differ by about a cell; which ports are candidates agrees except at a margin of
a cell's width.

Fields are cached per (port position, land, cells) and reused while their radius is large enough.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Optional, Tuple

import numpy as np

from .geodesy import haversine_nm
from .sea_grid import GRID_FACTOR, MAX_ABS_LAT, SNAP_KM, SeaGrid

FIELD_MAX_CELLS = 250_000  # cells per field: about 6 nm cells for a radius of 1,500 nm, 2 nm for 500 nm
MAX_FIELD_NM = 1_500.0  # a larger radius makes cells too coarse: longer legs are computed per gap
MIN_FIELD_NM = 60.0
_CACHE_SIZE = 16
_cache: OrderedDict[tuple, SeaField] = OrderedDict()


class SeaField:
    """Sea distances (nm) from the point (lon, lat) to every water cell within ``radius_nm`` of it."""

    def __init__(self, lon: float, lat: float, radius_nm: float, land, max_cells: int = FIELD_MAX_CELLS):
        from .reachability import clip_to_sea, reachability_area

        self.lon, self.lat, self.radius_nm, self.land = float(lon), float(lat), float(radius_nm), land
        self.grid: Optional[SeaGrid] = None
        self.reason = ""
        # the disc is the "ellipse" whose two foci are the port: d(P, X) + d(X, P) <= 2 r
        disc = reachability_area(lon, lat, 0.0, lon, lat, 3600.0, 2.0 * self.radius_nm).geometry
        water = clip_to_sea(disc, land, (lon, lat), (lon, lat))
        if water.is_empty:
            self.reason = "no water around the port in the land layer"
            return
        _, miny, _, maxy = water.bounds
        if max(abs(miny), abs(maxy)) > MAX_ABS_LAT:
            self.reason = f"the water around the port reaches beyond {MAX_ABS_LAT:.0f} degrees of latitude"
            return
        grid = SeaGrid(water, self.lon, max_cells)
        self.limit = self.radius_nm * GRID_FACTOR + 2.0 * grid.snap_nm
        distances = grid.distances_from(self.lon, self.lat, limit=self.limit)
        if distances is None:
            self.reason = f"the port is more than {SNAP_KM:g} km from the water of the land layer"
            return
        self.grid, self.distances = grid, distances

    @property
    def available(self) -> bool:
        return self.grid is not None

    def legs(self, lon, lat, needed_nm) -> Tuple[np.ndarray, np.ndarray]:
        """The sea distance (nm) between the port and each point, corrected as :meth:`.sea_grid.SeaLegs.legs` does
        (a lower bound, never below the great circle); ``inf`` where the field shows the distance exceeds
        ``needed_nm`` (no need to know it), ``nan`` where the field cannot tell (the leg may be longer than its
        radius and still be needed). Second: which points are not on the water (more than ``SNAP_KM`` from it:
        a finer grid of the gap's own water has no cell there either, so there are no sea distances for them)."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        needed = np.broadcast_to(np.asarray(needed_nm, dtype=float), lon.shape)
        out = np.full(lon.shape, np.nan)
        if self.grid is None or lon.size == 0:
            return out, np.zeros(lon.shape, dtype=bool)
        node, offset = snap_points(self.grid, lon, lat)
        on_water = node >= 0
        raw = np.full(lon.shape, np.inf)
        raw[on_water] = self.distances[node[on_water]] + offset[on_water]
        great_circle = haversine_nm(self.lon, self.lat, lon, lat)
        sea = np.maximum(great_circle, raw / GRID_FACTOR)
        known = on_water & np.isfinite(raw)
        out[known] = sea[known]
        # not reached within the limit: farther than the field's radius, so conclusive when less was needed
        beyond = on_water & ~np.isfinite(raw) & (needed * GRID_FACTOR + offset <= self.limit)
        out[beyond] = np.inf
        inside = haversine_nm(self.lon, self.lat, lon, lat) < self.radius_nm  # on the grid, not just beyond it
        return out, ~on_water & inside


def snap_points(grid: SeaGrid, lon: np.ndarray, lat: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """:meth:`.sea_grid.SeaGrid.snap` of many points at once: the nearest water cell within the grid's snapping
    distance (``SNAP_KM`` from the water; -1 when none) and the great circle to it (nm)."""
    return grid.snap_many(lon, lat)


def sea_field(lon: float, lat: float, radius_nm: float, land, max_cells: int = FIELD_MAX_CELLS) -> SeaField:
    """The cached field of the point for ``land`` (the same object), built again only when a larger radius is
    needed. The radius is rounded up (to 10 % steps) so that slightly different sets of gaps share a field."""
    radius = max(MIN_FIELD_NM, min(float(radius_nm), MAX_FIELD_NM))
    radius = min(MAX_FIELD_NM, MIN_FIELD_NM * 1.1 ** math.ceil(math.log(radius / MIN_FIELD_NM, 1.1) - 1e-9))
    key = (round(float(lon), 6), round(float(lat), 6), int(max_cells), id(land))
    found = _cache.get(key)
    if found is not None and found.land is land and found.radius_nm >= radius:
        _cache.move_to_end(key)
        return found
    field = SeaField(lon, lat, radius, land, max_cells)
    _cache[key] = field
    _cache.move_to_end(key)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return field


def clear_cache() -> None:
    _cache.clear()
