"""The Vessels page: select the Bai Mei 8, show it alone on the map (its whole voyage in the time window), then
show every vessel again."""

from .base import Step
from .context import wait_for_map
from .layout import check_columns, check_page, measure_page, table_columns


def show_vessel(ctx):
    """Vessels page: select the Bai Mei 8 and click "Show only this vessel"."""
    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.vesselsPage)
    ctx.process_events(200)
    proxy = dock.vessels.proxy
    row = next((r for r in range(proxy.rowCount()) if proxy.record(proxy.index(r, 0)).mmsi == ctx.mmsi), -1)
    info = {"row": row, "rows": proxy.rowCount()}
    ctx.result["vessel"] = info
    if row < 0:
        raise RuntimeError(f"MMSI {ctx.mmsi} is not in the vessel table")
    dock.vesselTable.selectRow(row)
    dock.vesselTable.scrollTo(proxy.index(row, 0))
    vessel = dock.vessels.selected_vessel()
    info["selected_mmsi"] = vessel.mmsi if vessel is not None else None
    info["selected_name"] = getattr(vessel, "name", None)
    info["first_seen"] = getattr(vessel, "first_seen", None)
    info["last_seen"] = getattr(vessel, "last_seen", None)
    dock.showVesselButton.click()
    info["subsets"] = {layer.name(): layer.subsetString() for layer in dock.session.layers()}
    info["features"] = {layer.name(): layer.featureCount() for layer in dock.session.layers()}
    return ctx.wait_for_map()


def screenshot_vessels(ctx):
    dock = ctx.dock()
    layout = measure_page(ctx, "vesselsPage")
    layout["vessel_table"] = table_columns(dock.vesselTable)
    ctx.result["layout"]["vesselsPage"] = layout
    info = ctx.result["vessel"]
    canvas = ctx.iface.mapCanvas()
    window = canvas.temporalController().temporalExtents()
    begin, end = window.begin().toSecsSinceEpoch(), window.end().toSecsSinceEpoch()
    extent = dock.session.tracks_layer.extent()  # the vessel's track, filtered
    info["map"] = {
        "temporal_begin": begin,
        "temporal_end": end,
        # the time filter left by the selected gap may hide most of the vessel's voyage
        "temporal_covers_vessel": begin <= info["first_seen"] and end >= info["last_seen"],
        "extent_contains_track": canvas.extent().contains(extent),
    }
    ctx.save("dock-vessels", ctx.grab_screen())
    dock.showAllButton.click()
    info["subsets_after_show_all"] = {layer.name(): layer.subsetString() for layer in dock.session.layers()}
    info["features_after_show_all"] = {layer.name(): layer.featureCount() for layer in dock.session.layers()}


def check_vessel(ctx, c):
    vessel = ctx.result["vessel"]
    c.that(vessel.get("selected_mmsi") == ctx.mmsi, f"the Bai Mei 8 ({ctx.mmsi}) is not the selected vessel: {vessel}")
    subsets = vessel["subsets"]
    c.that(
        subsets and all(str(ctx.mmsi) in subset for subset in subsets.values()),
        f"Show only this vessel should filter every layer to MMSI {ctx.mmsi}: {subsets}",
    )
    c.that(
        all(subset == "" for subset in vessel["subsets_after_show_all"].values()),
        f"Show all should clear every layer's filter: {vessel['subsets_after_show_all']}",
    )
    c.that(vessel["map"]["temporal_covers_vessel"], f"the time window hides part of the voyage: {vessel['map']}")
    layout = ctx.result["layout"]["vesselsPage"]
    check_page(c, "vesselsPage", layout)
    check_columns(c, layout["vessel_table"], ("Vessel", "Listed", "Worst gap"), "vessel table")


STEPS = (
    Step(
        "vessels_page",
        [show_vessel, wait_for_map, screenshot_vessels],
        check_vessel,
        needs=["load_tracks"],
        screenshots=["dock-vessels"],
    ),
)
