"""The PostGIS engine gives the gaps of the in-process engine, on a real throwaway PostgreSQL + PostGIS server."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest

from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import AisColumns, RawRead
from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.gaps import GapCriteria, detect_gaps
from tests.pg_server import PgServer, unavailable_reason

psycopg2 = pytest.importorskip("psycopg2", reason="the PostGIS engine tests need psycopg2 (python3-psycopg2)")
from psycopg2 import sql  # noqa: E402

from bai_mei_plugin.core.engines.postgis_gaps import DISTANCE_SCALE, detect_gaps_postgis  # noqa: E402

START = 1_590_969_600  # 2020-06-01T00:00:00Z
GEOM_COLUMNS = {"mmsi": "mmsi", "time": "ts", "geometry": "geom", "sog": "sog", "draught": "draught",
                "destination": "destination", "vessel_name": "vessel_name"}
LONLAT_COLUMNS = {"mmsi": "mmsi", "time": "epoch", "lon": "lon", "lat": "lat", "sog": "sog", "draught": "draught",
                  "destination": "destination", "vessel_name": "vessel_name"}


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
    data = {"mmsi": mmsi, "t": t, "lon": lon, "lat": lat, "sog": np.round(rng.uniform(0, 20, rows), 1),
            "draught": draught, "names": names, "dest": dest.astype(object)}
    return {key: value[order] for key, value in data.items()}


def in_process_gaps(data: dict, criteria: GapCriteria, keep=None):
    """The reference: the same rows in archive order through the core clean + detect_gaps."""
    d = data if keep is None else {key: value[keep] for key, value in data.items()}
    cols = AisColumns.build(d["mmsi"], d["t"], d["lon"], d["lat"], sog=d["sog"], draught=d["draught"],
                            vessel_name=list(d["names"]), destination=list(d["dest"]))
    n = len(d["mmsi"])
    raw = RawRead(columns=cols, rows_read=n, unparseable=np.zeros(n, bool), not_vessel=np.zeros(n, bool))
    return detect_gaps(clean(raw).columns, criteria).gaps


def assert_same_gaps(found, expected, at_least: int = 20) -> None:
    assert len(expected) >= at_least  # the data really has gaps to compare
    assert len(found) == len(expected)
    for a, b in zip(found, expected):
        assert (a.mmsi, a.off_time, a.on_time, a.gap_id) == (b.mmsi, b.off_time, b.on_time, b.gap_id)
        assert a.distance_nm == pytest.approx(b.distance_nm, rel=1e-6)  # the brief asks 0.5 %; it is far closer
        assert a.implied_speed_kn == pytest.approx(b.implied_speed_kn, rel=1e-6)
        assert a.gap_hours == b.gap_hours
        assert (a.off_lon, a.off_lat, a.on_lon, a.on_lat) == (b.off_lon, b.off_lat, b.on_lon, b.on_lat)
        assert (a.vessel_name, a.sog_before, a.sog_after, a.draught_before, a.draught_after) == \
            (b.vessel_name, b.sog_before, b.sog_after, b.draught_before, b.draught_after)
        assert (a.destination_before, a.destination_after, a.positions_12h_before) == \
            (b.destination_before, b.destination_after, b.positions_12h_before)
        assert a.off_shore_nm is None and a.on_shore_nm is None


def _field(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load(conn, data: dict, table: str = "ais") -> None:
    """COPY the reports, in archive order, into a table with both a geometry and lon/lat columns."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE TABLE {} (id serial PRIMARY KEY, mmsi bigint, ts timestamptz, epoch bigint, "
                            "geom geometry(Point, 4326), lon float8, lat float8, sog float8, draught float8, "
                            "vessel_name text, destination text)").format(sql.Identifier(table)))
        buf = io.StringIO()
        for m, t, lon, lat, sog, dr, name, dest in zip(*(data[k].tolist() for k in (
                "mmsi", "t", "lon", "lat", "sog", "draught", "names", "dest"))):
            stamp = dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()
            fields = [m, stamp, t, f"SRID=4326;POINT({lon!r} {lat!r})", repr(lon), repr(lat), repr(sog), dr, name,
                      dest]
            buf.write("\t".join(_field(f) for f in fields) + "\n")
        buf.seek(0)
        cur.copy_expert(sql.SQL("COPY {} (mmsi, ts, epoch, geom, lon, lat, sog, draught, vessel_name, destination) "
                                "FROM STDIN").format(sql.Identifier(table)).as_string(conn), buf)
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
    bare = {**data, "sog": np.full(len(data["t"]), np.nan), "draught": np.full(len(data["t"]), np.nan),
            "names": np.full(len(data["t"]), None, dtype=object), "dest": np.full(len(data["t"]), None, dtype=object)}
    assert_same_gaps(detect_gaps_postgis(conn, ("public", "ais"), columns, criteria), in_process_gaps(bare, criteria))


def test_time_range_and_bbox(conn, data):
    t0, t1 = (int(v) for v in np.quantile(data["t"], [0.2, 0.8]))
    box = (-75.0, 22.0, -62.0, 38.0)
    keep = ((data["t"] >= t0) & (data["t"] <= t1) & (data["lon"] >= box[0]) & (data["lon"] <= box[2])
            & (data["lat"] >= box[1]) & (data["lat"] <= box[3]))
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


@pytest.mark.parametrize("table", ["ais; DROP TABLE ais", 'ais"; DROP TABLE ais; --', "public.ais; DROP TABLE ais",
                                   "ais' OR '1'='1", "public\".ais"])
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
        cur.execute(sql.SQL("CREATE TABLE {} AS SELECT id, mmsi AS {}, ts, geom FROM ais ORDER BY id").format(
            sql.Identifier(table), sql.Identifier(column)))
    conn.commit()
    gaps = detect_gaps_postgis(conn, table, {"mmsi": column, "time": "ts", "geometry": "geom", "order": "id"})
    assert table_exists(conn)
    bare = {**data, "sog": np.full(len(data["t"]), np.nan), "draught": np.full(len(data["t"]), np.nan),
            "names": np.full(len(data["t"]), None, dtype=object), "dest": np.full(len(data["t"]), None, dtype=object)}
    assert_same_gaps(gaps, in_process_gaps(bare, GapCriteria()))
