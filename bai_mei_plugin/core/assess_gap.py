"""The "assess a gap" use case: where the ship could have gone (reachable sea), which ports it could have called at
and for how long (candidate visits), and how suspicious the gap is (ports of interest, draught, destination).

The dock (``tasks/analysis_tasks.py``) and Processing (``baimei:gapreachability``) both call :func:`assess_gaps`,
so that one gap gets the same answer wherever it is asked about; they differ only in where the records go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .ais.model import AisColumns
from .gaps import Gap
from .ports import Port
from .reachability import CandidateVisit, GapArea, gap_reachability
from .suspicion import InterestPorts, Suspicion, assess_gap


@dataclass
class GapAssessment:
    """One gap: its reachable area, its candidate visits (longest stay first) and its suspicion."""

    gap: Gap
    area: GapArea
    visits: List[CandidateVisit]
    suspicion: Suspicion


@dataclass
class Assessments:
    """The assessment of each gap, in the gaps' order, and what the user should know (``notes``)."""

    items: List[GapAssessment]
    notes: List[str] = field(default_factory=list)
    ports: Dict[Tuple[str, str], Port] = field(default_factory=dict)  # (name, locode) -> port, to place the visits

    @property
    def areas(self) -> List[GapArea]:
        return [item.area for item in self.items]

    @property
    def visits(self) -> List[CandidateVisit]:
        return [visit for item in self.items for visit in item.visits]

    @property
    def gap_of(self) -> Dict[str, Gap]:
        return {item.gap.gap_id: item.gap for item in self.items}

    @property
    def suspicion_of(self) -> Dict[str, Suspicion]:
        return {item.gap.gap_id: item.suspicion for item in self.items}

    def port_of(self, visit: CandidateVisit) -> Port:
        """The port a candidate visit is to (a visit names its port; the layers place it at the port)."""
        return self.ports[(visit.port_name, visit.locode)]


def assess_gaps(
    gaps: Sequence[Gap],
    reports: Optional[AisColumns],
    ports: Sequence[Port],
    land,
    interest: InterestPorts,
    max_speed_kn: Optional[float] = None,
    by_sea: bool = True,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> Assessments:
    """Reachability, candidate visits and suspicion of each of ``gaps``.

    ``reports`` give each vessel's default speed when ``max_speed_kn`` is None; ``land`` (a
    :class:`~.reachability.LandPolygons`, polygons, or None) clips the areas to the sea; ``by_sea`` keeps only the
    water a route by sea reaches in time; ``interest`` are the ports of interest of the suspicion.
    """
    found = gap_reachability(gaps, reports, land, ports, max_speed_kn, is_canceled, progress, by_sea_areas=by_sea)
    items, start = [], 0
    for gap, area in zip(gaps, found.areas):  # one area per gap, and each gap's visits together, in the gaps' order
        end = start
        while end < len(found.visits) and found.visits[end].gap_id == gap.gap_id:
            end += 1
        visits = found.visits[start:end]
        items.append(GapAssessment(gap, area, visits, assess_gap(gap, visits, interest)))
        start = end
    return Assessments(items, list(found.notes), {(p.name, p.locode): p for p in ports})
