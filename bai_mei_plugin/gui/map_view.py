"""Moving the map and the Temporal Controller: zoom to a lon/lat box, show a time window, play a voyage."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDateTimeRange,
    QgsInterval,
    QgsProject,
    QgsRectangle,
    QgsTemporalNavigationObject,
)

from ..qgis_io.layers import utc

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
        controller.setNavigationMode(QgsTemporalNavigationObject.FixedRange)
        controller.setTemporalExtents(window)
    else:
        canvas.setTemporalRange(window)
    return window


def play(canvas, start: int, end: int, step_hours: float = 2.0) -> bool:
    """Animate [start, end] in steps of ``step_hours``; False when the canvas has no temporal controller."""
    controller = temporal_controller(canvas)
    if controller is None:
        return False
    controller.setNavigationMode(QgsTemporalNavigationObject.Animated)
    controller.setTemporalExtents(QgsDateTimeRange(utc(start), utc(end)))
    controller.setFrameDuration(QgsInterval(step_hours * 3600))
    controller.setTemporalRangeCumulative(True)
    controller.rewindToStart()
    controller.playForward()
    return True
