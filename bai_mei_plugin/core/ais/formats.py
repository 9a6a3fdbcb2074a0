"""AIS file formats: detection from the first lines, and the mapping of source columns to Bai Mei's columns."""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..errors import BaiMeiError
from .source import HEAD_BYTES, STREAM_ERRORS, SourceInfo, binary_share, damaged, inspect, open_utf8, size_text

BINARY_SHARE = 0.1  # more than this share of odd characters in the first 64 KB: a binary file, not text


class AisFormat(enum.IntEnum):
    """The order is the order of the Processing FORMAT enum; keep it stable."""

    AUTO = 0
    MARINECADASTRE = 1
    DMA = 2
    GENERIC = 3
    NMEA = 4


FORMAT_LABELS = {
    AisFormat.AUTO: "Auto-detect",
    AisFormat.MARINECADASTRE: "NOAA MarineCadastre CSV",
    AisFormat.DMA: "Danish Maritime Authority (aisdk) CSV",
    AisFormat.GENERIC: "Generic CSV (column mapping)",
    AisFormat.NMEA: "NMEA 0183 AIVDM/AIVDO log",
}

# Time formats a user can choose for a generic CSV (a strptime pattern is accepted too).
TIME_ISO = "iso"
TIME_UNIX = "unix"
TIME_UNIX_MS = "unix_ms"
TIME_DAY_FIRST = "%d/%m/%Y %H:%M:%S"
TIME_MONTH_FIRST = "%m/%d/%Y %H:%M:%S"
TIME_FORMATS = {
    TIME_ISO: "ISO 8601 (2017-06-19T04:30:00)",
    TIME_UNIX: "Unix seconds",
    TIME_UNIX_MS: "Unix milliseconds",
    TIME_DAY_FIRST: "Day first (19/06/2017 04:30:00)",
    TIME_MONTH_FIRST: "Month first (06/19/2017 04:30:00)",
}

# Bai Mei column -> normalised source names that mean it (normalised: lower case, letters and digits only).
SYNONYMS: Dict[str, tuple] = {
    "mmsi": ("mmsi", "ssvid", "userid", "mmsinumber", "vesselid", "shipid", "id"),
    "time": ("basedatetime", "timestamp", "datetime", "time", "timestamputc", "postime", "date", "t"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "sog": ("sog", "speed", "speedoverground", "speedknots"),
    "cog": ("cog", "course", "courseoverground"),
    "heading": ("heading", "trueheading", "hdg"),
    "vessel_name": ("vesselname", "name", "shipname"),
    "imo": ("imo", "imonumber"),
    "callsign": ("callsign", "call_sign"),
    "vessel_type": ("vesseltype", "shiptype", "shipandcargotype"),
    "draught": ("draft", "draught"),
    "destination": ("destination", "dest"),
    "mobile_type": ("typeofmobile", "mobiletype", "transceiverclass", "transceiver"),
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

_NMEA_LINE = re.compile(r"^(\\[^\\]*\\)?[!$][A-Z]{2}VD[MO],")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_UNIX = re.compile(r"^\d{9,13}(\.\d+)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")


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


def guess_time_format(samples: List[str]) -> Optional[str]:
    """ISO, unix seconds/milliseconds, or day/month-first when a value proves which; ``None`` if unsure."""
    samples = [s.strip() for s in samples if s and s.strip()]
    if not samples:
        return None
    if all(_ISO.match(s) for s in samples):
        return TIME_ISO
    if all(_UNIX.match(s) for s in samples):
        return TIME_UNIX_MS if float(samples[0]) > 1e11 else TIME_UNIX
    slashed = [_SLASHED.match(s) for s in samples]
    if all(slashed):
        if any(int(m.group(1)) > 12 for m in slashed):
            return TIME_DAY_FIRST
        if any(int(m.group(2)) > 12 for m in slashed):
            return TIME_MONTH_FIRST
    return None


def _header_and_rows(lines: List[str]):
    rows = list(csv.reader(lines))
    rows = [row for row in rows if row]
    if not rows:
        return [], []
    return [h.strip() for h in rows[0]], rows[1:]


def detect(path: str) -> Detection:
    """Look at the first lines of ``path`` and say which AIS format it is and how its columns map."""
    lines = read_head(path)
    if not any(line.strip() for line in lines):
        raise BaiMeiError(f"The AIS file {path} is empty.")
    content = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if content and sum(bool(_NMEA_LINE.match(line.strip())) for line in content) >= max(1, len(content) // 2):
        return Detection(AisFormat.NMEA, [], ColumnMapping(), True, ["NMEA AIVDM/AIVDO sentences"])
    header, rows = _header_and_rows(lines)
    return detection_for_header(path, header, rows)


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
    guessed = guess_time_format([row[time_col] for row in rows if len(row) > time_col])
    confident = guessed is not None
    mapping.time_format = guessed or TIME_ISO
    if not confident:
        notes.append("the time format could not be told from the first rows; choose it")
    return Detection(AisFormat.GENERIC, header, mapping, confident, notes, rows)


def unknown_header_error(path: str, header: List[str], missing: List[str]) -> BaiMeiError:
    expected = "; ".join(f"{name}: one of {', '.join(SYNONYMS[name][:4])}" for name in missing)
    found = printable(", ".join(header)) if header else "(no header)"
    return BaiMeiError(
        f"Unrecognised AIS header in {path}: no column for {', '.join(missing)}. "
        f"Expected a MarineCadastre, DMA or NMEA file, or a CSV with columns for {expected}. Found: {found}. "
        "Choose the format 'Generic CSV' and map the columns yourself.",
    )


def mapping_for(
    path: str, fmt: AisFormat, overrides: Optional[Dict[str, Optional[str]]] = None, time_format: Optional[str] = None
) -> Detection:
    """The detection for ``path``, forced to ``fmt`` unless AUTO, with the user's column and time overrides."""
    lines = read_head(path)
    if not any(line.strip() for line in lines):
        raise BaiMeiError(f"The AIS file {path} is empty.")
    if fmt == AisFormat.NMEA:
        return Detection(AisFormat.NMEA, [], ColumnMapping(), True)
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    if fmt == AisFormat.AUTO and not overrides:
        detection = detect(path)
    else:
        header, rows = _header_and_rows(lines)
        mapping = auto_mapping(header)
        mapping.columns.update(overrides)
        unknown = [v for v in overrides.values() if v not in header]
        if unknown:
            raise BaiMeiError(
                f"Column {', '.join(repr(u) for u in unknown)} is not in {path}. "
                f"Columns found: {printable(', '.join(header))}."
            )
        if fmt in (AisFormat.AUTO, AisFormat.GENERIC):
            detection = generic_detection(path, header, rows, mapping)
        else:
            missing = mapping.missing_required()
            if missing:
                raise unknown_header_error(path, header, missing)
            mapping.time_format = TIME_DAY_FIRST if fmt == AisFormat.DMA else TIME_ISO
            detection = Detection(fmt, header, mapping, True, [FORMAT_LABELS[fmt]], rows)
    if time_format:
        detection.mapping.time_format = time_format
        detection.confident = True
    return detection
