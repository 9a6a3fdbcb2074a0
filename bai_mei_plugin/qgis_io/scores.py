"""The gaps' suspicion and review in the dock's gaps layer: the ``scored_gaps`` fields (core/layer_kinds.py) added to
a gaps layer when missing and filled by gap_id, so that the map can be styled and filtered by suspicion and the
layer exported with the ranking. The weights used travel with the layer (a custom property kept in the project)."""

from __future__ import annotations

from typing import Dict, Iterable, Optional

from qgis.core import QgsFeatureRequest

from .layer_kinds import kind_fields

SCORE_FIELD_NAMES = ("suspicion", "suspicion_level", "suspicion_rank", "why", "review_status", "review_note")
WEIGHTS_PROPERTY = "bai_mei/weights"


def add_score_fields(layer) -> None:
    """Add the score and review fields the layer lacks (types from the scored_gaps kind)."""
    have = set(layer.fields().names())
    wanted = kind_fields("scored_gaps")
    missing = [wanted.field(name) for name in SCORE_FIELD_NAMES if name not in have and wanted.indexOf(name) >= 0]
    if missing:
        layer.dataProvider().addAttributes(missing)
        layer.updateFields()


def _feature_ids(layer) -> Dict[str, int]:
    """gap_id -> feature id (attributes only, no geometry)."""
    request = (
        QgsFeatureRequest()
        .setFlags(QgsFeatureRequest.Flag.NoGeometry)
        .setSubsetOfAttributes(["gap_id"], layer.fields())
    )
    return {f["gap_id"]: f.id() for f in layer.getFeatures(request)}


def _review_values(review) -> tuple:
    if review is None:
        return None, None
    return review.status, (review.note or None)


def write_scores(layer, scores: Iterable, reviews: Optional[dict] = None, weights_json: Optional[str] = None) -> None:
    """Fill the layer's score fields from ``scores`` (core.suspicion.GapScore) by gap_id, and its review fields from
    ``reviews`` (gap_id -> core.review.Review) when given: every feature's review is then rewritten (NULL when not
    reviewed). Gaps without a score keep their values. ``weights_json``: the weights used, kept with the layer."""
    add_score_fields(layer)
    index = {name: layer.fields().indexOf(name) for name in SCORE_FIELD_NAMES}
    # every gap, including those a map filter (the Gaps table's filter) hides at the moment
    shown = layer.subsetString()
    if shown:
        layer.setSubsetString("")
    try:
        ids = _feature_ids(layer)
    finally:
        if shown:
            layer.setSubsetString(shown)
    changes: Dict[int, Dict[int, object]] = {}
    for score in scores:
        fid = ids.get(score.gap_id)
        if fid is None:
            continue
        changes[fid] = {
            index["suspicion"]: float(score.points),
            index["suspicion_level"]: score.level,
            index["suspicion_rank"]: int(score.rank) if score.rank else None,
            index["why"]: score.why,
        }
    if reviews is not None:
        for gap_id, fid in ids.items():
            status, note = _review_values(reviews.get(gap_id))
            changes.setdefault(fid, {}).update({index["review_status"]: status, index["review_note"]: note})
    if changes:
        layer.dataProvider().changeAttributeValues(changes)
    if weights_json is not None:
        layer.setCustomProperty(WEIGHTS_PROPERTY, weights_json)
    layer.triggerRepaint()


def write_reviews(layer, reviews: dict) -> None:
    """Only the review fields, from ``reviews`` (after a verdict: the scores stay)."""
    write_scores(layer, (), reviews)


WEIGHTS_SCOPE = "bai_mei"
WEIGHTS_KEY = "weights"


def load_weights(project):
    """The scoring weights kept in ``project`` (core.suspicion.Weights), or None when it keeps none; BaiMeiError
    naming the key at fault when they are unreadable."""
    from ..core.suspicion import Weights

    text, _found = project.readEntry(WEIGHTS_SCOPE, WEIGHTS_KEY, "")
    return Weights.from_json(text) if text else None


def save_weights(project, weights) -> None:
    """Keep ``weights`` in ``project`` (JSON) and mark it modified; None forgets them (the defaults apply)."""
    if weights is None:
        project.removeEntry(WEIGHTS_SCOPE, WEIGHTS_KEY)
    else:
        project.writeEntry(WEIGHTS_SCOPE, WEIGHTS_KEY, weights.to_json())
    project.setDirty(True)
