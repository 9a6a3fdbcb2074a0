"""Converts the NGA World Port Index (Pub. 150, ``UpdatedPub150.csv``) into the bundled port layer
``resources/ports/world_port_index.csv``. Run once from the repository root; the output is committed:

    python -m tests.data_tools.convert_wpi ../shared/data/ports/UpdatedPub150.csv resources/ports/world_port_index.csv

Kept per port: name, alternate name, UN/LOCODE (without its space), ISO country code and name, harbour size and type,
position and the maximum vessel length and draught (blank when the index gives 0, its "unknown"). What is changed or
dropped is counted by reason and printed, and goes into resources/ports/README.md.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from typing import Dict, List

COLUMNS = (
    "name", "alternate_name", "locode", "country", "country_name", "harbour_size", "harbour_type",
    "lat", "lon", "max_length_m", "max_draft_m", "wpi_number",
)  # fmt: skip
SIZE_ORDER = {"Large": 0, "Medium": 1, "Small": 2, "Very Small": 3}
# countries of the index none of whose ports has a UN/LOCODE to take the ISO 3166 code from
ISO_WITHOUT_LOCODE = {
    "Gibraltar": "GI",
    "Johnson Atoll": "UM",
    "Midway Islands": "UM",
    "Norfolk Island": "NF",
    "Palau": "PW",
    "Wake Island": "UM",
}


def _text(value) -> str:
    return " ".join((value or "").split())


def _locode(value: str) -> str:
    code = (value or "").replace(" ", "").upper()
    ok = len(code) == 5 and code.isalnum() and code[:2].isalpha()
    return code if ok else ""


def _size(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return ""
    return f"{number:g}" if number > 0 else ""  # the index writes 0 for "not known"


def country_codes(rows: List[dict]) -> Dict[str, str]:
    """ISO code of each country name of the index: the code most of its ports' UN/LOCODEs start with (one Japanese
    port's "JB..." does not make Japan "JB")."""
    prefixes: Dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        code = _locode(row["UN/LOCODE"])
        if code:
            prefixes[row["Country Code"].strip()][code[:2]] += 1
    codes = {name: counter.most_common(1)[0][0] for name, counter in prefixes.items()}
    codes.update({k: v for k, v in ISO_WITHOUT_LOCODE.items() if k not in codes})
    return codes


def convert(rows: List[dict]):
    """The bundled rows (sorted by country and name) and the counts of what was changed, by reason."""
    counts: Counter = Counter()
    codes = country_codes(rows)
    out = []
    for row in rows:
        raw = _text(row["UN/LOCODE"])
        locode = _locode(raw)
        if raw and not locode:
            counts[f"UN/LOCODE {raw!r} not 2 letters + 3 letters/digits: left blank"] += 1
        elif not raw:
            counts["no UN/LOCODE in the index"] += 1
        country_name = row["Country Code"].strip()
        out.append(
            {
                "name": _text(row["Main Port Name"]),
                "alternate_name": _text(row["Alternate Port Name"]),
                "locode": locode,
                "country": codes[country_name],
                "country_name": country_name,
                "harbour_size": _text(row["Harbor Size"]),
                "harbour_type": _text(row["Harbor Type"]),
                "lat": f"{float(row['Latitude']):.6f}",
                "lon": f"{float(row['Longitude']):.6f}",
                "max_length_m": _size(row["Maximum Vessel Length (m)"]),
                "max_draft_m": _size(row["Maximum Vessel Draft (m)"]),
                "wpi_number": _text(row["World Port Index Number"]),
            }
        )
    _one_port_per_locode(out, counts)
    out.sort(key=lambda r: (r["country"], r["name"], float(r["wpi_number"])))
    return out, counts


def _one_port_per_locode(out: List[dict], counts: Counter) -> None:
    """The index gives a few UN/LOCODEs to two entries (a port and its terminal): the larger harbour keeps the code
    (then the lower index number), the other keeps its row with the code blank, so a LOCODE names one port."""
    by_code: Dict[str, List[dict]] = defaultdict(list)
    for row in out:
        if row["locode"]:
            by_code[row["locode"]].append(row)
    for rows in by_code.values():
        rows.sort(key=lambda r: (SIZE_ORDER.get(r["harbour_size"], 9), float(r["wpi_number"])))
        for row in rows[1:]:
            counts[f"UN/LOCODE given to two ports, kept by the larger: blank for {row['name']} ({row['locode']})"] += 1
            row["locode"] = ""


def main(argv: List[str]) -> int:
    source, target = argv
    with open(source, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    out, counts = convert(rows)
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"{len(rows)} ports read from {source}, {len(out)} written to {target}")
    for reason, count in sorted(counts.items()):
        print(f"  {count:5d}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
