"""Where the SYNTHETIC story happens at Nampo: one owner for the coordinates the scenario, its scenes, its catalogue
and its sightings share.

The first release put Nampo at 38.700 N 125.150 E, about 21 km west of the real port. The scenario now uses the real
port of the NGA World Port Index (Pub. 150: NAMPO, UN/LOCODE KP NAM, 38.7167 N 125.4 E), which lies on the water of
QGIS's world map. Everything at Nampo that was placed relative to the old position moves by ``SHIFT_FROM_OLD``.
"""

from __future__ import annotations

# The World Port Index's Nampo (lon, lat).
NAMPO_LON, NAMPO_LAT = 125.4, 38.7167

# Where the first release put it, and the shift from there to the real port (degrees of lon, lat).
OLD_NAMPO_LON, OLD_NAMPO_LAT = 125.15, 38.70
SHIFT_FROM_OLD = (NAMPO_LON - OLD_NAMPO_LON, NAMPO_LAT - OLD_NAMPO_LAT)

# The Bai Mei 8 alongside the coal wharf in the SkySat scenes of 16-17 June and 6 July 2017 (its centre, lon and lat),
# heading along the quay (degrees clockwise from north).
BERTH_LON, BERTH_LAT = 125.4005, 38.7179
BERTH_HEADING_DEG = 212.0


def shifted(lon: float, lat: float) -> tuple:
    """A position of the first release's Nampo moved to the real port, by the same offset."""
    return lon + SHIFT_FROM_OLD[0], lat + SHIFT_FROM_OLD[1]
