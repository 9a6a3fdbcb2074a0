"""Land on the PostGIS server, for the distance-from-shore criterion of the PostGIS gap engine.

The in-process engine (``core.land.LandIndex``) measures a point's distance to shore as the great-circle distance,
on the plugin's sphere, to the nearest vertex of the land polygons' rings after each edge was cut into equal pieces
of at most ``step_km / 111.2`` degrees (in lon/lat), and puts points inside a polygon at 0. The server does the same:

- polygons: the land geometries in EPSG:4326, split into single polygons (``ST_Dump``), with a GiST index, for
  ``ST_Contains`` (the same "inside, not on the boundary" test as shapely's);
- vertices: ``ST_DumpPoints(ST_Segmentize(ST_Boundary(polygon), step_deg))`` as geography, with a GiST index, for
  the nearest-vertex search (``ORDER BY geog <-> point LIMIT 1``, the sphere distance). ``ST_Segmentize`` cuts
  edges into the same equal pieces as the core's densification (tested), so both engines see the same vertices.

Two sources: a land table the user names (checked against the catalog, quoted; polygons and vertices are derived
into temporary tables for the session), or a land index from the plugin (QGIS's bundled world map) uploaded once to
``<schema>.baimei_land`` and ``<schema>.baimei_land_vertices``. The upload is labelled with a SHA-256 of the
polygons and the step (``COMMENT ON TABLE``), so the next run finds it and reuses it; a different land replaces it.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Optional, Tuple, Union

import numpy as np

from ..core.errors import BaiMeiError
from ..core.land import LandIndex

LAND_TABLE = "baimei_land"
VERTEX_SUFFIX = "_vertices"
FORMAT_VERSION = 1
KM_PER_DEGREE = 111.2  # as core.land: the densification step in degrees is step_km / 111.2
GEOMETRY_TYPES = {"geometry", "geography"}


@dataclass(frozen=True)
class LandTable:
    """A table (or view) of land polygons on the server: ``schema.table`` or a table on the search path."""

    table: Union[str, Tuple[str, str]]
    geometry_column: str = "geom"


@dataclass(frozen=True)
class ServerLand:
    """Land ready for the gap query: a polygon table (column ``geom``) and a vertex table (column ``geog``)."""

    polygons: Tuple[str, str]
    vertices: Tuple[str, str]
    step_km: float
    content_sha256: str = ""
    uploaded: bool = False  # True when this call wrote the tables; False when they were already there

    @property
    def name(self) -> str:
        return f"{self.polygons[0]}.{self.polygons[1]}"


LandSource = Union[LandTable, ServerLand]


def _sql():
    from .postgis_gaps import _sql as sql_module

    return sql_module()


def content_hash(land: LandIndex) -> str:
    """SHA-256 of the land's polygons (every ring's lon/lat, in order), the step and the table format."""
    digest = hashlib.sha256(f"baimei-land/{FORMAT_VERSION}/{land.step_km!r}".encode())
    for polygon in land.polygons:
        digest.update(b"P")
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.ascontiguousarray(np.asarray(ring.coords)[:, :2], dtype="<f8")
            digest.update(len(coords).to_bytes(8, "little") + coords.tobytes())
    return digest.hexdigest()


def _label(cursor, schema: str, name: str) -> Optional[dict]:
    """The Bai Mei label of an existing table (a dict), {} for a table without one, None when there is no table."""
    cursor.execute(
        "SELECT c.relkind, obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (schema, name),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    try:
        label = json.loads(row[1] or "")
    except ValueError:
        return {}
    return label if isinstance(label, dict) and label.get("baimei_land") else {}


def _check_schema(cursor, schema: str) -> None:
    cursor.execute(
        "SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_catalog.pg_namespace n WHERE nspname = %s", (schema,)
    )
    row = cursor.fetchone()
    if row is None:
        raise BaiMeiError(f"The schema '{schema}' does not exist in the database.")
    if not row[0]:
        raise BaiMeiError(f"No permission to create tables in the schema '{schema}'.")


def _vertex_query(sql, polygons, step_deg_param: str = "step_deg"):
    """SELECT of the densified ring vertices (geography) of a polygon table with column geom."""
    return sql.SQL(
        "SELECT (ST_DumpPoints(ST_Segmentize(ST_Boundary(geom), %({})s))).geom::geography AS geog FROM {}"
    ).format(sql.SQL(step_deg_param), sql.Identifier(*polygons))


def _index(cursor, sql, table: Tuple[str, str], column: str, suffix: str) -> None:
    cursor.execute(
        sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
            sql.Identifier(f"{table[1][:50]}_{suffix}"), sql.Identifier(*table), sql.Identifier(column)
        )
    )
    cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(*table)))


def upload_land(conn, land: LandIndex, schema: str = "public", name: str = LAND_TABLE) -> ServerLand:
    """``land`` on the server as ``schema.name`` (polygons) and ``schema.name_vertices``, uploaded only when the
    tables are missing or hold another land (content hash). Commits. A table of that name that Bai Mei did not
    create is left alone (an error says so)."""
    sql = _sql()
    schema = (schema or "public").strip()
    polygons, vertices = (schema, name), (schema, name + VERTEX_SUFFIX)
    digest = content_hash(land)
    with conn.cursor() as cur:
        _check_schema(cur, schema)
        # one uploader at a time per land table name; the lock ends with the transaction
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"baimei_land:{schema}.{name}",))
        found = {table: _label(cur, *table) for table in (polygons, vertices)}
        for table, label in found.items():
            if label == {}:
                raise BaiMeiError(
                    f"The table {table[0]}.{table[1]} exists and was not created by Bai Mei; give "
                    "another schema for the land upload, or name that table as the land table."
                )
        if all(label and label.get("sha256") == digest for label in found.values()):
            conn.commit()
            return ServerLand(polygons, vertices, land.step_km, digest, uploaded=False)
        for table, label in found.items():
            if label:
                cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(*table)))
        cur.execute(
            sql.SQL("CREATE TABLE {} (id integer PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL)").format(
                sql.Identifier(*polygons)
            )
        )
        buffer = io.StringIO()
        for k, polygon in enumerate(land.polygons):
            buffer.write(f"{k}\t{polygon.wkb_hex}\n")
        buffer.seek(0)
        # hex WKB has no SRID: the staging column takes it as is and the SRID is set on the way in
        cur.execute("CREATE TEMP TABLE baimei_land_staging (id integer, wkb text) ON COMMIT DROP")
        cur.copy_expert("COPY baimei_land_staging (id, wkb) FROM STDIN", buffer)
        cur.execute(
            sql.SQL(
                "INSERT INTO {} SELECT id, ST_SetSRID(ST_Force2D(ST_GeomFromWKB(decode(wkb, 'hex'))), "
                "4326) FROM baimei_land_staging"
            ).format(sql.Identifier(*polygons))
        )
        cur.execute(
            sql.SQL("CREATE TABLE {} AS ").format(sql.Identifier(*vertices)) + _vertex_query(sql, polygons),
            {"step_deg": land.step_km / KM_PER_DEGREE},
        )
        _index(cur, sql, polygons, "geom", "geom")
        _index(cur, sql, vertices, "geog", "geog")
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*vertices)))
        n_vertices = cur.fetchone()[0]
        label = json.dumps(
            {
                "baimei_land": FORMAT_VERSION,
                "sha256": digest,
                "step_km": land.step_km,
                "polygons": len(land.polygons),
                "vertices": n_vertices,
            }
        )
        for table in (polygons, vertices):
            cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(sql.Identifier(*table), sql.Literal(label)))
    conn.commit()
    return ServerLand(polygons, vertices, land.step_km, digest, uploaded=True)


def find_land(conn, schema: str = "public", name: str = LAND_TABLE) -> Optional[dict]:
    """The label of an uploaded land (sha256, step_km, polygons, vertices), or None when there is none."""
    with conn.cursor() as cur:
        label = _label(cur, schema, name)
    return label or None


def _geometry_column(cursor, table, column: str):
    """(schema, name, type) of a land table's geometry column, checked against the catalog."""
    from .postgis_gaps import find_relation, relation_columns

    schema, name, oid, _kind = find_relation(cursor, table)
    available = relation_columns(cursor, oid)
    shown = f"{schema}.{name}"
    if not column:
        raise BaiMeiError(f"Give the geometry column of the land table '{shown}'.")
    if column not in available:
        geometric = [c for c, kind in available.items() if kind in GEOMETRY_TYPES]
        hint = f" (its geometry columns: {', '.join(geometric)})" if geometric else " (it has no geometry column)"
        raise BaiMeiError(f"Column '{column}' does not exist in the land table '{shown}'{hint}.")
    if available[column] not in GEOMETRY_TYPES:
        raise BaiMeiError(
            f"Column '{column}' of the land table '{shown}' has type {available[column]}; a geometry "
            "column of polygons is expected."
        )
    return schema, name, available[column]


def prepare_land_table(cursor, land: LandTable, step_km: float = 1.0) -> ServerLand:
    """A user's land table as temporary polygon and vertex tables (dropped at the end of the session)."""
    sql = _sql()
    schema, name, kind = _geometry_column(cursor, land.table, land.geometry_column)
    shown = f"{schema}.{name}"
    column = sql.Identifier(land.geometry_column)
    geometry = sql.SQL("{}::geometry").format(column) if kind == "geography" else column
    cursor.execute(
        sql.SQL("SELECT array_agg(DISTINCT ST_SRID({})) FROM {} WHERE {} IS NOT NULL").format(
            geometry, sql.Identifier(schema, name), column
        )
    )
    srids = cursor.fetchone()[0] or []
    if 0 in srids:
        raise BaiMeiError(
            f"Some geometries of '{land.geometry_column}' in the land table '{shown}' have no SRID "
            "(0): set it, e.g. with UpdateGeometrySRID, so they can be read as lon/lat."
        )
    polygons, vertices = ("pg_temp", "baimei_shore_polygons"), ("pg_temp", "baimei_shore_vertices")
    for table in (vertices, polygons):
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(*table)))
    cursor.execute(
        sql.SQL(
            "CREATE TEMP TABLE baimei_shore_polygons AS "
            "SELECT (ST_Dump(ST_CollectionExtract(ST_Force2D(ST_Transform({g}, 4326)), 3))).geom AS geom "
            "FROM {t} WHERE {c} IS NOT NULL"
        ).format(g=geometry, t=sql.Identifier(schema, name), c=column)
    )
    if cursor.rowcount == 0:
        raise BaiMeiError(f"The land table '{shown}' has no polygons in '{land.geometry_column}'.")
    cursor.execute(
        sql.SQL("CREATE TEMP TABLE baimei_shore_vertices AS ") + _vertex_query(sql, polygons),
        {"step_deg": step_km / KM_PER_DEGREE},
    )
    _index(cursor, sql, polygons, "geom", "geom")
    _index(cursor, sql, vertices, "geog", "geog")
    return ServerLand(polygons, vertices, step_km)


def shore_distance_sql(sql, land: ServerLand, lon, lat, scale_param: str = "shore_scale"):
    """SQL for the distance (nm) from (lon, lat) to shore: 0 inside a land polygon, else to the nearest vertex."""
    point = sql.SQL("ST_SetSRID(ST_MakePoint({}, {}), 4326)").format(lon, lat)
    return sql.SQL(
        "CASE WHEN EXISTS (SELECT 1 FROM {polygons} p WHERE ST_Contains(p.geom, {point})) THEN 0::float8 "
        "ELSE (SELECT ST_Distance(v.geog, {point}::geography, false) FROM {vertices} v "
        "ORDER BY v.geog <-> {point}::geography LIMIT 1) * %({scale})s END"
    ).format(
        polygons=sql.Identifier(*land.polygons),
        vertices=sql.Identifier(*land.vertices),
        point=point,
        scale=sql.SQL(scale_param),
    )
