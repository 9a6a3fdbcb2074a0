"""How data says it is SYNTHETIC (made up for a demo, training or a test), so that what is made from it says so too.

The mark travels with the data, set by whoever made it; nothing is inferred from identities:

* a catalogue item's property ``bai_mei:synthetic`` true, kept in a footprint's ``properties`` (JSON text);
* a layer's metadata keyword ``synthetic`` in the vocabulary ``bai_mei``, with the notice as its abstract (a
  GeoPackage layer keeps it in the file's metadata tables; see ``qgis_io.synthetic``);
* a data file's companion ``<file>.json`` with ``"synthetic": true`` and a ``"notice"`` (the demo's AIS CSV, whose
  format has no place for it).
"""

from __future__ import annotations

import json
from typing import Any

SYNTHETIC_PROPERTY = "bai_mei:synthetic"
KEYWORD_VOCABULARY = "bai_mei"
SYNTHETIC_KEYWORD = "synthetic"
# Shown when the data is marked synthetic without a notice of its own.
GENERIC_NOTICE = (
    "SYNTHETIC DATA - some of the data behind this case is marked as synthetic: made up for a demonstration, "
    "training or a test, not observed. Nothing in it says anything about a real vessel."
)


def properties_say_synthetic(properties: Any) -> bool:
    """Whether catalogue item properties (a dict, or the JSON text a footprint layer keeps) carry the mark."""
    if isinstance(properties, str):
        try:
            properties = json.loads(properties)
        except ValueError:
            return False
    return isinstance(properties, dict) and properties.get(SYNTHETIC_PROPERTY) is True
