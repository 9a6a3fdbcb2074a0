"""Export the case (Annotate page > Export the case…), in the second session:

- export_while_panning: the whole traffic (every layer, every format, no vessel filter) exported in the background;
  the large-export question answered "Everything"; the map panned with real mouse drags while it runs, the event loop
  never stalling 3 s or more; Cancel stops it within 2 s and leaves no temporary (``.partial``) file.
- export_ranking: "Who could it be?" on the restored sighting, then the case vessel's export with its report: the
  report (HTML) names the ranking's candidates.

Environment: ``BAIMEI_DESKTOP_EXPORT_DIR`` (a folder for each export).
"""

import os
import re
import time

from ..steps.base import Step, Until

STALL_LIMIT_S = 3.0  # a hang bound, not a speed figure
CANCEL_LIMIT_S = 2.0  # the figure for Cancel; generous for a writer that checks between features
PAN_FOR_S = 4.0  # how long the map is panned while the export runs
TICK_MS = 20  # the event-loop probe's interval
PARTIAL = re.compile(r"\.partial")
CANDIDATES_HEADING = "<h2>Top candidates</h2>"  # the HTML report's table of each sighting's top three candidates
TOP = 3


def export_dir(name):
    folder = os.path.join(os.environ["BAIMEI_DESKTOP_EXPORT_DIR"], name)
    os.makedirs(folder, exist_ok=True)
    return folder


class LoopProbe:
    """A timer firing every TICK_MS: the longest time between two of its ticks is the longest stall of the event
    loop (nested loops, such as a modal question's, count as turning)."""

    def __init__(self):
        from qgis.PyQt.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.last = None
        self.longest = 0.0
        self.ticks = 0

    def start(self):
        self.last = time.monotonic()
        self.timer.start()

    def tick(self):
        now = time.monotonic()
        self.longest = max(self.longest, now - self.last)
        self.last = now
        self.ticks += 1

    def stop(self):
        self.timer.stop()
        self.tick()
        return round(self.longest, 3)


def open_export_dialog(ctx):
    """Annotate page > Export the case… (a real click): the dialog, pre-filled from the case."""
    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.annotate.page)
    ctx.process_events(200)
    dock.annotate.page.exportButton.click()
    ctx.process_events(500)
    dialog = dock.annotate.export_dialog
    if dialog is None or not dialog.isVisible():
        raise RuntimeError("Export the case… did not open the export dialog")
    return dialog


def _files(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def _answer_question(ctx, info, prefer):
    """Answers the large-export question (a modal message box) with the button whose text starts with ``prefer``,
    after a screenshot of it; records its text."""
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QApplication, QMessageBox

    def answer(attempt=0):
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if attempt < 60 and ctx.state.expected_dialog:
                QTimer.singleShot(100, lambda: answer(attempt + 1))
            return
        info["question"] = box.text()
        info["choices"] = [b.text() for b in box.buttons()]
        ctx.save("export-question", ctx.grab_screen())
        button = next((b for b in box.buttons() if b.text().startswith(prefer)), None)
        (button or box.buttons()[0]).click()

    QTimer.singleShot(200, answer)


# --- export_while_panning -------------------------------------------------------------------------------------------


def start_whole_export(ctx):
    """Everything ticked (every layer, every format, no vessel filter, no report), Export clicked; the estimate
    question answered "Everything"."""
    from qgis.PyQt.QtCore import Qt

    dialog = open_export_dialog(ctx)
    folder = export_dir("whole")
    info = {
        "folder": folder,
        "prefilled_vessel": dialog.vesselCombo.currentData(),
        "prefilled_report": dialog.reportCheck.isChecked(),
        "prefilled_layers": [
            dialog.layerList.item(r).text()
            for r in range(dialog.layerList.count())
            if dialog.layerList.item(r).checkState() == Qt.Checked
        ],
    }
    ctx.result["export_whole"] = info
    dialog.vesselCombo.setCurrentIndex(0)  # (no vessel: every vessel's features)
    dialog.vesselOnlyCheck.setChecked(False)
    for row in range(dialog.layerList.count()):
        dialog.layerList.item(row).setCheckState(Qt.Checked)
    for check in dialog.formatChecks.values():
        check.setChecked(True)
    dialog.reportCheck.setChecked(False)
    dialog.folderWidget.setFilePath(folder)
    dialog.overwriteCheck.setChecked(True)
    info["layers"] = [dialog.layerList.item(r).text() for r in range(dialog.layerList.count())]
    info["formats"] = dialog.formats()
    ctx.probe = LoopProbe()
    ctx.probe.start()
    ctx.state.expected_dialog = True
    try:
        _answer_question(ctx, info, "Everything")
        started = time.monotonic()
        dialog.exportButton.click()  # returns once the question is answered and the task is started
        info["click_returned_s"] = round(time.monotonic() - started, 2)
    finally:
        ctx.state.expected_dialog = False
    info["stall_before_task_s"] = round(ctx.probe.longest, 3)
    info["task_started"] = dialog.task is not None
    info["status"] = dialog.statusLabel.text()
    ctx.process_events(600)  # the progress bar moves
    info["progress_at_screenshot"] = dialog.progressBar.value()
    ctx.save("export-dialog", dialog.grab())
    return 0


def pan_while_exporting(ctx):
    """Drags the map with the Pan tool (real mouse events) again and again while the export runs."""
    from qgis.PyQt.QtCore import QPoint

    canvas = ctx.iface.mapCanvas()
    ctx.iface.actionPan().trigger()
    dialog = ctx.dock().annotate.export_dialog
    info = ctx.result["export_whole"]
    info.update(pans=0, extents_changed=0, running_while_panning=0)
    started = time.monotonic()
    centre = QPoint(canvas.width() // 2, canvas.height() // 2)

    def pan_once():
        before = canvas.extent().center()
        step = 40 if info["pans"] % 2 == 0 else -40  # back and forth, so the map stays on the case
        _drag(canvas.viewport(), centre, QPoint(centre.x() + step, centre.y() + step // 2))
        after = canvas.extent().center()
        info["pans"] += 1
        info["extents_changed"] += int(before != after)
        info["running_while_panning"] += int(dialog.task is not None)
        return time.monotonic() - started >= PAN_FOR_S or dialog.task is None

    return Until("panning while the export runs", pan_once, PAN_FOR_S + 10, then_ms=0, poll_ms=250)


def _drag(widget, start, end, steps=5):
    """Press, move in steps with the left button held, release: as a hand on the mouse would."""
    from qgis.PyQt.QtCore import QEvent, QPoint, QPointF, Qt
    from qgis.PyQt.QtGui import QMouseEvent
    from qgis.PyQt.QtWidgets import QApplication

    def send(kind, point, button, buttons):
        local = QPointF(point)
        event = QMouseEvent(kind, local, QPointF(widget.mapToGlobal(point)), button, buttons, Qt.NoModifier)
        QApplication.sendEvent(widget, event)

    send(QEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton)
    for k in range(1, steps + 1):
        x = start.x() + (end.x() - start.x()) * k // steps
        y = start.y() + (end.y() - start.y()) * k // steps
        send(QEvent.MouseMove, QPoint(x, y), Qt.NoButton, Qt.LeftButton)
    send(QEvent.MouseButtonRelease, end, Qt.LeftButton, Qt.NoButton)


def cancel_export(ctx):
    """Cancel export (a real click); the task must end within moments."""
    dialog = ctx.dock().annotate.export_dialog
    info = ctx.result["export_whole"]
    info["running_at_cancel"] = dialog.task is not None
    feedback = getattr(dialog.task, "feedback", None)
    info["writing_at_cancel"] = list(getattr(feedback, "texts", [])[-2:])  # what Cancel interrupted, for the report
    info["progress_at_cancel"] = dialog.progressBar.value()
    info["cancel_enabled"] = dialog.cancelButton.isEnabled()
    ctx.cancel_clicked = time.monotonic()
    dialog.cancelButton.click()
    return Until("the export to stop after Cancel", lambda: dialog.task is None, 15, then_ms=300, poll_ms=50)


def read_cancelled(ctx):
    dialog = ctx.dock().annotate.export_dialog
    info = ctx.result["export_whole"]
    info["cancel_s"] = round(ctx.result["waits"]["the export to stop after Cancel"]["s"], 2)
    info["stall_s"] = ctx.probe.stop()
    info["probe_ticks"] = ctx.probe.ticks
    info["files_after_cancel"] = _files(info["folder"])
    info["status_after_cancel"] = dialog.statusLabel.text()
    dialog.close()
    ctx.process_events(200)


def check_whole_export(ctx, c):
    info = ctx.result["export_whole"]
    c.that(info["prefilled_vessel"] == ctx.mmsi, f"the dialog did not start from the case vessel: {info}")
    c.that(info["prefilled_report"], f"the dialog did not start with the report ticked: {info}")
    c.that(
        {"dark gaps", "tracks", "candidates"} <= set(info["prefilled_layers"]),
        f"the dialog did not start with the case's layers ticked: {info['prefilled_layers']}",
    )
    c.that(info.get("task_started"), f"the export did not start in the background: {info}")
    c.that(info.get("question"), f"no estimate was asked before exporting the whole traffic: {info}")
    c.that(
        re.search(r"vertices.*about [\d.,]+ [kMG]?B", info.get("question") or ""),
        f"the large-export question gives no estimate: {info.get('question')!r}",
    )
    c.that(
        info.get("stall_before_task_s", 99) < STALL_LIMIT_S,
        f"the event loop stalled {info.get('stall_before_task_s')} s between Export and the task starting",
    )
    c.that(info.get("running_while_panning", 0) >= 3, f"the export was not running while the map panned: {info}")
    c.that(info.get("extents_changed", 0) >= 3, f"the map did not pan: {info}")
    c.that(info.get("stall_s", 99) < STALL_LIMIT_S, f"the event loop stalled {info.get('stall_s')} s during the export")
    c.that(info.get("running_at_cancel"), f"the export had finished before Cancel: nothing to cancel: {info}")
    c.that(
        info.get("cancel_s", 99) <= CANCEL_LIMIT_S,
        f"Cancel took {info.get('cancel_s')} s to stop the export (writing {info.get('writing_at_cancel')}, "
        f"{info.get('progress_at_cancel')} %)",
    )
    partial = [name for name in info.get("files_after_cancel", []) if PARTIAL.search(name)]
    c.that(not partial, f"temporary files left after Cancel in {info['folder']}: {partial}")
    c.note(
        f"whole export: {info.get('status')!r}; {info.get('pans')} pans, longest stall {info.get('stall_s')} s, "
        f"Cancel stopped it in {info.get('cancel_s')} s; files left: {info.get('files_after_cancel')}"
    )


# --- export_ranking -------------------------------------------------------------------------------------------------


def rank_sighting(ctx):
    """Annotate page: the restored sighting selected, "Who could it be?" clicked."""
    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.annotate.page)
    layer = dock.annotate.layer()
    if layer is None:
        raise RuntimeError("no sightings layer in the Annotate page after the restart")
    layer.selectByIds([f.id() for f in layer.getFeatures()][:1])
    ctx.process_events(200)
    dock.annotate.page.identifyButton.click()
    return Until("the ranking", lambda: dock.annotate.task is None, 60, then_ms=500)


def export_with_report(ctx):
    """Export the case… with the case vessel's features, GeoPackage and the report."""
    dock = ctx.dock()
    proxy = dock.annotate.proxy
    ranked = [proxy.record(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    candidates = dock.session.extra.get("candidates")
    info = {
        "ranked": [[c.rank, c.name, c.mmsi] for c in ranked],
        "candidates_layer": candidates.featureCount() if candidates is not None else None,
        "folder": export_dir("case"),
    }
    ctx.result["export_ranking"] = info
    dialog = open_export_dialog(ctx)
    info["prefilled_vessel"] = dialog.vesselCombo.currentData()
    info["prefilled_report"] = dialog.reportCheck.isChecked()
    dialog.vesselOnlyCheck.setChecked(True)
    for fmt, check in dialog.formatChecks.items():
        check.setChecked(fmt == "gpkg")
    dialog.reportCheck.setChecked(True)
    dialog.folderWidget.setFilePath(info["folder"])
    dialog.overwriteCheck.setChecked(True)
    ctx.state.expected_dialog = True
    try:
        _answer_question(ctx, info, "Only")
        dialog.exportButton.click()
    finally:
        ctx.state.expected_dialog = False
    return Until("the case export with its report", lambda: dialog.task is None and dialog.written, 120, then_ms=300)


def read_report(ctx):
    dialog = ctx.dock().annotate.export_dialog
    info = ctx.result["export_ranking"]
    info["written"] = [os.path.basename(p) for p in dialog.written]
    html = next((p for p in dialog.written if p.lower().endswith((".html", ".htm"))), None)
    info["html"] = html
    text = ""
    if html and os.path.isfile(html):
        with open(html, encoding="utf-8") as stream:
            text = stream.read()
    if text:  # kept for people to look at
        with open(os.path.join(ctx.screenshot_dir, "case-report.html"), "w", encoding="utf-8") as stream:
            stream.write(text)
    section = text.split(CANDIDATES_HEADING, 1)[1].split("<h2>", 1)[0] if CANDIDATES_HEADING in text else ""
    info["section"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))[:1500]
    info["names_in_section"] = [name for _, name, _ in info["ranked"] if name and name in section]
    dialog.close()


def check_ranking_export(ctx, c):
    info = ctx.result["export_ranking"]
    ranked = info.get("ranked", [])
    c.that(ranked and ranked[0][1] == "BAI MEI 8", f"the ranking after the restart: {ranked}")
    c.that(info.get("candidates_layer"), f"the ranking is not a layer of the case: {info}")
    c.that(info.get("prefilled_vessel") == ctx.mmsi, f"the dialog did not start from the case vessel: {info}")
    c.that(not info.get("prefilled_report"), "the dialog did not remember the report unticked by the last export")
    if not c.that(info.get("html"), f"no HTML report among the files written: {info.get('written')}"):
        return
    c.that(info["section"], f"the report {info['html']} has no {CANDIDATES_HEADING} section")
    c.that("None." not in info["section"][:200], f"the report's ranking says None.: {info['section'][:300]!r}")
    top = [name for rank, name, _ in ranked if rank is not None and rank <= TOP]
    c.that(
        top and set(top) <= set(info["names_in_section"]),
        f"the report's Top candidates miss some of the ranking's top {TOP} {top}: {info['section'][:600]!r}",
    )


STEPS = (
    Step(
        "export_while_panning",
        [start_whole_export, pan_while_exporting, cancel_export, read_cancelled],
        check_whole_export,
        needs=["case_restored"],
        screenshots=["export-dialog", "export-question"],
    ),
    Step(
        "export_ranking",
        [rank_sighting, export_with_report, read_report],
        check_ranking_export,
        needs=["case_restored"],
    ),
)
