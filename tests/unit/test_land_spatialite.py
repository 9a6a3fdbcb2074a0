"""The land reader on GeoPackages whose rows hold SpatiaLite blobs (QGIS 3.40+'s world map stores Russia and Ukraine
that way) as well as GeoPackage binary."""

import sqlite3
import struct
from pathlib import Path

import pytest
from shapely import wkb
from shapely.geometry import MultiPolygon, Polygon

from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.land import LandIndex, geometry_blob_to_wkb, read_gpkg_geometries

DATA = Path(__file__).parent / "data"
SQUARE = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)]
HOLE = [(0.5, 0.5), (1.5, 0.5), (1.5, 1.5), (0.5, 1.5), (0.5, 0.5)]
FAR_SQUARE = [(10.0, 10.0), (11.0, 10.0), (11.0, 11.0), (10.0, 11.0), (10.0, 10.0)]


# ------------------------------------------------------------------------- SpatiaLite blobs written by hand


def _ring(order, ring, z=False, m=False, compressed=False):
    out = struct.pack(order + "i", len(ring))
    previous = None
    for i, (x, y) in enumerate(ring):
        if compressed and 0 < i < len(ring) - 1:
            out += struct.pack(order + "ff", x - previous[0], y - previous[1])
            out += struct.pack(order + "f", 0.25) * z + struct.pack(order + "d", 7.0) * m
        else:
            out += struct.pack(order + "dd", x, y) + struct.pack(order + "d", 100.0) * z
            out += struct.pack(order + "d", 7.0) * m
        previous = (x, y)
    return out


def _polygon_body(order, rings, **dims):
    return struct.pack(order + "i", len(rings)) + b"".join(_ring(order, r, **dims) for r in rings)


def _spatialite(order, class_type, body, bounds=(0.0, 0.0, 11.0, 11.0), srid=4326):
    endian = b"\x01" if order == "<" else b"\x00"
    return (
        b"\x00"
        + endian
        + struct.pack(order + "i", srid)
        + struct.pack(order + "4d", *bounds)
        + b"\x7c"
        + struct.pack(order + "i", class_type)
        + body
        + b"\xfe"
    )


def _multipolygon(order, polygons, member_type=3, **dims):
    body = struct.pack(order + "i", len(polygons))
    for rings in polygons:
        body += b"\x69" + struct.pack(order + "i", member_type) + _polygon_body(order, rings, **dims)
    return _spatialite(order, 6 + (member_type - 3), body)


def _gpkg_header(blob, srs_id=4326):
    """GeoPackage binary header with an xy envelope, in front of another encoding (as QGIS's world map has it)."""
    return b"GP\x00\x03" + struct.pack("<i", srs_id) + struct.pack("<4d", 0.0, 11.0, 0.0, 11.0) + blob


def _write_gpkg(path, blobs, layer="countries"):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT)")
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom')", (layer,))
    con.execute(f"CREATE TABLE {layer} (fid INTEGER PRIMARY KEY, geom BLOB)")
    con.executemany(f"INSERT INTO {layer} (geom) VALUES (?)", [(b,) for b in blobs])
    con.commit()
    con.close()
    return str(path)


def test_little_endian_multipolygon_in_a_geopackage_header():
    blob = _gpkg_header(_multipolygon("<", [[SQUARE, HOLE], [FAR_SQUARE]]))
    geometry = wkb.loads(geometry_blob_to_wkb(blob))
    assert isinstance(geometry, MultiPolygon)
    assert geometry.equals(MultiPolygon([Polygon(SQUARE, [HOLE]), Polygon(FAR_SQUARE)]))
    assert geometry.area == pytest.approx(4.0 - 1.0 + 1.0)


def test_big_endian_polygon_without_a_geopackage_header():
    blob = _spatialite(">", 3, _polygon_body(">", [SQUARE, HOLE]))
    assert wkb.loads(geometry_blob_to_wkb(blob)).equals(Polygon(SQUARE, [HOLE]))


def test_z_and_m_are_dropped():
    blob = _spatialite("<", 3003, _polygon_body("<", [SQUARE], z=True, m=True))
    geometry = wkb.loads(geometry_blob_to_wkb(blob))
    assert not geometry.has_z
    assert geometry.equals(Polygon(SQUARE))


@pytest.mark.parametrize("class_type, dims", [(1000003, {}), (1001003, {"z": True}), (1003003, {"z": True, "m": True})])
def test_compressed_polygons_are_rebuilt_from_offsets(class_type, dims):
    ring = [(30.1, 50.2), (30.4, 50.25), (30.45, 50.6), (30.05, 50.55), (30.1, 50.2)]
    blob = _spatialite("<", class_type, _polygon_body("<", [ring], compressed=True, **dims))
    coords = wkb.loads(geometry_blob_to_wkb(blob)).exterior.coords
    assert [v for xy in coords for v in xy] == pytest.approx([v for xy in ring for v in xy], abs=1e-5)  # float32


def test_geopackage_binary_rows_still_read():
    plain = Polygon(FAR_SQUARE).wkb
    assert geometry_blob_to_wkb(_gpkg_header(plain)) == plain
    assert geometry_blob_to_wkb(plain) == plain


def test_land_index_from_a_geopackage_mixing_both_encodings(tmp_path):
    path = _write_gpkg(
        tmp_path / "mixed.gpkg",
        [
            _gpkg_header(Polygon(FAR_SQUARE).wkb),
            _gpkg_header(_multipolygon("<", [[SQUARE, HOLE]])),
            None,
        ],
    )
    assert len(read_gpkg_geometries(path, "countries")) == 2
    land = LandIndex.from_gpkg(path)
    assert land.on_land([0.2, 1.0, 10.5, 5.0], [0.2, 1.0, 10.5, 5.0]).tolist() == [True, False, True, False]


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda b: b[:60] + b[-1:], "ends early"),
        (lambda b: b[:39] + struct.pack("<i", 99) + b[43:], "unknown SpatiaLite geometry class type 99"),
        (lambda b: b[:-1] + b"\x00\x00\x00\x00\xfe", "unread bytes"),
    ],
)
def test_a_damaged_blob_names_the_file_layer_and_feature(tmp_path, damage, expected):
    good = _spatialite("<", 3, _polygon_body("<", [SQUARE]))
    path = _write_gpkg(tmp_path / "damaged.gpkg", [Polygon(FAR_SQUARE).wkb, damage(good)])
    with pytest.raises(BaiMeiError) as info:
        read_gpkg_geometries(path, "countries")
    message = str(info.value)
    assert expected in message and "feature 2" in message and "'countries'" in message and path in message


# ------------------------------------------------------------------------- the real rows from QGIS 3.40's world map

WORLD_ROWS = DATA / "world_map_spatialite_rows.gpkg"  # Russia and Ukraine (SpatiaLite), Moldova (GeoPackage binary)


def test_world_map_rows_decode_to_the_countries():
    russia, moldova, ukraine = (wkb.loads(b) for b in read_gpkg_geometries(str(WORLD_ROWS), "countries"))
    assert russia.geom_type == "MultiPolygon" and len(russia.geoms) == 216 and russia.is_valid
    assert russia.bounds[0] < -179 and russia.bounds[2] > 179  # Chukotka on both sides of the antimeridian
    assert ukraine.is_valid and 22.0 < ukraine.bounds[0] < 22.3 and 40.0 < ukraine.bounds[2] < 40.3
    assert moldova.is_valid and moldova.area == pytest.approx(3.94, abs=0.01)


def test_world_map_rows_as_land():
    land = LandIndex.from_gpkg(str(WORLD_ROWS), step_km=5.0)
    # Moscow, Kyiv, Chisinau on land; the Black Sea off Crimea and the Sea of Azov are water.
    lon, lat = [37.62, 30.52, 28.86, 33.0, 36.5], [55.75, 50.45, 47.01, 43.5, 46.0]
    assert land.on_land(lon, lat).tolist() == [True, True, True, False, False]
    assert 50 < land.distance_nm(33.0, 43.5)[0] < 75  # about 60 nm south of Crimea on this coarse map


# GDAL 3.7+ warns until someone picks its exception mode; that process-wide choice is not this test's to make.
@pytest.mark.filterwarnings("ignore:Neither ogr.UseExceptions:FutureWarning")
def test_world_map_rows_match_gdal():
    ogr = pytest.importorskip("osgeo.ogr", reason="GDAL's Python bindings (python3-gdal) are not installed")
    source = ogr.Open(str(WORLD_ROWS))
    theirs = [wkb.loads(bytes(f.GetGeometryRef().ExportToWkb())) for f in source.GetLayer("countries")]
    ours = [wkb.loads(b) for b in read_gpkg_geometries(str(WORLD_ROWS), "countries")]
    assert len(ours) == len(theirs) == 3
    assert all(a.equals_exact(b, 0.0) for a, b in zip(ours, theirs))
