"""baimei:detectgaps — dark gaps and track segments from a point layer of AIS reports."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)

from ..core.errors import Canceled
from ..core.gaps import PRESET_CUSTOM, PRESET_PORT_CALL, PRESETS, GapCriteria, detect_gaps
from ..qgis_io.layers import GAP_WKB_TYPE, TRACK_WKB_TYPE, gap_features, gap_fields, track_features, track_fields
from ..qgis_io.sources import WGS84, columns_from_source, default_land, land_from_layer
from ..qgis_io.styles import post_processor
from .base import BaiMeiAlgorithm

PRESET_NAMES = list(PRESETS)


class DetectGapsAlgorithm(BaiMeiAlgorithm):
    NAME = "detectgaps"
    DISPLAY_NAME = "Detect dark gaps"
    INPUT = "INPUT"
    MMSI_FIELD = "MMSI_FIELD"
    TIME_FIELD = "TIME_FIELD"
    PRESET = "PRESET"
    MIN_GAP_HOURS = "MIN_GAP_HOURS"
    MIN_SHORE_NM = "MIN_SHORE_NM"
    LAND = "LAND"
    MIN_POSITIONS_BEFORE = "MIN_POSITIONS_BEFORE"
    OUTPUT_GAPS = "OUTPUT_GAPS"
    OUTPUT_TRACKS = "OUTPUT_TRACKS"
    GAP_COUNT = "GAP_COUNT"
    HELP = (
        "<p>Finds the dark gaps in AIS reports: the times a vessel's transponder was silent.</p>"
        "<p><b>Definition.</b> Reports are cleaned (missing or bad MMSI/time/position, duplicates of MMSI and time "
        "dropped and counted) and sorted per MMSI by time. A gap is a pair of <i>consecutive</i> reports of one MMSI "
        "whose times differ by at least <i>minimum gap</i> hours (exactly the threshold counts). Optional criteria, "
        "off at 0: both ends at least <i>minimum distance from shore</i> nautical miles from land (land: the layer "
        "given, or QGIS's bundled Natural Earth world map; distance to the densified coastline, exact to 0.3 nm); "
        "at least <i>minimum positions</i> reports in the 12 hours before the gap, counting its last report "
        "(times t<sub>off</sub> − 12 h … t<sub>off</sub>).</p>"
        "<p><b>Presets</b> fix the three criteria and override the values below: <i>Port call</i> (6 h, any "
        "distance; the default: the Bai Mei 8 went dark near shore) and <i>GFW AIS-disabling</i> (12 h, ≥ 50 nm "
        "from shore at both ends, ≥ 14 positions in the 12 h before, as Global Fishing Watch publishes). Choose "
        "<i>Custom</i> to use your own values.</p>"
        "<p><b>Outputs.</b> Gaps: one line per gap from the last report before to the first after, with times, "
        "hours, great-circle distance (nm, sphere of radius 6,371,008.8 m), implied speed, SOG, draught and "
        "destination either side, positions in the 12 h before and distance from shore of each end (filled when a "
        "land layer is given or a minimum distance from shore is set, NULL otherwise); time-enabled "
        "from off_time to on_time. Tracks: one LineStringM (M = epoch seconds) per vessel segment between gaps; "
        "segments of a single report make no line and are counted in the log. GAP_COUNT is the number of gaps.</p>"
    )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, "AIS points", [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(QgsProcessingParameterField(self.MMSI_FIELD, "MMSI field", "mmsi", self.INPUT, optional=True))
        self.addParameter(
            QgsProcessingParameterField(self.TIME_FIELD, "Time field (UTC)", "timestamp", self.INPUT, optional=True)
        )
        self.add_criteria()
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.OUTPUT_GAPS, "Dark gaps", QgsProcessing.TypeVectorLine)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT_TRACKS, "Tracks", QgsProcessing.TypeVectorLine))
        self.addOutput(QgsProcessingOutputNumber(self.GAP_COUNT, "Number of gaps"))

    def add_criteria(self, land: bool = True) -> None:
        """The gap criteria parameters (shared by the engines). Optional, so that a model or qgis_process may leave
        them at their defaults."""
        self.addParameter(
            QgsProcessingParameterEnum(
                self.PRESET,
                "Preset",
                options=PRESET_NAMES,
                defaultValue=PRESET_NAMES.index(PRESET_PORT_CALL),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_GAP_HOURS, "Minimum gap (hours)", QgsProcessingParameterNumber.Double, 6.0, True, 0.0
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_SHORE_NM,
                "Minimum distance from shore (nm)",
                QgsProcessingParameterNumber.Double,
                0.0,
                True,
                0.0,
            )
        )
        if land:
            self.addParameter(
                QgsProcessingParameterFeatureSource(
                    self.LAND,
                    "Land polygons (default: QGIS's world map)",
                    [QgsProcessing.TypeVectorPolygon],
                    optional=True,
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_POSITIONS_BEFORE,
                "Minimum positions in the 12 h before the gap",
                QgsProcessingParameterNumber.Integer,
                0,
                True,
                0,
            )
        )

    def write_gaps(self, parameters, context, gaps) -> str:
        """The gaps into the OUTPUT_GAPS sink, styled and time-enabled when loaded; returns its id."""
        fields = gap_fields()
        sink, dest_id = self.create_sink(parameters, self.OUTPUT_GAPS, context, fields, GAP_WKB_TYPE, WGS84)
        sink.addFeatures(list(gap_features(gaps, fields)), QgsFeatureSink.FastInsert)
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post_processor("gaps"))
        return dest_id

    def criteria(self, parameters, context, feedback) -> GapCriteria:
        chosen = GapCriteria(
            min_gap_hours=self.parameterAsDouble(parameters, self.MIN_GAP_HOURS, context),
            min_shore_nm=self.parameterAsDouble(parameters, self.MIN_SHORE_NM, context),
            min_positions_before=self.parameterAsInt(parameters, self.MIN_POSITIONS_BEFORE, context),
        )
        preset_name = PRESET_NAMES[self.parameterAsEnum(parameters, self.PRESET, context)]
        preset = PRESETS[preset_name]
        if preset_name == PRESET_CUSTOM or preset is None:
            return chosen
        if chosen != preset and chosen != GapCriteria():
            feedback.reportError(
                f"Preset '{preset_name}' overrides the criteria given; choose the preset 'Custom' to use them.", False
            )
        feedback.pushInfo(f"Preset: {preset_name}")
        return preset

    def compute(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        criteria = self.criteria(parameters, context, feedback)
        feedback.pushInfo(
            f"Criteria: gap ≥ {criteria.min_gap_hours:g} h, shore ≥ {criteria.min_shore_nm:g} nm, "
            f"≥ {criteria.min_positions_before} positions in the 12 h before."
        )
        mmsi_field = self.parameterAsString(parameters, self.MMSI_FIELD, context) or "mmsi"
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context) or "timestamp"
        feedback.setProgressText("Reading reports")
        result = columns_from_source(source, mmsi_field, time_field, feedback)
        for line in result.summary_lines():
            feedback.pushInfo(line)

        feedback.setProgressText("Finding gaps")
        land_source = self.parameterAsSource(parameters, self.LAND, context)
        if land_source is not None:
            land = land_from_layer(land_source)
        elif criteria.min_shore_nm > 0:
            land = default_land()
        else:
            land = None  # distance from shore is left NULL: building the land index costs about a second
        found = detect_gaps(result.columns, criteria, land, is_canceled=feedback.isCanceled)
        feedback.setProgress(60)
        feedback.pushInfo(
            f"{len(found.gaps):,} gaps ({found.candidate_gaps:,} by duration alone), "
            f"{len(found.tracks):,} track segments; {found.single_report_segments:,} segments of a "
            "single report make no line."
        )

        outputs = {self.GAP_COUNT: len(found.gaps), self.OUTPUT_GAPS: self.write_gaps(parameters, context, found.gaps)}

        fields = track_fields()
        sink, tracks_id = self.create_sink(parameters, self.OUTPUT_TRACKS, context, fields, TRACK_WKB_TYPE, WGS84)
        batch = []
        for k, feature in enumerate(track_features(result.columns, found.tracks, fields)):
            batch.append(feature)
            if len(batch) == 500:
                if feedback.isCanceled():
                    raise Canceled()
                sink.addFeatures(batch, QgsFeatureSink.FastInsert)
                batch = []
                feedback.setProgress(60 + 40 * k / max(1, len(found.tracks)))
        sink.addFeatures(batch, QgsFeatureSink.FastInsert)
        outputs[self.OUTPUT_TRACKS] = tracks_id
        if context.willLoadLayerOnCompletion(tracks_id):
            context.layerToLoadOnCompletionDetails(tracks_id).setPostProcessor(post_processor("tracks"))
        return outputs
