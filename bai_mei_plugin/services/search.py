"""One footprint search over any source, for one or many places and time windows (e.g. one per dark gap).

The Processing algorithm and the dock's Imagery page both call :func:`search_areas` with a source id; the source
(see ``sources``) gives the search, this runs one query per area and says how each footprint covers its area.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from ..core.errors import BaiMeiError, Canceled
from ..core.footprints import Footprint, FootprintQuery
from . import sources
from .transport import Credentials, HttpTransport


@dataclass
class SearchArea:
    """A place (shapely, lon/lat) and a time window (epoch seconds UTC), optionally the gap it comes from."""

    geometry: object
    start: int
    end: int
    gap_id: Optional[str] = None
    mmsi: Optional[int] = None
    gap_window: Optional[Tuple[int, int]] = None  # the gap's own off/on times (the search window may be padded)


@dataclass
class FoundFootprint:
    footprint: Footprint
    gap_id: Optional[str]
    covers_aoi: bool  # the footprint contains the whole area (or the point)
    aoi_overlap_pct: float  # share of the area inside the footprint (100 or 0 for a point)
    in_gap_window: Optional[bool] = None  # taken while the ship was dark (None when not searched for a gap)


def found_to_json(found: Sequence[FoundFootprint]) -> List[dict]:
    """A search's results as plain JSON values (a case keeps them, so that reopening it shows them again)."""
    from shapely.geometry import mapping

    out = []
    for f in found:
        fp = f.footprint
        record = {name: getattr(fp, name) for name in fp.__dataclass_fields__ if name != "geometry"}
        record["geometry"] = mapping(fp.geometry) if fp.geometry is not None else None
        out.append(
            {
                "footprint": record,
                "gap_id": f.gap_id,
                "covers_aoi": f.covers_aoi,
                "aoi_overlap_pct": f.aoi_overlap_pct,
                "in_gap_window": f.in_gap_window,
            }
        )
    return out


def found_from_json(items) -> List[FoundFootprint]:
    """``found_to_json``'s values as results again; entries that are not such values are skipped."""
    from shapely.geometry import shape

    found = []
    for item in items if isinstance(items, list) else []:
        try:
            record = dict(item["footprint"])
            geometry = record.pop("geometry", None)
            footprint = Footprint(**record, geometry=shape(geometry) if geometry else None)
            found.append(
                FoundFootprint(
                    footprint,
                    item.get("gap_id"),
                    bool(item.get("covers_aoi")),
                    float(item.get("aoi_overlap_pct") or 0.0),
                    item.get("in_gap_window"),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return found


def coverage(footprint_geometry, aoi) -> Tuple[bool, float]:
    """Whether a footprint covers the whole area, and the percentage of the area it covers (planar in degrees,
    close enough for areas of a few hundred kilometres; by length for lines, all or nothing for points)."""
    covers = bool(footprint_geometry.covers(aoi))
    if aoi.area > 0:
        share = footprint_geometry.intersection(aoi).area / aoi.area
    elif aoi.length > 0:
        share = footprint_geometry.intersection(aoi).length / aoi.length
    else:
        share = 1.0 if covers else 0.0
    return covers, round(100.0 * min(1.0, share), 2)


def search_areas(
    source_id: str,
    url: str,
    areas: Sequence[SearchArea],
    collections: Sequence[str] = (),
    max_cloud: Optional[float] = None,
    max_items: int = 500,
    credentials: Optional[Credentials] = None,
    transport: Optional[HttpTransport] = None,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
    deadline: Optional[float] = None,
) -> Tuple[List[FoundFootprint], Dict]:
    """Footprints from the source ``source_id`` (see ``sources``) for each area's place and window, at most
    ``max_items`` in all, and a summary dict: ``searches``, ``found``, ``truncated`` (some search stopped at the
    cap), ``dropped`` (Counter of local filter reasons), ``notes`` (what the transport did that the user should
    know, e.g. a host asked without credentials).

    The whole search ends after ``deadline`` seconds (default: the transport's ``search_deadline``) with an
    error saying so; the running request is cut like on Cancel."""
    if not areas:
        raise BaiMeiError("Nothing to search: no area of interest (choose a gap, a layer or an extent).")
    source = sources.get(source_id)
    transport = transport or HttpTransport()
    limit = float(deadline if deadline is not None else getattr(transport, "search_deadline", 900.0))
    ends_at = time.monotonic() + limit
    user_canceled = is_canceled or (lambda: False)

    def canceled() -> bool:  # the deadline stops the search the way Cancel does; the error below tells them apart
        return user_canceled() or time.monotonic() >= ends_at

    try:
        return _search_areas(
            source, url, areas, collections, max_cloud, max_items, credentials, transport, progress, canceled
        )
    except Canceled:
        if user_canceled() or time.monotonic() < ends_at:
            raise
        shown = urlsplit(source.address(url)).hostname or "the catalogue"
        raise BaiMeiError(
            f"The search at {shown} did not finish within {limit:g} s (the search deadline); narrow "
            f"the area, the time window or the number of scenes, or try again later."
        ) from None


def _search_areas(
    source, url, areas, collections, max_cloud, max_items, credentials, transport, progress, canceled
) -> Tuple[List[FoundFootprint], Dict]:
    notes: List[str] = []
    search = source.searcher(url, credentials, transport, canceled, notes)
    results: List[FoundFootprint] = []
    summary = {"searches": 0, "found": 0, "truncated": False, "dropped": Counter(), "notes": notes}
    for k, area in enumerate(areas):
        if canceled():
            raise Canceled()
        remaining = max_items - len(results)
        if remaining <= 0:
            summary["truncated"] = True
            break
        query = FootprintQuery(area.geometry, area.start, area.end, max_cloud, list(collections), remaining)

        def step(fraction, k=k):
            if progress is not None:
                progress((k + max(0.0, min(1.0, fraction))) / len(areas))

        found, truncated, dropped = search(query, step)
        summary["searches"] += 1
        summary["truncated"] |= bool(truncated)
        summary["dropped"].update(dropped)
        for footprint in found[:remaining]:
            covers, pct = coverage(footprint.geometry, area.geometry)
            dark = None
            if area.gap_window is not None:
                dark = area.gap_window[0] <= footprint.acquired <= area.gap_window[1]
            results.append(FoundFootprint(footprint, area.gap_id, covers, pct, dark))
        step(1.0)
    summary["found"] = len(results)
    return results, summary
