"""Where and when the SYNTHETIC scenario happens: its time window and its geography, read from ``resources/demo/``.

Port positions are the ones in the regional gazetteer ``resources/ports/ports.csv`` (a unit test keeps the two
identical); the demo keeps its own copy so that the scenario does not change when someone edits the gazetteer. Nampo
is the World Port Index's (``demo/nampo.py``), reached up the Taedong estuary by its approach points.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, Tuple

from .tables import grouped, number, read_table, words

HOUR = 3600.0
DAY = 86400.0
KM_PER_NM = 1.852


def epoch(day: int, month: int, hour: int = 0, minute: int = 0) -> int:
    """Epoch seconds of a 2017 UTC date and time."""
    return int(datetime(2017, month, day, hour, minute, tzinfo=timezone.utc).timestamp())


SCENARIO_START = epoch(1, 6)
SCENARIO_END = epoch(11, 7)  # exclusive: the last reports are on 10 July

_PORTS = read_table(
    "ports.csv",
    (("name", str), ("locode", str), ("country", str), ("lat", float), ("lon", float), ("sea_waypoint", str)),
)
# (name, UN/LOCODE, country, lat, lon): on the water at the port entrance or anchorage.
PORT_TABLE: Tuple[Tuple[str, str, str, float, float], ...] = tuple(row[:5] for row in _PORTS)

# Sea waypoints (lat, lon). Every leg between them was checked to stay clear of land.
WAYPOINTS: Dict[str, Tuple[float, float]] = {
    name: (lat, lon) for name, lat, lon in read_table("waypoints.csv", (("name", str), ("lat", float), ("lon", float)))
}
SEA_EDGES: Tuple[Tuple[str, str], ...] = tuple(read_table("sea_edges.csv", (("from", str), ("to", str))))

# How each port joins the sea graph: approach points from the port outwards (threading channels and bay mouths
# that a straight line would cut across), then the waypoint the last approach point links to.
_APPROACHES = grouped(read_table("port_approaches.csv", (("locode", str), ("lat", float), ("lon", float))))
PORT_APPROACHES: Dict[str, Tuple[Tuple[Tuple[float, float], ...], str]] = {
    locode: (tuple(_APPROACHES.get(locode, ())), waypoint) for _n, locode, _c, _la, _lo, waypoint in _PORTS
}

# Fishing grounds: (lat, lon, radius in nautical miles, waypoints they link to). Each disc is open sea.
FISHING_GROUNDS: Dict[str, Tuple[float, float, float, Tuple[str, ...]]] = {
    name: (lat, lon, radius, links)
    for name, lat, lon, radius, links in read_table(
        "fishing_grounds.csv",
        (("name", str), ("lat", float), ("lon", float), ("radius_nm", float), ("links", words)),
    )
}

# Where ships leave the area and come back: waypoint -> destinations beyond it.
GATES: Dict[str, Tuple[str, ...]] = {
    gate: tuple(d for (d,) in rows)
    for gate, rows in grouped(read_table("gates.csv", (("waypoint", str), ("destination", str)))).items()
}

# Shore AIS stations beyond the (non-DPRK) ports themselves; North Korea has none, so its coast is satellite-only.
EXTRA_STATIONS: Tuple[Tuple[float, float], ...] = tuple(
    (lat, lon) for _name, lat, lon in read_table("shore_stations.csv", (("name", str), ("lat", float), ("lon", float)))
)
COVERAGE_KM = 25.0

# Relative traffic of each port for background traders (North Korean ports get none).
PORT_TRAFFIC: Dict[str, float] = dict(read_table("port_traffic.csv", (("locode", str), ("weight", number))))
