"""Who sails in the SYNTHETIC scenario: identities and the ordinary background fleet's itineraries.

Around the BAI MEI 8 (see :mod:`.scenario`), a little over 200 ordinary vessels (bulk carriers, container ships,
tankers, ferries, fishing vessels, tugs, a few Class B craft) trade between the ports of the Bohai, the Yellow Sea,
the Korea Strait and the Sea of Japan, with their own ordinary reception gaps: short ones, a few longer than six
hours, fishing vessels that fall silent on the fishing grounds, ships that leave the area through its southern or
eastern edge and come back days later. None of them calls at a North Korean port. The fleet's make-up, flags, names,
ferry lines and fishing fleets are the tables in ``resources/demo/``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from ..core.geodesy import haversine_nm
from .reception import random_outages, stays_off
from .routing import FISHING, MOORED, UNDERWAY, SeaGraph, Track, port_name, sail_between, voyage_text
from .tables import grouped, integers, number, read_table, words
from .world import DAY, FISHING_GROUNDS, GATES, HOUR, PORT_TRAFFIC, SCENARIO_END, SCENARIO_START, WAYPOINTS

# country, MIDs, weight, call sign prefixes
FLAGS: Tuple[Tuple[str, Tuple[int, ...], int, Tuple[str, ...]], ...] = tuple(
    read_table("flags.csv", (("country", str), ("mids", integers), ("weight", number), ("callsign_prefixes", words)))
)
_NAME_WORDS = {
    country: grouped(rows)
    for country, rows in grouped(read_table("ship_names.csv", (("country", str), ("part", str), ("word", str)))).items()
}
# country -> (first words, second words) of ship names; "XX" for any other country
_SYLLABLES: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    country: (tuple(w for (w,) in parts["first"]), tuple(w for (w,) in parts["second"]))
    for country, parts in _NAME_WORDS.items()
    if "first" in parts
}
_FISHING_PREFIX: Dict[str, Tuple[str, ...]] = {
    country: tuple(w for (w,) in parts["fishing"]) for country, parts in _NAME_WORDS.items() if "fishing" in parts
}
# Background traders and small craft: role -> how many
FLEET: Dict[str, int] = dict(read_table("fleet.csv", (("role", str), ("count", int))))
# Ferry lines: (ports in rotation, speed kn, hours between departures from a port, ship type, vessels on the line)
FERRY_LINES = tuple(
    read_table(
        "ferry_lines.csv",
        (("ports", words), ("speed_kn", float), ("every_h", number), ("ship_type", str), ("vessels", int)),
    )
)
# Home ports and grounds of the fishing fleets, and how many vessels each has
FISHING_FLEETS = tuple(
    read_table("fishing_fleets.csv", (("country", str), ("home_ports", words), ("grounds", words), ("vessels", int)))
)
_HARBOUR_CRAFT = grouped(read_table("harbour_craft.csv", (("kind", str), ("locode", str))))
SMALL_CRAFT_PORTS: Tuple[str, ...] = tuple(p for (p,) in _HARBOUR_CRAFT["small"])
TUG_PORTS: Tuple[str, ...] = tuple(p for (p,) in _HARBOUR_CRAFT["tug"])

# --------------------------------------------------------------------------------------------------------------
# Identities
# --------------------------------------------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def imo_is_valid(imo: str) -> bool:
    """The IMO check digit rule: the digits weighted 7..2 sum to a number whose last digit is the 7th digit."""
    if len(imo) != 7 or not imo.isdigit():
        return False
    return sum(int(c) * w for c, w in zip(imo[:6], range(7, 1, -1))) % 10 == int(imo[6])


def _random_imo(rng) -> str:
    body = str(int(rng.integers(910000, 980000)))
    check = sum(int(c) * w for c, w in zip(body, range(7, 1, -1))) % 10
    return body + str(check)


@dataclass
class Vessel:
    mmsi: int
    mobile: str  # "Class A" / "Class B"
    static: str  # IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device
    name: str
    country: str
    role: str
    track: Optional[Track] = None
    outages: List[Tuple[float, float]] = field(default_factory=list)


class IdentityFactory:
    """Unique MMSIs and names, realistic looking call signs, IMO numbers with valid check digits."""

    def __init__(self, rng, taken_mmsis: Iterable[int] = (), taken_names: Iterable[str] = ()):
        self.rng = rng
        self.mmsis = set(taken_mmsis)
        self.names = set(taken_names)

    def flag(self, countries: Optional[Sequence[str]] = None) -> Tuple[str, Tuple[int, ...], Tuple[str, ...]]:
        rows = [f for f in FLAGS if countries is None or f[0] in countries]
        w = np.array([f[2] for f in rows], dtype=float)
        f = rows[int(self.rng.choice(len(rows), p=w / w.sum()))]
        return f[0], f[1], f[3]

    def mmsi(self, mids: Sequence[int]) -> int:
        while True:
            m = int(mids[int(self.rng.integers(len(mids)))]) * 1_000_000 + int(self.rng.integers(100_000, 999_999))
            if m not in self.mmsis:
                self.mmsis.add(m)
                return m

    def callsign(self, prefixes: Sequence[str]) -> str:
        p = prefixes[int(self.rng.integers(len(prefixes)))]
        body = "".join(_LETTERS[int(i)] for i in self.rng.integers(0, 26, 5 - len(p)))
        return p + body + str(int(self.rng.integers(0, 10)))

    def _unique(self, make) -> str:
        for _ in range(1000):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("could not make a unique vessel name")

    def ship_name(self, country: str) -> str:
        first, second = _SYLLABLES.get(country, _SYLLABLES["XX"])
        rng = self.rng

        def make():
            a, b = first[int(rng.integers(len(first)))], second[int(rng.integers(len(second)))]
            if country == "CN":
                return f"{a} {b} {int(rng.integers(1, 99))}"
            if country == "JP":
                return f"{a}{b} MARU" + (f" NO.{int(rng.integers(2, 12))}" if rng.random() < 0.3 else "")
            if country == "RU":
                return f"{a} {b}".strip()
            suffix = f" {int(rng.integers(1, 9))}" if rng.random() < 0.4 else ""
            return f"{a} {b}{suffix}"

        return self._unique(make)

    def fishing_name(self, country: str) -> str:
        prefixes = _FISHING_PREFIX.get(country, _FISHING_PREFIX["CN"])
        rng = self.rng

        def make():
            p = prefixes[int(rng.integers(len(prefixes)))]
            if country == "CN":
                return f"{p} {int(rng.integers(1000, 9999))}"
            if country == "KR":
                return f"NO.{int(rng.integers(1, 199))} {p}"
            if country == "JP":
                return f"{p} MARU NO.{int(rng.integers(1, 88))}"
            return f"{p}-{int(rng.integers(1, 60))}"

        return self._unique(make)

    def vessel(
        self,
        role: str,
        mobile: str,
        ship_type: str,
        cargo_type: str,
        size: Tuple[int, int],
        countries: Optional[Sequence[str]] = None,
        with_imo: bool = True,
    ) -> Vessel:
        country, mids, prefixes = self.flag(countries)
        mmsi = self.mmsi(mids)
        name = self.fishing_name(country) if ship_type == "Fishing" else self.ship_name(country)
        imo = _random_imo(self.rng) if with_imo else "Unknown"
        callsign = self.callsign(prefixes) if (mobile == "Class A" or self.rng.random() < 0.5) else ""
        fix = "GPS" if self.rng.random() < 0.85 else "Undefined"
        width, length = size
        static = f"{imo},{callsign},{name},{ship_type},{cargo_type},{width},{length},{fix}"
        return Vessel(mmsi, mobile, static, name, country, role)


# --------------------------------------------------------------------------------------------------------------
# Background itineraries
# --------------------------------------------------------------------------------------------------------------


def _traffic_ports(graph: SeaGraph) -> List[str]:
    return [p for p in PORT_TRAFFIC if p in graph.ports]


def _choose_port(rng, graph: SeaGraph, here: str, ports: Sequence[str], country: Optional[str]) -> str:
    """Next port: busier ports and moderate distances are likelier; domestic traders stay in their country."""
    cands = [p for p in ports if p != here and (country is None or graph.ports[p][1] == country)]
    if not cands:
        cands = [p for p in ports if p != here]
    w = np.array([PORT_TRAFFIC[p] * math.exp(-graph.route_nm(here, p) / 900.0) for p in cands])
    return cands[int(rng.choice(len(cands), p=w / w.sum()))]


def trader(graph: SeaGraph, rng, ids: IdentityFactory, kind: str) -> Vessel:
    """A bulk carrier, container ship, general cargo ship or tanker trading between ports."""
    if kind == "tanker":
        cargo = ("Category X", "Category Y", "Category Z", "Category OS", "")[int(rng.integers(5))]
        v = ids.vessel("tanker", "Class A", "Tanker", cargo, (int(rng.integers(16, 44)), int(rng.integers(99, 250))))
        speed, ballast, laden = rng.uniform(10.5, 13.5), rng.uniform(5.5, 7.5), rng.uniform(8.5, 13.5)
    elif kind == "container":
        v = ids.vessel(
            "container",
            "Class A",
            "Cargo",
            "No additional information",
            (int(rng.integers(23, 40)), int(rng.integers(140, 300))),
        )
        speed, ballast, laden = rng.uniform(14.0, 18.0), rng.uniform(8.0, 10.0), rng.uniform(10.0, 13.0)
    elif kind == "general":
        v = ids.vessel(
            "general",
            "Class A",
            "Cargo",
            ("No additional information", "")[int(rng.integers(2))],
            (int(rng.integers(12, 20)), int(rng.integers(80, 135))),
            countries=("CN", "KR", "JP", "RU"),
        )
        speed, ballast, laden = rng.uniform(9.0, 12.0), rng.uniform(3.0, 4.5), rng.uniform(5.5, 7.5)
    else:
        v = ids.vessel(
            "bulk",
            "Class A",
            "Cargo",
            "No additional information",
            (int(rng.integers(23, 33)), int(rng.integers(150, 230))),
        )
        speed, ballast, laden = rng.uniform(10.0, 13.0), rng.uniform(5.5, 7.5), rng.uniform(10.0, 13.8)
    ports = _traffic_ports(graph)
    domestic = v.country if (v.country in ("CN", "KR", "JP") and rng.random() < 0.5) else None
    w = np.array([PORT_TRAFFIC[p] for p in ports], dtype=float)
    here = ports[int(rng.choice(len(ports), p=w / w.sum()))]
    is_laden = rng.random() < 0.5

    def voyage(dest: str, eta: float) -> str:
        return voyage_text(laden if is_laden else ballast, dest, eta)

    start = SCENARIO_START
    if rng.random() < 0.45:  # comes into the area some time after the start
        start = SCENARIO_START + rng.uniform(0.5, 20.0) * DAY
    leaves = SCENARIO_END + DAY if rng.random() < 0.7 else rng.uniform(start + 5 * DAY, SCENARIO_END)
    blat, blon = graph.berth(here, rng)
    tr = Track(start, blat, blon, voyage(port_name(graph, here), start - rng.uniform(2, 30) * HOUR))
    tr.stay(start + rng.uniform(2.0, 36.0) * HOUR, MOORED, heading=rng.uniform(0, 360))
    while tr.now < SCENARIO_END:
        if domestic is None and (rng.random() < 0.15 or tr.now > leaves):
            # out of the area through a gate, back days later through another one
            gate = min(GATES, key=lambda g: graph.route_nm(here, g))
            dests = GATES[gate]
            tr.set_voyage(voyage(dests[int(rng.integers(len(dests)))], tr.now + rng.uniform(3, 9) * DAY))
            sail_between(tr, graph, rng, here, gate, speed)
            back = list(GATES)[int(rng.integers(len(GATES)))]
            is_laden = not is_laden
            if tr.now > leaves:  # gone for good
                tr.jump(SCENARIO_END + DAY, *WAYPOINTS[back])
                break
            tr.jump(tr.now + rng.uniform(4.0, 12.0) * DAY, *WAYPOINTS[back])
            here = _choose_nearest(rng, graph, back, ports)
            tr.set_voyage(voyage(port_name(graph, here), tr.now + graph.route_nm(back, here) / speed * HOUR))
            sail_between(tr, graph, rng, back, here, speed, anchor_hours=_anchor_wait(rng))
        else:
            nxt = _choose_port(rng, graph, here, ports, domestic)
            tr.set_voyage(
                voyage(port_name(graph, nxt), tr.now + graph.route_nm(here, nxt) / speed * HOUR + 2 * HOUR),
                t=tr.now - rng.uniform(0.5, 6.0) * HOUR,
            )
            sail_between(tr, graph, rng, here, nxt, speed, anchor_hours=_anchor_wait(rng))
            here = nxt
        stay = rng.uniform(10.0, 40.0) * HOUR
        tr.stay(tr.now + stay / 2, MOORED, heading=rng.uniform(0, 360))
        is_laden = (not is_laden) if rng.random() < 0.8 else is_laden  # cargo worked: draught changes alongside
        tr.set_voyage(voyage(port_name(graph, here), tr.now))
        tr.stay(tr.now + stay / 2, MOORED)
    v.track = tr
    v.outages = random_outages(rng, start, SCENARIO_END, 0.08, 1.2, 0.10, (6.5, 14.0))
    return v


def _anchor_wait(rng) -> float:
    return float(rng.uniform(2.0, 30.0)) if rng.random() < 0.35 else 0.0


def _choose_nearest(rng, graph: SeaGraph, node: str, ports: Sequence[str]) -> str:
    """A port among the five nearest to a sea node (ships coming back into the area)."""
    near = sorted(ports, key=lambda p: (graph.route_nm(node, p), p))[:5]
    return near[int(rng.integers(len(near)))]


def ferry(graph: SeaGraph, rng, ids: IdentityFactory, line, index: int) -> Vessel:
    """A ferry running a timetable: departures at fixed hours from each port of its rotation."""
    ports, speed, every_h, ship_type, _count = line
    country = graph.ports[ports[0]][1]
    v = ids.vessel(
        "ferry",
        "Class A",
        ship_type,
        "No additional information",
        (int(rng.integers(20, 30)), int(rng.integers(120, 200))) if ship_type == "Passenger" else (9, 35),
        countries=(country,),
    )
    offsets = {p: rng.uniform(0.0, every_h) * HOUR for p in ports}
    draught = round(float(rng.uniform(4.5, 6.8)), 1) if ship_type == "Passenger" else 1.6
    i = index % len(ports)
    blat, blon = graph.berth(ports[i], rng)
    tr = Track(SCENARIO_START, blat, blon, voyage_text(draught, port_name(graph, ports[i]), SCENARIO_START))
    heading = rng.uniform(0, 360)
    while tr.now < SCENARIO_END:
        here, nxt = ports[i], ports[(i + 1) % len(ports)]
        # next timetable slot at least two hours after arrival
        period = every_h * HOUR
        k = math.ceil((tr.now + 2 * HOUR - SCENARIO_START - offsets[here]) / period)
        depart = SCENARIO_START + offsets[here] + k * period
        tr.stay(depart - 1 * HOUR, MOORED, heading=heading)
        eta = depart + graph.route_nm(here, nxt) / speed * HOUR
        tr.set_voyage(voyage_text(draught, port_name(graph, nxt), eta))
        tr.stay(depart, MOORED)
        sail_between(tr, graph, rng, here, nxt, speed)
        i = (i + 1) % len(ports)
    v.track = tr
    v.outages = random_outages(rng, SCENARIO_START, SCENARIO_END, 0.03, 0.8, 0.0, (0, 0))
    return v


def fisher(graph: SeaGraph, rng, ids: IdentityFactory, fleet, class_b: bool) -> Vessel:
    """A fishing vessel: trips from its home port to a fishing ground, fishing there for days, often silent."""
    country, homes, grounds, _count = fleet
    size = (
        (int(rng.integers(5, 9)), int(rng.integers(20, 40)))
        if class_b
        else (int(rng.integers(7, 12)), int(rng.integers(30, 75)))
    )
    mobile, cargo = ("Class B", "") if class_b else ("Class A", "No additional information")
    with_imo = not class_b and rng.random() < 0.3
    v = ids.vessel("fishing", mobile, "Fishing", cargo, size, countries=(country,), with_imo=with_imo)
    home = homes[int(rng.integers(len(homes)))]
    near = sorted(grounds, key=lambda g: (graph.route_nm(home, g), g))[:2]
    draught = None if class_b else round(float(rng.uniform(2.5, 5.0)), 1)
    blat, blon = graph.berth(home, rng)
    tr = Track(SCENARIO_START, blat, blon, voyage_text(draught, "", None))
    tr.stay(SCENARIO_START + rng.uniform(0.0, 3.0) * DAY, MOORED, heading=rng.uniform(0, 360))
    while tr.now < SCENARIO_END:
        ground = near[int(rng.integers(len(near)))]
        glat, glon, radius, _links = FISHING_GROUNDS[ground]
        dest = "" if class_b or rng.random() < 0.5 else "FISHING GROUND"
        tr.set_voyage(voyage_text(draught, dest, None))
        sail_between(tr, graph, rng, home, ground, rng.uniform(7.5, 10.5))
        tr.wander(rng, glat, glon, radius, tr.now + rng.uniform(2.0, 7.0) * DAY, (2.0, 5.5), FISHING)
        tr.set_voyage(voyage_text(draught, "" if class_b else port_name(graph, home), None))
        sail_between(tr, graph, rng, ground, home, rng.uniform(7.5, 10.5))
        tr.stay(tr.now + rng.uniform(0.5, 2.0) * DAY, MOORED, heading=rng.uniform(0, 360))
    v.track = tr
    v.outages = random_outages(rng, SCENARIO_START, SCENARIO_END, 0.10, 2.0, 0.35, (8.0, 30.0))
    v.outages += stays_off(tr, MOORED, 0.8 if class_b else 0.4, rng)  # often switched off in harbour
    return v


def small_craft(graph: SeaGraph, rng, ids: IdentityFactory, home: str) -> Vessel:
    """A Class B pleasure or sailing craft making day trips out of its port and back."""
    ship_type = "Pleasure" if rng.random() < 0.7 else "Sailing"
    v = ids.vessel(
        "small",
        "Class B",
        ship_type,
        "",
        (int(rng.integers(3, 6)), int(rng.integers(8, 20))),
        countries=(graph.ports[home][1],),
        with_imo=False,
    )
    chain = np.array(graph.chains[home])
    blat, blon = graph.berth(home, rng)
    tr = Track(SCENARIO_START, blat, blon)
    lon_local = graph.ports[home][3]
    day = SCENARIO_START
    while day < SCENARIO_END:
        if rng.random() < 0.45:  # out today, leaving mid-morning local time
            leave = day + ((9.5 - lon_local / 15.0) % 24 + rng.uniform(-1.5, 2.0)) * HOUR
            tr.stay(leave, MOORED)
            # out along the approach chain for 3-12 nm and back
            f = rng.uniform(0.3, 0.9)
            legs = haversine_nm(chain[:-1, 1], chain[:-1, 0], chain[1:, 1], chain[1:, 0])
            target = min(float(rng.uniform(3.0, 12.0)), f * float(legs.sum()))
            cum = np.concatenate(([0.0], np.cumsum(legs)))
            leg = int(np.searchsorted(cum, target, side="right") - 1)
            g = (target - cum[leg]) / legs[leg]
            plat = chain[leg, 0] + g * (chain[leg + 1, 0] - chain[leg, 0])
            plon = chain[leg, 1] + g * (chain[leg + 1, 1] - chain[leg, 1])
            speed = rng.uniform(4.0, 7.0) if ship_type == "Sailing" else rng.uniform(8.0, 18.0)
            out_lat, out_lon = np.r_[chain[1 : leg + 1, 0], plat], np.r_[chain[1 : leg + 1, 1], plon]
            tr.sail(out_lat, out_lon, speed)
            tr.stay(tr.now + rng.uniform(0.5, 3.0) * HOUR, UNDERWAY)  # drifting, fishing, swimming
            back_lat = np.r_[out_lat[-2::-1], blat]
            back_lon = np.r_[out_lon[-2::-1], blon]
            tr.sail(back_lat, back_lon, speed)
        day += DAY
        tr.stay(day, MOORED)
    v.track = tr
    v.outages = stays_off(tr, MOORED, 0.85, rng)
    return v


def tug(graph: SeaGraph, rng, ids: IdentityFactory, home: str) -> Vessel:
    """A harbour tug: short jobs out to the anchorage and back, several a day."""
    v = ids.vessel(
        "tug",
        "Class A",
        "Tug",
        "No additional information",
        (10, int(rng.integers(28, 36))),
        countries=(graph.ports[home][1],),
    )
    blat, blon = graph.berth(home, rng)
    tr = Track(SCENARIO_START, blat, blon, voyage_text(4.5, port_name(graph, home), None))
    while tr.now < SCENARIO_END:
        tr.stay(tr.now + rng.uniform(4.0, 20.0) * HOUR, MOORED, heading=rng.uniform(0, 360))
        _leg, alat, alon = graph.anchorage(home, rng)
        tr.sail([alat], [alon], rng.uniform(8.0, 11.0))
        tr.stay(tr.now + rng.uniform(0.3, 1.5) * HOUR, UNDERWAY)  # assisting at low speed
        tr.sail([blat], [blon], rng.uniform(6.0, 10.0))
    v.track = tr
    v.outages = random_outages(rng, SCENARIO_START, SCENARIO_END, 0.05, 1.0, 0.0, (0, 0))
    return v
