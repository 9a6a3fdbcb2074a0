"""Unloading the plugin: everything it added (provider, menus, toolbar button, dock) is gone afterwards."""

import sys

from .base import Step
from .context import ACTION_NAMES, ALGORITHMS, DOCK_NAME, PLUGIN, PROVIDER_ID, TOOLBAR_ACTION


def unload(ctx):
    import qgis.utils

    toolbox = ctx.toolbox()
    if toolbox is not None:
        toolbox.searchBox.setText("")
    ctx.result["unload"] = {
        "dock_before": ctx.dock() is not None,
        "returned": bool(qgis.utils.unloadPlugin(PLUGIN)),
    }
    return 800  # let deleteLater() run


def check_unloaded(ctx):
    import qgis.utils
    from qgis.core import QgsApplication
    from qgis.PyQt.QtWidgets import QAction, QApplication, QDockWidget

    ctx.process_events(200)
    registry = QgsApplication.processingRegistry()
    main = ctx.iface.mainWindow()
    leftover_actions = [a.objectName() for a in main.findChildren(QAction) if a.objectName() in ACTION_NAMES]
    # any widget still called BaiMeiDock that is shown or still belongs to the main window
    leftover_docks = [
        {"class": type(w).__name__, "visible": w.isVisible(), "in_main_window": main.isAncestorOf(w)}
        for w in QApplication.allWidgets()
        if w.objectName() == DOCK_NAME and (w.isVisible() or main.isAncestorOf(w))
    ]
    ctx.result["unload"].update(
        {
            "provider_removed": registry.providerById(PROVIDER_ID) is None,
            "algorithms_removed": all(registry.algorithmById(a) is None for a in ALGORITHMS),
            "submenu_removed": ctx.bai_mei_menu()[1] is None,
            "plugins_submenu_removed": ctx.bai_mei_menu(ctx.iface.pluginMenu())[1] is None,
            "toolbar_action_removed": not ctx.toolbar_actions(TOOLBAR_ACTION),
            "leftover_toolbar_actions": {
                n: [t for t, _ in ctx.toolbar_actions(n)] for n in ACTION_NAMES if ctx.toolbar_actions(n)
            },
            "leftover_menu_actions": {n: ctx.menu_paths(n) for n in ACTION_NAMES if ctx.menu_paths(n)},
            "leftover_actions": leftover_actions,
            "dock_removed": main.findChild(QDockWidget, DOCK_NAME) is None and not leftover_docks,
            "leftover_docks": leftover_docks,
            "not_in_plugins": PLUGIN not in qgis.utils.plugins,
            "not_active": PLUGIN not in qgis.utils.active_plugins,
            "modules_left": sorted(m for m in sys.modules if m == PLUGIN or m.startswith(PLUGIN + ".")),
        }
    )
    ctx.save("after-unload", ctx.grab_screen())


def check_unload(ctx, c):
    unload = ctx.result["unload"]
    c.that(unload["returned"], "qgis.utils.unloadPlugin returned False")
    c.that(unload["provider_removed"] and unload["algorithms_removed"], f"the provider is left after unload: {unload}")
    c.that(unload["submenu_removed"], "the Bai Mei submenu is still in the Vector menu after unload")
    c.that(unload["plugins_submenu_removed"], "the Bai Mei submenu is still in the Plugins menu after unload")
    c.that(
        unload["toolbar_action_removed"] and not unload["leftover_toolbar_actions"],
        f"the toolbar button is left after unload: {unload}",
    )
    c.that(
        not unload["leftover_menu_actions"] and not unload["leftover_actions"],
        f"menu entries or actions are left after unload: {unload}",
    )
    c.that(unload["dock_removed"], f"the Bai Mei dock is still in the main window after unload: {unload}")


# runs whatever happened before: it also cleans up
STEPS = (Step("unload", [unload, check_unloaded], check_unload, screenshots=["after-unload"]),)
