"""Parse time strings into epoch seconds (UTC), one unique string at a time.

AIS files repeat the same timestamp on many rows (every vessel reporting in the same second), so readers parse
the distinct strings and map them back with an index: cheap even on millions of rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Callable, Optional, Sequence

import numpy as np

from .formats import TIME_ISO, TIME_UNIX, TIME_UNIX_MS
from .model import MISSING_TIME

# Unix times beyond this many seconds (about 30 million years) are not times: refused before they overflow int64.
UNIX_LIMIT = 1e15


def make_parser(time_format: str) -> Callable[[str], Optional[int]]:
    """A function from one time string to epoch seconds, or ``None`` when it does not parse."""
    if time_format == TIME_ISO:

        def parse(text: str) -> Optional[int]:
            text = text.strip()
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            try:
                value = dt.datetime.fromisoformat(text)
            except ValueError:
                return None
            if value.tzinfo is None:
                return calendar.timegm(value.timetuple())
            return int(value.timestamp())

        return parse
    if time_format in (TIME_UNIX, TIME_UNIX_MS):
        scale = 1000.0 if time_format == TIME_UNIX_MS else 1.0

        def parse_unix(text: str) -> Optional[int]:
            try:
                value = float(text)
            except ValueError:
                return None
            seconds = value / scale
            return int(seconds // 1) if np.isfinite(seconds) and abs(seconds) < UNIX_LIMIT else None

        return parse_unix

    def parse_pattern(text: str) -> Optional[int]:
        try:
            value = dt.datetime.strptime(text.strip(), time_format)
        except ValueError:
            return None
        if value.tzinfo is not None:
            return int(value.timestamp())
        return calendar.timegm(value.timetuple())

    return parse_pattern


def parse_unique(values: Sequence[Optional[str]], time_format: str) -> np.ndarray:
    """Epoch seconds for each of ``values`` (distinct strings); MISSING_TIME where absent or unparseable."""
    parse = make_parser(time_format)
    out = np.full(len(values), MISSING_TIME, dtype=np.int64)
    for i, text in enumerate(values):
        if text:
            seconds = parse(text)
            if seconds is not None:
                out[i] = seconds
    return out
