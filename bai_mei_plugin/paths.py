"""Where the plugin's resources and metadata are, both in the repository and once installed into QGIS."""

import configparser
import os
from functools import lru_cache

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))


def _first_existing(*candidates: str) -> str:
    for candidate in candidates:
        if os.path.exists(candidate):
            return candidate
    return candidates[0]


def resources_dir() -> str:
    """``resources/`` inside the installed plugin, or beside the package in the repository."""
    return _first_existing(
        os.path.join(PLUGIN_DIR, "resources"), os.path.join(os.path.dirname(PLUGIN_DIR), "resources")
    )


def resource_path(*parts: str) -> str:
    return os.path.join(resources_dir(), *parts)


def metadata_path() -> str:
    return _first_existing(
        os.path.join(PLUGIN_DIR, "metadata.txt"), os.path.join(os.path.dirname(PLUGIN_DIR), "metadata.txt")
    )


@lru_cache(maxsize=1)
def metadata() -> dict:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(metadata_path(), encoding="utf-8")
    return dict(parser["general"]) if parser.has_section("general") else {}


def version() -> str:
    return metadata().get("version", "0")
