"""QGIS layers -> core records the analysis steps chain on: gaps (from baimei:detectgaps), ports, sightings and
vessel profiles."""

from __future__ import annotations

import functools
from typing import List

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsProcessingFeatureSource,
    QgsProject,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDateTime, Qt

from ..core.errors import BaiMeiError
from ..core.gaps import Gap
from ..core.layer_kinds import GAPS
from ..core.ports import DEFAULT_PORTS_FILE, Port, load_ports
from ..core.profiles import FEATURES, PROFILE_COLUMNS, profiles_from_rows
from ..core.sightings import Sighting
from ..paths import resource_path
from .layers import epoch_seconds
from .records import feature_values
from .sources import WGS84, _present

GAP_REQUIRED = ("gap_id", "mmsi", "off_time", "on_time", "off_lon", "off_lat", "on_lon", "on_lat")


def _features_as_written(source):
    """The features of a layer or Processing source, without Processing's geometry validity check: a gap is read
    from its fields, and the line of a port call (off and on at the same berth) has zero length, which the check
    calls invalid."""
    if isinstance(source, QgsProcessingFeatureSource):
        return source.getFeatures(QgsFeatureRequest(), QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks)
    return source.getFeatures(QgsFeatureRequest())


def gaps_from_source(source) -> List[Gap]:
    """Gap records from a layer written by baimei:detectgaps (its fields name everything a gap needs; a field of the
    gaps kind the layer lacks is None, or 0 for the distance, speed and count)."""
    names = source.fields().names()
    missing = [n for n in GAP_REQUIRED if n not in names]
    if missing:
        raise BaiMeiError(
            f"The gaps layer lacks the field(s) {', '.join(missing)}: use the Dark gaps output of "
            "Detect dark gaps (baimei:detectgaps)."
        )
    gaps = []
    for number, feature in enumerate(_features_as_written(source), start=1):
        values = feature_values(feature, GAPS, names)
        if any(values[n] is None for n in GAP_REQUIRED if n != "gap_id"):
            raise BaiMeiError(
                f"Gap {number} ({feature['gap_id']}) of the gaps layer has no MMSI, time or end position."
            )
        off, on = values["off_time"], values["on_time"]
        values.update(
            gap_id=str(feature["gap_id"]),
            gap_hours=(on - off) / 3600.0,  # from the times, whatever the field says
            distance_nm=values["distance_nm"] or 0.0,
            implied_speed_kn=values["implied_speed_kn"] or 0.0,
            positions_12h_before=values["positions_12h_before"] or 0,
        )
        gaps.append(Gap(**values))
    return gaps


def default_ports() -> List[Port]:
    """The bundled gazetteer (``core.ports.DEFAULT_PORTS_FILE``), read once: every run without a ports layer uses
    it. Each caller gets its own list."""
    return list(_bundled_ports())


@functools.lru_cache(maxsize=1)
def _bundled_ports():
    return tuple(load_ports(resource_path("ports", DEFAULT_PORTS_FILE)))


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
        if geometry.type() == QgsWkbTypes.GeometryType.PolygonGeometry:
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
        value = QDateTime.fromString(value.strip(), Qt.DateFormat.ISODate)
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
