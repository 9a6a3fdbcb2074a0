"""The dock's settings, kept between sessions with QgsSettings under one prefix (never any secret)."""

from qgis.core import QgsSettings

PREFIX = "bai_mei/"


class Settings:
    def __init__(self, settings=None):
        self._settings = settings or QgsSettings()

    def value(self, key: str, default=None, type_=None):
        if type_ is None:
            return self._settings.value(PREFIX + key, default)
        return self._settings.value(PREFIX + key, default, type=type_)

    def set_value(self, key: str, value) -> None:
        self._settings.setValue(PREFIX + key, value)
