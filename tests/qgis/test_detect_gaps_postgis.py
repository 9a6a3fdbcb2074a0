"""baimei:detectgapspostgis through one of QGIS's PostgreSQL connections, against a throwaway PostGIS server."""

import processing
import pytest
from qgis.core import (
    NULL,
    QgsDataSourceUri,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDateTime, Qt

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
        uri.setConnection(
            server.params["host"], str(server.params["port"]), server.params["dbname"], server.params["user"], ""
        )
        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        connection = metadata.createConnection(uri.uri(False), {"saveUsername": True})
        metadata.saveConnection(connection, "baimei test")
        yield "baimei test", data, server
        metadata.deleteConnection("baimei test")


def test_the_server_gives_the_in_process_gaps(provider, qgis_connection):
    name, data, _server = qgis_connection
    result = processing.run(
        "baimei:detectgapspostgis",
        {
            "CONNECTION": name,
            "TABLE": "public.ais",
            "TIME_COLUMN": "ts",
            "GEOMETRY_COLUMN": "geom",
            "OUTPUT_GAPS": "memory:",
        },
        feedback=QgsProcessingFeedback(),
    )
    expected = pg_tests.in_process_gaps(data, pg_tests.GapCriteria())
    layer = result["OUTPUT_GAPS"]
    assert result["GAP_COUNT"] == layer.featureCount() == len(expected) > 20
    assert sorted(
        (f["mmsi"], f["off_time"].toSecsSinceEpoch(), f["on_time"].toSecsSinceEpoch()) for f in layer.getFeatures()
    ) == sorted((g.mmsi, g.off_time, g.on_time) for g in expected)


def test_time_range_and_extent_limit_the_reports(provider, qgis_connection):
    import datetime as dt

    import numpy as np

    name, data, _server = qgis_connection
    t0, t1 = (int(v) for v in np.quantile(data["t"], [0.2, 0.8]))
    box = (-75.0, 22.0, -62.0, 38.0)
    keep = (
        (data["t"] >= t0)
        & (data["t"] <= t1)
        & (data["lon"] >= box[0])
        & (data["lon"] <= box[2])
        & (data["lat"] >= box[1])
        & (data["lat"] <= box[3])
    )
    expected = pg_tests.in_process_gaps(data, pg_tests.GapCriteria(), keep)
    iso = [dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for t in (t0, t1)]
    result = processing.run(
        "baimei:detectgapspostgis",
        {
            "CONNECTION": name,
            "TABLE": "public.ais",
            "TIME_COLUMN": "ts",
            "GEOMETRY_COLUMN": "geom",
            "START": QDateTime.fromString(iso[0], Qt.ISODate),
            "END": QDateTime.fromString(iso[1], Qt.ISODate),
            "EXTENT": f"{box[0]},{box[2]},{box[1]},{box[3]} [EPSG:4326]",
            "OUTPUT_GAPS": "memory:",
        },
        feedback=QgsProcessingFeedback(),
    )
    everything = pg_tests.in_process_gaps(data, pg_tests.GapCriteria())
    assert result["GAP_COUNT"] == len(expected) < len(everything)
    assert sorted((f["mmsi"], f["off_time"].toSecsSinceEpoch()) for f in result["OUTPUT_GAPS"].getFeatures()) == sorted(
        (g.mmsi, g.off_time) for g in expected
    )
    with pytest.raises(QgsProcessingException, match="before its start"):
        processing.run(
            "baimei:detectgapspostgis",
            {
                "CONNECTION": name,
                "TABLE": "public.ais",
                "TIME_COLUMN": "ts",
                "GEOMETRY_COLUMN": "geom",
                "START": QDateTime.fromString(iso[1], Qt.ISODate),
                "END": QDateTime.fromString(iso[0], Qt.ISODate),
                "OUTPUT_GAPS": "memory:",
            },
        )


def test_unknown_connection_and_hostile_table_are_clear_errors(provider, qgis_connection):
    name, _data, _server = qgis_connection
    with pytest.raises(QgsProcessingException, match="no PostgreSQL connection"):
        processing.run("baimei:detectgapspostgis", {"CONNECTION": "nope", "TABLE": "ais", "OUTPUT_GAPS": "memory:"})
    with pytest.raises(QgsProcessingException):
        processing.run(
            "baimei:detectgapspostgis", {"CONNECTION": name, "TABLE": "ais; DROP TABLE ais", "OUTPUT_GAPS": "memory:"}
        )


def test_import_a_file_into_postgis_then_find_its_gaps_there(provider, qgis_connection, voyage_csv):
    name, _data, server = qgis_connection
    imported = processing.run(
        "baimei:importpostgis", {"INPUT": voyage_csv, "CONNECTION": name, "TABLE": "public.voyage"}
    )
    assert imported["ROWS_KEPT"] == 50
    with pytest.raises(QgsProcessingException, match="already exists"):
        processing.run("baimei:importpostgis", {"INPUT": voyage_csv, "CONNECTION": name, "TABLE": "public.voyage"})
    appended = processing.run(
        "baimei:importpostgis", {"INPUT": voyage_csv, "CONNECTION": name, "TABLE": "public.voyage_twice"}
    )
    appended = processing.run(
        "baimei:importpostgis",
        {"INPUT": voyage_csv, "CONNECTION": name, "APPEND": True, "TABLE": "public.voyage_twice"},
    )
    assert appended["ROWS_KEPT"] == 50
    in_postgis = processing.run(
        "baimei:detectgapspostgis",
        {
            "CONNECTION": name,
            "TABLE": "public.voyage",
            "TIME_COLUMN": "ts",
            "GEOMETRY_COLUMN": "geom",
            "SOG_COLUMN": "sog",
            "DRAUGHT_COLUMN": "draught",
            "NAME_COLUMN": "vessel_name",
            "OUTPUT_GAPS": "memory:",
        },
    )
    points = processing.run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": "memory:"})["OUTPUT"]
    in_qgis = processing.run(
        "baimei:detectgaps", {"INPUT": points, "OUTPUT_GAPS": "memory:", "OUTPUT_TRACKS": "memory:"}
    )
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
        cur.execute("SELECT count(*), count(DISTINCT (mmsi, ts)) FROM voyage_twice")
        assert cur.fetchone() == (100, 50)


def test_min_shore_with_the_bundled_land_uploaded_once(provider, qgis_connection):
    """QGIS's world map, the in-process engine's default land, uploaded to the server: the same gaps are kept and
    the same distances from shore come back; the second run reuses the upload."""
    import psycopg2

    from bai_mei_plugin.qgis_io.land import default_land

    name, data, server = qgis_connection
    params = {
        "CONNECTION": name,
        "TABLE": "public.ais",
        "TIME_COLUMN": "ts",
        "GEOMETRY_COLUMN": "geom",
        "PRESET": 0,
        "MIN_SHORE_NM": 50.0,
        "OUTPUT_GAPS": "memory:",
    }
    with pytest.raises(QgsProcessingException, match="needs land on the server"):
        processing.run("baimei:detectgapspostgis", params)
    first = processing.run("baimei:detectgapspostgis", {**params, "UPLOAD_LAND": True})
    criteria = pg_tests.GapCriteria(min_shore_nm=50.0)
    expected = pg_tests.in_process_gaps(data, criteria, land=default_land())
    assert len(expected) < len(pg_tests.in_process_gaps(data, pg_tests.GapCriteria()))
    features = sorted(first["OUTPUT_GAPS"].getFeatures(), key=lambda f: (f["mmsi"], f["off_time"]))
    assert first["GAP_COUNT"] == len(features) == len(expected) > 20
    for feature, gap in zip(features, expected):
        assert (feature["mmsi"], feature["off_time"].toSecsSinceEpoch()) == (gap.mmsi, gap.off_time)
        assert feature["off_shore_nm"] == pytest.approx(gap.off_shore_nm, rel=1e-9)
        assert feature["on_shore_nm"] == pytest.approx(gap.on_shore_nm, rel=1e-9)
    with psycopg2.connect(**server.params) as conn, conn.cursor() as cur:
        cur.execute("SELECT 'public.baimei_land'::regclass::oid, 'public.baimei_land_vertices'::regclass::oid")
        tables = cur.fetchone()
    second = processing.run("baimei:detectgapspostgis", {**params, "UPLOAD_LAND": True, "MIN_SHORE_NM": 0.0})
    assert second["GAP_COUNT"] == len(pg_tests.in_process_gaps(data, pg_tests.GapCriteria()))
    assert all(f["off_shore_nm"] is not None for f in second["OUTPUT_GAPS"].getFeatures())
    with psycopg2.connect(**server.params) as conn, conn.cursor() as cur:
        cur.execute("SELECT 'public.baimei_land'::regclass::oid, 'public.baimei_land_vertices'::regclass::oid")
        assert cur.fetchone() == tables  # not uploaded again


def test_gaps_written_to_a_server_table_open_as_a_postgis_layer(provider, qgis_connection):
    name, data, _server = qgis_connection
    params = {
        "CONNECTION": name,
        "TABLE": "public.ais",
        "TIME_COLUMN": "ts",
        "GEOMETRY_COLUMN": "geom",
        "OUTPUT_TABLE": "public.dark_gaps",
    }
    result = processing.run("baimei:detectgapspostgis", {**params, "OUTPUT_GAPS": "memory:"})
    layer = result["OUTPUT_LAYER"]
    assert isinstance(layer, QgsVectorLayer) and layer.isValid() and layer.providerType() == "postgres"
    assert result["TABLE_OUT"] == "public.dark_gaps"
    assert layer.geometryType() == QgsWkbTypes.LineGeometry and layer.crs().authid() == "EPSG:4326"
    expected = pg_tests.in_process_gaps(data, pg_tests.GapCriteria())
    in_table = sorted(
        (f["mmsi"], f["off_time"].toSecsSinceEpoch(), f["on_time"].toSecsSinceEpoch(), f["gap_id"])
        for f in layer.getFeatures()
    )
    assert in_table == [(g.mmsi, g.off_time, g.on_time, g.gap_id) for g in expected]
    assert result["GAP_COUNT"] == result["OUTPUT_GAPS"].featureCount() == layer.featureCount() == len(expected)
    first = next(layer.getFeatures())
    assert first.geometry().asPolyline()[0].x() == pytest.approx(first["off_lon"], abs=1e-12)
    with pytest.raises(QgsProcessingException, match="already exists"):
        processing.run("baimei:detectgapspostgis", {**params, "OUTPUT_GAPS": "memory:"})
    # replaced when asked, here without streaming the gaps back: the table alone
    criteria = pg_tests.GapCriteria(min_gap_hours=12.0)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    replaced = processing.run(
        "baimei:detectgapspostgis",
        {**params, "MIN_GAP_HOURS": 12.0, "PRESET": 0, "OVERWRITE": True, "OUTPUT_GAPS": None},
        context=context,
    )
    assert replaced["OUTPUT_GAPS"] is None
    table = replaced["OUTPUT_LAYER"]
    assert table.featureCount() == replaced["GAP_COUNT"] == len(pg_tests.in_process_gaps(data, criteria))
    assert table.featureCount() < len(expected)
    # the table layer is what QGIS loads when the algorithm ends, styled and time-enabled by its post-processor
    details = context.layersToLoadOnCompletion()[table.id()]
    assert details.outputName == "OUTPUT_LAYER"
    details.postProcessor().postProcessLayer(table, context, QgsProcessingFeedback())
    assert table.temporalProperties().isActive() and table.temporalProperties().endField() == "on_time"


class _Log(QgsProcessingFeedback):
    """The algorithm's messages, kept to be read."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):  # noqa: N802 - QGIS's name
        self.lines.append(info)
        super().pushInfo(info)


def _python(value):
    """A field value as Python: QGIS gives missing values as a NULL QVariant."""
    return None if value is None or value == NULL else value


def test_last_known_values_by_index_lookups_and_the_advice_without_the_index(provider, qgis_connection):
    """An indexed table gets index lookups for the last known draught, destination and name (duplicates of one second
    and invalid reports skipped), the same as the window statement; a table without the index gets the CREATE INDEX
    in the log."""
    import psycopg2

    name, _data, server = qgis_connection
    conn = psycopg2.connect(**server.params)
    pg_tests.load(conn, pg_tests.last_known_reports(), "known_indexed")
    pg_tests.index_time_columns(conn, "known_indexed")
    with conn.cursor() as cur:  # the later duplicate of a second comes first on a backward walk of the index
        cur.execute("UPDATE known_indexed SET ts = ts + interval '0.4 s' WHERE vessel_name = 'LOSER'")
    conn.commit()
    conn.close()
    columns = {
        "CONNECTION": name,
        "TIME_COLUMN": "ts",
        "GEOMETRY_COLUMN": "geom",
        "DRAUGHT_COLUMN": "draught",
        "NAME_COLUMN": "vessel_name",
        "DESTINATION_COLUMN": "destination",
        "OUTPUT_GAPS": "memory:",
    }
    for table, advised in (("public.known_indexed", False), ("public.ais", True)):
        log = _Log()
        result = processing.run("baimei:detectgapspostgis", dict(columns, TABLE=table), feedback=log)
        advice = [line for line in log.lines if "CREATE INDEX ON" in line]
        assert bool(advice) == advised, log.lines
        if advised:
            assert advice == [
                '"public"."ais" has no index on ("mmsi", "ts"): every report was sorted for the last known draught, '
                "destination and name, which is slow on a large table. Create the index once with: "
                'CREATE INDEX ON "public"."ais" ("mmsi", "ts");'
            ]
            continue
        got = [
            (
                f["mmsi"],
                f["draught_before"],
                f["draught_after"],
                f["destination_before"],
                f["destination_after"],
                f["vessel_name"],
            )
            for f in result["OUTPUT_GAPS"].getFeatures()
        ]
        got = [tuple(_python(v) for v in row) for row in got]
        assert got == [(e[0], *e[3:]) for e in pg_tests.LAST_KNOWN_EXPECTED]  # gaps in (mmsi, off_time) order
