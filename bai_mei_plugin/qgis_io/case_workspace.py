"""A case workspace: one GeoPackage holding every layer the dock makes for a case, as it is made, with what made it.

Tables besides the layers themselves:
- ``case_info`` (key, value): the case's sources and parameters (the AIS path, engine, criteria, the sightings
  GeoPackage, the selected gap...), values as JSON text;
- ``case_layers`` (kind, table_name, layer_name, made_at, params): which table holds the current layer of each kind
  (gaps, tracks, reach_areas...), its display name, when and with what it was made;
- ``case_reports`` (name, data): the cleaned AIS reports as numpy arrays (``np.save`` format, read back without
  pickle), so that reopening a case needs no re-read of the AIS file and scores the gaps exactly as before.

A layer is written to a fresh table and only then made current (one SQLite transaction switches ``case_layers``):
a crash while writing leaves an orphan table, dropped the next time the case is opened, and the layer before it
intact. Names typed by users (layer names, paths) only ever travel as SQL parameters, never as SQL text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np
from qgis.core import QgsProject, QgsVectorFileWriter, QgsVectorLayer

from ..core.ais.model import NUMERIC_FIELDS, TEXT_FIELDS, AisColumns, CleanResult, TextColumn
from ..core.atomic import atomic_output
from ..core.errors import BaiMeiError, Canceled

CASE_SCOPE, CASE_KEY = "bai_mei", "case"  # the project entry remembering the case's GeoPackage
INFO_TABLE, LAYERS_TABLE, REPORTS_TABLE = "case_info", "case_layers", "case_reports"
_TABLE_SAFE = re.compile(r"[^a-z0-9_]+")
_WRITTEN = re.compile(r"^[a-z0-9_]+_[0-9a-f]{8}$")  # the names ``write_table`` gives (kind, then 8 hex digits)


@dataclass(frozen=True)
class CaseLayer:
    """One current layer of the case: its kind, GeoPackage table, display name, when and with what it was made."""

    kind: str
    table: str
    name: str
    made_at: str
    params: dict


# A layer's custom property holding what made it (its source and parameters, JSON): set by whoever makes the layer
# (``mark_made_by``), written by the case into ``case_layers.params`` beside the layer's table.
MADE_BY = "bai_mei/made_by"


def mark_made_by(layer, **params) -> None:
    """Record on ``layer`` what made it (the source it was made from, the parameters); never a secret."""
    if layer is not None:
        layer.setCustomProperty(MADE_BY, json.dumps(params, default=str, sort_keys=True))


def made_by(layer) -> dict:
    """What ``mark_made_by`` recorded on ``layer`` ({} when nothing)."""
    try:
        found = json.loads(layer.customProperty(MADE_BY) or "{}")
    except (TypeError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _create_gpkg(path: str) -> None:
    """An empty GeoPackage with the case tables (``case_info`` and ``case_layers`` registered as attribute tables,
    so that GDAL and QGIS see a valid GeoPackage)."""
    from osgeo import ogr

    driver = ogr.GetDriverByName("GPKG")
    source = driver.CreateDataSource(path)
    if source is None:
        raise BaiMeiError(f"Cannot create the case GeoPackage {path}: GDAL refused to create it.")
    for table, columns in (
        (INFO_TABLE, ("key", "value")),
        (LAYERS_TABLE, ("kind", "table_name", "layer_name", "made_at", "params")),
    ):
        layer = source.CreateLayer(table, geom_type=ogr.wkbNone)
        for column in columns:
            layer.CreateField(ogr.FieldDefn(column, ogr.OFTString))
    source = None  # closes and flushes the file
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE case_reports (name TEXT PRIMARY KEY, data BLOB)")
        db.commit()


class Case:
    """An open case GeoPackage. ``Case.create(path)`` makes a new one; ``Case.open(path)`` checks an existing one."""

    def __init__(self, path: str):
        self.path = os.path.realpath(path)

    @property
    def name(self) -> str:
        return os.path.splitext(os.path.basename(self.path))[0]

    # --- making and opening ------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str) -> Case:
        """A new, empty case at ``path`` (written under a temporary name and renamed, so never half made)."""
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        with atomic_output(path) as temporary:
            _create_gpkg(temporary)
        case = cls(path)
        case.set_info(created=_now())
        return case

    @classmethod
    def open(cls, path: str) -> Case:
        """The case at ``path``; BaiMeiError naming the file and what is missing when it is not a Bai Mei case."""
        if not os.path.isfile(path):
            raise BaiMeiError(f"The case GeoPackage {path} does not exist (moved or deleted?).")
        case = cls(path)
        try:
            tables = case._tables()
        except sqlite3.DatabaseError as exc:
            raise BaiMeiError(f"{path} is not a GeoPackage: {exc}.") from None
        missing = [t for t in (INFO_TABLE, LAYERS_TABLE, REPORTS_TABLE) if t not in tables]
        if missing:
            raise BaiMeiError(
                f"{path} is not a Bai Mei case: it lacks the table(s) {', '.join(missing)}. Use New case… to make one."
            )
        case.drop_orphans()
        return case

    # --- SQLite -------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _db(self):
        """A short connection, committed when the block ends (QGIS may have the file open too: SQLite locks it)."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def _tables(self) -> set:
        with self._db() as db:
            return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    # --- case_info ----------------------------------------------------------------------------------------------
    def info(self) -> Dict[str, object]:
        """The case's sources and parameters (key -> JSON value); a value that is not JSON is kept as text."""
        values = {}
        with self._db() as db:
            for key, text in db.execute("SELECT key, value FROM case_info"):
                try:
                    values[key] = json.loads(text) if text is not None else None
                except ValueError:
                    values[key] = text
        return values

    def set_info(self, **values) -> None:
        """Remember ``values`` (JSON-able) in the case, replacing the keys given, in one transaction."""
        with self._db() as db:
            for key, value in values.items():
                db.execute("DELETE FROM case_info WHERE key = ?", (key,))
                db.execute("INSERT INTO case_info (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    # --- layers -------------------------------------------------------------------------------------------------
    def layers(self) -> Dict[str, CaseLayer]:
        """kind -> the current layer of that kind."""
        with self._db() as db:
            rows = db.execute("SELECT kind, table_name, layer_name, made_at, params FROM case_layers").fetchall()
        found = {}
        for kind, table, name, made_at, params in rows:
            try:
                parsed = json.loads(params) if params else {}
            except ValueError:
                parsed = {}
            found[kind] = CaseLayer(kind, table, name or kind, made_at or "", parsed)
        return found

    def uri(self, table: str) -> str:
        return f"{self.path}|layername={table}"

    def holds(self, layer) -> bool:
        """Whether ``layer`` is read from this case's GeoPackage."""
        source = layer.source().split("|", 1)[0]
        return layer.providerType() == "ogr" and os.path.realpath(source) == self.path

    def persist(self, layer: QgsVectorLayer, kind: str, params: Optional[dict] = None) -> QgsVectorLayer:
        """Write ``layer`` (a memory layer) into the case as the current layer of ``kind``; return the GeoPackage
        layer to show instead (same name). The previous layer of the kind is dropped once the new one is current.
        (A large layer is written by the load task with ``write_table``; only ``make_current`` is left for here.)
        ``params``: what made it (default: what the layer records, ``made_by``)."""
        made = made_by(layer) if params is None else params
        return self.make_current(kind, self.write_table(layer, kind), layer.name(), made)

    def write_table(self, layer: QgsVectorLayer, kind: str, feedback=None, context=None) -> str:
        """Write ``layer`` into a fresh table of the case and return its name; not current yet (``make_current``).
        Safe off the GUI thread (GDAL writes through its own connection; ``context``: a transform context made in
        that thread); ``feedback`` (a QgsFeedback) is asked between features: a Cancel drops the table and raises
        Canceled. A crash meanwhile leaves an orphan table, dropped when the case is next opened."""
        table = f"{_TABLE_SAFE.sub('_', kind.lower()).strip('_') or 'layer'}_{uuid.uuid4().hex[:8]}"
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = table
        options.fileEncoding = "UTF-8"
        options.actionOnExistingFile = QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer
        if feedback is not None:
            options.feedback = feedback
        error, message = write_vector(layer, self.path, options, context)
        if error == QgsVectorFileWriter.WriterError.Canceled or (feedback is not None and feedback.isCanceled()):
            self._drop(table)
            raise Canceled()
        if error != QgsVectorFileWriter.WriterError.NoError:
            self._drop(table)
            raise BaiMeiError(f"Could not write the layer {layer.name()} into the case {self.path}: {message}")
        return table

    def make_current(self, kind: str, table: str, name: str, params: Optional[dict] = None) -> QgsVectorLayer:
        """Make ``table`` (from ``write_table``) the current layer of ``kind`` in one transaction, drop the previous
        one, and return the GeoPackage layer to show (named ``name``). ``params``, what made it, are kept beside it
        in ``case_layers`` and recorded on the layer returned."""
        old = self.layers().get(kind)
        with self._db() as db:  # the switch: one transaction
            db.execute("DELETE FROM case_layers WHERE kind = ?", (kind,))
            db.execute(
                "INSERT INTO case_layers (kind, table_name, layer_name, made_at, params) VALUES (?, ?, ?, ?, ?)",
                (kind, table, name, _now(), json.dumps(params or {}, default=str)),
            )
        if old is not None and old.table != table:
            self._drop(old.table)
        return self.open_layer(CaseLayer(kind, table, name, "", params or {}))

    def forget(self, kind: str) -> None:
        """No current layer of ``kind`` any more (its table is dropped)."""
        old = self.layers().get(kind)
        if old is None:
            return
        with self._db() as db:
            db.execute("DELETE FROM case_layers WHERE kind = ?", (kind,))
        self._drop(old.table)

    def open_layer(self, entry: CaseLayer) -> QgsVectorLayer:
        layer = QgsVectorLayer(self.uri(entry.table), entry.name, "ogr")
        if not layer.isValid():
            raise BaiMeiError(f"The layer {entry.name} (table {entry.table}) of the case {self.path} cannot be read.")
        if entry.params:
            mark_made_by(layer, **entry.params)
        return layer

    def _drop(self, table: str) -> bool:
        """Drop a layer table through GDAL (which keeps the GeoPackage's own tables in step); False when the file is
        busy (the table stays an orphan, dropped when the case is next opened)."""
        from osgeo import gdal, ogr

        with gdal.quiet_errors() if hasattr(gdal, "quiet_errors") else contextlib.nullcontext():
            source = ogr.Open(self.path, 1)
            if source is None:
                return False
            for index in range(source.GetLayerCount()):
                if source.GetLayerByIndex(index).GetName() == table:
                    return source.DeleteLayer(index) == 0
        return False

    def discard(self, tables) -> None:
        """Drop ``tables`` written with ``write_table`` that will never be made current (a cancelled or superseded
        write); one the file keeps busy stays an orphan, dropped when the case is next opened."""
        for table in list(tables):
            self._drop(table)

    def drop_orphans(self) -> List[str]:
        """Drop the layer tables the case wrote (``write_table``) that no ``case_layers`` row points to (left by a
        crash while writing, or a drop that found the file busy); tables it did not write (the sightings the analyst
        edits in place, QGIS's layer_styles) stay. Returns their names."""
        from osgeo import ogr

        current = {entry.table for entry in self.layers().values()}
        source = ogr.Open(self.path)
        names = [source.GetLayerByIndex(i).GetName() for i in range(source.GetLayerCount())] if source else []
        source = None
        orphans = [n for n in names if n not in current and _WRITTEN.match(n)]
        return [n for n in orphans if self._drop(n)]

    # --- reports ------------------------------------------------------------------------------------------------
    def write_reports(self, reports: CleanResult) -> None:
        """Keep the cleaned reports (every column, as numpy arrays) in the case, replacing the ones kept."""
        cols = reports.columns
        blobs = {name: _array_bytes(getattr(cols, name)) for name in ("mmsi", "t", *NUMERIC_FIELDS)}
        for name in TEXT_FIELDS:
            column = getattr(cols, name)
            blobs[f"{name}.codes"] = _array_bytes(column.codes)
            blobs[f"{name}.values"] = json.dumps(column.values).encode("utf-8")
        meta = {
            "absent": sorted(cols.absent),
            "rows_read": reports.rows_read,
            "dropped": dict(reports.dropped),
            "format_name": reports.format_name,
        }
        blobs["meta"] = json.dumps(meta).encode("utf-8")
        with self._db() as db:
            db.execute("DELETE FROM case_reports")
            db.executemany("INSERT INTO case_reports (name, data) VALUES (?, ?)", blobs.items())

    def read_reports(self) -> Optional[CleanResult]:
        """The reports kept in the case, None when it keeps none; BaiMeiError naming the file when unreadable."""
        with self._db() as db:
            blobs = dict(db.execute("SELECT name, data FROM case_reports").fetchall())
        if "meta" not in blobs:
            return None
        try:
            meta = json.loads(blobs["meta"])
            numeric = {name: _array_of(blobs[name]) for name in ("mmsi", "t", *NUMERIC_FIELDS)}
            text = {
                name: TextColumn(_array_of(blobs[f"{name}.codes"]), json.loads(blobs[f"{name}.values"]))
                for name in TEXT_FIELDS
            }
            columns = AisColumns(**numeric, **text, absent=frozenset(meta.get("absent", ())))
        except (KeyError, ValueError, TypeError) as exc:
            raise BaiMeiError(f"The AIS reports kept in the case {self.path} are damaged: {exc}.") from None
        return CleanResult(
            columns,
            int(meta.get("rows_read", len(columns))),
            Counter(meta.get("dropped", {})),
            format_name=str(meta.get("format_name", "")),
        )


def write_vector(layer, path: str, options, context=None):
    """QgsVectorFileWriter.writeAsVectorFormatV3 where QGIS has it (3.20+), else V2: (error, message). ``context``:
    the transform context (default: the project's, read on the GUI thread)."""
    write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
    if context is None:
        context = QgsProject.instance().transformContext()
    return tuple(write(layer, path, context, options)[:2])


def _array_bytes(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _array_of(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)


def remembered_case(project) -> str:
    """The case GeoPackage the project remembers ("" when none)."""
    return project.readEntry(CASE_SCOPE, CASE_KEY, "")[0]


def remember_case(project, case: Optional[Case]) -> None:
    """Make the project remember ``case`` (a path, never anything secret); None forgets it."""
    if case is None:
        project.removeEntry(CASE_SCOPE, CASE_KEY)
    else:
        project.writeEntry(CASE_SCOPE, CASE_KEY, case.path)
    project.setDirty(True)


class StoredGapsEngine:
    """The engine of a reopened case whose reports stayed on a server or in an archive: the gaps are the case's;
    finding them again needs the reports loaded again (said, naming where they are)."""

    label = "kept in the case"
    columns = None

    def __init__(self, location):
        self.location = location

    def find_gaps(self, criteria, progress=None, is_canceled=None):
        raise BaiMeiError(
            f"The reports of this case stayed in {self.location.source or self.location.name}: load them again "
            "(Tracks page) to find the gaps with other criteria."
        )


@dataclass
class Restored:
    """A case's session: its name, LoadResult, analysis layers by kind, the layer group, and the layers that were
    not in the project yet (to add, with their kind)."""

    name: str
    result: object
    extra: Dict[str, QgsVectorLayer]
    group: object
    added: List[tuple]


def _in_project(case: Case, project, entry: CaseLayer):
    """The project's layer reading ``entry``'s table of the case, if any."""
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsVectorLayer) and case.holds(layer):
            if layer.source().split("|layername=", 1)[-1].split("|", 1)[0] == entry.table:
                return layer
    return None


def _engine(case: Case, info: dict):
    from ..core.gap_engine import LOADED, InMemoryGapEngine, LandChoice, ReportsLocation
    from .land import default_land

    location = ReportsLocation(
        str(info.get("source_kind") or LOADED), str(info.get("name") or case.name), str(info.get("source") or "")
    )
    reports = case.read_reports()
    if reports is None:
        return StoredGapsEngine(location), None
    return InMemoryGapEngine(reports, location, LandChoice(default=default_land)), reports


def restored_result(case: Case, project, result_type) -> Optional[Restored]:
    """The session kept in ``case``: layers found in ``project`` by their source (after the project was read) or
    opened from the case (after a crash, nothing saved but the case). None when the case holds no gaps yet.
    ``result_type`` is the dock's load result (tasks.ais_tasks.LoadResult: qgis_io does not import the tasks)."""
    from ..core.gaps import GapResult, gap_end_columns
    from .inputs import gaps_from_source

    entries = case.layers()
    if "gaps" not in entries:
        return None
    info = case.info()
    name = str(info.get("name") or case.name)
    layers, added = {}, []
    for kind, entry in entries.items():
        layer = _in_project(case, project, entry)
        if layer is None:
            layer = case.open_layer(entry)
            added.append((kind, layer))
        layers[kind] = layer
    gaps = gaps_from_source(layers["gaps"])
    engine, reports = _engine(case, info)
    found = GapResult(gaps, [], int(info.get("candidate_gaps") or len(gaps)), 0)
    result = result_type(
        found=found,
        engine=engine,
        columns=reports.columns if reports is not None else gap_end_columns(gaps),
        gaps_layer=layers.pop("gaps"),
        tracks_layer=layers.pop("tracks", None),
        points_layer=layers.pop("points", None),
        reports=reports,
    )
    return Restored(name, result, layers, _group(project, name, result.gaps_layer, added), added)


def _group(project, name: str, gaps_layer, added):
    """The layer group of the session: the one holding the gaps layer in the project, or a new one named ``name``."""
    root = project.layerTreeRoot()
    node = root.findLayer(gaps_layer.id()) if all(layer is not gaps_layer for _k, layer in added) else None
    if node is not None and node.parent() is not None and node.parent() is not root:
        return node.parent()
    return root.insertGroup(0, name)
