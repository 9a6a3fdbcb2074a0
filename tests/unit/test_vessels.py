"""Vessel summaries for the dock's vessel list."""

from bai_mei_plugin.core.gaps import GapCriteria, detect_gaps
from bai_mei_plugin.core.vessels import summarise_vessels
from tests.unit.test_gaps import H, cleaned


def test_summaries_count_reports_gaps_and_names():
    cols = cleaned([2, 1, 1, 1, 3], [5, 0, 10 * H, 11 * H, 7], vessel_name=[None, "ONE", None, "ONE B", None])
    result = detect_gaps(cols, GapCriteria(min_gap_hours=6))
    summary = {s.mmsi: s for s in summarise_vessels(cols, result.gaps)}
    assert [s for s in summary] == [1, 2, 3]
    one = summary[1]
    assert (one.name, one.reports, one.first_seen, one.last_seen) == ("ONE B", 3, 0, 11 * H)
    assert one.gap_count == 1 and one.longest_gap_hours == 10.0
    assert summary[2].name is None and summary[2].gap_count == 0 and summary[2].longest_gap_hours == 0.0
    assert summarise_vessels(cleaned([], []), []) == []
