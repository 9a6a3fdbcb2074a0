"""The chip view: a sighting up close on its scene (about 1:2,500, the map turned so the bow points up), beside another
date's sighting of the same vessel, so that the analyst compares hatches, cranes and colours side by side."""

from __future__ import annotations

import datetime as dt
import html
from typing import List, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDistanceArea,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..qgis_io.i18n import tr

CHIP_SCALE = 2500.0
CHIP_PIXELS = 380  # each canvas is this square: about 250 m across at 1:2,500, a whole bulk carrier
SAME_PLACE_M = 2000.0  # without a candidate MMSI, another date's sighting this close is taken as the same ship
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def _value(feature, name):
    """A feature's value, None for a missing field or NULL."""
    if feature.fields().indexOf(name) < 0:
        return None
    value = feature[name]
    return None if value is None or (hasattr(value, "isNull") and value.isNull()) or value == "" else value


def _day(feature) -> Optional[str]:
    when = _value(feature, "observed_at")
    if when is None:
        return None
    seconds = when.toSecsSinceEpoch() if hasattr(when, "toSecsSinceEpoch") else int(when)
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d")


def _distance_m(a, b) -> float:
    area = QgsDistanceArea()
    area.setEllipsoid("WGS84")
    area.setSourceCrs(WGS84, QgsProject.instance().transformContext())
    return area.measureLine(a.geometry().asPoint(), b.geometry().asPoint())


def pair_of(layer, feature) -> List:
    """``feature`` and the sighting of ``layer`` that is the same vessel on another date (the same candidate MMSI,
    else the nearest within SAME_PLACE_M), in time order; ``feature`` alone when there is none."""
    mmsi, day = _value(feature, "candidate_mmsi"), _day(feature)
    others = [f for f in layer.getFeatures() if f.id() != feature.id() and _day(f) != day]
    if mmsi is not None:
        same = [f for f in others if _value(f, "candidate_mmsi") == mmsi]
    else:
        same = [f for f in others if _distance_m(f, feature) <= SAME_PLACE_M]
    if not same:
        return [feature]
    other = min(same, key=lambda f: _distance_m(f, feature))
    return sorted([feature, other], key=lambda f: _day(f) or "")


def utm_crs(lon: float, lat: float) -> QgsCoordinateReferenceSystem:
    """The UTM zone of lon/lat (WGS 84): metres true to the ground, so 1:2,500 is 1:2,500 there."""
    zone = min(60, int((lon + 180) // 6) + 1)
    return QgsCoordinateReferenceSystem(f"EPSG:{(32600 if lat >= 0 else 32700) + zone}")


def chip_rotation(heading) -> float:
    """The map rotation (degrees clockwise) that turns a ship heading ``heading`` bow up."""
    return 0.0 if heading is None else (-float(heading)) % 360.0


def scene_layer(source: str, name: str, keep: list) -> Optional[QgsRasterLayer]:
    """The project's layer of scene ``source``, else the scene opened (kept alive in ``keep``); None if unreadable."""
    if not source:
        return None
    for layer in QgsProject.instance().mapLayers().values():
        if isinstance(layer, QgsRasterLayer) and layer.source() == source:
            return layer
    layer = QgsRasterLayer(source, name, "gdal")
    if not layer.isValid():
        return None
    keep.append(layer)
    return layer


class ChipPane(QWidget):
    """One sighting: a caption (date, scene, features) over a map canvas on its scene, or a note why there is none."""

    def __init__(self, feature, keep: list, parent=None):
        super().__init__(parent)
        self.feature = feature
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        scene_id = _value(feature, "image_id") or "an unnamed scene"
        caption = f"<b>{html.escape(_day(feature) or 'undated')}</b> · {html.escape(str(scene_id))}"
        self.caption = QLabel(caption)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        source = _value(feature, "scene_source") or ""
        self.scene = scene_layer(source, str(scene_id), keep)
        self.canvas = None
        if self.scene is None:
            why = (
                f"The scene {source} of this sighting cannot be opened (moved, deleted or offline)."
                if source
                else "This sighting was not marked on a scene on the map: there is no image to show."
            )
            self.note = QLabel(why)
            self.note.setWordWrap(True)
            self.note.setFixedSize(CHIP_PIXELS, CHIP_PIXELS)
            layout.addWidget(self.note)
            return
        self.canvas = QgsMapCanvas(self)
        self.canvas.setFixedSize(CHIP_PIXELS, CHIP_PIXELS)
        self.canvas.setCanvasColor(QColor(20, 20, 20))
        layout.addWidget(self.canvas)  # framed once shown (ChipView.showEvent): the scale needs the canvas's size

    def frame(self) -> None:
        """Centre the canvas on the sighting at 1:2,500 in its UTM zone, turned to its heading."""
        point = self.feature.geometry().asPoint()
        crs = utm_crs(point.x(), point.y())
        centre = QgsCoordinateTransform(WGS84, crs, QgsProject.instance()).transform(QgsPointXY(point))
        canvas = self.canvas
        canvas.setDestinationCrs(crs)
        canvas.setLayers([self.scene])
        canvas.setRotation(chip_rotation(_value(self.feature, "heading_deg")))
        half = CHIP_SCALE * CHIP_PIXELS / canvas.mapSettings().outputDpi() * 0.0254 / 2  # metres from centre to edge
        canvas.setExtent(QgsRectangle(centre.x() - half, centre.y() - half, centre.x() + half, centre.y() + half))
        canvas.setCenter(centre)
        canvas.zoomScale(CHIP_SCALE)
        canvas.refresh()


class ChipView(QDialog):
    """Two dates side by side (or one, when the vessel was sighted once)."""

    def __init__(self, features, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Bai Mei: sighting chips"))
        self.kept_layers: list = []  # scenes opened for the view only
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.panes = [ChipPane(feature, self.kept_layers, self) for feature in features]
        for pane in self.panes:
            row.addWidget(pane)
        layout.addLayout(row)
        if len(self.panes) == 1:
            layout.addWidget(
                QLabel(
                    tr(
                        "No sighting of the same vessel on another date (same candidate MMSI, or within "
                        "{same_place_m_1000:g} km): one chip only."
                    ).format(same_place_m_1000=SAME_PLACE_M / 1000)
                )
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.framed = False

    def showEvent(self, event):  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self.framed:  # the canvases have their size now: 1:2,500 is computed from it
            self.framed = True
            for pane in self.panes:
                if pane.canvas is not None:
                    pane.frame()
