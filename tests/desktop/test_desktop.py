"""Starts the real ``qgis`` desktop application under Xvfb (1366x768) with the built plugin in a throwaway profile,
once for this module, and reports each step of the walkthrough as its own test.

The script ``qgis_startup_check.py`` runs inside QGIS (``--code``, plus ``PYQGIS_STARTUP`` for early hooks) and runs
the steps of ``steps/`` in order (``steps.PLAN``): what the plugin added (toolbar button, menus, Processing provider,
the Import AIS dialog from the Vector menu), then the dock page by page as an analyst would use it with the
generated Bai Mei 8 scenario (load it, select its first gap, search imagery, analyse, annotate and identify the ship,
show the vessel alone, each page measured for clipping at 1366x768), then unloading the plugin. Each step checks
itself inside QGIS and is recorded in a JSON file; ``test_desktop[<step>]`` reports it, with its messages, traceback
and screenshots, and ``test_desktop_session`` that QGIS finished cleanly. Screenshots and QGIS's output land in
``test-output/desktop/`` (git-ignored) for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import harness
from .steps import STEP_NAMES

pytestmark = pytest.mark.desktop

OUTPUT_DIR = harness.ROOT / "test-output" / "desktop"
TIMEOUT_S = 360  # the whole QGIS run; a hung QGIS fails the test instead of blocking CI
WATCHDOG_S = 300  # the in-QGIS script gives up (and still writes its JSON) after this
LOAD_TIMEOUT_S = 180  # loading the scenario in the dock


@pytest.fixture(scope="module")
def desktop_run(tmp_path_factory) -> harness.DesktopRun:
    """One QGIS session for every step's test: it is slow to start, and the steps build on each other."""
    qgis = harness.require_desktop()
    base = tmp_path_factory.mktemp("desktop")
    scenario = harness.generate_scenario(base)
    try:
        harness.fresh_output_dir(OUTPUT_DIR)
        paths = harness.RunPaths(OUTPUT_DIR)
        profile = harness.make_profile(base, harness.build_plugin(base))
        extra = {**harness.scenario_env(scenario, LOAD_TIMEOUT_S), "BAIMEI_DESKTOP_WATCHDOG_S": str(WATCHDOG_S)}
        env = harness.qgis_env(base, profile, paths, OUTPUT_DIR, extra)
        command = harness.qgis_command(qgis, base) + ["--code", str(harness.CHECK_SCRIPT)]
        run = harness.run_qgis(command, env, paths, base, TIMEOUT_S)
    finally:
        Path(scenario.path).unlink(missing_ok=True)  # 240 MB; pytest keeps the last few tmp dirs
    run.print_summary()
    return run


@pytest.mark.parametrize("step", STEP_NAMES)
def test_desktop(desktop_run, step):
    """One step of the walkthrough (steps/), as checked inside QGIS."""
    harness.fail_step(desktop_run, step)


def test_desktop_session(desktop_run):
    """QGIS ran the whole walkthrough and quit cleanly, with no Python error or dialog outside the steps."""
    harness.check_session(desktop_run)
