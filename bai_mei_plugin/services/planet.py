"""Planet Data API v1 quick search into Footprints.

Authentication is HTTP basic with the API key as user name and an empty password (``planet_api_key_auth``); the key
is resolved only when a request is sent and hidden in every message. Cloud cover in the Data API is a 0–1 fraction:
the query's percent is divided by 100 in the request and the answer's fraction becomes percent in the records.
The key goes only to the configured API origin: a ``_links._next`` on another origin is refused (the search needs
the key on every page, so following it without the key could not work and following it with the key would leak it).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urljoin

from ..core.errors import BaiMeiError, Canceled
from ..core.footprints import (
    Footprint,
    FootprintQuery,
    filter_footprints,
    footprint_from_planet_feature,
    format_rfc3339,
    geometry_to_geojson,
)
from .transport import BasicAuth, Credentials, HttpTransport, origin_label, redact, same_origin

PLANET_API_URL = "https://api.planet.com/data/v1"
PLANET_ITEM_TYPES = {
    "PSScene": "PlanetScope scene (3 to 8 bands, about 3 m)",
    "SkySatCollect": "SkySat collect (orthorectified strip, about 0.5 m)",
    "SkySatScene": "SkySat scene (single frame, about 0.7 m)",
    "PSScene4Band": "PlanetScope 4-band scene (legacy, retired in 2023)",
    "PSScene3Band": "PlanetScope 3-band scene (legacy, retired in 2023)",
    "PSOrthoTile": "PlanetScope ortho tile",
    "REOrthoTile": "RapidEye ortho tile (archive 2009–2020)",
    "REScene": "RapidEye scene (archive 2009–2020)",
    "SkySatVideo": "SkySat video",
}
DEFAULT_ITEM_TYPES = ("PSScene", "SkySatCollect")
MAX_PAGE_SIZE = 250
SKIPPED = "items that could not be read"


def planet_api_key_auth(key_provider: Callable[[], str]) -> BasicAuth:
    """Basic auth with the key from ``key_provider()`` as user name and an empty password."""
    return BasicAuth(lambda: (key_provider() or "", ""))


class PlanetClient:
    def __init__(
        self,
        transport: Optional[HttpTransport],
        credentials: Credentials,
        base_url: str = PLANET_API_URL,
        source_name: str = "Planet Data API",
    ):
        self.transport = transport or HttpTransport()
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.source_name = source_name

    def build_search_request(self, query: FootprintQuery) -> dict:
        """The quick-search body: item types and an AndFilter of geometry, acquisition dates and cloud cover."""
        config: List[Dict[str, Any]] = [
            {"type": "GeometryFilter", "field_name": "geometry", "config": geometry_to_geojson(query.geometry)},
            {
                "type": "DateRangeFilter",
                "field_name": "acquired",
                "config": {"gte": format_rfc3339(query.start), "lte": format_rfc3339(query.end)},
            },
        ]
        if query.max_cloud is not None:
            config.append(
                {
                    "type": "RangeFilter",
                    "field_name": "cloud_cover",
                    "config": {"lte": round(query.max_cloud / 100.0, 6)},
                }
            )
        return {
            "item_types": list(query.collections or DEFAULT_ITEM_TYPES),
            "filter": {"type": "AndFilter", "config": config},
        }

    def search(
        self,
        query: FootprintQuery,
        progress: Optional[Callable[[float], None]] = None,
        is_canceled: Optional[Callable[[], bool]] = None,
    ) -> Tuple[List[Footprint], Dict[str, Any]]:
        """Footprints matching ``query`` and an info dict (``pages``, ``received``, ``truncated``, ``dropped``,
        ``skipped_examples``, ``kept``), following ``_links._next`` with GET. ``progress`` receives the fraction
        done (0 to 1); ``is_canceled`` is checked between pages."""
        page_size = min(query.max_items, MAX_PAGE_SIZE)
        method, url = "POST", f"{self.base_url}/quick-search?_page_size={page_size}"
        body: Optional[dict] = self.build_search_request(query)
        found: List[Footprint] = []
        dropped: Counter = Counter()
        skipped: List[str] = []
        info: Dict[str, Any] = {
            "source": self.source_name,
            "pages": 0,
            "matched": None,
            "received": 0,
            "truncated": False,
        }
        visited = set()
        while True:
            if is_canceled is not None and is_canceled():
                raise Canceled()
            visited.add(url)
            response = self.transport.request(
                method, url, json_body=body, auth=self.credentials, is_canceled=is_canceled, auth_origin=self.base_url
            )
            page = response.json()
            if not isinstance(page, dict) or not isinstance(page.get("features"), list):
                raise BaiMeiError(f"The Planet search at {redact(url)} did not answer with a FeatureCollection.")
            info["pages"] += 1
            features = page["features"]
            for index, feature in enumerate(features):
                if len(found) >= query.max_items:
                    info["truncated"] = True
                    break
                try:
                    found.append(footprint_from_planet_feature(feature, self.source_name))
                except (BaiMeiError, ArithmeticError, ValueError, TypeError) as exc:  # one bad item, not the search
                    dropped[SKIPPED] += 1
                    if len(skipped) < 5:
                        item_id = feature.get("id") if isinstance(feature, dict) else None
                        reason = exc.message if isinstance(exc, BaiMeiError) else f"could not be read ({exc})"
                        skipped.append(f"page {info['pages']} item {index} ({item_id}): {reason}")
            info["received"] += len(features)
            if progress is not None:
                progress(min(1.0, max(len(found) / query.max_items, info["pages"] / query.max_pages)))
            next_url = (page.get("_links") or {}).get("_next")
            next_url = urljoin(response.url, str(next_url)) if next_url else None
            if not features or not next_url or next_url in visited:
                break
            if len(found) >= query.max_items or info["pages"] >= query.max_pages:
                info["truncated"] = True
                break
            if not same_origin(next_url, self.base_url):
                raise BaiMeiError(
                    f"Planet's answer names its next page at {origin_label(next_url)}, not at "
                    f"{origin_label(self.base_url)} where the API key belongs; Bai Mei did not send the key there and "
                    f"stopped the search after {info['pages']} page(s). Check the Planet API address.",
                    f"next page: {redact(next_url)}",
                )
            method, url, body = "GET", next_url, None
        kept, filtered = filter_footprints(found, query)
        dropped.update(filtered)
        info.update(dropped=dropped, skipped_examples=skipped, kept=len(kept))
        return kept, info
