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

import json
import os
import select
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .steps import STEP_NAMES

pytestmark = pytest.mark.desktop

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "bai_mei_plugin"
PROFILE = "bai_mei_test"
CHECK_SCRIPT = Path(__file__).with_name("qgis_startup_check.py")
OUTPUT_DIR = ROOT / "test-output" / "desktop"
TIMEOUT_S = 360  # the whole QGIS run; a hung QGIS fails the test instead of blocking CI
WATCHDOG_S = 300  # the in-QGIS script gives up (and still writes its JSON) after this
LOAD_TIMEOUT_S = 180  # loading the scenario in the dock
SCREEN = "1366x768x24"  # the smallest laptop screen the dock must be legible on

# Settings for the throwaway profile: the plugin enabled, Processing on, nothing that asks questions or goes online.
QGIS3_INI = """\
[PythonPlugins]
{plugin}=true
processing=true
grassprovider=false
sagaprovider=false
otbprovider=false
db_manager=false
MetaSearch=false

[qgis]
checkVersion=false
askToSaveProjectChanges=false
askToDeleteLayers=false

[app]
plugin_installer\\checkOnStart=false
plugin_installer\\allowExperimental=true

[core]
NewsFeed\\httpsfeedqgisorg\\disabled=true

[locale]
overrideFlag=true
userLocale=en_US
globalLocale=en_US
"""


def _build_plugin(tmp_path: Path) -> Path:
    """The installable plugin folder, as ``make build/bai_mei_plugin`` assembles it."""
    if shutil.which("make"):
        subprocess.run(["make", "-s", f"build/{PLUGIN}"], cwd=ROOT, check=True, timeout=120)
        return ROOT / "build" / PLUGIN
    built = tmp_path / "build" / PLUGIN  # same layout as the Makefile rule
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / PLUGIN, built, ignore=ignore)
    shutil.copytree(ROOT / "resources", built / "resources", ignore=ignore)
    for name in ("metadata.txt", "LICENSE"):
        shutil.copy2(ROOT / name, built / name)
    return built


def _make_profile(base: Path, plugin_dir: Path) -> Path:
    profile = base / "profiles" / PROFILE
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    shutil.copytree(plugin_dir, plugins / PLUGIN, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text(QGIS3_INI.format(plugin=PLUGIN), encoding="utf-8")
    return profile


def _start_xvfb(log) -> tuple[subprocess.Popen, str]:
    """Xvfb on a free display: ``-displayfd`` lets the server pick the number and tell us."""
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
    try:
        data = b""
        deadline = time.monotonic() + 30
        while not data.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([read_fd], [], [], 0.5)
            if ready:
                chunk = os.read(read_fd, 64)
                if not chunk:
                    break
                data += chunk
            elif proc.poll() is not None:
                break
    finally:
        os.close(read_fd)
    if not data.strip().isdigit():
        _stop(proc)
        pytest.fail(f"Xvfb did not start (exit code {proc.poll()}); see {log.name}")
    return proc, f":{data.strip().decode()}"


def _stop(proc: subprocess.Popen | None) -> None:
    """Ends a process this test started (its own session) and waits for it."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _qgis_options(qgis: str) -> list[str]:
    options = ["--nologo"]
    try:
        usage = subprocess.run(
            [qgis, "--help"], capture_output=True, text=True, timeout=30, env={**os.environ, "QGIS_OPTS": ""}
        )
        if "--noversioncheck" in usage.stdout + usage.stderr:
            options.append("--noversioncheck")
    except (OSError, subprocess.SubprocessError):
        pass
    return options


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(none)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _generate_scenario(tmp_path: Path):
    """The bundled Bai Mei 8 scenario (a ~240 MB DMA CSV, a few seconds), written before QGIS starts."""
    scenario = pytest.importorskip("bai_mei_plugin.demo.scenario", reason="the scenario generator needs numpy")
    started = time.monotonic()
    info = scenario.generate_scenario(str(tmp_path / "bai_mei_8_scenario.csv"))
    print(f"\nscenario: {info.rows:,} rows, {info.vessels} vessels in {time.monotonic() - started:.1f} s")
    return info


@dataclass
class DesktopRun:
    """What one QGIS run left: the results JSON (None if never written), how QGIS ended, where its output is."""

    result: dict | None
    returncode: int | None
    timed_out: bool
    elapsed_s: float
    result_path: Path
    qgis_log: Path
    events_path: Path

    def record(self, step: str) -> dict | None:
        return next((r for r in (self.result or {}).get("steps", []) if r["name"] == step), None)

    def report(self) -> str:
        return (
            f"\n--- QGIS output (tail of {self.qgis_log}) ---\n{_tail(self.qgis_log)}"
            f"\n--- events (tail) ---\n{_tail(self.events_path, 20)}"
        )

    def how_it_ended(self) -> str:
        if self.timed_out:
            return f"QGIS did not finish within {TIMEOUT_S} s and was stopped"
        return f"QGIS exited with code {self.returncode} after {self.elapsed_s:.0f} s"

    def stopped_before(self, step: str) -> str:
        """Why ``step`` has no record: QGIS crashed, hung or quit before it."""
        if self.result is None:
            return f"{self.how_it_ended()} without writing {self.result_path}: no step ran{self.report()}"
        done = [r["name"] for r in self.result.get("steps", [])]
        running = self.result.get("current_step")
        last = f"after step {done[-1]} (the last one recorded)" if done else "before its first step"
        message = f"{step} has no result: {self.how_it_ended()}; QGIS stopped {last}"
        if running:
            message += f", while running {running}"
        for error in self.result.get("runner_errors", []):
            message += f"\nrunner: {error}"
        return message + self.report()


def _fresh_output_dir() -> dict[str, Path]:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for stale in list(OUTPUT_DIR.glob("*.png")) + list(OUTPUT_DIR.glob("*.json*")):
        stale.unlink()
    return {
        "result": OUTPUT_DIR / "result.json",
        "events": OUTPUT_DIR / "events.jsonl",
        "qgis_log": OUTPUT_DIR / "qgis-output.log",
        "xvfb_log": OUTPUT_DIR / "xvfb.log",
    }


def _qgis_env(base: Path, profile: Path, paths: dict[str, Path], scenario) -> dict[str, str]:
    runtime_dir = base / "runtime"
    runtime_dir.mkdir(mode=0o700)
    # No inherited settings that would point QGIS elsewhere (another config folder, extra plugin paths).
    dropped = ("QT_QPA_PLATFORM", "QGIS_CUSTOM_CONFIG_PATH", "QGIS_PLUGINPATH", "PYQGIS_STARTUP", "QGIS_OPTS")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    first_off, first_on = scenario.expected_gaps[0]
    env.update(
        {
            "QT_QPA_PLATFORM": "xcb",
            "QGIS_OPTS": "",  # /etc/default/qgis sets options for the Debian wrapper script
            "PYQGIS_STARTUP": str(CHECK_SCRIPT),  # early hooks: log messages and error dialogs from the start
            "BAIMEI_DESKTOP_STEPS": str(CHECK_SCRIPT.parent),  # where steps/ is; QGIS gives the script no __file__
            "BAIMEI_DESKTOP_RESULT": str(paths["result"]),
            "BAIMEI_DESKTOP_SCREENSHOTS": str(OUTPUT_DIR),
            "BAIMEI_DESKTOP_EVENTS": str(paths["events"]),
            "BAIMEI_DESKTOP_SCENARIO": scenario.path,
            "BAIMEI_DESKTOP_MMSI": str(scenario.bai_mei_mmsi),
            "BAIMEI_DESKTOP_FIRST_GAP": f"{first_off},{first_on}",
            "BAIMEI_DESKTOP_PROFILE": str(profile),
            "BAIMEI_DESKTOP_LOAD_TIMEOUT_S": str(LOAD_TIMEOUT_S),
            "BAIMEI_DESKTOP_WATCHDOG_S": str(WATCHDOG_S),
            "PYTHONDONTWRITEBYTECODE": "1",
            # keep the user's own QGIS files (startup.py, settings) out of this run
            "XDG_RUNTIME_DIR": str(runtime_dir),
            "XDG_DATA_HOME": str(base / "xdg-data"),
            "XDG_CONFIG_HOME": str(base / "xdg-config"),
            "XDG_CACHE_HOME": str(base / "xdg-cache"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
    )
    return env


def _run_qgis(command: list[str], env: dict[str, str], paths: dict[str, Path], cwd: Path) -> tuple:
    """Runs QGIS on its own Xvfb display until it quits or TIMEOUT_S passes: (exit code, timed out, seconds)."""
    xvfb = qgis_proc = None
    started = time.monotonic()
    timed_out = False
    with open(paths["xvfb_log"], "w") as xlog, open(paths["qgis_log"], "w") as qlog:
        try:
            xvfb, display = _start_xvfb(xlog)
            env["DISPLAY"] = display
            qlog.write(f"$ DISPLAY={display} {' '.join(command)}\n")
            qlog.flush()
            qgis_proc = subprocess.Popen(
                command, env=env, cwd=cwd, stdout=qlog, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                qgis_proc.wait(timeout=TIMEOUT_S - (time.monotonic() - started))
            except subprocess.TimeoutExpired:
                timed_out = True
        finally:
            _stop(qgis_proc)
            _stop(xvfb)
    return (qgis_proc.returncode if qgis_proc else None), timed_out, time.monotonic() - started


@pytest.fixture(scope="module")
def desktop_run(tmp_path_factory) -> DesktopRun:
    """One QGIS session for every step's test: it is slow to start, and the steps build on each other."""
    qgis = shutil.which("qgis")
    if qgis is None:
        pytest.skip("the qgis desktop application is not installed (Debian package: qgis)")
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian package: xvfb)")
    base = tmp_path_factory.mktemp("desktop")
    scenario = _generate_scenario(base)
    try:
        paths = _fresh_output_dir()
        profile = _make_profile(base, _build_plugin(base))
        env = _qgis_env(base, profile, paths, scenario)
        # --profiles-path: QGIS adds "profiles/" itself
        command = [qgis, *_qgis_options(qgis), "--profiles-path", str(base), "--profile", PROFILE]
        returncode, timed_out, elapsed_s = _run_qgis(command + ["--code", str(CHECK_SCRIPT)], env, paths, base)
    finally:
        Path(scenario.path).unlink(missing_ok=True)  # 240 MB; pytest keeps the last few tmp dirs
    run = DesktopRun(
        result=json.loads(paths["result"].read_text(encoding="utf-8")) if paths["result"].exists() else None,
        returncode=returncode,
        timed_out=timed_out,
        elapsed_s=elapsed_s,
        result_path=paths["result"],
        qgis_log=paths["qgis_log"],
        events_path=paths["events"],
    )
    print(f"\nQGIS run: {run.elapsed_s:.1f} s, exit code {run.returncode}, output {run.qgis_log}")
    for record in (run.result or {}).get("steps", []):
        print(f"  {record['name']:<20} {record['status']:<8} {record.get('s', '')}")
    return run


@pytest.mark.parametrize("step", STEP_NAMES)
def test_desktop(desktop_run, step):
    """One step of the walkthrough (steps/), as checked inside QGIS."""
    record = desktop_run.record(step)
    if record is None:
        pytest.fail(desktop_run.stopped_before(step), pytrace=False)
    for key, path in sorted(record.get("screenshots", {}).items()):
        print(f"screenshot {key}: {path}")
    for note in record.get("notes", []):
        print(note)
    if record["status"] == "skipped":
        pytest.skip(f"{step} skipped: {record['message']}")
    if record["status"] != "passed":
        shots = "".join(f"\n  {key}: {path}" for key, path in sorted(record.get("screenshots", {}).items()))
        trace = f"\n--- traceback (in QGIS) ---\n{record['traceback']}" if record.get("traceback") else ""
        pytest.fail(
            f"{step} {record['status']}:\n{record['message']}{trace}\nscreenshots:{shots or ' none'}", pytrace=False
        )


def test_desktop_session(desktop_run):
    """QGIS ran the whole walkthrough and quit cleanly, with no Python error or dialog outside the steps."""
    report = desktop_run.report()
    assert not desktop_run.timed_out, f"QGIS did not finish within {TIMEOUT_S} s{report}"
    result = desktop_run.result
    assert result is not None, f"{desktop_run.how_it_ended()} without writing {desktop_run.result_path}{report}"
    assert not result.get("runner_errors"), "the in-QGIS runner failed:\n" + "\n".join(result["runner_errors"])
    finished, running = result.get("finished"), result.get("current_step")
    assert finished, f"the walkthrough stopped during step {running}{report}"
    errors = result["python_errors_after_steps"]
    assert errors == [], "Python errors in QGIS after the last step:\n" + "\n\n".join(errors)
    dialogs = result["unexpected_dialogs_after_steps"]
    assert dialogs == [], f"dialogs popped up after the last step or were still open at the end: {dialogs}"
    assert desktop_run.returncode == 0, f"QGIS exit code {desktop_run.returncode}{report}"
