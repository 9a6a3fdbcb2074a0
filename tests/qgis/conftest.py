"""QGIS fixtures: Processing initialised with the Bai Mei provider, a real layer tree view for pytest-qgis's fake
iface, and factory fixtures for AIS files."""

import pytest
from qgis.core import QgsApplication


@pytest.fixture(scope="session")
def _registered_provider(qgis_processing):
    """The Bai Mei provider registered once for the session (removed at its end)."""
    from bai_mei_plugin.processing.provider import BaiMeiProvider

    registry = QgsApplication.processingRegistry()
    added = registry.providerById("baimei") is None
    if added:
        registry.addProvider(BaiMeiProvider())
    yield
    current = registry.providerById("baimei")  # a test may have replaced it with the plugin's own
    if added and current is not None:
        registry.removeProvider(current)


@pytest.fixture
def provider(_registered_provider):
    """The provider registered now: looked up for each test, since a test that loads and unloads the plugin
    replaces the session's instance (and QGIS deletes the one it removes)."""
    from bai_mei_plugin.processing.provider import BaiMeiProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("baimei") is None:
        registry.addProvider(BaiMeiProvider())
    return registry.providerById("baimei")


@pytest.fixture(scope="session", autouse=True)
def real_layer_tree_view(qgis_iface):
    """Give pytest-qgis's fake iface a real ``QgsLayerTreeView`` of the project's layer tree.

    Its ``layerTreeView()`` is a MagicMock, which QGIS 3.44's Processing hands to the C++
    ``QgsProcessingGuiUtils.addResultLayers`` when an algorithm loads its outputs ("argument 3 has unexpected type
    'MagicMock'"); 3.22 never passes it on. Left alone when pytest-qgis one day provides a real view.
    """
    from unittest.mock import Mock

    from qgis.core import QgsLayerTreeModel, QgsProject
    from qgis.gui import QgsLayerTreeView

    if not isinstance(qgis_iface.layerTreeView(), Mock):
        yield None
        return
    model = QgsLayerTreeModel(QgsProject.instance().layerTreeRoot())  # the root outlives project.clear()
    view = QgsLayerTreeView()
    view.setModel(model)
    qgis_iface.layerTreeView = lambda: view  # an instance attribute: found before the class's __getattr__
    yield view
    del qgis_iface.layerTreeView  # the view and model go with this frame, while QGIS is still up


H = 3600


@pytest.fixture
def voyage_csv(write_file, mc_rows):
    """A MarineCadastre file: vessel 1 with a 10-hour gap, vessel 2 reporting steadily (no gap)."""
    rows = []
    for minute in range(0, 180, 10):
        rows.append(
            (
                367000001,
                f"2020-06-01T{minute // 60:02d}:{minute % 60:02d}:00",
                30.0 + minute / 1000,
                -90.0,
                10.0,
                90,
                "ONE",
                6.5,
            )
        )
    for minute in range(0, 120, 10):
        rows.append(
            (
                367000001,
                f"2020-06-01T{13 + minute // 60:02d}:{minute % 60:02d}:00",
                31.0,
                -89.0 + minute / 1000,
                10.0,
                90,
                "ONE",
                11.0,
            )
        )
    for minute in range(0, 300, 15):
        rows.append(
            (367000002, f"2020-06-01T{minute // 60:02d}:{minute % 60:02d}:00", 29.0, -88.0, 5.0, 511, "TWO", "")
        )
    rows.sort(key=lambda r: r[1])
    return write_file("voyage.csv", mc_rows(rows))


@pytest.fixture(scope="session", autouse=True)
def free_leftover_layers(qgis_app):
    """Delete map layers Python still holds at the end of the session, while QGIS is up.

    A layer whose last reference goes only at the interpreter's exit is destroyed after GDAL and QGIS have shut
    down, which crashes QGIS 3.22 (an OGR layer closes its dataset through a dead driver). Some are held by
    Processing's internals after an algorithm has run, out of the tests' reach.
    """
    yield
    import gc
    import time

    from qgis.core import QgsApplication, QgsMapLayer, QgsProject
    from qgis.PyQt import sip

    # A background task still running Python when QGIS exits crashes the interpreter (a dock's scoring started by
    # the last test): cancel them all and wait for their threads to end while QGIS is up.
    manager = QgsApplication.taskManager()
    manager.cancelAll()
    deadline = time.monotonic() + 60
    while manager.countActiveTasks() and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.05)

    QgsProject.instance().removeAllMapLayers()
    gc.collect()
    for obj in gc.get_objects():
        if isinstance(obj, QgsMapLayer) and not sip.isdeleted(obj) and sip.ispyowned(obj):
            sip.delete(obj)
