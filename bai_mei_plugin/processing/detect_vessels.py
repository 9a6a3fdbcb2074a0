"""baimei:detectvessels — vessels in a SAR scene (two-parameter CFAR), read window by window with GDAL."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.errors import BaiMeiError
from ..core.layer_kinds import SAR_DETECTIONS
from ..core.sar_detect import CfarParams, pixel_box
from ..qgis_io.land import land_index
from ..qgis_io.records import at_lon_lat
from ..qgis_io.sar_raster import SarRaster, detect_in_raster
from .base import AisInputMixin, BaiMeiAlgorithm, progress_callbacks


class DetectVesselsAlgorithm(BaiMeiAlgorithm):
    NAME = "detectvessels"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("DetectVesselsAlgorithm", "Detect vessels in a radar scene")
    GROUP = "Imagery"
    INPUT = "INPUT"
    EXTENT = "EXTENT"
    TIME = "TIME"
    LAND = "LAND"
    LAND_BUFFER_M = "LAND_BUFFER_M"
    PFA = "PFA"
    MIN_LENGTH_M = "MIN_LENGTH_M"
    OUTPUT = "OUTPUT"
    DETECTION_COUNT = "DETECTION_COUNT"
    MEMORY_HINT = "a smaller area of interest (Extent)"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "DetectVesselsAlgorithm",
        "<p>Bright targets on the sea of a single-band SAR scene (Sentinel-1 GRD or RTC, from a file or a "
        "/vsicurl/ COG; any calibrated or uncalibrated backscatter). Each pixel is compared with a ring of sea "
        "around it (outside a <i>guard</i> window of 400 m that keeps a ship out of its own background, inside an "
        "800 m <i>background</i> window): it is bright when it exceeds the ring's mean by <i>k</i> standard "
        "deviations (in decibels), <i>k</i> set by the <i>false-alarm rate</i> (1e-7: about 5.2). Bright pixels "
        "are joined into targets; each is measured from the spread of its pixels: length, width, heading of the "
        "long axis (0-180, a blob has no bow), peak brightness (dB) and a confidence (a ranking, not a "
        "probability). Targets shorter than the <i>minimum length</i> are dropped.</p>"
        "<p>Land (QGIS's world map unless a land layer is given) grown by the <i>land buffer</i> is not searched; "
        "detections within 1 km of land are marked <i>near_land</i> (quays, rocks, breakwaters). Only the "
        "<i>extent</i> is read (the whole scene if none), window by window. The scene time comes from its "
        "metadata (ACQUISITION_START, datetime, TIFFTAG_DATETIME) unless <i>Time</i> is given.</p>"
        "<p><b>Limits</b>: azimuth ambiguities (faint copies of bright ships or quays displaced along the flight "
        "direction) and wind streaks, rain cells or breaking waves can be detected; boats shorter than about three "
        "pixels (30 m at 10 m) are missed; a coarse world map leaves small islands and piers unmasked, so check "
        "near_land detections against a detailed coastline; lengths include any bright wake or sidelobe.</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        defaults = CfarParams()
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, self.tr("SAR scene (one band)")))
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, self.tr("Area of interest"), optional=True))
        self.addParameter(
            QgsProcessingParameterDateTime(
                self.TIME, self.tr("Scene time (UTC; default: from its metadata)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.LAND,
                self.tr("Land (default: QGIS's world map)"),
                [QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        for key, label, value, minimum in (
            (self.LAND_BUFFER_M, self.tr("Land buffer (m)"), defaults.land_buffer_m, 0.0),
            (self.PFA, self.tr("False-alarm rate (per pixel)"), defaults.pfa, 1e-15),
            (self.MIN_LENGTH_M, self.tr("Minimum length (m)"), defaults.min_length_m, 0.0),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(
                    key, label, QgsProcessingParameterNumber.Type.Double, value, False, minimum
                )
            )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Radar detections"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.DETECTION_COUNT, self.tr("Number of detections")))

    def compute(self, parameters, context, feedback):
        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if layer is None:
            raise BaiMeiError(f"The SAR scene {parameters.get(self.INPUT)!r} could not be opened as a raster.")
        raster = SarRaster(layer.source(), layer.name())
        if layer.bandCount() != 1:
            feedback.pushInfo(f"{layer.name()} has {layer.bandCount()} bands; band 1 is searched.")
        params = CfarParams(
            pfa=self.parameterAsDouble(parameters, self.PFA, context),
            min_length_m=self.parameterAsDouble(parameters, self.MIN_LENGTH_M, context),
            land_buffer_m=self.parameterAsDouble(parameters, self.LAND_BUFFER_M, context),
        )
        acquired = self._scene_time(parameters, context, raster)
        aoi = self._aoi(parameters, context, layer, raster)
        feedback.setProgressText("Reading the land")
        land_source = self.parameterAsSource(parameters, self.LAND, context)
        progress, is_canceled = progress_callbacks(feedback, 10, 85)
        records = detect_in_raster(
            raster, params, land_index(land_source).polygons, acquired, aoi, progress=progress,
            is_canceled=is_canceled, info=lambda line: _detecting(feedback, line),
        )  # fmt: skip
        scene_id = raster.scene_id()
        feedback.pushInfo(f"{len(records):,} detections in {scene_id}.")
        # the AIS algorithms' writer (kind fields, style, time), without their AIS input
        write = AisInputMixin.write_records
        dest = write(self, parameters, self.OUTPUT, context, records, SAR_DETECTIONS, at_lon_lat)
        return {self.OUTPUT: dest, self.DETECTION_COUNT: len(records)}

    def _scene_time(self, parameters, context, raster):
        given = self.parameterAsDateTime(parameters, self.TIME, context)
        if parameters.get(self.TIME) not in (None, "") and given.isValid():
            return int(given.toSecsSinceEpoch())
        return raster.scene_time("give it as Scene time.")

    def _aoi(self, parameters, context, layer, raster):
        if parameters.get(self.EXTENT) in (None, ""):
            return None
        extent = self.parameterAsExtent(parameters, self.EXTENT, context, layer.crs())
        crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context)
        if crs.isValid() and crs != layer.crs():
            transform = QgsCoordinateTransform(crs, layer.crs(), context.transformContext())
            extent = transform.transformBoundingBox(extent)
        box = pixel_box(
            raster.transform, (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()),
            raster.width, raster.height,
        )  # fmt: skip
        if box[2] <= box[0] or box[3] <= box[1]:
            raise BaiMeiError(f"The area of interest does not overlap the scene {raster.name}.")
        return box


def _detecting(feedback, line: str) -> None:
    """The land is read: what it and the threshold came to, and the search begins."""
    feedback.pushInfo(line)
    feedback.setProgressText("Detecting vessels")
