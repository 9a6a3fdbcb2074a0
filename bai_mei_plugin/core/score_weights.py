"""The points and thresholds of gap scoring (:mod:`.suspicion` documents each one in its table), and a reason.

Weights are saved with the results (JSON) so that a score can be explained later with the weights that made it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from typing import List, Tuple

from .errors import BaiMeiError
from .gaps import PRESET_GFW, PRESETS
from .port_visits import StopCriteria

REASON_CODES = (
    "watchlist",
    "interest_port",
    "draught_rose",
    "draught_fell",
    "destination_changed",
    "next_port_differs",
    "offshore",
    "port_call",
    "common_place",
    "good_reception",
    "identity",
    "rendezvous",
    "repeated",
)
_GFW = PRESETS[PRESET_GFW]  # Global Fishing Watch's AIS-disabling criteria: 50 nm offshore, 14 positions in 12 h
_NEGATIVE = ("port_call", "common_place")  # points that lower a score
_LEVEL_FIELDS = ("low_from", "medium_from", "high_from")


@dataclass
class Reason:
    """One reason a gap is (or is not) suspicious: its code (``REASON_CODES``), its points and its words."""

    code: str
    points: float
    text: str


@dataclass
class Weights:
    """Points per reason and the thresholds that decide them (defaults: the table of :mod:`.suspicion`)."""

    # points
    interest_port: float = 3.0
    draught_rose: float = 2.0
    draught_fell: float = 1.0
    destination_changed: float = 1.0
    next_port_differs: float = 2.0
    offshore: float = 2.0
    port_call: float = -7.0
    common_place: float = -4.0
    good_reception: float = 1.0
    identity: float = 2.0
    rendezvous: float = 2.0
    repeated: float = 1.0
    watchlist: float = 5.0
    # thresholds
    min_dwell_hours: float = 0.0
    draught_change_m: float = 0.5
    offshore_nm: float = _GFW.min_shore_nm
    berth_speed_kn: float = StopCriteria().max_speed_kn
    port_radius_nm: float = StopCriteria().port_radius_km * 1000.0 / 1852.0
    reception_positions: float = float(_GFW.min_positions_before)
    identity_days: float = 7.0
    rendezvous_hours: float = 1.0
    repeated_nm: float = 20.0
    common_place_nm: float = 20.0
    common_place_vessels: float = 3.0
    low_from: float = 1.0
    medium_from: float = 4.0
    high_from: float = 7.0

    def level(self, points: float) -> str:
        """ "none", "low", "medium" or "high" for a score."""
        if points >= self.high_from:
            return "high"
        if points >= self.medium_from:
            return "medium"
        return "low" if points >= self.low_from else "none"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d) -> Weights:
        """Weights from a mapping; unknown keys are ignored, missing ones keep their default. A value that is not a
        finite number, a negative threshold, a positive port_call, or levels out of order raise BaiMeiError."""
        if not isinstance(d, dict):
            raise BaiMeiError(f"Scoring weights must be a mapping of names to numbers, not {type(d).__name__}.")
        values = {}
        for f in fields(cls):
            if f.name not in d:
                continue
            values[f.name] = _number(f.name, d[f.name])
        weights = cls(**values)
        weights.check()
        return weights

    def check(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _NEGATIVE and value > 0:
                raise BaiMeiError(f"Scoring weight {f.name} must be 0 or negative (it lowers a score); got {value:g}.")
            if f.name not in _NEGATIVE and value < 0:
                raise BaiMeiError(f"Scoring weight {f.name} must be 0 or more; got {value:g}.")
        if not 0 < self.low_from <= self.medium_from <= self.high_from:
            raise BaiMeiError(
                "Scoring levels must satisfy 0 < low_from <= medium_from <= high_from; got "
                f"{self.low_from:g}, {self.medium_from:g}, {self.high_from:g}."
            )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Weights:
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise BaiMeiError(f"The scoring weights are not valid JSON: {exc}.") from exc
        return cls.from_dict(data)

    @classmethod
    def describe(cls) -> List[Tuple[str, str, float]]:
        """(field, words for a form or the README, default) of every weight, in the table's order."""
        defaults = cls()
        return [(f.name, WORDS[f.name], getattr(defaults, f.name)) for f in fields(cls)]


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BaiMeiError(f"Scoring weight {name} must be a number; got {value!r}.")
    try:
        number = float(value)
    except ValueError:
        raise BaiMeiError(f"Scoring weight {name} must be a number; got {value!r}.") from None
    if not math.isfinite(number):
        raise BaiMeiError(f"Scoring weight {name} must be a finite number; got {value!r}.")
    return number


WORDS = {
    "interest_port": "Points when a port of interest is within reach by sea during the gap",
    "draught_rose": "Points when the draught rose across the gap (loaded while dark)",
    "draught_fell": "Points when the draught fell across the gap (unloaded while dark)",
    "destination_changed": "Points when the declared destination changed across the gap",
    "next_port_differs": "Points when the next port visited is not the destination declared before the gap",
    "offshore": "Points when both ends of the gap are far from shore",
    "port_call": "Points (negative) when the gap is a port call: both ends at one port, at berth speed",
    "common_place": "Points (negative) when other vessels also went dark and came back where this gap began and ended",
    "good_reception": "Points when reception was good before the gap (the silence looks deliberate)",
    "identity": "Points when the vessel shows identity anomalies near the gap",
    "rendezvous": "Points when another ship was stopped in the gap's reachable sea while the vessel was dark",
    "repeated": "Points when the vessel's other gaps began or ended near this one's ends",
    "watchlist": "Points when the vessel is on a sanctions list",
    "min_dwell_hours": "Longest possible stay (h) at a port of interest needed to count it",
    "draught_change_m": "Draught change (m) that counts as loading or unloading",
    "offshore_nm": "Distance from shore (nm) of both ends that counts as offshore",
    "berth_speed_kn": "Speed (kn) before and after the gap at or below which the ship is at a berth or anchorage",
    "port_radius_nm": "Distance (nm) from a port's position within which a gap end is in the port (no outline)",
    "reception_positions": "Positions in the 12 h before the gap that count as good reception",
    "identity_days": "Days before and after the gap within which identity changes count",
    "rendezvous_hours": "Hours the other ship's stop must overlap the gap",
    "repeated_nm": "Distance (nm) between gap ends that counts as the same area",
    "common_place_nm": "Distance (nm) from this gap's ends within which other vessels' gap ends count",
    "common_place_vessels": "Other vessels whose gaps began or ended near BOTH ends that make a common place",
    "low_from": "Points from which a gap's suspicion is low",
    "medium_from": "Points from which a gap's suspicion is medium",
    "high_from": "Points from which a gap's suspicion is high",
}
