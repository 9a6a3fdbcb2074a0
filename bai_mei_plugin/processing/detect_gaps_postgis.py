"""baimei:detectgapspostgis — the same dark gaps, computed by the PostGIS server where the reports are kept."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.errors import BaiMeiError
from ..core.gap_engine import POSTGIS, ReportsLocation
from ..engines.postgis_gaps import DEFAULT_COLUMNS, LandUpload, PostgisGapEngine
from ..engines.postgis_land import LandTable
from ..qgis_io.land import default_land
from ..qgis_io.postgres import connect, table_layer
from ..qgis_io.styles import post_processor
from .detect_gaps import DetectGapsAlgorithm


class DetectGapsPostgisAlgorithm(DetectGapsAlgorithm):
    NAME = "detectgapspostgis"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("DetectGapsPostgisAlgorithm", "Detect dark gaps in PostGIS")
    GROUP = "Large archives"
    CONNECTION = "CONNECTION"
    TABLE = "TABLE"
    COLUMNS = {
        "MMSI_COLUMN": ("mmsi", DEFAULT_COLUMNS["mmsi"], False),
        "TIME_COLUMN": ("time", DEFAULT_COLUMNS["time"], False),
        "GEOMETRY_COLUMN": ("geometry", "", True),
        "LON_COLUMN": ("lon", "", True),
        "LAT_COLUMN": ("lat", "", True),
        "SOG_COLUMN": ("sog", "", True),
        "DRAUGHT_COLUMN": ("draught", "", True),
        "NAME_COLUMN": ("vessel_name", "", True),
        "DESTINATION_COLUMN": ("destination", "", True),
    }
    LAND_TABLE = "LAND_TABLE"
    LAND_GEOMETRY_COLUMN = "LAND_GEOMETRY_COLUMN"
    UPLOAD_LAND = "UPLOAD_LAND"
    LAND_SCHEMA = "LAND_SCHEMA"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OVERWRITE = "OVERWRITE"
    OUTPUT_LAYER = "OUTPUT_LAYER"
    TABLE_OUT = "TABLE_OUT"
    START = "START"
    END = "END"
    EXTENT = "EXTENT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "DetectGapsPostgisAlgorithm",
        "<p>The dark gaps of <i>Detect dark gaps</i> (same definition and criteria, identical results), computed "
        "by the PostGIS server in one SQL statement (window functions over each MMSI's reports in time order, "
        "great-circle distances with geography on the plugin's sphere): the reports never leave the database.</p>"
        "<p><b>Connection</b>: one of QGIS's PostgreSQL connections (its credentials stay in QGIS). <b>Table</b>: "
        "<code>schema.table</code> or a table on the search path; columns: MMSI, time (timestamptz, timestamp as "
        "UTC, or epoch seconds), and a Point geometry or longitude and latitude columns. Names are checked against "
        "the database and always quoted.</p>"
        "<p><b>Distance from shore</b> (needed by a minimum distance from shore; fills off/on_shore_nm): a "
        "<i>land table</i> of polygons on the server (<code>schema.table</code> and its geometry column, any SRID), "
        "or <i>upload the bundled land</i>: QGIS's world map, the in-process engine's default land, written once to "
        "<code>&lt;schema&gt;.baimei_land</code> and <code>baimei_land_vertices</code> and reused while unchanged "
        "(content hash). Distances are those of the in-process engine (nearest vertex of the coastline densified "
        "to 1 km, 0 on land).</p>"
        "<p><b>Time range</b> and <b>extent</b> (optional) limit the reports the server looks at: a gap is then "
        "between two reports inside them.</p>"
        "<p><b>Gaps table</b>: with <code>schema.table</code> the gaps are also written on the server (one row per "
        "gap with the gaps layer's fields, <code>fid</code> primary key, LineString <code>geom</code>, indexed) "
        "and that PostGIS layer is loaded; an existing table is replaced only with <i>overwrite</i>. The Dark "
        "gaps output can then be left empty to skip streaming the gaps back.</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterProviderConnection(self.CONNECTION, self.tr("PostgreSQL connection"), "postgres")
        )
        self.addParameter(QgsProcessingParameterString(self.TABLE, self.tr("Table of AIS reports (schema.table)")))
        for key, (_, default, optional) in self.COLUMNS.items():
            label = key.replace("_COLUMN", "").replace("_", " ").capitalize() + " column"
            self.addParameter(QgsProcessingParameterString(key, label, default or None, optional=optional))
        self.add_criteria(land=False)
        self.addParameter(QgsProcessingParameterDateTime(self.START, self.tr("Only reports from (UTC)"), optional=True))
        self.addParameter(QgsProcessingParameterDateTime(self.END, self.tr("Only reports until (UTC)"), optional=True))
        self.addParameter(
            QgsProcessingParameterExtent(self.EXTENT, self.tr("Only reports within this extent"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.LAND_TABLE, self.tr("Land polygons table on the server (schema.table)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.LAND_GEOMETRY_COLUMN, self.tr("Geometry column of the land table"), "geom", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.UPLOAD_LAND,
                self.tr("Or use QGIS's world map as land, uploaded once to the server"),
                False,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.LAND_SCHEMA, self.tr("Schema for the uploaded land (baimei_land)"), "public", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.OUTPUT_TABLE, self.tr("Also write the gaps to a server table (schema.table)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.OVERWRITE, self.tr("Overwrite that table if it exists"), False, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_GAPS,
                self.tr("Dark gaps"),
                QgsProcessing.SourceType.TypeVectorLine,
                optional=True,
                createByDefault=True,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.GAP_COUNT, self.tr("Number of gaps")))
        self.addOutput(
            QgsProcessingOutputVectorLayer(
                self.OUTPUT_LAYER, self.tr("Gaps table (PostGIS layer)"), QgsProcessing.SourceType.TypeVectorLine
            )
        )
        self.addOutput(QgsProcessingOutputString(self.TABLE_OUT, self.tr("Gaps table (schema.table)")))

    def _land(self, parameters, context):
        """A land table on the server, the bundled land to upload, or None."""
        land_table = self.parameterAsString(parameters, self.LAND_TABLE, context).strip()
        upload = self.parameterAsBoolean(parameters, self.UPLOAD_LAND, context)
        if land_table and upload:
            raise BaiMeiError("Give either a land table or the option to upload the bundled land, not both.")
        if land_table:
            column = self.parameterAsString(parameters, self.LAND_GEOMETRY_COLUMN, context).strip() or "geom"
            return LandTable(land_table, column)
        if upload:
            schema = self.parameterAsString(parameters, self.LAND_SCHEMA, context).strip() or "public"
            return LandUpload(default_land, schema)
        return None

    def engine(self, parameters, context, feedback) -> PostgisGapEngine:
        name = self.parameterAsConnectionName(parameters, self.CONNECTION, context)
        table = self.parameterAsString(parameters, self.TABLE, context).strip()
        columns = {}
        for key, (core_name, _, _) in self.COLUMNS.items():
            value = self.parameterAsString(parameters, key, context).strip()
            if value:
                columns[core_name] = value
        time_range, bbox = self._limits(parameters, context, feedback)
        feedback.pushInfo(f"Connection {name}, table {table}.")
        return PostgisGapEngine(
            lambda: connect(name),
            table,
            columns,
            ReportsLocation(POSTGIS, f"{table} (PostGIS {name})", table),
            land=self._land(parameters, context),
            output_table=self.parameterAsString(parameters, self.OUTPUT_TABLE, context).strip() or None,
            overwrite=self.parameterAsBoolean(parameters, self.OVERWRITE, context),
            time_range=time_range,
            bbox=bbox,
        )

    def compute(self, parameters, context, feedback):
        criteria = self.criteria(parameters, context, feedback)
        engine = self.engine(parameters, context, feedback)
        feedback.setProgressText("The server is finding the gaps")
        found = engine.find_gaps(criteria, is_canceled=feedback.isCanceled)
        for note in found.notes:
            feedback.pushInfo(note)
        gaps = found.gaps
        outputs = {self.GAP_COUNT: len(gaps), self.OUTPUT_GAPS: None, self.OUTPUT_LAYER: None, self.TABLE_OUT: None}
        if self.parameterAsOutputLayer(parameters, self.OUTPUT_GAPS, context):
            outputs[self.OUTPUT_GAPS] = self.write_gaps(parameters, context, gaps)
        if engine.written_table is not None:
            name = self.parameterAsConnectionName(parameters, self.CONNECTION, context)
            outputs.update(self._table_output(context, feedback, name, engine.written_table))
        return outputs

    def _limits(self, parameters, context, feedback):
        """The optional time range (UTC epoch seconds; an open end is the epoch or far future) and lon/lat box."""
        bounds = []
        for key in (self.START, self.END):
            value = (
                self.parameterAsDateTime(parameters, key, context) if parameters.get(key) not in (None, "") else None
            )
            bounds.append(value.toSecsSinceEpoch() if value is not None and value.isValid() else None)
        time_range = None
        if bounds != [None, None]:
            start, end = bounds[0] if bounds[0] is not None else 0, bounds[1] if bounds[1] is not None else 2**40
            if end < start:
                raise BaiMeiError("The end of the time range is before its start.")
            time_range = (start, end)
            feedback.pushInfo(f"Reports from {bounds[0] or 'the start'} to {bounds[1] or 'the end'} (epoch s).")
        bbox = None
        if parameters.get(self.EXTENT) not in (None, ""):
            wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
            extent = self.parameterAsExtent(parameters, self.EXTENT, context, wgs84)
            if not extent.isNull() and not extent.isEmpty():
                bbox = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
                feedback.pushInfo(f"Reports within lon {bbox[0]:.4f}..{bbox[2]:.4f}, lat {bbox[1]:.4f}..{bbox[3]:.4f}.")
        return time_range, bbox

    def _table_output(self, context, feedback, connection: str, target) -> dict:
        schema, table = target
        layer = table_layer(connection, schema, table, layer_name=f"Dark gaps ({table})")
        feedback.pushInfo(f"The gaps are in the table {schema}.{table} ({layer.featureCount():,} rows).")
        context.temporaryLayerStore().addMapLayer(layer)
        details = QgsProcessingContext.LayerDetails(layer.name(), context.project(), self.OUTPUT_LAYER)
        details.setPostProcessor(post_processor("gaps"))
        context.addLayerToLoadOnCompletion(layer.id(), details)
        return {self.OUTPUT_LAYER: layer.id(), self.TABLE_OUT: f"{schema}.{table}"}
