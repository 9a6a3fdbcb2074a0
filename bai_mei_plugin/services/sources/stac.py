"""A STAC API (Earth Search, Planetary Computer or any other): searched through /search with paging; its
collections listed through /collections; scenes added to the map from their STAC record."""

from __future__ import annotations

from collections import Counter

from .. import pc_signing
from ..stac import STAC_PRESETS, StacClient
from ..static_catalogue import resolve_href
from . import FormFields, ImagerySource, register


def resolve_thumbnail(footprint) -> None:
    """A thumbnail href relative to its STAC record (STAC allows it) made absolute against the record's address."""
    href, record = footprint.thumbnail_url, footprint.self_url
    if href and "://" not in href and record.startswith(("http://", "https://")):
        footprint.thumbnail_url = resolve_href(href, record)


def _presets():
    return [(url, name) for name, url in STAC_PRESETS.items()]


class StacSource(ImagerySource):
    id = "stac"
    label = "STAC API"
    order = 10
    help = (
        "any STAC API's /search (URL default: Earth Search v1; collections such as sentinel-2-l2a, "
        "sentinel-1-grd, landsat-c2-l2); the cloud limit is sent as CQL2 or with the query extension, as the API "
        "conforms."
    )
    fields = FormFields(
        addresses=_presets,
        collections_hint="all (or e.g. sentinel-2-l2a)",
        lists_collections=True,
        login_hint="Only for an API that needs one (e.g. an API key as a header)",
    )

    def searcher(self, url, credentials, transport, is_canceled, notes):
        client = StacClient(self.address(url), transport, credentials)
        client.landing(is_canceled)  # conformance decides how the cloud filter is sent

        def search(query, progress):
            found, info = client.search(query, progress, is_canceled)
            for footprint in found:
                resolve_thumbnail(footprint)
            notes.extend(n for n in info.get("notes") or () if n not in notes)
            return found, info.get("truncated", False), info.get("dropped", Counter())

        return search

    def collections(self, url, credentials, transport, is_canceled):
        return StacClient(self.address(url), transport, credentials).collections(is_canceled)

    def scene_access(self, footprint, asset_key, credentials, transport, is_canceled, progress, folder=""):
        access = super().scene_access(footprint, asset_key, credentials, transport, is_canceled, progress, folder)
        # Planetary Computer's Azure assets: /vsiaz/ with a SAS token in GDAL options (services/pc_signing.py)
        return pc_signing.sign_planetary_computer(access, footprint, transport, is_canceled)


register(StacSource())
