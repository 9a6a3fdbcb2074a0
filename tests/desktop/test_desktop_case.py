"""The case workspace in the real ``qgis`` application under Xvfb (1366x768), over two sessions of one throwaway
profile (issue 15): nothing is lost when QGIS is killed, exports never freeze it, the ranking reaches the report.

1. ``case_steps.FIRST``: New case… in the dock, the Bai Mei 8 scenario loaded and its June gap scored and selected,
   imagery, reachability, a sighting marked and ranked, the gap escalated, the project saved; then QGIS is killed with
   SIGKILL (no clean exit, as a crash).
2. ``case_steps.SECOND``: QGIS started again with the project on its command line: every layer and the panel's state
   are back; the whole traffic exported in the background while the map pans, then cancelled (within 2 s, no
   ``.partial`` file left); the case exported with the ranking in its report; the GFW preset says what it dropped.

Each step is checked inside QGIS (``qgis_startup_check.py`` runs the plan) and reported here as its own test;
screenshots and QGIS's output land in ``test-output/desktop-case/`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import harness
from .case_steps import FIRST_NAMES, SECOND_NAMES

pytestmark = pytest.mark.desktop

OUTPUT_DIR = harness.ROOT / "test-output" / "desktop-case"
FIRST_TIMEOUT_S = 300  # a hung QGIS fails the tests instead of blocking CI
SECOND_TIMEOUT_S = 240
WATCHDOG_S = 240  # the in-QGIS plan gives up (and still writes its JSON) after this
LOAD_TIMEOUT_S = 150


@pytest.fixture(scope="module")
def case_setup(tmp_path_factory):
    """The scenario, the built plugin in a profile both sessions share (as an analyst's own), a case folder."""
    qgis = harness.require_desktop()
    base = tmp_path_factory.mktemp("desktop-case")
    scenario = harness.generate_scenario(base)
    harness.fresh_output_dir(OUTPUT_DIR)
    profile = harness.make_profile(base, harness.build_plugin(base))
    extra = {
        **harness.scenario_env(scenario, LOAD_TIMEOUT_S),
        "BAIMEI_DESKTOP_WATCHDOG_S": str(WATCHDOG_S),
        "BAIMEI_DESKTOP_CASE_DIR": str(base / "case"),
        "BAIMEI_DESKTOP_EXPORT_DIR": str(base / "exports"),
    }
    yield {"qgis": qgis, "base": base, "profile": profile, "extra": extra, "scenario": scenario}
    Path(scenario.path).unlink(missing_ok=True)  # 240 MB; pytest keeps the last few tmp dirs


def _awaiting_kill(path: Path) -> bool:
    result = harness.read_result(path)
    return bool(result and result.get("awaiting_kill"))


@pytest.fixture(scope="module")
def first_run(case_setup) -> harness.DesktopRun:
    """The first session, killed with SIGKILL once its plan is done."""
    base = case_setup["base"]
    paths = harness.RunPaths(base, "first-")  # private: two runs at once must not read each other's results
    extra = {**case_setup["extra"], "BAIMEI_DESKTOP_PLAN": "case_steps:FIRST", "BAIMEI_DESKTOP_AWAIT_KILL": "1"}
    env = harness.qgis_env(base, case_setup["profile"], paths, OUTPUT_DIR, extra)
    command = harness.qgis_command(case_setup["qgis"], base) + ["--code", str(harness.CHECK_SCRIPT)]
    run = harness.run_qgis(command, env, paths, base, FIRST_TIMEOUT_S, kill_when=lambda: _awaiting_kill(paths.result))
    harness.keep_outputs(paths, OUTPUT_DIR)
    run.print_summary()
    return run


@pytest.fixture(scope="module")
def second_run(case_setup, first_run) -> harness.DesktopRun:
    """The second session: QGIS started with the first session's project on its command line."""
    if not first_run.killed:
        pytest.skip(f"the first session did not reach the kill: {first_run.how_it_ended()}")
    snapshot = (first_run.result or {}).get("case_snapshot") or {}
    project = Path(case_setup["extra"]["BAIMEI_DESKTOP_CASE_DIR"]) / "bai_mei_8.qgz"
    if not snapshot or not project.is_file():
        pytest.skip(f"the first session saved no project to reopen ({project})")
    base = case_setup["base"]
    paths = harness.RunPaths(base, "second-")
    extra = {
        **case_setup["extra"],
        "BAIMEI_DESKTOP_PLAN": "case_steps:SECOND",
        "BAIMEI_DESKTOP_FIRST_RESULT": str(first_run.result_path),
    }
    env = harness.qgis_env(base, case_setup["profile"], paths, OUTPUT_DIR, extra)
    command = harness.qgis_command(case_setup["qgis"], base) + ["--code", str(harness.CHECK_SCRIPT), str(project)]
    run = harness.run_qgis(command, env, paths, base, SECOND_TIMEOUT_S)
    harness.keep_outputs(paths, OUTPUT_DIR)
    run.print_summary()
    return run


@pytest.mark.parametrize("step", FIRST_NAMES)
def test_first_session(first_run, step):
    """One step of the first session (case_steps.FIRST), as checked inside QGIS."""
    harness.fail_step(first_run, step)


def test_first_session_killed(first_run):
    """The first session ran its whole plan and was then killed with SIGKILL, no clean exit."""
    harness.check_session(first_run, clean_exit=False)
    assert first_run.killed, f"QGIS was not killed after the first session: {first_run.how_it_ended()}"


@pytest.mark.parametrize("step", SECOND_NAMES)
def test_second_session(second_run, step):
    """One step of the second session (case_steps.SECOND), as checked inside QGIS."""
    harness.fail_step(second_run, step)


def test_second_session_clean(second_run):
    """The second session ran its whole plan and quit cleanly, with no Python error or dialog outside the steps."""
    harness.check_session(second_run)
