"""Radar for the dock's Analysis page: vessels detected in a SAR scene on the map and matched with the loaded AIS,
through the same core functions as baimei:detectvessels and baimei:matchdetections, in a background task. The
results come back as memory layers (built in the task, moved to the GUI thread) and as rows for the page's table."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from qgis.PyQt.QtCore import QT_TR_NOOP

from ..core.ais.model import AisColumns
from ..core.errors import BaiMeiError, Canceled
from ..core.layer_kinds import DARK_DETECTIONS, SAR_DETECTIONS, SAR_MATCHES, UNSEEN_VESSELS
from ..core.sar_detect import CfarParams, SceneDetection
from ..core.sar_match import DetectionIn, GapWindow, MatchParams, match_scene
from ..core.sar_match import gap_windows as gap_windows  # the page turns the session's gaps into these from here
from ..qgis_io.case_workspace import made_by, mark_made_by
from ..qgis_io.i18n import tr
from ..qgis_io.land import land_index
from ..qgis_io.records import at_lon_lat, records_layer, records_of
from ..qgis_io.sar_raster import SarRaster, detect_in_raster
from .ais_tasks import BaiMeiTask
from .analysis_tasks import AnalysisResult

# a table row's status, shown translated (gui.radar_part)
MATCHED, DARK, UNSEEN = QT_TR_NOOP("with AIS"), QT_TR_NOOP("dark"), QT_TR_NOOP("not seen")


@dataclass(frozen=True)
class SceneInput:
    """What the task reads, taken on the GUI thread: the raster's GDAL path and its name in the project."""

    path: str
    name: str


@dataclass
class RadarRow:
    """One row of the page's table: a detection with or without AIS, or an AIS vessel the radar did not see.
    ``detection`` holds the radar's measurements (None for a vessel not seen); ``kind`` the layer it is in."""

    status: str
    kind: str
    detection_id: str
    mmsi: Optional[int]
    vessel_name: Optional[str]
    length_m: Optional[float]
    offset_m: Optional[float]  # to the matched vessel, or to the nearest AIS vessel for a dark detection
    gaps: str  # the vessels whose dark gap's reachable sea holds a dark detection
    lon: float
    lat: float
    detection: Optional[SceneDetection] = None


@dataclass
class RadarResult(AnalysisResult):
    scene_id: str = ""
    acquired: Optional[int] = None
    rows: List[RadarRow] = field(default_factory=list)


def reach_areas(layer) -> Dict[str, object]:
    """gap_id -> shapely polygon (lon/lat) of a reachable-sea layer (read on the GUI thread: layers are not
    thread-safe); empty without a layer."""
    if layer is None or "gap_id" not in layer.fields().names():
        return {}
    from shapely import wkb

    if layer.crs().authid() not in ("", "EPSG:4326"):
        raise BaiMeiError(f"The reachable sea layer {layer.name()} is in {layer.crs().authid()}; expected EPSG:4326.")
    areas = {}
    for feature in layer.getFeatures():
        geometry = feature.geometry()
        if geometry is not None and not geometry.isEmpty():
            areas[str(feature["gap_id"])] = wkb.loads(bytes(geometry.asWkb()))
    return areas


def _check(task: BaiMeiTask) -> None:
    if task.is_canceled():
        raise Canceled()


def detect(task: BaiMeiTask, scene: SceneInput, params: CfarParams, window_size: int = 2048):
    """(raster, SceneDetections) of ``scene``, land of QGIS's world map masked; progress 0-70 %."""
    raster = SarRaster(scene.path, scene.name)
    acquired = raster.scene_time("run Detect vessels from the Processing Toolbox and give it as Scene time.")
    task.setProgress(5)
    found = detect_in_raster(
        raster, params, land_index(None).polygons, acquired, None, window_size,
        progress=lambda f: task.progress(f, 5, 65), is_canceled=task.is_canceled,
    )  # fmt: skip
    return raster, found


def detect_and_match(
    task: BaiMeiTask,
    scene: SceneInput,
    cols: AisColumns,
    gaps: Sequence[GapWindow] = (),
    areas: Optional[Dict[str, object]] = None,
    params: CfarParams = CfarParams(),
    match_params: MatchParams = MatchParams(),
    window_size: int = 2048,
) -> RadarResult:
    """Vessels in ``scene`` matched with the AIS ``cols`` at the scene's time; dark detections named with the
    ``gaps`` whose reachable sea (``areas``) holds them; AIS vessels in the scene's extent the radar missed."""
    from shapely.geometry import box

    raster, detections = detect(task, scene, params, window_size)
    _check(task)
    acquired = raster.acquired()
    wanted = [DetectionIn(d.detection_id, d.lon, d.lat, d.length_m, d.acquired) for d in detections]
    found = match_scene(wanted, cols, acquired, box(*raster.bounds_lon_lat()), gaps, areas, match_params)
    task.setProgress(80)
    _check(task)
    layers = [
        (records_layer(SAR_DETECTIONS, "radar detections", detections, at_lon_lat), SAR_DETECTIONS.name),
        (records_layer(SAR_MATCHES, "radar detections with AIS", found.pairs, at_lon_lat), SAR_MATCHES.name),
        (records_layer(DARK_DETECTIONS, "dark vessel candidates (radar)", found.dark, at_lon_lat),
         DARK_DETECTIONS.name),
        (records_layer(UNSEEN_VESSELS, "AIS vessels the radar did not see", found.unseen, at_lon_lat),
         UNSEEN_VESSELS.name),
    ]  # fmt: skip
    for layer, _ in layers:
        mark_made_by(
            layer,
            made_by="radar",
            scene=scene.name,
            scene_id=raster.scene_id(),
            scene_path=scene.path.split("?", 1)[0],  # never a signature or token of a query string
            detection=dataclasses.asdict(params),
            matching=dataclasses.asdict(match_params),
        )
    task._to_main_thread(*(layer for layer, _ in layers))
    by_id = {d.detection_id: d for d in detections}
    rows = radar_rows(found.pairs, found.dark, found.unseen, by_id)
    summary = tr(
        "{scene}: {vessels:,} vessels on radar (false-alarm rate {pfa}), {matched:,} with AIS, {dark:,} dark (no AIS "
        "within {distance} m), {unseen:,} AIS vessels not seen."
    ).format(
        scene=raster.scene_id(),
        vessels=len(detections),
        pfa=f"{params.pfa:g}",
        matched=len(found.pairs),
        dark=len(found.dark),
        distance=f"{match_params.max_distance_m:,.0f}",
        unseen=len(found.unseen),
    )
    return RadarResult(summary, layers, rows, scene_id=raster.scene_id(), acquired=acquired, rows=rows)


def radar_rows(pairs, dark, unseen, by_id) -> List[RadarRow]:
    """The page's table rows of a run: matched and dark detections (with their measurements), unseen vessels."""
    rows = [
        RadarRow(MATCHED, SAR_MATCHES.name, m.detection_id, m.mmsi, m.vessel_name, m.length_m, m.offset_m, "",
                 m.lon, m.lat, by_id.get(m.detection_id))
        for m in pairs
    ]  # fmt: skip
    rows += [
        RadarRow(DARK, DARK_DETECTIONS.name, d.detection_id, None, None, d.length_m, d.nearest_ais_m,
                 d.vessel_names.strip(', ') or d.mmsis, d.lon, d.lat, by_id.get(d.detection_id))
        for d in dark
    ]  # fmt: skip
    rows += [
        RadarRow(UNSEEN, UNSEEN_VESSELS.name, "", v.mmsi, v.vessel_name, v.length_m, None, "", v.lon, v.lat)
        for v in unseen
    ]
    return rows


def result_from_layers(layers: Dict[str, object]) -> Optional[RadarResult]:
    """The result a run left in its four layers (a reopened case), its table rows again; None without them."""
    kinds = (SAR_DETECTIONS, SAR_MATCHES, DARK_DETECTIONS, UNSEEN_VESSELS)
    if any(layers.get(kind.name) is None for kind in kinds):
        return None
    detections, pairs, dark, unseen = (records_of(layers[kind.name], kind) for kind in kinds)
    rows = radar_rows(pairs, dark, unseen, {d.detection_id: d for d in detections})
    scene_id = str(made_by(layers[SAR_DETECTIONS.name]).get("scene_id") or "")
    summary = tr(
        "{scene}: {vessels:,} vessels on radar, {matched:,} with AIS, {dark:,} dark, {unseen:,} AIS vessels not seen "
        "(from the case)."
    ).format(scene=scene_id, vessels=len(detections), matched=len(pairs), dark=len(dark), unseen=len(unseen))
    acquired = detections[0].acquired if detections else None
    return RadarResult(summary, [], rows, scene_id=scene_id, acquired=acquired, rows=rows)
