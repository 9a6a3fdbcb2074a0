"""The layer kinds: what each layer Bai Mei writes or reads is (pure Python; qgis_io/layer_kinds.py makes it QGIS).

A kind has a name (the key, and the stem of its style ``resources/styles/<name>.qml``), a title (the layer's name
on the map and in the case report), a geometry type, its fields (name, type, and how a record gives the value),
its temporal fields (an instant, or a start and an end) and the fields that recognise a layer of the kind.

Field types: ``int``, ``int64``, ``float``, ``str``, ``datetime`` (epoch seconds in the record, a UTC date-time
in the layer) and ``bool``. Where a core record (a dataclass) is the layer, its fields are derived from the
dataclass: adding a field to ``Gap`` adds it to the gaps layer, the PostGIS gaps table and the reading back.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Iterable, Optional, Sequence, Tuple

from .anomalies import Anomaly
from .encounters import DarkRendezvous, Encounter
from .gaps import Gap, Track
from .identify import Candidate
from .port_visits import DestinationCheck, PortVisit, Stop
from .reachability import CandidateVisit, GapArea
from .sar_detect import SceneDetection
from .sar_match import DarkCandidate, Match, VesselAt
from .sightings import SIGHTING_FIELDS
from .watchlists import ListedVessel

FIELD_TYPES = ("int", "int64", "float", "str", "datetime", "bool")
GEOMETRY_TYPES = ("Point", "LineString", "LineStringM", "MultiPolygon", "NoGeometry")
_PLAIN_TYPES = {float: "float", str: "str", bool: "bool"}


@dataclass(frozen=True)
class LayerField:
    """One field of a layer; ``get(record)`` gives its value, the record's attribute of the same name if None."""

    name: str
    type: str
    get: Optional[Callable[[Any], Any]] = field(default=None, compare=False)

    def __post_init__(self):
        if self.type not in FIELD_TYPES:
            raise ValueError(f"Layer field {self.name}: type {self.type!r} is not one of {', '.join(FIELD_TYPES)}.")

    def value(self, record):
        return self.get(record) if self.get is not None else getattr(record, self.name, None)


@dataclass(frozen=True)
class LayerKind:
    name: str
    title: str
    geometry: str
    fields: Tuple[LayerField, ...] = ()
    start: Optional[str] = None  # temporal: the instant, or the start with ``end``
    end: Optional[str] = None
    signature: FrozenSet[str] = frozenset()  # fields only this kind has (layer names change, fields do not)
    record: Optional[type] = None  # the core record a feature is made from
    styled: bool = True  # whether resources/styles has a style for it

    @property
    def style(self) -> Optional[str]:
        """The style's file name in resources/styles (None for a kind without a style)."""
        return f"{self.name}.qml" if self.styled else None

    @property
    def names(self) -> Tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def temporal(self) -> Optional[Tuple[str, Optional[str]]]:
        """(start field, end field or None for an instant), or None when the layer has no time."""
        return None if self.start is None else (self.start, self.end)

    def type_of(self, name: str) -> str:
        return next(f.type for f in self.fields if f.name == name)

    def with_values(self, **getters: Callable[[Any], Any]) -> LayerKind:
        """The same kind with the values of some fields taken from elsewhere than the record (e.g. a gap's vessel
        for its reachable area); every name must be a field."""
        unknown = sorted(set(getters) - set(self.names))
        if unknown:
            raise ValueError(f"The {self.name} layer has no field(s) {', '.join(unknown)}.")
        fields = tuple(dataclasses.replace(f, get=getters[f.name]) if f.name in getters else f for f in self.fields)
        return dataclasses.replace(self, fields=fields)


def _field_type(name: str, hint, times: Iterable[str]) -> str:
    """A layer type from a record attribute's annotation: Optional[X] is X; an int is a time when named in
    ``times``, 64-bit when it is an MMSI, else a 32-bit integer."""
    if typing.get_origin(hint) is typing.Union:
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is int:
        return "datetime" if name in times else "int64" if "mmsi" in name else "int"
    if hint in _PLAIN_TYPES:
        return _PLAIN_TYPES[hint]
    raise TypeError(f"{name}: a {hint} attribute has no layer type; give the field explicitly.")


def record_fields(
    record: type, names: Optional[Sequence[str]] = None, exclude: Sequence[str] = (), times: Sequence[str] = ()
) -> Tuple[LayerField, ...]:
    """The fields of a dataclass record: every attribute shown in its repr, in order, except ``exclude`` (``names``
    gives another order or a subset); types from the annotations (see ``_field_type``)."""
    hints = typing.get_type_hints(record)
    shown = [f.name for f in dataclasses.fields(record) if f.repr and f.name not in exclude]
    missing = [n for n in names or () if n not in hints]
    if missing:
        raise TypeError(f"{record.__name__} has no attribute(s) {', '.join(missing)}.")
    return tuple(LayerField(n, _field_type(n, hints[n], times)) for n in (names or shown))


def _fields(*pairs: Tuple[str, str]) -> Tuple[LayerField, ...]:
    return tuple(LayerField(name, kind) for name, kind in pairs)


POINTS = LayerKind(
    "points",
    "AIS reports",
    "Point",
    _fields(
        ("mmsi", "int64"),
        ("timestamp", "datetime"),
        ("sog", "float"),
        ("cog", "float"),
        ("heading", "float"),
        ("vessel_name", "str"),
        ("imo", "str"),
        ("callsign", "str"),
        ("vessel_type", "str"),
        ("draught", "float"),
        ("destination", "str"),
    ),
    "timestamp",
)
GAPS = LayerKind(
    "gaps",
    "Dark gaps",
    "LineString",
    record_fields(Gap, times=("off_time", "on_time")),
    "off_time",
    "on_time",
    frozenset({"gap_id", "off_time", "on_time", "gap_hours"}),
    Gap,
)
TRACKS = LayerKind(
    "tracks",
    "Track (AIS on)",
    "LineStringM",
    record_fields(Track, times=("start_time", "end_time")),
    "start_time",
    "end_time",
    frozenset({"segment", "start_time", "end_time"}),
    Track,
)


def _scene_property(*names):
    """The first of the catalogue properties ``names`` a found scene has (a list joined with commas)."""

    def get(found):
        properties = found.footprint.properties or {}
        for name in names:
            value = properties.get(name)
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            if value not in (None, ""):
                return value
        return None

    return get


def _number(get):
    def number(found):
        try:
            value = get(found)
            return None if value is None else float(value)
        except (TypeError, ValueError):
            return None

    return number


def _scene(attr: str):
    return lambda found: getattr(found.footprint, attr)


# A scene found by an imagery search (services.search.FoundFootprint: the footprint and how it meets the gap).
FOOTPRINTS = LayerKind(
    "footprints",
    "Imagery scenes",
    "MultiPolygon",
    (
        LayerField("item_id", "str", _scene("item_id")),
        LayerField("source", "str", _scene("source")),
        LayerField("collection", "str", _scene("collection")),
        LayerField("acquired", "datetime", _scene("acquired")),
        LayerField("platform", "str", _scene("platform")),
        LayerField("instrument", "str", _scene_property("instruments", "instrument")),
        LayerField("gsd_m", "float", _scene("gsd_m")),
        LayerField("cloud_cover", "float", _scene("cloud_cover")),
        LayerField("view_angle", "float", _scene("view_angle_deg")),
        LayerField("sun_elevation", "float", _number(_scene_property("view:sun_elevation", "sun_elevation"))),
        LayerField("covers_aoi", "bool"),
        LayerField("aoi_overlap_pct", "float"),
        LayerField("gap_id", "str"),
        LayerField("in_gap_window", "bool"),
        LayerField("thumbnail_url", "str", _scene("thumbnail_url")),
        LayerField("item_url", "str", _scene("self_url")),
    ),
    "acquired",
    signature=frozenset({"item_id", "acquired"}),
)
PORT_VISITS = LayerKind(
    "port_visits",
    "Port visits",
    "Point",
    record_fields(PortVisit, exclude=("lon", "lat"), times=("arrival", "departure")),
    "arrival",
    "departure",
    record=PortVisit,
)
STOPS = LayerKind(
    "stops",
    "Stops",
    "Point",
    record_fields(Stop, exclude=("lon", "lat"), times=("start", "end")),
    "start",
    "end",
    record=Stop,
)
DESTINATIONS = LayerKind(
    "destinations",
    "Declared vs actual destination",
    "NoGeometry",
    record_fields(DestinationCheck, times=("off_time", "on_time", "previous_departure", "next_arrival")),
    "off_time",
    "on_time",
    record=DestinationCheck,
    styled=False,  # a table: nothing to draw
)
ENCOUNTERS = LayerKind(
    "encounters",
    "Encounters",
    "Point",
    record_fields(
        Encounter,
        (
            "mmsi_1",
            "vessel_name_1",
            "mmsi_2",
            "vessel_name_2",
            "start",
            "end",
            "hours",
            "median_distance_m",
            "distance_to_port_km",
            "n_slots",
        ),
        times=("start", "end"),
    ),
    "start",
    "end",
    record=Encounter,
)
RENDEZVOUS = LayerKind(
    "rendezvous",
    "Dark rendezvous",
    "Point",
    record_fields(DarkRendezvous, exclude=("lon", "lat"), times=("start", "end")),
    "start",
    "end",
    record=DarkRendezvous,
)
ANOMALIES = LayerKind(
    "anomalies",
    "Identity anomalies",
    "Point",
    record_fields(
        Anomaly,
        (
            "mmsi",
            "vessel_name",
            "kind",
            "time",
            "evidence",
            "before",
            "after",
            "time_before",
            "speed_kn",
            "distance_nm",
            "hours",
            "count",
        ),
        times=("time", "time_before"),
    ),
    "time",
    record=Anomaly,
)
# The gaps with their suspicion (baimei:scoregaps, the dock's gaps layer): the gap's fields, then its score
# (``core.suspicion.GapScore``: points, level, rank 1 = most suspicious, the reasons in words) and the analyst's
# review (``core.review``: NULL until reviewed). ``scored_gaps_of`` says where the values come from.
SCORE_FIELDS = _fields(
    ("suspicion", "float"),
    ("suspicion_level", "str"),
    ("suspicion_rank", "int"),
    ("why", "str"),
    ("review_status", "str"),
    ("review_note", "str"),
)
SCORED_GAPS = LayerKind(
    "scored_gaps",
    "Dark gaps by suspicion",
    "LineString",
    GAPS.fields + SCORE_FIELDS,
    "off_time",
    "on_time",
    GAPS.signature | {"suspicion_rank"},
    Gap,
)
# The reachable area of a gap also carries the gap's vessel and window (for the Temporal Controller) and its
# suspicion: ``reach_areas_of`` says where they come from (NULL otherwise).
REACH_AREAS = LayerKind(
    "reach_areas",
    "Reachable sea",
    "MultiPolygon",
    record_fields(GapArea, ("gap_id", "mmsi"))
    + _fields(("vessel_name", "str"), ("off_time", "datetime"), ("on_time", "datetime"))
    + record_fields(GapArea, ("max_speed_kn", "area_km2", "feasible", "by_sea"))
    + _fields(("suspicion", "float"), ("suspicion_level", "str"), ("why", "str")),
    "off_time",
    "on_time",
    frozenset({"gap_id", "area_km2"}),
    GapArea,
)
CANDIDATE_VISITS = LayerKind(
    "candidate_visits",
    "Candidate ports",
    "Point",
    record_fields(CandidateVisit, times=("arrive_earliest", "depart_latest")) + _fields(("of_interest", "bool")),
    "arrive_earliest",
    "depart_latest",
    frozenset({"port_name", "max_dwell_hours"}),
    CandidateVisit,
)
_SIGHTING_TYPES = {"str": "str", "int": "int", "float": "float", "datetime": "datetime"}
SIGHTINGS = LayerKind(
    "sightings",
    "Sightings",
    "Point",
    tuple(LayerField(spec.name, _SIGHTING_TYPES[spec.kind]) for spec in SIGHTING_FIELDS),
    "observed_at",
    signature=frozenset({"sighting_id", "hatch_count"}),
)
CANDIDATES = LayerKind(
    "candidates",
    "Identification",
    "Point",
    record_fields(
        Candidate,
        (
            "sighting_id",
            "observed_at",
            "rank",
            "mmsi",
            "name",
            "imo",
            "feature_score",
            "spacetime_status",
            "total_score",
            "reasons",
            "lon",
            "lat",
        ),
        times=("observed_at",),
    ),
    "observed_at",
    signature=frozenset({"sighting_id", "rank", "total_score"}),
    record=Candidate,
)
# The vessels of the reports that are on a sanctions list, at their last reported position (the dock's Vessels
# page). Not temporal: a listed vessel stays marked whatever the time window.
LISTED_VESSELS = LayerKind(
    "listed_vessels",
    "Listed vessels",
    "Point",
    record_fields(ListedVessel, times=("last_seen",)),
    record=ListedVessel,
)
# Radar (baimei:detectvessels, baimei:matchdetections): the vessels a SAR scene shows, those AIS explains, those it
# does not (dark vessel candidates) and the AIS vessels the radar did not see.
SAR_DETECTIONS = LayerKind(
    "sar_detections",
    "Radar detections",
    "Point",
    record_fields(SceneDetection, times=("acquired",)),
    "acquired",
    signature=frozenset({"detection_id", "peak_db"}),
    record=SceneDetection,
)
SAR_MATCHES = LayerKind(
    "sar_matches", "Radar detections with AIS", "Point", record_fields(Match, exclude=("lon", "lat")), record=Match
)
DARK_DETECTIONS = LayerKind(
    "dark_detections",
    "Dark vessel candidates (radar)",
    "Point",
    record_fields(DarkCandidate, exclude=("lon", "lat")),
    record=DarkCandidate,
)
UNSEEN_VESSELS = LayerKind(
    "unseen_vessels", "AIS vessels the radar did not see", "Point", record_fields(VesselAt), record=VesselAt
)
# Layers Bai Mei styles but does not write: the analyst's ports (any fields; name and locode recognise them) and
# the land background.
PORTS = LayerKind("ports", "Ports", "Point", signature=frozenset({"name", "locode"}))
LAND = LayerKind("land", "Land (Natural Earth)", "MultiPolygon")

# Every kind by name. The order of the temporal kinds is the order in which a layer's time fields are guessed
# from its field names (see qgis_io.case_export.time_fields).
KINDS: Dict[str, LayerKind] = {
    k.name: k
    for k in (
        POINTS,
        GAPS,
        SCORED_GAPS,
        TRACKS,
        FOOTPRINTS,
        PORT_VISITS,
        STOPS,
        DESTINATIONS,
        ENCOUNTERS,
        RENDEZVOUS,
        ANOMALIES,
        REACH_AREAS,
        CANDIDATE_VISITS,
        SIGHTINGS,
        CANDIDATES,
        LISTED_VESSELS,
        SAR_DETECTIONS,
        SAR_MATCHES,
        DARK_DETECTIONS,
        UNSEEN_VESSELS,
        PORTS,
        LAND,
    )
}
# The order kinds are recognised in: a kind whose signature contains another's comes first.
RECOGNITION_ORDER = (
    "candidates",
    "sightings",
    "candidate_visits",
    "reach_areas",
    "scored_gaps",
    "gaps",
    "tracks",
    "footprints",
    "ports",
)


def layer_kind(name: str) -> LayerKind:
    """The kind named ``name``; an unknown name is an error naming the known ones."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"No layer kind {name!r}; the kinds are {', '.join(KINDS)}.") from None


def recognise(field_names: Iterable[str]) -> Optional[str]:
    """The kind of a layer with these fields (the first in RECOGNITION_ORDER whose signature it has), or None."""
    names = set(field_names)
    return next((k for k in RECOGNITION_ORDER if KINDS[k].signature <= names), None)


def time_fields_of(field_names: Iterable[str]) -> Tuple[Optional[str], Optional[str]]:
    """(start, end) of the first kind (in KINDS order) whose time fields the layer has; (None, None) if none."""
    names = set(field_names)
    for kind in KINDS.values():
        if kind.start in names and (kind.end is None or kind.end in names):
            return kind.start, kind.end
    return None, None


def _score_value(score_of: Optional[dict], attr: str) -> Callable[[Any], Any]:
    """The attribute ``attr`` of the score of a record's gap (``score_of``: gap_id -> GapScore), None without."""

    def get(record):
        score = score_of.get(record.gap_id) if score_of else None
        return None if score is None else getattr(score, attr)

    return get


def reach_areas_of(gap_of: dict, score_of: Optional[dict] = None) -> LayerKind:
    """REACH_AREAS for areas whose gaps are ``gap_of`` (gap_id -> Gap) and their scores ``score_of`` (gap_id ->
    :class:`~bai_mei_plugin.core.suspicion.GapScore`: points, level, why; the suspicion fields are NULL without
    it)."""
    return REACH_AREAS.with_values(
        vessel_name=lambda a: gap_of[a.gap_id].vessel_name,
        off_time=lambda a: gap_of[a.gap_id].off_time,
        on_time=lambda a: gap_of[a.gap_id].on_time,
        suspicion=_score_value(score_of, "points"),
        suspicion_level=_score_value(score_of, "level"),
        why=_score_value(score_of, "why"),
    )


def scored_gaps_of(score_of: dict, review_of: Optional[dict] = None) -> LayerKind:
    """SCORED_GAPS for gaps whose scores are ``score_of`` (gap_id -> GapScore) and reviews ``review_of`` (gap_id ->
    ``core.review.Review``: status, note; NULL for a gap not reviewed)."""

    def review(attr):
        def get(gap):
            found = review_of.get(gap.gap_id) if review_of else None
            return (getattr(found, attr) or None) if found is not None else None

        return get

    return SCORED_GAPS.with_values(
        suspicion=_score_value(score_of, "points"),
        suspicion_level=_score_value(score_of, "level"),
        suspicion_rank=_score_value(score_of, "rank"),
        why=_score_value(score_of, "why"),
        review_status=review("status"),
        review_note=review("note"),
    )


def candidate_visits_of(interest=None) -> LayerKind:
    """CANDIDATE_VISITS whose ``of_interest`` says whether the port is in ``interest`` (an InterestPorts; NULL
    without it)."""
    return CANDIDATE_VISITS.with_values(
        of_interest=lambda v: None if interest is None else (v.port_name, v.locode) in interest
    )
