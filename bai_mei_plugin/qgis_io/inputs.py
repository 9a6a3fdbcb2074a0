"""QGIS layers -> core records the analysis steps chain on: gaps (from baimei:detectgaps), ports, sightings and
vessel profiles."""

from __future__ import annotations

from typing import List

from qgis.core import QgsCoordinateTransform, QgsFeatureRequest, QgsProject, QgsWkbTypes
from qgis.PyQt.QtCore import QDateTime, Qt

from ..core.errors import BaiMeiError
from ..core.gaps import Gap
from ..core.ports import Port, load_ports
from ..core.profiles import FEATURES, PROFILE_COLUMNS, profiles_from_rows
from ..core.sightings import Sighting
from ..paths import resource_path
from .layers import epoch_seconds
from .sources import WGS84, _present

GAP_REQUIRED = ("gap_id", "mmsi", "off_time", "on_time", "off_lon", "off_lat", "on_lon", "on_lat")


def _value(feature, name, names, convert=float):
    if name not in names:
        return None
    value = feature[name]
    if not _present(value):
        return None
    try:
        return convert(value)
    except (TypeError, ValueError):
        return None


def gaps_from_source(source) -> List[Gap]:
    """Gap records from a layer written by baimei:detectgaps (its fields name everything a gap needs)."""
    names = source.fields().names()
    missing = [n for n in GAP_REQUIRED if n not in names]
    if missing:
        raise BaiMeiError(
            f"The gaps layer lacks the field(s) {', '.join(missing)}: use the Dark gaps output of "
            "Detect dark gaps (baimei:detectgaps)."
        )
    gaps = []
    for number, feature in enumerate(source.getFeatures(QgsFeatureRequest()), start=1):
        off, on = epoch_seconds(feature["off_time"]), epoch_seconds(feature["on_time"])
        ends = [_value(feature, n, names) for n in ("off_lon", "off_lat", "on_lon", "on_lat")]
        mmsi = _value(feature, "mmsi", names, int)
        if off is None or on is None or mmsi is None or any(v is None for v in ends):
            raise BaiMeiError(
                f"Gap {number} ({feature['gap_id']}) of the gaps layer has no MMSI, time or end position."
            )
        gaps.append(
            Gap(
                gap_id=str(feature["gap_id"]),
                mmsi=mmsi,
                vessel_name=_value(feature, "vessel_name", names, str),
                off_time=off,
                on_time=on,
                gap_hours=(on - off) / 3600.0,
                distance_nm=_value(feature, "distance_nm", names) or 0.0,
                implied_speed_kn=_value(feature, "implied_speed_kn", names) or 0.0,
                off_lon=ends[0],
                off_lat=ends[1],
                on_lon=ends[2],
                on_lat=ends[3],
                sog_before=_value(feature, "sog_before", names),
                sog_after=_value(feature, "sog_after", names),
                draught_before=_value(feature, "draught_before", names),
                draught_after=_value(feature, "draught_after", names),
                destination_before=_value(feature, "destination_before", names, str),
                destination_after=_value(feature, "destination_after", names, str),
                positions_12h_before=_value(feature, "positions_12h_before", names, int) or 0,
                off_shore_nm=_value(feature, "off_shore_nm", names),
                on_shore_nm=_value(feature, "on_shore_nm", names),
            )
        )
    return gaps


def default_ports() -> List[Port]:
    return load_ports(resource_path("ports", "ports.csv"))


def ports_from_source(source, name_field: str = "name", locode_field: str = "locode") -> List[Port]:
    """Ports from a point or polygon layer (any CRS); ``name`` and ``locode`` fields when present, else numbered
    names. A polygon is the port's outline (``Port.area``), placed at a point inside it."""
    names = source.fields().names()
    crs = source.sourceCrs()
    transform = None
    if crs.isValid() and crs != WGS84:
        transform = QgsCoordinateTransform(crs, WGS84, QgsProject.instance())
    ports = []
    for number, feature in enumerate(source.getFeatures(QgsFeatureRequest()), start=1):
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            continue
        if transform is not None:
            geometry.transform(transform)
        area = None
        if geometry.type() == QgsWkbTypes.PolygonGeometry:
            from shapely import wkb

            area = wkb.loads(bytes(geometry.asWkb()))
            if not area.is_valid:
                area = area.buffer(0)
            point = geometry.pointOnSurface().asPoint()
        else:
            point = geometry.centroid().asPoint()
        name = str(feature[name_field]) if name_field in names and _present(feature[name_field]) else f"Port {number}"
        locode = str(feature[locode_field]) if locode_field in names and _present(feature[locode_field]) else ""
        country = str(feature["country"]) if "country" in names and _present(feature["country"]) else ""
        ports.append(Port(name=name, locode=locode, country=country, lat=point.y(), lon=point.x(), area=area))
    if not ports:
        raise BaiMeiError("The ports layer has no features with a geometry.")
    return ports


def _plain(value):
    """A field value as Python: NULL and blank text -> None."""
    return value if _present(value) else None


def _time(value):
    if isinstance(value, str) and value.strip():
        value = QDateTime.fromString(value.strip(), Qt.ISODate)
    return epoch_seconds(value)


def sightings_from_source(source, context=None) -> List[Sighting]:
    """Sightings from a point layer with the sighting fields (any CRS; a missing id becomes the feature id)."""
    names = source.fields().names()
    crs = source.sourceCrs()
    transform = None
    if crs.isValid() and crs != WGS84:
        project = context.project() if context is not None and context.project() else QgsProject.instance()
        transform = QgsCoordinateTransform(crs, WGS84, project)
    present = [name for name in FEATURES if name in names]
    sightings = []
    for feature in source.getFeatures(QgsFeatureRequest()):
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            continue
        if transform is not None:
            geometry.transform(transform)
        point = geometry.centroid().asPoint()
        sighting_id = _plain(feature["sighting_id"]) if "sighting_id" in names else None
        observed = _time(feature["observed_at"]) if "observed_at" in names else None
        features = {name: _plain(feature[name]) for name in present}
        sightings.append(
            Sighting(
                str(sighting_id if sighting_id is not None else feature.id()),
                point.x(),
                point.y(),
                observed,
                {k: v for k, v in features.items() if v is not None},
            )
        )
    if not sightings:
        raise BaiMeiError("The sightings layer has no points.")
    return sightings


def profiles_from_source(source, feedback=None):
    """Profiles from a table or layer with the profile fields (others, such as fid, are ignored)."""
    names = source.fields().names()
    lower = {name.lower(): name for name in names}
    missing = [c for c in ("mmsi", "name") if c not in lower]
    if missing:
        raise BaiMeiError(
            f"The profiles layer lacks the field(s) {', '.join(missing)}; expected the fields "
            f"{', '.join(PROFILE_COLUMNS)} (mmsi and name required)."
        )
    ignored = [n for n in names if n.lower() not in PROFILE_COLUMNS and n.lower() != "fid"]
    if ignored and feedback is not None:
        feedback.pushInfo(f"Profile fields not used: {', '.join(ignored)}.")
    rows = [
        (number, {c: _plain(feature[lower[c]]) for c in PROFILE_COLUMNS if c in lower})
        for number, feature in enumerate(source.getFeatures(QgsFeatureRequest()), start=1)
    ]
    return profiles_from_rows(rows, "The profiles layer")
