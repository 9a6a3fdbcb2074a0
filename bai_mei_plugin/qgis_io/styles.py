"""Styles from resources/styles and the temporal properties that let the Temporal Controller play layers."""

from __future__ import annotations

from qgis.core import QgsProcessingLayerPostProcessorInterface, QgsVectorLayerTemporalProperties

from ..paths import resource_path

# layer kind -> (start field, end field or None for an instant)
TEMPORAL_FIELDS = {
    "points": ("timestamp", None),
    "gaps": ("off_time", "on_time"),
    "tracks": ("start_time", "end_time"),
    "footprints": ("acquired", None),
    "port_visits": ("arrival", "departure"),
    "stops": ("start", "end"),
    "destinations": ("off_time", "on_time"),
    "encounters": ("start", "end"),
    "rendezvous": ("start", "end"),
    "anomalies": ("time", None),
    "reach_areas": ("off_time", "on_time"),
    "candidate_visits": ("arrive_earliest", "depart_latest"),
    "sightings": ("observed_at", None),
    "candidates": ("observed_at", None),
}


def set_temporal(layer, kind: str) -> None:
    fields = TEMPORAL_FIELDS.get(kind)
    if fields is None:
        return
    start, end = fields
    props = layer.temporalProperties()
    props.setIsActive(True)
    props.setStartField(start)
    if end:
        props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
        props.setEndField(end)
    else:
        props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField)


def apply_style(layer, kind: str) -> bool:
    """Load ``resources/styles/<kind>.qml`` into the layer and make it time-enabled; False if the style failed."""
    _, ok = layer.loadNamedStyle(resource_path("styles", f"{kind}.qml"))
    set_temporal(layer, kind)
    layer.triggerRepaint()
    return bool(ok)


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Styles a Processing output layer once QGIS has loaded it (on the main thread)."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is not None and layer.isValid():
            apply_style(layer, self.kind)


# A Processing context deletes the post-processors of its layers with itself, so each use needs a new one; the
# Python half must live until then (QGIS calls it after the algorithm is gone): they are held here, and the ones the
# contexts have deleted are let go.
_POST_PROCESSORS = []


def post_processor(kind: str) -> StylePostProcessor:
    """A new post-processor that styles a loaded output as ``kind`` (never reuse one: its context deletes it)."""
    from qgis.PyQt import sip

    _POST_PROCESSORS[:] = [p for p in _POST_PROCESSORS if not sip.isdeleted(p)]
    _POST_PROCESSORS.append(StylePostProcessor(kind))
    return _POST_PROCESSORS[-1]
