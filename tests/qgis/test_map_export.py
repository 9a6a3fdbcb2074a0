"""The case map: QGIS's layout engine renders styled layers with a title and legend into a PNG."""

from qgis.core import QgsProject, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtGui import QImage

from bai_mei_plugin.qgis_io.compat import save_style_to_database
from bai_mei_plugin.qgis_io.map_export import export_case_map
from bai_mei_plugin.qgis_io.styles import apply_style


def test_export_case_map(provider, voyage_csv, tmp_path, qgis_new_project):
    import processing

    points = processing.run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": "memory:"})["OUTPUT"]
    result = processing.run(
        "baimei:detectgaps",
        {
            "INPUT": points,
            "MMSI_FIELD": "mmsi",
            "TIME_FIELD": "timestamp",
            "OUTPUT_GAPS": "memory:",
            "OUTPUT_TRACKS": "memory:",
        },
    )
    gaps, tracks = result["OUTPUT_GAPS"], result["OUTPUT_TRACKS"]
    assert apply_style(gaps, "gaps") and apply_style(tracks, "tracks")
    project = QgsProject.instance()
    project.addMapLayers([gaps, tracks])
    png = tmp_path / "map.png"
    export_case_map(project, [gaps, tracks], QgsRectangle(-92, 28, -87, 32), "Title", "Subtitle", str(png), dpi=60)
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 500
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10  # more than a blank page: map, legend and text were drawn


def test_style_saved_into_a_geopackage_travels_with_it(provider, voyage_csv, tmp_path):
    import processing

    gpkg = str(tmp_path / "case.gpkg")
    processing.run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": f"ogr:dbname='{gpkg}' table=\"points\" (geom)"})
    layer = QgsVectorLayer(f"{gpkg}|layername=points", "points", "ogr")
    apply_style(layer, "points")
    assert save_style_to_database(layer, "points", "Bai Mei style") == ""
    reopened = QgsVectorLayer(f"{gpkg}|layername=points", "again", "ogr")
    assert reopened.renderer().symbol().size() == layer.renderer().symbol().size()
    # QGIS 3.22 applies the temporal part of a stored default style only when it is loaded explicitly
    _, ok = reopened.loadDefaultStyle()
    assert ok
    assert reopened.temporalProperties().isActive()
    assert reopened.temporalProperties().startField() == "timestamp"
