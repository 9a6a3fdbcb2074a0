"""The metadata plugins.qgis.org reads: addresses given to `make package` / `make release`, placeholders in the
repository, a release refused while one is left, and an `about` naming the packages the plugin uses.

The Makefile runs in a copy of the repository's plugin files, so that the repository's own build/ and dist/ (which
other tests and the lead's `make package` use) are left alone."""

import configparser
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("homepage", "tracker", "repository", "email")
REAL = {
    "HOMEPAGE": "https://github.com/owner/bai-mei",
    "TRACKER": "https://github.com/owner/bai-mei/issues",
    "REPOSITORY": "https://github.com/owner/bai-mei",
    "EMAIL": "maintainer@bai-mei.net",
}

pytestmark = pytest.mark.skipif(
    not (shutil.which("make") and shutil.which("zip") and shutil.which("awk")),
    reason="make package needs make, zip and awk (the Makefile's apt step installs zip)",
)


def read_metadata(text: str) -> dict:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return dict(parser["general"])


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The files `make package` reads, copied; the Debian-packages step marked done (the lead's `make` did it)."""
    root = tmp_path_factory.mktemp("repo")
    for name in ("Makefile", "metadata.txt", "LICENSE"):
        shutil.copy2(ROOT / name, root / name)
    for name in ("bai_mei_plugin", "resources"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (root / ".venv").mkdir()
    (root / ".venv" / ".apt").touch()
    return root


def make(tree, *args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    environment.update(env)
    return subprocess.run(["make", "-s", *args], cwd=tree, env=environment, capture_output=True, text=True, timeout=120)


def zip_path(tree) -> Path:
    version = read_metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))["version"]
    return tree / "dist" / f"bai_mei_plugin-{version}.zip"


def zipped_metadata(tree) -> dict:
    with zipfile.ZipFile(zip_path(tree)) as archive:
        return read_metadata(archive.read("bai_mei_plugin/metadata.txt").decode("utf-8"))


def test_repository_metadata_keeps_marked_placeholders():
    metadata = read_metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))
    assert {key: metadata[key] for key in KEYS} == {key: f"@{key.upper()}@" for key in KEYS}
    values = " ".join(metadata.values())
    assert "example.org" not in values and "github.com/baimei" not in values  # the old addresses are gone


def test_about_names_required_and_optional_packages_in_one_paragraph():
    metadata = read_metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))
    about = metadata["about"]
    assert "\n" not in about
    assert "Requires the Python package shapely" in about
    for package, enables in [
        ("pyarrow", "faster"),
        ("pyarrow", "Parquet"),
        ("scipy", "distance to shore"),
        ("dask[distributed] and pandas", "Dask engine"),
        ("psycopg2", "PostGIS engine and the PostGIS importer"),
    ]:
        start = about.index(package + " (")  # each optional package followed by what it enables
        assert enables in about[start : about.index(")", start)], package
    assert metadata["changelog"].startswith(metadata["version"] + ": ")
    assert "pyais" not in about and "NMEA decoded by the plugin itself" in about  # no package needed for NMEA


def test_package_writes_the_given_addresses_into_the_build_only(tree):
    odd = "https://git.bai-mei.net/a'b&c|d"  # shell and sed metacharacters arrive unchanged
    done = make(tree, "package", f"HOMEPAGE={odd}", "EMAIL=maintainer@bai-mei.net")
    assert done.returncode == 0, done.stderr
    built = (tree / "build/bai_mei_plugin/metadata.txt").read_text(encoding="utf-8")
    metadata = read_metadata(built)
    assert metadata["homepage"] == odd and metadata["email"] == "maintainer@bai-mei.net"
    assert metadata["tracker"] == "@TRACKER@" and metadata["repository"] == "@REPOSITORY@"  # not given: kept
    source = (tree / "metadata.txt").read_text(encoding="utf-8")
    assert read_metadata(source)["homepage"] == "@HOMEPAGE@"  # the repository's file is not touched
    changed = [line for line in built.splitlines() if line not in source.splitlines()]
    assert changed == ["email=maintainer@bai-mei.net", f"homepage={odd}"]
    assert zipped_metadata(tree)["homepage"] == odd


def test_package_ignores_addresses_from_the_environment(tree):
    # EMAIL is commonly set for git or Debian tools: someone's own address, not the plugin's
    done = make(tree, "package", EMAIL="someone@home.net", HOMEPAGE="https://elsewhere.net")
    assert done.returncode == 0, done.stderr
    metadata = zipped_metadata(tree)
    assert metadata["email"] == "@EMAIL@" and metadata["homepage"] == "@HOMEPAGE@"


def test_release_refuses_placeholders_and_leaves_no_zip(tree):
    assert make(tree, "package").returncode == 0
    assert zip_path(tree).exists()  # an earlier package's zip...
    done = make(tree, "release", f"HOMEPAGE={REAL['HOMEPAGE']}")
    assert done.returncode != 0
    assert not zip_path(tree).exists()  # ...is not left to be mistaken for the release
    for key in ("tracker", "repository", "email"):
        assert f'{key} in build/bai_mei_plugin/metadata.txt: still the placeholder "@{key.upper()}@"' in done.stderr
        assert f"make release {key.upper()}=..." in done.stderr
    assert "homepage" not in done.stderr


@pytest.mark.parametrize(
    "key, value, reason",
    [
        ("EMAIL", "baimei@example.org", 'an example address ("baimei@example.org")'),
        ("TRACKER", "https://example.org/bai-mei/issues", "an example address"),
        ("HOMEPAGE", "https://www.example.com", "an example address"),
        ("REPOSITORY", "github.com/owner/bai-mei", 'expected an http(s) URL, found "github.com/owner/bai-mei"'),
        ("EMAIL", "maintainer", 'expected an e-mail address, found "maintainer"'),
    ],
)
def test_release_refuses_example_and_malformed_addresses(tree, key, value, reason):
    done = make(tree, "release", *(f"{k}={value if k == key else v}" for k, v in REAL.items()))
    assert done.returncode != 0
    assert f"make release: {key.lower()} in build/bai_mei_plugin/metadata.txt: {reason}" in done.stderr
    assert done.stderr.count("make release:") == 1, done.stderr  # the other three are accepted
    assert not zip_path(tree).exists()


def test_release_with_real_addresses_builds_the_zip(tree):
    done = make(tree, "release", *(f"{k}={v}" for k, v in REAL.items()))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(zip_path(tree).name)
    metadata = zipped_metadata(tree)
    assert {key: metadata[key] for key in KEYS} == {key.lower(): value for key, value in REAL.items()}
    assert metadata["version"] == read_metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))["version"]
