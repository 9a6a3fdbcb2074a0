"""Vessel profiles: what a known ship looks like from above, to compare sightings with.

A profile has the vessel's identity (MMSI, IMO, name), the same features a sighting records (``CATEGORICAL_FEATURES``,
``COUNT_FEATURES`` and ``MEASURED_FEATURES`` of :mod:`.sightings`), the tolerances within which a measured length or
beam still counts as a match, and free notes (e.g. where the description comes from).

Profiles are kept in a UTF-8 CSV file with the header ``PROFILE_COLUMNS`` (any order and case; ``mmsi`` and ``name``
are required columns, a feature column may be left out, a blank cell means the feature is not known, and an unknown
column is an error). The MMSI is the key to the AIS reports: each is given once. Values are checked against the
sighting field definitions: colours and types from their value lists (case does not matter), counts and sizes within
their ranges.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .errors import BaiMeiError
from .sightings import CATEGORICAL_FEATURES, COUNT_FEATURES, FIELD_BY_NAME, MEASURED_FEATURES, Sighting

FEATURES: Tuple[str, ...] = MEASURED_FEATURES + COUNT_FEATURES + CATEGORICAL_FEATURES
TOLERANCES = ("length_tolerance_m", "beam_tolerance_m")
PROFILE_COLUMNS: Tuple[str, ...] = ("mmsi", "imo", "name") + FEATURES + TOLERANCES + ("notes",)
REQUIRED_COLUMNS = ("mmsi", "name")


@dataclass
class VesselProfile:
    """A known vessel and its features (None = not known). Tolerances are in metres."""

    mmsi: int
    imo: Optional[str]
    name: str
    length_m: Optional[float] = None
    beam_m: Optional[float] = None
    hatch_count: Optional[int] = None
    crane_count: Optional[int] = None
    hull_colour: Optional[str] = None
    deck_colour: Optional[str] = None
    superstructure_colour: Optional[str] = None
    superstructure_position: Optional[str] = None
    crane_type: Optional[str] = None
    bow_type: Optional[str] = None
    length_tolerance_m: float = 10.0
    beam_tolerance_m: float = 3.0
    notes: str = ""

    @property
    def features(self) -> Dict[str, object]:
        """The known features, name -> value (unknown ones left out)."""
        return {name: getattr(self, name) for name in FEATURES if getattr(self, name) is not None}

    def tolerance(self, feature: str) -> Optional[float]:
        """The tolerance (m) of a measured feature, None for the others."""
        return {"length_m": self.length_tolerance_m, "beam_m": self.beam_tolerance_m}.get(feature)


def default_profiles_path() -> str:
    """The bundled synthetic profiles of the BAI MEI 8 and its look-alikes in the demo scenario."""
    from ..paths import resource_path

    return resource_path("profiles", "bai_mei_8_profiles.csv")


# ------------------------------------------------------------------------------------------------------------------
# Reading and checking values
# ------------------------------------------------------------------------------------------------------------------


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _number(value, integer: bool) -> float:
    if isinstance(value, bool):
        raise ValueError
    number = float(str(value).strip()) if isinstance(value, str) else float(value)
    if not math.isfinite(number) or (integer and number != int(number)):
        raise ValueError
    return int(number) if integer else number


def parse_value(name: str, value):
    """``value`` (text from a CSV or a layer's value) checked and converted for column ``name``; None when blank.

    Raises ``ValueError`` with the expected form (the caller adds where it was found).
    """
    if _blank(value):
        return None
    if name == "mmsi":
        try:
            mmsi = _number(value, integer=True)
        except (TypeError, ValueError):
            raise ValueError("an MMSI (a whole number of at most 9 digits)") from None
        if not 0 < mmsi <= 999_999_999:
            raise ValueError("an MMSI (a whole number of at most 9 digits)")
        return mmsi
    if name in ("imo", "name", "notes"):
        text = str(value).strip()
        if name == "imo" and text.endswith(".0"):  # a spreadsheet or layer that stored the number as a real
            text = text[:-2]
        return text
    if name in TOLERANCES:
        try:
            tolerance = _number(value, integer=False)
        except (TypeError, ValueError):
            raise ValueError("a positive number of metres") from None
        if tolerance <= 0:
            raise ValueError("a positive number of metres")
        return tolerance
    spec = FIELD_BY_NAME[name]
    if spec.values:
        text = str(value).strip().lower()
        if text not in spec.values:
            raise ValueError("one of " + ", ".join(spec.values))
        return text
    integer = spec.kind == "int"
    expected = f"a {'whole ' if integer else ''}number from {spec.minimum:g} to {spec.maximum:g}"
    try:
        number = _number(value, integer)
    except (TypeError, ValueError):
        raise ValueError(expected) from None
    if not spec.minimum <= number <= spec.maximum:
        raise ValueError(expected)
    return number


def profiles_from_rows(rows: Iterable[Tuple[Optional[int], Dict[str, object]]], source: str) -> List[VesselProfile]:
    """Profiles from ``(line or feature number or None, {column: value})`` rows (other keys are ignored: check the
    columns first with :func:`check_columns`). Errors name ``source``, the line, the field, what was expected and what
    was found; an MMSI given twice is an error."""
    profiles: List[VesselProfile] = []
    seen: Dict[int, int] = {}
    for line, row in rows:
        if all(_blank(v) for v in row.values()):
            continue
        where = source if line is None else f"{source}, line {line}"
        values = {}
        for name in PROFILE_COLUMNS:
            try:
                value = parse_value(name, row.get(name))
            except ValueError as exc:
                message = f"{where}, field {name}: expected {exc}, found {row.get(name)!r}."
                raise BaiMeiError(message) from None
            if value is not None:
                values[name] = value
        for name in REQUIRED_COLUMNS:
            if name not in values:
                raise BaiMeiError(f"{where}, field {name}: expected a value, found nothing.")
        mmsi = values["mmsi"]
        if mmsi in seen:
            raise BaiMeiError(
                f"{where}, field mmsi: expected an MMSI not given before, found {mmsi} (already on line {seen[mmsi]})."
            )
        seen[mmsi] = line
        profiles.append(VesselProfile(**{"imo": None, **values}))
    return profiles


def check_columns(columns: Sequence[str], source: str) -> None:
    """A BaiMeiError naming the missing required columns or the unknown ones (a misspelt column would otherwise
    lose its values silently)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in PROFILE_COLUMNS]
    if missing or unknown:
        found = ", ".join(columns) or "no columns"
        problem = f"missing column(s) {', '.join(missing)}" if missing else f"unknown column(s) {', '.join(unknown)}"
        raise BaiMeiError(
            f"{source}, line 1: {problem}; expected the columns {', '.join(PROFILE_COLUMNS)} "
            f"(mmsi and name required), found {found}."
        )


def load_profiles(path) -> List[VesselProfile]:
    """Read a profiles CSV (see the module docstring). Raises BaiMeiError naming the file, line and field."""
    path = Path(path)
    try:
        # utf-8-sig: spreadsheet programs often save a byte-order mark at the start of the file
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [c.strip().lower() for c in (reader.fieldnames or [])]
            check_columns(header, str(path))
            reader.fieldnames = header
            rows = []
            for row in reader:
                if None in row:  # csv.DictReader puts surplus fields under the key None
                    raise BaiMeiError(
                        f"{path}, line {reader.line_num}: expected {len(header)} fields as in the "
                        f"header, found {len(header) + len(row[None])}."
                    )
                rows.append((reader.line_num, row))
    except OSError as exc:
        raise BaiMeiError(f"Cannot read the profiles file {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise BaiMeiError(f"{path} is not a UTF-8 text file.", str(exc)) from exc
    return profiles_from_rows(rows, str(path))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def write_profiles(path, profiles: Sequence[VesselProfile]) -> None:
    """Write ``profiles`` as a CSV that :func:`load_profiles` reads back (blank cells for unknown features).

    Written under a temporary name and renamed when complete: a crash never leaves the analyst's file half written."""
    from .atomic import atomic_output

    with atomic_output(str(path)) as temporary, open(temporary, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(PROFILE_COLUMNS)
        for profile in profiles:
            writer.writerow([_cell(getattr(profile, name)) for name in PROFILE_COLUMNS])


def profile_from_sighting(
    sighting: Sighting, mmsi: int, imo: Optional[str], name: str, notes: Optional[str] = None
) -> VesselProfile:
    """A profile of the vessel a sighting was confirmed to be: its features copied (blank ones stay unknown).

    Values are checked as in a profiles file; a BaiMeiError names the sighting and the field that is not valid.
    """
    row = {name_: sighting.get(name_) for name_ in FEATURES}
    row.update(mmsi=mmsi, imo=imo, name=name)
    row["notes"] = notes if notes is not None else f"from sighting {sighting.sighting_id}"
    return profiles_from_rows([(None, row)], f"Sighting {sighting.sighting_id}")[0]
