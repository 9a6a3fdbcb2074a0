"""One land cache: QGIS's world map is read through OGR once per session and shared by the dock's reachability,
Processing's and the gap detection's distance to shore; a land file is read once until it changes."""

import json
import os

import processing
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsProcessingFeedback, QgsVectorLayer

from bai_mei_plugin.qgis_io import land
from bai_mei_plugin.qgis_io.inputs import gaps_from_source
from bai_mei_plugin.tasks import analysis_tasks
from tests.qgis.test_gap_reachability import bai_mei_gaps  # noqa: F401 (fixture)


class FakeTask:
    """What analysis_tasks.reachability asks of its task, without running one."""

    def setProgress(self, _value):  # noqa: N802 (QgsTask's name)
        pass

    def is_canceled(self):
        return False

    def _to_main_thread(self, *_layers):
        pass


@pytest.fixture
def counted(monkeypatch):
    """Counts the reads of the world map (opening it through OGR) and of any land layer."""
    land.clear_cache()
    reads = {"world map": 0, "layers": 0}
    open_world_map, from_layer = land._open_world_map, land.land_from_layer

    def world_map(path):
        reads["world map"] += 1
        return open_world_map(path)

    def layer(source):
        reads["layers"] += 1
        return from_layer(source)

    monkeypatch.setattr(land, "_open_world_map", world_map)
    monkeypatch.setattr(land, "land_from_layer", layer)
    yield reads
    land.clear_cache()


def test_the_world_map_is_read_once_for_the_dock_and_processing(provider, bai_mei_gaps, counted):  # noqa: F811
    result = processing.run(
        "baimei:gapreachability",
        {"GAPS": bai_mei_gaps, "OUTPUT_AREAS": "memory:", "OUTPUT_VISITS": "memory:"},
        feedback=QgsProcessingFeedback(),
    )
    assert result["OUTPUT_AREAS"].featureCount() == 2
    assert counted["world map"] == 1
    gap = gaps_from_source(bai_mei_gaps)[0]
    dock = analysis_tasks.reachability(FakeTask(), None, gap, 12.0)
    assert dock.suspicion.level == "high" and any(v.locode == "KPNAM" for v in dock.records)
    assert land.default_land() is land.land_index()  # what the gap detection measures the shore with
    assert land.land_polygons() is land.land_polygons()
    assert counted["world map"] == 1


def write_island(path, x):
    square = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))


def test_a_land_file_is_read_once_until_it_changes(tmp_path, counted):
    path = tmp_path / "island.geojson"
    write_island(path, 10)
    layer = QgsVectorLayer(str(path), "island", "ogr")
    assert layer.isValid()
    first = land.land_polygons(layer)
    assert land.land_polygons(QgsVectorLayer(str(path), "again", "ogr")) is first  # same file: same land
    assert land.land_index(layer).on_land(10.5, 0.5)[0]
    assert counted["layers"] == 1
    write_island(path, 20)
    stat = os.stat(path)
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))  # an edited file is read again
    moved = QgsVectorLayer(str(path), "island", "ogr")
    assert land.land_index(moved).on_land(20.5, 0.5)[0] and not land.land_index(moved).on_land(10.5, 0.5)[0]
    assert counted["layers"] == 2


def test_a_layer_that_is_not_a_file_is_read_each_time(counted):
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326", "drawn land", "memory")
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromWkt("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))"))
    layer.dataProvider().addFeatures([feature])
    land.land_polygons(layer)
    land.land_polygons(layer)  # the analyst may have edited it since: never cached
    assert counted["layers"] == 2 and counted["world map"] == 0
