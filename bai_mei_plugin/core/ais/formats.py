"""AIS file formats: detection from the first lines, and the mapping of source columns to Bai Mei's columns."""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..errors import BaiMeiError
from .dataset import list_parts
from .source import HEAD_BYTES, STREAM_ERRORS, SourceInfo, binary_share, damaged, inspect, open_utf8, size_text
from .timeparse import (  # noqa: F401  (re-exported: the time formats are named here for the readers and the UI)
    TIME_COMPACT,
    TIME_DAY_FIRST,
    TIME_DAY_FIRST_MINUTES,
    TIME_FORMATS,
    TIME_ISO,
    TIME_MONTH_FIRST,
    TIME_UNIX,
    TIME_UNIX_MS,
    guess,
    guess_time_format,
    time_pattern,
)

BINARY_SHARE = 0.1  # more than this share of odd characters in the first 64 KB: a binary file, not text


class AisFormat(enum.IntEnum):
    """The order is the order of the Processing FORMAT enum; keep it stable (new formats go at the end)."""

    AUTO = 0
    MARINECADASTRE = 1
    DMA = 2
    GENERIC = 3
    NMEA = 4
    JSONL = 5
    PARQUET = 6


FORMAT_LABELS = {
    AisFormat.AUTO: "Auto-detect",
    AisFormat.MARINECADASTRE: "NOAA MarineCadastre CSV",
    AisFormat.DMA: "Danish Maritime Authority (aisdk) CSV",
    AisFormat.GENERIC: "Generic CSV (column mapping)",
    AisFormat.NMEA: "NMEA 0183 AIVDM/AIVDO log",
    AisFormat.JSONL: "JSON Lines / NDJSON (one report per line)",
    AisFormat.PARQUET: "Parquet / GeoParquet",
}
CSV_FORMATS = (AisFormat.MARINECADASTRE, AisFormat.DMA, AisFormat.GENERIC)

# Bai Mei column -> normalised source names that mean it (normalised: lower case, letters and digits only).
SYNONYMS: Dict[str, tuple] = {
    "mmsi": ("mmsi", "ssvid", "userid", "mmsinumber", "vesselid", "shipid", "id"),
    "time": (
        "basedatetime",
        "timestamp",
        "datetime",
        "time",
        "timestamputc",
        "postime",
        "date",
        "t",
        "fixtime",
        "msgtime",
        "receivedtime",
        "ts",
    ),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "sog": ("sog", "speed", "speedoverground", "speedknots"),
    "cog": ("cog", "course", "courseoverground"),
    "heading": ("heading", "trueheading", "hdg"),
    "vessel_name": ("vesselname", "name", "shipname", "shipnameais"),
    "imo": ("imo", "imonumber"),
    "callsign": ("callsign", "call_sign"),
    "vessel_type": ("vesseltype", "shiptype", "shipandcargotype"),
    "draught": ("draft", "draught"),
    "destination": ("destination", "dest"),
    "mobile_type": (
        "typeofmobile",
        "mobiletype",
        "messagetype",
        "msgtype",
        "messageid",
        "msgid",
        "aismessagetype",
        "aistype",
        "transceiverclass",
        "transceiver",
    ),
}
REQUIRED = ("mmsi", "time", "lat", "lon")
OPTIONAL = ("sog", "cog", "heading", "vessel_name", "imo", "callsign", "vessel_type", "draught", "destination")

MARINECADASTRE_HEADER = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,"
    "TransceiverClass"
)
MARINECADASTRE_2024_HEADER = (
    "mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,vessel_type,status,length,"
    "width,draft,cargo,transceiver"
)
DMA_HEADER = (
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,"
    "Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type"
)
# The DMA feed carries these mobile types for vessels; everything else (Base Station, AtoN, SAR Airborne...) is not.
VESSEL_MOBILE_TYPES = ("class a", "class b", "a", "b")
# A generic CSV's message-type column may hold AIS message numbers instead: these are vessel reports (positions of
# Class A and B, static and voyage data, long-range positions); 4 and 11 are base stations, 9 SAR aircraft, 21 AtoN.
VESSEL_MESSAGE_TYPES = (1, 2, 3, 5, 18, 19, 24, 27)
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

_NMEA_LINE = re.compile(r"^(\\[^\\]*\\)?[!$][A-Z]{2}VD[MO],")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass
class ColumnMapping:
    """Which source column holds each Bai Mei column (``None``: the source lacks it)."""

    columns: Dict[str, Optional[str]] = field(default_factory=dict)
    time_format: str = TIME_ISO

    def get(self, name: str) -> Optional[str]:
        return self.columns.get(name)

    def missing_required(self) -> List[str]:
        return [name for name in REQUIRED if not self.columns.get(name)]


@dataclass
class Detection:
    """What a file looks like: its format, header, mapping and whether the guess needs a human check."""

    format: AisFormat
    header: List[str]
    mapping: ColumnMapping
    confident: bool
    notes: List[str] = field(default_factory=list)
    sample_rows: List[List[str]] = field(default_factory=list)
    delimiter: str = ","  # CSV: the field separator detected (",", ";", tab or "|")
    decimal_comma: bool = False  # CSV: numbers written "37,5" (with a ";" or tab separator)
    parts: List[str] = field(default_factory=list)  # a dataset: the files or zip members read as one


def read_head(path: str, n_lines: int = 20) -> List[str]:
    """The first lines of a file as text (checked, decompressed, BOM removed, undecodable bytes replaced)."""
    info = inspect(path)
    try:
        with open_utf8(info) as opened:
            raw = opened.stream.read(HEAD_BYTES)
    except OSError as exc:
        raise BaiMeiError(f"Cannot open the AIS file {path}: {exc.strerror or exc}.") from exc
    except STREAM_ERRORS as exc:
        raise damaged(info, exc) from exc
    text = raw.decode("utf-8", errors="replace")
    if binary_share(text) > BINARY_SHARE:
        what = f"{info.compression}-compressed binary data" if info.compression else "a binary file"
        raise BaiMeiError(
            f"{info.name} is {what}, not AIS CSV or NMEA text ({binary_share(text):.0%} of its first "
            f"{size_text(len(raw))} are control characters or bytes that are not text): choose the CSV "
            f"or NMEA file itself ({path})."
        )
    lines = text.splitlines()
    if len(raw) == HEAD_BYTES and lines:
        if len(lines) == 1:
            raise no_line_break_error(info)
        lines = lines[:-1]  # the last line may be cut in the middle
    return lines[:n_lines]


def no_line_break_error(info: SourceInfo) -> BaiMeiError:
    return BaiMeiError(
        f"{info.name} has no line break in its first {size_text(HEAD_BYTES)} (the file is {size_text(info.size)}): "
        "AIS CSV and NMEA files hold one report per line of under 1 KB, so this is not an AIS file, or its line "
        f"ends were lost in a conversion. Choose the original CSV or NMEA file ({info.path})."
    )


def printable(text: str, limit: int = 200) -> str:
    """``text`` safe to show in a message: control characters and undecodable bytes as '?', cut to ``limit``."""
    cleaned = "".join(c if c.isprintable() and c != "\ufffd" else "?" for c in text[:limit])
    return cleaned + ("..." if len(text) > limit else "")


def auto_mapping(header: List[str]) -> ColumnMapping:
    """Map each Bai Mei column to the first header column whose normalised name is a known synonym."""
    by_norm: Dict[str, str] = {}
    for name in header:
        by_norm.setdefault(normalise(name), name)
    columns: Dict[str, Optional[str]] = {}
    for target, names in SYNONYMS.items():
        columns[target] = next((by_norm[n] for n in names if n in by_norm), None)
    return ColumnMapping(columns=columns)


def sniff_delimiter(lines: List[str]) -> str:
    """The separator that splits the header into the most columns, with the rows agreeing on their number."""
    content = [line for line in lines if line.strip()][:20]
    if not content:
        return ","
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(content, delimiter=delimiter)]
        header_count = counts[0]
        agree = sum(c == header_count for c in counts[1:])
        if header_count > best_count and (len(counts) == 1 or agree >= (len(counts) - 1) / 2):
            best, best_count = delimiter, header_count
    return best


def _header_and_rows(lines: List[str], delimiter: str = ","):
    rows = list(csv.reader(lines, delimiter=delimiter))
    rows = [row for row in rows if row]
    if not rows:
        return [], []
    return [h.strip() for h in rows[0]], rows[1:]


def _uses_decimal_comma(header: List[str], rows: List[List[str]], mapping: ColumnMapping, delimiter: str) -> bool:
    """Numbers such as "37,5" in the latitude or longitude column (only possible when "," is not the separator)."""
    if delimiter == ",":
        return False
    for name in ("lat", "lon"):
        source = mapping.get(name)
        if source in header:
            i = header.index(source)
            if any(len(row) > i and _DECIMAL_COMMA.match(row[i]) for row in rows):
                return True
    return False


def _looks_like_json(lines: List[str]) -> bool:
    content = [line.strip() for line in lines if line.strip()]
    return bool(content) and content[0].startswith("{")


def detect(path: str) -> Detection:
    """Look at the first lines of ``path`` and say which AIS format it is and how its columns map."""
    if inspect(path).parquet:
        from .parquet import detect_parquet

        return detect_parquet(path)
    lines = read_head(path)
    if not any(line.strip() for line in lines):
        raise BaiMeiError(f"The AIS file {path} is empty.")
    content = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if content and sum(bool(_NMEA_LINE.match(line.strip())) for line in content) >= max(1, len(content) // 2):
        return Detection(AisFormat.NMEA, [], ColumnMapping(), True, ["NMEA AIVDM/AIVDO sentences"])
    if _looks_like_json(lines):
        from .jsonl import detect_jsonl

        return detect_jsonl(path, lines)
    delimiter = sniff_delimiter(lines)
    header, rows = _header_and_rows(lines, delimiter)
    return _with_dialect(detection_for_header(path, header, rows), delimiter)


def _with_dialect(detection: Detection, delimiter: str) -> Detection:
    """Record the CSV separator and decimal comma on a detection, with a note when they are not the usual ones."""
    detection.delimiter = delimiter
    detection.decimal_comma = _uses_decimal_comma(detection.header, detection.sample_rows, detection.mapping, delimiter)
    if delimiter != ",":
        detection.notes.append(f"{DELIMITER_NAMES[delimiter]}-separated")
    if detection.decimal_comma:
        detection.notes.append("decimal comma")
    return detection


def detection_for_header(path: str, header: List[str], rows: List[List[str]]) -> Detection:
    norm = {normalise(h) for h in header}
    mapping = auto_mapping(header)
    if {"timestamp", "typeofmobile", "mmsi", "latitude", "longitude"} <= norm:
        mapping.time_format = TIME_DAY_FIRST
        return Detection(AisFormat.DMA, header, mapping, True, ["Danish Maritime Authority aisdk layout"], rows)
    if {"mmsi", "basedatetime"} <= norm and ({"lat", "lon"} <= norm or {"latitude", "longitude"} <= norm):
        mapping.time_format = TIME_ISO
        mapping.columns["mobile_type"] = None  # Class A or B: MarineCadastre files hold vessel reports only
        return Detection(AisFormat.MARINECADASTRE, header, mapping, True, ["NOAA MarineCadastre layout"], rows)
    return generic_detection(path, header, rows, mapping)


def generic_detection(path: str, header: List[str], rows: List[List[str]], mapping: ColumnMapping) -> Detection:
    missing = mapping.missing_required()
    if missing:
        raise unknown_header_error(path, header, missing)
    notes = ["generic CSV: columns matched by name"]
    time_col = header.index(mapping.get("time"))
    guessed, confident = guess([row[time_col] for row in rows if len(row) > time_col])
    mapping.time_format = guessed or TIME_ISO
    if guessed and not confident:
        notes.append(f"times fit both day-first and month-first: {guessed} assumed; check the time format")
    elif not guessed:
        notes.append("the time format could not be told from the first rows; choose it")
    return Detection(AisFormat.GENERIC, header, mapping, confident, notes, rows)


def unknown_header_error(path: str, header: List[str], missing: List[str]) -> BaiMeiError:
    expected = "; ".join(f"{name}: one of {', '.join(SYNONYMS[name][:4])}" for name in missing)
    found = printable(", ".join(header)) if header else "(no header)"
    return BaiMeiError(
        f"Unrecognised AIS header in {path}: no column for {', '.join(missing)}. "
        f"Expected a MarineCadastre, DMA, NMEA, JSON Lines or Parquet file, or a CSV with columns for {expected}. "
        f"Found: {found}. "
        "Choose the format 'Generic CSV' and map the columns yourself.",
    )


def mapping_for(
    path: str, fmt: AisFormat, overrides: Optional[Dict[str, Optional[str]]] = None, time_format: Optional[str] = None
) -> Detection:
    """The detection for ``path``, forced to ``fmt`` unless AUTO, with the user's column and time overrides.

    ``path`` may be a folder, a glob pattern or a zip of several files: the first of them is looked at and the
    detection lists them all in ``parts`` (each is detected again when read). ``time_format`` is iso, unix,
    unix_ms, a strptime pattern or a Qt-style pattern (``dd/MM/yyyy hh:mm``)."""
    parts = list_parts(path)
    detection = mapping_for_file(parts[0], AisFormat(fmt), overrides, time_format)
    if len(parts) > 1:
        detection.parts = parts
        detection.notes.insert(0, f"{len(parts):,} files read as one dataset (first: {parts[0]})")
    return detection


def mapping_for_file(
    path: str, fmt: AisFormat, overrides: Optional[Dict[str, Optional[str]]], time_format: Optional[str]
) -> Detection:
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    info = inspect(path)
    if info.parquet or fmt == AisFormat.PARQUET:
        from .parquet import detect_parquet

        detection = detect_parquet(path, overrides)
    else:
        lines = read_head(path)
        if not any(line.strip() for line in lines):
            raise BaiMeiError(f"The AIS file {path} is empty.")
        if fmt == AisFormat.NMEA:
            return Detection(AisFormat.NMEA, [], ColumnMapping(), True)
        if fmt == AisFormat.JSONL or (fmt == AisFormat.AUTO and _looks_like_json(lines)):
            from .jsonl import detect_jsonl

            detection = detect_jsonl(path, lines, overrides)
        elif fmt == AisFormat.AUTO and not overrides:
            detection = detect(path)
        else:
            delimiter = sniff_delimiter(lines)
            header, rows = _header_and_rows(lines, delimiter)
            detection = _with_dialect(_forced_csv(path, fmt, header, rows, overrides), delimiter)
    if time_format:
        detection.mapping.time_format = time_pattern(time_format)
        detection.confident = True
    return detection


def check_overrides(path: str, header: List[str], overrides: Dict[str, str]) -> None:
    unknown = [v for v in overrides.values() if v not in header]
    if unknown:
        raise BaiMeiError(
            f"Column {', '.join(repr(u) for u in unknown)} is not in {path}. "
            f"Columns found: {printable(', '.join(header))}."
        )


def _forced_csv(path: str, fmt: AisFormat, header: List[str], rows: List[List[str]], overrides) -> Detection:
    mapping = auto_mapping(header)
    mapping.columns.update(overrides)
    check_overrides(path, header, overrides)
    if fmt in (AisFormat.AUTO, AisFormat.GENERIC):
        return generic_detection(path, header, rows, mapping)
    missing = mapping.missing_required()
    if missing:
        raise unknown_header_error(path, header, missing)
    mapping.time_format = TIME_DAY_FIRST if fmt == AisFormat.DMA else TIME_ISO
    if fmt == AisFormat.MARINECADASTRE:
        mapping.columns["mobile_type"] = None
    return Detection(fmt, header, mapping, True, [FORMAT_LABELS[fmt]], rows)
