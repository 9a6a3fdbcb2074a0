"""Parquet and GeoParquet AIS files.

Read with pyarrow when it is installed (only the mapped columns, batch by batch); else with GDAL's Parquet driver
when this GDAL has one (``ogr.GetDriverByName("Parquet")``, in QGIS's Windows and macOS installers since 3.30);
else a message saying what to install. Columns are matched by name like CSV headers; positions come from lat/lon
columns or, in GeoParquet, from the point geometry (WKB, or GeoArrow's x/y struct). Times may be timestamp columns,
unix seconds or milliseconds, or text in any format ``timeparse`` reads.
"""

from __future__ import annotations

import struct
import zipfile
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..errors import BaiMeiError, Canceled
from .csv_reader import NUMERIC, TEXT, ColumnParts, IsCanceled, Progress, have_pyarrow
from .formats import (
    OPTIONAL,
    REQUIRED,
    SYNONYMS,
    TIME_ISO,
    TIME_UNIX,
    TIME_UNIX_MS,
    AisFormat,
    Detection,
    auto_mapping,
    check_overrides,
    guess,
    printable,
)
from .model import MISSING_TIME, RawRead
from .source import SourceInfo, inspect

FORMAT_NAME = "Parquet"
TIME_NATIVE = "native"  # a timestamp column: no text to parse
GEOMETRY_NAMES = ("geometry", "geom", "wkb_geometry", "the_geom")
BATCH_ROWS = 256 * 1024
NOTHING_TO_READ_WITH = (
    "Reading Parquet needs the Python package pyarrow (menu Vector ▸ Bai Mei ▸ Optional speed-ups… installs it "
    "from QGIS; python3-pyarrow on Debian 13 and "
    "later; the QGIS installers for Windows and macOS bundle it) or a GDAL built with its Parquet driver (QGIS "
    "3.30+ installers for Windows and macOS): neither is available in this QGIS. Or convert the file to CSV "
    "(e.g. ogr2ogr -f CSV out.csv in.parquet on a computer that has one)."
)


def have_gdal_parquet() -> bool:
    try:
        from osgeo import ogr
    except ImportError:
        return False
    return ogr.GetDriverByName("Parquet") is not None


def backend() -> str:
    """ "arrow", "gdal", or BaiMeiError saying what to install."""
    if have_pyarrow():
        return "arrow"
    if have_gdal_parquet():
        return "gdal"
    raise BaiMeiError(NOTHING_TO_READ_WITH)


def _open_source(info: SourceInfo):
    """A path pyarrow opens, or a seekable member of a zip."""
    if info.archive:
        return zipfile.ZipFile(info.archive).open(info.member)
    return info.path


def _parquet_error(info: SourceInfo, exc: Exception) -> BaiMeiError:
    return BaiMeiError(
        f"{info.name} starts like a Parquet file but cannot be read as one ({printable(str(exc), 200)}): it may be "
        f"truncated or damaged; download or copy it again ({info.path}).",
        repr(exc),
    )


# --- detection ---------------------------------------------------------------------------------------------------


def _geometry_column(names: List[str], metadata: Optional[dict]) -> Optional[str]:
    """GeoParquet's primary geometry column (from the "geo" metadata), else a column with a usual geometry name."""
    if metadata and b"geo" in metadata:
        import json

        try:
            primary = json.loads(metadata[b"geo"]).get("primary_column")
        except (ValueError, AttributeError):
            primary = None
        if primary in names:
            return primary
    return next((n for n in names if n.lower() in GEOMETRY_NAMES), None)


def _schema(info: SourceInfo) -> Tuple[List[str], Optional[str], Dict[str, str]]:
    """(column names, geometry column, kind of each column: "timestamp", "number" or "text")."""
    if backend() == "gdal":
        return _gdal_schema(info)
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(_open_source(info))
    except (pa.ArrowException, OSError) as exc:
        raise _parquet_error(info, exc) from exc
    kinds = {}
    for f in schema:
        if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type):
            kinds[f.name] = "timestamp"
        elif pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_decimal(f.type):
            kinds[f.name] = "number"
        else:
            kinds[f.name] = "text"
    return schema.names, _geometry_column(schema.names, schema.metadata), kinds


def _gdal_schema(info: SourceInfo):
    layer, _ds = _gdal_layer(info)
    definition = layer.GetLayerDefn()
    names, kinds = [], {}
    from osgeo import ogr

    for i in range(definition.GetFieldCount()):
        field = definition.GetFieldDefn(i)
        names.append(field.GetName())
        kind = field.GetType()
        kinds[field.GetName()] = (
            "timestamp"
            if kind in (ogr.OFTDateTime, ogr.OFTDate)
            else "number"
            if kind in (ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal)
            else "text"
        )
    geometry = layer.GetGeometryColumn() or ("geometry" if layer.GetGeomType() != ogr.wkbNone else None)
    if geometry:
        names.append(geometry)
    return names, geometry, kinds


def _gdal_layer(info: SourceInfo):
    from osgeo import gdal, ogr

    path = f"/vsizip/{info.archive}/{info.member}" if info.archive else info.path
    gdal.UseExceptions()
    try:
        ds = ogr.Open(path)
    except RuntimeError as exc:
        raise _parquet_error(info, exc) from exc
    if ds is None or ds.GetLayerCount() == 0:
        raise _parquet_error(info, RuntimeError("GDAL opened no layer"))
    return ds.GetLayer(0), ds


def _sample_times(info: SourceInfo, column: str) -> list:
    if backend() == "gdal":
        return []
    import pyarrow.parquet as pq

    batches = pq.ParquetFile(_open_source(info)).iter_batches(batch_size=20, columns=[column])
    first = next(batches, None)
    return [] if first is None else [v for v in first.column(0).to_pylist() if v is not None]


def detect_parquet(path: str, overrides: Optional[Dict[str, str]] = None) -> Detection:
    """The column mapping of a Parquet / GeoParquet file from its schema (and its first times)."""
    info = inspect(path)
    names, geometry, kinds = _schema(info)
    mapping = auto_mapping(names)
    overrides = overrides or {}
    check_overrides(path, names, overrides)
    mapping.columns.update(overrides)
    notes = ["Parquet: columns matched by name"]
    if geometry and not (mapping.get("lat") and mapping.get("lon")):
        mapping.columns["lat"] = mapping.columns["lon"] = geometry
        notes = ["GeoParquet: positions from the geometry column " + geometry]
    missing = mapping.missing_required()
    if missing:
        expected = "; ".join(f"{name}: one of {', '.join(SYNONYMS[name][:4])}" for name in missing)
        raise BaiMeiError(
            f"No column for {', '.join(missing)} in the Parquet file {path}: expected {expected} (or a point "
            f"geometry). Columns found: {printable(', '.join(names))}. Give the columns in the column fields."
        )
    time_column = mapping.get("time")
    confident = True
    if kinds.get(time_column) == "timestamp":
        mapping.time_format = TIME_NATIVE
    else:
        samples = _sample_times(info, time_column)
        if kinds.get(time_column) == "number" and samples:
            mapping.time_format = TIME_UNIX_MS if abs(float(samples[0])) > 1e11 else TIME_UNIX
        else:
            found, confident = guess([str(v) for v in samples])
            mapping.time_format = found or TIME_ISO
    return Detection(AisFormat.PARQUET, names, mapping, confident, notes)


# --- reading -----------------------------------------------------------------------------------------------------


def read_parquet(
    path: str,
    detection: Detection,
    progress: Progress = None,
    is_canceled: IsCanceled = None,
    info: Optional[SourceInfo] = None,
) -> RawRead:
    """Read a Parquet file described by ``detection`` into uncleaned columns."""
    info = info or inspect(path)
    if backend() == "gdal":
        parts = _read_with_gdal(info, detection, progress, is_canceled)
    else:
        parts = _read_with_arrow(info, detection, progress, is_canceled)
    if parts.rows_read == 0:
        raise BaiMeiError(f"The Parquet file {path} holds no rows.")
    return _raw(parts, info, detection)


def parquet_blocks(info: SourceInfo, detection: Detection, block_rows: int, is_canceled: IsCanceled = None):
    """(RawRead, 0 lines, fraction read) of each block of up to ``block_rows`` rows of a Parquet file read with
    pyarrow, for the bucketed read (rows numbered from the block's start). Raises as read_parquet when the file
    holds no rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    wanted = _wanted(detection)
    columns = list(dict.fromkeys(wanted.values()))
    done = 0
    try:
        source = pq.ParquetFile(_open_source(info))
        total = max(1, source.metadata.num_rows)
        schema = source.schema_arrow.empty_table().select(columns).schema
        batches = source.iter_batches(batch_size=max(1, block_rows), columns=columns)
        for batch in batches:
            if is_canceled and is_canceled():
                raise Canceled()
            done += batch.num_rows
            parts = _arrow_parts(pa.Table.from_batches([batch], schema=schema), wanted, detection.mapping.time_format)
            yield _raw(parts, info, detection), 0, min(1.0, done / total)
    except (pa.ArrowException, OSError) as exc:
        if isinstance(exc, MemoryError):
            raise
        raise _parquet_error(info, exc) from exc
    if done == 0:
        raise BaiMeiError(f"The Parquet file {info.path} holds no rows.")


def _raw(parts: ColumnParts, info: SourceInfo, detection: Detection) -> RawRead:
    if parts.time_failure:
        from .timeparse import all_times_failed

        column, row, value, count = parts.time_failure
        raise all_times_failed(info.name, column, detection.mapping.time_format, row, value, count)
    raw = parts.to_raw(detection)
    raw.format_name = FORMAT_NAME
    return raw


def _wanted(detection: Detection) -> Dict[str, str]:
    mapping = detection.mapping
    return {name: mapping.get(name) for name in REQUIRED + OPTIONAL + ("mobile_type",) if mapping.get(name)}


def row_count(info: SourceInfo) -> Optional[int]:
    """Rows in the file from its footer (for the memory estimate); None when it cannot be told."""
    if not have_pyarrow():
        return None
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(_open_source(info)).metadata.num_rows
    except Exception:  # noqa: BLE001  (an estimate only: reading reports the real error with its file name)
        return None


def _read_with_arrow(info: SourceInfo, detection: Detection, progress, is_canceled) -> ColumnParts:
    import pyarrow as pa
    import pyarrow.parquet as pq

    wanted = _wanted(detection)
    columns = list(dict.fromkeys(wanted.values()))
    try:
        source = pq.ParquetFile(_open_source(info))
        total = max(1, source.metadata.num_rows)
        batches = []
        done = 0
        for batch in source.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            batches.append(batch)
            done += batch.num_rows
            if is_canceled and is_canceled():
                raise Canceled()
            if progress:
                progress(min(1.0, done / total))
        table = pa.Table.from_batches(batches, schema=source.schema_arrow.empty_table().select(columns).schema)
    except (pa.ArrowException, OSError) as exc:
        if isinstance(exc, MemoryError):
            raise
        raise _parquet_error(info, exc) from exc
    return _arrow_parts(table, wanted, detection.mapping.time_format)


def _arrow_parts(table, wanted: Dict[str, str], time_format: str) -> ColumnParts:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .columns import text_column
    from .csv_arrow import _checked_column

    parts = ColumnParts(table.num_rows)
    geometry_xy = None
    for name, source in wanted.items():
        column = table.column(source)
        kind = column.type
        if name in ("lat", "lon") and wanted.get("lat") == wanted.get("lon"):
            if geometry_xy is None:
                geometry_xy = point_xy(column)
            values = geometry_xy[1] if name == "lat" else geometry_xy[0]
            parts.numeric[name] = values
            parts.mark_bad(name, source, np.isnan(values) & np.asarray(column.is_valid()), lambda i: "(geometry)")
            continue
        if name in TEXT:
            encoded = pc.dictionary_encode(
                pa.concat_arrays(column.chunks) if column.num_chunks else column.combine_chunks()
            )
            codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
            dictionary = [v if isinstance(v, (str, bytes)) else str(v) for v in encoded.dictionary.to_pylist()]
            parts.text[name], _bad = text_column(codes, dictionary)
        elif name == "time" and time_format == TIME_NATIVE:
            seconds = pc.cast(pc.cast(column, pa.timestamp("s")), pa.int64())
            parts.t = pc.fill_null(seconds, MISSING_TIME).to_numpy(zero_copy_only=False).astype(np.int64)
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            _number_column(parts, name, source, column.cast(pa.float64()), time_format)
        elif name in NUMERIC or name in ("mmsi", "time"):
            _checked_column(parts, name, source, column.cast(pa.binary()), time_format)
    return parts


def _number_column(parts: ColumnParts, name: str, source: str, column, time_format: str) -> None:
    from .columns import finite, mmsi_from_numbers
    from .timeparse import UNIX_LIMIT

    values = column.to_numpy(zero_copy_only=False).astype(np.float64)
    present = ~np.isnan(values)
    if name == "mmsi":
        parts.mmsi, ok = mmsi_from_numbers(values, present)
    elif name == "time":
        seconds = values / (1000.0 if time_format == TIME_UNIX_MS else 1.0)
        ok = present & np.isfinite(seconds) & (np.abs(np.nan_to_num(seconds)) < UNIX_LIMIT)
        parts.t = np.full(len(values), MISSING_TIME, dtype=np.int64)
        parts.t[ok] = np.floor(seconds[ok])
        parts.check_times(source, present, ok, lambda i: values[i])
    else:
        parts.numeric[name], ok = finite(values, present)
    parts.mark_bad(name, source, present & ~ok, lambda i: values[i])


def point_xy(column) -> Tuple[np.ndarray, np.ndarray]:
    """(x, y) of a point geometry column: WKB/EWKB bytes or GeoArrow's struct<x, y>; NaN where not a point."""
    import pyarrow as pa

    column = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    if pa.types.is_struct(column.type):
        x = column.field("x").to_numpy(zero_copy_only=False).astype(np.float64)
        y = column.field("y").to_numpy(zero_copy_only=False).astype(np.float64)
        return np.where(column.is_valid(), x, np.nan), np.where(column.is_valid(), y, np.nan)
    return wkb_points(column.to_pylist())


def wkb_points(values: list) -> Tuple[np.ndarray, np.ndarray]:
    """(x, y) of WKB or EWKB points (2D, Z, M, ZM); NaN for NULLs and for anything but a point."""
    x = np.full(len(values), np.nan)
    y = np.full(len(values), np.nan)
    for i, blob in enumerate(values):
        if not blob or len(blob) < 21:
            continue
        order = "<" if blob[0] == 1 else ">"
        (kind,) = struct.unpack_from(order + "I", blob, 1)
        offset = 5 + (4 if kind & 0x20000000 else 0)  # EWKB with an SRID
        if (kind & 0x0FFFFFFF) % 1000 != 1:  # ISO WKB: 1, 1001, 2001, 3001; EWKB flags stripped
            continue
        if len(blob) < offset + 16:
            continue
        x[i], y[i] = struct.unpack_from(order + "dd", blob, offset)
    return x, y


def _read_with_gdal(info: SourceInfo, detection: Detection, progress, is_canceled) -> ColumnParts:
    """GDAL's Parquet driver, feature by feature (slower than pyarrow; used only when pyarrow is absent)."""
    from .jsonl import _columns

    layer, _ds = _gdal_layer(info)
    wanted = _wanted(detection)
    geometry = wanted.get("lat") if wanted.get("lat") == wanted.get("lon") else None
    values: Dict[str, list] = {name: [] for name in wanted}
    time_format = detection.mapping.time_format
    total = max(1, layer.GetFeatureCount())
    for k, feature in enumerate(layer):
        if k % 20000 == 0:
            if is_canceled and is_canceled():
                raise Canceled()
            if progress:
                progress(k / total)
        for name, source in wanted.items():
            values[name].append(_gdal_value(feature, name, source, geometry, time_format))
    fmt = TIME_UNIX if time_format == TIME_NATIVE else time_format
    return _columns(values, wanted, fmt, len(values[REQUIRED[0]]))


def _gdal_value(feature, name: str, source: str, geometry: Optional[str], time_format: str):
    if geometry and name in ("lat", "lon"):
        geom = feature.GetGeometryRef()
        if geom is None or geom.IsEmpty():
            return None
        return geom.GetY() if name == "lat" else geom.GetX()
    index = feature.GetFieldIndex(source)
    if index < 0 or not feature.IsFieldSetAndNotNull(index):
        return None
    if name == "time" and time_format == TIME_NATIVE:
        import calendar

        year, month, day, hour, minute, second, zone = feature.GetFieldAsDateTime(index)
        offset = (zone - 100) * 15 * 60 if zone > 1 else 0  # OGR: 100 is UTC, each step 15 minutes
        return calendar.timegm((year, month, day, hour, minute, int(second), 0, 0, 0)) - offset
    return feature.GetField(index)
