"""The message for a MemoryError: what ran out of memory and what to try instead, never a bare traceback."""

from __future__ import annotations

from .errors import BaiMeiError

DEFAULT_HINT = (
    "a shorter period or a smaller area of the data, or, for a large file, the Processing algorithms "
    "under Bai Mei > Large archives, which do not hold it all in memory"
)


def not_enough_memory(what: str, hint: str = DEFAULT_HINT) -> BaiMeiError:
    """A BaiMeiError saying that ``what`` ran out of memory and suggesting ``hint``."""
    return BaiMeiError(
        f"Not enough memory for {what}: try {hint}.", "Python raised MemoryError; what had been computed was discarded."
    )
