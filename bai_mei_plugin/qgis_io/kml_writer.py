"""KML for Google Earth, written by the plugin itself: a streaming writer that needs no GDAL driver.

GDAL's LIBKML driver took 6 minutes for the demo's tracks (1.28 million vertices; this writer: about a second) and
Debian sid's GDAL has none at all; the plain KML driver cannot write TimeStamp or TimeSpan.

The file: one Document holding the styles (one per distinct symbol, shared through ``styleUrl``) and a Schema per
layer, then a Folder per layer with its Placemarks, each with

- a ``name`` (a naming field, else the layer's display expression, else the feature id);
- an HTML ``description``, one "<b>Label</b>: value" line per field that is set;
- a ``TimeStamp`` (layers with one time field) or ``TimeSpan`` (a start and an end field), so Google Earth's time
  slider plays the case;
- a ``styleUrl`` to the colour of the symbol the layer's renderer draws the feature with;
- ``ExtendedData`` with every field (times as ISO 8601 UTC text);
- the geometry in WGS 84 with 6 decimals (about 0.1 m): Point, LineString, Polygon, MultiGeometry; curves are
  segmentized, Z and M dropped (the case happens at sea level, clamped to the ground).

Text from the data is escaped, never put in CDATA: a ``]]>`` in a name is just text; characters XML cannot hold at
all become U+FFFD. The placemarks go to an unnamed temporary file first (the styles they use, which must precede
them, are known only at the end), then the file is assembled in chunks: nothing is ever held whole in memory.
"""

from __future__ import annotations

import array
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Sequence, TextIO

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsCurve,
    QgsCurvePolygon,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeatureRequest,
    QgsGeometryCollection,
    QgsLineString,
    QgsPoint,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QDate, QDateTime, QLocale, Qt, QVariant

from ..core.errors import Canceled
from .compat import field_type

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
NAMESPACE = "http://www.opengis.net/kml/2.2"
# Characters XML 1.0 cannot hold, not even as references (and lone surrogates, which UTF-8 cannot encode).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NEEDS_ESCAPING = re.compile('[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
VERTICES_PER_STRING = 4096  # a long track is formatted and written in pieces of this many vertices
# is_canceled and progress are called after at most this many features or vertices: a few tens of milliseconds of
# work, so that Cancel takes effect well within a second.
CHECK_EVERY_FEATURES = 200
CHECK_EVERY_VERTICES = 50_000
BUFFER = 1 << 20  # characters gathered before each write to the disk
POINT_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"  # a white dot Google Earth tints
PIXELS_PER_MM = 96 / 25.4  # Google Earth's widths are screen pixels, QGIS's symbol widths millimetres
SCHEMA_TYPES = {
    field_type("int"): "int",
    field_type("int64"): "int",
    field_type("float"): "double",
    field_type("bool"): "bool",
}
# Symbol types: scoped on QGIS 3.20+ (the only spelling on QGIS 4).
MARKER, LINE = Qgis.SymbolType.Marker, Qgis.SymbolType.Line


@dataclass
class KmlLayer:
    """One layer of the file: ``folder`` names its Folder; ``start`` alone is an instant (TimeStamp), ``start`` and
    ``end`` a span (TimeSpan); ``label`` is the field that names a placemark (None: the layer's display
    expression)."""

    layer: QgsVectorLayer
    folder: str
    start: Optional[str] = None
    end: Optional[str] = None
    label: Optional[str] = None


# ---- text --------------------------------------------------------------------------------------------------------


def xml_text(text: str) -> str:
    """``text`` as XML character data (and attribute value): markup escaped, characters XML cannot hold replaced;
    a carriage return as a reference, since a parser would turn a literal one into a line feed."""
    if NEEDS_ESCAPING.search(text) is None:  # most values: one scan instead of six
        return text
    text = XML_INVALID.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
    )


def html_text(text: str) -> str:
    """``text`` shown as it is inside the HTML of a description (before that is escaped as XML)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def iso_utc(value) -> Optional[str]:
    """ISO 8601 UTC text of a QDateTime (a time without zone is UTC, as the plugin stores it) or QDate."""
    if isinstance(value, QDateTime) and value.isValid():
        if value.timeSpec() == Qt.TimeSpec.LocalTime:
            value = QDateTime(value.date(), value.time(), Qt.TimeSpec.UTC)
        return value.toUTC().toString("yyyy-MM-ddTHH:mm:ss") + "Z"
    if isinstance(value, QDate) and value.isValid():
        return value.toString("yyyy-MM-dd")
    return None


def when(value, text: Optional[str] = None) -> Optional[str]:
    """The text of a KML <when>, <begin> or <end>: a date-time (``text`` is its ISO text when already made), or ISO
    8601 text (a layer read from GeoJSON or CSV)."""
    if isinstance(value, (QDateTime, QDate)):
        return text if text is not None else iso_utc(value)
    if isinstance(value, str) and value:
        return iso_utc(QDateTime.fromString(value, Qt.DateFormat.ISODate))
    return None


def plain_text(value) -> Optional[str]:
    """A field value as data text: None when null; booleans as XML's true/false, times ISO 8601 UTC. (The common
    types first: this runs for every value of every feature.)"""
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)
    if value is None:
        return None
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, (QDateTime, QDate)):
        return iso_utc(value)  # None when invalid (null)
    if isinstance(value, QVariant):
        return None if value.isNull() else str(value.value())
    return str(value)


class Description:
    """The HTML description of a layer's features: one "<b>Label</b>: value<br>" line per field that is set, times
    to the minute, decimals to two places."""

    def __init__(self, layer: QgsVectorLayer):
        fields = layer.fields()
        self.lines = [  # (index, HTML label, kind); the GeoPackage fid means nothing to a reader
            (i, html_text(layer.attributeAlias(i) or f.name().replace("_", " ").capitalize()), _kind(f.type()))
            for i, f in enumerate(fields)
            if f.name() != "fid"
        ]
        self.locale = QLocale()

    def html(self, values: list, texts: List[Optional[str]]) -> str:
        """The description from a feature's values and their ``plain_text``."""
        lines = []
        for index, label, kind in self.lines:
            text = texts[index]
            if text is None:
                continue
            if kind == "datetime" and isinstance(values[index], QDateTime):
                text = f"{text[:10]} {text[11:16]} UTC"
            elif kind == "double" and type(values[index]) in (int, float):
                text = self.locale.toString(float(values[index]), "f", 2)
            else:
                text = html_text(text)
            lines.append(f"<b>{label}</b>: {text}<br>")
        return "".join(lines)


# ---- geometry ----------------------------------------------------------------------------------------------------


def coordinates(line: QgsLineString) -> Iterator[str]:
    """The "lon,lat lon,lat ..." text of a line, in pieces; the coordinates are read from its WKB at once (QGIS
    3.22 has no faster way to get them out)."""
    count = line.numPoints()
    dimension = 2 + int(line.is3D()) + int(line.isMeasure())
    wkb = line.asWkb().data()
    values = array.array("d")
    values.frombytes(wkb[9 : 9 + 8 * dimension * count])  # after byte order (1), type (4) and count (4)
    if (wkb[0] == 1) != (sys.byteorder == "little"):
        values.byteswap()
    if dimension == 2:
        flat = values.tolist()
    else:
        flat = [0.0] * (2 * count)
        flat[0::2] = values[0::dimension]
        flat[1::2] = values[1::dimension]
    for first in range(0, count, VERTICES_PER_STRING):
        part = flat[2 * first : 2 * (first + VERTICES_PER_STRING)]
        yield ("%.6f,%.6f " * (len(part) // 2)) % tuple(part)


def _ring(tag: str, ring: QgsCurve) -> Iterator[str]:
    yield f"<{tag}><LinearRing><coordinates>"
    yield from coordinates(ring if isinstance(ring, QgsLineString) else ring.curveToLine())
    yield f"</coordinates></LinearRing></{tag}>"


def geometry_kml(geometry) -> Iterator[str]:
    """The KML of a geometry (a QgsAbstractGeometry), in pieces; nothing for an empty or unknown one."""
    if geometry is None or geometry.isEmpty():
        return
    if isinstance(geometry, QgsPoint):
        yield f"<Point><coordinates>{geometry.x():.6f},{geometry.y():.6f}</coordinates></Point>"
    elif isinstance(geometry, QgsCurve):
        yield "<LineString><tessellate>1</tessellate><coordinates>"
        yield from coordinates(geometry if isinstance(geometry, QgsLineString) else geometry.curveToLine())
        yield "</coordinates></LineString>"
    elif isinstance(geometry, QgsCurvePolygon):  # polygons, triangles and curved polygons
        yield "<Polygon><tessellate>1</tessellate>"
        yield from _ring("outerBoundaryIs", geometry.exteriorRing())
        for index in range(geometry.numInteriorRings()):
            yield from _ring("innerBoundaryIs", geometry.interiorRing(index))
        yield "</Polygon>"
    elif isinstance(geometry, QgsGeometryCollection):
        yield "<MultiGeometry>"
        for index in range(geometry.numGeometries()):
            yield from geometry_kml(geometry.geometryN(index))
        yield "</MultiGeometry>"


# ---- styles ------------------------------------------------------------------------------------------------------


def kml_colour(colour, opacity: float = 1.0) -> str:
    """KML's aabbggrr of a QColor."""
    alpha = round(colour.alpha() * opacity)
    return f"{alpha:02x}{colour.blue():02x}{colour.green():02x}{colour.red():02x}"


def _pixels(millimetres: float) -> str:
    return f"{min(max(millimetres * PIXELS_PER_MM, 1.0), 10.0):.1f}"


def symbol_style(symbol) -> str:
    """The inside of a KML <Style> drawing like a QGIS symbol: its colour and width (or size)."""
    opacity = symbol.opacity()
    colour = kml_colour(symbol.color(), opacity)
    if symbol.type() == MARKER:
        scale = min(max(symbol.size() / 3.0, 0.5), 2.0)  # the icon is about 3 mm wide at scale 1
        icon = f"<Icon><href>{POINT_ICON}</href></Icon>"
        return f"<IconStyle><color>{colour}</color><scale>{scale:.2f}</scale>{icon}</IconStyle>"
    if symbol.type() == LINE:
        return f"<LineStyle><color>{colour}</color><width>{_pixels(symbol.width())}</width></LineStyle>"
    first = symbol.symbolLayer(0)
    stroke = first.strokeColor() if hasattr(first, "strokeColor") else symbol.color()
    width = first.strokeWidth() if hasattr(first, "strokeWidth") else 0.26
    filled = 0 if hasattr(first, "brushStyle") and first.brushStyle() == Qt.BrushStyle.NoBrush else 1
    return (
        f"<LineStyle><color>{kml_colour(stroke, opacity)}</color><width>{_pixels(width)}</width></LineStyle>"
        f"<PolyStyle><color>{colour}</color><fill>{filled}</fill><outline>1</outline></PolyStyle>"
    )


class Styles:
    """The styles a file uses, one per distinct look, shared by the placemarks through their ids."""

    def __init__(self):
        self.ids: Dict[str, str] = {}  # style XML -> id

    def id_of(self, style: str) -> str:
        if style not in self.ids:
            self.ids[style] = f"s{len(self.ids) + 1}"
        return self.ids[style]

    def kml(self) -> Iterator[str]:
        for style, ident in self.ids.items():
            yield f'<Style id="{ident}">{style}</Style>\n'


class LayerSymbols:
    """The style id of each feature of a layer: the symbol its renderer draws it with (categories, graduated
    classes and rules included); data-defined colours are not followed."""

    def __init__(self, layer: QgsVectorLayer, styles: Styles):
        self.styles = styles
        self.by_symbol: Dict[int, Optional[str]] = {}
        self.renderer = layer.renderer().clone() if layer.isSpatial() and layer.renderer() is not None else None
        self.context = QgsRenderContext()
        self.context.setExpressionContext(
            QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        )
        if self.renderer is not None:
            self.renderer.startRender(self.context, layer.fields())

    def style_id(self, feature) -> Optional[str]:
        if self.renderer is None:
            return None
        self.context.expressionContext().setFeature(feature)
        symbol = self.renderer.symbolForFeature(feature, self.context)
        if symbol is None:
            return None
        address = sip.unwrapinstance(symbol)  # the renderer's own symbol: the same for every feature it draws
        if address not in self.by_symbol:
            self.by_symbol[address] = self.styles.id_of(symbol_style(symbol))
        return self.by_symbol[address]

    def close(self) -> None:
        if self.renderer is not None:
            self.renderer.stopRender(self.context)
            self.renderer = None


# ---- the file ----------------------------------------------------------------------------------------------------


class Placemarks:
    """Writes the Folders of placemarks, calling back for progress and cancellation as it goes."""

    def __init__(self, out: TextIO, total: int, progress=None, is_canceled=None):
        self.out = out
        self.total = max(total, 1)
        self.progress = progress
        self.is_canceled = is_canceled
        self.styles = Styles()
        self.done = self.features = self.vertices = 0

    def check(self, vertices: int = 0) -> None:
        """Count a feature; every few, report progress and stop if cancelled."""
        self.done += 1
        self.features += 1
        self.vertices += vertices
        if self.features >= CHECK_EVERY_FEATURES or self.vertices >= CHECK_EVERY_VERTICES:
            self.checkpoint()

    def checkpoint(self) -> None:
        self.features = self.vertices = 0
        if self.is_canceled is not None and self.is_canceled():
            raise Canceled()
        if self.progress is not None:
            self.progress(min(100.0, 100.0 * self.done / self.total))

    def folder(self, spec: KmlLayer, schema: str) -> None:
        self.checkpoint()
        self.out.write(f"<Folder><name>{xml_text(spec.folder)}</name>\n")
        text = PlacemarkText(spec, schema)
        symbols = LayerSymbols(spec.layer, self.styles)
        write = self.out.write
        try:
            for feature in spec.layer.getFeatures(_request(spec.layer)):
                write(text.head(feature, symbols.style_id(feature)))
                shape = feature.geometry()  # kept: the geometry below lives in it
                geometry = shape.constGet() if feature.hasGeometry() else None
                for piece in geometry_kml(geometry):
                    write(piece)
                write("</Placemark>\n")
                self.check(geometry.nCoordinates() if geometry is not None else 0)
        finally:
            symbols.close()
        self.out.write("</Folder>\n")


class PlacemarkText:
    """The text of a layer's placemarks but their geometry: name, description, time, style and data."""

    def __init__(self, spec: KmlLayer, schema: str):
        layer, fields = spec.layer, spec.layer.fields()
        self.schema = schema
        self.names = [xml_text(name) for name in fields.names()]
        self.description = Description(layer)
        self.name_of = _namer(layer, spec.label)
        self.start = fields.indexOf(spec.start) if spec.start else -1
        self.end = fields.indexOf(spec.end) if spec.end else -1

    def head(self, feature, style: Optional[str]) -> str:
        values = feature.attributes()
        texts = [plain_text(value) for value in values]  # each value converted once, used up to three times
        return "".join(
            (
                f"<Placemark><name>{xml_text(self.name_of(feature, texts))}</name>",
                f"<description>{xml_text(self.description.html(values, texts))}</description>",
                self._time(values, texts),
                f"<styleUrl>#{style}</styleUrl>" if style is not None else "",
                _extended_data(self.schema, self.names, texts),
            )
        )

    def _time(self, values: list, texts: list) -> str:
        begin = when(values[self.start], texts[self.start]) if self.start >= 0 else None
        if self.end < 0:
            return f"<TimeStamp><when>{begin}</when></TimeStamp>" if begin else ""
        end = when(values[self.end], texts[self.end])
        parts = (f"<begin>{begin}</begin>" if begin else "") + (f"<end>{end}</end>" if end else "")
        return f"<TimeSpan>{parts}</TimeSpan>" if parts else ""


def _kind(qgis_type) -> str:
    return {field_type("datetime"): "datetime", field_type("float"): "double"}.get(qgis_type, "text")


def _request(layer: QgsVectorLayer) -> QgsFeatureRequest:
    request = QgsFeatureRequest()
    if layer.isSpatial() and layer.crs().isValid() and layer.crs() != WGS84:
        request.setDestinationCrs(WGS84, QgsCoordinateTransformContext())  # reprojected by the iterator
    return request


def _namer(layer: QgsVectorLayer, label: Optional[str]) -> Callable:
    """A function giving a feature's placemark name: the ``label`` field, else the layer's display expression (the
    analyst's own setting, not data), else its id."""
    index = layer.fields().indexOf(label) if label else -1
    if index >= 0:
        return lambda feature, texts: texts[index] or ""
    expression = QgsExpression(layer.displayExpression() or "$id")
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    expression.prepare(context)

    def name_of(feature, texts) -> str:
        context.setFeature(feature)
        return plain_text(expression.evaluate(context)) or str(feature.id())

    return name_of


def _extended_data(schema: str, names: List[str], texts: List[Optional[str]]) -> str:
    cells = "".join(
        f'<SimpleData name="{name}">{xml_text(text)}</SimpleData>'
        for name, text in zip(names, texts)
        if text is not None
    )
    return f'<ExtendedData><SchemaData schemaUrl="#{schema}">{cells}</SchemaData></ExtendedData>'


def _schema(spec: KmlLayer, schema: str) -> str:
    fields = "".join(
        f'<SimpleField type="{SCHEMA_TYPES.get(f.type(), "string")}" name="{xml_text(f.name())}"/>'
        for f in spec.layer.fields()
    )
    return f'<Schema name="{xml_text(spec.folder)}" id="{schema}">{fields}</Schema>\n'


def write_kml(
    path: str,
    layers: Sequence[KmlLayer],
    title: str = "",
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> None:
    """Write ``layers`` to the KML file ``path`` (replaced if there). ``progress`` gets the percentage done,
    ``is_canceled`` is asked every few features: when it says yes the writing stops with ``Canceled`` (the caller
    removes ``path``, as for any failure)."""
    total = sum(max(spec.layer.featureCount(), 0) for spec in layers)
    schemas = [f"schema{k + 1}" for k in range(len(layers))]
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=folder) as body:
        placemarks = Placemarks(body, total, progress, is_canceled)
        for spec, schema in zip(layers, schemas):
            placemarks.folder(spec, schema)
        placemarks.checkpoint()
        body.seek(0)
        with open(path, "w", encoding="utf-8", newline="\n", buffering=BUFFER) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="{NAMESPACE}">\n<Document>\n')
            out.write(f"<name>{xml_text(title)}</name>\n<open>1</open>\n")
            for style in placemarks.styles.kml():
                out.write(style)
            for spec, schema in zip(layers, schemas):
                out.write(_schema(spec, schema))
            shutil.copyfileobj(body, out, BUFFER)
            out.write("</Document>\n</kml>\n")
