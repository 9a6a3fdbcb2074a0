"""Distances by sea inside a gap's reachable water (bai_mei_plugin.core.sea_grid), against hand-computed routes."""

import pytest
from shapely.geometry import MultiPolygon, box

from bai_mei_plugin.core.geodesy import haversine_nm
from bai_mei_plugin.core.sea_grid import GRID_FACTOR, SNAP_KM, SNAP_NM, SeaGrid, SeaLegs


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


def test_a_point_within_snap_km_of_the_water_starts_at_sea_and_one_farther_in_does_not():
    # water west of lon 2 on the equator; 1 degree is 111 km, so 0.06 degrees is 6.7 km inside the land
    water = box(0.0, -1.0, 2.0, 1.0)
    legs = SeaLegs(water, (0.5, 0.5), (0.5, -0.5))
    assert legs.grid.snap_nm < SNAP_NM + 2.0  # a fine grid: the snapping distance is the 10 km, not cells
    inside = (2.0 + 6.0 / 111.2, 0.0)
    d_in, d_out = legs.legs(*inside)
    assert d_in is not None and d_out is not None and not legs.inland(*inside)
    assert d_in == pytest.approx(gc((0.5, 0.5), inside), rel=0.03)  # to the shore, then the last 6 km over land
    far = (2.0 + 14.0 / 111.2, 0.0)
    assert legs.legs(*far) == (None, None) and legs.inland(*far)


def test_snapping_is_in_km_whatever_the_grid_step():
    # the same 6.7 km in from the shore on a coarse grid (few cells) and a fine one: both snap, neither by cells
    water = box(0.0, -1.0, 2.0, 1.0)
    inside = (2.0 + 6.0 / 111.2, 0.0)
    for cells in (2_000, 120_000):
        legs = SeaLegs(water, (0.5, 0.5), (0.5, -0.5), max_cells=cells)
        assert legs.legs(*inside)[0] is not None, cells
    coarse = SeaLegs(water, (0.5, 0.5), (0.5, -0.5), max_cells=2_000)
    assert coarse.grid.dy * 60.0 > 2.0  # cells of over 2 nm: 4 cells would have been 8+ nm, more than 10 km


def test_a_port_up_a_narrow_channel_joins_the_water_a_route_reaches():
    # a bay with a channel one cell wide on a coarse grid; the port at its head is reached through whatever cells
    # within the snapping distance a route reaches, not only the nearest one
    sea = box(0.0, -1.0, 1.0, 1.0)
    channel = box(1.0, -0.01, 1.3, 0.01)
    legs = SeaLegs(sea.union(channel), (0.2, 0.5), (0.2, -0.5), max_cells=5_000)
    d_in, d_out = legs.legs(1.3, 0.0)
    assert d_in is not None and d_out is not None
    assert d_in >= gc((0.2, 0.5), (1.3, 0.0))


def test_a_ports_sea_field_starts_from_a_port_within_snap_km_of_the_water_and_not_farther_in():
    from bai_mei_plugin.core.sea_fields import SeaField

    land = [box(2.0, -3.0, 5.0, 3.0)]  # water west of lon 2, up to the field's disc
    near = SeaField(2.0 + 6.0 / 111.2, 0.0, 100.0, land)
    assert near.available
    legs, dry = near.legs([1.0], [0.0], [200.0])
    assert not dry.any() and legs[0] == pytest.approx(gc((near.lon, near.lat), (1.0, 0.0)), rel=0.03)
    far = SeaField(2.0 + 14.0 / 111.2, 0.0, 100.0, land)
    assert not far.available and f"more than {SNAP_KM:g} km" in far.reason


def test_a_port_up_a_channel_narrower_than_the_cells_is_reached_through_it():
    """Nampo on a whole long gap's grid: no cell centre falls in the 2 km wide estuary, yet the port is on the
    map's water; it joins the water a route reaches beyond the channel, by the great circle. A port as far in but
    off the water stays inland."""
    area = box(120.0, 37.0, 122.0, 39.0).union(box(122.0, 38.0, 122.3, 38.018))  # sea and a 2 km channel east
    grid = SeaGrid(area, 121.0, max_cells=300)  # cells of about 0.1 degree: none in the channel
    port = (122.28, 38.009)
    assert grid.near(*port)[0].size == 0 and grid.on_water(*port)
    field = grid.distances_from(121.0, 38.0)
    by_sea = grid.distance_to(field, *port)
    assert by_sea is not None and 60.0 < by_sea < 90.0  # about 70 nm of sea and channel
    farther_in = (122.6, 38.009)  # beyond the channel's end, on land
    assert not grid.on_water(*farther_in) and grid.distance_to(field, *farther_in) is None


def test_the_reachable_water_is_one_piece_not_horizontal_strips():
    """Rows of cells merge into one polygon: a row's top and the next row's bottom are the same number."""
    area = box(120.03, 33.07, 126.91, 39.13)  # odd bounds: steps that do not add up exactly in floating point
    legs = SeaLegs(area, (121.03, 34.07), (125.91, 38.13), budget_nm=2000.0, max_cells=3000)
    water = legs.reachable_water(2000.0)  # 33 strips when each row's edges were computed from its centre
    assert water is not None and water.geom_type == "Polygon"
