"""Footprints from a static file: a STAC ItemCollection, a GeoJSON FeatureCollection or a single STAC Item, on disk
or at an http(s) address. The plugin ships ``resources/catalogues/bai_mei_8_synthetic.geojson`` (SYNTHETIC scenes
for the Bai Mei 8 demo, not real imagery).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote, urljoin, urlsplit

from ..core.errors import BaiMeiError
from ..core.footprints import (
    Footprint,
    FootprintQuery,
    filter_footprints,
    footprint_from_geojson_feature,
    footprint_from_stac_item,
    redact_url,
)
from ..paths import resource_path
from .transport import Credentials, HttpTransport, redact

SYNTHETIC_CATALOGUE = ("catalogues", "bai_mei_8_synthetic.geojson")
# Footprint.properties keys filled from a STAC item's assets: the assets with resolved hrefs, and whether the
# catalogue was a local file (only then may an asset be a local file: a catalogue from the network never makes GDAL
# open a local path).
ASSETS_PROPERTY = "bai_mei:assets"
LOCAL_ASSETS_PROPERTY = "bai_mei:local_assets"
IMAGE_ROLES = ("visual", "data", "overview", "thumbnail")


def synthetic_catalogue_path() -> str:
    """The shipped synthetic Bai Mei 8 catalogue (demo only)."""
    return resource_path(*SYNTHETIC_CATALOGUE)


def _is_url(path_or_url: str) -> bool:
    return urlsplit(path_or_url).scheme.lower() in ("http", "https")


def _read_document(
    path_or_url: str,
    transport: Optional[HttpTransport],
    credentials: Optional[Credentials],
    is_canceled: Optional[Callable[[], bool]],
):
    if _is_url(path_or_url):
        transport = transport or HttpTransport()
        # the credentials belong to the catalogue's own origin: a redirect elsewhere is followed without them
        return transport.request(
            "GET", path_or_url, auth=credentials, is_canceled=is_canceled, auth_origin=path_or_url
        ).json()
    path = unquote(urlsplit(path_or_url).path) if path_or_url.lower().startswith("file://") else path_or_url
    name = os.path.basename(path) or path
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise BaiMeiError(f"The catalogue file {path} does not exist.") from None
    except OSError as exc:
        raise BaiMeiError(f"Cannot read the catalogue file {path}: {exc.strerror or exc}.") from None
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BaiMeiError(f"{name} is not a text (UTF-8) file; a catalogue is GeoJSON or STAC JSON.") from None
    except ValueError as exc:
        raise BaiMeiError(f"{name} is not valid JSON ({exc}).", str(exc)) from None


def resolve_assets(assets: Dict, base: str) -> Dict:
    """``assets`` with each href made absolute against ``base`` (a URL, or a local file's path)."""
    resolved = {}
    for key, asset in assets.items():
        if isinstance(asset, dict) and asset.get("href"):
            resolved[str(key)] = dict(asset, href=resolve_href(str(asset["href"]), base))
    return resolved


def resolve_href(href: str, base: str) -> str:
    """An absolute href: ``href`` as it is when it has a scheme or is an absolute path, else joined to ``base``."""
    if urlsplit(href).scheme.lower() in ("http", "https", "file", "s3", "gs") or os.path.isabs(href):
        return href
    if urlsplit(base).scheme.lower() in ("http", "https"):
        return urljoin(base, href)
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(base)), unquote(href)))


def with_assets(footprint: Footprint, item: dict, base: str) -> Footprint:
    """``footprint`` carrying its item's image assets (hrefs resolved against ``base``, the catalogue's path or URL)
    and its thumbnail resolved too, so that Add to map and the preview need no STAC record."""
    assets = item.get("assets") if isinstance(item.get("assets"), dict) else {}
    kept = {k: a for k, a in resolve_assets(assets, base).items() if _is_image(k, a)}
    # what the item's own properties say under these names is not trusted: only what is read here
    footprint.properties.pop(ASSETS_PROPERTY, None)
    footprint.properties.pop(LOCAL_ASSETS_PROPERTY, None)
    if kept:
        footprint.properties[ASSETS_PROPERTY] = kept
        footprint.properties[LOCAL_ASSETS_PROPERTY] = not _is_url(base)
    # the preview (footprint_from_stac_item's preview_href: thumbnail, rendered_preview, link, overview picture),
    # resolved against the catalogue
    if footprint.thumbnail_url and "***" not in footprint.thumbnail_url:
        footprint.thumbnail_url = resolve_href(footprint.thumbnail_url, base)
    return footprint


def _is_image(key: str, asset: dict) -> bool:
    """An asset worth keeping on the record: a visual, data, overview or thumbnail image without a signature."""
    roles = asset.get("roles") if isinstance(asset.get("roles"), list) else []
    image = key in IMAGE_ROLES or any(r in IMAGE_ROLES for r in roles) or "image/" in str(asset.get("type", ""))
    return image and redact_url(str(asset["href"])) == str(asset["href"])


def _source_name(path_or_url: str) -> str:
    shown = redact(path_or_url)
    tail = os.path.basename(urlsplit(shown).path if _is_url(shown) else shown) or shown
    return f"Catalogue {tail}"


def load_catalogue(
    path_or_url: str,
    transport: Optional[HttpTransport] = None,
    credentials: Optional[Credentials] = None,
    source_name: Optional[str] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> List[Footprint]:
    """Every feature of the catalogue as a Footprint (STAC parsing for items with ``stac_version``, plain GeoJSON
    otherwise). A malformed feature raises BaiMeiError naming the file, the feature's index and id and the fault."""
    path_or_url = os.fspath(path_or_url)
    shown = redact(path_or_url)
    name = os.path.basename(urlsplit(shown).path) if _is_url(shown) else os.path.basename(shown)
    document = _read_document(path_or_url, transport, credentials, is_canceled)
    source = source_name or _source_name(path_or_url)
    if not isinstance(document, dict):
        raise BaiMeiError(f"{name} is not a GeoJSON FeatureCollection, STAC ItemCollection or STAC Item.")
    if document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise BaiMeiError(f"{name} is a FeatureCollection without a 'features' array.")
    elif document.get("type") == "Feature":
        features = [document]
    else:
        raise BaiMeiError(
            f"{name} is not a GeoJSON FeatureCollection, STAC ItemCollection or STAC Item "
            f"(its type is {document.get('type')!r})."
        )
    footprints = []
    for index, feature in enumerate(features):
        try:
            if isinstance(feature, dict) and "stac_version" in feature:
                footprints.append(with_assets(footprint_from_stac_item(feature, source), feature, path_or_url))
            else:
                footprints.append(footprint_from_geojson_feature(feature, source, index))
        except BaiMeiError as exc:
            item_id = feature.get("id") if isinstance(feature, dict) else None
            label = f"feature {index}" + (f" ({item_id})" if item_id is not None else "")
            raise BaiMeiError(f"In {name}, {label} {exc.message}.", exc.details) from None
    return footprints


def search_catalogue(
    path_or_url: str,
    query: FootprintQuery,
    transport: Optional[HttpTransport] = None,
    credentials: Optional[Credentials] = None,
    source_name: Optional[str] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> Tuple[List[Footprint], Counter]:
    """The catalogue's footprints that match ``query`` and the Counter of reasons (see ``filter_footprints``)."""
    footprints = load_catalogue(path_or_url, transport, credentials, source_name, is_canceled)
    return filter_footprints(footprints, query)
