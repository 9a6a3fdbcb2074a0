"""Pure-Python analysis core: numpy, shapely and the standard library only (no qgis, no PyQt)."""
