"""A small AIS encoder for fixtures and the benchmark: six-bit payloads, sentences with checksums, tag blocks.

Written from the field tables of ITU-R M.1371 (gpsd.gitlab.io/gpsd/AIVDM.html); the decoders (Bai Mei's and pyais)
are checked against each other on what it writes, so it needs no decoder of its own.
"""

from __future__ import annotations

from functools import reduce
from operator import xor

_ARMOR = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"


def _six(text: str, chars: int) -> list:
    text = text.upper()[:chars].ljust(chars, "@")
    return [(ord(c) - 64 if 64 <= ord(c) < 96 else ord(c)) & 63 for c in text]


class Bits:
    """Fields appended most significant bit first."""

    def __init__(self):
        self.value, self.length = 0, 0

    def add(self, value: int, width: int) -> Bits:
        self.value = (self.value << width) | (int(value) & ((1 << width) - 1))
        self.length += width
        return self

    def text(self, text: str, chars: int) -> Bits:
        for six in _six(text, chars):
            self.add(six, 6)
        return self

    def payload(self) -> tuple:
        """(armoured payload, fill bits)."""
        fill = (-self.length) % 6
        value = self.value << fill
        n = (self.length + fill) // 6
        return "".join(_ARMOR[(value >> (6 * (n - 1 - i))) & 63] for i in range(n)), fill


def position(mmsi: int, lon: float, lat: float, sog: float = 10.0, cog: float = 90.0, heading: int = 90, kind=1):
    """Type 1, 2, 3 (Class A) or 18 (Class B) position report."""
    b = Bits().add(kind, 6).add(0, 2).add(mmsi, 30)
    if kind == 18:
        b.add(0, 8)
    else:
        b.add(0, 4).add(-128, 8)
    b.add(round(sog * 10), 10).add(0, 1).add(round(lon * 600000), 28).add(round(lat * 600000), 27)
    b.add(round(cog * 10), 12).add(heading, 9).add(0, 6)
    b.add(0, 2 if kind == 18 else 2).add(0, 3 if kind != 18 else 7).add(0, 1 if kind != 18 else 0)
    b.add(0, 19 if kind != 18 else 20)
    return b.payload()


def static5(mmsi: int, imo: int, callsign: str, name: str, ship_type: int, draught: float, destination: str):
    b = Bits().add(5, 6).add(0, 2).add(mmsi, 30).add(0, 2).add(imo, 30).text(callsign, 7).text(name, 20)
    b.add(ship_type, 8).add(100, 9).add(20, 9).add(10, 6).add(10, 6).add(1, 4).add(3, 4).add(1, 5).add(12, 5)
    b.add(0, 6).add(round(draught * 10), 8).text(destination, 20).add(0, 1).add(0, 1)
    return b.payload()


def static24(mmsi: int, part: int, name: str = "", callsign: str = "", ship_type: int = 0):
    b = Bits().add(24, 6).add(0, 2).add(mmsi, 30).add(part, 2)
    if part == 0:
        b.text(name, 20)
    else:
        b.add(ship_type, 8).text("ABC", 3).add(1, 4).add(12345, 20).text(callsign, 7).add(0, 30).add(0, 6)
    return b.payload()


def class_b_extended(mmsi: int, lon: float, lat: float, name: str, ship_type: int):
    """Type 19."""
    b = Bits().add(19, 6).add(0, 2).add(mmsi, 30).add(0, 8).add(85, 10).add(0, 1)
    b.add(round(lon * 600000), 28).add(round(lat * 600000), 27).add(1800, 12).add(511, 9).add(30, 6).add(0, 4)
    b.text(name, 20).add(ship_type, 8).add(10, 9).add(5, 9).add(2, 6).add(2, 6).add(1, 4).add(0, 4).add(0, 4)
    return b.payload()


def long_range(mmsi: int, lon: float, lat: float, sog: int, cog: int):
    """Type 27 (knots, whole degrees, 1/10 minute positions)."""
    b = Bits().add(27, 6).add(0, 2).add(mmsi, 30).add(0, 1).add(0, 1).add(0, 4)
    b.add(round(lon * 600), 18).add(round(lat * 600), 17).add(sog, 6).add(cog, 9).add(0, 1).add(0, 1)
    return b.payload()


def checksum(text: str) -> str:
    return f"{reduce(xor, text.encode(), 0):02X}"


def sentences(payload: str, fill: int, talker: str = "AIVDM", channel: str = "A", seq: str = "", per: int = 60):
    """The NMEA sentences carrying ``payload`` (several when longer than ``per`` characters)."""
    parts = [payload[i : i + per] for i in range(0, len(payload), per)] or [""]
    out = []
    for k, part in enumerate(parts, 1):
        body = f"{talker},{len(parts)},{k},{seq if len(parts) > 1 else ''},{channel},{part},"
        body += f"{fill if k == len(parts) else 0}"
        out.append(f"!{body}*{checksum(body)}")
    return out


def tagged(sentence: str, t: int, source: str = "", group: str = "") -> str:
    fields = ",".join(x for x in (f"g:{group}" if group else "", f"s:{source}" if source else "", f"c:{t}") if x)
    return f"\\{fields}*{checksum(fields)}\\{sentence}"
