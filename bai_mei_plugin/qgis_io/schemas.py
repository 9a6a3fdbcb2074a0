"""Layer schemas of the analysis records (see records.py): field names, kinds and, where needed, how to read them."""

from __future__ import annotations

from typing import Optional

from .records import point_of, shapely_geometry

PORT_VISITS = (
    ("mmsi", "int64"),
    ("vessel_name", "str"),
    ("port_name", "str"),
    ("locode", "str"),
    ("country", "str"),
    ("arrival", "datetime"),
    ("departure", "datetime"),
    ("hours", "float"),
    ("destination", "str"),
    ("n_reports", "int"),
    ("distance_km", "float"),
    ("stops", "int"),
)

STOPS = (
    ("mmsi", "int64"),
    ("vessel_name", "str"),
    ("start", "datetime"),
    ("end", "datetime"),
    ("hours", "float"),
    ("n_reports", "int"),
    ("near_port", "str"),
    ("locode", "str"),
    ("port_distance_km", "float"),
    ("bridged_hours", "float"),
)

DESTINATIONS = (
    ("gap_id", "str"),
    ("mmsi", "int64"),
    ("vessel_name", "str"),
    ("off_time", "datetime"),
    ("on_time", "datetime"),
    ("gap_hours", "float"),
    ("previous_port", "str"),
    ("previous_departure", "datetime"),
    ("declared_destination", "str"),
    ("declared_port", "str"),
    ("destination_after", "str"),
    ("actual_next_port", "str"),
    ("next_arrival", "datetime"),
    ("mismatch", "bool"),
)

ENCOUNTERS = (
    ("mmsi_1", "int64"),
    ("vessel_name_1", "str"),
    ("mmsi_2", "int64"),
    ("vessel_name_2", "str"),
    ("start", "datetime"),
    ("end", "datetime"),
    ("hours", "float"),
    ("median_distance_m", "float"),
    ("distance_to_port_km", "float"),
    ("n_slots", "int"),
)

RENDEZVOUS = (
    ("gap_id", "str"),
    ("mmsi", "int64"),
    ("vessel_name", "str"),
    ("other_mmsi", "int64"),
    ("other_name", "str"),
    ("start", "datetime"),
    ("end", "datetime"),
    ("hours", "float"),
    ("near_port", "str"),
)

ANOMALIES = (
    ("mmsi", "int64"),
    ("vessel_name", "str"),
    ("kind", "str"),
    ("time", "datetime"),
    ("evidence", "str"),
    ("before", "str"),
    ("after", "str"),
    ("time_before", "datetime"),
    ("speed_kn", "float"),
    ("distance_nm", "float"),
    ("hours", "float"),
    ("count", "int"),
)


def reach_area_schema(gap_of: dict, suspicion_of: Optional[dict] = None) -> tuple:
    """Areas carry their gap's vessel and window (for the Temporal Controller); ``gap_of`` maps gap_id -> Gap,
    ``suspicion_of`` gap_id -> :class:`~bai_mei_plugin.core.suspicion.Suspicion` (the fields are NULL without it)."""

    def suspicion(attr):
        return lambda a: getattr(suspicion_of[a.gap_id], attr) if suspicion_of and a.gap_id in suspicion_of else None

    return (
        ("gap_id", "str"),
        ("mmsi", "int64"),
        ("vessel_name", "str", lambda a: gap_of[a.gap_id].vessel_name),
        ("off_time", "datetime", lambda a: gap_of[a.gap_id].off_time),
        ("on_time", "datetime", lambda a: gap_of[a.gap_id].on_time),
        ("max_speed_kn", "float"),
        ("area_km2", "float"),
        ("feasible", "bool"),
        ("by_sea", "bool"),
        ("suspicion", "int", suspicion("score")),
        ("suspicion_level", "str", suspicion("level")),
        ("why", "str", suspicion("why")),
    )


CANDIDATE_VISITS = (
    ("gap_id", "str"),
    ("mmsi", "int64"),
    ("port_name", "str"),
    ("locode", "str"),
    ("max_dwell_hours", "float"),
    ("max_dwell_hours_sea", "float"),
    ("arrive_earliest", "datetime"),
    ("depart_latest", "datetime"),
    ("distance_in_nm", "float"),
    ("distance_out_nm", "float"),
    ("sea_distance_in_nm", "float"),
    ("sea_distance_out_nm", "float"),
)


def candidate_visits_schema(interest=None) -> tuple:
    """CANDIDATE_VISITS and ``of_interest``: whether the port is in ``interest`` (an InterestPorts; NULL without)."""
    return CANDIDATE_VISITS + (
        ("of_interest", "bool", lambda v: None if interest is None else (v.port_name, v.locode) in interest),
    )


at_lon_lat = point_of("lon", "lat")


def anomaly_point(anomaly):
    return at_lon_lat(anomaly) if anomaly.lon is not None and anomaly.lat is not None else None


def area_geometry(area):
    geometry = shapely_geometry(area.geometry)
    if geometry is not None and not geometry.isMultipart():
        geometry.convertToMultiType()
    return geometry
