"""Optional packages (core.optional_packages): what pip is asked for, where it installs, how its failures read."""

import os
import sys

import pytest

from bai_mei_plugin.core import optional_packages as op


def test_pyarrow_is_held_to_releases_that_work_with_the_installed_numpy():
    pyarrow = op.find("pyarrow")
    assert op.requirement(pyarrow, "1.24.2") == ["pyarrow>=16,<20"]  # Debian 12: numpy 1
    assert op.requirement(pyarrow, "2.2.4") == ["pyarrow>=16"]
    dask = op.requirement(op.find("dask"), "1.24.2")
    assert "pandas>=2.0,<3" in dask and "pyarrow>=16,<20" in dask


def test_pip_goes_into_the_target_only_and_pins_numpy():
    command = op.pip_command("/usr/bin/python3", "/p/bai_mei_packages/py311.partial", ["pyarrow>=16"], "1.24.2")
    assert command[:4] == ["/usr/bin/python3", "-m", "pip", "install"]
    assert command[command.index("--target") + 1] == "/p/bai_mei_packages/py311.partial"
    assert "--no-input" in command and "--user" not in command and "--break-system-packages" not in command
    assert command[-2:] == ["pyarrow>=16", "numpy==1.24.2"]  # never another numpy than QGIS's
    local = op.pip_command("py", "t", ["x"], None, ("--no-index", "--find-links", "/w"))
    assert local[-4:] == ["--no-index", "--find-links", "/w", "x"] and not any("numpy" in a for a in local)


def test_the_folder_is_per_python_version_in_the_profile(tmp_path):
    folder = op.packages_dir(str(tmp_path))
    assert folder == os.path.join(str(tmp_path), "bai_mei_packages", f"py{sys.version_info[0]}{sys.version_info[1]}")
    assert op.add_to_path(folder) is False  # not there yet: nothing added
    os.makedirs(folder)
    try:
        assert op.add_to_path(folder) is True and sys.path[-1] == folder  # last: QGIS's own packages win
        assert op.add_to_path(folder) is False  # once
    finally:
        sys.path.remove(folder)


def test_installed_means_every_module_imports():
    assert op.is_installed(op.OptionalPackage("x", ("json", "csv"), "", ""))
    assert not op.is_installed(op.OptionalPackage("x", ("json", "bm_no_such_module.sub"), "", ""))


def test_the_interpreter_beside_qgis_is_found_when_qgis_is_the_executable(tmp_path):
    assert op.python_executable("/usr/bin/python3.11", "/usr") == "/usr/bin/python3.11"
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    (tmp_path / "bin").mkdir()
    python = tmp_path / "bin" / f"python{version}"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    assert op.python_executable("/usr/bin/qgis", str(tmp_path)) == str(python)
    assert op.python_executable("/usr/bin/qgis", str(tmp_path / "nowhere")) in ("", "/usr/bin/python3")


@pytest.mark.parametrize(
    "output, expected",
    [
        ("WARNING: Retrying ... Temporary failure in name resolution\nERROR: Could not find a version", "offline"),
        ("ERROR: Could not find a version that satisfies the requirement pyarrow>=16,<20", "no release of it"),
        ("/usr/bin/python3: No module named pip", "has no pip"),
        ("ERROR: disk full", "pip said: ERROR: disk full"),
    ],
)
def test_pip_failures_say_why_and_that_the_plugin_carries_on(output, expected):
    message = op.pip_failure(output, op.find("pyarrow"))
    assert message.startswith("pyarrow could not be installed")
    assert expected in message
    assert "carries on without it" in message
