"""Map tools of the Annotate page: mark a vessel on the image, and measure its hull (length, heading, beam).

Both work in any project CRS: points are transformed to WGS 84 and lengths are geodesic on the WGS 84 ellipsoid.
"""

from __future__ import annotations

import math

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDistanceArea,
    QgsPointXY,
    QgsProject,
    QgsWkbTypes,
)
from qgis.gui import QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def to_wgs84(canvas, point: QgsPointXY) -> QgsPointXY:
    crs = canvas.mapSettings().destinationCrs()
    if not crs.isValid() or crs == WGS84:
        return QgsPointXY(point)
    return QgsCoordinateTransform(crs, WGS84, QgsProject.instance()).transform(point)


def geodesic(a: QgsPointXY, b: QgsPointXY):
    """(length in metres, bearing in degrees 0–360 from a to b) on the WGS 84 ellipsoid; a and b in lon/lat."""
    area = QgsDistanceArea()
    area.setSourceCrs(WGS84, QgsProject.instance().transformContext())
    area.setEllipsoid("WGS84")
    length = area.measureLine(a, b)
    bearing = math.degrees(area.bearing(a, b)) % 360.0
    return length, bearing


class _HintTool(QgsMapTool):
    """A tool that shows a hint in the status bar while active and gives itself up on Esc."""

    HINT = ""

    def __init__(self, canvas, show_hint=None):
        super().__init__(canvas)
        self.show_hint = show_hint
        self.setCursor(Qt.CursorShape.CrossCursor)

    def activate(self):
        super().activate()
        if self.show_hint:
            self.show_hint(self.HINT)

    def deactivate(self):
        if self.show_hint:
            self.show_hint("")
        super().deactivate()

    def keyPressEvent(self, event):  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            self.canvas().unsetMapTool(self)

    def cancel(self):
        pass


class MarkVesselTool(_HintTool):
    """Click on a ship: emits ``marked(lon, lat)``."""

    HINT = "Bai Mei: click on the ship to add a sighting (Esc cancels)."
    marked = pyqtSignal(float, float)

    def canvasReleaseEvent(self, event):  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = to_wgs84(self.canvas(), self.toMapCoordinates(event.pos()))
        self.marked.emit(point.x(), point.y())


class MeasureHullTool(_HintTool):
    """Click the bow, then the stern: emits ``measured(length_m, heading_deg)`` (the heading is where the bow
    points); then click two points across the hull: emits ``measured_beam(width_m)``. A drag from bow to stern
    measures the length in one gesture. Esc, or a right click, stops (the beam is optional)."""

    HINT = "Bai Mei: click the bow, then the stern, to measure the hull (Esc cancels)."
    BEAM_HINT = "Bai Mei: now click the two sides of the hull, across it, for the beam (Esc or right click: no beam)."
    DRAG_PIXELS = 4  # a press and release further apart than this is a drag, not a click
    measured = pyqtSignal(float, float)
    measured_beam = pyqtSignal(float)

    def __init__(self, canvas, show_hint=None):
        super().__init__(canvas, show_hint)
        self.points = []  # map coordinates: bow, stern, then the beam's two sides
        self.pressed_at = None
        self.band = self._band(QColor(255, 60, 0, 220))
        self.beam_band = self._band(QColor(0, 200, 255, 220))

    def _band(self, colour):
        band = QgsRubberBand(self.canvas(), QgsWkbTypes.GeometryType.LineGeometry)
        band.setColor(colour)
        band.setWidth(2)
        return band

    def _draw(self, hover=None):
        length, beam = self.points[:2], self.points[2:]
        if len(self.points) < 2 and hover is not None:
            length = length + [hover]
        elif len(self.points) >= 2 and hover is not None:
            beam = beam + [hover]
        for band, points in ((self.band, length), (self.beam_band, beam)):
            band.reset(QgsWkbTypes.GeometryType.LineGeometry)
            for point in points:
                band.addPoint(point, False)
            band.updatePosition()
            band.update()

    def canvasPressEvent(self, event):  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.pressed_at = event.pos()

    def canvasMoveEvent(self, event):  # noqa: N802
        if self.points or self.pressed_at is not None:
            self._draw(self.toMapCoordinates(event.pos()))

    def canvasReleaseEvent(self, event):  # noqa: N802
        if event.button() == Qt.MouseButton.RightButton:
            self.cancel()
            return
        if event.button() != Qt.MouseButton.LeftButton or self.pressed_at is None:
            return
        pressed, self.pressed_at = self.pressed_at, None
        if not self.points and (event.pos() - pressed).manhattanLength() > self.DRAG_PIXELS:
            self.points.append(self.toMapCoordinates(pressed))  # a drag from the bow
        self.points.append(self.toMapCoordinates(event.pos()))
        self._draw()
        if len(self.points) == 2:
            self._length_done()
        elif len(self.points) == 4:
            self._beam_done()

    def _length_done(self):
        bow, stern = (to_wgs84(self.canvas(), p) for p in self.points)
        length, stern_to_bow = geodesic(stern, bow)
        if length <= 0:
            self.cancel()
            return
        if self.show_hint:
            self.show_hint(self.BEAM_HINT)
        self.measured.emit(length, stern_to_bow)

    def _beam_done(self):
        width, _ = geodesic(*(to_wgs84(self.canvas(), p) for p in self.points[2:]))
        self.cancel()
        if self.show_hint:
            self.show_hint(self.HINT)
        if width > 0:
            self.measured_beam.emit(width)

    def cancel(self):
        self.points = []
        self.pressed_at = None
        self.band.reset(QgsWkbTypes.GeometryType.LineGeometry)
        self.beam_band.reset(QgsWkbTypes.GeometryType.LineGeometry)

    def keyPressEvent(self, event):  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape and len(self.points) >= 2:
            self.cancel()  # the length is measured: Esc only skips the beam, the tool stays
            if self.show_hint:
                self.show_hint(self.HINT)
            return
        super().keyPressEvent(event)

    def deactivate(self):
        self.cancel()
        super().deactivate()
