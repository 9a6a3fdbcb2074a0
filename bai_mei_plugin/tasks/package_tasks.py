"""Installing an optional package (core.optional_packages) in the background: pip from QGIS's own Python into a
``.partial`` folder, whose contents are moved into the plugin's package folder only when pip succeeded; Cancel
stops pip. Nothing else on the machine changes."""

from __future__ import annotations

import os
import shutil

# subprocess runs pip with a fixed argument list and no shell (InstallPackageTask)
import subprocess  # nosec B404
import time
from typing import Callable, List, Optional, Sequence

from ..core.errors import BaiMeiError, Canceled
from ..core.optional_packages import OptionalPackage, add_to_path, pip_command, pip_failure, requirement
from .ais_tasks import BaiMeiTask


def numpy_version() -> Optional[str]:
    try:
        import numpy

        return numpy.__version__
    except ImportError:
        return None


def merge_into(partial: str, target: str) -> None:
    """Moves what pip put in ``partial`` into ``target``, replacing older copies of the same entries."""
    os.makedirs(target, exist_ok=True)
    for entry in os.listdir(partial):
        source, destination = os.path.join(partial, entry), os.path.join(target, entry)
        if os.path.isdir(destination) and not os.path.islink(destination):
            shutil.rmtree(destination)
        elif os.path.lexists(destination):
            os.remove(destination)
        os.replace(source, destination)
    shutil.rmtree(partial, ignore_errors=True)


class InstallPackageTask(BaiMeiTask):
    """pip install of ``package`` into ``target`` with ``python``; the result is ``target`` (already on sys.path)."""

    POLL_S = 0.2

    def __init__(
        self,
        package: OptionalPackage,
        python: str,
        target: str,
        on_done: Callable,
        extra: Sequence[str] = (),
        hold_numpy: bool = True,
    ):
        """``extra``: pip's index options; ``hold_numpy``: pin numpy to the installed version (off only for a
        local index that has no numpy, in the tests)."""
        super().__init__(f"Bai Mei: installing {package.name}", on_done)
        self.package, self.python, self.target, self.extra = package, python, target, tuple(extra)
        self.hold_numpy = hold_numpy
        self.output: List[str] = []

    def work(self) -> str:
        if not self.python:
            raise BaiMeiError(
                f"{self.package.name} cannot be installed from QGIS here: no Python interpreter was found beside "
                f"QGIS's Python. Install it with your system's package manager instead. "
                f"Without it: {self.package.without}."
            )
        partial = self.target + ".partial"
        shutil.rmtree(partial, ignore_errors=True)  # a run that was killed left it
        numpy = numpy_version()
        held = numpy if self.hold_numpy else None
        command = pip_command(self.python, partial, requirement(self.package, numpy), held, self.extra)
        log = self._run(command)
        if self.isCanceled():
            shutil.rmtree(partial, ignore_errors=True)
            raise Canceled()
        if log[0] != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise BaiMeiError(pip_failure(log[1], self.package), log[1][-4000:])
        merge_into(partial, self.target)
        add_to_path(self.target)
        return self.target

    def _run(self, command: List[str]):
        """pip's exit code and output; pip is killed when the task is canceled."""
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
        # a fixed argument list without a shell; the package names are the plugin's own
        process = subprocess.Popen(  # nosec B603
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, errors="replace"
        )
        started = time.monotonic()
        while process.poll() is None:
            if self.isCanceled():
                process.kill()
                process.wait()
                return process.returncode, ""
            # pip gives no machine-readable progress: an estimate that creeps towards 90 % over two minutes
            self.setProgress(min(90.0, (time.monotonic() - started) / 120.0 * 90.0))
            time.sleep(self.POLL_S)
        output = process.stdout.read() if process.stdout else ""
        return process.returncode, output
