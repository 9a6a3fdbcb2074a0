"""The case workspace in the real QGIS, over two sessions (tests/desktop/test_desktop_case.py).

``FIRST``: New case… in the dock, load the Bai Mei 8 scenario, its June gap selected and scored, imagery, reachability,
a sighting marked and ranked, the gap escalated, the project saved; then the test kills QGIS with SIGKILL.
``SECOND``: QGIS started again with that project on its command line: every layer and the panel's state come back;
the whole traffic exported in the background while the map pans, and cancelled; the case exported with the ranking in
its report; the GFW preset saying what it dropped.

Entries are (step name, module); modules of the walkthrough (``steps.…``) are reused as they are. This file imports
nothing, so that pytest can read the plans without QGIS.
"""

FIRST = (
    ("plugin_loaded", "steps.startup"),
    ("open_dock", "steps.tracks"),
    ("new_case", "workspace"),
    ("load_tracks", "steps.tracks"),
    ("gaps_page", "steps.gaps"),
    ("imagery_search", "steps.imagery"),
    ("imagery_results", "steps.imagery"),
    ("analysis_page", "steps.analysis"),
    ("annotate_mark", "steps.annotate"),
    ("annotate_form", "steps.annotate"),
    ("annotate_measure", "steps.annotate"),
    ("annotate_identify", "steps.annotate"),
    ("review_gap", "workspace"),
    ("save_project", "workspace"),
)
SECOND = (
    ("plugin_loaded", "steps.startup"),
    ("open_dock", "steps.tracks"),
    ("case_restored", "workspace"),
    ("export_while_panning", "exporting"),
    ("export_ranking", "exporting"),
    ("gfw_preset_explained", "preset"),
)
FIRST_NAMES = tuple(name for name, _ in FIRST)
SECOND_NAMES = tuple(name for name, _ in SECOND)
