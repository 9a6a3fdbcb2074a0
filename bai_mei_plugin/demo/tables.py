"""The demo's SYNTHETIC tables in ``resources/demo/`` (see its README): read in file order, values checked.

Order is part of the data: the generator draws its random choices in table order, so a table is returned as a list
of rows exactly as they appear in the file.
"""

from __future__ import annotations

import csv
from typing import Callable, Dict, List, Tuple

from ..core.errors import BaiMeiError
from ..paths import resource_path

Converter = Callable[[str], object]


def words(text: str) -> Tuple[str, ...]:
    """A space-separated list in one cell."""
    return tuple(text.split())


def integers(text: str) -> Tuple[int, ...]:
    return tuple(int(w) for w in text.split())


def number(text: str):
    """An int when written without a decimal point (weights and counts), else a float."""
    return float(text) if any(c in text for c in ".eE") else int(text)


def table_path(name: str) -> str:
    return resource_path("demo", name)


def read_table(name: str, columns: Tuple[Tuple[str, Converter], ...]) -> List[tuple]:
    """Rows of ``resources/demo/<name>`` as tuples in the order of ``columns`` (name, converter); the header must
    name exactly these columns. A missing file, a wrong header or a bad value is a BaiMeiError naming the file, the
    row and the column."""
    path = table_path(name)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            expected = [c for c, _ in columns]
            if header != expected:
                raise BaiMeiError(
                    f"The demo table {path} has the columns {', '.join(header) or '(none)'}; expected "
                    f"{', '.join(expected)}."
                )
            return [_row(path, line, cells, columns) for line, cells in enumerate(reader, start=2)]
    except OSError as exc:
        raise BaiMeiError(f"Cannot read the demo table {path}: {exc.strerror or exc}.") from None


def _row(path: str, line: int, cells: List[str], columns: Tuple[Tuple[str, Converter], ...]) -> tuple:
    if len(cells) != len(columns):
        raise BaiMeiError(f"Row {line} of the demo table {path} has {len(cells)} cells; expected {len(columns)}.")
    values = []
    for (column, convert), cell in zip(columns, cells):
        try:
            values.append(convert(cell))
        except ValueError:
            raise BaiMeiError(
                f"Row {line} of the demo table {path}: {column} is {cell!r}, not a valid value for that column."
            ) from None
    return tuple(values)


def grouped(rows: List[tuple]) -> Dict[str, List[tuple]]:
    """Rows keyed by their first value (file order kept within and across keys)."""
    out: Dict[str, List[tuple]] = {}
    for key, *rest in rows:
        out.setdefault(key, []).append(tuple(rest))
    return out
