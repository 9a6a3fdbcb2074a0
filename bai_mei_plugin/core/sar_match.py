"""Radar detections against AIS: where each vessel was at the scene's time, which detection is which vessel (an
optimal one-to-one assignment by distance and size within a gate), and what is left over on each side: detections
no AIS explains (dark vessel candidates, with the dark gaps whose reachable sea holds them) and AIS vessels in the
footprint the radar did not see."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

if TYPE_CHECKING:
    from .ais.model import AisColumns

EARTH_RADIUS_M = 6_371_000.0
KNOT_MS = 1852.0 / 3600.0
NO_PAIR = 1e9  # cost of a pair outside the gate: never chosen, dropped if the solver has to use it


@dataclass(frozen=True)
class MatchParams:
    max_distance_m: float = 2000.0  # the gate: farther pairs never match
    max_interpolation_s: float = 3600.0  # reports around the scene time at most this far apart are interpolated
    dead_reckoning_s: float = 1800.0  # a last report at most this old (or first report this early) is projected
    size_weight: float = 0.5  # weight of the length disagreement against the distance (as a fraction of the gate)


@dataclass
class VesselAt:
    """An AIS vessel placed at the scene's time; ``how`` is "interpolated" or "dead reckoned"."""

    mmsi: int
    vessel_name: Optional[str]
    lon: float
    lat: float
    how: str
    seconds_from_report: float  # to the nearest report used
    length_m: Optional[float] = None


@dataclass
class DetectionIn:
    """What matching needs of a detection."""

    detection_id: str
    lon: float
    lat: float
    length_m: Optional[float] = None
    acquired: Optional[int] = None  # epoch seconds


@dataclass
class Match:
    detection_id: str
    mmsi: int
    vessel_name: Optional[str]
    offset_m: float
    length_m: Optional[float]
    ais_length_m: Optional[float]
    size_agreement: Optional[float]  # 1 = same length, 0 = one twice the other or worse; None without an AIS length
    position_from: str
    lon: float = field(repr=False, default=0.0)
    lat: float = field(repr=False, default=0.0)


@dataclass
class DarkCandidate:
    """A detection no AIS vessel explains; ``gap_ids``/``mmsis``/``vessel_names`` (comma-separated) name the dark
    gaps whose reachable sea holds it at the scene's time, ``hours_into_gap`` the time since each went dark."""

    detection_id: str
    length_m: Optional[float]
    nearest_ais_m: Optional[float]
    gap_ids: str = ""
    mmsis: str = ""
    vessel_names: str = ""
    hours_into_gap: str = ""
    lon: float = field(repr=False, default=0.0)
    lat: float = field(repr=False, default=0.0)


@dataclass
class GapWindow:
    """A dark gap as plain data: its vessel and its time (epoch seconds)."""

    gap_id: str
    mmsi: int
    vessel_name: Optional[str]
    off_time: int
    on_time: int


def gap_windows(gaps: Iterable) -> List[GapWindow]:
    """Dark gaps (anything with gap_id, mmsi, vessel_name, off_time, on_time) as matching needs them."""
    return [GapWindow(g.gap_id, g.mmsi, g.vessel_name, g.off_time, g.on_time) for g in gaps]


def distance_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres (haversine), broadcasting."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _project(lon, lat, sog_kn, cog_deg, seconds):
    """A position moved ``seconds`` along its course at its speed (flat-earth: minutes to an hour at sea)."""
    d = sog_kn * KNOT_MS * seconds
    north, east = d * math.cos(math.radians(cog_deg)), d * math.sin(math.radians(cog_deg))
    return lon + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(lat)))), lat + math.degrees(
        north / EARTH_RADIUS_M
    )


def positions_at(
    mmsi: np.ndarray,
    t: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    at: float,
    sog: Optional[np.ndarray] = None,
    cog: Optional[np.ndarray] = None,
    names: Optional[Mapping[int, str]] = None,
    lengths: Optional[Mapping[int, float]] = None,
    params: MatchParams = MatchParams(),
) -> List[VesselAt]:
    """Each vessel's position at ``at`` (epoch seconds): interpolated between its reports just before and after
    when they are at most ``max_interpolation_s`` apart, else projected from the nearer report along its course and
    speed when that report is at most ``dead_reckoning_s`` away (and has both); otherwise the vessel is not placed."""
    names, lengths = names or {}, lengths or {}
    order = np.lexsort((t, mmsi))
    mmsi, t, lon, lat = mmsi[order], t[order], lon[order], lat[order]
    sog = None if sog is None else sog[order]
    cog = None if cog is None else cog[order]
    starts = np.flatnonzero(np.r_[True, mmsi[1:] != mmsi[:-1]])
    ends = np.r_[starts[1:], len(mmsi)]
    placed = []
    for s, e in zip(starts.tolist(), ends.tolist()):
        i = s + int(np.searchsorted(t[s:e], at, side="right"))  # first report after ``at``
        before, after = (i - 1 if i > s else None), (i if i < e else None)
        vessel = int(mmsi[s])
        found = _place(t, lon, lat, sog, cog, before, after, at, params)
        if found is not None:
            x, y, how, dt = found
            placed.append(VesselAt(vessel, names.get(vessel), x, y, how, dt, lengths.get(vessel)))
    return placed


def _place(t, lon, lat, sog, cog, before, after, at, params):
    if before is not None and after is not None and t[after] - t[before] <= params.max_interpolation_s:
        span = float(t[after] - t[before])
        f = 0.0 if span == 0 else (at - float(t[before])) / span
        x = float(lon[before] + f * (lon[after] - lon[before]))
        y = float(lat[before] + f * (lat[after] - lat[before]))
        return x, y, "interpolated", float(min(at - t[before], t[after] - at))
    if before is not None and t[before] == at:
        return float(lon[before]), float(lat[before]), "reported", 0.0
    options = [j for j in (before, after) if j is not None and abs(at - float(t[j])) <= params.dead_reckoning_s]
    for j in sorted(options, key=lambda j: abs(at - float(t[j]))):
        if sog is None or cog is None or not (np.isfinite(sog[j]) and np.isfinite(cog[j])):
            continue
        x, y = _project(float(lon[j]), float(lat[j]), float(sog[j]), float(cog[j]), at - float(t[j]))
        return x, y, "dead reckoned", abs(at - float(t[j]))
    return None


def size_agreement(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """1 when two lengths agree, falling to 0 when one is twice the other; None when either is unknown."""
    if not a or not b:
        return None
    return round(max(0.0, 1.0 - abs(a - b) / min(a, b)), 3)


def match(
    detections: Sequence[DetectionIn], vessels: Sequence[VesselAt], params: MatchParams = MatchParams()
) -> Tuple[List[Match], List[DetectionIn], List[VesselAt]]:
    """(matches, unmatched detections, unmatched vessels): the one-to-one assignment of detections to vessels that
    minimises the summed cost (distance as a fraction of the gate, plus ``size_weight`` times the length
    disagreement when both lengths are known), pairs farther apart than the gate excluded."""
    if not detections or not vessels:
        return [], list(detections), list(vessels)
    from scipy.optimize import linear_sum_assignment

    dlon = np.array([d.lon for d in detections])[:, None]
    dlat = np.array([d.lat for d in detections])[:, None]
    vlon = np.array([v.lon for v in vessels])[None, :]
    vlat = np.array([v.lat for v in vessels])[None, :]
    dist = distance_m(dlon, dlat, vlon, vlat)
    cost = dist / params.max_distance_m
    for i, d in enumerate(detections):
        for j, v in enumerate(vessels):
            agreement = size_agreement(d.length_m, v.length_m)
            if agreement is not None:
                cost[i, j] += params.size_weight * (1.0 - agreement)
    cost[dist > params.max_distance_m] = NO_PAIR
    rows, cols = linear_sum_assignment(cost)
    matches, used_d, used_v = [], set(), set()
    for i, j in zip(rows.tolist(), cols.tolist()):
        if cost[i, j] >= NO_PAIR:
            continue
        d, v = detections[i], vessels[j]
        used_d.add(i)
        used_v.add(j)
        matches.append(
            Match(
                d.detection_id,
                v.mmsi,
                v.vessel_name,
                round(float(dist[i, j]), 1),
                d.length_m,
                v.length_m,
                size_agreement(d.length_m, v.length_m),
                v.how,
                d.lon,
                d.lat,
            )
        )
    unmatched_d = [d for i, d in enumerate(detections) if i not in used_d]
    unmatched_v = [v for j, v in enumerate(vessels) if j not in used_v]
    return matches, unmatched_d, unmatched_v


def dark_candidates(
    unmatched: Iterable[DetectionIn],
    vessels: Sequence[VesselAt],
    gaps: Sequence[GapWindow] = (),
    areas: Optional[Mapping[str, object]] = None,
    scene_time: Optional[int] = None,
) -> List[DarkCandidate]:
    """The unmatched detections as dark vessel candidates: the nearest placed AIS vessel (whatever the gate), and
    the gaps whose window holds the detection's time (its own ``acquired`` or ``scene_time``) and whose reachable
    area (``areas``: gap_id -> shapely geometry in lon/lat) holds its position."""
    from shapely.geometry import Point
    from shapely.prepared import prep

    prepared: Dict[str, object] = {k: prep(g) for k, g in (areas or {}).items() if g is not None and not g.is_empty}
    vlon = np.array([v.lon for v in vessels])
    vlat = np.array([v.lat for v in vessels])
    out = []
    for d in unmatched:
        nearest = float(distance_m(d.lon, d.lat, vlon, vlat).min()) if len(vessels) else None
        when = d.acquired if d.acquired is not None else scene_time
        inside = []
        if when is not None:
            point = Point(d.lon, d.lat)
            for gap in gaps:
                area = prepared.get(gap.gap_id)
                if gap.off_time <= when <= gap.on_time and area is not None and area.contains(point):
                    inside.append(gap)
        out.append(
            DarkCandidate(
                d.detection_id,
                d.length_m,
                None if nearest is None else round(nearest, 1),
                ", ".join(g.gap_id for g in inside),
                ", ".join(str(g.mmsi) for g in inside),
                ", ".join(g.vessel_name or "" for g in inside),
                ", ".join(f"{(when - g.off_time) / 3600.0:.1f}" for g in inside),
                d.lon,
                d.lat,
            )
        )
    return out


def unseen_in_footprint(vessels: Iterable[VesselAt], footprint) -> List[VesselAt]:
    """The unmatched vessels inside the scene's footprint (shapely, lon/lat): AIS says they were there, the radar
    did not see them (too small, on a land-masked quay, a spoofed position, or missed)."""
    if footprint is None:
        return list(vessels)
    from shapely.geometry import Point
    from shapely.prepared import prep

    inside = prep(footprint)
    return [v for v in vessels if inside.contains(Point(v.lon, v.lat))]


@dataclass
class SceneMatch:
    """One scene's detections and the AIS together: the pairs, the dark vessel candidates and the AIS vessels in
    the footprint the radar did not see."""

    pairs: List[Match]
    dark: List[DarkCandidate]
    unseen: List[VesselAt]


def vessel_names(reports: AisColumns) -> Dict[int, str]:
    """MMSI -> the last name its reports give (vessels without a name left out)."""
    codes = reports.vessel_name.codes
    named = codes >= 0
    last = dict(zip(reports.mmsi[named].tolist(), codes[named].tolist()))  # a later report's name wins
    return {mmsi: reports.vessel_name.values[code] for mmsi, code in last.items()}


def around(detections: Sequence[DetectionIn], metres: float):
    """The detections' extent grown by twice ``metres`` (shapely box, lon/lat): a footprint when none is known;
    None without detections."""
    if not detections:
        return None
    from shapely.geometry import MultiPoint, box

    west, south, east, north = MultiPoint([(d.lon, d.lat) for d in detections]).bounds
    pad = metres / 111_000.0 * 2  # generous in longitude too at these latitudes
    return box(west - pad, south - pad, east + pad, north + pad)


def match_scene(
    detections: Sequence[DetectionIn],
    reports: AisColumns,
    acquired: int,
    footprint=None,
    gaps: Sequence[GapWindow] = (),
    areas: Optional[Mapping[str, object]] = None,
    params: MatchParams = MatchParams(),
    names: Optional[Mapping[int, str]] = None,
    lengths: Optional[Mapping[int, float]] = None,
) -> SceneMatch:
    """The detections of one scene taken at ``acquired`` (epoch seconds) against the AIS ``reports``: each vessel
    placed at that time, paired one to one with the detections, the rest named as dark candidates (with the
    ``gaps`` whose reachable sea, ``areas``, holds them) and as vessels inside ``footprint`` (shapely, lon/lat;
    the detections' extent grown by the gate when None) that the radar did not see. ``names`` (MMSI -> name,
    from the reports when None) and ``lengths`` (MMSI -> metres) describe the vessels."""
    if names is None:
        names = vessel_names(reports)
    vessels = positions_at(
        reports.mmsi, reports.t, reports.lon, reports.lat, acquired, reports.sog, reports.cog, names, lengths, params
    )
    pairs, lone, missed = match(detections, vessels, params)
    dark = dark_candidates(lone, vessels, gaps, areas or {}, acquired)
    area = footprint if footprint is not None else around(detections, params.max_distance_m)
    # no footprint and no detection: nothing says where the scene was, so no vessel is said to be unseen
    unseen = [] if area is None else unseen_in_footprint(missed, area)
    return SceneMatch(pairs, dark, unseen)
