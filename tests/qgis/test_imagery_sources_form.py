"""The Imagery form builds itself from the sources registry: the source stored by id (an older version's label is
migrated), and a newly registered source shown with its own fields without any change to the form."""

import pytest
from qgis.core import QgsProject, QgsSettings

from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.gui.settings import Settings
from bai_mei_plugin.services import sources
from bai_mei_plugin.services.sources import FormFields, ImagerySource
from tests.qgis.test_dock import canvas  # noqa: F401 (fixture)


@pytest.fixture
def new_dock(qgis_iface, qgis_new_project, canvas, qtbot):  # noqa: F811
    """Builds the dock after the test has put what it wants into the settings."""
    made = []

    def make():
        widget = BaiMeiDock(qgis_iface, project=QgsProject.instance())
        qtbot.addWidget(widget)
        made.append(widget)
        return widget

    yield make
    for widget in made:
        widget.unload()


@pytest.fixture
def clean_settings():
    QgsSettings().remove("bai_mei")
    yield QgsSettings()
    QgsSettings().remove("bai_mei")


def test_a_stored_label_is_migrated_to_the_sources_id(clean_settings, new_dock):
    clean_settings.setValue("bai_mei/imagery/source", "Planet Data API")  # as versions before the registry did
    dock = new_dock()
    assert dock.imagerySourceCombo.currentText() == "Planet Data API"
    assert dock.imagerySourceCombo.currentData() == "planet" and dock.imagery.form.source == "planet"
    assert dock.imageryCollectionsLabel.text() == "Item types"
    assert dock.imageryCollectionsEdit.text() == "PSScene, SkySatCollect"
    assert QgsSettings().value("bai_mei/imagery/source") == "planet"


def test_an_unknown_stored_source_falls_back_to_the_bundled_catalogue(clean_settings):
    clean_settings.setValue("bai_mei/imagery/source", "Retired catalogue")
    assert Settings().imagery_source() == "static"  # the README's walkthrough searches it, offline
    assert QgsSettings().value("bai_mei/imagery/source") == "static"


def test_a_new_analyst_starts_on_the_bundled_catalogue(clean_settings, new_dock):
    dock = new_dock()
    assert dock.imagerySourceCombo.currentData() == "static"
    assert dock.imageryUrlCombo.currentText().endswith("bai_mei_8_synthetic.geojson")


def test_each_source_shows_its_own_fields(clean_settings, new_dock):
    dock = new_dock()
    combo = dock.imagerySourceCombo
    assert [combo.itemData(i) for i in range(combo.count())] == sources.ids()
    combo.setCurrentIndex(combo.findData("static"))
    assert not dock.imageryBrowseButton.isHidden() and not dock.imageryListButton.isEnabled()
    assert dock.imageryUrlCombo.currentText().endswith("bai_mei_8_synthetic.geojson")
    combo.setCurrentIndex(combo.findData("stac"))
    assert dock.imageryBrowseButton.isHidden() and dock.imageryListButton.isEnabled()
    assert dock.imageryCollectionsEdit.placeholderText() == "all (or e.g. sentinel-2-l2a)"
    assert dock.imageryUrlCombo.itemData(0, 3) == "Earth Search (Element 84) v1"  # 3: Qt.ToolTipRole


class Archive(ImagerySource):
    id, label, order, help = "archive_test", "Test archive", 999, "a test archive"
    fields = FormFields(
        addresses=lambda: [("https://archive.test/api", "The test archive")],
        collections_label="Missions",
        collections_default="alpha",
        collections_hint="all missions",
        known_collections=(("alpha", "Alpha mission"), ("beta", "Beta mission")),
        login_hint="A test login",
    )

    def searcher(self, url, credentials, transport, is_canceled, notes):
        raise AssertionError("not searched here")


def test_a_registered_source_appears_with_its_fields(clean_settings, new_dock, monkeypatch):
    monkeypatch.setitem(sources._SOURCES, "archive_test", Archive())
    dock = new_dock()
    combo = dock.imagerySourceCombo
    combo.setCurrentText("Test archive")
    assert combo.currentData() == "archive_test"
    assert dock.imageryUrlCombo.currentText() == "https://archive.test/api"
    assert dock.imageryCollectionsLabel.text() == "Missions" and dock.imageryCollectionsEdit.text() == "alpha"
    assert dock.imageryCollectionsEdit.placeholderText() == "all missions"
    assert dock.imageryAuthSelect.toolTip() == "A test login" and dock.imageryListButton.isEnabled()
    form = dock.imagery.form
    form.list_collections()  # known collections: offered at once, without a task
    assert form.list_task is None
    assert [a.data() for a in form.collections_menu.actions()] == ["alpha", "beta"]
    form.collections_menu.close()
    form.save()
    assert QgsSettings().value("bai_mei/imagery/source") == "archive_test"
