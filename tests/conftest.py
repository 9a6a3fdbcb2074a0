"""Shared test set-up: Processing's plugin folder on sys.path for the QGIS tests."""

import os
import sys

if os.path.isdir("/usr/share/qgis/python/plugins") and "/usr/share/qgis/python/plugins" not in sys.path:
    sys.path.append("/usr/share/qgis/python/plugins")

pytest_plugins = ["tests.fixtures"]
