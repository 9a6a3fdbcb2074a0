"""The Imagery page's areas of interest: the selected gap's reachable area (a layer named like "reachability" with
its ``gap_id``, e.g. the Analysis page's "reachable sea"), the gap's ends, a circle around a port of the ports list
(by name or UN/LOCODE), the active layer's selected features, or the map extent; all as shapely geometries in
longitude/latitude."""

from __future__ import annotations

import math

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpression,
    QgsFeatureRequest,
    QgsGeometry,
    QgsVectorLayer,
)
from shapely import wkb as shapely_wkb
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import unary_union

from ..core.errors import BaiMeiError
from ..core.geodesy import EARTH_RADIUS_M, METRES_PER_NM
from ..qgis_io.i18n import tr

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
AOI_REACH, AOI_GAP, AOI_SELECTION, AOI_EXTENT = "reachability", "gap", "selection", "extent"
AOI_PORT = "port"
AOI_CHOICES = (
    (AOI_REACH, "Gap's reachability area"),
    (AOI_GAP, "Gap's ends (line)"),
    (AOI_PORT, "Around a port"),
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


MAX_PORT_MATCHES_SHOWN = 5
CIRCLE_STEPS = 72  # a vertex every 5 degrees: within 0.1 % of a true circle's area


def _compact(text: str) -> str:
    return "".join(str(text or "").split()).upper()


def find_port(text: str, ports):
    """The port named ``text``: its UN/LOCODE (spaces ignored, "KP NAM"), its name or one of its other names (any
    case), else the only port whose name starts with the text. BaiMeiError naming what was looked for and the
    ports that matched when none or several do."""
    wanted = " ".join(str(text or "").split())
    if not wanted:
        raise BaiMeiError("Type a port's name or UN/LOCODE (e.g. Nampo or KPNAM) for the area around it.")
    code = _compact(wanted)
    lower = wanted.lower()
    for rule in (
        lambda p: p.locode and _compact(p.locode) == code,
        lambda p: p.name.lower() == lower,
        lambda p: lower in [n.strip().lower() for n in p.alternate_name.split(";") if n.strip()],
    ):
        found = [p for p in ports if rule(p)]
        if len(found) == 1:
            return found[0]
        if found:
            return _ambiguous(wanted, found)
    starting = [p for p in ports if p.name.lower().startswith(lower)]
    if len(starting) == 1:
        return starting[0]
    if starting:
        return _ambiguous(wanted, starting)
    raise BaiMeiError(f"No port named or coded '{wanted}' in the ports list (names and UN/LOCODEs are searched).")


def _ambiguous(wanted: str, found):
    names = ", ".join(f"{p.name} ({p.locode or p.country})" for p in found[:MAX_PORT_MATCHES_SHOWN])
    more = f" and {len(found) - MAX_PORT_MATCHES_SHOWN} more" if len(found) > MAX_PORT_MATCHES_SHOWN else ""
    raise BaiMeiError(f"'{wanted}' matches {len(found)} ports: {names}{more}. Type its UN/LOCODE to choose one.")


def port_circle(port, radius_nm: float):
    """A lon/lat polygon of the points ``radius_nm`` nautical miles from the port (great-circle destinations)."""
    if radius_nm <= 0:
        raise BaiMeiError(f"The radius around {port.name} must be more than 0 nm (it is {radius_nm:g}).")
    angle = radius_nm * METRES_PER_NM / EARTH_RADIUS_M  # on the sphere core.geodesy measures distances on
    lat1, lon1 = math.radians(port.lat), math.radians(port.lon)
    ring = []
    for step in range(CIRCLE_STEPS):
        bearing = 2 * math.pi * step / CIRCLE_STEPS
        lat2 = math.asin(math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(bearing))
        lon2 = lon1 + math.atan2(
            math.sin(bearing) * math.sin(angle) * math.cos(lat1), math.cos(angle) - math.sin(lat1) * math.sin(lat2)
        )
        # unwrapped around the port's longitude, so a circle across the antimeridian stays one polygon
        ring.append((port.lon + math.degrees(lon2 - lon1), math.degrees(lat2)))
    return Polygon(ring)


def port_area(text: str, radius_nm: float, ports) -> tuple:
    """(circle, description) around the port ``text`` names (see find_port)."""
    port = find_port(text, ports)
    where = f"{port.country}, {port.locode}" if port.locode else port.country
    description = tr("Within {radius} nm of {port} ({where}).").format(
        radius=f"{radius_nm:g}", port=port.name, where=where
    )
    return port_circle(port, radius_nm), description


def area_of_interest(choice: str, gap, iface, project, port=None) -> tuple:
    """(lon/lat shapely geometry, one-line description) of the area ``choice`` (one of ``AOI_CHOICES``) for the
    selected ``gap`` (a core Gap, or None); ``port`` is (text, radius in nm, ports list) for AOI_PORT. BaiMeiError
    when it cannot be had."""
    if choice == AOI_PORT:
        text, radius_nm, ports = port if port is not None else ("", 0.0, [])
        return port_area(text, radius_nm, ports)
    if choice in (AOI_REACH, AOI_GAP):
        if gap is None:
            raise BaiMeiError("Select a gap on the Gaps page, or search the map extent or selected features.")
        name = gap.vessel_name or gap.mmsi
        if choice == AOI_REACH:
            found = reachability_area(project, gap.gap_id)
            if found is not None:
                return found[1], tr("Where {name} could have been while dark (layer '{layer}').").format(
                    name=name, layer=found[0]
                )
        ends = ((gap.off_lon, gap.off_lat), (gap.on_lon, gap.on_lat))
        shape = Point(ends[0]) if ends[0] == ends[1] else LineString(ends)
        if choice == AOI_REACH:
            line = tr("The line between where {name} went dark and reappeared (no reachability layer for this gap).")
        else:
            line = tr("The line between where {name} went dark and reappeared.")
        return shape, line.format(name=name)
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
        return unary_union(shapes), tr("{count} selected feature(s) of '{layer}'.").format(
            count=len(shapes), layer=layer.name()
        )
    canvas = iface.mapCanvas()
    crs = canvas.mapSettings().destinationCrs()
    rect = canvas.extent()
    if crs.isValid() and crs != WGS84:
        rect = QgsCoordinateTransform(crs, WGS84, project).transformBoundingBox(rect)
    west, east = max(-180.0, rect.xMinimum()), min(180.0, rect.xMaximum())
    south, north = max(-90.0, rect.yMinimum()), min(90.0, rect.yMaximum())
    if west >= east or south >= north:
        raise BaiMeiError("The map shows no area to search.")
    return box(west, south, east, north), tr(
        "The map extent: longitude {west} to {east}, latitude {south} to {north}."
    ).format(west=f"{west:.2f}", east=f"{east:.2f}", south=f"{south:.2f}", north=f"{north:.2f}")
