"""A case map rendered by QGIS's own layout engine: map, title, legend, scale bar, exported to PNG."""

from __future__ import annotations

from qgis.core import (
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsRectangle,
    QgsUnitTypes,
)
from qgis.PyQt.QtGui import QColor, QFont

from ..core.atomic import atomic_output
from .compat import set_label_font


def export_case_map(
    project, layers, extent: QgsRectangle, title: str, subtitle: str, path: str, dpi: int = 110
) -> None:
    """Render ``layers`` (top first) over ``extent`` with a title and a legend into a PNG at ``path``."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(297, 210, QgsUnitTypes.LayoutUnit.LayoutMillimeters))

    map_item = QgsLayoutItemMap(layout)
    map_item.attemptMove(QgsLayoutPoint(5, 22, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    map_item.attemptResize(QgsLayoutSize(220, 183, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    map_item.setLayers(layers)
    map_item.setExtent(extent)
    map_item.setBackgroundColor(QColor(200, 222, 240))
    map_item.setFrameEnabled(True)
    layout.addLayoutItem(map_item)

    for text, size, y, bold in ((title, 18, 4, True), (subtitle, 9, 13, False)):
        label = QgsLayoutItemLabel(layout)
        label.setText(text)
        font = QFont("DejaVu Sans", size)
        font.setBold(bold)
        set_label_font(label, font)
        label.attemptMove(QgsLayoutPoint(5, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        label.attemptResize(QgsLayoutSize(287, size * 0.7, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        layout.addLayoutItem(label)

    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("Legend")
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for layer in layers:
        root.addLayer(layer)
    legend.attemptMove(QgsLayoutPoint(229, 22, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    layout.addLayoutItem(legend)

    scale = QgsLayoutItemScaleBar(layout)
    scale.setStyle("Single Box")
    scale.setLinkedMap(map_item)
    scale.setUnits(QgsUnitTypes.DistanceUnit.DistanceNauticalMiles)
    scale.setUnitLabel("nm")
    scale.setNumberOfSegments(2)
    scale.setNumberOfSegmentsLeft(0)
    scale.setUnitsPerSegment(100)
    scale.attemptMove(QgsLayoutPoint(10, 190, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    layout.addLayoutItem(scale)

    exporter = QgsLayoutExporter(layout)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = dpi
    settings.exportMetadata = False  # a plain PNG: no project metadata embedded
    try:  # GDAL logs an error when QGIS tries to georeference a PNG it cannot update; the image is fine
        from osgeo import gdal

        gdal.PushErrorHandler("CPLQuietErrorHandler")
    except ImportError:
        gdal = None
    try:
        with atomic_output(path) as temporary:  # an earlier map stays whole until the new one is complete
            result = exporter.exportToImage(temporary, settings)
            if result != QgsLayoutExporter.ExportResult.Success:
                raise RuntimeError(f"QGIS could not export the map to {path} (error {result}).")
    finally:
        if gdal is not None:
            gdal.PopErrorHandler()
