"""The Gaps page's review queue: mark the selected gaps reviewed, dismissed or escalated with a note (the buttons
under the table or its context menu). Reviews are keyed by gap_id (a re-run finding the same gap keeps its review),
kept in the QGIS project as soon as they are given (qgis_io/review.py; the project is marked modified) and written
into the gaps layer's review fields. Notes are plain text everywhere: escaped in tooltips and the Selected gap box."""

from __future__ import annotations

from typing import Dict

from qgis.core import Qgis
from qgis.PyQt import sip
from qgis.PyQt.QtWidgets import QMenu

from ..core.errors import BaiMeiError
from ..core.review import Review, count_by_status, mark
from ..qgis_io.i18n import tr
from ..qgis_io.review import load_reviews, save_reviews
from ..qgis_io.scores import write_reviews
from .guard import guarded, show_error
from .session import PagePart

ACTIONS = (("Reviewed", "reviewed"), ("Dismissed", "dismissed"), ("Escalated", "escalated"))


class ReviewQueue(PagePart):
    def __init__(self, panel, dock, session, iface, settings):
        super().__init__(dock, session, iface, settings)
        self.panel = panel
        self.reviews: Dict[str, Review] = {}
        dock.reviewedButton.clicked.connect(lambda: self.mark("reviewed"))
        dock.dismissButton.clicked.connect(lambda: self.mark("dismissed"))
        dock.escalateButton.clicked.connect(lambda: self.mark("escalated"))
        dock.gapTable.customContextMenuRequested.connect(self.context_menu)
        session.project.readProject.connect(self.reload)
        session.project.cleared.connect(self.on_project_cleared)
        self.reload()

    @guarded
    def reload(self, *_):
        """The reviews kept in the project (none, and a warning naming the project, when they are unreadable)."""
        try:
            reviews = load_reviews(self.session.project)
        except BaiMeiError as exc:
            reviews = {}
            show_error(self.iface, BaiMeiError(f"Review queue not read: {exc.message}"), Qgis.MessageLevel.Warning, 10)
        self.set_reviews(reviews, write_project=False)

    def on_project_cleared(self) -> None:
        self.set_reviews({}, write_project=False)

    def set_reviews(self, reviews: Dict[str, Review], write_project: bool = True) -> None:
        self.reviews = reviews
        if write_project:
            save_reviews(self.session.project, reviews)
        self.panel.model.set_reviews(reviews)
        layer = self.session.gaps_layer
        if layer is not None and not sip.isdeleted(layer) and self.session.project.mapLayer(layer.id()) is not None:
            write_reviews(layer, reviews)
        self.panel.on_reviews_changed()

    @guarded
    def mark(self, status):
        """Give the selected gaps ``status`` (None: forget their review) with the note of the note field."""
        gaps = self.panel.selected_gaps()
        if not gaps:
            self.iface.messageBar().pushMessage(
                "Bai Mei", tr("Select one or more gaps to review first."), Qgis.MessageLevel.Info, 4
            )
            return
        note = self.dock.reviewNoteEdit.text() if status is not None else ""
        self.set_reviews(mark(self.reviews, [g.gap_id for g in gaps], status, note))
        counts = count_by_status(self.reviews)
        if status:
            what = tr("{count:,} gap marked {status}") if len(gaps) == 1 else tr("{count:,} gaps marked {status}")
        else:
            what = tr("{count:,} gap no longer reviewed") if len(gaps) == 1 else tr("{count:,} gaps no longer reviewed")
        queue = ", ".join(f"{n:,} {s}" for s, n in counts.items())
        self.iface.messageBar().pushMessage(
            "Bai Mei",
            tr("{what}; the queue: {queue} (kept in the project).").format(
                what=what.format(count=len(gaps), status=status), queue=queue
            ),
            Qgis.MessageLevel.Info,
            4,
        )

    def note_of(self, gap) -> str:
        review = self.reviews.get(gap.gap_id) if gap is not None else None
        return review.note if review is not None else ""

    @guarded
    def context_menu(self, pos):
        if not self.panel.selected_gaps():
            return
        menu = QMenu(self.dock.gapTable)
        for title, status in ACTIONS:
            menu.addAction(title, lambda status=status: self.mark(status))
        menu.addSeparator()
        menu.addAction("Clear review", lambda: self.mark(None))
        menu.exec(self.dock.gapTable.viewport().mapToGlobal(pos))

    def unload(self) -> None:
        for signal, slot in (
            (self.session.project.readProject, self.reload),
            (self.session.project.cleared, self.on_project_cleared),
        ):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass
