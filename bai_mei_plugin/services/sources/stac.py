"""A STAC API (Earth Search, Planetary Computer or any other): searched through /search with paging; its
collections listed through /collections; scenes added to the map from their STAC record."""

from __future__ import annotations

from collections import Counter

from ..stac import STAC_PRESETS, StacClient
from . import FormFields, ImagerySource, register


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
            notes.extend(n for n in info.get("notes") or () if n not in notes)
            return found, info.get("truncated", False), info.get("dropped", Counter())

        return search

    def collections(self, url, credentials, transport, is_canceled):
        return StacClient(self.address(url), transport, credentials).collections(is_canceled)


register(StacSource())
