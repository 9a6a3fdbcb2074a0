"""The radar row's Settings… dialog: the algorithms' parameters with their defaults and ranges, kept in QgsSettings
and used by the next Detect vessels on a SYNTHETIC Sentinel-1-like scene (the fixtures of test_radar_panel)."""

import pytest
from qgis.core import Qgis, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QDialog, QDialogButtonBox

from bai_mei_plugin.core.sar_detect import CfarParams
from bai_mei_plugin.core.sar_match import MatchParams
from bai_mei_plugin.gui import radar_settings
from bai_mei_plugin.gui.dock import BaiMeiDock
from bai_mei_plugin.gui.radar_settings import (
    DEAD_RECKONING_MIN,
    LAND_BUFFER_M,
    MAX_DISTANCE_M,
    MIN_LENGTH_M,
    PFA,
    RadarSettingsDialog,
    radar_params,
)
from tests.qgis.test_analysis_page import run
from tests.qgis.test_dock import canvas, dock, load  # noqa: F401 (fixtures and the load helper of the dock tests)
from tests.qgis.test_radar_panel import detect as detect_on_page
from tests.qgis.test_radar_panel import radar_ais, scene_layer  # noqa: F401 (the synthetic scene and its AIS)

DEFAULTS = {PFA: 1e-7, LAND_BUFFER_M: 200.0, MIN_LENGTH_M: 30.0, MAX_DISTANCE_M: 2000.0, DEAD_RECKONING_MIN: 30.0}


@pytest.fixture
def clean_radar_settings():
    QgsSettings().remove("bai_mei/radar")
    yield
    QgsSettings().remove("bai_mei/radar")


def box(dialog, key):
    return dialog.boxes[key]


def set_values(dialog, values):
    for key, value in values.items():
        widget = box(dialog, key)
        if key == PFA:
            widget.setText(str(value))
        else:
            widget.setValue(value)


def press(dialog, which):
    dialog.buttons.button(which).click()


def through_the_button(page, act):
    """Clicks Settings… on ``page`` and runs ``act(dialog)`` on the dialog it opens; the dialog is closed whatever
    ``act`` does (a modal dialog left open would hang the test), and what ``act`` raised is raised here."""
    failures = []

    def run():
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, RadarSettingsDialog), f"no settings dialog open: {dialog!r}"
            act(dialog)
        except Exception as exc:  # noqa: BLE001 (re-raised below, outside the dialog's event loop)
            failures.append(exc)
        finally:
            if isinstance(dialog, QDialog) and dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, run)
    page.radarSettingsButton.click()
    if failures:
        raise failures[0]


def test_the_dialog_shows_the_algorithms_defaults_with_help(clean_radar_settings):
    dialog = RadarSettingsDialog()
    assert dialog.values() == pytest.approx(DEFAULTS)
    assert box(dialog, PFA).text() == "1e-07"
    # the defaults are the parameter classes' own
    assert radar_params() == (CfarParams(), MatchParams())
    for field in radar_settings.fields():
        assert "efault" in box(dialog, field.key).toolTip(), field.key


def test_out_of_range_input_is_refused_and_named(clean_radar_settings):
    dialog = RadarSettingsDialog()
    box(dialog, PFA).setText("0.5")
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.result() != QDialog.DialogCode.Accepted
    message = dialog.error.text()
    assert "False-alarm rate (PFA)" in message and "between 1e-12 and 0.001" in message and "found 0.5" in message
    box(dialog, PFA).setText("often")
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert "found nothing" in dialog.error.text()
    assert QgsSettings().value("bai_mei/radar/pfa") is None  # nothing kept
    # a box in metres does not take what is out of its range as it is typed
    length = box(dialog, MIN_LENGTH_M)
    length.selectAll()
    QTest.keyClicks(length, "9999")
    assert length.value() <= 400
    # a value edited by hand in the settings gives the default back
    QgsSettings().setValue("bai_mei/radar/max_distance_m", -5)
    assert radar_params()[1].max_distance_m == MatchParams().max_distance_m


def test_restore_defaults_puts_back_the_defaults_and_ok_keeps_them(clean_radar_settings):
    first = RadarSettingsDialog()
    set_values(first, {PFA: 1e-5, LAND_BUFFER_M: 500, MIN_LENGTH_M: 80, MAX_DISTANCE_M: 4000, DEAD_RECKONING_MIN: 90})
    press(first, QDialogButtonBox.StandardButton.Ok)
    assert radar_params()[0].pfa == pytest.approx(1e-5)
    second = RadarSettingsDialog()
    assert second.values()[MIN_LENGTH_M] == 80
    press(second, QDialogButtonBox.StandardButton.RestoreDefaults)
    assert second.values() == pytest.approx(DEFAULTS)
    assert radar_params()[0].min_length_m == 80  # Restore defaults alone keeps nothing
    press(second, QDialogButtonBox.StandardButton.Ok)
    assert radar_params() == (CfarParams(), MatchParams())


def test_values_persist_for_a_new_panel(dock, qtbot, qgis_iface, clean_radar_settings):  # noqa: F811
    page = dock.analysis.page

    def change(dialog):
        set_values(dialog, {PFA: "1e-9", MIN_LENGTH_M: 55, MAX_DISTANCE_M: 3500, DEAD_RECKONING_MIN: 45})
        press(dialog, QDialogButtonBox.StandardButton.Ok)

    through_the_button(page, change)
    other = BaiMeiDock(qgis_iface, project=QgsProject.instance())  # as after restarting QGIS
    qtbot.addWidget(other)  # closed and deleted with the test, as the dock fixture's
    try:
        cfar, matching = other.analysis.radar.params()
        assert cfar.pfa == pytest.approx(1e-9) and cfar.min_length_m == 55 and cfar.land_buffer_m == 200
        assert matching.max_distance_m == 3500 and matching.dead_reckoning_s == 45 * 60
        shown = []
        through_the_button(other.analysis.page, lambda d: shown.append(d.values()))
        assert shown[0][MIN_LENGTH_M] == 55 and shown[0][PFA] == pytest.approx(1e-9)
    finally:
        other.unload()


def test_cancel_keeps_nothing(dock, clean_radar_settings):  # noqa: F811
    def change_and_cancel(dialog):
        set_values(dialog, {MIN_LENGTH_M: 300})
        press(dialog, QDialogButtonBox.StandardButton.Cancel)

    through_the_button(dock.analysis.page, change_and_cancel)
    assert radar_params()[0].min_length_m == 30


def test_the_settings_reach_the_next_detect_vessels(
    dock,
    qtbot,
    qgis_iface,
    scene_layer,
    radar_ais,
    clean_radar_settings,  # noqa: F811
):
    page = dock.analysis.page
    through_the_button(page, lambda d: (set_values(d, {MIN_LENGTH_M: 400}), d.accept()))
    detect_on_page(dock, qtbot, qgis_iface, scene_layer, radar_ais)
    assert dock.session.extra["sar_detections"].featureCount() == 0  # both ships are shorter than 400 m
    assert page.analysisLabel.text().startswith("S1_TEST_RADAR_PANEL: 0 vessels on radar")

    # a false-alarm rate ten thousand times the default: the ships and at least one patch of clutter
    through_the_button(page, lambda d: (set_values(d, {MIN_LENGTH_M: 30, PFA: 1e-3, MAX_DISTANCE_M: 3000}), d.accept()))
    qgis_iface.messageBar().clear_messages()
    run(dock, qtbot, page.radarDetectButton)
    assert not qgis_iface.messageBar().get_messages(Qgis.Critical)
    assert dock.session.extra["sar_detections"].featureCount() > 2
    label = page.analysisLabel.text()
    assert "false-alarm rate 0.001" in label and "no AIS within 3,000 m" in label, label  # the status says what ran

    through_the_button(page, lambda d: (set_values(d, {PFA: 1e-7}), d.accept()))
    run(dock, qtbot, page.radarDetectButton)
    assert dock.session.extra["sar_detections"].featureCount() == 2  # the two ships, as with the defaults
    assert "false-alarm rate 1e-07" in page.analysisLabel.text()


def test_the_settings_button_sits_in_the_radar_row_without_adding_height(dock):  # noqa: F811
    page = dock.analysis.page
    dock.tabs.setCurrentWidget(page)
    button = page.radarSettingsButton
    assert button.isVisible() and button.text() == "Settings…"
    assert page.radarLayout.indexOf(button) == page.radarLayout.indexOf(page.radarDetectButton) + 1
    with_button = page.minimumSizeHint().height()
    button.hide()
    assert page.minimumSizeHint().height() == with_button
    button.show()
    QApplication.processEvents()
    for widget in (page.radarDetectButton, button, page.radarSightingButton):
        assert widget.width() >= widget.sizeHint().width(), widget.objectName()  # no text cut off at 420 px
