"""The Analysis page: where could the Bai Mei 8 have gone during its June gap (reachable sea, candidate ports)?"""

from .base import Step, Until
from .layout import measure_page_widget


def analysis_reach(ctx):
    """Analysis page: the reachable sea and candidate ports of the selected (June) gap."""
    dock = ctx.dock()
    dock.tabs.setCurrentWidget(dock.analysis.page)
    dock.analysis.page.reachButton.click()
    ctx.result["analysis"] = {"task_started": dock.analysis.task is not None}
    return Until("the reachability task", lambda: dock.analysis.task is None, 60, then_ms=800)


def screenshot_analysis(ctx):
    dock = ctx.dock()
    proxy = dock.analysis.proxy
    ports = [proxy.record(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    ctx.result["analysis"].update(
        ports=[[p.locode, round(p.max_dwell_hours, 1)] for p in ports],
        layers=sorted(dock.session.extra),
        label=dock.analysis.page.analysisLabel.text(),
    )
    ctx.result["layout"]["analysisPage"] = measure_page_widget(ctx, dock.analysis.page)
    ctx.save("dock-analysis", ctx.grab_screen())


def check_analysis(ctx, c):
    analysis = ctx.result["analysis"]
    ports = dict(analysis.get("ports", []))
    c.that("KPNAM" in ports and 40 < ports["KPNAM"] < 70, f"Nampo is not a candidate port of the June gap: {analysis}")
    c.that(not {"RUVVO", "CNNGB"} & set(ports), f"Vladivostok or Ningbo within reach of the June gap: {analysis}")
    c.that({"reach_areas", "candidate_visits"} <= set(analysis.get("layers", [])), f"the analysis layers: {analysis}")


STEPS = (
    Step(
        "analysis_page",
        [analysis_reach, screenshot_analysis],
        check_analysis,
        needs=["gaps_page"],
        screenshots=["dock-analysis"],
    ),
)
