"""Every dark gap scored: points for each reason it is (or is not) suspicious, in words an analyst can paste in a
report, a level and a rank (1 = most suspicious). The dock, ``baimei:scoregaps`` and ``baimei:gapreachability`` all
score through :func:`score_gaps`, so one gap gets one answer wherever it is asked about.

Reasons and their default points (:class:`Weights`, editable and saved with the results as JSON):

=====================  ======  ===============================  ===============================================
reason (code)          points  threshold (Weights field)        why it matters
=====================  ======  ===============================  ===============================================
watchlist              +5      IMO or MMSI exact; name and      a vessel named on a sanctions list (OFAC SDN...)
                               former names normalised          matched by the gap's MMSI and name and, with
                                                                reports, every IMO and name it reported
interest_port          +3      min_dwell_hours 0 (any positive  a port of interest (default: the North Korean
                               stay, as the candidate ports)    ports of sanctions reporting) within reach *by
                                                                sea* in the time; without land, by great circle
draught_rose           +2      draught_change_m 0.5 m           loaded while dark
draught_fell           +1      draught_change_m 0.5 m           unloaded while dark
destination_changed    +1      texts differ, not the same port  the declared voyage changed while unseen
next_port_differs      +2      declaration names a known port   the next port seen (a port visit in the reports)
                                                                is not the destination declared before the gap
offshore               +2      offshore_nm 50 nm (GFW)          both ends far from shore: no coverage gap near a
                                                                coast explains it (Global Fishing Watch)
port_call              -7      port_radius_nm 5.4 nm (10 km, or  both ends at one port, at most berth_speed_kn
                               the port's outline);              1 kn before and after: a ship silent at a berth
                               berth_speed_kn 1 kn               or anchorage. It cancels what a call explains (a
                                                                port within reach 3, loading 2, a new destination
                                                                1) and one more, so a port call never outranks a
                                                                dark voyage that returns loaded
common_place           -4      common_place_nm 20 nm;           at least that many other vessels' gaps began or
                               common_place_vessels 3 at BOTH   ended near where this one began AND near where it
                               ends                             ended: a reception hole or the edge of the data
                                                                (ships leaving the area and coming back), which
                                                                explains offshore and good reception and one more
good_reception         +1      reception_positions 14 in 12 h   the vessel was well received before: the silence
                               (GFW)                            looks deliberate
identity               +2      identity_days 7 d for changes    unallocated MID, invalid MMSI or IMO, shared
                                                                MMSI, name / IMO / call sign changed near the gap
rendezvous             +2      rendezvous_hours 1 h overlap     another ship stopped (not in a port) inside the
                                                                gap's reachable sea while the vessel was dark
repeated               +1      repeated_nm 20 nm                its other dark gaps (not port calls) began or
                                                                ended near this one's ends: a pattern
=====================  ======  ===============================  ===============================================

Levels: "none" below low_from (1 point), "low" from 1, "medium" from medium_from (4), "high" from high_from (7):
high is kept for gaps with several independent signs (a port of interest within reach and loaded while dark and
more).
Ranks: points descending, then the longer gap, then gap id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence

import numpy as np

from .ais.model import AisColumns
from .anomalies import find_anomalies
from .errors import BaiMeiError, Canceled
from .gap_reasons import (
    IDENTITY_KINDS,
    GapArrays,
    NextPorts,
    StopArrays,
    common_place_counts,
    destination_change,
    identity_texts,
    mmsi_identity,
    next_port_differs,
    port_calls,
    rendezvous,
    repeated_counts,
    reported_ids,
    where,
)
from .gaps import Gap, gap_end_columns
from .interest_reach import InterestReach, PortReach, reach_from_visits
from .port_visits import ALIASES, detect_port_visits, grouped_by_vessel
from .ports import Port
from .score_weights import REASON_CODES, Reason, Weights

__all__ = [
    "DEFAULT_INTEREST_PORTS",
    "LEVELS",
    "REASON_CODES",
    "GapScore",
    "InterestPorts",
    "Reason",
    "ScoreResult",
    "Weights",
    "assess_gap",
    "parse_port_list",
    "rank_scores",
    "score_gaps",
]

DEFAULT_INTEREST_PORTS = ("Nampo", "Chongjin", "Songnim", "Rajin", "Wonsan", "Haeju")
LEVELS = ("none", "low", "medium", "high")
CHUNK = 500  # gaps scored between two progress reports, cancel checks and on_scores calls


def parse_port_list(text: Optional[str]) -> List[str]:
    """Names or UN/LOCODEs separated by commas, semicolons or new lines; blanks dropped; order kept."""
    if text is None:
        return list(DEFAULT_INTEREST_PORTS)
    names = [part.strip() for part in re.split(r"[,;\n]", str(text))]
    seen, out = set(), []
    for name in names:
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def _key(text: Optional[str]) -> str:
    return re.sub(r"[^0-9a-z]", "", (text or "").casefold())


class InterestPorts:
    """Matches a port by name, UN/LOCODE or a known other spelling (``port_visits.ALIASES``), ignoring case, spaces
    and punctuation: "NAMPO", "Nam-po", "Nampho" and "KPNAM" are all Nampo; "Rajin" is the gazetteer's Rason."""

    def __init__(self, names: Iterable[str]):
        self.names = [n for n in names if _key(n)]
        self._keys = {_key(n) for n in self.names}

    def __contains__(self, port) -> bool:
        name, locode = (
            port
            if isinstance(port, tuple)
            else (getattr(port, "port_name", None) or getattr(port, "name", None), getattr(port, "locode", None))
        )
        if _key(name) in self._keys or (bool(_key(locode)) and _key(locode) in self._keys):
            return True
        return any(_key(alias) in self._keys for alias in ALIASES.get((locode or "").upper(), ()))


def _pts(points: float) -> str:
    return f"{points:+g}"


@dataclass
class GapScore:
    """The score of one gap: its points, level, rank (1 = most suspicious; 0 = not ranked yet) and reasons."""

    gap_id: str
    mmsi: int
    points: float
    level: str
    rank: int = 0
    reasons: List[Reason] = field(default_factory=list)
    gap_hours: float = 0.0  # ranks break ties by the longer gap
    vessel_name: Optional[str] = None

    @property
    def score(self) -> float:
        """The points (the name callers of the first suspicion used)."""
        return self.points

    @property
    def why(self) -> str:
        """One line: the level and points, then each reason with its points."""
        if not self.reasons:
            return "No sign of suspicion: no port of interest within reach and nothing unusual about the gap."
        unit = "pt" if abs(self.points) == 1 else "pts"
        listed = "; ".join(f"{r.text} {_pts(r.points)}" for r in self.reasons)
        return f"Suspicion {self.level} ({self.points:g} {unit}): {listed}."

    @property
    def tooltip(self) -> str:
        """One reason per line with its points, after the level."""
        if not self.reasons:
            return self.why
        head = f"Suspicion {self.level}: {self.points:g} points" + (f", rank {self.rank}" if self.rank else "")
        return "\n".join([head] + [f"{_pts(r.points)}  {r.text}" for r in self.reasons])


Suspicion = GapScore  # the first suspicion's name, kept for callers that import it


@dataclass
class ScoreResult:
    """The scores in the gaps' order, ranked; what the user should know; the weights that made them."""

    scores: List[GapScore]
    notes: List[str]
    weights: Weights


def rank_scores(scores: List[GapScore]) -> None:
    """Fills ``rank`` in place: most points first, then the longer gap, then the gap id."""
    order = sorted(range(len(scores)), key=lambda k: (-scores[k].points, -scores[k].gap_hours, scores[k].gap_id))
    for rank, k in enumerate(order, start=1):
        scores[k].rank = rank


def _listed(items: List[str], limit: int = 3) -> str:
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")


def _reach_text(found: List[PortReach]) -> str:
    parts = [
        f"{r.name} (up to {r.dwell_hours:.0f} h {'by sea' if r.by_sea else 'by great circle, may cross land'})"
        for r in found
    ]
    return "could have called at " + (parts[0] if len(parts) == 1 else "ports of interest: " + _listed(parts))


def score_gaps(
    gaps: Sequence[Gap],
    reports: Optional[AisColumns] = None,
    ports: Sequence[Port] = (),
    interest: Optional[InterestPorts] = None,
    land_index=None,
    land_polygons=None,
    watchlists: Sequence = (),
    weights: Optional[Weights] = None,
    max_speed_kn: Optional[float] = None,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
    on_scores: Optional[Callable[[List[GapScore]], None]] = None,
    visits: Optional[Sequence] = None,
    areas: Optional[Dict[str, object]] = None,
    chunk: int = CHUNK,
) -> ScoreResult:
    """Score every gap (see the module docstring), in chunks: progress, cancel and ``on_scores`` after each one.

    ``reports`` (cleaned AIS columns) give the default speeds, port visits and stops (next port, rendezvous),
    identity anomalies and the IMO numbers and names matched against ``watchlists``; without them the speeds come
    from the SOG either side of each gap. ``land_index`` gives distances from shore where a gap has none;
    ``land_polygons`` (a :class:`.reachability.LandPolygons` or polygons) the routes by sea. ``visits`` (candidate
    visits already found, e.g. by :func:`.assess_gap.assess_gaps`) replace the computation of the ports of interest
    within reach; ``areas`` (gap id -> reachable sea geometry) replace the great-circle ellipse for rendezvous.
    """
    scorer = _Scorer(gaps, reports, ports, interest, land_index, land_polygons, watchlists, weights, max_speed_kn)
    scorer.prepare(visits, areas, progress, is_canceled)
    scores: List[GapScore] = []
    n = len(gaps)
    for start in range(0, n, max(1, int(chunk))):
        if is_canceled and is_canceled():
            raise Canceled()
        part = scorer.score_rows(np.arange(start, min(n, start + max(1, int(chunk)))))
        scores.extend(part)
        if on_scores:
            on_scores(part)
        if progress:
            progress(0.4 + 0.6 * len(scores) / n)
    rank_scores(scores)
    return ScoreResult(scores, scorer.notes + scorer.reach_notes(), scorer.w)


class _Scorer:
    """What is computed once for all gaps (speeds, port calls, shore distances, what the reports say), then the
    scores of a chunk of gaps at a time."""

    def __init__(self, gaps, reports, ports, interest, land_index, land_polygons, watchlists, weights, max_speed_kn):
        self.gaps, self.reports, self.ports = list(gaps), reports, list(ports)
        self.interest = interest if interest is not None else InterestPorts(DEFAULT_INTEREST_PORTS)
        self.land_index, self.land, self.watchlists = land_index, land_polygons, list(watchlists or ())
        self.w = weights if weights is not None else Weights()
        self.w.check()
        self.max_speed_kn = max_speed_kn
        self.notes: List[str] = []
        self.a = GapArrays.of(self.gaps)

    def prepare(self, visits, areas, progress, is_canceled) -> None:
        steps = (
            self._speeds,
            lambda: self._interest(visits),
            self._places,
            self._reports,
            self._watchlists,
        )
        for k, step in enumerate(steps):
            if is_canceled and is_canceled():
                raise Canceled()
            step()
            if progress:
                progress(0.4 * (k + 1) / len(steps))
        by_id = {g.gap_id: k for k, g in enumerate(self.gaps)}
        self.areas = {by_id[i]: geom for i, geom in (areas or {}).items() if i in by_id}

    def _speeds(self) -> None:
        from .reachability import MIN_DEFAULT_SPEED_KN, default_max_speeds

        if self.max_speed_kn is not None:
            if not self.max_speed_kn > 0:
                raise BaiMeiError(f"The maximum speed must be positive (got {self.max_speed_kn} kn).")
            self.speeds = np.full(len(self.gaps), float(self.max_speed_kn))
            return
        cols = self.reports if self.reports is not None and len(self.reports) else gap_end_columns(self.gaps)
        known = default_max_speeds(cols) if len(cols) else {}
        self.speeds = np.array([known.get(int(m), MIN_DEFAULT_SPEED_KN) for m in self.a.mmsi.tolist()], dtype=float)

    def _interest(self, visits) -> None:
        from .reachability import NO_LAND_NO_SEA, LandPolygons

        self.reach_of: Dict[str, List[PortReach]] = {}
        self.reach = None
        if visits is not None:
            self.reach_of = reach_from_visits(visits, self.interest.__contains__, self.w.min_dwell_hours)
            return
        chosen = [p for p in self.ports if p in self.interest]
        missing = [name for name in self.interest.names if not any(p in InterestPorts([name]) for p in self.ports)]
        if missing:
            self.notes.append(
                f"Ports of interest not in the ports list (no position, not scored): {', '.join(missing)}."
            )
        if not chosen or not self.gaps:
            return
        land = self.land
        if land is not None and not isinstance(land, LandPolygons):
            land = LandPolygons(land)
        if land is None:
            self.notes.append("Ports of interest: " + NO_LAND_NO_SEA)
        self.reach = InterestReach(self.a, self.speeds, chosen, land, self.w.min_dwell_hours)

    def reach_notes(self) -> List[str]:
        if self.reach is None:
            return []
        notes = list(self.reach.notes)
        dry = self.reach.dry_gaps
        if dry:
            notes.append(
                f"{len(dry):,} gaps have an end off the water of the land layer (e.g. {', '.join(dry[:3])}): "
                "no sea distances, their ports of interest by great-circle dwell only."
            )
        return notes

    def _places(self) -> None:
        w, a = self.w, self.a
        self.calls = port_calls(a, self.ports, w.port_radius_nm, w.berth_speed_kn)
        off = np.array([np.nan if g.off_shore_nm is None else g.off_shore_nm for g in self.gaps], dtype=float)
        on = np.array([np.nan if g.on_shore_nm is None else g.on_shore_nm for g in self.gaps], dtype=float)
        for values, lon, lat in ((off, a.off_lon, a.off_lat), (on, a.on_lon, a.on_lat)):
            unknown = np.flatnonzero(np.isnan(values))
            if len(unknown) and self.land_index is not None:
                values[unknown] = self.land_index.distance_nm(lon[unknown], lat[unknown])
        self.shore = (off, on)
        self.repeated = repeated_counts(a, w.repeated_nm, self.calls >= 0)
        self.common = (
            common_place_counts(a, w.common_place_nm, self.calls >= 0)
            if w.common_place
            else (np.zeros(len(self.gaps), dtype=np.int64),) * 2
        )

    def _reports(self) -> None:
        self.next_ports = NextPorts({}, {})
        self.stops = StopArrays.of([])
        self.identity: Dict[int, list] = {}
        self.ids: Dict[int, tuple] = {}
        cols = self.reports
        if cols is None or len(cols) == 0:
            for m in set(self.a.mmsi.tolist()):
                self.identity[m] = mmsi_identity(m)
            return
        cols = grouped_by_vessel(cols)
        found = detect_port_visits(cols, self.ports)
        self.next_ports = NextPorts.of(found.visits)
        self.stops = StopArrays.of(found.stops)
        if not self.ports:
            self.notes.append("No ports given: every stop of another ship counts for a rendezvous, even in port.")
        for an in find_anomalies(cols).anomalies:
            if an.kind in IDENTITY_KINDS:
                self.identity.setdefault(an.mmsi, []).append(an)
        self.ids = reported_ids(cols)

    def _watchlists(self) -> None:
        self.listed: Dict[int, List[str]] = {}
        if not self.watchlists or not self.w.watchlist:
            return
        matchers = [m for m in self.watchlists if hasattr(m, "match")]
        lists = [m for m in self.watchlists if not hasattr(m, "match")]
        if lists:
            from .watchlists import WatchlistMatcher  # helper module; imported only when lists are given

            matchers.append(WatchlistMatcher(lists))
        names: Dict[int, set] = {}
        for g in self.gaps:
            names.setdefault(g.mmsi, set()).update([g.vessel_name] if g.vessel_name else [])
        for m, known in names.items():
            imos, reported = self.ids.get(m, ([], []))
            all_names = sorted(known | set(reported))
            texts = [match.text for matcher in matchers for match in _matches(matcher, m, imos, all_names)]
            if texts:
                self.listed[m] = list(dict.fromkeys(texts))

    # ------------------------------------------------------------------------------------------------ scoring

    def score_rows(self, rows: np.ndarray) -> List[GapScore]:
        budget = self.speeds * self.a.hours
        met = (
            rendezvous(self.a, rows, budget, self.stops, self.w.rendezvous_hours, self.areas)
            if self.w.rendezvous
            else {}
        )
        return [self._score(int(i), met.get(int(i), [])) for i in rows.tolist()]

    def _score(self, i: int, met: list) -> GapScore:
        gap, w = self.gaps[i], self.w
        reasons: List[Reason] = []

        def add(code: str, text: str) -> None:
            points = getattr(w, code)
            if points:
                reasons.append(Reason(code, float(points), text))

        listed = self.listed.get(gap.mmsi)
        if listed:
            add("watchlist", "; ".join(listed[:3]) + (f" and {len(listed) - 3} more" if len(listed) > 3 else ""))
        found = self.reach.reach(i, gap.gap_id) if self.reach is not None else self.reach_of.get(gap.gap_id, [])
        if found:
            add("interest_port", _reach_text(found))
        self._draught(gap, add)
        changed = destination_change(gap, self.ports)
        if changed:
            add("destination_changed", f"declared destination changed {changed[0]} -> {changed[1]}")
        call = self.ports[self.calls[i]] if self.calls[i] >= 0 else None
        if self.ports:
            differs = next_port_differs(gap, self.next_ports.after(gap.mmsi, gap.on_time), call, self.ports)
            if differs:
                add(
                    "next_port_differs",
                    f"declared {differs[0]} ({differs[1].name}) before the gap, but the next port seen was "
                    f"{differs[2]}",
                )
        self._place(i, gap, call, add)
        if gap.positions_12h_before >= w.reception_positions:
            add(
                "good_reception",
                f"good reception before the gap ({gap.positions_12h_before} positions in 12 h, at least "
                f"{w.reception_positions:g}): the silence looks deliberate",
            )
        self._others(i, gap, met, add)
        reasons.sort(key=lambda r: REASON_CODES.index(r.code))
        points = float(round(sum(r.points for r in reasons), 6))
        return GapScore(gap.gap_id, gap.mmsi, points, w.level(points), 0, reasons, gap.gap_hours, gap.vessel_name)

    def _draught(self, gap, add) -> None:
        before, after = gap.draught_before, gap.draught_after
        if before is None or after is None:
            return
        if after - before >= self.w.draught_change_m:
            add("draught_rose", f"draught rose {before:.1f} -> {after:.1f} m (loaded while dark)")
        elif before - after >= self.w.draught_change_m:
            add("draught_fell", f"draught fell {before:.1f} -> {after:.1f} m (unloaded while dark)")

    def _place(self, i: int, gap, call: Optional[Port], add) -> None:
        if call is not None:
            inside = "inside its outline" if call.area is not None else f"within {self.w.port_radius_nm:.1f} nm of it"
            add(
                "port_call",
                f"a port call at {call.name}: both ends {inside}, {gap.sog_before:.1f} kn before and "
                f"{gap.sog_after:.1f} kn after (at a berth or anchorage; explains ports within reach and loading)",
            )
            return
        shared_off, shared_on = int(self.common[0][i]), int(self.common[1][i])
        if min(shared_off, shared_on) >= self.w.common_place_vessels:
            add(
                "common_place",
                f"{shared_off} other vessels also went dark or came back within {self.w.common_place_nm:g} nm of "
                f"where it went dark, and {shared_on} near where it came back: a place of poor reception or the edge "
                "of the data's area, not this ship's choice",
            )
        off, on = self.shore[0][i], self.shore[1][i]
        if np.isfinite(off) and np.isfinite(on) and min(off, on) >= self.w.offshore_nm:
            add(
                "offshore",
                f"went dark {off:.0f} nm and came back {on:.0f} nm from shore (both at least "
                f"{self.w.offshore_nm:g} nm offshore)",
            )

    def _others(self, i: int, gap, met: list, add) -> None:
        texts = identity_texts(self.identity.get(gap.mmsi, []), gap.off_time, gap.on_time, self.w.identity_days)
        if texts:
            add("identity", "identity anomalies: " + "; ".join(texts[:3]) + (" and more" if len(texts) > 3 else ""))
        if met:
            longest = {}  # one line per other ship: its longest stop in the area
            for stop, hours in met:
                if stop.mmsi not in longest or hours > longest[stop.mmsi][1]:
                    longest[stop.mmsi] = (stop, hours)
            met = sorted(longest.values(), key=lambda m: -m[1])
            named = [
                f"{s.vessel_name or 'MMSI ' + str(s.mmsi)} (MMSI {s.mmsi}) for {hours:.0f} h at {where(s.lon, s.lat)}"
                for s, hours in met
            ]
            met_text = "possible rendezvous: another ship stopped in its reachable sea while it was dark: "
            add("rendezvous", met_text + _listed(named, 2))
        count = int(self.repeated[i])
        if count:
            add(
                "repeated",
                f"{count} other gap{'s' if count > 1 else ''} of this vessel began or ended within "
                f"{self.w.repeated_nm:g} nm of this one's ends",
            )


def _matches(matcher, mmsi: int, imos: List[str], names: List[str]) -> list:
    """A matcher's matches for a vessel: one call with every IMO it reported (``imos=``, the strongest match per
    entry), or one call per IMO for a matcher that takes one IMO at a time (the contract's ``match``)."""
    first = imos[0] if imos else None
    if len(imos) > 1:
        try:
            return matcher.match(mmsi=mmsi, imo=first, names=names, imos=imos[1:])
        except TypeError:
            return [x for imo in imos for x in matcher.match(mmsi=mmsi, imo=imo, names=names)]
    return matcher.match(mmsi=mmsi, imo=first, names=names)


def assess_gap(gap: Gap, visits: Sequence, interest: InterestPorts, weights: Optional[Weights] = None) -> GapScore:
    """The score of one gap from its candidate visits alone (no reports, ports or land): the reasons a gap carries
    itself. :func:`score_gaps` is the full scorer."""
    return score_gaps([gap], interest=interest, weights=weights, visits=visits).scores[0]
