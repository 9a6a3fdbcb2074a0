"""baimei:matchdetections — radar detections against AIS: matched, dark vessel candidates, AIS vessels not seen."""

from __future__ import annotations

from collections import defaultdict

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterNumber,
    QgsRasterLayer,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.errors import BaiMeiError
from ..core.layer_kinds import DARK_DETECTIONS, SAR_MATCHES, UNSEEN_VESSELS
from ..core.sar_match import DetectionIn, MatchParams, gap_windows, match_scene, vessel_names
from ..qgis_io.footprints import source_geometries
from ..qgis_io.inputs import gaps_from_source
from ..qgis_io.records import at_lon_lat
from ..qgis_io.sources import WGS84
from .base import AisInputMixin, BaiMeiAlgorithm

LENGTH_FIELDS = ("length_m", "length", "loa")  # an AIS layer's vessel length, when it has one


class MatchDetectionsAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "matchdetections"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("MatchDetectionsAlgorithm", "Match radar detections with AIS")
    GROUP = "Imagery"
    DETECTIONS = "DETECTIONS"
    FOOTPRINT = "FOOTPRINT"
    GAPS = "GAPS"
    AREAS = "AREAS"
    MAX_DISTANCE_M = "MAX_DISTANCE_M"
    DEAD_RECKONING_MIN = "DEAD_RECKONING_MIN"
    OUTPUT_MATCHED = "OUTPUT_MATCHED"
    OUTPUT_DARK = "OUTPUT_DARK"
    OUTPUT_UNSEEN = "OUTPUT_UNSEEN"
    DARK_COUNT = "DARK_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "MatchDetectionsAlgorithm",
        "<p>Each AIS vessel is placed at the scene's time (the detections' <i>acquired</i>): interpolated between "
        "its reports just before and after (at most 1 h apart), else projected along its course and speed from a "
        "report at most <i>dead reckoning</i> minutes (30) away; vessels with no report that near are not placed. "
        "Detections and vessels are then paired one to one, the pairing with the least total cost (distance, "
        "plus the disagreement of lengths when the AIS layer has a length_m field), never farther apart than the "
        "<i>maximum distance</i> (2 km).</p>"
        "<p>Outputs: <b>matched</b> detections (MMSI, name, offset, size agreement); <b>unmatched detections</b> "
        "— dark vessel candidates — with, given the <i>dark gaps</i> and their <i>reachable areas</i> (Gap "
        "reachability), the gaps whose reachable sea holds the detection at the scene's time (their vessels and "
        "the hours since each went dark); and the <b>AIS vessels</b> placed inside the scene <i>footprint</i> "
        "(a polygon layer or the scene itself; the detections' extent grown by the maximum distance if none) that "
        "the radar did not see.</p>"
        "<p><b>Limits</b>: an unmatched detection is not proof of a dark ship: azimuth ambiguities, wind streaks, "
        "fixed platforms, buoys and vessels without AIS (small fishing boats, warships) are unmatched too; AIS "
        "positions far from their reports are uncertain (raise the maximum distance for sparse AIS); vessels "
        "below the radar's resolution or in the land buffer are 'not seen' without being missing.</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.DETECTIONS,
                self.tr("Radar detections (Detect vessels)"),
                [QgsProcessing.SourceType.TypeVectorPoint],
            )
        )
        self.add_ais_input()
        self.addParameter(
            QgsProcessingParameterMapLayer(
                self.FOOTPRINT, self.tr("Scene footprint (polygons or the scene)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.GAPS, self.tr("Dark gaps"), [QgsProcessing.SourceType.TypeVectorLine], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.AREAS, self.tr("Reachability areas"), [QgsProcessing.SourceType.TypeVectorPolygon], optional=True
            )
        )
        defaults = MatchParams()
        for key, label, value in (
            (self.MAX_DISTANCE_M, self.tr("Maximum distance (m)"), defaults.max_distance_m),
            (self.DEAD_RECKONING_MIN, self.tr("Dead reckoning at most (minutes)"), defaults.dead_reckoning_s / 60),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(key, label, QgsProcessingParameterNumber.Type.Double, value, False, 0.0)
            )
        for key, label in (
            (self.OUTPUT_MATCHED, self.tr("Detections with AIS")),
            (self.OUTPUT_DARK, self.tr("Dark vessel candidates (unmatched detections)")),
            (self.OUTPUT_UNSEEN, self.tr("AIS vessels the radar did not see")),
        ):
            self.addParameter(QgsProcessingParameterFeatureSink(key, label, QgsProcessing.SourceType.TypeVectorPoint))
        self.addOutput(QgsProcessingOutputNumber(self.DARK_COUNT, self.tr("Number of dark vessel candidates")))

    def compute(self, parameters, context, feedback):
        params = MatchParams(
            max_distance_m=self.parameterAsDouble(parameters, self.MAX_DISTANCE_M, context),
            dead_reckoning_s=60.0 * self.parameterAsDouble(parameters, self.DEAD_RECKONING_MIN, context),
        )
        scenes = self._detections(parameters, context)
        reports = self.read_ais_input(parameters, context, feedback).columns
        names = vessel_names(reports)
        lengths = self._lengths(parameters, context)
        gaps, areas = self._gaps_and_areas(parameters, context, feedback)
        footprint = self._footprint(parameters, context)
        matched, dark, unseen = [], [], []
        for n, (acquired, detections) in enumerate(sorted(scenes.items())):
            if feedback.isCanceled():
                break
            found = match_scene(detections, reports, acquired, footprint, gaps, areas, params, names, lengths)
            matched += found.pairs
            dark += found.dark
            unseen += found.unseen
            feedback.setProgress(40 + 50 * (n + 1) / len(scenes))
        feedback.pushInfo(
            f"{len(matched):,} detections matched, {len(dark):,} dark vessel candidates, {len(unseen):,} AIS "
            "vessels not seen."
        )
        return {
            self.OUTPUT_MATCHED: self.write_records(
                parameters, self.OUTPUT_MATCHED, context, matched, SAR_MATCHES, at_lon_lat
            ),
            self.OUTPUT_DARK: self.write_records(
                parameters, self.OUTPUT_DARK, context, dark, DARK_DETECTIONS, at_lon_lat
            ),
            self.OUTPUT_UNSEEN: self.write_records(
                parameters, self.OUTPUT_UNSEEN, context, unseen, UNSEEN_VESSELS, at_lon_lat
            ),
            self.DARK_COUNT: len(dark),
        }

    def _detections(self, parameters, context):
        """Detections grouped by their scene time (epoch seconds)."""
        source = self.parameterAsSource(parameters, self.DETECTIONS, context)
        names = source.fields().names()
        missing = [n for n in ("detection_id", "acquired") if n not in names]
        if missing:
            raise BaiMeiError(
                f"The detections layer has no {', '.join(missing)} field: use the output of Detect vessels "
                "(baimei:detectvessels)."
            )
        transform = None
        if source.sourceCrs().isValid() and source.sourceCrs() != WGS84:
            transform = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        scenes = defaultdict(list)
        for feature in source.getFeatures():
            geometry = feature.geometry()
            when = feature["acquired"]
            if geometry is None or geometry.isEmpty() or when is None or not when.isValid():
                continue
            if transform is not None:
                geometry.transform(transform)
            point = geometry.asPoint()
            length = feature["length_m"] if "length_m" in names else None
            seconds = int(when.toSecsSinceEpoch())
            scenes[seconds].append(
                DetectionIn(str(feature["detection_id"]), point.x(), point.y(), _number(length), seconds)
            )
        if not scenes:
            raise BaiMeiError("The detections layer has no point with a scene time (acquired).")
        return scenes

    def _lengths(self, parameters, context):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        names = source.fields().names()
        field = next((f for f in LENGTH_FIELDS if f in names), None)
        mmsi_field = self.parameterAsString(parameters, self.MMSI_FIELD, context) or "mmsi"
        if field is None or mmsi_field not in names:
            return {}
        lengths = {}
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
        request.setSubsetOfAttributes([mmsi_field, field], source.fields())
        for feature in source.getFeatures(request):
            value = _number(feature[field])
            if value and feature[mmsi_field] is not None:
                lengths[int(feature[mmsi_field])] = value
        return lengths

    def _gaps_and_areas(self, parameters, context, feedback):
        gaps_source = self.parameterAsSource(parameters, self.GAPS, context)
        areas_source = self.parameterAsSource(parameters, self.AREAS, context)
        if gaps_source is None or areas_source is None:
            if gaps_source is not None or areas_source is not None:
                feedback.reportError("Naming dark gaps needs both the gaps and their reachability areas; skipped.")
            return [], {}
        if "gap_id" not in areas_source.fields().names():
            raise BaiMeiError(
                "The reachability areas layer has no gap_id field: use the areas output of Gap reachability "
                "(baimei:gapreachability)."
            )
        areas = {feature["gap_id"]: shape for feature, shape in source_geometries(areas_source, context)}
        return gap_windows(gaps_from_source(gaps_source)), areas

    def _footprint(self, parameters, context):
        layer = self.parameterAsLayer(parameters, self.FOOTPRINT, context)
        if layer is None:
            return None
        from shapely.geometry import box
        from shapely.ops import unary_union

        if isinstance(layer, QgsRasterLayer):
            extent = layer.extent()
            if layer.crs() != WGS84:
                extent = QgsCoordinateTransform(layer.crs(), WGS84, context.transformContext()).transformBoundingBox(
                    extent
                )
            return box(extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
        shapes = [shape for _, shape in source_geometries(layer, context)]
        if not shapes:
            raise BaiMeiError(f"The footprint layer {layer.name()} has no polygon.")
        return unary_union(shapes)


def _number(value):
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
