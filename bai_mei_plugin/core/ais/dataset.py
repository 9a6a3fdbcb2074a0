"""Several AIS files read as one dataset: a folder, a glob pattern (``AIS_2023_01_*.zip``) or a zip of several files.

``list_parts`` turns what the user named into the files (or zip members, written ``archive.zip/member.csv``) to
read, in name order; ``concat_reads`` joins what the readers made of each into one ``RawRead`` so that cleaning,
de-duplication and sorting see the whole month at once. Nothing is extracted to disk: members are read as streams.
"""

from __future__ import annotations

import glob
import os
from typing import Dict, List, Sequence

import numpy as np

from ..errors import BaiMeiError
from .model import NUMERIC_FIELDS, TEXT_FIELDS, AisColumns, RawRead, TextColumn
from .source import zip_members

# Extensions of the files a folder or zip holds that are AIS data (each may also end in .gz, .bz2 or .xz).
DATA_EXTENSIONS = (
    ".csv",
    ".txt",
    ".tsv",
    ".nmea",
    ".aivdm",
    ".log",
    ".json",
    ".jsonl",
    ".ndjson",
    ".parquet",
    ".geoparquet",
    ".zip",
)
COMPRESSED_EXTENSIONS = (".gz", ".bz2", ".xz")
GLOB_CHARACTERS = "*?["
ZIP_MAGIC = b"PK\x03\x04"
MAX_PARTS = 10000  # ten thousand files is decades of daily files: more is a mistake (the root folder?)


def is_data_name(name: str) -> bool:
    lower = name.lower()
    for ext in COMPRESSED_EXTENSIONS:
        if lower.endswith(ext):
            lower = lower[: -len(ext)]
            break
    return lower.endswith(DATA_EXTENSIONS)


def _hidden(name: str) -> bool:
    """Files that archivers and desktops add beside the data (macOS resource forks, .DS_Store, Thumbs.db)."""
    base = os.path.basename(name.rstrip("/"))
    return name.startswith("__MACOSX/") or base.startswith(".") or base.lower() == "thumbs.db"


def _is_zip(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == ZIP_MAGIC
    except OSError:
        return False


def zip_parts(path: str) -> List[str]:
    """The members of a zip to read: its AIS files (every file if none has a known extension), in name order.
    One member: the zip itself (read as a compressed file); several: ``archive.zip/member`` for each."""
    members = [m.filename for m in zip_members(path) if not _hidden(m.filename)]
    data = sorted(m for m in members if is_data_name(m) and not m.lower().endswith(".zip")) or sorted(members)
    nested = [m for m in members if m.lower().endswith(".zip")]
    if not data and nested:
        raise BaiMeiError(
            f"{os.path.basename(path)} holds only zip archives ({', '.join(nested[:3])}): extract them first "
            f"and choose the folder ({path})."
        )
    if len(data) <= 1:
        return [path]
    return [f"{path}/{member}" for member in data]


def _folder_parts(path: str) -> List[str]:
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        raise BaiMeiError(f"Cannot list the folder {path}: {exc.strerror or exc}.") from exc
    files = [os.path.join(path, n) for n in names if not _hidden(n) and os.path.isfile(os.path.join(path, n))]
    data = [f for f in files if is_data_name(f)]
    if not data:
        found = ", ".join(os.path.basename(f) for f in files[:5]) or "no files"
        raise BaiMeiError(
            f"{path} is a folder with no AIS files in it (expected names ending in .csv, .nmea, .jsonl, .parquet, "
            f".zip, ... optionally .gz/.bz2/.xz); found {found}."
        )
    return data


def _glob_parts(pattern: str) -> List[str]:
    files = sorted(f for f in glob.glob(pattern) if os.path.isfile(f))
    if not files:
        raise BaiMeiError(
            f"No file matches {pattern}: check the folder and the pattern (* stands for any text, e.g. "
            "AIS_2023_01_*.zip for January 2023)."
        )
    return files


def list_parts(path: str) -> List[str]:
    """What to read for ``path``: itself, the files of a folder or glob pattern, or the members of a zip."""
    path = os.fspath(path)
    if os.path.isdir(path):
        files = _folder_parts(path)
    elif not os.path.lexists(path) and any(c in path for c in GLOB_CHARACTERS):
        files = _glob_parts(path)
    else:
        return zip_parts(path) if os.path.isfile(path) and _is_zip(path) else [path]
    parts: List[str] = []
    for f in files:
        parts.extend(zip_parts(f) if _is_zip(f) else [f])
        if len(parts) > MAX_PARTS:
            raise BaiMeiError(f"{path} holds more than {MAX_PARTS:,} files: choose a smaller folder or pattern.")
    return parts


def is_dataset(path: str) -> bool:
    """True when ``path`` names several files (a folder, a pattern or a zip of several AIS files)."""
    return len(list_parts(path)) > 1


def display_name(part: str, root: str) -> str:
    """A part named relative to what the user chose: the file name in a folder, ``zip/member`` for a member."""
    root = os.fspath(root).rstrip("/")
    if part.startswith(root + "/") and (os.path.isdir(root) or os.path.isfile(root)):
        return part[len(root) + 1 :]
    return os.path.basename(part) if os.path.exists(part) else part


# --- joining reads -------------------------------------------------------------------------------------------


def concat_text(columns: Sequence[TextColumn]) -> TextColumn:
    """One text column from several, their value dictionaries merged (codes remapped)."""
    values: List[str] = []
    seen: Dict[str, int] = {}
    codes = []
    for column in columns:
        remap = np.empty(len(column.values) + 1, dtype=np.int32)
        remap[-1] = -1
        for i, value in enumerate(column.values):
            code = seen.get(value)
            if code is None:
                code = seen[value] = len(values)
                values.append(value)
            remap[i] = code
        codes.append(remap[np.where(column.codes < 0, len(column.values), column.codes)])
    return TextColumn(np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32), values)


def concat_columns(parts: Sequence[AisColumns]) -> AisColumns:
    absent = frozenset.intersection(*(p.absent for p in parts)) if parts else frozenset()
    numeric = {name: np.concatenate([getattr(p, name) for p in parts]) for name in NUMERIC_FIELDS}
    text = {name: concat_text([getattr(p, name) for p in parts]) for name in TEXT_FIELDS}
    return AisColumns(
        mmsi=np.concatenate([p.mmsi for p in parts]),
        t=np.concatenate([p.t for p in parts]),
        **numeric,
        **text,
        absent=absent,
    )


def concat_reads(reads: Sequence[RawRead], names: Sequence[str]) -> RawRead:
    """The reads of several parts as one, examples and warnings prefixed with the part they come from."""
    examples: Dict[str, str] = {}
    warnings: List[str] = [f"  Read {len(reads):,} files as one dataset:"]
    for read, name in zip(reads, names):
        for reason, text in read.examples.items():
            examples.setdefault(reason, f"{name}: {text}")
        warnings.append(f"    {name}: {read.rows_read:,} rows ({read.format_name})")
        warnings.extend(f"  {name}: {w.strip()}" for w in read.warnings)
    formats = sorted({r.format_name for r in reads if r.format_name})
    return RawRead(
        columns=concat_columns([r.columns for r in reads]),
        rows_read=sum(r.rows_read for r in reads),
        unparseable=np.concatenate([np.asarray(r.unparseable, dtype=bool) for r in reads]),
        not_vessel=np.concatenate([np.asarray(r.not_vessel, dtype=bool) for r in reads]),
        malformed=sum(r.malformed for r in reads),
        examples=examples,
        warnings=warnings,
        format_name="+".join(formats),
    )
