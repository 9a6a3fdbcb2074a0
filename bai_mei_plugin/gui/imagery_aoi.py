"""The Imagery page's areas of interest: the selected gap's reachable area (a layer named like "reachability" with
its ``gap_id``, e.g. the Analysis page's "reachable sea"), the gap's ends, the active layer's selected features, or
the map extent; all as shapely geometries in longitude/latitude."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpression,
    QgsFeatureRequest,
    QgsGeometry,
    QgsVectorLayer,
)
from shapely import wkb as shapely_wkb
from shapely.geometry import LineString, Point, box
from shapely.ops import unary_union

from ..core.errors import BaiMeiError

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
AOI_REACH, AOI_GAP, AOI_SELECTION, AOI_EXTENT = "reachability", "gap", "selection", "extent"
AOI_CHOICES = (
    (AOI_REACH, "Gap's reachability area"),
    (AOI_GAP, "Gap's ends (line)"),
    (AOI_SELECTION, "Selected features (active layer)"),
    (AOI_EXTENT, "Map extent"),
)


def to_shapely(geometry: QgsGeometry):
    return shapely_wkb.loads(bytes(geometry.asWkb()))


def reachability_area(project, gap_id: str):
    """(layer name, lon/lat shapely geometry) of the gap's feature in a layer named like "reachability" with a
    ``gap_id`` field; None when the project has none."""
    quoted = QgsExpression.quotedValue(gap_id)
    for layer in project.mapLayers().values():
        if not isinstance(layer, QgsVectorLayer) or "reachab" not in layer.name().lower():
            continue
        if "gap_id" not in layer.fields().names():
            continue
        transform = QgsCoordinateTransform(layer.crs(), WGS84, project)
        shapes = []
        for feature in layer.getFeatures(QgsFeatureRequest().setFilterExpression(f'"gap_id" = {quoted}')):
            geometry = QgsGeometry(feature.geometry())
            if geometry.isNull() or geometry.isEmpty():
                continue
            geometry.transform(transform)
            shapes.append(to_shapely(geometry))
        if shapes:
            return layer.name(), unary_union(shapes)
    return None


def area_of_interest(choice: str, gap, iface, project) -> tuple:
    """(lon/lat shapely geometry, one-line description) of the area ``choice`` (one of ``AOI_CHOICES``) for the
    selected ``gap`` (a core Gap, or None); BaiMeiError when it cannot be had."""
    if choice in (AOI_REACH, AOI_GAP):
        if gap is None:
            raise BaiMeiError("Select a gap on the Gaps page, or search the map extent or selected features.")
        name = gap.vessel_name or gap.mmsi
        if choice == AOI_REACH:
            found = reachability_area(project, gap.gap_id)
            if found is not None:
                return found[1], f"Where {name} could have been while dark (layer '{found[0]}')."
        ends = ((gap.off_lon, gap.off_lat), (gap.on_lon, gap.on_lat))
        shape = Point(ends[0]) if ends[0] == ends[1] else LineString(ends)
        missing = " (no reachability layer for this gap)" if choice == AOI_REACH else ""
        return shape, f"The line between where {name} went dark and reappeared{missing}."
    if choice == AOI_SELECTION:
        layer = iface.activeLayer()
        if not isinstance(layer, QgsVectorLayer) or not layer.selectedFeatureCount():
            raise BaiMeiError("Select features of the active layer first (or choose another area).")
        transform = QgsCoordinateTransform(layer.crs(), WGS84, project)
        shapes = []
        for feature in layer.getSelectedFeatures():
            geometry = QgsGeometry(feature.geometry())
            if not (geometry.isNull() or geometry.isEmpty()):
                geometry.transform(transform)
                shapes.append(to_shapely(geometry))
        if not shapes:
            raise BaiMeiError(f"The selected features of '{layer.name()}' have no geometry.")
        return unary_union(shapes), f"{len(shapes)} selected feature(s) of '{layer.name()}'."
    canvas = iface.mapCanvas()
    crs = canvas.mapSettings().destinationCrs()
    rect = canvas.extent()
    if crs.isValid() and crs != WGS84:
        rect = QgsCoordinateTransform(crs, WGS84, project).transformBoundingBox(rect)
    west, east = max(-180.0, rect.xMinimum()), min(180.0, rect.xMaximum())
    south, north = max(-90.0, rect.yMinimum()), min(90.0, rect.yMaximum())
    if west >= east or south >= north:
        raise BaiMeiError("The map shows no area to search.")
    return box(west, south, east, north), (
        f"The map extent: longitude {west:.2f} to {east:.2f}, latitude {south:.2f} to {north:.2f}."
    )
