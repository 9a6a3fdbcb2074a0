"""Background tasks for the dock's Analysis page: the same core functions as the Processing algorithms, run on the
reports the dock has already loaded, with their results as memory layers (built in the task, moved to the GUI
thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

from qgis.core import QgsVectorLayer

from ..core.ais.model import AisColumns, CleanResult
from ..core.anomalies import find_anomalies
from ..core.assess_gap import assess_gaps
from ..core.encounters import find_encounters
from ..core.gaps import Gap
from ..core.layer_kinds import ANOMALIES, ENCOUNTERS, PORT_VISITS, candidate_visits_of, reach_areas_of
from ..core.port_visits import declared_vs_actual, detect_port_visits
from ..core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, Suspicion
from ..qgis_io.case_workspace import mark_made_by
from ..qgis_io.i18n import tr
from ..qgis_io.inputs import default_ports
from ..qgis_io.land import land_polygons
from ..qgis_io.records import at_lon_lat, records_layer
from .ais_tasks import BaiMeiTask


@dataclass
class AnalysisResult:
    summary: str
    layers: List[Tuple[QgsVectorLayer, str]] = field(default_factory=list)  # (layer, style kind)
    records: list = field(default_factory=list)  # what the page lists (candidate ports)
    notes: List[str] = field(default_factory=list)
    suspicion: Optional[Suspicion] = None  # of the gap, for a reachability run


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
    land = land_polygons()
    task.setProgress(30)
    assessed = assess_gaps([gap], cols, ports, land, interest, max_speed_kn, is_canceled=task.is_canceled)
    found = assessed.items[0]
    areas = records_layer(reach_areas_of(assessed.gap_of, assessed.suspicion_of), "reachable sea", assessed.areas)
    visits = records_layer(
        candidate_visits_of(interest),
        "candidate ports",
        found.visits,
        lambda visit: at_lon_lat(assessed.port_of(visit)),
    )
    area = found.area
    for layer in (areas, visits):
        mark_made_by(
            layer,
            made_by="reachability",
            gap_id=gap.gap_id,
            mmsi=gap.mmsi,
            max_speed_kn=area.max_speed_kn,
            speed_asked_kn=max_speed_kn,
            ports=f"{len(ports):,} ports of the bundled gazetteer",
            ports_of_interest=list(interest.names),
        )
    task._to_main_thread(areas, visits)
    summary = tr(
        "{vessel}: {area} km² of sea within reach at {speed} kn; {ports} ports it could have called at."
    ).format(
        vessel=gap.vessel_name or gap.mmsi,
        area=f"{area.area_km2:,.0f}",
        speed=f"{area.max_speed_kn:.1f}",
        ports=len(found.visits),
    )
    return AnalysisResult(
        summary,
        [(areas, "reach_areas"), (visits, "candidate_visits")],
        found.visits,
        list(assessed.notes),
        found.suspicion,
    )


def port_visits(task: BaiMeiTask, cols: AisColumns, gaps: List[Gap]) -> AnalysisResult:
    ports = default_ports()
    found = detect_port_visits(cols, ports, progress=lambda f: task.progress(f, 0, 80), is_canceled=task.is_canceled)
    checks = declared_vs_actual(gaps, found.visits, ports)
    visits = records_layer(PORT_VISITS, "port visits", found.visits)
    mark_made_by(visits, made_by="port visits", ports=f"{len(ports):,} ports of the bundled gazetteer", gaps=len(gaps))
    task._to_main_thread(visits)
    mismatches = sum(1 for c in checks if c.mismatch)
    return AnalysisResult(
        tr(
            "{visits:,} port visits, {stops:,} stops; {mismatches} gaps after which the ship went somewhere else "
            "than it declared."
        ).format(visits=len(found.visits), stops=len(found.stops), mismatches=mismatches),
        [(visits, "port_visits")],
        checks,
    )


def encounters(task: BaiMeiTask, cols: AisColumns) -> AnalysisResult:
    found = find_encounters(
        cols, default_ports(), progress=lambda f: task.progress(f, 0, 90), is_canceled=task.is_canceled
    )
    layer = records_layer(ENCOUNTERS, "encounters", found)
    mark_made_by(layer, made_by="encounters", rule="≤ 500 m, ≥ 2 h, ≤ 2 kn, ≥ 10 km from a port")
    task._to_main_thread(layer)
    return AnalysisResult(
        tr("{count:,} encounters at sea (≤ 500 m, ≥ 2 h, ≤ 2 kn, ≥ 10 km from a port).").format(count=len(found)),
        [(layer, "encounters")],
        found,
    )


def anomalies(task: BaiMeiTask, cols: AisColumns, cleaned: Optional[CleanResult] = None) -> AnalysisResult:
    """Identity anomalies of ``cols``; ``cleaned``, the load's cleaning result, adds what cleaning set aside as
    evidence (invalid MMSIs, conflicting duplicates), as the Processing algorithm does."""
    found = find_anomalies(
        cols, progress=lambda f: task.progress(f, 0, 90), is_canceled=task.is_canceled, cleaned=cleaned
    )
    layer = records_layer(ANOMALIES, "anomalies", found.anomalies)
    mark_made_by(layer, made_by="anomalies", with_cleaning_evidence=cleaned is not None)
    task._to_main_thread(layer)
    kinds = sorted({a.kind for a in found.anomalies})  # the layer's kind values, as written in it
    if kinds:
        summary = tr("{count:,} identity anomalies ({kinds}).").format(
            count=len(found.anomalies), kinds=", ".join(kinds)
        )
    else:
        summary = tr("{count:,} identity anomalies.").format(count=len(found.anomalies))
    return AnalysisResult(
        summary,
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
