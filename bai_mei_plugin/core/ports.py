"""The ports gazetteer: a small CSV of port positions (``name,locode,country,lat,lon``) used to name port calls."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

PORT_COLUMNS = ("name", "locode", "country", "lat", "lon")


@dataclass(frozen=True)
class Port:
    """A port: its name, UN/LOCODE, ISO country code and a position on the water at its entrance or anchorage."""

    name: str
    locode: str
    country: str
    lat: float
    lon: float
    # the port's own outline (a shapely polygon in lon/lat) when the gazetteer gives one: a stop is in this port when
    # it lies inside it, whatever the port radius; None for a port known by its position only
    area: Optional[object] = field(default=None, compare=False, repr=False)


def load_ports(path) -> List[Port]:
    """Read a ports CSV with the header ``name,locode,country,lat,lon`` (extra columns are ignored).

    Raises ``ValueError`` naming the file and line for a missing column, an empty name, a malformed LOCODE or
    country code, a coordinate that is not a number or out of range, or a LOCODE given twice.
    """
    path = Path(path)
    ports: List[Port] = []
    seen = {}
    # utf-8-sig: spreadsheet programs often save a byte-order mark at the start of the file
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [c for c in PORT_COLUMNS if c not in header]
        if missing:
            expected = ",".join(PORT_COLUMNS)
            raise ValueError(f"{path}, line 1: missing column(s) {', '.join(missing)}; expected {expected}")
        for row in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # blank line
            ports.append(_parse_row(row, path, line))
            locode = ports[-1].locode
            if locode in seen:
                raise ValueError(f"{path}, line {line}: LOCODE {locode} already given on line {seen[locode]}")
            seen[locode] = line
    return ports


def _parse_row(row: dict, path: Path, line: int) -> Port:
    def fail(message: str) -> ValueError:
        return ValueError(f"{path}, line {line}: {message}")

    if None in row:  # csv.DictReader puts surplus fields under the key None
        raise fail("more fields than columns in the header")
    values = {c: (row.get(c) or "").strip() for c in PORT_COLUMNS}
    if not values["name"]:
        raise fail("empty port name")
    locode = values["locode"].upper()
    if len(locode) != 5 or not locode.isalnum() or not locode[:2].isalpha():
        raise fail(f"LOCODE {values['locode']!r} is not 2 letters + 3 letters/digits")
    country = values["country"].upper()
    if len(country) != 2 or not country.isalpha():
        raise fail(f"country {values['country']!r} is not a 2-letter code")
    coords = {}
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        try:
            value = float(values[column])
        except ValueError:
            raise fail(f"{column} {values[column]!r} is not a number") from None
        if not -limit <= value <= limit:  # also rejects NaN
            raise fail(f"{column} {value} is outside [-{limit:g}, {limit:g}]")
        coords[column] = value
    return Port(values["name"], locode, country, coords["lat"], coords["lon"])
