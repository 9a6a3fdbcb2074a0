"""The Bai Mei dock: a frame (dock.ui: the tabs) holding one Qt Designer page per tab (tracks_page.ui, gaps_page.ui,
vessels_page.ui, imagery_page.ui; analysis_page.ui and annotate_page.ui are loaded by their panels), each page with
one controller. A new page: its <name>_page.ui (root widget's windowTitle = the tab's title), a page class below,
one line in ``_add_pages``, and its panel (tasks through gui.task_runner.TaskRunner, slots through gui.guard)."""

from __future__ import annotations

import os

from qgis.core import QgsProject
from qgis.gui import QgsDockWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QObject
from qgis.PyQt.QtWidgets import QWidget

from ..core.ais.csv_reader import have_pyarrow
from .analysis_panel import AnalysisPanel
from .annotate_panel import AnnotatePanel
from .case_bar import CaseBar
from .gaps_panel import GapsPanel
from .imagery_panel import ImageryPanel
from .session import Session
from .settings import Settings
from .tracks_panel import TracksPanel
from .vessels_panel import VesselsPanel


def _form(name: str):
    return uic.loadUiType(os.path.join(os.path.dirname(__file__), name))[0]


FORM_CLASS = _form("dock.ui")


class TracksPage(QWidget, _form("tracks_page.ui")):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)


class GapsPage(QWidget, _form("gaps_page.ui")):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)


class VesselsPage(QWidget, _form("vessels_page.ui")):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)


class ImageryPage(QWidget, _form("imagery_page.ui")):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)


def forward_widgets(dock, page) -> None:
    """Expose the page's named children (set by setupUi) on the dock under the same names, as when all pages were
    one form: ``dock.tracks_page.loadButton`` is also ``dock.loadButton`` (the panels, the tests and the desktop
    walkthrough use the flat names), and the page itself is also ``dock.tracksPage`` (its object name)."""
    for name, value in vars(page).items():
        if isinstance(value, QObject):
            if hasattr(dock, name):  # two pages (or the dock) with one name: the flat names would be ambiguous
                raise RuntimeError(f"{page.objectName()} and the dock both have a widget named {name}")
            setattr(dock, name, value)
    setattr(dock, page.objectName(), page)


class BaiMeiDock(QgsDockWidget, FORM_CLASS):
    def __init__(self, iface, parent=None, project=None):
        super().__init__(parent)
        self.setupUi(self)
        self.setObjectName("BaiMeiDock")
        self._add_pages()
        self.iface = iface
        settings = Settings()
        self.session = Session(project or QgsProject.instance(), self)
        self.gaps = GapsPanel(self, self.session, iface, settings)
        self.tracks = TracksPanel(self, self.session, iface, self.gaps.criteria, settings)
        self.vessels = VesselsPanel(self, self.session, iface)
        self.imagery = ImageryPanel(self, self.session, iface, self.gaps, settings)
        self.analysis = AnalysisPanel(self, self.session, iface)
        self.annotate = AnnotatePanel(self, self.session, iface, settings)
        # the case workspace at the top of the Tracks page, where a case starts: New case… / Open case… (made last:
        # it follows the panels' widgets). Not above the tabs: every page would lose its height at 1366x768.
        self.case_bar = CaseBar(self, self.session, iface, settings)
        self.tracksLayout.insertWidget(0, self.case_bar)
        self.newCaseButton, self.openCaseButton = self.case_bar.newCaseButton, self.case_bar.openCaseButton
        self.caseLabel = self.case_bar.caseLabel
        # Six pages: tighter tabs so that all their titles fit a dock of about 430 px.
        self.tabs.tabBar().setStyleSheet("QTabBar::tab { padding: 4px 7px; }")
        # Import the fast CSV reader now, once: loading its native library holds Python's lock for a few tenths
        # of a second, which would freeze the map if it first happened inside a loading task.
        have_pyarrow()

    def _add_pages(self) -> None:
        """The Designer pages, in tab order; the Analysis and Annotate panels insert their own pages."""
        self.tracks_page = TracksPage()
        self.gaps_page = GapsPage()
        self.vessels_page = VesselsPage()
        self.imagery_page = ImageryPage()
        for page in (self.tracks_page, self.gaps_page, self.vessels_page, self.imagery_page):
            self.tabs.addTab(page, page.windowTitle())
            forward_widgets(self, page)
        self.tabs.setCurrentIndex(0)

    def unload(self) -> None:
        """Stop running tasks; the layers the analyst loaded stay in the project."""
        self.tracks.unload()
        self.gaps.unload()
        self.imagery.unload()
        self.analysis.unload()
        self.annotate.unload()
        self.case_bar.unload()
