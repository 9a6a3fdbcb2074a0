"""Time formats: naming them (strptime or Qt-style patterns), guessing them from sample values, and parsing time
strings into epoch seconds (UTC), one unique string at a time.

AIS files repeat the same timestamp on many rows (every vessel reporting in the same second), so readers parse
the distinct strings and map them back with an index: cheap even on millions of rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import BaiMeiError
from .model import MISSING_TIME

TIME_ISO = "iso"
TIME_UNIX = "unix"
TIME_UNIX_MS = "unix_ms"
TIME_DAY_FIRST = "%d/%m/%Y %H:%M:%S"
TIME_MONTH_FIRST = "%m/%d/%Y %H:%M:%S"
TIME_DAY_FIRST_MINUTES = "%d/%m/%Y %H:%M"
TIME_COMPACT = "%Y%m%d_%H%M%S"
# The formats the dock offers (any strptime or Qt-style pattern can be typed too).
TIME_FORMATS = {
    TIME_ISO: "ISO 8601 (2017-06-19T04:30:00, +02:00 or Z)",
    TIME_UNIX: "Unix seconds",
    TIME_UNIX_MS: "Unix milliseconds",
    TIME_DAY_FIRST: "Day first (19/06/2017 04:30:00)",
    TIME_DAY_FIRST_MINUTES: "Day first, minutes (19/06/2017 04:30)",
    TIME_MONTH_FIRST: "Month first (06/19/2017 04:30:00)",
    TIME_COMPACT: "Compact (20170619_043000)",
}
ALIASES = {
    "iso": TIME_ISO,
    "iso8601": TIME_ISO,
    "unix": TIME_UNIX,
    "unixs": TIME_UNIX,
    "unixseconds": TIME_UNIX,
    "epoch": TIME_UNIX,
    "unixms": TIME_UNIX_MS,
    "unixmilliseconds": TIME_UNIX_MS,
    "epochms": TIME_UNIX_MS,
}
HOW_TO_SET = (
    "Set the time format: in the dock's column form (Time format), or TIME_FORMAT in baimei:importais, as iso, "
    "unix, unix_ms, a strptime pattern (%d/%m/%Y %H:%M) or a Qt pattern (dd/MM/yyyy hh:mm)"
)

# Unix times beyond this many seconds (about 30 million years) are not times: refused before they overflow int64.
UNIX_LIMIT = 1e15

_ISO = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$"
)
_UNIX = re.compile(r"^\d{9,13}(\.\d+)?$")

# Qt date-time pattern letters (QDateTime::toString) and their strptime equivalents, longest run first.
_QT_TOKENS = (
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("M", "%m"),
    ("dddd", "%A"),
    ("ddd", "%a"),
    ("dd", "%d"),
    ("d", "%d"),
    ("HH", "%H"),
    ("H", "%H"),
    ("hh", "%H"),
    ("h", "%H"),
    ("mm", "%M"),
    ("m", "%M"),
    ("ss", "%S"),
    ("s", "%S"),
    ("zzz", "%f"),
    ("z", "%f"),
    ("AP", "%p"),
    ("ap", "%p"),
    ("A", "%p"),
    ("a", "%p"),
    ("t", "%Z"),
)
_QT_LETTERS = set("yMdHhmszAapt")

# Candidate patterns for values that are neither ISO nor unix, tried in order; the first that reads every sample
# wins. Day-first comes before month-first: a day above 12 rules month-first out, and when every value fits both
# the guess is marked unsure.
_DATES = ("%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y", "%m/%d/%y")
_CLOCKS = (" %H:%M:%S", " %H:%M", " %H:%M:%S.%f", "", " %I:%M:%S %p", " %I:%M %p", "T%H:%M:%S", "T%H:%M")
_COMPACT = (
    "%Y%m%d_%H%M%S",
    "%Y%m%dT%H%M%SZ",
    "%Y%m%dT%H%M%S",
    "%Y%m%d%H%M%S",
    "%Y%m%d %H%M%S",
    "%Y%m%d_%H%M",
    "%Y%m%d%H%M",
)
CANDIDATES = tuple(d + c for d in _DATES for c in _CLOCKS) + _COMPACT


def qt_to_strptime(pattern: str) -> Optional[str]:
    """A Qt-style pattern (``dd/MM/yyyy hh:mm``) as strptime (``%d/%m/%Y %H:%M``); None if it has no Qt field or
    letters that are not one. Text in single quotes is literal, as in Qt."""
    out, i, fields = [], 0, 0
    twelve_hour = "AP" in pattern or "ap" in pattern
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            end = pattern.find("'", i + 1)
            end = len(pattern) if end < 0 else end
            out.append(pattern[i + 1 : end].replace("%", "%%") or "'")
            i = end + 1
            continue
        if c in _QT_LETTERS:
            for token, code in _QT_TOKENS:
                if pattern.startswith(token, i):
                    out.append("%I" if twelve_hour and code == "%H" else code)
                    i += len(token)
                    fields += 1
                    break
            continue
        if c.isalpha() and c not in "TZ":  # not a Qt field: "tomorrow" is not a pattern (T and Z as in ISO are)
            return None
        out.append("%%" if c == "%" else c)
        i += 1
    return "".join(out) if fields else None


def time_pattern(text: str) -> str:
    """The time format named by ``text``: iso, unix, unix_ms (and their aliases), a strptime pattern, or a
    Qt-style pattern converted to strptime. BaiMeiError naming what is accepted when it is none of these."""
    text = (text or "").strip()
    alias = ALIASES.get(re.sub(r"[^a-z0-9]", "", text.lower()))
    if alias:
        return alias
    if "%" in text:
        try:
            dt.datetime(2021, 7, 1, 18, 51, 51).strftime(text)
        except ValueError as exc:
            raise BaiMeiError(
                f"The time format {text!r} is not a valid strptime pattern ({exc}). {HOW_TO_SET}."
            ) from None
        return text
    converted = qt_to_strptime(text)
    if converted is None:
        raise BaiMeiError(f"The time format {text!r} is not one Bai Mei knows. {HOW_TO_SET}.")
    return converted


def describe(time_format: str) -> str:
    """Words for a time format in messages: its label, or the pattern with an example of what it reads."""
    if time_format in (TIME_ISO, TIME_UNIX, TIME_UNIX_MS):
        return TIME_FORMATS[time_format]
    try:
        sample = dt.datetime(2021, 3, 20, 18, 51, 51).strftime(time_format)
    except ValueError:
        return time_format
    return f"{time_format} (e.g. {sample})"


def _reads_all(pattern: str, samples: Sequence[str]) -> bool:
    parse = make_parser(pattern)
    return all(parse(s) is not None for s in samples)


def guess(samples: Sequence[str]) -> Tuple[Optional[str], bool]:
    """(format, sure) for sample time strings: ISO (offsets, Z), unix seconds or milliseconds, day- or month-first
    dates to the minute or second, compact forms (20210701_185151). ``sure`` is False when the values fit both
    day-first and month-first (the day-first pattern is returned) or fit nothing (None)."""
    samples = [s.strip() for s in samples if s and s.strip()]
    if not samples:
        return None, False
    if all(_ISO.match(s) for s in samples) and _reads_all(TIME_ISO, samples):
        return TIME_ISO, True
    if all(_UNIX.match(s) for s in samples):
        return (TIME_UNIX_MS if float(samples[0]) > 1e11 else TIME_UNIX), True
    fits: List[str] = [p for p in CANDIDATES if _reads_all(p, samples)]
    if not fits:
        return None, False
    first = fits[0]
    swapped = first.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m")
    return first, swapped == first or swapped not in fits


def guess_time_format(samples: Sequence[str]) -> Optional[str]:
    """The format of ``samples`` when the values prove it; ``None`` if unsure (see ``guess``)."""
    found, sure = guess(samples)
    return found if sure else None


def _parse_iso(text: str) -> Optional[int]:
    match = _ISO.match(text.strip())
    if not match:
        return None
    date, clock, fraction, zone = match.groups()
    text = date + (f"T{clock}" if clock else "") + (f".{fraction[:6].ljust(6, '0')}" if fraction else "")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = 0
    if zone and zone not in ("Z", "z", "UTC", "GMT"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    return calendar.timegm(value.timetuple()) - offset


def make_parser(time_format: str) -> Callable[[str], Optional[int]]:
    """A function from one time string to epoch seconds, or ``None`` when it does not parse."""
    if time_format == TIME_ISO:
        return _parse_iso
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


def all_times_failed(name: str, column: str, time_format: str, row: int, value, count: int) -> BaiMeiError:
    """The message when no time of a file could be read: the format tried, the first value and how to set it."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    found, sure = guess([text])
    hint = f" The value looks like {describe(found)}." if found and found != time_format else ""
    return BaiMeiError(
        f"None of the {count:,} times in column {column!r} of {name} could be read with the time format "
        f"{describe(time_format)}: row {row:,} holds {text[:40]!r}.{hint} {HOW_TO_SET}.",
        f"time format {time_format!r}, first value {text[:80]!r}",
    )
