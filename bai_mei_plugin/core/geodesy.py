"""Distances on a sphere of radius 6,371,008.8 m (the mean Earth radius), vectorised with numpy."""

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_NM = 1852.0


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres between arrays (or scalars) of points given in degrees."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_nm(lon1, lat1, lon2, lat2):
    """Great-circle distance in nautical miles."""
    return haversine_m(lon1, lat1, lon2, lat2) / METRES_PER_NM


def unit_vectors(lon, lat):
    """Unit vectors on the sphere (n x 3) for points given in degrees."""
    lon = np.radians(np.asarray(lon, dtype=np.float64))
    lat = np.radians(np.asarray(lat, dtype=np.float64))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))
