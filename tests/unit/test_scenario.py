"""Tests of the synthetic BAI MEI 8 scenario (bai_mei_plugin.demo) and the ports gazetteer.

The scenario is generated once per module and read back with the csv module, independently of the plugin's readers.
"""

import csv
import gc
import hashlib
import json
import math
import operator
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.ports import Port, load_ports
from bai_mei_plugin.demo import fleet, routing, scenario, tables, world, writer
from bai_mei_plugin.demo import nampo as nampo_at

REPO = Path(__file__).resolve().parents[2]
PORTS_CSV = REPO / "resources" / "ports" / "ports.csv"
WORLD_MAP = Path("/usr/share/qgis/resources/data/world_map.gpkg")
SIX_HOURS = 6 * 3600
HEADER = (
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,"
    "Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type"
)


def _epoch(text: str) -> int:
    return int(datetime.strptime(text, "%d/%m/%Y %H:%M:%S").replace(tzinfo=timezone.utc).timestamp())


def _parse_times(texts) -> np.ndarray:
    """Day-first ``dd/mm/YYYY HH:MM:SS`` strings to epoch seconds, vectorised (strptime on 1M rows is slow)."""
    b = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8).reshape(-1, 19).astype(np.int64) - 48
    day, month = b[:, 0] * 10 + b[:, 1], b[:, 3] * 10 + b[:, 4]
    year = b[:, 6] * 1000 + b[:, 7] * 100 + b[:, 8] * 10 + b[:, 9]
    months = ((year - 1970) * 12 + month - 1).astype("timedelta64[M]")
    days = (np.datetime64("1970-01", "M") + months).astype("datetime64[D]").astype(np.int64) + day - 1
    return days * 86400 + (b[:, 11] * 10 + b[:, 12]) * 3600 + (b[:, 14] * 10 + b[:, 15]) * 60 + b[:, 17] * 10 + b[:, 18]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "aisdk_bai_mei_synthetic.csv"
    info = scenario.generate_scenario(path)
    return info, path


@pytest.fixture(scope="module")
def table(generated):
    """The written file as columns (numpy arrays, strings kept as arrays of str)."""
    _info, path = generated
    keep = operator.itemgetter(0, 1, 2, 3, 4, 5, 7, 10, 12, 18, 19)
    widths = set()
    # a million small tuples make the cyclic garbage collector rescan everything again and again: pause it
    gc.disable()
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            next(reader)
            picked = []
            for row in reader:
                widths.add(len(row))
                picked.append(keep(row))
        cols = list(zip(*picked))
        del picked
    finally:
        gc.enable()
    assert widths == {22}, "every row has the 22 aisdk fields"
    n = len(cols[0])

    def text(i):  # object arrays: cheap to build, and == comparisons work on them
        return np.array(cols[i], dtype=object)

    return {
        "time_text": cols[0],
        "t": _parse_times(cols[0]),
        "mobile": text(1),
        "mmsi": np.fromiter(map(int, cols[2]), np.int64, n),
        "lat": np.fromiter(map(float, cols[3]), float, n),
        "lon": np.fromiter(map(float, cols[4]), float, n),
        "status": text(5),
        "sog": text(6),
        "imo": text(7),
        "name": text(8),
        "draught": text(9),
        "destination": text(10),
    }


@pytest.fixture(scope="module")
def bai_mei(table):
    mask = table["mmsi"] == scenario.BAI_MEI_MMSI
    return {name: (np.asarray(col)[mask]) for name, col in table.items()}


def _is_vessel(mobile: np.ndarray) -> np.ndarray:
    return (mobile == "Class A") | (mobile == "Class B")


def _long_gaps(t: np.ndarray):
    gaps = np.diff(t)
    return [(int(t[i]), int(t[i + 1])) for i in np.flatnonzero(gaps >= SIX_HOURS)]


# ---------------------------------------------------------------------------------------------------- the file


def test_header_is_exactly_aisdk(generated):
    _info, path = generated
    with open(path, encoding="utf-8") as f:
        assert f.readline() == HEADER + "\n"
    assert writer.AISDK_HEADER == HEADER


def test_same_seed_gives_identical_bytes(generated, tmp_path):
    info, path = generated
    again = scenario.generate_scenario(tmp_path / "again.csv", seed=2017)
    digest = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in (path, again.path)]
    assert digest[0] == digest[1]
    assert again.expected_gaps == info.expected_gaps


def test_another_seed_gives_another_fleet():
    fleet_a, _rng, _graph = scenario.build_vessels(2017)
    fleet_b, _rng, _graph = scenario.build_vessels(7)
    assert [v.mmsi for v in fleet_a][1:20] != [v.mmsi for v in fleet_b][1:20]
    assert fleet_a[0].mmsi == fleet_b[0].mmsi == scenario.BAI_MEI_MMSI


def test_rows_sorted_by_time_and_interleaved(table):
    t = table["t"]
    assert np.all(np.diff(t) >= 0)
    assert len(np.unique(table["mmsi"][:2000])) > 50, "vessels are interleaved, not written one after another"
    for i in (0, len(t) // 2, len(t) - 1):  # the vectorised time parser agrees with strptime
        assert t[i] == _epoch(table["time_text"][i])
    assert t[0] >= world.SCENARIO_START and t[-1] < world.SCENARIO_END


def test_info_counts_match_the_file(generated, table):
    info, _path = generated
    assert info.rows == len(table["t"])
    assert 500_000 <= info.rows <= 1_500_000
    vessel = _is_vessel(table["mobile"])
    assert info.vessels == len(np.unique(table["mmsi"][vessel]))
    assert info.bai_mei_mmsi == scenario.BAI_MEI_MMSI
    assert "SYNTHETIC" in info.notice


def test_background_traffic(table):
    mobile = table["mobile"]
    vessel = _is_vessel(mobile)
    others = set(np.unique(table["mmsi"][vessel]).tolist()) - {scenario.BAI_MEI_MMSI}
    assert len(others) >= 200
    assert len(np.unique(table["mmsi"][mobile == "Class B"])) >= 10
    for kind in ("Base Station", "AtoN"):
        assert 0 < np.count_nonzero(mobile == kind) < 500, "a few rows the reader must drop"
    assert set(mobile.tolist()) == {"Class A", "Class B", "Base Station", "AtoN"}
    statuses = set(table["status"].tolist())
    assert {"Under way using engine", "At anchor", "Moored", "Engaged in fishing"} <= statuses
    # ordinary long gaps exist among the background vessels too, so the BAI MEI 8 is not trivially the only one
    t, mmsi = table["t"], table["mmsi"]
    order = np.lexsort((t, mmsi))
    same = mmsi[order][1:] == mmsi[order][:-1]
    long_gap = same & (np.diff(t[order]) >= SIX_HOURS)
    assert len(set(mmsi[order][1:][long_gap].tolist()) - {scenario.BAI_MEI_MMSI}) >= 20


# ---------------------------------------------------------------------------------------------------- the story


def test_bai_mei_identity(bai_mei):
    assert len(bai_mei["t"]) > 1000
    assert set(bai_mei["name"].tolist()) == {"BAI MEI 8"}
    assert set(bai_mei["mobile"].tolist()) == {"Class A"}
    (imo,) = set(bai_mei["imo"].tolist())
    assert not fleet.imo_is_valid(imo), "the synthetic IMO must not be a possible real one"
    assert str(scenario.BAI_MEI_MMSI).startswith("200"), "MID 200 is not allocated to any country"


def test_bai_mei_gaps_are_the_expected_dark_periods(generated, bai_mei):
    info, _path = generated
    assert _long_gaps(bai_mei["t"]) == [tuple(g) for g in info.expected_gaps]
    assert len(info.expected_gaps) == 2
    (off1, on1), (off2, on2) = info.expected_gaps
    assert _epoch("15/06/2017 00:00:00") <= off1 < _epoch("16/06/2017 00:00:00")
    assert _epoch("19/06/2017 00:00:00") <= on1 < _epoch("20/06/2017 00:00:00")
    assert _epoch("03/07/2017 00:00:00") <= off2 < _epoch("04/07/2017 00:00:00")
    assert on2 > _epoch("07/07/2017 00:00:00")  # Nampo on 6 July lies inside the second gap
    # the only other gaps are ordinary reporting intervals
    assert np.diff(bai_mei["t"]).max() == max(on1 - off1, on2 - off2)


def test_bai_mei_lies_at_the_real_nampos_coal_wharf_inside_both_gaps(generated):
    """The story at the real Nampo (demo/nampo.py): alongside at the berth of the SkySat scenes on 16-17 June and
    5-6 July, both times inside a dark gap."""
    info, _path = generated
    vessels, _rng, _graph = scenario.build_vessels()
    track = vessels[0].track
    assert vessels[0].mmsi == scenario.BAI_MEI_MMSI
    for day, month, (off, on) in ((16, 6, info.expected_gaps[0]), (5, 7, info.expected_gaps[1])):
        for hour in range(12, 48, 6):  # noon of the first day to the evening of the next
            t = world.epoch(day, month) + hour * 3600
            lat = float(np.interp(t, track.kt, track.klat))
            lon = float(np.interp(t, track.kt, track.klon))
            assert off < t < on, (day, month, hour)
            assert (lat, lon) == (
                pytest.approx(nampo_at.BERTH_LAT, abs=1e-6),
                pytest.approx(nampo_at.BERTH_LON, abs=1e-6),
            )


def test_bai_mei_goes_dark_at_sea_in_the_yellow_sea(generated, bai_mei):
    info, _path = generated
    t = bai_mei["t"]
    for off, _on in info.expected_gaps:
        i = int(np.flatnonzero(t == off)[0])
        lat, lon = bai_mei["lat"][i], bai_mei["lon"][i]
        assert 33.5 < lat < 39.0 and 121.5 < lon < 125.0, (lat, lon)
        assert bai_mei["status"][i] == "Under way using engine"


def test_bai_mei_draught_and_destination_around_first_gap(generated, bai_mei):
    info, _path = generated
    (off, on), _second = info.expected_gaps
    t, draught, dest = bai_mei["t"], bai_mei["draught"].astype(float), bai_mei["destination"]
    before, after = t == off, t == on
    assert draught[before][0] < draught[after][0]
    assert draught[before][0] == pytest.approx(6.5) and draught[after][0] == pytest.approx(11.5)
    departed = _epoch("10/06/2017 02:00:00")
    sailing = (t >= departed) & (t <= off)
    assert sailing.sum() > 20 and set(dest[sailing].tolist()) == {"VLADIVOSTOK"}
    assert dest[after][0] == "VLADIVOSTOK"
    # the analyst sees it leave Lianyungang and, after discharge at Vladivostok, head for Ningbo in ballast
    assert dest[0] == "LIANYUNGANG"
    ningbo = dest == "NINGBO"
    assert ningbo.any() and np.all(draught[ningbo] == pytest.approx(6.5))


def test_bai_mei_reporting_rhythm(bai_mei):
    t, status = bai_mei["t"], bai_mei["status"]
    sog = bai_mei["sog"].astype(float)
    under_way = (status == "Under way using engine") & (sog > 8.0)
    assert 9.5 < np.median(sog[under_way]) < 12.5
    moored = np.flatnonzero(status == "Moored")
    consecutive = moored[1:][np.diff(moored) == 1]
    intervals = t[consecutive] - t[consecutive - 1]
    assert 180 <= np.median(intervals) <= 360
    assert np.median(sog[status == "Moored"]) < 0.3


# ---------------------------------------------------------------------------------------------------- land


def _gpkg_geometry(blob: bytes):
    """Shapely geometry of a world-map row: GeoPackage binary, or a SpatiaLite blob as QGIS 3.40+ stores some."""
    from shapely import wkb

    from bai_mei_plugin.core.land import geometry_blob_to_wkb

    return wkb.loads(geometry_blob_to_wkb(blob))


# Land is tested in a local plane in km (longitudes scaled at 37 N, the middle of the area): good to ~10 %.
KM_X = math.cos(math.radians(37.0)) * 111.32
KM_Y = 110.57


@pytest.fixture(scope="module")
def land_km():
    """Natural Earth land (QGIS world map) around the scenario area, in the local km plane."""
    if not WORLD_MAP.exists():
        pytest.skip(f"no land mask: {WORLD_MAP} (QGIS resources) is not installed")
    from shapely import affinity
    from shapely.geometry import box
    from shapely.ops import unary_union

    area = box(114.0, 26.0, 145.0, 47.0)
    con = sqlite3.connect(f"file:{WORLD_MAP}?mode=ro", uri=True)
    try:
        blobs = [row[0] for row in con.execute("SELECT geom FROM countries")]
    finally:
        con.close()
    parts = [g.intersection(area) for g in map(_gpkg_geometry, blobs) if g.intersects(area)]
    return affinity.scale(unary_union(parts), xfact=KM_X, yfact=KM_Y, origin=(0, 0))


def _points_inside(geometry, lat, lon) -> np.ndarray:
    from shapely.geometry import Point
    from shapely.prepared import prep

    prepared = prep(geometry)
    return np.array([prepared.contains(Point(x * KM_X, y * KM_Y)) for y, x in zip(lat, lon)], dtype=bool)


def test_no_vessel_position_on_land(table, bai_mei, land_km):
    """Positions may touch the (generalised) coast near ports, but none lies more than 3 km inside land."""
    vessel = np.flatnonzero(_is_vessel(table["mobile"]))
    sample = np.random.default_rng(0).choice(vessel, 20_000, replace=False)
    lat = np.concatenate((table["lat"][sample], bai_mei["lat"]))
    lon = np.concatenate((table["lon"][sample], bai_mei["lon"]))
    inland = _points_inside(land_km.buffer(-3.0), lat, lon)
    assert not inland.any(), list(zip(lat[inland][:10], lon[inland][:10]))


def test_sea_graph_stays_off_land(land_km):
    """Every leg of the waypoint graph and of the port approaches, and every fishing ground, is at sea."""
    graph = routing.SeaGraph()
    lines = [(graph.coords[a], graph.coords[b]) for a, b in world.SEA_EDGES]
    for chain in graph.chains.values():
        lines += list(zip(chain[:-1], chain[1:]))
    f = np.linspace(0.0, 1.0, 200)
    lat = np.concatenate([a[0] + f * (b[0] - a[0]) for a, b in lines])
    lon = np.concatenate([a[1] + f * (b[1] - a[1]) for a, b in lines])
    inland = _points_inside(land_km.buffer(-1.0), lat, lon)
    assert not inland.any(), list(zip(lat[inland][:10], lon[inland][:10]))
    from shapely.geometry import Point

    for name, (glat, glon, radius_nm, _links) in world.FISHING_GROUNDS.items():
        disc = Point(glon * KM_X, glat * KM_Y).buffer(radius_nm * 1.852 * 1.2)
        assert not disc.intersects(land_km), name


# ---------------------------------------------------------------------------------------------------- routes


def test_routes_join_every_pair_of_ports():
    graph = routing.SeaGraph()
    codes = [p[1] for p in world.PORT_TABLE]
    for a in codes:
        for b in codes:
            if a != b:
                lat, lon = graph.route(a, b)
                assert (lat[0], lon[0]) == graph.coords[a] and (lat[-1], lon[-1]) == graph.coords[b]
    # a short hop stays short: Busan to Shimonoseki does not go round Japan
    assert graph.route_nm("KRPUS", "JPSHS") < 150


def test_imo_check_digit():
    assert fleet.imo_is_valid("9074729")
    assert not fleet.imo_is_valid(scenario.BAI_MEI_IMO)
    assert not fleet.imo_is_valid("907472")


# ---------------------------------------------------------------------------------------------------- ports


def test_ports_gazetteer_matches_the_scenario():
    ports = load_ports(PORTS_CSV)
    assert 30 <= len(ports) <= 45
    codes = {p.locode for p in ports}
    assert {"KPNAM", "CNLYG", "RUVVO", "CNNGB"} <= codes
    assert [(p.name, p.locode, p.country, p.lat, p.lon) for p in ports] == list(world.PORT_TABLE)
    nampo = next(p for p in ports if p.locode == "KPNAM")
    # the World Port Index's Nampo, where the story's Nampo now is (demo/nampo.py)
    assert nampo == Port("Nampo", "KPNAM", "KP", nampo_at.NAMPO_LAT, nampo_at.NAMPO_LON)


def test_ports_are_on_the_water(land_km):
    ports = load_ports(PORTS_CSV)
    lat = np.array([p.lat for p in ports])
    lon = np.array([p.lon for p in ports])
    inland = _points_inside(land_km.buffer(-1.0), lat, lon)
    assert not inland.any(), [p.name for p, bad in zip(ports, inland) if bad]


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,locode,country,lat\nX,KPNAM,KP,1\n", "line 1: missing column(s) lon"),
        ("name,locode,country,lat,lon\nNampo,KPNAM,KP,38.7,125.1\nBad,CNXXX,CN,north,120\n", "line 3: lat 'north'"),
        ("name,locode,country,lat,lon\nBad,CNXXX,CN,95,120\n", "line 2: lat 95.0 is outside"),
        ("name,locode,country,lat,lon\nBad,CN1,CN,30,120\n", "line 2: LOCODE 'CN1'"),
        ("name,locode,country,lat,lon\n,CNXXX,CN,30,120\n", "line 2: empty port name"),
        ("name,locode,country,lat,lon\nA,CNXXX,CN,30,120\n\nB,CNXXX,CN,31,121\n", "line 4: LOCODE CNXXX already"),
        ("name,locode,country,lat,lon\nA,CNXXX,CN,30,120,extra\n", "line 2: more fields"),
    ],
)
def test_load_ports_rejects_bad_rows(tmp_path, text, message):
    path = tmp_path / "ports.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_ports(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_load_ports_accepts_bom_blank_lines_and_extra_columns(tmp_path):
    path = tmp_path / "ports.csv"
    path.write_text("\ufeffname,locode,country,lat,lon,note\nNampo,kpnam,kp,38.7,125.15,x\n\n", encoding="utf-8")
    assert load_ports(path) == [Port("Nampo", "KPNAM", "KP", 38.7, 125.15)]


# ---------------------------------------------------------------------------------------------------- the demo package


def test_the_csv_has_a_companion_saying_it_is_synthetic(generated):
    info, path = generated
    assert info.synthetic and info.metadata_path == str(path) + ".json"
    companion = json.loads(Path(info.metadata_path).read_text(encoding="utf-8"))
    assert companion["synthetic"] is True and companion["notice"] == info.notice
    assert companion["data"] == path.name and companion["rows"] == info.rows
    assert companion["vessel_of_interest"] == scenario.BAI_MEI_MMSI
    assert [tuple(g) for g in companion["expected_gaps"]] == info.expected_gaps


def test_the_demo_tables_are_labelled_synthetic_and_read_in_file_order():
    folder = REPO / "resources" / "demo"
    assert "SYNTHETIC" in (folder / "README.md").read_text(encoding="utf-8")
    with open(folder / "sea_edges.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["from", "to"] and [tuple(r) for r in rows[1:]] == list(world.SEA_EDGES)
    assert list(world.GATES) == ["GATE_S", "GATE_SE", "GATE_TSG"]  # the order the traders' random choices use
    assert fleet.TUG_PORTS == ("KRPUS", "CNTAO", "KRUSN", "RUVVO")


def test_a_bad_demo_table_is_named_with_its_row_and_column(tmp_path, monkeypatch):
    bad = tmp_path / "waypoints.csv"
    bad.write_text("name,lat,lon\nA,38.5,120.0\nB,north,121.0\n", encoding="utf-8")
    monkeypatch.setattr(tables, "table_path", lambda name: str(tmp_path / name))
    columns = (("name", str), ("lat", float), ("lon", float))
    with pytest.raises(BaiMeiError, match=r"Row 3 of the demo table .*waypoints.csv: lat is 'north'"):
        tables.read_table("waypoints.csv", columns)
    with pytest.raises(BaiMeiError, match=r"has the columns name, lat; expected name, lat, lon"):
        bad.write_text("name,lat\nA,38.5\n", encoding="utf-8")
        tables.read_table("waypoints.csv", columns)
    with pytest.raises(BaiMeiError, match=r"Cannot read the demo table .*gates.csv"):
        tables.read_table("gates.csv", columns)


def test_no_product_module_imports_the_demo():
    """core/ and the rest of the plugin stand alone: only the demo imports the product, never the other way."""
    import ast

    package = REPO / "bai_mei_plugin"
    offenders = []
    for path in package.rglob("*.py"):
        if path.is_relative_to(package / "demo"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module or ''}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if "demo" in n.split(".")]
    assert offenders == []
