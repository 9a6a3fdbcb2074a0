"""AIS payload decoding with numpy: six-bit payloads in, position and static fields out, no Python work per message.

A batch of messages is a 2-D uint8 array of six-bit values (one row per message, the first ``WIDTH`` characters of its
payload, zero beyond it) and each message's length in bits (six per character minus the fill bits). Messages are
grouped by type; a field is read for the whole group at once by shifting together the characters it spans and
cutting the result to the field's bits (two's complement for signed fields; text fields character by character).
That gives what slicing an ``np.unpackbits`` bit matrix and a dot product with powers of two give, at a third of the
time (decoding 500,000 benchmark sentences: 0.55 s of CPU with the bit matrix, 0.17 s this way). A field that runs
past the end of a message keeps only the bits that are there (right-aligned, sign taken from its top bit), as pyais
reads it, so that short and damaged messages decode the same way in both; a field starting at or past the end is
absent.

Field positions and scales are those of ITU-R M.1371 (as documented at gpsd.gitlab.io/gpsd/AIVDM.html).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WIDTH = 72  # payload characters kept: type 5's destination ends at bit 422, the last field any type here needs
NAME_CHARS, CALLSIGN_CHARS = 20, 7

# Six-bit armour: '0'..'W' are 0..39, '`'..'w' are 40..63; everything else is not a payload character.
ARMOR = np.zeros(256, dtype=np.uint8)
ARMOR_VALID = np.zeros(256, dtype=bool)
for _c in list(range(48, 88)) + list(range(96, 120)):
    ARMOR[_c] = _c - 48 if _c < 88 else _c - 56
    ARMOR_VALID[_c] = True

POSITION_TYPES = (1, 2, 3, 18, 19, 27)
NOT_VESSEL_TYPES = (4, 9, 21)
STATIC_TYPES = (5, 19, 24)
# Types decoded elsewhere or of no use here; anything from 29 to 63 is not an AIS message at all.
KNOWN_TYPES = frozenset(range(0, 29))

# Bad message reasons (index into REASONS).
OK, UNKNOWN_TYPE, TOO_SHORT, BAD_PART = 0, 1, 2, 3


def reason_text(code: int, ais_id: int) -> str:
    return {
        UNKNOWN_TYPE: f"unknown message type {ais_id}",
        TOO_SHORT: f"type {ais_id} position report too short",
        BAD_PART: f"undecodable type {ais_id} message",
    }[code]


def _fold_ship_types() -> np.ndarray:
    """Ship type codes as types 5 and 19 report them: reserved codes to the reserved code of their decade, unknown
    ones to 0 (not available), as ITU-R M.1371 table 53 lists them (and pyais folds them)."""
    table = np.zeros(256, dtype=np.int16)
    listed = [20, 21, 22, 23, 24, 25, 29, *range(30, 38), *range(40, 46), 49, *range(50, 57), 58, 59]
    for decade in (60, 70, 80, 90):
        listed += [*range(decade, decade + 6), decade + 9]
    table[listed] = listed
    for low, reserved in ((25, 25), (45, 45), (56, 56), (65, 65), (75, 75), (85, 85), (95, 95)):
        top = 58 if low == 56 else low + 4
        table[low:top] = reserved
    return table


SHIP_TYPE_FOLD = _fold_ship_types()


@dataclass
class Decoded:
    """One entry per message. Absent numbers are NaN (floats) or 0 (IMO, ship type); absent text is b""."""

    ais_id: np.ndarray
    bad: np.ndarray  # OK or a reason code
    is_row: np.ndarray  # a position row (not_vessel ones included)
    not_vessel: np.ndarray
    has_mmsi: np.ndarray
    mmsi: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    sog: np.ndarray
    cog: np.ndarray
    heading: np.ndarray
    name: np.ndarray  # S20
    callsign: np.ndarray  # S7
    imo: np.ndarray
    ship_type: np.ndarray
    draught: np.ndarray
    destination: np.ndarray  # S20

    @classmethod
    def empty(cls, n: int) -> Decoded:
        nan = np.full(n, np.nan)
        return cls(
            ais_id=np.zeros(n, np.int16),
            bad=np.zeros(n, np.int8),
            is_row=np.zeros(n, bool),
            not_vessel=np.zeros(n, bool),
            has_mmsi=np.zeros(n, bool),
            mmsi=np.zeros(n, np.int64),
            lon=nan.copy(),
            lat=nan.copy(),
            sog=nan.copy(),
            cog=nan.copy(),
            heading=nan.copy(),
            name=np.zeros(n, f"S{NAME_CHARS}"),
            callsign=np.zeros(n, f"S{CALLSIGN_CHARS}"),
            imo=np.zeros(n, np.int64),
            ship_type=np.zeros(n, np.int16),
            draught=nan.copy(),
            destination=np.zeros(n, f"S{NAME_CHARS}"),
        )


def concat(parts: list) -> Decoded:
    """Decoded batches one after the other."""
    return Decoded(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in Decoded.__dataclass_fields__})


class _Bits:
    """The six-bit values of a group of messages and their lengths in bits; ``num`` and ``text`` read fields.

    A field is the bits of the characters it spans (at most six for 30 bits), shifted together in an int64 and cut
    to its width: a handful of array operations per field whatever the number of messages.
    """

    def __init__(self, values: np.ndarray, nbits: np.ndarray):
        self.values = values  # as many columns as the longest payload has characters (at most WIDTH)
        self.nbits = nbits

    def column(self, j: int):
        return self.values[:, j] if j < self.values.shape[1] else 0  # past every payload: zeros

    def present(self, start: int) -> np.ndarray:
        return self.nbits > start

    def num(self, start: int, width: int, signed: bool = False) -> np.ndarray:
        first, last = start // 6, (start + width - 1) // 6
        word = np.zeros(len(self.values), dtype=np.int64)
        for j in range(first, last + 1):
            word = (word << 6) | self.column(j)
        word = (word >> (6 * (last + 1) - start - width)) & ((1 << width) - 1)
        cut = np.clip(start + width - self.nbits, 0, width)  # bits past the end (fill bits included) dropped
        value = word >> cut
        if signed:
            avail = width - cut
            top = np.left_shift(np.int64(1), np.maximum(avail - 1, 0))
            value = np.where((avail > 0) & (value >= top), value - 2 * top, value)
        return value

    def text(self, start: int, chars: int) -> np.ndarray:
        """Six-bit text as S``chars`` bytes: cut at the first '@' (padding), b"" when absent."""
        first, offset = start // 6, start % 6
        spans = np.zeros((len(self.values), chars + 1), np.int16)
        window = self.values[:, first : first + chars + 1]
        spans[:, : window.shape[1]] = window
        sixes = ((spans[:, :-1] << 6 | spans[:, 1:]) >> (6 - offset)) & 63
        cut = np.clip(start + 6 * np.arange(1, chars + 1) - self.nbits[:, None], 0, 6)
        sixes = (sixes >> cut).astype(np.uint8)
        ascii_ = np.where(sixes < 32, sixes + 64, sixes).astype(np.uint8)
        ascii_[np.cumsum(ascii_ == 64, axis=1) > 0] = 32  # from the first '@' on: blanks, stripped when used
        out = ascii_.view(f"S{chars}").ravel().copy()
        out[~self.present(start)] = b""
        return out


def _scaled(value: np.ndarray, present: np.ndarray, scale: float, not_available: float) -> np.ndarray:
    out = value / scale if scale != 1 else value.astype(np.float64)
    return np.where(present & (out < not_available), out, np.nan)


def _degrees(value: np.ndarray, tenths_per_minute: int) -> np.ndarray:
    """Longitude or latitude from 1/10,000 (or 1/10) minutes, rounded to 6 decimals exactly as pyais rounds them."""
    if tenths_per_minute == 10_000:
        return ((10 * value + 3) // 6) / 1e6
    return ((10_000 * value + 3) // 6) / 1e6


def _positions(out: Decoded, idx: np.ndarray, b: _Bits, ais_id: int) -> None:
    """Types 1, 2, 3, 4, 9, 18, 19, 21, 27: position (and speed, course, heading where the type has them)."""
    layout = {  # lon offset, lat offset, lon width, scale, speed (offset, scale, n/a), course (...), heading offset
        1: (61, 89, 28, 10_000, (50, 10, 102.25), (116, 10, 360), 128),
        18: (57, 85, 28, 10_000, (46, 10, 102.25), (112, 10, 360), 124),
        4: (79, 107, 28, 10_000, None, None, None),
        9: (61, 89, 28, 10_000, (50, 1, 1023), (116, 10, 360), None),
        21: (164, 192, 28, 10_000, None, None, None),
        27: (44, 62, 18, 10, (79, 1, 63), (85, 1, 360), None),
    }
    lon_at, lat_at, lon_width, unit, speed, course, heading = layout[{2: 1, 3: 1, 19: 18}.get(ais_id, ais_id)]
    ok = b.present(8) & b.present(lat_at)
    out.bad[idx[~ok]] = TOO_SHORT
    out.is_row[idx[ok]] = True
    out.not_vessel[idx] = ais_id in NOT_VESSEL_TYPES
    out.lon[idx] = _degrees(b.num(lon_at, lon_width, signed=True), unit)
    out.lat[idx] = _degrees(b.num(lat_at, lon_width - 1, signed=True), unit)
    for field, spec, width in (
        (out.sog, speed, 6 if ais_id == 27 else 10),
        (out.cog, course, 9 if ais_id == 27 else 12),
    ):
        if spec is not None:
            at, scale, not_available = spec
            field[idx] = _scaled(b.num(at, width), b.present(at), scale, not_available)
    if heading is not None:
        out.heading[idx] = _scaled(b.num(heading, 9), b.present(heading), 1, 360)


def _statics(out: Decoded, idx: np.ndarray, b: _Bits, ais_id: int) -> None:
    """Types 5, 19 and 24: name, callsign, IMO, ship type, draught, destination (those the type carries)."""
    if ais_id == 5:
        out.imo[idx] = b.num(40, 30)
        out.callsign[idx] = b.text(70, CALLSIGN_CHARS)
        out.name[idx] = b.text(112, NAME_CHARS)
        out.ship_type[idx] = SHIP_TYPE_FOLD[b.num(232, 8)]
        draught = b.num(294, 8)
        out.draught[idx] = np.where(b.present(294) & (draught > 0), draught / 10.0, np.nan)  # 0: not available
        out.destination[idx] = b.text(302, NAME_CHARS)
    elif ais_id == 19:
        out.name[idx] = b.text(143, NAME_CHARS)
        out.ship_type[idx] = SHIP_TYPE_FOLD[b.num(263, 8)]
    else:
        part = b.num(38, 2)
        out.bad[idx[part > 1]] = BAD_PART  # parts 2 and 3 do not exist
        a, p = idx[part == 0], part == 0
        out.name[a] = b.text(40, NAME_CHARS)[p]
        q = part == 1
        out.ship_type[idx[q]] = b.num(40, 8)[q]  # type 24 part B: the code as sent (no folding)
        out.callsign[idx[q]] = b.text(90, CALLSIGN_CHARS)[q]


_DECODED = (1, 2, 3, 4, 5, 9, 18, 19, 21, 24, 27)


def decode(values: np.ndarray, nbits: np.ndarray) -> Decoded:
    """Decode ``values`` (n x up to WIDTH six-bit values, zero past each payload) of ``nbits`` bits each."""
    n = len(values)
    out = Decoded.empty(n)
    if n == 0:
        return out
    first = values[:, 0].astype(np.int64) if values.shape[1] else np.zeros(n, np.int64)
    avail = np.clip(nbits, 0, 6)
    out.ais_id[:] = first >> (6 - avail)
    out.bad[out.ais_id >= 29] = UNKNOWN_TYPE
    for ais_id in _DECODED:
        idx = np.flatnonzero(out.ais_id == ais_id)
        if len(idx) == 0:
            continue
        b = _Bits(values[idx], nbits[idx])
        out.has_mmsi[idx] = b.present(8)
        out.mmsi[idx] = b.num(8, 30)
        if ais_id in POSITION_TYPES or ais_id in NOT_VESSEL_TYPES:
            _positions(out, idx, b, ais_id)
        if ais_id in STATIC_TYPES:
            _statics(out, idx, b, ais_id)
    return out
