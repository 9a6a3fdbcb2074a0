"""The Gaps page's GFW preset, chosen and re-run in the real QGIS: it says what it dropped and why, with the counts
("N silences dropped by the criteria: 612 start or end within 50 nm of shore, 63 …"), on the page and in the message
bar; and the Bai Mei 8's June gap (it went dark near the coast) is among what it dropped."""

import re

from ..steps.base import Step, Until

GFW = "GFW (12 h, 50 nm offshore)"
EXPLANATION = re.compile(r"([\d,]+) silences? dropped by the criteria: (.+)\.")


def choose_gfw(ctx):
    """Gaps page: the criteria unfolded, GFW chosen in the Preset list, Re-run clicked."""
    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.gapsPage)
    dock.criteriaGroup.setCollapsed(False)
    ctx.process_events(200)
    gap = dock.gaps.selected_gap()
    ctx.result["preset"] = {
        "rows_before": dock.gaps.model.rowCount(),
        "june_gap": gap.gap_id if gap is not None else None,
        "label_before": dock.dropLabel.text(),
    }
    index = dock.presetCombo.findText(GFW)
    if index < 0:
        names = [dock.presetCombo.itemText(i) for i in range(dock.presetCombo.count())]
        raise RuntimeError(f"no preset {GFW!r} in the Preset list: {names}")
    dock.presetCombo.setCurrentIndex(index)
    ctx.process_events(200)
    dock.rerunButton.click()
    return Until("the GFW re-run", lambda: dock.gaps.task is None, 120, then_ms=800)


def read_explanation(ctx):
    dock = ctx.dock()
    info = ctx.result["preset"]
    bar = ctx.iface.messageBar()
    item = bar.currentItem()
    info.update(
        preset=dock.presetCombo.currentText(),
        rows_after=dock.gaps.model.rowCount(),
        label=dock.dropLabel.text(),
        label_visible=dock.dropLabel.isVisible(),
        message=item.text() if item is not None else None,
        june_gap_kept=any(g.gap_id == info["june_gap"] for g in dock.gaps.model.records),
    )
    ctx.save("gfw-preset-explained", ctx.grab_screen())


def _counts(text):
    """(total, [(count, reason)]) of an explanation, or None."""
    match = EXPLANATION.search(text or "")
    if match is None:
        return None
    parts = [re.match(r"([\d,]+) (.+)", part.strip()) for part in match.group(2).split(", ")]
    return int(match.group(1).replace(",", "")), [(int(p.group(1).replace(",", "")), p.group(2)) for p in parts if p]


def check_explanation(ctx, c):
    info = ctx.result["preset"]
    c.that(info["preset"] == GFW, f"the preset chosen is {info['preset']!r}")
    counts = _counts(info["label"])
    if not c.that(counts, f"the Gaps page does not say what GFW dropped with counts: {info['label']!r}"):
        return
    total, parts = counts
    c.that(info["label_visible"], "the explanation is not shown on the Gaps page")
    c.that(sum(n for n, _ in parts) == total, f"the counts do not add up to {total}: {parts}")
    c.that(any("50 nm" in reason for _, reason in parts), f"no count dropped for the 50 nm from shore: {parts}")
    c.that(info["message"] and _counts(info["message"]) == counts, f"the message bar says {info['message']!r}")
    c.that(info["rows_after"] < info["rows_before"], f"GFW kept {info['rows_after']} of {info['rows_before']} gaps")
    c.that(not info["june_gap_kept"], f"GFW kept the Bai Mei 8's June gap {info['june_gap']} (it went dark near shore)")
    c.note(f"GFW: {info['label']}")


STEPS = (
    Step(
        "gfw_preset_explained",
        [choose_gfw, read_explanation],
        check_explanation,
        needs=["case_restored"],
        screenshots=["gfw-preset-explained"],
    ),
)
