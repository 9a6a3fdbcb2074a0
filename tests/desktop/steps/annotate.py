"""The Annotate page: the selected June SkySat scene on the map (Add to map, or its file when that step did not add
it), the ship marked on its pixels with a real click, its sighting form filled, its hull measured with clicks at bow
and stern (169 ± 8 m), and who it is (the Bai Mei 8, dark and within reach)."""

import math
import os

from .base import Step, Until
from .layout import measure_page_widget

FORM_TABS = ["Identity", "Hull", "Deck", "Activity", "Notes"]
FORM_VALUES = {
    "hatch_count": 5,
    "crane_count": 4,
    "crane_type": "jib cranes",
    "hull_colour": "black",
    "deck_colour": "red",
    "superstructure_colour": "white",
    "superstructure_position": "aft",
    "bow_type": "bulbous",
    "activity": "loading",
    "cargo_visible": "coal",
    "draught_state": "laden",
    "confidence": "medium",
    "analyst": "desktop test",
}
SAVED_FIELDS = (
    "sighting_id",
    "observed_at",
    "image_id",
    "hatch_count",
    "crane_count",
    "hull_colour",
    "length_m",
    "heading_deg",
)
HULL_M = 169.0  # the Bai Mei 8's length (its profile); the scenes draw it so at 0.8 m a pixel


def ship():
    """The Bai Mei 8 at its berth on the synthetic scenes (demo/nampo.py): centre, and heading along the quay."""
    from bai_mei_plugin.demo.nampo import BERTH_HEADING_DEG, BERTH_LAT, BERTH_LON

    return (BERTH_LON, BERTH_LAT), BERTH_HEADING_DEG


def bow_and_stern():
    """(lon, lat) of the bow and the stern as drawn on the scenes: half the hull either side of the berth along the
    heading, in the scenes' UTM grid (demo/scenes.py draws the quay there)."""
    from osgeo import osr

    (lon, lat), heading = ship()
    wgs, utm = osr.SpatialReference(), osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    utm.ImportFromEPSG(32651)
    for ref in (wgs, utm):
        ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _ = osr.CoordinateTransformation(wgs, utm).TransformPoint(lon, lat)
    back = osr.CoordinateTransformation(utm, wgs)
    east, north = math.sin(math.radians(heading)) * HULL_M / 2, math.cos(math.radians(heading)) * HULL_M / 2
    bow = back.TransformPoint(x + east, y + north)[:2]
    stern = back.TransformPoint(x - east, y - north)[:2]
    return bow, stern


def scene_on_map(ctx, item_id):
    """The selected scene's raster layer: the one Add to map put in the project, else its bundled file added here
    (the walkthrough then says so)."""
    from qgis.core import QgsProject, QgsRasterLayer

    from bai_mei_plugin.paths import resource_path
    from bai_mei_plugin.qgis_io.sightings_layer import scene_item_id

    for layer in QgsProject.instance().mapLayers().values():
        if isinstance(layer, QgsRasterLayer) and scene_item_id(layer) == item_id:
            return layer, "Add to map"
    path = resource_path("scenes", f"{item_id}.tif")
    if not os.path.exists(path):
        return None, f"no scene file {path}"
    layer = QgsRasterLayer(path, f"{item_id} (visual)", "gdal")
    if layer.isValid():
        QgsProject.instance().addMapLayer(layer)
        return layer, "the annotate step (its file)"
    return None, f"GDAL cannot open {path}"


# annotate_mark


def annotate_mark(ctx):
    """Annotate page: a new sightings layer, then Mark vessel and a real click on the ship at Nampo."""
    from qgis.core import QgsRectangle
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.annotate.page)
    selected = ctx.result.get("imagery", {}).get("selected")
    scene, added_by = scene_on_map(ctx, selected)
    path = os.path.join(ctx.screenshot_dir, "sightings.gpkg")
    if os.path.exists(path):
        os.remove(path)  # left by an earlier run of this test
    layer = dock.annotate.create_layer(path)
    info = {"layer": layer is not None, "scene": scene.source() if scene else None, "scene_added_by": added_by}
    ctx.result["annotate"] = info
    canvas = ctx.iface.mapCanvas()
    (lon, lat), _heading = ship()
    ctx.zoom_to(QgsRectangle(lon - 0.0025, lat - 0.0015, lon + 0.0025, lat + 0.0015))  # ~430 m: the hull fills it
    ctx.process_events(800)
    info["scene_drawn"] = scene is not None and scene.id() in [m.id() for m in canvas.layers()]
    dock.annotate.page.markButton.click()
    info["mark_tool_active"] = canvas.mapTool() is dock.annotate.mark_tool
    QTest.mouseClick(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, ctx.pixel_of(lon, lat))
    ctx.process_events(800)
    info["sightings"] = layer.featureCount() if layer is not None else 0
    feature = next(layer.getFeatures(), None) if layer is not None else None
    if feature is not None:
        info["marked_on"] = {
            name: feature[name] if not hasattr(feature[name], "isNull") else None
            for name in ("image_id", "scene_source", "window_col", "window_row", "window_width", "window_height")
        }
    info["status"] = dock.annotate.page.sightingLabel.text()
    ctx.save("sighting-form", ctx.grab_screen())
    return 300


def check_mark(ctx, c):
    annotate = ctx.result["annotate"]
    c.that(annotate.get("scene_drawn"), f"the selected scene should be drawn on the map: {annotate}")
    c.that(
        annotate.get("mark_tool_active") and annotate.get("sightings") == 1,
        f"Mark vessel and a click should add one sighting: {annotate}",
    )
    marked_on = annotate.get("marked_on") or {}
    c.that(
        marked_on.get("scene_source") == annotate.get("scene") and (marked_on.get("window_width") or 0) > 100,
        f"the sighting should keep its scene and the pixel window it was marked on: {annotate}",
    )
    c.that("no features yet" not in annotate.get("status", ""), f"the status after marking: {annotate}")


def marked(ctx):
    return None if ctx.result["annotate"].get("sightings") == 1 else "no sighting was marked"


# annotate_form


def annotate_fill_form(ctx):
    """Fill the sighting's form as the analyst would (the QGIS attribute form the Mark tool opened) and save."""
    from qgis.PyQt.QtWidgets import QTabWidget

    info = ctx.result["annotate"]
    dialog = ctx.dock().annotate.form_dialog
    info["form_opened"] = bool(dialog is not None and dialog.isVisible())
    info["form_title"] = dialog.windowTitle() if dialog is not None else None
    if not info["form_opened"]:
        return None
    form = dialog.attributeForm()
    info["form_tabs"] = [tabs.tabText(i) for tabs in form.findChildren(QTabWidget) for i in range(tabs.count())]
    for name, value in FORM_VALUES.items():
        form.changeAttribute(name, value)
    ctx.process_events(200)
    dialog.accept()
    return 800


def check_form(ctx, c):
    annotate = ctx.result["annotate"]
    c.that(annotate.get("form_opened"), f"Mark vessel did not open the sighting form: {annotate}")
    c.that(annotate.get("form_tabs", [])[:5] == FORM_TABS, f"the sighting form's tabs: {annotate.get('form_tabs')}")


def form_saved(ctx):
    return None if ctx.result["annotate"].get("form_opened") else "the sighting form did not open"


# annotate_measure


def annotate_measure(ctx):
    """Measure hull: click the bow, then the stern, on the image (Esc then skips the beam)."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    dock = ctx.dock()
    canvas = ctx.iface.mapCanvas()
    dock.annotate.page.measureButton.click()
    info = ctx.result["annotate"]
    info["measure_tool_active"] = canvas.mapTool() is dock.annotate.measure_tool
    bow, stern = (ctx.pixel_of(*p) for p in bow_and_stern())
    for at in (bow, stern):
        QTest.mouseClick(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, at)
        ctx.process_events(200)
    ctx.process_events(300)
    layer = dock.annotate.layer()
    feature = next(layer.getFeatures(), None) if layer is not None else None
    if feature is not None:
        info["saved"] = {
            name: (
                feature[name].toString("yyyy-MM-ddTHH:mm:ss") if hasattr(feature[name], "toString") else feature[name]
            )
            for name in SAVED_FIELDS
        }
    return 300


def check_measure(ctx, c):
    saved = ctx.result["annotate"].get("saved", {})
    imagery = ctx.result.get("imagery", {})
    c.that(saved.get("image_id") == imagery.get("selected"), f"not taken from the selected scene: {saved}")
    c.that((saved.get("observed_at") or "").startswith("2017-06-1"), f"observed_at is not the scene's: {saved}")
    c.that(
        (saved.get("hatch_count"), saved.get("crane_count"), saved.get("hull_colour")) == (5, 4, "black"),
        f"the form's values were not saved: {saved}",
    )
    c.that(saved.get("length_m") and abs(saved["length_m"] - HULL_M) <= 8, f"the measured length (169 ± 8 m): {saved}")
    _, heading = ship()
    c.that(
        saved.get("heading_deg") is not None and abs(saved["heading_deg"] - heading) < 3,
        f"the measured heading ({heading}°): {saved}",
    )


def measured(ctx):
    return None if ctx.result["annotate"].get("saved") else "no sighting saved in the sightings layer"


# annotate_identify


def annotate_identify(ctx):
    dock = ctx.dock()
    dock.annotate.page.identifyButton.click()
    return Until("the identification", lambda: dock.annotate.task is None, 60, then_ms=500)


def screenshot_annotate(ctx):
    dock = ctx.dock()
    proxy = dock.annotate.proxy
    ranked = [proxy.record(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    ctx.result["annotate"]["ranked"] = [[c.rank, c.name, c.mmsi, c.spacetime_status] for c in ranked]
    if ranked:
        dock.annotate.page.candidateRankTable.selectRow(0)
    ctx.process_events(300)
    ctx.result["annotate"]["reasons"] = dock.annotate.page.reasonsLabel.text()
    ctx.result["layout"]["annotatePage"] = measure_page_widget(ctx, dock.annotate.page)
    ctx.save("dock-annotate", ctx.grab_screen())


def check_identify(ctx, c):
    ranked = ctx.result["annotate"].get("ranked", [])
    c.that(
        ranked and ranked[0][1] == "BAI MEI 8" and ranked[0][3] == "dark and reachable",
        f"the first candidate should be the BAI MEI 8, dark and reachable: {ranked}",
    )


STEPS = (
    Step(
        "annotate_mark",
        [annotate_mark],
        check_mark,
        needs=["imagery_results"],  # the sighting is on the selected scene
        ready=marked,
        screenshots=["sighting-form"],
    ),
    Step("annotate_form", [annotate_fill_form], check_form, needs=["annotate_mark"], ready=form_saved),
    Step("annotate_measure", [annotate_measure], check_measure, needs=["annotate_form"], ready=measured),
    Step(
        "annotate_identify",
        [annotate_identify, screenshot_annotate],
        check_identify,
        needs=["annotate_measure"],
        screenshots=["dock-annotate"],
    ),
)
