"""baimei:detectgaps — dark gaps and track segments from a point layer of AIS reports."""

from __future__ import annotations

import os

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QUrl

from ..core.ais.buckets import bucket_plan, spill
from ..core.errors import Canceled
from ..core.gap_engine import (
    LOADED,
    TRACKS_NOT_BUILT,
    BucketedGapEngine,
    InMemoryGapEngine,
    LandChoice,
    ReportsLocation,
)
from ..core.gaps import GapCriteria
from ..qgis_io.land import default_land, land_from_layer
from ..qgis_io.layer_kinds import kind_fields, wkb_type
from ..qgis_io.records import gap_features, track_features
from ..qgis_io.sources import WGS84, columns_from_source
from ..qgis_io.styles import post_processor
from .base import AisInputMixin, BaiMeiAlgorithm
from .criteria_block import add_criteria_parameters, criteria_from_parameters


class DetectGapsAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "detectgaps"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("DetectGapsAlgorithm", "Detect dark gaps")
    LAND = "LAND"
    OUTPUT_GAPS = "OUTPUT_GAPS"
    OUTPUT_TRACKS = "OUTPUT_TRACKS"
    GAP_COUNT = "GAP_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "DetectGapsAlgorithm",
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
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_ais_input()
        self.add_criteria()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_GAPS, self.tr("Dark gaps"), QgsProcessing.SourceType.TypeVectorLine
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_TRACKS, self.tr("Tracks"), QgsProcessing.SourceType.TypeVectorLine
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.GAP_COUNT, self.tr("Number of gaps")))

    def add_criteria(self, land: bool = True) -> None:
        """The gap criteria parameters (criteria_block, shared by the engines) and, for the engines that measure
        shore distances here, the optional land layer."""
        add_criteria_parameters(self)
        if land:
            self.addParameter(
                QgsProcessingParameterFeatureSource(
                    self.LAND,
                    # this class's context, also when a subclass (whose self.tr has its own) adds it
                    QCoreApplication.translate("DetectGapsAlgorithm", "Land polygons (default: QGIS's world map)"),
                    [QgsProcessing.SourceType.TypeVectorPolygon],
                    optional=True,
                )
            )

    def land_choice(self, parameters, context) -> LandChoice:
        """The LAND layer if given (its distances fill the gaps), else QGIS's world map when a criterion needs it."""
        source = self.parameterAsSource(parameters, self.LAND, context)
        return LandChoice(land_from_layer(source) if source is not None else None, default_land)

    def write_gaps(self, parameters, context, gaps) -> str:
        """The gaps into the OUTPUT_GAPS sink, styled and time-enabled when loaded; returns its id."""
        fields = kind_fields("gaps")
        sink, dest_id = self.create_sink(parameters, self.OUTPUT_GAPS, context, fields, wkb_type("gaps"), WGS84)
        sink.addFeatures(list(gap_features(gaps, fields)), QgsFeatureSink.Flag.FastInsert)
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post_processor("gaps"))
        return dest_id

    def criteria(self, parameters, context, feedback) -> GapCriteria:
        return criteria_from_parameters(self, parameters, context, feedback)

    def compute_in_buckets(self, plan, parameters, context, feedback, criteria):
        """A CSV layer whose file does not fit in memory: its file read into buckets on disk, the gaps found bucket
        by bucket (the same gaps); no tracks, since the reports stay on disk."""
        feedback.setProgressText("Reading reports into buckets on disk")
        reports = spill(plan, lambda f: feedback.setProgress(60 * f), feedback.isCanceled)
        engine = BucketedGapEngine(
            reports, ReportsLocation(LOADED, plan.path, plan.path), self.land_choice(parameters, context)
        )
        try:
            for line in reports.summary_lines():
                feedback.pushInfo(line)
            feedback.setProgressText("Finding gaps")
            found = engine.find_gaps(criteria, is_canceled=feedback.isCanceled)
        finally:
            engine.close()
        feedback.pushInfo(f"{len(found.gaps):,} gaps ({found.candidate_gaps:,} by duration alone).")
        feedback.pushWarning(TRACKS_NOT_BUILT)
        outputs = {self.GAP_COUNT: len(found.gaps), self.OUTPUT_GAPS: self.write_gaps(parameters, context, found.gaps)}
        fields = kind_fields("tracks")
        _sink, outputs[self.OUTPUT_TRACKS] = self.create_sink(
            parameters, self.OUTPUT_TRACKS, context, fields, wkb_type("tracks"), WGS84
        )
        return outputs

    def compute(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        criteria = self.criteria(parameters, context, feedback)
        mmsi_field = self.parameterAsString(parameters, self.MMSI_FIELD, context) or "mmsi"
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context) or "timestamp"
        path = csv_file_of(parameters.get(self.INPUT), self.parameterAsVectorLayer(parameters, self.INPUT, context))
        if {mmsi_field, time_field} - set(source.fields().names()):
            path = ""  # columns_from_source names the missing field
        plan = bucket_plan(path, columns={"mmsi": mmsi_field, "time": time_field}) if path else None
        if plan is not None:
            return self.compute_in_buckets(plan, parameters, context, feedback, criteria)
        feedback.setProgressText("Reading reports")
        result = columns_from_source(source, mmsi_field, time_field, feedback)
        for line in result.summary_lines():
            feedback.pushInfo(line)

        feedback.setProgressText("Finding gaps")
        location = ReportsLocation(LOADED, source.sourceName(), source.sourceName())
        engine = InMemoryGapEngine(result, location, self.land_choice(parameters, context))
        found = engine.find_gaps(criteria, is_canceled=feedback.isCanceled)
        feedback.setProgress(60)
        feedback.pushInfo(
            f"{len(found.gaps):,} gaps ({found.candidate_gaps:,} by duration alone), "
            f"{len(found.tracks):,} track segments; {found.single_report_segments:,} segments of a "
            "single report make no line."
        )

        outputs = {self.GAP_COUNT: len(found.gaps), self.OUTPUT_GAPS: self.write_gaps(parameters, context, found.gaps)}

        fields = kind_fields("tracks")
        sink, tracks_id = self.create_sink(parameters, self.OUTPUT_TRACKS, context, fields, wkb_type("tracks"), WGS84)
        batch = []
        for k, feature in enumerate(track_features(result.columns, found.tracks, fields)):
            batch.append(feature)
            if len(batch) == 500:
                if feedback.isCanceled():
                    raise Canceled()
                sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
                batch = []
                feedback.setProgress(60 + 40 * k / max(1, len(found.tracks)))
        sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
        outputs[self.OUTPUT_TRACKS] = tracks_id
        if context.willLoadLayerOnCompletion(tracks_id):
            context.layerToLoadOnCompletionDetails(tracks_id).setPostProcessor(post_processor("tracks"))
        return outputs


def csv_file_of(parameter, layer) -> str:
    """The CSV file behind a whole layer (delimited text or OGR), "" otherwise: a layer with a filter, only its
    selected features, or another provider is read through QGIS as before."""
    if layer is None or layer.subsetString() or isinstance(parameter, QgsProcessingFeatureSourceDefinition):
        return ""
    provider = layer.providerType()
    if provider == "delimitedtext":
        path = QUrl(layer.source()).toLocalFile()
    elif provider == "ogr":
        path = layer.source().split("|")[0]
    else:
        return ""
    return path if path.lower().endswith((".csv", ".csv.gz", ".txt")) and os.path.isfile(path) else ""
