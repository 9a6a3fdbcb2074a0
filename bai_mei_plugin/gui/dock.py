"""The Bai Mei dock: a Qt Designer form (dock.ui) with one controller per page."""

from __future__ import annotations

import os

from qgis.core import QgsProject
from qgis.gui import QgsDockWidget
from qgis.PyQt import uic

from ..core.ais.csv_reader import have_pyarrow
from .analysis_panel import AnalysisPanel
from .annotate_panel import AnnotatePanel
from .gaps_panel import GapsPanel
from .imagery_panel import ImageryPanel
from .session import Session
from .settings import Settings
from .tracks_panel import TracksPanel
from .vessels_panel import VesselsPanel

FORM_CLASS, _ = uic.loadUiType(os.path.join(os.path.dirname(__file__), "dock.ui"))


class BaiMeiDock(QgsDockWidget, FORM_CLASS):
    def __init__(self, iface, parent=None, project=None):
        super().__init__(parent)
        self.setupUi(self)
        self.setObjectName("BaiMeiDock")
        self.iface = iface
        settings = Settings()
        self.session = Session(project or QgsProject.instance(), self)
        self.gaps = GapsPanel(self, self.session, iface, settings)
        self.tracks = TracksPanel(self, self.session, iface, self.gaps.criteria, settings)
        self.vessels = VesselsPanel(self, self.session, iface)
        self.imagery = ImageryPanel(self, self.session, iface, self.gaps, settings)
        self.analysis = AnalysisPanel(self, self.session, iface)
        self.annotate = AnnotatePanel(self, self.session, iface, settings)
        # Six pages: tighter tabs so that all their titles fit a dock of about 430 px.
        self.tabs.tabBar().setStyleSheet("QTabBar::tab { padding: 4px 7px; }")
        # Import the fast CSV reader now, once: loading its native library holds Python's lock for a few tenths
        # of a second, which would freeze the map if it first happened inside a loading task.
        have_pyarrow()

    def unload(self) -> None:
        """Stop running tasks; the layers the analyst loaded stay in the project."""
        self.tracks.unload()
        self.gaps.unload()
        self.imagery.unload()
        self.analysis.unload()
        self.annotate.unload()
