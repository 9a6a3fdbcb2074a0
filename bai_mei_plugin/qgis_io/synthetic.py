"""The synthetic-data mark (see ``core.synthetic``) on QGIS layers: set it, save it into a GeoPackage, read it back.

A layer is synthetic when its metadata has the keyword ``synthetic`` (vocabulary ``bai_mei``); its abstract is the
notice to show. Footprints are synthetic one by one, by the ``bai_mei:synthetic`` property of their catalogue item.
"""

from __future__ import annotations

from typing import Iterable, Optional

from qgis.core import QgsFeatureRequest, QgsLayerMetadata, QgsProviderRegistry, QgsVectorLayer

from ..core.errors import BaiMeiError
from ..core.synthetic import KEYWORD_VOCABULARY, SYNTHETIC_KEYWORD, properties_say_synthetic


def synthetic_metadata(notice: str, base: Optional[QgsLayerMetadata] = None) -> QgsLayerMetadata:
    """``base`` (or empty metadata) with the synthetic keyword and ``notice`` as the abstract."""
    metadata = QgsLayerMetadata(base) if base is not None else QgsLayerMetadata()
    metadata.addKeywords(KEYWORD_VOCABULARY, [SYNTHETIC_KEYWORD])
    metadata.setAbstract(notice)
    return metadata


def mark_layer_synthetic(layer, notice: str) -> None:
    """Mark a layer in memory (a copy of marked data keeps the mark this way: ``materialize`` drops metadata)."""
    layer.setMetadata(synthetic_metadata(notice, layer.metadata()))


def save_synthetic_mark(gpkg: str, layer_name: str, notice: str) -> None:
    """Write the mark into the GeoPackage's metadata of ``layer_name``, where QGIS reads it when the layer loads."""
    uri = f"{gpkg}|layername={layer_name}"
    layer = QgsVectorLayer(uri, layer_name, "ogr")
    if not layer.isValid():
        raise BaiMeiError(f"{gpkg} has no layer {layer_name} to mark as synthetic.")
    saved, error = QgsProviderRegistry.instance().saveLayerMetadata(
        "ogr", uri, synthetic_metadata(notice, layer.metadata())
    )
    if not saved:
        raise BaiMeiError(
            f"Could not mark the layer {layer_name} of {gpkg} as synthetic: {error or 'no reason given'}."
        )


def layer_is_synthetic(layer) -> bool:
    return layer is not None and SYNTHETIC_KEYWORD in layer.metadata().keywords(KEYWORD_VOCABULARY)


def notice_of(layers: Iterable) -> str:
    """The notice of the first synthetic layer that has one ('' if none)."""
    return next((layer.metadata().abstract() for layer in layers if layer_is_synthetic(layer)), "")


def synthetic_footprints(layer, expression: str = "TRUE") -> bool:
    """Whether any footprint of ``layer`` matching ``expression`` comes from a synthetic catalogue item."""
    if layer is None or "properties" not in layer.fields().names():
        return False
    request = QgsFeatureRequest().setFilterExpression(expression).setFlags(QgsFeatureRequest.Flag.NoGeometry)
    request.setSubsetOfAttributes(["properties"], layer.fields())
    return any(properties_say_synthetic(f["properties"]) for f in layer.getFeatures(request))
