"""Footprint records <-> QGIS: the footprints layer's fields and features, and search areas from layers."""

from __future__ import annotations

from typing import List, Optional

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
)
from shapely import wkb as shapely_wkb
from shapely.ops import unary_union

from ..core.errors import BaiMeiError
from ..core.layer_kinds import FOOTPRINTS
from ..services.search import FoundFootprint, SearchArea
from .layer_kinds import kind_fields
from .layers import epoch_seconds
from .records import record_features, shapely_geometry
from .sources import WGS84


def footprint_fields():
    return kind_fields(FOOTPRINTS)


def _multipolygon(found: FoundFootprint) -> Optional[QgsGeometry]:
    shape = found.footprint.geometry
    if shape is not None and shape.geom_type not in ("Polygon", "MultiPolygon"):
        shape = shape.buffer(0.0005)  # a catalogue that gives a point or line: a ~50 m outline keeps it visible
    geometry = shapely_geometry(shape)
    if geometry is not None and not geometry.isMultipart():
        geometry.convertToMultiType()
    return geometry


def footprint_features(found: List[FoundFootprint], fields):
    return record_features(found, FOOTPRINTS, fields, _multipolygon)


def _to_shapely(geometry: QgsGeometry):
    return shapely_wkb.loads(bytes(geometry.asWkb()))


def _transform(source, context) -> Optional[QgsCoordinateTransform]:
    crs = source.sourceCrs()
    if not crs.isValid() or crs == WGS84:
        return None
    project = context.project() if context is not None and context.project() else QgsProject.instance()
    return QgsCoordinateTransform(crs, WGS84, project)


def source_geometries(source, context=None) -> list:
    """(feature, shapely lon/lat geometry) of every feature with a geometry in ``source``."""
    transform = _transform(source, context)
    out = []
    for feature in source.getFeatures(QgsFeatureRequest()):
        geometry = QgsGeometry(feature.geometry())
        if geometry.isNull() or geometry.isEmpty():
            continue
        if transform is not None:
            geometry.transform(transform)
        out.append((feature, _to_shapely(geometry)))
    return out


def union_area(source, context=None):
    shapes = [shape for _, shape in source_geometries(source, context)]
    if not shapes:
        raise BaiMeiError("The area-of-interest layer has no geometry.")
    return unary_union(shapes)


def gap_areas(gaps_source, aoi_source=None, pad_hours: float = 0.0, context=None) -> List[SearchArea]:
    """One search area per gap: its window ± ``pad_hours``; its place is the AOI feature with the same ``gap_id``
    (e.g. its reachability area) when the AOI layer has one, else the gap itself (the line between its ends)."""
    names = gaps_source.fields().names()
    missing = [n for n in ("gap_id", "off_time", "on_time") if n not in names]
    if missing:
        raise BaiMeiError(
            f"The gaps layer has no field {', '.join(missing)}: use the Dark gaps output of baimei:detectgaps."
        )
    by_gap = {}
    if aoi_source is not None and "gap_id" in aoi_source.fields().names():
        for feature, shape in source_geometries(aoi_source, context):
            by_gap[feature["gap_id"]] = shape
    pad = int(round(pad_hours * 3600))
    areas = []
    for feature, shape in source_geometries(gaps_source, context):
        off, on = epoch_seconds(feature["off_time"]), epoch_seconds(feature["on_time"])
        if off is None or on is None:
            continue
        gap_id = feature["gap_id"]
        mmsi = feature["mmsi"] if "mmsi" in names else None
        areas.append(
            SearchArea(
                by_gap.get(gap_id, shape),
                off - pad,
                on + pad,
                gap_id,
                int(mmsi) if mmsi not in (None, "") else None,
                (off, on),
            )
        )
    return areas
