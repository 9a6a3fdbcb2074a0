"""Per-vessel summaries for the vessel list: reports, first and last seen, gaps and the longest gap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

from .ais.model import AisColumns
from .gaps import Gap, vessel_starts


@dataclass
class VesselSummary:
    mmsi: int
    name: Optional[str]
    reports: int
    first_seen: int
    last_seen: int
    gap_count: int
    longest_gap_hours: float


def summarise_vessels(cols: AisColumns, gaps: Sequence[Gap]) -> List[VesselSummary]:
    """One summary per MMSI of cleaned, MMSI/time-sorted columns, in MMSI order."""
    n = len(cols)
    if n == 0:
        return []
    first = np.flatnonzero(vessel_starts(cols.mmsi))
    last = np.append(first[1:], n) - 1
    gap_count: dict = {}
    longest: dict = {}
    for gap in gaps:
        gap_count[gap.mmsi] = gap_count.get(gap.mmsi, 0) + 1
        longest[gap.mmsi] = max(longest.get(gap.mmsi, 0.0), gap.gap_hours)
    has_name = np.flatnonzero(cols.vessel_name.codes >= 0)
    # the last known name of each vessel: the last named row at or before the vessel's last row
    named_row = np.full(len(last), -1)
    if len(has_name):
        pos = np.searchsorted(has_name, last, side="right") - 1
        named_row = np.where(pos >= 0, has_name[np.maximum(pos, 0)], -1)
    out = []
    for a, b, row in zip(first.tolist(), last.tolist(), named_row.tolist()):
        mmsi = int(cols.mmsi[a])
        name = cols.vessel_name.get(row) if a <= row <= b else None
        out.append(
            VesselSummary(
                mmsi=mmsi,
                name=name,
                reports=b - a + 1,
                first_seen=int(cols.t[a]),
                last_seen=int(cols.t[b]),
                gap_count=gap_count.get(mmsi, 0),
                longest_gap_hours=longest.get(mmsi, 0.0),
            )
        )
    return out
