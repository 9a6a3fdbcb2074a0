"""The dock's settings, kept between sessions with QgsSettings under one prefix (never any secret)."""

from qgis.core import QgsSettings

from ..services import sources

PREFIX = "bai_mei/"
IMAGERY_SOURCE = "imagery/source"


class Settings:
    def __init__(self, settings=None):
        self._settings = settings or QgsSettings()

    def value(self, key: str, default=None, type_=None):
        if type_ is None:
            return self._settings.value(PREFIX + key, default)
        return self._settings.value(PREFIX + key, default, type=type_)

    def set_value(self, key: str, value) -> None:
        self._settings.setValue(PREFIX + key, value)

    def imagery_source(self, default: str = "stac") -> str:
        """The id of the imagery source last used. Versions before the registry stored the source's label: it is
        read as its id and stored back as the id."""
        stored = self.value(IMAGERY_SOURCE, default)
        source_id = sources.id_of(stored) or default
        if stored != source_id:
            self.set_value(IMAGERY_SOURCE, source_id)
        return source_id

    def set_imagery_source(self, source_id: str) -> None:
        self.set_value(IMAGERY_SOURCE, source_id)
