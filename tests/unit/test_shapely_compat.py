"""Points in polygons on shapely 1.8 (Debian 12) and 2.x: the same answers, and no DeprecationWarning."""

import warnings

import numpy as np
import pytest
from shapely.geometry import Polygon

from bai_mei_plugin.core import compat

SQUARE = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)])
# inside, on an edge, on a corner, outside, far outside
X = np.array([5.0, 0.0, 10.0, 10.5, -50.0])
Y = np.array([5.0, 5.0, 10.0, 5.0, 80.0])


def _calls():
    return compat.contains_xy(SQUARE, X, Y), compat.covers_xy(SQUARE, X, Y)


def test_contains_leaves_out_the_edge_covers_keeps_it():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # shapely 2 deprecates shapely.vectorized
        contains, covers = _calls()
    assert contains.tolist() == [True, False, False, False, False]
    assert covers.tolist() == [True, True, True, False, False]


def test_shapely_1_8_path_gives_the_same_answers(monkeypatch):
    """The fallback Debian 12 takes; on shapely 2 forced here (its shapely.vectorized still works, deprecated)."""
    expected = _calls()
    monkeypatch.setattr(compat, "_shapely2", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        fallback = _calls()
    for got, want in zip(fallback, expected):
        assert np.asarray(got).tolist() == np.asarray(want).tolist()


def test_a_grid_against_a_polygon_with_a_hole():
    ring = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    gx, gy = np.meshgrid(np.arange(0.5, 4, 1.0), np.arange(0.5, 4, 1.0))
    wet = compat.contains_xy(ring, gx.ravel(), gy.ravel()).reshape(gx.shape)
    assert wet.sum() == 12  # 16 cells, the 4 in the hole are out
    assert not wet[1, 1] and not wet[2, 2] and wet[0, 0]


@pytest.mark.parametrize("func", [compat.contains_xy, compat.covers_xy])
def test_no_points(func):
    assert func(SQUARE, np.array([]), np.array([])).tolist() == []
