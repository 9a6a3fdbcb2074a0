"""Land: whether a point is on land and how far it is from the nearest shore, in nautical miles.

Distance to shore is the great-circle distance to the nearest vertex of the land polygons' boundaries after they are
densified to at most ``step_km`` between vertices, so it is exact to within ``step_km / 2`` of the true distance to
the polygons. Points inside a polygon are at 0. The nearest-vertex search uses unit vectors in 3-D (no trouble at the
antimeridian or the poles) with scipy's KD-tree when scipy is installed, and chunked matrix products otherwise.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable, List

import numpy as np
from shapely import wkb
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.prepared import prep

from .errors import BaiMeiError
from .geodesy import EARTH_RADIUS_M, METRES_PER_NM, unit_vectors


def _polygons(geometries: Iterable) -> List[Polygon]:
    out: List[Polygon] = []
    for geom in geometries:
        if geom is None or geom.is_empty:
            continue
        if isinstance(geom, Polygon):
            out.append(geom)
        elif isinstance(geom, MultiPolygon):
            out.extend(geom.geoms)
        elif hasattr(geom, "geoms"):
            out.extend(_polygons(geom.geoms))
    return out


def _densify(coords: np.ndarray, step_deg: float) -> np.ndarray:
    """Insert points along each edge so no two consecutive vertices are more than ``step_deg`` apart."""
    if len(coords) < 2:
        return coords
    starts, ends = coords[:-1], coords[1:]
    lengths = np.hypot(*(ends - starts).T)
    pieces = np.maximum(1, np.ceil(lengths / step_deg).astype(int))
    edge = np.repeat(np.arange(len(starts)), pieces)
    offsets = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    frac = (offsets / pieces[edge])[:, None]
    return np.vstack((starts[edge] + frac * (ends[edge] - starts[edge]), coords[-1:]))


class LandIndex:
    """Land polygons (lon/lat degrees) ready for point-on-land and distance-to-shore queries."""

    def __init__(self, geometries: Iterable, step_km: float = 1.0):
        self.polygons = _polygons(geometries)
        if not self.polygons:
            raise BaiMeiError("The land layer has no polygons.")
        self.step_km = step_km
        step_deg = step_km / 111.2
        rings = []
        for poly in self.polygons:
            for ring in [poly.exterior, *poly.interiors]:
                rings.append(_densify(np.asarray(ring.coords)[:, :2], step_deg))
        vertices = np.vstack(rings)
        self._vectors = unit_vectors(vertices[:, 0], vertices[:, 1])
        self._prepared = [prep(p) for p in self.polygons]
        self._bounds = np.array([p.bounds for p in self.polygons])
        self._tree = None
        try:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self._vectors)
        except ImportError:
            self._tree = None

    @classmethod
    def from_wkb(cls, blobs: Iterable[bytes], step_km: float = 1.0) -> LandIndex:
        return cls((wkb.loads(bytes(b)) for b in blobs if b), step_km)

    @classmethod
    def from_gpkg(cls, path: str, layer: str = "countries", step_km: float = 1.0) -> LandIndex:
        return cls.from_wkb(read_gpkg_geometries(path, layer), step_km)

    def on_land(self, lon, lat) -> np.ndarray:
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        inside = np.zeros(len(lon), dtype=bool)
        b = self._bounds
        for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist())):
            candidates = np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))
            if len(candidates):
                point = Point(x, y)
                inside[i] = any(self._prepared[j].contains(point) for j in candidates)
        return inside

    def distance_nm(self, lon, lat) -> np.ndarray:
        """Great-circle distance (nm) from each point to the nearest shore; 0 on land."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if len(lon) == 0:
            return np.zeros(0)
        points = unit_vectors(lon, lat)
        if self._tree is not None:
            chord, _ = self._tree.query(points)
        else:
            chord = np.empty(len(points))
            for start in range(0, len(points), 128):
                dots = self._vectors @ points[start:start + 128].T
                chord[start:start + 128] = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * dots.max(axis=0)))
        angle = 2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))
        distance = angle * EARTH_RADIUS_M / METRES_PER_NM
        distance[self.on_land(lon, lat)] = 0.0
        return distance


def read_gpkg_geometries(path: str, layer: str) -> List[bytes]:
    """The WKB of every geometry of a GeoPackage layer, read with sqlite3 (no GDAL needed in the core)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BaiMeiError(f"Cannot open the GeoPackage {path}: {exc}") from exc
    try:
        row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()
        if row is None:
            raise BaiMeiError(f"The GeoPackage {path} has no layer {layer!r}.")
        column = row[0].replace('"', '""')
        table = layer.replace('"', '""')
        blobs = [r[0] for r in con.execute(f'SELECT "{column}" FROM "{table}"')]
    except sqlite3.Error as exc:
        raise BaiMeiError(f"Cannot read layer {layer!r} of {path}: {exc}") from exc
    finally:
        con.close()
    return [_gpkg_to_wkb(b) for b in blobs if b]


def _gpkg_to_wkb(blob: bytes) -> bytes:
    """Strip the GeoPackage binary header ('GP', version, flags, srs id, envelope) from a geometry blob.

    Land is taken to be in lon/lat degrees (EPSG:4326), as QGIS's bundled world map is.
    """
    if blob[:2] != b"GP":
        return bytes(blob)
    flags = blob[3]
    envelope_bytes = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0x07, 0)
    return bytes(blob[8 + envelope_bytes:])
