"""The algorithms chained in a model, run by qgis_process, and the packaged plugin loaded by QGIS's loader."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterFile,
    QgsVectorLayer,
)

from tests.support import ROOT


def build_model() -> QgsProcessingModelAlgorithm:
    model = QgsProcessingModelAlgorithm("AIS to gaps", "Bai Mei")
    model.addModelParameter(QgsProcessingParameterFile("ais_file", "AIS file"), QgsProcessingModelParameter("ais_file"))

    importer = QgsProcessingModelChildAlgorithm("baimei:importais")
    importer.setChildId("import")
    importer.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromModelParameter("ais_file")])
    importer.addParameterSources("FORMAT", [QgsProcessingModelChildParameterSource.fromStaticValue(0)])
    model.addChildAlgorithm(importer)

    detector = QgsProcessingModelChildAlgorithm("baimei:detectgaps")
    detector.setChildId("gaps")
    detector.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromChildOutput("import", "OUTPUT")])
    detector.addParameterSources("MMSI_FIELD", [QgsProcessingModelChildParameterSource.fromStaticValue("mmsi")])
    detector.addParameterSources("TIME_FIELD", [QgsProcessingModelChildParameterSource.fromStaticValue("timestamp")])
    outputs = {}
    for name, child_output in (("gaps", "OUTPUT_GAPS"), ("tracks", "OUTPUT_TRACKS")):
        output = QgsProcessingModelOutput(name)
        output.setChildId("gaps")
        output.setChildOutputName(child_output)
        outputs[name] = output
    detector.setModelOutputs(outputs)
    model.addChildAlgorithm(detector)
    return model


def test_model_chains_import_and_detect(provider, voyage_csv, tmp_path):
    model = build_model()
    ok, errors = model.validate()
    assert ok, errors
    context = QgsProcessingContext()
    feedback = QgsProcessingFeedback()
    params = {
        "ais_file": voyage_csv,
        "gaps:gaps": str(tmp_path / "gaps.gpkg"),
        "gaps:tracks": str(tmp_path / "tracks.gpkg"),
    }
    results, ok = model.run(params, context, feedback)
    assert ok
    gaps = QgsVectorLayer(results["gaps:gaps"], "gaps", "ogr")
    assert gaps.isValid() and gaps.featureCount() == 1
    assert next(gaps.getFeatures())["mmsi"] == 367000001
    assert QgsVectorLayer(results["gaps:tracks"], "t", "ogr").featureCount() == 3
    assert results["CHILD_RESULTS"]["gaps"]["GAP_COUNT"] == 1
    assert results["CHILD_RESULTS"]["import"]["ROWS_KEPT"] == 50


@pytest.fixture(scope="module")
def plugin_build():
    subprocess.run(["make", "-s", "package"], cwd=ROOT, check=True, capture_output=True)
    version = next(
        line.split("=", 1)[1].strip()
        for line in (ROOT / "metadata.txt").read_text().splitlines()
        if line.startswith("version=")
    )
    return ROOT / "dist" / f"bai_mei_plugin-{version}.zip"


def qgis_process_binary():
    for name in ("qgis_process.bin", "qgis_process"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def profile_home(plugin_build, tmp_path_factory):
    """A throwaway HOME whose default QGIS profile has the packaged plugin installed and enabled."""
    home = tmp_path_factory.mktemp("home")
    profile = home / ".local/share/QGIS/QGIS3/profiles/default"
    (profile / "python/plugins").mkdir(parents=True)
    (profile / "QGIS").mkdir()
    with zipfile.ZipFile(plugin_build) as archive:
        archive.extractall(profile / "python/plugins")
    (profile / "QGIS/QGIS3.ini").write_text("[PythonPlugins]\nbai_mei_plugin=true\n")
    return home


def test_zip_contains_metadata_and_resources(plugin_build):
    names = zipfile.ZipFile(plugin_build).namelist()
    assert "bai_mei_plugin/metadata.txt" in names
    assert "bai_mei_plugin/__init__.py" in names
    assert "bai_mei_plugin/resources/styles/gaps.qml" in names
    assert "bai_mei_plugin/LICENSE" in names
    assert not any("__pycache__" in n for n in names)


@pytest.mark.skipif(qgis_process_binary() is None, reason="qgis_process is not installed")
def test_qgis_process_runs_import_then_detect(profile_home, voyage_csv, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QGIS_CUSTOM_CONFIG_PATH", "QGIS_OPTIONS_PATH")}
    env.update(HOME=str(profile_home), QT_QPA_PLATFORM="offscreen", QGIS_OPTS="")
    binary = qgis_process_binary()
    points = tmp_path / "points.gpkg"
    done = subprocess.run(
        [binary, "--json", "run", "baimei:importais", "--", f"INPUT={voyage_csv}", f"OUTPUT={points}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    out = json.loads(done.stdout[done.stdout.index("{") :])
    assert out["results"]["ROWS_KEPT"] == 50
    gaps = tmp_path / "gaps.gpkg"
    done = subprocess.run(
        [
            binary,
            "--json",
            "run",
            "baimei:detectgaps",
            "--",
            f"INPUT={points}",
            f"OUTPUT_GAPS={gaps}",
            f"OUTPUT_TRACKS={tmp_path / 'tracks.gpkg'}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    out = json.loads(done.stdout[done.stdout.index("{") :])
    assert out["results"]["GAP_COUNT"] == 1
    assert QgsVectorLayer(str(gaps), "g", "ogr").featureCount() == 1


def test_plugin_loader_starts_and_unload_removes_everything(profile_home, qgis_iface):
    import qgis.utils

    plugins_dir = str(profile_home / ".local/share/QGIS/QGIS3/profiles/default/python/plugins")
    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("baimei")
    if existing is not None:  # the session fixture's provider: take it away so the plugin adds its own
        registry.removeProvider(existing)
    saved_modules = {k: v for k, v in sys.modules.items() if k == "bai_mei_plugin" or k.startswith("bai_mei_plugin.")}
    for name in saved_modules:
        del sys.modules[name]
    sys.path.insert(0, plugins_dir)
    qgis.utils.iface = qgis_iface
    saved_paths = list(qgis.utils.plugin_paths)
    qgis.utils.plugin_paths[:] = [plugins_dir]
    qgis.utils.updateAvailablePlugins()
    try:
        assert qgis.utils.loadPlugin("bai_mei_plugin")
        assert qgis.utils.startPlugin("bai_mei_plugin")
        plugin = qgis.utils.plugins["bai_mei_plugin"]
        assert Path(sys.modules["bai_mei_plugin"].__file__).parent == Path(plugins_dir) / "bai_mei_plugin"
        assert registry.providerById("baimei") is not None
        assert {a.id() for a in registry.providerById("baimei").algorithms()} >= {
            "baimei:importais",
            "baimei:detectgaps",
        }
        actions = [a for a, _ in plugin.actions]
        assert [a.objectName() for a in actions] == ["baimei_importais", "baimei_detectgaps", "baimei_packages"]
        assert qgis_iface.addPluginToVectorMenu.call_count >= 2
        errors = []
        qgis.utils.showException = lambda *args, **kwargs: errors.append(args[:3])
        assert qgis.utils.unloadPlugin("bai_mei_plugin"), errors
        assert registry.providerById("baimei") is None
        assert plugin.actions == []
        assert qgis_iface.removePluginVectorMenu.call_count == qgis_iface.addPluginToVectorMenu.call_count
    finally:
        qgis.utils.plugin_paths[:] = saved_paths
        sys.path.remove(plugins_dir)
        for name in [k for k in sys.modules if k == "bai_mei_plugin" or k.startswith("bai_mei_plugin.")]:
            del sys.modules[name]
        sys.modules.update(saved_modules)
        if existing is not None and registry.providerById("baimei") is None:
            from bai_mei_plugin.processing.provider import BaiMeiProvider

            registry.addProvider(BaiMeiProvider())
