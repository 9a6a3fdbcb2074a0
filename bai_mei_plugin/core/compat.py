"""Points in polygons for arrays of coordinates on shapely 1.8 (Debian 12) and 2.x (Debian 13 and later).

Shapely 2 has ``contains_xy`` and ``intersects_xy`` and deprecates ``shapely.vectorized``, shapely 1.8's only
vectorised predicates; each helper uses what the installed shapely has. Shapely is imported on first use, as the
callers did, so that importing the core does not need it."""

from __future__ import annotations

import numpy as np


def _shapely2():
    """The shapely module when it has the 2.x array predicates, else None (shapely 1.8)."""
    import shapely

    return shapely if hasattr(shapely, "contains_xy") else None


def contains_xy(geometry, x, y) -> np.ndarray:
    """Which points (x[i], y[i]) lie inside ``geometry`` (a point on its edge does not)."""
    shapely = _shapely2()
    if shapely is None:
        from shapely import vectorized

        return vectorized.contains(geometry, x, y)
    shapely.prepare(geometry)  # what vectorized did: many points against one polygon
    return shapely.contains_xy(geometry, x, y)


def covers_xy(geometry, x, y) -> np.ndarray:
    """Which points (x[i], y[i]) lie inside ``geometry`` or on its edge."""
    shapely = _shapely2()
    if shapely is None:
        from shapely import vectorized

        return vectorized.contains(geometry, x, y) | vectorized.touches(geometry, x, y)
    shapely.prepare(geometry)
    return shapely.intersects_xy(geometry, x, y)  # a point intersects a polygon when inside it or on its edge
