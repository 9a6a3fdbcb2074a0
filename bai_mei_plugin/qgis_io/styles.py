"""Styles from resources/styles and the temporal properties that let the Temporal Controller play layers."""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsProcessingLayerPostProcessorInterface, QgsVectorLayerTemporalProperties

from ..core.layer_kinds import layer_kind
from ..paths import resource_path


def set_temporal(layer, kind: str) -> None:
    """Make the layer play in the Temporal Controller on its kind's time fields (nothing for a kind without)."""
    temporal = layer_kind(kind).temporal
    if temporal is None:
        return
    start, end = temporal
    props = layer.temporalProperties()
    props.setIsActive(True)
    props.setStartField(start)
    if end:
        props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
        props.setEndField(end)
    else:
        props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField)


def apply_style(layer, kind: str) -> bool:
    """Load the kind's style (``resources/styles/<kind>.qml``) into the layer and make it time-enabled; False if
    the style failed."""
    style = layer_kind(kind).style
    # a style carries custom properties and loading it replaces the layer's: the plugin's own (what made the layer,
    # review state...) are kept
    own = {key: layer.customProperty(key) for key in layer.customPropertyKeys() if key.startswith("bai_mei/")}
    # loadFromLocalDb=True: the file itself, not the default style a GeoPackage keeps for the layer (QGIS's world
    # map has one; without the flag QGIS loads that instead and says "Loaded from Provider")
    ok = style is not None and layer.loadNamedStyle(resource_path("styles", style), True)[1]
    for key, value in own.items():
        layer.setCustomProperty(key, value)
    set_temporal(layer, kind)
    layer.triggerRepaint()
    return bool(ok)


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Styles a Processing output layer once QGIS has loaded it (on the main thread); ``history``, when given, is
    added to the layer's metadata history (how it was made, e.g. the weights of a scoring)."""

    def __init__(self, kind: str, history: Optional[str] = None):
        super().__init__()
        self.kind = kind
        self.history = history

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is not None and layer.isValid():
            apply_style(layer, self.kind)
            if self.history and self.history not in layer.metadata().history():
                metadata = layer.metadata()
                metadata.addHistoryItem(self.history)
                layer.setMetadata(metadata)


# A Processing context deletes the post-processors of its layers with itself, so each use needs a new one; the
# Python half must live until then (QGIS calls it after the algorithm is gone): they are held here, and the ones the
# contexts have deleted are let go.
_POST_PROCESSORS = []


def post_processor(kind: str, history: Optional[str] = None) -> StylePostProcessor:
    """A new post-processor that styles a loaded output as ``kind`` and adds ``history`` to its metadata (never
    reuse one: its context deletes it)."""
    from qgis.PyQt import sip

    _POST_PROCESSORS[:] = [p for p in _POST_PROCESSORS if not sip.isdeleted(p)]
    _POST_PROCESSORS.append(StylePostProcessor(kind, history))
    return _POST_PROCESSORS[-1]
