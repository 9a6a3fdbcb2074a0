"""baimei:detectgapsarchive: the Dask engine through Processing gives the gaps of the in-process engine."""

import processing
import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback

dask_tests = pytest.importorskip(
    "tests.unit.test_dask_gaps", reason="the Dask engine needs dask[distributed], pandas and pyarrow"
)


def test_archive_gaps_match_the_in_process_engine(provider, tmp_path):
    data = dask_tests.make_reports()
    folder, order = dask_tests.write_archive(tmp_path / "archive", data)
    result = processing.run(
        "baimei:detectgapsarchive",
        {"ARCHIVE": str(folder), "N_WORKERS": 2, "OUTPUT_GAPS": "memory:"},
        feedback=QgsProcessingFeedback(),
    )
    expected = dask_tests.in_process_gaps(data, order, dask_tests.GapCriteria())
    layer = result["OUTPUT_GAPS"]
    assert result["GAP_COUNT"] == layer.featureCount() == len(expected) > 20
    got = sorted(
        (f["mmsi"], f["off_time"].toSecsSinceEpoch(), f["on_time"].toSecsSinceEpoch()) for f in layer.getFeatures()
    )
    assert got == sorted((g.mmsi, g.off_time, g.on_time) for g in expected)


def test_a_missing_archive_is_a_clear_error(provider, tmp_path):
    with pytest.raises(QgsProcessingException, match="nothing"):
        processing.run("baimei:detectgapsarchive", {"ARCHIVE": str(tmp_path / "nothing"), "OUTPUT_GAPS": "memory:"})
