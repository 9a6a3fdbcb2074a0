"""What the plugin adds to QGIS at start: the plugin itself, its Processing provider, the toolbar button, the Vector
and Plugins menu entries, the Processing toolbox, and the Import AIS dialog opened from the Vector menu."""

import os
import sys
import time

from .base import Step
from .context import ACTION_NAMES, ALGORITHMS, MENU_TITLE, PLUGIN, PROVIDER_ID, TOOLBAR_ACTION

DIALOG_ACTION = "baimei_importais"  # opened from the Vector > Bai Mei menu


def _is_inside(path, folder):
    if not path or not folder:
        return False
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([path, folder]) == folder


# plugin_loaded


def read_plugin(ctx):
    import qgis.utils
    from qgis.core import Qgis, QgsApplication

    ctx.result["qgis_version"] = Qgis.QGIS_VERSION
    ctx.result["qt_platform"] = QgsApplication.platformName()
    ctx.result["plugin"] = {
        "in_plugins": PLUGIN in qgis.utils.plugins,
        "active": PLUGIN in qgis.utils.active_plugins,
        "active_plugins": list(qgis.utils.active_plugins),
        "available": PLUGIN in qgis.utils.available_plugins,
        "load_time": qgis.utils.plugin_times.get(PLUGIN),
        "module_file": getattr(sys.modules.get(PLUGIN), "__file__", None),
    }
    return 0


def screenshot_main_window(ctx):
    ctx.save("main-window", ctx.iface.mainWindow().grab())


def check_plugin(ctx, c):
    plugin = ctx.result["plugin"]
    c.that(plugin["in_plugins"] and plugin["active"], f"plugin not loaded: {plugin}")
    # the installed copy in the throwaway profile, not the repository
    c.that(
        ctx.profile is None or _is_inside(plugin["module_file"], ctx.profile),
        f"the plugin was imported from {plugin['module_file']}, not from the profile {ctx.profile}",
    )


def plugin_ready(ctx):
    plugin = ctx.result["plugin"]
    return None if plugin["in_plugins"] and plugin["active"] else "the plugin is not loaded"


# processing_provider


def read_provider(ctx):
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    provider = registry.providerById(PROVIDER_ID)
    ctx.result["provider"] = {
        "present": provider is not None,
        "name": provider.name() if provider else None,
        "long_name": provider.longName() if provider else None,
        "icon_ok": bool(provider and not provider.icon().isNull()),
        "algorithms": sorted(alg.id() for alg in provider.algorithms()) if provider else [],
        "registry_algorithms": [a for a in ALGORITHMS if registry.algorithmById(a)],
    }
    return 0


def check_provider(ctx, c):
    provider = ctx.result["provider"]
    if not c.that(provider["present"], "Processing provider 'baimei' missing"):
        return
    c.that({"baimei:importais", "baimei:detectgaps"} <= set(provider["algorithms"]), provider)
    c.that(provider["icon_ok"], "provider icon did not load (resources/ missing from the plugin folder?)")


# toolbar


def read_toolbar(ctx):
    toolbar = []
    for toolbar_name, action in ctx.toolbar_actions(TOOLBAR_ACTION):
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
    plugin_toolbar = ctx.iface.pluginToolBar()
    ctx.result["toolbar"] = {
        "present": bool(toolbar),
        "entries": toolbar,
        "in_plugin_toolbar": any(a.objectName() == TOOLBAR_ACTION for a in plugin_toolbar.actions()),
        "plugin_toolbar_visible": plugin_toolbar.isVisible(),
        # the Import AIS action is only in the Vector menu now
        "other_actions_on_toolbars": {
            name: [t for t, _ in ctx.toolbar_actions(name)]
            for name in ACTION_NAMES
            if name != TOOLBAR_ACTION and ctx.toolbar_actions(name)
        },
    }
    return 0


def check_toolbar(ctx, c):
    toolbar = ctx.result["toolbar"]
    if not c.that(
        toolbar["present"] and toolbar["in_plugin_toolbar"], f"toolbar action baimei_dock missing: {toolbar}"
    ):
        return
    entry = toolbar["entries"][0]
    c.that(entry["icon_ok"] and entry["checkable"], f"the toolbar button needs an icon and to be checkable: {toolbar}")
    c.that(not toolbar["other_actions_on_toolbars"], f"only the dock button belongs on the toolbar: {toolbar}")


# vector_menu


def _entries(menu):
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


def read_menus(ctx):
    _, menu = ctx.bai_mei_menu()
    vector_menu = ctx.iface.vectorMenu()
    ctx.result["menu"] = {
        "vector_menu_title": vector_menu.title(),
        "vector_menu_in_menubar": vector_menu.menuAction() in ctx.iface.mainWindow().menuBar().actions(),
        "submenu_present": menu is not None,
        "submenu_title": menu.title() if menu is not None else None,
        "actions": _entries(menu),
    }
    _, plugins_menu = ctx.bai_mei_menu(ctx.iface.pluginMenu())
    ctx.result["plugins_menu"] = {"submenu_present": plugins_menu is not None, "actions": _entries(plugins_menu)}
    return 0


def open_vector_menu(ctx):
    menu_bar = ctx.iface.mainWindow().menuBar()
    vector_menu = ctx.iface.vectorMenu()
    menu_bar.setActiveAction(vector_menu.menuAction())  # opens the Vector menu as a click would
    ctx.result["menu"]["vector_menu_opened"] = vector_menu.isVisible()
    return 500


def screenshot_vector_menu(ctx):
    vector_menu = ctx.iface.vectorMenu()
    menu_action, menu = ctx.bai_mei_menu()
    if menu is None:
        raise RuntimeError("no Bai Mei submenu in the Vector menu")
    if not vector_menu.isVisible():  # setActiveAction did not open it: open it by hand below the menu bar
        menu_bar = ctx.iface.mainWindow().menuBar()
        geometry = menu_bar.actionGeometry(vector_menu.menuAction())
        vector_menu.popup(menu_bar.mapToGlobal(geometry.bottomLeft()))
        ctx.process_events()
    vector_menu.setActiveAction(menu_action)
    geometry = vector_menu.actionGeometry(menu_action)
    menu.popup(vector_menu.mapToGlobal(geometry.topRight()))
    ctx.process_events(300)
    ctx.result["menu"]["submenu_opened"] = menu.isVisible()
    ctx.save("vector-menu", ctx.grab_screen())
    menu.hide()
    vector_menu.hide()
    ctx.process_events()


def check_menus(ctx, c):
    menu = ctx.result["menu"]
    c.that(menu["submenu_present"], f"no Bai Mei submenu in the Vector menu: {menu}")
    names = {entry["object_name"]: entry for entry in menu["actions"]}
    c.that({"baimei_dock", "baimei_importais", "baimei_detectgaps", "baimei_packages"} <= set(names), menu["actions"])
    c.that(
        all(entry["enabled"] and entry["icon_ok"] for entry in names.values()),
        f"Vector > Bai Mei entries must be enabled and have icons: {menu['actions']}",
    )
    c.that(menu.get("submenu_opened"), "the Bai Mei submenu did not open for the screenshot")
    plugins_menu = {entry["object_name"] for entry in ctx.result["plugins_menu"]["actions"]}
    c.that("baimei_dock" in plugins_menu, f"the dock action is not in Plugins > Bai Mei: {ctx.result['plugins_menu']}")


# processing_toolbox


def open_toolbox(ctx):
    import qgis.utils

    processing = qgis.utils.plugins.get("processing")
    toolbox = getattr(processing, "toolbox", None)
    info = {"available": toolbox is not None}
    ctx.result["toolbox"] = info
    if toolbox is None:
        return None
    action = getattr(processing, "toolboxAction", None)
    if action is not None:
        action.setChecked(True)
    toolbox.setVisible(True)
    toolbox.raise_()
    toolbox.searchBox.setText(MENU_TITLE)
    info["opened"] = toolbox.isVisible()
    return 800


def screenshot_toolbox(ctx):
    from qgis.PyQt.QtCore import QModelIndex

    toolbox = ctx.toolbox()
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

    ctx.result["toolbox"]["filtered_items"] = [t for t in texts(QModelIndex()) if t]
    ctx.process_events(200)
    ctx.save("processing-toolbox", ctx.iface.mainWindow().grab())


def check_toolbox(ctx, c):
    toolbox = ctx.result["toolbox"]
    c.that(toolbox.get("opened"), f"Processing toolbox did not open: {toolbox}")
    c.that("Bai Mei" in toolbox.get("filtered_items", []), f"no Bai Mei group in the filtered toolbox: {toolbox}")


# import_ais_dialog


def open_algorithm_dialog(ctx):
    """Triggers Vector > Bai Mei > Import AIS file…: the plugin opens the Processing dialog (exec_ blocks)."""
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QApplication, QDialog

    _, menu = ctx.bai_mei_menu()
    action = next((a for a in menu.actions() if a.objectName() == DIALOG_ACTION), None) if menu else None
    info = {"opened": False, "from": "Vector > Bai Mei menu"}
    ctx.result["algorithm_dialog"] = info
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
            ctx.process_events(500)
            ctx.save("import-ais-dialog", ctx.grab_screen())
            dialog.reject()
        ctx.state.expected_dialog = False

    ctx.state.expected_dialog = True
    QTimer.singleShot(1000, grab_and_close)
    action.trigger()  # returns once the dialog is closed
    info["returned_after_s"] = round(time.time() - started, 2)
    ctx.state.expected_dialog = False


def check_dialog(ctx, c):
    dialog = ctx.result["algorithm_dialog"]
    c.that(dialog["opened"], f"Vector > Bai Mei > Import AIS file did not open the dialog: {dialog}")


STEPS = (
    Step(
        "plugin_loaded",
        [read_plugin, screenshot_main_window],
        check_plugin,
        ready=plugin_ready,
        screenshots=["main-window"],
    ),
    Step("processing_provider", [read_provider], check_provider, needs=["plugin_loaded"]),
    Step("toolbar", [read_toolbar], check_toolbar, needs=["plugin_loaded"]),
    Step(
        "vector_menu",
        [read_menus, open_vector_menu, screenshot_vector_menu],
        check_menus,
        needs=["plugin_loaded"],
        screenshots=["vector-menu"],
    ),
    Step(
        "processing_toolbox",
        [open_toolbox, screenshot_toolbox],
        check_toolbox,
        needs=["plugin_loaded"],
        screenshots=["processing-toolbox"],
    ),
    Step(
        "import_ais_dialog",
        [open_algorithm_dialog],
        check_dialog,
        needs=["plugin_loaded"],
        screenshots=["import-ais-dialog"],
    ),
)
