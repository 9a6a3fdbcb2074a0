"""SYNTHETIC very-high-resolution scenes of Nampo's coal wharf for the demo catalogue's SkySat items.

Each scene is a small cloud-optimised GeoTIFF (0.8 m, RGB, JPEG with overviews, in UTM 51N) drawn with numpy: water,
the quay along ``nampo.BERTH_HEADING_DEG``, the apron, coal heaps and the ships at the quay. The Bai Mei 8 lies at
``nampo.BERTH_LON/LAT`` as its profile (resources/profiles/bai_mei_8_profiles.csv) describes it on the dates the story
puts it there, beside look-alikes. Nothing here is real imagery: every scene says SYNTHETIC in its metadata and in
its top-left corner. The same seed gives the same bytes.

``python -m bai_mei_plugin.demo.scenes [resources/scenes]`` writes them (what the Makefile's ``scenes`` target runs).
"""

from __future__ import annotations

import csv
import math
import os
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..paths import resource_path
from . import nampo

GSD_M = 0.8
WIDTH_PX, HEIGHT_PX = 1800, 1400  # 1.44 km x 1.12 km: about 1.6 km² around the berth
THUMB_PX = 256
EPSG = 32651  # UTM 51N: metres, north up
SEED = 20170616
QUAY_GAP_M = 2.0  # fenders between a hull and the quay edge
NEIGHBOUR_SPACING_M = 215.0  # centre to centre of ships along the quay
SYNTHETIC_NOTICE = "SYNTHETIC - not a real satellite image; drawn by bai_mei_plugin/demo/scenes.py for the demo"

COLOURS = {
    "black": (22, 22, 24),
    "red": (150, 38, 32),
    "green": (52, 102, 60),
    "white": (232, 232, 226),
    "grey": (120, 122, 124),
}


@dataclass(frozen=True)
class Ship:
    name: str
    length_m: float
    beam_m: float
    hatches: int
    cranes: int
    hull: str
    deck: str
    superstructure: str
    gantry: bool = False


@dataclass(frozen=True)
class SceneSpec:
    item_id: str
    date: str  # burned into the corner
    ships: Tuple[Tuple[str, float], ...]  # (profile name, position along the quay from the berth, metres)


# The story: the Bai Mei 8 at the berth on 16 and 17 June and 6 July 2017, not on 20 May; look-alikes along the quay.
SCENES = (
    SceneSpec("SYNTHETIC_20170520_021500_ssc2", "2017-05-20", (("JIN HANG 71", -NEIGHBOUR_SPACING_M),)),
    SceneSpec(
        "SYNTHETIC_20170616_021000_ssc1",
        "2017-06-16",
        (("BAI MEI 8", 0.0), ("JIN HANG 71", -NEIGHBOUR_SPACING_M), ("HAN SAN 1", NEIGHBOUR_SPACING_M)),
    ),
    SceneSpec(
        "SYNTHETIC_20170617_020500_ssc3",
        "2017-06-17",
        (("BAI MEI 8", 0.0), ("JIN HANG 71", -NEIGHBOUR_SPACING_M), ("SEONG SUNG 3", NEIGHBOUR_SPACING_M)),
    ),
    SceneSpec(
        "SYNTHETIC_20170706_022000_ssc2",
        "2017-07-06",
        (("BAI MEI 8", 0.0), ("PEARL WAY 3", NEIGHBOUR_SPACING_M)),
    ),
)


def load_profiles(path: Optional[str] = None) -> Dict[str, Ship]:
    """The vessel profiles by name (resources/profiles/bai_mei_8_profiles.csv)."""
    path = path or resource_path("profiles", "bai_mei_8_profiles.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["name"]: Ship(
            row["name"],
            float(row["length_m"]),
            float(row["beam_m"]),
            int(row["hatch_count"]),
            int(row["crane_count"]),
            row["hull_colour"],
            row["deck_colour"],
            row["superstructure_colour"],
            "gantry" in row["crane_type"],
        )
        for row in rows
    }


# --- the frame ---------------------------------------------------------------------------------------------------


def berth_utm() -> Tuple[float, float]:
    from osgeo import osr

    wgs84, utm = osr.SpatialReference(), osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    utm.ImportFromEPSG(EPSG)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _z = osr.CoordinateTransformation(wgs84, utm).TransformPoint(nampo.BERTH_LON, nampo.BERTH_LAT)
    return x, y


def geotransform() -> Tuple[float, ...]:
    """The scene's grid: centred on the berth, snapped to whole metres so that every run gives the same grid."""
    x, y = berth_utm()
    west = round(x - WIDTH_PX * GSD_M / 2)
    north = round(y + HEIGHT_PX * GSD_M / 2)
    return (float(west), GSD_M, 0.0, float(north), 0.0, -GSD_M)


def quay_frame(transform) -> Tuple[np.ndarray, np.ndarray]:
    """Each pixel's position in metres from the berth: ``along`` the quay (towards the bow of a ship heading
    ``BERTH_HEADING_DEG``) and ``across`` it (positive towards the land)."""
    x0, y0 = berth_utm()
    cols = transform[0] + (np.arange(WIDTH_PX) + 0.5) * GSD_M - x0
    rows = transform[3] - (np.arange(HEIGHT_PX) + 0.5) * GSD_M - y0
    east, north = np.meshgrid(cols, rows)
    heading = math.radians(nampo.BERTH_HEADING_DEG)
    ux, uy = math.sin(heading), math.cos(heading)  # bow direction (east, north)
    along = east * ux + north * uy
    across = east * uy - north * ux  # to starboard: the ship lies port side to... the land is to starboard
    return along, across


# --- drawing -----------------------------------------------------------------------------------------------------


def smooth_noise(rng: np.random.Generator, shape, cell: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1]: a coarse random grid enlarged bilinearly."""
    rows, cols = shape[0] // cell + 2, shape[1] // cell + 2
    coarse = rng.uniform(-1.0, 1.0, (rows, cols))
    y = np.arange(shape[0]) / cell
    x = np.arange(shape[1]) / cell
    y0, x0 = y.astype(int), x.astype(int)
    fy, fx = (y - y0)[:, None], (x - x0)[None, :]
    a = coarse[y0][:, x0]
    b = coarse[y0][:, x0 + 1]
    c = coarse[y0 + 1][:, x0]
    d = coarse[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def paint(image: np.ndarray, mask: np.ndarray, colour, shade: Optional[np.ndarray] = None) -> None:
    value = np.asarray(colour, dtype=np.float32)
    if shade is None:
        image[mask] = value
    else:
        image[mask] = value * shade[mask][:, None]


def draw_ground(image, along, across, rng) -> float:
    """Water, quay apron, rails, coal heaps and sheds; returns where the quay edge is (metres across)."""
    texture = smooth_noise(rng, along.shape, 60)
    fine = smooth_noise(rng, along.shape, 8)
    image[:] = np.asarray((34, 58, 66), np.float32) * (1 + 0.06 * texture + 0.03 * fine)[..., None]
    edge = 27.0 / 2 + QUAY_GAP_M  # the quay face: the Bai Mei 8's beam and the fenders from its centreline
    land = across > edge
    paint(image, land, (150, 148, 140), 1 + 0.05 * texture + 0.04 * fine)
    paint(image, land & (across < edge + 1.2), (200, 196, 180))  # the quay's coping
    for rail in (edge + 8.0, edge + 20.0):  # the ship loaders' rails
        paint(image, np.abs(across - rail) < 0.6, (80, 78, 74))
    draw_coal_heaps(image, along, across, edge, rng, texture)
    for start in (-700.0, -420.0, 160.0, 480.0):  # sheds beyond the stockyard
        shed = (along > start) & (along < start + 180.0) & (across > edge + 300.0) & (across < edge + 345.0)
        paint(image, shed, (176, 170, 160) if start < 0 else (110, 130, 150))
    return edge


def draw_coal_heaps(image, along, across, edge, rng, texture) -> None:
    """Long coal stockpiles parallel to the quay, lit from the south-east (a ridge lighter on one side)."""
    for row, centre_across in enumerate((edge + 80.0, edge + 150.0, edge + 220.0)):
        position = -780.0 + 40.0 * row
        while position < 760.0:
            length = float(rng.uniform(120.0, 230.0))
            width = float(rng.uniform(34.0, 46.0))
            u = (along - position - length / 2) / (length / 2)
            v = (across - centre_across) / (width / 2)
            heap = u**2 + v**2 < 1.0
            light = 0.75 + 0.25 * np.clip(-v, -1, 1) + 0.06 * texture
            paint(image, heap, (44, 42, 40), light)
            position += length + float(rng.uniform(25.0, 60.0))


def hull_halfwidth(x: np.ndarray, ship: Ship) -> np.ndarray:
    """Half the hull's width at ``x`` metres from its centre towards the bow: a pointed bow, a rounded stern."""
    half, length = ship.beam_m / 2, ship.length_m / 2
    bow_start, stern_start = length - 28.0, -length + 7.0
    width = np.full(x.shape, half, dtype=np.float32)
    bow = x > bow_start
    width[bow] = half * np.sqrt(np.clip((length - x[bow]) / 28.0, 0, 1))
    stern = x < stern_start
    width[stern] = half * np.sqrt(np.clip(1 - ((x[stern] - stern_start) / 7.0) ** 2, 0, 1))
    width[(x > length) | (x < -length)] = -1.0
    return width


def draw_ship(image, along, across, ship: Ship, at_along: float, edge: float) -> None:
    """One bulk carrier seen from above, lying along the quay with its starboard side to it, bow heading
    ``BERTH_HEADING_DEG``: bulbous bow (under water, ahead of the stem), hull rim, deck, hatch covers, cranes between
    them and the superstructure aft, with shadows on the water."""
    x = along - at_along
    y = across - (edge - QUAY_GAP_M - ship.beam_m / 2)
    near = (np.abs(x) < ship.length_m / 2 + 20) & (np.abs(y) < ship.beam_m / 2 + 20)
    x, y = x[near], y[near]
    part = image[near]
    half = hull_halfwidth(x, ship)
    bulb = ((x - ship.length_m / 2 - 2.5) / 5.0) ** 2 + (y / 2.6) ** 2 < 1.0
    part[bulb & (half < 0)] *= np.float32(0.72)
    shadow = (hull_halfwidth(x + 3.0, ship) >= np.abs(y + 4.0)) & (y < -ship.beam_m / 2 + 1) & (half < np.abs(y))
    part[shadow] *= np.float32(0.55)
    hull = np.abs(y) <= half
    part[hull] = COLOURS[ship.hull]
    deck = np.abs(y) <= half - 4.0  # the hull's side and bulwark seen from above
    part[deck] = COLOURS[ship.deck]
    draw_hatches(part, x, y, ship)
    draw_superstructure(part, x, y, ship)
    draw_cranes(part, x, y, ship)
    image[near] = part


def hatch_spans(ship: Ship) -> List[Tuple[float, float]]:
    """(aft end, fore end) of each hatch, metres from the centre: evenly between the superstructure and the bow."""
    first, last = -ship.length_m / 2 + 34.0, ship.length_m / 2 - 22.0
    pitch = (last - first) / ship.hatches
    return [(first + i * pitch + 3.5, first + (i + 1) * pitch - 3.5) for i in range(ship.hatches)]


def draw_hatches(part, x, y, ship: Ship) -> None:
    cover = np.asarray(COLOURS[ship.deck], np.float32) * 0.7
    for aft, fore in hatch_spans(ship):
        hatch = (x > aft) & (x < fore) & (np.abs(y) < ship.beam_m * 0.27)
        part[hatch] = cover
        part[hatch & (np.abs(x - (aft + fore) / 2) < 0.5)] = cover * 0.6  # the join of the two cover panels


def draw_superstructure(part, x, y, ship: Ship) -> None:
    aft = -ship.length_m / 2
    house = (x > aft + 8.0) & (x < aft + 24.0) & (np.abs(y) < ship.beam_m / 2 - 2.5)
    wings = (x > aft + 20.0) & (x < aft + 23.0) & (np.abs(y) < ship.beam_m / 2)
    shadow = (x > aft + 24.0) & (x < aft + 30.0) & (y < -1.0) & (y > -ship.beam_m / 2 + 2.5)
    part[shadow] *= np.float32(0.5)
    part[house | wings] = COLOURS[ship.superstructure]
    funnel = (x > aft + 9.5) & (x < aft + 13.5) & (np.abs(y) < 2.5)
    part[funnel] = (60, 60, 64)


def draw_cranes(part, x, y, ship: Ship) -> None:
    """Cranes on the centreline between the hatches (jib cranes: a pedestal and a jib stowed fore and aft; gantry
    cranes: a bridge across the deck)."""
    spans = hatch_spans(ship)
    gaps = [(spans[i][1] + spans[i + 1][0]) / 2 for i in range(len(spans) - 1)]
    chosen = gaps[:: max(1, len(gaps) // ship.cranes)][: ship.cranes] if ship.cranes < len(gaps) else gaps
    yellow = (214, 184, 52)
    for centre in chosen:
        if ship.gantry:
            part[(np.abs(x - centre) < 1.6) & (np.abs(y) < ship.beam_m / 2)] = yellow
            continue
        part[((x - centre) ** 2 + y**2) < 2.6**2] = yellow
        # the jib stowed at 45 degrees across the deck, so that each crane reads on its own
        jib = (x > centre) & (x < centre + 11.0) & (np.abs((y - 0.0) - (x - centre)) < 1.0)
        part[jib] = yellow


# --- the SYNTHETIC notice ----------------------------------------------------------------------------------------

FONT = {  # 5 x 7 glyphs, rows top to bottom
    "S": ("01111", "10000", "10000", "01110", "00001", "00001", "11110"),
    "Y": ("10001", "10001", "01010", "00100", "00100", "00100", "00100"),
    "N": ("10001", "11001", "10101", "10011", "10001", "10001", "10001"),
    "T": ("11111", "00100", "00100", "00100", "00100", "00100", "00100"),
    "H": ("10001", "10001", "10001", "11111", "10001", "10001", "10001"),
    "E": ("11111", "10000", "10000", "11110", "10000", "10000", "11111"),
    "I": ("01110", "00100", "00100", "00100", "00100", "00100", "01110"),
    "C": ("01110", "10001", "10000", "10000", "10000", "10001", "01110"),
    "O": ("01110", "10001", "10001", "10001", "10001", "10001", "01110"),
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "R": ("11110", "10001", "10001", "11110", "10100", "10010", "10001"),
    "L": ("10000", "10000", "10000", "10000", "10000", "10000", "11111"),
    "M": ("10001", "11011", "10101", "10101", "10001", "10001", "10001"),
    "G": ("01110", "10001", "10000", "10111", "10001", "10001", "01111"),
    "D": ("11110", "10001", "10001", "10001", "10001", "10001", "11110"),
    "-": ("00000", "00000", "00000", "11111", "00000", "00000", "00000"),
    " ": ("00000",) * 7,
    "0": ("01110", "10011", "10101", "10101", "10101", "11001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11110", "00001", "00001", "01110", "00001", "00001", "11110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
}


def text_mask(text: str, scale: int) -> np.ndarray:
    glyphs = [np.array([[c == "1" for c in row] for row in FONT[ch]], dtype=bool) for ch in text.upper()]
    spaced = [np.pad(g, ((0, 0), (0, 1))) for g in glyphs]
    line = np.concatenate(spaced, axis=1)
    return np.kron(line, np.ones((scale, scale), dtype=bool))


def burn_notice(image: np.ndarray, date: str) -> None:
    """White letters on a black box in the top-left corner: SYNTHETIC, NOT A REAL IMAGE and the date."""
    lines = [(text_mask("SYNTHETIC", 6), 12), (text_mask("NOT A REAL IMAGE", 3), 70), (text_mask(date, 3), 100)]
    width = max(mask.shape[1] for mask, _top in lines) + 24
    image[:128, :width] = (0, 0, 0)
    for mask, top in lines:
        region = image[top : top + mask.shape[0], 12 : 12 + mask.shape[1]]
        region[mask] = (255, 255, 255)


# --- the scene ---------------------------------------------------------------------------------------------------


def render(spec: SceneSpec, profiles: Dict[str, Ship], seed: int = SEED) -> np.ndarray:
    """The scene's RGB pixels (rows, cols, 3) as uint8."""
    rng = np.random.default_rng([seed, int(spec.date.replace("-", ""))])
    along, across = quay_frame(geotransform())
    image = np.zeros(along.shape + (3,), dtype=np.float32)
    edge = draw_ground(image, along, across, rng)
    for name, position in spec.ships:
        draw_ship(image, along, across, profiles[name], position, edge)
    image += rng.normal(0.0, 1.5, image.shape).astype(np.float32)  # a little sensor noise
    pixels = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    burn_notice(pixels, spec.date)
    return pixels


def _memory_dataset(pixels: np.ndarray, transform=None):
    from osgeo import gdal

    rows, cols, bands = pixels.shape
    dataset = gdal.GetDriverByName("MEM").Create("", cols, rows, bands, gdal.GDT_Byte)
    for band in range(bands):
        dataset.GetRasterBand(band + 1).WriteArray(pixels[:, :, band])
        dataset.GetRasterBand(band + 1).SetColorInterpretation(gdal.GCI_RedBand + band)
    if transform is not None:
        from osgeo import osr

        srs = osr.SpatialReference()
        srs.ImportFromEPSG(EPSG)
        dataset.SetGeoTransform(transform)
        dataset.SetProjection(srs.ExportToWkt())
    return dataset


def write_scene(spec: SceneSpec, folder: str, profiles: Dict[str, Ship], seed: int = SEED) -> Tuple[str, str]:
    """Writes ``<item id>.tif`` (COG) and ``<item id>_thumb.png`` into ``folder`` (under temporary names, renamed
    when complete); returns their paths."""
    from osgeo import gdal

    pixels = render(spec, profiles, seed)
    dataset = _memory_dataset(pixels, geotransform())
    for band in range(1, 4):
        # inside the file: QGIS would otherwise compute them and write an .aux.xml beside the scene
        dataset.GetRasterBand(band).ComputeStatistics(False)
    dataset.SetMetadata(
        {
            "SYNTHETIC": "YES",
            "TIFFTAG_IMAGEDESCRIPTION": f"{SYNTHETIC_NOTICE}; {spec.item_id}",
            "TIFFTAG_SOFTWARE": "Bai Mei demo scene generator",
            "BAI_MEI_ITEM_ID": spec.item_id,
        }
    )
    tif = os.path.join(folder, f"{spec.item_id}.tif")
    thumb = os.path.join(folder, f"{spec.item_id}_thumb.png")
    options = ["COMPRESS=JPEG", "QUALITY=90", "BLOCKSIZE=256", "OVERVIEWS=AUTO", "OVERVIEW_RESAMPLING=AVERAGE"]
    with _NoSideFiles():
        gdal.GetDriverByName("COG").CreateCopy(tif + ".partial", dataset, options=options)
        step = max(1, pixels.shape[1] // THUMB_PX)
        small = pixels[::step, ::step]
        gdal.GetDriverByName("PNG").CreateCopy(thumb + ".partial", _memory_dataset(small), options=["ZLEVEL=9"])
    os.replace(tif + ".partial", tif)
    os.replace(thumb + ".partial", thumb)
    return tif, thumb


class _NoSideFiles:
    """No .aux.xml beside the files: everything needed is inside them."""

    def __enter__(self):
        from osgeo import gdal

        self.before = gdal.GetConfigOption("GDAL_PAM_ENABLED")
        gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")

    def __exit__(self, *exc):
        from osgeo import gdal

        gdal.SetConfigOption("GDAL_PAM_ENABLED", self.before)


def write_scenes(folder: str, specs: Sequence[SceneSpec] = SCENES, seed: int = SEED) -> List[str]:
    """Every scene of ``specs`` into ``folder``; the paths written."""
    os.makedirs(folder, exist_ok=True)
    profiles = load_profiles()
    written: List[str] = []
    for spec in specs:
        written.extend(write_scene(spec, folder, profiles, seed))
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    folder = args[0] if args else resource_path("scenes")
    for path in write_scenes(folder):
        print(f"{path}: {os.path.getsize(path):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
