"""Planet Data API v1 quick search into Footprints.

Authentication is HTTP basic with the API key as user name and an empty password (``planet_api_key_auth``); the key
is resolved only when a request is sent and hidden in every message. Cloud cover in the Data API is a 0–1 fraction:
the query's percent is divided by 100 in the request and the answer's fraction becomes percent in the records.
The key goes only to the configured API origin: a ``_links._next`` on another origin is refused (the search needs
the key on every page, so following it without the key could not work and following it with the key would leak it).

Scenes: an item's assets are listed (``/item-types/{type}/items/{id}/assets``), the chosen one activated (POST its
``_links.activate``) and polled until its status is ``active`` (a bounded wait, Cancel and Retry-After honoured),
then its ``location`` is resolved: redirects to another host (a storage bucket) are followed without the key, and
GDAL reads the final address in place when it is plain and open. A real Planet location carries a token and
redirects to a signed storage address, and GDAL 3.6 cannot be given the key for one address only: such an asset is
downloaded instead (:meth:`PlanetScenes.download`, the key to Planet's origin only, the redirect followed without
it, streamed to ``<item type>_<item id>_<asset>.tif`` in the scene folder) and GDAL opens the local file; a second
open finds the file there and downloads nothing. No token or signature reaches a path, a layer source or a message.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote, urljoin, urlsplit

from ..core.errors import BaiMeiError, Canceled
from ..core.footprints import (
    Footprint,
    FootprintQuery,
    filter_footprints,
    footprint_from_planet_feature,
    format_rfc3339,
    geometry_to_geojson,
    redact_url,
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
# what "Add to map" opens when the analyst does not choose: the rendered RGB image first, then analytic products
PREFERRED_ASSETS = ("ortho_visual", "visual", "ortho_pansharpened", "ortho_analytic_4b", "ortho_analytic", "analytic")
ACTIVATION_WAIT_S = 900.0  # Planet usually activates within minutes; past this the analyst is told to try later
ACTIVATION_POLL_S = 5.0
RANGE_ONE_BYTE = {"Range": "bytes=0-0"}
# a scene is far larger than an API answer: the transport's cap is raised for this download only
DOWNLOAD_MAX_BYTES = 5 * 1024**3  # SkySat collects' visual assets reach a few GB
DOWNLOAD_DEADLINE_S = 3 * 3600.0  # the whole download; a stalled one ends at the read timeout long before


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


# query keys of signed storage addresses that redact_url does not already hide (Google Cloud Storage, CloudFront)
_OTHER_SIGNATURE_KEYS = {"x-goog-signature", "x-goog-credential", "key-pair-id", "policy"}


def signed(url: str) -> bool:
    """Whether ``url`` carries a key, token or signature in its query (it must not go into a layer source)."""
    if redact_url(url) != url:
        return True
    query = urlsplit(url).query.lower()
    return any(part.split("=", 1)[0] in _OTHER_SIGNATURE_KEYS for part in query.split("&"))


def choose_asset(assets: Dict[str, Any], wanted: str, item_id: str) -> str:
    """``wanted``, or the first of :data:`PREFERRED_ASSETS` the item has; BaiMeiError naming what it has."""
    if wanted:
        if wanted in assets:
            return wanted
        raise BaiMeiError(
            f"Planet item {item_id} has no asset '{wanted}'; it has: {', '.join(sorted(assets)) or 'none'}."
        )
    for key in PREFERRED_ASSETS:
        if key in assets:
            return key
    raise BaiMeiError(
        f"Planet item {item_id} has no image Bai Mei can show (expected one of {', '.join(PREFERRED_ASSETS)}); "
        f"it has: {', '.join(sorted(assets)) or 'none'} — or your plan gives no download permission for them."
    )


def _check_canceled(is_canceled):
    if is_canceled is not None and is_canceled():
        raise Canceled()


class PlanetScenes:
    """Activation and opening of one item's asset through the Data API (see the module's docstring)."""

    def __init__(
        self,
        client: PlanetClient,
        max_wait: float = ACTIVATION_WAIT_S,
        poll: float = ACTIVATION_POLL_S,
        max_download: int = DOWNLOAD_MAX_BYTES,
    ):
        self.client = client
        self.max_wait = max_wait
        self.poll = poll
        self.max_download = max_download

    @property
    def transport(self) -> HttpTransport:
        return self.client.transport

    def _get(self, method: str, url: str, is_canceled, headers=None):
        if not same_origin(url, self.client.base_url):
            raise BaiMeiError(
                f"Planet's answer sends Bai Mei to {origin_label(url)} for a request that needs the API key, not "
                f"to {origin_label(self.client.base_url)} where the key belongs; Bai Mei did not send the key there. "
                f"Check the Planet API address.",
                f"address: {redact(url)}",
            )
        return self.transport.request(
            method,
            url,
            headers=headers,
            auth=self.client.credentials,
            is_canceled=is_canceled,
            auth_origin=self.client.base_url,
        )

    def assets_url(self, item_type: str, item_id: str) -> str:
        return f"{self.client.base_url}/item-types/{quote(item_type, safe='')}/items/{quote(item_id, safe='')}/assets/"

    def assets(self, item_type: str, item_id: str, is_canceled=None) -> Dict[str, Any]:
        """The item's assets (key -> asset with ``status``, ``_links`` and, once active, ``location``)."""
        url = self.assets_url(item_type, item_id)
        answer = self._get("GET", url, is_canceled).json()
        if not isinstance(answer, dict) or not all(isinstance(a, dict) for a in answer.values()):
            raise BaiMeiError(
                f"Planet's asset list for {item_type} item {item_id} at {origin_label(url)} is not an object of "
                f'assets (expected {{"ortho_visual": {{"status": ..., "_links": ...}}, ...}}).'
            )
        return answer

    def activate(
        self, item_type: str, item_id: str, wanted: str = "", is_canceled=None, progress=None
    ) -> Tuple[str, Dict[str, Any]]:
        """(asset key, the asset once active): activation asked if needed, then polled for at most ``max_wait``."""
        assets = self.assets(item_type, item_id, is_canceled)
        key = choose_asset(assets, wanted, item_id)
        asset = assets[key]
        if asset.get("status") == "active":
            return key, asset
        self._request_activation(key, asset, item_id, is_canceled)
        started = self.transport.monotonic()
        while True:
            waited = self.transport.monotonic() - started
            if progress is not None:
                progress(min(0.9, waited / self.max_wait))
            if waited >= self.max_wait:
                raise BaiMeiError(
                    f"Planet did not activate the '{key}' asset of {item_id} within {self.max_wait / 60:g} minutes "
                    f"(status '{asset.get('status')}'); activation goes on at Planet: try Add to map again later.",
                )
            self._wait(self.poll, is_canceled)
            asset = self.assets(item_type, item_id, is_canceled).get(key) or {}
            status = asset.get("status")
            if status == "active":
                return key, asset
            if status not in ("inactive", "activating"):
                raise BaiMeiError(
                    f"Planet gives the '{key}' asset of {item_id} the status '{status}' (expected 'activating' "
                    f"or 'active'); it cannot be shown.",
                )

    def _request_activation(self, key: str, asset: Dict[str, Any], item_id: str, is_canceled) -> None:
        link = (asset.get("_links") or {}).get("activate") if isinstance(asset.get("_links"), dict) else None
        if asset.get("status") == "activating":
            return
        if not link:
            raise BaiMeiError(
                f"The '{key}' asset of Planet item {item_id} is '{asset.get('status')}' and has no activation "
                f"link (_links.activate); your plan may not allow downloading it."
            )
        self._get("POST", urljoin(self.client.base_url + "/", str(link)), is_canceled)

    def _wait(self, seconds: float, is_canceled) -> None:
        """Sleeps in short steps so Cancel is honoured while Planet activates."""
        remaining = seconds
        while remaining > 0:
            _check_canceled(is_canceled)
            step = min(0.5, remaining)
            self.transport.sleep(step)
            remaining -= step
        _check_canceled(is_canceled)

    def locate(self, key: str, asset: Dict[str, Any], item_id: str, is_canceled=None) -> Tuple[str, bool]:
        """(address, whether it must be downloaded) of the active asset. Its ``location`` is followed (with the key
        on Planet's origin only; a redirect elsewhere without it): GDAL may read the final address in place when it
        is plain (no token or signature: it goes into the layer source) and answers without the key (GDAL 3.6
        takes HTTP credentials for every address or none, and the key must reach Planet only). Otherwise the
        asset is downloaded from its ``location``."""
        location = asset.get("location")
        if not location:
            raise BaiMeiError(f"Planet reports the '{key}' asset of {item_id} active but gives no location for it.")
        location = urljoin(self.client.base_url + "/", str(location))
        if signed(location):  # Planet's own download?token=...: asking it is the download
            return location, True
        final = location
        if same_origin(final, self.client.base_url):
            # one byte is enough to learn where the data is; the key goes to Planet's origin only
            final = self._get("GET", final, is_canceled, headers=RANGE_ONE_BYTE).url
        if signed(final):
            return location, True
        if same_origin(final, self.client.base_url) and not self._readable_without_key(final, is_canceled):
            return location, True
        return final, False

    def _readable_without_key(self, url: str, is_canceled) -> bool:
        try:
            self.transport.request("GET", url, headers=RANGE_ONE_BYTE, is_canceled=is_canceled)
        except Canceled:
            raise
        except BaiMeiError:
            return False
        return True

    def download(self, location: str, path: str, is_canceled=None, progress=None) -> str:
        """The asset at ``location`` saved as ``path`` (see :meth:`HttpTransport.download`: ``.partial`` renamed
        when complete, removed on failure or Cancel); the key only on Planet's origin, never across a redirect."""
        self.transport.download(
            location,
            path,
            auth=self.client.credentials,
            auth_origin=self.client.base_url,
            is_canceled=is_canceled,
            progress=progress,
            max_bytes=self.max_download,
            deadline=DOWNLOAD_DEADLINE_S,
        )
        return path


def scene_file(folder: str, item_type: str, item_id: str, key: str) -> str:
    """Where a downloaded asset is kept: one file per item and asset, so a second open finds it."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{item_type}_{item_id}_{key}").strip("._") or "planet_scene"
    return os.path.join(folder, name + ".tif")


def cached_scene(folder: str, item_type: str, item_id: str, wanted: str = "") -> Optional[Tuple[str, str]]:
    """(asset key, file) of an asset of the item already downloaded to ``folder``: ``wanted``, or else the first of
    :data:`PREFERRED_ASSETS` found (what :func:`choose_asset` would pick when the item has it); None if none."""
    for key in (wanted,) if wanted else PREFERRED_ASSETS:
        path = scene_file(folder, item_type, item_id, key)
        if os.path.isfile(path):
            return key, path
    return None
