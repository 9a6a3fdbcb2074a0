"""Moving the map and the Temporal Controller: zoom to a lon/lat box, show a time window, play a voyage (following
one vessel, the others faded or hidden), and filter a layer to a set of values (the Gaps table's filter)."""

from __future__ import annotations

from typing import Iterable

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDateTimeRange,
    QgsExpression,
    QgsInterval,
    QgsPointXY,
    QgsProject,
    QgsProperty,
    QgsRectangle,
    QgsRenderContext,
    QgsSymbol,
    QgsTemporalNavigationObject,
    QgsVectorLayer,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject

from ..core.errors import BaiMeiError
from ..qgis_io.land import WORLD_MAP_LAYER, default_land_path
from ..qgis_io.layers import utc
from ..qgis_io.styles import apply_style

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def zoom_to(canvas, rect: QgsRectangle, margin: float = 0.25, min_size_deg: float = 0.2) -> None:
    """Zoom ``canvas`` to a lon/lat rectangle grown by ``margin`` of its size on each side."""
    rect = QgsRectangle(rect)
    grow = max(rect.width(), rect.height(), min_size_deg) * margin
    rect = QgsRectangle(rect.xMinimum() - grow, rect.yMinimum() - grow, rect.xMaximum() + grow, rect.yMaximum() + grow)
    destination = canvas.mapSettings().destinationCrs()
    if destination.isValid() and destination != WGS84:
        rect = QgsCoordinateTransform(WGS84, destination, QgsProject.instance()).transformBoundingBox(rect)
    canvas.setExtent(rect)
    canvas.refresh()


def temporal_controller(canvas):
    controller = canvas.temporalController()
    if isinstance(controller, QgsTemporalNavigationObject):
        return controller
    return None


def show_window(canvas, start: int, end: int, padding_s: int = 6 * 3600) -> QgsDateTimeRange:
    """Set the Temporal Controller to a fixed range around [start, end] (epoch seconds, UTC)."""
    window = QgsDateTimeRange(utc(start - padding_s), utc(end + padding_s))
    controller = temporal_controller(canvas)
    if controller is not None:
        controller.setNavigationMode(QgsTemporalNavigationObject.NavigationMode.FixedRange)
        controller.setTemporalExtents(window)
    else:
        canvas.setTemporalRange(window)
    return window


def play(canvas, start: int, end: int, step_hours: float = 2.0) -> bool:
    """Animate [start, end] in steps of ``step_hours``; False when the canvas has no temporal controller."""
    controller = temporal_controller(canvas)
    if controller is None:
        return False
    controller.setNavigationMode(QgsTemporalNavigationObject.NavigationMode.Animated)
    controller.setTemporalExtents(QgsDateTimeRange(utc(start), utc(end)))
    controller.setFrameDuration(QgsInterval(step_hours * 3600))
    controller.setTemporalRangeCumulative(True)
    controller.rewindToStart()
    controller.playForward()
    return True


# --- the Gaps table's filter on the map -----------------------------------------------------------------------------
def membership_subset(layer, field: str, values: Iterable) -> str:
    """A subset string keeping the features whose ``field`` is one of ``values`` (every value quoted, never pasted).

    A memory layer evaluates its subset as a QGIS expression per feature, where an ``IN`` list is compared item by
    item (seconds for a few thousand gaps); a map built once from literals is looked up instead. Other providers
    (a GeoPackage's SQLite, PostGIS) take plain SQL, where ``IN`` is fast."""
    column = QgsExpression.quotedColumnRef(field)
    values = list(values)
    if not values:
        return f"{column} IS NULL"  # the fields filtered on (gap_id, mmsi) are never empty: nothing is shown
    if layer.providerType() == "memory":
        keys = ",".join(f"{QgsExpression.quotedValue(str(v))},1" for v in values)
        return f"map_get(map({keys}), to_string({column})) = 1"
    return f"{column} IN ({','.join(QgsExpression.quotedValue(v) for v in values)})"


def set_subset(layer, subset: str) -> bool:
    """Show only the features of ``subset`` ('' for all); False when the layer refused it (e.g. being edited)."""
    if layer is None or sip.isdeleted(layer) or layer.subsetString() == subset:
        return True
    ok = layer.setSubsetString(subset)
    layer.triggerRepaint()
    return bool(ok)


# --- following one vessel while the voyage plays ----------------------------------------------------------------------
OTHERS_FADED, OTHERS_HIDDEN, OTHERS_SHOWN = "faded", "hidden", "shown"
OTHERS_CHOICES = ((OTHERS_FADED, "Others faded"), (OTHERS_HIDDEN, "Others hidden"), (OTHERS_SHOWN, "Show all"))
FADED_OPACITY = 15  # percent: the other vessels stay as context without hiding the one played
FOLLOW_MARGIN = 0.2  # the map pans when the vessel comes within this fraction of the extent from an edge


def focus_opacity(mmsi: int, others: str) -> str:
    """The opacity expression (percent) of a symbol: the vessel at full opacity, the others faded or hidden."""
    rest = 0 if others == OTHERS_HIDDEN else FADED_OPACITY
    return f"if({QgsExpression.quotedColumnRef('mmsi')} = {int(mmsi)}, 100, {rest})"


def vessel_positions(columns, mmsi: int):
    """(times, lons, lats) of one vessel's reports in MMSI/time-sorted columns (empty arrays when it has none)."""
    lo, hi = np.searchsorted(columns.mmsi, [mmsi, mmsi + 1])
    return columns.t[lo:hi], columns.lon[lo:hi], columns.lat[lo:hi]


def position_at(times, lons, lats, seconds: float):
    """The vessel's position at ``seconds`` (between reports: along the straight line; before the first or after the
    last: that report), or None without reports."""
    if len(times) == 0:
        return None
    return float(np.interp(seconds, times, lons)), float(np.interp(seconds, times, lats))


class VesselFocus(QObject):
    """While the Temporal Controller plays one vessel's voyage: the other vessels' features faded or hidden on the
    given layers (their renderers restored after), and the map panning to keep the vessel in view. Ends when the
    controller leaves the animated mode (a gap selected shows a fixed range) or :meth:`stop` is called."""

    def __init__(self, canvas, layers, mmsi: int, positions, others: str = OTHERS_FADED, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.mmsi = int(mmsi)
        self.times, self.lons, self.lats = positions
        self.others = others
        self._renderers = {}  # layer -> the renderer it had before (restored by stop)
        self.controller = temporal_controller(canvas)
        self.active = False
        self.layers = [layer for layer in layers if layer is not None and "mmsi" in layer.fields().names()]

    def start(self) -> None:
        self.set_others(self.others)
        if self.controller is not None:
            self.controller.updateTemporalRange.connect(self.follow)
            # a gap selected sets a fixed range: new extents out of the animated mode end the voyage (QGIS 3.22's
            # navigationModeChanged cannot be connected from Python: its enum argument is not registered)
            self.controller.temporalExtentsChanged.connect(self._extents_changed)
        self.active = True

    def set_others(self, others: str) -> None:
        """Fade, hide or show the other vessels (the layers' own renderers come back first)."""
        self.others = others
        self._restore_renderers()
        if others == OTHERS_SHOWN:
            return
        expression = focus_opacity(self.mmsi, others)
        for layer in self.layers:
            if layer.renderer() is None:
                continue
            self._renderers[layer] = layer.renderer().clone()
            renderer = layer.renderer().clone()
            for symbol in renderer.symbols(QgsRenderContext()):
                symbol.setDataDefinedProperty(
                    QgsSymbol.Property.PropertyOpacity, QgsProperty.fromExpression(expression)
                )
            layer.setRenderer(renderer)
            layer.triggerRepaint()

    def follow(self, time_range) -> None:
        """Pan so the vessel's position at the end of the frame stays away from the map's edges."""
        point = position_at(self.times, self.lons, self.lats, time_range.end().toSecsSinceEpoch())
        if point is None:
            return
        here = QgsPointXY(*point)
        destination = self.canvas.mapSettings().destinationCrs()
        if destination.isValid() and destination != WGS84:
            here = QgsCoordinateTransform(WGS84, destination, QgsProject.instance()).transform(here)
        extent = self.canvas.extent()
        inner = extent.buffered(-min(extent.width(), extent.height()) * FOLLOW_MARGIN)
        if not inner.contains(here):
            self.canvas.setCenter(here)
            self.canvas.refresh()

    def _extents_changed(self, *_) -> None:
        if self.controller.navigationMode() != QgsTemporalNavigationObject.NavigationMode.Animated:
            self.stop()

    def _restore_renderers(self) -> None:
        for layer, renderer in self._renderers.items():
            if not sip.isdeleted(layer):
                layer.setRenderer(renderer)
                layer.triggerRepaint()
        self._renderers = {}

    def stop(self) -> None:
        if not self.active:
            return
        self.active = False
        if self.controller is not None:
            for signal, slot in (
                (self.controller.updateTemporalRange, self.follow),
                (self.controller.temporalExtentsChanged, self._extents_changed),
            ):
                try:
                    signal.disconnect(slot)
                except (TypeError, RuntimeError):  # already gone with the controller
                    pass
        self._restore_renderers()


# --- land under the tracks ------------------------------------------------------------------------------------------
KIND_PROPERTY = "bai_mei/kind"  # a layer's custom property naming what Bai Mei added it as
LAND_KIND = "land"


def land_layers(project):
    """The land layers Bai Mei added to the project (kept in the project file: a re-load finds them)."""
    return [layer for layer in project.mapLayers().values() if layer.customProperty(KIND_PROPERTY) == LAND_KIND]


def add_land(project, source: str = ""):
    """A styled land layer at the bottom of the project's layers, under the tracks: the user's land (``source``, a
    path or OGR source) or QGIS's world map; once per project (None when it has one already). The world map is
    opened through OGR, which reads both its plain geometries (QGIS 3.22) and its SpatiaLite blobs (3.40+).
    BaiMeiError when the land cannot be opened."""
    if land_layers(project):
        return None
    if source:
        layer = QgsVectorLayer(source, "Land", "ogr")
        what = f"the land layer {source}"
    else:
        path = default_land_path()
        layer = QgsVectorLayer(f"{path}|layername={WORLD_MAP_LAYER}", "Land (Natural Earth)", "ogr")
        what = f"QGIS's world map ({path})"
    if not layer.isValid():
        raise BaiMeiError(f"Cannot open {what} to draw the land under the tracks.")
    apply_style(layer, LAND_KIND)
    layer.setCustomProperty(KIND_PROPERTY, LAND_KIND)
    project.addMapLayer(layer, False)
    project.layerTreeRoot().addLayer(layer)  # last: drawn first, under everything Bai Mei adds above it
    return layer
