"""baimei:portvisits — stops, port visits and declared-versus-actual destinations across dark gaps."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.layer_kinds import DESTINATIONS, PORT_VISITS, STOPS
from ..core.port_visits import StopCriteria, declared_vs_actual, detect_port_visits
from ..qgis_io.inputs import default_ports, gaps_from_source, ports_from_source
from .base import AisInputMixin, BaiMeiAlgorithm, progress_callbacks


class PortVisitsAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "portvisits"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("PortVisitsAlgorithm", "Port visits and stops")
    GROUP = "Analysis"
    PORTS = "PORTS"
    GAPS = "GAPS"
    MAX_SPEED_KN = "MAX_SPEED_KN"
    MIN_HOURS = "MIN_HOURS"
    PORT_RADIUS_KM = "PORT_RADIUS_KM"
    OUTPUT_VISITS = "OUTPUT_VISITS"
    OUTPUT_STOPS = "OUTPUT_STOPS"
    OUTPUT_DESTINATIONS = "OUTPUT_DESTINATIONS"
    VISIT_COUNT = "VISIT_COUNT"
    MISMATCH_COUNT = "MISMATCH_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "PortVisitsAlgorithm",
        "<p>Where ships stopped, from their AIS alone. A <b>stop</b> is a run of reports of one vessel with SOG "
        "below the <i>maximum speed</i> (implied speed where SOG is missing) lasting at least <i>minimum hours</i>; "
        "a silence over 6 h ends it unless the ship is within 1 km of the same place before and after. A stop "
        "whose mean position is within the <i>port radius</i> of a port (default: the bundled gazetteer), or inside "
        "a port's outline when the ports layer has polygons, is a <b>visit</b>, with arrival, departure and the "
        "destination declared at arrival; an anchorage stop and a "
        "berth stop at one port make one visit.</p>"
        "<p>With <i>dark gaps</i> (from Detect dark gaps), each gap gets a row comparing the destination declared "
        "before it with the port actually visited next: <code>mismatch</code> is true when they differ, NULL when "
        "either is unknown.</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_ais_input()
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.PORTS,
                self.tr("Ports: points, or port outlines as polygons (default: bundled gazetteer)"),
                [QgsProcessing.SourceType.TypeVectorPoint, QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.GAPS,
                self.tr("Dark gaps (for declared vs actual)"),
                [QgsProcessing.SourceType.TypeVectorLine],
                optional=True,
            )
        )
        defaults = StopCriteria()
        for key, label, value in (
            (self.MAX_SPEED_KN, self.tr("Maximum speed of a stop (kn)"), defaults.max_speed_kn),
            (self.MIN_HOURS, self.tr("Minimum stop (hours)"), defaults.min_hours),
            (self.PORT_RADIUS_KM, self.tr("Port radius (km)"), defaults.port_radius_km),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(key, label, QgsProcessingParameterNumber.Type.Double, value, True, 0.0)
            )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_VISITS, self.tr("Port visits"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_STOPS,
                self.tr("Stops"),
                QgsProcessing.SourceType.TypeVectorPoint,
                optional=True,
                createByDefault=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_DESTINATIONS,
                self.tr("Declared vs actual destinations"),
                QgsProcessing.SourceType.TypeVector,
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.VISIT_COUNT, self.tr("Number of port visits")))
        self.addOutput(
            QgsProcessingOutputNumber(
                self.MISMATCH_COUNT, self.tr("Gaps whose declared destination was not the next port")
            )
        )

    def compute(self, parameters, context, feedback):
        reports = self.read_ais_input(parameters, context, feedback)
        ports_source = self.parameterAsSource(parameters, self.PORTS, context)
        ports = ports_from_source(ports_source) if ports_source is not None else default_ports()
        criteria = StopCriteria(
            max_speed_kn=self.parameterAsDouble(parameters, self.MAX_SPEED_KN, context),
            min_hours=self.parameterAsDouble(parameters, self.MIN_HOURS, context),
            port_radius_km=self.parameterAsDouble(parameters, self.PORT_RADIUS_KM, context),
        )
        feedback.setProgressText("Finding stops and port visits")
        progress, is_canceled = progress_callbacks(feedback, 40, 50)
        found = detect_port_visits(reports.columns, ports, criteria, progress, is_canceled)
        feedback.pushInfo(f"{len(found.stops):,} stops, {len(found.visits):,} port visits at {len(ports)} ports.")
        outputs = {self.VISIT_COUNT: len(found.visits), self.MISMATCH_COUNT: 0}
        outputs[self.OUTPUT_VISITS] = self.write_records(
            parameters,
            self.OUTPUT_VISITS,
            context,
            found.visits,
            PORT_VISITS,
        )
        if parameters.get(self.OUTPUT_STOPS):
            outputs[self.OUTPUT_STOPS] = self.write_records(
                parameters,
                self.OUTPUT_STOPS,
                context,
                found.stops,
                STOPS,
            )
        gaps_source = self.parameterAsSource(parameters, self.GAPS, context)
        if gaps_source is not None:
            checks = declared_vs_actual(gaps_from_source(gaps_source), found.visits, ports)
            outputs[self.MISMATCH_COUNT] = sum(1 for c in checks if c.mismatch)
            feedback.pushInfo(
                f"{outputs[self.MISMATCH_COUNT]:,} of {len(checks):,} gaps: the declared destination "
                "was not the next port visited."
            )
            if parameters.get(self.OUTPUT_DESTINATIONS):
                outputs[self.OUTPUT_DESTINATIONS] = self.write_records(
                    parameters,
                    self.OUTPUT_DESTINATIONS,
                    context,
                    checks,
                    DESTINATIONS,
                )
        return outputs
