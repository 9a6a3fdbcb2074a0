"""Cleaned AIS columns into a PostGIS table with COPY (not row by row), indexed for the gap engine.

The table: ``mmsi bigint, ts timestamptz, geom geometry(Point, 4326), sog, cog, heading, draught double precision,
vessel_name, imo, callsign, vessel_type, destination text``, with indexes on (mmsi, ts) and on geom. Names reach SQL
only as quoted identifiers.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
from typing import Callable, Optional, Tuple

import numpy as np

from ..core.ais.model import AisColumns
from ..core.errors import BaiMeiError, Canceled

NUMERIC = ("sog", "cog", "heading", "draught")
TEXT = ("vessel_name", "imo", "callsign", "vessel_type", "destination")
COLUMNS = {"mmsi": "mmsi", "time": "ts", "geometry": "geom", **{n: n for n in NUMERIC + TEXT}}
TABLE_COLUMNS = ("mmsi", "ts", "geom", *NUMERIC, *TEXT)


def split_table(table: str) -> Tuple[str, str]:
    schema, _, name = table.strip().rpartition(".")
    if not name:
        raise BaiMeiError("Give the table to write as schema.table or table.")
    return schema or "public", name


# PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1) and silently drops the rest.
MAX_IDENTIFIER_BYTES = 63
INDEX_SUFFIXES = ("mmsi_ts", "geom")


def _check_length(kind: str, value: str) -> None:
    size = len(value.encode("utf-8"))
    if size > MAX_IDENTIFIER_BYTES:
        raise BaiMeiError(
            f"The {kind} name {value!r} is {size} bytes long; PostgreSQL keeps only the first "
            f"{MAX_IDENTIFIER_BYTES} and would write to another name: choose a shorter one."
        )


def index_name(name: str, suffix: str) -> str:
    """``<table>_<suffix>``, or, when that exceeds 63 bytes (PostgreSQL would cut it, and for a 63-byte table both
    indexes would get the table's own name, so that neither is created), the table name cut to fit plus a hash of
    the whole name: deterministic, so that an append finds the indexes of the first import."""
    plain = f"{name}_{suffix}"
    if len(plain.encode("utf-8")) <= MAX_IDENTIFIER_BYTES:
        return plain
    tag = f"_{hashlib.sha1(name.encode('utf-8'), usedforsecurity=False).hexdigest()[:8]}_{suffix}"
    head = name.encode("utf-8")[: MAX_IDENTIFIER_BYTES - len(tag)].decode("utf-8", "ignore")  # whole characters
    return head + tag


def server_message(exc) -> str:
    """The server's own sentence for a psycopg2 error (its first line when there is no diagnostic)."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _database(conn) -> str:
    try:
        return conn.info.dbname
    except Exception:  # noqa: BLE001 - a closed or foreign connection object: name it generically
        return "?"


def _text(value: Optional[str]) -> str:
    if value is None:
        return r"\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _number(value: float) -> str:
    return r"\N" if math.isnan(value) else repr(float(value))


_HEX = np.array([f"{b:02X}" for b in range(256)], dtype="<U2").view(np.uint32).reshape(256, 2)
_EWKB_POINT_HEADER = np.frombuffer(b"\x01\x01\x00\x00\x20\xe6\x10\x00\x00", dtype=np.uint8)  # LE, Point|SRID, 4326


def ewkb_points(lon: np.ndarray, lat: np.ndarray) -> list:
    """Hex EWKB of Points (SRID 4326) for COPY, built with numpy: the doubles themselves, no text round trip."""
    n = len(lon)
    raw = np.empty((n, 25), dtype=np.uint8)
    raw[:, :9] = _EWKB_POINT_HEADER
    raw[:, 9:17] = np.ascontiguousarray(lon, dtype="<f8").view(np.uint8).reshape(n, 8)
    raw[:, 17:] = np.ascontiguousarray(lat, dtype="<f8").view(np.uint8).reshape(n, 8)
    text = _HEX[raw].reshape(n, 50).view("<U50").ravel()
    return text.tolist()


def timestamps_utc(seconds: np.ndarray) -> list:
    """'YYYY-MM-DDTHH:MM:SS+00' for epoch seconds, vectorised."""
    text = np.datetime_as_string(np.asarray(seconds, dtype=np.int64).astype("datetime64[s]"), unit="s")
    return np.char.add(text, "+00").tolist()


def _check_append(cur, schema: str, name: str) -> None:
    cur.execute(
        "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_catalog.pg_attribute a "
        "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped",
        (_quoted(schema, name),),
    )
    have = set(cur.fetchone()[0] or [])
    missing = sorted(set(TABLE_COLUMNS) - have)
    if missing:
        raise BaiMeiError(
            f"The table {schema}.{name} exists but is not an AIS table of Bai Mei's importer (it lacks "
            f"{', '.join(missing)}): choose another name."
        )


def _quoted(schema: str, name: str) -> str:
    return '"{}"."{}"'.format(schema.replace('"', '""'), name.replace('"', '""'))


def import_columns(
    conn,
    table: str,
    cols: AisColumns,
    replace: bool = False,
    chunk: int = 200_000,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled=None,
    append: bool = False,
    indexes: bool = True,
) -> int:
    """Write ``cols`` to ``table`` in one transaction; returns rows.

    The table is created; an existing one is replaced only with ``replace``, or written to after its rows with
    ``append`` (an archive loaded file by file). ``indexes``: create the indexes (when missing) and ANALYZE; a load
    in several calls can leave them to the last call, or to ``index_table``. A missing schema, a name PostgreSQL
    would cut and any error of the server are BaiMeiErrors naming the table; nothing is then written.
    """

    schema, name = split_table(table)
    _check_length("schema", schema)
    _check_length("table", name)
    with _server_errors(conn, f"PostgreSQL refused the import into {schema}.{name}"):
        with conn.cursor() as cur:
            _require_schema(cur, conn, schema)
            _write_rows(conn, cur, schema, name, cols, replace, append, chunk, progress, is_canceled)
            if indexes:
                _create_indexes(cur, schema, name)
        conn.commit()
    return len(cols)


@contextlib.contextmanager
def _server_errors(conn, what: str, always_roll_back: bool = False):
    """Run a block against the server: any error rolls the transaction back, and a server error becomes a
    BaiMeiError saying ``what`` failed, in which database and why; ``always_roll_back`` for a check that writes
    nothing."""
    import psycopg2

    try:
        yield
    except psycopg2.Error as exc:
        _rollback(conn)
        raise BaiMeiError(f"{what} (database '{_database(conn)}'): {server_message(exc)}", str(exc)) from None
    except BaseException:
        _rollback(conn)
        raise
    if always_roll_back:
        _rollback(conn)


def _rollback(conn) -> None:
    """Roll back, quietly when the connection itself is gone (the error being reported says why)."""
    import psycopg2

    try:
        conn.rollback()
    except psycopg2.Error:
        pass


def check_target(conn, table: str, replace: bool = False, append: bool = False) -> None:
    """Refuse, before a file is read, an import that ``import_columns`` would refuse: a name PostgreSQL would cut, a
    missing schema, an existing table without ``replace`` or ``append``, or one that is not the importer's."""

    if replace and append:
        raise BaiMeiError("Choose either to replace the table or to append to it, not both.")
    schema, name = split_table(table)
    _check_length("schema", schema)
    _check_length("table", name)
    with _server_errors(conn, f"PostgreSQL could not check {schema}.{name}", always_roll_back=True):
        with conn.cursor() as cur:
            _require_schema(cur, conn, schema)
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", (_quoted(schema, name),))
            if cur.fetchone()[0]:
                if not (replace or append):
                    raise BaiMeiError(
                        f"The table {schema}.{name} already exists: choose another name or allow replacing it."
                    )
                if append:
                    _check_append(cur, schema, name)


def _require_schema(cur, conn, schema: str) -> None:
    cur.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s)", (schema,))
    if not cur.fetchone()[0]:
        raise BaiMeiError(
            f"Schema '{schema}' does not exist in database '{_database(conn)}'; create it or choose another."
        )


def _write_rows(conn, cur, schema, name, cols, replace, append, chunk, progress, is_canceled) -> None:
    from psycopg2 import sql

    target = sql.Identifier(schema, name)
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (_quoted(schema, name),))
    exists = cur.fetchone()[0]
    if exists and not (replace or append):
        raise BaiMeiError(f"The table {schema}.{name} already exists: choose another name or allow replacing it.")
    if exists and replace:
        cur.execute(sql.SQL("DROP TABLE {}").format(target))
        exists = False
    if exists:
        _check_append(cur, schema, name)
    else:
        cur.execute(
            sql.SQL(
                "CREATE TABLE {} (mmsi bigint NOT NULL, ts timestamptz NOT NULL, geom geometry(Point, 4326) NOT NULL, "
                "sog double precision, cog double precision, heading double precision, draught double precision, "
                "vessel_name text, imo text, callsign text, vessel_type text, destination text)"
            ).format(target)
        )
    copy = (
        sql.SQL("COPY {} ({}) FROM STDIN")
        .format(target, sql.SQL(", ").join(sql.Identifier(c) for c in TABLE_COLUMNS))
        .as_string(conn)
    )
    n = len(cols)
    for start in range(0, n, chunk):
        if is_canceled and is_canceled():
            raise Canceled()
        stop = min(n, start + chunk)
        part = slice(start, stop)
        numeric = [[_number(v) for v in getattr(cols, f)[part].tolist()] for f in NUMERIC]
        text = [[_text(v) for v in getattr(cols, f).take(part).to_list()] for f in TEXT]
        rows = zip(
            cols.mmsi[part].astype(str).tolist(),
            timestamps_utc(cols.t[part]),
            ewkb_points(cols.lon[part], cols.lat[part]),
            *numeric,
            *text,
        )
        buffer = io.StringIO("".join("\t".join(row) + "\n" for row in rows))
        cur.copy_expert(copy, buffer)
        if progress:
            progress(stop / max(1, n))


def _create_indexes(cur, schema: str, name: str) -> None:
    from psycopg2 import sql

    target = sql.Identifier(schema, name)
    for suffix, method in zip(INDEX_SUFFIXES, ("(mmsi, ts)", "USING gist (geom)")):
        index = index_name(name, suffix)
        cur.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} " + method).format(sql.Identifier(index), target))
        # IF NOT EXISTS also skips a name taken by another relation of the schema: the table would have no index
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c "
            "ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass(%s) AND c.relname = %s)",
            (_quoted(schema, name), index),
        )
        if not cur.fetchone()[0]:
            raise BaiMeiError(
                f"Could not index {schema}.{name}: the name {index} is taken by another table or index "
                f"of the schema {schema}; rename that one or choose another table name."
            )
    cur.execute(sql.SQL("ANALYZE {}").format(target))


def index_table(conn, table: str) -> None:
    """The indexes the gap engine and QGIS use, (mmsi, ts) and GiST on geom, created when missing; then ANALYZE."""

    schema, name = split_table(table)
    _check_length("schema", schema)
    _check_length("table", name)
    with _server_errors(conn, f"PostgreSQL could not index {schema}.{name}"):
        with conn.cursor() as cur:
            _create_indexes(cur, schema, name)
        conn.commit()
