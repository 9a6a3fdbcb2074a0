"""Imagery sources, one module each, in a registry keyed by a stable id ("stac", "planet", "static").

A source is an :class:`ImagerySource`: its id (stored in settings and used by the code), its label (what the
analyst reads), the fields of the Imagery form as data (:class:`FormFields`: address presets, whether the address
may be a file, what the collections are called and which are offered, a hint for the login) and how to search it
(:meth:`ImagerySource.searcher`). The form, the results pane, ``search_areas`` and ``baimei:searchfootprints`` look a
source up here and never test which source it is.

To add a source, add a module to this package that calls :func:`register` with an instance: it is found and imported
with the package. Give it an ``order`` above every existing one: Processing lists the sources in that order, and
saved models refer to a source by its place in the list.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote, urlsplit

from ...core.errors import BaiMeiError
from ...core.footprints import Footprint, FootprintQuery, redact_url
from ..static_catalogue import ASSETS_PROPERTY, LOCAL_ASSETS_PROPERTY, resolve_assets
from ..transport import DEFAULT_PORTS, Credentials, HttpTransport, origin_of

# query, progress(0-1) -> (footprints, whether a cap stopped the search, Counter of footprints not kept by reason)
Search = Callable[[FootprintQuery, Callable[[float], None]], Tuple[List[Footprint], bool, Counter]]


@dataclass(frozen=True)
class FormFields:
    """What the Imagery form shows for a source, as data the form builds its widgets from."""

    addresses: Callable[[], Sequence[Tuple[str, str]]]  # (address, tooltip) presets; the first is the default
    address_is_file: bool = False  # the address may be a file: the form offers to browse for one
    collections_label: str = "Collections"
    collections_default: str = ""  # comma-separated, what the form starts with
    collections_hint: str = "all"  # the placeholder of an empty collections box
    known_collections: Tuple[Tuple[str, str], ...] = ()  # (id, title) offered without asking the source
    lists_collections: bool = False  # the source can list its collections (over the network)
    login_hint: str = "Authentication configuration, when the source needs one"
    cloud_filter: bool = True  # the source filters by cloud cover
    # A second address the source's previews are on (Planet: its tiles host), shown as its own field when
    # ``previews_label`` is set: the login is sent to a thumbnail on that origin too (and to no other host).
    previews_label: str = ""
    previews_default: str = ""
    previews_hint: str = ""

    def default_address(self) -> str:
        presets = self.addresses()
        return presets[0][0] if presets else ""

    def preset_addresses(self) -> List[str]:
        return [address for address, _tooltip in self.addresses()]


@dataclass(frozen=True)
class SceneAccess:
    """How GDAL opens one asset of a scene. ``gdal_path`` goes into the layer's source and so into the project: it
    never carries a key, a token or a signature. What the asset needs besides (an API key header, a SAS token) is in
    ``options``: GDAL configuration options for that path only, set in memory when the layer is opened and never
    written anywhere. Signed access expires at ``expires_at`` (unix seconds); ``renew`` gives a fresh one."""

    gdal_path: str
    name: str
    asset_key: str = ""
    options: Tuple[Tuple[str, str], ...] = ()
    options_prefix: str = ""  # the path prefix the options apply to (GDAL's path-specific options)
    expires_at: Optional[float] = None
    renew: Optional[Callable[[], SceneAccess]] = None


class ImagerySource:
    """One imagery source; subclasses set the class attributes and implement :meth:`searcher`."""

    id: str = ""
    label: str = ""
    order: int = 0
    fields: FormFields = FormFields(addresses=tuple)
    # the footprints carry their assets (a static catalogue read here); else they come from the STAC record
    assets_on_footprints: bool = False
    help: str = ""  # one or two sentences (HTML) for the Processing algorithm's help: what is searched, what it needs

    def address(self, url: str) -> str:
        """The address searched: ``url``, or the default one when empty."""
        return url or self.fields.default_address()

    def searcher(
        self,
        url: str,
        credentials: Optional[Credentials],
        transport: HttpTransport,
        is_canceled: Callable[[], bool],
        notes: List[str],
    ) -> Search:
        """A search function for this source at ``url``; what it does once (a landing page, a whole catalogue)
        is done here. Notes for the user (e.g. a host asked without credentials) are added to ``notes``."""
        raise NotImplementedError

    def collections(
        self, url: str, credentials: Optional[Credentials], transport: HttpTransport, is_canceled: Callable[[], bool]
    ) -> List[Tuple[str, str]]:
        """(id, title) of the collections the source offers."""
        if self.fields.known_collections:
            return list(self.fields.known_collections)
        raise BaiMeiError(f"{self.label} cannot list its collections; type them instead.")

    def previews_origin(self, previews_url: str, url: str = "") -> str:
        """The origin (``scheme://host[:port]``, nothing else of the address is kept) of the previews address the
        user gave for this source (its default when empty); "" for a source without one. BaiMeiError when it is not
        an http(s) address, or is plain http while the search's address ``url`` is https (the key would cross the
        network in clear)."""
        if not self.fields.previews_label:
            return ""
        given = (previews_url or "").strip() or self.fields.previews_default
        origin = origin_address(given)
        if not origin:
            raise BaiMeiError(
                f"The {self.fields.previews_label.lower()} address {redact_url(given)!r} is not an http(s) address."
            )
        if origin.startswith("http://") and self.address(url).lower().startswith("https://"):
            raise BaiMeiError(
                f"The {self.fields.previews_label.lower()} address {origin} is plain http while the search's address "
                "is https: the login would cross the network unencrypted. Give an https address."
            )
        return origin

    def scene_refusal(self, item_id: str) -> Optional[str]:
        """Why a scene of this source cannot be added to the map (None: it can, through its STAC record)."""
        return None

    def scene_access(
        self,
        footprint: Footprint,
        asset_key: str,
        credentials: Optional[Credentials],
        transport: HttpTransport,
        is_canceled: Callable[[], bool],
        progress: Callable[[float], None],
        folder: str = "",
    ) -> SceneAccess:
        """How GDAL opens the asset ``asset_key`` of ``footprint`` ("" for the source's choice: the visual image).
        ``folder`` is where a source that must download the asset (GDAL cannot read it in place without a secret)
        keeps the file ("" for the source's own default); sources that open assets in place ignore it.

        By default, from the item's STAC assets: those the footprint carries (a static catalogue's, hrefs already
        resolved) or those of its STAC record at ``self_url`` (fetched with ``credentials``: the caller passes them
        only when the record is on the search's own origin). Public http(s) assets open through ``/vsicurl/``."""
        assets = footprint.properties.get(ASSETS_PROPERTY) if self.assets_on_footprints else None
        local_ok = bool(assets) and footprint.properties.get(LOCAL_ASSETS_PROPERTY) is True
        if not assets:
            assets = record_assets(footprint, credentials, transport, is_canceled)
        progress(0.5)
        chosen = pick_asset(assets, asset_key, local_ok)
        if chosen is None:
            raise BaiMeiError(no_image_message(footprint.item_id, asset_key, assets))
        key, href = chosen
        return SceneAccess(gdal_path_of(href), f"{footprint.item_id} ({key})", key)


def origin_address(url: Optional[str]) -> str:
    """``scheme://host[:port]`` of an http(s) address (the port only when not the scheme's default); "" when
    ``url`` is not one. What is kept of a previews address: no path or query, which could carry a key."""
    scheme, host, port = origin_of(url)
    if not host:
        return ""
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if port == DEFAULT_PORTS.get(scheme) else f":{port}")


# --- scene assets (the default of ImagerySource.scene_access) --------------------------------------------------

# Asset media types GDAL reads over HTTP range requests without downloading the whole file.
COG_MARKERS = ("profile=cloud-optimized", "image/tiff", "image/vnd.stac.geotiff")


def record_assets(footprint: Footprint, credentials, transport: HttpTransport, is_canceled) -> Dict:
    """The assets of the footprint's STAC record at ``self_url``, relative hrefs resolved against it."""
    url = footprint.self_url
    if not url.startswith(("http://", "https://")) or "***" in url:
        raise BaiMeiError(
            f"{footprint.item_id} has no image to add: the catalogue gives its footprint only (no asset and no link "
            "to a STAC record with a visual asset)."
        )
    item = transport.request("GET", url, auth=credentials, is_canceled=is_canceled, auth_origin=url).json()
    assets = item.get("assets") if isinstance(item, dict) else None
    return resolve_assets(assets, url) if isinstance(assets, dict) else {}


def _is_remote(href: str) -> bool:
    return href.startswith(("http://", "https://"))


def _openable(href: str, local_ok: bool) -> bool:
    return _is_remote(href) or (local_ok and (href.startswith("file://") or os.path.isabs(href)))


def pick_asset(assets: Dict, asset_key: str = "", local_ok: bool = False) -> Optional[Tuple[str, str]]:
    """(key, href) of the asset to open: ``asset_key`` when given, else ``visual`` (by key or role), else the first
    cloud-optimised GeoTIFF with an ``overview``/``data`` role or none. Only http(s) hrefs, and local files when
    ``local_ok``; None when there is no such asset."""
    candidates = [
        (k, a) for k, a in (assets or {}).items() if isinstance(a, dict) and _openable(str(a.get("href", "")), local_ok)
    ]
    if asset_key:
        return next(((k, str(a["href"])) for k, a in candidates if k == asset_key), None)
    for key, asset in candidates:
        if key == "visual" or "visual" in (asset.get("roles") or []):
            return key, str(asset["href"])
    for key, asset in candidates:
        kind = str(asset.get("type") or "").lower()
        roles = asset.get("roles") or []
        if "profile=cloud-optimized" in kind and ("overview" in roles or "data" in roles or not roles):
            return key, str(asset["href"])
    return None


def no_image_message(item_id: str, asset_key: str, assets: Dict) -> str:
    if asset_key:
        found = ", ".join(assets) or "none"
        return f"The record of {item_id} has no asset '{asset_key}' that QGIS could open (found: {found})."
    return (
        f"The record of {item_id} has no visual image (no 'visual' asset or cloud-optimised GeoTIFF over "
        "http/https) that QGIS could open."
    )


def gdal_path_of(href: str) -> str:
    """What GDAL opens: an http(s) asset through ``/vsicurl/`` (range requests, no whole download); a local file by
    its path. A signed address (a key or signature in it) is refused: the path goes into the project."""
    if redact_url(href) != href:
        raise BaiMeiError(
            f"The image at {redact_url(href)} is at a signed address (it carries a key or signature); Bai Mei does "
            "not put signed addresses into the project."
        )
    if _is_remote(href):
        return f"/vsicurl/{href}"
    return unquote(urlsplit(href).path) if href.startswith("file://") else href


_SOURCES: Dict[str, ImagerySource] = {}


def register(source: ImagerySource) -> ImagerySource:
    """Adds ``source`` to the registry (a module of this package does it when imported)."""
    if not source.id or not source.label:
        raise ValueError(f"An imagery source needs an id and a label: {source!r}.")
    known = _SOURCES.get(source.id)
    if known is not None and type(known) is not type(source):
        raise ValueError(f"Two imagery sources have the id {source.id!r}.")
    _SOURCES[source.id] = source
    return source


def all_sources() -> List[ImagerySource]:
    """Every source, in their ``order`` (the order of the form's list and of the Processing enum)."""
    return sorted(_SOURCES.values(), key=lambda s: s.order)


def ids() -> List[str]:
    return [s.id for s in all_sources()]


def get(source_id: str) -> ImagerySource:
    """The source with this id (BaiMeiError naming the known ones otherwise)."""
    source = _SOURCES.get(source_id)
    if source is None:
        known = ", ".join(f"{s.id} ({s.label})" for s in all_sources())
        raise BaiMeiError(f"Unknown imagery source {source_id!r}; expected one of: {known}.")
    return source


def id_of(stored) -> Optional[str]:
    """The id of a stored source: an id, or the label an older version stored; None when neither."""
    if stored in _SOURCES:
        return stored
    return next((s.id for s in _SOURCES.values() if s.label == stored), None)


def _discover() -> None:
    """Imports every module of this package: each one registers its source."""
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_discover()
