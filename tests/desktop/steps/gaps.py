"""The Gaps page: the Bai Mei 8's June gap among the three most suspicious without typing a name, on the map and in
the Selected gap box; the Preset list."""

from .base import Step, Until
from .context import wait_for_map
from .layout import MIN_TABLE_HEIGHT, check_columns, check_page, measure_page, table_columns

GAP_FIELDS = (
    "gap_id",
    "mmsi",
    "vessel_name",
    "off_time",
    "on_time",
    "off_lat",
    "off_lon",
    "on_lat",
    "on_lon",
    "gap_hours",
    "distance_nm",
    "destination_before",
    "destination_after",
)


# gaps_page


def wait_scores(ctx):
    """Right after the load every gap is scored in the background; the table fills in as the scores arrive."""
    gaps = ctx.dock().gaps
    return Until(
        "every gap scored",
        lambda: not gaps.scoring.busy and bool(gaps.session.scores),
        300,
        then_ms=500,
    )


def select_first_gap(ctx):
    """Gaps page, no name typed: the table as it comes (most suspicious first); the top three rows; select the Bai Mei
    8's June gap among them by clicking its row."""
    from qgis.PyQt.QtCore import Qt

    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.gapsPage)
    ctx.process_events(200)
    proxy = dock.gaps.proxy
    header = dock.gapTable.horizontalHeader()
    info = {
        "filter_text": dock.filterEdit.text(),
        "rows_shown": proxy.rowCount(),
        "gap_count_label": dock.gapCountLabel.text(),
        "sorted_by": proxy.headerData(header.sortIndicatorSection(), Qt.Horizontal),
        "descending": header.sortIndicatorOrder() == Qt.DescendingOrder,
        "scored": len(dock.session.scores),
        "gap": None,
    }
    top = []
    for row in range(min(3, proxy.rowCount())):
        record = proxy.record(proxy.index(row, 0))
        score = dock.session.scores.get(record.gap_id)
        top.append(
            {
                "row": row,
                "mmsi": record.mmsi,
                "vessel": record.vessel_name,
                "off_time": record.off_time,
                "rank": score.rank if score else None,
                "points": score.points if score else None,
            }
        )
    info["top3"] = top
    ctx.result["selected_gap"] = info
    expected_off = ctx.expected_gap[0] if ctx.expected_gap else None
    june = next((t["row"] for t in top if t["mmsi"] == ctx.mmsi and t["off_time"] == expected_off), None)
    if june is None:
        raise RuntimeError(f"the Bai Mei 8's June gap is not among the three most suspicious: {top}")
    ctx.save("dock-gaps-by-suspicion", ctx.grab_screen())
    rect = dock.gapTable.visualRect(proxy.index(june, 1))
    _click(dock.gapTable.viewport(), rect.center())
    ctx.process_events(200)
    gap = dock.gaps.selected_gap()
    if gap is None:
        raise RuntimeError("no gap selected after clicking its row")
    info["gap"] = {key: getattr(gap, key, None) for key in GAP_FIELDS}
    ctx.gap = gap
    return ctx.wait_for_map()


def _click(widget, point):
    from qgis.PyQt.QtCore import Qt

    try:
        from qgis.PyQt.QtTest import QTest
    except ImportError:
        from PyQt5.QtTest import QTest

    QTest.mouseClick(widget, Qt.LeftButton, Qt.NoModifier, point)


def wait_gap_details(ctx):
    """The Selected gap box works out the gap's reachable sea and candidate ports in the background."""
    details = ctx.dock().gaps.details
    return Until(
        "the selected gap's reachable sea",
        lambda: details.task is None and not details.timer.isActive(),
        60,
        then_ms=800,
    )


def screenshot_gap(ctx):
    dock = ctx.dock()
    info = ctx.result["selected_gap"]
    details = dock.gaps.details
    info["details"] = {
        "text": details.label.text(),
        "level": details.suspicion.level if details.suspicion else None,
        "candidates": [
            [v.locode, round(v.max_dwell_hours_sea or v.max_dwell_hours, 1)] for v in (details.visits or [])
        ],
        "layers": sorted(dock.session.extra),
        "box_visible": details.group.isVisible(),
        "table_height": dock.gapTable.height(),
    }
    info["criteria_folded_at_start"] = dock.criteriaGroup.isCollapsed()
    dock.criteriaGroup.setCollapsed(False)  # unfolded, to measure every widget of the page
    ctx.process_events(400)
    info["map"] = ctx.map_state(ctx.gap)
    selected = dock.session.gaps_layer.selectedFeatures() if dock.session.gaps_layer else []
    info["selected_on_map"] = [f["gap_id"] for f in selected]
    layout = measure_page(ctx, "gapsPage")
    layout["gap_table"] = table_columns(dock.gapTable)
    ctx.result["layout"]["gapsPage"] = layout
    ctx.save("dock-bai-mei-8-gap-criteria", ctx.grab_screen())
    # as an analyst would once the criteria are set: fold them away, leaving room for the selected gap
    dock.criteriaGroup.setCollapsed(True)
    ctx.process_events(400)
    info["details"].update(
        folded_table_height=dock.gapTable.height(),
        folded_box_height=details.group.height(),
        folded_text_fits=details.label.height() <= details.scroll.viewport().height(),
    )
    # the table is judged as the page opens, with the criteria folded; unfolded, the criteria take its place by the
    # analyst's choice (every other widget is checked unfolded, for being in view)
    layout["widgets"]["gapTable"] = measure_page(ctx, "gapsPage")["widgets"]["gapTable"]
    ctx.save("dock-bai-mei-8-gap", ctx.grab_screen())
    dock.criteriaGroup.setCollapsed(False)
    ctx.process_events(200)


def check_gap(ctx, c):
    selected = ctx.result["selected_gap"]
    gap = selected.get("gap") or {}
    c.that(not selected["filter_text"], f"a name was typed in the filter: {selected['filter_text']!r}")
    c.that(
        selected["sorted_by"] == "Suspicion" and selected["descending"],
        f"the gaps table should open most suspicious first: {selected}",
    )
    c.that(selected["scored"] == selected["rows_shown"] > 100, f"every gap should be scored: {selected}")
    june = [t for t in selected["top3"] if t["mmsi"] == ctx.mmsi]
    c.that(june and all(t["rank"] <= 3 for t in june), f"the Bai Mei 8 is not in the top 3: {selected['top3']}")
    c.that(gap.get("mmsi") == ctx.mmsi, f"the gap selected is not the Bai Mei 8's: {selected}")
    if ctx.expected_gap:
        expected_off, expected_on = ctx.expected_gap
        c.that(gap.get("off_time") == expected_off, f"first gap off at {gap.get('off_time')}, expected {expected_off}")
        c.that(gap.get("on_time") == expected_on, f"first gap on at {gap.get('on_time')}, expected {expected_on}")
    else:
        c.that(False, "the test did not say which gap to expect (BAIMEI_DESKTOP_FIRST_GAP)")
    c.that(selected["map"]["extent_contains_gap"], f"the map does not show the gap's ends: {selected['map']}")
    c.that(selected["map"]["temporal_covers_gap"], f"the Temporal Controller misses the gap: {selected['map']}")
    details = selected.get("details", {})
    c.that(details.get("box_visible") and details.get("level") == "high", f"the Selected gap box: {details}")
    c.that(selected.get("criteria_folded_at_start"), "the gap criteria should start folded, leaving room for the table")
    text = details.get("text", "")
    c.that(
        "★ Nampo ≤ 54 h" in text and "+3 could have called at ports of interest" in text and "draught rose 6.5" in text,
        f"the Selected gap text: {text}",
    )
    candidates = dict(details.get("candidates", []))
    c.that("KPNAM" in candidates and "RUVVO" not in candidates, f"the Selected gap's candidate ports: {candidates}")
    c.that({"reach_areas", "candidate_visits"} <= set(details.get("layers", [])), f"the gap's layers: {details}")
    c.that(
        details.get("folded_table_height", 0) >= MIN_TABLE_HEIGHT and details.get("folded_text_fits"),
        f"with the criteria folded the gap table or the Selected gap text does not fit: {details}",
    )
    layout = ctx.result["layout"]["gapsPage"]
    check_page(c, "gapsPage", layout)
    check_columns(c, layout["gap_table"], ("Rank", "Suspicion", "Vessel", "Hours"), "gap table")


# preset_list


def preset_list(ctx):
    """Does every preset's text fit the closed Preset combo and its open list? Screenshot of the open list."""
    from qgis.PyQt.QtWidgets import QStyle, QStyleOptionComboBox

    combo = ctx.dock().presetCombo
    option = QStyleOptionComboBox()
    option.initFrom(combo)
    option.frame = True
    field = combo.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, combo)
    metrics = combo.fontMetrics()
    combo.showPopup()
    ctx.process_events(400)
    view = combo.view()
    list_width = view.viewport().width()
    presets = []
    for index in range(combo.count()):
        text = combo.itemText(index)
        needs = metrics.horizontalAdvance(text)
        presets.append(
            {
                "text": text,
                "text_width": needs,
                "fits_closed_combo": needs <= field.width(),
                "fits_open_list": needs + 2 * view.spacing() + 8 <= list_width,
            }
        )
    ctx.result["layout"]["preset_combo"] = {
        "combo_width": combo.width(),
        "text_field_width": field.width(),
        "popup_visible": view.isVisible(),
        "list_width": list_width,
        "presets": presets,
    }
    ctx.save("dock-preset-list", ctx.grab_screen())
    combo.hidePopup()
    ctx.process_events(200)


def check_presets(ctx, c):
    presets = ctx.result["layout"]["preset_combo"]["presets"]
    cut_open = [p["text"] for p in presets if not p["fits_open_list"]]
    c.that(not cut_open, f"preset names cut off in the open Preset list: {cut_open}")
    cut_closed = [p["text"] for p in presets if not p["fits_closed_combo"]]
    c.that(not cut_closed, f"preset names cut off in the closed Preset combo: {cut_closed}")


STEPS = (
    Step(
        "gaps_page",
        [wait_scores, select_first_gap, wait_for_map, wait_gap_details, screenshot_gap],
        check_gap,
        needs=["load_tracks"],
        screenshots=["dock-gaps-by-suspicion", "dock-bai-mei-8-gap-criteria", "dock-bai-mei-8-gap"],
    ),
    Step("preset_list", [preset_list], check_presets, needs=["open_dock"], screenshots=["dock-preset-list"]),
)
