"""Every gap of the dock scored in the background (core.suspicion.score_gaps): ports, land and the saved sanctions
lists are read in the task, and the scores reach the GUI thread chunk by chunk through a signal (a queued
connection: the task's run() is on a worker thread), so the Gaps page fills in as they arrive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt.QtCore import pyqtSignal

from ..core.ais.model import AisColumns
from ..core.errors import BaiMeiError
from ..core.gaps import Gap
from ..core.suspicion import InterestPorts
from ..qgis_io.i18n import tr
from ..qgis_io.inputs import default_ports
from .ais_tasks import LOG_TAG, BaiMeiTask


@dataclass
class ScoringResult:
    scores: list  # core.suspicion.GapScore, ranked, in the gaps' order
    notes: List[str] = field(default_factory=list)
    weights: object = None  # the core.suspicion.Weights used


def saved_lists(notes: List[str]) -> Sequence:
    """The sanctions lists saved in the user's profile; none (and a note) when they cannot be read."""
    try:
        from ..qgis_io.watchlist_store import saved_watchlists
    except ImportError:  # an installation without the sanctions lists: scored without them
        return ()
    try:
        return saved_watchlists()
    except BaiMeiError as exc:
        notes.append(tr("Sanctions lists not used: {problem}").format(problem=exc.message))
        return ()


def land(notes: List[str]):
    """QGIS's world map as a shore-distance index and as polygons for routes by sea (read once per session);
    (None, None) and a note when it cannot be read: offshore and by-sea reasons are then worked out without land."""
    from ..qgis_io.land import land_index, land_polygons

    try:
        return land_index(), land_polygons()
    except BaiMeiError as exc:
        notes.append(tr("Scored without land: {problem}").format(problem=exc.message))
        return None, None


class ScoreGapsTask(BaiMeiTask):
    """Scores ``gaps`` with ``reports``; ``scoresArrived(list)`` carries each chunk of GapScores (rank 0) as it is
    scored; the ranked result is the task's ``result`` (a ScoringResult)."""

    scoresArrived = pyqtSignal(object)  # noqa: N815 (Qt signal naming)

    def __init__(self, gaps: Sequence[Gap], reports: Optional[AisColumns], interest: InterestPorts, weights, on_done):
        super().__init__(f"Bai Mei: scoring {len(gaps):,} gaps", on_done)
        self.gaps = list(gaps)
        self.reports = reports
        self.interest = interest
        self.weights = weights

    def progress(self, fraction: float, start: float = 0.0, span: float = 100.0) -> None:
        """No progress once cancelled: a page that has let the task go (a new load, the dock closed) may already
        have deleted the bar its progress went to."""
        if not self.isCanceled():
            super().progress(fraction, start, span)

    def work(self) -> ScoringResult:
        from ..core.suspicion import score_gaps

        notes: List[str] = []
        ports = default_ports()
        self.progress(0.02)
        watchlists = saved_lists(notes)
        land_index, land_polygons = land(notes)
        self.progress(0.1)
        found = score_gaps(
            self.gaps,
            self.reports,
            ports,
            interest=self.interest,
            land_index=land_index,
            land_polygons=land_polygons,
            watchlists=watchlists,
            weights=self.weights,
            progress=lambda f: self.progress(f, 10, 89),
            is_canceled=self.is_canceled,
            on_scores=self.scoresArrived.emit,
        )
        for note in [*notes, *found.notes]:
            QgsMessageLog.logMessage(note, LOG_TAG, Qgis.MessageLevel.Info)
        return ScoringResult(list(found.scores), [*notes, *found.notes], found.weights)
