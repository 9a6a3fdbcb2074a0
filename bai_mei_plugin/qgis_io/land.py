"""Land for the analyses, read once per session and shared: QGIS's bundled world map (or a land layer kept in a file)
is read through OGR once into a :class:`~..core.land.LandIndex` (on land, distance to shore) and dissolved once into
:class:`~..core.reachability.LandPolygons` (clipping reachable areas), whichever task or algorithm asks first.

Reading the world map takes about a second and dissolving it a few more, so the gaps, the reachability of the dock
and of Processing all share these. A file layer is known by its source, filter and the file's modification time (an
edited file is read again); a layer that is not a file (memory, database, a selection) is read each time.
"""

from __future__ import annotations

import os
import threading
from typing import Dict, Hashable, Optional

from osgeo import gdal
from qgis.core import (
    QgsApplication,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsProject,
    QgsVectorLayer,
)

from ..core.errors import BaiMeiError
from ..core.land import LandIndex
from ..core.reachability import LandPolygons
from .sources import WGS84

WORLD_MAP_LAYER = "countries"
MAX_CACHED = 4  # the world map and a few land layers; each is a few tens of megabytes at most

_lock = threading.Lock()  # one read at a time: a second caller waits for the first one's land instead of re-reading
_indexes: Dict[Hashable, LandIndex] = {}
_polygons: Dict[Hashable, LandPolygons] = {}


def default_land_path() -> str:
    return os.path.join(QgsApplication.pkgDataPath(), "resources", "data", "world_map.gpkg")


def land_from_layer(layer) -> LandIndex:
    """A land index from a polygon layer or source (any CRS; transformed to lon/lat), read now."""
    transform = None
    crs = layer.sourceCrs() if hasattr(layer, "sourceCrs") else layer.crs()
    if crs.isValid() and crs != WGS84:
        transform = QgsCoordinateTransform(crs, WGS84, QgsProject.instance())
    blobs = []
    request = QgsFeatureRequest().setNoAttributes()
    for feature in layer.getFeatures(request):
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            continue
        if transform is not None:
            geometry.transform(transform)
        blobs.append(bytes(geometry.asWkb()))
    if not blobs:
        raise BaiMeiError("The land layer has no polygons.")
    return LandIndex.from_wkb(blobs)


def world_map_layer(name: str = "land", path: Optional[str] = None) -> QgsVectorLayer:
    """QGIS's bundled Natural Earth countries (``path``: the world map file, default ``default_land_path()``) as a
    layer named ``name``; may be invalid when the file is missing.

    GDAL 3.6 (Debian 12) warns on stderr, as the file opens, that its update_time ("...Z") is "non-conformant"
    although it parses it; the column is never used and the warning is noise on an analyst's console.
    """
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        return QgsVectorLayer(f"{path or default_land_path()}|layername={WORLD_MAP_LAYER}", name, "ogr")
    finally:
        gdal.PopErrorHandler()


def _open_world_map(path: str) -> QgsVectorLayer:
    layer = world_map_layer("land", path)
    if not layer.isValid():
        raise BaiMeiError(f"Cannot open QGIS's bundled world map at {path}.")
    return layer


def _world_map_key() -> tuple:
    path = default_land_path()
    if not os.path.exists(path):
        raise BaiMeiError(f"QGIS's bundled world map is missing ({path}); give a land layer.")
    return ("world map", path, os.path.getmtime(path))


def layer_key(layer) -> Optional[tuple]:
    """What identifies a land layer kept in a file (None for any other layer or source: it is not cached)."""
    if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "ogr":
        return None
    path = layer.source().split("|")[0]
    if not os.path.isfile(path):
        return None
    return ("layer", layer.source(), layer.subsetString(), layer.crs().authid(), os.path.getmtime(path))


def _read(key: Optional[tuple], layer) -> LandIndex:
    return land_from_layer(_open_world_map(key[1]) if layer is None else layer)


def _remember(cache: Dict, key: Hashable, value) -> None:
    if len(cache) >= MAX_CACHED:
        cache.pop(next(iter(cache)))  # the oldest
    cache[key] = value


def _index_of(key: Optional[tuple], layer) -> LandIndex:
    """Call with the lock held."""
    if key is None:
        return _read(key, layer)
    if key not in _indexes:
        _remember(_indexes, key, _read(key, layer))
    return _indexes[key]


def land_index(layer=None) -> LandIndex:
    """The land index of ``layer`` (a layer or Processing source), or of QGIS's world map when None."""
    key = _world_map_key() if layer is None else layer_key(layer)
    with _lock:
        return _index_of(key, layer)


def land_polygons(layer=None) -> LandPolygons:
    """The land of ``layer`` (or of QGIS's world map when None) ready to clip reachable areas."""
    key = _world_map_key() if layer is None else layer_key(layer)
    with _lock:
        if key is None:
            return LandPolygons(_read(key, layer).polygons)
        if key not in _polygons:
            _remember(_polygons, key, LandPolygons(_index_of(key, layer).polygons))
        return _polygons[key]


def default_land() -> LandIndex:
    """QGIS's bundled Natural Earth countries as land (read once per session)."""
    return land_index(None)


def clear_cache() -> None:
    """Forget the land read so far (tests; the next call reads again)."""
    with _lock:
        _indexes.clear()
        _polygons.clear()
