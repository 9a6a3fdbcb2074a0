"""Exporting the case: layers to GeoPackage (styled), GeoJSON, KML for Google Earth (with time) and CSV.

Every file is written under a temporary name in the destination folder and renamed only when all of them are
complete, so a failed or cancelled export leaves nothing half-written; an existing file is replaced only when asked.
"""

from __future__ import annotations

import csv
import os
import re
import uuid
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeedback,
    QgsField,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtXml import QDomDocument

from ..core.errors import BaiMeiError, Canceled
from ..core.layer_kinds import recognise, time_fields_of
from . import compat
from .geojson_writer import write_geojson
from .kml_writer import KmlLayer, iso_utc, write_kml

FORMATS = ("gpkg", "geojson", "kml", "csv")
FORMAT_LABELS = (
    "GeoPackage (.gpkg, styled)",
    "GeoJSON (.geojson, one file per layer)",
    "KML for Google Earth (.kml, with time)",
    "CSV (.csv, one file per layer)",
)
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
# Fields that name a feature best, most telling first (the KML placemark's name).
NAME_FIELDS = ("sighting_id", "vessel_name", "port_name", "name", "item_id", "gap_id", "kind", "mmsi")
# A text cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that cannot be in a file name on some system the files may be copied to (Windows is the strictest),
# and "|", which QGIS reads as the start of a layer option in a data source.
NAME_INVALID = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)
MAX_NAME_LENGTH = 100  # leaves room for "_<layer>.geojson" and the temporary name within 255 bytes


# The analysts' verdicts on gaps (the review queue, ``core.review``) as the gaps layers carry them.
REVIEW_FIELDS = ("review_status", "review_note")
REVIEW_QUEUE_NAME = "review_queue"
GAP_KINDS = ("gaps", "scored_gaps")


def _is_gaps_layer(layer) -> bool:
    return recognise(layer.fields().names()) in GAP_KINDS


def _copy_with_style(layer: QgsVectorLayer) -> QgsVectorLayer:
    """An editable memory copy of ``layer`` with its name, style and metadata (the synthetic mark), which
    ``materialize`` alone drops."""
    copy = layer.materialize(QgsFeatureRequest())
    copy.setName(layer.name())
    document = QDomDocument()
    layer.exportNamedStyle(document)
    copy.importNamedStyle(document)
    copy.setMetadata(layer.metadata())
    return copy


def reviewed_copy(layer: QgsVectorLayer, reviews: Dict[str, object]) -> QgsVectorLayer:
    """A copy of the gaps ``layer`` whose ``review_status`` and ``review_note`` (added when missing) are the
    project's review queue ``reviews`` (gap_id -> core.review.Review): the project is where verdicts are kept."""
    copy = _copy_with_style(layer)
    missing = [name for name in REVIEW_FIELDS if name not in copy.fields().names()]
    if missing:
        copy.dataProvider().addAttributes([compat.field(name, "str", "string") for name in missing])
        copy.updateFields()
    status, note = (copy.fields().indexOf(name) for name in REVIEW_FIELDS)
    changes = {}
    for feature in copy.getFeatures(QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)):
        review = reviews.get(str(feature["gap_id"]))
        if review is not None:
            changes[feature.id()] = {status: review.status, note: review.note or None}
    copy.dataProvider().changeAttributeValues(changes)
    return copy


def review_queue_layer(reviews: Dict[str, object], gaps_layers: Sequence[QgsVectorLayer]) -> Optional[QgsVectorLayer]:
    """The reviews of the gaps in ``gaps_layers`` as a table (gap_id, vessel, rank, status, note, when), most
    suspicious first; None when none of them was reviewed. Reviews of gaps outside the case are left out."""
    rows = {}
    for layer in gaps_layers:
        names = layer.fields().names()
        for feature in layer.getFeatures(QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)):
            gap_id = str(feature["gap_id"])
            if gap_id in reviews and gap_id not in rows:
                rank = feature["suspicion_rank"] if "suspicion_rank" in names else None
                rows[gap_id] = (feature["mmsi"], feature["vessel_name"] if "vessel_name" in names else None, rank)
    if not rows:
        return None
    table = QgsVectorLayer("None", REVIEW_QUEUE_NAME, "memory")
    kinds = (
        ("gap_id", "str"),
        ("mmsi", "int64"),
        ("vessel_name", "str"),
        ("suspicion_rank", "int"),
        ("review_status", "str"),
        ("review_note", "str"),
        ("reviewed_at", "str"),
    )
    table.dataProvider().addAttributes([compat.field(name, kind) for name, kind in kinds])
    table.updateFields()
    features = []
    for gap_id, (mmsi, vessel, rank) in sorted(rows.items(), key=lambda item: (_rank_key(item[1][2]), item[0])):
        review = reviews[gap_id]
        feature = QgsFeature(table.fields())
        feature.setAttributes([gap_id, mmsi, vessel, rank, review.status, review.note or None, review.when or None])
        features.append(feature)
    table.dataProvider().addFeatures(features)
    return table


def _rank_key(rank) -> float:
    return float(rank) if isinstance(rank, (int, float)) else float("inf")


def with_reviews(layers: Sequence[QgsVectorLayer], reviews: Dict[str, object]) -> List[QgsVectorLayer]:
    """The case's layers as exported with the review queue ``reviews``: each gaps layer a copy carrying the
    verdicts, and the ``review_queue`` table of the case's reviewed gaps. Unchanged without reviews."""
    if not reviews:
        return list(layers)
    out = [reviewed_copy(layer, reviews) if _is_gaps_layer(layer) else layer for layer in layers]
    queue = review_queue_layer(reviews, [layer for layer in out if _is_gaps_layer(layer)])
    return out + ([queue] if queue is not None else [])


def _writer_feedback(feedback) -> Optional[QgsFeedback]:
    """A feedback for QGIS's writer that is cancelled with ``feedback`` (a QgsFeedback; None for anything else):
    the writer asks it between features, so a Cancel stops a large layer within moments. A child, so that the
    writer's own 0-100 % of one layer does not overwrite the export's overall progress."""
    if not isinstance(feedback, QgsFeedback):
        return None
    child = QgsFeedback()
    # direct: the child lives in the export's thread, busy in GDAL's writer; a queued cancel would wait for the file
    feedback.canceled.connect(child.cancel, Qt.ConnectionType.DirectConnection)
    if feedback.isCanceled():
        child.cancel()
    return child


def _write(layer, path: str, options) -> None:
    write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
    error = write(layer, path, QgsCoordinateTransformContext(), options)
    if error[0] == QgsVectorFileWriter.WriterError.Canceled:
        raise Canceled()
    if error[0] != QgsVectorFileWriter.WriterError.NoError:
        raise BaiMeiError(f"Could not write {layer.name()} to {os.path.basename(path)}.", str(error[1]))


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it instead of running it: a leading single quote before a formula character
    (OWASP's advice for CSV; the cell is also quoted, see ``_write_table``)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class IsoTimeConverter(QgsVectorFileWriter.FieldValueConverter):
    """Writes date-time fields as ISO 8601 UTC text ("2017-06-16T01:02:03Z"): unambiguous in GeoJSON and CSV,
    as the KML writer writes them. ``text``, when given, rewrites every text value for the format (formulas in
    CSV)."""

    def __init__(self, layer: QgsVectorLayer, text: Optional[Callable[[str], str]] = None):
        super().__init__()
        self.layer = layer
        self.text = text
        self.times = {i for i, f in enumerate(layer.fields()) if compat.field_is(f, "datetime", "date")}
        self.definitions = {}

    def fieldDefinition(self, field):  # noqa: N802 (QGIS API)
        # QGIS asks for every value of every feature: answered once per field (1.28 million points of 12 fields
        # made this a good part of a GeoJSON or CSV export)
        name = field.name()
        if name not in self.definitions:
            is_time = self.layer.fields().indexOf(name) in self.times
            self.definitions[name] = compat.field(name, "str", "string") if is_time else QgsField(field)
        return self.definitions[name]

    def convert(self, index, value):
        if index in self.times:
            return iso_utc(value)
        return self.text(value) if self.text is not None and isinstance(value, str) else value

    def clone(self):
        return IsoTimeConverter(self.layer, self.text)


def layer_table_names(layers: Sequence[QgsVectorLayer]) -> List[str]:
    """Distinct file- and table-safe names for the layers ("Dark gaps (≥ 6 h)" -> "dark_gaps_6_h")."""
    names: List[str] = []
    for layer in layers:
        base = re.sub(r"[^0-9a-z]+", "_", layer.name().lower()).strip("_") or "layer"
        name, k = base, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def time_fields(layer: QgsVectorLayer) -> Tuple[Optional[str], Optional[str]]:
    """(start, end) time fields of a layer: its temporal properties, else the plugin's field names by layer kind;
    end is None for an instant."""
    props = layer.temporalProperties()
    names = layer.fields().names()
    if props.isActive():
        if props.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField:
            return props.startField(), None
        if props.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields:
            return props.startField(), props.endField()
    return time_fields_of(names)


def _options(
    driver: str, layer: QgsVectorLayer, name: str, first: bool, layer_options: Iterable[str] = (), feedback=None
):
    options = QgsVectorFileWriter.SaveVectorOptions()
    if feedback is not None:  # the writer asks it between features: a Cancel stops a large layer within moments
        options.feedback = feedback
    options.driverName = driver
    options.layerName = name
    options.fileEncoding = "UTF-8"
    options.layerOptions = list(layer_options)
    options.actionOnExistingFile = (
        QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteFile
        if first
        else QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer
    )
    if driver != "GPKG" and layer.isSpatial() and layer.crs() != WGS84:
        options.ct = QgsCoordinateTransform(layer.crs(), WGS84, QgsCoordinateTransformContext())
    return options


def _write_gpkg(layers, names, path, check, feedback=None) -> None:
    for k, (layer, name) in enumerate(zip(layers, names)):
        check()
        child = _writer_feedback(feedback)  # held here: the options do not keep the Python object alive
        _write(layer, path, _options("GPKG", layer, name, k == 0, feedback=child))
        check()
    for layer, name in zip(layers, names):  # the styles, so that the file opens styled anywhere
        written = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        document = QDomDocument()
        layer.exportNamedStyle(document)
        written.importNamedStyle(document)
        message = compat.save_style_to_database(written, name, f"Bai Mei: {layer.name()}")
        del written
        if message:
            raise BaiMeiError(f"Could not store the style of {layer.name()} in the GeoPackage.", str(message))


def label_field(layer: QgsVectorLayer) -> Optional[str]:
    """The field that names a feature best (a KML placemark's name), None when the layer has none of them."""
    return next((name for name in NAME_FIELDS if name in layer.fields().names()), None)


def _write_kml(layers, names, path, canceled, progress=None, title="") -> None:
    """The plugin's own KML writer: GDAL's LIBKML took minutes on a large layer and is missing from some GDAL
    builds; its plain KML driver cannot write times."""
    specs = [KmlLayer(layer, name, *time_fields(layer), label_field(layer)) for layer, name in zip(layers, names)]
    write_kml(path, specs, title, progress, canceled)


def _write_geojson(layer, path, canceled, progress=None) -> None:
    """The plugin's own streaming GeoJSON writer: GDAL's took 41 s of the demo's export (2.9 million vertices)."""
    write_geojson(path, layer, progress, canceled)


def _write_table(layer, name, path, driver, feedback=None) -> None:
    """A CSV file through GDAL's writer (X/Y columns for points, WKT otherwise)."""
    if not layer.isSpatial():
        layer_options = []
    else:
        point = QgsWkbTypes.flatType(layer.wkbType()) == QgsWkbTypes.Type.Point
        layer_options = ["GEOMETRY=AS_XY" if point else "GEOMETRY=AS_WKT"]
    if driver == "CSV":
        layer_options.append("STRING_QUOTING=IF_NEEDED")  # quoted below: GDAL's ALWAYS quotes integers too
    converter = IsoTimeConverter(layer, spreadsheet_safe if driver == "CSV" else None)
    child = _writer_feedback(feedback)  # held here: the options do not keep the Python object alive
    options = _options(driver, layer, name, True, layer_options, child)
    options.fieldValueConverter = converter
    _write(layer, path, options)
    if driver == "CSV":
        _quote_text_columns(
            path,
            {f.name() for f in layer.fields() if compat.field_is(f, "str")}
            | {layer.fields().at(i).name() for i in converter.times},
            feedback,
        )


def _csv_line(cells: Sequence[str], always: Sequence[bool]) -> str:
    quoted = (
        '"' + cell.replace('"', '""') + '"' if quote or any(c in cell for c in ',"\r\n') else cell
        for cell, quote in zip(cells, always)
    )
    return ",".join(quoted) + os.linesep  # GDAL's line ends: CRLF on Windows, LF elsewhere


def _quote_text_columns(path: str, text_columns: set, feedback=None) -> None:
    """Quote every cell of the text columns, numbers left bare: with the leading quote of ``spreadsheet_safe``, what
    OWASP advises against formula injection (a spreadsheet reads a quoted cell whole, as one value)."""
    quoted = path + ".quoted"
    limit = csv.field_size_limit(2**31 - 1)  # a text field may be longer than the 128 KiB the module allows
    try:
        with (
            open(path, newline="", encoding="utf-8") as source,
            open(quoted, "w", newline="", encoding="utf-8") as target,
        ):
            reader = csv.reader(source)
            header = next(reader, [])
            always = [name in text_columns for name in header]
            target.write(_csv_line(header, [False] * len(header)))
            for k, row in enumerate(reader):
                target.write(_csv_line(row, always))
                # often: a row of a track is a whole voyage in WKT (the demo's 891 tracks are 50 MB)
                if k % 200 == 0 and feedback is not None and feedback.isCanceled():
                    raise Canceled()
        os.replace(quoted, path)
    finally:
        csv.field_size_limit(limit)
        if os.path.exists(quoted):
            os.remove(quoted)


def _temporary(path: str) -> str:
    folder, filename = os.path.split(path)
    stem, ext = os.path.splitext(filename)
    return os.path.join(folder, f".{stem}.{uuid.uuid4().hex[:8]}.partial{ext}")  # drivers go by the extension


def _remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


CHARACTER_NAMES = {
    "\\": "a backslash",
    "/": "a slash",
    "|": "a vertical bar",
    ":": "a colon",
    "*": "an asterisk",
    "?": "a question mark",
    '"': "a double quote",
    "<": "a less-than sign",
    ">": "a greater-than sign",
}


def _shown(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def check_base_name(base_name: str) -> None:
    """Refuse a base name (the NAME parameter) that is not a plain file name on every system the files may go to."""
    plain = "give a plain name such as bai_mei_case (letters, digits, spaces, '-', '_')"
    bad = NAME_INVALID.search(base_name)
    if bad:
        char = bad.group(0)
        what = (
            f"{CHARACTER_NAMES[char]} ({char})"
            if char in CHARACTER_NAMES
            else f"the control character U+{ord(char):04X}"
        )
        raise BaiMeiError(f"NAME '{_shown(base_name)}' cannot be a file name: it contains {what}; {plain}.")
    if not base_name or base_name.startswith(".") or base_name.endswith((" ", ".")):
        raise BaiMeiError(
            f"NAME '{base_name}' cannot be a file name: it is empty, starts with a dot or ends with a "
            f"dot or space; {plain}."
        )
    if WINDOWS_RESERVED.fullmatch(base_name):
        raise BaiMeiError(f"NAME '{base_name}' cannot be a file name: Windows reserves it for a device; {plain}.")
    if len(base_name) > MAX_NAME_LENGTH:
        raise BaiMeiError(f"NAME is {len(base_name)} characters long: give at most {MAX_NAME_LENGTH}.")


def check_folder(folder: str) -> None:
    """Refuse a destination (the FOLDER parameter) that is not a folder and cannot become one."""
    if not folder:
        raise BaiMeiError("Choose the FOLDER to write to.")
    path = os.path.abspath(folder)
    while not os.path.exists(path) and os.path.dirname(path) != path:  # the nearest part that exists
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        what = "is a file, not a folder" if os.path.isfile(path) else "is not a folder"
        if path == os.path.abspath(folder):
            raise BaiMeiError(f"FOLDER {folder} {what}: choose a folder (a missing one is created).")
        raise BaiMeiError(f"FOLDER {folder} cannot be created: {path} {what}.")


def make_folder(folder: str) -> None:
    """Create FOLDER if missing; a failure is a message naming it."""
    check_folder(folder)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise BaiMeiError(f"Could not create the FOLDER {folder}: {exc.strerror or exc}.", str(exc)) from None


def planned_files(layers, folder: str, formats: Sequence[str], base_name: str) -> List[Tuple[str, str, list]]:
    """(format, path, [(layer, table name)]) of each file an export writes."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BaiMeiError(f"Choose the formats among {', '.join(FORMATS)} (got {', '.join(formats) or 'none'}).")
    check_base_name(base_name)
    pairs = list(zip(layers, layer_table_names(layers)))
    plan = []
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        if fmt in ("gpkg", "kml"):
            plan.append((fmt, os.path.join(folder, f"{base_name}.{fmt}"), pairs))
        else:
            plan.extend(
                (fmt, os.path.join(folder, f"{base_name}_{name}.{fmt}"), [(layer, name)]) for layer, name in pairs
            )
    return plan


def _step_progress(feedback, step: int, steps: int) -> Optional[Callable[[float], None]]:
    """The progress within one file of ``steps`` as overall progress."""
    if feedback is None:
        return None
    return lambda percent: feedback.setProgress((100.0 * step + percent) / steps)


def export_layers(
    layers: Sequence[QgsVectorLayer],
    folder: str,
    formats: Sequence[str],
    base_name: str,
    feedback=None,
    overwrite: bool = False,
) -> List[str]:
    """Write ``layers`` to ``folder`` in each of ``formats`` and return the paths written.

    ``gpkg``: ``<base>.gpkg``, every layer a table with its style stored in the file. ``geojson``:
    ``<base>_<layer>.geojson`` per layer (RFC 7946, WGS 84, times ISO 8601 UTC). ``kml``: ``<base>.kml``, a folder
    per layer, each placemark with a name, a readable description and its time (TimeStamp, or TimeSpan for layers
    with a start and an end) for Google Earth's time slider. ``csv``: ``<base>_<layer>.csv`` per layer (X/Y columns
    for points, WKT otherwise; times ISO 8601 UTC)."""
    layers = [layer for layer in layers if isinstance(layer, QgsVectorLayer) and layer.isValid()]
    if not layers:
        raise BaiMeiError("Choose at least one vector layer to export.")
    plan = planned_files(layers, folder, formats, base_name)
    existing = [path for _, path, _ in plan if os.path.exists(path)]
    if existing and not overwrite:
        raise BaiMeiError(
            f"{', '.join(os.path.basename(p) for p in existing)} already exist(s) in {folder}: choose "
            "another name or allow overwriting."
        )
    make_folder(folder)

    def canceled() -> bool:
        return feedback is not None and feedback.isCanceled()

    def check():
        if canceled():
            raise Canceled()

    done: List[Tuple[str, str]] = []
    try:
        for step, (fmt, path, pairs) in enumerate(plan):
            check()
            temporary = _temporary(path)
            done.append((temporary, path))
            if feedback is not None:
                feedback.setProgressText(f"Writing {os.path.basename(path)}")
            group, names = [p[0] for p in pairs], [p[1] for p in pairs]
            if fmt == "gpkg":
                _write_gpkg(group, names, temporary, check, feedback)
            elif fmt == "kml":
                title = os.path.splitext(os.path.basename(path))[0]
                _write_kml(group, names, temporary, canceled, _step_progress(feedback, step, len(plan)), title)
            elif fmt == "geojson":
                _write_geojson(group[0], temporary, canceled, _step_progress(feedback, step, len(plan)))
            else:
                _write_table(group[0], names[0], temporary, "CSV", feedback)
            if feedback is not None:
                feedback.setProgress(100.0 * (step + 1) / len(plan))
        check()
        for temporary, path in done:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in done:
            _remove(temporary)
        raise
    written = [path for _, path in done]
    if feedback is not None:
        for path in written:
            feedback.pushInfo(f"Wrote {path}")
    return written


# ---- what an export leaves behind when QGIS is killed: its temporary files ----------------------------------------
# ``_temporary`` and case_report's ``_partial`` names, and the ".quoted" copy of a CSV being quoted.
PARTIAL_NAME = re.compile(r"^\..+\.[0-9a-f]{8}\.partial(\.[^.]+)?(\.timeline\.png|\.quoted|-wal|-shm|-journal)?$")


def stale_partials(folder: str) -> List[str]:
    """The temporary files of exports into ``folder`` that never finished (QGIS killed or crashed mid-export),
    oldest first; [] when the folder is missing or unreadable."""
    try:
        names = [name for name in os.listdir(folder) if PARTIAL_NAME.match(name)]
    except OSError:
        return []
    paths = [os.path.join(folder, name) for name in names]
    return sorted((p for p in paths if os.path.isfile(p)), key=os.path.getmtime)


def remove_partials(paths: Sequence[str]) -> Tuple[int, List[str]]:
    """Remove ``paths`` (from ``stale_partials``): (bytes freed, the messages of the ones that could not go)."""
    freed, failed = 0, []
    for path in paths:
        try:
            size = os.path.getsize(path)
            os.remove(path)
            freed += size
        except OSError as exc:
            failed.append(f"{path}: {exc.strerror or exc}")
    return freed, failed


# ---- one vessel's part of a layer, and the size of an export before it starts ----------------------------------
def vessel_filter(layer: QgsVectorLayer, mmsi: int, gap_ids: Sequence[str] = ()) -> Optional[str]:
    """The expression keeping ``mmsi``'s features of ``layer``: by its ``mmsi`` field, else by ``gap_id`` (areas,
    ports of a gap); None for a layer kept whole: candidates (their mmsi is a candidate's, every one is part of
    the ranking), sightings and layers with neither field."""
    names = layer.fields().names()
    if recognise(names) == "candidates":
        return None
    if "mmsi" in names:
        return f'"mmsi" = {int(mmsi)}'
    if "gap_id" in names and gap_ids:
        return '"gap_id" IN (' + ", ".join("'" + str(g).replace("'", "''") + "'" for g in gap_ids) + ")"
    return None


def filtered_copy(layer: QgsVectorLayer, expression: Optional[str]) -> QgsVectorLayer:
    """``layer`` itself without ``expression``, else a memory copy of its matching features with its name, style
    and metadata (made in the thread that writes it)."""
    if not expression:
        return layer
    copy = layer.materialize(QgsFeatureRequest().setFilterExpression(expression))
    copy.setName(layer.name())
    document = QDomDocument()
    layer.exportNamedStyle(document)
    copy.importNamedStyle(document)
    copy.setMetadata(layer.metadata())
    return copy


# Bytes written per vertex and per feature, measured on the demo's export (tests/bench/bench_export.py): a KML
# coordinate is "lon,lat " with 6 decimals, a placemark carries its description and ExtendedData.
BYTES_PER_VERTEX = {"gpkg": 20, "geojson": 29, "kml": 23, "csv": 33}
BYTES_PER_FEATURE = {"gpkg": 120, "geojson": 260, "kml": 1500, "csv": 110}
LARGE_VERTICES = 200_000  # beyond this an export takes noticeable time and makes files too big to mail
LARGE_BYTES = 100_000_000


@dataclass
class LayerSize:
    name: str
    features: int
    vertices: int


@dataclass
class ExportEstimate:
    layers: List[LayerSize]
    bytes_by_format: Dict[str, int]

    @property
    def vertices(self) -> int:
        return sum(layer.vertices for layer in self.layers)

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes_by_format.values())

    @property
    def large(self) -> bool:
        return self.vertices > LARGE_VERTICES or self.total_bytes > LARGE_BYTES

    def text(self) -> str:
        """The estimate in words: '1.28 million vertices of tracks, ...: about 28 MB of KML, 22 MB of GeoPackage'."""
        biggest = sorted(self.layers, key=lambda layer: -max(layer.vertices, layer.features))[:3]
        what = ", ".join(
            f"{_count_text(max(layer.vertices, layer.features))} vertices of {layer.name}" for layer in biggest
        )
        sizes = ", ".join(f"{_megabytes(size)} of {FORMAT_NAMES[fmt]}" for fmt, size in self.bytes_by_format.items())
        return f"{what}: about {sizes}"


FORMAT_NAMES = {"gpkg": "GeoPackage", "geojson": "GeoJSON", "kml": "KML", "csv": "CSV"}


def _count_text(n: int) -> str:
    return f"{n / 1e6:.2f} million" if n >= 1_000_000 else f"{n:,}"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 10e6 else f"{max(size / 1e6, 0.1):.1f} MB"


def layer_size(layer: QgsVectorLayer, expression: Optional[str] = None) -> LayerSize:
    """Features and vertices of ``layer`` (those matching ``expression``); a point is one vertex. Geometries only,
    no attributes: the demo's 1.28 million track vertices count in a tenth of a second."""
    request = QgsFeatureRequest().setNoAttributes()
    if expression:
        request = QgsFeatureRequest().setFilterExpression(expression)
    if QgsWkbTypes.flatType(layer.wkbType()) in (
        QgsWkbTypes.Type.Point,
        QgsWkbTypes.Type.NoGeometry,
        QgsWkbTypes.Type.Unknown,
    ):
        # one vertex per point (or none): counted, not read (the demo's 1.28 million points took seconds)
        features = layer.featureCount() if not expression else _count(layer, request)
        return LayerSize(layer.name(), features, features if layer.isSpatial() else 0)
    features = vertices = 0
    for feature in layer.getFeatures(request):
        features += 1
        geometry = feature.geometry()
        if not geometry.isNull():
            vertices += geometry.constGet().nCoordinates()
    return LayerSize(layer.name(), features, vertices)


def _count(layer: QgsVectorLayer, request: QgsFeatureRequest) -> int:
    request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    return sum(1 for _ in layer.getFeatures(request))


def estimate_export(layers: Sequence[Tuple[QgsVectorLayer, Optional[str]]], formats: Sequence[str]) -> ExportEstimate:
    """How big an export of ``layers`` ((layer, filter expression or None)) in ``formats`` will be, roughly."""
    sizes = [layer_size(layer, expression) for layer, expression in layers]
    bytes_by_format = {
        fmt: sum(BYTES_PER_VERTEX[fmt] * s.vertices + BYTES_PER_FEATURE[fmt] * s.features for s in sizes)
        for fmt in FORMATS
        if fmt in formats
    }
    return ExportEstimate(sizes, bytes_by_format)
