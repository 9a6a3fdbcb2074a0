"""The ports gazetteer: a CSV of port positions (``name,locode,country,lat,lon``) used to name port calls.

The default is the NGA World Port Index (``resources/ports/world_port_index.csv``, 3,768 ports worldwide, converted
by ``tests/data_tools/convert_wpi.py``; its ``alternate_name`` column is kept). About half of its positions (quays and
towns) lie on the land of QGIS's world map: distances by sea start from the map's water within
``core.sea_grid.SNAP_KM`` of a port, and a port farther in is named in the notes and is not a candidate by sea. The
hand-made regional gazetteer (``resources/ports/ports.csv``, the ports of the Yellow Sea, Bohai, Korea Strait and Sea
of Japan that the demo routes its ships by) stays bundled as a choice: give it as the ports layer.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

PORT_COLUMNS = ("name", "locode", "country", "lat", "lon")
DEFAULT_PORTS_FILE = "world_port_index.csv"  # in resources/ports: the NGA World Port Index, see its README.md
REGIONAL_PORTS_FILE = "ports.csv"  # in resources/ports: the hand-made regional gazetteer the demo routes by
WORLD_PORT_INDEX_FILE = DEFAULT_PORTS_FILE


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
    # other names the port is known by ("Chinnampo" for Nampo), "; "-separated as in the World Port Index
    alternate_name: str = field(default="", compare=False, repr=False)


def load_ports(path) -> List[Port]:
    """Read a ports CSV with the header ``name,locode,country,lat,lon`` (``alternate_name`` is read when present;
    other columns are ignored). A blank LOCODE is allowed: 430 ports of the World Port Index have none.

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
            if locode and locode in seen:
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
    locode = values["locode"].upper().replace(" ", "")  # "KP NAM", as the World Port Index writes it, is KPNAM
    if locode and (len(locode) != 5 or not locode.isalnum() or not locode[:2].isalpha()):
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
    alternate = " ".join((row.get("alternate_name") or "").split())
    return Port(values["name"], locode, country, coords["lat"], coords["lon"], alternate_name=alternate)
