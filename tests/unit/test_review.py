"""The review queue's records: statuses checked, notes kept as plain text, JSON round trip and its errors."""

import json

import pytest

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.review import (
    MAX_NOTE_CHARS,
    REVIEW_STATUSES,
    Review,
    count_by_status,
    make_review,
    mark,
    reviews_from_json,
    reviews_to_json,
)


def test_mark_gives_clears_and_keeps_other_reviews():
    reviews = mark({}, ["a", "b"], "reviewed", "seen", when="2024-01-01T00:00:00Z")
    assert reviews == {
        "a": Review("a", "reviewed", "seen", "2024-01-01T00:00:00Z"),
        "b": Review("b", "reviewed", "seen", "2024-01-01T00:00:00Z"),
    }
    escalated = mark(reviews, ["b"], "escalated", "call the desk")
    assert escalated["a"] == reviews["a"] and escalated["b"].status == "escalated"
    assert escalated["b"].when.endswith("Z") and escalated["b"].when[:2] == "20"  # stamped now, in UTC
    assert reviews["b"].status == "reviewed"  # a new dict: the caller's is unchanged
    cleared = mark(escalated, ["a"], None)
    assert list(cleared) == ["b"]
    assert count_by_status(cleared) == {"reviewed": 0, "dismissed": 0, "escalated": 1}


def test_unknown_status_or_missing_gap_is_refused_with_what_was_found():
    with pytest.raises(BaiMeiError, match=r"one of reviewed, dismissed, escalated; found 'done'"):
        make_review("g", "done")
    with pytest.raises(BaiMeiError, match="gap's id; found ''"):
        make_review("", "reviewed")
    assert REVIEW_STATUSES == ("reviewed", "dismissed", "escalated")


def test_notes_are_plain_text_kept_verbatim_but_without_control_characters_and_capped():
    hostile = "<b>bold</b> <script>alert(1)</script> =cmd|' /C calc'!A0 {{7*7}} ${HOME}\x00\x1b[31m\nline 2"
    review = make_review("g", "dismissed", hostile)
    # markup, formulas and templates stay as the characters typed (never evaluated); NUL and ESC are dropped
    assert review.note == "<b>bold</b> <script>alert(1)</script> =cmd|' /C calc'!A0 {{7*7}} ${HOME}[31m\nline 2"
    assert len(make_review("g", "reviewed", "x" * (MAX_NOTE_CHARS + 50)).note) == MAX_NOTE_CHARS


def test_json_round_trip_keeps_every_field_and_unicode():
    reviews = mark({}, ["412000001-1496944800", "g2"], "escalated", "Nampo? 南浦 <i>not markup</i>", when="T")
    text = reviews_to_json(reviews)
    assert json.loads(text)["version"] == 1
    assert reviews_from_json(text) == reviews
    assert reviews_from_json("") == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "kept in the project x.qgz is not valid JSON"),
        ('{"reviews": 3}', "has no list of reviews"),
        ('{"reviews": ["a"]}', "Review 1 kept in the project x.qgz is not an object; found str"),
        ('{"reviews": [{"gap_id": "g", "status": "maybe"}]}', "Review 1 kept in the project x.qgz: Review status"),
    ],
)
def test_a_damaged_queue_names_the_project_and_the_review(text, message):
    with pytest.raises(BaiMeiError, match=message.replace("?", r"\?")):
        reviews_from_json(text, "the project x.qgz")
