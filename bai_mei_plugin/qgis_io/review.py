"""The review queue kept in the QGIS project (``core/review.py``): one JSON entry, written when a verdict is given, so
saving the project keeps it and reopening the project brings it back (a team picks up where it left off)."""

from __future__ import annotations

from typing import Dict

from ..core.review import Review, reviews_from_json, reviews_to_json

SCOPE = "bai_mei"
KEY = "reviews"


def _where(project) -> str:
    name = project.fileName() if project is not None else ""
    return f"the project {name}" if name else "the project"


def load_reviews(project) -> Dict[str, Review]:
    """gap_id -> Review kept in ``project`` (empty when none); BaiMeiError naming the project when unreadable."""
    text, _found = project.readEntry(SCOPE, KEY, "")
    return reviews_from_json(text, _where(project))


def save_reviews(project, reviews: Dict[str, Review]) -> None:
    """Keep ``reviews`` in ``project`` (replacing the ones kept) and mark it modified, so QGIS asks to save it."""
    if reviews:
        project.writeEntry(SCOPE, KEY, reviews_to_json(reviews))
    else:
        project.removeEntry(SCOPE, KEY)
    project.setDirty(True)
