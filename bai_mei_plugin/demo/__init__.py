"""The Bai Mei 8 demo: a SYNTHETIC AIS scenario and `make demo` (``python -m bai_mei_plugin.demo``).

Nothing here is product code: the plugin never imports this package; the demo imports the plugin. The scenario's
generator is :mod:`.scenario` (the story) with :mod:`.world`, :mod:`.routing`, :mod:`.fleet`, :mod:`.reception` and
:mod:`.writer`, its tables are ``resources/demo/``; :mod:`.run` and :mod:`.analysis` drive QGIS headless.
"""
