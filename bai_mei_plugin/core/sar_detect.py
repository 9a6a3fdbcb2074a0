"""Vessels in a SAR scene: a two-parameter CFAR test, pixels clustered into targets, each target measured from its
second moments. Pure numpy/scipy: the raster is read by the caller, window by window (:func:`windows`).

The test, per pixel (in decibels, where sea clutter of a few looks is close to Gaussian and its bright tail is
lighter than a Gaussian's, so the false-alarm rate is an upper bound): bright when it exceeds the mean of its
background ring by ``k`` standard deviations of the ring, ``k`` the Gaussian quantile of the false-alarm rate. The
ring is a square background window less a square guard window centred on the pixel (the guard keeps a ship's own
pixels out of its background); the ring sums are box sums (``scipy.ndimage.uniform_filter``), so the cost does not
depend on the window sizes. Land (buffered) and no-data pixels are neither tested nor part of any background.

Known limits: azimuth ambiguities (ghosts of bright ships or quays displaced along the flight direction) and wind
streaks or rain cells can pass the test; boats shorter than about three pixels are dropped by the minimum length;
a ship's heading is its long axis, 0-180 degrees (a blob has no bow); lengths include any bright wake or sidelobe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .errors import BaiMeiError, Canceled

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class CfarParams:
    """What the detector is asked for. Windows are in metres (turned into odd pixel counts by the pixel size)."""

    pfa: float = 1e-7  # per-pixel false-alarm rate of the test (before the minimum length removes single pixels)
    guard_m: float = 400.0  # wider than the longest ship, so a ship is never part of its own background
    background_m: float = 800.0
    min_length_m: float = 30.0
    max_length_m: float = 500.0  # longer bright blobs are land, quays or sea-ice edges, not ships
    land_buffer_m: float = 200.0
    near_land_m: float = 1000.0  # a detection this close to (unbuffered) land is flagged: quays, rocks, breakwaters
    grow_fraction: float = 0.5  # pixels above k * grow_fraction joined to a detection: the ship's fainter ends

    def __post_init__(self):
        if not 0.0 < self.pfa < 0.5:
            raise BaiMeiError(f"The false-alarm rate must be between 0 and 0.5 (found {self.pfa}).")
        if self.background_m <= self.guard_m:
            raise BaiMeiError(
                f"The background window ({self.background_m:g} m) must be larger than the guard window "
                f"({self.guard_m:g} m)."
            )

    @property
    def k(self) -> float:
        """The threshold in background standard deviations for the false-alarm rate."""
        from scipy.stats import norm

        return float(norm.isf(self.pfa))


@dataclass(frozen=True)
class GeoTransform:
    """A GDAL geotransform and whether its units are degrees (then metres come from the latitude)."""

    gt: Tuple[float, float, float, float, float, float]
    degrees: bool = False

    def to_world(self, col, row):
        """World coordinates of pixel positions (col, row as floats: 0.5 is a pixel's centre)."""
        g = self.gt
        return g[0] + col * g[1] + row * g[2], g[3] + col * g[4] + row * g[5]

    def pixel_size_m(self, row: float = 0.0) -> Tuple[float, float]:
        """(dx, dy) of a pixel in metres, at ``row`` (which matters for degrees)."""
        g = self.gt
        dx, dy = math.hypot(g[1], g[4]), math.hypot(g[2], g[5])
        if not self.degrees:
            return dx, dy
        _, lat = self.to_world(0.0, row)
        return dx * M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)), dy * M_PER_DEG_LAT

    @property
    def north_up(self) -> bool:
        return self.gt[2] == 0 and self.gt[4] == 0


@dataclass
class Detection:
    """One target: where (pixel and world coordinates of its centroid) and what the radar measured."""

    detection_id: str
    x: float  # world coordinates in the raster's CRS
    y: float
    length_m: float
    width_m: float
    heading_deg: float  # the long axis, clockwise from north, 0-180 (a blob has no bow)
    peak_db: float  # brightest pixel, in the decibels of the input (calibrated only if the input was)
    confidence: float  # 0-1: how far above the threshold and how large; a ranking, not a probability
    near_land: bool
    pixels: int
    col: float = field(default=0.0, repr=False)
    row: float = field(default=0.0, repr=False)


@dataclass
class SceneDetection:
    """A detection as a layer has it: in lon/lat, with its scene and the scene's time (epoch seconds)."""

    detection_id: str
    scene_id: str
    acquired: Optional[int]
    length_m: float
    width_m: float
    heading_deg: float
    peak_db: float
    confidence: float
    near_land: bool
    lon: float = field(repr=False, default=0.0)
    lat: float = field(repr=False, default=0.0)


@dataclass(frozen=True)
class Window:
    """A window to read (col, row, width, height) and its core, the part whose targets it reports: cores tile the
    area of interest without overlap, so a target on a window edge is reported once, by the window holding its
    centroid, which is read with enough margin around the core for the target and its background."""

    col: int
    row: int
    width: int
    height: int
    core: Tuple[int, int, int, int]  # col0, row0, col1, row1 (exclusive), in raster pixels


def windows(
    width: int, height: int, size: int, margin: int, aoi: Optional[Tuple[int, int, int, int]] = None
) -> Iterator[Window]:
    """Windows of at most ``size`` + 2 ``margin`` pixels covering ``aoi`` (col0, row0, col1, row1; the whole raster
    when None), their cores ``size`` square."""
    c0, r0, c1, r1 = aoi or (0, 0, width, height)
    c0, r0, c1, r1 = max(0, c0), max(0, r0), min(width, c1), min(height, r1)
    if c1 <= c0 or r1 <= r0:
        return
    for row in range(r0, r1, size):
        for col in range(c0, c1, size):
            core = (col, row, min(col + size, c1), min(row + size, r1))
            wc0, wr0 = max(0, core[0] - margin), max(0, core[1] - margin)
            wc1, wr1 = min(width, core[2] + margin), min(height, core[3] + margin)
            yield Window(wc0, wr0, wc1 - wc0, wr1 - wr0, core)


def window_margin(params: CfarParams, pixel_m: float) -> int:
    """Pixels around a window's core: half the background window plus the longest target, or the land buffer and
    the near-land distance if longer (land just outside the core must still be buffered into it)."""
    metres = max(params.background_m / 2 + params.max_length_m, params.land_buffer_m, params.near_land_m)
    return int(math.ceil(metres / pixel_m)) + 1


# ----------------------------------------------------------------------------------------------------------------
# Input values -> decibels
# ----------------------------------------------------------------------------------------------------------------


def guess_scale(values: np.ndarray) -> str:
    """How a SAR raster holds its values: "db" (negative values), "amplitude" (integers: Sentinel-1 GRD digital
    numbers) or "power" (floats: calibrated backscatter, RTC)."""
    if np.issubdtype(values.dtype, np.integer):
        return "amplitude"
    finite = values[np.isfinite(values)]
    if finite.size and np.nanpercentile(finite, 50) < 0:
        return "db"
    return "power"


def to_db(values: np.ndarray, scale: str, nodata: Optional[float] = None) -> Tuple[np.ndarray, np.ndarray]:
    """(decibels as float32, valid mask) of raster values; zero, no-data and non-finite values are not valid."""
    data = values.astype(np.float32, copy=False)
    valid = np.isfinite(data)
    if nodata is not None:
        valid &= data != nodata
    if scale == "db":
        return np.where(valid, data, 0.0).astype(np.float32), valid
    valid &= data > 0
    factor = 20.0 if scale == "amplitude" else 10.0
    with np.errstate(divide="ignore", invalid="ignore"):
        db = factor * np.log10(np.where(valid, data, 1.0))
    return db.astype(np.float32, copy=False), valid


# ----------------------------------------------------------------------------------------------------------------
# The test
# ----------------------------------------------------------------------------------------------------------------


def odd_pixels(metres: float, pixel_m: float) -> int:
    n = max(1, int(round(metres / pixel_m)))
    return n if n % 2 else n + 1


def ring_statistics(db: np.ndarray, usable: np.ndarray, guard_px: int, background_px: int):
    """(mean, standard deviation, count) of the usable pixels in each pixel's background ring."""
    from scipy.ndimage import uniform_filter

    weight = usable.astype(np.float64)
    values = np.where(usable, db, 0.0).astype(np.float64)

    def box_sum(a, size):
        return uniform_filter(a, size=size, mode="constant", cval=0.0) * float(size * size)

    count = box_sum(weight, background_px) - box_sum(weight, guard_px)
    total = box_sum(values, background_px) - box_sum(values, guard_px)
    squares = box_sum(values * values, background_px) - box_sum(values * values, guard_px)
    del values, weight
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
        var = squares / count - mean * mean
    std = np.sqrt(np.maximum(var, 1e-6))
    return mean.astype(np.float32), std.astype(np.float32), count


def buffer_mask(mask: np.ndarray, buffer_px: float) -> np.ndarray:
    """``mask`` grown by ``buffer_px`` pixels (Euclidean)."""
    if buffer_px <= 0 or not mask.any():
        return mask
    from scipy.ndimage import distance_transform_edt

    return distance_transform_edt(~mask) <= buffer_px


def detect_array(
    db: np.ndarray,
    valid: np.ndarray,
    params: CfarParams,
    pixel_m: Tuple[float, float],
    land: Optional[np.ndarray] = None,
    core: Optional[Tuple[int, int, int, int]] = None,
) -> List[dict]:
    """Targets in one array of decibels: dicts of col, row (centroid, array pixels), length_m, width_m,
    heading_deg, peak_db, confidence, near_land, pixels. ``land`` (unbuffered) is buffered here; ``core`` (col0,
    row0, col1, row1 in array pixels) keeps only the targets whose centroid lies in it."""
    from scipy import ndimage

    dx, dy = pixel_m
    size = math.sqrt(dx * dy)
    usable = valid.copy()
    near = None
    if land is not None and land.any():
        usable &= ~buffer_mask(land, params.land_buffer_m / size)
        near = buffer_mask(land, params.near_land_m / size)
    mean, std, count = ring_statistics(
        db, usable, odd_pixels(params.guard_m, size), odd_pixels(params.background_m, size)
    )
    # a pixel needs enough background to be tested: half the ring at least (none on land or at a scene edge)
    ring_px = odd_pixels(params.background_m, size) ** 2 - odd_pixels(params.guard_m, size) ** 2
    testable = usable & (count >= 0.5 * ring_px)
    z = np.where(testable, (db - mean) / std, 0.0).astype(np.float32)
    del mean, std, count
    k = params.k
    seeds = z > k
    if not seeds.any():
        return []
    grown = z > k * params.grow_fraction
    labels, n = ndimage.label(grown, structure=np.ones((3, 3)))
    keep = np.unique(labels[seeds])
    keep = keep[keep > 0]
    targets = []
    objects = ndimage.find_objects(labels)
    for label in keep.tolist():
        sl = objects[label - 1]
        target = _measure(labels[sl] == label, sl, db[sl], z[sl], k, (dx, dy), params)
        if target is None:
            continue
        if core is not None and not (core[0] <= target["col"] < core[2] and core[1] <= target["row"] < core[3]):
            continue
        r, c = int(target["row"]), int(target["col"])
        target["near_land"] = bool(near[r, c]) if near is not None else False
        targets.append(target)
    return targets


def _measure(mask, sl, db, z, k, pixel_m, params) -> Optional[dict]:
    """A target's centroid, length, width and heading from the second moments of its pixels weighted by their
    excess over the background (so faint edge pixels count less), or None when outside the length limits."""
    rows, cols = np.nonzero(mask)
    weights = np.maximum(z[rows, cols] - k * params.grow_fraction, 0.0).astype(np.float64) + 1e-3
    dx, dy = pixel_m
    xs = (cols + sl[1].start + 0.5) * dx
    ys = (rows + sl[0].start + 0.5) * dy
    w = weights / weights.sum()
    mx, my = float((w * xs).sum()), float((w * ys).sum())
    cxx = float((w * (xs - mx) ** 2).sum()) + dx * dx / 12.0  # a pixel's own extent
    cyy = float((w * (ys - my) ** 2).sum()) + dy * dy / 12.0
    cxy = float((w * (xs - mx) * (ys - my)).sum())
    spread = math.hypot((cxx - cyy) / 2.0, cxy)
    major, minor = (cxx + cyy) / 2.0 + spread, max((cxx + cyy) / 2.0 - spread, 0.0)
    length, width = math.sqrt(12.0 * major), math.sqrt(12.0 * minor)
    if not params.min_length_m <= length <= params.max_length_m:
        return None
    # the long axis, measured in the image: rows grow southwards on a north-up raster
    angle = 0.5 * math.atan2(2.0 * cxy, cxx - cyy)  # from +x (east) towards +row (south)
    heading = (90.0 + math.degrees(angle)) % 180.0
    peak_z = float(z[rows, cols].max())
    confidence = _confidence(peak_z, k, length, params.min_length_m)
    return {
        "col": mx / dx,
        "row": my / dy,
        "length_m": length,
        "width_m": width,
        "heading_deg": heading,
        "peak_db": float(db[rows, cols].max()),
        "confidence": confidence,
        "pixels": int(len(rows)),
    }


def _confidence(peak_z: float, k: float, length_m: float, min_length_m: float) -> float:
    """0-1 rising with the peak's excess over the threshold and with the target's length over the minimum."""
    brightness = 1.0 - math.exp(-max(peak_z - k, 0.0) / 3.0)
    size = min(1.0, length_m / (2.0 * min_length_m))
    return round(0.5 * brightness + 0.5 * size, 3)


# ----------------------------------------------------------------------------------------------------------------
# A whole scene, window by window
# ----------------------------------------------------------------------------------------------------------------

ReadWindow = Callable[[Window], np.ndarray]
LandWindow = Callable[[Window], Optional[np.ndarray]]


def detect_scene(
    read: ReadWindow,
    width: int,
    height: int,
    transform: GeoTransform,
    params: CfarParams = CfarParams(),
    aoi: Optional[Tuple[int, int, int, int]] = None,
    land: Optional[LandWindow] = None,
    scale: Optional[str] = None,
    nodata: Optional[float] = None,
    window_size: int = 2048,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> List[Detection]:
    """Detections in a raster of ``width`` x ``height`` read by ``read(window)`` (its values; ``land(window)`` the
    land mask of the same window or None), over ``aoi`` (pixels) only. ``scale`` as :func:`guess_scale` (guessed
    from the first window when None)."""
    if not transform.north_up:
        raise BaiMeiError("The raster is rotated (its geotransform has rotation terms); warp it north-up first.")
    dx, dy = transform.pixel_size_m(height / 2.0)
    margin = window_margin(params, min(dx, dy))
    plan = list(windows(width, height, window_size, margin, aoi))
    found: List[Detection] = []
    for i, win in enumerate(plan):
        if is_canceled is not None and is_canceled():
            raise Canceled()
        values = read(win)
        scale = scale or guess_scale(values)
        db, valid = to_db(values, scale, nodata)
        del values
        pixel_m = transform.pixel_size_m(win.row + win.height / 2.0)
        core = (win.core[0] - win.col, win.core[1] - win.row, win.core[2] - win.col, win.core[3] - win.row)
        mask = land(win) if land is not None else None
        for t in detect_array(db, valid, params, pixel_m, mask, core):
            col, row = t["col"] + win.col, t["row"] + win.row
            x, y = transform.to_world(col, row)
            found.append(
                Detection(
                    f"D{len(found) + 1:05d}",
                    x,
                    y,
                    round(t["length_m"], 1),
                    round(t["width_m"], 1),
                    round(t["heading_deg"], 1),
                    round(t["peak_db"], 2),
                    t["confidence"],
                    t["near_land"],
                    t["pixels"],
                    col,
                    row,
                )
            )
        if progress is not None:
            progress((i + 1) / len(plan))
    return found


def detect_image(
    image: np.ndarray,
    transform: GeoTransform,
    params: CfarParams = CfarParams(),
    land: Optional[np.ndarray] = None,
    scale: Optional[str] = None,
    window_size: int = 2048,
) -> List[Detection]:
    """:func:`detect_scene` on an array held in memory (tests, small scenes)."""
    height, width = image.shape

    def read(win: Window) -> np.ndarray:
        return image[win.row : win.row + win.height, win.col : win.col + win.width]

    def land_of(win: Window):
        return None if land is None else land[win.row : win.row + win.height, win.col : win.col + win.width]

    return detect_scene(read, width, height, transform, params, None, land_of, scale, None, window_size)


def pixel_box(transform: GeoTransform, bounds: Sequence[float], width: int, height: int) -> Tuple[int, int, int, int]:
    """The pixels (col0, row0, col1, row1) of a north-up raster covering world ``bounds`` (xmin, ymin, xmax, ymax)."""
    g = transform.gt
    cols = sorted(((bounds[0] - g[0]) / g[1], (bounds[2] - g[0]) / g[1]))
    rows = sorted(((bounds[1] - g[3]) / g[5], (bounds[3] - g[3]) / g[5]))
    return (
        max(0, int(math.floor(cols[0]))),
        max(0, int(math.floor(rows[0]))),
        min(width, int(math.ceil(cols[1]))),
        min(height, int(math.ceil(rows[1]))),
    )


def sar_item_assets(item: dict) -> Tuple[int, dict]:
    """(acquired, {polarisation asset key: href}) of a Sentinel-1 STAC item (Planetary Computer or Earth Search):
    the acquisition start (``start_datetime``, else ``datetime``) and its data assets that are GeoTIFFs."""
    from .footprints import parse_rfc3339

    properties = item.get("properties") or {}
    when = properties.get("start_datetime") or properties.get("datetime")
    if not when:
        raise BaiMeiError(f"The STAC item {item.get('id', '?')} has no datetime or start_datetime.")
    assets = {}
    for key, asset in (item.get("assets") or {}).items():
        if not isinstance(asset, dict) or not asset.get("href"):
            continue
        roles, kind = asset.get("roles") or [], str(asset.get("type") or "")
        if "data" in roles and "tiff" in kind.lower():
            assets[key] = asset["href"]
    if not assets:
        raise BaiMeiError(f"The STAC item {item.get('id', '?')} has no GeoTIFF data asset (expected vv, vh, hh or hv).")
    return parse_rfc3339(str(when).replace(" ", "T")), assets
