"""The desktop walkthrough as named steps, run in one QGIS session by ``qgis_startup_check.py``.

``PLAN`` lists the steps in the order they run and the module that defines each; every name is also a pytest id of
``test_desktop`` (``test_desktop[load_tracks]``). This file imports nothing, so that pytest can read the plan without
QGIS; the step modules themselves are imported only inside QGIS.
"""

PLAN = (
    ("plugin_loaded", "startup"),
    ("processing_provider", "startup"),
    ("toolbar", "startup"),
    ("vector_menu", "startup"),
    ("processing_toolbox", "startup"),
    ("import_ais_dialog", "startup"),
    ("open_dock", "tracks"),
    ("load_tracks", "tracks"),
    ("tracks_page", "tracks"),
    ("gaps_page", "gaps"),
    ("preset_list", "gaps"),
    ("imagery_search", "imagery"),
    ("imagery_results", "imagery"),
    ("imagery_scene", "imagery"),
    ("analysis_page", "analysis"),
    ("annotate_mark", "annotate"),
    ("annotate_form", "annotate"),
    ("annotate_measure", "annotate"),
    ("annotate_identify", "annotate"),
    ("vessels_page", "vessels"),
    ("unload", "unload"),
)
STEP_NAMES = tuple(name for name, _ in PLAN)
