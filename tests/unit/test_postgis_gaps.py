"""The PostGIS engine gives the gaps of the in-process engine, on a real throwaway PostgreSQL + PostGIS server."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import AisColumns, RawRead
from bai_mei_plugin.core.errors import BaiMeiError, Canceled
from bai_mei_plugin.core.gaps import GapCriteria, detect_gaps
from bai_mei_plugin.core.land import LandIndex
from tests.pg_server import PgServer, unavailable_reason

psycopg2 = pytest.importorskip("psycopg2", reason="the PostGIS engine tests need psycopg2 (python3-psycopg2)")
from psycopg2 import sql  # noqa: E402

from bai_mei_plugin.engines.postgis_gaps import DISTANCE_SCALE, detect_gaps_postgis, explain_gaps_postgis  # noqa: E402
from bai_mei_plugin.engines.postgis_land import (  # noqa: E402
    LandTable,
    ServerLand,
    content_hash,
    find_land,
    upload_land,
)

START = 1_590_969_600  # 2020-06-01T00:00:00Z
GEOM_COLUMNS = {
    "mmsi": "mmsi",
    "time": "ts",
    "geometry": "geom",
    "sog": "sog",
    "draught": "draught",
    "destination": "destination",
    "vessel_name": "vessel_name",
}
LONLAT_COLUMNS = {
    "mmsi": "mmsi",
    "time": "epoch",
    "lon": "lon",
    "lat": "lat",
    "sog": "sog",
    "draught": "draught",
    "destination": "destination",
    "vessel_name": "vessel_name",
}


def make_reports(seed: int = 11, vessels: int = 30, rows: int = 5000) -> dict:
    """Reports in archive order (shuffled, so out of time order), with long silences, duplicates and bad rows."""
    rng = np.random.default_rng(seed)
    mmsi_ids = rng.choice(np.arange(200_000_000, 800_000_000), size=vessels, replace=False)
    vid = rng.integers(0, vessels, rows)
    t = np.empty(rows, dtype=np.int64)
    for v in range(vessels):
        idx = np.flatnonzero(vid == v)
        steps = rng.integers(60, 3600, len(idx))
        silent = rng.random(len(idx)) < 0.05
        steps[silent] = rng.integers(5 * 3600, 40 * 3600, int(silent.sum()))
        t[idx] = START + np.cumsum(steps)
    lon = rng.uniform(-80.0, -60.0, rows)
    lat = rng.uniform(20.0, 40.0, rows)
    dup, src = rng.choice(rows, 40, replace=False), rng.choice(rows, 40, replace=False)
    vid[dup], t[dup] = vid[src], t[src]  # same (mmsi, time), another position: the first in archive order wins
    lat[rng.choice(rows, 10, replace=False)] = 91.0  # "not available"
    lon[rng.choice(rows, 10, replace=False)] = 181.0
    mmsi = mmsi_ids[vid]
    mmsi[rng.choice(rows, 5, replace=False)] = 0
    draught = np.where(rng.random(rows) < 0.5, np.nan, np.round(rng.uniform(2, 12, rows), 1))
    names = np.array([f"VESSEL {v}" for v in range(vessels)], dtype=object)[vid]
    names[rng.random(rows) < 0.4] = None
    names[rng.random(rows) < 0.05] = "  "  # blank: missing, as in the core
    dest = np.where(rng.random(rows) < 0.6, None, np.array(["ROTTERDAM", "SINGAPORE", "NAKHODKA"])[vid % 3])
    order = rng.permutation(rows)
    data = {
        "mmsi": mmsi,
        "t": t,
        "lon": lon,
        "lat": lat,
        "sog": np.round(rng.uniform(0, 20, rows), 1),
        "draught": draught,
        "names": names,
        "dest": dest.astype(object),
    }
    return {key: value[order] for key, value in data.items()}


def in_process_gaps(data: dict, criteria: GapCriteria, keep=None, land=None):
    """The reference: the same rows in archive order through the core clean + detect_gaps."""
    d = data if keep is None else {key: value[keep] for key, value in data.items()}
    cols = AisColumns.build(
        d["mmsi"],
        d["t"],
        d["lon"],
        d["lat"],
        sog=d["sog"],
        draught=d["draught"],
        vessel_name=list(d["names"]),
        destination=list(d["dest"]),
    )
    n = len(d["mmsi"])
    raw = RawRead(columns=cols, rows_read=n, unparseable=np.zeros(n, bool), not_vessel=np.zeros(n, bool))
    return detect_gaps(clean(raw).columns, criteria, land).gaps


def assert_same_gaps(found, expected, at_least: int = 20, shore: bool = False) -> None:
    assert len(expected) >= at_least  # the data really has gaps to compare
    assert len(found) == len(expected)
    for a, b in zip(found, expected):
        assert (a.mmsi, a.off_time, a.on_time, a.gap_id) == (b.mmsi, b.off_time, b.on_time, b.gap_id)
        assert a.distance_nm == pytest.approx(b.distance_nm, rel=1e-6)  # the brief asks 0.5 %; it is far closer
        assert a.implied_speed_kn == pytest.approx(b.implied_speed_kn, rel=1e-6)
        assert a.gap_hours == b.gap_hours
        assert (a.off_lon, a.off_lat, a.on_lon, a.on_lat) == (b.off_lon, b.off_lat, b.on_lon, b.on_lat)
        assert (a.vessel_name, a.sog_before, a.sog_after, a.draught_before, a.draught_after) == (
            b.vessel_name,
            b.sog_before,
            b.sog_after,
            b.draught_before,
            b.draught_after,
        )
        assert (a.destination_before, a.destination_after, a.positions_12h_before) == (
            b.destination_before,
            b.destination_after,
            b.positions_12h_before,
        )
        if shore:  # the same vertices and the same sphere: equal to rounding (the brief allows 0.5 %)
            assert a.off_shore_nm == pytest.approx(b.off_shore_nm, rel=1e-9, abs=1e-9)
            assert a.on_shore_nm == pytest.approx(b.on_shore_nm, rel=1e-9, abs=1e-9)
        else:
            assert a.off_shore_nm is None and a.on_shore_nm is None


def _field(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load(conn, data: dict, table: str = "ais") -> None:
    """COPY the reports, in archive order, into a table with both a geometry and lon/lat columns."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL(
                "CREATE TABLE {} (id serial PRIMARY KEY, mmsi bigint, ts timestamptz, epoch bigint, "
                "geom geometry(Point, 4326), lon float8, lat float8, sog float8, draught float8, "
                "vessel_name text, destination text)"
            ).format(sql.Identifier(table))
        )
        buf = io.StringIO()
        for m, t, lon, lat, sog, dr, name, dest in zip(
            *(data[k].tolist() for k in ("mmsi", "t", "lon", "lat", "sog", "draught", "names", "dest"))
        ):
            stamp = dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()
            fields = [m, stamp, t, f"SRID=4326;POINT({lon!r} {lat!r})", repr(lon), repr(lat), repr(sog), dr, name, dest]
            buf.write("\t".join(_field(f) for f in fields) + "\n")
        buf.seek(0)
        cur.copy_expert(
            sql.SQL("COPY {} (mmsi, ts, epoch, geom, lon, lat, sog, draught, vessel_name, destination) FROM STDIN")
            .format(sql.Identifier(table))
            .as_string(conn),
            buf,
        )
    conn.commit()


@pytest.fixture(scope="session")
def pg_server():
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with PgServer() as server:
        yield server


@pytest.fixture(scope="module")
def data():
    return make_reports()


@pytest.fixture(scope="module")
def conn(pg_server, data):
    connection = psycopg2.connect(**pg_server.params)
    load(connection, data)
    yield connection
    connection.close()


def table_exists(conn, name: str = "ais") -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
        return cur.fetchone()[0]


def test_server_sphere_matches_project_radius(conn, pg_server):
    assert pg_server.start_seconds < 20
    with conn.cursor() as cur:
        cur.execute("SELECT ST_Distance('POINT(0 0)'::geography, 'POINT(1 0)'::geography, false)")
        one_degree = cur.fetchone()[0]
    assert one_degree * DISTANCE_SCALE == pytest.approx(6_371_008.8 * np.pi / 180, rel=1e-12)


def test_geometry_and_timestamptz_default_criteria(conn, data):
    gaps = detect_gaps_postgis(conn, "public.ais", GEOM_COLUMNS)
    assert_same_gaps(gaps, in_process_gaps(data, GapCriteria()))
    assert [(g.mmsi, g.off_time) for g in gaps] == sorted((g.mmsi, g.off_time) for g in gaps)


def test_lon_lat_epoch_and_min_positions_before(conn, data):
    criteria = GapCriteria(min_gap_hours=8.0, min_positions_before=5)
    expected = in_process_gaps(data, criteria)
    assert_same_gaps(detect_gaps_postgis(conn, "ais", LONLAT_COLUMNS, criteria), expected)
    assert len(expected) < len(in_process_gaps(data, GapCriteria(min_gap_hours=8.0)))


def test_exact_threshold_and_required_columns_only(conn, data):
    criteria = GapCriteria(min_gap_hours=5.5)
    columns = {"mmsi": "mmsi", "time": "ts", "geometry": "geom"}
    bare = {
        **data,
        "sog": np.full(len(data["t"]), np.nan),
        "draught": np.full(len(data["t"]), np.nan),
        "names": np.full(len(data["t"]), None, dtype=object),
        "dest": np.full(len(data["t"]), None, dtype=object),
    }
    assert_same_gaps(detect_gaps_postgis(conn, ("public", "ais"), columns, criteria), in_process_gaps(bare, criteria))


def test_time_range_and_bbox(conn, data):
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
    expected = in_process_gaps(data, GapCriteria(), keep)
    start = dt.datetime.fromtimestamp(t0, dt.timezone.utc)
    assert_same_gaps(detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, time_range=(start, t1), bbox=box), expected)
    assert_same_gaps(detect_gaps_postgis(conn, "ais", LONLAT_COLUMNS, time_range=(t0, t1), bbox=box), expected)


def test_unknown_names_and_shore_criterion(conn):
    with pytest.raises(BaiMeiError, match="'nowhere'"):
        detect_gaps_postgis(conn, "nowhere", GEOM_COLUMNS)
    with pytest.raises(BaiMeiError, match="'other.ais'"):
        detect_gaps_postgis(conn, "other.ais", GEOM_COLUMNS)
    with pytest.raises(BaiMeiError, match="'ship'"):
        detect_gaps_postgis(conn, "ais", {**GEOM_COLUMNS, "mmsi": "ship"})
    with pytest.raises(BaiMeiError, match="geometry"):
        detect_gaps_postgis(conn, "ais", {"mmsi": "mmsi", "time": "ts"})
    with pytest.raises(BaiMeiError, match="type text"):
        detect_gaps_postgis(conn, "ais", {**GEOM_COLUMNS, "mmsi": "vessel_name"})
    with pytest.raises(BaiMeiError, match="distance from shore"):
        detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, GapCriteria(min_shore_nm=50))


@pytest.mark.parametrize(
    "table",
    ["ais; DROP TABLE ais", 'ais"; DROP TABLE ais; --', "public.ais; DROP TABLE ais", "ais' OR '1'='1", 'public".ais'],
)
def test_injection_in_table_name_is_rejected(conn, table):
    with pytest.raises(BaiMeiError, match="was not found"):
        detect_gaps_postgis(conn, table, GEOM_COLUMNS)
    conn.rollback()
    assert table_exists(conn)


@pytest.mark.parametrize("column", ['mmsi"--', "mmsi; DROP TABLE ais", 'mmsi") FROM ais; DROP TABLE ais; --'])
def test_injection_in_column_name_is_rejected(conn, column):
    with pytest.raises(BaiMeiError, match="does not exist"):
        detect_gaps_postgis(conn, "ais", {**GEOM_COLUMNS, "mmsi": column})
    conn.rollback()
    assert table_exists(conn)


def test_hostile_names_that_exist_are_only_quoted(conn, data):
    """A table and columns really named like injections are read as names, nothing else runs."""
    table, column = 'x"; DROP TABLE ais; --', 'mmsi"--'
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("CREATE TABLE {} AS SELECT id, mmsi AS {}, ts, geom FROM ais ORDER BY id").format(
                sql.Identifier(table), sql.Identifier(column)
            )
        )
    conn.commit()
    gaps = detect_gaps_postgis(conn, table, {"mmsi": column, "time": "ts", "geometry": "geom", "order": "id"})
    assert table_exists(conn)
    bare = {
        **data,
        "sog": np.full(len(data["t"]), np.nan),
        "draught": np.full(len(data["t"]), np.nan),
        "names": np.full(len(data["t"]), None, dtype=object),
        "dest": np.full(len(data["t"]), None, dtype=object),
    }
    assert_same_gaps(gaps, in_process_gaps(bare, GapCriteria()))


# ---------------------------------------------------------------------------------------------------------------
# Distance from shore on the server, and gaps written to a server table

WORLD_MAP = Path("/usr/share/qgis/resources/data/world_map.gpkg")  # QGIS's bundled Natural Earth countries


@pytest.fixture(scope="module")
def world():
    if not WORLD_MAP.exists():
        pytest.skip(f"QGIS's bundled world map (the plugin's default land) is not installed at {WORLD_MAP}")
    return LandIndex.from_gpkg(str(WORLD_MAP))


@pytest.fixture(scope="module")
def uploaded(conn, world):
    return upload_land(conn, world, "public")


def land_near_data(world) -> list:
    """The world map's polygons around the test data (80-60 W, 20-40 N): the US coast, the Bahamas, Cuba..."""
    return [p for p in world.polygons if p.intersects(box(-100.0, 5.0, -40.0, 60.0))]


def test_bundled_land_is_uploaded_once_with_the_in_process_vertices(conn, world, uploaded):
    assert uploaded.uploaded and uploaded.polygons == ("public", "baimei_land")
    assert uploaded.content_sha256 == content_hash(world)
    again = upload_land(conn, world, "public")
    assert not again.uploaded and again == ServerLand(
        uploaded.polygons, uploaded.vertices, 1.0, uploaded.content_sha256, uploaded=False
    )
    label = find_land(conn, "public")
    assert label["sha256"] == uploaded.content_sha256 and label["step_km"] == 1.0
    # ST_Segmentize cuts the rings into exactly the in-process engine's pieces: same vertex count (2 million)
    assert label["vertices"] == len(world._vectors) > 1_000_000
    assert label["polygons"] == len(world.polygons)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename LIKE 'baimei_land%%' "
            "AND indexdef LIKE '%%gist%%' ORDER BY 1"
        )
        assert [r[0] for r in cur.fetchall()] == ["baimei_land", "baimei_land_vertices"]


def test_another_land_replaces_the_upload_and_a_foreign_table_is_left_alone(conn, world):
    with conn.cursor() as cur:
        cur.execute("CREATE SCHEMA uploads; CREATE SCHEMA theirs; CREATE TABLE theirs.baimei_land (id int)")
    conn.commit()
    small = LandIndex(land_near_data(world)[:3])
    first = upload_land(conn, small, "uploads")
    assert first.uploaded and find_land(conn, "uploads")["polygons"] == 3
    other = upload_land(conn, LandIndex(land_near_data(world)[:2]), "uploads")
    assert other.uploaded and other.content_sha256 != first.content_sha256
    assert find_land(conn, "uploads")["polygons"] == 2
    with pytest.raises(BaiMeiError, match=r"theirs\.baimei_land exists and was not created by Bai Mei"):
        upload_land(conn, small, "theirs")
    conn.rollback()
    with pytest.raises(BaiMeiError, match="schema 'nowhere' does not exist"):
        upload_land(conn, small, "nowhere")
    conn.rollback()


def test_shore_distances_are_the_in_process_ones(conn, data, world, uploaded):
    gaps = detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, land=uploaded)
    expected = in_process_gaps(data, GapCriteria(), land=world)
    assert_same_gaps(gaps, expected, shore=True)
    ends = [d for g in gaps for d in (g.off_shore_nm, g.on_shore_nm)]
    assert 0.0 in ends  # some reports lie on land (inside a polygon)
    assert any(0 < d < 5 for d in ends) and max(ends) > 300  # near the coast and far out at sea


@pytest.mark.parametrize(
    "criteria",
    [GapCriteria(min_shore_nm=50.0), GapCriteria(min_gap_hours=8.0, min_shore_nm=12.5, min_positions_before=3)],
)
def test_min_shore_keeps_and_drops_the_gaps_the_in_process_engine_does(conn, data, world, uploaded, criteria):
    expected = in_process_gaps(data, criteria, land=world)
    unfiltered = in_process_gaps(
        data, GapCriteria(criteria.min_gap_hours, 0.0, criteria.min_positions_before), land=world
    )
    assert 20 <= len(expected) < len(unfiltered)  # the criterion really drops gaps
    assert_same_gaps(detect_gaps_postgis(conn, "ais", LONLAT_COLUMNS, criteria, land=uploaded), expected, shore=True)


def test_a_land_table_of_the_user(conn, data, world):
    """Polygons the user keeps on the server, under a hostile name, as MultiPolygons in EPSG:3857 and as geography;
    the reference is the in-process engine with the same polygons."""
    near = land_near_data(world)
    table, column = 'coast"; DROP TABLE ais; --', "shape"
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("CREATE TABLE {} (id serial PRIMARY KEY, {} geometry(MultiPolygon, 4326), note text)").format(
                sql.Identifier(table), sql.Identifier(column)
            )
        )
        for polygon in near:
            cur.execute(
                sql.SQL("INSERT INTO {} ({}) VALUES (ST_Multi(ST_GeomFromWKB(%s, 4326)))").format(
                    sql.Identifier(table), sql.Identifier(column)
                ),
                (polygon.wkb,),
            )
        cur.execute(
            sql.SQL(
                "CREATE TABLE coast_mercator AS SELECT ST_Transform({}, 3857) AS geom, {}::geography AS geog FROM {}"
            ).format(sql.Identifier(column), sql.Identifier(column), sql.Identifier(table))
        )
    conn.commit()
    land = LandIndex(near)
    criteria = GapCriteria(min_shore_nm=30.0)
    expected = in_process_gaps(data, criteria, land=land)
    assert len(expected) < len(in_process_gaps(data, GapCriteria(), land=land))
    gaps = detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, criteria, land=LandTable(table, column))
    assert_same_gaps(gaps, expected, shore=True)
    assert table_exists(conn)
    for source in (LandTable("coast_mercator", "geom"), LandTable("public.coast_mercator", "geog")):
        # through Web Mercator and back: the same polygons to ~1e-9 degrees
        found = detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, criteria, land=source)
        assert [(g.mmsi, g.off_time) for g in found] == [(g.mmsi, g.off_time) for g in expected]
        for a, b in zip(found, expected):
            assert (a.off_shore_nm, a.on_shore_nm) == pytest.approx((b.off_shore_nm, b.on_shore_nm), abs=1e-6)
    with conn.cursor() as cur:  # the session's temporary land tables are gone
        cur.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'baimei_shore%%'")
        assert cur.fetchone()[0] == 0


def test_land_table_errors_name_the_table_and_column(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE land_points (id int, geom geometry(Point, 4326), label text)")
        cur.execute("INSERT INTO land_points VALUES (1, 'SRID=4326;POINT(0 0)', 'x')")
        cur.execute("CREATE TABLE land_nosrid (geom geometry)")
        cur.execute("INSERT INTO land_nosrid VALUES ('POLYGON((0 0, 1 0, 1 1, 0 0))')")
    conn.commit()
    cases = [
        (LandTable("no_land"), "'no_land' was not found"),
        (
            LandTable("land_points", "the_geom"),
            r"Column 'the_geom' does not exist in the land table "
            r"'public.land_points' \(its geometry columns: geom\)",
        ),
        (LandTable("land_points", "label"), "'label' of the land table 'public.land_points' has type text"),
        (LandTable("land_points", "geom"), "'public.land_points' has no polygons in 'geom'"),
        (LandTable("land_nosrid"), "'public.land_nosrid' have no SRID"),
        (LandTable("land_points; DROP TABLE ais"), "was not found"),
    ]
    for land, message in cases:
        with pytest.raises(BaiMeiError, match=message):
            detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, GapCriteria(min_shore_nm=10), land=land)
        conn.rollback()
    assert table_exists(conn)


def read_table(conn, name: str) -> list:
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT * FROM {} ORDER BY fid").format(sql.Identifier(*name.split("."))))
        columns = [d.name for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]


def test_gaps_written_to_a_server_table(conn, data, world, uploaded):
    criteria = GapCriteria(min_shore_nm=20.0)
    with conn.cursor() as cur:
        cur.execute("CREATE SCHEMA results")
    conn.commit()
    gaps = detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, criteria, land=uploaded, output_table="results.dark gaps")
    expected = in_process_gaps(data, criteria, land=world)
    assert_same_gaps(gaps, expected, shore=True)
    rows = read_table(conn, "results.dark gaps")
    assert [r["fid"] for r in rows] == list(range(1, len(expected) + 1))
    for row, gap in zip(rows, expected):
        assert row["gap_id"] == gap.gap_id and row["mmsi"] == gap.mmsi
        assert (row["off_time"].timestamp(), row["on_time"].timestamp()) == (gap.off_time, gap.on_time)
        assert row["off_shore_nm"] == pytest.approx(gap.off_shore_nm, rel=1e-9, abs=1e-9)
    with conn.cursor() as cur:
        cur.execute(
            'SELECT ST_AsText(geom), ST_SRID(geom), GeometryType(geom) FROM results."dark gaps" ORDER BY fid LIMIT 1'
        )
        text, srid, kind = cur.fetchone()
        assert (srid, kind) == (4326, "LINESTRING")
        assert (
            text
            == f"LINESTRING({expected[0].off_lon!r} {expected[0].off_lat!r},{expected[0].on_lon!r} "
            f"{expected[0].on_lat!r})".replace("'", "")
        )
        cur.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'results' ORDER BY 1")
        indexes = " | ".join(r[0] for r in cur.fetchall())
        assert "UNIQUE INDEX" in indexes and "(fid)" in indexes and "gist (geom)" in indexes
        assert "(mmsi, off_time)" in indexes
        cur.execute("SELECT obj_description('results.\"dark gaps\"'::regclass, 'pg_class')")
        assert "shore >= 20 nm (land public.baimei_land)" in cur.fetchone()[0]
    # an existing table is replaced only when asked
    with pytest.raises(BaiMeiError, match=r"results\.dark gaps already exists"):
        detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, output_table="results.dark gaps")
    assert len(read_table(conn, "results.dark gaps")) == len(expected)
    again = detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, output_table="results.dark gaps", overwrite=True)
    assert len(read_table(conn, "results.dark gaps")) == len(again) == len(in_process_gaps(data, GapCriteria()))
    assert again[0].off_shore_nm is None


def test_output_table_refusals(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE VIEW ais_view AS SELECT * FROM ais")
    conn.commit()
    cases = [
        ("public.ais", True, "would replace the table the gaps are computed from"),
        ("ais_view", True, "is not a table"),
        ("nowhere.gaps", False, "schema 'nowhere' of the gaps table does not exist"),
        ("x" * 64, False, "longer than PostgreSQL's 63 bytes"),
    ]
    for name, overwrite, message in cases:
        with pytest.raises(BaiMeiError, match=message):
            detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, output_table=name, overwrite=overwrite)
    assert table_exists(conn) and table_exists(conn, "ais_view")


def test_copy_importer_appends_file_by_file_and_keeps_exact_values(conn, data):
    """An archive loaded in two parts (append), indexed at the end: the server's gaps are the in-process ones, with
    positions and times exact (hex EWKB and ISO times in the COPY stream)."""
    from bai_mei_plugin.engines.postgis_import import import_columns, index_table

    n = len(data["mmsi"])
    raw = RawRead(
        columns=AisColumns.build(
            data["mmsi"],
            data["t"],
            data["lon"],
            data["lat"],
            sog=data["sog"],
            draught=data["draught"],
            vessel_name=list(data["names"]),
            destination=list(data["dest"]),
        ),
        rows_read=n,
        unparseable=np.zeros(n, bool),
        not_vessel=np.zeros(n, bool),
    )
    cols = clean(raw).columns
    half = len(cols) // 2
    first, second = cols.take(np.arange(half)), cols.take(np.arange(half, len(cols)))
    assert import_columns(conn, "public.imported", first, indexes=False) == half
    with pytest.raises(BaiMeiError, match="already exists"):
        import_columns(conn, "public.imported", second)
    conn.rollback()
    with pytest.raises(BaiMeiError, match=r"public\.ais exists but is not an AIS table of Bai Mei's importer"):
        import_columns(conn, "public.ais", second, append=True)
    conn.rollback()
    assert import_columns(conn, "public.imported", second, append=True, indexes=False) == len(cols) - half
    index_table(conn, "public.imported")
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM imported")
        assert cur.fetchone()[0] == len(cols)
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'imported' ORDER BY 1")
        assert [r[0] for r in cur.fetchall()] == ["imported_geom", "imported_mmsi_ts"]
    assert_same_gaps(detect_gaps_postgis(conn, "imported", GEOM_COLUMNS), detect_gaps(cols).gaps)


def test_the_postgis_gap_engine_behind_the_common_interface(pg_server, conn, data, world, uploaded):
    from bai_mei_plugin.core.gap_engine import POSTGIS, ReportsLocation
    from bai_mei_plugin.engines.postgis_gaps import LandUpload, PostgisGapEngine

    opened = []

    def connect():
        opened.append(psycopg2.connect(**pg_server.params))
        return opened[-1]

    location = ReportsLocation(POSTGIS, "public.ais (PostGIS test)", "public.ais")
    engine = PostgisGapEngine(connect, "public.ais", GEOM_COLUMNS, location, land=LandUpload(lambda: world))
    assert engine.columns is None and not engine.location.in_memory  # the reports stay on the server
    criteria = GapCriteria(min_gap_hours=8.0, min_shore_nm=12.5)
    found = engine.find_gaps(criteria)
    assert_same_gaps(found.gaps, in_process_gaps(data, criteria, land=world), shore=True)
    assert "Land: QGIS's world map, already on the server as public.baimei_land." in found.notes
    assert found.tracks == [] and all(c.closed for c in opened)  # a connection per run, closed after it
    bare = PostgisGapEngine(connect, "public.ais", GEOM_COLUMNS, location)
    with pytest.raises(BaiMeiError, match="needs land on the server"):
        bare.find_gaps(criteria)
    with pytest.raises(Canceled):
        bare.find_gaps(GapCriteria(), is_canceled=lambda: True)
    assert all(c.closed for c in opened)
    written = PostgisGapEngine(connect, "ais", GEOM_COLUMNS, location, output_table="engine_gaps", overwrite=True)
    again = written.find_gaps(GapCriteria())
    assert written.written_table == ("public", "engine_gaps")
    assert len(read_table(conn, "public.engine_gaps")) == len(again.gaps) == len(in_process_gaps(data, GapCriteria()))


# ---------------------------------------------------------------------------------------------------------------
# Index lookups (a relation with an index on (mmsi, time)): the same gaps as the window statement and in process


def index_time_columns(conn, table: str) -> None:
    """Indexes led by (mmsi, time) for both time columns of a test table: the engine then uses index lookups."""
    with conn.cursor() as cur:
        for time_column in ("ts", "epoch"):
            cur.execute(
                sql.SQL("CREATE INDEX ON {} (mmsi, {})").format(sql.Identifier(table), sql.Identifier(time_column))
            )
        cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    conn.commit()


@pytest.fixture(scope="module")
def indexed(conn, data):
    """The module's reports again, in the same archive order, in a table with the (mmsi, time) indexes."""
    load(conn, data, "ais_indexed")
    index_time_columns(conn, "ais_indexed")
    return "ais_indexed"


@pytest.mark.parametrize("columns", [GEOM_COLUMNS, LONLAT_COLUMNS], ids=["geom-timestamptz", "lonlat-epoch"])
@pytest.mark.parametrize(
    "criteria", [GapCriteria(), GapCriteria(min_gap_hours=8.0, min_positions_before=6)], ids=["default", "strict"]
)
def test_index_lookups_give_the_in_process_gaps(conn, data, indexed, columns, criteria):
    notes = []
    found = detect_gaps_postgis(conn, indexed, columns, criteria, notes=notes)
    assert_same_gaps(found, in_process_gaps(data, criteria))
    assert notes == []  # the index is there: nothing to advise
    assert found == detect_gaps_postgis(conn, "ais", columns, criteria)  # the window statement, field for field


def test_index_lookups_with_time_range_and_bbox(conn, data, indexed):
    lo, hi = START + 86_400, START + 5 * 86_400
    bbox = (-75.0, 22.0, -62.0, 38.0)
    keep = (data["t"] >= lo) & (data["t"] <= hi)
    keep &= (data["lon"] >= bbox[0]) & (data["lon"] <= bbox[2]) & (data["lat"] >= bbox[1]) & (data["lat"] <= bbox[3])
    found = detect_gaps_postgis(conn, indexed, GEOM_COLUMNS, time_range=(lo, hi), bbox=bbox)
    assert_same_gaps(found, in_process_gaps(data, GapCriteria(), keep=keep), at_least=5)


def test_the_plan_uses_the_index_and_a_table_without_it_gets_the_advice(conn, indexed):
    plan = explain_gaps_postgis(conn, indexed, GEOM_COLUMNS, analyze=False)
    assert "ais_indexed_mmsi_ts_idx" in plan and "CREATE INDEX" not in plan
    plan = explain_gaps_postgis(conn, indexed, GEOM_COLUMNS, analyze=True)
    assert "actual time=" in plan and "Buffers:" in plan
    notes = []
    detect_gaps_postgis(conn, "ais", GEOM_COLUMNS, notes=notes)
    assert notes == [
        '"public"."ais" has no index on ("mmsi", "ts"): every report was sorted for the last known draught, '
        "destination and name, which is slow on a large table. Create the index once with: "
        'CREATE INDEX ON "public"."ais" ("mmsi", "ts");'
    ]
    with conn.cursor() as cur:
        cur.execute("CREATE VIEW ais_indexed_view AS SELECT * FROM ais_indexed")
    conn.commit()
    notes = []
    found = detect_gaps_postgis(conn, "ais_indexed_view", GEOM_COLUMNS, notes=notes)
    assert len(found) > 20 and "is a view or foreign table" in notes[0]


HOUR = 3600


def last_known_reports() -> dict:
    """Small crafted reports for the last/first known values around gaps, in archive order (duplicates last)."""
    rows = []  # (mmsi, hour, lon, lat, draught, name, destination)
    a, b, c, d = 211_000_001, 211_000_002, 211_000_003, 211_000_004
    # A: known values, then a run of nulls up to the gap; an invalid report (lat 91) in the run has a draught
    rows.append((a, 0, -70.0, 30.0, 5.0, "ALPHA", "BUSAN"))
    rows += [(a, h, -70.0 + h / 10, 30.0, None, None, None) for h in range(1, 6)]
    rows.append((a, 4.5, -70.0, 91.0, 9.9, "WRONG", "WRONG"))
    rows.append((a, 15, -69.0, 31.0, None, None, None))  # gap 5 h -> 15 h; first known after it at 16 h
    rows.append((a, 15.5, 181.0, 31.0, 1.1, None, "OUT OF RANGE"))
    rows.append((a, 16, -69.0, 31.1, 7.5, None, "NAMPO"))
    rows.append((a, 30, -68.0, 32.0, None, None, None))  # gap 16 h -> 30 h: nothing known after it
    # B: nothing known before its gap; after it a blank destination, then one
    rows += [(b, h, -60.0, 20.0 + h / 10, None, None, None) for h in range(0, 4)]
    rows.append((b, 10, -60.0, 21.0, None, None, None))
    rows.append((b, 11, -60.0, 21.1, 3.3, "BRAVO", "  "))
    rows.append((b, 12, -60.0, 21.2, None, None, "CHONGJIN"))
    # C: duplicates of one (MMSI, second): the first in archive order is kept, whatever the later ones carry
    rows.append((c, 0, -50.0, 10.0, 4.0, "CHARLIE", None))
    rows.append((c, 1, -50.0, 10.1, 4.5, None, None))
    rows.append((c, 2, -50.0, 10.2, None, None, None))
    rows.append((c, 9, -50.0, 11.0, None, None, None))  # gap 2 h -> 9 h
    rows.append((c, 10, -50.0, 11.1, 7.7, None, "HAIPHONG"))
    rows.append((c, 1, -50.5, 10.5, 9.0, "LOSER", "LOSER"))  # duplicates, later in the archive
    rows.append((c, 2, -50.5, 10.5, 8.8, "LOSER", "LOSER"))
    rows.append((c, 9, -50.5, 10.5, 6.6, "LOSER", "LOSER"))
    # D: never a name, draught or destination
    rows += [(d, h, -40.0, 5.0, None, None, None) for h in (0, 1, 12, 13)]
    mmsi, hours, lon, lat, draught, names, dest = zip(*rows)
    return {
        "mmsi": np.array(mmsi, dtype=np.int64),
        "t": START + (np.array(hours) * HOUR).astype(np.int64),
        "lon": np.array(lon),
        "lat": np.array(lat),
        "sog": np.full(len(rows), 10.0),
        "draught": np.array([np.nan if v is None else v for v in draught]),
        "names": np.array(names, dtype=object),
        "dest": np.array(dest, dtype=object),
    }


@pytest.fixture(scope="module")
def last_known(conn):
    data = last_known_reports()
    load(conn, data, "last_known_plain")
    load(conn, data, "last_known")
    index_time_columns(conn, "last_known")
    with conn.cursor() as cur:  # a later duplicate 0.4 s later in the same second: first on a backward walk
        cur.execute("UPDATE last_known SET ts = ts + interval '0.4 s' WHERE vessel_name = 'LOSER'")
        cur.execute("UPDATE last_known_plain SET ts = ts + interval '0.4 s' WHERE vessel_name = 'LOSER'")
    conn.commit()
    return data


LAST_KNOWN_EXPECTED = [
    # mmsi, off hour, on hour, draught before/after, destination before/after, name
    (211_000_001, 5, 15, 5.0, 7.5, "BUSAN", "NAMPO", "ALPHA"),
    (211_000_001, 16, 30, 7.5, None, "NAMPO", None, "ALPHA"),
    (211_000_002, 3, 10, None, 3.3, None, "CHONGJIN", "BRAVO"),
    (211_000_003, 2, 9, 4.5, 7.7, None, "HAIPHONG", "CHARLIE"),
    (211_000_004, 1, 12, None, None, None, None, None),
]


@pytest.mark.parametrize("table", ["last_known", "last_known_plain"], ids=["index-lookups", "windows"])
@pytest.mark.parametrize("columns", [GEOM_COLUMNS, LONLAT_COLUMNS], ids=["geom-timestamptz", "lonlat-epoch"])
def test_last_known_values_around_gaps(conn, last_known, table, columns):
    criteria = GapCriteria(min_gap_hours=6.0)
    notes = []
    found = detect_gaps_postgis(conn, table, columns, criteria, notes=notes)
    assert (notes == []) == (table == "last_known")  # the index decides which statement runs
    assert_same_gaps(found, in_process_gaps(last_known, criteria), at_least=5)
    got = [
        (
            g.mmsi,
            (g.off_time - START) / HOUR,
            (g.on_time - START) / HOUR,
            g.draught_before,
            g.draught_after,
            g.destination_before,
            g.destination_after,
            g.vessel_name,
        )
        for g in found
    ]
    assert got == LAST_KNOWN_EXPECTED


def test_last_known_values_with_an_order_column(conn, last_known):
    """An ``order`` column picks the duplicate kept: here the later rows of the archive (highest id first)."""
    columns = dict(GEOM_COLUMNS, order="rank")
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE last_known ADD COLUMN IF NOT EXISTS rank integer")
        cur.execute("UPDATE last_known SET rank = -id")
    conn.commit()
    found = {(g.mmsi, g.off_time): g for g in detect_gaps_postgis(conn, "last_known", columns)}
    charlie = found[(211_000_003, START + 2 * HOUR)]
    # the "LOSER" rows now win their seconds: 8.8 at 2 h, 6.6 at 9 h, and their name and destination
    assert (charlie.draught_before, charlie.draught_after) == (8.8, 6.6)
    assert (charlie.destination_before, charlie.destination_after, charlie.vessel_name) == ("LOSER", "LOSER", "LOSER")
    assert (charlie.off_lon, charlie.on_lon) == (-50.5, -50.5)


def test_last_known_values_with_float_mmsi_and_float4_draught(conn, last_known):
    """A user's table with a float MMSI (a range on the index, then the cast) and a float4 draught (read as shown)."""
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE last_known_float AS SELECT id, mmsi::float8 AS mmsi, ts, geom, sog, draught::float4 AS "
            "draught, vessel_name, destination FROM last_known_plain ORDER BY id"
        )
        cur.execute("CREATE INDEX ON last_known_float (mmsi, ts)")
        cur.execute("ANALYZE last_known_float")
    conn.commit()
    notes = []
    found = detect_gaps_postgis(conn, "last_known_float", GEOM_COLUMNS, notes=notes)
    assert notes == []
    got = [
        (g.mmsi, g.draught_before, g.draught_after, g.destination_before, g.destination_after, g.vessel_name)
        for g in found
    ]
    assert got == [(e[0], *e[3:]) for e in LAST_KNOWN_EXPECTED]


def test_index_lookup_gaps_written_to_a_server_table(conn, last_known):
    found = detect_gaps_postgis(conn, "last_known", GEOM_COLUMNS, output_table="last_known_gaps", overwrite=True)
    assert [
        (g.mmsi, g.draught_before, g.draught_after, g.destination_before, g.destination_after, g.vessel_name)
        for g in found
    ] == [(e[0], *e[3:]) for e in LAST_KNOWN_EXPECTED]
    assert len(read_table(conn, "public.last_known_gaps")) == len(LAST_KNOWN_EXPECTED)
