"""Translations: ``tr(text)`` for the plugin's own strings and the translator installed when the plugin loads.

The Designer pages (``gui/*.ui``) are translated by Qt itself (their contexts are the forms' names). Strings in
Python go through :func:`tr`, which ``pylupdate5`` finds as a plain ``tr("...")`` call (context ``@default``).
``make translations`` updates ``resources/i18n/bai_mei_<lang>.ts`` from both and builds the ``.qm`` files that
:func:`install_translator` loads for QGIS's user interface language.

The Processing algorithms translate in their own context instead, as QGIS's do: ``BaiMeiAlgorithm.tr`` looks a text
up under the algorithm's class name, which is what pylupdate5 gives a ``self.tr("...")`` written in that class and
what its DISPLAY_NAME and HELP are marked with (``QT_TRANSLATE_NOOP("ClassName", ...)``); the group names and the
inputs every algorithm shares are under ``BaiMeiAlgorithm``.

The panel's tasks (``tasks/``) compose their summaries and notes with :func:`tr` too (a task may import this
module; translating is safe off the GUI thread). The messages of ``BaiMeiError`` stay in English by design: most
come from ``core/`` and ``services/``, which have no Qt, and every one also goes to QGIS's log, where one language
keeps them searchable; a translated sentence may wrap such a message (``"Scored without land: {problem}"``).
"""

from __future__ import annotations

import os
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from ..paths import resource_path

CONTEXT = "@default"  # what pylupdate5 gives a plain tr() call


def tr(text: str) -> str:
    """``text`` in the user's language when a translation has it, else as written."""
    return QCoreApplication.translate(CONTEXT, text)


def ui_language() -> str:
    """QGIS's user interface language ("fr", "pt_BR"): the user's override, else the system's."""
    from qgis.core import QgsSettings
    from qgis.PyQt.QtCore import QLocale

    settings = QgsSettings()
    override = settings.value("locale/overrideFlag", False, type=bool)
    locale = settings.value("locale/userLocale", "", type=str) if override else ""
    return locale or QLocale.system().name()


def translation_file(language: str, folder: Optional[str] = None) -> Optional[str]:
    """The .qm file for ``language`` ("pt_BR" falls back to "pt"); None when the plugin has none."""
    folder = folder or resource_path("i18n")
    for code in (language, language.split("_")[0]):
        path = os.path.join(folder, f"bai_mei_{code}.qm")
        if code and os.path.isfile(path):
            return path
    return None


def install_translator(language: Optional[str] = None, folder: Optional[str] = None) -> Optional[QTranslator]:
    """Loads and installs the translation for ``language`` (QGIS's by default); the translator to remove at
    unload, or None when there is none for that language (the plugin then speaks English)."""
    path = translation_file(language or ui_language(), folder)
    if path is None:
        return None
    translator = QTranslator()
    if not translator.load(path):
        return None
    QCoreApplication.installTranslator(translator)
    return translator


def remove_translator(translator: Optional[QTranslator]) -> None:
    if translator is not None:
        QCoreApplication.removeTranslator(translator)
