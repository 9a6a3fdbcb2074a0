"""Sightings: a vessel seen on an image, described by the features analysts use to say which ship it is.

The field list here is the single definition the GeoPackage layer, its QGIS form, the profiles table, the
identification and the exports all follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

SUPERSTRUCTURE_POSITIONS = ("aft", "midships", "forward", "none visible")
CRANE_TYPES = ("none", "jib cranes", "gantry", "derricks")
ACTIVITIES = ("loading", "unloading", "moored at quay", "at anchor", "underway", "ship-to-ship")
CARGO = ("coal", "ore", "containers", "none", "unknown")
DRAUGHT_STATES = ("laden", "ballast", "unknown")
CONFIDENCE = ("low", "medium", "high")
COLOURS = ("black", "grey", "white", "red", "brown", "blue", "green", "orange", "yellow", "other")
BOW_TYPES = ("bulbous", "raked", "straight", "other")


@dataclass(frozen=True)
class FieldSpec:
    """One sighting field: name, kind (str, int, float, datetime), the form tab it belongs to, its label, and either
    a value list or a numeric range (inclusive) with the message shown when a value breaks it."""

    name: str
    kind: str
    tab: str
    label: str
    values: Tuple[str, ...] = ()
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    message: str = ""


_PX = "A pixel window is counted in whole pixels of the scene (0 to 10,000,000)."

SIGHTING_FIELDS: Tuple[FieldSpec, ...] = (
    FieldSpec("sighting_id", "str", "Identity", "Sighting id"),
    FieldSpec("observed_at", "datetime", "Identity", "Observed at (UTC)"),
    FieldSpec("image_source", "str", "Identity", "Image source"),
    FieldSpec("image_id", "str", "Identity", "Image id"),
    FieldSpec(
        "candidate_mmsi",
        "int",
        "Identity",
        "Candidate MMSI",
        minimum=0,
        maximum=999_999_999,
        message="An MMSI has at most 9 digits.",
    ),
    FieldSpec("confidence", "str", "Identity", "Confidence", CONFIDENCE),
    FieldSpec(
        "length_m",
        "float",
        "Hull",
        "Length (m)",
        minimum=10,
        maximum=450,
        message="Length must be between 10 and 450 m.",
    ),
    FieldSpec("beam_m", "float", "Hull", "Beam (m)", minimum=2, maximum=80, message="Beam must be between 2 and 80 m."),
    FieldSpec(
        "heading_deg",
        "float",
        "Hull",
        "Heading (°)",
        minimum=0,
        maximum=360,
        message="Heading must be between 0 and 360°.",
    ),
    FieldSpec("hull_colour", "str", "Hull", "Hull colour", COLOURS),
    FieldSpec("bow_type", "str", "Hull", "Bow", BOW_TYPES),
    FieldSpec("funnel_markings", "str", "Hull", "Funnel markings"),
    FieldSpec("deck_colour", "str", "Deck", "Deck colour", COLOURS),
    FieldSpec("superstructure_colour", "str", "Deck", "Superstructure colour", COLOURS),
    FieldSpec("superstructure_position", "str", "Deck", "Superstructure", SUPERSTRUCTURE_POSITIONS),
    FieldSpec("hatch_count", "int", "Deck", "Hatches", minimum=0, maximum=30, message="Hatches: 0 to 30."),
    FieldSpec("crane_count", "int", "Deck", "Cranes", minimum=0, maximum=12, message="Cranes: 0 to 12."),
    FieldSpec("crane_type", "str", "Deck", "Crane type", CRANE_TYPES),
    FieldSpec("activity", "str", "Activity", "Activity", ACTIVITIES),
    FieldSpec("cargo_visible", "str", "Activity", "Cargo visible", CARGO),
    FieldSpec("draught_state", "str", "Activity", "Draught", DRAUGHT_STATES),
    FieldSpec("analyst", "str", "Notes", "Analyst"),
    FieldSpec("notes", "str", "Notes", "Notes"),
    # Where on the image it was marked: the raster's source (a file or a /vsicurl/ address, never a secret: it is a
    # layer source) and the window of the raster's pixels around the ship, so that its chip can be cut again.
    FieldSpec("scene_source", "str", "Image", "Scene (raster source)"),
    FieldSpec("window_col", "int", "Image", "Window column (px)", minimum=0, maximum=10_000_000, message=_PX),
    FieldSpec("window_row", "int", "Image", "Window row (px)", minimum=0, maximum=10_000_000, message=_PX),
    FieldSpec("window_width", "int", "Image", "Window width (px)", minimum=1, maximum=10_000_000, message=_PX),
    FieldSpec("window_height", "int", "Image", "Window height (px)", minimum=1, maximum=10_000_000, message=_PX),
)
FORM_TABS = ("Identity", "Hull", "Deck", "Activity", "Notes", "Image")
WINDOW_FIELDS = ("window_col", "window_row", "window_width", "window_height")
FIELD_BY_NAME: Dict[str, FieldSpec] = {f.name: f for f in SIGHTING_FIELDS}

# The features identification compares (the rest says where, when and who looked).
CATEGORICAL_FEATURES = (
    "hull_colour",
    "deck_colour",
    "superstructure_colour",
    "superstructure_position",
    "crane_type",
    "bow_type",
)
COUNT_FEATURES = ("hatch_count", "crane_count")
MEASURED_FEATURES = ("length_m", "beam_m")


@dataclass
class Sighting:
    """A sighting as core code sees it: position (lon/lat), time (epoch s UTC) and its features (field -> value)."""

    sighting_id: str
    lon: float
    lat: float
    observed_at: Optional[int]
    features: Dict[str, object] = field(default_factory=dict)

    def get(self, name: str):
        value = self.features.get(name)
        return None if value in ("", None) else value


def feature_label(features: Dict[str, object]) -> str:
    """A short label of a sighting's key features, e.g. "5 hatches · 4 cranes · black hull"."""
    parts: List[str] = []
    hatches, cranes = features.get("hatch_count"), features.get("crane_count")
    if hatches not in (None, ""):
        parts.append(f"{int(hatches)} hatch{'es' if int(hatches) != 1 else ''}")
    if cranes not in (None, ""):
        parts.append(f"{int(cranes)} crane{'s' if int(cranes) != 1 else ''}")
    if features.get("hull_colour"):
        parts.append(f"{features['hull_colour']} hull")
    if features.get("length_m") not in (None, ""):
        parts.append(f"{float(features['length_m']):.0f} m")
    return " · ".join(parts)


def pixel_window(col: float, row: float, half_cols: float, half_rows: float, width: int, height: int):
    """The window (col, row, width, height) of whole pixels centred on pixel position (col, row), ``half_cols`` and
    ``half_rows`` pixels either side, clipped to a raster of ``width`` x ``height``; None when nothing of it is on
    the raster (the click was off the scene)."""
    left, top = max(0, int(col - half_cols)), max(0, int(row - half_rows))
    right, bottom = min(width, int(col + half_cols + 1)), min(height, int(row + half_rows + 1))
    if right <= left or bottom <= top:
        return None
    return left, top, right - left, bottom - top


def window_of(features: Dict[str, object]):
    """A sighting's pixel window (col, row, width, height), or None when it was not marked on a scene."""
    values = [features.get(name) for name in WINDOW_FIELDS]
    if any(v in (None, "") for v in values):
        return None
    return tuple(int(v) for v in values)
