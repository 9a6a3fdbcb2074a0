"""Background tasks for the dock's Imagery page: search footprints, list a source's collections, open a scene.

The network part runs in a helper thread and the task waits for it in short steps: Cancel ends the task at once.
The helper is told to stop too: the transport's watchdog sees it and shuts the connection down, so the transfer
itself ends (within about a tenth of a second) rather than trickling on in the background. Results are plain records
and memory layers moved to the main thread; ``finished()`` hands them over.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer

from ..core.errors import BaiMeiError, Canceled
from ..core.footprints import Footprint
from ..qgis_io.case_workspace import remembered_case
from ..qgis_io.footprints import footprint_features, footprint_fields
from ..qgis_io.network import credentials_for, qgis_transport
from ..qgis_io.scenes import open_scene
from ..services import sources
from ..services.search import FoundFootprint, SearchArea, search_areas
from ..services.transport import same_origin
from .ais_tasks import BaiMeiTask, memory_layer

FOOTPRINTS_LAYER_NAME = "imagery footprints"
POLL_S = 0.05
STOP_JOIN_S = 0.5  # how long Cancel waits for the helper to end its transfer (the transport cuts it in ~0.1 s)


@dataclass
class FootprintSearch:
    """One search from the Imagery page, as ``search_areas`` takes it (the source and the auth config by id)."""

    source: str  # the source's id (see services.sources)
    url: str
    areas: Sequence[SearchArea]
    collections: Sequence[str] = ()
    max_cloud: Optional[float] = None
    max_items: int = 500
    authcfg: str = ""
    # the origin of the source's previews address (Planet's tiles host), where the login also goes for a preview;
    # "" for a source without one
    previews_url: str = ""


@dataclass
class FootprintResult:
    found: List[FoundFootprint]
    summary: Dict
    layer: Optional[QgsVectorLayer] = None
    fids: List[int] = field(default_factory=list)  # the layer's feature id of each record, in the same order


def wait_for(work: Callable, is_canceled: Callable[[], bool], progress: Optional[Callable[[float], None]] = None):
    """``work(stopped, report)`` run in a helper thread; its result, or its exception, or Canceled as soon as
    ``is_canceled()`` is true (within ``POLL_S``), leaving the helper to end on its own.

    The helper never touches the task: it is told to stop through ``stopped()`` and reports its progress (0-1)
    through ``report(fraction)``, which the waiting thread passes on to ``progress``.
    """
    stop = threading.Event()
    outcome: Dict = {}
    reported = [None]

    def target():
        try:
            outcome["result"] = work(stop.is_set, lambda fraction: reported.__setitem__(0, fraction))
        except BaseException as exc:  # handed to the waiting task below
            outcome["error"] = exc

    helper = threading.Thread(target=target, name="bai-mei-network", daemon=True)
    helper.start()
    shown = None
    while True:
        if is_canceled():
            stop.set()
            helper.join(STOP_JOIN_S)
            raise Canceled()
        if progress is not None and reported[0] is not None and reported[0] != shown:
            shown = reported[0]
            progress(shown)
        if not helper.is_alive():
            break
        helper.join(POLL_S)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


class SearchFootprintsTask(BaiMeiTask):
    """``search_areas`` for the page's query, and the results as a memory layer of footprints."""

    def __init__(self, search: FootprintSearch, on_done: Callable):
        super().__init__(f"Bai Mei: imagery search ({sources.get(search.source).label})", on_done)
        self.search = search

    def work(self) -> FootprintResult:
        s = self.search
        credentials = credentials_for(s.authcfg)

        def run(stopped, report):
            return search_areas(
                s.source,
                s.url,
                s.areas,
                s.collections,
                s.max_cloud,
                s.max_items,
                credentials,
                qgis_transport(),
                report,
                stopped,
            )

        found, summary = wait_for(run, self.is_canceled, lambda f: self.progress(f, 0, 90))
        result = FootprintResult(found, summary)
        if found:
            fields = footprint_fields()
            result.layer = memory_layer(
                "MultiPolygon", FOOTPRINTS_LAYER_NAME, fields, footprint_features(found, fields)
            )
            result.fids = [feature.id() for feature in result.layer.getFeatures()]
            if len(result.fids) != len(found):
                raise BaiMeiError(f"{len(found) - len(result.fids)} footprints could not be stored in the layer.")
            self._to_main_thread(result.layer)
        self.setProgress(100)
        return result


class ListCollectionsTask(BaiMeiTask):
    """(id, title) of every collection the source (by id) offers at ``url``."""

    def __init__(self, source_id: str, url: str, authcfg: str, on_done: Callable):
        self.source = sources.get(source_id)
        super().__init__(f"Bai Mei: {self.source.label} collections", on_done)
        self.url = url
        self.authcfg = authcfg

    def work(self) -> List[Tuple[str, str]]:
        credentials = credentials_for(self.authcfg)
        transport = qgis_transport()
        return wait_for(
            lambda stopped, _report: self.source.collections(self.url, credentials, transport, stopped),
            self.is_canceled,
        )


@dataclass
class SceneRequest:
    source: str  # the source's id (see services.sources)
    footprint: Footprint
    authcfg: str = ""
    auth_origin: str = ""  # the search's address: the credentials go to its origin only (none when empty)
    asset_key: str = ""  # "" for the source's choice (the visual image)
    folder: str = ""  # where a downloaded asset is kept ("" for scene_folder(): the case's, else the profile's)

    @property
    def name(self) -> str:
        return self.footprint.item_id


def scene_folder(project) -> str:
    """Where scenes that must be downloaded are kept: beside the case GeoPackage the project remembers
    (``<case>_scenes``), else ``bai_mei_scenes`` in the QGIS profile (kept across sessions: Planet counts
    downloads, so a scene is fetched once)."""
    case = remembered_case(project)
    if case:
        return os.path.join(os.path.dirname(case), os.path.splitext(os.path.basename(case))[0] + "_scenes")
    return os.path.join(QgsApplication.qgisSettingsDirPath(), "bai_mei_scenes")


class LoadSceneTask(BaiMeiTask):
    """Asks the source how GDAL opens the scene's asset (``scene_access``: a STAC record's visual asset, a static
    catalogue's local or remote file, an activated or signed asset) and opens it as a raster layer."""

    def __init__(self, request: SceneRequest, on_done: Callable):
        super().__init__(f"Bai Mei: opening {request.name}", on_done)
        self.request = request
        self.folder = request.folder or scene_folder(QgsProject.instance())  # read here, on the main thread
        self.access = None

    def work(self) -> QgsRasterLayer:
        request = self.request
        source = sources.get(request.source)
        # the credentials only when the record is on the search's own origin (never to an asset host elsewhere)
        on_origin = request.auth_origin and same_origin(request.footprint.self_url, request.auth_origin)
        credentials = credentials_for(request.authcfg) if on_origin else None
        transport = qgis_transport(retries=1)
        self.access = wait_for(
            lambda stopped, report: source.scene_access(
                request.footprint, request.asset_key, credentials, transport, stopped, report, folder=self.folder
            ),
            self.is_canceled,
            lambda f: self.progress(f, 0, 80),
        )
        # Opened here, in the task's thread, so that the layer can be handed to the main thread.
        layer = open_scene(self.access)
        if self.isCanceled():
            raise Canceled()
        self._to_main_thread(layer)
        self.setProgress(100)
        return layer
