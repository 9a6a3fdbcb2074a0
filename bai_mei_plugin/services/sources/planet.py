"""Planet's Data API: quick search over item types with the API key (Basic, the key as user name); scenes must be
ordered before they can be shown."""

from __future__ import annotations

from collections import Counter

from ...core.errors import BaiMeiError
from ..planet import DEFAULT_ITEM_TYPES, PLANET_API_URL, PLANET_ITEM_TYPES, PlanetClient
from . import FormFields, ImagerySource, register


class PlanetSource(ImagerySource):
    id = "planet"
    label = "Planet Data API"
    order = 20
    help = (
        "quick-search over the item types given (PSScene, SkySatCollect, SkySatScene…); needs an authentication "
        "configuration of type Basic holding the API key as user name."
    )
    fields = FormFields(
        addresses=lambda: [(PLANET_API_URL, PLANET_API_URL)],
        collections_label="Item types",
        collections_default=", ".join(DEFAULT_ITEM_TYPES),
        collections_hint=", ".join(DEFAULT_ITEM_TYPES),
        known_collections=tuple(PLANET_ITEM_TYPES.items()),
        login_hint="Basic authentication with the Planet API key as user name",
    )

    def searcher(self, url, credentials, transport, is_canceled, notes):
        if credentials is None:
            raise BaiMeiError(
                "The Planet Data API needs an API key: choose an authentication configuration that "
                "holds it (Basic, with the key as user name)."
            )
        client = PlanetClient(transport, credentials, self.address(url))

        def search(query, progress):
            found, info = client.search(query, progress, is_canceled)
            return found, info.get("truncated", False), info.get("dropped", Counter())

        return search

    def scene_refusal(self, item_id):
        return (
            f"Planet scenes must be activated and downloaded before they can be shown; "
            f"order {item_id} in Planet Explorer."
        )


register(PlanetSource())
