"""Splitting one MMSI's reports into the tracks of the transmitters behind it (segments).

In the spirit of Global Fishing Watch's open-source segmenter: the reports are taken in time order; each one joins
the open segment it could have reached at a plausible speed (of those, the one whose expected position is nearest:
its last report moved on at the velocity of its last two reports, so that a stray position left behind by a glitch
does not capture the real track as the ship passes it), else it starts a new segment. A segment silent for longer
than ``max_hours`` is closed, as after a long silence any place is reachable and speed no longer tells ships apart.

Two ships on one MMSI then make two segments that grow side by side (interleaved in time); a glitch makes a segment
of one report; a ship that goes silent and reappears far away makes segments one after the other, not interleaved.
``interleaved`` keeps the long-lived segments that overlap another long-lived one in time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List

import numpy as np

from .geodesy import EARTH_RADIUS_M, METRES_PER_NM


@dataclass(frozen=True)
class SegmentCriteria:
    max_speed_kn: float = 50.0  # the speed a report may imply from a segment's last report to join it
    noise_m: float = 100.0  # position noise forgiven in that speed (as for jumps)
    min_dt_s: float = 10.0  # reports closer in time count as this far apart (as for jumps)
    max_hours: float = 24.0  # a segment silent longer is closed
    max_ahead_s: float = 1800.0  # a segment's velocity is extrapolated for at most this long
    max_open: int = 50  # open segments kept per MMSI (the least recently fed is closed first): bounds the work
    min_reports: int = 5  # a long-lived segment has at least this many reports...
    min_minutes: float = 5.0  # ...spanning at least this long


@dataclass
class Segment:
    """One segment: its reports (row numbers in time order) and its extent in time and space."""

    rows: List[int]
    lon_min: float = math.inf
    lon_max: float = -math.inf
    lat_min: float = math.inf
    lat_max: float = -math.inf
    v_lon: float = 0.0  # degrees per second between its last two reports
    v_lat: float = 0.0

    @property
    def reports(self) -> int:
        return len(self.rows)


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance (as core.geodesy.haversine_m, on scalars: a Python loop calls it per report)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _speed_kn(dist_m: float, dt_s: float, criteria: SegmentCriteria) -> float:
    """The speed implied between two reports, with the noise and minimum-time allowances (as core.anomalies)."""
    return max(dist_m - criteria.noise_m, 0.0) / max(dt_s, criteria.min_dt_s) * 3600.0 / METRES_PER_NM


def segment(t: np.ndarray, lon: np.ndarray, lat: np.ndarray, criteria: SegmentCriteria = SegmentCriteria()):
    """The segments of one MMSI's reports (arrays in time order), in the order they started."""
    max_s = criteria.max_hours * 3600.0
    segments: List[Segment] = []
    open_ids: List[int] = []  # indices into segments, least recently fed first
    times, xs, ys = t.tolist(), lon.tolist(), lat.tolist()
    for i, (ti, x, y) in enumerate(zip(times, xs, ys)):
        open_ids = [s for s in open_ids if ti - times[segments[s].rows[-1]] <= max_s]
        best, best_miss = None, math.inf
        for s in open_ids:
            seg = segments[s]
            j = seg.rows[-1]
            dt = float(ti - times[j])
            if _speed_kn(_distance_m(xs[j], ys[j], x, y), dt, criteria) > criteria.max_speed_kn:
                continue
            ahead = min(dt, criteria.max_ahead_s)
            miss = _distance_m(xs[j] + seg.v_lon * ahead, ys[j] + seg.v_lat * ahead, x, y)
            if miss <= best_miss:  # ties: the most recently fed (later in open_ids)
                best, best_miss = s, miss
        if best is None:
            segments.append(Segment([]))
            best = len(segments) - 1
            if len(open_ids) >= criteria.max_open:
                open_ids.pop(0)
        else:
            open_ids.remove(best)
        open_ids.append(best)
        seg = segments[best]
        if seg.rows:
            _set_velocity(seg, times[seg.rows[-1]], xs[seg.rows[-1]], ys[seg.rows[-1]], ti, x, y)
        seg.rows.append(i)
        seg.lon_min, seg.lon_max = min(seg.lon_min, x), max(seg.lon_max, x)
        seg.lat_min, seg.lat_max = min(seg.lat_min, y), max(seg.lat_max, y)
    return segments


def _set_velocity(seg: Segment, t0: int, x0: float, y0: float, t1: int, x1: float, y1: float) -> None:
    if t1 <= t0:
        return
    dlon = (x1 - x0 + 180.0) % 360.0 - 180.0  # the short way across the antimeridian
    seg.v_lon, seg.v_lat = dlon / (t1 - t0), (y1 - y0) / (t1 - t0)


def long_lived(seg: Segment, t: np.ndarray, criteria: SegmentCriteria = SegmentCriteria()) -> bool:
    """At least ``min_reports`` reports over at least ``min_minutes``, and not all at 0, 0 (a receiver's "no fix")."""
    if seg.reports < criteria.min_reports or (t[seg.rows[-1]] - t[seg.rows[0]]) < criteria.min_minutes * 60:
        return False
    return not (seg.lon_min == seg.lon_max == 0.0 and seg.lat_min == seg.lat_max == 0.0)


def interleaved(segments: List[Segment], t: np.ndarray, criteria: SegmentCriteria = SegmentCriteria()):
    """The long-lived segments whose time span overlaps that of another long-lived segment, in start order."""
    lasting = [s for s in segments if long_lived(s, t, criteria)]
    spans = [(int(t[s.rows[0]]), int(t[s.rows[-1]])) for s in lasting]
    return [
        s
        for k, s in enumerate(lasting)
        if any(a0 < spans[k][1] and spans[k][0] < a1 for m, (a0, a1) in enumerate(spans) if m != k)
    ]
