"""Engines that run the core analyses where large archives live (a Dask cluster; PostGIS in its own module).

Each engine imports its optional dependencies when called, so the plugin works without them.
"""
