"""The "Listed vessels" map layer: each vessel of the reports that is on a sanctions list, at its last reported
position, marked red and labelled with its name and the lists (style: resources/styles/listed_vessels.qml).

The label is the layer's ``label`` field, not an expression: a name from a list or from AIS is only ever shown."""

from __future__ import annotations

from typing import Dict, List, Optional

from qgis.core import QgsVectorLayer

from ..core.ais.model import AisColumns
from ..core.layer_kinds import LISTED_VESSELS
from ..core.watchlists import WatchlistMatch, listed_vessels
from .records import point_of, records_layer

KIND = "listed_vessels"


def listed_vessels_layer(cols: AisColumns, matches: Dict[int, List[WatchlistMatch]]) -> Optional[QgsVectorLayer]:
    """A memory layer of the matched vessels that have a position in ``cols``; None when there is none."""
    records = listed_vessels(cols, matches)
    if not records:
        return None
    return records_layer(KIND, LISTED_VESSELS.title, records, point_of("lon", "lat"))
