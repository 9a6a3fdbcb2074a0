"""The case workspace: New case… from the dock (first session), the gap escalated and the project saved before QGIS
is killed; in the second session, everything the first one made is back (layers, scores, reviews, sightings, the
ranking, the panel's case, AIS file, selected gap and criteria).

Environment: ``BAIMEI_DESKTOP_CASE_DIR`` (where the case GeoPackage and the project go) and, in the second session,
``BAIMEI_DESKTOP_FIRST_RESULT`` (the first session's results JSON, holding its ``case_snapshot``).
"""

import json
import os

from ..steps.base import Step, Until

CASE_NAME = "bai_mei_8.gpkg"
PROJECT_NAME = "bai_mei_8.qgz"
REVIEW_NOTE = "desktop case test: escalated before the crash"
SCORE_FIELDS = ("suspicion_rank", "suspicion_points", "suspicion_level")


def case_dir():
    return os.environ["BAIMEI_DESKTOP_CASE_DIR"]


def case_path():
    return os.path.join(case_dir(), CASE_NAME)


def project_path():
    return os.path.join(case_dir(), PROJECT_NAME)


# --- what the panel and the project show, the same way in both sessions -------------------------------------------


def _layer_of(layer):
    return {"name": layer.name(), "provider": layer.providerType(), "features": layer.featureCount()}


def _gap_fields(layer):
    """gap_id -> its review status and the score fields the gaps layer has."""
    names = layer.fields().names()
    fields = [name for name in ("review_status", *SCORE_FIELDS) if name in names]
    out = {}
    for feature in layer.getFeatures():
        out[str(feature["gap_id"])] = {name: _plain(feature[name]) for name in fields}
    return out


def _plain(value):
    """A JSON-able attribute value (NULL as None)."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    return value if isinstance(value, (int, float, str, bool)) else str(value)


def snapshot(ctx):
    """What the analyst has in front of them: the case, the session's layers by kind, the project's vector layers,
    the gaps' scores and reviews, the sightings and the ranking, and the panel's state."""
    from qgis.core import QgsProject, QgsVectorLayer

    dock = ctx.dock()
    session = dock.session
    case = session.case
    kinds = {}
    if session.result is not None:
        for kind in ("gaps", "tracks", "points"):
            layer = getattr(session.result, f"{kind}_layer")
            if layer is not None:
                kinds[kind] = _layer_of(layer)
    for kind, layer in session.extra.items():
        kinds[kind] = _layer_of(layer)
    # the imagery footprints: the Imagery page's layer in the first session, written into the case; a restored
    # session has them among its layers read from the case
    footprints = dock.imagery.results.layer
    if "footprints" not in kinds and footprints is not None:
        kinds["footprints"] = _layer_of(footprints)
    in_case = {kind for kind, layer in _session_layers(session) if case is not None and case.holds(layer)}
    if footprints is not None and case is not None and case.holds(footprints):
        in_case.add("footprints")
    sightings = dock.annotate.layer()
    gap = dock.gaps.selected_gap()
    project_layers = sorted(
        [layer.name(), layer.featureCount()]
        for layer in QgsProject.instance().mapLayers().values()
        if isinstance(layer, QgsVectorLayer)
    )
    return {
        "case_path": case.path if case is not None else None,
        "case_label": dock.caseLabel.text(),
        "case_layers": sorted(case.layers()) if case is not None else [],
        "in_case": sorted(in_case),
        "kinds": kinds,
        "project_layers": project_layers,
        "gaps": _gap_fields(session.gaps_layer) if session.gaps_layer is not None else {},
        "scores": {gid: [s.rank, s.points, s.level] for gid, s in session.scores.items()},
        "reviews": {gid: [r.status, r.note] for gid, r in dock.gaps.reviews.reviews.items()},
        "sightings": _sightings(sightings),
        "selected_gap": gap.gap_id if gap is not None else None,
        "selected_mmsi": int(gap.mmsi) if gap is not None else None,
        "ais_path": dock.fileWidget.filePath(),
        "source": str(case.info().get("source")) if case is not None else None,
        "criteria": dict(vars(dock.gaps.criteria_widget.criteria())),
        "gap_rows": dock.gaps.model.rowCount(),
    }


def _session_layers(session):
    if session.result is not None:
        for kind in ("gaps", "tracks", "points"):
            layer = getattr(session.result, f"{kind}_layer")
            if layer is not None:
                yield kind, layer
    yield from session.extra.items()


def _sightings(layer):
    if layer is None:
        return None
    return {
        "source": layer.source(),
        "features": layer.featureCount(),
        "ids": sorted(str(f["sighting_id"]) for f in layer.getFeatures()),
    }


# --- new_case (first session) ---------------------------------------------------------------------------------------


def new_case(ctx):
    """New case… clicked in the dock: the save dialog is filled with the case's path and accepted, as a user would."""
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QApplication, QFileDialog

    dock = ctx.dock()
    os.makedirs(case_dir(), exist_ok=True)
    info = {"dialog": None}
    ctx.result["new_case"] = info

    def answer(attempt=0):
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            if attempt < 40:
                QTimer.singleShot(250, lambda: answer(attempt + 1))
            return
        info["dialog"] = dialog.windowTitle()
        try:
            _type_and_save(dialog, case_path())
        finally:
            if dialog.isVisible():  # never leave the dialog blocking the step
                info["left_open"] = True
                dialog.close()

    ctx.state.expected_dialog = True
    try:
        QTimer.singleShot(300, answer)
        dock.tabs.setCurrentWidget(dock.tracksPage)
        dock.newCaseButton.click()  # returns once the dialog is closed
    finally:
        ctx.state.expected_dialog = False
    case = dock.session.case
    info.update(
        case=case.path if case is not None else None,
        label=dock.caseLabel.text(),
        file_exists=os.path.isfile(case_path()),
    )
    return 300


def _type_and_save(dialog, path):
    """The file name typed into the dialog's name box, then its Save button clicked."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QDialogButtonBox, QLineEdit

    dialog.setDirectory(os.path.dirname(path))
    name_edit = dialog.findChild(QLineEdit, "fileNameEdit")
    name_edit.clear()
    QTest.keyClicks(name_edit, os.path.basename(path))
    box = dialog.findChild(QDialogButtonBox)
    save = next(b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.AcceptRole)
    QTest.mouseClick(save, Qt.LeftButton)


def check_new_case(ctx, c):
    info = ctx.result["new_case"]
    c.that(info["dialog"] and not info.get("left_open"), f"New case… did not open (or take) a file dialog: {info}")
    c.that(info["case"] and os.path.samefile(info["case"], case_path()), f"the case is not {case_path()}: {info}")
    c.that(info["file_exists"], f"New case… did not create {case_path()}")
    c.that(info["label"] == "Case: bai_mei_8", f"the case bar says {info['label']!r}, expected 'Case: bai_mei_8'")


def case_made(ctx):
    return None if ctx.result["new_case"].get("case") else "no case was made"


# --- review_gap (first session) -------------------------------------------------------------------------------------


def escalate_gap(ctx):
    """Gaps page: the selected (June) gap escalated with a note, with the page's own button."""
    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.gapsPage)
    ctx.process_events(200)
    gap = dock.gaps.selected_gap()
    if gap is None:
        raise RuntimeError("no gap selected on the Gaps page")
    dock.reviewNoteEdit.setText(REVIEW_NOTE)
    dock.escalateButton.click()
    ctx.process_events(300)
    layer = dock.session.gaps_layer
    feature = (
        next((f for f in layer.getFeatures() if str(f["gap_id"]) == gap.gap_id), None) if layer is not None else None
    )
    ctx.result["review"] = {
        "gap_id": gap.gap_id,
        "queue": [dock.gaps.reviews.reviews.get(gap.gap_id).status] if gap.gap_id in dock.gaps.reviews.reviews else [],
        "layer_status": _plain(feature["review_status"]) if feature is not None else None,
    }


def check_review(ctx, c):
    review = ctx.result["review"]
    c.that(review["queue"] == ["escalated"], f"the review queue did not take the escalation: {review}")
    c.that(review["layer_status"] == "escalated", f"the gaps layer of the case does not say escalated: {review}")


# --- save_project (first session) -----------------------------------------------------------------------------------


def save_project(ctx):
    """Project > Save with the project's file name set (no dialog), then what the panel shows is noted for the
    second session."""
    from qgis.core import QgsProject

    project = QgsProject.instance()
    project.setFileName(project_path())
    ctx.iface.actionSaveProject().trigger()
    ctx.process_events(500)
    ctx.result["saved"] = {
        "project": project_path(),
        "exists": os.path.isfile(project_path()),
        "dirty_after": project.isDirty(),
    }
    ctx.result["case_snapshot"] = snapshot(ctx)
    ctx.save("case-before-kill", ctx.grab_screen())


def check_saved(ctx, c):
    saved, shot = ctx.result["saved"], ctx.result["case_snapshot"]
    c.that(saved["exists"] and not saved["dirty_after"], f"the project was not saved: {saved}")
    expected = {"gaps", "tracks", "reach_areas", "candidate_visits", "candidates"}  # no points layer: 1.3 M rows
    c.that(expected <= set(shot["kinds"]), f"the session's layers: {sorted(shot['kinds'])}, expected {expected}")
    c.that(
        set(shot["in_case"]) == set(shot["kinds"]),
        f"layers not written into the case: {sorted(set(shot['kinds']) - set(shot['in_case']))}",
    )
    c.that(shot["sightings"] and shot["sightings"]["features"] == 1, f"the sightings: {shot['sightings']}")
    c.that(len(shot["scores"]) == shot["gap_rows"] > 100, f"not every gap scored: {len(shot['scores'])} scores")
    c.note(f"before the kill: {len(shot['kinds'])} layers in the case {shot['case_path']}: {shot['kinds']}")


# --- case_restored (second session) ---------------------------------------------------------------------------------


def expected_snapshot():
    with open(os.environ["BAIMEI_DESKTOP_FIRST_RESULT"], encoding="utf-8") as stream:
        return json.load(stream).get("case_snapshot")


def wait_restored(ctx):
    """QGIS read the project given on its command line; the dock, opened after, brings the case back and scores the
    gaps again."""
    dock = ctx.dock()

    def done():
        gaps = dock.gaps
        return dock.session.result is not None and not gaps.scoring.busy and bool(dock.session.scores)

    return Until("the case to be restored and scored", done, 120, then_ms=800)


def read_restored(ctx):
    from qgis.core import QgsProject

    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.tracksPage)
    ctx.process_events(300)
    ctx.result["restored"] = {
        "project": QgsProject.instance().fileName(),
        "now": json.loads(json.dumps(snapshot(ctx), default=str)),  # as the first session's went through JSON
        "before": expected_snapshot(),
    }
    ctx.save("dock-case", dock.grab())
    ctx.save("case-restored-screen", ctx.grab_screen())


def check_restored(ctx, c):
    restored = ctx.result["restored"]
    now, before = restored["now"], restored["before"]
    if not c.that(before, "the first session left no case_snapshot: nothing to compare with"):
        return
    c.that(os.path.samefile(restored["project"], project_path()), f"QGIS opened {restored['project']}")
    c.that(now["case_path"] == before["case_path"], f"case {now['case_path']}, expected {before['case_path']}")
    c.that(now["case_label"] == before["case_label"], f"case bar {now['case_label']!r}, not {before['case_label']!r}")
    for kind, layer in before["kinds"].items():
        c.that(now["kinds"].get(kind) == layer, f"layer {kind}: {now['kinds'].get(kind)}, expected {layer}")
    c.that(not set(now["kinds"]) - set(before["kinds"]), f"layers that were not there: {now['kinds']}")
    c.that(now["in_case"] == before["in_case"], f"layers read from the case: {now['in_case']}, not {before['in_case']}")
    c.that(
        now["project_layers"] == before["project_layers"],
        f"the project's layers (name, features): {now['project_layers']}, expected {before['project_layers']}",
    )
    c.that(now["gaps"] == before["gaps"], _diff("gaps layer (reviews, scores)", now["gaps"], before["gaps"]))
    c.that(now["scores"] == before["scores"], _diff("scores", now["scores"], before["scores"]))
    c.that(now["reviews"] == before["reviews"], f"reviews {now['reviews']}, expected {before['reviews']}")
    c.that(now["sightings"] == before["sightings"], f"sightings {now['sightings']}, expected {before['sightings']}")
    for key in ("selected_gap", "selected_mmsi", "ais_path", "source"):
        c.that(now[key] == before[key], f"{key}: {now[key]!r}, expected {before[key]!r}")
    c.that(now["criteria"] == before["criteria"], f"criteria {now['criteria']}, expected {before['criteria']}")


def _diff(what, now, before):
    keys = sorted(set(now) | set(before))
    wrong = [k for k in keys if now.get(k) != before.get(k)]
    sample = {k: [now.get(k), before.get(k)] for k in wrong[:5]}
    return f"{what}: {len(wrong)} of {len(keys)} differ (now, before), e.g. {sample}"


STEPS = (
    Step("new_case", [new_case], check_new_case, needs=["open_dock"], ready=case_made),
    Step("review_gap", [escalate_gap], check_review, needs=["gaps_page"]),
    Step(
        "save_project",
        [save_project],
        check_saved,
        needs=["new_case", "load_tracks"],
        screenshots=["case-before-kill"],
    ),
    Step(
        "case_restored",
        [wait_restored, read_restored],
        check_restored,
        needs=["open_dock"],
        screenshots=["dock-case"],
    ),
)
