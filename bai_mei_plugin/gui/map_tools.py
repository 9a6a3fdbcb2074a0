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
    area.setEllipsoid("EPSG:7030")
    length = area.measureLine(a, b)
    bearing = math.degrees(area.bearing(a, b)) % 360.0
    return length, bearing


class _HintTool(QgsMapTool):
    """A tool that shows a hint in the status bar while active and gives itself up on Esc."""

    HINT = ""

    def __init__(self, canvas, show_hint=None):
        super().__init__(canvas)
        self.show_hint = show_hint
        self.setCursor(Qt.CrossCursor)

    def activate(self):
        super().activate()
        if self.show_hint:
            self.show_hint(self.HINT)

    def deactivate(self):
        if self.show_hint:
            self.show_hint("")
        super().deactivate()

    def keyPressEvent(self, event):  # noqa: N802 (Qt API)
        if event.key() == Qt.Key_Escape:
            self.cancel()
            self.canvas().unsetMapTool(self)

    def cancel(self):
        pass


class MarkVesselTool(_HintTool):
    """Click on a ship: emits ``marked(lon, lat)``."""

    HINT = "Bai Mei: click on the ship to add a sighting (Esc cancels)."
    marked = pyqtSignal(float, float)

    def canvasReleaseEvent(self, event):  # noqa: N802
        if event.button() != Qt.LeftButton:
            return
        point = to_wgs84(self.canvas(), self.toMapCoordinates(event.pos()))
        self.marked.emit(point.x(), point.y())


class MeasureHullTool(_HintTool):
    """Drag from bow to stern: emits ``measured(length_m, heading_deg)``; the heading is where the bow points.

    With ``beam`` set, the drag measures the beam instead (emits ``measured_beam(width_m)``).
    """

    HINT = "Bai Mei: drag from the bow to the stern to measure the hull (Esc cancels)."
    measured = pyqtSignal(float, float)
    measured_beam = pyqtSignal(float)

    def __init__(self, canvas, show_hint=None):
        super().__init__(canvas, show_hint)
        self.beam = False
        self.start = None
        self.band = QgsRubberBand(canvas, QgsWkbTypes.LineGeometry)
        self.band.setColor(QColor(255, 60, 0, 220))
        self.band.setWidth(2)

    def canvasPressEvent(self, event):  # noqa: N802
        if event.button() == Qt.LeftButton:
            self.start = self.toMapCoordinates(event.pos())
            self.band.reset(QgsWkbTypes.LineGeometry)
            self.band.addPoint(self.start)

    def canvasMoveEvent(self, event):  # noqa: N802
        if self.start is not None:
            self.band.reset(QgsWkbTypes.LineGeometry)
            self.band.addPoint(self.start, False)
            self.band.addPoint(self.toMapCoordinates(event.pos()))

    def canvasReleaseEvent(self, event):  # noqa: N802
        if self.start is None or event.button() != Qt.LeftButton:
            return
        bow = to_wgs84(self.canvas(), self.start)
        stern = to_wgs84(self.canvas(), self.toMapCoordinates(event.pos()))
        self.start = None
        self.band.reset(QgsWkbTypes.LineGeometry)
        length, stern_to_bow = geodesic(stern, bow)
        if length <= 0:
            return
        if self.beam:
            self.measured_beam.emit(length)
        else:
            self.measured.emit(length, stern_to_bow)

    def cancel(self):
        self.start = None
        self.band.reset(QgsWkbTypes.LineGeometry)

    def deactivate(self):
        self.cancel()
        super().deactivate()
