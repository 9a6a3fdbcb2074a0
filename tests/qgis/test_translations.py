"""Translation scaffolding (qgis_io/i18n.py, make translations): the plugin's strings and its Designer pages are
extracted into resources/i18n/*.ts, and a compiled translation changes what the analyst reads."""

import os
import re
import shutil
import subprocess

import pytest
from qgis.PyQt.QtCore import QCoreApplication

from bai_mei_plugin.qgis_io import i18n

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TS = os.path.join(ROOT, "resources", "i18n", "bai_mei_fr.ts")
needs_tools = pytest.mark.skipif(
    not (shutil.which("pylupdate5") and shutil.which("lrelease")),
    reason="pylupdate5 and lrelease are not installed (Debian: pyqt5-dev-tools, qttools5-dev-tools)",
)


def sources(ts_text: str) -> set:
    return set(re.findall(r"<source>(.*?)</source>", ts_text, re.S))


@needs_tools
def test_the_committed_translation_source_is_up_to_date(tmp_path):
    """`make translations` has nothing left to add: every tr() string and Designer text is in the .ts."""
    files = sorted(
        os.path.join(d, f)
        for d, _dirs, names in os.walk(os.path.join(ROOT, "bai_mei_plugin"))
        for f in names
        if f.endswith((".py", ".ui"))
    )
    fresh = tmp_path / "fresh.ts"
    subprocess.run(["pylupdate5", "-noobsolete", *files, "-ts", str(fresh)], check=True, capture_output=True)
    with open(TS, encoding="utf-8") as committed:
        missing = sources(fresh.read_text(encoding="utf-8")) - sources(committed.read())
    assert not missing, f"run make translations: {sorted(missing)[:5]}"


@needs_tools
def test_a_compiled_translation_is_used_for_python_strings_and_designer_pages(tmp_path):
    with open(TS, encoding="utf-8") as f:
        text = f.read()
    assert "<source>Bai Mei panel</source>" in text  # a tr() string of plugin.py
    assert "<name>TracksPage</name>" in text  # a Designer page
    translated = {"Bai Mei panel": "Panneau Bai Mei", "Tracks": "Traces"}
    for source, target in translated.items():
        text = re.sub(
            rf"(<source>{re.escape(source)}</source>\s*)<translation type=\"unfinished\"></translation>",
            rf"\1<translation>{target}</translation>",
            text,
        )
    (tmp_path / "bai_mei_fr.ts").write_text(text, encoding="utf-8")
    subprocess.run(
        ["lrelease", "-silent", str(tmp_path / "bai_mei_fr.ts"), "-qm", str(tmp_path / "bai_mei_fr.qm")], check=True
    )
    assert i18n.translation_file("de_DE", str(tmp_path)) is None  # no German: English
    assert i18n.translation_file("fr_CA", str(tmp_path)) == str(tmp_path / "bai_mei_fr.qm")
    translator = i18n.install_translator("fr_FR", str(tmp_path))
    try:
        assert translator is not None
        assert i18n.tr("Bai Mei panel") == "Panneau Bai Mei"
        assert i18n.tr("Import AIS file…") == "Import AIS file…"  # not translated yet: as written
        from bai_mei_plugin.gui.dock import TracksPage

        assert TracksPage().windowTitle() == "Traces"
    finally:
        i18n.remove_translator(translator)
    assert i18n.tr("Bai Mei panel") == "Bai Mei panel"
    assert QCoreApplication.translate("TracksPage", "Tracks") == "Tracks"
