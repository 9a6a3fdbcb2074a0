"""baimei:importpostgis — an AIS file, cleaned, into a PostGIS table (COPY), ready for baimei:detectgapspostgis."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.ais.formats import FORMAT_LABELS, AisFormat
from ..core.ais.reader import read_ais
from ..engines.postgis_import import check_target, import_columns
from ..qgis_io.postgres import connect
from ..qgis_io.time_window import plausible_time_window
from .base import BaiMeiAlgorithm, progress_callbacks


class ImportPostgisAlgorithm(BaiMeiAlgorithm):
    NAME = "importpostgis"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("ImportPostgisAlgorithm", "Import AIS file into PostGIS")
    GROUP = "Large archives"
    INPUT = "INPUT"
    FORMAT = "FORMAT"
    CONNECTION = "CONNECTION"
    TABLE = "TABLE"
    REPLACE = "REPLACE"
    APPEND = "APPEND"
    ROWS_KEPT = "ROWS_KEPT"
    TABLE_OUT = "TABLE_OUT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "ImportPostgisAlgorithm",
        "<p>Reads an AIS file as <i>Import AIS file</i> does (same formats, same cleaning, every dropped row counted "
        "by reason in the log) and writes the reports to a PostGIS table with COPY: <code>mmsi</code>, "
        "<code>ts</code> (timestamptz, UTC), <code>geom</code> (Point, EPSG:4326), SOG, COG, heading, draught and "
        "the text fields, indexed on (mmsi, ts) and on geom, so that a month of files becomes an archive that "
        "<i>Detect dark gaps in PostGIS</i> (columns <code>ts</code> and <code>geom</code>) and QGIS query "
        "directly. An existing table is replaced only when asked, or, with <i>append</i>, added to (a month of files "
        "imported one by one into one archive table; its indexes are kept).</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.INPUT, self.tr("AIS file")))
        labels = [FORMAT_LABELS[f] for f in AisFormat]
        self.addParameter(
            QgsProcessingParameterEnum(self.FORMAT, self.tr("Format"), options=labels, defaultValue=int(AisFormat.AUTO))
        )
        self.addParameter(
            QgsProcessingParameterProviderConnection(self.CONNECTION, self.tr("PostgreSQL connection"), "postgres")
        )
        self.addParameter(
            QgsProcessingParameterString(self.TABLE, self.tr("Table to create (schema.table)"), "public.ais")
        )
        self.addParameter(QgsProcessingParameterBoolean(self.REPLACE, self.tr("Replace the table if it exists"), False))
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.APPEND, self.tr("Or append to it (a table this algorithm made)"), False, optional=True
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_KEPT, self.tr("Reports written")))
        self.addOutput(QgsProcessingOutputString(self.TABLE_OUT, self.tr("Table")))

    def compute(self, parameters, context, feedback):
        path = self.parameterAsFile(parameters, self.INPUT, context)
        fmt = AisFormat(self.parameterAsEnum(parameters, self.FORMAT, context))
        table = self.parameterAsString(parameters, self.TABLE, context).strip()
        replace = self.parameterAsBoolean(parameters, self.REPLACE, context)
        append = self.parameterAsBoolean(parameters, self.APPEND, context)
        conn = connect(self.parameterAsConnectionName(parameters, self.CONNECTION, context))
        try:
            check_target(conn, table, replace, append)  # before minutes of reading, not after
            progress, is_canceled = progress_callbacks(feedback, 0, 40)
            result = read_ais(
                path, fmt, {}, None, progress=progress, is_canceled=is_canceled, time_window=plausible_time_window()
            )
            for line in result.summary_lines():
                feedback.pushInfo(line)
            result.require_reports(path)
            progress, is_canceled = progress_callbacks(feedback, 40, 60)
            rows = import_columns(
                conn, table, result.columns, replace, progress=progress, is_canceled=is_canceled, append=append
            )
        finally:
            conn.close()
        feedback.pushInfo(f"{rows:,} reports written to {table}.")
        return {self.ROWS_KEPT: rows, self.TABLE_OUT: table}
