"""Gap detection inside PostGIS: one SQL statement, the same gaps as ``core.gaps.detect_gaps``.

The statement repeats the core cleaning (missing/non-positive MMSI or missing time, positions outside
[-90, 90] x [-180, 180], duplicates of (MMSI, time) keeping the first), then per MMSI ordered by time:
``LEAD`` finds the next report and a ``RANGE`` window counts the reports in the window before each one. On a
relation with an index on (mmsi, time) only the next report's time and the seconds of the last known values pass
through the window, and the rest are index lookups for the gaps only (``build_lookup_query``: one sort and one
window in all): the reports counted before each gap, the positions at both ends, and the last known vessel name,
draught and destination before a gap (the first known after it). Without that index, "last/next known value"
windows (count-of-non-null groups, as PostgreSQL has no ``IGNORE NULLS``) carry them through several more sorts
(``build_query``), and the engine's notes say which index to create.

Distances use ``ST_Distance(geography, geography, false)`` (PostGIS's sphere, radius
6,371,008.7714 m) rescaled to the project's sphere of 6,371,008.8 m.

With land (``postgis_land``: a land table of the user's, or the bundled land uploaded once) each gap end gets its
distance from shore exactly as the in-process land index measures it (nearest densified ring vertex, 0 inside a
polygon), and ``min_shore_nm`` keeps the same gaps. The gaps can also be written to a server table (``fid`` primary
key, LineString ``geom``, indexes) that QGIS opens directly.

Identifiers reach SQL only through ``psycopg2.sql.Identifier`` after the relation and its columns were found in the
catalog; every value is a query parameter. psycopg2 is imported by the caller (the connection is passed in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ..core.ais.clean import default_time_window
from ..core.errors import BaiMeiError, Canceled
from ..core.gap_engine import IsCanceled, Progress, ReportsLocation
from ..core.gaps import Gap, GapCriteria, GapResult
from ..core.geodesy import EARTH_RADIUS_M, METRES_PER_NM
from ..core.land import LandIndex
from ..core.layer_kinds import GAPS
from .postgis_land import LandSource, LandTable, ServerLand, prepare_land_table, shore_distance_sql, upload_land

# PostGIS's sphere for use_spheroid=false is the WGS 84 mean radius (2a + b) / 3.
_WGS84_A = 6_378_137.0
_WGS84_B = 6_356_752.314245179
POSTGIS_SPHERE_RADIUS_M = (2 * _WGS84_A + _WGS84_B) / 3
DISTANCE_SCALE = EARTH_RADIUS_M / POSTGIS_SPHERE_RADIUS_M

ROLES_REQUIRED = ("mmsi", "time")
DEFAULT_COLUMNS = {"mmsi": "mmsi", "time": "timestamp"}  # the column names the forms start from
ROLES_OPTIONAL = ("geometry", "lon", "lat", "sog", "draught", "destination", "vessel_name", "order")
NUMERIC_TYPES = {"int2", "int4", "int8", "float4", "float8", "numeric"}
TIME_TYPES = {"timestamptz", "timestamp"}
TEXT_TYPES = {"text", "varchar", "bpchar", "name"}
WHITESPACE = " \t\n\r\x0b\x0c"

TimeBound = Union[int, float, dt.datetime]


def _sql():
    try:
        from psycopg2 import sql
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BaiMeiError(
            "The PostGIS engine needs psycopg2 (python3-psycopg2 or pip install psycopg2).", str(exc)
        ) from exc
    return sql


def split_table(table: Union[str, Sequence[str]]) -> Tuple[Optional[str], str]:
    """("schema", "table") from "schema.table", "table" or a (schema, table) pair; names are not unquoted."""
    if isinstance(table, str):
        schema, dot, name = table.partition(".")
        return (schema, name) if dot else (None, table)
    schema, name = table
    return schema, name


def find_relation(cursor, table) -> Tuple[str, str, int, str]:
    """(schema, name, oid, relkind) of a table or view visible to the connection, or a BaiMeiError naming it."""
    schema, name = split_table(table)
    cursor.execute(
        "SELECT n.nspname, c.relname, c.oid, c.relkind FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = %(name)s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND "
        "CASE WHEN %(schema)s::text IS NULL THEN n.nspname = ANY(current_schemas(false)) "
        "ELSE n.nspname = %(schema)s::text END "
        "ORDER BY array_position(current_schemas(false), n.nspname) LIMIT 1",
        {"name": name, "schema": schema},
    )
    row = cursor.fetchone()
    if row is None:
        shown = name if schema is None else f"{schema}.{name}"
        raise BaiMeiError(f"Table or view '{shown}' was not found in the database.")
    cursor.execute("SELECT has_table_privilege(%s, 'SELECT')", (row[2],))
    if not cursor.fetchone()[0]:
        raise BaiMeiError(f"No permission to read '{row[0]}.{row[1]}'.")
    return row


def relation_columns(cursor, oid: int) -> Dict[str, str]:
    """Column name -> type name (pg_type.typname) of a relation."""
    cursor.execute(
        "SELECT a.attname, t.typname FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped",
        (oid,),
    )
    return dict(cursor.fetchall())


def check_columns(columns: Mapping[str, str], available: Dict[str, str], relation: str) -> Dict[str, str]:
    """Validate the column mapping against the catalog; returns role -> column type."""
    unknown_roles = set(columns) - set(ROLES_REQUIRED) - set(ROLES_OPTIONAL)
    if unknown_roles:
        raise BaiMeiError(f"Unknown column roles: {', '.join(sorted(unknown_roles))}.")
    missing = [role for role in ROLES_REQUIRED if not columns.get(role)]
    if not columns.get("geometry") and not (columns.get("lon") and columns.get("lat")):
        missing.append("geometry (or lon and lat)")
    if missing:
        raise BaiMeiError(f"Map the columns for: {', '.join(missing)}.")
    types = {}
    for role, name in columns.items():
        if not name:
            continue
        if name not in available:
            raise BaiMeiError(f"Column '{name}' ({role}) does not exist in '{relation}'.")
        types[role] = available[name]
    expected = {
        "mmsi": NUMERIC_TYPES,
        "time": NUMERIC_TYPES | TIME_TYPES,
        "geometry": {"geometry"},
        "lon": NUMERIC_TYPES,
        "lat": NUMERIC_TYPES,
        "sog": NUMERIC_TYPES,
        "draught": NUMERIC_TYPES,
        "destination": TEXT_TYPES,
        "vessel_name": TEXT_TYPES,
    }
    for role, kind in types.items():
        if role in expected and kind not in expected[role]:
            raise BaiMeiError(f"Column '{columns[role]}' ({role}) has type {kind}, which cannot be used as {role}.")
    return types


def _epoch(value: TimeBound) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    return float(value)


def build_query(
    relation: Tuple[str, str],
    columns: Mapping[str, str],
    types: Mapping[str, str],
    criteria: GapCriteria,
    time_range=None,
    bbox=None,
    tiebreak_ctid: bool = False,
    land: Optional[ServerLand] = None,
):
    """The one statement (a psycopg2.sql.Composed) and its parameters: a SELECT of GAP_COLUMNS, in no order."""
    sql = _sql()
    col = {role: sql.Identifier(name) for role, name in columns.items() if name}
    params: dict = {}

    def number(role):
        # float4 through text keeps the value the user sees (0.1, not 0.100000001490116)
        return sql.SQL("{}::text::float8" if types[role] == "float4" else "{}::float8").format(col[role])

    def text(role):
        if role not in col:
            return sql.SQL("NULL::text")
        return sql.SQL("NULLIF(btrim({}::text, %(ws)s), '')").format(col[role])

    params["ws"] = WHITESPACE
    if "geometry" in col:
        lon, lat = sql.SQL("ST_X({})").format(col["geometry"]), sql.SQL("ST_Y({})").format(col["geometry"])
    else:
        lon, lat = number("lon"), number("lat")
    if types["time"] in TIME_TYPES:
        t = sql.SQL("floor(EXTRACT(EPOCH FROM {}))::bigint").format(col["time"])
    else:
        t = sql.SQL("floor(NULLIF({}::float8, 'NaN'))::bigint").format(col["time"])
    if "order" in col:
        order = col["order"]
    elif tiebreak_ctid:
        order = sql.SQL("ctid")
    else:  # a view has no physical order: any of the duplicates, but always the same one (by lon, lat)
        order = sql.SQL("NULL::int")

    where = [sql.SQL("TRUE")]
    if time_range is not None:
        start, end = time_range
        params["t0"], params["t1"] = _epoch(start), _epoch(end)
        if types["time"] == "timestamptz":
            bounds = "to_timestamp(%(t0)s) AND to_timestamp(%(t1)s)"
        elif types["time"] == "timestamp":  # without time zone: read as UTC
            bounds = "to_timestamp(%(t0)s) AT TIME ZONE 'UTC' AND to_timestamp(%(t1)s) AT TIME ZONE 'UTC'"
        else:
            bounds = "%(t0)s AND %(t1)s"
        where.append(sql.SQL("{} BETWEEN " + bounds).format(col["time"]))  # the raw column: an index can help
    if bbox is not None:
        params["x0"], params["y0"], params["x1"], params["y1"] = (float(v) for v in bbox)
        if "geometry" in col:
            where.append(sql.SQL("{} && ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4326)").format(col["geometry"]))
        where.append(sql.SQL("{} BETWEEN %(x0)s AND %(x1)s AND {} BETWEEN %(y0)s AND %(y1)s").format(lon, lat))

    params["t_min"], params["t_max"] = default_time_window()  # the core's plausible times (clean drops the rest)
    params["threshold"] = int(-(-criteria.min_gap_hours * 3600.0 // 1))  # ceil, as the core
    params["window"] = int(criteria.positions_window_hours * 3600)
    params["min_before"] = int(criteria.min_positions_before)
    params["scale"] = DISTANCE_SCALE / METRES_PER_NM
    if land is None:
        off_shore = on_shore = sql.SQL("NULL::float8")
    else:
        off_shore = shore_distance_sql(sql, land, sql.SQL("lon"), sql.SQL("lat"), "scale")
        on_shore = shore_distance_sql(sql, land, sql.SQL("lon_on"), sql.SQL("lat_on"), "scale")
    shore_filter = sql.SQL("TRUE")
    if criteria.min_shore_nm > 0:
        params["min_shore"] = float(criteria.min_shore_nm)
        shore_filter = sql.SQL("off_shore_nm >= %(min_shore)s AND on_shore_nm >= %(min_shore)s")

    query = sql.SQL("""
WITH src AS (
    SELECT {mmsi}::bigint AS mmsi, {t} AS t, {lon}::float8 AS lon, {lat}::float8 AS lat, {sog} AS sog,
           {draught} AS draught, {dest} AS dest, {name} AS name, {order} AS ord
    FROM {table} WHERE {where}
), valid AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY mmsi, t ORDER BY ord, lon, lat) AS dup_rank FROM src
    WHERE mmsi > 0 AND t BETWEEN %(t_min)s AND %(t_max)s AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180
), w1 AS (
    SELECT mmsi, t, lon, lat, sog, draught, dest, name,
           LEAD(t) OVER fwd AS t_on, LEAD(lon) OVER fwd AS lon_on, LEAD(lat) OVER fwd AS lat_on,
           LEAD(sog) OVER fwd AS sog_on,
           COUNT(*) OVER (fwd RANGE BETWEEN %(window)s PRECEDING AND CURRENT ROW) AS n_before,
           COUNT(draught) OVER (fwd ROWS UNBOUNDED PRECEDING) AS g_draught_b,
           COUNT(draught) OVER (bwd ROWS UNBOUNDED PRECEDING) AS g_draught_a,
           COUNT(dest) OVER (fwd ROWS UNBOUNDED PRECEDING) AS g_dest_b,
           COUNT(dest) OVER (bwd ROWS UNBOUNDED PRECEDING) AS g_dest_a,
           COUNT(name) OVER (fwd ROWS UNBOUNDED PRECEDING) AS g_name_b,
           COUNT(name) OVER (bwd ROWS UNBOUNDED PRECEDING) AS g_name_a
    FROM valid WHERE dup_rank = 1
    WINDOW fwd AS (PARTITION BY mmsi ORDER BY t), bwd AS (PARTITION BY mmsi ORDER BY t DESC)
), w2 AS (
    SELECT *,
           FIRST_VALUE(draught) OVER (PARTITION BY mmsi, g_draught_b ORDER BY t) AS draught_b,
           FIRST_VALUE(draught) OVER (PARTITION BY mmsi, g_draught_a ORDER BY t DESC) AS draught_a,
           FIRST_VALUE(dest) OVER (PARTITION BY mmsi, g_dest_b ORDER BY t) AS dest_b,
           FIRST_VALUE(dest) OVER (PARTITION BY mmsi, g_dest_a ORDER BY t DESC) AS dest_a,
           FIRST_VALUE(name) OVER (PARTITION BY mmsi, g_name_b ORDER BY t) AS name_b,
           FIRST_VALUE(name) OVER (PARTITION BY mmsi, g_name_a ORDER BY t DESC) AS name_a
    FROM w1
), w3 AS (
    SELECT *, LEAD(draught_a) OVER fwd AS draught_after, LEAD(dest_a) OVER fwd AS dest_after,
           LEAD(name_a) OVER fwd AS name_after
    FROM w2 WINDOW fwd AS (PARTITION BY mmsi ORDER BY t)
), gaps AS (
    SELECT mmsi, t, t_on, lon, lat, lon_on, lat_on,
           ST_Distance(ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography,
                       ST_SetSRID(ST_MakePoint(lon_on, lat_on), 4326)::geography, false) * %(scale)s AS distance_nm,
           sog, sog_on, draught_b, draught_after, dest_b, dest_after, COALESCE(name_b, name_after) AS vessel_name,
           n_before
    FROM w3
    WHERE t_on - t >= %(threshold)s AND n_before >= %(min_before)s
), shore AS (
    SELECT *, {off_shore} AS off_shore_nm, {on_shore} AS on_shore_nm FROM gaps
)
SELECT mmsi::text || '-' || to_char(to_timestamp(t) AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"') AS gap_id,
       mmsi, vessel_name, to_timestamp(t) AS off_time, to_timestamp(t_on) AS on_time,
       (t_on - t)::float8 / 3600 AS gap_hours, distance_nm,
       CASE WHEN t_on > t THEN distance_nm / ((t_on - t)::float8 / 3600) ELSE 0::float8 END AS implied_speed_kn,
       lon AS off_lon, lat AS off_lat, lon_on AS on_lon, lat_on AS on_lat, sog AS sog_before, sog_on AS sog_after,
       draught_b AS draught_before, draught_after, dest_b AS destination_before, dest_after AS destination_after,
       n_before::integer AS positions_12h_before, off_shore_nm, on_shore_nm
FROM shore
WHERE {shore_filter}""").format(
        mmsi=col["mmsi"],
        t=t,
        lon=lon,
        lat=lat,
        sog=number("sog") if "sog" in col else sql.SQL("NULL::float8"),
        draught=number("draught") if "draught" in col else sql.SQL("NULL::float8"),
        dest=text("destination"),
        name=text("vessel_name"),
        order=order,
        table=sql.Identifier(*relation),
        where=sql.SQL(" AND ").join(where),
        off_shore=off_shore,
        on_shore=on_shore,
        shore_filter=shore_filter,
    )
    return query, params


class _Row:
    """One report of the relation under a table alias: its raw columns (what an index knows) and the values the
    statements derive from them (the same expressions in the scan and in the lookups, so they compare equal)."""

    def __init__(self, sql, columns: Mapping[str, str], types: Mapping[str, str], alias: str, tiebreak_ctid: bool):
        self.sql, self.types, self.alias = sql, types, alias
        self.where: list = []  # its conditions (``filters``), repeated wherever the relation is read
        self.col = {role: sql.Identifier(alias, name) for role, name in columns.items() if name}
        if "geometry" in self.col:
            self.lon = sql.SQL("ST_X({})::float8").format(self.col["geometry"])
            self.lat = sql.SQL("ST_Y({})::float8").format(self.col["geometry"])
        else:
            self.lon, self.lat = self.number("lon"), self.number("lat")
        if types["time"] in TIME_TYPES:
            self.t = sql.SQL("floor(EXTRACT(EPOCH FROM {}))::bigint").format(self.col["time"])
        else:
            self.t = sql.SQL("floor(NULLIF({}::float8, 'NaN'))::bigint").format(self.col["time"])
        self.mmsi = sql.SQL("{}::bigint").format(self.col["mmsi"])
        # the row address of a table or materialized view is unique: no duplicate ties with another
        self.ord_unique = tiebreak_ctid and "order" not in self.col
        if "order" in self.col:
            self.ord = self.col["order"]
        elif tiebreak_ctid:
            self.ord = sql.SQL("{}.ctid").format(sql.Identifier(alias))
        else:  # a view has no physical order: any of the duplicates, but always the same one (by lon, lat)
            self.ord = sql.SQL("NULL::int")

    def number(self, role):
        if role not in self.col:
            return self.sql.SQL("NULL::float8")
        # float4 through text keeps the value the user sees (0.1, not 0.100000001490116)
        cast = "{}::text::float8" if self.types[role] == "float4" else "{}::float8"
        return self.sql.SQL(cast).format(self.col[role])

    def text(self, role):
        if role not in self.col:
            return self.sql.SQL("NULL::text")
        return self.sql.SQL("NULLIF(btrim({}::text, %(ws)s), '')").format(self.col[role])

    def value(self, role):
        """The derived value of an optional column (draught, destination, vessel_name)."""
        return self.number(role) if role in ("sog", "draught") else self.text(role)

    def known(self, role):
        """The column has a value; the raw IS NOT NULL is implied, but said so a partial index can be used."""
        return self.sql.SQL("{} IS NOT NULL AND {} IS NOT NULL").format(self.col[role], self.value(role))

    def time_at(self, seconds):
        """The raw time column's value at ``seconds`` (SQL, epoch seconds): bounds an index can use."""
        kind = self.types["time"]
        if kind == "timestamptz":
            return self.sql.SQL("to_timestamp({})").format(seconds)
        if kind == "timestamp":  # without time zone: read as UTC, as EXTRACT(EPOCH ...) does
            return self.sql.SQL("(to_timestamp({}) AT TIME ZONE 'UTC')").format(seconds)
        return seconds

    def in_seconds(self, first, last):
        """Reports of the whole seconds ``first`` .. ``last`` (either may be None: open), on the raw column."""
        sql, parts = self.sql, []
        if first is not None:
            parts.append(sql.SQL("{} >= {} AND {} >= {}").format(self.col["time"], self.time_at(first), self.t, first))
        if last is not None:
            after = sql.SQL("({} + 1)").format(last)
            parts.append(sql.SQL("{} < {} AND {} <= {}").format(self.col["time"], self.time_at(after), self.t, last))
        return sql.SQL(" AND ").join(parts)

    def same_vessel(self, mmsi):
        """Reports of MMSI ``mmsi`` (SQL bigint): an equality an index can use when the column is an integer."""
        if self.types["mmsi"] in ("int2", "int4", "int8"):
            return self.sql.SQL("{} = {}").format(self.col["mmsi"], mmsi)
        return self.sql.SQL("{} BETWEEN {} - 0.5 AND {} + 0.5 AND {} = {}").format(
            self.col["mmsi"], mmsi, mmsi, self.mmsi, mmsi
        )

    def filters(self, params: dict, time_range, bbox) -> list:
        """The user's limits (raw columns, so an index can help) and the core's cleaning, as conditions."""
        return self.limits(params, time_range, bbox) + [self.cleaning()]

    def limits(self, params: dict, time_range, bbox) -> list:
        """The user's time range and box as conditions on the raw columns (so an index can help)."""
        sql, where = self.sql, []
        if time_range is not None:
            start, end = time_range
            params["t0"], params["t1"] = _epoch(start), _epoch(end)
            bounds = (self.time_at(sql.SQL("%(t0)s")), self.time_at(sql.SQL("%(t1)s")))
            where.append(sql.SQL("{} BETWEEN {} AND {}").format(self.col["time"], *bounds))
        if bbox is not None:
            params["x0"], params["y0"], params["x1"], params["y1"] = (float(v) for v in bbox)
            if "geometry" in self.col:
                where.append(
                    sql.SQL("{} && ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4326)").format(self.col["geometry"])
                )
            where.append(
                sql.SQL("{} BETWEEN %(x0)s AND %(x1)s AND {} BETWEEN %(y0)s AND %(y1)s").format(self.lon, self.lat)
            )
        return where

    def cleaning(self):
        """The core's cleaning as one condition: a vessel MMSI, a plausible time, a position on the globe."""
        return self.sql.SQL(
            "{} > 0 AND {} BETWEEN %(t_min)s AND %(t_max)s AND {} BETWEEN -90 AND 90 AND {} BETWEEN -180 AND 180"
        ).format(self.mmsi, self.t, self.lat, self.lon)

    def precedes(self, other: _Row):
        """This report comes before ``other`` among duplicates of one (MMSI, second): ORDER BY ord, lon, lat
        (ascending, nulls last), as the scan's DISTINCT ON keeps them."""
        return self.sql.SQL(
            "({a} < {b} OR ({a} IS NOT NULL AND {b} IS NULL) "
            "OR ({a} IS NOT DISTINCT FROM {b} AND ({x}, {y}) < ({u}, {v})))"
        ).format(a=self.ord, b=other.ord, x=self.lon, y=self.lat, u=other.lon, v=other.lat)


# The columns whose last known value before a gap (first known after it) the gaps carry: role -> SQL alias stem.
LOOKUP_ROLES = {"draught": "d", "destination": "e", "vessel_name": "n"}


def _first_kept(sql, table, rows, values, mmsi, first, last, backward: bool, name: str, condition=None):
    """A LATERAL subquery: ``values`` (a select list of ``r``'s expressions) of the first report of ``mmsi`` in the
    seconds ``first`` .. ``last`` that meets ``condition`` and that the cleaning keeps (the first of its duplicates),
    walking the (mmsi, time) index from ``first`` forward or from ``last`` backward."""
    r, w = rows
    return sql.SQL("""LEFT JOIN LATERAL (
    SELECT {values} FROM {table} {r}
    WHERE {condition} AND {vessel} AND {seconds} AND {r_filters}
      AND NOT EXISTS (SELECT 1 FROM {table} {w} WHERE {w_vessel} AND {w_second} AND {w_filters} AND {first_dup})
    ORDER BY {time} {direction} LIMIT 1
) {name} ON TRUE""").format(
        values=values,
        table=table,
        r=sql.Identifier(r.alias),
        w=sql.Identifier(w.alias),
        condition=sql.SQL("TRUE") if condition is None else condition,
        vessel=r.same_vessel(mmsi),
        seconds=r.in_seconds(first, last),
        r_filters=sql.SQL(" AND ").join(r.where),
        w_vessel=w.same_vessel(mmsi),
        w_second=w.in_seconds(r.t, r.t),
        w_filters=sql.SQL(" AND ").join(w.where),
        first_dup=w.precedes(r),
        time=r.col["time"],
        direction=sql.SQL("DESC" if backward else "ASC"),
        name=sql.Identifier(name),
    )


def _lookup(sql, table, rows, role: str, mmsi, first, last, backward: bool, when=None):
    """The value (``v``) of ``role`` of the first kept report with one (``_first_kept``)."""
    r = rows[0]
    known = r.known(role) if when is None else sql.SQL("{} AND {}").format(when, r.known(role))
    name = f"{LOOKUP_ROLES[role]}{'b' if backward else 'a'}"
    return _first_kept(
        sql, table, rows, sql.SQL("{} AS v").format(r.value(role)), mmsi, first, last, backward, name, known
    )


def _position(sql, table, rows, mmsi, second, name: str):
    """The position and speed (``lon``, ``lat``, ``sog``) of the report the scan kept at ``second``."""
    r = rows[0]
    values = sql.SQL("{} AS lon, {} AS lat, {} AS sog").format(r.lon, r.lat, r.number("sog"))
    return _first_kept(sql, table, rows, values, mmsi, second, second, False, name)


def _common_params(criteria: GapCriteria) -> dict:
    t_min, t_max = default_time_window()  # the core's plausible times (clean drops the rest)
    return {
        "ws": WHITESPACE,
        "t_min": t_min,
        "t_max": t_max,
        "threshold": int(-(-criteria.min_gap_hours * 3600.0 // 1)),  # ceil, as the core
        "window": int(criteria.positions_window_hours * 3600),
        "min_before": int(criteria.min_positions_before),
        "scale": DISTANCE_SCALE / METRES_PER_NM,
    }


def build_lookup_query(
    relation: Tuple[str, str],
    columns: Mapping[str, str],
    types: Mapping[str, str],
    criteria: GapCriteria,
    time_range=None,
    bbox=None,
    tiebreak_ctid: bool = False,
    land: Optional[ServerLand] = None,
):
    """The gap statement for a relation with an index on (mmsi, time): one sort of the reports, then index lookups
    for the few gaps. Same gaps and columns as ``build_query``'s window statement.

    The scan keeps the first of each (MMSI, second)'s duplicates (DISTINCT ON), and one window over (mmsi, t) gives
    the next report (LEAD) and per report the second of the last report so far with a draught, destination or name
    (running MAX): numbers, not the texts, ride through the one sort, and that window is the only pass over every
    row. The vessel's last such second comes from the few gap rows and each vessel's last row. For each gap the
    reports in the window before it are counted on the index (its distinct seconds: the scan's one row each), the
    position and speed at either end are one index probe each, the "last known" value before it is one probe of
    that second, and the "first known" after it a forward walk
    of the index, skipped when the vessel has no value after the gap and stopping at its first. Each lookup skips
    duplicates the scan dropped (NOT EXISTS an earlier one)."""
    sql = _sql()
    params = _common_params(criteria)
    r = _Row(sql, columns, types, "r", tiebreak_ctid)
    w = _Row(sql, columns, types, "w", tiebreak_ctid)
    limits = r.limits(params, time_range, bbox)
    r.where = limits + [r.cleaning()]
    w.where = w.filters({}, time_range, bbox)
    table = sql.Identifier(*relation)
    roles = [role for role in LOOKUP_ROLES if role in r.col]

    seconds_known = [
        sql.SQL("CASE WHEN {} THEN {} END AS {}").format(r.known(role), r.t, sql.Identifier(f"t_{role}"))
        for role in roles
    ]
    # the default frame of fwd (up to the current row; one row per second after DISTINCT ON): the LEADs' node
    running = [
        sql.SQL("MAX({}) OVER fwd AS {}").format(sql.Identifier(f"t_{role}"), sql.Identifier(f"b_{role}"))
        for role in roles
    ]
    # over the gap rows and each vessel's last row only: the vessel's last known second is its last row's b
    vessel_last = [
        sql.SQL("MAX({}) OVER (PARTITION BY mmsi) AS {}").format(
            sql.Identifier(f"b_{role}"), sql.Identifier(f"z_{role}")
        )
        for role in roles
    ]
    carried = [sql.Identifier("e", f"{p}_{role}") for role in roles for p in ("b", "z")]
    # the scan's cleaning, opaque to the planner: it estimates an unknown condition at one half, where the product
    # of five range conditions' defaults (0.5 % each) is one row, and with one row it plans no parallel sort
    scanned = limits + [sql.SQL("CASE WHEN {} THEN TRUE ELSE FALSE END").format(r.cleaning())]
    if land is None:
        off_shore = on_shore = sql.SQL("NULL::float8")
    else:
        off_shore = shore_distance_sql(sql, land, sql.SQL("lon"), sql.SQL("lat"), "scale")
        on_shore = shore_distance_sql(sql, land, sql.SQL("lon_on"), sql.SQL("lat_on"), "scale")
    shore_filter = sql.SQL("TRUE")
    if criteria.min_shore_nm > 0:
        params["min_shore"] = float(criteria.min_shore_nm)
        shore_filter = sql.SQL("off_shore_nm >= %(min_shore)s AND on_shore_nm >= %(min_shore)s")

    lookups, picked = [], {}
    t_on = sql.SQL("g.t_on")
    for role in roles:
        stem = LOOKUP_ROLES[role]
        last_known = sql.SQL("g.{}").format(sql.Identifier(f"b_{role}"))
        last_of_vessel = sql.SQL("g.{}").format(sql.Identifier(f"z_{role}"))
        # before: the second is known, so the probe reads one second of the index
        probe = sql.SQL("{} IS NOT NULL").format(last_known)
        lookups.append(_lookup(sql, table, (r, w), role, sql.SQL("g.mmsi"), last_known, last_known, True, probe))
        # after: a walk forward from the gap's end, only when a value comes, and never past the vessel's last one
        after_exists = sql.SQL("{} >= g.t_on").format(last_of_vessel)
        if role == "vessel_name":  # the name after the gap only stands in for a missing one before it
            after_exists = sql.SQL("{} AND g.b_vessel_name IS NULL").format(after_exists)
        lookups.append(
            _lookup(sql, table, (r, w), role, sql.SQL("g.mmsi"), t_on, last_of_vessel, False, when=after_exists)
        )
        picked[role] = (sql.SQL(f"{stem}b.v"), sql.SQL(f"{stem}a.v"))
    null_f, null_t = sql.SQL("NULL::float8"), sql.SQL("NULL::text")
    draught_b, draught_a = picked.get("draught", (null_f, null_f))
    dest_b, dest_a = picked.get("destination", (null_t, null_t))
    name_b, name_a = picked.get("vessel_name", (null_t, null_t))

    # a table's row address decides between duplicates alone; an order column or no address needs the positions
    tiebreak = [] if r.ord_unique else [r.lon, r.lat]
    query = sql.SQL("""
WITH valid AS (
    SELECT DISTINCT ON (mmsi, t) mmsi, t{known_cols} FROM (
        SELECT {mmsi} AS mmsi, {t} AS t, {order} AS ord{tiebreak_cols}{seconds_known}
        FROM {table} r WHERE {scanned}
    ) src
    ORDER BY mmsi, t, ord{tiebreak_keys}
), silences AS (
    SELECT mmsi, t, LEAD(t) OVER fwd AS t_on{running}
    FROM valid
    WINDOW fwd AS (PARTITION BY mmsi ORDER BY t)
), ends AS (
    SELECT *{vessel_last} FROM silences WHERE t_on IS NULL OR t_on - t >= %(threshold)s
), silent AS (
    SELECT e.mmsi, e.t, e.t_on, nb.n AS n_before{carried}
    FROM ends e CROSS JOIN LATERAL (
        SELECT count(DISTINCT {t}) AS n FROM {table} r WHERE {vessel} AND {window} AND {where}
    ) nb
    WHERE e.t_on - e.t >= %(threshold)s AND nb.n >= %(min_before)s
), gaps AS (
    SELECT g.*, p_off.lon, p_off.lat, p_off.sog, p_on.lon AS lon_on, p_on.lat AS lat_on, p_on.sog AS sog_on,
           ST_Distance(ST_SetSRID(ST_MakePoint(p_off.lon, p_off.lat), 4326)::geography,
                       ST_SetSRID(ST_MakePoint(p_on.lon, p_on.lat), 4326)::geography, false) * %(scale)s
               AS distance_nm
    FROM silent g
    {position_off}
    {position_on}
), shore AS (
    SELECT *, {off_shore} AS off_shore_nm, {on_shore} AS on_shore_nm FROM gaps
)
SELECT g.mmsi::text || '-' || to_char(to_timestamp(g.t) AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"') AS gap_id,
       g.mmsi, COALESCE({name_b}, {name_a}) AS vessel_name, to_timestamp(g.t) AS off_time,
       to_timestamp(g.t_on) AS on_time, (g.t_on - g.t)::float8 / 3600 AS gap_hours, g.distance_nm,
       CASE WHEN g.t_on > g.t THEN g.distance_nm / ((g.t_on - g.t)::float8 / 3600) ELSE 0::float8 END
           AS implied_speed_kn,
       g.lon AS off_lon, g.lat AS off_lat, g.lon_on AS on_lon, g.lat_on AS on_lat, g.sog AS sog_before,
       g.sog_on AS sog_after, {draught_b} AS draught_before, {draught_a} AS draught_after,
       {dest_b} AS destination_before, {dest_a} AS destination_after, g.n_before::integer AS positions_12h_before,
       g.off_shore_nm, g.on_shore_nm
FROM (SELECT * FROM shore WHERE {shore_filter}) g
{lookups}""").format(
        known_cols=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(f"t_{role}")) for role in roles),
        mmsi=r.mmsi,
        t=r.t,
        order=r.ord,
        tiebreak_cols=sql.SQL("").join(
            sql.SQL(", {} AS {}").format(value, sql.Identifier(name)) for value, name in zip(tiebreak, ("lon", "lat"))
        ),
        tiebreak_keys=sql.SQL(", lon, lat" if tiebreak else ""),
        seconds_known=sql.SQL("").join(sql.SQL(", ") + part for part in seconds_known),
        table=table,
        scanned=sql.SQL(" AND ").join(scanned),
        where=sql.SQL(" AND ").join(r.where),
        vessel=r.same_vessel(sql.SQL("e.mmsi")),
        window=r.in_seconds(sql.SQL("(e.t - %(window)s)"), sql.SQL("e.t")),
        running=sql.SQL("").join(sql.SQL(", ") + part for part in running),
        vessel_last=sql.SQL("").join(sql.SQL(", ") + part for part in vessel_last),
        carried=sql.SQL("").join(sql.SQL(", ") + part for part in carried),
        position_off=_position(sql, table, (r, w), sql.SQL("g.mmsi"), sql.SQL("g.t"), "p_off"),
        position_on=_position(sql, table, (r, w), sql.SQL("g.mmsi"), sql.SQL("g.t_on"), "p_on"),
        off_shore=off_shore,
        on_shore=on_shore,
        shore_filter=shore_filter,
        name_b=name_b,
        name_a=name_a,
        draught_b=draught_b,
        draught_a=draught_a,
        dest_b=dest_b,
        dest_a=dest_a,
        lookups=sql.SQL("\n").join(lookups),
    )
    return query, params


def lookup_index(cursor, oid: int, columns: Mapping[str, str]) -> Optional[str]:
    """The name of a plain index of the relation led by (mmsi, time), which the lookups need, or None."""
    cursor.execute(
        "SELECT c.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_catalog.pg_am am ON am.oid = c.relam "
        "WHERE i.indrelid = %(oid)s AND i.indpred IS NULL AND i.indisvalid AND am.amname = 'btree' "
        "AND i.indnkeyatts >= 2 "
        "AND i.indkey[0] = (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = %(oid)s AND attname = %(m)s) "
        "AND i.indkey[1] = (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = %(oid)s AND attname = %(t)s) "
        "ORDER BY c.relname LIMIT 1",
        {"oid": oid, "m": columns["mmsi"], "t": columns["time"]},
    )
    row = cursor.fetchone()
    return None if row is None else row[0]


def index_advice(relation: Tuple[str, str], relkind: str, columns: Mapping[str, str], conn) -> str:
    """What to do when the relation has no (mmsi, time) index: the CREATE INDEX to run (a view: on its table)."""
    sql = _sql()
    shown = sql.Identifier(*relation).as_string(conn)
    keys = sql.SQL("({}, {})").format(sql.Identifier(columns["mmsi"]), sql.Identifier(columns["time"])).as_string(conn)
    if relkind in ("r", "m", "p"):
        return (
            f"{shown} has no index on {keys}: every report was sorted for the last known draught, destination and "
            f"name, which is slow on a large table. Create the index once with: CREATE INDEX ON {shown} {keys};"
        )
    return (
        f"{shown} is a view or foreign table: every report was sorted for the last known draught, destination and "
        f"name. Gaps of a table with an index on {keys} are found faster (index lookups for the gaps only)."
    )


# The gaps table's columns (the gaps layer's fields), and how a row of them is read back as a Gap.
GAP_COLUMNS = GAPS.names  # the gaps layer kind: one field per Gap attribute
_READ = ", ".join(f"EXTRACT(EPOCH FROM {c})::bigint" if GAPS.type_of(c) == "datetime" else c for c in GAP_COLUMNS)


def _gap(row) -> Gap:
    values = dict(zip(GAP_COLUMNS, row))
    for spec in GAPS.fields:
        if spec.type in ("datetime", "int", "int64") and values[spec.name] is not None:
            values[spec.name] = int(values[spec.name])
    return Gap(**values)


def output_table_name(cursor, output_table) -> Tuple[str, str]:
    """(schema, name) of a gaps table given as "schema.table", "table" (the current schema) or a pair."""
    schema, name = split_table(output_table.strip() if isinstance(output_table, str) else output_table)
    if not name:
        raise BaiMeiError("Give the table to write the gaps to as schema.table.")
    if len(name.encode()) > 63:
        raise BaiMeiError(f"The table name '{name}' is longer than PostgreSQL's 63 bytes.")
    if schema is None:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        if schema is None:
            raise BaiMeiError("No schema to write the gaps table to: give it as schema.table.")
    return schema, name


def _output_target(cursor, output_table, overwrite: bool, protected: Sequence[int]) -> Tuple[str, str]:
    """(schema, name) of the table to write; an existing table is dropped only with ``overwrite``."""
    schema, name = output_table_name(cursor, output_table)
    cursor.execute(
        "SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_catalog.pg_namespace n WHERE nspname = %s", (schema,)
    )
    row = cursor.fetchone()
    if row is None:
        raise BaiMeiError(f"The schema '{schema}' of the gaps table does not exist in the database.")
    if not row[0]:
        raise BaiMeiError(f"No permission to create tables in the schema '{schema}'.")
    cursor.execute(
        "SELECT c.oid, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (schema, name),
    )
    existing = cursor.fetchone()
    if existing is not None:
        if existing[0] in protected:
            raise BaiMeiError(f"The gaps table {schema}.{name} would replace the table the gaps are computed from.")
        if not overwrite:
            raise BaiMeiError(f"The table {schema}.{name} already exists: choose another name or allow overwriting it.")
        if existing[1] != "r":
            raise BaiMeiError(f"{schema}.{name} exists and is not a table (a view or an index?); it is not replaced.")
        sql = _sql()
        cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, name)))
    return schema, name


def write_gaps_table(cursor, target: Tuple[str, str], query, params, description: str) -> None:
    """CREATE TABLE target AS the gap query, with ``fid`` (primary key), a LineString ``geom`` from the last report
    before the gap to the first after (longitude unwrapped across the antimeridian, as the gaps layer), indexes on
    geom and (mmsi, off_time)."""
    sql = _sql()
    target_sql = sql.Identifier(*target)
    cursor.execute(
        sql.SQL("""
CREATE TABLE {target} AS
SELECT row_number() OVER (ORDER BY mmsi, off_time)::bigint AS fid, g.*,
       ST_SetSRID(ST_MakeLine(ST_MakePoint(off_lon, off_lat),
                              ST_MakePoint(CASE WHEN on_lon - off_lon > 180 THEN on_lon - 360
                                                WHEN off_lon - on_lon > 180 THEN on_lon + 360 ELSE on_lon END,
                                           on_lat)), 4326)::geometry(LineString, 4326) AS geom
FROM ({query}) g
ORDER BY fid""").format(target=target_sql, query=query),
        params,
    )
    cursor.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (fid)").format(target_sql))
    cursor.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(target_sql))
    cursor.execute(sql.SQL("CREATE INDEX ON {} (mmsi, off_time)").format(target_sql))
    cursor.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(target_sql, sql.Literal(description)))
    cursor.execute(sql.SQL("ANALYZE {}").format(target_sql))


def _resolve_land(cursor, land: Optional[LandSource], step_km: float) -> Optional[ServerLand]:
    if land is None:
        return None
    if isinstance(land, LandTable):
        return prepare_land_table(cursor, land, step_km)
    if isinstance(land, ServerLand):
        for table in (land.polygons, land.vertices):
            find_relation(cursor, table)
        return land
    raise TypeError(f"land must be a LandTable or a ServerLand, not {type(land).__name__}")


def choose_query(cursor, relation, columns, types, criteria, time_range, bbox, land):
    """(query, params, advice): the index-lookup statement when the relation has a (mmsi, time) index, else the
    window statement and the advice to create the index. ``relation`` is find_relation's (schema, name, oid,
    relkind)."""
    schema, name, oid, relkind = relation
    arguments = ((schema, name), columns, types, criteria, time_range, bbox, relkind in ("r", "m"), land)
    if lookup_index(cursor, oid, columns) is not None:
        return (*build_lookup_query(*arguments), None)
    return (*build_query(*arguments), index_advice((schema, name), relkind, columns, cursor.connection))


def explain_gaps_postgis(
    conn, table, columns: Mapping[str, str], criteria: GapCriteria = GapCriteria(), analyze: bool = True
) -> str:
    """The server's plan of the gap statement (no land), with ``analyze`` its EXPLAIN (ANALYZE, BUFFERS): for the
    benchmark and for a user asking why it is slow. The advice on a missing index comes first."""
    sql = _sql()
    with conn.cursor() as cursor:
        relation = find_relation(cursor, table)
        types = check_columns(columns, relation_columns(cursor, relation[2]), f"{relation[0]}.{relation[1]}")
        query, params, advice = choose_query(cursor, relation, columns, types, criteria, None, None, None)
        options = "ANALYZE, BUFFERS" if analyze else "COSTS"
        cursor.execute(sql.SQL("EXPLAIN ({}) ").format(sql.SQL(options)) + query, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    conn.rollback()
    return plan if advice is None else f"{advice}\n{plan}"


def detect_gaps_postgis(
    conn,
    table,
    columns: Mapping[str, str],
    criteria: GapCriteria = GapCriteria(),
    time_range: Optional[Tuple[TimeBound, TimeBound]] = None,
    bbox: Optional[Tuple[float, float, float, float]] = None,
    land: Optional[LandSource] = None,
    output_table=None,
    overwrite: bool = False,
    step_km: float = 1.0,
    notes: Optional[List[str]] = None,
) -> List[Gap]:
    """Gaps of the reports in a PostGIS table or view, computed on the server, in (mmsi, off_time) order.

    ``table``: "schema.table", "table" (found on the search path) or a (schema, table) pair. ``columns`` maps roles
    to column names: ``mmsi``, ``time`` (timestamptz/timestamp, or epoch seconds), ``geometry`` (Point, EPSG:4326)
    or ``lon`` and ``lat``; optional ``sog``, ``draught``, ``destination``, ``vessel_name`` and ``order`` (which of
    duplicate (MMSI, time) reports is first; a table's physical order otherwise). ``time_range`` (epoch seconds or
    datetimes, inclusive) and ``bbox`` (lon/lat min, max) limit the reports analysed.

    ``land``: a ``LandTable`` (the user's polygons on the server, densified every ``step_km`` as the in-process
    engine's land index) or a ``ServerLand`` from ``upload_land``; with it the gaps carry off/on_shore_nm and
    ``criteria.min_shore_nm`` applies. ``output_table`` ("schema.table" or "table" in the current schema): the gaps
    are also written there on the server (see ``write_gaps_table``; an existing table is replaced only with
    ``overwrite``) and read back from it; the transaction is then committed.

    With a plain btree index led by (mmsi, time) the last known draught, destination and name are index lookups for
    the gaps only (``build_lookup_query``); without one every report is sorted for them (``build_query``) and
    ``notes`` (a list, when given) receives the CREATE INDEX that would make it faster.
    """
    with conn.cursor() as cursor:
        schema, name, oid, relkind = find_relation(cursor, table)
        types = check_columns(columns, relation_columns(cursor, oid), f"{schema}.{name}")
        try:
            server_land = _resolve_land(cursor, land, step_km)
        except BaiMeiError:
            raise
        except Exception as exc:  # psycopg2.Error: e.g. no right to create temporary tables
            conn.rollback()
            raise BaiMeiError(
                "The server could not prepare the land table (the PostGIS engine needs to create "
                "temporary tables for it).",
                details=str(exc).strip(),
            ) from None
        if criteria.min_shore_nm > 0 and server_land is None:
            raise BaiMeiError(
                "A minimum distance from shore needs land on the server: name a land table or upload "
                "the bundled land layer."
            )
        query, params, advice = choose_query(
            cursor, (schema, name, oid, relkind), columns, types, criteria, time_range, bbox, server_land
        )
        if advice and notes is not None:
            notes.append(advice)
        sql = _sql()
        try:
            if output_table is None:
                cursor.execute(
                    sql.SQL("SELECT {} FROM ({}) g ORDER BY mmsi, off_time").format(sql.SQL(_READ), query), params
                )
                rows = cursor.fetchall()
            else:
                protected = [oid] + ([] if server_land is None else [find_relation(cursor, server_land.polygons)[2]])
                target = _output_target(cursor, output_table, overwrite, protected)
                land_note = "" if server_land is None else f" (land {server_land.name})"
                description = (
                    f"Dark gaps found by Bai Mei in {schema}.{name}: gap >= {criteria.min_gap_hours:g} h, "
                    f"shore >= {criteria.min_shore_nm:g} nm{land_note}, >= "
                    f"{criteria.min_positions_before} positions in the "
                    f"{criteria.positions_window_hours:g} h before."
                )
                write_gaps_table(cursor, target, query, params, description)
                cursor.execute(
                    sql.SQL("SELECT {} FROM {} ORDER BY fid").format(sql.SQL(_READ), sql.Identifier(*target))
                )
                rows = cursor.fetchall()
            if isinstance(land, LandTable):  # the session's temporary land tables
                for temporary in (server_land.vertices, server_land.polygons):
                    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(*temporary)))
        except Exception:
            if output_table is not None:
                conn.rollback()
            raise
        if output_table is not None:
            conn.commit()
    return [_gap(row) for row in rows]


# ---------------------------------------------------------------------------------------------------------------
# The engine: a table on a server, found again for any criteria


@dataclass(frozen=True)
class LandUpload:
    """The plugin's own land (``land()``, e.g. QGIS's world map, built only when needed) uploaded once to
    ``<schema>.baimei_land`` and reused while unchanged."""

    land: Callable[[], LandIndex]
    schema: str = "public"


class PostgisGapEngine:
    """The gaps of a PostGIS table or view, computed by the server (``detect_gaps_postgis``), behind the GapEngine
    interface. ``connect`` opens a new psycopg2 connection (closed after each run); ``land`` is None, a LandTable
    or a LandUpload; ``output_table`` (optional) receives the gaps on the server, and ``written_table`` is then its
    (schema, name)."""

    label = "PostGIS"
    columns = None  # the reports stay on the server

    def __init__(
        self,
        connect: Callable[[], object],
        table: str,
        columns: Mapping[str, str],
        location: ReportsLocation,
        land: Union[None, LandTable, LandUpload] = None,
        output_table: Optional[str] = None,
        overwrite: bool = False,
        time_range: Optional[Tuple[TimeBound, TimeBound]] = None,
        bbox: Optional[Tuple[float, float, float, float]] = None,
    ):
        self.connect = connect
        self.table = table
        self.column_names = dict(columns)
        self.location = location
        self.land = land
        self.output_table = output_table
        self.overwrite = overwrite
        self.time_range = time_range
        self.bbox = bbox
        self.written_table: Optional[Tuple[str, str]] = None

    def _server_land(self, conn, criteria: GapCriteria, notes: List[str]) -> Optional[LandSource]:
        if isinstance(self.land, LandUpload):
            land = upload_land(conn, self.land.land(), self.land.schema)
            done = "uploaded to" if land.uploaded else "already on"
            notes.append(f"Land: QGIS's world map, {done} the server as {land.name}.")
            return land
        if isinstance(self.land, LandTable):
            notes.append(f"Land: the table {self.land.table} (column {self.land.geometry_column}).")
            return self.land
        if criteria.min_shore_nm > 0:
            raise BaiMeiError(
                "A minimum distance from shore needs land on the server: give a land table, or choose "
                "to upload QGIS's world map."
            )
        return None

    def find_gaps(self, criteria: GapCriteria, progress: Progress = None, is_canceled: IsCanceled = None) -> GapResult:
        notes: List[str] = []
        conn = self.connect()
        try:
            land = self._server_land(conn, criteria, notes)
            if is_canceled is not None and is_canceled():
                raise Canceled()  # one statement on the server: cancel is checked before it starts
            gaps = detect_gaps_postgis(
                conn,
                self.table,
                self.column_names,
                criteria,
                time_range=self.time_range,
                bbox=self.bbox,
                land=land,
                output_table=self.output_table,
                overwrite=self.overwrite,
                notes=notes,
            )
            if self.output_table:
                with conn.cursor() as cursor:
                    self.written_table = output_table_name(cursor, self.output_table)
        finally:
            conn.close()
        if progress is not None:
            progress(1.0)
        notes.append(f"{len(gaps):,} gaps.")
        return GapResult(gaps=gaps, tracks=[], candidate_gaps=len(gaps), single_report_segments=0, notes=notes)
