"""Styled outputs of Processing runs: every run's layers are styled, not only the first (QGIS deletes a layer
post-processor with the context that used it)."""

import processing
from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject


def test_two_runs_that_load_their_outputs_are_both_styled(provider, voyage_csv):
    for _ in range(2):
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        result = processing.runAndLoadResults(
            "baimei:importais",
            {"INPUT": voyage_csv, "OUTPUT": "TEMPORARY_OUTPUT"},
            context=context,
            feedback=QgsProcessingFeedback(),
        )
        points = QgsProject.instance().mapLayer(result["OUTPUT"])
        assert points is not None and points.temporalProperties().isActive()  # the style's post-processor ran
        del context
    for layer in list(QgsProject.instance().mapLayers().values()):
        QgsProject.instance().removeMapLayer(layer.id())
