"""The Gaps page's scoring: every gap scored in the background right after a load or a re-run, and again when the
ports of interest, the weights or the sanctions lists change. The table fills in as chunks of scores arrive (a queued
signal from the task, applied at most every ``FLUSH_MS``); at the end the session's scores are replaced by the ranked
ones, the gaps layer gets the score fields and the suspicion style, and the message bar sums it up."""

from __future__ import annotations

from typing import List

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QTimer

from ..core.errors import BaiMeiError
from ..core.suspicion import LEVELS
from ..qgis_io.i18n import tr
from ..qgis_io.scores import load_weights, save_weights, write_scores
from ..qgis_io.styles import apply_style
from ..tasks.score_tasks import ScoreGapsTask
from .guard import LOG_TAG, guarded, show_error
from .models import points_text
from .session import PagePart
from .task_runner import TaskRunner

FLUSH_MS = 250  # chunks arriving closer together are shown together (one re-sort of the table)


def default_weights():
    from ..core.suspicion import Weights

    return Weights()


def summary(scores, name_of) -> str:
    """'686 gaps scored: 3 high, 12 medium, 40 low; top: BAI MEI 8, 9 pts (high).' (``name_of(score)``: the
    vessel's name)"""
    counts = {level: 0 for level in LEVELS}
    for score in scores:
        counts[score.level] = counts.get(score.level, 0) + 1
    if len(scores) == 1:
        text = tr("{count:,} gap scored: {high:,} high, {medium:,} medium, {low:,} low")
    else:
        text = tr("{count:,} gaps scored: {high:,} high, {medium:,} medium, {low:,} low")
    text = text.format(count=len(scores), high=counts["high"], medium=counts["medium"], low=counts["low"])
    top = [s for s in scores if s.rank == 1]
    if not top:
        return text + "."
    # the level in brackets is the score's own word (core.suspicion.LEVELS), as the table shows it
    return tr("{scored}; top: {vessel}, {points} pts ({level}).").format(
        scored=text, vessel=name_of(top[0]), points=points_text(top[0].points), level=top[0].level
    )


class GapScoring(PagePart):
    def __init__(self, panel, dock, session, iface, settings):
        super().__init__(dock, session, iface, settings)
        self.panel = panel
        self.weights = self.read_weights()
        self.interest_text = None  # the ports of interest of the scores shown
        self.pending: List = []
        self.scored = 0  # scores received from the running task
        self.runner = TaskRunner(
            iface,
            self.on_done,
            cancel_button=dock.scoreCancelButton,
            progress=dock.scoreProgress,
            hide_progress=True,
            cancelled=lambda task: tr("Scoring cancelled: {scored:,} of {total:,} gaps scored.").format(
                scored=self.scored, total=len(task.gaps)
            ),
            on_failed=lambda *_: self.flush(),
            error_level=Qgis.MessageLevel.Warning,
            error_seconds=8,
            on_busy=self.on_busy,
        )
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(FLUSH_MS)
        self.timer.timeout.connect(self.flush)
        session.watchlistsChanged.connect(self.restart)
        session.project.readProject.connect(self.on_project_read)
        session.project.cleared.connect(self.on_project_cleared)

    # --- weights ------------------------------------------------------------------------------------------------
    def read_weights(self):
        """The weights kept in the project, the defaults when it keeps none or they are unreadable (said so)."""
        try:
            return load_weights(self.session.project) or default_weights()
        except BaiMeiError as exc:
            show_error(
                self.iface,
                BaiMeiError(f"Scoring weights of the project not used: {exc.message}"),
                Qgis.MessageLevel.Warning,
            )
            return default_weights()

    def set_weights(self, weights) -> None:
        """New weights: kept in the project, and every gap scored again with them."""
        self.weights = weights
        save_weights(self.session.project, weights)
        self.restart()

    @guarded
    def on_project_read(self, *_):
        self.weights = self.read_weights()
        self.restart()

    def on_project_cleared(self) -> None:
        self.runner.forget()
        self.weights = default_weights()

    # --- the task -----------------------------------------------------------------------------------------------
    def on_busy(self, busy: bool) -> None:
        self.dock.scoreCancelButton.setVisible(busy)
        self.panel.update_count()

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def start(self) -> None:
        """Score the session's gaps (a running scoring is stopped; its scores are dropped)."""
        self.runner.forget()
        self.timer.stop()
        self.pending, self.scored = [], 0
        self.session.scores = {}
        self.panel.model.set_scores((), replace=True)
        result = self.session.result
        gaps = result.found.gaps if result is not None else []
        self.interest_text = self.panel.details.interestEdit.text()
        if gaps:
            task = ScoreGapsTask(
                gaps, result.columns, self.panel.details.interest(), self.weights, self.runner.finished
            )
            task.scoresArrived.connect(self.on_chunk)  # a bound method of this GUI-thread object: queued
            self.runner.run(task)
        self.panel.on_scores_changed()
        self.session.scoresChanged.emit()

    @guarded
    def restart(self, *_):
        """Score again (other ports of interest, weights or lists), when there are gaps on the map."""
        if self.session.result is not None and self.live_gaps_layer() is not None:
            self.start()

    def restart_if_interest_changed(self) -> None:
        if self.interest_text is not None and self.panel.details.interestEdit.text() != self.interest_text:
            self.restart()

    def interrupt(self, *_) -> None:
        """Stop a running scoring, keeping the scores shown so far (new gaps are on their way; or, if they do not
        come, the page's Score button scores again)."""
        if self.runner.busy:
            self.flush()
            self.runner.forget()

    def on_chunk(self, chunk) -> None:
        if self.sender() is not self.runner.task:  # queued from a task stopped since
            return
        self.pending.extend(chunk)
        self.scored += len(chunk)
        if not self.timer.isActive():
            self.timer.start()

    @guarded
    def flush(self):
        """Show the scores received so far."""
        self.timer.stop()
        pending, self.pending = self.pending, []
        if not pending:
            return
        self.session.scores.update({s.gap_id: s for s in pending})
        self.panel.model.set_scores(pending)
        self.panel.on_scores_changed()
        self.session.scoresChanged.emit()

    def on_done(self, task) -> None:
        self.timer.stop()
        self.pending = []
        scores = task.result.scores
        self.session.scores = {s.gap_id: s for s in scores}
        self.panel.model.set_scores(scores, replace=True)
        self.write_layer(scores, task.result.weights)
        self.panel.on_scores_changed()
        self.session.scoresChanged.emit()
        gaps = {gap.gap_id: gap for gap in task.gaps}
        text = summary(scores, lambda s: gaps[s.gap_id].vessel_name or str(s.mmsi) if s.gap_id in gaps else s.mmsi)
        self.iface.messageBar().pushMessage("Bai Mei", text, Qgis.MessageLevel.Success, 8)
        QgsMessageLog.logMessage(text, LOG_TAG, Qgis.MessageLevel.Info)

    def live_gaps_layer(self):
        """The session's gaps layer while it is in the project (None once the project was cleared or replaced)."""
        layer = self.session.gaps_layer
        if layer is None or sip.isdeleted(layer) or self.session.project.mapLayer(layer.id()) is None:
            return None
        return layer

    def write_layer(self, scores, weights) -> None:
        """The scores and reviews into the gaps layer, styled by suspicion level."""
        layer = self.live_gaps_layer()
        if layer is None:
            return
        weights_json = weights.to_json() if weights is not None else None
        write_scores(layer, scores, self.panel.reviews.reviews, weights_json)
        apply_style(layer, "scored_gaps")

    def unload(self) -> None:
        self.timer.stop()
        self.runner.forget()
        for signal, slot in (
            (self.session.watchlistsChanged, self.restart),
            (self.session.project.readProject, self.on_project_read),
            (self.session.project.cleared, self.on_project_cleared),
        ):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):  # already gone with the project
                pass
