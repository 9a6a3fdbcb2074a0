"""GDAL path-specific options for scenes that need a key or a token (``SceneAccess.options``).

The layer source holds only ``SceneAccess.gdal_path``; what GDAL needs besides (a SAS token, a key) is set with
``gdal.SetPathSpecificOption`` for ``options_prefix`` just before the layer is opened. Those options live in GDAL's
memory only: never in the project, the settings or the log. Signed access is renewed before it is used when it is
about to expire, and again while the layer stays on the map (:class:`AccessRenewer`); everything is cleared when
the plugin unloads (:func:`clear_access`).

LoadSceneTask calls :func:`apply_access` in its thread (renewing may ask the network), then opens
``QgsRasterLayer(access.gdal_path, ...)``.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Dict, List, Optional

from osgeo import gdal

from ..core.errors import BaiMeiError
from ..services.sources import SceneAccess

RENEW_MARGIN_S = 300.0  # renew a token this long before it expires: GDAL keeps reading tiles after the open

_applied: Dict[str, SceneAccess] = {}  # prefix -> the access whose options GDAL holds now
_lock = threading.Lock()


def expiring(access: SceneAccess, now: Optional[float] = None, margin: float = RENEW_MARGIN_S) -> bool:
    """Whether ``access`` is signed and expires within ``margin`` seconds."""
    if access.expires_at is None:
        return False
    return access.expires_at - margin <= (time.time() if now is None else now)


def fresh(access: SceneAccess, now: Optional[float] = None, margin: float = RENEW_MARGIN_S) -> SceneAccess:
    """``access``, or a renewed one when it is about to expire (this may ask the network: call it off the main
    thread)."""
    if not expiring(access, now, margin):
        return access
    if access.renew is None:
        raise BaiMeiError(
            f"The access to {access.name} expired and cannot be renewed; add the scene to the map again.",
        )
    return access.renew()


def apply_access(access: SceneAccess, now: Optional[float] = None, margin: float = RENEW_MARGIN_S) -> SceneAccess:
    """Renews ``access`` if needed and hands its options to GDAL for its prefix; returns the access in effect.
    Without options nothing is set (public assets)."""
    access = fresh(access, now, margin)
    if not access.options:
        return access
    if not access.options_prefix or not access.gdal_path.startswith(access.options_prefix):
        # options on a prefix the layer's path does not start with would be silently ignored by GDAL
        raise BaiMeiError(
            f"The options for {access.name} are for {access.options_prefix or 'no path'}, not for the path opened "
            f"({access.gdal_path}); this is a bug in Bai Mei."
        )
    with _lock:
        gdal.ClearPathSpecificOptions(access.options_prefix)
        for key, value in access.options:
            gdal.SetPathSpecificOption(access.options_prefix, key, value)
        _applied[access.options_prefix] = access
    return access


def applied() -> List[SceneAccess]:
    """The accesses whose options GDAL holds now."""
    with _lock:
        return list(_applied.values())


def clear_access(prefix: Optional[str] = None) -> None:
    """Removes the options of ``prefix`` (every prefix Bai Mei set when None: the plugin unloads)."""
    with _lock:
        prefixes = [prefix] if prefix is not None else list(_applied)
        for known in prefixes:
            gdal.ClearPathSpecificOptions(known)
            _applied.pop(known, None)


def renew_expiring(now: Optional[float] = None, margin: float = RENEW_MARGIN_S) -> List[str]:
    """Renews every applied access about to expire and sets its new options; the prefixes renewed. A failure
    leaves the old options (GDAL then reports the expired token when it reads) and is raised after the others."""
    renewed, failures = [], []
    for access in applied():
        if not expiring(access, now, margin):
            continue
        try:
            apply_access(access, now, margin)
            renewed.append(access.options_prefix)
        except BaiMeiError as exc:
            failures.append(exc)
    if failures:
        raise failures[0]
    return renewed


def renewal_timer(parent, on_renewed: Callable[[List[str]], None], interval_s: float = 60.0):
    """A started QTimer that runs :func:`renew_expiring` in a QgsTask every ``interval_s`` when some access is
    about to expire, then calls ``on_renewed(prefixes)`` on the main thread (e.g. to reload those layers, whose
    open datasets keep the old token)."""
    from qgis.core import QgsApplication, QgsTask  # the pure helpers above stay usable without QGIS
    from qgis.PyQt.QtCore import QTimer

    timer = QTimer(parent)
    timer.setInterval(int(interval_s * 1000))
    running: Dict[str, object] = {}

    def check():
        if running.get("task") is not None or not any(expiring(a) for a in applied()):
            return

        def finished(exception, result=None):
            running["task"] = None
            if exception is None and result:
                on_renewed(result)

        task = QgsTask.fromFunction(
            "Bai Mei: renewing scene access", lambda _task: renew_expiring(), on_finished=finished
        )
        running["task"] = task
        QgsApplication.taskManager().addTask(task)

    timer.timeout.connect(check)
    timer.start()
    return timer
