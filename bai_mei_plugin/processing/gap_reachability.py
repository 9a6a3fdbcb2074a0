"""baimei:gapreachability — where a dark ship could have been, and which ports it could have called at."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.ais.model import AisColumns
from ..core.assess_gap import assess_gaps
from ..core.errors import BaiMeiError
from ..core.gaps import gap_end_columns
from ..core.layer_kinds import candidate_visits_of, reach_areas_of
from ..core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, parse_port_list
from ..qgis_io.inputs import default_ports, gaps_from_source, ports_from_source
from ..qgis_io.land import land_index, land_polygons
from ..qgis_io.records import at_lon_lat
from .base import AisInputMixin, BaiMeiAlgorithm, progress_callbacks


def land_input(algorithm, parameters, key: str, context):
    """The land layer given as ``key`` (None: QGIS's world map). A whole layer is passed as a layer, so that a file
    is read once per session; a selection or a filtered source is passed as the source it is."""
    value = parameters.get(key)
    if value is None or (isinstance(value, str) and not value):
        return None
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        return algorithm.parameterAsSource(parameters, key, context)
    layer = algorithm.parameterAsVectorLayer(parameters, key, context)
    return layer if layer is not None else algorithm.parameterAsSource(parameters, key, context)


def speeds_from_gaps(gaps) -> AisColumns:
    """The SOG reported either side of each gap, as columns: the default speed rule then works without the points."""
    return gap_end_columns(gaps)


class GapReachabilityAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "gapreachability"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("GapReachabilityAlgorithm", "Gap reachability and candidate port visits")
    GROUP = "Analysis"
    GAPS = "GAPS"
    MAX_SPEED_KN = "MAX_SPEED_KN"
    LAND = "LAND"
    PORTS = "PORTS"
    INTEREST_PORTS = "INTEREST_PORTS"
    BY_SEA = "BY_SEA"
    OUTPUT_AREAS = "OUTPUT_AREAS"
    OUTPUT_VISITS = "OUTPUT_VISITS"
    VISIT_COUNT = "VISIT_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "GapReachabilityAlgorithm",
        "<p>For each dark gap from A (off, t<sub>0</sub>) to B (on, t<sub>1</sub>) and a maximum speed v, the "
        "places the ship could have visited: the points P with d(A,P) + d(P,B) ≤ v·(t<sub>1</sub>−t<sub>0</sub>), "
        "great circles on a sphere of radius 6,371,008.8 m (an ellipse on the sphere, built with 360 vertices; "
        "correct across the antimeridian and around the poles), clipped to the sea with the land layer (default: "
        "QGIS's world map) and keeping only the water connected to A and B; then, with <i>by sea</i> (the "
        "default), only the water a route by sea from A to B through it reaches in time (<code>by_sea</code>): "
        "ships cannot cross land.</p>"
        "<p><b>Maximum speed</b>: 0 means each vessel's default, the larger of 12 kn and 1.2 × its 95th-percentile "
        "reported SOG over the AIS points (or, without them, over the SOG reported either side of its gaps).</p>"
        "<p><b>Candidate visits</b>: a port P (default: the bundled gazetteer) is a candidate when the maximum "
        "possible dwell (t<sub>1</sub>−t<sub>0</sub>) − (d(A,P) + d(P,B)) / v is positive; "
        "<code>arrive_earliest</code> and <code>depart_latest</code> bound the stay. The dwell is also computed "
        "with distances by sea inside the reachable water (<code>max_dwell_hours_sea</code>; ships cannot cross "
        "land; a lower bound of the real sea distance from a grid of about 120,000 cells, so the dwell stays an "
        "upper bound). A port within reach by great circle but not by sea is not a candidate; the log names it."
        "</p>"
        "<p><b>Suspicion</b> of each gap (fields <code>suspicion</code> (points), <code>suspicion_level</code> "
        "and <code>why</code> of the areas): the same score as <i>Score dark gaps by suspicion</i> "
        "(baimei:scoregaps) with its default weights — a port of interest (names or UN/LOCODEs, comma-separated; "
        "default the North Korean ports named in sanctions reporting) reachable by sea, the draught, the declared "
        "destination, where the gap starts and ends (offshore raises it; a port call at a berth lowers it), the "
        "reception before it and, with the AIS points, what the reports say; each reason in words with its points. "
        "Candidate visits say whether their port is of interest (<code>of_interest</code>).</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.GAPS, self.tr("Dark gaps"), [QgsProcessing.SourceType.TypeVectorLine]
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("AIS points (for the default speed and the suspicion)"),
                [QgsProcessing.SourceType.TypeVectorPoint],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_SPEED_KN,
                self.tr("Maximum speed (kn; 0 = per-vessel default)"),
                QgsProcessingParameterNumber.Type.Double,
                0.0,
                True,
                0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.LAND,
                self.tr("Land polygons (default: QGIS's world map)"),
                [QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.PORTS,
                self.tr("Ports (default: bundled gazetteer)"),
                [QgsProcessing.SourceType.TypeVectorPoint],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.BY_SEA, self.tr("Reachable by sea only (routes round the land)"), True, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.INTEREST_PORTS,
                self.tr("Ports of interest (comma-separated)"),
                ", ".join(DEFAULT_INTEREST_PORTS),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_AREAS, self.tr("Reachability areas"), QgsProcessing.SourceType.TypeVectorPolygon
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_VISITS, self.tr("Candidate port visits"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.VISIT_COUNT, self.tr("Number of candidate visits")))

    def compute(self, parameters, context, feedback):
        gaps_source = self.parameterAsSource(parameters, self.GAPS, context)
        if gaps_source is None:
            raise BaiMeiError("Choose the dark gaps layer (the Dark gaps output of Detect dark gaps).")
        gaps = gaps_from_source(gaps_source)
        feedback.pushInfo(f"{len(gaps):,} gaps.")
        speed = self.parameterAsDouble(parameters, self.MAX_SPEED_KN, context)
        cols = None
        if self.parameterAsSource(parameters, self.INPUT, context) is not None:  # the speeds and the suspicion
            cols = self.read_ais_input(parameters, context, feedback).columns
        elif speed <= 0:
            feedback.pushInfo("No AIS points: default speeds from the SOG reported either side of each gap.")
            cols = speeds_from_gaps(gaps)
        feedback.setProgressText("Preparing the land")
        land_layer = land_input(self, parameters, self.LAND, context)
        land = land_polygons(land_layer)
        ports_source = self.parameterAsSource(parameters, self.PORTS, context)
        ports = ports_from_source(ports_source) if ports_source is not None else default_ports()
        interest = InterestPorts(parse_port_list(self.parameterAsString(parameters, self.INTEREST_PORTS, context)))
        feedback.setProgressText("Reachable areas")
        progress, is_canceled = progress_callbacks(feedback, 30, 60)
        by_sea = self.parameterAsBoolean(parameters, self.BY_SEA, context)
        assessed = assess_gaps(
            gaps,
            cols,
            ports,
            land,
            interest,
            None if speed <= 0 else speed,
            by_sea,
            progress,
            is_canceled,
            land_index=land_index(land_layer),  # the distances from shore of the suspicion's offshore reason
        )
        self._report(assessed, feedback)
        return {
            self.OUTPUT_AREAS: self.write_records(
                parameters,
                self.OUTPUT_AREAS,
                context,
                assessed.areas,
                reach_areas_of(assessed.gap_of, assessed.suspicion_of),
            ),
            self.OUTPUT_VISITS: self.write_records(
                parameters,
                self.OUTPUT_VISITS,
                context,
                assessed.visits,
                candidate_visits_of(interest),
                lambda visit: at_lon_lat(assessed.port_of(visit)),
            ),
            self.VISIT_COUNT: len(assessed.visits),
        }

    @staticmethod
    def _report(assessed, feedback) -> None:
        for note in assessed.notes:
            feedback.reportError(note, False)
        feedback.pushInfo(f"{len(assessed.areas):,} areas, {len(assessed.visits):,} candidate port visits.")
        flagged = sorted(
            (s for s in assessed.suspicion_of.values() if s.level in ("medium", "high")), key=lambda s: -s.points
        )
        feedback.pushInfo(
            f"{len(flagged):,} gaps of medium or high suspicion"
            + (f"; for example {flagged[0].gap_id}: {flagged[0].why}" if flagged else ".")
        )
