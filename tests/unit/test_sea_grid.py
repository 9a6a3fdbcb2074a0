"""Distances by sea inside a gap's reachable water (bai_mei_plugin.core.sea_grid), against hand-computed routes."""

import pytest
from shapely.geometry import MultiPolygon, box

from bai_mei_plugin.core.geodesy import haversine_nm
from bai_mei_plugin.core.sea_grid import GRID_FACTOR, SeaGrid, SeaLegs


def gc(a, b):
    return float(haversine_nm(a[0], a[1], b[0], b[1]))


def test_open_water_gives_the_great_circle_within_the_grid_accuracy():
    water = box(0.0, 0.0, 4.0, 4.0)
    off, on, port = (0.5, 2.0), (3.5, 0.5), (3.0, 3.5)
    legs = SeaLegs(water, off, on)
    assert legs.available and legs.grid.n_cells > 50_000
    d_in, d_out = legs.legs(*port)
    # never below the great circle, and at most the grid's worst detour above it (plus snapping to cell centres)
    for sea, straight in ((d_in, gc(off, port)), (d_out, gc(port, on))):
        assert straight <= sea <= straight * GRID_FACTOR + 1.0


def test_a_wall_is_sailed_around_its_end():
    # a wall from the bottom edge up to latitude 3.5, leaving a channel between 3.5 and 4 at its top
    water = box(0.0, 0.0, 4.0, 4.0).difference(box(1.9, 0.0, 2.1, 3.5))
    off, port = (1.0, 1.0), (3.0, 1.0)
    around = gc(off, (1.9, 3.5)) + gc((1.9, 3.5), (2.1, 3.5)) + gc((2.1, 3.5), port)  # round the wall's corners
    legs = SeaLegs(water, off, (3.0, 0.5))
    sea, _ = legs.legs(*port)
    assert around == pytest.approx(331.0, abs=0.5)  # vs 120 nm straight across the wall
    assert around / GRID_FACTOR - 2.0 <= sea <= around + 2.0


def test_water_not_connected_has_no_route():
    # an enclosed lake: land ring around it
    ring = box(1.0, 1.0, 3.0, 3.0).difference(box(1.5, 1.5, 2.5, 2.5))
    water = box(0.0, 0.0, 4.0, 4.0).difference(ring)
    legs = SeaLegs(water, (0.5, 0.5), (3.5, 3.5))
    assert legs.legs(2.0, 2.0) == (None, None)  # the lake
    d_in, d_out = legs.legs(3.5, 0.5)
    assert d_in is not None and d_out is not None
    assert legs.legs(20.0, 20.0) == (None, None)  # far outside the water


def test_a_port_on_land_at_grid_resolution_is_joined_to_the_water_next_to_it():
    water = box(0.0, 0.0, 4.0, 4.0).difference(box(2.0, 0.0, 4.0, 4.0).buffer(0.0))
    legs = SeaLegs(water, (0.5, 2.0), (0.5, 1.0))
    d_in, _ = legs.legs(2.01, 2.0)  # a quay just inside the land edge
    assert d_in == pytest.approx(gc((0.5, 2.0), (2.01, 2.0)), rel=0.03)
    assert legs.legs(3.0, 2.0) == (None, None)  # well inland


def test_across_the_antimeridian():
    water = MultiPolygon([box(178.0, -1.0, 180.0, 1.0), box(-180.0, -1.0, -178.0, 1.0)])
    off, on = (179.0, 0.0), (-179.5, 0.5)
    legs = SeaLegs(water, off, on)
    assert legs.available
    d_in, d_out = legs.legs(-179.0, 0.0)
    assert d_in == pytest.approx(gc(off, (-179.0, 0.0)), rel=0.03)  # 120 nm across, not 21,400 round the world
    assert d_out == pytest.approx(gc((-179.0, 0.0), on), rel=0.05)


def test_polar_areas_and_empty_areas_have_no_sea_distances():
    polar = SeaLegs(box(-10.0, 80.0, 10.0, 89.0), (0.0, 82.0), (5.0, 83.0))
    assert not polar.available and "latitude" in polar.reason
    assert polar.legs(1.0, 82.5) == (None, None)
    empty = SeaLegs(box(0.0, 0.0, 1.0, 1.0).difference(box(-1.0, -1.0, 2.0, 2.0)), (0.5, 0.5), (0.6, 0.6))
    assert not empty.available and "empty" in empty.reason


def test_budget_limits_the_search():
    water = box(0.0, 0.0, 4.0, 4.0)
    grid = SeaGrid(water, 0.5)
    near = grid.distances_from(0.5, 0.5, limit=60.0)
    assert grid.distance_to(near, 0.5, 1.0) == pytest.approx(30.0, abs=1.5)  # cell centres: within a cell
    assert grid.distance_to(near, 3.5, 3.5) is None  # beyond the limit: unexplored
