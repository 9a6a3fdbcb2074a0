"""The layer kinds registry (core/layer_kinds.py): fields derived from the core records, types, time fields,
styles and recognition."""

import dataclasses
import os
from typing import Optional

import pytest

from bai_mei_plugin.core import layer_kinds
from bai_mei_plugin.core.gaps import Gap, Track
from bai_mei_plugin.core.layer_kinds import (
    FIELD_TYPES,
    GAPS,
    GEOMETRY_TYPES,
    KINDS,
    RECOGNITION_ORDER,
    LayerField,
    candidate_visits_of,
    layer_kind,
    reach_areas_of,
    recognise,
    record_fields,
    scored_gaps_of,
    time_fields_of,
)
from bai_mei_plugin.core.reachability import CandidateVisit, GapArea
from bai_mei_plugin.core.review import Review
from bai_mei_plugin.core.suspicion import GapScore, Reason
from bai_mei_plugin.paths import resource_path

# What the gaps layer held before the registry (and what tests, analysts' models and the PostGIS table rely on).
GAP_LAYER = [
    ("gap_id", "str"),
    ("mmsi", "int64"),
    ("vessel_name", "str"),
    ("off_time", "datetime"),
    ("on_time", "datetime"),
    ("gap_hours", "float"),
    ("distance_nm", "float"),
    ("implied_speed_kn", "float"),
    ("off_lon", "float"),
    ("off_lat", "float"),
    ("on_lon", "float"),
    ("on_lat", "float"),
    ("sog_before", "float"),
    ("sog_after", "float"),
    ("draught_before", "float"),
    ("draught_after", "float"),
    ("destination_before", "str"),
    ("destination_after", "str"),
    ("positions_12h_before", "int"),
    ("off_shore_nm", "float"),
    ("on_shore_nm", "float"),
]


def _gap(**changes) -> Gap:
    values = dict(
        gap_id="1-x",
        mmsi=1,
        vessel_name="ONE",
        off_time=0,
        on_time=7200,
        gap_hours=2.0,
        distance_nm=5.0,
        implied_speed_kn=2.5,
        off_lon=0.0,
        off_lat=0.0,
        on_lon=1.0,
        on_lat=1.0,
        sog_before=None,
        sog_after=None,
        draught_before=None,
        draught_after=None,
        destination_before=None,
        destination_after=None,
        positions_12h_before=3,
        off_shore_nm=None,
        on_shore_nm=None,
    )
    values.update(changes)
    return Gap(**values)


def test_gaps_layer_is_the_gap_record_in_its_order():
    assert [(f.name, f.type) for f in GAPS.fields] == GAP_LAYER
    assert GAPS.record is Gap and GAPS.geometry == "LineString" and GAPS.temporal == ("off_time", "on_time")
    shown = [f.name for f in dataclasses.fields(Gap) if f.repr]
    assert list(GAPS.names) == shown  # off_index (repr=False) is internal and not a field


def test_a_new_record_attribute_becomes_a_field():
    @dataclasses.dataclass
    class Extended(Gap):
        dark_score: Optional[float] = None
        loitering: bool = False
        other_mmsi: int = 0

    fields = record_fields(Extended, times=("off_time", "on_time"))
    assert [(f.name, f.type) for f in fields[-3:]] == [
        ("dark_score", "float"),
        ("loitering", "bool"),
        ("other_mmsi", "int64"),
    ]
    assert [(f.name, f.type) for f in fields[:-3]] == GAP_LAYER


def test_an_attribute_without_a_layer_type_is_refused():
    @dataclasses.dataclass
    class Odd:
        mmsi: int
        shape: dict

    with pytest.raises(TypeError, match="shape"):
        record_fields(Odd)
    with pytest.raises(TypeError, match="Odd has no attribute.*colour"):
        record_fields(Odd, ("mmsi", "colour"))


def test_every_kind_is_consistent():
    for name, kind in KINDS.items():
        assert kind.name == name and kind.title
        assert kind.geometry in GEOMETRY_TYPES
        assert len(set(kind.names)) == len(kind.names), name
        assert all(f.type in FIELD_TYPES for f in kind.fields)
        if kind.start is not None:
            assert kind.type_of(kind.start) == "datetime", name
        if kind.end is not None:
            assert kind.start is not None and kind.type_of(kind.end) == "datetime", name
        assert kind.signature <= set(kind.names) or not kind.fields, name
        if kind.record is not None:  # each field is an attribute of the record, or has its own getter
            attributes = {f.name for f in dataclasses.fields(kind.record)}
            assert all(
                f.name in attributes
                or f.get is not None
                or kind.name in ("reach_areas", "candidate_visits", "scored_gaps")  # see the *_of functions
                for f in kind.fields
            ), name


def test_every_style_file_exists_and_only_destinations_is_unstyled():
    for kind in KINDS.values():
        if kind.styled:
            assert os.path.isfile(resource_path("styles", kind.style)), kind.style
    assert [k.name for k in KINDS.values() if not k.styled] == ["destinations"]
    assert sorted(f[:-4] for f in os.listdir(resource_path("styles")) if f.endswith(".qml")) == sorted(
        k.name for k in KINDS.values() if k.styled
    )


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(KeyError, match="No layer kind 'gap'.*gaps"):
        layer_kind("gap")
    with pytest.raises(ValueError, match="type 'double'"):
        LayerField("x", "double")


def test_recognition_of_every_recognisable_kind_round_trips():
    for name in RECOGNITION_ORDER:
        kind = KINDS[name]
        fields = kind.names or tuple(kind.signature)
        assert recognise(fields) == name
    assert recognise(["name", "locode", "country"]) == "ports"
    assert recognise(["mmsi", "timestamp"]) is None
    # a reachable area has a gap_id as gaps have; its area_km2 tells it apart
    assert recognise(["gap_id", "off_time", "on_time", "gap_hours", "area_km2"]) == "reach_areas"


def test_time_fields_are_guessed_in_registry_order():
    assert time_fields_of(["timestamp", "mmsi"]) == ("timestamp", None)
    assert time_fields_of(["gap_id", "off_time", "on_time"]) == ("off_time", "on_time")
    assert time_fields_of(["start", "end", "hours"]) == ("start", "end")
    assert time_fields_of(["off_time"]) == (None, None)  # a start without its end is no span
    assert time_fields_of(["name"]) == (None, None)


def _score(points=3.5, rank=2) -> GapScore:
    return GapScore("1-x", 1, points, "medium", rank, [Reason("draught_rose", points, "draught rose")])


def test_reach_areas_take_the_gap_and_suspicion_values():
    area = GapArea("1-x", 1, 12.0, 100.0, None)
    kind = reach_areas_of({"1-x": _gap()}, {"1-x": _score()})
    values = {f.name: f.value(area) for f in kind.fields}
    assert values["vessel_name"] == "ONE" and values["off_time"] == 0 and values["on_time"] == 7200
    assert values["suspicion"] == 3.5 and values["max_speed_kn"] == 12.0  # points, not rounded: a double
    assert values["suspicion_level"] == "medium" and values["why"] == _score().why
    assert kind.type_of("suspicion") == "float"
    bare = {f.name: f.value(area) for f in reach_areas_of({"1-x": _gap()}).fields}
    assert bare["suspicion"] is None and bare["why"] is None
    assert layer_kinds.REACH_AREAS.names == kind.names
    with pytest.raises(ValueError, match="no field.*colour"):
        layer_kinds.REACH_AREAS.with_values(colour=lambda a: None)


def test_scored_gaps_are_the_gaps_with_their_score_and_review():
    names = [f.name for f in layer_kinds.SCORED_GAPS.fields]
    assert names[: len(GAP_LAYER)] == [n for n, _ in GAP_LAYER]
    assert [(f.name, f.type) for f in layer_kinds.SCORED_GAPS.fields[len(GAP_LAYER) :]] == [
        ("suspicion", "float"),
        ("suspicion_level", "str"),
        ("suspicion_rank", "int"),
        ("why", "str"),
        ("review_status", "str"),
        ("review_note", "str"),
    ]
    assert layer_kinds.SCORED_GAPS.temporal == GAPS.temporal and layer_kinds.SCORED_GAPS.style == "scored_gaps.qml"
    gap, other = _gap(), _gap(gap_id="2-y")
    kind = scored_gaps_of({"1-x": _score()}, {"1-x": Review("1-x", "escalated", "", "2024-01-01T00:00:00Z")})
    values = {f.name: f.value(gap) for f in kind.fields}
    assert (values["suspicion"], values["suspicion_level"], values["suspicion_rank"]) == (3.5, "medium", 2)
    assert values["why"].startswith("Suspicion medium") and values["mmsi"] == 1
    assert values["review_status"] == "escalated" and values["review_note"] is None  # an empty note is NULL
    unscored = {f.name: f.value(other) for f in kind.fields}
    assert unscored["suspicion"] is None and unscored["review_status"] is None
    # a scored layer is recognised as such (it has the gaps' fields too), a plain gaps layer as gaps
    assert recognise(names) == "scored_gaps" and recognise([n for n, _ in GAP_LAYER]) == "gaps"


def test_candidate_visits_of_interest():
    visit = CandidateVisit("1-x", 1, "Nampo", "KPNAM", 5.0, None, 0, 3600, 10.0, 12.0)

    class Interest:
        def __contains__(self, port):
            return port == ("Nampo", "KPNAM")

    assert candidate_visits_of(Interest()).fields[-1].value(visit) is True
    assert candidate_visits_of(None).fields[-1].value(visit) is None


def test_tracks_are_the_track_record():
    assert [f.name for f in layer_kinds.TRACKS.fields] == [f.name for f in dataclasses.fields(Track) if f.repr]
    assert layer_kinds.TRACKS.type_of("start_time") == "datetime" and layer_kinds.TRACKS.type_of("mmsi") == "int64"
