"""Two-parameter CFAR vessel detection on SYNTHETIC scenes with planted ships (demo/sar_scene.py): recall, false
alarms, measured sizes and headings, land, windows and the input scales."""

import math

import numpy as np
import pytest

from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.sar_detect import (
    CfarParams,
    GeoTransform,
    detect_image,
    detect_scene,
    guess_scale,
    to_db,
    windows,
)
from bai_mei_plugin.demo.sar_scene import PlantedShip, planted_scene, random_ships

UTM = GeoTransform((500000.0, 10.0, 0.0, 4300000.0, 0.0, -10.0))
SHAPE = (1000, 1000)  # 10 km x 10 km = 100 km2 at 10 m


def _pair(ships, detections):
    """(ship, detection or None) with each detection used once: the nearest within half the ship's length."""
    used, pairs = set(), []
    for s in ships:
        best = None
        for i, d in enumerate(detections):
            gap = math.hypot(d.col - s.col, d.row - s.row)
            if i not in used and gap <= s.length_m / 20 + 3 and (best is None or gap < best[0]):
                best = (gap, i)
        if best is not None:
            used.add(best[1])
        pairs.append((s, None if best is None else detections[best[1]]))
    return pairs, len(detections) - len(used)


@pytest.mark.parametrize(
    "looks,mean_db,seed",
    [(4.4, -25.0, 1), (4.4, -18.0, 2), (4.4, -12.0, 3), (3.0, -20.0, 4), (2.0, -16.0, 5)],
)
def test_recall_false_alarms_and_lengths_across_clutter(looks, mean_db, seed):
    rng = np.random.default_rng(seed)
    ships = random_ships(rng, SHAPE, 25, lengths=(60.0, 300.0), scr_db=(15.0, 25.0))
    image = planted_scene(SHAPE, ships, looks=looks, mean_db=mean_db, seed=seed)
    detections = detect_image(image, UTM, CfarParams(), window_size=512)
    pairs, false_alarms = _pair(ships, detections)
    found = [(s, d) for s, d in pairs if d is not None]
    assert len(found) >= 0.9 * len(ships), f"recall {len(found)}/{len(ships)}"
    assert false_alarms <= 1, f"{false_alarms} false alarms in 100 km2"
    for ship, det in found:
        assert abs(det.length_m - ship.length_m) <= 0.25 * ship.length_m, (ship, det)
        turn = (det.heading_deg - ship.heading_deg + 90.0) % 180.0 - 90.0
        assert abs(turn) <= 10.0, (ship, det)
        assert 0.0 < det.confidence <= 1.0
        assert det.peak_db > mean_db + 10.0


def test_sea_alone_gives_no_detection_in_several_hundred_km2():
    for seed in range(3):
        image = planted_scene(SHAPE, [], looks=4.4, mean_db=-20.0, seed=100 + seed)
        assert detect_image(image, UTM) == []


def test_world_coordinates_and_geographic_pixels():
    ship = PlantedShip(400.3, 250.7, 200.0, 30.0, 45.0, 22.0)
    image = planted_scene((600, 600), [ship], seed=7)
    (det,) = detect_image(image, UTM)
    assert det.x == pytest.approx(500000 + 400.3 * 10, abs=15)
    assert det.y == pytest.approx(4300000 - 250.7 * 10, abs=15)
    # the same pixels in degrees at 60 N: a pixel is half as wide in metres as it is tall
    degrees = GeoTransform((10.0, 0.0002, 0.0, 60.0, 0.0, -0.0001), degrees=True)
    dx, dy = degrees.pixel_size_m(0)
    assert dx == pytest.approx(0.0002 * 111320 * 0.5, rel=0.01) and dy == pytest.approx(11.06, rel=0.01)


def test_land_and_its_buffer_are_not_searched_but_nearby_ships_are_flagged():
    land = np.zeros((800, 800), dtype=bool)
    land[:, :300] = True  # bright rough land on the west
    quay_ship = PlantedShip(310.0, 200.0, 150.0, 25.0, 0.0, 22.0)  # 50 m from the shore, inside the 200 m buffer
    near_ship = PlantedShip(360.0, 500.0, 150.0, 25.0, 0.0, 22.0)  # 600 m off: searched, near land
    far_ship = PlantedShip(650.0, 400.0, 150.0, 25.0, 0.0, 22.0)
    buildings = [
        PlantedShip(100.0 + 40 * i, 100.0 + 80 * i, 80.0, 40.0, 20.0 * i, 55.0) for i in range(5)
    ]  # cranes, tanks
    image = planted_scene((800, 800), [quay_ship, near_ship, far_ship, *buildings], land=land, seed=11)
    without = detect_image(image, UTM)
    assert sum(d.col < 290 for d in without) >= 3, "bright buildings on unmasked land are detected"
    found = detect_image(image, UTM, land=land)
    assert sorted((round(d.col / 10), d.near_land) for d in found) == [(36, True), (65, False)]


def test_target_on_a_window_edge_is_found_once():
    ships = [PlantedShip(256.0, 256.0, 250.0, 35.0, 45.0, 22.0), PlantedShip(500.0, 130.0, 120.0, 20.0, 90.0, 20.0)]
    image = planted_scene((700, 700), ships, seed=5)
    small_windows = detect_image(image, UTM, window_size=128)
    one_window = detect_image(image, UTM, window_size=2048)
    assert len(small_windows) == len(one_window) == 2
    for a, b in zip(sorted(small_windows, key=lambda d: d.col), sorted(one_window, key=lambda d: d.col)):
        assert (a.col, a.row, a.length_m) == pytest.approx((b.col, b.row, b.length_m))


def test_windows_tile_the_area_of_interest():
    tiles = list(windows(1000, 700, 256, 50, aoi=(100, 100, 900, 600)))
    covered = np.zeros((700, 1000), dtype=int)
    for w in tiles:
        c0, r0, c1, r1 = w.core
        covered[r0:r1, c0:c1] += 1
        assert w.col <= c0 and w.row <= r0 and w.col + w.width >= c1 and w.row + w.height >= r1
        assert w.col >= 0 and w.row >= 0 and w.col + w.width <= 1000 and w.row + w.height <= 700
    assert covered[100:600, 100:900].min() == 1 and covered.sum() == 800 * 500


def test_only_the_area_of_interest_is_read_and_cancel_stops():
    image = planted_scene((900, 900), [PlantedShip(700.0, 700.0, 150.0, 25.0, 30.0, 22.0)], seed=3)
    read = []

    def reader(win):
        read.append(win)
        return image[win.row : win.row + win.height, win.col : win.col + win.width]

    found = detect_scene(reader, 900, 900, UTM, aoi=(0, 0, 300, 300), window_size=300)
    assert found == [] and len(read) == 1
    assert read[0].width < 900 and read[0].height < 900
    with pytest.raises(Canceled):
        detect_scene(reader, 900, 900, UTM, is_canceled=lambda: True)


def test_scales_and_no_data():
    assert guess_scale(np.array([[120, 300]], dtype=np.uint16)) == "amplitude"
    assert guess_scale(np.array([[0.01, 0.2]], dtype=np.float32)) == "power"
    assert guess_scale(np.array([[-20.0, -15.0]], dtype=np.float32)) == "db"
    db, valid = to_db(np.array([[100, 0, 10]], dtype=np.uint16), "amplitude")
    assert db[0, 0] == pytest.approx(40.0) and valid.tolist() == [[True, False, True]]
    ship = PlantedShip(300.0, 300.0, 150.0, 25.0, 0.0, 22.0)
    power = planted_scene((600, 600), [ship], seed=9)
    amplitude = np.sqrt(power / power.mean() * 1e4).astype(np.uint16)  # GRD digital numbers
    decibels = (10 * np.log10(power)).astype(np.float32)
    for values in (amplitude, decibels):
        (det,) = detect_image(values, UTM)
        assert det.length_m == pytest.approx(150, rel=0.25)


def test_bad_parameters_are_explained():
    with pytest.raises(BaiMeiError, match="background window"):
        CfarParams(guard_m=800, background_m=500)
    with pytest.raises(BaiMeiError, match="false-alarm rate"):
        CfarParams(pfa=0.7)
    rotated = GeoTransform((0.0, 10.0, 1.0, 0.0, 1.0, -10.0))
    with pytest.raises(BaiMeiError, match="rotated"):
        detect_image(np.ones((50, 50), dtype=np.float32), rotated)
