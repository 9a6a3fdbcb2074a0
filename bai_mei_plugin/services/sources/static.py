"""A static catalogue: a STAC ItemCollection or GeoJSON FeatureCollection, a file or at an http(s) address, read
whole and filtered here (the plugin ships a SYNTHETIC one for the Bai Mei 8 demo)."""

from __future__ import annotations

from ...core.errors import BaiMeiError
from ...core.footprints import DROP_CAP, filter_footprints
from ..static_catalogue import load_catalogue, synthetic_catalogue_path
from . import FormFields, ImagerySource, register


class StaticCatalogueSource(ImagerySource):
    id = "static"
    label = "Static catalogue (file or URL)"
    order = 30
    assets_on_footprints = True  # load_catalogue keeps each item's image assets, hrefs resolved against the file
    help = "a STAC ItemCollection or GeoJSON FeatureCollection file or URL, filtered here."
    fields = FormFields(
        addresses=lambda: [(synthetic_catalogue_path(), synthetic_catalogue_path())],
        address_is_file=True,
        login_hint="Only for a catalogue at an address that needs one",
    )

    def address(self, url):
        return url  # no default: the analyst chooses the catalogue

    def searcher(self, url, credentials, transport, is_canceled, notes):
        if not url:
            raise BaiMeiError("Choose the catalogue file (a STAC ItemCollection or GeoJSON FeatureCollection).")
        everything = load_catalogue(url, transport, credentials, is_canceled=is_canceled)

        def search(query, progress):
            found, dropped = filter_footprints(everything, query)
            return found, dropped.get(DROP_CAP, 0) > 0, dropped

        return search


register(StaticCatalogueSource())
