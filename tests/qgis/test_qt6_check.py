"""The QGIS 4 (Qt6) readiness check of `make lint` (tests/qt6/check.py) finds what it is meant to find."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.qt6 import check

ROOT = Path(__file__).resolve().parents[2]
QT6_PYTHON = ROOT / ".venv-qt6" / "bin" / "python"

SOURCE = """from qgis.core import Qgis, QgsFeatureSink
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAction, QDialog


def f(dialog, sink, features):
    sink.addFeatures(features, QgsFeatureSink.FastInsert)
    dialog.exec_()
    return Qt.AlignLeft | Qt.AlignmentFlag.AlignTop, Qgis.Info, QDialog.Accepted
"""


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    folder = tmp_path / "bai_mei_plugin"
    folder.mkdir()
    (folder / "module.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.setattr(check, "PLUGIN", folder)
    monkeypatch.setattr(check, "ROOT", tmp_path)
    return folder / "module.py"


def test_unscoped_enum_values_are_found_and_scoped_in_place(plugin):
    found = check.check_qgis(fix=False)
    assert sorted(line.split(": ", 1)[1] for line in found) == sorted(
        [
            "Qgis.Info -> Qgis.MessageLevel.Info",
            "QDialog.Accepted -> QDialog.DialogCode.Accepted",
            "Qt.AlignLeft -> Qt.AlignmentFlag.AlignLeft",
            "QgsFeatureSink.FastInsert -> QgsFeatureSink.Flag.FastInsert",
        ]
    )
    check.check_qgis(fix=True)
    fixed = plugin.read_text(encoding="utf-8")
    assert "Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop" in fixed  # the scoped one untouched
    assert "QgsFeatureSink.Flag.FastInsert" in fixed and "QDialog.DialogCode.Accepted" in fixed
    assert check.check_qgis(fix=False) == []
    compile(fixed, "module.py", "exec")


def qt6_python_runs() -> bool:
    """The PyQt6 environment exists and runs here (a copy made for another Python, as in the version chroots, does
    not)."""
    if not QT6_PYTHON.exists():
        return False
    return subprocess.run([str(QT6_PYTHON), "-c", "import PyQt6.QtCore"], capture_output=True).returncode == 0


@pytest.mark.skipif(
    not qt6_python_runs(), reason="no working .venv-qt6 (PyQt6 from pip) for this Python: `make lint` creates it"
)
def test_the_pyqt6_check_names_what_qt6_lacks(plugin, tmp_path):
    script = (
        "import sys; from pathlib import Path; from tests.qt6 import check; "
        f"check.PLUGIN = Path({str(plugin.parent)!r}); check.ROOT = Path({str(tmp_path)!r}); "
        "print('\\n'.join(check.check_pyqt6()))"
    )
    out = subprocess.run(
        [str(QT6_PYTHON), "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, env=dict(os.environ)
    ).stdout
    assert "QAction is not in PyQt6.QtWidgets" in out
    assert "exec_() -> exec()" in out
    assert "Qt.AlignLeft does not resolve in PyQt6" in out
    assert "AlignmentFlag.AlignTop" not in out  # the scoped name resolves
    assert sys.executable  # the QGIS 3 Python ran this test; PyQt6 ran the check
