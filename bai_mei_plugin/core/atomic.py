"""Outputs written under a temporary name in their own folder and renamed over the final name only when complete.

A run that fails, is cancelled or is killed therefore never leaves a half-written file under the final name, and an
existing output stays intact until the new one replaces it. The temporary name is hidden and recognisable,
``.NAME.<8 hex>.partial.EXT`` (the extension kept, since GDAL picks the driver by it), the form the case export
uses too; leftovers of a killed run are removed by the next run that writes to the same folder once they are
older than an hour (a live run keeps touching its file).

Pure Python: used by the Processing algorithms and by ``make demo``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import stat
import time
import uuid
from typing import Callable, Iterator, List, Optional

from .errors import BaiMeiError

PARTIAL_PATTERN = re.compile(r"^\..+\.[0-9a-f]{8}\.partial(\..*|-wal|-shm|-journal)?$")
STALE_AFTER_S = 3600.0
# SQLite's companions of a database file: a leftover one next to a replaced file would be applied to it.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
SQLITE_EXTENSIONS = (".gpkg", ".sqlite", ".db", ".spatialite")
# Companions of a shapefile: those of an older file that the new one does not have would no longer match it.
SHAPEFILE_COMPANIONS = (
    ".shx",
    ".dbf",
    ".prj",
    ".cpg",
    ".qpj",
    ".qix",
    ".sbn",
    ".sbx",
    ".fbn",
    ".fbx",
    ".ain",
    ".aih",
    ".atx",
    ".ixs",
    ".mxs",
    ".shp.xml",
    ".qmd",
)


def partial_path(path: str) -> str:
    """A fresh temporary name for ``path`` in the same folder (so that the final rename is atomic; the folder of the
    file a symbolic link points to)."""
    folder, filename = os.path.split(os.path.realpath(path))
    stem, ext = os.path.splitext(filename)
    return os.path.join(folder, f".{stem}.{uuid.uuid4().hex[:8]}.partial{ext}")


def _stem(path: str) -> str:
    return os.path.splitext(path)[0]


def _temporary_files(temporary: str) -> List[str]:
    """The files a writer made for ``temporary``: itself and its companions (a shapefile's .dbf, .shx...), which all
    start with its unique stem."""
    folder, stem = os.path.split(_stem(temporary))
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names if n.startswith(stem + ".") or n.startswith(stem + "-")]


def remove_files(paths) -> List[str]:
    """Delete ``paths`` that exist; return the ones that could not be deleted."""
    failed = []
    for path in paths:
        try:
            if os.path.lexists(path):
                os.remove(path)
        except OSError:
            failed.append(path)
    return failed


def discard(temporary: str) -> List[str]:
    """Delete a temporary output and its companions; return what could not be deleted."""
    return remove_files(_temporary_files(temporary))


def _in_wal_mode(path: str) -> bool:
    """Whether the SQLite file's header marks it as write-ahead-log mode (bytes 18 and 19 are 2)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header.startswith(b"SQLite format 3\x00") and header[18:20] == b"\x02\x02"


def _settle_sqlite(path: str) -> None:
    """Fold a write-ahead log left next to ``path`` into the file and leave the file out of WAL mode, so that
    renaming the file alone carries everything and it reads as one file (a writer that closed properly leaves
    neither)."""
    if not os.path.exists(path + "-wal") and not _in_wal_mode(path):
        return
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try:
                db.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError:  # another connection still has it open: the checkpoint is enough
                pass
    except sqlite3.Error as exc:
        raise BaiMeiError(f"The new output {os.path.basename(path)} is not complete: {exc}.") from None


def commit(temporary: str, final: str) -> None:
    """Rename a complete temporary output (and its companions) over ``final``.

    Companions are renamed before the main file, so that the main file appears last; companions of the old output
    that the new one does not have are deleted (a stale .qix index or SQLite journal would not match the new file).
    A symbolic link stays a link (its target is replaced) and an existing file's permissions are kept."""
    final = os.path.realpath(final)
    is_sqlite = final.lower().endswith(SQLITE_EXTENSIONS)
    if is_sqlite:
        _settle_sqlite(temporary)
    temp_stem, final_stem = _stem(temporary), _stem(final)
    made = [p for p in _temporary_files(temporary) if p != temporary]
    if is_sqlite:  # its own journal files, once settled, are not part of the output
        remove_files([temporary + suffix for suffix in SQLITE_COMPANIONS])
        made = [p for p in made if not p.endswith(SQLITE_COMPANIONS)]
    for companion in made:
        os.replace(companion, final_stem + companion[len(temp_stem) :])
    with contextlib.suppress(OSError):  # a new file keeps the permissions it was created with
        os.chmod(temporary, stat.S_IMODE(os.stat(final).st_mode))
    os.replace(temporary, final)
    stale = [final + suffix for suffix in SQLITE_COMPANIONS] if is_sqlite else []
    if final.lower().endswith(".shp"):
        produced = {companion[len(temp_stem) :] for companion in made}
        stale += [final_stem + ext for ext in SHAPEFILE_COMPANIONS if ext not in produced]
    remove_files(stale)


def copy_existing(source: str, temporary: str) -> None:
    """Copy an existing output to its temporary name, to write into the copy (a table added to a GeoPackage).

    SQLite files are copied through SQLite's backup, which includes what is still in the write-ahead log and gives a
    consistent copy even while another connection has the file open."""
    if not source.lower().endswith(SQLITE_EXTENSIONS):
        shutil.copyfile(source, temporary)
        return
    try:
        with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(temporary)) as dst:
            src.backup(dst)
            # the copy of a file QGIS has open for writing would stay in WAL mode, a file that needs its -wal and
            # -shm companions (and a writable folder) to be read: back to a single file
            dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        remove_files([temporary + suffix for suffix in ("", *SQLITE_COMPANIONS)])
        raise BaiMeiError(f"Could not copy {source} to add a table to it: {exc}. Is it a GeoPackage?") from None


def clean_stale(folder: str, max_age_s: float = STALE_AFTER_S, now: Optional[float] = None) -> List[str]:
    """Delete the temporary outputs of earlier runs that were killed before they could clean up: files in ``folder``
    named like ``partial_path`` and untouched for ``max_age_s``. Returns the paths deleted."""
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder or "."))
    except OSError:
        return []
    removed = []
    for entry in entries:
        if not PARTIAL_PATTERN.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or now - entry.stat().st_mtime < max_age_s:
                continue
            os.remove(entry.path)
        except OSError:
            continue
        removed.append(entry.path)
    return removed


@contextlib.contextmanager
def atomic_output(path: str, log: Optional[Callable[[str], None]] = None, keep_existing: bool = False) -> Iterator[str]:
    """``with atomic_output(path) as temporary:`` write ``temporary``; it replaces ``path`` when the block ends
    without an exception and is deleted otherwise. ``keep_existing``: start from a copy of the existing file (to add
    to it). ``log`` receives a line for each stale temporary file of an earlier run that is deleted."""
    final = os.path.realpath(path)
    folder = os.path.dirname(final)
    if not os.path.isdir(folder):  # said here, with the name the user chose, not the temporary file's
        raise BaiMeiError(f"Cannot write {path}: the folder {folder} does not exist.")
    for stale in clean_stale(folder):
        if log is not None:
            log(f"Deleted {stale}, left by an earlier run that did not finish.")
    temporary = partial_path(final)
    try:
        if keep_existing and os.path.exists(final):
            copy_existing(final, temporary)
        yield temporary
        commit(temporary, final)
    except BaseException:
        discard(temporary)
        raise
