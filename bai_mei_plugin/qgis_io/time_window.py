"""The plausible time window for AIS reports, from QGIS's settings, so the dock and Processing drop the same rows.

A report dated 0001-01-01 or 9999-12-31 (a receiver's default, a typo) would make a gap of millions of hours; the
readers drop reports outside the window and count them. The window is a setting an analyst can change in
Settings ▸ Options ▸ Advanced under ``bai_mei/plausible_times`` (for archives of the 1980s, say).
"""

from __future__ import annotations

import calendar
import time
from datetime import date
from typing import Tuple

from qgis.core import QgsSettings

from ..core.ais.clean import EARLIEST_TIME, FUTURE_SLACK_S
from ..core.errors import BaiMeiError

EARLIEST_KEY = "bai_mei/plausible_times/earliest_date"  # an ISO date, e.g. 1990-01-01
FUTURE_KEY = "bai_mei/plausible_times/future_slack_hours"  # how far past now a report may be dated
DEFAULT_EARLIEST = time.strftime("%Y-%m-%d", time.gmtime(EARLIEST_TIME))


def plausible_time_window() -> Tuple[int, int]:
    """(earliest, latest) epoch seconds from the settings; the defaults are 1990-01-01 and now + 24 hours."""
    settings = QgsSettings()
    earliest_text = str(settings.value(EARLIEST_KEY, DEFAULT_EARLIEST) or DEFAULT_EARLIEST).strip()
    slack_text = str(settings.value(FUTURE_KEY, FUTURE_SLACK_S / 3600) or 0).strip()
    try:
        earliest = calendar.timegm(date.fromisoformat(earliest_text).timetuple())
    except ValueError:
        raise BaiMeiError(
            f"The setting {EARLIEST_KEY} is '{earliest_text}', not a date like 1990-01-01: correct it "
            "in Settings ▸ Options ▸ Advanced."
        ) from None
    try:
        slack_hours = float(slack_text)
    except ValueError:
        raise BaiMeiError(
            f"The setting {FUTURE_KEY} is '{slack_text}', not a number of hours: correct it in "
            "Settings ▸ Options ▸ Advanced."
        ) from None
    return earliest, int(time.time() + max(0.0, slack_hours) * 3600)
