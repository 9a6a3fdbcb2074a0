"""The review queue: an analyst's verdict on a gap (reviewed, dismissed, escalated) with a note, keyed by the gap's id
so that it survives a re-run that finds the same gap again. Kept in the QGIS project (``qgis_io/review.py``) as JSON;
the note is plain text, never evaluated nor rendered as markup."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Dict, Iterable, Optional

from .errors import BaiMeiError

REVIEW_STATUSES = ("reviewed", "dismissed", "escalated")
MAX_NOTE_CHARS = 4000  # a paragraph or two; a pasted document would bloat the project file and the layer
FORMAT_VERSION = 1


@dataclass
class Review:
    gap_id: str
    status: str
    note: str = ""
    when: str = ""  # ISO UTC, when the verdict was given


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def clean_note(note) -> str:
    """The note as plain text: control characters other than new lines and tabs dropped, at most MAX_NOTE_CHARS."""
    text = "" if note is None else str(note)
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    return text.strip()[:MAX_NOTE_CHARS]


def make_review(gap_id: str, status: str, note: str = "", when: Optional[str] = None) -> Review:
    """A checked review: a known status and a plain-text note; BaiMeiError naming what is wrong otherwise."""
    if not gap_id or not isinstance(gap_id, str):
        raise BaiMeiError(f"A review needs the gap's id; found {gap_id!r}.")
    if status not in REVIEW_STATUSES:
        raise BaiMeiError(f"Review status must be one of {', '.join(REVIEW_STATUSES)}; found {status!r}.")
    return Review(gap_id, status, clean_note(note), when or now_utc())


def mark(
    reviews: Dict[str, Review], gap_ids: Iterable[str], status: Optional[str], note: str = "", when=None
) -> Dict[str, Review]:
    """``reviews`` with each of ``gap_ids`` given ``status`` and ``note`` (a new dict); status None clears them."""
    out = dict(reviews)
    stamp = when or now_utc()
    for gap_id in gap_ids:
        if status is None:
            out.pop(gap_id, None)
        else:
            out[gap_id] = make_review(gap_id, status, note, stamp)
    return out


def reviews_to_json(reviews: Dict[str, Review]) -> str:
    items = [asdict(r) for r in sorted(reviews.values(), key=lambda r: r.gap_id)]
    return json.dumps({"version": FORMAT_VERSION, "reviews": items}, ensure_ascii=False, separators=(",", ":"))


def reviews_from_json(text: str, where: str = "the project") -> Dict[str, Review]:
    """The reviews of ``text`` (as written by reviews_to_json); BaiMeiError naming ``where`` and the entry at fault."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaiMeiError(f"The review queue kept in {where} is not valid JSON ({exc}).") from None
    items = data.get("reviews") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BaiMeiError(f"The review queue kept in {where} has no list of reviews.")
    out = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise BaiMeiError(f"Review {number} kept in {where} is not an object; found {type(item).__name__}.")
        try:
            review = make_review(item.get("gap_id"), item.get("status"), item.get("note", ""), item.get("when"))
        except BaiMeiError as exc:
            raise BaiMeiError(f"Review {number} kept in {where}: {exc.message}") from None
        out[review.gap_id] = review
    return out


def count_by_status(reviews: Dict[str, Review]) -> Dict[str, int]:
    counts = {status: 0 for status in REVIEW_STATUSES}
    for review in reviews.values():
        counts[review.status] += 1
    return counts
