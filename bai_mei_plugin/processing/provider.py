"""The Processing provider: id ``baimei``."""

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..paths import resource_path, version
from .anomalies import AnomaliesAlgorithm
from .detect_gaps import DetectGapsAlgorithm
from .detect_gaps_archive import DetectGapsArchiveAlgorithm
from .detect_gaps_postgis import DetectGapsPostgisAlgorithm
from .detect_vessels import DetectVesselsAlgorithm
from .encounters import EncountersAlgorithm
from .export_case import ExportCaseAlgorithm
from .gap_reachability import GapReachabilityAlgorithm
from .identify_vessels import IdentifyVesselsAlgorithm
from .import_ais import ImportAisAlgorithm
from .import_postgis import ImportPostgisAlgorithm
from .match_detections import MatchDetectionsAlgorithm
from .port_visits import PortVisitsAlgorithm
from .score_gaps import ScoreGapsAlgorithm
from .search_footprints import SearchFootprintsAlgorithm

ALGORITHMS = (
    ImportAisAlgorithm,
    DetectGapsAlgorithm,
    ScoreGapsAlgorithm,
    GapReachabilityAlgorithm,
    PortVisitsAlgorithm,
    EncountersAlgorithm,
    AnomaliesAlgorithm,
    SearchFootprintsAlgorithm,
    IdentifyVesselsAlgorithm,
    ExportCaseAlgorithm,
    DetectGapsArchiveAlgorithm,
    DetectGapsPostgisAlgorithm,
    ImportPostgisAlgorithm,
    DetectVesselsAlgorithm,
    MatchDetectionsAlgorithm,
)


class BaiMeiProvider(QgsProcessingProvider):
    def id(self):
        return "baimei"

    def name(self):
        return "Bai Mei"

    def longName(self):  # noqa: N802
        return f"Bai Mei {version()}"

    def icon(self):
        return QIcon(resource_path("icons", "bai_mei.svg"))

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
