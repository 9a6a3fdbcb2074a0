"""Who could a sighted vessel be? Candidates ranked by how well they look like it and whether they could be there.

For each sighting every profile is a candidate (and, with ``include_unprofiled``, every other MMSI of the AIS data
that is reporting there or could be there while dark; it has no features to compare).

**Feature score** (0 to 1, or None): over the features both the sighting and the profile have, the matched weight
divided by the compared weight (weights ``FEATURE_WEIGHTS``: length, hatch and crane counts 2, the others 1). Counts
and categories (colours, crane type, bow, superstructure position) match only when equal. A length or beam gets full
credit within the profile's tolerance (10 m, 3 m by default), then linearly less, down to none at three times the
tolerance. A feature missing on either side neither helps nor hurts; with nothing to compare the score is None.

**Space-time status** at the sighting's time T and place P, with the vessel's maximum speed v (the one given, else
its default from :func:`reachability.default_max_speeds`, at most 25 kn) and a slack of ``near_nm`` (5 nm) for the
uncertainty of the sighting's position:

1. T strictly inside one of the vessel's dark gaps (A at t0 to B at t1): **dark and reachable** when
   d(A,P) <= v(T-t0) + slack and d(P,B) <= v(t1-T) + slack (it could have got there by T and still reached B; this
   is the gap's reachability ellipse, tightened to the time of the sighting) and, when the gap's reachability area is
   given (e.g. clipped to the sea), P is in it or within ``near_nm`` of it (measured as near_nm / 60 degrees, for
   coarse coastlines); otherwise **elsewhere**.
2. Else, with a report of the vessel within ``report_window_s`` (1 h) of T: its position at T is interpolated
   between the reports either side when they are at most 2 h apart, else taken from the report within the hour.
   Within ``near_nm`` of P: **reporting here**. Otherwise, if the nearest reports before and after T leave it
   time to be at P (d <= v·Δt + slack from each): **reporting nearby**; if not: **elsewhere**.
3. Else, when it has reports before or after T that could not have brought it to P in time: **elsewhere**; else
   **no data** (no report near the time and no dark gap: nothing says where it was).

**Total score** = feature score (``NO_FEATURE_SCORE`` 0.5 when None) × the status weight ``SPACETIME_WEIGHTS``
(reporting here 1.0, dark and reachable 0.9, reporting nearby 0.6, no data 0.5, elsewhere 0). Candidates that are
elsewhere are excluded: listed last with ``rank`` None. The others are ranked per sighting, 1 = best (ties: the
better feature score, then the better status, then the MMSI). ``reasons`` says why in plain words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from shapely.geometry import Point

from .ais.model import AisColumns
from .errors import BaiMeiError, Canceled
from .gaps import Gap
from .geodesy import haversine_nm
from .profiles import VesselProfile
from .reachability import MIN_DEFAULT_SPEED_KN, GapArea, default_max_speeds
from .sightings import CATEGORICAL_FEATURES, COUNT_FEATURES, MEASURED_FEATURES, Sighting

HERE, NEARBY, DARK, NO_DATA, ELSEWHERE = (
    "reporting here",
    "reporting nearby",
    "dark and reachable",
    "no data",
    "elsewhere",
)
SPACETIME_WEIGHTS = {HERE: 1.0, DARK: 0.9, NEARBY: 0.6, NO_DATA: 0.5, ELSEWHERE: 0.0}
NO_FEATURE_SCORE = 0.5
FEATURE_WEIGHTS = {"length_m": 2.0, "beam_m": 1.0, "hatch_count": 2.0, "crane_count": 2.0}
SPEED_CAP_KN = 25.0
INTERPOLATE_MAX_S = 7200
_LABELS = {
    "hatch_count": ("hatch", "hatches"),
    "crane_count": ("crane", "cranes"),
    "length_m": "length",
    "beam_m": "beam",
    "hull_colour": "hull",
    "deck_colour": "deck",
    "superstructure_colour": "superstructure colour",
    "superstructure_position": "superstructure",
    "crane_type": "crane type",
    "bow_type": "bow",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Candidate:
    """One candidate vessel for one sighting (at the sighting's position and time)."""

    sighting_id: str
    mmsi: int
    name: Optional[str]
    imo: Optional[str]
    feature_score: Optional[float]
    spacetime_status: str
    total_score: float
    rank: Optional[int]
    reasons: str
    lon: float
    lat: float
    observed_at: Optional[int] = None


def _norm(name: str, value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if name in COUNT_FEATURES:
            return int(round(float(value)))
        if name in MEASURED_FEATURES:
            number = float(value)
            return None if np.isnan(number) else number
    except (TypeError, ValueError):
        return None
    return str(value).strip().lower()


def _count_text(name: str, n: int) -> str:
    one, many = _LABELS[name]
    return f"{n} {one if n == 1 else many}"


def feature_score(sighting: Sighting, profile: VesselProfile) -> Tuple[Optional[float], List[str]]:
    """(score in [0, 1] or None when nothing can be compared, one reason per compared feature)."""
    matched = compared = 0.0
    reasons = []
    for name in MEASURED_FEATURES + COUNT_FEATURES + CATEGORICAL_FEATURES:
        seen, known = _norm(name, sighting.get(name)), _norm(name, getattr(profile, name))
        if seen is None or known is None:
            continue
        weight = FEATURE_WEIGHTS.get(name, 1.0)
        if name in MEASURED_FEATURES:
            tol = float(profile.tolerance(name))
            diff = abs(seen - known)
            credit = 1.0 if diff <= tol else max(0.0, (3.0 * tol - diff) / (2.0 * tol))
            label = _LABELS[name]
            if credit == 1.0:
                reasons.append(f"{label} {seen:.0f} m within {tol:g} m of {known:.0f} m")
            else:
                how = f"part credit, tolerance {tol:g} m" if credit > 0 else "no match"
                reasons.append(f"{label} {seen:.0f} m is {diff:.0f} m from {known:.0f} m ({how})")
        elif name in COUNT_FEATURES:
            credit = 1.0 if seen == known else 0.0
            reasons.append(f"{_count_text(name, seen)} match" if credit else f"{_count_text(name, seen)}, not {known}")
        else:
            credit = 1.0 if seen == known else 0.0
            reasons.append(f"{_LABELS[name]} {seen} matches" if credit else f"{_LABELS[name]} {seen}, not {known}")
        matched += weight * credit
        compared += weight
    return (round(matched / compared, 4) if compared else None), reasons


def _when(t: int) -> str:
    d = dt.datetime.fromtimestamp(int(t), dt.timezone.utc)
    return f"{d.day} {_MONTHS[d.month - 1]} {d:%H:%M}"


def _hours(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def _sorted_columns(cols: AisColumns):
    """mmsi, t, lon, lat, sog, name codes/values, imo codes/values of ``cols`` sorted by MMSI then time."""
    mmsi, t = cols.mmsi, cols.t
    ok = bool(np.all((mmsi[1:] > mmsi[:-1]) | ((mmsi[1:] == mmsi[:-1]) & (t[1:] >= t[:-1]))))
    order = slice(None) if ok else np.lexsort((t, mmsi))
    return (
        mmsi[order],
        t[order],
        cols.lon[order],
        cols.lat[order],
        cols.sog[order],
        cols.vessel_name.codes[order],
        cols.vessel_name.values,
        cols.imo.codes[order],
        cols.imo.values,
    )


class _SpaceTime:
    """The status of vessels (MMSIs) at sightings, computed for all (vessel, sighting) pairs at once."""

    def __init__(
        self,
        cols: Optional[AisColumns],
        gaps: Sequence[Gap],
        areas,
        near_nm: float,
        window_s: int,
        max_speed_kn: Optional[float],
        speed_cap_kn: float,
    ):
        self.near, self.window = float(near_nm), int(window_s)
        self.fixed_speed, self.cap = max_speed_kn, float(speed_cap_kn)
        self.has_ais = cols is not None and len(cols) > 0
        if self.has_ais:
            (
                self.mmsi,
                self.t,
                self.lon,
                self.lat,
                self.sog,
                self.name_codes,
                self.names,
                self.imo_codes,
                self.imos,
            ) = _sorted_columns(cols)
            starts = np.ones(len(self.mmsi), dtype=bool)
            starts[1:] = self.mmsi[1:] != self.mmsi[:-1]
            self.tmin = int(self.t.min())
            self.span = int(self.t.max()) - self.tmin + 3
            self.key = (np.cumsum(starts) - 1).astype(np.int64) * self.span + (self.t - self.tmin + 1)
        self.gaps: Dict[int, List[Gap]] = {}
        for gap in gaps:
            self.gaps.setdefault(int(gap.mmsi), []).append(gap)
        for items in self.gaps.values():
            items.sort(key=lambda g: g.off_time)
        if isinstance(areas, Mapping):
            self.areas = dict(areas)
        else:
            self.areas = {a.gap_id: a.geometry for a in (areas or ()) if isinstance(a, GapArea)}

    def vessels(self) -> np.ndarray:
        return np.unique(self.mmsi) if self.has_ais else np.zeros(0, dtype=np.int64)

    def speeds(self, mmsis: np.ndarray) -> Dict[int, float]:
        if self.fixed_speed:
            return {int(m): float(self.fixed_speed) for m in mmsis.tolist()}
        ends = [
            (g.mmsi, t, s)
            for items in self.gaps.values()
            for g in items
            for t, s in ((g.off_time, g.sog_before), (g.on_time, g.sog_after))
        ]
        speeds = default_max_speeds(
            AisColumns.build(
                [e[0] for e in ends],
                [e[1] for e in ends],
                [0.0] * len(ends),
                [0.0] * len(ends),
                sog=[np.nan if e[2] is None else e[2] for e in ends],
            )
        )
        if self.has_ais:
            rows = np.isin(self.mmsi, mmsis)
            zeros = np.zeros(int(rows.sum()))
            speeds.update(
                default_max_speeds(AisColumns.build(self.mmsi[rows], self.t[rows], zeros, zeros, sog=self.sog[rows]))
            )
        return {int(m): min(speeds.get(int(m), MIN_DEFAULT_SPEED_KN), self.cap) for m in mmsis.tolist()}

    def identity(self, mmsi: int) -> Tuple[Optional[str], Optional[str]]:
        """The last name and IMO the vessel reported."""
        if not self.has_ais:
            return None, None
        lo, hi = np.searchsorted(self.mmsi, [mmsi, mmsi + 1])
        out = []
        for codes, values in ((self.name_codes, self.names), (self.imo_codes, self.imos)):
            known = np.flatnonzero(codes[lo:hi] >= 0)
            out.append(values[codes[lo + known[-1]]] if len(known) else None)
        return out[0], out[1]

    def evaluate(self, mmsis: np.ndarray, sightings: Sequence[Sighting]):
        """(status array [vessel, sighting], reason(vessel index, sighting index) -> text) for all pairs."""
        speeds = self.speeds(mmsis)
        c, n = len(mmsis), len(sightings)
        T = np.array([s.observed_at if s.observed_at is not None else 0 for s in sightings], dtype=np.int64)
        timed = np.array([s.observed_at is not None for s in sightings], dtype=bool)
        plon = np.array([s.lon for s in sightings], dtype=float)
        plat = np.array([s.lat for s in sightings], dtype=float)
        status = np.full((c, n), NO_DATA, dtype=object)
        ais = None
        if self.has_ais and c and n:
            ais = _AisPairs(self, mmsis, T, plon, plat, speeds)
            status[:] = ais.status.reshape(c, n)
        dark: Dict[Tuple[int, int], Tuple[str, str]] = {}
        for i, m in enumerate(mmsis.tolist()):
            for j in np.flatnonzero(timed).tolist() if m in self.gaps else ():
                gap = self._gap(m, int(T[j]))
                if gap is not None:
                    dark[i, j] = self._dark(gap, int(T[j]), sightings[j], speeds[m])
                    status[i, j] = dark[i, j][0]
        status[:, ~timed] = NO_DATA

        def reason(i: int, j: int) -> str:
            if not timed[j]:
                return "the sighting has no time"
            if (i, j) in dark:
                return dark[i, j][1]
            return ais.reason(i * n + j) if ais is not None else "no AIS data"

        return status, reason

    def _gap(self, mmsi: int, t: int) -> Optional[Gap]:
        for gap in self.gaps.get(mmsi, ()):
            if gap.off_time < t < gap.on_time:
                return gap
        return None

    def _dark(self, gap: Gap, t: int, s: Sighting, v: float) -> Tuple[str, str]:
        window = f"dark {_when(gap.off_time)} – {_when(gap.on_time)} UTC"
        d_in = float(haversine_nm(gap.off_lon, gap.off_lat, s.lon, s.lat))
        d_out = float(haversine_nm(s.lon, s.lat, gap.on_lon, gap.on_lat))
        reach_in, reach_out = v * (t - gap.off_time) / 3600.0, v * (gap.on_time - t) / 3600.0
        if d_in > reach_in + self.near or d_out > reach_out + self.near:
            return ELSEWHERE, (
                f"{window}, but at {v:.0f} kn it could not be here then ({d_in:.0f} nm from where it "
                f"went dark, {d_out:.0f} nm from where it reappeared)"
            )
        area = self.areas.get(gap.gap_id)
        if area is not None:
            point = Point(s.lon, s.lat)
            if area.is_empty or not (area.contains(point) or area.distance(point) <= self.near / 60.0):
                return ELSEWHERE, f"{window}, but the sighting is outside its reachability area"
        return DARK, f"{window} and the sighting is within its reachable sea (at {v:.0f} kn)"


class _AisPairs:
    """Where the AIS reports put each vessel at each sighting's time: arrays over all (vessel, sighting) pairs,
    found by binary search on a (vessel, time) key, never a loop over reports."""

    def __init__(self, st: _SpaceTime, mmsis, T, plon, plat, speeds):
        n = len(T)
        self.near, self.window = st.near, st.window
        lo = np.repeat(np.searchsorted(st.mmsi, mmsis, "left"), n)
        hi = np.repeat(np.searchsorted(st.mmsi, mmsis, "right"), n)
        Tp, px, py = np.tile(T, len(mmsis)), np.tile(plon, len(mmsis)), np.tile(plat, len(mmsis))
        self.present = present = hi > lo
        group_key = np.where(present, st.key[np.minimum(lo, len(st.key) - 1)] // st.span, 0) * st.span
        k = np.searchsorted(st.key, group_key + np.clip(Tp - st.tmin + 1, 0, st.span - 1), "left")
        self.has_prev, self.has_next = has_prev, has_next = present & (k > lo), present & (k < hi)
        prev, nxt = np.clip(k - 1, 0, len(st.t) - 1), np.clip(k, 0, len(st.t) - 1)
        far = float(1 << 50)
        self.dt_prev = dt_prev = np.where(has_prev, (Tp - st.t[prev]).astype(float), far)
        self.dt_next = dt_next = np.where(has_next, (st.t[nxt] - Tp).astype(float), far)
        self.d_prev = d_prev = haversine_nm(st.lon[prev], st.lat[prev], px, py)
        self.d_next = d_next = haversine_nm(st.lon[nxt], st.lat[nxt], px, py)
        self.v = v = np.repeat(np.array([speeds[int(m)] for m in mmsis.tolist()], dtype=float), n)
        self.can = can = (~has_prev | (d_prev <= v * dt_prev / 3600.0 + st.near)) & (
            ~has_next | (d_next <= v * dt_next / 3600.0 + st.near)
        )
        near_prev, near_next = dt_prev <= st.window, dt_next <= st.window
        both = has_prev & has_next & (dt_prev + dt_next <= INTERPOLATE_MAX_S)
        f = np.where(both, dt_prev / np.maximum(dt_prev + dt_next, 1.0), 0.0)
        dlon = (st.lon[nxt] - st.lon[prev] + 180.0) % 360.0 - 180.0
        ilon = np.where(both, st.lon[prev] + f * dlon, np.where(near_prev, st.lon[prev], st.lon[nxt]))
        ilat = np.where(
            both, st.lat[prev] + f * (st.lat[nxt] - st.lat[prev]), np.where(near_prev, st.lat[prev], st.lat[nxt])
        )
        self.d_here = d_here = haversine_nm(ilon, ilat, px, py)
        self.reporting = reporting = near_prev | near_next
        self.status = np.select(
            [~present, reporting & (d_here <= st.near), reporting & can, reporting, can],
            [NO_DATA, HERE, NEARBY, ELSEWHERE, NO_DATA],
            ELSEWHERE,
        ).astype(object)

    def reason(self, p: int) -> str:
        if not self.present[p]:
            return "no AIS reports from this MMSI"
        v = self.v[p]
        if self.reporting[p]:
            sides = [
                f"{_hours(gap)} {side}"
                for gap, side in ((self.dt_prev[p], "before"), (self.dt_next[p], "after"))
                if gap <= self.window
            ]
            reports = ("reports " if len(sides) == 2 else "report ") + " and ".join(sides)
            if self.d_here[p] <= self.near:
                return f"AIS puts it {self.d_here[p]:.1f} nm from the sighting ({reports})"
            if self.can[p]:
                return f"AIS puts it {self.d_here[p]:.0f} nm away ({reports}), within what it could sail at {v:.0f} kn"
            return f"AIS puts it {self.d_here[p]:.0f} nm away ({reports}): too far to be here at {v:.0f} kn"
        options = [(self.dt_prev[p], self.d_prev[p], "before")] if self.has_prev[p] else []
        options += [(self.dt_next[p], self.d_next[p], "after")] if self.has_next[p] else []
        hours, distance, side = min(options)
        where = f"nearest report {_hours(hours)} {side}, {distance:.0f} nm away"
        if not self.can[p]:
            return f"no AIS within {_hours(self.window)}, and it could not be here at {v:.0f} kn ({where})"
        return f"no AIS within {_hours(self.window)} and no dark gap ({where})"


def identify_vessels(
    sightings: Sequence[Sighting],
    profiles: Sequence[VesselProfile],
    cols: Optional[AisColumns] = None,
    gaps: Sequence[Gap] = (),
    areas: Union[Mapping[str, object], Sequence[GapArea], None] = None,
    max_speed_kn: Optional[float] = None,
    near_nm: float = 5.0,
    report_window_s: int = 3600,
    include_unprofiled: bool = False,
    speed_cap_kn: float = SPEED_CAP_KN,
    is_canceled=None,
) -> List[Candidate]:
    """Candidates for every sighting, ranked (see the module docstring), sighting by sighting, best first.

    ``cols`` are the AIS reports (any order; MMSI/time sorted columns are used as they are); ``gaps`` the dark gaps
    of :func:`gaps.detect_gaps`; ``areas`` their reachability areas (GapArea records or gap_id -> lon/lat geometry).
    ``max_speed_kn`` None or 0 uses each vessel's default speed.
    """
    if max_speed_kn is not None and max_speed_kn < 0:
        raise BaiMeiError(f"The maximum speed must be positive (got {max_speed_kn} kn).")
    space = _SpaceTime(cols, gaps, areas, near_nm, report_window_s, max_speed_kn or None, speed_cap_kn)
    by_mmsi = {int(p.mmsi): p for p in profiles}
    mmsis = np.array(sorted(by_mmsi), dtype=np.int64)
    if include_unprofiled:
        others = np.union1d(space.vessels(), np.array(sorted(space.gaps), dtype=np.int64))
        mmsis = np.concatenate((mmsis, np.setdiff1d(others, mmsis)))
    statuses, reason = space.evaluate(mmsis, sightings)
    # a vessel without a profile is only worth listing when it was, or could have been, there
    keep = np.isin(mmsis, list(by_mmsi))[:, None] | np.isin(statuses, (HERE, NEARBY, DARK))
    out: List[Candidate] = []
    for j, sighting in enumerate(sightings):
        if is_canceled and is_canceled():
            raise Canceled()
        found = []
        for i in np.flatnonzero(keep[:, j]).tolist():
            mmsi, status = int(mmsis[i]), statuses[i, j]
            profile = by_mmsi.get(mmsi)
            if profile is None:
                score, reasons = None, ["no profile"]
                name, imo = space.identity(mmsi)
            else:
                score, reasons = feature_score(sighting, profile)
                reasons = reasons or ["no features to compare"]
                name, imo = profile.name, profile.imo
            total = round((NO_FEATURE_SCORE if score is None else score) * SPACETIME_WEIGHTS[status], 4)
            found.append(
                Candidate(
                    sighting.sighting_id,
                    mmsi,
                    name,
                    imo,
                    score,
                    status,
                    total,
                    None,
                    "; ".join([*reasons, reason(i, j)]),
                    sighting.lon,
                    sighting.lat,
                    sighting.observed_at,
                )
            )
        found.sort(
            key=lambda c: (
                c.spacetime_status == ELSEWHERE,
                -c.total_score,
                -(c.feature_score if c.feature_score is not None else -1.0),
                -SPACETIME_WEIGHTS[c.spacetime_status],
                c.mmsi,
            )
        )
        for rank, candidate in enumerate(found, start=1):
            if candidate.spacetime_status != ELSEWHERE:
                candidate.rank = rank
        out.extend(found)
    return out
