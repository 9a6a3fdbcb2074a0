"""baimei:importpostgis reports a missing schema, a name PostgreSQL would cut and the server's own refusals as one
Processing message, before reading the file, and creates nothing (issue 12, item 7)."""

import processing
import pytest
from qgis.core import QgsDataSourceUri, QgsProcessingException, QgsProcessingFeedback, QgsProviderRegistry

from tests.pg_server import PgServer, unavailable_reason

psycopg2 = pytest.importorskip("psycopg2", reason="the PostGIS importer tests need psycopg2 (python3-psycopg2)")

NAME = "baimei import errors"


@pytest.fixture(scope="module")
def server(qgis_app):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with PgServer() as pg:
        uri = QgsDataSourceUri()
        uri.setConnection(pg.params["host"], str(pg.params["port"]), pg.params["dbname"], pg.params["user"], "")
        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        metadata.saveConnection(metadata.createConnection(uri.uri(False), {"saveUsername": True}), NAME)
        yield pg
        metadata.deleteConnection(NAME)


def tables(server) -> set:
    with psycopg2.connect(**server.params) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN "
            "('pg_catalog', 'information_schema')"
        )
        return {r[0] for r in cur.fetchall()}


def run_import(table, path, log=None):
    feedback = QgsProcessingFeedback()
    if log is not None:
        feedback.pushInfo = log.append
    return processing.run(
        "baimei:importpostgis", {"INPUT": path, "CONNECTION": NAME, "TABLE": table}, feedback=feedback
    )


def test_missing_schema_is_one_message_before_the_file_is_read(provider, server, voyage_csv):
    before = tables(server)
    log = []
    with pytest.raises(QgsProcessingException) as err:
        run_import("nowhere.ais", voyage_csv, log)
    assert str(err.value) == "Schema 'nowhere' does not exist in database 'baimei'; create it or choose another."
    assert not any("rows read" in line for line in log)  # refused before reading the file
    assert tables(server) == before


def test_a_64_byte_table_name_is_refused_and_63_bytes_gets_its_indexes(provider, server, voyage_csv):
    before = tables(server)
    with pytest.raises(QgsProcessingException, match=r"is 64 bytes long; PostgreSQL keeps only the first 63"):
        run_import("public." + "t" * 64, voyage_csv)
    assert tables(server) == before
    name = "t" * 63
    assert run_import(f"public.{name}", voyage_csv)["ROWS_KEPT"] == 50
    with psycopg2.connect(**server.params) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", (name,))
        assert cur.fetchone()[0] == 2
