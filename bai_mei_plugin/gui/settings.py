"""The dock's settings, kept between sessions with QgsSettings under one prefix (never any secret)."""

from qgis.core import QgsSettings

from ..services import sources

PREFIX = "bai_mei/"
IMAGERY_SOURCE = "imagery/source"
DEFAULT_IMAGERY_SOURCE = "static"  # the bundled synthetic catalogue: works offline, as the README's walkthrough says
OTHERS_WHILE_PLAYING = "map/others_while_playing"  # Play voyage: the other vessels "faded", "hidden" or "shown"
LAND_LAYER = "map/land_layer"  # the land drawn under the tracks: a file path, or "" for QGIS's world map
SHOW_LAND = "map/show_land"  # whether a load adds the land layer under the tracks
# The Export the case dialog's last choices (gui/export_dialog.py)
EXPORT_FOLDER = "export/folder"
EXPORT_FORMATS = "export/formats"  # comma-separated ids of qgis_io.case_export.FORMATS
EXPORT_REPORT = "export/report"
EXPORT_VESSEL_ONLY = "export/vessel_only"
EXPORT_NAME = "export/name"


class Settings:
    def __init__(self, settings=None):
        self._settings = settings or QgsSettings()

    def value(self, key: str, default=None, type_=None):
        if type_ is None:
            return self._settings.value(PREFIX + key, default)
        return self._settings.value(PREFIX + key, default, type=type_)

    def set_value(self, key: str, value) -> None:
        self._settings.setValue(PREFIX + key, value)

    def imagery_source(self, default: str = DEFAULT_IMAGERY_SOURCE) -> str:
        """The id of the imagery source last used. Versions before the registry stored the source's label: it is
        read as its id and stored back as the id."""
        stored = self.value(IMAGERY_SOURCE, default)
        source_id = sources.id_of(stored) or default
        if stored != source_id:
            self.set_value(IMAGERY_SOURCE, source_id)
        return source_id

    def set_imagery_source(self, source_id: str) -> None:
        self.set_value(IMAGERY_SOURCE, source_id)
