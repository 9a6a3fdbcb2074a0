"""The plausible time window is a QGIS setting that importais (and the dock, through the same function) honour."""

import processing
import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsSettings

from bai_mei_plugin.qgis_io.time_window import EARLIEST_KEY, FUTURE_KEY, plausible_time_window


@pytest.fixture
def clean_settings():
    QgsSettings().remove("bai_mei/plausible_times")
    yield QgsSettings()
    QgsSettings().remove("bai_mei/plausible_times")


class Log(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):
        self.lines.append(info)


def test_default_window_starts_in_1990(clean_settings):
    earliest, latest = plausible_time_window()
    assert earliest == 631152000  # 1990-01-01T00:00:00Z


def test_reports_before_the_configured_start_are_dropped_and_counted(provider, voyage_csv, clean_settings):
    clean_settings.setValue(EARLIEST_KEY, "2020-06-02")  # the fixture's reports are all on 2020-06-01
    log = Log()
    with pytest.raises(QgsProcessingException, match="No usable AIS reports"):
        processing.run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": "memory:"}, feedback=log)
    clean_settings.setValue(EARLIEST_KEY, "2020-05-31")
    result = processing.run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": "memory:"}, feedback=log)
    assert result["ROWS_KEPT"] == 50


def test_a_wrong_setting_is_named(clean_settings):
    clean_settings.setValue(EARLIEST_KEY, "nineteen ninety")
    with pytest.raises(Exception, match="bai_mei/plausible_times/earliest_date"):
        plausible_time_window()
    clean_settings.setValue(EARLIEST_KEY, "1990-01-01")
    clean_settings.setValue(FUTURE_KEY, "soon")
    with pytest.raises(Exception, match="future_slack_hours"):
        plausible_time_window()
