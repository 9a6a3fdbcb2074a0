"""Imagery footprints: the query for a place and time window, the records found, and parsing from STAC and Planet.

Network clients (``bai_mei_plugin.services``) turn server answers into :class:`Footprint` records with the parsers
here; the GUI and Processing only ever see these records. Geometries are shapely, longitude/latitude WGS84; times
are int epoch seconds UTC. Records never carry secrets: URLs kept in them lose signature and key parameters.
"""

from __future__ import annotations

import calendar
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape

from .errors import BaiMeiError

# Reasons counted by filter_footprints. KEPT_CLOUD_UNKNOWN counts records that were kept although their cloud cover
# is unknown (every other key counts records dropped).
DROP_AREA = "outside the area"
DROP_TIME = "outside the time window"
DROP_CLOUD = "cloudier than the limit"
DROP_COLLECTION = "not one of the chosen collections"
DROP_DUPLICATE = "duplicate"
DROP_CAP = "beyond the maximum number of items"
KEPT_CLOUD_UNKNOWN = "kept with unknown cloud cover"

# Extra raw properties worth keeping on a record (small, JSON-serialisable, no secrets).
STAC_EXTRA_PROPERTIES = (
    "title",
    "constellation",
    "instruments",
    "start_datetime",
    "end_datetime",
    "view:sun_elevation",
    "view:sun_azimuth",
    "view:azimuth",
    "sat:orbit_state",
    "sar:instrument_mode",
    "sar:polarizations",
    "sar:product_type",
    "proj:epsg",
)
PLANET_EXTRA_PROPERTIES = (
    "item_type",
    "satellite_id",
    "provider",
    "instrument",
    "quality_category",
    "clear_percent",
    "sun_elevation",
    "sun_azimuth",
    "published",
    "strip_id",
    "ground_control",
    "pixel_resolution",
)
GEOJSON_EXTRA_PROPERTIES = ("title", "description", "provider", "end_datetime")
PROJECT_PROPERTY_PREFIX = "bai_mei:"

# Query parameters that carry keys or signatures (Azure SAS, AWS presigned URLs, API keys).
SECRET_QUERY_KEYS = (
    "api_key",
    "apikey",
    "api-key",
    "key",
    "token",
    "access_token",
    "auth",
    "password",
    "secret",
    "signature",
    "sig",
    "se",
    "st",
    "sp",
    "sv",
    "sr",
    "skoid",
    "sktid",
    "skt",
    "ske",
    "sks",
    "skv",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "subscription-key",
)
_SECRET_QUERY_RE = re.compile(
    r"((?<![\w-])(?:" + "|".join(re.escape(k) for k in SECRET_QUERY_KEYS) + r")=)[^&#\s\"'<>)]*", re.IGNORECASE
)
_URL_USERINFO_RE = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@:]+(?::[^/\s@]*)?@")


def redact_url(text: str) -> str:
    """``text`` (a URL, or any text containing URLs) with key/signature query values and user:password@ hidden."""
    if not text:
        return text
    return _URL_USERINFO_RE.sub(r"\1***@", _SECRET_QUERY_RE.sub(r"\1***", text))


# --- time --------------------------------------------------------------------------------------------------------

_RFC3339_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?\s*$"
)


def parse_rfc3339(text: Any) -> int:
    """RFC 3339 / ISO 8601 date-time to epoch seconds UTC (fraction dropped). Accepts ``Z``, offsets, any number of
    fractional digits, a space instead of ``T``, a date alone (midnight) and no offset (taken as UTC)."""
    if not isinstance(text, str):
        raise BaiMeiError(f"expected a date-time text, got {text!r}")
    match = _RFC3339_RE.match(text)
    if not match:
        raise BaiMeiError(f"'{text}' is not an RFC 3339 date-time (like 2017-06-16T02:10:00Z)")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60):
        raise BaiMeiError(f"'{text}' is not a valid date-time")
    epoch = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = match.group(8)
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = int(digits[:2]) * 3600 + (int(digits[2:4]) * 60 if len(digits) > 2 else 0)
        epoch -= sign * offset
    return epoch


def format_rfc3339(epoch: int) -> str:
    """Epoch seconds to ``YYYY-MM-DDTHH:MM:SSZ``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


MIN_EPOCH, MAX_EPOCH = -62135596800, 253402300799  # 0001-01-01 and 9999-12-31T23:59:59 UTC


def _epoch_from_value(value: Any) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (math.isfinite(value) and MIN_EPOCH <= value <= MAX_EPOCH):  # e.g. JSON Infinity, 1e308
            raise BaiMeiError(f"has an unreadable acquisition time ({value!r}: not seconds between years 1 and 9999)")
        return int(value)
    try:
        return parse_rfc3339(value)
    except BaiMeiError as exc:
        raise BaiMeiError(f"has an unreadable acquisition time: {exc.message}") from None


# --- geometry ----------------------------------------------------------------------------------------------------

MAX_ABS_LON = 540.0  # longitudes unwrapped across the antimeridian may pass 180; beyond this they are not degrees


def _check_coordinate(lon: float, lat: float) -> None:
    """Refuse what is no longitude/latitude: JSON ``Infinity``/``NaN`` (Python's json reads them) or huge values
    would overflow the antimeridian arithmetic and abort a whole search."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise BaiMeiError(f"has a coordinate that is not a finite number ({lon!r}, {lat!r})")
    if abs(lon) > MAX_ABS_LON or abs(lat) > 90.0:
        raise BaiMeiError(f"has a coordinate outside longitude/latitude ({lon:g}, {lat:g})")


def _clean_ring(ring) -> Optional[list]:
    points = [list(map(float, p[:2])) for p in (ring or []) if p is not None and len(p) >= 2]
    for lon, lat in points:
        _check_coordinate(lon, lat)
    if len(points) >= 3 and points[0] != points[-1]:
        points.append(points[0])
    return points if len(points) >= 4 else None


def _clean_polygon(rings) -> Optional[list]:
    if not rings:
        return None
    exterior = _clean_ring(rings[0])
    if exterior is None:
        return None
    return [exterior] + [r for r in (_clean_ring(h) for h in rings[1:]) if r is not None]


def _unwrap(ring: Sequence[Sequence[float]], reference: Optional[float] = None) -> List[Tuple[float, float]]:
    """Ring longitudes made continuous (steps of at most 180 degrees), the first point moved near ``reference``."""
    out: List[Tuple[float, float]] = []
    for lon, lat in ring:
        if out:
            previous = out[-1][0]
            lon += 360.0 * round((previous - lon) / 360.0)
        elif reference is not None:
            lon += 360.0 * round((reference - lon) / 360.0)
        out.append((lon, lat))
    return out


def _crosses_antimeridian(ring: Sequence[Sequence[float]]) -> bool:
    return any(abs(b[0] - a[0]) > 180.0 for a, b in zip(ring, ring[1:]))


def _split_at_antimeridian(rings: list) -> List[Polygon]:
    exterior = _unwrap(rings[0])
    if abs(exterior[0][0] - exterior[-1][0]) > 1e-9:  # encircles a pole: cannot be unwrapped, leave to buffer(0)
        return [Polygon(rings[0], rings[1:])]
    holes = [_unwrap(h, exterior[0][0]) for h in rings[1:]]
    whole = Polygon(exterior, holes)
    if not whole.is_valid:
        whole = whole.buffer(0)
    parts: List[Polygon] = []
    for shift in (0.0, -360.0, 360.0):
        window = box(-180.0 - shift, -90.0, 180.0 - shift, 90.0)
        piece = whole.intersection(window)
        for poly in _polygons_of(piece):
            parts.append(translate(poly, xoff=shift) if shift else poly)
    return parts


def _polygons_of(geometry) -> List[Polygon]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [p for g in geometry.geoms for p in _polygons_of(g)]
    return []


GEOJSON_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


def geometry_from_geojson(obj: Any):
    """A valid shapely geometry from a GeoJSON geometry: empty parts dropped, 3-D coordinates flattened, polygons
    whose rings jump more than 180 degrees of longitude split at the antimeridian into a MultiPolygon."""
    if not isinstance(obj, dict) or not obj.get("type"):
        raise BaiMeiError("has no geometry")
    kind = obj["type"]
    if kind in ("Polygon", "MultiPolygon"):
        polygons = [obj.get("coordinates")] if kind == "Polygon" else list(obj.get("coordinates") or [])
        parts: List[Polygon] = []
        try:
            for rings in polygons:
                cleaned = _clean_polygon(rings)
                if cleaned is None:
                    continue
                if any(_crosses_antimeridian(r) for r in cleaned):
                    parts.extend(_split_at_antimeridian(cleaned))
                else:
                    parts.append(Polygon(cleaned[0], cleaned[1:]))
        except (TypeError, ValueError, IndexError) as exc:
            raise BaiMeiError(f"has a malformed {kind} geometry ({exc})") from exc
        if not parts:
            raise BaiMeiError("has an empty footprint geometry")
        geometry = parts[0] if len(parts) == 1 and kind == "Polygon" else MultiPolygon(parts)
        if not geometry.is_valid:
            geometry = geometry.buffer(0)
    elif kind not in GEOJSON_TYPES:
        raise BaiMeiError(f"has an unsupported geometry type {kind!r}")
    else:
        try:
            geometry = shape(obj)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            raise BaiMeiError(f"has a malformed {kind} geometry ({exc})") from exc
    if geometry.is_empty:
        raise BaiMeiError("has an empty footprint geometry")
    west, south, east, north = geometry.bounds  # points and lines: the same limits as polygon rings
    _check_coordinate(west, south)
    _check_coordinate(east, north)
    return geometry


def geometry_to_geojson(geometry) -> dict:
    """A GeoJSON dict with lists (not tuples), ready for a request body."""
    return json.loads(json.dumps(mapping(geometry)))


# --- records -----------------------------------------------------------------------------------------------------


@dataclass
class FootprintQuery:
    """Where and when to look: ``geometry`` in lon/lat WGS84, ``start``/``end`` epoch seconds UTC (inclusive)."""

    geometry: Any
    start: int
    end: int
    max_cloud: Optional[float] = None
    collections: List[str] = field(default_factory=list)
    max_items: int = 500
    max_pages: int = 20

    def __post_init__(self):
        if self.geometry is None or self.geometry.is_empty:
            raise BaiMeiError("The search area is empty: choose a gap, a layer or draw an area first.")
        west, south, east, north = self.geometry.bounds
        if west < -540 or east > 540 or south < -90 or north > 90:
            raise BaiMeiError("The search area is not in longitude/latitude (WGS 84): reproject it to EPSG:4326.")
        self.start, self.end = int(self.start), int(self.end)
        if self.end < self.start:
            raise BaiMeiError(
                f"The search window ends ({format_rfc3339(self.end)}) before it starts ({format_rfc3339(self.start)})."
            )
        if self.max_cloud is not None:
            self.max_cloud = float(self.max_cloud)
            if not 0.0 <= self.max_cloud <= 100.0:
                raise BaiMeiError(f"The maximum cloud cover must be between 0 and 100 %, not {self.max_cloud:g}.")
        self.collections = [str(c) for c in (self.collections or [])]
        if int(self.max_items) < 1 or int(self.max_pages) < 1:
            raise BaiMeiError("The maximum number of items and of pages must be at least 1.")
        self.max_items, self.max_pages = int(self.max_items), int(self.max_pages)


@dataclass
class Footprint:
    """One image found by a search: where it is, when it was taken and how good it is."""

    source: str
    item_id: str
    collection: str
    acquired: int
    cloud_cover: Optional[float]
    gsd_m: Optional[float]
    platform: Optional[str]
    view_angle_deg: Optional[float]
    geometry: Any
    self_url: str
    thumbnail_url: Optional[str] = None
    properties: Dict[str, Any] = field(default_factory=dict)

    def attributes(self) -> Dict[str, Any]:
        """The values of :func:`footprint_fields` in order (properties as JSON text)."""
        values = {name: getattr(self, name) for name, _ in footprint_fields() if name != "properties"}
        values["properties"] = json.dumps(self.properties, sort_keys=True)
        return values


def footprint_fields() -> List[Tuple[str, type]]:
    """(name, python type) of a footprint's attributes for layer building. ``acquired`` is epoch seconds UTC (a
    date-time field in a layer); ``properties`` is JSON text."""
    return [
        ("source", str),
        ("item_id", str),
        ("collection", str),
        ("acquired", int),
        ("cloud_cover", float),
        ("gsd_m", float),
        ("platform", str),
        ("view_angle_deg", float),
        ("self_url", str),
        ("thumbnail_url", str),
        ("properties", str),
    ]


def _number(value: Any, name: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool):
        raise BaiMeiError(f"has a non-numeric {name} ({value!r})")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise BaiMeiError(f"has a non-numeric {name} ({value!r})") from exc


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def _extras(properties: dict, names: Iterable[str]) -> Dict[str, Any]:
    kept = {n: _json_safe(properties[n]) for n in names if properties.get(n) is not None}
    kept.update({k: _json_safe(v) for k, v in properties.items() if k.startswith(PROJECT_PROPERTY_PREFIX)})
    return {k: redact_url(v) if isinstance(v, str) else v for k, v in kept.items()}


def _link(links: Any, rel: str) -> Optional[str]:
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == rel and link.get("href"):
            return str(link["href"])
    return None


def _item_id(obj: dict, fallback: Any = None) -> str:
    value = obj.get("id", fallback)
    if value is None or str(value) == "":
        raise BaiMeiError("has no id")
    return str(value)


PICTURE_TYPES = ("image/png", "image/jpeg", "image/jpg")
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _roles(asset: dict) -> list:
    roles = asset.get("roles")
    return roles if isinstance(roles, list) else []


def _is_picture(asset: dict) -> bool:
    """A PNG or JPEG by its media type (or, when it gives none, by its file name): what a preview can show. An
    ``overview`` may also be a cloud-optimised GeoTIFF, an image to open rather than a picture to show."""
    kind = str(asset.get("type") or "").split(";")[0].strip().lower()
    if kind:
        return kind in PICTURE_TYPES
    return str(asset.get("href") or "").split("?")[0].lower().endswith(PICTURE_SUFFIXES)


def preview_href(assets: Any, links: Any = None) -> Optional[str]:
    """The href of a STAC item's preview, one rule for STAC API results and static catalogues: the ``thumbnail``
    asset (by key, else by role), then ``rendered_preview``, then the item's ``thumbnail`` link, then an
    ``overview`` asset (by key, else by role) that is a PNG or JPEG picture. None when there is none."""
    assets = assets if isinstance(assets, dict) else {}
    usable = {str(k): a for k, a in assets.items() if isinstance(a, dict) and a.get("href")}
    overviews = [a for k, a in usable.items() if k == "overview"] + [
        a for k, a in usable.items() if k != "overview" and "overview" in _roles(a)
    ]
    candidates = (
        usable.get("thumbnail"),
        next((a for a in usable.values() if "thumbnail" in _roles(a)), None),
        usable.get("rendered_preview"),
        {"href": _link(links, "thumbnail")},
        next((a for a in overviews if _is_picture(a)), None),
    )
    return next((str(a["href"]) for a in candidates if a and a.get("href")), None)


def footprint_from_stac_item(item: dict, source: str) -> Footprint:
    """A STAC Item (dict) as a Footprint. Raises BaiMeiError saying what is wrong with the item."""
    if not isinstance(item, dict) or item.get("type") != "Feature":
        raise BaiMeiError("is not a STAC Item (a GeoJSON Feature)")
    item_id = _item_id(item)
    props = item.get("properties")
    if not isinstance(props, dict):
        raise BaiMeiError("has no properties")
    when = props.get("datetime") or props.get("start_datetime")
    if when is None:
        raise BaiMeiError("has no acquisition time (datetime is null and start_datetime is missing)")
    assets = item.get("assets") if isinstance(item.get("assets"), dict) else {}
    thumbnail = preview_href(assets, item.get("links"))
    platform = props.get("platform") or props.get("constellation")
    gsd = _number(props.get("gsd"), "gsd")
    if gsd is None:  # many items give the resolution per asset (band) only: keep the finest
        asset_gsds = [a.get("gsd") for a in assets.values() if isinstance(a, dict)]
        gsd = min(
            (float(g) for g in asset_gsds if isinstance(g, (int, float)) and not isinstance(g, bool) and g > 0),
            default=None,
        )
    return Footprint(
        source=source,
        item_id=item_id,
        collection=str(item.get("collection") or ""),
        acquired=_epoch_from_value(when),
        cloud_cover=_number(props.get("eo:cloud_cover"), "eo:cloud_cover"),
        gsd_m=gsd,
        platform=_text(platform),
        view_angle_deg=_number(props.get("view:off_nadir"), "view:off_nadir"),
        geometry=geometry_from_geojson(item.get("geometry")),
        self_url=redact_url(_link(item.get("links"), "self") or ""),
        thumbnail_url=redact_url(thumbnail) if thumbnail else None,
        properties=_extras(props, STAC_EXTRA_PROPERTIES),
    )


def footprint_from_planet_feature(feature: dict, source: str) -> Footprint:
    """A Planet Data API item (GeoJSON Feature with ``_links``) as a Footprint; cloud cover 0–1 becomes percent."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise BaiMeiError("is not a Planet item (a GeoJSON Feature with properties)")
    item_id = _item_id(feature)
    props = feature["properties"]
    if props.get("acquired") is None:
        raise BaiMeiError("has no acquisition time (properties.acquired)")
    cloud = _number(props.get("cloud_cover"), "cloud_cover")
    links = feature.get("_links") if isinstance(feature.get("_links"), dict) else {}
    thumbnail = links.get("thumbnail")
    return Footprint(
        source=source,
        item_id=item_id,
        collection=str(props.get("item_type") or ""),
        acquired=_epoch_from_value(props["acquired"]),
        cloud_cover=None if cloud is None else round(cloud * 100.0, 6),
        gsd_m=_number(props.get("gsd"), "gsd"),
        platform=_text(props.get("satellite_id") or props.get("provider")),
        view_angle_deg=_number(props.get("view_angle"), "view_angle"),
        geometry=geometry_from_geojson(feature.get("geometry")),
        self_url=redact_url(str(links.get("_self") or "")),
        thumbnail_url=redact_url(str(thumbnail)) if thumbnail else None,
        properties=_extras(props, PLANET_EXTRA_PROPERTIES),
    )


def footprint_from_geojson_feature(feature: dict, source: str, index: int = 0) -> Footprint:
    """A plain GeoJSON Feature as a Footprint: ``acquired`` or ``datetime`` (RFC 3339 text or epoch seconds),
    optional ``cloud_cover`` (percent), ``collection``, ``gsd``, ``platform``, ``view_angle``, ``url``,
    ``thumbnail``; the id is the feature's ``id``, else ``properties.id``, else ``feature-<index>``."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise BaiMeiError("is not a GeoJSON Feature")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise BaiMeiError("has no properties")
    when = next((props[k] for k in ("acquired", "datetime", "start_datetime") if props.get(k) is not None), None)
    if when is None:
        raise BaiMeiError("has no acquisition time (an 'acquired' or 'datetime' property)")
    item_id = _item_id(feature, props.get("id", f"feature-{index}"))
    thumbnail = props.get("thumbnail")
    return Footprint(
        source=source,
        item_id=item_id,
        collection=str(props.get("collection") or props.get("item_type") or ""),
        acquired=_epoch_from_value(when),
        cloud_cover=_number(props.get("cloud_cover", props.get("eo:cloud_cover")), "cloud_cover"),
        gsd_m=_number(props.get("gsd"), "gsd"),
        platform=_text(props.get("platform")),
        view_angle_deg=_number(props.get("view_angle", props.get("view:off_nadir")), "view_angle"),
        geometry=geometry_from_geojson(feature.get("geometry")),
        self_url=redact_url(str(props.get("url") or "")),
        thumbnail_url=redact_url(str(thumbnail)) if thumbnail else None,
        properties=_extras(props, GEOJSON_EXTRA_PROPERTIES),
    )


# --- local filter ------------------------------------------------------------------------------------------------


def filter_footprints(footprints: Iterable[Footprint], query: FootprintQuery) -> Tuple[List[Footprint], Counter]:
    """The footprints that match ``query`` (in their given order, at most ``query.max_items``), and a Counter of the
    reasons others were dropped (``DROP_*``) plus ``KEPT_CLOUD_UNKNOWN`` for those kept without a cloud cover.

    The area test is ``intersects``; the time window is inclusive at both ends; the collection test applies only
    when ``query.collections`` is not empty; repeated (source, collection, id) are dropped.
    """
    wanted = set(query.collections)
    kept: List[Footprint] = []
    counts: Counter = Counter()
    seen = set()
    for footprint in footprints:
        key = (footprint.source, footprint.collection, footprint.item_id)
        if key in seen:
            reason = DROP_DUPLICATE
        elif wanted and footprint.collection not in wanted:
            reason = DROP_COLLECTION
        elif not query.start <= footprint.acquired <= query.end:
            reason = DROP_TIME
        elif (
            query.max_cloud is not None
            and footprint.cloud_cover is not None
            and footprint.cloud_cover > query.max_cloud
        ):
            reason = DROP_CLOUD
        elif not footprint.geometry.intersects(query.geometry):
            reason = DROP_AREA
        elif len(kept) >= query.max_items:
            reason = DROP_CAP
        else:
            reason = None
        if reason:
            counts[reason] += 1
            continue
        seen.add(key)
        if footprint.cloud_cover is None and query.max_cloud is not None:
            counts[KEPT_CLOUD_UNKNOWN] += 1
        kept.append(footprint)
    return kept, counts


def dropped_total(counts: Counter) -> int:
    """How many footprints a filter dropped (the Counter without its ``KEPT_*`` entries)."""
    return sum(n for reason, n in counts.items() if reason != KEPT_CLOUD_UNKNOWN)
