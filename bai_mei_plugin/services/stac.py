"""STAC API client: landing page and conformance, collections, and item search with paging into Footprints.

Search is a POST to ``<base>/search`` with ``intersects``, ``datetime``, ``collections`` and ``limit``; the cloud limit
goes to the server as CQL2-JSON when the API conforms to the Filter extension, else as the Query extension, and is
applied again locally (servers treat items without ``eo:cloud_cover`` differently). Pages are followed through
``rel=next`` links as the STAC API spec describes them (GET href, or POST with ``body``, ``merge`` and ``headers``).
Credentials go only to the API's own origin: a next link elsewhere is followed without them, and ``info["notes"]``
says so.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urljoin, urlsplit

from ..core.errors import BaiMeiError, Canceled
from ..core.footprints import (
    Footprint,
    FootprintQuery,
    filter_footprints,
    footprint_from_stac_item,
    format_rfc3339,
    geometry_to_geojson,
)
from .transport import Credentials, HttpTransport, Response, redact

STAC_PRESETS = {
    "Earth Search (Element 84) v1": "https://earth-search.aws.element84.com/v1",
    "Microsoft Planetary Computer": "https://planetarycomputer.microsoft.com/api/stac/v1",
}
MAX_PAGE_LIMIT = 100  # most STAC APIs refuse or cap larger pages
MAX_COLLECTION_PAGES = 50
SKIPPED = "items that could not be read"

Progress = Optional[Callable[[float], None]]
IsCanceled = Optional[Callable[[], bool]]


def _source_name(base_url: str) -> str:
    for name, url in STAC_PRESETS.items():
        if base_url.rstrip("/") == url.rstrip("/"):
            return f"STAC {name}"
    return f"STAC {urlsplit(base_url).hostname or base_url}"


def _next_link(page: dict) -> Optional[dict]:
    for link in page.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return link
    return None


class StacClient:
    def __init__(
        self,
        base_url: str,
        transport: Optional[HttpTransport] = None,
        credentials: Optional[Credentials] = None,
        source_name: Optional[str] = None,
    ):
        if not base_url or urlsplit(base_url).scheme not in ("http", "https"):
            raise BaiMeiError(f"'{redact(base_url)}' is not a STAC API address (it must start with https://).")
        self.base_url = base_url.rstrip("/")
        self.transport = transport or HttpTransport()
        self.credentials = credentials
        self.source_name = source_name or _source_name(base_url)
        self._landing: Optional[dict] = None

    # --- discovery ---------------------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        body: Optional[dict] = None,
        headers: Optional[dict] = None,
        is_canceled: IsCanceled = None,
    ) -> Response:
        """One request with the credentials bound to the API's origin (``base_url``): any other host gets none."""
        return self.transport.request(
            method,
            url,
            json_body=body,
            headers=headers or None,
            auth=self.credentials,
            is_canceled=is_canceled,
            auth_origin=self.base_url,
        )

    def _get(self, url: str, is_canceled: IsCanceled = None, headers: Optional[dict] = None) -> Any:
        return self._request("GET", url, headers=headers, is_canceled=is_canceled).json()

    def landing(self, is_canceled: IsCanceled = None) -> dict:
        """The landing page (fetched once): its ``conformsTo`` tells which search extensions the API has."""
        if self._landing is None:
            page = self._get(self.base_url, is_canceled)
            if not isinstance(page, dict) or ("conformsTo" not in page and "stac_version" not in page):
                raise BaiMeiError(f"{redact(self.base_url)} is not a STAC API landing page (no conformsTo).")
            self._landing = page
        return self._landing

    def conforms_to(self) -> List[str]:
        classes = self.landing().get("conformsTo") or []
        return [str(c) for c in classes] if isinstance(classes, list) else []

    def supports_cql2_filter(self) -> bool:
        classes = self.conforms_to()
        has_filter = any("item-search#filter" in c or c.endswith("/filter") for c in classes)
        return has_filter and any("cql2-json" in c for c in classes)

    def supports_query_extension(self) -> bool:
        return any("#query" in c for c in self.conforms_to())

    def collections(self, is_canceled: IsCanceled = None) -> List[Tuple[str, str]]:
        """(id, title) of every collection, following ``next`` links of /collections."""
        url: Optional[str] = f"{self.base_url}/collections"
        found: Dict[str, str] = {}
        visited = set()
        while url and url not in visited and len(visited) < MAX_COLLECTION_PAGES:
            visited.add(url)
            response = self._request("GET", url, is_canceled=is_canceled)
            page = response.json()
            if not isinstance(page, dict) or not isinstance(page.get("collections"), list):
                raise BaiMeiError(f"{redact(url)} did not list collections (no 'collections' array).")
            for collection in page["collections"]:
                if isinstance(collection, dict) and collection.get("id"):
                    cid = str(collection["id"])
                    found.setdefault(cid, str(collection.get("title") or cid).strip())
            link = _next_link(page)
            get = link and (link.get("method") or "GET").upper() == "GET"
            url = urljoin(response.url, str(link["href"])) if get else None
        return list(found.items())

    # --- search ------------------------------------------------------------------------------------------------

    def build_search_body(self, query: FootprintQuery) -> dict:
        body: Dict[str, Any] = {
            "intersects": geometry_to_geojson(query.geometry),
            "datetime": f"{format_rfc3339(query.start)}/{format_rfc3339(query.end)}",
            "limit": min(query.max_items, MAX_PAGE_LIMIT),
        }
        if query.collections:
            body["collections"] = list(query.collections)
        if query.max_cloud is not None:
            if self.supports_cql2_filter():
                body["filter-lang"] = "cql2-json"
                body["filter"] = {"op": "<=", "args": [{"property": "eo:cloud_cover"}, query.max_cloud]}
            else:
                body["query"] = {"eo:cloud_cover": {"lte": query.max_cloud}}
        return body

    def search(
        self, query: FootprintQuery, progress: Progress = None, is_canceled: IsCanceled = None
    ) -> Tuple[List[Footprint], Dict[str, Any]]:
        """Footprints matching ``query`` and an info dict: ``pages``, ``matched`` (when the server says),
        ``received``, ``truncated`` (stopped at max_items/max_pages with more available), ``dropped`` (Counter of
        local filter reasons and unreadable items), ``skipped_examples`` (why some items could not be read) and
        ``kept``. ``progress`` receives the fraction done (0 to 1); ``is_canceled`` is checked between pages."""
        method, url = "POST", f"{self.base_url}/search"
        body: Optional[dict] = self.build_search_body(query)
        headers: Dict[str, str] = {}
        found: List[Footprint] = []
        dropped: Counter = Counter()
        skipped: List[str] = []
        info: Dict[str, Any] = {
            "source": self.source_name,
            "pages": 0,
            "matched": None,
            "received": 0,
            "truncated": False,
            "notes": [],
        }
        requests_made = set()
        while True:
            if is_canceled is not None and is_canceled():
                raise Canceled()
            signature = (method, url, repr(sorted(body.items())) if body else None)
            if signature in requests_made:  # a server repeating its own next link: stop rather than loop
                break
            requests_made.add(signature)
            response = self._request(method, url, body if method == "POST" else None, headers, is_canceled)
            _add_notes(info, response)
            page = response.json()
            if not isinstance(page, dict) or not isinstance(page.get("features"), list):
                raise BaiMeiError(f"The STAC search at {redact(url)} did not answer with a FeatureCollection.")
            info["pages"] += 1
            matched = page.get("numberMatched", (page.get("context") or {}).get("matched"))
            if isinstance(matched, int):
                info["matched"] = matched
            features = page["features"]
            for index, item in enumerate(features):
                if len(found) >= query.max_items:
                    info["truncated"] = True
                    break
                try:
                    found.append(footprint_from_stac_item(item, self.source_name))
                except (BaiMeiError, ArithmeticError, ValueError, TypeError) as exc:  # one bad item, not the search
                    dropped[SKIPPED] += 1
                    if len(skipped) < 5:
                        item_id = item.get("id") if isinstance(item, dict) else None
                        reason = exc.message if isinstance(exc, BaiMeiError) else f"could not be read ({exc})"
                        skipped.append(f"page {info['pages']} item {index} ({item_id}): {reason}")
            info["received"] += len(features)
            _report(progress, info, query, len(found))
            link = _next_link(page)
            if not features or link is None:
                break
            if len(found) >= query.max_items or info["pages"] >= query.max_pages:
                info["truncated"] = True
                break
            method, url, body, headers = _follow(link, body, response.url)
        kept, filtered = filter_footprints(found, query)
        dropped.update(filtered)
        info.update(dropped=dropped, skipped_examples=skipped, kept=len(kept))
        return kept, info


def _add_notes(info: Dict[str, Any], response: Response) -> None:
    for note in response.notes:
        if note not in info["notes"]:
            info["notes"].append(note)


def _follow(
    link: dict, previous_body: Optional[dict], page_url: str = ""
) -> Tuple[str, str, Optional[dict], Dict[str, str]]:
    """The request a ``rel=next`` link asks for: method, href (relative ones resolved against the page's
    address), body (merged into the previous one when ``merge`` is true; the previous body when a POST link has
    none) and extra headers."""
    method = str(link.get("method") or "GET").upper()
    headers = {str(k): str(v) for k, v in (link.get("headers") or {}).items()}
    href = urljoin(page_url, str(link["href"]))
    if method == "GET":
        return method, href, None, headers
    link_body = link.get("body")
    if not isinstance(link_body, dict):
        body = dict(previous_body or {})
    elif link.get("merge"):
        body = {**(previous_body or {}), **link_body}
    else:
        body = dict(link_body)
    return method, href, body, headers


def _report(progress: Progress, info: dict, query: FootprintQuery, count: int):
    if progress is None:
        return
    target = min(info["matched"], query.max_items) if info.get("matched") else None
    if target:
        progress(min(1.0, count / target))
    else:
        progress(min(1.0, info["pages"] / query.max_pages))
