"""The Imagery page: the bundled catalogue searched over the map zoomed to Nampo in the selected gap's window, and
the scenes it finds (the June Nampo scenes, taken while the ship was dark)."""

from .base import Step, Until
from .layout import check_columns, check_page, measure_page, table_columns

JUNE_NAMPO_SCENES = {"SYNTHETIC_20170616_021000_ssc1", "SYNTHETIC_20170617_020500_ssc3"}  # in the bundled catalogue
STATIC_SOURCE = "Static catalogue (file or URL)"


# imagery_search


def imagery_search(ctx):
    """Imagery page: the bundled catalogue (static source) over the map zoomed to Nampo, in the gap's window."""
    from qgis.core import QgsRectangle

    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.imageryPage)
    dock.imageryTabs.setCurrentWidget(dock.imagerySearchPage)
    dock.imagerySourceCombo.setCurrentText(STATIC_SOURCE)
    ctx.zoom_to(QgsRectangle(124.6, 38.3, 125.7, 39.1))  # Nampo and its anchorage, as an analyst would zoom
    dock.imageryAoiCombo.setCurrentIndex(dock.imageryAoiCombo.findData("extent"))
    ctx.process_events(300)
    start, end = dock.imagery.form.window()
    gap = ctx.gap
    ctx.result["imagery"] = {
        "source": dock.imagerySourceCombo.currentText(),
        "url": dock.imageryUrlCombo.currentText(),
        "window": [start, end],
        "window_covers_gap": bool(gap and start <= gap.off_time and end >= gap.on_time),
        "aoi": dock.imageryAoiLabel.text(),
    }
    return ctx.wait_for_map()


def imagery_run(ctx):
    """Measure and take the Search page, then click Search and wait for the background search."""
    dock = ctx.dock()
    ctx.result["layout"]["imagerySearchPage"] = measure_page(ctx, "imagerySearchPage")
    ctx.save("dock-imagery-search", ctx.grab_screen())
    dock.imagerySearchButton.click()
    ctx.result["imagery"]["task_started"] = dock.imagery.task is not None
    return Until("the imagery search", lambda: dock.imagery.task is None, 30, then_ms=300)


def check_search(ctx, c):
    imagery = ctx.result["imagery"]
    c.that(imagery.get("window_covers_gap"), f"the imagery window is not the gap's: {imagery}")
    c.that(imagery.get("url", "").endswith("bai_mei_8_synthetic.geojson"), f"not the bundled catalogue: {imagery}")
    check_page(c, "imagerySearchPage", ctx.result["layout"]["imagerySearchPage"])


def search_ended(ctx):
    return None if ctx.dock().imagery.task is None else "the imagery search did not end within 30 s"


# imagery_results


def imagery_select_scene(ctx):
    """The results: which scenes, where the layer went; select the first scene taken while the ship was dark."""
    dock = ctx.dock()
    info = ctx.result["imagery"]
    results = dock.imagery.results
    layer = results.layer
    group = dock.session.group
    info.update(
        status=dock.imageryStatusLabel.text(),
        found=[r.footprint.item_id for r in results.order],
        dark=[r.footprint.item_id for r in results.order if r.in_gap_window],
        rows=results.proxy.rowCount(),
        features=layer.featureCount() if layer is not None else None,
        layer_name=layer.name() if layer is not None else None,
        in_session_group=bool(layer is not None and group is not None and group.findLayer(layer.id())),
        temporal=bool(layer is not None and layer.temporalProperties().isActive()),
        current_subtab=dock.imageryTabs.currentWidget().objectName(),
        timeline_ticks=len(results.timeline.ticks),
        timeline_windows=len(results.timeline.windows),
    )
    proxy = results.proxy
    row = next((r for r in range(proxy.rowCount()) if proxy.record(proxy.index(r, 0)).in_gap_window), 0)
    if results.proxy.rowCount():
        dock.imageryResultTable.selectRow(row)
        chosen = results.selected()
        info["selected"] = chosen.footprint.item_id if chosen is not None else None
        info["selected_on_map"] = [f["item_id"] for f in layer.getSelectedFeatures()]
    return ctx.wait_for_map()


def screenshot_imagery(ctx):
    dock = ctx.dock()
    layout = measure_page(ctx, "imageryResultsPage")
    layout["result_table"] = table_columns(dock.imageryResultTable)
    ctx.result["layout"]["imageryResultsPage"] = layout
    ctx.save("dock-imagery", ctx.grab_screen())


def check_results(ctx, c):
    imagery = ctx.result["imagery"]
    found = imagery.get("found", [])
    c.that(JUNE_NAMPO_SCENES <= set(found), f"the June Nampo scenes were not found: {imagery}")
    c.that(
        JUNE_NAMPO_SCENES <= set(imagery.get("dark", [])), f"the June Nampo scenes are not flagged as dark: {imagery}"
    )
    c.that(
        imagery.get("rows") == imagery.get("features") == len(found), f"table rows, layer features, scenes: {imagery}"
    )
    c.that(
        imagery.get("layer_name") == "imagery footprints"
        and imagery.get("in_session_group")
        and imagery.get("temporal"),
        f"the footprints layer should be 'imagery footprints', temporal, in the session's group: {imagery}",
    )
    c.that(imagery.get("selected_on_map") == [imagery.get("selected")], f"the selected scene on the map: {imagery}")
    c.that(
        imagery.get("current_subtab") == "imageryResultsPage" and imagery.get("timeline_ticks") == len(found),
        f"the results page with one timeline tick per scene: {imagery}",
    )
    layout = ctx.result["layout"]["imageryResultsPage"]
    check_page(c, "imageryResultsPage", layout)
    check_columns(c, layout["result_table"], ("Date (UTC)", "Dark", "Covers"), "imagery result table")


# imagery_scene


def imagery_add_scene(ctx):
    """Add to map on the selected scene (taken while the ship was dark): the SYNTHETIC scene beside the catalogue."""
    dock = ctx.dock()
    info = ctx.result["imagery"]
    preview = dock.imageryPreviewLabel.pixmap()
    info["preview_shown"] = bool(preview is not None and not preview.isNull())
    dock.imageryAddButton.click()
    return Until("the scene on the map", lambda: dock.imagery.results.scene_task is None, 30, then_ms=300)


def imagery_scene_on_map(ctx):
    """Where the scene went and what it covers; the map zoomed to the berth for the screenshot."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsRectangle

    dock = ctx.dock()
    info = ctx.result["imagery"]
    selected = info.get("selected") or ""
    layers = QgsProject.instance().mapLayersByName(f"{selected} (visual)")
    scene = layers[0] if layers else None
    group = dock.session.group
    info["scene"] = {"layers": len(layers)}
    if scene is not None:
        to_wgs84 = QgsCoordinateTransform(scene.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
        extent = to_wgs84.transformBoundingBox(scene.extent())
        info["scene"].update(
            valid=scene.isValid(),
            bands=scene.bandCount(),
            extent=[extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
            in_session_group=bool(group is not None and group.findLayer(scene.id())),
            # drawn above the footprints, whose fill would hide the ship
            on_top=bool(group is not None and group.children() and group.children()[0].layerId() == scene.id()),
            source_is_local=not scene.source().startswith("/vsicurl/"),
        )
        from bai_mei_plugin.demo.nampo import BERTH_LAT, BERTH_LON

        ctx.zoom_to(QgsRectangle(BERTH_LON - 0.004, BERTH_LAT - 0.003, BERTH_LON + 0.004, BERTH_LAT + 0.003))
    return ctx.wait_for_map()


def screenshot_scene(ctx):
    ctx.save("map-imagery-scene", ctx.grab_screen())


def check_scene(ctx, c):
    from bai_mei_plugin.demo.nampo import BERTH_LAT, BERTH_LON

    imagery = ctx.result["imagery"]
    scene = imagery.get("scene") or {}
    c.that(imagery.get("preview_shown"), f"the selected scene's thumbnail was not shown: {imagery}")
    c.that(scene.get("layers") == 1 and scene.get("valid") and scene.get("bands") == 3, f"no valid scene: {scene}")
    west, south, east, north = scene.get("extent") or (0, 0, 0, 0)
    c.that(
        west < BERTH_LON < east and south < BERTH_LAT < north and east - west < 0.05,
        f"the scene should cover the Bai Mei 8's berth at Nampo ({BERTH_LON}, {BERTH_LAT}): {scene}",
    )
    c.that(
        scene.get("in_session_group") and scene.get("on_top") and scene.get("source_is_local"),
        f"the scene should be a local file on top of the session's group: {scene}",
    )


STEPS = (
    Step(
        "imagery_search",
        [imagery_search, imagery_run],
        check_search,
        needs=["gaps_page"],
        ready=search_ended,
        screenshots=["dock-imagery-search"],
    ),
    Step(
        "imagery_results",
        [imagery_select_scene, screenshot_imagery],
        check_results,
        needs=["imagery_search"],
        screenshots=["dock-imagery"],
    ),
    Step(
        "imagery_scene",
        [imagery_add_scene, imagery_scene_on_map, screenshot_scene],
        check_scene,
        needs=["imagery_results"],
        screenshots=["map-imagery-scene"],
    ),
)
