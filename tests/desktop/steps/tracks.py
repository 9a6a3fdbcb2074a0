"""The dock opened from the toolbar, and its Tracks page: load the Bai Mei 8 scenario with the dock's own widgets."""

from .base import Step, Until
from .context import DOCK_ACTION, DOCK_NAME, wait_for_map
from .layout import check_page, measure_page

DMA_FORMAT = "Danish Maritime Authority"
MIN_GAP_ROWS = 100


# open_dock


def close_toolbox(ctx):
    """Back to QGIS's default layout before the dock opens (the toolbox would share the right dock area)."""
    toolbox = ctx.toolbox()
    if toolbox is not None:
        toolbox.searchBox.setText("")
        toolbox.setVisible(False)


def open_dock(ctx):
    from qgis.PyQt.QtCore import Qt

    entries = ctx.toolbar_actions(DOCK_ACTION)
    info = {"found": False}
    ctx.result["dock"] = info
    if not entries:
        raise RuntimeError(f"no toolbar action {DOCK_ACTION}")
    action = entries[0][1]
    action.trigger()  # as a click on the toolbar button
    ctx.process_events(300)
    dock = ctx.dock()
    info.update(action_checked=action.isChecked(), found=dock is not None)
    if dock is None:
        raise RuntimeError(f"no {DOCK_NAME} in the main window after triggering {DOCK_ACTION}")
    main = ctx.iface.mainWindow()
    info.update(
        visible=dock.isVisible(),
        floating=dock.isFloating(),
        right_area=main.dockWidgetArea(dock) == Qt.RightDockWidgetArea,
        title=dock.windowTitle(),
        width=dock.width(),
        height=dock.height(),
    )
    return 500


def check_dock(ctx, c):
    dock = ctx.result["dock"]
    c.that(dock.get("found") and dock.get("visible"), f"the toolbar button did not open the dock: {dock}")
    c.that(
        dock["action_checked"] and dock["right_area"] and not dock["floating"],
        f"the dock should be docked on the right with its button checked: {dock}",
    )


# load_tracks


def load_scenario(ctx):
    """Choose the scenario with the dock's file widget and click Load; wait for the loading task to end."""
    if not ctx.scenario:
        raise RuntimeError("no scenario to load: BAIMEI_DESKTOP_SCENARIO is not set")
    dock = ctx.dock()
    info = {"path": ctx.scenario}
    ctx.result["load"] = info
    dock.tabs.setCurrentWidget(dock.tracksPage)
    if not dock.fileRadio.isChecked():
        dock.fileRadio.click()
    dock.fileWidget.setFilePath(ctx.scenario)
    ctx.process_events(300)
    info.update(
        file_path=dock.fileWidget.filePath(),
        format_label=dock.formatLabel.text(),
        format_recognised=DMA_FORMAT in dock.formatLabel.text(),
        mapping_shown=dock.mappingGroup.isVisible(),
        load_enabled=dock.loadButton.isEnabled(),
    )
    dock.loadButton.click()
    info["task_started"] = dock.tracks.task is not None
    info["progress_bar_shown"] = dock.progressBar.isVisible()
    # the task ends either way; whether it loaded is checked next
    return Until("the scenario to load", lambda: dock.tracks.task is None, ctx.load_timeout_s, then_ms=200)


def screenshot_loaded(ctx):
    dock = ctx.dock()
    info = ctx.result["load"]
    result = dock.session.result
    info.update(
        loaded=result is not None,
        load_s=ctx.result["waits"].get("the scenario to load", {}).get("s"),
        summary=dock.summaryLabel.text(),
        gap_rows=dock.gaps.model.rowCount(),
        gap_rows_shown=dock.gaps.proxy.rowCount(),
        gap_count_label=dock.gapCountLabel.text(),
        vessels=len(dock.session.vessels),
        layers={layer.name(): layer.featureCount() for layer in dock.session.layers()},
        tab_after_load=dock.tabs.currentWidget().objectName(),
    )
    ctx.save("dock-loaded", ctx.grab_screen())


def check_load(ctx, c):
    load = ctx.result["load"]
    c.that(load.get("format_recognised"), f"the dock did not recognise the DMA format: {load.get('format_label')}")
    if not c.that(load.get("loaded"), f"the scenario did not load within {ctx.load_timeout_s:.0f} s: {load}"):
        return
    c.that(load["gap_rows"] > MIN_GAP_ROWS, f"only {load['gap_rows']} gaps in the table")
    c.note(f"scenario loaded in the dock in {load['load_s']} s: {load['gap_rows']} gaps, {load['vessels']} vessels")


def loaded(ctx):
    load = ctx.result["load"]
    return None if load.get("loaded") else f"the scenario did not load within {ctx.load_timeout_s:.0f} s"


# tracks_page


def tracks_page(ctx):
    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.tracksPage)
    ctx.process_events(300)
    ctx.result["layout"]["tracksPage"] = measure_page(ctx, "tracksPage")
    ctx.save("dock-tracks", ctx.grab_screen())


def check_tracks_page(ctx, c):
    check_page(c, "tracksPage", ctx.result["layout"]["tracksPage"])


STEPS = (
    Step("open_dock", [close_toolbox, open_dock], check_dock, needs=["plugin_loaded"]),
    Step(
        "load_tracks",
        [load_scenario, wait_for_map, screenshot_loaded],
        check_load,
        needs=["open_dock"],
        ready=loaded,  # every page after this one works on the loaded scenario
        screenshots=["dock-loaded"],
    ),
    Step("tracks_page", [tracks_page], check_tracks_page, needs=["load_tracks"], screenshots=["dock-tracks"]),
)
