"""Starts the real ``qgis`` desktop application under Xvfb (1366x768) with the built plugin in a throwaway profile.

The script ``qgis_startup_check.py`` runs inside QGIS (``--code``, plus ``PYQGIS_STARTUP`` for early hooks), checks
what the plugin added, opens the Import AIS dialog from the Vector menu, then walks through the Bai Mei dock: opens
it from the toolbar, loads the generated Bai Mei 8 scenario with the dock's own widgets, selects the Bai Mei 8's
first gap, shows the vessel alone, and measures the dock's widgets for clipping at 1366x768. It then unloads the
plugin and writes its findings as JSON, which this test asserts on. Screenshots and QGIS's output land in
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
from pathlib import Path

import pytest

pytestmark = pytest.mark.desktop

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "bai_mei_plugin"
PROFILE = "bai_mei_test"
CHECK_SCRIPT = Path(__file__).with_name("qgis_startup_check.py")
OUTPUT_DIR = ROOT / "test-output" / "desktop"
TIMEOUT_S = 180  # the whole QGIS run; a hung QGIS fails the test instead of blocking CI
WATCHDOG_S = 150  # the in-QGIS script gives up (and still writes its JSON) after this
LOAD_TIMEOUT_S = 90  # loading the scenario in the dock
SCREEN = "1366x768x24"  # the smallest laptop screen the dock must be legible on
MIN_SCREENSHOT_BYTES = 20_000
SCREENSHOTS = (
    "main-window",
    "vector-menu",
    "processing-toolbox",
    "import-ais-dialog",
    "dock-loaded",
    "dock-tracks",
    "dock-bai-mei-8-gap",
    "dock-preset-list",
    "dock-imagery-search",
    "dock-imagery",
    "dock-analysis",
    "sighting-form",
    "dock-annotate",
    "dock-vessels",
    "after-unload",
)
MIN_DOCK_WIDTH = 300
# Widgets whose text must fit: width at least 90 % of what they ask for.
BUTTONS = (
    "loadButton",
    "cancelButton",
    "rerunButton",
    "playButton",
    "trackButton",
    "showVesselButton",
    "showAllButton",
    "imageryListButton",
    "imageryGapTimeButton",
    "imageryMapTimeButton",
    "imagerySearchButton",
    "imageryCancelButton",
    "imageryAddButton",
)
# Widgets that must not be flattened.
MIN_HEIGHT = 20
TALL_ENOUGH = BUTTONS + ("fileWidget", "presetCombo", "filterEdit", "gapTable", "vesselFilterEdit", "vesselTable",
                         "imageryUrlCombo", "imageryAuthSelect", "imageryStartEdit", "imageryEndEdit",
                         "imageryResultTable", "imageryTimeline")
JUNE_NAMPO_SCENES = {"SYNTHETIC_20170616_021000_ssc1", "SYNTHETIC_20170617_020500_ssc3"}  # in the bundled catalogue
MIN_TABLE_HEIGHT = 150

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
    scenario = pytest.importorskip("bai_mei_plugin.core.scenario", reason="the scenario generator needs numpy")
    started = time.monotonic()
    info = scenario.generate_scenario(str(tmp_path / "bai_mei_8_scenario.csv"))
    print(f"\nscenario: {info.rows:,} rows, {info.vessels} vessels in {time.monotonic() - started:.1f} s")
    return info


def _check_layout(layout: dict) -> list[str]:
    """Problems in one page's measurements (see DesktopCheck.measure_page): clipped, squeezed or hidden widgets."""
    problems = []
    dock = layout["dock"]
    if dock["width"] < MIN_DOCK_WIDTH:
        problems.append(f"the dock is {dock['width']} px wide (< {MIN_DOCK_WIDTH})")
    for name, widget in layout["widgets"].items():
        if not widget["visible"]:
            problems.append(f"{name} is not visible")
            continue
        if not (widget["inside_dock"] and widget["on_screen"]):
            problems.append(f"{name} lies outside the dock or the screen: {widget['geometry']}")
        if widget["shown_region"] != [widget["width"], widget["height"]]:
            problems.append(
                f"{name} is partly hidden: {widget['shown_region']} of {widget['width']}x{widget['height']}"
            )
        if name in BUTTONS and widget["width"] < 0.9 * widget["size_hint"][0]:
            problems.append(f"{name} is squeezed: {widget['width']} px wide, needs {widget['size_hint'][0]}")
        if name in TALL_ENOUGH and widget["height"] < MIN_HEIGHT:
            problems.append(f"{name} is only {widget['height']} px high")
    for table in ("gapTable", "vesselTable", "imageryResultTable"):
        if table in layout["widgets"] and layout["widgets"][table]["height"] < MIN_TABLE_HEIGHT:
            problems.append(f"{table} shows only {layout['widgets'][table]['height']} px of rows")
    for entry in layout["squeezed"]:
        problems.append(f"{entry['widget']} is {entry['size']} but needs {entry['needs']} (text cut off)")
    return problems


def test_plugin_in_real_qgis_desktop(tmp_path):
    qgis = shutil.which("qgis")
    if qgis is None:
        pytest.skip("the qgis desktop application is not installed (Debian package: qgis)")
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian package: xvfb)")
    scenario = _generate_scenario(tmp_path)

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for stale in list(OUTPUT_DIR.glob("*.png")) + list(OUTPUT_DIR.glob("*.json*")):
        stale.unlink()
    result_path = OUTPUT_DIR / "result.json"
    events_path = OUTPUT_DIR / "events.jsonl"
    qgis_log = OUTPUT_DIR / "qgis-output.log"
    xvfb_log = OUTPUT_DIR / "xvfb.log"

    profile = _make_profile(tmp_path, _build_plugin(tmp_path))
    runtime_dir = tmp_path / "runtime"
    runtime_dir.mkdir(mode=0o700)
    # No inherited settings that would point QGIS elsewhere (another config folder, extra plugin paths).
    dropped = ("QT_QPA_PLATFORM", "QGIS_CUSTOM_CONFIG_PATH", "QGIS_PLUGINPATH", "PYQGIS_STARTUP", "QGIS_OPTS")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        {
            "QT_QPA_PLATFORM": "xcb",
            "QGIS_OPTS": "",  # /etc/default/qgis sets options for the Debian wrapper script
            "PYQGIS_STARTUP": str(CHECK_SCRIPT),  # early hooks: log messages and error dialogs from the start
            "BAIMEI_DESKTOP_RESULT": str(result_path),
            "BAIMEI_DESKTOP_SCREENSHOTS": str(OUTPUT_DIR),
            "BAIMEI_DESKTOP_EVENTS": str(events_path),
            "BAIMEI_DESKTOP_SCENARIO": scenario.path,
            "BAIMEI_DESKTOP_MMSI": str(scenario.bai_mei_mmsi),
            "BAIMEI_DESKTOP_LOAD_TIMEOUT_S": str(LOAD_TIMEOUT_S),
            "BAIMEI_DESKTOP_WATCHDOG_S": str(WATCHDOG_S),
            "PYTHONDONTWRITEBYTECODE": "1",
            # keep the user's own QGIS files (startup.py, settings) out of this run
            "XDG_RUNTIME_DIR": str(runtime_dir),
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
    )
    command = [
        qgis,
        *_qgis_options(qgis),
        "--profiles-path",
        str(tmp_path),  # QGIS adds "profiles/" itself
        "--profile",
        PROFILE,
        "--code",
        str(CHECK_SCRIPT),
    ]

    xvfb = qgis_proc = None
    started = time.monotonic()
    timed_out = False
    with open(xvfb_log, "w") as xlog, open(qgis_log, "w") as qlog:
        try:
            xvfb, display = _start_xvfb(xlog)
            env["DISPLAY"] = display
            qlog.write(f"$ DISPLAY={display} {' '.join(command)}\n")
            qlog.flush()
            qgis_proc = subprocess.Popen(
                command, env=env, cwd=tmp_path, stdout=qlog, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                qgis_proc.wait(timeout=TIMEOUT_S - (time.monotonic() - started))
            except subprocess.TimeoutExpired:
                timed_out = True
        finally:
            _stop(qgis_proc)
            _stop(xvfb)
            Path(scenario.path).unlink(missing_ok=True)  # 240 MB; pytest keeps the last few tmp dirs
    elapsed = time.monotonic() - started
    print(f"\nQGIS run: {elapsed:.1f} s, exit code {qgis_proc.returncode if qgis_proc else None}, output {qgis_log}")

    report = f"\n--- QGIS output (tail) ---\n{_tail(qgis_log)}\n--- events (tail) ---\n{_tail(events_path, 20)}"
    assert not timed_out, f"QGIS did not finish within {TIMEOUT_S} s{report}"
    assert result_path.exists(), f"QGIS exited ({qgis_proc.returncode}) without writing {result_path}{report}"
    result = json.loads(result_path.read_text(encoding="utf-8"))
    for key, shot in sorted(result.get("screenshots", {}).items()):
        print(f"screenshot {key}: {shot['path']}")

    script_errors = "\n".join(result.get("script_errors", []))
    assert result.get("python_errors") == [], "Python errors in QGIS:\n" + "\n\n".join(result.get("python_errors", []))
    assert result["unexpected_dialogs"] == [], f"dialogs popped up: {result['unexpected_dialogs']}"

    plugin = result.get("plugin")
    assert plugin, f"the in-QGIS check script failed:\n{script_errors}"
    assert plugin["in_plugins"] and plugin["active"], f"plugin not loaded: {plugin}"
    assert Path(plugin["module_file"]).is_relative_to(profile), plugin["module_file"]  # the installed copy

    provider = result["provider"]
    assert provider["present"], "Processing provider 'baimei' missing"
    assert {"baimei:importais", "baimei:detectgaps"} <= set(provider["algorithms"]), provider
    assert provider["icon_ok"], "provider icon did not load (resources/ missing from the plugin folder?)"

    menu = result["menu"]
    assert menu["submenu_present"], f"no Bai Mei submenu in the Vector menu: {menu}"
    names = {entry["object_name"]: entry for entry in menu["actions"]}
    assert {"baimei_dock", "baimei_importais", "baimei_detectgaps"} <= set(names), menu["actions"]
    assert all(entry["enabled"] and entry["icon_ok"] for entry in names.values()), menu["actions"]
    assert menu.get("submenu_opened"), "the Bai Mei submenu did not open for the screenshot"
    plugins_menu = {entry["object_name"] for entry in result["plugins_menu"]["actions"]}
    assert "baimei_dock" in plugins_menu, f"the dock action is not in Plugins > Bai Mei: {result['plugins_menu']}"

    toolbar = result["toolbar"]
    assert toolbar["present"] and toolbar["in_plugin_toolbar"], f"toolbar action baimei_dock missing: {toolbar}"
    assert toolbar["entries"][0]["icon_ok"] and toolbar["entries"][0]["checkable"], toolbar
    assert not toolbar["other_actions_on_toolbars"], f"only the dock button belongs on the toolbar: {toolbar}"

    toolbox = result["toolbox"]
    assert toolbox.get("opened"), f"Processing toolbox did not open: {toolbox}"
    assert "Bai Mei" in toolbox.get("filtered_items", []), toolbox

    dialog = result["algorithm_dialog"]
    assert dialog["opened"], f"Vector > Bai Mei > Import AIS file did not open the dialog: {dialog}"

    # The dock walkthrough: open, load the Bai Mei 8 scenario, select its first gap, show the vessel alone.
    dock = result.get("dock", {})
    assert dock.get("found") and dock.get("visible"), f"the toolbar button did not open the dock: {dock}"
    assert dock["action_checked"] and dock["right_area"] and not dock["floating"], dock
    load = result.get("load", {})
    assert load.get("format_recognised"), f"the dock did not recognise the DMA format: {load.get('format_label')}"
    assert load.get("loaded"), f"the scenario did not load within {LOAD_TIMEOUT_S} s: {load} {result['waits']}"
    assert load["gap_rows"] > 100, f"only {load['gap_rows']} gaps in the table"
    print(f"scenario loaded in the dock in {load['load_s']} s: {load['gap_rows']} gaps, {load['vessels']} vessels")

    selected = result.get("selected_gap", {})
    gap = selected.get("gap") or {}
    expected_off, expected_on = scenario.expected_gaps[0]
    assert gap.get("mmsi") == scenario.bai_mei_mmsi, f"the first BAI MEI gap is not the Bai Mei 8's: {selected}"
    assert gap["off_time"] == expected_off, f"first gap off at {gap['off_time']}, expected {expected_off}"
    assert gap["on_time"] == expected_on, f"first gap on at {gap['on_time']}, expected {expected_on}"
    assert selected["map"]["extent_contains_gap"], f"the map does not show the gap's ends: {selected['map']}"
    assert selected["map"]["temporal_covers_gap"], f"the Temporal Controller misses the gap: {selected['map']}"
    details = selected.get("details", {})
    assert details.get("box_visible") and details.get("level") == "high", f"the Selected gap box: {details}"
    assert selected.get("criteria_folded_at_start"), "the gap criteria should start folded, leaving room for the table"
    assert "Nampo (up to" in details["text"] and "draught rose from 6.5 m to 11.5 m" in details["text"], details
    assert "KPNAM" in dict(details["candidates"]) and "RUVVO" not in dict(details["candidates"]), details
    assert {"reach_areas", "candidate_visits"} <= set(details["layers"]), details
    assert details["folded_table_height"] >= MIN_TABLE_HEIGHT and details["folded_text_fits"], details

    # Imagery page: the bundled catalogue over the map zoomed to Nampo, in the selected gap's window.
    imagery = result.get("imagery", {})
    assert imagery.get("window_covers_gap"), f"the imagery window is not the gap's: {imagery}"
    assert imagery.get("url", "").endswith("bai_mei_8_synthetic.geojson"), imagery
    assert JUNE_NAMPO_SCENES <= set(imagery.get("found", [])), f"the June Nampo scenes were not found: {imagery}"
    assert JUNE_NAMPO_SCENES <= set(imagery["dark"]), f"the June Nampo scenes are not flagged as dark: {imagery}"
    assert imagery["rows"] == imagery["features"] == len(imagery["found"]), imagery
    assert imagery["layer_name"] == "imagery footprints" and imagery["in_session_group"] and imagery["temporal"]
    assert imagery["selected_on_map"] == [imagery["selected"]], imagery
    assert imagery["current_subtab"] == "imageryResultsPage" and imagery["timeline_ticks"] == len(imagery["found"])

    analysis = result.get("analysis", {})
    ports = dict(analysis.get("ports", []))
    assert "KPNAM" in ports and 40 < ports["KPNAM"] < 70, f"Nampo is not a candidate port of the June gap: {analysis}"
    assert not {"RUVVO", "CNNGB"} & set(ports), f"Vladivostok or Ningbo within reach of the June gap: {analysis}"
    assert {"reach_areas", "candidate_visits"} <= set(analysis["layers"]), analysis

    # Annotate and identify the ship on the 16 June SkySat scene by clicking
    annotate = result.get("annotate", {})
    assert annotate.get("mark_tool_active") and annotate.get("sightings") == 1, annotate
    assert annotate.get("form_opened") and annotate.get("form_tabs", [])[:5] == ["Identity", "Hull", "Deck",
                                                                                 "Activity", "Notes"], annotate
    saved = annotate.get("saved", {})
    assert saved.get("image_id") == imagery.get("selected"), saved  # taken from the selected scene
    assert saved.get("observed_at", "").startswith("2017-06-1"), saved
    assert (saved.get("hatch_count"), saved.get("crane_count"), saved.get("hull_colour")) == (5, 4, "black"), saved
    assert saved.get("length_m") and 150 < saved["length_m"] < 190, saved  # 0.002° of longitude at 38.7° N
    assert saved.get("heading_deg") is not None and abs(saved["heading_deg"] - 90) < 3, saved
    ranked = annotate.get("ranked", [])
    assert ranked and ranked[0][1] == "BAI MEI 8" and ranked[0][3] == "dark and reachable", ranked

    vessel = result.get("vessel", {})
    assert vessel.get("selected_mmsi") == scenario.bai_mei_mmsi, vessel
    subsets = vessel["subsets"]
    assert subsets and all(str(scenario.bai_mei_mmsi) in subset for subset in subsets.values()), subsets
    assert all(subset == "" for subset in vessel["subsets_after_show_all"].values()), vessel

    # Legible at 1366x768: nothing clipped, squeezed or hidden on the three working pages.
    layout = result["layout"]
    problems = [
        f"{page}: {problem}"
        for page in ("tracksPage", "gapsPage", "vesselsPage", "imagerySearchPage", "imageryResultsPage")
        for problem in _check_layout(layout[page])
    ]
    cut_presets = [p["text"] for p in layout["preset_combo"]["presets"] if not p["fits_open_list"]]
    assert not cut_presets, f"preset names cut off in the open Preset list: {cut_presets}"
    assert not problems, "the dock at 1366x768:\n" + "\n".join(problems)
    cut_closed = [p["text"] for p in layout["preset_combo"]["presets"] if not p["fits_closed_combo"]]
    assert not cut_closed, f"preset names cut off in the closed Preset combo: {cut_closed}"
    gap_columns = {c["name"]: c["in_view"] for c in layout["gapsPage"]["gap_table"]["columns"]}
    assert all(gap_columns[name] for name in ("Vessel", "Hours", "Off (UTC)")), gap_columns
    vessel_columns = {c["name"]: c["in_view"] for c in layout["vesselsPage"]["vessel_table"]["columns"]}
    assert all(vessel_columns[name] for name in ("Vessel", "Gaps", "Longest h")), vessel_columns
    assert vessel["map"]["temporal_covers_vessel"], f"the time window hides part of the voyage: {vessel['map']}"
    result_columns = {c["name"]: c["in_view"] for c in layout["imageryResultsPage"]["result_table"]["columns"]}
    assert all(result_columns[name] for name in ("Date (UTC)", "Dark", "Covers")), result_columns

    unload = result["unload"]
    assert unload["returned"], "qgis.utils.unloadPlugin returned False"
    assert unload["provider_removed"] and unload["algorithms_removed"], unload
    assert unload["submenu_removed"], "the Bai Mei submenu is still in the Vector menu after unload"
    assert unload["plugins_submenu_removed"], "the Bai Mei submenu is still in the Plugins menu after unload"
    assert unload["toolbar_action_removed"] and not unload["leftover_toolbar_actions"], unload
    assert not unload["leftover_menu_actions"] and not unload["leftover_actions"], unload
    assert unload["dock_removed"], f"the Bai Mei dock is still in the main window after unload: {unload}"

    assert not script_errors, f"the in-QGIS check script failed:\n{script_errors}"
    for key in SCREENSHOTS:
        path = Path(result["screenshots"][key]["path"])
        assert path.is_file(), f"screenshot {key} not saved"
        assert path.stat().st_size > MIN_SCREENSHOT_BYTES, f"screenshot {path} is only {path.stat().st_size} bytes"

    assert qgis_proc.returncode == 0, f"QGIS exit code {qgis_proc.returncode}{report}"
