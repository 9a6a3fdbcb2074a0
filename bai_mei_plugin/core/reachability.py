"""Where a vessel could have been during a dark gap, and which ports it could have called at.

Definitions (the algorithm help repeats them):

- **Maximum speed** ``v``: given, or per vessel the larger of 12 kn and 1.2 x the 95th percentile of the SOG it
  reported in the input (NaN and 102.3 "not available" ignored).
- **Reachable area** of a gap from A (last report, time t0) to B (first report after, t1): the points P with
  d(A,P) + d(P,B) <= v (t1 - t0), great-circle distances on the sphere of radius 6,371,008.8 m: a spherical ellipse
  with foci A and B. When d(A,B) > v (t1 - t0) the gap is not feasible at ``v`` and the area is empty. With land,
  the area is clipped to the water connected by sea to A or B (see :func:`clip_to_sea`), then (by default) cut to
  the water that a route *by sea* from A through P to B within v (t1 - t0) reaches (see :mod:`.sea_grid`): ships
  cannot cross land, so water behind a peninsula that only a great circle reaches in time is left out.
- **Candidate port visit**: a port P of the gazetteer with a positive *maximum dwell*
  (t1 - t0) - (d(A,P) + d(P,B)) / v: the longest the vessel could have stayed there. It arrives at the earliest at
  t0 + d(A,P) / v and leaves at the latest at t1 - d(P,B) / v. Great-circle distances ignore land, so they are a lower
  bound of the distance by sea and the dwell an upper bound.
- **Sea dwell**: the same with distances by sea inside the gap's reachable water (ships cannot cross land), from
  :mod:`.sea_grid` (a lower bound of the real sea distance, never less than the great circle). Computed whenever a
  land layer is given. A port whose sea dwell is not positive (or that no route by sea reaches inside the reachable
  water) is *not* a candidate: the great circle crossed land. Such ports are named in the notes.
  Without land there is no sea dwell (``max_dwell_hours_sea`` None) and the great-circle dwell decides.

Geometries are shapely, lon/lat degrees (EPSG:4326) with straight edges in lon/lat: an area crossing the antimeridian
is a MultiPolygon split at +/-180, an area containing a pole is a polygon whose ring runs along latitude +/-90.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from shapely import wkb, wkt
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import clip_by_rect, unary_union
from shapely.prepared import prep

from .ais.model import AisColumns
from .errors import BaiMeiError, Canceled
from .gaps import Gap
from .geodesy import EARTH_RADIUS_M, METRES_PER_NM, haversine_nm, unit_vectors
from .ports import Port
from .sea_grid import DEFAULT_MAX_CELLS, SNAP_KM, SNAP_NM, SeaLegs, continuous

SOG_NOT_AVAILABLE = 102.2  # AIS SOG 1023 (102.3 kn) means "not available"; 102.2 means ">= 102.2": neither is a speed
MIN_DEFAULT_SPEED_KN = 12.0
SPEED_FACTOR = 1.2
SOG_PERCENTILE = 95.0

NO_LAND_NO_SEA = (
    "Sea dwell is not computed: no land layer was given (great-circle dwell only, an upper bound; "
    "routes may cross land)."
)

WORLD = box(-180.0, -90.0, 180.0, 90.0)
EMPTY = wkt.loads("POLYGON EMPTY")  # an empty *polygon* in shapely 1.8 too (Polygon() is an empty collection there)
_TWO_PI = 2.0 * math.pi
# Budgets within this angle (radians, about 6 mm) of the direct distance leave only the great circle itself.
_DEGENERATE = 1e-9

SeaLegsOf = Callable[[float, float], Tuple[Optional[float], Optional[float]]]  # (lon, lat) -> (in, out) nm


# ------------------------------------------------------------------------------------------------------------------
# Maximum speed
# ------------------------------------------------------------------------------------------------------------------


def _valid_sog(sog: np.ndarray) -> np.ndarray:
    return np.isfinite(sog) & (sog < SOG_NOT_AVAILABLE)


def _speed_from_percentile(p95: float) -> float:
    return max(SPEED_FACTOR * p95, MIN_DEFAULT_SPEED_KN)


def default_max_speed_kn(cols: AisColumns, mmsi: int) -> float:
    """max(1.2 x the vessel's 95th-percentile reported SOG, 12 kn); 12 kn when it reported no SOG."""
    sog = cols.sog[cols.mmsi == mmsi]
    sog = sog[_valid_sog(sog)]
    if len(sog) == 0:
        return MIN_DEFAULT_SPEED_KN
    return _speed_from_percentile(float(np.percentile(sog, SOG_PERCENTILE)))


def default_max_speeds(cols: AisColumns) -> Dict[int, float]:
    """:func:`default_max_speed_kn` of every vessel at once (the same linear-interpolation percentile as numpy)."""
    speeds = {int(m): MIN_DEFAULT_SPEED_KN for m in np.unique(cols.mmsi).tolist()}
    valid = _valid_sog(cols.sog)
    mmsi, sog = cols.mmsi[valid], cols.sog[valid]
    if len(sog) == 0:
        return speeds
    order = np.lexsort((sog, mmsi))
    mmsi, sog = mmsi[order], sog[order]
    vessels, first, count = np.unique(mmsi, return_index=True, return_counts=True)
    rank = SOG_PERCENTILE / 100.0 * (count - 1)
    low = np.floor(rank).astype(np.int64)
    high = np.minimum(low + 1, count - 1)
    frac = rank - low
    p95 = sog[first + low] + frac * (sog[first + high] - sog[first + low])
    for m, p in zip(vessels.tolist(), p95.tolist()):
        speeds[int(m)] = _speed_from_percentile(p)
    return speeds


# ------------------------------------------------------------------------------------------------------------------
# The spherical ellipse
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class ReachableArea:
    """The reachable area of one gap before land is taken into account.

    ``feasible`` is False when even the direct route needs more than ``max_speed_kn``; ``geometry`` is then empty.
    """

    geometry: BaseGeometry
    budget_nm: float
    max_speed_kn: float
    feasible: bool
    direct_nm: float


def _frame(lon: float, lat: float):
    """Unit vector of a point and the unit vectors pointing north and east there (well defined at the poles too)."""
    lo, la = math.radians(lon), math.radians(lat)
    here = np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
    north = np.array([-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la)])
    east = np.array([-math.sin(lo), math.cos(lo), 0.0])
    return here, north, east


def ellipse_boundary(a_lon: float, a_lat: float, b_lon: float, b_lat: float, budget_rad: float, n_vertices: int):
    """Points (lon, lat degrees) on {P : d(A,P) + d(P,B) = budget}, in order of increasing bearing from A.

    Along the great circle leaving A at angle phi from the direction of B, r + d(P(r), B) grows monotonically from
    d(A,B) to 2 pi - d(A,B), and the spherical law of cosines gives the root in closed form: with c = d(A,B),
    s = budget, cos(s - r) = cos r cos c + sin r sin c cos phi, i.e. tan r = (cos c - cos s) / (sin s - sin c cos phi),
    r in (0, pi). The angles phi are first spread like the eccentric anomaly of a plane ellipse (thin ellipses get
    vertices all along their length, not only around A), then edges longer than the perimeter / ``n_vertices`` are
    split, so vertices are about evenly spaced whatever the shape (at most 2 x ``n_vertices`` of them).
    """
    here, north, east = _frame(a_lon, a_lat)
    target = unit_vectors([b_lon], [b_lat])[0]
    c = math.atan2(float(np.linalg.norm(np.cross(here, target))), float(here @ target))
    bearing_b = math.atan2(float(target @ east), float(target @ north))
    s = budget_rad
    k, sin_c = math.cos(c) - math.cos(s), math.sin(c)

    def points(phi):
        r = np.arctan2(k, math.sin(s) - sin_c * np.cos(phi))
        bearing = bearing_b + phi
        direction = np.outer(np.cos(bearing), north) + np.outer(np.sin(bearing), east)
        return np.outer(np.cos(r), here) + np.sin(r)[:, None] * direction

    e = min(math.sin(c / 2.0) / math.sin(s / 2.0), 1.0 - 1e-12)
    anomaly = np.linspace(0.0, _TWO_PI, n_vertices, endpoint=False)
    # the angle at A of the point (a cos E, b sin E) of a plane ellipse, made increasing from 0 to 2 pi
    phi = np.unwrap(np.arctan2(math.sqrt(1.0 - e * e) * np.sin(anomaly), np.cos(anomaly) + e))
    p = points(phi)
    edges = np.arccos(np.clip(np.einsum("ij,ij->i", p, np.roll(p, -1, axis=0)), -1.0, 1.0))
    pieces = np.maximum(1, np.ceil(edges / (edges.sum() / n_vertices))).astype(np.int64)
    if pieces.max() > 1:
        ends = np.append(phi[1:], phi[0] + _TWO_PI)
        edge = np.repeat(np.arange(n_vertices), pieces)
        step = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        phi = phi[edge] + (ends - phi)[edge] * step / pieces[edge]
        p = points(phi)
    lon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
    lat = np.degrees(np.arctan2(p[:, 2], np.hypot(p[:, 0], p[:, 1])))
    return lon, lat


def _polygon_parts(geom) -> List[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom] if geom.area > 0 else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygon_parts(g)]
    return []


def _as_geometry(parts: List[Polygon]) -> BaseGeometry:
    if not parts:
        return EMPTY
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _wkb_2d(geom: BaseGeometry) -> bytes:
    return wkb.dumps(geom, output_dimension=2)


def _multipolygon(blobs: List[bytes]) -> BaseGeometry:
    """A MultiPolygon of disjoint polygons given as WKB (shapely 1.8 would copy coordinates in Python)."""
    return wkb.loads(struct.pack("<BII", 1, 6, len(blobs)) + b"".join(blobs))


def _valid(geom: BaseGeometry) -> BaseGeometry:
    return geom if geom.is_valid else geom.buffer(0)


def wrap_longitudes(geom: BaseGeometry) -> BaseGeometry:
    """A lon/lat geometry drawn on unwrapped longitudes (beyond +/-180) cut at the antimeridian and moved back.

    Moving by multiples of 360 is exact for the cut coordinates (x - 360 is exact for 180 <= x <= 720), so the pieces
    meet the antimeridian at exactly +/-180.
    """
    minx, _, maxx, _ = geom.bounds
    if minx >= -180.0 and maxx <= 180.0:
        return geom
    parts = []
    for k in range(math.floor((minx + 180.0) / 360.0), math.ceil((maxx - 180.0) / 360.0) + 1):
        piece = geom.intersection(box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0))
        if not piece.is_empty:
            parts.extend(_polygon_parts(translate(piece, xoff=-360.0 * k) if k else piece))
    return _valid(_as_geometry(_polygon_parts(unary_union(parts))))


def _pole_polygon(x: np.ndarray, y: np.ndarray, turn: int) -> Polygon:
    """The ring of a boundary that goes once around the polar axis, closed along the pole it encloses.

    ``x`` are unwrapped longitudes (consecutive differences within +/-180) that end ``turn`` x 360 degrees from where
    they started: -360 (westwards) when the region holds the North Pole, +360 when it holds the South Pole. The ring
    is cut where it crosses the antimeridian so that it runs from exactly +/-180 to -/+180, then along the pole.
    """
    n = len(x)
    xs = np.append(x, x[0] + 360.0 * turn)  # the closing vertex, one turn on
    ys = np.append(y, y[0])
    # the first longitude = 180 (mod 360) from x[0] in the turn direction: an exact multiple, robust to rounding
    rounding = math.floor if turn < 0 else math.ceil
    level = 180.0 + 360.0 * rounding((x[0] - 180.0) / 360.0)
    if turn * (xs[0] - level) > 0:  # the division rounded across a multiple
        level += 360.0 * turn
    if turn * (xs[n] - level) <= 0:
        level -= 360.0 * turn
    ahead = turn * (xs - level) > 0
    j = int(np.flatnonzero(~ahead[:-1] & ahead[1:])[0])
    t = (level - xs[j]) / (xs[j + 1] - xs[j])
    y_cross = ys[j] + t * (ys[j + 1] - ys[j])
    shift = -turn * 180.0 - level  # the crossing moves to -180 (turn +1) or +180 (turn -1)
    middle_x = np.concatenate((xs[j + 1 : n], xs[: j + 1] + 360.0 * turn)) + shift
    middle_y = np.concatenate((ys[j + 1 : n], ys[: j + 1]))
    start, end = -turn * 180.0, turn * 180.0
    pole = 90.0 if turn < 0 else -90.0
    ring_x = np.concatenate(([start], middle_x, [end, end, start]))
    ring_y = np.concatenate(([y_cross], middle_y, [y_cross, pole, pole]))
    return Polygon(np.column_stack((ring_x, ring_y)))


def ellipse_geometry(
    a_lon: float, a_lat: float, b_lon: float, b_lat: float, budget_rad: float, n_vertices: int = 360
) -> BaseGeometry:
    """The lon/lat geometry of {P : d(A,P) + d(P,B) <= budget} (angles in radians; budget > d(A,B) assumed)."""
    lon, lat = ellipse_boundary(a_lon, a_lat, b_lon, b_lat, budget_rad, n_vertices)
    x = np.degrees(np.unwrap(np.radians(lon)))
    closing = (lon[0] - lon[-1] + 180.0) % 360.0 - 180.0
    turn = int(round((x[-1] - x[0] + closing) / 360.0))
    if turn != 0:
        return _valid(wrap_longitudes(_valid(_pole_polygon(x, lat, turn))))
    inside = wrap_longitudes(_valid(Polygon(np.column_stack((x, lat)))))
    # A boundary that does not go round the polar axis leaves both poles on one side: outside a region smaller than a
    # hemisphere (s <= pi), inside a larger one (which always holds a pole), where the ring bounds the hole instead.
    return _valid(WORLD.difference(inside)) if budget_rad > math.pi else inside


def reachability_area(
    a_lon: float,
    a_lat: float,
    t0: float,
    b_lon: float,
    b_lat: float,
    t1: float,
    max_speed_kn: float,
    n_vertices: int = 360,
) -> ReachableArea:
    """The points reachable from A (at t0) on the way to B (at t1) at ``max_speed_kn`` (see the module docstring)."""
    if not max_speed_kn > 0:
        raise BaiMeiError(f"The maximum speed must be positive (got {max_speed_kn} kn).")
    budget_nm = max_speed_kn * max(float(t1) - float(t0), 0.0) / 3600.0
    direct_nm = float(haversine_nm(a_lon, a_lat, b_lon, b_lat))
    s = budget_nm * METRES_PER_NM / EARTH_RADIUS_M
    c = direct_nm * METRES_PER_NM / EARTH_RADIUS_M
    if s < c:
        geom: BaseGeometry = EMPTY
    elif s >= _TWO_PI - c:
        geom = WORLD
    elif s - c < _DEGENERATE:
        geom = EMPTY  # only the great circle A-B itself: no area
    else:
        geom = ellipse_geometry(a_lon, a_lat, b_lon, b_lat, s, max(int(n_vertices), 16))
    return ReachableArea(geom, budget_nm, float(max_speed_kn), s >= c, direct_nm)


# ------------------------------------------------------------------------------------------------------------------
# Area on the sphere
# ------------------------------------------------------------------------------------------------------------------


def _polygon_rings(poly: Polygon):
    """The rings of a polygon as one (n, 2) array of lon/lat and the number of points of each ring, read from its WKB
    (one pass for a sea with thousands of islands as holes)."""
    data = poly.wkb
    order = "<" if data[0] == 1 else ">"
    kind, count = struct.unpack_from(order + "II", data, 1)
    offset = 9
    if kind & 0x20000000:  # EWKB with an SRID
        count = struct.unpack_from(order + "I", data, 9)[0]
        offset = 13
    iso = (kind & 0x0FFFFFFF) // 1000  # ISO WKB: 1000 + type with Z, 2000 with M, 3000 with both
    dims = 2 + (bool(kind & 0x80000000) or iso in (1, 3)) + (bool(kind & 0x40000000) or iso in (2, 3))
    arrays, sizes = [], []
    for _ in range(count):
        n = struct.unpack_from(order + "I", data, offset)[0]
        offset += 4
        arrays.append(np.frombuffer(data, dtype=order + "f8", count=n * dims, offset=offset).reshape(n, dims)[:, :2])
        sizes.append(n)
        offset += 8 * n * dims
    return np.vstack(arrays) if arrays else np.zeros((0, 2)), np.array(sizes, dtype=np.int64)


def _rings_area_rad2(xy: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """|area| of each closed ring (straight edges in lon/lat) on the unit sphere.

    Green's theorem with the area element cos(lat) dlat dlon: area = -closed integral of sin(lat) dlon, integrated
    exactly along each edge where lat varies linearly with lon.
    """
    if len(xy) < 2:
        return np.zeros(len(sizes))
    rad = np.radians(xy)
    dlon = np.diff(rad[:, 0])
    lat1, lat2 = rad[:-1, 1], rad[1:, 1]
    terms = dlon * np.sin((lat1 + lat2) / 2.0) * np.sinc((lat2 - lat1) / (2.0 * math.pi))
    ends = np.cumsum(sizes)
    terms[ends[:-1] - 1] = 0.0  # the step from one ring's last point to the next ring's first is no edge
    starts = ends - sizes
    sums = np.add.reduceat(np.append(terms, 0.0), starts) if len(starts) else np.zeros(0)
    return np.abs(np.where(sizes >= 4, sums, 0.0))


def spherical_area_km2(geometry: BaseGeometry) -> float:
    """Area in km2 on the sphere (R = 6,371,008.8 m) of lon/lat (Multi)Polygons, edges straight in lon/lat.

    Exact for the region as drawn in EPSG:4326, including rings along the antimeridian or a pole's latitude.
    """
    total = 0.0
    for poly in _polygon_parts(geometry):
        xy, sizes = _polygon_rings(poly)
        areas = _rings_area_rad2(xy, sizes)
        total += float(areas[0] - areas[1:].sum()) if len(areas) else 0.0
    return total * (EARTH_RADIUS_M / 1000.0) ** 2


# ------------------------------------------------------------------------------------------------------------------
# Land
# ------------------------------------------------------------------------------------------------------------------


_MARGIN = 0.01  # degrees around an area's box when cutting land to it


def _find(parent: List[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


class LandPolygons:
    """Land polygons (lon/lat) ready for clipping many areas: made valid, touching polygons dissolved, with bounds.

    Countries that share a border are merged once here (a few hundred unions for a world map), so that the land near
    an area is a set of disjoint polygons that can be subtracted in one operation, without a union per area.
    """

    def __init__(self, polygons: Iterable):
        parts = [p for geom in polygons if geom is not None for p in _polygon_parts(_valid(geom))]
        self.polygons: List[Polygon] = _dissolve_touching(parts)
        self.bounds = np.array([p.bounds for p in self.polygons], dtype=float).reshape(-1, 4)
        self._wkb = [_wkb_2d(p) for p in self.polygons]

    def near(self, geometry: BaseGeometry) -> List[Polygon]:
        """The land polygons whose bounds meet the bounds of ``geometry``."""
        minx, miny, maxx, maxy = geometry.bounds
        b = self.bounds
        hit = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        return [self.polygons[i] for i in np.flatnonzero(hit).tolist()]

    def subtract_from(self, part: Polygon) -> List[Polygon]:
        """The polygons of ``part`` minus land: land reaching out of its box is cut to the box, then all of it is
        subtracted in one operation."""
        minx, miny, maxx, maxy = part.bounds
        b = self.bounds
        hit = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        inside = hit & (b[:, 0] >= minx) & (b[:, 2] <= maxx) & (b[:, 1] >= miny) & (b[:, 3] <= maxy)
        pieces = [self._wkb[i] for i in np.flatnonzero(inside).tolist()]
        for i in np.flatnonzero(hit & ~inside).tolist():  # cutting to a box is linear, far cheaper than an overlay
            cut = clip_by_rect(self.polygons[i], minx - _MARGIN, miny - _MARGIN, maxx + _MARGIN, maxy + _MARGIN)
            pieces.extend(_wkb_2d(p) for p in _polygon_parts(_valid(cut)))
        if not pieces:
            return [part]
        return _polygon_parts(part.difference(_multipolygon(pieces)))


def _dissolve_touching(parts: List[Polygon]) -> List[Polygon]:
    """The polygons with every group of touching or overlapping ones replaced by its union."""
    n = len(parts)
    if n < 2:
        return list(parts)
    b = np.array([p.bounds for p in parts], dtype=float)
    size = np.array([len(p.exterior.coords) for p in parts])
    parent = list(range(n))
    prepared = {}
    for k in range(n - 1):
        rest = b[k + 1 :]
        overlap = (rest[:, 0] <= b[k, 2]) & (rest[:, 2] >= b[k, 0]) & (rest[:, 1] <= b[k, 3]) & (rest[:, 3] >= b[k, 1])
        for m in (np.flatnonzero(overlap) + k + 1).tolist():
            big, small = (k, m) if size[k] >= size[m] else (m, k)
            if big not in prepared:
                prepared[big] = prep(parts[big])
            if prepared[big].intersects(parts[small]):
                parent[_find(parent, k)] = _find(parent, m)
    groups: Dict[int, List[int]] = {}
    for k in range(n):
        groups.setdefault(_find(parent, k), []).append(k)
    out: List[Polygon] = []
    for members in groups.values():
        if len(members) == 1:
            out.append(parts[members[0]])
        else:
            out.extend(_polygon_parts(_valid(unary_union([parts[k] for k in members]))))
    return out


def _components(parts: List[Polygon]) -> List[int]:
    """Component label of each part: parts are joined across the antimeridian and through the poles."""
    parent = list(range(len(parts)))

    def join(i, j):
        parent[_find(parent, i)] = _find(parent, j)

    east = [i for i, p in enumerate(parts) if p.bounds[2] >= 180.0]
    west = [i for i, p in enumerate(parts) if p.bounds[0] <= -180.0]
    for j in west:
        moved = translate(parts[j], xoff=360.0)
        for i in east:
            if parts[i].intersects(moved):
                join(i, j)
    for pole_side in (3, 1):  # parts reaching lat +90 (or -90) all meet at the pole
        at_pole = [i for i, p in enumerate(parts) if abs(p.bounds[pole_side]) >= 90.0]
        for i in at_pole[1:]:
            join(i, at_pole[0])
    return [_find(parent, i) for i in range(len(parts))]


def _part_of(parts: List[Polygon], lon: float, lat: float) -> int:
    """The part holding (lon, lat), or the nearest part when the point is on land (coarse coastlines)."""
    points = [Point(lon + k, lat) for k in (0.0, -360.0, 360.0)]
    distances = [min(p.distance(q) for q in points) for p in parts]
    return int(np.argmin(distances))


def clip_to_sea(area: BaseGeometry, land_polygons, a: Tuple[float, float], b: Tuple[float, float]) -> BaseGeometry:
    """The water of ``area`` connected by sea to A or B (lon, lat).

    Land is subtracted (only the polygons whose bounds meet the area's), then only the connected pieces of water
    holding A or B are kept: a sea on the far side of an isthmus is inside the ellipse but not reachable by a ship.
    When A or B lies on land because the coastline is coarse, the nearest piece of water stands for it. Pieces cut at
    the antimeridian count as one. ``land_polygons`` is a sequence of lon/lat polygons or a :class:`LandPolygons`.
    """
    if area.is_empty:
        return area
    land = land_polygons if isinstance(land_polygons, LandPolygons) else LandPolygons(land_polygons)
    parts = [water for part in _polygon_parts(area) for water in land.subtract_from(part)]
    if not parts:
        return EMPTY
    labels = _components(parts)
    keep = {labels[_part_of(parts, lon, lat)] for lon, lat in (a, b)}
    return _as_geometry([p for p, label in zip(parts, labels) if label in keep])


# ------------------------------------------------------------------------------------------------------------------
# Candidate port visits
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class CandidateVisit:
    """A port the vessel could have called at during a gap, and for how long at most (see the module docstring).

    ``max_dwell_hours_sea`` and the sea distances are None when no sea distances were computed (no land layer).
    """

    gap_id: str
    mmsi: int
    port_name: str
    locode: str
    max_dwell_hours: float
    max_dwell_hours_sea: Optional[float]
    arrive_earliest: int
    depart_latest: int
    distance_in_nm: float
    distance_out_nm: float
    sea_distance_in_nm: Optional[float] = None
    sea_distance_out_nm: Optional[float] = None


@dataclass
class CandidateSearch:
    """The candidates of one gap, and the ports within reach by great circle that the sea rules out."""

    visits: List[CandidateVisit]
    ruled_out_by_sea: List[Tuple[str, float, Optional[float]]] = field(default_factory=list)  # name, gc h, sea h
    # ports within reach by great circle that lie more than SNAP_KM inside the land layer's land: (name, gc h)
    inland: List[Tuple[str, float]] = field(default_factory=list)

    def notes(self, gap: Gap) -> List[str]:
        out = [
            f"Gap {gap.gap_id}: {name} is within reach by great circle ({hours:.0f} h) but lies more than "
            f"{SNAP_KM:g} km from the water of the land layer, so no distance by sea starts from it; not a candidate."
            for name, hours in self.inland
        ]
        for name, hours, sea in self.ruled_out_by_sea:
            why = (
                f"{-sea:.0f} h short by sea"
                if sea is not None and sea <= 0
                else "no route by sea inside the reachable water"
            )
            out.append(
                f"Gap {gap.gap_id}: {name} is within reach by great circle ({hours:.0f} h) but not by sea "
                f"({why}); not a candidate."
            )
        return out


def find_candidates(
    gap: Gap,
    ports: Sequence[Port],
    max_speed_kn: float,
    sea_legs: Optional[SeaLegsOf] = None,
    inland: Optional[Callable[[float, float], bool]] = None,
) -> CandidateSearch:
    """The ports the vessel could have called at during ``gap``, longest dwell first.

    A port needs a positive great-circle dwell and, when ``sea_legs`` (a :class:`.sea_grid.SeaLegs` ``legs``) is
    given, a positive dwell by sea too. ``inland`` (:meth:`.sea_grid.SeaLegs.inland`) tells a port without sea legs
    because it lies too far inside the land from one no route by sea reaches.
    """
    if not max_speed_kn > 0:
        raise BaiMeiError(f"The maximum speed must be positive (got {max_speed_kn} kn).")
    found = CandidateSearch([])
    if not ports:
        return found
    v = float(max_speed_kn)
    t0, t1 = float(gap.off_time), float(gap.on_time)
    hours = (t1 - t0) / 3600.0
    lon = np.array([p.lon for p in ports])
    lat = np.array([p.lat for p in ports])
    d_in = haversine_nm(gap.off_lon, gap.off_lat, lon, lat)
    d_out = haversine_nm(lon, lat, gap.on_lon, gap.on_lat)
    dwell = hours - (d_in + d_out) / v
    for i in np.flatnonzero(dwell > 0).tolist():
        port = ports[i]
        sea_in = sea_out = dwell_sea = None
        if sea_legs is not None:
            sea_in, sea_out = sea_legs(port.lon, port.lat)
            if sea_in is None or sea_out is None:
                if inland is not None and inland(port.lon, port.lat):
                    found.inland.append((port.name, float(dwell[i])))
                else:
                    found.ruled_out_by_sea.append((port.name, float(dwell[i]), None))
                continue
            dwell_sea = hours - (sea_in + sea_out) / v
            if dwell_sea <= 0:
                found.ruled_out_by_sea.append((port.name, float(dwell[i]), dwell_sea))
                continue
        found.visits.append(
            CandidateVisit(
                gap_id=gap.gap_id,
                mmsi=gap.mmsi,
                port_name=port.name,
                locode=port.locode,
                max_dwell_hours=float(dwell[i]),
                max_dwell_hours_sea=dwell_sea,
                arrive_earliest=int(round(t0 + (sea_in if sea_in is not None else d_in[i]) / v * 3600.0)),
                depart_latest=int(round(t1 - (sea_out if sea_out is not None else d_out[i]) / v * 3600.0)),
                distance_in_nm=float(d_in[i]),
                distance_out_nm=float(d_out[i]),
                sea_distance_in_nm=sea_in,
                sea_distance_out_nm=sea_out,
            )
        )
    found.visits.sort(
        key=lambda visit: (
            -(visit.max_dwell_hours_sea if visit.max_dwell_hours_sea is not None else visit.max_dwell_hours)
        )
    )
    return found


def candidate_visits(
    gap: Gap, ports: Sequence[Port], max_speed_kn: float, sea_legs: Optional[SeaLegsOf] = None
) -> List[CandidateVisit]:
    """The candidate visits of :func:`find_candidates`."""
    return find_candidates(gap, ports, max_speed_kn, sea_legs).visits


# ------------------------------------------------------------------------------------------------------------------
# All gaps
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class GapArea:
    """The reachable area of one gap (clipped to the sea when land was given); empty when not ``feasible``."""

    gap_id: str
    mmsi: int
    max_speed_kn: float
    area_km2: float
    geometry: BaseGeometry
    feasible: bool = True
    budget_nm: float = 0.0
    direct_nm: float = 0.0
    by_sea: bool = False  # cut to the water reachable by sea in the time (see :mod:`.sea_grid`)

    @property
    def message(self) -> str:
        if self.feasible:
            return ""
        return (
            f"Gap {self.gap_id} is not reachable at {self.max_speed_kn:.1f} kn: the direct distance "
            f"{self.direct_nm:.0f} nm is more than the {self.budget_nm:.0f} nm possible in the gap."
        )


@dataclass
class ReachabilityResult:
    areas: List[GapArea]
    visits: List[CandidateVisit]
    notes: List[str] = field(default_factory=list)


def gap_reachability(
    gaps: Sequence[Gap],
    cols: Optional[AisColumns],
    land_polygons,
    ports: Sequence[Port],
    max_speed_kn: Optional[float] = None,
    is_canceled=None,
    progress=None,
    n_vertices: int = 360,
    sea_cells: int = DEFAULT_MAX_CELLS,
    by_sea_areas: bool = True,
) -> ReachabilityResult:
    """Reachable areas and candidate port visits of ``gaps``.

    ``max_speed_kn`` None uses each vessel's default speed from ``cols``. ``land_polygons`` (a sequence of lon/lat
    polygons or a :class:`LandPolygons`) clips the areas to the sea and gives distances by sea (at most ``sea_cells``
    grid cells per gap); None leaves them unclipped, with great-circle dwell only. ``by_sea_areas`` then also cuts
    each area to the water a route by sea within the time reaches (a ship in the Yellow Sea cannot be in the Sea of
    Japan just because a great circle across Korea is short enough). ``notes`` says which gaps were not
    reachable at their speed and which ports only the sea ruled out.
    """
    if max_speed_kn is None:
        if cols is None:
            raise BaiMeiError("A default maximum speed needs the vessels' AIS reports.")
        speeds = default_max_speeds(cols)
    elif not max_speed_kn > 0:
        raise BaiMeiError(f"The maximum speed must be positive (got {max_speed_kn} kn).")
    land = None
    if land_polygons is not None:
        land = land_polygons if isinstance(land_polygons, LandPolygons) else LandPolygons(land_polygons)
    areas, visits, notes = [], [], []
    inland_ports: Dict[str, int] = {}  # port -> how many gaps it was within reach of, from the land
    for k, gap in enumerate(gaps):
        if is_canceled and is_canceled():
            raise Canceled()
        v = float(max_speed_kn) if max_speed_kn is not None else speeds.get(gap.mmsi, MIN_DEFAULT_SPEED_KN)
        reach = reachability_area(
            gap.off_lon, gap.off_lat, gap.off_time, gap.on_lon, gap.on_lat, gap.on_time, v, n_vertices
        )
        geom = reach.geometry
        if land is not None and not geom.is_empty:
            geom = clip_to_sea(geom, land, (gap.off_lon, gap.off_lat), (gap.on_lon, gap.on_lat))
        sea_legs, legs, by_sea, inland = None, None, False, None
        if (
            land is not None
            and reach.feasible
            and not geom.is_empty
            and (by_sea_areas or find_candidates(gap, ports, v).visits)
        ):
            legs = SeaLegs(geom, (gap.off_lon, gap.off_lat), (gap.on_lon, gap.on_lat), reach.budget_nm, sea_cells)
            if legs.available:
                sea_legs, inland = legs.legs, legs.inland
            else:
                notes.append(f"Gap {gap.gap_id}: no sea distances ({legs.reason}); great-circle dwell only.")
        found = find_candidates(gap, ports, v, sea_legs, inland)
        if by_sea_areas and sea_legs is not None:
            by_sea = True
            water = None if legs.reachable_cells(reach.budget_nm).all() else legs.reachable_water(reach.budget_nm)
            if water is not None:  # else all the water is reachable by sea: nothing to cut
                sea = continuous(geom, gap.off_lon)
                cut = sea.intersection(water)
                cut = with_port_waters(cut, sea, water, found.visits, ports, legs.grid)
                geom = _valid(_as_geometry(_polygon_parts(cut)))
                geom = wrap_longitudes(geom)
        area = GapArea(
            gap.gap_id,
            gap.mmsi,
            v,
            spherical_area_km2(geom),
            geom,
            reach.feasible,
            reach.budget_nm,
            reach.direct_nm,
            by_sea,
        )
        areas.append(area)
        if not area.feasible:
            notes.append(area.message)
        visits.extend(found.visits)
        notes.extend(found.notes(gap))
        for name, _hours in found.inland:
            inland_ports[name] = inland_ports.get(name, 0) + 1
        if progress:
            progress((k + 1) / len(gaps))
    if inland_ports:
        notes.append(inland_summary(inland_ports))
    return ReachabilityResult(areas, visits, notes)


def with_port_waters(cut, sea, water, visits, ports: Sequence[Port], grid):
    """``cut`` (the sea a route reaches, in the grid's frame) with the water leading to each candidate port reached
    by sea that lies outside the reached cells: a port up an estuary narrower than the cells (Nampo on a long gap's
    coarse grid) joins the reached water through it (:meth:`.sea_grid.SeaGrid.channel`), so the estuary, and the
    scenes taken there, belong to the reachable sea too."""
    from shapely.geometry import Point
    from shapely.ops import unary_union

    where = {(p.name, p.locode): (p.lon, p.lat) for p in ports}
    cell = (grid.snap_nm - SNAP_NM) / 60.0  # a cell's diagonal, in degrees
    extra = []
    for visit in visits:
        if visit.sea_distance_in_nm is None or (visit.port_name, visit.locode) not in where:
            continue
        lon, lat = where[(visit.port_name, visit.locode)]
        lon += 360.0 * round((grid.ref_lon - lon) / 360.0)
        point = Point(lon, lat)
        gap_to_water = point.distance(water)
        if gap_to_water == 0.0:
            continue  # inside the reached cells: already in ``cut``
        # the sea between the port and the reached cells only (a coastal port just outside them adds a sliver)
        extra.append(sea.intersection(point.buffer(gap_to_water + cell)))
    return unary_union([cut, *extra]) if extra else cut


def inland_summary(inland_ports: Dict[str, int]) -> str:
    """One note counting and naming the ports that were within reach but too far inside the land layer's land."""
    named = ", ".join(f"{name} ({n} gap{'s' if n != 1 else ''})" for name, n in sorted(inland_ports.items()))
    return (
        f"{len(inland_ports)} port(s) within reach by great circle lie more than {SNAP_KM:g} km from the water of "
        f"the land layer (up a river or lake the map does not draw), so no distance by sea starts from them and "
        f"they are not candidates: {named}. A ports layer with positions on the water, or a finer land layer, "
        "brings them back."
    )
