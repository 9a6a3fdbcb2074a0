"""The committed French translation (resources/i18n/bai_mei_fr.ts), compiled by lrelease, reaches what the analyst
reads: message-bar lines of the Analysis and Imagery pages, the Processing algorithms' names and groups (issue 18)."""

import html
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from qgis.core import Qgis

from bai_mei_plugin.processing.base import BaiMeiAlgorithm
from bai_mei_plugin.processing.provider import ALGORITHMS
from bai_mei_plugin.qgis_io import i18n
from bai_mei_plugin.services import sources
from tests.qgis.test_dock import canvas, dock  # noqa: F401 (fixtures of the dock tests)
from tests.qgis.test_translations import TS

needs_tools = pytest.mark.skipif(
    not shutil.which("lrelease"), reason="lrelease is not installed (Debian: qttools5-dev-tools)"
)


@pytest.fixture
def french(tmp_path):
    """The committed French .ts compiled into a temporary folder and installed, removed afterwards."""
    subprocess.run(["lrelease", "-silent", TS, "-qm", str(tmp_path / "bai_mei_fr.qm")], check=True)
    translator = i18n.install_translator("fr_FR", str(tmp_path))
    assert translator is not None
    yield translator
    i18n.remove_translator(translator)


@needs_tools
def test_an_analysis_page_message_bar_line_in_french(french, dock, qgis_iface):  # noqa: F811
    qgis_iface.messageBar().clear_messages()
    dock.analysis.page.reachButton.click()  # nothing loaded yet: the page asks for reports
    messages = qgis_iface.messageBar().get_messages(Qgis.Info)
    assert any("Chargez d'abord des positions AIS (page Tracks)." in m for m in messages), messages


@needs_tools
def test_an_imagery_page_message_bar_line_in_french(french, dock):  # noqa: F811
    """The line the message bar shows after a footprint search (and its "Show more" details)."""
    search = SimpleNamespace(
        areas=[], max_items=50, source=sources.all_sources()[0].id, url="https://127.0.0.1/stac", collections=[]
    )
    short, details = dock.imagery.summary(search, SimpleNamespace(found=[], summary={"searches": 1}))
    assert short == "Aucune scène trouvée."
    assert "1 recherche(s) ; collections : toutes" in details


@needs_tools
def test_algorithm_names_and_groups_in_french_and_ids_unchanged(french):
    from bai_mei_plugin.processing.score_gaps import ScoreGapsAlgorithm

    algorithm = ScoreGapsAlgorithm()
    assert algorithm.displayName() == "Noter les coupures AIS selon leur suspicion"
    assert algorithm.group() == "Analyse"
    assert algorithm.groupId() == "analysis" and algorithm.name() == "scoregaps"  # what models store stays
    assert "<b>Output</b>" in algorithm.shortHelpString()  # help not translated yet: as written, placeholders filled


@needs_tools
def test_the_radar_algorithms_and_analysis_summaries_in_french(french):
    """Texts composed away from the panel (a task's summary, the scoring line) and the radar algorithms' names."""
    from bai_mei_plugin.gui.scoring_task import summary
    from bai_mei_plugin.processing.detect_vessels import DetectVesselsAlgorithm
    from bai_mei_plugin.processing.match_detections import MatchDetectionsAlgorithm
    from bai_mei_plugin.tasks import radar_tasks

    assert DetectVesselsAlgorithm().displayName() == "Détecter les navires dans une scène radar"
    assert MatchDetectionsAlgorithm().displayName() == "Apparier les détections radar avec l'AIS"
    assert i18n.tr(radar_tasks.DARK) == "sombre" and radar_tasks.DARK == "dark"  # the row's status stays English
    score = SimpleNamespace(level="high", rank=1, points=9.0)
    text = summary([score], lambda _s: "BAI MEI 8")
    assert text.startswith("1 coupure notée : élevé 1, moyen 0, faible 0 ; en tête : BAI MEI 8, "), text


def test_without_the_translation_the_names_are_english():
    from bai_mei_plugin.processing.score_gaps import ScoreGapsAlgorithm

    assert ScoreGapsAlgorithm().displayName() == "Score dark gaps by suspicion"
    assert ScoreGapsAlgorithm().group() == "Analysis"


def test_every_marked_algorithm_text_is_in_the_ts_under_its_class():
    """What pylupdate5 extracted is exactly what Python holds (implicit concatenation, escapes, non-ASCII), under the
    context BaiMeiAlgorithm.tr looks it up in: else a translation would silently never be used."""
    with open(TS, encoding="utf-8") as f:
        text = f.read()
    contexts = {
        name: {html.unescape(s) for s in re.findall(r"<source>(.*?)</source>", body, re.S)}
        for name, body in re.findall(r"<context>\s*<name>(.*?)</name>(.*?)</context>", text, re.S)
    }
    checked = 0
    for algorithm in ALGORITHMS:
        name = algorithm.__name__
        assert name in contexts, f"{name}'s texts are not in {TS}"
        for attribute in ("DISPLAY_NAME", "HELP"):
            value = getattr(algorithm, attribute)
            if value and value != getattr(BaiMeiAlgorithm, attribute):
                assert value in contexts[name], f"{name}.{attribute} is not in {TS} under {name}"
                checked += 1
    assert checked >= 20
    assert {"AIS", "Analysis", "Case", "Imagery", "Large archives"} <= contexts["BaiMeiAlgorithm"]
