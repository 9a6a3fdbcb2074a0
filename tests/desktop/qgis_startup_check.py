"""Runs inside the real QGIS desktop application for tests/desktop/test_desktop.py; not a pytest module.

QGIS executes this file twice, both times with ``exec`` in ``__main__``:

1. early, through the ``PYQGIS_STARTUP`` environment variable, before any plugin is loaded: it starts recording
   the message log and closes (and records) any modal dialog, such as QGIS's Python error dialog, that would
   otherwise block the start forever;
2. through ``--code`` once the main window is up: it checks what the Bai Mei plugin added (the ``baimei_dock``
   toolbar button, the Plugins and Vector menu entries, the Processing provider), takes screenshots, opens the
   "Import AIS file" dialog from the Vector menu, then walks through the dock as an analyst would (open it, load the
   Bai Mei 8 scenario with the dock's own widgets, select the Bai Mei 8's first gap, show the vessel alone), measures
   the dock's widgets for clipping, unloads the plugin, checks that everything is gone, writes the results as JSON
   to ``$BAIMEI_DESKTOP_RESULT`` and quits QGIS.

Environment: ``BAIMEI_DESKTOP_RESULT`` (JSON file to write), ``BAIMEI_DESKTOP_SCREENSHOTS`` (folder for the PNGs),
``BAIMEI_DESKTOP_EVENTS`` (optional JSON-lines file: every log message and dialog as it happens, for when QGIS
hangs or crashes before the JSON is written), ``BAIMEI_DESKTOP_SETTLE_MS`` (how long to let the GUI settle),
``BAIMEI_DESKTOP_SCENARIO`` (the generated scenario CSV; without it the dock walkthrough is skipped),
``BAIMEI_DESKTOP_MMSI`` (the Bai Mei 8's MMSI), ``BAIMEI_DESKTOP_LOAD_TIMEOUT_S`` and ``BAIMEI_DESKTOP_WATCHDOG_S``.
"""

import json
import os
import sys
import time
import traceback
import types

PLUGIN = "bai_mei_plugin"
PROVIDER_ID = "baimei"
ALGORITHMS = ("baimei:importais", "baimei:detectgaps")
MENU_TITLE = "Bai Mei"
DOCK_ACTION = "baimei_dock"
DIALOG_ACTION = "baimei_importais"  # opened from the Vector > Bai Mei menu
ACTION_NAMES = (DOCK_ACTION, "baimei_importais", "baimei_detectgaps")
TOOLBAR_ACTION = DOCK_ACTION
DOCK_NAME = "BaiMeiDock"
DMA_FORMAT = "Danish Maritime Authority"
ERROR_TAGS = ("Python error", "Python warning", "Bai Mei")
STATE_MODULE = "_baimei_desktop_check_state"
WATCHDOG_MS = int(float(os.environ.get("BAIMEI_DESKTOP_WATCHDOG_S", "150")) * 1000)
# The dock's widgets that must never be squeezed, per page: (page attribute, widget attributes).
KEY_WIDGETS = {
    "tracksPage": ("fileWidget", "formatLabel", "loadButton", "cancelButton", "pointsCheck", "summaryLabel"),
    "gapsPage": (
        "presetCombo",
        "minHoursSpin",
        "rerunButton",
        "filterEdit",
        "filterHoursSpin",
        "gapTable",
        "playButton",
        "trackButton",
        "gapCountLabel",
    ),
    "vesselsPage": ("vesselFilterEdit", "vesselTable", "showVesselButton", "showAllButton"),
    "imagerySearchPage": (
        "imagerySourceCombo",
        "imageryUrlCombo",
        "imageryAuthSelect",
        "imageryCollectionsEdit",
        "imageryListButton",
        "imageryCloudSpin",
        "imageryMaxItemsSpin",
        "imageryStartEdit",
        "imageryEndEdit",
        "imageryPadSpin",
        "imageryGapTimeButton",
        "imageryMapTimeButton",
        "imageryAoiCombo",
        "imageryAoiLabel",
        "imagerySearchButton",
        "imageryCancelButton",
    ),
    "imageryResultsPage": (
        "imageryResultTable",
        "imageryTimeline",
        "imageryPreviewLabel",
        "imageryItemLabel",
        "imageryAddButton",
        "imagerySearchButton",
        "imageryStatusLabel",
    ),
}


def _state():
    """State shared by both executions of this file (kept in ``sys.modules``)."""
    state = sys.modules.get(STATE_MODULE)
    if state is None:
        state = types.ModuleType(STATE_MODULE)
        state.started = time.time()
        state.messages = []  # every QgsMessageLog message
        state.exceptions = []  # exceptions that reached sys.excepthook
        state.dialogs = []  # modal dialogs that popped up unexpectedly (and were closed)
        state.script_errors = []  # failures of this script itself
        state.keep = []  # Python objects that must stay alive (slots, timers)
        state.early_hooks = False
        state.checks_started = False
        state.finished = False
        state.expected_dialog = False
        sys.modules[STATE_MODULE] = state
    return state


def _event(kind, **data):
    path = os.environ.get("BAIMEI_DESKTOP_EVENTS")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps({"kind": kind, "t": round(time.time() - _state().started, 3), **data}) + "\n")
    except OSError:
        pass


def _excepthook(exc_type, value, tb):
    text = "".join(traceback.format_exception(exc_type, value, tb))
    _state().exceptions.append(text)
    _event("exception", text=text)
    sys.stderr.write("[baimei-desktop-check] uncaught exception:\n" + text)


def _level(level):
    """Qgis.MessageLevel as an int (0 info, 1 warning, 2 critical, 3 success), whichever enum flavour is used."""
    try:
        return int(level)
    except TypeError:
        return int(getattr(level, "value", -1))


def _on_message(message, tag, level):
    entry = {"tag": tag, "level": _level(level), "message": message}
    _state().messages.append(entry)
    _event("message", **entry)


def _close_unexpected_dialogs():
    """Records and closes a modal dialog nobody asked for, so that QGIS never waits for a click."""
    from qgis.PyQt.QtWidgets import QApplication, QDialog

    state = _state()
    widget = QApplication.activeModalWidget()
    if widget is None or state.expected_dialog:
        return
    info = {"class": type(widget).__name__, "title": widget.windowTitle(), "text": _widget_text(widget)}
    state.dialogs.append(info)
    _event("dialog", **info)
    screenshots = os.environ.get("BAIMEI_DESKTOP_SCREENSHOTS")
    if screenshots:
        widget.grab().save(os.path.join(screenshots, f"unexpected-dialog-{len(state.dialogs)}.png"))
    if isinstance(widget, QDialog):
        widget.reject()
    else:
        widget.close()


def _widget_text(widget):
    """The visible text of a dialog (labels, text browsers), to show in the test report."""
    from qgis.PyQt.QtWidgets import QLabel, QTextBrowser, QTextEdit

    parts = []
    for child in widget.findChildren(QLabel):
        if child.text():
            parts.append(child.text())
    for child in widget.findChildren(QTextEdit) + widget.findChildren(QTextBrowser):
        parts.append(child.toPlainText())
    return "\n".join(parts)[:4000]


def install_early_hooks():
    state = _state()
    if state.early_hooks:
        return
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QTimer

    QgsApplication.messageLog().messageReceived.connect(_on_message)
    sys.excepthook = _excepthook
    timer = QTimer()
    timer.setInterval(300)
    timer.timeout.connect(_close_unexpected_dialogs)
    timer.start()
    state.keep += [_on_message, _close_unexpected_dialogs, timer]
    state.early_hooks = True
    _event("early-hooks")


# --- the checks, run once QGIS has started ------------------------------------------------------------------------


class Until:
    """Returned by a step to hold the next step until ``condition()`` is true (polled from the event loop).

    ``then_ms`` more are waited once it is; on timeout the failure is recorded and the steps go on.
    """

    def __init__(self, what, condition, timeout_s, then_ms=300, poll_ms=200):
        self.what = what
        self.condition = condition
        self.timeout_s = timeout_s
        self.then_ms = then_ms
        self.poll_ms = poll_ms


class DesktopCheck:
    def __init__(self, iface):
        self.iface = iface
        self.state = _state()
        self.result_path = os.environ["BAIMEI_DESKTOP_RESULT"]
        self.screenshot_dir = os.environ.get("BAIMEI_DESKTOP_SCREENSHOTS") or os.path.dirname(self.result_path)
        os.makedirs(self.screenshot_dir, exist_ok=True)
        self.settle_ms = int(os.environ.get("BAIMEI_DESKTOP_SETTLE_MS", "2500"))
        self.scenario = os.environ.get("BAIMEI_DESKTOP_SCENARIO") or None
        self.mmsi = int(os.environ.get("BAIMEI_DESKTOP_MMSI", "200000008"))
        self.load_timeout_s = float(os.environ.get("BAIMEI_DESKTOP_LOAD_TIMEOUT_S", "90"))
        self.result = {"screenshots": {}, "steps": [], "waits": {}, "layout": {}}
        self.gap = None  # the gap selected in the walkthrough
        self.steps = [
            self.check_loaded,
            self.screenshot_main_window,
            self.open_vector_menu,
            self.screenshot_vector_menu,
            self.open_toolbox,
            self.screenshot_toolbox,
            self.open_algorithm_dialog,
            self.close_toolbox,
        ]
        if self.scenario:  # the dock walkthrough with the Bai Mei 8 scenario
            self.steps += [
                self.open_dock,
                self.load_scenario,
                self.wait_for_map,
                self.screenshot_loaded,
                self.tracks_page,
                self.select_first_gap,
                self.wait_for_map,
                self.wait_gap_details,
                self.screenshot_gap,
                self.preset_list,
                self.imagery_search,
                self.imagery_run,
                self.imagery_select_scene,
                self.screenshot_imagery,
                self.analysis_reach,
                self.screenshot_analysis,
                self.annotate_mark,
                self.annotate_fill_form,
                self.annotate_measure,
                self.annotate_identify,
                self.screenshot_annotate,
                self.show_vessel,
                self.wait_for_map,
                self.screenshot_vessels,
            ]
        self.steps += [self.unload, self.check_unloaded]

    # Step machinery: every step runs from the event loop (QTimer.singleShot), so the GUI repaints in between and
    # nothing ever sleeps in the GUI thread. A failing step is recorded and the remaining steps still run. A step
    # returns nothing, the milliseconds to wait before the next one, or an ``Until``.

    def start(self):
        from qgis.PyQt.QtCore import QTimer
        from qgis.PyQt.QtGui import QGuiApplication

        sys.excepthook = _excepthook  # QGIS installed its own hook after the early one
        main_window = self.iface.mainWindow()
        # No window manager under Xvfb: place the window over the whole screen ourselves (as maximised).
        main_window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
        main_window.show()
        main_window.raise_()
        main_window.activateWindow()
        QTimer.singleShot(WATCHDOG_MS, self.watchdog)
        self.wait_idle(self.settle_ms, self.next_step)

    def wait_idle(self, delay_ms, callback, deadline=None):
        """Calls ``callback`` after ``delay_ms`` once no background task is running (at most 20 s more)."""
        from qgis.core import QgsApplication
        from qgis.PyQt.QtCore import QTimer

        deadline = deadline or time.time() + delay_ms / 1000 + 20

        def poll():
            if QgsApplication.taskManager().countActiveTasks() and time.time() < deadline:
                QTimer.singleShot(250, poll)
            else:
                callback()

        QTimer.singleShot(delay_ms, poll)

    def next_step(self, delay_ms=0):
        from qgis.PyQt.QtCore import QTimer

        if self.state.finished:
            return
        if not self.steps:
            QTimer.singleShot(delay_ms, self.finish)
            return
        step = self.steps.pop(0)

        def run():
            outcome = None
            try:
                started = time.time()
                outcome = step()
                self.result["steps"].append({"step": step.__name__, "ok": True, "s": round(time.time() - started, 2)})
            except Exception:  # recorded and reported by the test
                text = traceback.format_exc()
                self.state.script_errors.append(f"{step.__name__}: {text}")
                self.result["steps"].append({"step": step.__name__, "ok": False, "error": text})
                _event("script-error", step=step.__name__, text=text)
            if isinstance(outcome, Until):
                self.wait_until(outcome)
            else:
                self.next_step(outcome or 300)

        QTimer.singleShot(delay_ms, run)

    def wait_until(self, until):
        from qgis.PyQt.QtCore import QTimer

        started = time.time()

        def poll():
            error = None
            try:
                done = bool(until.condition())
            except Exception:
                done, error = False, traceback.format_exc()
            waited = time.time() - started
            if done or error or waited >= until.timeout_s:
                self.result["waits"][until.what] = {"done": done, "s": round(waited, 2)}
                _event("waited", what=until.what, done=done, s=round(waited, 2))
                if error:
                    self.state.script_errors.append(f"waiting for {until.what}: {error}")
                elif not done:
                    self.state.script_errors.append(f"timed out after {until.timeout_s:.0f} s waiting for {until.what}")
                self.next_step(until.then_ms)
            else:
                QTimer.singleShot(until.poll_ms, poll)

        QTimer.singleShot(until.poll_ms, poll)

    def watchdog(self):
        if not self.state.finished:
            self.state.script_errors.append(f"watchdog: the checks did not finish within {WATCHDOG_MS / 1000:.0f} s")
            self.finish()

    # Helpers

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

    def toolbox(self):
        import qgis.utils

        return getattr(qgis.utils.plugins.get("processing"), "toolbox", None)

    @staticmethod
    def rect(rect):
        return [rect.x(), rect.y(), rect.width(), rect.height()]

    def geometry_of(self, widget, dock):
        """Where ``widget`` is in the dock, how big it is and how big it wants to be, and whether it is cut off."""
        from qgis.PyQt.QtCore import QPoint, QRect
        from qgis.PyQt.QtGui import QGuiApplication

        in_dock = QRect(widget.mapTo(dock, QPoint(0, 0)), widget.size())
        on_screen = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        shown = widget.visibleRegion().boundingRect()
        hint, min_hint = widget.sizeHint(), widget.minimumSizeHint()
        return {
            "class": type(widget).__name__,
            "visible": widget.isVisible(),
            "enabled": widget.isEnabled(),
            "geometry": self.rect(in_dock),  # x, y, width, height in the dock
            "width": widget.width(),
            "height": widget.height(),
            "size_hint": [hint.width(), hint.height()],
            "minimum_size_hint": [min_hint.width(), min_hint.height()],
            "shown_region": [shown.width(), shown.height()],  # smaller than the size: a parent clips it
            "inside_dock": dock.rect().contains(in_dock),
            "on_screen": QGuiApplication.primaryScreen().geometry().contains(on_screen),
            "text": widget.text() if hasattr(widget, "text") and callable(widget.text) else None,
        }

    def squeezed(self, page, dock):
        """Named widgets of ``page`` smaller than they need to be: text that would be cut off."""
        from qgis.PyQt.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QWidget

        found = []
        for widget in page.findChildren(QWidget):
            name = widget.objectName()
            if not name or getattr(dock, name, None) is not widget or not widget.isVisible():
                continue
            need = None
            if isinstance(widget, QLabel) and widget.wordWrap():
                if widget.text() and widget.heightForWidth(widget.width()) > widget.height():
                    need = [widget.width(), widget.heightForWidth(widget.width())]
            elif isinstance(widget, (QAbstractButton, QLabel)):
                hint = widget.sizeHint()
                if widget.width() < hint.width() or widget.height() < hint.height():
                    need = [hint.width(), hint.height()]
            elif isinstance(widget, (QComboBox, QLineEdit, QAbstractSpinBox)):
                hint = widget.minimumSizeHint()
                if widget.width() < hint.width() or widget.height() < hint.height():
                    need = [hint.width(), hint.height()]
            if need is not None:
                found.append({"widget": name, "size": [widget.width(), widget.height()], "needs": need})
        return found

    def table_columns(self, table):
        """Column widths of a table view against what their header and contents need; which fit in the view."""
        from qgis.PyQt.QtCore import Qt

        header = table.horizontalHeader()
        model = table.model()
        viewport = table.viewport().width()
        columns = []
        for column in range(header.count()):
            width = header.sectionSize(column)
            position = header.sectionViewportPosition(column)
            needs = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
            columns.append(
                {
                    "name": model.headerData(column, Qt.Horizontal, Qt.DisplayRole),
                    "width": width,
                    "needs": needs,
                    "too_narrow": width < needs,
                    "in_view": position >= 0 and position + width <= viewport,
                }
            )
        return {
            "viewport_width": viewport,
            "viewport_height": table.viewport().height(),
            "row_height": table.verticalHeader().defaultSectionSize(),
            "horizontal_scrollbar": table.horizontalScrollBar().isVisible(),
            "columns": columns,
        }

    def measure_page_widget(self, page):
        """measure_page for a page that the dock holds through a controller rather than as a .ui attribute."""
        self.dock()._measured_page = page
        return self.measure_page("_measured_page")

    def measure_page(self, page_name):
        """Geometry of the page's key widgets, the dock, the tab bar; named widgets that are squeezed."""
        from qgis.PyQt.QtCore import QPoint, QRect
        from qgis.PyQt.QtGui import QFontMetrics, QGuiApplication

        dock = self.dock()
        page = getattr(dock, page_name)
        bar = dock.tabs.tabBar()
        tabs = []
        for index in range(bar.count()):
            tab = bar.tabRect(index)
            tabs.append({"text": bar.tabText(index), "rect": self.rect(tab), "fully_shown": bar.rect().contains(tab)})
        screen = QGuiApplication.primaryScreen()
        main = self.iface.mainWindow()
        metrics = QFontMetrics(dock.font())
        return {
            "current_tab": dock.tabs.currentWidget().objectName(),
            "screen": self.rect(screen.geometry()),
            "logical_dpi": screen.logicalDotsPerInch(),
            "main_window": self.rect(main.geometry()),
            "map_canvas": [self.iface.mapCanvas().width(), self.iface.mapCanvas().height()],
            "dock": {
                "geometry": self.rect(QRect(dock.mapTo(main, QPoint(0, 0)), dock.size())),
                "width": dock.width(),
                "height": dock.height(),
                "minimum_size_hint": [dock.minimumSizeHint().width(), dock.minimumSizeHint().height()],
                "font_point_size": dock.font().pointSizeF(),
                "font_pixel_height": metrics.height(),
            },
            "tab_bar": {"width": bar.width(), "size_hint_width": bar.sizeHint().width(), "tabs": tabs},
            "widgets": {name: self.geometry_of(getattr(dock, name), dock) for name in KEY_WIDGETS.get(page_name, ())},
            "squeezed": self.squeezed(page, dock),
        }

    def map_state(self, gap):
        """Does the map show both ends of ``gap``, and the Temporal Controller its off and on times?"""
        from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject

        canvas = self.iface.mapCanvas()
        extent = canvas.extent()
        crs = canvas.mapSettings().destinationCrs()
        to_map = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), crs, QgsProject.instance())
        ends = [
            to_map.transform(QgsPointXY(lon, lat))
            for lon, lat in ((gap.off_lon, gap.off_lat), (gap.on_lon, gap.on_lat))
        ]
        controller = canvas.temporalController()
        window = controller.temporalExtents() if controller is not None else canvas.temporalRange()
        begin = window.begin().toSecsSinceEpoch() if window.begin().isValid() else None
        end = window.end().toSecsSinceEpoch() if window.end().isValid() else None
        return {
            "crs": crs.authid(),
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

    # Steps

    def check_loaded(self):
        import qgis.utils
        from qgis.core import Qgis, QgsApplication

        self.result["qgis_version"] = Qgis.QGIS_VERSION
        self.result["qt_platform"] = QgsApplication.platformName()
        self.result["plugin"] = {
            "in_plugins": PLUGIN in qgis.utils.plugins,
            "active": PLUGIN in qgis.utils.active_plugins,
            "active_plugins": list(qgis.utils.active_plugins),
            "available": PLUGIN in qgis.utils.available_plugins,
            "load_time": qgis.utils.plugin_times.get(PLUGIN),
            "module_file": getattr(sys.modules.get(PLUGIN), "__file__", None),
        }
        provider = QgsApplication.processingRegistry().providerById(PROVIDER_ID)
        self.result["provider"] = {
            "present": provider is not None,
            "name": provider.name() if provider else None,
            "long_name": provider.longName() if provider else None,
            "icon_ok": bool(provider and not provider.icon().isNull()),
            "algorithms": sorted(alg.id() for alg in provider.algorithms()) if provider else [],
        }
        registry = QgsApplication.processingRegistry()
        self.result["provider"]["registry_algorithms"] = [a for a in ALGORITHMS if registry.algorithmById(a)]

        def entries(menu):
            return [
                {
                    "object_name": action.objectName(),
                    "text": action.text(),
                    "enabled": action.isEnabled(),
                    "checkable": action.isCheckable(),
                    "icon_ok": not action.icon().isNull(),
                }
                for action in (menu.actions() if menu is not None else [])
                if not action.isSeparator()
            ]

        _, menu = self.bai_mei_menu()
        vector_menu = self.iface.vectorMenu()
        self.result["menu"] = {
            "vector_menu_title": vector_menu.title(),
            "vector_menu_in_menubar": vector_menu.menuAction() in self.iface.mainWindow().menuBar().actions(),
            "submenu_present": menu is not None,
            "submenu_title": menu.title() if menu is not None else None,
            "actions": entries(menu),
        }
        _, plugins_menu = self.bai_mei_menu(self.iface.pluginMenu())
        self.result["plugins_menu"] = {"submenu_present": plugins_menu is not None, "actions": entries(plugins_menu)}
        toolbar = []
        for toolbar_name, action in self.toolbar_actions(TOOLBAR_ACTION):
            toolbar.append(
                {
                    "toolbar": toolbar_name,
                    "text": action.text(),
                    "visible": action.isVisible(),
                    "checkable": action.isCheckable(),
                    "checked": action.isChecked(),
                    "icon_ok": not action.icon().isNull(),
                }
            )
        plugin_toolbar = self.iface.pluginToolBar()
        self.result["toolbar"] = {
            "present": bool(toolbar),
            "entries": toolbar,
            "in_plugin_toolbar": any(a.objectName() == TOOLBAR_ACTION for a in plugin_toolbar.actions()),
            "plugin_toolbar_visible": plugin_toolbar.isVisible(),
            # the Import AIS action is only in the Vector menu now
            "other_actions_on_toolbars": {
                name: [t for t, _ in self.toolbar_actions(name)]
                for name in ACTION_NAMES
                if name != TOOLBAR_ACTION and self.toolbar_actions(name)
            },
        }

    def screenshot_main_window(self):
        self.save("main-window", self.iface.mainWindow().grab())

    def open_vector_menu(self):
        menu_bar = self.iface.mainWindow().menuBar()
        vector_menu = self.iface.vectorMenu()
        menu_bar.setActiveAction(vector_menu.menuAction())  # opens the Vector menu as a click would
        self.result["menu"]["vector_menu_opened"] = vector_menu.isVisible()
        return 500

    def screenshot_vector_menu(self):
        vector_menu = self.iface.vectorMenu()
        menu_action, menu = self.bai_mei_menu()
        if menu is None:
            raise RuntimeError("no Bai Mei submenu in the Vector menu")
        if not vector_menu.isVisible():  # setActiveAction did not open it: open it by hand below the menu bar
            menu_bar = self.iface.mainWindow().menuBar()
            geometry = menu_bar.actionGeometry(vector_menu.menuAction())
            vector_menu.popup(menu_bar.mapToGlobal(geometry.bottomLeft()))
            self.process_events()
        vector_menu.setActiveAction(menu_action)
        geometry = vector_menu.actionGeometry(menu_action)
        menu.popup(vector_menu.mapToGlobal(geometry.topRight()))
        self.process_events(300)
        self.result["menu"]["submenu_opened"] = menu.isVisible()
        self.save("vector-menu", self.grab_screen())
        menu.hide()
        vector_menu.hide()
        self.process_events()

    def open_toolbox(self):
        import qgis.utils

        processing = qgis.utils.plugins.get("processing")
        toolbox = getattr(processing, "toolbox", None)
        info = {"available": toolbox is not None}
        self.result["toolbox"] = info
        if toolbox is None:
            return
        action = getattr(processing, "toolboxAction", None)
        if action is not None:
            action.setChecked(True)
        toolbox.setVisible(True)
        toolbox.raise_()
        toolbox.searchBox.setText(MENU_TITLE)
        info["opened"] = toolbox.isVisible()
        return 800

    def screenshot_toolbox(self):
        toolbox = self.toolbox()
        if toolbox is None:
            return
        tree = toolbox.algorithmTree
        tree.expandAll()
        model = tree.model()

        def texts(parent):
            found = []
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                found.append(model.data(index))
                found.extend(texts(index))
            return found

        from qgis.PyQt.QtCore import QModelIndex

        self.result["toolbox"]["filtered_items"] = [t for t in texts(QModelIndex()) if t]
        self.process_events(200)
        self.save("processing-toolbox", self.iface.mainWindow().grab())

    def open_algorithm_dialog(self):
        """Triggers Vector > Bai Mei > Import AIS file…: the plugin opens the Processing dialog (exec_ blocks)."""
        from qgis.PyQt.QtCore import QTimer
        from qgis.PyQt.QtWidgets import QApplication, QDialog

        _, menu = self.bai_mei_menu()
        action = next((a for a in menu.actions() if a.objectName() == DIALOG_ACTION), None) if menu else None
        info = {"opened": False, "from": "Vector > Bai Mei menu"}
        self.result["algorithm_dialog"] = info
        if action is None:
            raise RuntimeError(f"no action {DIALOG_ACTION} in the Vector > {MENU_TITLE} menu")
        started = time.time()

        def grab_and_close(attempt=0):
            # Processing's algorithm dialog runs exec_() but is not modal: look for any visible top-level dialog.
            dialogs = [w for w in QApplication.topLevelWidgets() if w.isVisible() and isinstance(w, QDialog)]
            if not dialogs and attempt < 80:
                QTimer.singleShot(250, lambda: grab_and_close(attempt + 1))
                return
            for dialog in dialogs:
                info.update(opened=True, title=dialog.windowTitle(), type=type(dialog).__name__)
                dialog.raise_()
                self.process_events(500)
                self.save("import-ais-dialog", self.grab_screen())
                dialog.reject()
            self.state.expected_dialog = False

        self.state.expected_dialog = True
        QTimer.singleShot(1000, grab_and_close)
        action.trigger()  # returns once the dialog is closed
        info["returned_after_s"] = round(time.time() - started, 2)
        self.state.expected_dialog = False

    def close_toolbox(self):
        """Back to QGIS's default layout before the dock opens (the toolbox would share the right dock area)."""
        toolbox = self.toolbox()
        if toolbox is not None:
            toolbox.searchBox.setText("")
            toolbox.setVisible(False)

    # The dock walkthrough

    def open_dock(self):
        from qgis.PyQt.QtCore import Qt

        entries = self.toolbar_actions(DOCK_ACTION)
        info = {"found": False}
        self.result["dock"] = info
        if not entries:
            raise RuntimeError(f"no toolbar action {DOCK_ACTION}")
        action = entries[0][1]
        action.trigger()  # as a click on the toolbar button
        self.process_events(300)
        dock = self.dock()
        info.update(action_checked=action.isChecked(), found=dock is not None)
        if dock is None:
            raise RuntimeError(f"no {DOCK_NAME} in the main window after triggering {DOCK_ACTION}")
        main = self.iface.mainWindow()
        info.update(
            visible=dock.isVisible(),
            floating=dock.isFloating(),
            right_area=main.dockWidgetArea(dock) == Qt.RightDockWidgetArea,
            title=dock.windowTitle(),
            width=dock.width(),
            height=dock.height(),
        )
        return 500

    def load_scenario(self):
        """Choose the scenario with the dock's file widget and click Load; wait for the loading task to end."""
        dock = self.dock()
        info = {"path": self.scenario}
        self.result["load"] = info
        dock.tabs.setCurrentWidget(dock.tracksPage)
        if not dock.fileRadio.isChecked():
            dock.fileRadio.click()
        dock.fileWidget.setFilePath(self.scenario)
        self.process_events(300)
        info.update(
            file_path=dock.fileWidget.filePath(),
            format_label=dock.formatLabel.text(),
            format_recognised=DMA_FORMAT in dock.formatLabel.text(),
            mapping_shown=dock.mappingGroup.isVisible(),
            load_enabled=dock.loadButton.isEnabled(),
        )
        dock.loadButton.click()
        info["task_started"] = dock.tracks.task is not None
        info["progress_bar_shown"] = dock.progressBar.isVisible()
        # the task ends either way; whether it loaded is checked next
        return Until("the scenario to load", lambda: dock.tracks.task is None, self.load_timeout_s, then_ms=200)

    def wait_for_map(self):
        """Lets the map render: no canvas drawing and no background task for a moment, at most 20 s."""
        from qgis.core import QgsApplication

        canvas = self.iface.mapCanvas()
        started = time.time()

        def idle():
            busy = canvas.isDrawing() or QgsApplication.taskManager().countActiveTasks()
            return time.time() - started > 0.8 and not busy

        return Until(f"the map to render ({len(self.result['waits'])})", idle, 20, then_ms=1200)

    def screenshot_loaded(self):
        dock = self.dock()
        info = self.result["load"]
        result = dock.session.result
        info.update(
            loaded=result is not None,
            load_s=self.result["waits"].get("the scenario to load", {}).get("s"),
            summary=dock.summaryLabel.text(),
            gap_rows=dock.gaps.model.rowCount(),
            gap_rows_shown=dock.gaps.proxy.rowCount(),
            gap_count_label=dock.gapCountLabel.text(),
            vessels=len(dock.session.vessels),
            layers={layer.name(): layer.featureCount() for layer in dock.session.layers()},
            tab_after_load=dock.tabs.currentWidget().objectName(),
        )
        self.save("dock-loaded", self.grab_screen())

    def tracks_page(self):
        dock = self.dock()
        dock.tabs.setCurrentWidget(dock.tracksPage)
        self.process_events(300)
        self.result["layout"]["tracksPage"] = self.measure_page("tracksPage")
        self.save("dock-tracks", self.grab_screen())

    def select_first_gap(self):
        """Gaps page: type "BAI MEI" in the filter, sort by off time ascending, select the first row."""
        from qgis.PyQt.QtCore import Qt

        try:
            from qgis.PyQt.QtTest import QTest
        except ImportError:
            from PyQt5.QtTest import QTest

        dock = self.dock()
        dock.tabs.setCurrentWidget(dock.gapsPage)
        self.process_events(200)
        dock.filterEdit.setFocus()
        dock.filterEdit.clear()
        QTest.keyClicks(dock.filterEdit, "BAI MEI")
        proxy = dock.gaps.proxy
        column = next(c for c in range(proxy.columnCount()) if proxy.headerData(c, Qt.Horizontal) == "Off (UTC)")
        dock.gapTable.sortByColumn(column, Qt.AscendingOrder)
        dock.gapTable.selectRow(0)
        self.process_events(200)
        gap = dock.gaps.selected_gap()
        info = {
            "filter_text": dock.filterEdit.text(),
            "rows_shown": proxy.rowCount(),
            "gap_count_label": dock.gapCountLabel.text(),
            "sorted_by": proxy.headerData(dock.gapTable.horizontalHeader().sortIndicatorSection(), Qt.Horizontal),
            "ascending": dock.gapTable.horizontalHeader().sortIndicatorOrder() == Qt.AscendingOrder,
            "shown_vessels": sorted({proxy.record(proxy.index(r, 0)).mmsi for r in range(proxy.rowCount())}),
            "gap": None,
        }
        self.result["selected_gap"] = info
        if gap is None:
            raise RuntimeError("no gap selected after selectRow(0)")
        info["gap"] = {
            key: getattr(gap, key, None)
            for key in (
                "gap_id",
                "mmsi",
                "vessel_name",
                "off_time",
                "on_time",
                "off_lat",
                "off_lon",
                "on_lat",
                "on_lon",
                "gap_hours",
                "distance_nm",
                "destination_before",
                "destination_after",
            )
        }
        self.gap = gap
        return self.wait_for_map()

    def wait_gap_details(self):
        """The Selected gap box works out the gap's reachable sea and candidate ports in the background."""
        details = self.dock().gaps.details
        return Until("the selected gap's reachable sea", lambda: details.task is None and not details.timer.isActive(),
                     60, then_ms=800)

    def screenshot_gap(self):
        dock = self.dock()
        info = self.result["selected_gap"]
        details = dock.gaps.details
        info["details"] = {
            "text": details.label.text(),
            "level": details.suspicion.level if details.suspicion else None,
            "candidates": [[v.locode, round(v.max_dwell_hours_sea or v.max_dwell_hours, 1)]
                           for v in (details.visits or [])],
            "layers": sorted(dock.session.extra),
            "box_visible": details.group.isVisible(),
            "table_height": dock.gapTable.height(),
        }
        info["criteria_folded_at_start"] = dock.criteriaGroup.isCollapsed()
        dock.criteriaGroup.setCollapsed(False)  # unfolded, to measure every widget of the page
        self.process_events(400)
        info["map"] = self.map_state(self.gap)
        selected = dock.session.gaps_layer.selectedFeatures() if dock.session.gaps_layer else []
        info["selected_on_map"] = [f["gap_id"] for f in selected]
        layout = self.measure_page("gapsPage")
        layout["gap_table"] = self.table_columns(dock.gapTable)
        self.result["layout"]["gapsPage"] = layout
        self.save("dock-bai-mei-8-gap-criteria", self.grab_screen())
        # as an analyst would once the criteria are set: fold them away, leaving room for the selected gap
        dock.criteriaGroup.setCollapsed(True)
        self.process_events(400)
        info["details"].update(folded_table_height=dock.gapTable.height(),
                               folded_box_height=details.group.height(),
                               folded_text_fits=details.label.height() <= details.scroll.viewport().height())
        self.save("dock-bai-mei-8-gap", self.grab_screen())
        dock.criteriaGroup.setCollapsed(False)
        self.process_events(200)

    def preset_list(self):
        """Does every preset's text fit the closed Preset combo and its open list? Screenshot of the open list."""
        from qgis.PyQt.QtWidgets import QStyle, QStyleOptionComboBox

        combo = self.dock().presetCombo
        option = QStyleOptionComboBox()
        option.initFrom(combo)
        option.frame = True
        field = combo.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, combo)
        metrics = combo.fontMetrics()
        combo.showPopup()
        self.process_events(400)
        view = combo.view()
        list_width = view.viewport().width()
        presets = []
        for index in range(combo.count()):
            text = combo.itemText(index)
            needs = metrics.horizontalAdvance(text)
            presets.append(
                {
                    "text": text,
                    "text_width": needs,
                    "fits_closed_combo": needs <= field.width(),
                    "fits_open_list": needs + 2 * view.spacing() + 8 <= list_width,
                }
            )
        self.result["layout"]["preset_combo"] = {
            "combo_width": combo.width(),
            "text_field_width": field.width(),
            "popup_visible": view.isVisible(),
            "list_width": list_width,
            "presets": presets,
        }
        self.save("dock-preset-list", self.grab_screen())
        combo.hidePopup()
        self.process_events(200)

    def imagery_search(self):
        """Imagery page: the bundled catalogue (static source) over the map zoomed to Nampo, in the gap's window."""
        from qgis.core import (
            QgsCoordinateReferenceSystem,
            QgsCoordinateTransform,
            QgsProject,
            QgsRectangle,
        )

        dock = self.dock()
        dock.tabs.setCurrentWidget(dock.imageryPage)
        dock.imageryTabs.setCurrentWidget(dock.imagerySearchPage)
        dock.imagerySourceCombo.setCurrentText("Static catalogue (file or URL)")
        canvas = self.iface.mapCanvas()
        nampo = QgsRectangle(124.6, 38.3, 125.7, 39.1)  # Nampo and its anchorage, as an analyst would zoom
        to_map = QgsCoordinateTransform(
            QgsCoordinateReferenceSystem("EPSG:4326"), canvas.mapSettings().destinationCrs(), QgsProject.instance()
        )
        canvas.setExtent(to_map.transformBoundingBox(nampo))
        canvas.refresh()
        dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData("extent"))
        self.process_events(300)
        start, end = dock.imagery.form.window()
        info = {
            "source": dock.imagerySourceCombo.currentText(),
            "url": dock.imageryUrlCombo.currentText(),
            "window": [start, end],
            "window_covers_gap": bool(self.gap and start <= self.gap.off_time and end >= self.gap.on_time),
            "aoi": dock.imageryAoiLabel.text(),
        }
        self.result["imagery"] = info
        return self.wait_for_map()

    def imagery_run(self):
        """Measure and take the Search page, then click Search and wait for the background search."""
        dock = self.dock()
        self.result["layout"]["imagerySearchPage"] = self.measure_page("imagerySearchPage")
        self.save("dock-imagery-search", self.grab_screen())
        dock.imagerySearchButton.click()
        self.result["imagery"]["task_started"] = dock.imagery.task is not None
        return Until("the imagery search", lambda: dock.imagery.task is None, 30, then_ms=300)

    def imagery_select_scene(self):
        """The results: which scenes, where the layer went; select the first scene taken while the ship was dark."""
        dock = self.dock()
        info = self.result["imagery"]
        results = dock.imagery.results
        layer = results.layer
        group = dock.session.group
        info.update(
            status=dock.imageryStatusLabel.text(),
            found=[r.footprint.item_id for r in results.order],
            dark=[r.footprint.item_id for r in results.order if r.in_gap_window],
            rows=results.proxy.rowCount(),
            features=layer.featureCount() if layer is not None else None,
            layer_name=layer.name() if layer is not None else None,
            in_session_group=bool(layer is not None and group is not None and group.findLayer(layer.id())),
            temporal=bool(layer is not None and layer.temporalProperties().isActive()),
            current_subtab=dock.imageryTabs.currentWidget().objectName(),
            timeline_ticks=len(results.timeline.ticks),
            timeline_windows=len(results.timeline.windows),
        )
        proxy = results.proxy
        row = next((r for r in range(proxy.rowCount()) if proxy.record(proxy.index(r, 0)).in_gap_window), 0)
        if results.proxy.rowCount():
            dock.imageryResultTable.selectRow(row)
            chosen = results.selected()
            info["selected"] = chosen.footprint.item_id if chosen is not None else None
            info["selected_on_map"] = [f["item_id"] for f in layer.getSelectedFeatures()]
        return self.wait_for_map()

    def screenshot_imagery(self):
        dock = self.dock()
        layout = self.measure_page("imageryResultsPage")
        layout["result_table"] = self.table_columns(dock.imageryResultTable)
        self.result["layout"]["imageryResultsPage"] = layout
        self.save("dock-imagery", self.grab_screen())

    # Analysis and Annotate: where could it have gone, and who is the ship on the image?

    def analysis_reach(self):
        """Analysis page: the reachable sea and candidate ports of the selected (June) gap."""
        dock = self.dock()
        dock.tabs.setCurrentWidget(dock.analysis.page)
        dock.analysis.page.reachButton.click()
        self.result["analysis"] = {"task_started": dock.analysis.task is not None}
        return Until("the reachability task", lambda: dock.analysis.task is None, 60, then_ms=800)

    def screenshot_analysis(self):
        dock = self.dock()
        proxy = dock.analysis.proxy
        ports = [proxy.record(proxy.index(r, 0)) for r in range(proxy.rowCount())]
        self.result["analysis"].update(
            ports=[[p.locode, round(p.max_dwell_hours, 1)] for p in ports],
            layers=sorted(dock.session.extra),
            label=dock.analysis.page.analysisLabel.text(),
        )
        self.result["layout"]["analysisPage"] = self.measure_page_widget(dock.analysis.page)
        self.save("dock-analysis", self.grab_screen())

    def nampo_pixel(self, lon=125.15, lat=38.70):
        from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject
        from qgis.PyQt.QtCore import QPoint

        canvas = self.iface.mapCanvas()
        to_map = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                        canvas.mapSettings().destinationCrs(), QgsProject.instance())
        p = canvas.getCoordinateTransform().transform(to_map.transform(QgsPointXY(lon, lat)))
        return QPoint(round(p.x()), round(p.y()))

    def annotate_mark(self):
        """Annotate page: a new sightings layer, then Mark vessel and a real click on the ship at Nampo."""
        from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsRectangle
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtTest import QTest

        dock = self.dock()
        dock.tabs.setCurrentWidget(dock.annotate.page)
        path = os.path.join(self.screenshot_dir, "sightings.gpkg")
        if os.path.exists(path):
            os.remove(path)  # left by an earlier run of this test
        layer = dock.annotate.create_layer(path)
        info = {"layer": layer is not None}
        self.result["annotate"] = info
        canvas = self.iface.mapCanvas()
        box = QgsRectangle(125.140, 38.695, 125.160, 38.705)  # about 1.7 km across: a ship is many pixels long
        to_map = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                        canvas.mapSettings().destinationCrs(), QgsProject.instance())
        canvas.setExtent(to_map.transformBoundingBox(box))
        canvas.refresh()
        self.process_events(500)
        dock.annotate.page.markButton.click()
        info["mark_tool_active"] = canvas.mapTool() is dock.annotate.mark_tool
        QTest.mouseClick(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, self.nampo_pixel())
        self.process_events(800)
        info["sightings"] = layer.featureCount() if layer is not None else 0
        self.save("sighting-form", self.grab_screen())
        return 300

    def annotate_fill_form(self):
        """Fill the sighting's form as the analyst would (the QGIS attribute form the Mark tool opened) and save."""
        info = self.result["annotate"]
        dialog = self.dock().annotate.form_dialog
        info["form_opened"] = bool(dialog is not None and dialog.isVisible())
        info["form_title"] = dialog.windowTitle() if dialog is not None else None
        if not info["form_opened"]:
            return None
        form = dialog.attributeForm()
        from qgis.PyQt.QtWidgets import QTabWidget

        info["form_tabs"] = [tabs.tabText(i) for tabs in form.findChildren(QTabWidget) for i in range(tabs.count())]
        values = {"hatch_count": 5, "crane_count": 4, "crane_type": "jib cranes", "hull_colour": "black",
                  "deck_colour": "red", "superstructure_colour": "white", "superstructure_position": "aft",
                  "bow_type": "bulbous", "activity": "loading", "cargo_visible": "coal", "draught_state": "laden",
                  "confidence": "medium", "analyst": "desktop test"}
        for name, value in values.items():
            form.changeAttribute(name, value)
        self.process_events(200)
        dialog.accept()
        return 800

    def annotate_measure(self):
        """Measure hull: drag from bow to stern on the image."""
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtTest import QTest

        dock = self.dock()
        canvas = self.iface.mapCanvas()
        dock.annotate.page.measureButton.click()
        info = self.result["annotate"]
        info["measure_tool_active"] = canvas.mapTool() is dock.annotate.measure_tool
        bow, stern = self.nampo_pixel(125.1510, 38.7000), self.nampo_pixel(125.1490, 38.7000)
        QTest.mousePress(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, bow)
        QTest.mouseMove(canvas.viewport(), stern)
        QTest.mouseRelease(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, stern)
        self.process_events(500)
        layer = dock.annotate.layer()
        feature = next(layer.getFeatures(), None) if layer is not None else None
        if feature is not None:
            info["saved"] = {name: (feature[name].toString("yyyy-MM-ddTHH:mm:ss") if hasattr(feature[name], "toString")
                                    else feature[name])
                             for name in ("sighting_id", "observed_at", "image_id", "hatch_count", "crane_count",
                                          "hull_colour", "length_m", "heading_deg")}
        return 300

    def annotate_identify(self):
        dock = self.dock()
        dock.annotate.page.identifyButton.click()
        return Until("the identification", lambda: dock.annotate.task is None, 60, then_ms=500)

    def screenshot_annotate(self):
        dock = self.dock()
        proxy = dock.annotate.proxy
        ranked = [proxy.record(proxy.index(r, 0)) for r in range(proxy.rowCount())]
        self.result["annotate"]["ranked"] = [[c.rank, c.name, c.mmsi, c.spacetime_status] for c in ranked]
        if ranked:
            dock.annotate.page.candidateRankTable.selectRow(0)
        self.process_events(300)
        self.result["annotate"]["reasons"] = dock.annotate.page.reasonsLabel.text()
        self.result["layout"]["annotatePage"] = self.measure_page_widget(dock.annotate.page)
        self.save("dock-annotate", self.grab_screen())

    def show_vessel(self):
        """Vessels page: select the Bai Mei 8 and click "Show only this vessel"."""
        dock = self.dock()
        dock.tabs.setCurrentWidget(dock.vesselsPage)
        self.process_events(200)
        proxy = dock.vessels.proxy
        row = next((r for r in range(proxy.rowCount()) if proxy.record(proxy.index(r, 0)).mmsi == self.mmsi), -1)
        info = {"row": row, "rows": proxy.rowCount()}
        self.result["vessel"] = info
        if row < 0:
            raise RuntimeError(f"MMSI {self.mmsi} is not in the vessel table")
        dock.vesselTable.selectRow(row)
        dock.vesselTable.scrollTo(proxy.index(row, 0))
        vessel = dock.vessels.selected_vessel()
        info["selected_mmsi"] = vessel.mmsi if vessel is not None else None
        info["selected_name"] = getattr(vessel, "name", None)
        info["first_seen"] = getattr(vessel, "first_seen", None)
        info["last_seen"] = getattr(vessel, "last_seen", None)
        dock.showVesselButton.click()
        info["subsets"] = {layer.name(): layer.subsetString() for layer in dock.session.layers()}
        info["features"] = {layer.name(): layer.featureCount() for layer in dock.session.layers()}
        return self.wait_for_map()

    def screenshot_vessels(self):
        dock = self.dock()
        layout = self.measure_page("vesselsPage")
        layout["vessel_table"] = self.table_columns(dock.vesselTable)
        self.result["layout"]["vesselsPage"] = layout
        info = self.result["vessel"]
        canvas = self.iface.mapCanvas()
        window = canvas.temporalController().temporalExtents()
        begin, end = window.begin().toSecsSinceEpoch(), window.end().toSecsSinceEpoch()
        extent = dock.session.tracks_layer.extent()  # the vessel's track, filtered
        info["map"] = {
            "temporal_begin": begin,
            "temporal_end": end,
            # the time filter left by the selected gap may hide most of the vessel's voyage
            "temporal_covers_vessel": begin <= info["first_seen"] and end >= info["last_seen"],
            "extent_contains_track": canvas.extent().contains(extent),
        }
        self.save("dock-vessels", self.grab_screen())
        dock.showAllButton.click()
        info["subsets_after_show_all"] = {layer.name(): layer.subsetString() for layer in dock.session.layers()}
        info["features_after_show_all"] = {layer.name(): layer.featureCount() for layer in dock.session.layers()}

    # Unloading

    def unload(self):
        import qgis.utils

        toolbox = self.toolbox()
        if toolbox is not None:
            toolbox.searchBox.setText("")
        self.result["unload"] = {
            "dock_before": self.dock() is not None,
            "returned": bool(qgis.utils.unloadPlugin(PLUGIN)),
        }
        return 800  # let deleteLater() run

    def check_unloaded(self):
        import qgis.utils
        from qgis.core import QgsApplication
        from qgis.PyQt.QtWidgets import QAction, QApplication, QDockWidget

        self.process_events(200)
        registry = QgsApplication.processingRegistry()
        main = self.iface.mainWindow()
        leftover_actions = [a.objectName() for a in main.findChildren(QAction) if a.objectName() in ACTION_NAMES]
        # any widget still called BaiMeiDock that is shown or still belongs to the main window
        leftover_docks = [
            {"class": type(w).__name__, "visible": w.isVisible(), "in_main_window": main.isAncestorOf(w)}
            for w in QApplication.allWidgets()
            if w.objectName() == DOCK_NAME and (w.isVisible() or main.isAncestorOf(w))
        ]
        self.result["unload"].update(
            {
                "provider_removed": registry.providerById(PROVIDER_ID) is None,
                "algorithms_removed": all(registry.algorithmById(a) is None for a in ALGORITHMS),
                "submenu_removed": self.bai_mei_menu()[1] is None,
                "plugins_submenu_removed": self.bai_mei_menu(self.iface.pluginMenu())[1] is None,
                "toolbar_action_removed": not self.toolbar_actions(TOOLBAR_ACTION),
                "leftover_toolbar_actions": {
                    n: [t for t, _ in self.toolbar_actions(n)] for n in ACTION_NAMES if self.toolbar_actions(n)
                },
                "leftover_menu_actions": {n: self.menu_paths(n) for n in ACTION_NAMES if self.menu_paths(n)},
                "leftover_actions": leftover_actions,
                "dock_removed": main.findChild(QDockWidget, DOCK_NAME) is None and not leftover_docks,
                "leftover_docks": leftover_docks,
                "not_in_plugins": PLUGIN not in qgis.utils.plugins,
                "not_active": PLUGIN not in qgis.utils.active_plugins,
                "modules_left": sorted(m for m in sys.modules if m == PLUGIN or m.startswith(PLUGIN + ".")),
            }
        )
        self.save("after-unload", self.grab_screen())

    # End

    def errors(self):
        """Python errors: uncaught exceptions, and error messages in the log for Python or Bai Mei."""
        errors = list(self.state.exceptions)
        for entry in self.state.messages:
            tag, level, message = entry["tag"], entry["level"], entry["message"]
            if tag not in ERROR_TAGS:
                continue
            # QGIS logs uncaught Python exceptions as "Python error" at Warning level, plugin import errors at
            # Critical; Python warnings count when they come from the plugin's code.
            if tag == "Python error" or level >= 2 or PLUGIN in message:
                errors.append(f"[{tag}] {message}")
        return errors

    def open_dialogs(self):
        """Dialogs still open at the end (non-modal ones, e.g. an error report, never block and are found here)."""
        from qgis.PyQt.QtWidgets import QApplication, QDialog

        return [
            {"class": type(w).__name__, "title": w.windowTitle(), "text": _widget_text(w), "still_open": True}
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and isinstance(w, QDialog)
        ]

    def finish(self):
        from qgis.core import QgsApplication, QgsProject

        if self.state.finished:
            return
        self.state.finished = True
        self.result["python_errors"] = self.errors()
        self.result["unexpected_dialogs"] = list(self.state.dialogs) + self.open_dialogs()
        self.result["script_errors"] = list(self.state.script_errors)
        self.result["log"] = [m for m in self.state.messages if m["tag"] in ERROR_TAGS or m["level"] >= 1]
        self.result["elapsed_s"] = round(time.time() - self.state.started, 2)
        tmp = self.result_path + ".part"
        with open(tmp, "w", encoding="utf-8") as stream:
            json.dump(self.result, stream, indent=2, default=str)
        os.replace(tmp, self.result_path)
        _event("finished")
        QgsProject.instance().setDirty(False)  # no "save project?" question on the way out
        QgsApplication.exit(0)


def run_checks():
    state = _state()
    if state.checks_started:
        return
    state.checks_started = True
    install_early_hooks()  # in case PYQGIS_STARTUP was not honoured
    from qgis.utils import iface

    check = DesktopCheck(iface)
    state.keep.append(check)
    _event("checks-start")
    check.start()


def _main():
    utils = sys.modules.get("qgis.utils")
    if utils is not None and getattr(utils, "iface", None) is not None:
        run_checks()  # --code: QGIS is up
    else:
        install_early_hooks()  # PYQGIS_STARTUP: before plugins load


try:
    _main()
except Exception:  # never leave QGIS running: write what we know and quit
    _text = traceback.format_exc()
    sys.stderr.write("[baimei-desktop-check] failed:\n" + _text)
    _event("script-error", step="main", text=_text)
    if os.environ.get("BAIMEI_DESKTOP_RESULT") and _state().checks_started:
        from qgis.core import QgsApplication

        with open(os.environ["BAIMEI_DESKTOP_RESULT"], "w", encoding="utf-8") as _stream:
            json.dump({"script_errors": [_text]}, _stream)
        QgsApplication.exit(1)
