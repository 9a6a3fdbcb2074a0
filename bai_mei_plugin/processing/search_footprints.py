"""baimei:searchfootprints — imagery footprints for a place and time window, or for each dark gap."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureSink,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP
from shapely import wkb as shapely_wkb

from ..core.errors import BaiMeiError
from ..qgis_io.footprints import footprint_features, footprint_fields, gap_areas, union_area
from ..qgis_io.layer_kinds import wkb_type
from ..qgis_io.layers import epoch_seconds
from ..qgis_io.network import credentials_for, qgis_transport
from ..qgis_io.sources import WGS84
from ..qgis_io.styles import post_processor
from ..services import sources
from ..services.search import SearchArea, search_areas
from ..services.transport import redact
from .base import BaiMeiAlgorithm, progress_callbacks


class SearchFootprintsAlgorithm(BaiMeiAlgorithm):
    NAME = "searchfootprints"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("SearchFootprintsAlgorithm", "Search imagery footprints")
    GROUP = "Imagery"
    AOI = "AOI"
    EXTENT = "EXTENT"
    START = "START"
    END = "END"
    GAPS = "GAPS"
    PAD_HOURS = "PAD_HOURS"
    SOURCE = "SOURCE"
    URL = "URL"
    COLLECTIONS = "COLLECTIONS"
    MAX_CLOUD = "MAX_CLOUD"
    AUTHCFG = "AUTHCFG"
    MAX_ITEMS = "MAX_ITEMS"
    OUTPUT = "OUTPUT"
    FOOTPRINT_COUNT = "FOOTPRINT_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "SearchFootprintsAlgorithm",
        "<p>Finds the satellite scenes that saw a place in a time window, as one polygon layer of footprints: "
        "which images could show a ship while it was dark.</p>"
        "<p><b>Where and when.</b> Either <i>Gaps</i> (the Dark gaps output of Detect dark gaps): one search per "
        "gap over its window ± <i>padding</i>, over the AOI feature with the same <code>gap_id</code> (e.g. its "
        "reachability area) or else the gap's line; or an <i>area of interest</i> (the union of a layer's "
        "features) or an <i>extent</i>, with <i>start</i> and <i>end</i>.</p>"
        "<p><b>Sources.</b> {sources} Keys stay in QGIS's authentication database; QGIS's proxy settings are "
        "used.</p>"
        "<p><b>Output.</b> One polygon per scene (MultiPolygon; footprints across the antimeridian stay "
        "split), time-enabled on <code>acquired</code>: <code>covers_aoi</code> (the scene contains the whole "
        "area), <code>aoi_overlap_pct</code>, <code>gap_id</code> and <code>in_gap_window</code> (taken while "
        "the ship was dark) when searched per gap. At most <i>maximum items</i> in all.</p>"
    )
    # fmt: on

    def shortHelpString(self):  # noqa: N802
        catalogue = " ".join(f"<i>{source.label}</i>: {source.help}" for source in sources.all_sources())
        return self.tr(self.HELP).format(sources=catalogue)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.AOI,
                self.tr("Area of interest (layer)"),
                [QgsProcessing.SourceType.TypeVectorAnyGeometry],
                optional=True,
            )
        )
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, self.tr("or extent"), optional=True))
        self.addParameter(QgsProcessingParameterDateTime(self.START, self.tr("Start (UTC)"), optional=True))
        self.addParameter(QgsProcessingParameterDateTime(self.END, self.tr("End (UTC)"), optional=True))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.GAPS,
                self.tr("or dark gaps (one search per gap)"),
                [QgsProcessing.SourceType.TypeVectorLine],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.PAD_HOURS,
                self.tr("Padding around each gap's window (hours)"),
                QgsProcessingParameterNumber.Type.Double,
                0.0,
                True,
                0.0,
            )
        )
        # the enum lists the registry in its order (saved models keep a source's index: new sources come last)
        labels = [source.label for source in sources.all_sources()]
        self.addParameter(QgsProcessingParameterEnum(self.SOURCE, self.tr("Source"), options=labels, defaultValue=0))
        self.addParameter(
            QgsProcessingParameterString(
                self.URL, self.tr("STAC API URL, Planet API URL, or catalogue file or URL"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.COLLECTIONS, self.tr("Collections or item types (comma-separated)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_CLOUD,
                self.tr("Maximum cloud cover (%)"),
                QgsProcessingParameterNumber.Type.Double,
                100.0,
                True,
                0.0,
                100.0,
            )
        )
        self.addParameter(QgsProcessingParameterAuthConfig(self.AUTHCFG, self.tr("Authentication"), optional=True))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_ITEMS, self.tr("Maximum items"), QgsProcessingParameterNumber.Type.Integer, 500, True, 1
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Footprints"), QgsProcessing.SourceType.TypeVectorPolygon
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.FOOTPRINT_COUNT, self.tr("Number of footprints")))

    def _areas(self, parameters, context):
        gaps = self.parameterAsSource(parameters, self.GAPS, context)
        aoi = self.parameterAsSource(parameters, self.AOI, context)
        if gaps is not None:
            pad = self.parameterAsDouble(parameters, self.PAD_HOURS, context)
            areas = gap_areas(gaps, aoi, pad, context)
            if not areas:
                raise BaiMeiError("The gaps layer has no gap with both an off and an on time.")
            return areas
        start = self.parameterAsDateTime(parameters, self.START, context)
        end = self.parameterAsDateTime(parameters, self.END, context)
        if not (start.isValid() and end.isValid()):
            raise BaiMeiError("Give a start and an end time, or a gaps layer (each gap gives its own window).")
        if aoi is not None:
            geometry = union_area(aoi, context)
        elif parameters.get(self.EXTENT):
            rect = self.parameterAsExtent(parameters, self.EXTENT, context, WGS84)
            geometry = shapely_wkb.loads(bytes(QgsGeometry.fromRect(rect).asWkb()))
        else:
            raise BaiMeiError("Give an area of interest (a layer or an extent), or a gaps layer.")
        return [SearchArea(geometry, epoch_seconds(start), epoch_seconds(end))]

    def compute(self, parameters, context, feedback):
        areas = self._areas(parameters, context)
        source = sources.all_sources()[self.parameterAsEnum(parameters, self.SOURCE, context)]
        url = self.parameterAsString(parameters, self.URL, context).strip()
        collections = [
            c.strip() for c in self.parameterAsString(parameters, self.COLLECTIONS, context).split(",") if c.strip()
        ]
        max_cloud = self.parameterAsDouble(parameters, self.MAX_CLOUD, context)
        max_items = self.parameterAsInt(parameters, self.MAX_ITEMS, context)
        credentials = credentials_for(self.parameterAsString(parameters, self.AUTHCFG, context))
        feedback.pushInfo(
            f"{source.label}: {redact(url) or 'default address'}; {len(areas)} search(es); "
            f"collections: {', '.join(collections) or 'all'}; cloud ≤ {max_cloud:g} %."
        )
        progress, is_canceled = progress_callbacks(feedback, 0, 90)
        found, summary = search_areas(
            source.id,
            url,
            areas,
            collections,
            None if max_cloud >= 100 else max_cloud,
            max_items,
            credentials,
            qgis_transport(),
            progress,
            is_canceled,
        )
        feedback.pushInfo(f"{summary['found']:,} footprints from {summary['searches']} search(es).")
        for reason, count in summary["dropped"].items():
            feedback.pushInfo(f"  not kept: {count:,} {reason}")
        for note in summary.get("notes") or ():  # e.g. a next page asked without credentials on another host
            feedback.pushInfo(f"  {note}")
        if summary["truncated"]:
            feedback.reportError(
                f"Stopped at {max_items:,} items: more scenes match; narrow the search or raise the maximum.", False
            )
        fields = footprint_fields()
        sink, dest_id = self.create_sink(parameters, self.OUTPUT, context, fields, wkb_type("footprints"), WGS84)
        sink.addFeatures(list(footprint_features(found, fields)), QgsFeatureSink.Flag.FastInsert)
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post_processor("footprints"))
        return {self.OUTPUT: dest_id, self.FOOTPRINT_COUNT: len(found)}
