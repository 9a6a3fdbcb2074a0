"""Optional Python packages: what each one speeds up or enables, whether it is there, and how to install it without
a terminal — with pip from QGIS's own Python into a folder the plugin owns, added to ``sys.path`` when the plugin
loads. ``pip install --target`` works on Debian's externally-managed Python too: it touches neither the system's
packages nor the user's site-packages, and removing the folder undoes it.

Pure Python: the QGIS side (the folder in the profile, the task running pip, the dialog) is in ``tasks`` and ``gui``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

# The folder in the QGIS profile that holds what the plugin installed, one per Python version (compiled wheels such
# as pyarrow's only work with the Python they were built for).
PACKAGES_DIR_NAME = "bai_mei_packages"


@dataclass(frozen=True)
class OptionalPackage:
    name: str  # as pip knows it
    modules: Tuple[str, ...]  # what must import for it to count as installed
    enables: str  # what the analyst gets, in one sentence
    without: str  # what happens without it


PACKAGES: Tuple[OptionalPackage, ...] = (
    OptionalPackage(
        "pyarrow",
        ("pyarrow", "pyarrow.csv"),
        "reads large AIS CSV files several times faster (all cores), and reads Parquet/GeoParquet files",
        "CSV files are read by the standard library (slower on millions of rows); Parquet needs GDAL's Parquet driver",
    ),
    OptionalPackage(
        "dask",
        ("dask", "dask.dataframe", "distributed", "pandas", "pyarrow"),
        "finds gaps in Parquet archives larger than memory (the archive engine of Detect dark gaps)",
        "archives are read with PostGIS or in one piece",
    ),
)


def find(name: str) -> OptionalPackage:
    for package in PACKAGES:
        if package.name == name:
            return package
    raise KeyError(f"Unknown optional package {name!r}; known: {', '.join(p.name for p in PACKAGES)}.")


def is_installed(package: OptionalPackage) -> bool:
    try:
        return all(importlib.util.find_spec(module) is not None for module in package.modules)
    except (ImportError, ValueError):  # a parent package missing, or a broken partial install
        return False


def packages_dir(profile_dir: str) -> str:
    """The plugin's own package folder for this Python, under the QGIS profile folder ``profile_dir``."""
    return os.path.join(profile_dir, PACKAGES_DIR_NAME, f"py{sys.version_info[0]}{sys.version_info[1]}")


def add_to_path(folder: str) -> bool:
    """Puts ``folder`` on ``sys.path`` (at the end: QGIS's and the system's packages win) when it exists."""
    if os.path.isdir(folder) and folder not in sys.path:
        sys.path.append(folder)
        importlib.invalidate_caches()
        return True
    return False


def requirement(package: OptionalPackage, numpy_version: Optional[str]) -> List[str]:
    """What pip is asked for. Never another numpy: QGIS's GDAL is built against the numpy it ships, so packages are
    pinned to releases that work with the installed numpy (and :func:`pip_command` pins numpy itself)."""
    numpy_major = int((numpy_version or "2").split(".")[0])
    if package.name == "pyarrow":
        # pyarrow 20+ is built for numpy 2; with numpy 1 (Debian 12, QGIS 3.22) pyarrow 19 is the last that works.
        return ["pyarrow>=16,<20" if numpy_major < 2 else "pyarrow>=16"]
    if package.name == "dask":
        # dask's dataframes need pandas and pyarrow: both held to releases that work with the installed numpy
        if numpy_major < 2:
            return ["dask[dataframe,distributed]>=2024.8", "pandas>=2.0,<3", "pyarrow>=16,<20"]
        return ["dask[dataframe,distributed]>=2024.8", "pandas>=2.0", "pyarrow>=16"]
    return [package.name]


def python_executable(executable: str = sys.executable, prefix: str = sys.exec_prefix) -> str:
    """The Python interpreter to run pip with. Inside QGIS ``sys.executable`` is often QGIS itself (``qgis``,
    ``qgis-bin.exe``): then the interpreter beside QGIS's Python library is used."""
    base = os.path.basename(executable).lower()
    if base.startswith("python"):
        return executable
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    candidates = (
        os.path.join(prefix, "bin", f"python{version}"),
        os.path.join(prefix, "bin", "python3"),
        os.path.join(prefix, "python3.exe"),
        os.path.join(prefix, "python.exe"),
        os.path.join(os.path.dirname(executable), "python3.exe"),
        os.path.join(os.path.dirname(executable), "python3"),
    )
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return ""


def pip_command(
    python: str, target: str, requirements: Sequence[str], numpy_version: Optional[str], extra: Sequence[str] = ()
) -> List[str]:
    """pip's command line: into ``target`` only, never asking, numpy held at the installed version, no cache of its
    own in the user's home. ``extra``: index options (tests use a local one)."""
    command = [
        python,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--no-cache-dir",
        "--upgrade",
        "--target",
        target,
    ]
    command += list(extra)
    command += list(requirements)
    if numpy_version:
        # pip --target ignores what is installed and would fetch the newest numpy for a package that depends on
        # it: pinned to the installed one instead. The folder comes last on sys.path, so QGIS's numpy is the one
        # imported either way.
        command.append("numpy==" + numpy_version)
    return command


def pip_failure(output: str, package: OptionalPackage) -> str:
    """The message for a pip run that failed, from its output: offline, no matching release, or pip's last line."""
    text = output.strip()
    lowered = text.lower()
    offline = (
        "temporary failure in name resolution",
        "failed to establish a new connection",
        "network is unreachable",
        "connection refused",
        "max retries exceeded",
    )
    carry_on = f"Bai Mei carries on without it: {package.without}."
    if any(marker in lowered for marker in offline):
        return f"{package.name} could not be installed: the package index cannot be reached (offline?). {carry_on}"
    if "no matching distribution" in lowered or "could not find a version" in lowered:
        return (
            f"{package.name} could not be installed: no release of it matches this Python "
            f"({sys.version_info[0]}.{sys.version_info[1]}) and system. {carry_on}"
        )
    if "no module named pip" in lowered:
        return f"{package.name} could not be installed: this QGIS's Python has no pip. {carry_on}"
    last = text.splitlines()[-1] if text else "no output"
    return f"{package.name} could not be installed: pip said: {last[:300]}. {carry_on}"
