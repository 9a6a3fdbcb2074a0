"""Scenes, quick-looks and basemaps as QGIS raster layers.

A scene opens from a :class:`~bai_mei_plugin.services.sources.SceneAccess`: its GDAL path goes into the layer's
source (never a key or signature); what the asset needs besides (a header, a token) is set as GDAL path-specific
configuration options for its prefix, in memory only, before the layer is opened, and stays set while QGIS reads
the tiles it draws.
"""

from __future__ import annotations

import os
import tempfile
from typing import Optional, Tuple
from urllib.parse import quote

from qgis.core import Qgis, QgsRasterLayer

from ..core.errors import BaiMeiError
from ..services.transport import redact
from .gdal_access import apply_access

SCENE_KIND = "scene"
QUICKLOOK_KIND = "quick-look"
BASEMAP_KIND = "basemap"
KIND_PROPERTY = "bai_mei/kind"  # as gui.map_view: what Bai Mei added a layer as

# (name, XYZ template, attribution, maximum zoom). Public tile services whose terms allow light interactive use.
BASEMAPS = {
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors (openstreetmap.org/copyright)",
        19,
    ),
    "Esri World Imagery": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Esri, Maxar, Earthstar Geographics, and the GIS User Community",
        19,
    ),
}


def open_scene(access) -> QgsRasterLayer:
    """The raster layer of ``access`` (a SceneAccess), its options handed to GDAL first for its path only (renewed
    when they expire: qgis_io.gdal_access). BaiMeiError when GDAL cannot open it."""
    access = apply_access(access)
    layer = QgsRasterLayer(access.gdal_path, access.name, "gdal")
    if not layer.isValid():
        shown = redact(access.gdal_path)
        said = redact(layer.error().summary())  # GDAL's message names the URL it read, with a SAS signature
        raise BaiMeiError(f"GDAL could not open the image {access.name} at {shown}.", said)
    layer.setCustomProperty(KIND_PROPERTY, SCENE_KIND)
    return layer


def quicklook_layer(
    image: bytes, bounds: Tuple[float, float, float, float], name: str, folder: str = ""
) -> QgsRasterLayer:
    """A preview image (PNG/JPEG bytes) stretched over ``bounds`` (west, south, east, north in lon/lat) as a raster
    layer: a quick look, not a georeferenced scene. Written as a GeoTIFF under ``folder`` (a temporary folder by
    default), under a temporary name renamed when complete."""
    from osgeo import gdal

    folder = folder or os.path.join(tempfile.gettempdir(), "bai_mei_quicklooks")
    os.makedirs(folder, exist_ok=True)
    west, south, east, north = bounds
    source = f"/vsimem/bai_mei_quicklook_{quote(name, safe='')}"
    gdal.FileFromMemBuffer(source, image)
    target = os.path.join(folder, f"{_safe(name)}.tif")
    try:
        done = gdal.Translate(
            target + ".partial", source, format="GTiff", outputBounds=[west, north, east, south], outputSRS="EPSG:4326"
        )
        if done is None:
            raise BaiMeiError(f"The preview of {name} is not an image GDAL can read (PNG or JPEG expected).")
        done = None
    finally:
        gdal.Unlink(source)
    os.replace(target + ".partial", target)
    layer = QgsRasterLayer(target, f"{name} (quick look)", "gdal")
    if not layer.isValid():
        raise BaiMeiError(f"The quick look of {name} could not be opened from {target}.")
    layer.setCustomProperty(KIND_PROPERTY, QUICKLOOK_KIND)
    return layer


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120] or "scene"


def basemap_layer(name: str = "OpenStreetMap") -> QgsRasterLayer:
    """A web tile basemap (XYZ) with its attribution in the layer's metadata."""
    if name not in BASEMAPS:
        raise BaiMeiError(f"Unknown basemap {name!r}; expected one of: {', '.join(BASEMAPS)}.")
    template, attribution, zmax = BASEMAPS[name]
    uri = f"type=xyz&url={quote(template, safe=':/')}&zmax={zmax}&zmin=0"
    layer = QgsRasterLayer(uri, name, "wms")
    if not layer.isValid():
        raise BaiMeiError(f"QGIS could not make the {name} basemap layer from {template}.", layer.error().summary())
    metadata = layer.metadata()
    metadata.setRights([attribution])
    layer.setMetadata(metadata)
    if Qgis.QGIS_VERSION_INT < 33800:  # older QGIS shows setAttribution's text; later ones the metadata's rights
        layer.setAttribution(attribution)  # (deprecated there: tested on 3.40 and 3.44)
    layer.setCustomProperty(KIND_PROPERTY, BASEMAP_KIND)
    return layer


def basemap_in(project, name: str) -> Optional[QgsRasterLayer]:
    """The basemap ``name`` Bai Mei already added to ``project``, if any."""
    for layer in project.mapLayers().values():
        if layer.customProperty(KIND_PROPERTY) == BASEMAP_KIND and layer.name() == name:
            return layer
    return None
