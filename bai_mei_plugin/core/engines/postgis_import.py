"""Cleaned AIS columns into a PostGIS table with COPY (not row by row), indexed for the gap engine.

The table: ``mmsi bigint, ts timestamptz, geom geometry(Point, 4326), sog, cog, heading, draught double precision,
vessel_name, imo, callsign, vessel_type, destination text``, with indexes on (mmsi, ts) and on geom. Names reach SQL
only as quoted identifiers.
"""

from __future__ import annotations

import io
import math
from typing import Callable, Optional, Tuple

from ..ais.model import AisColumns
from ..errors import BaiMeiError, Canceled

NUMERIC = ("sog", "cog", "heading", "draught")
TEXT = ("vessel_name", "imo", "callsign", "vessel_type", "destination")
COLUMNS = {"mmsi": "mmsi", "time": "ts", "geometry": "geom", **{n: n for n in NUMERIC + TEXT}}


def split_table(table: str) -> Tuple[str, str]:
    schema, _, name = table.strip().rpartition(".")
    if not name:
        raise BaiMeiError("Give the table to write as schema.table or table.")
    return schema or "public", name


def _text(value: Optional[str]) -> str:
    if value is None:
        return r"\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _number(value: float) -> str:
    return r"\N" if math.isnan(value) else repr(float(value))


def import_columns(conn, table: str, cols: AisColumns, replace: bool = False, chunk: int = 200_000,
                   progress: Optional[Callable[[float], None]] = None, is_canceled=None) -> int:
    """Write ``cols`` to ``table`` (created; replaced only when ``replace``) in one transaction; returns rows."""
    from psycopg2 import sql

    schema, name = split_table(table)
    target = sql.Identifier(schema, name)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"."{name}"',))
        exists = cur.fetchone()[0]
        if exists and not replace:
            raise BaiMeiError(f"The table {schema}.{name} already exists: choose another name or allow replacing it.")
        if exists:
            cur.execute(sql.SQL("DROP TABLE {}").format(target))
        cur.execute(sql.SQL(
            "CREATE TABLE {} (mmsi bigint NOT NULL, ts timestamptz NOT NULL, geom geometry(Point, 4326) NOT NULL, "
            "sog double precision, cog double precision, heading double precision, draught double precision, "
            "vessel_name text, imo text, callsign text, vessel_type text, destination text)").format(target))
        copy = sql.SQL("COPY {} (mmsi, ts, geom, sog, cog, heading, draught, vessel_name, imo, callsign, "
                       "vessel_type, destination) FROM STDIN").format(target)
        n = len(cols)
        for start in range(0, n, chunk):
            if is_canceled and is_canceled():
                conn.rollback()
                raise Canceled()
            stop = min(n, start + chunk)
            part = slice(start, stop)
            numeric = [getattr(cols, f)[part].tolist() for f in NUMERIC]
            text = [getattr(cols, f).take(part).to_list() for f in TEXT]
            buffer = io.StringIO()
            for k, (m, t, x, y) in enumerate(zip(cols.mmsi[part].tolist(), cols.t[part].tolist(),
                                                  cols.lon[part].tolist(), cols.lat[part].tolist())):
                fields = [str(m), _timestamp(t), f"SRID=4326;POINT({x!r} {y!r})"]
                fields += [_number(values[k]) for values in numeric]
                fields += [_text(values[k]) for values in text]
                buffer.write("\t".join(fields) + "\n")
            buffer.seek(0)
            cur.copy_expert(copy.as_string(conn), buffer)
            if progress:
                progress(stop / max(1, n))
        cur.execute(sql.SQL("CREATE INDEX {} ON {} (mmsi, ts)").format(sql.Identifier(f"{name}_mmsi_ts"), target))
        cur.execute(sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(sql.Identifier(f"{name}_geom"),
                                                                             target))
        cur.execute(sql.SQL("ANALYZE {}").format(target))
    conn.commit()
    return len(cols)


def _timestamp(seconds: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00")
