"""Planet's Data API: quick search over item types with the API key (Basic, the key as user name); a scene's
asset is activated, waited for, and opened in place or downloaded (:meth:`PlanetSource.scene_access`)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter

from ...core.errors import BaiMeiError
from ..planet import (
    DEFAULT_ITEM_TYPES,
    PLANET_API_URL,
    PLANET_ITEM_TYPES,
    PlanetClient,
    PlanetScenes,
    cached_scene,
    scene_file,
)
from . import FormFields, ImagerySource, SceneAccess, register

NEEDS_KEY = (
    "The Planet Data API needs an API key: choose an authentication configuration that "
    "holds it (Basic, with the key as user name)."
)
# Planet links each item's thumbnail on its tiles host, which wants the API key too: the key goes there (to this
# origin or the one the analyst configured beside the API address) and to no other host.
PLANET_TILES_URL = "https://tiles.planet.com"
SCENES_FOLDER = "bai_mei_scenes"  # under the temporary folder when the caller names no folder
ACTIVATION_SHARE = 0.3  # of the progress bar: the activation wait; the download takes the rest


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
        previews_label="Previews",
        previews_default=PLANET_TILES_URL,
        previews_hint=(
            "Planet's tiles address, where the items' thumbnails are: the API key is sent there too (and to no "
            "other host) to show the previews"
        ),
    )

    def searcher(self, url, credentials, transport, is_canceled, notes):
        if credentials is None:
            raise BaiMeiError(NEEDS_KEY)
        client = PlanetClient(transport, credentials, self.address(url))

        def search(query, progress):
            found, info = client.search(query, progress, is_canceled)
            return found, info.get("truncated", False), info.get("dropped", Counter())

        return search

    def scene_access(
        self, footprint, asset_key, credentials, transport, is_canceled, progress, url: str = "", folder: str = ""
    ):
        """The asset activated and waited for, then opened from its final address when GDAL can read it there
        without the key, else downloaded into ``folder`` (the case's scene folder; a ``bai_mei_scenes`` folder in
        the temporary folder by default) and opened from the file. A file already there opens at once, with no
        request at all. The API is ``url`` (the search's address) when given, else the one the item's
        ``_links._self`` names: LoadSceneTask passes credentials only when that link is on the search's own
        origin, so the key still goes nowhere else."""
        folder = folder or os.path.join(tempfile.gettempdir(), SCENES_FOLDER)
        item_type, item_id = footprint.collection, footprint.item_id
        found = cached_scene(folder, item_type, item_id, asset_key)
        if found is not None:
            progress(1.0)
            return SceneAccess(gdal_path=found[1], name=f"{item_id} ({found[0]})", asset_key=found[0])
        if credentials is None:
            raise BaiMeiError(NEEDS_KEY)
        scenes = PlanetScenes(PlanetClient(transport, credentials, url or api_of(footprint.self_url)))
        key, asset = scenes.activate(
            item_type, item_id, asset_key, is_canceled, lambda f: progress(f * ACTIVATION_SHARE)
        )
        progress(ACTIVATION_SHARE)  # active: the progress bar moves on even when it was active already
        address, download = scenes.locate(key, asset, item_id, is_canceled)
        name = f"{item_id} ({key})"
        if not download:
            progress(1.0)
            return SceneAccess(gdal_path=f"/vsicurl/{address}", name=name, asset_key=key)
        path = scene_file(folder, item_type, item_id, key)
        try:
            os.makedirs(folder, exist_ok=True)
            scenes.download(
                address, path, is_canceled, lambda f: progress(ACTIVATION_SHARE + f * (1 - ACTIVATION_SHARE))
            )
        except OSError as exc:
            raise BaiMeiError(
                f"Could not write the '{key}' asset of {item_id} to {path}: {exc.strerror or exc}.", str(exc)
            ) from None
        progress(1.0)
        return SceneAccess(gdal_path=path, name=name, asset_key=key)


def api_of(item_url: str) -> str:
    """The Data API address an item link belongs to (``.../data/v1`` of ``.../data/v1/item-types/T/items/I``);
    Planet's own address when the link is not an item link."""
    head, found, _tail = str(item_url or "").partition("/item-types/")
    return head if found and head.startswith(("http://", "https://")) else PLANET_API_URL


register(PlanetSource())
