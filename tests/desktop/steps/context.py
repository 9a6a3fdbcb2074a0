"""The context every step shares: the QGIS interface, what the test asked for (environment), the results gathered so
far and small helpers to find the plugin's menus, toolbar and dock, take screenshots and let the GUI run."""

import os
import time

from .base import Until

PLUGIN = "bai_mei_plugin"
PROVIDER_ID = "baimei"
ALGORITHMS = ("baimei:importais", "baimei:detectgaps")
MENU_TITLE = "Bai Mei"
DOCK_ACTION = "baimei_dock"
ACTION_NAMES = (DOCK_ACTION, "baimei_importais", "baimei_detectgaps")
TOOLBAR_ACTION = DOCK_ACTION
DOCK_NAME = "BaiMeiDock"


class Context:
    """Shared by all steps. ``result`` is written as JSON after every step; ``gap`` is the gap the walkthrough selected.

    Environment: ``BAIMEI_DESKTOP_RESULT`` (the JSON file), ``BAIMEI_DESKTOP_SCREENSHOTS`` (folder for the PNGs),
    ``BAIMEI_DESKTOP_SETTLE_MS``, ``BAIMEI_DESKTOP_SCENARIO`` (the generated scenario CSV), ``BAIMEI_DESKTOP_MMSI``
    (the Bai Mei 8's MMSI), ``BAIMEI_DESKTOP_FIRST_GAP`` ("off,on": its first gap as generated, epoch seconds),
    ``BAIMEI_DESKTOP_PROFILE`` (the throwaway profile the plugin must be loaded from) and
    ``BAIMEI_DESKTOP_LOAD_TIMEOUT_S``.
    """

    def __init__(self, iface, state):
        self.iface = iface
        self.state = state
        self.result_path = os.environ["BAIMEI_DESKTOP_RESULT"]
        self.screenshot_dir = os.environ.get("BAIMEI_DESKTOP_SCREENSHOTS") or os.path.dirname(self.result_path)
        os.makedirs(self.screenshot_dir, exist_ok=True)
        self.settle_ms = int(os.environ.get("BAIMEI_DESKTOP_SETTLE_MS", "2500"))
        self.scenario = os.environ.get("BAIMEI_DESKTOP_SCENARIO") or None
        self.mmsi = int(os.environ.get("BAIMEI_DESKTOP_MMSI", "200000008"))
        first_gap = os.environ.get("BAIMEI_DESKTOP_FIRST_GAP", "")
        self.expected_gap = tuple(int(t) for t in first_gap.split(",")) if first_gap else None
        self.profile = os.environ.get("BAIMEI_DESKTOP_PROFILE") or None
        self.load_timeout_s = float(os.environ.get("BAIMEI_DESKTOP_LOAD_TIMEOUT_S", "90"))
        self.result = {"screenshots": {}, "waits": {}, "layout": {}}
        self.gap = None

    # The plugin's entries in the main window

    def bai_mei_menu(self, parent=None):
        """(action, menu) of the "Bai Mei" submenu of ``parent`` (the Vector menu by default), or (None, None)."""
        parent = parent or self.iface.vectorMenu()
        for action in parent.actions():
            menu = action.menu()
            if menu is not None and menu.title().replace("&", "") == MENU_TITLE:
                return action, menu
        return None, None

    def toolbar_actions(self, name):
        """[(toolbar objectName, action)] for every toolbar of the main window showing an action called ``name``."""
        from qgis.PyQt.QtWidgets import QToolBar

        found = []
        for toolbar in self.iface.mainWindow().findChildren(QToolBar):
            for action in toolbar.actions():
                if action.objectName() == name:
                    found.append((toolbar.objectName(), action))
        return found

    def menu_paths(self, name):
        """Every menu path (e.g. "Plugins > Bai Mei") of the menu bar that holds an action called ``name``."""
        found = []

        def walk(actions, path, depth):
            for action in actions:
                if action.objectName() == name:
                    found.append(" > ".join(path))
                menu = action.menu()
                if menu is not None and depth < 6:
                    walk(menu.actions(), path + [menu.title().replace("&", "")], depth + 1)

        walk(self.iface.mainWindow().menuBar().actions(), [], 0)
        # the Plugins and Vector menus, also when QGIS keeps them out of the menu bar
        for menu in (self.iface.pluginMenu(), self.iface.vectorMenu()):
            if menu.menuAction() not in self.iface.mainWindow().menuBar().actions():
                walk(menu.actions(), [menu.title().replace("&", "")], 1)
        return found

    def dock(self):
        from qgis.gui import QgsDockWidget

        return self.iface.mainWindow().findChild(QgsDockWidget, DOCK_NAME)

    def toolbox(self):
        import qgis.utils

        return getattr(qgis.utils.plugins.get("processing"), "toolbox", None)

    # Screenshots and the event loop

    def save(self, key, pixmap):
        path = os.path.join(self.screenshot_dir, f"{key}.png")
        ok = pixmap.save(path, "PNG")
        self.result["screenshots"][key] = {
            "path": path,
            "saved": bool(ok),
            "width": pixmap.width(),
            "height": pixmap.height(),
        }
        return path

    def grab_screen(self):
        from qgis.PyQt.QtGui import QGuiApplication

        return QGuiApplication.primaryScreen().grabWindow(0)

    def process_events(self, ms=100):
        from qgis.PyQt.QtCore import QCoreApplication, QEventLoop

        end = time.time() + ms / 1000
        while time.time() < end:
            QCoreApplication.processEvents(QEventLoop.AllEvents, 50)

    def wait_for_map(self):
        """Lets the map render: no canvas drawing and no background task for a moment (the gaps are scored in the
        background right after a load: about 20 s for the demo with the World Port Index), at most 60 s: a bound
        only a hang reaches."""
        from qgis.core import QgsApplication

        canvas = self.iface.mapCanvas()
        started = time.time()

        def idle():
            busy = canvas.isDrawing() or QgsApplication.taskManager().countActiveTasks()
            return time.time() - started > 0.8 and not busy

        return Until(f"the map to render ({len(self.result['waits'])})", idle, 60, then_ms=1200)

    # The map

    def to_map(self):
        """WGS 84 to the canvas's CRS."""
        from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

        crs = self.iface.mapCanvas().mapSettings().destinationCrs()
        return QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), crs, QgsProject.instance())

    def map_state(self, gap):
        """Does the map show both ends of ``gap``, and the Temporal Controller its off and on times?"""
        from qgis.core import QgsPointXY

        canvas = self.iface.mapCanvas()
        extent = canvas.extent()
        to_map = self.to_map()
        ends = [
            to_map.transform(QgsPointXY(lon, lat))
            for lon, lat in ((gap.off_lon, gap.off_lat), (gap.on_lon, gap.on_lat))
        ]
        controller = canvas.temporalController()
        window = controller.temporalExtents() if controller is not None else canvas.temporalRange()
        begin = window.begin().toSecsSinceEpoch() if window.begin().isValid() else None
        end = window.end().toSecsSinceEpoch() if window.end().isValid() else None
        return {
            "crs": canvas.mapSettings().destinationCrs().authid(),
            "extent": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
            "extent_contains_gap": all(extent.contains(point) for point in ends),
            "temporal_begin": begin,
            "temporal_end": end,
            "temporal_covers_gap": begin is not None
            and end is not None
            and begin <= gap.off_time
            and end >= gap.on_time,
            "navigation_mode": int(controller.navigationMode()) if hasattr(controller, "navigationMode") else None,
            "canvas_is_temporal": canvas.mapSettings().isTemporal(),
        }

    def zoom_to(self, rectangle):
        """Zooms the map to a WGS 84 rectangle, as an analyst would."""
        canvas = self.iface.mapCanvas()
        canvas.setExtent(self.to_map().transformBoundingBox(rectangle))
        canvas.refresh()

    def pixel_of(self, lon, lat):
        """The map canvas pixel showing (lon, lat), for real mouse clicks."""
        from qgis.core import QgsPointXY
        from qgis.PyQt.QtCore import QPoint

        canvas = self.iface.mapCanvas()
        p = canvas.getCoordinateTransform().transform(self.to_map().transform(QgsPointXY(lon, lat)))
        return QPoint(round(p.x()), round(p.y()))


def wait_for_map(ctx):
    """``Context.wait_for_map`` as an action of its own."""
    return ctx.wait_for_map()
