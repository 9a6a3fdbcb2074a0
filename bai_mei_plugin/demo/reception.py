"""When the SYNTHETIC scenario's ships are heard: report intervals by reception zone, and reception outages.

Report times are drawn per stretch of constant "reception zone": every 10 s to 3 min under way within ~25 km of a
shore station, 10-60 min further offshore (as satellite AIS), 3-6 min moored or at anchor (Class B craft slower, and
often switched off in harbour); then reception outages are cut out.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, List, Sequence, Tuple

import numpy as np

from .routing import ANCHORED, FISHING, MOORED, UNDERWAY, SeaGraph, Track
from .world import COVERAGE_KM, DAY, EXTRA_STATIONS, HOUR, SCENARIO_END, SCENARIO_START

if TYPE_CHECKING:
    from .fleet import Vessel

# --------------------------------------------------------------------------------------------------------------
# Report times
# --------------------------------------------------------------------------------------------------------------

CELL_S = 600.0  # resolution of the reception-zone map along a track
# fmt: off
# Interval ranges in seconds, indexed [class B][kind][covered by a shore station]: (low, high, log-uniform?)
# kinds: under way, moored, at anchor, fishing, out of the area
_ZONES = {
    (0, UNDERWAY, 1): (10, 180, 0), (0, UNDERWAY, 0): (600, 3600, 0),
    (0, MOORED, 1): (180, 360, 0), (0, MOORED, 0): (900, 3600, 0),
    (0, ANCHORED, 1): (180, 360, 0), (0, ANCHORED, 0): (900, 3600, 0),
    (0, FISHING, 1): (30, 300, 0), (0, FISHING, 0): (600, 3600, 0),
    (1, UNDERWAY, 1): (30, 180, 1), (1, UNDERWAY, 0): (1200, 5400, 0),
    (1, MOORED, 1): (180, 600, 0), (1, MOORED, 0): (1800, 5400, 0),
    (1, ANCHORED, 1): (180, 600, 0), (1, ANCHORED, 0): (1800, 5400, 0),
    (1, FISHING, 1): (60, 300, 1), (1, FISHING, 0): (1200, 5400, 0),
}
# fmt: on
_ZLO = np.zeros((2, 5, 2))
_ZHI = np.zeros((2, 5, 2))
_ZLOG = np.zeros((2, 5, 2), dtype=bool)
for (_b, _k, _c), (_lo, _hi, _log) in _ZONES.items():
    _ZLO[_b, _k, _c], _ZHI[_b, _k, _c], _ZLOG[_b, _k, _c] = _lo, _hi, bool(_log)


class Coverage:
    """Whether a position is within range of a shore AIS station (ports outside North Korea + a few headlands)."""

    def __init__(self, graph: SeaGraph):
        pts = [(lat, lon) for (_n, country, lat, lon) in graph.ports.values() if country != "KP"]
        pts += list(EXTRA_STATIONS)
        self.lat = np.array([p[0] for p in pts])
        self.lon = np.array([p[1] for p in pts])

    def covered(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        dy = (lat[:, None] - self.lat[None, :]) * 110.57
        dx = (lon[:, None] - self.lon[None, :]) * (111.32 * np.cos(np.radians(lat)))[:, None]
        return (dx * dx + dy * dy).min(axis=1) < COVERAGE_KM * COVERAGE_KM


def _merge_windows(windows: Sequence[Tuple[float, float]]) -> Tuple[np.ndarray, np.ndarray]:
    w = sorted((a, b) for a, b in windows if b > a)
    starts, ends = [], []
    for a, b in w:
        if starts and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return np.array(starts, dtype=float), np.array(ends, dtype=float)


def report_times(v: Vessel, coverage: Coverage, rng) -> np.ndarray:
    """Integer epoch seconds of the vessel's reports, inside the scenario window and outside its outages."""
    tr = v.track
    kt = np.asarray(tr.kt)
    seg_t0 = np.asarray(tr.seg_t0)
    seg_kind = np.asarray(tr.seg_kind)
    start, end = max(float(SCENARIO_START), kt[0]), min(float(SCENARIO_END), kt[-1])
    if end <= start or len(seg_t0) == 0:
        return np.zeros(0, dtype=np.int64)
    inner = seg_t0[(seg_t0 > start) & (seg_t0 < end)]
    edges = np.union1d(np.arange(start, end, CELL_S), inner)
    edges = np.append(edges, end)
    mid = 0.5 * (edges[:-1] + edges[1:])
    kind = seg_kind[np.clip(np.searchsorted(seg_t0, mid, side="right") - 1, 0, None)]
    covered = coverage.covered(np.interp(mid, kt, tr.klat), np.interp(mid, kt, tr.klon)).astype(int)
    b = int(v.mobile == "Class B")
    lo, hi, logscale = _ZLO[b, kind, covered], _ZHI[b, kind, covered], _ZLOG[b, kind, covered]
    # runs of cells with the same interval law: one random sequence of intervals per run
    zone = kind * 2 + covered
    change = np.flatnonzero(np.diff(zone)) + 1
    first_cell = np.r_[0, change]
    run_t0, run_t1 = edges[first_cell], edges[np.r_[change, len(zone)]]
    run_lo, run_hi, run_log = lo[first_cell], hi[first_cell], logscale[first_cell]
    live = run_lo > 0
    run_t0, run_t1, run_lo, run_hi, run_log = run_t0[live], run_t1[live], run_lo[live], run_hi[live], run_log[live]
    if len(run_t0) == 0:
        return np.zeros(0, dtype=np.int64)
    n = (np.ceil((run_t1 - run_t0) / run_lo) + 1).astype(np.int64)
    rid = np.repeat(np.arange(len(n)), n)
    u = rng.random(len(rid))
    lo_r, hi_r = run_lo[rid], run_hi[rid]
    step = np.where(run_log[rid], lo_r * np.power(hi_r / lo_r, u), lo_r + (hi_r - lo_r) * u)
    first = np.r_[0, np.cumsum(n)[:-1]]
    step[first] *= rng.random(len(first))  # a random phase at the start of each run
    csum = np.cumsum(step)
    t = run_t0[rid] + csum - (csum[first] - step[first])[rid]
    t = t[t < run_t1[rid]]
    starts, ends = _merge_windows(v.outages)
    if len(starts):
        k = np.searchsorted(starts, t, side="right") - 1
        inside = (k >= 0) & (t < ends[np.clip(k, 0, None)])
        t = t[~inside]
    return np.unique(np.floor(t).astype(np.int64))


# --------------------------------------------------------------------------------------------------------------
# Outages
# --------------------------------------------------------------------------------------------------------------


def random_outages(rng, start, end, per_day, median_h, long_prob, long_range_h) -> List[Tuple[float, float]]:
    """Ordinary reception gaps: a Poisson number of short outages, sometimes one long one."""
    span_days = (end - start) / DAY
    out = []
    for _ in range(int(rng.poisson(per_day * span_days))):
        a = rng.uniform(start, end)
        out.append((a, a + min(5.5, median_h * math.exp(rng.normal(0.0, 0.6))) * HOUR))
    if rng.random() < long_prob:
        a = rng.uniform(start + DAY, end - 2 * DAY)
        out.append((a, a + rng.uniform(*long_range_h) * HOUR))
    return out


def stays_off(tr: Track, kind: int, prob: float, rng) -> List[Tuple[float, float]]:
    """Class B sets are often switched off in harbour: outages over some stays of the given kind."""
    out = []
    ends = tr.seg_t0[1:] + [tr.now]
    for t0, t1, k in zip(tr.seg_t0, ends, tr.seg_kind):
        if k == kind and rng.random() < prob:
            out.append((t0 + 0.3 * HOUR, t1 - 0.3 * HOUR))
    return out
