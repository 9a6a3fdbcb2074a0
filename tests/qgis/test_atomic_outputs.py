"""Processing outputs are written under a temporary name and renamed when complete (issue 12, item 6): an existing
output survives a failed, cancelled or killed run, a table written into a GeoPackage keeps the file's other tables,
and QGIS loads (and styles) the final file."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import processing
import pytest
from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputLayerDefinition,
    QgsProject,
    QgsVectorLayer,
)

from bai_mei_plugin.core import atomic
from tests.support import ROOT


def run(algorithm, params, feedback=None, context=None):
    return processing.run(algorithm, params, feedback=feedback or QgsProcessingFeedback(), context=context)


def size_of(path: Path) -> int:
    """A file's size, 0 once it is gone (SQLite's journal comes and goes between a listing and a stat)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def partials(folder) -> list:
    return sorted(p.name for p in Path(folder).iterdir() if ".partial" in p.name)


def tables(gpkg) -> dict:
    """{table: rows} of a GeoPackage's feature tables."""
    with sqlite3.connect(gpkg) as db:
        names = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def count(uri) -> int:
    layer = QgsVectorLayer(str(uri), "l", "ogr")
    assert layer.isValid(), uri
    return layer.featureCount()


def big_csv(path: Path, rows: int) -> Path:
    """A MarineCadastre file of ``rows`` clean reports (100 vessels, one report a minute each)."""
    header = (
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,"
        "Draft,Cargo,TransceiverClass\n"
    )
    with open(path, "w") as handle:
        handle.write(header)
        for i in range(rows):
            vessel, minute = i % 100, i // 100
            handle.write(
                f"{367000100 + vessel},2020-06-{1 + minute // 1440:02d}T{minute // 60 % 24:02d}:"
                f"{minute % 60:02d}:00,{20 + vessel / 10:.4f},{-80 + minute / 1000:.4f},10.0,90.0,511,"
                f"V{vessel},,,70,0,100,20,5.0,,A\n"
            )
    return path


@pytest.fixture
def small_csv(write_file, mc_rows):
    """Three reports of one vessel (the voyage file has 50)."""
    return write_file(
        "small.csv",
        mc_rows([(367000009, f"2020-06-01T0{h}:00:00", 30.0, -90.0 + h / 10, 9.0, 90, "NINE", "") for h in range(3)]),
    )


def test_overwriting_a_geopackage_goes_through_a_temporary_file(provider, voyage_csv, small_csv, tmp_path):
    out = tmp_path / "points.gpkg"
    first = run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(out)})
    assert first["OUTPUT"] == str(out) and count(out) == 50
    seen = []
    feedback = QgsProcessingFeedback()
    # while the algorithm writes, the final file is still the old one and the new rows go to a hidden .partial file
    feedback.progressChanged.connect(lambda p: seen.append((partials(tmp_path), tables(out))) if p > 40 else None)
    second = run("baimei:importais", {"INPUT": small_csv, "OUTPUT": str(out)}, feedback)
    assert second["OUTPUT"] == str(out) and count(out) == 3
    assert seen and all(p and p[0].startswith(".points.") and p[0].endswith(".partial.gpkg") for p, _ in seen)
    assert all(t == {"points": 50} for _, t in seen), seen
    assert partials(tmp_path) == []


def test_a_failing_run_leaves_the_existing_output_untouched(provider, voyage_csv, write_file, tmp_path):
    out = tmp_path / "points.gpkg"
    run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(out)})
    before = out.read_bytes()
    junk = write_file("junk.csv", "foo,bar\n1,2\n")
    with pytest.raises(QgsProcessingException, match="Unrecognised AIS header"):
        run("baimei:importais", {"INPUT": junk, "OUTPUT": str(out)})
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 45 else None)  # cancelled while writing
    with pytest.raises(QgsProcessingException, match="ancel"):
        run("baimei:importais", {"INPUT": str(big_csv(tmp_path / "big.csv", 50_000)), "OUTPUT": str(out)}, feedback)
    assert out.read_bytes() == before and count(out) == 50
    assert partials(tmp_path) == []


@pytest.mark.parametrize("form", ["ogr", "layername"])
def test_a_table_into_an_existing_geopackage_keeps_the_other_tables(provider, voyage_csv, small_csv, tmp_path, form):
    gpkg = tmp_path / "case.gpkg"

    def into(table):
        if form == "ogr":
            return f"ogr:dbname='{gpkg}' table=\"{table}\" (geom)"
        return f"{gpkg}|layername={table}"

    result = run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": into("points")})
    assert result["OUTPUT"] == f"{gpkg}|layername=points"
    found = run(
        "baimei:detectgaps",
        {"INPUT": f"{gpkg}|layername=points", "OUTPUT_GAPS": into("gaps"), "OUTPUT_TRACKS": into("tracks")},
    )  # two tables of one file in one run
    assert found["OUTPUT_GAPS"] == f"{gpkg}|layername=gaps"
    assert tables(gpkg) == {"points": 50, "gaps": 1, "tracks": 3}
    run("baimei:importais", {"INPUT": small_csv, "OUTPUT": into("points")})  # replaces that table only
    assert tables(gpkg) == {"points": 3, "gaps": 1, "tracks": 3}
    with pytest.raises(QgsProcessingException):
        run(
            "baimei:detectgaps",
            {
                "INPUT": f"{gpkg}|layername=points",
                "MMSI_FIELD": "nope",
                "OUTPUT_GAPS": into("gaps"),
                "OUTPUT_TRACKS": into("tracks"),
            },
        )
    assert tables(gpkg) == {"points": 3, "gaps": 1, "tracks": 3}
    assert sorted(os.listdir(tmp_path)) == ["case.gpkg", "small.csv", "voyage.csv"]


def test_a_table_into_a_geopackage_open_in_the_project_is_written_in_place(provider, voyage_csv, small_csv, tmp_path):
    """Replacing the file under a layer of the project would leave that layer on the old file."""
    gpkg = tmp_path / "open.gpkg"
    run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": f"{gpkg}|layername=points"})
    layer = QgsVectorLayer(f"{gpkg}|layername=points", "points", "ogr")
    QgsProject.instance().addMapLayer(layer)
    inode = gpkg.stat().st_ino
    log = []
    feedback = QgsProcessingFeedback()
    feedback.pushInfo = log.append
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    try:
        run("baimei:importais", {"INPUT": small_csv, "OUTPUT": f"{gpkg}|layername=small"}, feedback, context)
        assert gpkg.stat().st_ino == inode and tables(gpkg) == {"points": 50, "small": 3}
        assert any("is open in the project (points)" in line for line in log)
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


def test_a_shapefile_and_its_companions_are_replaced_together(provider, voyage_csv, small_csv, tmp_path):
    out = tmp_path / "points.shp"
    run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(out)})
    (tmp_path / "points.qix").write_bytes(b"an index of the old file")
    assert count(out) == 50
    run("baimei:importais", {"INPUT": small_csv, "OUTPUT": str(out)})
    assert count(out) == 3
    names = sorted(os.listdir(tmp_path))
    assert {"points.shp", "points.shx", "points.dbf", "points.prj"} <= set(names)
    assert "points.qix" not in names and not any(".partial" in n for n in names)


def test_geojson_and_csv_outputs(provider, voyage_csv, tmp_path):
    for name in ("points.geojson", "points.csv"):
        out = tmp_path / name
        out.write_text("an older file")
        result = run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(out)})
        assert result["OUTPUT"] == str(out) and count(out) == 50
    assert partials(tmp_path) == []


def test_stale_partials_are_cleaned_when_the_folder_is_written_again(provider, voyage_csv, tmp_path):
    stale = tmp_path / ".points.0123abcd.partial.gpkg"
    recent = tmp_path / ".other.4567cdef.partial.gpkg"
    unrelated = tmp_path / ".notes.partial.txt"  # not a name the plugin makes
    for path in (stale, recent, unrelated):
        path.write_bytes(b"x")
    old = time.time() - 2 * atomic.STALE_AFTER_S
    os.utime(stale, (old, old))
    os.utime(unrelated, (old, old))
    log = []
    feedback = QgsProcessingFeedback()
    feedback.pushInfo = log.append
    run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(tmp_path / "points.gpkg")}, feedback)
    assert not stale.exists() and recent.exists() and unrelated.exists()
    assert f"Deleted {stale}, left by an earlier run that did not finish." in log


def test_the_final_file_is_loaded_and_styled(provider, voyage_csv, tmp_path):
    out = tmp_path / "loaded.gpkg"
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    result = processing.runAndLoadResults(
        "baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(out)}, context=context, feedback=QgsProcessingFeedback()
    )
    try:
        assert result["OUTPUT"] == str(out)
        loaded = [
            layer for layer in QgsProject.instance().mapLayers().values() if layer.source().split("|")[0] == str(out)
        ]
        assert len(loaded) == 1 and loaded[0].featureCount() == 50
        assert loaded[0].temporalProperties().isActive()  # the style's post-processor ran on it
        assert not any(".partial" in layer.source() for layer in QgsProject.instance().mapLayers().values())
    finally:
        for layer in list(QgsProject.instance().mapLayers().values()):
            QgsProject.instance().removeMapLayer(layer.id())
        del context


def test_an_output_definition_keeps_its_name_for_the_loaded_layer(provider, voyage_csv, tmp_path):
    out = tmp_path / "named.gpkg"
    context = QgsProcessingContext()
    definition = QgsProcessingOutputLayerDefinition(str(out), QgsProject.instance())
    definition.destinationName = "My points"
    result = run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": definition}, context=context)
    assert result["OUTPUT"] == str(out)
    assert list(context.layersToLoadOnCompletion()) == [str(out)]
    assert context.layerToLoadOnCompletionDetails(str(out)).name == "My points"


# -- kill -9 while writing over an existing output ---------------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path.insert(0, {root!r})
    sys.path.append("/usr/share/qgis/python/plugins")
    from qgis.core import QgsApplication, QgsProcessingFeedback
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    import processing
    from bai_mei_plugin.processing.provider import BaiMeiProvider
    provider = BaiMeiProvider()  # kept: the registry does not hold a Python reference
    QgsApplication.processingRegistry().addProvider(provider)
    processing.run("baimei:importais", {{"INPUT": sys.argv[1], "OUTPUT": sys.argv[2]}},
                   feedback=QgsProcessingFeedback())
    print("done", flush=True)
    os._exit(0)  # no teardown needed: the test only looks at the file
""")


@pytest.mark.parametrize("form", ["file", "table"])
def test_kill_9_while_writing_over_an_output_leaves_the_old_one(provider, voyage_csv, tmp_path, form):
    """``file``: importais over a whole GeoPackage; ``table``: over one table of a GeoPackage that has others."""
    out = tmp_path / "points.gpkg"
    destination = str(out) if form == "file" else f"{out}|layername=points"
    run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": destination})
    if form == "table":
        run(
            "baimei:detectgaps",
            {"INPUT": destination, "OUTPUT_GAPS": f"{out}|layername=gaps", "OUTPUT_TRACKS": f"{out}|layername=tracks"},
        )
    before = tables(out)
    assert before == ({"points": 50} if form == "file" else {"points": 50, "gaps": 1, "tracks": 3})
    big = big_csv(tmp_path / "big.csv", 400_000)
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)))
    env = {k: v for k, v in os.environ.items() if k not in ("QGIS_CUSTOM_CONFIG_PATH", "QGIS_OPTIONS_PATH")}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_OPTS="", HOME=str(tmp_path))
    child = subprocess.Popen(
        [sys.executable, str(script), str(big), destination], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 240
        while child.poll() is None and time.monotonic() < deadline:
            written = [p for p in tmp_path.glob(".points.*.partial.gpkg*") if size_of(p) > 2_000_000]
            if written:  # well into writing the new rows
                break
            time.sleep(0.05)
        assert child.poll() is None, "the child finished before it could be killed: " + child.stdout.read().decode()
        assert written, "no temporary file appeared while the child wrote"
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert tables(out) == before and count(destination) == 50  # the old output, whole
    left = partials(tmp_path)
    assert left and all(n.startswith(".points.") for n in left)  # what the killed run could not clean up
    old = time.time() - 2 * atomic.STALE_AFTER_S
    for name in left:
        os.utime(tmp_path / name, (old, old))
    log = []
    feedback = QgsProcessingFeedback()
    feedback.pushInfo = log.append
    result = run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": destination}, feedback)
    assert result["ROWS_KEPT"] == 50 and tables(out) == before
    assert partials(tmp_path) == []
    assert sum("left by an earlier run that did not finish" in line for line in log) == len(left)


def test_the_case_map_replaces_an_older_one_only_when_complete(provider, tmp_path, monkeypatch):
    from qgis.core import QgsLayoutExporter, QgsRectangle
    from qgis.PyQt.QtGui import QImage

    from bai_mei_plugin.qgis_io.map_export import export_case_map

    layer = QgsVectorLayer("Point?crs=EPSG:4326", "nothing", "memory")
    project = QgsProject.instance()
    png = tmp_path / "map.png"
    png.write_bytes(b"the older map")

    def failing(self, path, settings):
        Path(path).write_bytes(b"half an image")
        return QgsLayoutExporter.FileError

    monkeypatch.setattr(QgsLayoutExporter, "exportToImage", failing)
    with pytest.raises(RuntimeError, match="could not export the map"):
        export_case_map(project, [layer], QgsRectangle(0, 0, 1, 1), "T", "S", str(png), dpi=30)
    assert png.read_bytes() == b"the older map" and partials(tmp_path) == []
    monkeypatch.undo()
    export_case_map(project, [layer], QgsRectangle(0, 0, 1, 1), "T", "S", str(png), dpi=30)
    assert not QImage(str(png)).isNull() and partials(tmp_path) == []


@pytest.mark.parametrize(
    "destination,expected",
    [
        ("/data/gaps.gpkg", ("/data/gaps.gpkg", None)),
        ("/data/gaps", ("/data/gaps.gpkg", None)),  # QGIS adds .gpkg
        ("/data/gaps.shp", ("/data/gaps.shp", None)),
        ("ogr:dbname='/data/case.gpkg' table=\"gaps\" (geom)", ("/data/case.gpkg", "gaps")),
        ("/data/case.gpkg|layername=gaps", ("/data/case.gpkg", "gaps")),
        ("memory:gaps", None),
        ('postgres:dbname=\'ais\' table="public"."gaps" (geom)', None),
        ("postgis:dbname='ais' table=\"gaps\"", None),
        ("", None),
    ],
)
def test_which_destinations_are_files(destination, expected):
    from bai_mei_plugin.processing.base import file_destination

    assert file_destination(destination) == expected
