"""Background tasks for the dock's Analysis page: the same core functions as the Processing algorithms, run on the
reports the dock has already loaded, with their results as memory layers (built in the task, moved to the GUI
thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, List, Optional, Tuple

from qgis.core import QgsGeometry, QgsPointXY, QgsVectorLayer

from ..core.ais.model import AisColumns
from ..core.anomalies import find_anomalies
from ..core.encounters import find_encounters
from ..core.gaps import Gap
from ..core.port_visits import declared_vs_actual, detect_port_visits
from ..core.reachability import LandPolygons, gap_reachability
from ..core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, Suspicion, assess_gap
from ..qgis_io import schemas
from ..qgis_io.inputs import default_ports
from ..qgis_io.records import record_features, schema_fields
from ..qgis_io.sources import default_land, default_land_path
from .ais_tasks import BaiMeiTask


@dataclass
class AnalysisResult:
    summary: str
    layers: List[Tuple[QgsVectorLayer, str]] = field(default_factory=list)  # (layer, style kind)
    records: list = field(default_factory=list)  # what the page lists (candidate ports)
    notes: List[str] = field(default_factory=list)
    suspicion: Optional[Suspicion] = None  # of the gap, for a reachability run


@lru_cache(maxsize=1)
def land_polygons(path: str) -> LandPolygons:
    return LandPolygons(default_land().polygons)


def records_layer(uri: str, name: str, records, schema, geometry) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{uri}?crs=EPSG:4326", name, "memory")
    fields = schema_fields(schema)
    layer.dataProvider().addAttributes(fields.toList())
    layer.updateFields()
    layer.dataProvider().addFeatures(list(record_features(records, schema, layer.fields(), geometry)))
    layer.updateExtents()
    return layer


def reachability(
    task: BaiMeiTask,
    cols: AisColumns,
    gap: Gap,
    max_speed_kn: Optional[float],
    interest: Optional[InterestPorts] = None,
) -> AnalysisResult:
    """The reachable sea and candidate ports of ``gap``, and its suspicion with ``interest`` (default list)."""
    interest = interest if interest is not None else InterestPorts(DEFAULT_INTEREST_PORTS)
    ports = default_ports()
    task.setProgress(5)
    land = land_polygons(default_land_path())
    task.setProgress(30)
    result = gap_reachability([gap], cols, land, ports, max_speed_kn, task.is_canceled)
    port_at = {(p.name, p.locode): p for p in ports}

    def port_point(visit):
        port = port_at[(visit.port_name, visit.locode)]
        return QgsGeometry.fromPointXY(QgsPointXY(port.lon, port.lat))

    area = result.areas[0]
    suspicion = assess_gap(gap, result.visits, interest)
    areas = records_layer(
        "MultiPolygon",
        "reachable sea",
        result.areas,
        schemas.reach_area_schema({gap.gap_id: gap}, {gap.gap_id: suspicion}),
        schemas.area_geometry,
    )
    visits = records_layer(
        "Point", "candidate ports", result.visits, schemas.candidate_visits_schema(interest), port_point
    )
    task._to_main_thread(areas, visits)
    notes = list(result.notes)
    summary = (
        f"{gap.vessel_name or gap.mmsi}: {area.area_km2:,.0f} km² of sea within reach at "
        f"{area.max_speed_kn:.1f} kn; {len(result.visits)} ports it could have called at."
    )
    return AnalysisResult(
        summary, [(areas, "reach_areas"), (visits, "candidate_visits")], result.visits, notes, suspicion
    )


def port_visits(task: BaiMeiTask, cols: AisColumns, gaps: List[Gap]) -> AnalysisResult:
    ports = default_ports()
    found = detect_port_visits(cols, ports, progress=lambda f: task.progress(f, 0, 80), is_canceled=task.is_canceled)
    checks = declared_vs_actual(gaps, found.visits, ports)
    visits = records_layer("Point", "port visits", found.visits, schemas.PORT_VISITS, schemas.at_lon_lat)
    task._to_main_thread(visits)
    mismatches = sum(1 for c in checks if c.mismatch)
    return AnalysisResult(
        f"{len(found.visits):,} port visits, {len(found.stops):,} stops; {mismatches} gaps after "
        "which the ship went somewhere else than it declared.",
        [(visits, "port_visits")],
        checks,
    )


def encounters(task: BaiMeiTask, cols: AisColumns) -> AnalysisResult:
    found = find_encounters(
        cols, default_ports(), progress=lambda f: task.progress(f, 0, 90), is_canceled=task.is_canceled
    )
    layer = records_layer("Point", "encounters", found, schemas.ENCOUNTERS, schemas.at_lon_lat)
    task._to_main_thread(layer)
    return AnalysisResult(
        f"{len(found):,} encounters at sea (≤ 500 m, ≥ 2 h, ≤ 2 kn, ≥ 10 km from a port).",
        [(layer, "encounters")],
        found,
    )


def anomalies(task: BaiMeiTask, cols: AisColumns) -> AnalysisResult:
    found = find_anomalies(cols, progress=lambda f: task.progress(f, 0, 90), is_canceled=task.is_canceled)
    layer = records_layer("Point", "anomalies", found.anomalies, schemas.ANOMALIES, schemas.anomaly_point)
    task._to_main_thread(layer)
    kinds = sorted({a.kind for a in found.anomalies})
    return AnalysisResult(
        f"{len(found.anomalies):,} identity anomalies" + (f" ({', '.join(kinds)})." if kinds else "."),
        [(layer, "anomalies")],
        found.anomalies,
    )


class AnalysisTask(BaiMeiTask):
    """Runs ``work(task)`` (one of the functions above) off the GUI thread."""

    def __init__(self, description: str, work: Callable[[BaiMeiTask], AnalysisResult], on_done: Callable):
        super().__init__(description, on_done)
        self._work = work

    def work(self) -> AnalysisResult:
        return self._work(self)
