"""Plugin wiring: the Processing provider, toolbar button and menu entries. ``unload`` removes all of them."""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .paths import resource_path

MENU = "&Bai Mei"
LOG_TAG = "Bai Mei"


class BaiMeiPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.actions = []
        self.dock = None
        self.dock_action = None

    def initProcessing(self):  # noqa: N802 (QGIS calls it by this name)
        from .processing.provider import BaiMeiProvider

        if self.provider is None:
            self.provider = BaiMeiProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()
        icon = QIcon(resource_path("icons", "bai_mei.svg"))
        self.dock_action = QAction(icon, "Bai Mei panel", self.iface.mainWindow())
        self.dock_action.setObjectName("baimei_dock")
        self.dock_action.setCheckable(True)
        self.dock_action.setToolTip("Show or hide the Bai Mei panel: load AIS, step through dark gaps")
        self.dock_action.toggled.connect(self.toggle_dock)
        self.iface.addToolBarIcon(self.dock_action)
        self.iface.addPluginToMenu(MENU, self.dock_action)
        self.iface.addPluginToVectorMenu(MENU, self.dock_action)
        for text, algorithm_id, on_toolbar in (
            ("Import AIS file…", "baimei:importais", False),
            ("Detect dark gaps…", "baimei:detectgaps", False),
        ):
            action = QAction(icon, text, self.iface.mainWindow())
            action.setObjectName(f"baimei_{algorithm_id.split(':')[1]}")
            action.triggered.connect(lambda _checked=False, alg=algorithm_id: self.open_algorithm(alg))
            self.iface.addPluginToVectorMenu(MENU, action)
            if on_toolbar:
                self.iface.addToolBarIcon(action)
            self.actions.append((action, on_toolbar))

    def toggle_dock(self, visible: bool) -> None:
        try:
            if self.dock is None:
                from .gui.dock import BaiMeiDock

                self.dock = BaiMeiDock(self.iface, self.iface.mainWindow())
                self.dock.setToggleVisibilityAction(self.dock_action)
                self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
            self.dock.setUserVisible(visible)
        except Exception as exc:  # never let an error reach QGIS's Python error dialog
            QgsMessageLog.logMessage(f"Cannot open the Bai Mei panel: {exc!r}", LOG_TAG, Qgis.Critical)
            self.iface.messageBar().pushMessage("Bai Mei", f"Cannot open the panel: {exc}", Qgis.Critical)

    def open_algorithm(self, algorithm_id: str) -> None:
        try:
            from processing import execAlgorithmDialog

            execAlgorithmDialog(algorithm_id)
        except Exception as exc:  # never let an error reach QGIS's Python error dialog
            QgsMessageLog.logMessage(f"Cannot open {algorithm_id}: {exc!r}", LOG_TAG, Qgis.Critical)
            self.iface.messageBar().pushMessage("Bai Mei", f"Cannot open {algorithm_id}: {exc}", Qgis.Critical)

    def unload(self):
        if self.dock is not None:
            self.dock.unload()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.dock_action is not None:
            self.iface.removeToolBarIcon(self.dock_action)
            self.iface.removePluginMenu(MENU, self.dock_action)
            self.iface.removePluginVectorMenu(MENU, self.dock_action)
            self.dock_action.deleteLater()
            self.dock_action = None
        for action, on_toolbar in self.actions:
            self.iface.removePluginVectorMenu(MENU, action)
            if on_toolbar:
                self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions = []
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
