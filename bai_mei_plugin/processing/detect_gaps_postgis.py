"""baimei:detectgapspostgis — the same dark gaps, computed by the PostGIS server where the reports are kept."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ..core.engines.postgis_gaps import detect_gaps_postgis
from ..qgis_io.postgres import connect
from .detect_gaps import DetectGapsAlgorithm


class DetectGapsPostgisAlgorithm(DetectGapsAlgorithm):
    NAME = "detectgapspostgis"
    DISPLAY_NAME = "Detect dark gaps in PostGIS"
    GROUP = "Large archives"
    CONNECTION = "CONNECTION"
    TABLE = "TABLE"
    COLUMNS = {"MMSI_COLUMN": ("mmsi", "mmsi", False), "TIME_COLUMN": ("time", "timestamp", False),
               "GEOMETRY_COLUMN": ("geometry", "", True), "LON_COLUMN": ("lon", "", True),
               "LAT_COLUMN": ("lat", "", True), "SOG_COLUMN": ("sog", "", True),
               "DRAUGHT_COLUMN": ("draught", "", True), "NAME_COLUMN": ("vessel_name", "", True),
               "DESTINATION_COLUMN": ("destination", "", True)}
    HELP = (
        "<p>The dark gaps of <i>Detect dark gaps</i> (same definition and criteria, identical results), computed "
        "by the PostGIS server in one SQL statement (window functions over each MMSI's reports in time order, "
        "great-circle distances with geography on the plugin's sphere): the reports never leave the database.</p>"
        "<p><b>Connection</b>: one of QGIS's PostgreSQL connections (its credentials stay in QGIS). <b>Table</b>: "
        "<code>schema.table</code> or a table on the search path; columns: MMSI, time (timestamptz, timestamp as "
        "UTC, or epoch seconds), and a Point geometry or longitude and latitude columns. Names are checked against "
        "the database and always quoted. A minimum distance from shore is not available in this engine yet.</p>"
    )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterProviderConnection(self.CONNECTION, "PostgreSQL connection",
                                                                   "postgres"))
        self.addParameter(QgsProcessingParameterString(self.TABLE, "Table of AIS reports (schema.table)"))
        for key, (_, default, optional) in self.COLUMNS.items():
            label = key.replace("_COLUMN", "").replace("_", " ").capitalize() + " column"
            self.addParameter(QgsProcessingParameterString(key, label, default or None, optional=optional))
        self.add_criteria(land=False)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT_GAPS, "Dark gaps",
                                                            QgsProcessing.TypeVectorLine))
        self.addOutput(QgsProcessingOutputNumber(self.GAP_COUNT, "Number of gaps"))

    def compute(self, parameters, context, feedback):
        criteria = self.criteria(parameters, context, feedback)
        name = self.parameterAsConnectionName(parameters, self.CONNECTION, context)
        table = self.parameterAsString(parameters, self.TABLE, context).strip()
        columns = {}
        for key, (core_name, _, _) in self.COLUMNS.items():
            value = self.parameterAsString(parameters, key, context).strip()
            if value:
                columns[core_name] = value
        feedback.pushInfo(f"Connection {name}, table {table}.")
        conn = connect(name)
        try:
            feedback.setProgressText("The server is finding the gaps")
            gaps = detect_gaps_postgis(conn, table, columns, criteria)
        finally:
            conn.close()
        feedback.pushInfo(f"{len(gaps):,} gaps.")
        return {self.OUTPUT_GAPS: self.write_gaps(parameters, context, gaps), self.GAP_COUNT: len(gaps)}
