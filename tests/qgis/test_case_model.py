"""The whole case as one Processing model: import, gaps, their scores, reachability, port visits, encounters,
anomalies, imagery.

The same model ships as resources/models/bai_mei_case.model3 for the graphical modeler; a test keeps the two equal.
"""

from pathlib import Path

from qgis.core import (
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

from bai_mei_plugin.paths import resource_path

SHIPPED = Path(resource_path("models", "bai_mei_case.model3"))
CHILDREN = (
    # child id, algorithm, {parameter: ("child", id, output) | ("param", name) | ("static", value)}, {output: name}
    ("import", "baimei:importais", {"INPUT": ("param", "ais_file")}, {}),
    ("gaps", "baimei:detectgaps", {"INPUT": ("child", "import", "OUTPUT")}, {"OUTPUT_GAPS": "gaps"}),
    (
        "score",
        "baimei:scoregaps",
        {"GAPS": ("child", "gaps", "OUTPUT_GAPS"), "INPUT": ("child", "import", "OUTPUT")},
        {"OUTPUT": "scored gaps"},
    ),
    (
        "reach",
        "baimei:gapreachability",
        {"GAPS": ("child", "gaps", "OUTPUT_GAPS"), "INPUT": ("child", "import", "OUTPUT")},
        {"OUTPUT_AREAS": "reachable areas", "OUTPUT_VISITS": "candidate visits"},
    ),
    (
        "visits",
        "baimei:portvisits",
        {"INPUT": ("child", "import", "OUTPUT"), "GAPS": ("child", "gaps", "OUTPUT_GAPS")},
        {"OUTPUT_VISITS": "port visits"},
    ),
    (
        "meet",
        "baimei:encounters",
        {
            "INPUT": ("child", "import", "OUTPUT"),
            "GAPS": ("child", "gaps", "OUTPUT_GAPS"),
            "AREAS": ("child", "reach", "OUTPUT_AREAS"),
        },
        {"OUTPUT": "encounters"},
    ),
    ("odd", "baimei:anomalies", {"INPUT": ("child", "import", "OUTPUT")}, {"OUTPUT": "anomalies"}),
    (
        "imagery",
        "baimei:searchfootprints",
        {
            "GAPS": ("child", "gaps", "OUTPUT_GAPS"),
            "AOI": ("child", "reach", "OUTPUT_AREAS"),
            "SOURCE": ("static", 2),
            "URL": ("param", "catalogue"),
        },
        {"OUTPUT": "footprints"},
    ),
)


def build_case_model() -> QgsProcessingModelAlgorithm:
    model = QgsProcessingModelAlgorithm("Bai Mei case", "Bai Mei")
    for name, label in (("ais_file", "AIS file"), ("catalogue", "Imagery catalogue (file or URL)")):
        model.addModelParameter(QgsProcessingParameterFile(name, label), QgsProcessingModelParameter(name))
    for child_id, algorithm, sources, outputs in CHILDREN:
        child = QgsProcessingModelChildAlgorithm(algorithm)
        child.setChildId(child_id)
        for parameter, source in sources.items():
            if source[0] == "child":
                value = QgsProcessingModelChildParameterSource.fromChildOutput(source[1], source[2])
            elif source[0] == "param":
                value = QgsProcessingModelChildParameterSource.fromModelParameter(source[1])
            else:
                value = QgsProcessingModelChildParameterSource.fromStaticValue(source[1])
            child.addParameterSources(parameter, [value])
        model_outputs = {}
        for child_output, name in outputs.items():
            output = QgsProcessingModelOutput(name)
            output.setChildId(child_id)
            output.setChildOutputName(child_output)
            model_outputs[name] = output
        child.setModelOutputs(model_outputs)
        model.addChildAlgorithm(child)
    return model


def test_case_model_runs_every_step(provider, voyage_csv, tmp_path):
    model = build_case_model()
    ok, errors = model.validate()
    assert ok, errors
    params = {"ais_file": voyage_csv, "catalogue": resource_path("catalogues", "bai_mei_8_synthetic.geojson")}
    for child_id, _, _, outputs in CHILDREN:
        for name in outputs.values():
            params[f"{child_id}:{name}"] = str(tmp_path / f"{name.replace(' ', '_')}.gpkg")
    results, ok = model.run(params, QgsProcessingContext(), QgsProcessingFeedback())
    assert ok
    child = results["CHILD_RESULTS"]
    assert child["gaps"]["GAP_COUNT"] == 1
    assert child["score"]["GAP_COUNT"] == 1 and child["score"]["WEIGHTS_USED"].startswith("{")
    scored = QgsVectorLayer(results["score:scored gaps"], "scored", "ogr")
    (gap,) = scored.getFeatures()
    assert gap["mmsi"] == 367000001 and gap["suspicion_rank"] == 1 and gap["why"]
    assert gap["suspicion_level"] in ("none", "low", "medium", "high")
    areas = QgsVectorLayer(results["reach:reachable areas"], "areas", "ogr")
    assert areas.featureCount() == 1 and next(areas.getFeatures())["mmsi"] == 367000001
    # the default ports are the World Port Index: the Gulf of Mexico's ports within reach of this gap are candidates
    visits = QgsVectorLayer(results["reach:candidate visits"], "visits", "ogr")
    assert child["reach"]["VISIT_COUNT"] == visits.featureCount() > 0
    assert all(-100 < f.geometry().asPoint().x() < -80 for f in visits.getFeatures())
    assert child["visits"]["VISIT_COUNT"] == 0 and child["meet"]["ENCOUNTER_COUNT"] == 0
    assert child["odd"]["ANOMALY_COUNT"] >= 1  # IMO9000001 in the fixture fails the check digit
    assert child["imagery"]["FOOTPRINT_COUNT"] == 0  # the synthetic catalogue covers Korea, not the Gulf of Mexico


def test_shipped_model_file_is_the_same_model(provider):
    assert SHIPPED.is_file(), f"{SHIPPED} is missing: write it with build_case_model().toFile(path)"
    shipped = QgsProcessingModelAlgorithm()
    assert shipped.fromFile(str(SHIPPED))
    ok, errors = shipped.validate()
    assert ok, errors
    built = build_case_model()
    assert sorted(shipped.childAlgorithms()) == sorted(built.childAlgorithms())
    for child_id in built.childAlgorithms():
        assert shipped.childAlgorithm(child_id).algorithmId() == built.childAlgorithm(child_id).algorithmId()
        assert sorted(shipped.childAlgorithm(child_id).parameterSources()) == sorted(
            built.childAlgorithm(child_id).parameterSources()
        )
