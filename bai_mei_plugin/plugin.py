"""Plugin wiring: the Processing provider, toolbar button and menu entries. ``unload`` removes all of them."""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon

try:  # Qt6 (QGIS 4) has QAction in QtGui; Qt5 in QtWidgets
    from qgis.PyQt.QtGui import QAction
except ImportError:
    from qgis.PyQt.QtWidgets import QAction  # qt5-only

from .paths import resource_path
from .qgis_io.i18n import install_translator, remove_translator, tr

MENU = "&Bai Mei"
LOG_TAG = "Bai Mei"


def use_installed_packages() -> None:
    """The optional packages installed from the panel (gui.packages_dialog) become importable: their folder in the
    profile goes on sys.path, after QGIS's and the system's own."""
    from .core.optional_packages import add_to_path, packages_dir

    try:
        add_to_path(packages_dir(QgsApplication.qgisSettingsDirPath()))
    except OSError as exc:  # an unreadable profile folder: the plugin works without its optional packages
        QgsMessageLog.logMessage(f"Optional packages not used: {exc}", LOG_TAG, Qgis.MessageLevel.Warning)


def forget_scene_secrets() -> None:
    """Scene keys and tokens live in memory only: GDAL's per-path options and the cached Planetary Computer tokens
    go with the plugin."""
    from .qgis_io.gdal_access import clear_access
    from .services.pc_signing import PcSigner

    clear_access()
    PcSigner.forget()


class BaiMeiPlugin:
    def __init__(self, iface):
        use_installed_packages()
        self.translator = install_translator()  # before any widget is made: the Designer pages are translated too
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
        self.dock_action = QAction(icon, tr("Bai Mei panel"), self.iface.mainWindow())
        self.dock_action.setObjectName("baimei_dock")
        self.dock_action.setCheckable(True)
        self.dock_action.setToolTip(tr("Show or hide the Bai Mei panel: load AIS, step through dark gaps"))
        self.dock_action.toggled.connect(self.toggle_dock)
        self.iface.addToolBarIcon(self.dock_action)
        self.iface.addPluginToMenu(MENU, self.dock_action)
        self.iface.addPluginToVectorMenu(MENU, self.dock_action)
        for text, algorithm_id, on_toolbar in (
            (tr("Import AIS file…"), "baimei:importais", False),
            (tr("Detect dark gaps…"), "baimei:detectgaps", False),
        ):
            action = QAction(icon, text, self.iface.mainWindow())
            action.setObjectName(f"baimei_{algorithm_id.split(':')[1]}")
            action.triggered.connect(lambda _checked=False, alg=algorithm_id: self.open_algorithm(alg))
            self.iface.addPluginToVectorMenu(MENU, action)
            if on_toolbar:
                self.iface.addToolBarIcon(action)
            self.actions.append((action, on_toolbar))
        packages = QAction(icon, tr("Optional speed-ups…"), self.iface.mainWindow())
        packages.setObjectName("baimei_packages")
        packages.setToolTip(tr("Install the optional packages that speed Bai Mei up (pyarrow, dask) from QGIS"))
        packages.triggered.connect(self.open_packages)
        self.iface.addPluginToVectorMenu(MENU, packages)
        self.actions.append((packages, False))

    def toggle_dock(self, visible: bool) -> None:
        try:
            if self.dock is None:
                from .gui.dock import BaiMeiDock

                self.dock = BaiMeiDock(self.iface, self.iface.mainWindow())
                self.dock.setToggleVisibilityAction(self.dock_action)
                self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            self.dock.setUserVisible(visible)
        except Exception as exc:  # never let an error reach QGIS's Python error dialog
            QgsMessageLog.logMessage(f"Cannot open the Bai Mei panel: {exc!r}", LOG_TAG, Qgis.MessageLevel.Critical)
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Cannot open the panel: {exc}").format(exc=exc), Qgis.MessageLevel.Critical
            )

    def open_packages(self) -> None:
        try:
            from .gui.packages_dialog import PackagesDialog

            PackagesDialog(self.iface, self.iface.mainWindow()).exec()
        except Exception as exc:  # never let an error reach QGIS's Python error dialog
            QgsMessageLog.logMessage(f"Cannot open the optional packages: {exc!r}", LOG_TAG, Qgis.MessageLevel.Critical)
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Cannot open the optional packages: {exc}").format(exc=exc), Qgis.MessageLevel.Critical
            )

    def open_algorithm(self, algorithm_id: str) -> None:
        try:
            from processing import execAlgorithmDialog

            execAlgorithmDialog(algorithm_id)
        except Exception as exc:  # never let an error reach QGIS's Python error dialog
            QgsMessageLog.logMessage(f"Cannot open {algorithm_id}: {exc!r}", LOG_TAG, Qgis.MessageLevel.Critical)
            self.iface.messageBar().pushMessage(
                "Bai Mei",
                tr("Cannot open {algorithm_id}: {exc}").format(algorithm_id=algorithm_id, exc=exc),
                Qgis.MessageLevel.Critical,
            )

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
        remove_translator(self.translator)
        self.translator = None
        forget_scene_secrets()
