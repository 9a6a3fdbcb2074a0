"""The "assess a gap" use case: where the ship could have gone (reachable sea), which ports it could have called at
and for how long (candidate visits), and how suspicious the gap is: the :class:`~.suspicion.GapScore` of the one
scorer (:func:`~.suspicion.score_gaps`), given these candidate visits and reachable areas, so that the dock's
Selected gap box, ``baimei:gapreachability`` and ``baimei:scoregaps`` say the same thing about a gap.

The dock (``tasks/analysis_tasks.py``) and Processing (``baimei:gapreachability``) both call :func:`assess_gaps`;
they differ only in where the records go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .ais.model import AisColumns
from .gaps import Gap
from .ports import Port
from .reachability import CandidateVisit, GapArea, gap_reachability
from .score_weights import Weights
from .suspicion import GapScore, InterestPorts, score_gaps


@dataclass
class GapAssessment:
    """One gap: its reachable area, its candidate visits (longest stay first) and its suspicion."""

    gap: Gap
    area: GapArea
    visits: List[CandidateVisit]
    suspicion: GapScore


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
    def suspicion_of(self) -> Dict[str, GapScore]:
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
    watchlists: Sequence = (),
    weights: Optional[Weights] = None,
    land_index=None,
) -> Assessments:
    """Reachability, candidate visits and suspicion of each of ``gaps``.

    ``reports`` give each vessel's default speed when ``max_speed_kn`` is None, and the scorer's port visits,
    stops, identity anomalies and reported IMOs; ``land`` (a :class:`~.reachability.LandPolygons`, polygons, or
    None) clips the areas to the sea; ``by_sea`` keeps only the water a route by sea reaches in time; ``interest``
    are the ports of interest of the suspicion; ``watchlists``, ``weights`` and ``land_index`` (distances from shore
    where the gaps carry none) go to :func:`~.suspicion.score_gaps`.
    """
    reach_progress = (lambda f: progress(0.8 * f)) if progress else None
    found = gap_reachability(gaps, reports, land, ports, max_speed_kn, is_canceled, reach_progress, by_sea_areas=by_sea)
    scored = score_gaps(
        gaps,
        reports,
        ports,
        interest,
        land_index=land_index,
        watchlists=watchlists,
        weights=weights,
        max_speed_kn=max_speed_kn,
        progress=(lambda f: progress(0.8 + 0.2 * f)) if progress else None,
        is_canceled=is_canceled,
        visits=found.visits,
        areas={area.gap_id: area.geometry for area in found.areas},
    )
    items, start = [], 0
    for gap, area in zip(gaps, found.areas):  # one area per gap, and each gap's visits together, in the gaps' order
        end = start
        while end < len(found.visits) and found.visits[end].gap_id == gap.gap_id:
            end += 1
        visits = found.visits[start:end]
        items.append(GapAssessment(gap, area, visits, scored.scores[len(items)]))
        start = end
    notes = list(found.notes) + [n for n in scored.notes if n not in found.notes]
    return Assessments(items, notes, {(p.name, p.locode): p for p in ports})
