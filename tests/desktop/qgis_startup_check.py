"""Runs inside the real QGIS desktop application for tests/desktop/test_desktop.py; not a pytest module.

QGIS executes this file twice, both times with ``exec`` in ``__main__``:

1. early, through the ``PYQGIS_STARTUP`` environment variable, before any plugin is loaded: it starts recording
   the message log and closes (and records) any modal dialog, such as QGIS's Python error dialog, that would
   otherwise block the start forever;
2. through ``--code`` once the main window is up: it checks what the Bai Mei plugin added, takes screenshots,
   opens the "Import AIS file" dialog from the toolbar action, unloads the plugin, checks that everything is gone,
   writes the results as JSON to ``$BAIMEI_DESKTOP_RESULT`` and quits QGIS.

Environment: ``BAIMEI_DESKTOP_RESULT`` (JSON file to write), ``BAIMEI_DESKTOP_SCREENSHOTS`` (folder for the PNGs),
``BAIMEI_DESKTOP_EVENTS`` (optional JSON-lines file: every log message and dialog as it happens, for when QGIS
hangs or crashes before the JSON is written), ``BAIMEI_DESKTOP_SETTLE_MS`` (how long to let the GUI settle).
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
ACTION_NAMES = ("baimei_importais", "baimei_detectgaps")
TOOLBAR_ACTION = "baimei_importais"
ERROR_TAGS = ("Python error", "Python warning", "Bai Mei")
STATE_MODULE = "_baimei_desktop_check_state"
WATCHDOG_MS = 120_000


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


class DesktopCheck:
    def __init__(self, iface):
        self.iface = iface
        self.state = _state()
        self.result_path = os.environ["BAIMEI_DESKTOP_RESULT"]
        self.screenshot_dir = os.environ.get("BAIMEI_DESKTOP_SCREENSHOTS") or os.path.dirname(self.result_path)
        os.makedirs(self.screenshot_dir, exist_ok=True)
        self.settle_ms = int(os.environ.get("BAIMEI_DESKTOP_SETTLE_MS", "2500"))
        self.result = {"screenshots": {}, "steps": []}
        self.steps = [
            self.check_loaded,
            self.screenshot_main_window,
            self.open_vector_menu,
            self.screenshot_vector_menu,
            self.open_toolbox,
            self.screenshot_toolbox,
            self.open_algorithm_dialog,
            self.unload,
            self.check_unloaded,
        ]

    # Step machinery: every step runs from the event loop (QTimer.singleShot), so the GUI repaints in between and
    # nothing ever sleeps in the GUI thread. A failing step is recorded and the remaining steps still run.

    def start(self):
        from qgis.PyQt.QtCore import QTimer
        from qgis.PyQt.QtGui import QGuiApplication

        sys.excepthook = _excepthook  # QGIS installed its own hook after the early one
        main_window = self.iface.mainWindow()
        # No window manager under Xvfb: place the window over the whole screen ourselves.
        main_window.setGeometry(QGuiApplication.primaryScreen().geometry())
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

        if not self.steps:
            QTimer.singleShot(delay_ms, self.finish)
            return
        step = self.steps.pop(0)

        def run():
            wait = 300
            try:
                started = time.time()
                wait = step() or wait
                self.result["steps"].append({"step": step.__name__, "ok": True, "s": round(time.time() - started, 2)})
            except Exception:  # recorded and reported by the test
                text = traceback.format_exc()
                self.state.script_errors.append(f"{step.__name__}: {text}")
                self.result["steps"].append({"step": step.__name__, "ok": False, "error": text})
                _event("script-error", step=step.__name__, text=text)
            self.next_step(wait)

        QTimer.singleShot(delay_ms, run)

    def watchdog(self):
        if not self.state.finished:
            self.state.script_errors.append(f"watchdog: the checks did not finish within {WATCHDOG_MS / 1000:.0f} s")
            self.finish()

    # Helpers

    def bai_mei_menu(self):
        """(action, menu) of the "Bai Mei" submenu of the Vector menu, or (None, None)."""
        for action in self.iface.vectorMenu().actions():
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

        menu_action, menu = self.bai_mei_menu()
        entries = []
        if menu is not None:
            for action in menu.actions():
                entries.append(
                    {
                        "object_name": action.objectName(),
                        "text": action.text(),
                        "enabled": action.isEnabled(),
                        "icon_ok": not action.icon().isNull(),
                    }
                )
        vector_menu = self.iface.vectorMenu()
        self.result["menu"] = {
            "vector_menu_title": vector_menu.title(),
            "vector_menu_in_menubar": vector_menu.menuAction() in self.iface.mainWindow().menuBar().actions(),
            "submenu_present": menu is not None,
            "submenu_title": menu.title() if menu is not None else None,
            "actions": entries,
        }
        toolbar = []
        for toolbar_name, action in self.toolbar_actions(TOOLBAR_ACTION):
            toolbar.append(
                {
                    "toolbar": toolbar_name,
                    "text": action.text(),
                    "visible": action.isVisible(),
                    "icon_ok": not action.icon().isNull(),
                }
            )
        plugin_toolbar = self.iface.pluginToolBar()
        self.result["toolbar"] = {
            "present": bool(toolbar),
            "entries": toolbar,
            "in_plugin_toolbar": any(a.objectName() == TOOLBAR_ACTION for a in plugin_toolbar.actions()),
            "plugin_toolbar_visible": plugin_toolbar.isVisible(),
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

    def process_events(self, ms=100):
        from qgis.PyQt.QtCore import QCoreApplication, QEventLoop

        end = time.time() + ms / 1000
        while time.time() < end:
            QCoreApplication.processEvents(QEventLoop.AllEvents, 50)

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

    def toolbox(self):
        import qgis.utils

        return getattr(qgis.utils.plugins.get("processing"), "toolbox", None)

    def open_algorithm_dialog(self):
        """Clicks the toolbar button: the plugin opens the Processing dialog (exec_ blocks); screenshot and close it."""
        from qgis.PyQt.QtCore import QTimer
        from qgis.PyQt.QtWidgets import QApplication, QDialog

        entries = self.toolbar_actions(TOOLBAR_ACTION)
        info = {"opened": False}
        self.result["algorithm_dialog"] = info
        if not entries:
            raise RuntimeError(f"no toolbar action {TOOLBAR_ACTION}")
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
        entries[0][1].trigger()  # returns once the dialog is closed
        info["returned_after_s"] = round(time.time() - started, 2)
        self.state.expected_dialog = False

    def unload(self):
        import qgis.utils

        toolbox = self.toolbox()
        if toolbox is not None:
            toolbox.searchBox.setText("")
        self.result["unload"] = {"returned": bool(qgis.utils.unloadPlugin(PLUGIN))}
        return 800  # let deleteLater() run

    def check_unloaded(self):
        import qgis.utils
        from qgis.core import QgsApplication
        from qgis.PyQt.QtWidgets import QAction

        registry = QgsApplication.processingRegistry()
        leftover_actions = [
            a.objectName() for a in self.iface.mainWindow().findChildren(QAction) if a.objectName() in ACTION_NAMES
        ]
        self.result["unload"].update(
            {
                "provider_removed": registry.providerById(PROVIDER_ID) is None,
                "algorithms_removed": all(registry.algorithmById(a) is None for a in ALGORITHMS),
                "submenu_removed": self.bai_mei_menu()[1] is None,
                "toolbar_action_removed": not self.toolbar_actions(TOOLBAR_ACTION),
                "leftover_actions": leftover_actions,
                "not_in_plugins": PLUGIN not in qgis.utils.plugins,
                "not_active": PLUGIN not in qgis.utils.active_plugins,
                "modules_left": sorted(m for m in sys.modules if m == PLUGIN or m.startswith(PLUGIN + ".")),
            }
        )
        self.save("after-unload", self.iface.mainWindow().grab())

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
