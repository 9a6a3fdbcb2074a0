"""Footprints from a static file: a STAC ItemCollection, a GeoJSON FeatureCollection or a single STAC Item, on disk
or at an http(s) address. The plugin ships ``resources/catalogues/bai_mei_8_synthetic.geojson`` (SYNTHETIC scenes
for the Bai Mei 8 demo, not real imagery).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Callable, List, Optional, Tuple
from urllib.parse import unquote, urlsplit

from ..core.errors import BaiMeiError
from ..core.footprints import (
    Footprint,
    FootprintQuery,
    filter_footprints,
    footprint_from_geojson_feature,
    footprint_from_stac_item,
)
from ..paths import resource_path
from .transport import Credentials, HttpTransport, redact

SYNTHETIC_CATALOGUE = ("catalogues", "bai_mei_8_synthetic.geojson")


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
                footprints.append(footprint_from_stac_item(feature, source))
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
