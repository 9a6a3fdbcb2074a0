"""SYNTHETIC Sentinel-1-like radar scenes (GRD, 10 m pixels, linear backscatter): gamma-distributed sea clutter of
a given number of looks, land, and ships of known size and heading drawn as bright elongated blobs with a little
sidelobe along the image axes. Used by the tests (planted targets), the bench and the demo (Korea Bay on the evening
of 15 June 2017, the Bai Mei 8 dark inside its reachable sea while other ships report AIS).

Nothing here is a real satellite image: the GeoTIFF says SYNTHETIC in its metadata and description.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

SYNTHETIC_NOTICE = (
    "SYNTHETIC - not a real Sentinel-1 scene; drawn by bai_mei_plugin/demo/sar_scene.py (gamma sea clutter, "
    "planted ships) for testing and the demo"
)
PIXEL_M = 10.0
# The demo scene: a 15 June 2017 evening pass (UTC) over Korea Bay, ten hours into the Bai Mei 8's first dark period
# (AIS off at 11:30 UTC). 21:30 UTC is about when Sentinel-1's descending passes (06:00 local solar time) cross Korea
# Bay, and when the Bai Mei 8's synthetic track crosses two fishing vessels that report AIS (see DEMO_DARK).
DEMO_ACQUIRED = "2017-06-15T21:30:00Z"
DEMO_SCENE_ID = "S1_SYNTHETIC_IW_GRDH_20170615T213000_KOREA_BAY"


@dataclass(frozen=True)
class PlantedShip:
    """A ship drawn into a scene: centre (col, row as floats), size, heading (clockwise from north) and brightness
    above the mean sea clutter (dB). ``mmsi`` and ``name`` say which AIS vessel it is (0 and "" for a dark ship)."""

    col: float
    row: float
    length_m: float
    width_m: float
    heading_deg: float
    scr_db: float = 20.0
    mmsi: int = 0
    name: str = ""


def clutter(shape, looks: float, mean_db: float, rng: np.random.Generator) -> np.ndarray:
    """Sea backscatter (linear power, float32): gamma distributed with ``looks`` looks around ``mean_db``."""
    mean = 10.0 ** (mean_db / 10.0)
    out = rng.standard_gamma(looks, size=shape).astype(np.float32)
    out *= np.float32(mean / looks)
    return out


def ship_footprint(ship: PlantedShip, pixel_m: float, supersample: int = 4):
    """(row slice, col slice, fraction of each pixel the hull covers) of a ship: a rectangle with tapered ends."""
    half = 0.5 * math.hypot(ship.length_m, ship.width_m) / pixel_m + 2
    r0, c0 = int(math.floor(ship.row - half)), int(math.floor(ship.col - half))
    r1, c1 = int(math.ceil(ship.row + half)) + 1, int(math.ceil(ship.col + half)) + 1
    n = supersample
    rr, cc = np.mgrid[r0 : r1 : 1.0 / n, c0 : c1 : 1.0 / n]
    rr, cc = rr + 0.5 / n, cc + 0.5 / n
    h = math.radians(ship.heading_deg)
    east, south = (cc - ship.col) * pixel_m, (rr - ship.row) * pixel_m
    along = east * math.sin(h) - south * math.cos(h)
    across = east * math.cos(h) + south * math.sin(h)
    taper = np.clip((ship.length_m / 2 - np.abs(along)) / (0.15 * ship.length_m), 0, 1)  # a pointed bow and stern
    inside = (np.abs(along) <= ship.length_m / 2) & (np.abs(across) <= ship.width_m / 2 * np.maximum(taper, 0.3))
    cover = inside.reshape(r1 - r0, n, c1 - c0, n).mean(axis=(1, 3))
    return slice(r0, r1), slice(c0, c1), cover


def plant(image: np.ndarray, ship: PlantedShip, mean_db: float, pixel_m: float, rng: np.random.Generator) -> None:
    """Draw ``ship`` into ``image`` (linear power, in place): the hull at ``scr_db`` above the clutter mean with
    some texture, and the sidelobes of its brightest point along rows and columns (sinc squared, -13 dB first)."""
    full_rows, full_cols, cover = ship_footprint(ship, pixel_m)
    rows = slice(max(full_rows.start, 0), min(full_rows.stop, image.shape[0]))
    cols = slice(max(full_cols.start, 0), min(full_cols.stop, image.shape[1]))
    if rows.start >= rows.stop or cols.start >= cols.stop:
        return
    cover = cover[
        rows.start - full_rows.start : rows.stop - full_rows.start,
        cols.start - full_cols.start : cols.stop - full_cols.start,
    ]
    peak = 10.0 ** ((mean_db + ship.scr_db) / 10.0)
    texture = rng.uniform(0.4, 1.6, size=cover.shape)
    image[rows, cols] += (peak * cover * texture).astype(np.float32)
    # sidelobes of the brightest scatterer (the superstructure): a cross along the image axes
    pr, pc = int(round(ship.row)), int(round(ship.col))
    for n in range(1, 6):
        lobe = np.float32(peak * 0.05 / (n * n))
        for r, c in ((pr + n, pc), (pr - n, pc), (pr, pc + n), (pr, pc - n)):
            if 0 <= r < image.shape[0] and 0 <= c < image.shape[1]:
                image[r, c] += lobe


def planted_scene(
    shape: Tuple[int, int],
    ships: Sequence[PlantedShip],
    looks: float = 4.4,
    mean_db: float = -20.0,
    land: Optional[np.ndarray] = None,
    land_db: float = -5.0,
    seed: int = 2017,
    pixel_m: float = PIXEL_M,
) -> np.ndarray:
    """A scene (linear power, float32): clutter, land brighter and rougher than the sea, and the ships."""
    rng = np.random.default_rng(seed)
    image = clutter(shape, looks, mean_db, rng)
    if land is not None:
        rough = clutter(shape, 1.0, land_db, rng)
        image[land] = rough[land]
        del rough
    for ship in ships:
        plant(image, ship, mean_db, pixel_m, rng)
    return image


def random_ships(
    rng: np.random.Generator,
    shape: Tuple[int, int],
    count: int,
    lengths=(60.0, 300.0),
    scr_db=(15.0, 25.0),
    spacing_px: int = 60,
    edge_px: int = 20,
) -> List[PlantedShip]:
    """``count`` ships at random places at least ``spacing_px`` apart and ``edge_px`` from the edges."""
    ships: List[PlantedShip] = []
    tries = 0
    while len(ships) < count and tries < count * 200:
        tries += 1
        row, col = rng.uniform(edge_px, shape[0] - edge_px), rng.uniform(edge_px, shape[1] - edge_px)
        if any(math.hypot(row - s.row, col - s.col) < spacing_px for s in ships):
            continue
        length = float(rng.uniform(*lengths))
        ships.append(
            PlantedShip(
                col, row, length, max(8.0, length / 6.5), float(rng.uniform(0, 180)), float(rng.uniform(*scr_db))
            )
        )
    return ships


# ----------------------------------------------------------------------------------------------------------------
# Files (GDAL)
# ----------------------------------------------------------------------------------------------------------------


def write_cog(path: str, image: np.ndarray, geotransform, epsg: int, metadata: dict, blocksize: int = 256) -> str:
    """``image`` as a Cloud Optimized GeoTIFF (float32, deflate, tiled, overviews) marked SYNTHETIC, written under a
    temporary name and renamed when complete."""
    from osgeo import gdal, osr

    rows, cols = image.shape
    memory = gdal.GetDriverByName("MEM").Create("", cols, rows, 1, gdal.GDT_Float32)
    memory.GetRasterBand(1).WriteArray(image)
    memory.GetRasterBand(1).SetNoDataValue(0.0)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    memory.SetProjection(srs.ExportToWkt())
    memory.SetGeoTransform(tuple(geotransform))
    memory.SetMetadata(
        {"SYNTHETIC": "YES", "TIFFTAG_IMAGEDESCRIPTION": SYNTHETIC_NOTICE, "TIFFTAG_SOFTWARE": "Bai Mei", **metadata}
    )
    partial = path + ".partial.tif"
    options = ["COMPRESS=DEFLATE", "PREDICTOR=3", f"BLOCKSIZE={blocksize}", "OVERVIEWS=AUTO", "NUM_THREADS=1"]
    gdal.GetDriverByName("COG").CreateCopy(partial, memory, options=options)
    memory = None
    os.replace(partial, path)
    return path


def land_mask(geotransform, shape, epsg: int, land_path: Optional[str] = None, layer: str = "countries"):
    """Land pixels of a grid, rasterised from ``land_path`` (QGIS's world map by default: needs QGIS's data
    folder, which ``QgsApplication.pkgDataPath()`` gives once QGIS has started)."""
    from osgeo import gdal, ogr, osr

    if land_path is None:
        from qgis.core import QgsApplication

        land_path = os.path.join(QgsApplication.pkgDataPath(), "resources", "data", "world_map.gpkg")
    source = ogr.Open(land_path)
    if source is None:
        raise FileNotFoundError(f"Cannot open the land file {land_path}.")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    # only the land near the grid, clipped: far polygons (across the antimeridian) projected into a UTM zone
    # become shapes that cover everything
    corners = osr.CoordinateTransformation(srs, wgs).TransformPoints(
        [
            (geotransform[0] + c * geotransform[1], geotransform[3] + r * geotransform[5])
            for c in (0, shape[1])
            for r in (0, shape[0])
        ]
    )
    lons, lats = [p[0] for p in corners], [p[1] for p in corners]
    area = ogr.CreateGeometryFromWkt(
        f"POLYGON(({min(lons) - 0.1} {min(lats) - 0.1},{max(lons) + 0.1} {min(lats) - 0.1},"
        f"{max(lons) + 0.1} {max(lats) + 0.1},{min(lons) - 0.1} {max(lats) + 0.1},{min(lons) - 0.1} {min(lats) - 0.1}))"
    )
    layer = source.GetLayerByName(layer) or source.GetLayer(0)
    layer.SetSpatialFilter(area)
    near = ogr.GetDriverByName("Memory").CreateDataSource("near")
    clipped = near.CreateLayer("land", wgs, ogr.wkbMultiPolygon)
    for feature in layer:
        geometry = feature.GetGeometryRef()
        if geometry is not None:
            out = ogr.Feature(clipped.GetLayerDefn())
            out.SetGeometry(geometry.Intersection(area))
            clipped.CreateFeature(out)
    grid = gdal.GetDriverByName("MEM").Create("", shape[1], shape[0], 1, gdal.GDT_Byte)
    grid.SetSpatialRef(srs)
    grid.SetGeoTransform(tuple(geotransform))
    gdal.RasterizeLayer(grid, [1], clipped, burn_values=[1])
    return grid.GetRasterBand(1).ReadAsArray().astype(bool)


@dataclass(frozen=True)
class DemoVessel:
    """A vessel for the demo scene at the scene's time: AIS-reporting (mmsi, name) or dark (mmsi 0)."""

    lon: float
    lat: float
    length_m: float
    heading_deg: float
    mmsi: int = 0
    name: str = ""


def utm_epsg(lon: float, lat: float) -> int:
    return (32600 if lat >= 0 else 32700) + int((lon + 180) // 6) + 1


def korea_bay_scene(
    folder: str,
    vessels: Sequence[DemoVessel],
    centre: Tuple[float, float],
    size_px: int = 3000,
    acquired: str = DEMO_ACQUIRED,
    scene_id: str = DEMO_SCENE_ID,
    land_path: Optional[str] = None,
    seed: int = 2017,
) -> Tuple[str, List[PlantedShip]]:
    """The demo's SYNTHETIC Sentinel-1 scene, ``size_px`` square at 10 m in UTM around ``centre`` (lon, lat), with
    ``vessels`` drawn in (those with an MMSI are the AIS-reporting ones; give the dark one without). Returns the
    COG's path (``<scene_id>.tif`` in ``folder``) and the ships as planted (for the case report's truth table).

    The demo calls it with the positions of its AIS vessels at ``acquired`` (``core.sar_match.positions_at``) and
    the Bai Mei 8's own synthetic track position at that time as the dark vessel."""
    from osgeo import osr

    epsg = utm_epsg(*centre)
    wgs, utm = osr.SpatialReference(), osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    utm.ImportFromEPSG(epsg)
    for srs in (wgs, utm):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_utm = osr.CoordinateTransformation(wgs, utm)
    cx, cy, _ = to_utm.TransformPoint(centre[0], centre[1])
    half = size_px * PIXEL_M / 2
    gt = (round(cx - half), PIXEL_M, 0.0, round(cy + half), 0.0, -PIXEL_M)
    shape = (size_px, size_px)
    rng = np.random.default_rng(seed)
    ships = []
    for v in vessels:
        x, y, _ = to_utm.TransformPoint(v.lon, v.lat)
        col, row = (x - gt[0]) / PIXEL_M, (gt[3] - y) / PIXEL_M
        if 0 <= col < size_px and 0 <= row < size_px:
            width = max(8.0, v.length_m / 6.5)
            scr = float(rng.uniform(17.0, 24.0))
            ships.append(PlantedShip(col, row, v.length_m, width, v.heading_deg, scr, v.mmsi, v.name))
    land = land_mask(gt, shape, epsg, land_path)
    image = planted_scene(shape, ships, looks=4.4, mean_db=-19.0, land=land, seed=seed)
    metadata = {
        "ACQUISITION_START": acquired,
        "ACQUISITION_STOP": acquired,
        "BAI_MEI_ITEM_ID": scene_id,
        "MISSION_ID": "S1A (SYNTHETIC)",
        "MODE": "IW",
        "PRODUCT_TYPE": "GRD (SYNTHETIC)",
        "POLARISATION": "VV",
        "SCALE": "power",
    }
    path = write_cog(os.path.join(folder, f"{scene_id}.tif"), image, gt, epsg, metadata)
    return path, ships


# Where the demo puts the dark Bai Mei 8 at the scene's time: its own synthetic track (demo.scenario.bai_mei_8, the
# positions it would have reported) ten hours into its first dark period, crossing Korea Bay east towards Nampo at
# 11.5 kn, 17 and 21 km from the fishing vessels LU RONG YU 8858 and ZHE DAI YU 4086, which report AIS.
DEMO_DARK = DemoVessel(123.8724, 38.8747, 169.0, 82.0)
SCENE_MARGIN_PX = 150  # vessels are kept this far from the scene's edges (its land buffer and CFAR background)


def scene_centre(dark: DemoVessel, vessels: Sequence[DemoVessel], size_px: int) -> Tuple[float, float]:
    """The centre (lon, lat) of a ``size_px`` square scene holding ``dark`` and, nearest first, every vessel that
    still fits with the others ``SCENE_MARGIN_PX`` inside its edges: the scene shows the dark ship among the
    vessels that report AIS around it, as a real pass would."""
    px_lon = 111_320.0 * math.cos(math.radians(dark.lat)) / PIXEL_M  # pixels per degree, near enough at 30-50 km
    px_lat = 110_574.0 / PIXEL_M
    room = size_px - 2 * SCENE_MARGIN_PX
    lons, lats = [dark.lon], [dark.lat]
    for v in sorted(vessels, key=lambda v: math.hypot((v.lon - dark.lon) * px_lon, (v.lat - dark.lat) * px_lat)):
        grown_lon, grown_lat = lons + [v.lon], lats + [v.lat]
        if (max(grown_lon) - min(grown_lon)) * px_lon <= room and (max(grown_lat) - min(grown_lat)) * px_lat <= room:
            lons, lats = grown_lon, grown_lat
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def vessels_at(reports, acquired: str = DEMO_ACQUIRED) -> List[DemoVessel]:
    """Every vessel of ``reports`` (AisColumns) placed at ``acquired`` (``core.sar_match.positions_at``), heading
    from its course and a length from its MMSI (the scenario's AIS gives the plugin no length to match by)."""
    from ..core.footprints import parse_rfc3339
    from ..core.sar_match import positions_at

    if reports is None or not len(reports):
        return []
    at = parse_rfc3339(acquired)
    names = {int(m): reports.vessel_name.get(i) for i, m in enumerate(reports.mmsi.tolist())}
    return [
        DemoVessel(
            v.lon, v.lat, 80.0 + (v.mmsi % 17) * 10.0, _course_of(reports, v.mmsi, at), v.mmsi, v.vessel_name or ""
        )
        for v in positions_at(reports.mmsi, reports.t, reports.lon, reports.lat, at, reports.sog, reports.cog, names)
    ]


def write_demo_scene(
    folder: str,
    reports=None,
    dark: DemoVessel = DEMO_DARK,
    size_px: int = 3000,
    land_path: Optional[str] = None,
) -> Tuple[str, List[PlantedShip]]:
    """The demo's SYNTHETIC Sentinel-1 scene of Korea Bay at ``DEMO_ACQUIRED``: ``dark`` without AIS and every vessel
    of ``reports`` (AisColumns of the scenario) that lies inside the scene at that time, the scene placed to hold
    the dark vessel and as many of the nearest AIS vessels as fit (``scene_centre``). Returns the COG's path and
    the planted ships."""
    vessels = vessels_at(reports)
    centre = scene_centre(dark, vessels, size_px)
    return korea_bay_scene(folder, [*vessels, dark], centre, size_px=size_px, land_path=land_path)


def _course_of(reports, mmsi: int, at: float) -> float:
    """The course of a vessel's report nearest ``at`` (0 when it gave none)."""
    rows = np.flatnonzero(reports.mmsi == mmsi)
    nearest = rows[np.argmin(np.abs(reports.t[rows] - at))]
    course = float(reports.cog[nearest])
    return course % 180.0 if math.isfinite(course) else 0.0
