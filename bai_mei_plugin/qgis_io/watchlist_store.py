"""Sanctions lists kept in the user's QGIS profile: ``<profile>/bai_mei/watchlists/<safe name>.json``, one file per
list (its name, published date, source file name, import time and entries), written atomically. A list saved under
the name of one already kept replaces it."""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Dict, List, Optional, Tuple

from qgis.core import QgsApplication

from ..core.atomic import atomic_output
from ..core.errors import BaiMeiError
from ..core.watchlists import Watchlist

# path -> ((mtime, size), list): a list of a million vessels takes seconds to parse; it is read again only when its
# file changed
_CACHE: Dict[str, Tuple[Tuple[float, int], Watchlist]] = {}


def store_folder() -> str:
    """Where the lists are kept (not created here)."""
    return os.path.join(QgsApplication.qgisSettingsDirPath(), "bai_mei", "watchlists")


def file_name(name: str) -> str:
    """A file name for a list's name: its letters and digits, and a digest of the whole name so that names that
    differ only in punctuation or case ("OFAC SDN", "ofac-sdn") do not share a file."""
    stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "list"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{stem}_{digest}.json"


def save_watchlist(wl: Watchlist) -> str:
    """Keep ``wl`` in the profile (replacing a list of the same name); its path."""
    folder = store_folder()
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise BaiMeiError(f"Cannot create the folder for sanctions lists {folder}: {exc.strerror}.") from None
    path = os.path.join(folder, file_name(wl.name))
    try:
        with atomic_output(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
            json.dump(wl.to_dict(), handle, ensure_ascii=False, separators=(",", ":"))
    except OSError as exc:
        raise BaiMeiError(f"Cannot save the sanctions list {wl.name} to {path}: {exc.strerror}.") from None
    _CACHE.pop(path, None)
    return path


def _read(path: str) -> Watchlist:
    stat = os.stat(path)
    key = (stat.st_mtime, stat.st_size)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with open(path, encoding="utf-8") as handle:
            wl = Watchlist.from_dict(json.load(handle))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError) as exc:
        raise BaiMeiError(f"The saved sanctions list {os.path.basename(path)} cannot be read: {exc}.") from None
    _CACHE[path] = (key, wl)
    return wl


def saved_watchlists(problems: Optional[List[str]] = None) -> List[Watchlist]:
    """The lists kept in the profile, by name. A damaged file is left out; what is wrong with it is appended to
    ``problems`` when given (so that one bad file does not hide the others)."""
    folder = store_folder()
    if not os.path.isdir(folder):
        return []
    out = []
    for entry in sorted(os.listdir(folder)):
        if not entry.endswith(".json") or entry.startswith("."):
            continue
        try:
            out.append(_read(os.path.join(folder, entry)))
        except (BaiMeiError, OSError) as exc:
            if problems is not None:
                problems.append(str(exc))
    return sorted(out, key=lambda wl: wl.name.lower())


def remove_watchlist(name: str) -> None:
    """Forget the list of that name (nothing if there is none)."""
    path = os.path.join(store_folder(), file_name(name))
    _CACHE.pop(path, None)
    try:
        os.remove(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BaiMeiError(f"Cannot remove the sanctions list {name} ({path}): {exc.strerror}.") from None
