"""The Annotate page: mark the ship on the 16 June SkySat scene with a real click, fill its sighting form, measure
its hull by dragging, and identify it (the Bai Mei 8, dark and within reach)."""

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
SHIP = (125.15, 38.70)  # the ship on the scene, off Nampo
BOW, STERN = (125.1510, 38.7000), (125.1490, 38.7000)  # 0.002° of longitude at 38.7° N: about 174 m


# annotate_mark


def annotate_mark(ctx):
    """Annotate page: a new sightings layer, then Mark vessel and a real click on the ship at Nampo."""
    from qgis.core import QgsRectangle
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.annotate.page)
    path = os.path.join(ctx.screenshot_dir, "sightings.gpkg")
    if os.path.exists(path):
        os.remove(path)  # left by an earlier run of this test
    layer = dock.annotate.create_layer(path)
    info = {"layer": layer is not None}
    ctx.result["annotate"] = info
    canvas = ctx.iface.mapCanvas()
    ctx.zoom_to(QgsRectangle(125.140, 38.695, 125.160, 38.705))  # about 1.7 km across: a ship is many pixels long
    ctx.process_events(500)
    dock.annotate.page.markButton.click()
    info["mark_tool_active"] = canvas.mapTool() is dock.annotate.mark_tool
    QTest.mouseClick(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, ctx.pixel_of(*SHIP))
    ctx.process_events(800)
    info["sightings"] = layer.featureCount() if layer is not None else 0
    ctx.save("sighting-form", ctx.grab_screen())
    return 300


def check_mark(ctx, c):
    annotate = ctx.result["annotate"]
    c.that(
        annotate.get("mark_tool_active") and annotate.get("sightings") == 1,
        f"Mark vessel and a click should add one sighting: {annotate}",
    )


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
    """Measure hull: drag from bow to stern on the image."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    dock = ctx.dock()
    canvas = ctx.iface.mapCanvas()
    dock.annotate.page.measureButton.click()
    info = ctx.result["annotate"]
    info["measure_tool_active"] = canvas.mapTool() is dock.annotate.measure_tool
    bow, stern = ctx.pixel_of(*BOW), ctx.pixel_of(*STERN)
    QTest.mousePress(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, bow)
    QTest.mouseMove(canvas.viewport(), stern)
    QTest.mouseRelease(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, stern)
    ctx.process_events(500)
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
    c.that(saved.get("length_m") and 150 < saved["length_m"] < 190, f"the measured length: {saved}")
    c.that(
        saved.get("heading_deg") is not None and abs(saved["heading_deg"] - 90) < 3, f"the measured heading: {saved}"
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
