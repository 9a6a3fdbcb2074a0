"""Sanctions lists of vessels: read them, keep them, and find the vessels of AIS reports that are on them.

Formats read (``read_watchlist`` tells them apart by the first row):

- OFAC's ``sdn.csv`` (no header; Latin-1; ``-0-`` for empty; columns ``OFAC_COLUMNS``). Only ``vessel`` rows are
  kept (individuals, entities and aircraft are counted and skipped). The IMO number ("Vessel Registration
  Identification IMO 9187629") and the MMSI ("MMSI 572469210") are read from Remarks, former names from
  "f.k.a. 'ALPHA'" and other names from "a.k.a. 'DENA'". A bare registration number without "IMO" is not taken
  for an IMO number (OFAC uses the same wording for national registry numbers).
- Any CSV with a header naming an IMO, MMSI or name column (``COLUMN_NAMES`` lists the accepted spellings; former
  names and aliases separated by ";"). OpenSanctions' maritime export (``maritime.csv``: type, caption, imo, risk,
  countries, flag, mmsi, id, url, datasets, aliases) is one: its ORGANIZATION rows are skipped as not vessels.

UTF-8 (with or without a byte-order mark) or Latin-1. The text is only ever compared, never evaluated.

Matching (``WatchlistMatcher``): IMO numbers exactly (7 digits; the IMO check digit is not required, since lists
carry numbers as published, but the match says whether it holds), MMSIs exactly (9 digits), names after
``normalise_vessel_name`` (whole names only, never a part), against each entry's name, former names and aliases.
A name match is not made when both the vessel and the entry have IMO numbers and they differ (two ships of one
name); an MMSI match is kept in that case but says so (MMSIs are reused, and spoofed).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .ais.model import AisColumns, TextColumn
from .errors import BaiMeiError

MAX_FILE_BYTES = 256 * 1024 * 1024  # OFAC's whole sdn.csv is about 4 MB; a list of a million vessels about 100 MB
MAX_NAME_CHARS = 200  # the longest real vessel names are about 50 characters
MAX_OTHER_NAMES = 50  # former names and aliases per entry
MAX_LIST_NAME_CHARS = 100

OFAC_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
OFAC_EMPTY = "-0-"
OFAC_TYPES = {"vessel", "individual", "aircraft", OFAC_EMPTY}  # SDN_Type values; an entity's is empty

# Reasons a row is not kept, as counted in ``Watchlist.dropped``.
NOT_A_VESSEL = "not a vessel (a person, company or aircraft entry)"
NO_IDENTIFIER = "no usable IMO number, MMSI or name"
NAME_TOO_LONG = f"name longer than {MAX_NAME_CHARS} characters"

# Header spellings, compared after lower-casing and turning punctuation into spaces ("IMO_Number" -> "imo number").
COLUMN_NAMES: Dict[str, Tuple[str, ...]] = {
    "imo": ("imo", "imo number", "imo no", "imo nr", "imo num", "imonumber", "imo code", "ship imo", "vessel imo"),
    "mmsi": ("mmsi", "mmsi number", "mmsi no", "vessel mmsi", "ship mmsi"),
    "name": ("name", "vessel name", "vessel", "ship name", "ship", "caption", "sdn name", "primary name"),
    "former_names": ("former names", "former name", "previous names", "previous name", "fka", "f k a"),
    "aliases": ("aliases", "alias", "other names", "aka", "a k a", "alternative names"),
    "entry_id": ("id", "entry id", "ent num", "entity id", "uid", "reference", "ref", "list id"),
    "program": ("program", "programme", "programs", "programmes", "sanctions program", "regime", "datasets"),
    "flag": ("flag", "vessel flag", "flag state", "ship flag"),
    "vessel_type": ("vessel type", "ship type", "type"),
    "call_sign": ("call sign", "callsign", "call signs"),
}
IDENTIFYING_COLUMNS = ("imo", "mmsi", "name")
# Values of a plain "type" column that say the row is not a vessel (OpenSanctions' maritime.csv has ORGANIZATION).
NON_VESSEL_TYPES = {"ORGANIZATION", "ORGANISATION", "COMPANY", "PERSON", "INDIVIDUAL", "ENTITY", "AIRCRAFT"}

MATCH_ORDER = ("IMO", "MMSI", "name", "former name", "alias")  # strongest first


@dataclass(frozen=True)
class WatchlistEntry:
    entry_id: str
    name: str
    imo: Optional[str] = None  # 7 digits
    mmsi: Optional[int] = None  # 9 digits
    former_names: Tuple[str, ...] = ()
    program: str = ""
    flag: str = ""
    vessel_type: str = ""
    call_sign: str = ""
    aliases: Tuple[str, ...] = ()  # other current names (OFAC's a.k.a., OpenSanctions' aliases)

    def to_dict(self) -> dict:
        out = {"entry_id": self.entry_id, "name": self.name}
        for key in ("imo", "mmsi", "program", "flag", "vessel_type", "call_sign"):
            value = getattr(self, key)
            if value:
                out[key] = value
        for key in ("former_names", "aliases"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        return out

    @classmethod
    def from_dict(cls, d) -> WatchlistEntry:
        if not isinstance(d, dict):
            raise ValueError(f"an entry is a {type(d).__name__}, not an object")
        imo, mmsi = d.get("imo"), d.get("mmsi")
        if imo is not None and not (isinstance(imo, str) and len(imo) == 7 and imo.isdigit()):
            raise ValueError(f"IMO {str(imo)[:20]!r} is not 7 digits")
        if mmsi is not None and not (isinstance(mmsi, int) and 100_000_000 <= mmsi <= 999_999_999):
            raise ValueError(f"MMSI {str(mmsi)[:20]!r} is not 9 digits")
        return cls(
            entry_id=_text_of(d, "entry_id"),
            name=_text_of(d, "name"),
            imo=imo,
            mmsi=mmsi,
            former_names=_texts_of(d, "former_names"),
            program=_text_of(d, "program"),
            flag=_text_of(d, "flag"),
            vessel_type=_text_of(d, "vessel_type"),
            call_sign=_text_of(d, "call_sign"),
            aliases=_texts_of(d, "aliases"),
        )


def _text_of(d: dict, key: str) -> str:
    value = d.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{key} is a {type(value).__name__}, not text")
    return value


def _texts_of(d: dict, key: str) -> Tuple[str, ...]:
    value = d.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} is not a list of texts")
    return tuple(value)


@dataclass
class Watchlist:
    name: str  # e.g. "OFAC SDN"
    published: Optional[str]  # ISO date
    source: str  # the file's name
    imported: str  # ISO UTC date-time
    entries: List[WatchlistEntry]
    dropped: Dict[str, int] = field(default_factory=dict)  # rows not kept, by reason
    notes: List[str] = field(default_factory=list)  # values ignored (an IMO number of 6 digits...)
    format: str = ""  # "OFAC SDN CSV", "OpenSanctions maritime CSV", "CSV"

    def to_dict(self) -> dict:
        return {
            "version": 1,
            "name": self.name,
            "published": self.published,
            "source": self.source,
            "imported": self.imported,
            "format": self.format,
            "dropped": dict(self.dropped),
            "notes": list(self.notes),
            "entries": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_dict(cls, d) -> Watchlist:
        """The list ``to_dict`` gave; a ValueError saying what is wrong otherwise (the caller names the file)."""
        if not isinstance(d, dict):
            raise ValueError("the file does not hold an object")
        entries = d.get("entries")
        if not isinstance(entries, list):
            raise ValueError("it has no list of entries")
        out = []
        for i, item in enumerate(entries, 1):
            try:
                out.append(WatchlistEntry.from_dict(item))
            except ValueError as exc:
                raise ValueError(f"entry {i}: {exc}") from None
        published = d.get("published")
        if published is not None:
            published = parse_published(published) if isinstance(published, str) else None
        name = _text_of(d, "name").strip()
        if not name:
            raise ValueError("the list has no name")
        dropped = d.get("dropped") or {}
        notes = d.get("notes") or []
        return cls(
            name=name,
            published=published,
            source=_text_of(d, "source"),
            imported=_text_of(d, "imported"),
            entries=out,
            dropped={str(k): int(v) for k, v in dropped.items()} if isinstance(dropped, dict) else {},
            notes=[str(n) for n in notes] if isinstance(notes, list) else [],
            format=_text_of(d, "format"),
        )

    @property
    def title(self) -> str:
        """'OFAC SDN (2023-03-01)', or the name alone when the date is unknown."""
        return f"{self.name} ({self.published})" if self.published else self.name


@dataclass(frozen=True)
class WatchlistMatch:
    list_name: str
    published: Optional[str]
    entry: WatchlistEntry
    matched_on: str  # "IMO", "MMSI", "name", "former name", "alias"
    value: str  # the vessel's value that matched
    note: str = ""  # e.g. the IMO check digit fails, or the vessel reports another IMO number
    listed: str = ""  # a name match: the name as the list writes it

    @property
    def text(self) -> str:
        """'on OFAC SDN (2023-03-01): entry 15036 "ARTAVIL", matched by IMO 9187629'; a name match says the name
        as listed and, when written otherwise, as reported: 'matched by former name "ALPHA" (reported "M/V ALPHA")'."""
        where = f"{self.list_name} ({self.published})" if self.published else self.list_name
        if self.matched_on in ("IMO", "MMSI"):
            value = self.value
        else:
            value = f'"{self.listed or self.value}"'
            if self.listed and self.listed != self.value:
                value += f' (reported "{self.value}")'
        text = f'on {where}: entry {self.entry.entry_id} "{self.entry.name}", matched by {self.matched_on} {value}'
        return f"{text} ({self.note})" if self.note else text


# ------------------------------------------------------------------------------------------------ normalising


_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_VESSEL_PREFIX = re.compile(r"^(?:M V|MV) (?=\S)")  # "M/V", "M.V." and "MV" once punctuation is a space


def normalise_vessel_name(text) -> str:
    """The name as compared: accents dropped, upper case, punctuation as spaces, spaces collapsed, without a
    leading "M/V", "M.V." or "MV". '' for no name."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _NOT_ALNUM.sub(" ", plain.upper()).strip()
    return _VESSEL_PREFIX.sub("", words)


def imo_check_digit_ok(imo: str) -> bool:
    """The seventh digit is the last digit of the first six weighted 7 to 2."""
    return (
        len(imo) == 7
        and imo.isdigit()
        and sum(int(c) * w for c, w in zip(imo[:6], range(7, 1, -1))) % 10 == int(imo[6])
    )


def imo_digits(value) -> Optional[str]:
    """The 7 digits of an IMO number written "9187629", "IMO 9187629", "IMO9187629" or "9187629.0" (a spreadsheet's
    number); None when it is not 7 digits or all zeros (AIS for "not available")."""
    text = str(value or "").strip().upper()
    text = re.sub(r"^IMO[\s:#.-]*", "", text).replace(" ", "")
    if text.endswith(".0"):
        text = text[:-2]
    return text if len(text) == 7 and text.isdigit() and text != "0000000" else None


def mmsi_number(value) -> Optional[int]:
    """A 9-digit MMSI as a number; None otherwise."""
    text = str(value or "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if len(text) == 9 and text.isdigit() and text[0] != "0" else None


def parse_published(text) -> Optional[str]:
    """An ISO date (YYYY-MM-DD) from what the analyst typed; None for nothing; BaiMeiError for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise BaiMeiError(f"The published date {text[:40]!r} is not a date: expected YYYY-MM-DD.") from None


def date_in_file_name(path: str) -> Optional[str]:
    """The date in a file's name: 'ofac_sdn_vessels_2023-03-01.csv' -> '2023-03-01' (also 20230301)."""
    stem = os.path.basename(path)
    for match in re.finditer(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)", stem):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
        except ValueError:
            continue
    return None


def clean_name(text: str) -> str:
    """A name as shown: control characters and runs of spaces as one space."""
    if text.isprintable():  # the common case, without a look at each character
        return " ".join(text.split())
    return " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split())


# ------------------------------------------------------------------------------------------------ reading


def _check_file(path: str) -> int:
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise BaiMeiError(f"Cannot read the sanctions list {name}: it is not a file ({path}).")
    size = os.path.getsize(path)
    if size == 0:
        raise BaiMeiError(f"The sanctions list {name} is empty.")
    if size > MAX_FILE_BYTES:
        raise BaiMeiError(
            f"The sanctions list {name} is {size / 2**20:,.0f} MB: larger than the {MAX_FILE_BYTES // 2**20} MB a "
            "list of vessels can be (OFAC's whole SDN list is about 4 MB). Is it the right file?"
        )
    return size


def _encoding(path: str) -> str:
    """'utf-8-sig' when the whole file is UTF-8, else 'latin-1' (OFAC's). Streams the file: no second copy of it
    in memory. A NUL byte means it is not a text file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if b"\x00" in chunk:
                raise BaiMeiError(
                    f"The sanctions list {os.path.basename(path)} is not a text CSV file (it contains NUL bytes)."
                )
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    return "utf-8-sig" if utf8 else "latin-1"


def _header_key(text: str) -> str:
    return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())


def header_columns(header: Sequence[str]) -> Dict[str, int]:
    """Which column holds what: {'imo': 2, 'name': 1, ...} from a header row (first spelling found wins)."""
    keys = [_header_key(h) for h in header]
    out = {}
    for what, spellings in COLUMN_NAMES.items():
        index = next((i for i, k in enumerate(keys) if k in spellings), None)
        if index is not None:
            out[what] = index
    return out


def _looks_like_ofac(row: Sequence[str]) -> bool:
    return len(row) == len(OFAC_COLUMNS) and row[0].strip().isdigit() and row[2].strip().lower() in OFAC_TYPES


def _blank(row: Sequence[str]) -> bool:
    # OFAC's files end with a DOS end-of-file character on a line of its own
    return all(not cell.strip().strip("\x1a") for cell in row)


class _Collector:
    """Entries, dropped rows by reason and ignored values, with one example each for the notes."""

    def __init__(self):
        self.entries: List[WatchlistEntry] = []
        self.dropped: Dict[str, int] = {}
        self.ignored: Dict[str, List] = {}  # what -> [count, example]

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def ignore(self, what: str, line: int, value: str) -> None:
        seen = self.ignored.setdefault(what, [0, f"line {line}: {value[:30]!r}"])
        seen[0] += 1

    def notes(self) -> List[str]:
        return [f"{count:,} {what}, ignored (e.g. {example})" for what, (count, example) in self.ignored.items()]


def _names(values: Iterable[str], line: int, found: _Collector) -> Tuple[str, ...]:
    out = []
    for value in values:
        name = clean_name(value)
        if not name:
            continue
        if len(name) > MAX_NAME_CHARS:
            found.ignore(f"former names or aliases longer than {MAX_NAME_CHARS} characters", line, name)
            continue
        if name not in out:
            out.append(name)
    if len(out) > MAX_OTHER_NAMES:
        found.ignore(f"entries with more than {MAX_OTHER_NAMES} other names (the rest)", line, out[MAX_OTHER_NAMES])
    return tuple(out[:MAX_OTHER_NAMES])


_OFAC_IMO = re.compile(r"\bIMO\s+([0-9]{1,15})")
_OFAC_MMSI = re.compile(r"\bMMSI\s+([0-9]{1,15})")
_OFAC_FKA = re.compile(r"\bf\.k\.a\.\s+'([^']{0,300})'")
_OFAC_AKA = re.compile(r"\ba\.k\.a\.\s+'([^']{0,300})'")


def _ofac_value(cell: str) -> str:
    text = cell.strip()
    return "" if text == OFAC_EMPTY else text


def _ofac_entries(rows: Iterator, source: str, found: _Collector) -> None:
    for line, row in rows:
        if _blank(row):
            continue
        if len(row) != len(OFAC_COLUMNS):
            raise BaiMeiError(
                f"{source}, line {line}: {len(row)} columns where OFAC's sdn.csv has {len(OFAC_COLUMNS)} "
                f"({', '.join(OFAC_COLUMNS)}). Is it the whole file, unchanged?"
            )
        values = [_ofac_value(cell) for cell in row]
        if not values[0].isdigit():
            raise BaiMeiError(
                f"{source}, line {line}: ent_num {values[0][:30]!r} is not a number, as in OFAC's sdn.csv."
            )
        if values[2].lower() != "vessel":
            found.drop(NOT_A_VESSEL)
            continue
        _add_entry(found, values, *_ofac_remarks(values[11], line, found))


def _ofac_remarks(remarks: str, line: int, found: _Collector):
    imo = mmsi = None
    for raw in _OFAC_IMO.findall(remarks)[:1]:
        imo = imo_digits(raw)
        if imo is None:
            found.ignore("IMO numbers that are not 7 digits", line, raw)
    for raw in _OFAC_MMSI.findall(remarks)[:1]:
        mmsi = mmsi_number(raw)
        if mmsi is None:
            found.ignore("MMSIs that are not 9 digits", line, raw)
    former = _names(_OFAC_FKA.findall(remarks), line, found)
    aliases = _names(_OFAC_AKA.findall(remarks), line, found)
    return imo, mmsi, former, aliases


def _add_entry(found: _Collector, values: List[str], imo, mmsi, former, aliases) -> None:
    """An OFAC entry (``values`` in OFAC_COLUMNS order), or its row counted as dropped."""
    name = clean_name(values[1])
    if len(name) > MAX_NAME_CHARS:
        found.drop(NAME_TOO_LONG)
        return
    if not (imo or mmsi or normalise_vessel_name(name)):
        found.drop(NO_IDENTIFIER)
        return
    found.entries.append(
        WatchlistEntry(
            entry_id=values[0],
            name=name,
            imo=imo,
            mmsi=mmsi,
            former_names=former,
            program=values[3],
            flag=values[9],
            vessel_type=values[6],
            call_sign=values[5],
            aliases=aliases,
        )
    )


def _split(value: str) -> List[str]:
    return [part for part in re.split(r"[;|]", value) if part.strip()]


def _csv_entries(rows: Iterator, columns: Dict[str, int], header: Sequence[str], source: str, found) -> None:
    needed = max(columns.values()) + 1
    for line, row in rows:
        if _blank(row):
            continue
        if len(row) < needed:
            missing = [header[i] for i in sorted(set(columns.values())) if i >= len(row)]
            raise BaiMeiError(
                f"{source}, line {line}: {len(row)} values where the header has {len(header)}: no value for "
                f"{', '.join(repr(m[:30]) for m in missing)}."
            )
        cell = {what: row[i].strip() for what, i in columns.items()}
        _csv_entry(cell, line, found)


def _csv_entry(cell: Dict[str, str], line: int, found: _Collector) -> None:
    kind = cell.get("vessel_type", "")
    if kind.upper() in NON_VESSEL_TYPES:
        found.drop(NOT_A_VESSEL)
        return
    name = clean_name(cell.get("name", ""))
    if len(name) > MAX_NAME_CHARS:
        found.drop(NAME_TOO_LONG)
        return
    imos = [imo for imo in (_csv_imo(v, line, found) for v in _split(cell.get("imo", ""))) if imo]
    mmsis = [m for m in (_csv_mmsi(v, line, found) for v in _split(cell.get("mmsi", ""))) if m]
    if not (imos or mmsis or normalise_vessel_name(name)):  # a name of punctuation alone is none
        found.drop(NO_IDENTIFIER)
        return
    entry_id = clean_name(cell.get("entry_id", ""))[:100] or f"line {line}"
    former = _names(_split(cell.get("former_names", "")), line, found)
    aliases = _names(_split(cell.get("aliases", "")), line, found)
    # One entry per extra IMO number or MMSI (OpenSanctions joins several with ";"), all under one entry id.
    for i in range(max(len(imos), len(mmsis), 1)):
        found.entries.append(
            WatchlistEntry(
                entry_id=entry_id,
                name=name,
                imo=imos[i] if i < len(imos) else None,
                mmsi=mmsis[i] if i < len(mmsis) else None,
                former_names=former,
                program=clean_name(cell.get("program", ""))[:200],
                flag=clean_name(cell.get("flag", ""))[:100],
                vessel_type="" if kind.upper() == "VESSEL" else clean_name(kind)[:100],
                call_sign=clean_name(cell.get("call_sign", ""))[:20],
                aliases=aliases,
            )
        )


def _csv_imo(value: str, line: int, found: _Collector) -> Optional[str]:
    imo = imo_digits(value)
    if imo is None and value.strip() and set(value.strip()) != {"0"}:
        found.ignore("IMO numbers that are not 7 digits", line, value)
    return imo


def _csv_mmsi(value: str, line: int, found: _Collector) -> Optional[int]:
    mmsi = mmsi_number(value)
    if mmsi is None and value.strip() and set(value.strip()) != {"0"}:
        found.ignore("MMSIs that are not 9 digits", line, value)
    return mmsi


def _records(reader, source: str) -> Iterator[Tuple[int, List[str]]]:
    """(line, row) of each record; a CSV error (a field too large, an unclosed quote) names the line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BaiMeiError(f"{source}, line {reader.line_num}: not readable as CSV ({exc}).") from None
        yield reader.line_num, row


def _unknown_format(source: str, first: Sequence[str]) -> BaiMeiError:
    shown = ", ".join(repr(cell.strip()[:30]) for cell in first[:12]) or "nothing"
    spellings = "; ".join(f"{what}: {', '.join(COLUMN_NAMES[what][:4])}" for what in IDENTIFYING_COLUMNS)
    return BaiMeiError(
        f"{source}: no IMO, MMSI or name column in the first row (found {shown}). Expected a header naming at "
        f"least one of them ({spellings}), or OFAC's sdn.csv ({len(OFAC_COLUMNS)} columns, no header)."
    )


def default_list_name(path: str, format_name: str) -> str:
    if format_name.startswith("OFAC"):
        return "OFAC SDN"
    if format_name.startswith("OpenSanctions"):
        return "OpenSanctions maritime"
    stem = os.path.splitext(os.path.basename(path))[0]
    stem = re.sub(r"(?<!\d)\d{4}-?\d{2}-?\d{2}(?!\d)", "", stem)
    return " ".join(_NOT_ALNUM.sub(" ", stem).split())[:MAX_LIST_NAME_CHARS] or "Sanctions list"


def read_watchlist(path, name: Optional[str] = None, published: Optional[str] = None) -> Watchlist:
    """The vessels of a sanctions list file (see the module docstring for the formats); BaiMeiError naming the
    file, the line and what was expected otherwise. ``published`` defaults to a date in the file's name."""
    path = os.fspath(path)
    source = os.path.basename(path)
    _check_file(path)
    found = _Collector()
    with open(path, newline="", encoding=_encoding(path)) as handle:
        reader = csv.reader(handle)
        rows = _records(reader, source)
        first = next(rows, None)
        if first is None:
            raise BaiMeiError(f"The sanctions list {source} has no rows.")
        columns = header_columns(first[1])
        if _looks_like_ofac(first[1]):  # first: its data could pass for a header ("vessel" in SDN_Type)
            format_name = "OFAC SDN CSV"
            _ofac_entries(_chain(first, rows), source, found)
        elif any(what in columns for what in IDENTIFYING_COLUMNS):
            is_open_sanctions = {"caption", "imo", "datasets"} <= {_header_key(h) for h in first[1]}
            format_name = "OpenSanctions maritime CSV" if is_open_sanctions else "CSV"
            _csv_entries(rows, columns, first[1], source, found)
        else:
            raise _unknown_format(source, first[1])
    if not found.entries:
        reasons = "; ".join(f"{count:,} {reason}" for reason, count in found.dropped.items()) or "no data rows"
        raise BaiMeiError(f"No vessels in the sanctions list {source} ({reasons}).")
    return Watchlist(
        name=list_name(name) if name is not None else default_list_name(path, format_name),
        published=parse_published(published) if published else date_in_file_name(path),
        source=source,
        imported=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        entries=found.entries,
        dropped=found.dropped,
        notes=found.notes(),
        format=format_name,
    )


def list_name(text: str) -> str:
    """A list's name as given by the analyst: one line, not empty, at most MAX_LIST_NAME_CHARS."""
    name = clean_name(text or "")
    if not name:
        raise BaiMeiError("A sanctions list needs a name (e.g. OFAC SDN).")
    if len(name) > MAX_LIST_NAME_CHARS:
        raise BaiMeiError(f"The list's name is {len(name)} characters long: at most {MAX_LIST_NAME_CHARS}.")
    return name


def _chain(first, rest):
    yield first
    yield from rest


# ------------------------------------------------------------------------------------------------ matching


class WatchlistMatcher:
    """Looks vessels up in lists: by IMO number, MMSI and normalised name, former name and alias (dicts)."""

    def __init__(self, watchlists: Sequence[Watchlist]):
        self.watchlists = list(watchlists)
        self.by_imo: Dict[str, List] = {}
        self.by_mmsi: Dict[int, List] = {}
        self.by_name: Dict[str, List] = {}  # normalised name -> [(list, entry, how, the name as listed)]
        for wl in self.watchlists:
            for entry in wl.entries:
                self._index(wl, entry)

    def _index(self, wl: Watchlist, entry: WatchlistEntry) -> None:
        if entry.imo:
            self.by_imo.setdefault(entry.imo, []).append((wl, entry))
        if entry.mmsi:
            self.by_mmsi.setdefault(entry.mmsi, []).append((wl, entry))
        for how, names in (("name", (entry.name,)), ("former name", entry.former_names), ("alias", entry.aliases)):
            for listed in names:
                key = normalise_vessel_name(listed)
                if key:
                    self.by_name.setdefault(key, []).append((wl, entry, how, listed))

    def __bool__(self) -> bool:
        return bool(self.by_imo or self.by_mmsi or self.by_name)

    def match(
        self, mmsi: Optional[int] = None, imo: Optional[str] = None, names: Iterable[str] = (), imos: Iterable[str] = ()
    ) -> List[WatchlistMatch]:
        """The entries this vessel matches, one match per entry (the strongest: IMO, MMSI, name, former name,
        alias), in that order. ``imos``: more IMO numbers the vessel reported."""
        vessel_imos = {i for i in (imo_digits(v) for v in (imo, *imos)) if i}
        found: Dict[Tuple[str, str], WatchlistMatch] = {}
        for number in sorted(vessel_imos):
            note = "" if imo_check_digit_ok(number) else "the IMO check digit fails"
            for wl, entry in self.by_imo.get(number, ()):
                self._keep(found, WatchlistMatch(wl.name, wl.published, entry, "IMO", number, note))
        if mmsi is not None:
            for wl, entry in self.by_mmsi.get(int(mmsi), ()):
                other = vessel_imos and entry.imo and entry.imo not in vessel_imos
                note = f"the vessel reports IMO {', '.join(sorted(vessel_imos))}, the list {entry.imo}" if other else ""
                self._keep(found, WatchlistMatch(wl.name, wl.published, entry, "MMSI", str(int(mmsi)), note))
        for name in {clean_name(n) for n in names if n}:
            for wl, entry, how, listed in self.by_name.get(normalise_vessel_name(name), ()):
                if vessel_imos and entry.imo and entry.imo not in vessel_imos:
                    continue  # another ship of the same name
                self._keep(found, WatchlistMatch(wl.name, wl.published, entry, how, name, listed=listed))
        return sorted(found.values(), key=lambda m: (MATCH_ORDER.index(m.matched_on), m.list_name, m.entry.entry_id))

    @staticmethod
    def _keep(found: Dict, match: WatchlistMatch) -> None:
        key = (match.list_name, match.entry.entry_id)
        old = found.get(key)
        if old is None or MATCH_ORDER.index(match.matched_on) < MATCH_ORDER.index(old.matched_on):
            found[key] = match

    def match_reports(self, cols: AisColumns) -> Dict[int, List[WatchlistMatch]]:
        """The matches of each vessel (MMSI) in the reports that is on a list, from its MMSI and every IMO number
        and name it reported (each distinct value read once per vessel)."""
        if not self or len(cols) == 0:
            return {}
        imos = _values_by_vessel(cols.mmsi, cols.imo) if "imo" not in cols.absent else {}
        names = _values_by_vessel(cols.mmsi, cols.vessel_name) if "vessel_name" not in cols.absent else {}
        out = {}
        for mmsi in np.unique(cols.mmsi).tolist():
            matches = self.match(mmsi=mmsi, names=names.get(mmsi, ()), imos=imos.get(mmsi, ()))
            if matches:
                out[int(mmsi)] = matches
        return out


def _values_by_vessel(mmsi: np.ndarray, column: TextColumn) -> Dict[int, List[str]]:
    """Each MMSI's distinct values of a text column (numpy: one pass over the rows)."""
    rows = np.flatnonzero(column.codes >= 0)
    if len(rows) == 0:
        return {}
    pairs = np.unique(np.stack([mmsi[rows], column.codes[rows].astype(np.int64)], axis=1), axis=0)
    out: Dict[int, List[str]] = {}
    values = column.values
    for m, code in pairs.tolist():
        out.setdefault(int(m), []).append(values[code])
    return out


# ------------------------------------------------------------------------------------------------ the map layer


def _where(match: WatchlistMatch) -> str:
    return f"{match.list_name} ({match.published})" if match.published else match.list_name


@dataclass
class ListedVessel:
    """A vessel of the reports that is on a list, at its last reported position (the "Listed vessels" layer)."""

    mmsi: int
    vessel_name: Optional[str]
    lists: str  # "OFAC SDN (2023-03-01); UN 1718"
    matched_on: str  # "IMO 9187629; name"
    label: str  # name and lists, the map's label
    matches: str  # each match's text, one per line
    last_seen: int  # epoch seconds of the position
    lon: float = field(repr=False)
    lat: float = field(repr=False)


def listed_vessels(cols: AisColumns, matches: Dict[int, List[WatchlistMatch]]) -> List[ListedVessel]:
    """One record per matched MMSI that has a position in ``cols``, at its last one, in MMSI order."""
    if not matches or len(cols) == 0:
        return []
    keys = np.array(sorted(matches), dtype=np.int64)
    rows = np.flatnonzero(np.isin(cols.mmsi, keys) & np.isfinite(cols.lon) & np.isfinite(cols.lat))
    if len(rows) == 0:
        return []
    rows = rows[np.lexsort((cols.t[rows], cols.mmsi[rows]))]
    m = cols.mmsi[rows]
    last = rows[np.append(m[1:] != m[:-1], True)]
    named = _values_by_vessel(cols.mmsi, cols.vessel_name) if "vessel_name" not in cols.absent else {}
    out = []
    for row in last.tolist():
        mmsi = int(cols.mmsi[row])
        name = cols.vessel_name.get(row) or (named.get(mmsi) or [None])[-1]
        found = matches[mmsi]
        lists = "; ".join(dict.fromkeys(_where(x) for x in found))
        out.append(
            ListedVessel(
                mmsi=mmsi,
                vessel_name=name,
                lists=lists,
                matched_on="; ".join(dict.fromkeys(f"{x.matched_on} {x.value}" for x in found)),
                label=f"{name or mmsi} ({'; '.join(dict.fromkeys(x.list_name for x in found))})",
                matches="\n".join(x.text for x in found),
                last_seen=int(cols.t[row]),
                lon=float(cols.lon[row]),
                lat=float(cols.lat[row]),
            )
        )
    return out
