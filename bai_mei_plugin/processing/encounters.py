"""baimei:encounters — vessels meeting at sea (Global Fishing Watch's criteria) and dark rendezvous candidates."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.encounters import EncounterCriteria, dark_rendezvous, find_encounters
from ..core.errors import BaiMeiError
from ..core.layer_kinds import ENCOUNTERS, RENDEZVOUS
from ..core.port_visits import find_stops
from ..qgis_io.footprints import source_geometries
from ..qgis_io.inputs import default_ports, gaps_from_source, ports_from_source
from .base import AisInputMixin, BaiMeiAlgorithm, progress_callbacks


class EncountersAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "encounters"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("EncountersAlgorithm", "Encounters at sea")
    GROUP = "Analysis"
    PORTS = "PORTS"
    MAX_DISTANCE_M = "MAX_DISTANCE_M"
    MIN_HOURS = "MIN_HOURS"
    MAX_SPEED_KN = "MAX_SPEED_KN"
    MIN_ANCHORAGE_KM = "MIN_ANCHORAGE_KM"
    GAPS = "GAPS"
    AREAS = "AREAS"
    OUTPUT = "OUTPUT"
    OUTPUT_RENDEZVOUS = "OUTPUT_RENDEZVOUS"
    ENCOUNTER_COUNT = "ENCOUNTER_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "EncountersAlgorithm",
        "<p>Two vessels within <i>maximum distance</i> (500 m) of each other for at least <i>minimum hours</i> "
        "(2 h), both slower than <i>maximum speed</i> (2 kn) and at least <i>minimum distance from a port</i> "
        "(10 km): the criteria Global Fishing Watch publishes for encounters (transhipments at sea). Positions "
        "are interpolated on 10-minute slots between reports at most 1 h apart (nothing is invented across "
        "a silence) and compared in 500 m cells, never all pairs.</p>"
        "<p><b>Dark rendezvous</b>: with <i>dark gaps</i> and their <i>reachability areas</i> (from Gap "
        "reachability), another vessel's stop that overlaps a gap in time and lies inside its area is a "
        "candidate meeting with the dark ship.</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_ais_input()
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.PORTS,
                self.tr("Ports (default: bundled gazetteer)"),
                [QgsProcessing.SourceType.TypeVectorPoint],
                optional=True,
            )
        )
        defaults = EncounterCriteria()
        for key, label, value in (
            (self.MAX_DISTANCE_M, self.tr("Maximum distance (m)"), defaults.max_distance_m),
            (self.MIN_HOURS, self.tr("Minimum duration (hours)"), defaults.min_hours),
            (self.MAX_SPEED_KN, self.tr("Maximum speed (kn)"), defaults.max_speed_kn),
            (self.MIN_ANCHORAGE_KM, self.tr("Minimum distance from a port (km)"), defaults.min_port_km),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(key, label, QgsProcessingParameterNumber.Type.Double, value, True, 0.0)
            )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.GAPS,
                self.tr("Dark gaps (for dark rendezvous)"),
                [QgsProcessing.SourceType.TypeVectorLine],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.AREAS,
                self.tr("Reachability areas (for dark rendezvous)"),
                [QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Encounters"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_RENDEZVOUS,
                self.tr("Dark rendezvous candidates"),
                QgsProcessing.SourceType.TypeVectorPoint,
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.ENCOUNTER_COUNT, self.tr("Number of encounters")))

    def compute(self, parameters, context, feedback):
        reports = self.read_ais_input(parameters, context, feedback)
        ports_source = self.parameterAsSource(parameters, self.PORTS, context)
        ports = ports_from_source(ports_source) if ports_source is not None else default_ports()
        criteria = EncounterCriteria(
            max_distance_m=self.parameterAsDouble(parameters, self.MAX_DISTANCE_M, context),
            min_hours=self.parameterAsDouble(parameters, self.MIN_HOURS, context),
            max_speed_kn=self.parameterAsDouble(parameters, self.MAX_SPEED_KN, context),
            min_port_km=self.parameterAsDouble(parameters, self.MIN_ANCHORAGE_KM, context),
        )
        feedback.setProgressText("Finding encounters")
        progress, is_canceled = progress_callbacks(feedback, 40, 40)
        encounters = find_encounters(reports.columns, ports, criteria, progress, is_canceled)
        feedback.pushInfo(f"{len(encounters):,} encounters.")
        outputs = {self.ENCOUNTER_COUNT: len(encounters)}
        outputs[self.OUTPUT] = self.write_records(
            parameters,
            self.OUTPUT,
            context,
            encounters,
            ENCOUNTERS,
        )
        gaps_source = self.parameterAsSource(parameters, self.GAPS, context)
        areas_source = self.parameterAsSource(parameters, self.AREAS, context)
        if gaps_source is not None and areas_source is not None:
            if "gap_id" not in areas_source.fields().names():
                raise BaiMeiError(
                    "The reachability areas layer has no gap_id field: use the areas output of Gap "
                    "reachability (baimei:gapreachability)."
                )
            area_of = {feature["gap_id"]: shape for feature, shape in source_geometries(areas_source, context)}
            pairs = [(gap, area_of[gap.gap_id]) for gap in gaps_from_source(gaps_source) if gap.gap_id in area_of]
            feedback.setProgressText("Looking for dark rendezvous")
            stops = find_stops(reports.columns, ports, is_canceled=feedback.isCanceled)
            meetings = dark_rendezvous(pairs, stops)
            feedback.pushInfo(f"{len(meetings):,} dark rendezvous candidates for {len(pairs):,} gaps with an area.")
            if parameters.get(self.OUTPUT_RENDEZVOUS):
                outputs[self.OUTPUT_RENDEZVOUS] = self.write_records(
                    parameters,
                    self.OUTPUT_RENDEZVOUS,
                    context,
                    meetings,
                    RENDEZVOUS,
                )
        elif gaps_source is not None or areas_source is not None:
            feedback.reportError("Dark rendezvous need both the gaps and their reachability areas; skipped.", False)
        return outputs
