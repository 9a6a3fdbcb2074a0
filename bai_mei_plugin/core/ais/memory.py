"""Will reading this AIS file fit in memory? An estimate made before reading, so QGIS is never killed mid-read.

needed = bytes per row of the chosen reader x rows (the file's size over the average length of its first lines);
available = the smallest of MemAvailable (/proc/meminfo), the process limits RLIMIT_AS and RLIMIT_DATA minus what the
process already uses, and a cgroup memory limit minus its usage. A read is refused when needed > SAFETY x available.
Pure Python (no QGIS): the dock's task and the Processing algorithms get it through ``read_ais``.
"""

from __future__ import annotations

import os
import resource
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from ..errors import BaiMeiError
from .source import SourceInfo, size_text

# Peak memory of read_ais (reading, cleaning and sorting) per row of a MarineCadastre file (17 columns, ~107 bytes
# a line), measured as the growth of ru_maxrss over a fresh process with numpy and pyarrow imported, reading the
# benchmark's generated files of 300,000 and 1,000,000 rows (tests/bench/generate.py) on Debian 12 / Python 3.11 /
# numpy 1.24 / pyarrow 19: stdlib 966 and 947 B/row with every column, 622 and 604 with the gap columns only; pyarrow
# 684 and 538 (all), 627 and 470 (gap columns); since the reader copies blocks into numpy columns as it goes, reads
# two byte ranges at once and sorts in place (measured again the same way on the 1M and 5M files), pyarrow 288 and
# 193 (all), 240 and 153 (gap columns). The larger figure of each pair (small files carry fixed costs) is rounded
# up. NMEA (rows counted as lines): read_nmea on 200,000 lines repeated from tests/unit/data/nmea grew by
# 20 MB, 100 B a line (268 B per decoded position); 300 leaves room for cleaning and sorting.
# JSON Lines (12 keys a line, ~250 bytes) and Parquet (9 columns, snappy), measured the same way on 300,000 and
# 1,000,000 generated rows: JSON Lines 760 and 758 B/row with every column, 615 and 609 with the gap columns;
# Parquet 271 and 196 (all), 525 and 382 (gap columns: the order of the runs shows in small figures).
# numpy (csv_numpy.py, blocks of 16 MB written straight into the final columns), the 1M and 5M files: 259 and 126
# B/row with every column, 229 and 98 with the gap columns (300,000 rows: 511, the blocks in flight being most of it).
# A file it hands to the stdlib reader (quotes, odd rows) needs the stdlib figure: a MemoryError there still ends in
# read_ais's advice.
BYTES_PER_ROW = {"stdlib": 1000, "arrow": 350, "numpy": 260, "nmea": 300, "jsonl": 800, "parquet": 600}
# The dock reads the gap fields only:
BYTES_PER_ROW_FEW_FIELDS = {"stdlib": 650, "arrow": 300, "numpy": 230, "nmea": 300, "jsonl": 650, "parquet": 600}
# What the dock's optional points layer costs on top of the read: a QGIS memory layer of point features built from
# 300,000 read reports (tasks/ais_tasks.memory_layer) grew ru_maxrss by 1,108 B a point (QGIS 3.22).
POINT_LAYER_BYTES_PER_ROW = 1200
SAFETY = 0.8  # use at most this share of what is available: QGIS, its layers and the result need room too
SKIP_ENV = "BAI_MEI_SKIP_MEMORY_CHECK"
UNLIMITED = 1 << 60  # cgroup v1 writes "no limit" as a number near 2**63
ADVICE = (
    "use 'Detect dark gaps in an archive (Dask)' on the same file (or load it into PostGIS, e.g. with ogr2ogr, "
    "and use 'Detect dark gaps in PostGIS'), or cut it by time or area first"
)


@dataclass
class Estimate:
    """What reading ``info`` with ``backend`` needs, and what is available (None: unknown, not checked)."""

    info: SourceInfo
    backend: str
    rows: int
    needed: int
    available: Optional[int]
    limited_by: str = "free memory"
    arrow_needed: Optional[int] = None  # what the pyarrow reader would need, when the stdlib one is chosen

    @property
    def fits(self) -> bool:
        return self.available is None or self.needed <= SAFETY * self.available

    def message(self, failed: bool = False) -> str:
        rows = f"about {rows_text(self.rows)} reports"
        free = size_text(self.available) if self.available is not None else "not enough"
        what = (
            f"Reading {self.info.name} ({size_text(self.info.size)}, {rows}) ran out of memory (it needs about "
            f"{size_text(self.needed)} and {free} was {self.limited_by})"
            if failed
            else f"Reading {self.info.name} ({size_text(self.info.size)}, {rows}) needs about {size_text(self.needed)} "
            f"of memory and {free} is {self.limited_by}"
        )
        arrow = ""
        if self.arrow_needed is not None and (self.available is None or self.arrow_needed <= SAFETY * self.available):
            arrow = f", or install the Python package pyarrow (then it needs about {size_text(self.arrow_needed)})"
        return f"{what}: {ADVICE}{arrow}."


def rows_text(rows: int) -> str:
    if rows >= 1_000_000:
        return f"{rows / 1e6:.1f} million".replace(".0 ", " ")
    return f"{rows:,}"


def estimate_rows(info: SourceInfo, head_lines: List[str], text_bytes: Optional[int] = None) -> int:
    """Rows in the file: its text size (``text_bytes``, default the file size) over the mean line of its head."""
    lines = head_lines[1:] or head_lines  # the header is not a row
    mean = sum(len(line.encode("utf-8")) + 1 for line in lines) / len(lines) if lines else 1.0
    return max(1, int((text_bytes if text_bytes is not None else info.size) / max(mean, 1.0)))


def bytes_per_row(backend: str, few_fields: bool) -> int:
    return (BYTES_PER_ROW_FEW_FIELDS if few_fields else BYTES_PER_ROW)[backend]


def estimate(
    info: SourceInfo,
    head_lines: Iterable[str],
    backend: str,
    few_fields: bool = False,
    text_bytes: Optional[int] = None,
    can_use_arrow: bool = False,
    extra_per_row: int = 0,
    rows: Optional[int] = None,
) -> Estimate:
    """The memory reading ``info`` needs with ``backend`` ("stdlib", "arrow", "numpy", "nmea"...) against what is
    available (for "numpy", the standard library reader's figure when the file is compressed or quoted).

    ``text_bytes``: the size of the text once decompressed and transcoded to UTF-8, if different from the file's.
    ``can_use_arrow``: pyarrow could be installed (a CSV read by the stdlib backend), so say what it would need.
    ``extra_per_row``: what the caller adds per report afterwards (e.g. POINT_LAYER_BYTES_PER_ROW).
    ``rows``: the number of rows when the file says it (a Parquet footer), instead of estimating it from lines.
    """
    head_lines = list(head_lines)
    rows = rows if rows is not None else estimate_rows(info, head_lines, text_bytes)
    available, limited_by = available_memory()
    reader = backend
    if backend == "numpy" and (not info.plain or any('"' in line for line in head_lines)):
        reader = "stdlib"  # the numpy reader hands compressed and quoted files to the standard library's
    arrow = (
        rows * (bytes_per_row("arrow", few_fields) + extra_per_row)
        if can_use_arrow and backend in ("stdlib", "numpy")
        else None
    )
    needed = rows * (bytes_per_row(reader, few_fields) + extra_per_row)
    return Estimate(info, backend, rows, needed, available, limited_by, arrow)


def combine(info: SourceInfo, parts: List[Estimate]) -> Estimate:
    """One estimate for several files read as one dataset (``info``: the dataset as a whole)."""
    arrow = [p.arrow_needed for p in parts]
    return Estimate(
        info,
        "+".join(sorted({p.backend for p in parts})),
        sum(p.rows for p in parts),
        sum(p.needed for p in parts),
        parts[0].available,
        parts[0].limited_by,
        sum(a for a in arrow if a is not None) if all(a is not None for a in arrow) else None,
    )


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; nothing elsewhere), and Arrow's
    (its pools' ``release_unused``) when pyarrow is loaded.

    A read converts its file block by block into arrays of a few hundred kB each; glibc serves those from its heap
    and keeps the freed pages, about 15 bytes a report that stay resident (0.8 GB at 50M reports) under the arrays
    that follow (the sort, the gaps)."""
    global _TRIM
    if _TRIM is None:
        _TRIM = False
        try:
            import ctypes
            import ctypes.util

            name = ctypes.util.find_library("c")
            _TRIM = getattr(ctypes.CDLL(name), "malloc_trim", False) if name else False
        except OSError:
            _TRIM = False
    if _TRIM:
        _TRIM(0)
    arrow = sys.modules.get("pyarrow")  # Arrow's allocators keep freed memory for reuse too (none if never loaded)
    if arrow is not None:
        pools = [arrow.default_memory_pool()]
        try:
            pools.append(arrow.jemalloc_memory_pool())
        except (NotImplementedError, arrow.ArrowException):
            pass
        for pool in pools:
            release = getattr(pool, "release_unused", None)  # pyarrow 9 and later
            if release is not None:
                release()


_TRIM = None


@contextmanager
def small_pages():
    """numpy's big arrays without its request for 2 MB pages (``madvise(MADV_HUGEPAGE)``), restored afterwards.

    Where the kernel compacts memory to find 2 MB pages for such requests (transparent_hugepage/defrag "madvise",
    Debian's default) and free memory is fragmented, as it is after a read hands back gigabytes of Arrow's 4 kB
    pages with a full page cache beside them, each new column stalls while the kernel moves pages: 50M reports took
    57-62 s instead of 39-48 s here. The setting is numpy's, for the whole process; a numpy without it is left alone."""
    setter = _hugepage_setter()
    if setter is None:
        yield
        return
    previous = setter(False)
    try:
        yield
    finally:
        setter(previous)


def _hugepage_setter():
    try:  # numpy 2 (whose numpy.core warns that it is deprecated), then numpy 1
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return None
    return _set_madvise_hugepage


def skipped(check_memory: bool = True) -> bool:
    """True when the check is turned off by the caller or by BAI_MEI_SKIP_MEMORY_CHECK=1 (for experts)."""
    return not check_memory or os.environ.get(SKIP_ENV, "").strip().lower() in ("1", "true", "yes")


def require(found: Estimate) -> None:
    """BaiMeiError with one sentence of advice when the read would not fit."""
    if not found.fits:
        raise BaiMeiError(
            found.message(),
            f"estimate: {found.rows} rows x {found.needed // max(found.rows, 1)} B "
            f"({found.backend}); available {found.available} B ({found.limited_by}); "
            f"set {SKIP_ENV}=1 to read anyway",
        )


# --- what is available -----------------------------------------------------------------------------------------


def available_memory() -> Tuple[Optional[int], str]:
    """(bytes available, what limits it): the smallest of the figures below that are known."""
    candidates = [
        (value, label)
        for value, label in (
            (_meminfo_available(), "free"),
            (_rlimit_left(resource.RLIMIT_AS, "VmSize"), "left under the process's address-space limit (RLIMIT_AS)"),
            (_rlimit_left(resource.RLIMIT_DATA, "VmData"), "left under the process's data limit (RLIMIT_DATA)"),
            (_cgroup_left(), "left under the container's memory limit (cgroup)"),
        )
        if value is not None
    ]
    if not candidates:
        return None, "free"
    value, label = min(candidates, key=lambda c: c[0])
    return max(0, value), label


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _kib_field(text: Optional[str], key: str) -> Optional[int]:
    for line in (text or "").splitlines():
        if line.startswith(key + ":"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None


def _meminfo_available() -> Optional[int]:
    return _kib_field(_read("/proc/meminfo"), "MemAvailable")


def _rlimit_left(which: int, status_key: str) -> Optional[int]:
    soft, _hard = resource.getrlimit(which)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    used = _kib_field(_read("/proc/self/status"), status_key) or 0
    return soft - used


def _cgroup_left() -> Optional[int]:
    """A cgroup v2 memory.max (or v1 memory.limit_in_bytes) minus the group's current usage."""
    own = "/"
    for line in (_read("/proc/self/cgroup") or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[0] == "0":
            own = parts[2] or "/"
    pairs = [
        (f"/sys/fs/cgroup{own.rstrip('/')}/memory.max", f"/sys/fs/cgroup{own.rstrip('/')}/memory.current"),
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ]
    for limit_path, usage_path in pairs:
        limit = (_read(limit_path) or "").strip()
        if limit.isdigit() and int(limit) < UNLIMITED:
            usage = (_read(usage_path) or "0").strip()
            return int(limit) - (int(usage) if usage.isdigit() else 0)
    return None
