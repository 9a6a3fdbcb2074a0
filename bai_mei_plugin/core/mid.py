"""Maritime Identification Digits (MID): the ITU table of which country each MID belongs to, and MMSI formats.

``resources/mid/mid.csv`` (columns ``mid,country,iso2``) lists the MIDs 201-775 allocated by the ITU (Table of
Maritime Identification Digits, ITU-R M.585 / MARS); ``iso2`` is the ISO 3166-1 alpha-2 code of the country or
territory, empty where no single code applies.

An MMSI is nine digits; stored as an integer it loses its leading zeros, so it is read zero-padded to nine digits:

=============  ============================================================================
``MIDXXXXXX``  ship station (first digit 2-7): the MID is the first three digits
``0MIDXXXXX``  group of ship stations
``00MIDXXXX``  coast station
``111MIDXXX``  SAR aircraft
``8MIDXXXXX``  handheld VHF transceiver with DSC and GNSS
``98MIDXXXX``  craft associated with a parent ship (a tender, a lifeboat)
``99MIDXXXX``  aid to navigation (AtoN)
``970YYZZZZ``  AIS-SART (search and rescue transmitter); ``972``: man overboard; ``974``: EPIRB-AIS
=============  ============================================================================
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Optional

from ..paths import resource_path

SHIP = "ship"
GROUP = "group"
COAST = "coast_station"
SAR_AIRCRAFT = "sar_aircraft"
HANDHELD = "handheld"
CRAFT = "craft_of_parent_ship"
ATON = "aid_to_navigation"
SART = "sart"
MOB = "man_overboard"
EPIRB = "epirb"
INVALID = "invalid"

KIND_TEXT = {
    SHIP: "a ship station",
    GROUP: "a group of ship stations (0MIDXXXXX)",
    COAST: "a coast station (00MIDXXXX)",
    SAR_AIRCRAFT: "a search and rescue aircraft (111MIDXXX)",
    HANDHELD: "a handheld VHF radio (8MIDXXXXX)",
    CRAFT: "a craft associated with a parent ship (98MIDXXXX)",
    ATON: "an aid to navigation (99MIDXXXX)",
    SART: "an AIS search and rescue transmitter (970YYZZZZ)",
    MOB: "a man-overboard device (972YYZZZZ)",
    EPIRB: "an EPIRB-AIS distress beacon (974YYZZZZ)",
    INVALID: "not a valid MMSI",
}


@dataclass(frozen=True)
class MidEntry:
    mid: int
    country: str
    iso2: str  # ISO 3166-1 alpha-2, "" where none applies


@dataclass(frozen=True)
class MmsiInfo:
    """What an MMSI's digits say: its kind (``SHIP``, ``COAST``... or ``INVALID``), its MID and that MID's entry
    (None when the MMSI has no MID or the MID is not allocated), and a sentence for the analyst."""

    mmsi: int
    kind: str
    mid: Optional[int]
    entry: Optional[MidEntry]
    description: str

    @property
    def allocated(self) -> bool:
        return self.entry is not None


def load_mid_table(path=None) -> Dict[int, MidEntry]:
    """The MID table from ``path`` (default ``resources/mid/mid.csv``) as {mid: MidEntry}.

    Raises ``ValueError`` naming the file and line for a missing column, a MID that is not a 3-digit number from 201
    to 799, a MID given twice or an ISO code that is not two letters.
    """
    path = path or resource_path("mid", "mid.csv")
    table: Dict[int, MidEntry] = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("mid", "country", "iso2") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}, line 1: missing column(s) {', '.join(missing)}; expected mid,country,iso2")
        for row in reader:
            text = (row["mid"] or "").strip()
            if not text:
                continue
            if not text.isdigit() or not 201 <= int(text) <= 799:
                raise ValueError(f"{path}, line {reader.line_num}: MID {text!r} is not a number from 201 to 799")
            mid = int(text)
            if mid in table:
                raise ValueError(f"{path}, line {reader.line_num}: MID {mid} given twice")
            iso2 = (row["iso2"] or "").strip().upper()
            if iso2 and (len(iso2) != 2 or not iso2.isalpha()):
                raise ValueError(f"{path}, line {reader.line_num}: iso2 {iso2!r} is not a 2-letter code")
            table[mid] = MidEntry(mid, (row["country"] or "").strip(), iso2)
    return table


@lru_cache(maxsize=1)
def default_mid_table() -> Dict[int, MidEntry]:
    return load_mid_table()


def describe_mmsi(mmsi: int, table: Optional[Dict[int, MidEntry]] = None) -> MmsiInfo:
    """The kind, MID and country of an MMSI, read zero-padded to nine digits (see the module docstring)."""
    table = default_mid_table() if table is None else table
    mmsi = int(mmsi)
    if not 0 < mmsi <= 999_999_999:
        return MmsiInfo(mmsi, INVALID, None, None, f"MMSI {mmsi} is not a 9-digit number.")
    digits = f"{mmsi:09d}"
    kind, mid = _kind_and_mid(digits)
    if kind == INVALID:
        return MmsiInfo(mmsi, INVALID, None, None, f"MMSI {digits} does not follow any MMSI format (ITU-R M.585).")
    entry = table.get(mid) if mid is not None else None
    text = f"MMSI {digits} is {KIND_TEXT[kind]}"
    if mid is not None:
        text += f" of MID {mid} ({entry.country})" if entry else f" with MID {mid}, which the ITU has not allocated"
    return MmsiInfo(mmsi, kind, mid, entry, text + ".")


def _kind_and_mid(digits: str):
    if digits.startswith("000"):
        return INVALID, None
    if digits.startswith("00"):
        return COAST, int(digits[2:5])
    if digits.startswith("0"):
        return GROUP, int(digits[1:4])
    first = digits[0]
    if first in "234567":
        return SHIP, int(digits[:3])
    if digits.startswith("111"):
        return SAR_AIRCRAFT, int(digits[3:6])
    if first == "8":
        return HANDHELD, int(digits[1:4])
    if digits.startswith("98"):
        return CRAFT, int(digits[2:5])
    if digits.startswith("99"):
        return ATON, int(digits[2:5])
    special = {"970": SART, "972": MOB, "974": EPIRB}.get(digits[:3])
    if special:
        return special, None
    return INVALID, None


def mid_country(mmsi: int, table: Optional[Dict[int, MidEntry]] = None) -> Optional[MidEntry]:
    """The MID entry (mid, country, iso2) of an MMSI, or None when it has no MID or the MID is not allocated."""
    return describe_mmsi(mmsi, table).entry
