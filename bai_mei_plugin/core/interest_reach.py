"""Which ports of interest each gap's vessel could have called at, and for how long at most: for thousands of gaps.

The same definitions as :mod:`.reachability` (great-circle dwell; with land, the dwell by sea, and a port that no
route by sea reaches in time is not a candidate), computed in three steps:

1. a great-circle pre-filter: the gaps x ports matrix of dwells in numpy; only pairs with a positive dwell go on;
2. with land, one sea distance field per port (:mod:`.sea_fields`) gives both sea legs of every remaining pair;
3. where the field cannot tell (an end off its water, a leg longer than its radius), the per-gap computation of
   :func:`.reachability.gap_reachability` (the gap's reachable water and its :class:`.sea_grid.SeaLegs`), and where
   that has no sea distances either, the great-circle dwell, said so in the notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set

import numpy as np

from .geodesy import haversine_nm
from .ports import Port
from .sea_fields import sea_field
from .sea_grid import SNAP_KM, SeaLegs


@dataclass
class PortReach:
    """A port of interest within reach of a gap: the longest the vessel could have stayed there."""

    name: str
    locode: str
    dwell_hours: float
    by_sea: bool  # the dwell is by sea (else great circle: no land given, or no sea distances for the gap)


class InterestReach:
    """The ports of interest within reach of each of ``n`` gaps (arrays of their ends, times and speeds)."""

    def __init__(self, arrays, speeds: np.ndarray, ports: Sequence[Port], land=None, min_dwell_hours: float = 0.0):
        self.a, self.v, self.ports, self.land = arrays, speeds, list(ports), land
        self.min_dwell = float(min_dwell_hours)
        self.notes: List[str] = []
        self.dry_gaps: List[str] = []
        self.inland: Set[str] = set()  # ports of interest too far inside the land layer's land (named in notes)
        n, p = len(arrays.hours), len(self.ports)
        self.budget = speeds * arrays.hours
        lon = np.array([q.lon for q in self.ports])
        lat = np.array([q.lat for q in self.ports])
        self.d_in = haversine_nm(arrays.off_lon[:, None], arrays.off_lat[:, None], lon[None, :], lat[None, :])
        self.d_out = haversine_nm(lon[None, :], lat[None, :], arrays.on_lon[:, None], arrays.on_lat[:, None])
        self.d_in = self.d_in.reshape(n, p)
        self.d_out = self.d_out.reshape(n, p)
        self.dwell_gc = arrays.hours[:, None] - (self.d_in + self.d_out) / speeds[:, None]
        self.candidate = self.dwell_gc > self.min_dwell
        # by sea: a dwell per pair (nan: not known yet, the per-gap fallback decides; -inf: not reachable by sea)
        self.dwell_sea = np.full((n, p), np.nan)
        self.off_water = np.zeros(n, dtype=bool)  # an end not on the land layer's water: great circle only
        if land is not None:
            for k in range(p):
                self._field(k)

    def _field(self, k: int) -> None:
        rows = np.flatnonzero(self.candidate[:, k])
        if len(rows) == 0:
            return
        need_in = self.budget[rows] - self.d_out[rows, k]  # the longest leg in that can still leave a dwell
        need_out = self.budget[rows] - self.d_in[rows, k]
        port = self.ports[k]
        field = sea_field(port.lon, port.lat, float(max(need_in.max(), need_out.max())), self.land)
        if not field.available:
            self.notes.append(f"{port.name}: no sea distance field ({field.reason}); gap by gap instead.")
            return
        leg_in, dry_in = field.legs(self.a.off_lon[rows], self.a.off_lat[rows], need_in)
        leg_out, dry_out = field.legs(self.a.on_lon[rows], self.a.on_lat[rows], need_out)
        with np.errstate(invalid="ignore"):
            dwell = self.a.hours[rows] - (leg_in + leg_out) / self.v[rows]
        dwell[np.isinf(dwell)] = -np.inf
        self.dwell_sea[rows, k] = dwell  # nan stays nan: the field could not tell
        self.off_water[rows[dry_in | dry_out]] = True

    def reach(self, i: int, gap_id: str = "") -> List[PortReach]:
        """The ports of interest gap ``i`` could have called at, longest stay first."""
        ks = np.flatnonzero(self.candidate[i]).tolist()
        if not ks:
            return []
        if self.land is None:
            found = [PortReach(self.ports[k].name, self.ports[k].locode, float(self.dwell_gc[i, k]), False) for k in ks]
        else:
            unknown = [k for k in ks if np.isnan(self.dwell_sea[i, k])]
            if self.off_water[i]:  # as gap_reachability: no sea distances for the gap, the great circle decides
                self.dwell_sea[i, :] = np.nan
                self.dry_gaps.append(gap_id)
            elif unknown:
                self._per_gap(i, unknown, gap_id)
            found = []
            for k in ks:
                sea = self.dwell_sea[i, k]
                if np.isnan(sea):  # no sea distances at all for this gap: the great circle, as gap_reachability
                    found.append(PortReach(self.ports[k].name, self.ports[k].locode, float(self.dwell_gc[i, k]), False))
                elif sea > self.min_dwell:
                    found.append(PortReach(self.ports[k].name, self.ports[k].locode, float(sea), True))
        found.sort(key=lambda r: -r.dwell_hours)
        return found

    def _per_gap(self, i: int, ks: List[int], gap_id: str) -> None:
        """The sea dwell of gap ``i`` to ports ``ks`` through the gap's own reachable water."""
        from .reachability import clip_to_sea, reachability_area

        a = self.a
        off, on = (float(a.off_lon[i]), float(a.off_lat[i])), (float(a.on_lon[i]), float(a.on_lat[i]))
        reach = reachability_area(*off, float(a.t0[i]), *on, float(a.t1[i]), float(self.v[i]))
        geom = clip_to_sea(reach.geometry, self.land, off, on) if not reach.geometry.is_empty else reach.geometry
        legs = SeaLegs(geom, off, on, reach.budget_nm) if not geom.is_empty else None
        if legs is None or not legs.available:
            why = legs.reason if legs is not None else "the reachable area is empty"
            self.notes.append(f"Gap {gap_id}: no sea distances ({why}); great-circle dwell only.")
            return
        for k in ks:
            sea_in, sea_out = legs.legs(self.ports[k].lon, self.ports[k].lat)
            if sea_in is None or sea_out is None:
                self.dwell_sea[i, k] = -np.inf
                self._note_inland(legs, k)
            else:
                self.dwell_sea[i, k] = a.hours[i] - (sea_in + sea_out) / self.v[i]

    def _note_inland(self, legs, k: int) -> None:
        """Say once per port that it lies too far inside the land layer's land for a distance by sea."""
        port = self.ports[k]
        if port.name in self.inland or not legs.inland(port.lon, port.lat):
            return
        self.inland.add(port.name)
        self.notes.append(
            f"{port.name}: more than {SNAP_KM:g} km from the water of the land layer, so no distance by sea starts "
            "from it; not a port of call by sea for any gap."
        )


def reach_from_visits(visits: Sequence, is_interest, min_dwell_hours: float = 0.0) -> Dict[str, List[PortReach]]:
    """The same answer from candidate visits already found (:class:`.reachability.CandidateVisit`), by gap id."""
    out: Dict[str, List[PortReach]] = {}
    for visit in visits:
        if not is_interest((visit.port_name, visit.locode)):
            continue
        sea: Optional[float] = visit.max_dwell_hours_sea
        hours = sea if sea is not None else visit.max_dwell_hours
        if hours > min_dwell_hours:
            out.setdefault(visit.gap_id, []).append(PortReach(visit.port_name, visit.locode, hours, sea is not None))
    for found in out.values():
        found.sort(key=lambda r: -r.dwell_hours)
    return out
