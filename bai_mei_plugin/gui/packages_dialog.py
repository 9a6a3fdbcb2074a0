"""Bai Mei ▸ Optional speed-ups…: each optional package, what it would speed up, whether it is there, and an Install
button that runs pip from QGIS's own Python in the background (tasks.package_tasks) into the plugin's folder."""

from __future__ import annotations

from typing import Dict, Optional, Sequence

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from ..core.optional_packages import PACKAGES, OptionalPackage, is_installed, packages_dir, python_executable
from ..qgis_io.i18n import tr
from ..tasks.package_tasks import InstallPackageTask
from .task_runner import TaskRunner


def plugin_packages_dir() -> str:
    """The plugin's package folder in the active QGIS profile (QGIS adds nothing there by itself)."""
    return packages_dir(QgsApplication.qgisSettingsDirPath())


class PackagesDialog(QDialog):
    """One row per optional package: what it enables, installed or not, Install."""

    def __init__(self, iface, parent=None, extra_pip_args: Sequence[str] = (), hold_numpy: bool = True):
        super().__init__(parent)
        self.iface = iface
        # index options and numpy's pin (tasks.package_tasks): the tests install from a local folder without numpy
        self.extra, self.hold_numpy = tuple(extra_pip_args), hold_numpy
        self.setWindowTitle(tr("Bai Mei — optional speed-ups"))
        self.setObjectName("baimeiPackagesDialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "Bai Mei works without these packages. Each one speeds something up or adds a format. Install puts "
                "it into a folder of your QGIS profile ({folder}), with pip from QGIS's own Python; nothing else on "
                "the computer changes, and deleting that folder undoes it. It needs the internet."
            ).format(folder=plugin_packages_dir())
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        self.status: Dict[str, QLabel] = {}
        self.buttons: Dict[str, QPushButton] = {}
        for row, package in enumerate(PACKAGES):
            what = QLabel(tr("<b>{name}</b>: {enables}.").format(name=package.name, enables=package.enables))
            what.setWordWrap(True)
            what.setToolTip(tr("Without it: {without}.").format(without=package.without))
            status = QLabel()
            button = QPushButton(tr("Install"))
            button.setObjectName(f"install_{package.name}")
            button.clicked.connect(lambda _checked=False, p=package: self.install(p))
            grid.addWidget(what, row, 0)
            grid.addWidget(status, row, 1)
            grid.addWidget(button, row, 2)
            self.status[package.name], self.buttons[package.name] = status, button
        grid.setColumnStretch(0, 1)
        layout.addLayout(grid)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        layout.addWidget(self.progress)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.runner = TaskRunner(
            iface,
            self.on_installed,
            controls=tuple(self.buttons.values()),
            cancel_button=self.cancel_button,
            progress=self.progress,
            hide_progress=True,
            cancelled=lambda task: tr("Installing {name} cancelled; nothing was changed.").format(
                name=task.package.name
            ),
            on_failed=lambda _task, _error: self.refresh(),
            error_level=Qgis.MessageLevel.Warning,
        )
        self.refresh()
        self.resize(640, self.sizeHint().height())

    def refresh(self) -> None:
        for package in PACKAGES:
            there = is_installed(package)
            self.status[package.name].setText(tr("installed") if there else tr("not installed"))
            self.buttons[package.name].setEnabled(not there and not self.runner.busy)

    def install(self, package: OptionalPackage, python: Optional[str] = None) -> None:
        python = python_executable() if python is None else python
        task = InstallPackageTask(package, python, plugin_packages_dir(), None, self.extra, self.hold_numpy)
        self.runner.run(task)

    def on_installed(self, task) -> None:
        self.refresh()
        usable = is_installed(task.package)
        self.iface.messageBar().pushMessage(
            "Bai Mei",
            (
                tr("{name} installed into {folder}; it is used from now on.")
                if usable
                else tr("{name} installed into {folder}; restart QGIS to use it.")
            ).format(name=task.package.name, folder=task.result),
            Qgis.MessageLevel.Success if usable else Qgis.MessageLevel.Info,
            8,
        )

    def done(self, result: int) -> None:  # closing the dialog stops a running install
        self.runner.cancel()
        super().done(result)
