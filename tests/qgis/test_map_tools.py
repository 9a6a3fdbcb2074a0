"""The Annotate page's map tools driven with synthetic mouse events on a real map canvas."""

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject, QgsRectangle
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QKeyEvent

from bai_mei_plugin.gui.map_tools import MarkVesselTool, MeasureHullTool, geodesic

NAMPO = QgsPointXY(125.15, 38.70)


@pytest.fixture(params=["EPSG:4326", "EPSG:3857"])
def canvas(request, qgis_app, qtbot):
    canvas = QgsMapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(600, 400)
    crs = QgsCoordinateReferenceSystem(request.param)
    canvas.setDestinationCrs(crs)
    box = QgsRectangle(125.14, 38.695, 125.16, 38.705)
    if request.param != "EPSG:4326":
        box = QgsCoordinateTransform(
            QgsCoordinateReferenceSystem("EPSG:4326"), crs, QgsProject.instance()
        ).transformBoundingBox(box)
    canvas.setExtent(box)
    canvas.show()
    qtbot.waitExposed(canvas)
    return canvas


def pixel(canvas, lon, lat):
    crs = canvas.mapSettings().destinationCrs()
    point = QgsPointXY(lon, lat)
    if crs.authid() != "EPSG:4326":
        point = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), crs, QgsProject.instance()).transform(
            point
        )
    p = canvas.getCoordinateTransform().transform(point)
    return QPoint(round(p.x()), round(p.y()))


def mouse(canvas, kind, at):
    return QgsMapMouseEvent(canvas, kind, at, Qt.LeftButton, Qt.LeftButton)


def test_mark_vessel_emits_lon_lat_in_any_crs(canvas):
    hints = []
    tool = MarkVesselTool(canvas, hints.append)
    canvas.setMapTool(tool)
    assert "click on the ship" in hints[-1]
    marked = []
    tool.marked.connect(lambda lon, lat: marked.append((lon, lat)))
    tool.canvasReleaseEvent(mouse(canvas, QEvent.MouseButtonRelease, pixel(canvas, 125.15, 38.70)))
    ((lon, lat),) = marked
    assert lon == pytest.approx(125.15, abs=1e-4) and lat == pytest.approx(38.70, abs=1e-4)
    tool.keyPressEvent(QKeyEvent(QEvent.KeyPress, Qt.Key_Escape, Qt.NoModifier))
    assert canvas.mapTool() is None and hints[-1] == ""


def click(tool, canvas, lon, lat, button=Qt.LeftButton):
    at = pixel(canvas, lon, lat)
    tool.canvasPressEvent(QgsMapMouseEvent(canvas, QEvent.MouseButtonPress, at, button, button))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.MouseButtonRelease, at, button, button))


def test_measure_hull_gives_geodesic_length_and_heading(canvas):
    tool = MeasureHullTool(canvas)
    canvas.setMapTool(tool)
    got = []
    tool.measured.connect(lambda length, heading: got.append((length, heading)))
    bow, stern = (125.152, 38.700), (125.150, 38.700)  # bow east of stern: heading 90°
    tool.canvasPressEvent(mouse(canvas, QEvent.MouseButtonPress, pixel(canvas, *bow)))
    tool.canvasMoveEvent(mouse(canvas, QEvent.MouseMove, pixel(canvas, 125.151, 38.700)))
    assert tool.band.numberOfVertices() == 2
    tool.canvasReleaseEvent(mouse(canvas, QEvent.MouseButtonRelease, pixel(canvas, *stern)))  # a drag
    ((length, heading),) = got
    expected, _ = geodesic(QgsPointXY(*stern), QgsPointXY(*bow))
    assert expected == pytest.approx(173.9, abs=0.5)  # 0.002° of longitude at 38.7° N on WGS 84
    assert length == pytest.approx(expected, rel=0.02)  # within a pixel of the drawn points
    assert heading == pytest.approx(90, abs=2)
    # then two clicks across the hull: the beam
    beams = []
    tool.measured_beam.connect(beams.append)
    click(tool, canvas, 125.151, 38.7001)
    assert not beams and len(tool.points) == 3  # bow, stern and one side
    click(tool, canvas, 125.151, 38.6999)
    assert beams and beams[0] == pytest.approx(22.2, rel=0.1)
    assert tool.points == [] and tool.band.numberOfVertices() == 0  # ready for the next ship


def test_measure_hull_by_clicks_bow_stern_then_beam(canvas):
    tool = MeasureHullTool(canvas)
    canvas.setMapTool(tool)
    got, beams = [], []
    tool.measured.connect(lambda length, heading: got.append((length, heading)))
    tool.measured_beam.connect(beams.append)
    click(tool, canvas, 125.150, 38.7010)  # bow, north of the stern: heading 0°
    assert got == []
    click(tool, canvas, 125.150, 38.6990)
    ((length, heading),) = got
    assert length == pytest.approx(222.1, rel=0.02) and min(heading, 360 - heading) < 2
    # a right click gives up the beam: the next clicks start a new length
    click(tool, canvas, 125.150, 38.70, Qt.RightButton)
    click(tool, canvas, 125.1510, 38.70)
    click(tool, canvas, 125.1490, 38.70)
    assert len(got) == 2 and beams == []


def test_escape_cancels_a_measurement(canvas):
    tool = MeasureHullTool(canvas)
    canvas.setMapTool(tool)
    got = []
    tool.measured.connect(lambda *a: got.append(a))
    tool.canvasPressEvent(mouse(canvas, QEvent.MouseButtonPress, pixel(canvas, 125.152, 38.70)))
    tool.keyPressEvent(QKeyEvent(QEvent.KeyPress, Qt.Key_Escape, Qt.NoModifier))
    tool.canvasReleaseEvent(mouse(canvas, QEvent.MouseButtonRelease, pixel(canvas, 125.150, 38.70)))
    assert got == [] and canvas.mapTool() is None


def test_geodesic_against_a_known_length():
    # one degree of latitude at the equator on WGS 84: 110,574.4 m
    length, bearing = geodesic(QgsPointXY(0, 0), QgsPointXY(0, 1))
    assert length == pytest.approx(110574.4, abs=1.0) and bearing == pytest.approx(0, abs=1e-6)


def test_measure_hull_on_a_rendered_ship(canvas, tmp_path):
    """The scene's dark hull (169 m x 27 m, heading 212°, 0.8 m pixels in UTM) on the canvas; clicks at its ends
    as found in the scene's pixels give 169 ± 8 m in the canvas's CRS."""
    from qgis.core import QgsRasterLayer

    from tests.qgis.ship_scene import hull_ends, write_ship_scene

    path = write_ship_scene(str(tmp_path / "ship.tif"))
    scene = QgsRasterLayer(path, "ship", "gdal")
    assert scene.isValid()
    canvas.setLayers([scene])
    box = QgsCoordinateTransform(scene.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
    canvas.setExtent(box.transformBoundingBox(scene.extent()))
    tool = MeasureHullTool(canvas)
    canvas.setMapTool(tool)
    got, beams = [], []
    tool.measured.connect(lambda length, heading: got.append((length, heading)))
    tool.measured_beam.connect(beams.append)
    stern, bow = sorted(hull_ends(path), key=lambda p: -p[1])  # the bow is the south-west end (heading 212°)
    click(tool, canvas, *bow)
    click(tool, canvas, *stern)
    ((length, heading),) = got
    assert length == pytest.approx(169, abs=8)
    assert heading == pytest.approx(212, abs=3)  # UTM's grid north is 1.5° off true north here
