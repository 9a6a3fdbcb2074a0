"""Turning raw column values into Bai Mei's columns: shared by every CSV backend so they agree exactly."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .formats import VESSEL_MOBILE_TYPES
from .model import TextColumn

NULL_TOKENS = ("", " ", "\\N", "NULL", "null", "NA", "N/A", "nan", "NaN", "None")
# Text values that mean "nothing" in AIS feeds (DMA writes "Unknown" IMOs and "Undefined" ship types).
NULL_TEXT = {"", "unknown", "undefined", "none", "null", "n/a", "\\n"}

# AIS "not available" codes that are numbers rather than blanks.
NOT_AVAILABLE = {"heading": lambda v: v >= 360.0, "sog": lambda v: v >= 102.25, "cog": lambda v: v >= 360.0,
                 "draught": lambda v: v <= 0.0}


def decode_text(value) -> Tuple[str, bool]:
    """Text from bytes or str; returns (text, was_valid_utf8). Invalid bytes become U+FFFD."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8"), True
        except UnicodeDecodeError:
            return value.decode("utf-8", errors="replace"), False
    return value, "\ufffd" not in value


def text_column(codes: np.ndarray, raw_values: Sequence) -> Tuple[TextColumn, int]:
    """A TextColumn from codes into raw unique values (bytes or str); nulls and blanks get code -1.

    Returns the column and how many distinct values held bytes that are not UTF-8.
    """
    remap = np.full(len(raw_values) + 1, -1, dtype=np.int32)  # last slot maps code -1 to -1
    values: List[str] = []
    seen: Dict[str, int] = {}
    bad_utf8 = 0
    for i, raw in enumerate(raw_values):
        if raw is None:
            continue
        text, ok = decode_text(raw)
        bad_utf8 += not ok
        text = text.strip().strip("@").strip()
        if text.lower() in NULL_TEXT:
            continue
        code = seen.get(text)
        if code is None:
            code = seen[text] = len(values)
            values.append(text)
        remap[i] = code
    codes = np.asarray(codes, dtype=np.int64)
    return TextColumn(remap[np.where(codes < 0, len(raw_values), codes)], values), bad_utf8


def not_vessel_mask(mobile_type: Optional[TextColumn]) -> Optional[np.ndarray]:
    """True where a mobile-type column says the report is not from a vessel (DMA: base stations, AtoN...)."""
    if mobile_type is None:
        return None
    is_vessel = np.array([v.lower() in VESSEL_MOBILE_TYPES for v in mobile_type.values] + [True], dtype=bool)
    codes = np.where(mobile_type.codes < 0, len(mobile_type.values), mobile_type.codes)
    return ~is_vessel[codes]


def apply_not_available(name: str, values: np.ndarray) -> np.ndarray:
    """Replace the AIS "not available" codes (heading 511, SOG 102.3, COG 360, draught 0) by NaN."""
    rule = NOT_AVAILABLE.get(name)
    if rule is not None:
        with np.errstate(invalid="ignore"):
            values = np.where(rule(values), np.nan, values)
    return values


def example(line_number: int, field: str, value) -> str:
    text, _ = decode_text(value) if value is not None else ("", True)
    return f"row {line_number:,}, field {field}: {text[:40]!r}"
