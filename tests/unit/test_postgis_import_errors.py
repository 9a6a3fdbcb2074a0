"""The COPY importer's refusals are messages naming the schema, table and database, never a psycopg2 traceback, and
long table names still get their indexes (issue 12, item 7), against a throwaway PostgreSQL + PostGIS server."""

from __future__ import annotations

import numpy as np
import pytest

from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.errors import BaiMeiError
from tests.pg_server import PgServer, unavailable_reason

psycopg2 = pytest.importorskip("psycopg2", reason="the PostGIS importer tests need psycopg2 (python3-psycopg2)")

from bai_mei_plugin.engines.postgis_import import (  # noqa: E402
    check_target,
    import_columns,
    index_name,
    index_table,
)


@pytest.fixture(scope="module")
def conn():
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with PgServer() as server:
        connection = psycopg2.connect(**server.params)
        yield connection
        connection.close()


def reports(n: int = 5) -> AisColumns:
    t = 1_590_969_600 + 600 * np.arange(n, dtype=np.int64)
    return AisColumns.build(np.full(n, 367000001, dtype=np.int64), t, np.linspace(-90, -89, n), np.linspace(30, 31, n))


def relations(conn, schema: str = "public") -> set:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'i')",
            (schema,),
        )
        names = {r[0] for r in cur.fetchall()}
    conn.rollback()
    return names


def indexes_of(conn, schema: str, table: str) -> list:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s ORDER BY 1", (schema, table)
        )
        names = [r[0] for r in cur.fetchall()]
    conn.rollback()
    return names


def test_a_missing_schema_is_named_with_the_database(conn):
    expected = r"^Schema 'nowhere' does not exist in database 'baimei'; create it or choose another\.$"
    with pytest.raises(BaiMeiError, match=expected):
        import_columns(conn, "nowhere.ais", reports())
    with pytest.raises(BaiMeiError, match=expected):
        check_target(conn, "nowhere.ais")
    assert conn.closed == 0 and conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE


def test_a_table_name_over_63_bytes_is_refused_before_anything_is_created(conn):
    before = relations(conn)
    long_name = "a" * 64
    with pytest.raises(BaiMeiError, match=r"is 64 bytes long; PostgreSQL keeps only the first 63"):
        import_columns(conn, f"public.{long_name}", reports())
    with pytest.raises(BaiMeiError, match=r"is 64 bytes long"):
        check_target(conn, f"public.{long_name}")
    accented = "é" * 32  # 32 characters, 64 bytes in UTF-8: PostgreSQL counts bytes
    with pytest.raises(BaiMeiError, match=r"table name 'é+' is 64 bytes long"):
        import_columns(conn, accented, reports())
    with pytest.raises(BaiMeiError, match=r"schema name 's+' is 70 bytes long"):
        import_columns(conn, "s" * 70 + ".ais", reports())
    assert relations(conn) == before


@pytest.mark.parametrize("name", ["b" * 63, "c" * 55, "ü" * 31])
def test_a_long_table_name_gets_both_indexes(conn, name):
    """A 63-byte name made both index names the table's own name once cut: the table had no index at all."""
    assert import_columns(conn, f"public.{name}", reports()) == 5
    found = indexes_of(conn, "public", name)
    assert sorted(found) == sorted([index_name(name, "mmsi_ts"), index_name(name, "geom")])
    assert all(len(index.encode()) <= 63 for index in found)
    # appending finds the same indexes (deterministic names) instead of adding others
    assert import_columns(conn, f"public.{name}", reports(), append=True) == 5
    assert indexes_of(conn, "public", name) == found


def test_short_names_keep_their_plain_index_names():
    assert index_name("ais", "mmsi_ts") == "ais_mmsi_ts"
    long_name = "x" * 63
    assert index_name(long_name, "geom") != index_name(long_name, "mmsi_ts")
    assert index_name(long_name, "geom") == index_name(long_name, "geom")
    assert index_name(long_name, "geom") != index_name("x" * 62 + "y", "geom")


def test_an_index_name_taken_by_another_table_is_a_message(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE public.taken_geom (x int)")
    conn.commit()
    with pytest.raises(
        BaiMeiError,
        match=r"the name taken_geom is taken by another table or index of the schema "
        r"public",
    ):
        import_columns(conn, "public.taken", reports())
    assert "taken" not in relations(conn)  # one transaction: the table is not left behind without its index


def test_a_server_error_is_wrapped_with_the_servers_message(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE SCHEMA locked")
        cur.execute("CREATE ROLE reader LOGIN")
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("SET ROLE reader")
        with pytest.raises(BaiMeiError) as err:
            import_columns(conn, "locked.ais", reports())
        cur.execute("RESET ROLE")
    conn.commit()
    message = str(err.value)
    assert message.startswith("PostgreSQL refused the import into locked.ais (database 'baimei'): ")
    assert "permission denied for schema locked" in message
    assert "Traceback" not in message and err.value.__cause__ is None
    assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE


def test_a_lost_connection_is_a_message(conn, tmp_path):
    other = psycopg2.connect(conn.dsn)
    other.close()
    with pytest.raises(BaiMeiError, match=r"PostgreSQL (refused the import into public\.gone|could not)"):
        import_columns(other, "public.gone", reports())
    with pytest.raises(BaiMeiError, match=r"PostgreSQL could not index public\.gone"):
        index_table(other, "public.gone")


def test_check_target_refuses_what_the_import_would(conn):
    import_columns(conn, "public.existing", reports())
    with pytest.raises(BaiMeiError, match=r"public\.existing already exists"):
        check_target(conn, "public.existing")
    with pytest.raises(BaiMeiError, match="either to replace the table or to append"):
        check_target(conn, "public.existing", replace=True, append=True)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE public.foreign_table (x int)")
    conn.commit()
    with pytest.raises(BaiMeiError, match="not an AIS table of Bai Mei's importer"):
        check_target(conn, "public.foreign_table", append=True)
    check_target(conn, "public.existing", append=True)
    check_target(conn, "public.existing", replace=True)
    check_target(conn, "public.brand_new")
    assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
