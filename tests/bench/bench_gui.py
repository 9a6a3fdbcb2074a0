"""GUI responsiveness while the dock loads 1M reports, and how fast Cancel takes effect: figures, never pass/fail.

Run by ``make bench`` as ``pytest -s tests/bench/bench_gui.py`` (it needs the dock's pytest-qgis fixtures). The
behaviour test in tests/qgis/test_dock.py only checks bounds that a hang would break.
"""

from tests.qgis.conftest import free_leftover_layers  # noqa: F401 (fixture: QGIS 3.22 crashes on layers left at exit)
from tests.qgis.test_dock import canvas, dock, measure_load_and_cancel, million_rows  # noqa: F401 (fixtures)


def test_print_gui_stall_and_cancel_latency(dock, qtbot, million_rows):  # noqa: F811
    worst_load, stopped = measure_load_and_cancel(dock, qtbot, million_rows)
    print(
        f"\nGUI while loading 1,000,000 reports: worst event-loop stall {worst_load * 1000:.0f} ms "
        f"(target 200 ms); Cancel took effect in {stopped * 1000:.0f} ms (target 1,000 ms)"
    )
