"""The Gaps page's "Selected gap" box: how suspicious the gap is and why (its score's reasons with their points, from
the page's background scoring), its review, where its ship could have gone and which ports it could have called at
and for how long. The reachable sea is worked out in a background task a moment after the selection settles, and
shown on the map. Everything from reports or analysts (names, destinations, notes) is escaped: shown as text."""

from __future__ import annotations

import html
import time

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
)

from ..core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, parse_port_list
from ..qgis_io.i18n import tr
from ..tasks import analysis_tasks
from ..tasks.ais_tasks import LOG_TAG
from .guard import guarded
from .models import points_text
from .session import PagePart
from .task_runner import TaskRunner

SETTLE_MS = 350  # wait for the selection to settle (arrow keys through the table) before working anything out
MAX_LISTED = 4  # the rest are on the Analysis page; the box keeps its height for the reasons
MIN_TABLE_PX = 150


def _utc(seconds: int) -> str:
    return time.strftime("%d %b %H:%M", time.gmtime(int(seconds)))


def _hours(visit) -> float:
    return visit.max_dwell_hours_sea if visit.max_dwell_hours_sea is not None else visit.max_dwell_hours


def describe_score(score, of_total: int = 0) -> str:
    """The score's level, points and rank, then each reason with its points, one a line (escaped)."""
    colour = {"high": "#b2182b", "medium": "#d6604d"}.get(score.level, "#404040")
    rank = f", rank {score.rank:,} of {of_total:,}" if score.rank and of_total else ""
    head = f"<b style='color:{colour}'>Suspicion {score.level}</b> ({points_text(score.points)} pts{rank})"
    if not score.reasons:
        return f"{head}: {html.escape(score.why)}"
    reasons = [f"{reason.points:+g} {html.escape(headline(reason.text))}" for reason in score.reasons]
    return head + ":<br>" + "<br>".join(f"&nbsp;&nbsp;{line}" for line in reasons)


def headline(text: str) -> str:
    """A reason up to its first ": " or " (" (the box is small; the details follow in the tooltip, the table's tooltip
    and the layer's ``why``): "identity anomalies: MMSI ... unallocated MID" -> "identity anomalies"; "good reception
    before the gap (20 positions in 12 h, at least 14): ..." -> "good reception before the gap"."""
    return text.split(": ", 1)[0].split(" (", 1)[0]


def describe_review(review) -> str:
    note = f": {html.escape(review.note)}" if review.note else ""
    return f"<b>Review</b>: {html.escape(review.status)}{note}"


def describe(
    gap, suspicion, visits, interest: InterestPorts, working: bool = False, review=None, scoring=False, of_total=0
) -> str:
    """Rich text for the box: the gap, its suspicion and why (None while it is being scored: ``scoring``), its
    review, and the candidate ports (ports of interest marked)."""
    name = html.escape(gap.vessel_name or str(gap.mmsi))
    lines = [f"<b>{name}</b> · {gap.gap_hours:.0f} h dark from {_utc(gap.off_time)} UTC"]
    if suspicion is not None:
        lines.append(describe_score(suspicion, of_total))
    elif scoring:
        lines.append("<i>Scoring its suspicion…</i>")
    if review is not None:
        lines.append(describe_review(review))
    if working:
        lines.append("<i>Working out where it could have gone…</i>")
    elif visits is not None:
        if not visits:
            lines.append("No port of the gazetteer was within reach.")
        else:
            ordered = sorted(visits, key=lambda v: ((v.port_name, v.locode) not in interest, -_hours(v)))
            shown = []
            for visit in ordered[:MAX_LISTED]:
                text = f"{html.escape(visit.port_name)} ≤ {_hours(visit):.0f} h"
                shown.append(f"<b>★ {text}</b>" if (visit.port_name, visit.locode) in interest else text)
            more = len(visits) - len(shown)
            lines.append(
                f"Could have called at ({len(visits)}): "
                + " · ".join(shown)
                + (f" · and {more} more (Analysis page)" if more > 0 else "")
            )
    return "<br>".join(lines)


class GapDetails(PagePart):
    def __init__(self, gaps_panel, dock, session, iface, settings):
        super().__init__(dock, session, iface, settings)
        self.panel = gaps_panel
        self.gap = None
        self.visits = None
        self.suspicion = None  # the GapScore shown
        self.reach_score = None  # the selected gap's score from its reach task
        # the reach is a side result of selecting a gap: its failure warns (and the box says what is known)
        self.runner = TaskRunner(
            iface,
            self.on_done,
            on_failed=lambda *_: self.refresh(),
            error_level=Qgis.MessageLevel.Warning,
            error_seconds=8,
        )

        self.group = QGroupBox(tr("Selected gap"), dock.gapsPage)
        self.group.setObjectName("gapDetailsGroup")
        box = QVBoxLayout(self.group)
        box.setContentsMargins(6, 4, 6, 4)
        self.label = QLabel(tr("Select a gap to see where the ship could have gone."))
        self.label.setObjectName("gapDetailsLabel")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scroll = QScrollArea(self.group)  # long lists scroll rather than squeeze the gap table
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.label)
        self.scroll.setMinimumHeight(30)  # its own minimum (room for scroll bars) would take rows from the gap table
        box.addWidget(self.scroll)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Of interest"), self.group))
        self.interestEdit = QLineEdit(self.group)
        self.interestEdit.setObjectName("interestEdit")
        self.interestEdit.setToolTip(
            tr(
                "Ports of interest, names or UN/LOCODEs, comma-separated: a gap with one of them within "
                "reach is more suspicious. Empty the box to use none."
            )
        )
        self.interestEdit.setText(str(settings.value("interest_ports", ", ".join(DEFAULT_INTEREST_PORTS))))
        row.addWidget(self.interestEdit)
        self.reachCheck = QCheckBox(tr("Reach"), self.group)
        self.reachCheck.setObjectName("reachCheck")
        self.reachCheck.setToolTip(
            tr(
                "When a gap is selected, work out where the ship could have gone: the reachable sea on the "
                "map and the ports it could have called at"
            )
        )
        self.reachCheck.setChecked(str(settings.value("reach_on_select", "true")).lower() in ("true", "1"))
        row.addWidget(self.reachCheck)
        box.addLayout(row)
        # the gap table and this box share the table's place, in a splitter the analyst can drag
        layout = dock.gapsLayout
        index = layout.indexOf(dock.gapTable)
        layout.removeWidget(dock.gapTable)
        self.splitter = QSplitter(Qt.Orientation.Vertical, dock.gapsPage)
        self.splitter.setObjectName("gapSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(dock.gapTable)
        self.splitter.addWidget(self.group)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        dock.gapTable.setMinimumHeight(60)
        self.group.setMinimumHeight(70)
        layout.insertWidget(index, self.splitter, 1)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.work_out)
        dock.gapTable.selectionModel().selectionChanged.connect(self.on_gap_changed)
        self.interestEdit.editingFinished.connect(self.on_interest_changed)
        dock.criteriaGroup.collapsedStateChanged.connect(lambda _collapsed: QTimer.singleShot(0, self.fit))
        self.reachCheck.toggled.connect(self.on_reach_toggled)

    @property
    def looking(self) -> bool:
        """Working out where the selected gap's ship could have gone (about to, or in its task)."""
        return self.task is not None or self.timer.isActive()

    def interest(self) -> InterestPorts:
        return InterestPorts(parse_port_list(self.interestEdit.text()))

    def refresh(self, working: bool = False) -> None:
        if self.gap is None:
            self.label.setText(tr("Select a gap to see where the ship could have gone."))
            return
        interest = self.interest()
        # the page's score of the gap (every gap is scored in the background); before it arrives, the one the
        # reach task worked out with the same scorer
        self.suspicion = self.session.scores.get(self.gap.gap_id) or self.reach_score
        # (the page makes its scoring and review queue after this box: none while it is being built)
        scoring = self.panel.scoring.busy if hasattr(self.panel, "scoring") else False
        review = self.panel.reviews.reviews.get(self.gap.gap_id) if hasattr(self.panel, "reviews") else None
        text = describe(
            self.gap, self.suspicion, self.visits, interest, working, review, scoring, len(self.session.scores)
        )
        self.label.setText(text)
        # the reasons in full (the box gives each one's headline); a tooltip is rich text: escaped
        full = self.suspicion.tooltip if self.suspicion is not None else ""
        self.label.setToolTip(html.escape(full).replace("\n", "<br>") if full else "")
        QTimer.singleShot(0, self.fit)

    def fit(self) -> None:
        """Give the box the height its text needs, up to 60 % of the place it shares with the gap table, leaving
        the table at least ``MIN_TABLE_PX``; what does not fit scrolls."""
        total = sum(self.splitter.sizes())
        if total <= 0 or not self.splitter.isVisible():
            return
        chrome = self.group.height() - self.scroll.viewport().height()
        need = self.label.heightForWidth(self.scroll.viewport().width()) + chrome
        box = max(self.group.minimumHeight(), min(need, total - MIN_TABLE_PX, int(total * 0.6)))
        self.splitter.setSizes([total - box, box])

    @guarded
    def on_gap_changed(self, *_):
        gap = self.panel.selected_gap()
        if gap is self.gap:
            return
        self.cancel()
        self.gap, self.visits, self.reach_score = gap, None, None
        want = gap is not None and self.reachCheck.isChecked() and self.session.result is not None
        self.refresh(working=want)
        if want:
            self.timer.start()

    @guarded
    def on_interest_changed(self):
        self.settings.set_value("interest_ports", self.interestEdit.text())
        self.reach_score = None  # worked out with the ports of interest before; the page scores the gaps again
        self.refresh(working=self.task is not None)

    @guarded
    def on_reach_toggled(self, checked: bool):
        self.settings.set_value("reach_on_select", bool(checked))
        if checked and self.gap is not None and self.visits is None:
            self.refresh(working=True)
            self.timer.start()
        elif not checked:
            self.cancel()
            self.refresh()

    @guarded
    def work_out(self) -> None:
        gap = self.gap
        if gap is None or self.session.result is None:
            return
        cols = self.session.result.columns
        interest = self.interest()
        task = analysis_tasks.AnalysisTask(
            f"Bai Mei: where could {gap.vessel_name or gap.mmsi} have gone?",
            lambda task: analysis_tasks.reachability(task, cols, gap, None, interest),
            self.runner.finished,
        )
        task.gap = gap
        self.runner.run(task)

    def on_done(self, task) -> None:
        if self.session.group is None or task.gap is not self.gap:
            return
        result = task.result
        for layer, kind in result.layers:
            self.session.add_extra(layer, kind)
        for note in result.notes:
            QgsMessageLog.logMessage(note, LOG_TAG, Qgis.MessageLevel.Info)
        self.visits = list(result.records)
        self.reach_score = result.suspicion
        self.refresh()

    def cancel(self) -> None:
        self.timer.stop()
        self.runner.forget()  # a gap selected since: its own task will run

    def unload(self) -> None:
        self.cancel()
