"""Vector ▸ Bai Mei ▸ Optional speed-ups…: a package installed with pip from QGIS's Python into the plugin's folder
in the profile (here from a local wheel: no network), importable at once; Cancel stops pip and leaves nothing;
pip's failure is a message, not a traceback."""

import os
import sys
import time
import zipfile

import pytest
from qgis.core import Qgis

from bai_mei_plugin.core.optional_packages import OptionalPackage
from bai_mei_plugin.gui import packages_dialog
from bai_mei_plugin.gui.packages_dialog import PackagesDialog
from bai_mei_plugin.tasks.package_tasks import InstallPackageTask

FAKE = OptionalPackage("bm_fake_speedup", ("bm_fake_speedup",), "makes the tests faster", "the tests are slow")


def make_wheel(folder) -> None:
    """A minimal wheel of ``bm_fake_speedup`` 1.0 that pip installs from a local folder."""
    name = "bm_fake_speedup-1.0"
    files = {
        "bm_fake_speedup/__init__.py": "VALUE = 42\n",
        f"{name}.dist-info/METADATA": "Metadata-Version: 2.1\nName: bm_fake_speedup\nVersion: 1.0\n",
        f"{name}.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: bai-mei-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = "".join(f"{path},,\n" for path in files) + f"{name}.dist-info/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(folder, f"{name}-py3-none-any.whl"), "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
        wheel.writestr(f"{name}.dist-info/RECORD", record)


@pytest.fixture
def profile(tmp_path, monkeypatch):
    """The plugin's package folder in a throwaway profile, and sys.path restored afterwards."""
    target = str(tmp_path / "profile" / "bai_mei_packages" / "py3")
    monkeypatch.setattr(packages_dialog, "plugin_packages_dir", lambda: target)
    monkeypatch.setattr(packages_dialog, "PACKAGES", (FAKE,))
    before = list(sys.path)
    yield target
    sys.path[:] = before
    sys.modules.pop("bm_fake_speedup", None)


def test_install_from_the_dialog_makes_the_package_importable(qgis_iface, qtbot, tmp_path, profile):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(str(wheels))
    qgis_iface.messageBar().clear_messages()
    dialog = PackagesDialog(qgis_iface, None, ("--no-index", "--find-links", str(wheels)), hold_numpy=False)
    assert dialog.status["bm_fake_speedup"].text() == "not installed"
    dialog.install(FAKE, sys.executable)
    qtbot.waitUntil(lambda: dialog.runner.task is None, timeout=120000)
    assert dialog.status["bm_fake_speedup"].text() == "installed"
    assert not dialog.buttons["bm_fake_speedup"].isEnabled()
    import bm_fake_speedup

    assert bm_fake_speedup.VALUE == 42 and bm_fake_speedup.__file__.startswith(profile)
    assert not os.path.exists(profile + ".partial")  # moved into place only when pip succeeded
    messages = qgis_iface.messageBar().get_messages(Qgis.Success)
    assert messages and "bm_fake_speedup installed into" in messages[0] and "used from now on" in messages[0]


def test_a_failing_pip_says_why_and_changes_nothing(qgis_iface, qtbot, tmp_path, profile):
    qgis_iface.messageBar().clear_messages()
    dialog = PackagesDialog(qgis_iface, None, ("--no-index", "--find-links", str(tmp_path)), hold_numpy=False)
    dialog.install(FAKE, sys.executable)  # an empty index: no release of it
    qtbot.waitUntil(lambda: dialog.runner.task is None, timeout=120000)
    warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert warnings and "bm_fake_speedup could not be installed: no release of it matches" in warnings[0]
    assert "carries on without it: the tests are slow" in warnings[0]
    assert not os.path.exists(profile) and not os.path.exists(profile + ".partial")
    assert dialog.status["bm_fake_speedup"].text() == "not installed"
    assert dialog.buttons["bm_fake_speedup"].isEnabled()


def test_cancel_stops_pip_and_leaves_no_partial_folder(qgis_iface, qtbot, tmp_path, profile):
    slow = tmp_path / "slow_python"  # a "Python" whose pip never ends
    slow.write_text('#!/bin/sh\nmkdir -p "$9"\nexec sleep 60\n')
    slow.chmod(0o755)
    dialog = PackagesDialog(qgis_iface, None, hold_numpy=False)
    dialog.install(FAKE, str(slow))
    task = dialog.runner.task
    qtbot.waitUntil(lambda: task.status() == task.Running, timeout=10000)
    time.sleep(0.5)
    dialog.cancel_button.click()
    # a generous bound that only a hang would break (the task polls every 0.2 s)
    qtbot.waitUntil(lambda: dialog.runner.task is None, timeout=5000)
    assert not os.path.exists(profile + ".partial")


def test_no_interpreter_found_is_a_message(qgis_iface, qtbot, profile):
    outcome = []
    task = InstallPackageTask(FAKE, "", profile, lambda t, ok: outcome.append((t, ok)))
    assert task.run() is False
    assert "no Python interpreter was found" in task.error.message and "the tests are slow" in task.error.message
