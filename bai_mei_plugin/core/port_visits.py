"""Stops, port visits and declared-versus-actual destinations (``baimei:portvisits``).

Definitions (the algorithm help repeats them):

- A report is **slow** when its SOG is below ``max_speed_kn`` (1 kn). Where SOG is missing, the speed implied by the
  distance to the first report of the vessel at least ``implied_window_s`` (10 min) later is used (the last report
  looks back instead): over a short interval, position noise alone would look like speed.
- A **stop** is a run of consecutive slow reports of one MMSI lasting at least ``min_hours`` (2 h, first to last
  report). A reception gap longer than ``max_gap_hours`` (6 h) ends the run, *unless* the reports on both sides of
  it are within ``same_place_m`` (1 km) of each other: a ship that is silent in port and found in the same place
  afterwards is taken to have stayed (its ``bridged_hours`` says how much of the stop was silent). Set
  ``same_place_m`` to 0 to split at every long gap.
- A stop whose mean position lies within ``port_radius_km`` (10 km) of a port of the gazetteer is **in port**
  (``near_port`` is the port's name). A port given with its outline (a polygon) counts by that outline instead: a
  stop is in it when it lies inside it (``port_distance_km`` 0), however large the port. Stops elsewhere are kept
  too (loitering, rendezvous).
- A **port visit** is a stop in port, merged with the following stops of the same vessel at the same port when
  every report between them stays within the port radius and no reception gap between them is longer than
  ``max_gap_hours``: the wait at the anchorage and the time alongside make one call.
- **Declared versus actual**: for each dark gap, the destination the ship declared before it (``destination_before``
  of the gap) is compared with the first port it is seen visiting after it. Destinations are matched against the
  port's name, its UN/LOCODE (``RUVVO``, ``RU VVO``, ``VVO``) and a few common other spellings (``ALIASES``); in
  ``FROM>TO`` texts only the part after the last ``>`` counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

from .ais.model import AisColumns
from .compat import covers_xy
from .errors import Canceled
from .gaps import Gap, vessel_starts
from .geodesy import EARTH_RADIUS_M, METRES_PER_NM, haversine_m, unit_vectors
from .ports import Port

try:  # scipy is optional: a numpy fallback does the same, more slowly
    from scipy.spatial import cKDTree as KDTree
except ImportError:  # pragma: no cover - the fallback is tested with PortIndex(..., use_scipy=False)
    KDTree = None

# Other spellings of ports' names seen in AIS destination fields, by UN/LOCODE.
ALIASES: Dict[str, tuple] = {
    "RUVVO": ("VLADIVOSTOCK", "VLADIVOSTOK PORT"),
    "KPNAM": ("NAMPHO", "NAMP O", "CHINNAMPO"),
    "KPNJN": ("RAJIN", "NAJIN", "RAJIN SONBONG"),
    # the World Port Index's codes and names for ports of interest named otherwise in the default list and in AIS
    "KPRJN": ("RAJIN", "RASON", "RASHIN", "RAJIN SONBONG"),
    "KPSGN": ("SONGNIM",),
    "KPHAE": ("HAEJU",),
    "CNDAL": ("DAIREN", "CNDLC"),  # the UN/LOCODE code list's Dalian is CNDLC
    "CNNGB": ("NINGPO", "NINGBO ZHOUSHAN"),
    "CNTAO": ("TSINGTAO",),
    "CNTSN": ("XINGANG", "TIANJIN XINGANG"),
    "KRPUS": ("PUSAN",),
    "KRINC": ("INCHON",),
    "JPKIJ": ("NIIGATA HIGASHI", "NIIGATA NISHI"),
}


@dataclass(frozen=True)
class StopCriteria:
    max_speed_kn: float = 1.0
    min_hours: float = 2.0
    max_gap_hours: float = 6.0
    same_place_m: float = 1000.0
    port_radius_km: float = 10.0
    implied_window_s: float = 600.0


@dataclass
class Stop:
    mmsi: int
    vessel_name: Optional[str]
    start: int
    end: int
    hours: float
    lon: float
    lat: float
    n_reports: int
    near_port: Optional[str]  # the port's name when within the port radius, else None
    locode: Optional[str]
    port_distance_km: Optional[float]  # to the nearest port of the gazetteer (None without ports)
    bridged_hours: float = 0.0  # silent time inside the stop (gaps bridged because the ship was in the same place)
    start_row: int = field(repr=False, default=-1)  # rows in the vessel-sorted columns
    end_row: int = field(repr=False, default=-1)
    # the port itself: ports without a UN/LOCODE (hundreds in the World Port Index) cannot be found again by it
    port: Optional[Port] = field(repr=False, compare=False, default=None)


@dataclass
class PortVisit:
    mmsi: int
    vessel_name: Optional[str]
    port_name: str
    locode: str
    country: str
    arrival: int
    departure: int
    hours: float
    lon: float
    lat: float
    destination: Optional[str]  # the AIS destination declared at arrival
    n_reports: int
    distance_km: float  # from the visit's mean position to the port position
    stops: int = 1  # stops merged into this visit (anchorage, then alongside...)


@dataclass
class PortVisitResult:
    stops: List[Stop]
    visits: List[PortVisit]


@dataclass
class DestinationCheck:
    """A dark gap, the destination declared before it and the port actually visited next."""

    gap_id: str
    mmsi: int
    vessel_name: Optional[str]
    off_time: int
    on_time: int
    gap_hours: float
    previous_port: Optional[str]
    previous_departure: Optional[int]
    declared_destination: Optional[str]
    declared_port: Optional[str]  # the gazetteer port the declared text names, if any
    destination_after: Optional[str]
    actual_next_port: Optional[str]
    next_arrival: Optional[int]
    mismatch: Optional[bool]  # None when the declaration or the next port is unknown


# ---------------------------------------------------------------------------------------------------- helpers


def grouped_by_vessel(cols: AisColumns) -> AisColumns:
    """``cols`` if each MMSI's rows are together and in time order (as cleaning leaves them), else sorted so."""
    n = len(cols)
    if n < 2:
        return cols
    mmsi, t = cols.mmsi, cols.t
    same = mmsi[1:] == mmsi[:-1]
    in_time = bool(np.all(np.diff(t)[same] >= 0))
    if in_time and (bool(np.all(mmsi[1:] >= mmsi[:-1])) or int(np.count_nonzero(~same)) + 1 == len(np.unique(mmsi))):
        return cols
    return cols.take(np.lexsort((t, mmsi)))


def vessel_names(cols: AisColumns) -> Dict[int, str]:
    """The last known name of each MMSI, for columns grouped by vessel."""
    named = np.flatnonzero(cols.vessel_name.codes >= 0)
    if len(named) == 0:
        return {}
    m = cols.mmsi[named]
    last = named[np.append(m[1:] != m[:-1], True)]
    values = cols.vessel_name.values
    return {int(k): values[c] for k, c in zip(cols.mmsi[last].tolist(), cols.vessel_name.codes[last].tolist())}


def chord_of(distance_m: float) -> float:
    """Straight-line distance between unit vectors that lie ``distance_m`` apart on the sphere."""
    return 2.0 * np.sin(min(distance_m / EARTH_RADIUS_M, np.pi) / 2.0)


def arc_of(chord) -> np.ndarray:
    """Great-circle distance in metres from the chord between unit vectors."""
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


class PortIndex:
    """Nearest port and "any port within r" for many positions (a k-d tree on unit vectors, or numpy)."""

    def __init__(self, ports: Sequence[Port] = (), use_scipy: bool = True):
        self.ports = list(ports)
        self.xyz = unit_vectors([p.lon for p in self.ports], [p.lat for p in self.ports]).reshape(-1, 3)
        self.tree = KDTree(self.xyz) if (use_scipy and KDTree is not None and self.ports) else None

    def __len__(self) -> int:
        return len(self.ports)

    def nearest(self, lon, lat):
        """(index of the nearest port, -1 without ports; distance in metres, inf without ports)."""
        xyz = unit_vectors(lon, lat).reshape(-1, 3)
        n = len(xyz)
        if not self.ports or n == 0:
            return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
        if self.tree is not None:
            chord, idx = self.tree.query(xyz)
            return np.asarray(idx, dtype=np.int64), arc_of(chord)
        idx = np.empty(n, dtype=np.int64)
        chord = np.empty(n)
        step = max(1, 4_000_000 // len(self.ports))
        for a in range(0, n, step):
            d2 = 2.0 - 2.0 * (xyz[a : a + step] @ self.xyz.T)
            idx[a : a + step] = np.argmin(d2, axis=1)
            chord[a : a + step] = np.sqrt(np.maximum(d2[np.arange(len(d2)), idx[a : a + step]], 0.0))
        return idx, arc_of(chord)

    def within(self, lon, lat, radius_m: float) -> np.ndarray:
        """True where a port lies within ``radius_m`` (metres along the sphere)."""
        xyz = unit_vectors(lon, lat).reshape(-1, 3)
        n = len(xyz)
        if not self.ports or n == 0 or radius_m <= 0:
            return np.zeros(n, dtype=bool)
        limit = chord_of(radius_m)
        if self.tree is not None:
            chord, _idx = self.tree.query(xyz, distance_upper_bound=limit * (1 + 1e-12))
            return np.isfinite(chord)
        # per port, only the positions in its band of z (sin latitude) are measured
        order = np.argsort(xyz[:, 2], kind="stable")
        z = xyz[order, 2]
        hit = np.zeros(n, dtype=bool)
        for p in self.xyz:
            a, b = np.searchsorted(z, [p[2] - limit, p[2] + limit])
            rows = order[a:b]
            d2 = np.sum((xyz[rows] - p) ** 2, axis=1)
            hit[rows[d2 <= limit * limit]] = True
        return hit


def _check(is_canceled) -> None:
    if is_canceled and is_canceled():
        raise Canceled()


def report_speeds(cols: AisColumns, starts: np.ndarray, window_s: float = 600.0) -> np.ndarray:
    """SOG in knots, or where missing the speed implied over at least ``window_s`` (see the module docstring)."""
    speed = np.array(cols.sog, dtype=np.float64, copy=True)
    missing = np.flatnonzero(np.isnan(speed))
    if len(missing) == 0:
        return speed
    t = cols.t
    n = len(t)
    group = np.cumsum(starts) - 1
    key = group.astype(np.int64) * (1 << 40) + (t - t.min())
    first = np.flatnonzero(starts)
    last = np.append(first[1:], n) - 1
    g = group[missing]
    window = int(np.ceil(window_s))
    ahead = np.minimum(np.searchsorted(key, key[missing] + window, side="left"), last[g])
    behind = np.maximum(np.searchsorted(key, key[missing] - window, side="right") - 1, first[g])
    partner = np.where(ahead != missing, ahead, behind)
    dt = np.abs(t[partner] - t[missing]).astype(np.float64)
    dist = haversine_m(cols.lon[missing], cols.lat[missing], cols.lon[partner], cols.lat[partner])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed[missing] = np.where(dt > 0, dist / dt * 3600.0 / METRES_PER_NM, np.nan)
    return speed


def _mean_lonlat(xyz_sum: np.ndarray):
    """Longitude and latitude of summed unit vectors (their mean direction; safe across the antimeridian)."""
    x, y, z = xyz_sum[:, 0], xyz_sum[:, 1], xyz_sum[:, 2]
    return np.degrees(np.arctan2(y, x)), np.degrees(np.arctan2(z, np.hypot(x, y)))


def _nearest_text(codes: np.ndarray, group: np.ndarray, rows: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per query row: the nearest row of the same vessel at or before it with a text value, else the first one
    after it up to ``limit``; -1 when none."""
    valid = np.flatnonzero(codes >= 0)
    if len(valid) == 0 or len(rows) == 0:
        return np.full(len(rows), -1, dtype=np.int64)
    pos = np.searchsorted(valid, rows, side="right") - 1
    before = valid[np.maximum(pos, 0)]
    ok_before = (pos >= 0) & (group[before] == group[rows])
    nxt = np.minimum(pos + 1, len(valid) - 1)
    after = valid[nxt]
    ok_after = (pos + 1 < len(valid)) & (after <= limit) & (group[after] == group[rows])
    return np.where(ok_before, before, np.where(ok_after, after, -1))


# ---------------------------------------------------------------------------------------------------- stops


def find_stops(
    cols: AisColumns,
    ports: Sequence[Port] = (),
    criteria: StopCriteria = StopCriteria(),
    progress=None,
    is_canceled=None,
) -> List[Stop]:
    """Stops of every vessel (see the module docstring), in vessel then time order."""
    cols = grouped_by_vessel(cols)
    n = len(cols)
    if n == 0:
        return []
    mmsi, t, lon, lat = cols.mmsi, cols.t, cols.lon, cols.lat
    starts = vessel_starts(mmsi)
    slow = report_speeds(cols, starts, criteria.implied_window_s) < criteria.max_speed_kn
    _check(is_canceled)
    if progress:
        progress(0.3)
    max_gap = criteria.max_gap_hours * 3600.0
    dt = np.diff(t)
    link = ~starts[1:] & slow[:-1] & slow[1:]
    long_gap = np.flatnonzero(link & (dt > max_gap))
    if len(long_gap):
        apart = haversine_m(lon[long_gap], lat[long_gap], lon[long_gap + 1], lat[long_gap + 1])
        link[long_gap[apart > criteria.same_place_m]] = False
    run_start = np.flatnonzero(slow & ~np.append(False, link))
    run_end = np.flatnonzero(slow & ~np.append(link, False))
    keep = (t[run_end] - t[run_start]) >= criteria.min_hours * 3600.0
    run_start, run_end = run_start[keep], run_end[keep]
    _check(is_canceled)
    if progress:
        progress(0.6)
    if len(run_start) == 0:
        return []

    bridged = np.concatenate(([0], np.cumsum(np.where(link & (dt > max_gap), dt, 0))))
    in_stop = np.zeros(n + 1, dtype=np.int64)  # +1 at each stop's first row, -1 after its last: mark stop rows
    np.add.at(in_stop, run_start, 1)
    np.add.at(in_stop, run_end + 1, -1)
    rows = np.flatnonzero(np.cumsum(in_stop[:-1]) > 0)
    csum = np.vstack((np.zeros((1, 3)), np.cumsum(unit_vectors(lon[rows], lat[rows]), axis=0)))
    first, last = np.searchsorted(rows, run_start), np.searchsorted(rows, run_end)
    mean_lon, mean_lat = _mean_lonlat(csum[last + 1] - csum[first])
    index = PortIndex([p for p in ports if p.area is None])  # ports known by a position: the radius
    port_i, port_m = index.nearest(mean_lon, mean_lat)
    in_port = port_m <= criteria.port_radius_km * 1000.0
    port_at = [index.ports[i] if ok else None for i, ok in zip(port_i.tolist(), in_port.tolist())]
    for port in (p for p in ports if p.area is not None):  # ports known by their outline: inside it
        inside = _inside(port, mean_lon, mean_lat)
        port_m = np.where(inside, 0.0, port_m)
        for k in np.flatnonzero(inside).tolist():
            port_at[k] = port
    group = np.cumsum(starts) - 1
    name_rows = _nearest_text(cols.vessel_name.codes, group, run_end, np.full(len(run_end), n))
    if progress:
        progress(0.9)

    stops = []
    for k, (a, b) in enumerate(zip(run_start.tolist(), run_end.tolist())):
        port = port_at[k]
        stops.append(
            Stop(
                mmsi=int(mmsi[a]),
                vessel_name=cols.vessel_name.get(name_rows[k]) if name_rows[k] >= 0 else None,
                start=int(t[a]),
                end=int(t[b]),
                hours=float(t[b] - t[a]) / 3600.0,
                lon=float(mean_lon[k]),
                lat=float(mean_lat[k]),
                n_reports=b - a + 1,
                near_port=port.name if port else None,
                locode=port.locode if port else None,
                port_distance_km=float(port_m[k]) / 1000.0 if (len(index) or port is not None) else None,
                bridged_hours=float(bridged[b] - bridged[a]) / 3600.0,
                start_row=a,
                end_row=b,
                port=port,
            )
        )
    if progress:
        progress(1.0)
    return stops


# ---------------------------------------------------------------------------------------------------- visits


def detect_port_visits(
    cols: AisColumns, ports: Sequence[Port], criteria: StopCriteria = StopCriteria(), progress=None, is_canceled=None
) -> PortVisitResult:
    """All stops, and the port visits among them (see the module docstring)."""
    cols = grouped_by_vessel(cols)
    stops = find_stops(cols, ports, criteria, (lambda f: progress(0.9 * f)) if progress else None, is_canceled)
    visits = merge_visits(cols, stops, ports, criteria)
    if progress:
        progress(1.0)
    return PortVisitResult(stops=stops, visits=visits)


def _same_call(cols: AisColumns, a: Stop, b: Stop, port: Port, criteria: StopCriteria) -> bool:
    """Whether the ship stayed in the port area between two of its stops there (with no long silence)."""
    rows = slice(a.end_row, b.start_row + 1)
    if np.any(np.diff(cols.t[rows]) > criteria.max_gap_hours * 3600.0):
        return False
    if port.area is not None:
        return bool(np.all(_inside(port, cols.lon[rows], cols.lat[rows])))
    dist = haversine_m(cols.lon[rows], cols.lat[rows], port.lon, port.lat)
    return bool(np.all(dist <= criteria.port_radius_km * 1000.0))


def _inside(port: Port, lon, lat) -> np.ndarray:
    """Which of the points lie inside the port's outline (its edge counts as inside)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return covers_xy(port.area, lon, lat)


def merge_visits(
    cols: AisColumns, stops: Sequence[Stop], ports: Sequence[Port], criteria: StopCriteria = StopCriteria()
) -> List[PortVisit]:
    """Port visits from stops found in the same (vessel-grouped) columns: consecutive stops of a vessel at one port
    become one visit when it stayed in the port area between them."""
    by_locode = {p.locode: p for p in ports}
    calls: List[List[Stop]] = []
    previous: Optional[Stop] = None
    for stop in stops:
        if stop.locode is not None:
            port = stop.port or by_locode[stop.locode]
            if (
                previous is not None
                and calls
                and previous is calls[-1][-1]
                and previous.mmsi == stop.mmsi
                and (previous.port or by_locode[previous.locode]) is port
                and _same_call(cols, previous, stop, port, criteria)
            ):
                calls[-1].append(stop)
            else:
                calls.append([stop])
        previous = stop
    if not calls:
        return []
    first_rows = np.array([c[0].start_row for c in calls], dtype=np.int64)
    last_rows = np.array([c[-1].end_row for c in calls], dtype=np.int64)
    group = np.cumsum(vessel_starts(cols.mmsi)) - 1
    dest_rows = _nearest_text(cols.destination.codes, group, first_rows, last_rows).tolist()
    visits = []
    for call, a, b, dest_row in zip(calls, first_rows.tolist(), last_rows.tolist(), dest_rows):
        port = call[0].port or by_locode[call[0].locode]
        weights = np.array([s.n_reports for s in call], dtype=np.float64)
        xyz = (unit_vectors([s.lon for s in call], [s.lat for s in call]) * weights[:, None]).sum(axis=0)
        lon, lat = _mean_lonlat(xyz[None, :])
        first, last = call[0], call[-1]
        visits.append(
            PortVisit(
                mmsi=first.mmsi,
                vessel_name=last.vessel_name or first.vessel_name,
                port_name=port.name,
                locode=port.locode,
                country=port.country,
                arrival=first.start,
                departure=last.end,
                hours=(last.end - first.start) / 3600.0,
                lon=float(lon[0]),
                lat=float(lat[0]),
                destination=cols.destination.get(dest_row) if dest_row >= 0 else None,
                n_reports=b - a + 1,
                distance_km=float(haversine_m(lon[0], lat[0], port.lon, port.lat)) / 1000.0,
                stops=len(call),
            )
        )
    return visits


# ---------------------------------------------------------------------------------------------------- destinations

_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


def normalise_destination(text: Optional[str]) -> str:
    """Upper case, the part after the last ``>`` of a ``FROM>TO`` text, punctuation as spaces, spaces collapsed."""
    if not text:
        return ""
    text = str(text).upper()
    if ">" in text:
        text = text.rsplit(">", 1)[1]
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


def destination_matches(text: Optional[str], port) -> bool:
    """Whether an AIS destination text names ``port`` (anything with ``name`` and ``locode``): its name or an
    alias as words of the text (``VLADIVOSTOK``, ``PORT OF VLADIVOSTOK``, ``VLADIVOSTOK RUSSIA``, ``LIAN YUN GANG``),
    or its UN/LOCODE (``RUVVO``, ``RU VVO``, ``RU-VVO``, or ``VVO`` alone)."""
    norm = normalise_destination(text)
    if not norm:
        return False
    words = norm.split()
    compact = "".join(words)
    locode = str(port.locode).upper()
    if compact in (locode, locode[2:]) or locode in words:
        return True
    if any(a == locode[:2] and b == locode[2:] for a, b in zip(words, words[1:])):
        return True
    padded = f" {norm} "
    for name in (port.name, *ALIASES.get(locode, ())):
        name = normalise_destination(name)
        if name and (compact == name.replace(" ", "") or f" {name} " in padded):
            return True
    return False


def resolve_destination(text: Optional[str], ports: Iterable[Port]) -> Optional[Port]:
    """The first port of ``ports`` that the destination text names, or None."""
    for port in ports:
        if destination_matches(text, port):
            return port
    return None


def declared_vs_actual(
    gaps: Sequence[Gap], visits: Sequence[PortVisit], ports: Sequence[Port] = ()
) -> List[DestinationCheck]:
    """One check per gap: the destination declared before it against the first port visited after it.

    The previous port is the last visit that began at or before the gap started; the next port the first visit that
    began at or after the gap ended (a visit that spans the gap, a ship silent in port, counts as the previous one).
    ``mismatch`` is True when they disagree, False when the declared destination names the next port, and None when
    there is no declared destination or no visit after the gap.
    """
    by_vessel: Dict[int, List[PortVisit]] = {}
    for visit in visits:
        by_vessel.setdefault(visit.mmsi, []).append(visit)
    for items in by_vessel.values():
        items.sort(key=lambda v: v.arrival)
    checks = []
    for gap in gaps:
        items = by_vessel.get(gap.mmsi, [])
        before = [v for v in items if v.arrival <= gap.off_time]
        after = [v for v in items if v.arrival >= gap.on_time]
        prev = before[-1] if before else None
        nxt = after[0] if after else None
        declared = gap.destination_before
        declared_port = resolve_destination(declared, ports) if declared else None
        mismatch = None
        if declared and nxt is not None:
            mismatch = not destination_matches(declared, Port(nxt.port_name, nxt.locode, nxt.country, nxt.lat, nxt.lon))
        checks.append(
            DestinationCheck(
                gap_id=gap.gap_id,
                mmsi=gap.mmsi,
                vessel_name=gap.vessel_name,
                off_time=gap.off_time,
                on_time=gap.on_time,
                gap_hours=gap.gap_hours,
                previous_port=prev.port_name if prev else None,
                previous_departure=prev.departure if prev else None,
                declared_destination=declared,
                declared_port=declared_port.name if declared_port else None,
                destination_after=gap.destination_after,
                actual_next_port=nxt.port_name if nxt else None,
                next_arrival=nxt.arrival if nxt else None,
                mismatch=mismatch,
            )
        )
    return checks
