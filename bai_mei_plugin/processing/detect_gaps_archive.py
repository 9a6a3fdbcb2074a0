"""baimei:detectgapsarchive — the same dark gaps, found on a Dask cluster in an archive too big for QGIS."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.gap_engine import ARCHIVE, ReportsLocation
from ..engines.dask_gaps import DaskGapEngine
from .base import progress_callbacks
from .detect_gaps import DetectGapsAlgorithm


class DetectGapsArchiveAlgorithm(DetectGapsAlgorithm):
    NAME = "detectgapsarchive"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("DetectGapsArchiveAlgorithm", "Detect dark gaps in an archive (Dask)")
    GROUP = "Large archives"
    ARCHIVE = "ARCHIVE"
    SCHEDULER = "SCHEDULER"
    N_WORKERS = "N_WORKERS"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "DetectGapsArchiveAlgorithm",
        "<p>The dark gaps of <i>Detect dark gaps</i> (same definition, same criteria, same core function, "
        "identical results), found by Dask in an archive that never enters QGIS: a Parquet dataset (a folder of "
        "partitions or a file) or CSV files (a glob such as <code>/data/ais_*.csv</code>). Reports are shuffled by "
        "MMSI so that each vessel's reports meet in one partition, and each partition is cleaned and searched on "
        "the workers.</p><p><b>Scheduler</b>: the address of a running cluster (<code>tcp://host:8786</code>; "
        "its workers must be able to import the plugin), or empty for a local cluster of <i>workers</i> "
        "processes on this machine. Columns are matched by name (MarineCadastre, DMA and the plugin's own "
        "names). Needs the Python packages dask[distributed], pandas and pyarrow.</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterString(self.ARCHIVE, self.tr("Archive (Parquet folder or file, or CSV glob)"))
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.SCHEDULER, self.tr("Dask scheduler address (empty: local cluster)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.N_WORKERS,
                self.tr("Workers of the local cluster"),
                QgsProcessingParameterNumber.Type.Integer,
                2,
                True,
                1,
            )
        )
        self.add_criteria()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_GAPS, self.tr("Dark gaps"), QgsProcessing.SourceType.TypeVectorLine
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.GAP_COUNT, self.tr("Number of gaps")))

    def compute(self, parameters, context, feedback):
        criteria = self.criteria(parameters, context, feedback)
        archive = self.parameterAsString(parameters, self.ARCHIVE, context).strip()
        engine = DaskGapEngine(
            archive,
            ReportsLocation(ARCHIVE, f"{archive} (Dask)", archive),
            scheduler=self.parameterAsString(parameters, self.SCHEDULER, context).strip() or None,
            n_workers=self.parameterAsInt(parameters, self.N_WORKERS, context),
            land=self.land_choice(parameters, context),
        )
        progress, is_canceled = progress_callbacks(feedback, 0, 90)
        found = engine.find_gaps(criteria, progress, is_canceled)
        for note in found.notes:
            feedback.pushInfo(note)
        return {self.OUTPUT_GAPS: self.write_gaps(parameters, context, found.gaps), self.GAP_COUNT: len(found.gaps)}
