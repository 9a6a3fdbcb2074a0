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


def test_import_a_file_into_postgis_then_find_its_gaps_there(provider, qgis_connection, voyage_csv):
    name, _data, server = qgis_connection
    imported = processing.run("baimei:importpostgis", {"INPUT": voyage_csv, "CONNECTION": name,
                                                       "TABLE": "public.voyage"})
    assert imported["ROWS_KEPT"] == 50
    with pytest.raises(QgsProcessingException, match="already exists"):
        processing.run("baimei:importpostgis", {"INPUT": voyage_csv, "CONNECTION": name, "TABLE": "public.voyage"})
    in_postgis = processing.run("baimei:detectgapspostgis", {
        "CONNECTION": name, "TABLE": "public.voyage", "TIME_COLUMN": "ts", "GEOMETRY_COLUMN": "geom",
        "SOG_COLUMN": "sog", "DRAUGHT_COLUMN": "draught", "NAME_COLUMN": "vessel_name", "OUTPUT_GAPS": "memory:"})
    points = processing.run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": "memory:"})["OUTPUT"]
    in_qgis = processing.run("baimei:detectgaps", {"INPUT": points, "OUTPUT_GAPS": "memory:",
                                                   "OUTPUT_TRACKS": "memory:"})
    assert in_postgis["GAP_COUNT"] == in_qgis["GAP_COUNT"] == 1
    a = next(in_postgis["OUTPUT_GAPS"].getFeatures())
    b = next(in_qgis["OUTPUT_GAPS"].getFeatures())
    for field in ("gap_id", "mmsi", "vessel_name", "draught_before", "draught_after", "positions_12h_before"):
        assert a[field] == b[field], field
    assert a["distance_nm"] == pytest.approx(b["distance_nm"], rel=1e-6)
    import psycopg2

    with psycopg2.connect(**server.params) as conn, conn.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'voyage' ORDER BY 1")
        assert [r[0] for r in cur.fetchall()] == ["voyage_geom", "voyage_mmsi_ts"]
