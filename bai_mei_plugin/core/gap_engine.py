"""Gap engines: where the dark gaps are found, behind one interface.

An engine is built for one place the reports live (a file or layer loaded into memory, a PostGIS table, an archive
read by a Dask cluster) and finds the gaps of those reports for any criteria:

    found = engine.find_gaps(criteria, progress, is_canceled)  # a GapResult

The in-memory engine is here (``core.gaps.detect_gaps`` over loaded columns), and the bucketed one for a file too
big for memory (the same detection bucket by bucket, ``core.ais.buckets``); the PostGIS and Dask engines, which do
database and cluster I/O, live in ``bai_mei_plugin.engines``. The dock runs any of them through one task, and keeps
the engine to find the gaps again with other criteria; the Processing algorithms call them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from .ais.model import AisColumns, CleanResult
from .errors import BaiMeiError, Canceled
from .gaps import GapCriteria, GapResult, detect_gaps, drop_reasons
from .land import LandIndex

Progress = Optional[Callable[[float], None]]  # a fraction 0..1
IsCanceled = Optional[Callable[[], bool]]

# Where the reports live: in this process (read from a file or a layer), in a PostGIS table, in an archive.
LOADED, POSTGIS, ARCHIVE = "loaded", "postgis", "archive"


@dataclass(frozen=True)
class ReportsLocation:
    """Where a session's reports live, as a value: ``kind`` (LOADED, POSTGIS or ARCHIVE), ``name`` as the user sees
    it (the layer group is named after it) and ``source`` (the file, ``schema.table`` or the archive path)."""

    kind: str
    name: str
    source: str = ""

    @property
    def in_memory(self) -> bool:
        return self.kind == LOADED


class GapEngine(Protocol):
    """What every gap engine offers."""

    label: str  # the engine in a message: "found by PostGIS"
    location: ReportsLocation
    # The reports themselves when they are in this process (tracks can then be drawn); None when they stayed on a
    # server or in an archive (the dock then works from the two reports either side of each gap).
    columns: Optional[AisColumns]

    def find_gaps(self, criteria: GapCriteria, progress: Progress = None, is_canceled: IsCanceled = None) -> GapResult:
        """The gaps (and, for reports in memory, the tracks) under ``criteria``; raises BaiMeiError or Canceled."""
        ...


@dataclass(frozen=True)
class LandChoice:
    """The land the distances from shore are measured to: a land index the user gave (always used, so the gaps carry
    their distances), else the default land (``default``, loaded on demand) only when a minimum distance from shore
    needs it, since building it costs about a second."""

    given: Optional[LandIndex] = None
    default: Optional[Callable[[], LandIndex]] = None

    def for_criteria(self, criteria: GapCriteria) -> Optional[LandIndex]:
        if self.given is not None:
            return self.given
        if criteria.min_shore_nm > 0:
            if self.default is None:
                raise BaiMeiError("A minimum distance from shore needs a land layer.")
            return self.default()
        return None


class InMemoryGapEngine:
    """The gaps of reports already cleaned and held in this process (``core.gaps.detect_gaps``)."""

    label = "in memory"

    def __init__(self, reports: CleanResult, location: ReportsLocation, land: LandChoice = LandChoice()):
        self.reports = reports
        self.columns = reports.columns
        self.location = location
        self.land = land

    def find_gaps(self, criteria: GapCriteria, progress: Progress = None, is_canceled: IsCanceled = None) -> GapResult:
        land = self.land.for_criteria(criteria)
        found = detect_gaps(self.columns, criteria, land, is_canceled=is_canceled)
        if progress is not None:
            progress(1.0)
        return found


class BucketedGapEngine:
    """The gaps of a file too big for memory, found bucket by bucket (``core.ais.buckets``): each bucket holds every
    report of its vessels, so the gaps are the one-pass engine's, in the same order (MMSI, then time).

    Tracks are not built: a track is drawn from the rows of the reports, which stay on disk (as for the PostGIS and
    archive engines, ``columns`` is None and the dock works from the reports either side of each gap)."""

    label = "bucket by bucket on disk"
    columns = None

    def __init__(self, reports, location: ReportsLocation, land: LandChoice = LandChoice()):
        self.reports = reports  # a core.ais.buckets.BucketedReports; close() removes its folder
        self.location = location
        self.land = land

    def find_gaps(self, criteria: GapCriteria, progress: Progress = None, is_canceled: IsCanceled = None) -> GapResult:
        land = self.land.for_criteria(criteria)
        gaps, dropped = [], {}
        candidates = singles = 0
        total = max(1, self.reports.buckets_count)
        for k, columns in enumerate(self.reports.buckets()):
            if is_canceled and is_canceled():
                raise Canceled()
            found = detect_gaps(columns, criteria, land, is_canceled=is_canceled)
            for gap in found.gaps:
                gap.off_index = -1  # a row of this bucket, not of the whole file: no meaning outside
            gaps.extend(found.gaps)
            candidates += found.candidate_gaps
            singles += found.single_report_segments
            for reason, n in found.dropped.items():
                dropped[reason] = dropped.get(reason, 0) + n
            if progress is not None:
                progress((k + 1) / total)
        gaps.sort(key=lambda gap: gap.mmsi)  # stable: each vessel's gaps are already in time order
        order = list(drop_reasons(criteria).values())
        notes = [self.reports.reason, TRACKS_NOT_BUILT]
        return GapResult(
            gaps=gaps,
            tracks=[],
            candidate_gaps=candidates,
            single_report_segments=singles,
            notes=notes,
            dropped={reason: dropped[reason] for reason in order if dropped.get(reason)},
        )

    def close(self) -> None:
        self.reports.close()


TRACKS_NOT_BUILT = (
    "Tracks were not drawn: the reports were read bucket by bucket on disk because the file does not fit in memory "
    "(the gaps are complete)."
)
