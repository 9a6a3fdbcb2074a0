"""A single-band SAR raster read window by window with GDAL (local file, /vsicurl/ COG or any GDAL path), its
scene time and id from its metadata, and its land mask per window rasterised from land polygons."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from ..core.errors import BaiMeiError
from ..core.sar_detect import CfarParams, GeoTransform, SceneDetection, Window, detect_scene

# Metadata items that hold a scene's time, in the order they are tried (Sentinel-1 SAFE/GRD, STAC-derived, TIFF).
TIME_KEYS = (
    "ACQUISITION_START",
    "ACQUISITION_START_TIME",
    "datetime",
    "DATETIME",
    "start_datetime",
    "TIFFTAG_DATETIME",
)
ID_KEYS = ("BAI_MEI_ITEM_ID", "PRODUCT_ID", "id")


def parse_time(text: str) -> Optional[int]:
    """Epoch seconds of an ISO 8601 UTC time or a TIFF "YYYY:MM:DD HH:MM:SS"; None if it is neither."""
    text = text.strip()
    tiff = re.fullmatch(r"(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)", text)
    if tiff:
        text = "{}-{}-{}T{}:{}:{}".format(*tiff.groups())
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


class SarRaster:
    """An open raster: size, geotransform, CRS and the reading of one window of band 1."""

    def __init__(self, path: str, display_name: Optional[str] = None):
        self.path = path
        self.name = display_name or path
        try:
            self.dataset = gdal.Open(path, gdal.GA_ReadOnly)
        except RuntimeError as exc:
            raise BaiMeiError(f"Cannot open the SAR raster {self.name}: {exc}") from None
        if self.dataset is None:
            raise BaiMeiError(f"Cannot open the SAR raster {self.name}.")
        if self.dataset.RasterCount < 1:
            raise BaiMeiError(f"The raster {self.name} has no band; expected one band of SAR backscatter.")
        self.band = self.dataset.GetRasterBand(1)
        self.width, self.height = self.dataset.RasterXSize, self.dataset.RasterYSize
        self.srs = self.dataset.GetSpatialRef()
        if self.srs is None:
            raise BaiMeiError(
                f"The raster {self.name} has no coordinate reference system; Sentinel-1 GRD needs its GCPs warped "
                "first (Raster > Projections > Warp) or use an RTC product."
            )
        self.srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        self.transform = GeoTransform(tuple(self.dataset.GetGeoTransform()), bool(self.srs.IsGeographic()))
        self.nodata = self.band.GetNoDataValue()

    def read(self, window: Window) -> np.ndarray:
        # GDAL either raises (exceptions on) or returns None and leaves the reason in its last error
        try:
            values = self.band.ReadAsArray(window.col, window.row, window.width, window.height)
            reason = gdal.GetLastErrorMsg()
        except RuntimeError as exc:
            values, reason = None, str(exc)
        if values is None:
            raise BaiMeiError(
                f"Could not read pixels {window.col},{window.row} ({window.width} x {window.height}) of {self.name}: "
                f"{reason or 'GDAL gave no reason'}."
            )
        return values

    def metadata(self) -> dict:
        items = dict(self.dataset.GetMetadata() or {})
        items.update({k: v for k, v in (self.band.GetMetadata() or {}).items() if k not in items})
        return items

    def acquired(self) -> Optional[int]:
        meta = self.metadata()
        for key in TIME_KEYS:
            if meta.get(key):
                when = parse_time(meta[key])
                if when is not None:
                    return when
        return None

    def scene_time(self, hint: str) -> int:
        """The scene's time (epoch seconds) from its metadata; else an error that ends with ``hint`` (where the
        user can give it instead)."""
        acquired = self.acquired()
        if acquired is None:
            raise BaiMeiError(
                f"The scene time of {self.name} is not in its metadata (looked for ACQUISITION_START, datetime, "
                f"TIFFTAG_DATETIME); {hint}"
            )
        return acquired

    def scene_id(self) -> str:
        meta = self.metadata()
        for key in ID_KEYS:
            if meta.get(key):
                return meta[key]
        return os.path.splitext(os.path.basename(self.path.rstrip("/")))[0]

    def to_wgs84(self):
        wgs = osr.SpatialReference()
        wgs.ImportFromEPSG(4326)
        wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return osr.CoordinateTransformation(self.srs, wgs)

    def lon_lat(self, xs: Sequence[float], ys: Sequence[float]):
        if not len(xs):
            return [], []
        points = self.to_wgs84().TransformPoints([(float(x), float(y)) for x, y in zip(xs, ys)])
        return [p[0] for p in points], [p[1] for p in points]

    def bounds_lon_lat(self) -> Tuple[float, float, float, float]:
        """The scene's extent in lon/lat (from its edges, densified)."""
        steps = np.linspace(0, 1, 11)
        cols = np.r_[steps * self.width, np.full(11, self.width), steps * self.width, np.zeros(11)]
        rows = np.r_[np.zeros(11), steps * self.height, np.full(11, self.height), steps * self.height]
        xs, ys = self.transform.to_world(cols, rows)
        lons, lats = self.lon_lat(xs, ys)
        return min(lons), min(lats), max(lons), max(lats)


class LandRasteriser:
    """Land polygons (shapely, lon/lat) burnt into the grid of each window of a raster."""

    def __init__(self, raster: SarRaster, polygons):
        from shapely.geometry import box

        west, south, east, north = raster.bounds_lon_lat()
        area = box(west - 0.1, south - 0.1, east + 0.1, north + 0.1)
        self.raster = raster
        self.source = ogr.GetDriverByName("Memory").CreateDataSource("land")
        wgs = osr.SpatialReference()
        wgs.ImportFromEPSG(4326)
        wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        self.layer = self.source.CreateLayer("land", wgs, ogr.wkbMultiPolygon)
        self.count = 0
        for polygon in polygons:
            if not polygon.intersects(area):
                continue
            feature = ogr.Feature(self.layer.GetLayerDefn())
            feature.SetGeometry(ogr.CreateGeometryFromWkb(polygon.intersection(area).wkb))
            self.layer.CreateFeature(feature)
            self.count += 1

    def __call__(self, window: Window) -> Optional[np.ndarray]:
        if not self.count:
            return None
        g = self.raster.transform.gt
        grid = gdal.GetDriverByName("MEM").Create("", window.width, window.height, 1, gdal.GDT_Byte)
        grid.SetGeoTransform((g[0] + window.col * g[1], g[1], 0.0, g[3] + window.row * g[5], 0.0, g[5]))
        grid.SetSpatialRef(self.raster.srs)
        gdal.RasterizeLayer(grid, [1], self.layer, burn_values=[1])
        return grid.GetRasterBand(1).ReadAsArray().astype(bool)


def detect_in_raster(
    raster: SarRaster,
    params: CfarParams,
    land_polygons,
    acquired: Optional[int],
    aoi: Optional[Tuple[int, int, int, int]] = None,
    window_size: int = 2048,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
    info: Optional[Callable[[str], None]] = None,
) -> List[SceneDetection]:
    """The vessels in ``raster`` (band 1, over ``aoi`` in pixels, the whole scene if None) as records with the
    scene's id, ``acquired`` and their lon/lat; ``land_polygons`` (shapely, lon/lat) grown by the land buffer are
    not searched. ``info`` hears what the land and the threshold came to; ``progress`` gets 0..1."""
    land = LandRasteriser(raster, land_polygons)
    if info is not None:
        info(f"{land.count} land polygons over the scene; threshold {params.k:.2f} standard deviations.")
    found = detect_scene(
        raster.read, raster.width, raster.height, raster.transform, params, aoi, land, None, raster.nodata,
        window_size, progress=progress, is_canceled=is_canceled,
    )  # fmt: skip
    lons, lats = raster.lon_lat([d.x for d in found], [d.y for d in found])
    scene_id = raster.scene_id()
    return [
        SceneDetection(
            d.detection_id, scene_id, acquired, d.length_m, d.width_m, d.heading_deg, d.peak_db, d.confidence,
            d.near_land, lon, lat,
        )
        for d, lon, lat in zip(found, lons, lats)
    ]  # fmt: skip
