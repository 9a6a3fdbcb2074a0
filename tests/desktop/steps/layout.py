"""Legible at 1366x768: measuring a dock page's widgets and table columns, and what counts as clipped or squeezed."""

# The dock's widgets that must never be squeezed, per page: (page attribute, widget attributes).
KEY_WIDGETS = {
    "tracksPage": ("fileWidget", "formatLabel", "loadButton", "cancelButton", "pointsCheck", "summaryLabel"),
    "gapsPage": (
        "presetCombo",
        "minHoursSpin",
        "rerunButton",
        "filterEdit",
        "filterHoursSpin",
        "gapTable",
        "playButton",
        "trackButton",
        "gapCountLabel",
    ),
    "vesselsPage": ("vesselFilterEdit", "vesselTable", "showVesselButton", "showAllButton"),
    "imagerySearchPage": (
        "imagerySourceCombo",
        "imageryUrlCombo",
        "imageryAuthSelect",
        "imageryCollectionsEdit",
        "imageryListButton",
        "imageryCloudSpin",
        "imageryMaxItemsSpin",
        "imageryStartEdit",
        "imageryEndEdit",
        "imageryPadSpin",
        "imageryGapTimeButton",
        "imageryMapTimeButton",
        "imageryAoiCombo",
        "imageryAoiLabel",
        "imagerySearchButton",
        "imageryCancelButton",
    ),
    "imageryResultsPage": (
        "imageryResultTable",
        "imageryTimeline",
        "imageryPreviewLabel",
        "imageryItemLabel",
        "imageryAddButton",
        "imagerySearchButton",
        "imageryStatusLabel",
    ),
}
MIN_DOCK_WIDTH = 300
# Widgets whose text must fit: width at least 90 % of what they ask for.
BUTTONS = (
    "loadButton",
    "cancelButton",
    "rerunButton",
    "playButton",
    "trackButton",
    "showVesselButton",
    "showAllButton",
    "imageryListButton",
    "imageryGapTimeButton",
    "imageryMapTimeButton",
    "imagerySearchButton",
    "imageryCancelButton",
    "imageryAddButton",
)
# Widgets that must not be flattened.
MIN_HEIGHT = 20
TALL_ENOUGH = BUTTONS + (
    "fileWidget",
    "presetCombo",
    "filterEdit",
    "gapTable",
    "vesselFilterEdit",
    "vesselTable",
    "imageryUrlCombo",
    "imageryAuthSelect",
    "imageryStartEdit",
    "imageryEndEdit",
    "imageryResultTable",
    "imageryTimeline",
)
MIN_TABLE_HEIGHT = 150


def rect(rectangle):
    return [rectangle.x(), rectangle.y(), rectangle.width(), rectangle.height()]


def geometry_of(widget, dock):
    """Where ``widget`` is in the dock, how big it is and how big it wants to be, and whether it is cut off."""
    from qgis.PyQt.QtCore import QPoint, QRect
    from qgis.PyQt.QtGui import QGuiApplication

    in_dock = QRect(widget.mapTo(dock, QPoint(0, 0)), widget.size())
    on_screen = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
    shown = widget.visibleRegion().boundingRect()
    hint, min_hint = widget.sizeHint(), widget.minimumSizeHint()
    return {
        "class": type(widget).__name__,
        "visible": widget.isVisible(),
        "enabled": widget.isEnabled(),
        "geometry": rect(in_dock),  # x, y, width, height in the dock
        "width": widget.width(),
        "height": widget.height(),
        "size_hint": [hint.width(), hint.height()],
        "minimum_size_hint": [min_hint.width(), min_hint.height()],
        "shown_region": [shown.width(), shown.height()],  # smaller than the size: a parent clips it
        "inside_dock": dock.rect().contains(in_dock),
        "on_screen": QGuiApplication.primaryScreen().geometry().contains(on_screen),
        "text": widget.text() if hasattr(widget, "text") and callable(widget.text) else None,
    }


def squeezed(page, dock):
    """Named widgets of ``page`` smaller than they need to be: text that would be cut off."""
    from qgis.PyQt.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QWidget

    found = []
    for widget in page.findChildren(QWidget):
        name = widget.objectName()
        if not name or getattr(dock, name, None) is not widget or not widget.isVisible():
            continue
        need = None
        if isinstance(widget, QLabel) and widget.wordWrap():
            if widget.text() and widget.heightForWidth(widget.width()) > widget.height():
                need = [widget.width(), widget.heightForWidth(widget.width())]
        elif isinstance(widget, (QAbstractButton, QLabel)):
            hint = widget.sizeHint()
            if widget.width() < hint.width() or widget.height() < hint.height():
                need = [hint.width(), hint.height()]
        elif isinstance(widget, (QComboBox, QLineEdit, QAbstractSpinBox)):
            hint = widget.minimumSizeHint()
            if widget.width() < hint.width() or widget.height() < hint.height():
                need = [hint.width(), hint.height()]
        if need is not None:
            found.append({"widget": name, "size": [widget.width(), widget.height()], "needs": need})
    return found


def table_columns(table):
    """Column widths of a table view against what their header and contents need; which fit in the view."""
    from qgis.PyQt.QtCore import Qt

    header = table.horizontalHeader()
    model = table.model()
    viewport = table.viewport().width()
    columns = []
    for column in range(header.count()):
        width = header.sectionSize(column)
        position = header.sectionViewportPosition(column)
        needs = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
        columns.append(
            {
                "name": model.headerData(column, Qt.Horizontal, Qt.DisplayRole),
                "width": width,
                "needs": needs,
                "too_narrow": width < needs,
                "in_view": position >= 0 and position + width <= viewport,
            }
        )
    return {
        "viewport_width": viewport,
        "viewport_height": table.viewport().height(),
        "row_height": table.verticalHeader().defaultSectionSize(),
        "horizontal_scrollbar": table.horizontalScrollBar().isVisible(),
        "columns": columns,
    }


def measure_page_widget(ctx, page):
    """measure_page for a page that the dock holds through a controller rather than as a .ui attribute."""
    ctx.dock()._measured_page = page
    return measure_page(ctx, "_measured_page")


def measure_page(ctx, page_name):
    """Geometry of the page's key widgets, the dock, the tab bar; named widgets that are squeezed."""
    from qgis.PyQt.QtCore import QPoint, QRect
    from qgis.PyQt.QtGui import QFontMetrics, QGuiApplication

    dock = ctx.dock()
    page = getattr(dock, page_name)
    bar = dock.tabs.tabBar()
    tabs = []
    for index in range(bar.count()):
        tab = bar.tabRect(index)
        tabs.append({"text": bar.tabText(index), "rect": rect(tab), "fully_shown": bar.rect().contains(tab)})
    screen = QGuiApplication.primaryScreen()
    main = ctx.iface.mainWindow()
    metrics = QFontMetrics(dock.font())
    return {
        "current_tab": dock.tabs.currentWidget().objectName(),
        "screen": rect(screen.geometry()),
        "logical_dpi": screen.logicalDotsPerInch(),
        "main_window": rect(main.geometry()),
        "map_canvas": [ctx.iface.mapCanvas().width(), ctx.iface.mapCanvas().height()],
        "dock": {
            "geometry": rect(QRect(dock.mapTo(main, QPoint(0, 0)), dock.size())),
            "width": dock.width(),
            "height": dock.height(),
            "minimum_size_hint": [dock.minimumSizeHint().width(), dock.minimumSizeHint().height()],
            "font_point_size": dock.font().pointSizeF(),
            "font_pixel_height": metrics.height(),
        },
        "tab_bar": {"width": bar.width(), "size_hint_width": bar.sizeHint().width(), "tabs": tabs},
        "widgets": {name: geometry_of(getattr(dock, name), dock) for name in KEY_WIDGETS.get(page_name, ())},
        "squeezed": squeezed(page, dock),
    }


def problems(layout):
    """Problems in one page's measurements (see measure_page): clipped, squeezed or hidden widgets."""
    found = []
    dock = layout["dock"]
    if dock["width"] < MIN_DOCK_WIDTH:
        found.append(f"the dock is {dock['width']} px wide (< {MIN_DOCK_WIDTH})")
    for name, widget in layout["widgets"].items():
        if not widget["visible"]:
            found.append(f"{name} is not visible")
            continue
        if not (widget["inside_dock"] and widget["on_screen"]):
            found.append(f"{name} lies outside the dock or the screen: {widget['geometry']}")
        if widget["shown_region"] != [widget["width"], widget["height"]]:
            found.append(f"{name} is partly hidden: {widget['shown_region']} of {widget['width']}x{widget['height']}")
        if name in BUTTONS and widget["width"] < 0.9 * widget["size_hint"][0]:
            found.append(f"{name} is squeezed: {widget['width']} px wide, needs {widget['size_hint'][0]}")
        if name in TALL_ENOUGH and widget["height"] < MIN_HEIGHT:
            found.append(f"{name} is only {widget['height']} px high")
    for table in ("gapTable", "vesselTable", "imageryResultTable"):
        if table in layout["widgets"] and layout["widgets"][table]["height"] < MIN_TABLE_HEIGHT:
            found.append(f"{table} shows only {layout['widgets'][table]['height']} px of rows")
    for entry in layout["squeezed"]:
        found.append(f"{entry['widget']} is {entry['size']} but needs {entry['needs']} (text cut off)")
    return found


def check_page(checks, page_name, layout):
    """Nothing clipped, squeezed or hidden on ``page_name``."""
    found = problems(layout)
    checks.that(not found, f"the dock at 1366x768, {page_name}:\n" + "\n".join(f"  {p}" for p in found))


def check_columns(checks, table_layout, names, what):
    """The columns ``names`` of a measured table are in view without scrolling sideways."""
    in_view = {c["name"]: c["in_view"] for c in table_layout["columns"]}
    checks.that(all(in_view.get(name) for name in names), f"{what} columns not all in view: {in_view}")
