"""A MemoryError becomes one message naming what ran out of memory and what to try, never a traceback: in the
Processing algorithms (their outputs discarded, an existing one kept) and in the dock's background tasks (issue 12)."""

import processing
import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback


def run(algorithm, params):
    return processing.run(algorithm, params, feedback=QgsProcessingFeedback())


def test_memory_error_becomes_a_message_and_writes_nothing(provider, voyage_csv, tmp_path, monkeypatch):
    from bai_mei_plugin.processing import import_ais

    out = tmp_path / "points.gpkg"
    run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(out)})
    before = out.read_bytes()
    original = import_ais.point_features

    def exhausted(*args, **kwargs):
        yield from original(*args, **kwargs)
        raise MemoryError()

    monkeypatch.setattr(import_ais, "point_features", exhausted)
    with pytest.raises(QgsProcessingException) as err:
        run("baimei:importais", {"INPUT": voyage_csv, "OUTPUT": str(out)})
    assert str(err.value).startswith("Not enough memory for Import AIS file: try a shorter period")
    assert str(err.value).endswith("Nothing was written.")
    assert out.read_bytes() == before
    assert {p.name for p in tmp_path.iterdir()} == {"points.gpkg", "voyage.csv"}  # no temporary file left


def test_a_task_that_runs_out_of_memory_reports_a_message(qgis_app):
    from bai_mei_plugin.tasks.analysis_tasks import AnalysisTask

    def work(task):
        raise MemoryError()

    done = []
    task = AnalysisTask("Bai Mei: encounters at sea", work, lambda t, ok: done.append(ok))
    assert task.run() is False
    assert task.error.message == (
        "Not enough memory for encounters at sea: try a shorter period or a smaller area of "
        "the data, or, for a large file, the Processing algorithms under Bai Mei > Large "
        "archives, which do not hold it all in memory."
    )
    task.finished(False)
    assert done == [False]
