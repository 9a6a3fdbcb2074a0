"""Every algorithm's Help button leads to its section of README.md on the plugin's homepage."""

import re
from collections import Counter
from pathlib import Path

import pytest

from bai_mei_plugin import paths
from bai_mei_plugin.processing.provider import ALGORITHMS

README = Path(__file__).resolve().parents[2] / "README.md"
HOMEPAGE = "https://github.com/owner/bai-mei"


def github_anchor(heading: str) -> str:
    """The id GitHub gives a README heading: lower case, characters other than letters, digits, _, - and space
    dropped (backticks, colons, the em dash), spaces turned into hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def readme_sections():
    """{anchor: heading text} of README.md's headings, outside fenced code (whose `# comments` are no headings),
    a repeated anchor numbered -1, -2... as GitHub numbers it."""
    sections, seen, fenced = {}, Counter(), False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else re.match(r"#{1,6} (.+)", line)
        if match:
            anchor = github_anchor(match.group(1))
            unique = anchor if not seen[anchor] else f"{anchor}-{seen[anchor]}"
            seen[anchor] += 1
            sections[unique] = match.group(1)
    return sections


@pytest.fixture
def released(monkeypatch):
    """The metadata of a build made with `make package HOMEPAGE=...`."""
    monkeypatch.setattr(paths, "metadata", lambda: {"homepage": HOMEPAGE, "version": "0.1.0"})


def test_anchor_rule_matches_githubs_for_the_readme_headings():
    # what GitHub itself makes of these headings (its em dash and backticks dropped, so two hyphens)
    assert github_anchor("`baimei:importais` — Import AIS file") == "baimeiimportais--import-ais-file"
    assert github_anchor("Dask: `baimei:detectgapsarchive`") == "dask-baimeidetectgapsarchive"
    sections = readme_sections()
    assert "a-local-cluster-of-2-worker-processes-on-this-machine" not in sections  # a comment in a code block
    assert sections["processing-algorithms"] == "Processing algorithms"


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.NAME)
def test_help_url_is_the_algorithms_readme_section(released, algorithm):
    url = algorithm().helpUrl()
    base, _, anchor = url.partition("#")
    assert base == HOMEPAGE, url
    sections = readme_sections()
    assert anchor in sections, f"{url}: no README.md heading has the anchor {anchor!r}"
    # the section is this algorithm's, not just any heading
    assert f"`baimei:{algorithm.NAME}`" in sections[anchor], (anchor, sections[anchor])


def test_every_registered_algorithm_has_a_help_url(released, provider):
    missing = [alg.id() for alg in provider.algorithms() if not alg.helpUrl()]
    assert not missing, f"algorithms without a README section in processing/base.py README_ANCHORS: {missing}"


def test_trailing_slash_and_fragment_of_the_homepage_are_not_doubled(monkeypatch):
    monkeypatch.setattr(paths, "metadata", lambda: {"homepage": HOMEPAGE + "/#readme"})
    assert ALGORITHMS[0]().helpUrl() == f"{HOMEPAGE}#baimeiimportais--import-ais-file"


def test_no_help_url_while_the_homepage_is_the_placeholder():
    # the repository's own metadata.txt (what `make install` copies): @HOMEPAGE@ is no address to send anyone to
    assert paths.metadata()["homepage"] == "@HOMEPAGE@"
    assert [alg().helpUrl() for alg in ALGORITHMS] == [""] * len(ALGORITHMS)
