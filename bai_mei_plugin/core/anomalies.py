"""Identity and position anomalies of the MMSIs in AIS reports (``baimei:anomalies``).

Kinds (``Anomaly.kind``):

- ``jump``: consecutive reports of one MMSI imply a speed above ``max_speed_kn`` (50 kn). Position noise and
  near-simultaneous reports would make absurd speeds out of nothing, so the speed is measured as
  ``max(distance - noise_m, 0) / max(time apart, min_dt_s)``: ``noise_m`` (100 m) of the distance is forgiven and
  reports less than ``min_dt_s`` (10 s) apart count as 10 s apart. Every jump is listed (the largest are often
  the telling ones); each carries the MMSI's total in ``count``.
- ``shared_mmsi``: the reports of an MMSI with jumps are split into segments (core/segments.py: a report joins the
  track it could have reached within the speed limit, else starts a new one); when two or more long-lived segments
  (``shared_min_reports`` reports over ``shared_min_minutes``) run at the same time, several transmitters use the
  MMSI (or a position error keeps repeating). The evidence gives each segment's reports, times and extent;
  ``segments`` their number and ``count`` the MMSI's jumps.
- ``conflicting_duplicate``: reports of one MMSI at the same second more than 1 nm apart, which cleaning drops
  (``find_anomalies(..., cleaned=...)``): one per MMSI at the largest, ``count`` the conflicts.
- ``invalid_mmsi``: not a 9-digit number, or digits that follow no MMSI format of ITU-R M.585. Readers drop such
  reports (``core/ais/clean.py``); passed as ``cleaned`` their MMSIs are reported with their number of reports.
- ``unallocated_mid``: a ship station MMSI (first digit 2-7) whose MID (first three digits) the ITU has not
  allocated to any country (``resources/mid/mid.csv``).
- ``special_mmsi``: coast stations (00MID...), groups (0MID...), SAR aircraft (111MID...), handheld radios (8MID...),
  craft associated with a parent ship (98MID...), aids to navigation (99MID...), AIS-SART (970...), man overboard
  (972...) and EPIRB-AIS (974...): described, not flagged as invalid.
- ``flag_mismatch``: a flag (ISO 3166 alpha-2) given for the MMSI differs from its MID's country.
- ``name_change``, ``imo_change``, ``callsign_change``: the value changes between consecutive reports of one MMSI
  that carry one (missing values are ignored; names and call signs compared in upper case with spaces collapsed;
  IMO numbers without an "IMO" prefix, all-zero IMOs counting as missing). At most ``max_changes_per_mmsi`` (20)
  per kind and MMSI are listed, each with the total in ``count``.
- ``invalid_imo``: an IMO number that is not 7 digits or fails the IMO check digit (the first six digits weighted
  7 to 2 sum to a number ending in the seventh).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional

import numpy as np

from .ais.model import AisColumns, CleanResult, TextColumn
from .errors import Canceled
from .gaps import vessel_starts
from .geodesy import METRES_PER_NM, haversine_m
from .mid import INVALID, SHIP, MidEntry, default_mid_table, describe_mmsi
from .port_visits import grouped_by_vessel, vessel_names
from .segments import SegmentCriteria, interleaved, segment

JUMP = "jump"
SHARED_MMSI = "shared_mmsi"
CONFLICTING_DUPLICATE = "conflicting_duplicate"
INVALID_MMSI = "invalid_mmsi"
UNALLOCATED_MID = "unallocated_mid"
SPECIAL_MMSI = "special_mmsi"
FLAG_MISMATCH = "flag_mismatch"
NAME_CHANGE = "name_change"
IMO_CHANGE = "imo_change"
CALLSIGN_CHANGE = "callsign_change"
INVALID_IMO = "invalid_imo"
KINDS = (
    JUMP,
    SHARED_MMSI,
    CONFLICTING_DUPLICATE,
    INVALID_MMSI,
    UNALLOCATED_MID,
    SPECIAL_MMSI,
    FLAG_MISMATCH,
    NAME_CHANGE,
    IMO_CHANGE,
    CALLSIGN_CHANGE,
    INVALID_IMO,
)


@dataclass(frozen=True)
class AnomalyCriteria:
    max_speed_kn: float = 50.0
    min_dt_s: float = 10.0
    noise_m: float = 100.0
    segment_max_hours: float = 24.0  # a track silent longer is closed (see core/segments.py)
    shared_min_reports: int = 5  # a long-lived segment: this many reports...
    shared_min_minutes: float = 5.0  # ...over at least this long
    max_changes_per_mmsi: int = 20

    def segment_criteria(self) -> SegmentCriteria:
        return SegmentCriteria(
            max_speed_kn=self.max_speed_kn,
            noise_m=self.noise_m,
            min_dt_s=self.min_dt_s,
            max_hours=self.segment_max_hours,
            min_reports=self.shared_min_reports,
            min_minutes=self.shared_min_minutes,
        )


@dataclass
class Anomaly:
    mmsi: int
    kind: str
    time: Optional[int]  # epoch seconds of the report that shows it (the later report of a jump or change)
    lon: Optional[float]
    lat: Optional[float]
    evidence: str  # a plain-language sentence
    vessel_name: Optional[str] = None
    before: Optional[str] = None  # identity changes: old and new value; invalid_imo: the value
    after: Optional[str] = None
    time_before: Optional[int] = None  # jumps and changes: the earlier report
    lon_before: Optional[float] = None
    lat_before: Optional[float] = None
    speed_kn: Optional[float] = None
    distance_nm: Optional[float] = None
    hours: Optional[float] = None
    count: Optional[int] = None  # jumps / changes / conflicts of that kind for the MMSI in all (invalid: reports)
    segments: Optional[int] = None  # shared_mmsi: the interleaved segments


@dataclass
class AnomalyResult:
    anomalies: List[Anomaly]
    jumps_per_mmsi: Dict[int, int] = field(default_factory=dict)


def utc_text(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _where(lon: float, lat: float) -> str:
    return f"{abs(lat):.4f}{'N' if lat >= 0 else 'S'} {abs(lon):.4f}{'E' if lon >= 0 else 'W'}"


def _check(is_canceled) -> None:
    if is_canceled and is_canceled():
        raise Canceled()


# ---------------------------------------------------------------------------------------------------- jumps


def _speed_kn(dist_m, dt_s, criteria: AnomalyCriteria):
    return (np.maximum(dist_m - criteria.noise_m, 0.0) / np.maximum(dt_s, criteria.min_dt_s)) * 3600.0 / METRES_PER_NM


def find_jumps(cols: AisColumns, criteria: AnomalyCriteria = AnomalyCriteria(), names=None):
    """(jump and shared_mmsi anomalies, {mmsi: jumps}) for columns grouped by vessel in time order."""
    n = len(cols)
    if n < 2:
        return [], {}
    mmsi, t, lon, lat = cols.mmsi, cols.t, cols.lon, cols.lat
    names = vessel_names(cols) if names is None else names
    pair = np.flatnonzero(~vessel_starts(mmsi)[1:])
    dist = haversine_m(lon[pair], lat[pair], lon[pair + 1], lat[pair + 1])
    speed = _speed_kn(dist, (t[pair + 1] - t[pair]).astype(np.float64), criteria)
    jump = speed > criteria.max_speed_kn
    a, dist, speed = pair[jump], dist[jump], speed[jump]
    if len(a) == 0:
        return [], {}
    j_mmsi = mmsi[a]
    ids, counts = np.unique(j_mmsi, return_counts=True)
    per_mmsi = dict(zip(ids.tolist(), counts.tolist()))
    out = []
    for k in range(len(a)):
        i, m = int(a[k]), int(j_mmsi[k])
        hours = float(t[i + 1] - t[i]) / 3600.0
        out.append(
            Anomaly(
                mmsi=m,
                kind=JUMP,
                time=int(t[i + 1]),
                lon=float(lon[i + 1]),
                lat=float(lat[i + 1]),
                vessel_name=names.get(m),
                time_before=int(t[i]),
                lon_before=float(lon[i]),
                lat_before=float(lat[i]),
                speed_kn=float(speed[k]),
                distance_nm=float(dist[k] / METRES_PER_NM),
                hours=hours,
                count=per_mmsi[m],
                evidence=(
                    f"Moved {dist[k] / METRES_PER_NM:,.1f} nm in {hours * 60:,.1f} min, from "
                    f"{_where(lon[i], lat[i])} at {utc_text(t[i])} to {_where(lon[i + 1], lat[i + 1])} at "
                    f"{utc_text(t[i + 1])}: "
                    f"{speed[k]:,.0f} kn implied, above the {criteria.max_speed_kn:g} kn limit."
                ),
            )
        )
    out.extend(shared_mmsis(cols, per_mmsi, criteria, names))
    return out, per_mmsi


def shared_mmsis(cols: AisColumns, per_mmsi: Dict[int, int], criteria: AnomalyCriteria, names) -> List[Anomaly]:
    """shared_mmsi anomalies: MMSIs whose segments run side by side (see the module docstring).

    Only MMSIs with two jumps or more are segmented: fewer cannot make two tracks that alternate."""
    seg_criteria = criteria.segment_criteria()
    starts = np.flatnonzero(vessel_starts(cols.mmsi))
    ends = np.append(starts[1:], len(cols))
    bounds = {int(cols.mmsi[a]): (int(a), int(b)) for a, b in zip(starts.tolist(), ends.tolist())}
    out = []
    for m, jumps in sorted(per_mmsi.items()):
        if jumps < 2:
            continue
        a, b = bounds[m]
        t, lon, lat = cols.t[a:b], cols.lon[a:b], cols.lat[a:b]
        found = segment(t, lon, lat, seg_criteria)
        together = interleaved(found, t, seg_criteria)
        if len(together) < 2:
            continue
        first = together[0].rows[0]
        out.append(
            Anomaly(
                mmsi=m,
                kind=SHARED_MMSI,
                time=int(t[first]),
                lon=float(lon[first]),
                lat=float(lat[first]),
                vessel_name=names.get(m),
                count=jumps,
                segments=len(together),
                evidence=_shared_evidence(together, len(found), jumps, t, criteria),
            )
        )
    return out


def _shared_evidence(together, n_segments: int, jumps: int, t: np.ndarray, criteria: AnomalyCriteria) -> str:
    parts = [
        f"#{k} {s.reports:,} reports {utc_text(t[s.rows[0]])} to {utc_text(t[s.rows[-1]])}, "
        f"lat {s.lat_min:.3f} to {s.lat_max:.3f}, lon {s.lon_min:.3f} to {s.lon_max:.3f}"
        for k, s in enumerate(together, 1)
    ]
    others = n_segments - len(together)
    return (
        f"{len(together)} tracks run at the same time on this MMSI, each out of reach of the others at "
        f"{criteria.max_speed_kn:g} kn: {'; '.join(parts)}"
        + (f"; and {others} other short or separate segment{'s' if others != 1 else ''}" if others else "")
        + f". {jumps:,} impossible jumps between them: several transmitters share the MMSI (or a position error "
        "keeps repeating)."
    )


def conflict_anomalies(cleaned: Optional[CleanResult], names) -> List[Anomaly]:
    """conflicting_duplicate: per MMSI, the largest of its same-second reports more than 1 nm apart."""
    c = cleaned.conflicts if cleaned is not None else None
    if c is None or len(c) == 0:
        return []
    ids, inverse, counts = np.unique(c.mmsi, return_inverse=True, return_counts=True)
    order = np.lexsort((-c.distance_nm, inverse.reshape(-1)))  # per MMSI, the largest distance first
    firsts = order[np.concatenate(([True], np.diff(inverse.reshape(-1)[order]) != 0))]
    out = []
    for i, n in zip(firsts.tolist(), counts.tolist()):
        m = int(c.mmsi[i])
        out.append(
            Anomaly(
                mmsi=m,
                kind=CONFLICTING_DUPLICATE,
                time=int(c.t[i]),
                lon=float(c.lon[i]),
                lat=float(c.lat[i]),
                vessel_name=names.get(m),
                time_before=int(c.t[i]),
                lon_before=float(c.lon_kept[i]),
                lat_before=float(c.lat_kept[i]),
                distance_nm=float(c.distance_nm[i]),
                count=n,
                evidence=(
                    f"{n:,} report{'s' if n != 1 else ''} at the same second as another report of this MMSI more "
                    f"than 1 nm away; the largest: at {utc_text(c.t[i])} at {_where(c.lon_kept[i], c.lat_kept[i])} "
                    f"and at {_where(c.lon[i], c.lat[i])}, {c.distance_nm[i]:,.1f} nm apart. One ship cannot be in "
                    "two places: two transmitters share the MMSI, or positions are spoofed. (Reading kept the "
                    "first of each pair.)"
                ),
            )
        )
    return out


def set_aside_anomalies(cleaned: Optional[CleanResult]) -> List[Anomaly]:
    """invalid_mmsi for the MMSIs cleaning dropped as invalid, with their number of reports."""
    out = []
    for bad in cleaned.invalid_mmsis if cleaned is not None else []:
        span = f"from {utc_text(bad.first_time)} to {utc_text(bad.last_time)}"
        out.append(
            Anomaly(
                mmsi=bad.mmsi,
                kind=INVALID_MMSI,
                time=bad.first_time,
                lon=bad.lon,
                lat=bad.lat,
                count=bad.reports,
                evidence=(
                    f"{bad.description} {bad.reports:,} report{'s' if bad.reports != 1 else ''} {span} were left out "
                    "of the analysis (an invalid MMSI may stand for many ships)."
                ),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------- MMSI and MID


def mmsi_anomalies(
    cols: AisColumns, flags: Optional[Mapping[int, str]] = None, table: Optional[Dict[int, MidEntry]] = None, names=None
) -> List[Anomaly]:
    """invalid_mmsi, unallocated_mid, special_mmsi and flag_mismatch anomalies, one per MMSI at its first report."""
    table = default_mid_table() if table is None else table
    names = vessel_names(cols) if names is None else names
    if len(cols) == 0:
        return []
    first = np.flatnonzero(vessel_starts(cols.mmsi))
    flags = {int(k): str(v).strip().upper() for k, v in (flags or {}).items() if v}
    out = []
    for row in first.tolist():
        m = int(cols.mmsi[row])
        info = describe_mmsi(m, table)
        base = dict(
            mmsi=m, time=int(cols.t[row]), lon=float(cols.lon[row]), lat=float(cols.lat[row]), vessel_name=names.get(m)
        )
        if info.kind == INVALID:
            out.append(Anomaly(kind=INVALID_MMSI, evidence=info.description, **base))
        elif info.kind == SHIP and not info.allocated:
            out.append(
                Anomaly(kind=UNALLOCATED_MID, evidence=info.description + " It cannot be a real ship's MMSI.", **base)
            )
        elif info.kind != SHIP:
            out.append(Anomaly(kind=SPECIAL_MMSI, evidence=info.description, **base))
        flag = flags.get(m)
        entry = info.entry
        if flag and entry is not None and entry.iso2 and flag != entry.iso2:
            out.append(
                Anomaly(
                    kind=FLAG_MISMATCH,
                    before=entry.iso2,
                    after=flag,
                    evidence=f"Flag given as {flag}, but MID {entry.mid} belongs to {entry.country} ({entry.iso2}).",
                    **base,
                )
            )
    return out


# ---------------------------------------------------------------------------------------------------- identity

_SPACES = re.compile(r"\s+")
_IMO_PREFIX = re.compile(r"^IMO[\s:#-]*")


def normalise_text(value: str) -> Optional[str]:
    text = _SPACES.sub(" ", value.strip().upper())
    return text or None


def normalise_imo(value: str) -> Optional[str]:
    """The IMO number without an "IMO" prefix or spaces; None when empty or all zeros (AIS for "not available")."""
    text = _IMO_PREFIX.sub("", value.strip().upper()).replace(" ", "")
    if not text or set(text) == {"0"}:
        return None
    return text


def imo_is_valid(imo: Optional[str]) -> bool:
    """7 digits whose first six, weighted 7 to 2, sum to a number ending in the seventh."""
    if not imo or len(imo) != 7 or not imo.isdigit():
        return False
    return sum(int(c) * w for c, w in zip(imo[:6], range(7, 1, -1))) % 10 == int(imo[6])


def _normalised_codes(col: TextColumn, normalise) -> tuple:
    """Codes of the normalised values (-1 where missing) and the normalised values."""
    lookup: Dict[str, int] = {}
    remap = np.full(len(col.values) + 1, -1, dtype=np.int64)  # the last slot maps code -1 to -1
    for code, value in enumerate(col.values):
        norm = normalise(value)
        if norm is not None:
            remap[code] = lookup.setdefault(norm, len(lookup))
    return remap[col.codes], list(lookup)


_CHANGES = (
    ("vessel_name", NAME_CHANGE, "Name", normalise_text),
    ("imo", IMO_CHANGE, "IMO number", normalise_imo),
    ("callsign", CALLSIGN_CHANGE, "Call sign", normalise_text),
)


def identity_changes(cols: AisColumns, criteria: AnomalyCriteria = AnomalyCriteria(), names=None) -> List[Anomaly]:
    """name_change, imo_change and callsign_change anomalies (see the module docstring)."""
    names = vessel_names(cols) if names is None else names
    out = []
    for column, kind, label, normalise in _CHANGES:
        codes, values = _normalised_codes(getattr(cols, column), normalise)
        rows = np.flatnonzero(codes >= 0)
        if len(rows) < 2:
            continue
        m, c = cols.mmsi[rows], codes[rows]
        change = np.flatnonzero((m[1:] == m[:-1]) & (c[1:] != c[:-1]))
        if len(change) == 0:
            continue
        ids, counts = np.unique(m[change + 1], return_counts=True)
        total = dict(zip(ids.tolist(), counts.tolist()))
        seen: Dict[int, int] = {}
        for k in change.tolist():
            i, j = int(rows[k]), int(rows[k + 1])
            mm = int(cols.mmsi[j])
            seen[mm] = seen.get(mm, 0) + 1
            if seen[mm] > criteria.max_changes_per_mmsi:
                continue
            old, new = values[c[k]], values[c[k + 1]]
            out.append(
                Anomaly(
                    mmsi=mm,
                    kind=kind,
                    time=int(cols.t[j]),
                    lon=float(cols.lon[j]),
                    lat=float(cols.lat[j]),
                    vessel_name=names.get(mm),
                    before=old,
                    after=new,
                    time_before=int(cols.t[i]),
                    lon_before=float(cols.lon[i]),
                    lat_before=float(cols.lat[i]),
                    hours=float(cols.t[j] - cols.t[i]) / 3600.0,
                    count=total[mm],
                    evidence=(
                        f"{label} changed from {old!r} (last reported {utc_text(cols.t[i])}) to {new!r} "
                        f"(first reported {utc_text(cols.t[j])})."
                    ),
                )
            )
    return out


def imo_anomalies(cols: AisColumns, names=None) -> List[Anomaly]:
    """invalid_imo: each IMO number of an MMSI that fails the check, at the first report that carries it."""
    names = vessel_names(cols) if names is None else names
    codes, values = _normalised_codes(cols.imo, normalise_imo)
    bad = np.array([not imo_is_valid(v) for v in values] + [False], dtype=bool)
    rows = np.flatnonzero(bad[codes])  # code -1 reads the trailing False
    if len(rows) == 0:
        return []
    key = cols.mmsi[rows] * (len(values) + 1) + codes[rows]
    _keys, first = np.unique(key, return_index=True)
    out = []
    for i in rows[np.sort(first)].tolist():
        m, imo = int(cols.mmsi[i]), values[codes[i]]
        if len(imo) == 7 and imo.isdigit():
            should = sum(int(ch) * w for ch, w in zip(imo[:6], range(7, 1, -1))) % 10
            why = f"fails the IMO check digit (it should end in {should})"
        else:
            why = "is not 7 digits"
        out.append(
            Anomaly(
                mmsi=m,
                kind=INVALID_IMO,
                time=int(cols.t[i]),
                lon=float(cols.lon[i]),
                lat=float(cols.lat[i]),
                vessel_name=names.get(m),
                before=imo,
                evidence=f"IMO number {imo} {why}: it cannot be a real ship's IMO number.",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------- all


def find_anomalies(
    cols: AisColumns,
    flags: Optional[Mapping[int, str]] = None,
    criteria: AnomalyCriteria = AnomalyCriteria(),
    table: Optional[Dict[int, MidEntry]] = None,
    progress=None,
    is_canceled=None,
    cleaned: Optional[CleanResult] = None,
) -> AnomalyResult:
    """Every kind of anomaly (see the module docstring), ordered by MMSI, then time, then kind.

    ``cleaned``: the read ``cols`` came from; the reports it dropped as evidence (invalid MMSIs, conflicting
    duplicates) become anomalies too."""
    cols = grouped_by_vessel(cols)
    names = vessel_names(cols)
    jumps, per_mmsi = find_jumps(cols, criteria, names)
    steps = (
        lambda: mmsi_anomalies(cols, flags, table, names),
        lambda: identity_changes(cols, criteria, names),
        lambda: imo_anomalies(cols, names),
        lambda: conflict_anomalies(cleaned, names) + set_aside_anomalies(cleaned),
    )
    out = list(jumps)
    for k, step in enumerate(steps):
        _check(is_canceled)
        if progress:
            progress((k + 1) / (len(steps) + 1))
        out.extend(step())
    out.sort(key=lambda a: (a.mmsi, a.time if a.time is not None else -1, KINDS.index(a.kind)))
    if progress:
        progress(1.0)
    return AnomalyResult(anomalies=out, jumps_per_mmsi=per_mmsi)
