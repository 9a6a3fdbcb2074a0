"""What every desktop test module shares: the built plugin in a throwaway QGIS profile, a private Xvfb display at
1366x768, one run of the real ``qgis`` application with ``qgis_startup_check.py`` running a plan of steps inside it,
and the record of that run (``DesktopRun``) that the pytest side reports step by step.

``test_desktop.py`` runs the walkthrough (``steps/``) once; ``test_desktop_case.py`` runs two QGIS sessions on one
case (``case_steps/``), the first one killed with SIGKILL once its steps are done.
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
from typing import Callable, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "bai_mei_plugin"
PROFILE = "bai_mei_test"
CHECK_SCRIPT = Path(__file__).with_name("qgis_startup_check.py")
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


def require_desktop() -> str:
    """The ``qgis`` executable, or the test is skipped saying which Debian package is missing."""
    qgis = shutil.which("qgis")
    if qgis is None:
        pytest.skip("the qgis desktop application is not installed (Debian package: qgis)")
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian package: xvfb)")
    return qgis


def build_plugin(tmp_path: Path) -> Path:
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


def make_profile(base: Path, plugin_dir: Path) -> Path:
    profile = base / "profiles" / PROFILE
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    shutil.copytree(plugin_dir, plugins / PLUGIN, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text(QGIS3_INI.format(plugin=PLUGIN), encoding="utf-8")
    return profile


def start_xvfb(log) -> tuple[subprocess.Popen, str]:
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
        stop(proc)
        pytest.fail(f"Xvfb did not start (exit code {proc.poll()}); see {log.name}")
    return proc, f":{data.strip().decode()}"


def stop(proc: subprocess.Popen | None) -> None:
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


def qgis_options(qgis: str) -> list[str]:
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


def qgis_command(qgis: str, base: Path) -> list[str]:
    """``qgis`` with the throwaway profile under ``base`` (``--profiles-path``: QGIS adds "profiles/" itself)."""
    return [qgis, *qgis_options(qgis), "--profiles-path", str(base), "--profile", PROFILE]


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(none)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def generate_scenario(tmp_path: Path):
    """The bundled Bai Mei 8 scenario (a ~240 MB DMA CSV, a few seconds), written before QGIS starts."""
    scenario = pytest.importorskip("bai_mei_plugin.demo.scenario", reason="the scenario generator needs numpy")
    started = time.monotonic()
    info = scenario.generate_scenario(str(tmp_path / "bai_mei_8_scenario.csv"))
    print(f"\nscenario: {info.rows:,} rows, {info.vessels} vessels in {time.monotonic() - started:.1f} s")
    return info


@dataclass
class RunPaths:
    """Where one QGIS run writes: its results JSON, events, QGIS's output, Xvfb's output and screenshots."""

    folder: Path
    prefix: str = ""

    def __post_init__(self):
        self.result = self.folder / f"{self.prefix}result.json"
        self.events = self.folder / f"{self.prefix}events.jsonl"
        self.qgis_log = self.folder / f"{self.prefix}qgis-output.log"
        self.xvfb_log = self.folder / f"{self.prefix}xvfb.log"


def keep_outputs(paths: RunPaths, folder: Path) -> None:
    """Copies of a run's results, events and logs beside its screenshots, for people to look at."""
    for path in (paths.result, paths.events, paths.qgis_log, paths.xvfb_log):
        if path.exists() and path.parent != folder:
            shutil.copy2(path, folder / path.name)


def fresh_output_dir(folder: Path) -> None:
    """``folder`` made, without the screenshots and results of an earlier run."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in list(folder.glob("*.png")) + list(folder.glob("*.json*")):
        stale.unlink()


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
    timeout_s: float
    killed: bool = False  # ended with SIGKILL on purpose, once its steps were done

    def record(self, step: str) -> dict | None:
        return next((r for r in (self.result or {}).get("steps", []) if r["name"] == step), None)

    def report(self) -> str:
        return (
            f"\n--- QGIS output (tail of {self.qgis_log}) ---\n{tail(self.qgis_log)}"
            f"\n--- events (tail) ---\n{tail(self.events_path, 20)}"
        )

    def how_it_ended(self) -> str:
        if self.timed_out:
            return f"QGIS did not finish within {self.timeout_s:.0f} s and was stopped"
        if self.killed:
            return f"QGIS was killed (SIGKILL) as planned after {self.elapsed_s:.0f} s"
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

    def print_summary(self) -> None:
        print(f"\nQGIS run: {self.elapsed_s:.1f} s, {self.how_it_ended()}, output {self.qgis_log}")
        for record in (self.result or {}).get("steps", []):
            print(f"  {record['name']:<20} {record['status']:<8} {record.get('s', '')}")


def qgis_env(base: Path, profile: Path, paths: RunPaths, screenshots: Path, extra: dict[str, str]) -> dict[str, str]:
    """QGIS's environment: none of the user's QGIS settings, the check script's hooks, and ``extra`` (what the plan
    needs: the scenario, the steps package, timeouts)."""
    runtime_dir = base / f"runtime-{paths.prefix or 'qgis'}"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    # No inherited settings that would point QGIS elsewhere (another config folder, extra plugin paths).
    dropped = ("QT_QPA_PLATFORM", "QGIS_CUSTOM_CONFIG_PATH", "QGIS_PLUGINPATH", "PYQGIS_STARTUP", "QGIS_OPTS")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        {
            "QT_QPA_PLATFORM": "xcb",
            "QGIS_OPTS": "",  # /etc/default/qgis sets options for the Debian wrapper script
            "PYQGIS_STARTUP": str(CHECK_SCRIPT),  # early hooks: log messages and error dialogs from the start
            "BAIMEI_DESKTOP_STEPS": str(CHECK_SCRIPT.parent),  # where steps/ is; QGIS gives the script no __file__
            "BAIMEI_DESKTOP_RESULT": str(paths.result),
            "BAIMEI_DESKTOP_SCREENSHOTS": str(screenshots),
            "BAIMEI_DESKTOP_EVENTS": str(paths.events),
            "BAIMEI_DESKTOP_PROFILE": str(profile),
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
    env.update(extra)
    return env


def scenario_env(scenario, load_timeout_s: float) -> dict[str, str]:
    """What the steps need to know of the generated scenario."""
    first_off, first_on = scenario.expected_gaps[0]
    return {
        "BAIMEI_DESKTOP_SCENARIO": scenario.path,
        "BAIMEI_DESKTOP_MMSI": str(scenario.bai_mei_mmsi),
        "BAIMEI_DESKTOP_FIRST_GAP": f"{first_off},{first_on}",
        "BAIMEI_DESKTOP_LOAD_TIMEOUT_S": str(load_timeout_s),
    }


def read_result(path: Path) -> Optional[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not written yet, or being replaced
        return None


def run_qgis(
    command: list[str],
    env: dict[str, str],
    paths: RunPaths,
    cwd: Path,
    timeout_s: float,
    kill_when: Optional[Callable[[], bool]] = None,
) -> DesktopRun:
    """Runs QGIS on its own Xvfb display until it quits or ``timeout_s`` passes. With ``kill_when``, QGIS is killed
    with SIGKILL (no clean exit: a crash, a power cut) as soon as ``kill_when()`` is true."""
    xvfb = qgis_proc = None
    started = time.monotonic()
    timed_out = killed = False
    with open(paths.xvfb_log, "w") as xlog, open(paths.qgis_log, "w") as qlog:
        try:
            xvfb, display = start_xvfb(xlog)
            env["DISPLAY"] = display
            qlog.write(f"$ DISPLAY={display} {' '.join(command)}\n")
            qlog.flush()
            qgis_proc = subprocess.Popen(
                command, env=env, cwd=cwd, stdout=qlog, stderr=subprocess.STDOUT, start_new_session=True
            )
            killed, timed_out = _wait(qgis_proc, started, timeout_s, kill_when)
        finally:
            stop(qgis_proc)
            stop(xvfb)
    return DesktopRun(
        result=read_result(paths.result),
        returncode=qgis_proc.returncode if qgis_proc else None,
        timed_out=timed_out,
        elapsed_s=time.monotonic() - started,
        result_path=paths.result,
        qgis_log=paths.qgis_log,
        events_path=paths.events,
        timeout_s=timeout_s,
        killed=killed,
    )


def _wait(proc: subprocess.Popen, started: float, timeout_s: float, kill_when) -> tuple[bool, bool]:
    """(killed on purpose, timed out)."""
    while True:
        left = timeout_s - (time.monotonic() - started)
        if left <= 0:
            return False, True
        try:
            proc.wait(timeout=min(left, 1.0) if kill_when else left)
            return False, False
        except subprocess.TimeoutExpired:
            pass
        if kill_when is not None and kill_when():
            os.killpg(proc.pid, signal.SIGKILL)  # the whole QGIS process group, as the kernel's OOM killer would
            proc.wait(timeout=10)
            return True, False


def fail_step(run: DesktopRun, step: str) -> None:
    """The pytest verdict of one step recorded inside QGIS."""
    record = run.record(step)
    if record is None:
        pytest.fail(run.stopped_before(step), pytrace=False)
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


def check_session(run: DesktopRun, clean_exit: bool = True) -> None:
    """QGIS ran every step of its plan, with no Python error or dialog outside the steps, and (``clean_exit``) quit
    with exit code 0."""
    report = run.report()
    assert not run.timed_out, f"QGIS did not finish within {run.timeout_s:.0f} s{report}"
    result = run.result
    assert result is not None, f"{run.how_it_ended()} without writing {run.result_path}{report}"
    assert not result.get("runner_errors"), "the in-QGIS runner failed:\n" + "\n".join(result["runner_errors"])
    finished, running = result.get("finished"), result.get("current_step")
    assert finished, f"the plan stopped during step {running}{report}"
    errors = result["python_errors_after_steps"]
    assert errors == [], "Python errors in QGIS after the last step:\n" + "\n\n".join(errors)
    dialogs = result["unexpected_dialogs_after_steps"]
    assert dialogs == [], f"dialogs popped up after the last step or were still open at the end: {dialogs}"
    if clean_exit:
        assert run.returncode == 0, f"QGIS exit code {run.returncode}{report}"
