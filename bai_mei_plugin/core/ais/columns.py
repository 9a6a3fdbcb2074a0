"""Turning raw column values into Bai Mei's columns: shared by every CSV backend so they agree exactly."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .formats import VESSEL_MESSAGE_TYPES, VESSEL_MOBILE_TYPES
from .model import MISSING_MMSI, TextColumn

NULL_TOKENS = ("", " ", "\\N", "NULL", "null", "NA", "N/A", "nan", "NaN", "None")
# How CSV text becomes a number, for both CSV backends so that they agree on every value: decimal notation with
# optional surrounding blanks ("12", "-3.5", ".5", "3.67e8", " 7 "), finite. Not "inf", "1e400", "1_000" or
# non-ASCII digits, which Python's float() accepts and pyarrow partly does. The pyarrow backend matches this pattern;
# the stdlib backend calls float() on ASCII text without "_" and then rejects what is not finite.
NUMBER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
# A value that is blank or a NULL token once surrounding blanks are removed is missing, not unparseable.
BLANK_PATTERN = r"^\s*(" + "|".join(re.escape(t) for t in NULL_TOKENS if t.strip()) + r")?\s*$"
# An MMSI is a number that is whole: "367000000", "367000000.0" and "3.67e8" are all 367000000; "3.5" and "abc" are
# unparseable. From 2**53 on a float no longer tells whole numbers apart (and no identifier is that long). Zero and
# negative whole numbers are read as they are and dropped by cleaning as invalid MMSIs (model.MISSING_ID_TIME).
MMSI_LIMIT = 2**53

# Text values that mean "nothing" in AIS feeds (DMA writes "Unknown" IMOs and "Undefined" ship types).
NULL_TEXT = {"", "unknown", "undefined", "none", "null", "n/a", "\\n"}

# AIS "not available" codes that are numbers rather than blanks.
NOT_AVAILABLE = {
    "heading": lambda v: v >= 360.0,
    "sog": lambda v: v >= 102.25,
    "cog": lambda v: v >= 360.0,
    "draught": lambda v: v <= 0.0,
}


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
    codes = np.asarray(codes)
    if codes.dtype.kind != "i":
        codes = codes.astype(np.int64)
    return TextColumn(remap[codes], values), bad_utf8  # code -1 picks the last slot, which is -1


def finite(values: np.ndarray, parsed: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(values with NaN wherever not parsed or not finite, the mask of usable numbers)."""
    ok = parsed & np.isfinite(values)
    return np.where(ok, values, np.nan), ok


def mmsi_from_numbers(values: np.ndarray, parsed: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(int64 MMSIs with MISSING_MMSI where unusable, the mask of usable ones) from parsed float values."""
    with np.errstate(invalid="ignore"):
        whole = values.astype(np.int64)  # NaN, inf and huge values become garbage here, refused just below
        ok = parsed & (np.abs(values) < MMSI_LIMIT) & (whole == values)
    whole[~ok] = MISSING_MMSI
    return whole, ok


_CLASS_A_B = re.compile(r"\bclass\s*[ab]\b")


def is_vessel_type(value: str) -> bool:
    """Whether a mobile-type or message-type value is a vessel's: DMA's "Class A"/"Class B" (or "A"/"B", or text
    naming Class A/B such as "Position report Class A"), or an AIS message number of a vessel report (1, 2, 3, 5,
    18, 19, 24, 27). Anything else (Base Station, AtoN, SAR Airborne, 4, 9, 21...) is not."""
    text = value.strip().lower()
    if text in VESSEL_MOBILE_TYPES or _CLASS_A_B.search(text):
        return True
    try:
        number = float(text)
    except ValueError:
        return False
    return number.is_integer() and int(number) in VESSEL_MESSAGE_TYPES


def not_vessel_mask(mobile_type: Optional[TextColumn]) -> Optional[np.ndarray]:
    """True where a mobile-type column says the report is not from a vessel (DMA: base stations, AtoN...; a generic
    CSV's message-type column: message 4, 9, 21...). Empty values count as vessels."""
    if mobile_type is None:
        return None
    is_vessel = np.array([is_vessel_type(v) for v in mobile_type.values] + [True], dtype=bool)
    return ~is_vessel[mobile_type.codes]  # code -1 (empty) picks the last slot, True


def apply_not_available(name: str, values: np.ndarray) -> np.ndarray:
    """Replace the AIS "not available" codes (heading 511, SOG 102.3, COG 360, draught 0) by NaN."""
    rule = NOT_AVAILABLE.get(name)
    if rule is None:
        return values
    with np.errstate(invalid="ignore"):
        hit = rule(values)
    if not hit.any():  # the common case: no copy of a column of millions
        return values
    values = np.array(values, dtype=np.float64)  # a copy: the caller's array (perhaps Arrow's) stays as it was
    values[hit] = np.nan
    return values


def example(line_number: int, field: str, value) -> str:
    text, _ = decode_text(value) if value is not None else ("", True)
    return f"row {line_number:,}, field {field}: {text[:40]!r}"
