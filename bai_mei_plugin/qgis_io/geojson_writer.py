"""GeoJSON (RFC 7946), written by the plugin itself: a streaming writer that needs no GDAL driver.

GDAL's GeoJSON writer took 41 s for the demo's case (2.9 million vertices, most of them in the tracks): it formats
every coordinate one by one through QGIS's writer. This one reads each geometry's WKB once, takes its coordinates
out with numpy and formats a whole line or ring at once; features are written as they are read, so nothing is held
whole in memory.

The file: one FeatureCollection with a Feature per line (as GDAL writes them), each with

- ``properties``: every field, typed as JSON types it (integers, numbers, true/false, text; null when unset; a NaN
  or infinite number is null, which JSON cannot hold otherwise); date-times as ISO 8601 UTC text
  ("2017-06-16T01:02:03Z"), dates "2017-06-16", as the KML and CSV exports write them;
- ``geometry``: WGS 84 longitude/latitude (RFC 7946 allows no other), reprojected by the feature iterator, 7
  decimals (about 1 cm, GDAL's RFC 7946 default); Z kept, M dropped (GeoJSON has no measures); curves segmentized;
  polygon rings wound as RFC 7946 says (exteriors counterclockwise, holes clockwise); null without a geometry.

Text goes through the JSON encoder only (quotes, backslashes, control characters, "</script>" are its business);
characters UTF-8 cannot hold (lone surrogates) become U+FFFD. Geometries crossing the antimeridian are not cut
(RFC 7946 says "should"): the plugin's cases lie far from it.

The file is written under a hidden temporary name in the same folder and renamed when complete; a failure or a
Cancel (asked every few hundred features or hundred thousand vertices) removes it.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import struct
import uuid
from typing import Callable, List, Optional, TextIO, Tuple

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsGeometry,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QByteArray, QDate, QDateTime, QTime, QVariant

from ..core.errors import Canceled
from .kml_writer import iso_utc

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
DECIMALS = 7
# Cancel and progress are asked after at most this many features or vertices: tens of milliseconds of work.
CHECK_EVERY_FEATURES = 500
CHECK_EVERY_VERTICES = 100_000
BUFFER = 1 << 20
# Below this many vertices the coordinates are unpacked with struct: numpy's set-up costs more than it saves.
NUMPY_FROM = 16
# Text that UTF-8 cannot encode (a lone surrogate from a badly decoded source) is written as U+FFFD.
REPLACEMENT = "bai_mei_replacement_character"
codecs.register_error(REPLACEMENT, lambda error: ("\ufffd", error.end))
ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

# WKB geometry types (ISO numbering, without the Z/M thousands) and their GeoJSON names.
POINT, LINESTRING, POLYGON, TRIANGLE = 1, 2, 3, 17
MULTI = {4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon", 15: "MultiPolygon", 16: "MultiPolygon"}
COLLECTION = 7
SIMPLE = {POINT: "Point", LINESTRING: "LineString", POLYGON: "Polygon", TRIANGLE: "Polygon"}


# ---- properties --------------------------------------------------------------------------------------------------


def json_value(value):
    """A field value as a JSON value: None when null (or NaN/infinite), times as ISO 8601 text, lists and maps
    converted item by item, anything else as text. (The common types first: this runs for every value.)"""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None:
        return None
    if isinstance(value, QVariant):  # QGIS's NULL, or a value PyQt left wrapped
        return None if value.isNull() else json_value(value.value())
    if isinstance(value, (QDateTime, QDate)):
        return iso_utc(value)  # None when invalid (null)
    if isinstance(value, QTime):
        return value.toString("HH:mm:ss") if value.isValid() else None
    if isinstance(value, QByteArray):
        return bytes(value.toBase64()).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)


# ---- geometry ----------------------------------------------------------------------------------------------------


class Wkb:
    """Reads the WKB of one geometry as GeoJSON text, counting the vertices it wrote."""

    def __init__(self, data: bytes):
        self.data = data
        self.offset = 0
        self.vertices = 0

    def geometry(self) -> str:
        """The next geometry of the WKB as a GeoJSON geometry object."""
        kind, little, dimensions, has_z = self._header()
        if kind == COLLECTION:
            count = self._count(little)
            members = ",".join(self.geometry() for _ in range(count))
            return '{"type":"GeometryCollection","geometries":[' + members + "]}"
        name = SIMPLE.get(kind) or MULTI.get(kind)
        if name is None:
            raise ValueError(f"WKB geometry type {kind} has no GeoJSON equivalent")
        return '{"type":"' + name + '","coordinates":' + self._coordinates(kind, little, dimensions, has_z) + "}"

    def _header(self) -> Tuple[int, bool, int, bool]:
        little = self.data[self.offset] == 1
        code = struct.unpack_from("<I" if little else ">I", self.data, self.offset + 1)[0]
        self.offset += 5
        flavour = code // 1000  # ISO WKB: +1000 Z, +2000 M, +3000 ZM
        has_z, has_m = flavour in (1, 3), flavour in (2, 3)
        return code % 1000, little, 2 + int(has_z) + int(has_m), has_z

    def _count(self, little: bool) -> int:
        count = struct.unpack_from("<I" if little else ">I", self.data, self.offset)[0]
        self.offset += 4
        return count

    def _coordinates(self, kind: int, little: bool, dimensions: int, has_z: bool) -> str:
        if kind == POINT:
            return self._positions(1, little, dimensions, has_z, point=True)
        if kind == LINESTRING:
            return self._positions(self._count(little), little, dimensions, has_z)
        if kind in (POLYGON, TRIANGLE):
            rings = self._count(little)
            return "[" + ",".join(self._ring(little, dimensions, has_z, k == 0) for k in range(rings)) + "]"
        parts = []  # a multi-geometry: each member carries its own header
        for _ in range(self._count(little)):
            member, member_little, member_dimensions, member_z = self._header()
            parts.append(self._coordinates(member, member_little, member_dimensions, member_z))
        return "[" + ",".join(parts) + "]"

    def _values(self, count: int, little: bool, dimensions: int) -> np.ndarray:
        values = np.frombuffer(self.data, "<f8" if little else ">f8", count * dimensions, self.offset)
        self.offset += 8 * count * dimensions
        return values.reshape(count, dimensions)

    def _positions(self, count: int, little: bool, dimensions: int, has_z: bool, point: bool = False) -> str:
        """``count`` positions as JSON arrays ([lon, lat] or [lon, lat, z]); a lone point's bare, an empty point
        (NaN coordinates in WKB) as []."""
        width = 3 if has_z else 2
        if count < NUMPY_FROM:
            order = "<" if little else ">"
            flat = struct.unpack_from(f"{order}{count * dimensions}d", self.data, self.offset)
            self.offset += 8 * count * dimensions
            values = [v for k in range(count) for v in flat[k * dimensions : k * dimensions + width]]
        else:
            values = self._values(count, little, dimensions)[:, :width].ravel().tolist()
        return self._format(values, count, width, point)

    def _format(self, values: List[float], count: int, width: int, point: bool = False) -> str:
        if point and math.isnan(values[0]):
            return "[]"
        self.vertices += count
        one = "[" + ",".join([f"%.{DECIMALS}f"] * width) + "]"
        if point:
            return one % tuple(values)
        return "[" + ",".join([one] * count) % tuple(values) + "]" if count else "[]"

    def _ring(self, little: bool, dimensions: int, has_z: bool, exterior: bool) -> str:
        """A linear ring wound as RFC 7946 says: exterior counterclockwise, holes clockwise."""
        count = self._count(little)
        width = 3 if has_z else 2
        values = self._values(count, little, dimensions)[:, :width]
        if count >= 3:
            x, y = values[:, 0], values[:, 1]
            twice_area = float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))  # shoelace: > 0 counterclockwise
            if (twice_area < 0) == exterior:
                values = values[::-1]
        return self._format(values.ravel().tolist(), count, width)


def geometry_json(geometry: QgsGeometry) -> Tuple[str, int]:
    """The GeoJSON geometry object of ``geometry`` (in WGS 84 already) and its vertices; "null" for none."""
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        return "null", 0
    if QgsWkbTypes.isCurvedType(geometry.wkbType()):
        geometry = QgsGeometry(geometry.constGet().segmentize())
    reader = Wkb(bytes(geometry.asWkb()))
    return reader.geometry(), reader.vertices


# ---- the file ----------------------------------------------------------------------------------------------------


def partial_name(path: str) -> str:
    """The hidden temporary name ``path`` is written under (the pattern case_export's clean-up of stale exports
    recognises: ".<stem>.<8 hex>.partial.geojson")."""
    folder, filename = os.path.split(path)
    stem, ext = os.path.splitext(filename)
    return os.path.join(folder, f".{stem}.{uuid.uuid4().hex[:8]}.partial{ext}")


def _request(layer: QgsVectorLayer) -> QgsFeatureRequest:
    request = QgsFeatureRequest()
    if not layer.isSpatial():
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    elif layer.crs().isValid() and layer.crs() != WGS84:
        request.setDestinationCrs(WGS84, QgsCoordinateTransformContext())  # reprojected by the iterator
    return request


class FeatureWriter:
    """Writes a layer's features, calling back for progress and cancellation as it goes."""

    def __init__(self, out: TextIO, layer: QgsVectorLayer, progress=None, is_canceled=None):
        self.out = out
        self.layer = layer
        self.progress = progress
        self.is_canceled = is_canceled
        self.total = max(layer.featureCount(), 1)
        self.done = 0
        self.since = self.vertices_since = 0

    def checkpoint(self) -> None:
        self.since = self.vertices_since = 0
        if self.is_canceled is not None and self.is_canceled():
            raise Canceled()
        if self.progress is not None:
            self.progress(min(100.0, 100.0 * self.done / self.total))

    def write_all(self) -> int:
        names = self.layer.fields().names()
        spatial = self.layer.isSpatial()
        write, encode = self.out.write, ENCODER.encode
        separator = ""
        for feature in self.layer.getFeatures(_request(self.layer)):
            properties = encode(dict(zip(names, map(json_value, feature.attributes()))))
            geometry, vertices = geometry_json(feature.geometry()) if spatial else ("null", 0)
            write(f'{separator}{{"type":"Feature","properties":{properties},"geometry":{geometry}}}')
            separator = ",\n"
            self.done += 1
            self.since += 1
            self.vertices_since += vertices
            if self.since >= CHECK_EVERY_FEATURES or self.vertices_since >= CHECK_EVERY_VERTICES:
                self.checkpoint()
        return self.done


def write_geojson(
    path: str,
    layer: QgsVectorLayer,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> int:
    """Write ``layer`` to the GeoJSON file ``path`` (replaced if there) and return the number of features.
    ``progress`` gets the percentage done; ``is_canceled`` is asked every few hundred features: when it says yes
    the writing stops with ``Canceled``. Written under a temporary name, renamed when complete, removed on any
    failure."""
    temporary = partial_name(path)
    try:
        with open(temporary, "w", encoding="utf-8", errors=REPLACEMENT, newline="\n", buffering=BUFFER) as out:
            out.write('{"type":"FeatureCollection","features":[\n')
            writer = FeatureWriter(out, layer, progress, is_canceled)
            writer.checkpoint()
            count = writer.write_all()
            writer.checkpoint()
            out.write("\n]}\n")
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return count
