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
import pkgutil
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ...core.errors import BaiMeiError
from ...core.footprints import Footprint, FootprintQuery
from ..transport import Credentials, HttpTransport

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

    def default_address(self) -> str:
        presets = self.addresses()
        return presets[0][0] if presets else ""

    def preset_addresses(self) -> List[str]:
        return [address for address, _tooltip in self.addresses()]


class ImagerySource:
    """One imagery source; subclasses set the class attributes and implement :meth:`searcher`."""

    id: str = ""
    label: str = ""
    order: int = 0
    fields: FormFields = FormFields(addresses=tuple)
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

    def scene_refusal(self, item_id: str) -> Optional[str]:
        """Why a scene of this source cannot be added to the map (None: it can, through its STAC record)."""
        return None


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
