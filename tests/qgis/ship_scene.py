"""A small very-high-resolution scene rendered for the tests: a dark 169 m x 27 m hull on water, 0.8 m pixels, at
the Bai Mei 8's berth at Nampo (demo/nampo.py), heading along the quay. Written as a GeoTIFF in UTM zone 51 N."""

from __future__ import annotations

import math

import numpy
from osgeo import gdal, osr

from bai_mei_plugin.demo.nampo import BERTH_HEADING_DEG, BERTH_LAT, BERTH_LON

LENGTH_M, BEAM_M, PIXEL_M = 169.0, 27.0, 0.8
SIZE_PX = 400  # 320 m square
WATER, HULL = (40, 95, 140), (18, 18, 22)
UTM_51N = 32651


def _utm(lon: float, lat: float):
    wgs, utm = osr.SpatialReference(), osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    utm.ImportFromEPSG(UTM_51N)
    for ref in (wgs, utm):
        ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _ = osr.CoordinateTransformation(wgs, utm).TransformPoint(lon, lat)
    return x, y, utm


def hull_mask(heading: float = BERTH_HEADING_DEG) -> numpy.ndarray:
    """True where the hull is, in a SIZE_PX square centred on the ship (rows go south)."""
    centre = (SIZE_PX - 1) / 2
    rows, cols = numpy.mgrid[0:SIZE_PX, 0:SIZE_PX]
    east, north = (cols - centre) * PIXEL_M, (centre - rows) * PIXEL_M
    rad = math.radians(heading)
    along = east * math.sin(rad) + north * math.cos(rad)
    across = east * math.cos(rad) - north * math.sin(rad)
    return (numpy.abs(along) <= LENGTH_M / 2) & (numpy.abs(across) <= BEAM_M / 2)


def write_ship_scene(path: str, heading: float = BERTH_HEADING_DEG, lon=BERTH_LON, lat=BERTH_LAT) -> str:
    """Write the scene to ``path`` (GeoTIFF, RGB bytes) with the ship centred on lon/lat; returns ``path``."""
    x, y, utm = _utm(lon, lat)
    mask = hull_mask(heading)
    driver = gdal.GetDriverByName("GTiff")
    dataset = driver.Create(path, SIZE_PX, SIZE_PX, 3, gdal.GDT_Byte)
    half = SIZE_PX * PIXEL_M / 2
    dataset.SetGeoTransform((x - half, PIXEL_M, 0, y + half, 0, -PIXEL_M))
    dataset.SetProjection(utm.ExportToWkt())
    for band in range(3):
        values = numpy.where(mask, HULL[band], WATER[band]).astype(numpy.uint8)
        dataset.GetRasterBand(band + 1).WriteArray(values)
    dataset.FlushCache()
    dataset = None
    return path


def hull_ends(path: str):
    """The bow and stern (lon, lat) of the dark hull found in the scene's pixels: the extreme dark pixels along the
    hull's main axis (from the pixels, not from how the scene was drawn)."""
    dataset = gdal.Open(path)
    dark = dataset.GetRasterBand(1).ReadAsArray() < 30
    rows, cols = numpy.nonzero(dark)
    points = numpy.column_stack([cols + 0.5, rows + 0.5])
    centre = points.mean(axis=0)
    _, _, axes = numpy.linalg.svd(points - centre, full_matrices=False)
    along = (points - centre) @ axes[0]
    # the middle of each end (the pixels within 2 px of the extreme), not a corner: the clicks an analyst makes
    ends = [points[along >= along.max() - 2].mean(axis=0), points[along <= along.min() + 2].mean(axis=0)]
    gt = dataset.GetGeoTransform()
    utm = osr.SpatialReference(wkt=dataset.GetProjection())
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    for ref in (wgs, utm):
        ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_wgs = osr.CoordinateTransformation(utm, wgs)
    out = []
    for col, row in ends:
        lon, lat, _ = to_wgs.TransformPoint(gt[0] + float(col) * gt[1], gt[3] + float(row) * gt[5])
        out.append((lon, lat))
    return out
