"""How suspicious a dark gap is, and why, in words an analyst can put in a report.

A gap's suspicion rises (one point each, two for the first) when:

- a **port of interest** (a user-editable list; by default the North Korean ports named in sanctions reporting:
  Nampo, Chongjin, Songnim, Rajin, Wonsan and Haeju) is a candidate visit of the gap: 2 points;
- the vessel's **draught rose** across the gap by at least ``DRAUGHT_RISE_M`` (it loaded cargo while dark): 1 point;
- the **declared destination changed** across the gap: 1 point.

The level is "none" (0), "low" (1), "medium" (2) or "high" (3 or more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence

from .gaps import Gap
from .port_visits import ALIASES

DEFAULT_INTEREST_PORTS = ("Nampo", "Chongjin", "Songnim", "Rajin", "Wonsan", "Haeju")
DRAUGHT_RISE_M = 0.5
LEVELS = ("none", "low", "medium", "high")


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


@dataclass
class Suspicion:
    gap_id: str
    score: int
    reasons: List[str] = field(default_factory=list)

    @property
    def level(self) -> str:
        return LEVELS[min(self.score, len(LEVELS) - 1)]

    @property
    def why(self) -> str:
        """One line: the level, then the reasons."""
        if not self.reasons:
            return "No sign of suspicion: no port of interest within reach, draught and destination unchanged."
        return f"Suspicion {self.level}: " + "; ".join(self.reasons) + "."


def _dwell_text(visit) -> str:
    sea = getattr(visit, "max_dwell_hours_sea", None)
    hours = sea if sea is not None else visit.max_dwell_hours
    return f"{visit.port_name} (up to {hours:.0f} h{' by sea' if sea is not None else ''})"


def _norm_destination(text: Optional[str]) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().upper())


def assess_gap(gap: Gap, visits: Sequence, interest: InterestPorts) -> Suspicion:
    """The suspicion of ``gap`` given its candidate visits (any objects with port_name, locode, max_dwell_hours)."""
    score, reasons = 0, []
    ports = [v for v in visits if v.gap_id == gap.gap_id and (v.port_name, v.locode) in interest]
    if ports:
        score += 2
        names = ", ".join(_dwell_text(v) for v in ports[:3]) + (f" and {len(ports) - 3} more" if len(ports) > 3 else "")
        reasons.append(f"could have called at {'a port' if len(ports) == 1 else 'ports'} of interest: {names}")
    before, after = gap.draught_before, gap.draught_after
    if before is not None and after is not None and after - before >= DRAUGHT_RISE_M:
        score += 1
        reasons.append(f"draught rose from {before:.1f} m to {after:.1f} m (loaded while dark)")
    d0, d1 = _norm_destination(gap.destination_before), _norm_destination(gap.destination_after)
    if d0 and d1 and d0 != d1:
        score += 1
        reasons.append(f"declared destination changed from {d0} to {d1}")
    return Suspicion(gap.gap_id, score, reasons)
