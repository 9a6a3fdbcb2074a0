"""baimei:detectgapspostgis through one of QGIS's PostgreSQL connections, against a throwaway PostGIS server."""

import processing
import pytest
from qgis.core import QgsDataSourceUri, QgsProcessingException, QgsProcessingFeedback, QgsProviderRegistry

from tests.pg_server import PgServer, unavailable_reason

pg_tests = pytest.importorskip("tests.unit.test_postgis_gaps", reason="the PostGIS tests need psycopg2")


@pytest.fixture(scope="module")
def qgis_connection(qgis_app):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    import psycopg2

    with PgServer() as server:
        data = pg_tests.make_reports()
        conn = psycopg2.connect(**server.params)
        pg_tests.load(conn, data)
        conn.close()
        uri = QgsDataSourceUri()
        uri.setConnection(server.params["host"], str(server.params["port"]), server.params["dbname"],
                          server.params["user"], "")
        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        connection = metadata.createConnection(uri.uri(False), {"saveUsername": True})
        metadata.saveConnection(connection, "baimei test")
        yield "baimei test", data, server
        metadata.deleteConnection("baimei test")


def test_the_server_gives_the_in_process_gaps(provider, qgis_connection):
    name, data, _server = qgis_connection
    result = processing.run("baimei:detectgapspostgis", {
        "CONNECTION": name, "TABLE": "public.ais", "TIME_COLUMN": "ts", "GEOMETRY_COLUMN": "geom",
        "OUTPUT_GAPS": "memory:"}, feedback=QgsProcessingFeedback())
    expected = pg_tests.in_process_gaps(data, pg_tests.GapCriteria())
    layer = result["OUTPUT_GAPS"]
    assert result["GAP_COUNT"] == layer.featureCount() == len(expected) > 20
    assert sorted((f["mmsi"], f["off_time"].toSecsSinceEpoch(), f["on_time"].toSecsSinceEpoch())
                  for f in layer.getFeatures()) == sorted((g.mmsi, g.off_time, g.on_time) for g in expected)


def test_unknown_connection_and_hostile_table_are_clear_errors(provider, qgis_connection):
    name, _data, _server = qgis_connection
    with pytest.raises(QgsProcessingException, match="no PostgreSQL connection"):
        processing.run("baimei:detectgapspostgis", {"CONNECTION": "nope", "TABLE": "ais", "OUTPUT_GAPS": "memory:"})
    with pytest.raises(QgsProcessingException):
        processing.run("baimei:detectgapspostgis", {"CONNECTION": name, "TABLE": "ais; DROP TABLE ais",
                                                    "OUTPUT_GAPS": "memory:"})
