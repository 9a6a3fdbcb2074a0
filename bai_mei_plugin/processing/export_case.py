"""baimei:exportcase — the case's layers to GeoPackage, GeoJSON, KML and CSV, and optionally its PDF/HTML report."""

from __future__ import annotations

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.errors import BaiMeiError
from ..qgis_io.case_export import (
    FORMAT_LABELS,
    FORMATS,
    check_base_name,
    check_folder,
    export_layers,
    make_folder,
    with_reviews,
)
from .base import BaiMeiAlgorithm


class ExportCaseAlgorithm(BaiMeiAlgorithm):
    NAME = "exportcase"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("ExportCaseAlgorithm", "Export the case")
    GROUP = "Case"
    LAYERS = "LAYERS"
    FORMATS = "FORMATS"
    FOLDER = "FOLDER"
    NAME_PARAMETER = "NAME"
    OVERWRITE = "OVERWRITE"
    REPORT = "REPORT"
    MMSI = "MMSI"
    WRITTEN = "WRITTEN"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "ExportCaseAlgorithm",
        "<p>Writes the case's layers into one folder, for colleagues without QGIS and for the file.</p>"
        "<p><b>Formats.</b> <i>GeoPackage</i>: <code>NAME.gpkg</code> with every layer as a table and its style "
        "stored in the file (it opens styled in QGIS). <i>GeoJSON</i>: <code>NAME_layer.geojson</code> per layer, "
        "RFC 7946 (WGS 84 longitude/latitude), times as ISO 8601 UTC text (<code>2017-06-16T01:02:03Z</code>). "
        "<i>KML</i>: <code>NAME.kml</code> for Google Earth, a folder per layer, each placemark with a name, a "
        "readable description and its time — a TimeStamp for layers with one time field (sightings, scenes), a "
        "TimeSpan for layers with a start and an end (gaps, tracks, reachable areas) — so Google Earth's time "
        "slider plays the case; colours from the layer's style (meant for the case's layers, not for millions of AIS "
        "reports). <i>CSV</i>: <code>NAME_layer.csv</code> per "
        "layer, X/Y (longitude/latitude) columns for points, WKT for other geometries, times ISO 8601 UTC; text "
        "cells are quoted, and one starting with = + - @ or a tab gets a leading ' so that a spreadsheet shows it "
        "instead of running it as a formula (numbers stay numbers).</p>"
        "<p><b>Name</b>: a plain file name (letters, digits, spaces, - and _); characters some system cannot have in "
        'a file name (\\ / : * ? " &lt; &gt; |) are refused.</p>'
        "<p>Files are written under temporary names and renamed when all are complete: a failed or cancelled "
        "export leaves nothing. An existing file is an error unless <i>overwrite</i> is ticked.</p>"
        "<p><b>Report</b> (optional): <code>NAME_report.pdf</code> and <code>NAME_report.html</code> — the map of "
        "the vessel's track and dark gaps with its reachable sea, candidate ports, imagery footprints and "
        "sightings; the sightings with their features and top candidates; a timeline of AIS on/off and imagery; "
        "the data sources. Names, notes and other text from the data are printed as they are, never evaluated as "
        "QGIS expressions. Layers are recognised by name (gaps, tracks, reach_areas, candidate_visits, ports, "
        "footprints, sightings, candidates). The vessel is the <i>MMSI</i> given, else the one most sightings "
        "name as candidate, else the one with the longest gap. The layout comes from "
        "<code>resources/layouts/case_report.qpt</code>, which can be opened and edited as a QGIS layout "
        "template.</p>"
        "<p><b>Suspicion and review.</b> Gaps scored by <i>Score dark gaps by suspicion</i> keep their "
        "<code>suspicion</code>, <code>suspicion_level</code>, <code>suspicion_rank</code> and <code>why</code>; "
        "the report gives each of the vessel's gaps its rank and reasons. The project's review queue goes with the "
        "case: each gap's <code>review_status</code> and <code>review_note</code>, and a <code>review_queue</code> "
        "table of the case's reviewed gaps.</p>"
        "<p>Output <code>WRITTEN</code>: the paths written, separated by semicolons.</p>"
    )
    # fmt: on

    def flags(self):
        # The report renders a print layout: QGIS layouts are made and exported on the main thread.
        return super().flags() | QgsProcessingAlgorithm.Flag.FlagNoThreading

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterMultipleLayers(self.LAYERS, self.tr("Layers"), QgsProcessing.SourceType.TypeVector)
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FORMATS, self.tr("Formats"), options=list(FORMAT_LABELS), allowMultiple=True, defaultValue=[0]
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.NAME_PARAMETER, self.tr("Base name of the files"), defaultValue="bai_mei_case"
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.OVERWRITE, self.tr("Overwrite existing files"), False))
        self.addParameter(
            QgsProcessingParameterBoolean(self.REPORT, self.tr("Also write the case report (PDF and HTML)"), False)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MMSI,
                self.tr("Vessel of the report (MMSI; empty: guessed)"),
                QgsProcessingParameterNumber.Type.Integer,
                optional=True,
                minValue=0,
            )
        )
        self.addParameter(QgsProcessingParameterFolderDestination(self.FOLDER, self.tr("Folder")))
        self.addOutput(QgsProcessingOutputString(self.WRITTEN, self.tr("Files written")))

    @staticmethod
    def _with_reviews(layers, project, feedback):
        """The layers with the project's review queue: the gaps carry each verdict, and a review_queue table lists
        the case's reviewed gaps."""
        from ..qgis_io.review import load_reviews

        reviews = load_reviews(project)
        if not reviews:
            return layers
        out = with_reviews(layers, reviews)
        queue = next((layer for layer in out[len(layers) :]), None)
        feedback.pushInfo(
            f"Review queue: {queue.featureCount() if queue is not None else 0} of the case's gaps reviewed "
            f"({len(reviews)} reviews in the project)."
        )
        return out

    def compute(self, parameters, context, feedback):
        layers = [
            layer
            for layer in self.parameterAsLayerList(parameters, self.LAYERS, context)
            if isinstance(layer, QgsVectorLayer)
        ]
        if not layers:
            raise BaiMeiError("Choose at least one vector layer to export.")
        formats = [FORMATS[i] for i in self.parameterAsEnums(parameters, self.FORMATS, context)]
        folder = self.parameterAsString(parameters, self.FOLDER, context)
        name = self.parameterAsString(parameters, self.NAME_PARAMETER, context).strip() or "bai_mei_case"
        overwrite = self.parameterAsBoolean(parameters, self.OVERWRITE, context)
        report = self.parameterAsBoolean(parameters, self.REPORT, context)
        check_folder(folder)  # before anything is written: the report alone writes files too
        check_base_name(name)
        if report:  # checked before anything is written, so that a refusal leaves nothing behind
            targets = [os.path.join(folder, f"{name}_report.{ext}") for ext in ("pdf", "html")]
            existing = [os.path.basename(p) for p in targets if os.path.exists(p)]
            if existing and not overwrite:
                raise BaiMeiError(
                    f"{', '.join(existing)} already exist(s) in {folder}: choose another name or allow overwriting."
                )
        project = context.project() or QgsProject.instance()
        exported = self._with_reviews(layers, project, feedback)
        written = export_layers(exported, folder, formats, name, feedback, overwrite) if formats else []
        if report:
            from ..qgis_io.case_report import case_layers, guess_vessel, write_case_report

            feedback.setProgressText("Writing the case report")
            make_folder(folder)
            by_kind = case_layers(layers)
            mmsi = self.parameterAsInt(parameters, self.MMSI, context) if parameters.get(self.MMSI) else None
            vessel = guess_vessel(by_kind, mmsi)
            pdf, html = targets
            write_case_report(project, by_kind, vessel, pdf, html)
            written += [pdf, html]
            feedback.pushInfo(f"Wrote {pdf} and {html}")
        if not written:
            raise BaiMeiError("Nothing to write: choose at least one format or the report.")
        return {self.FOLDER: folder, self.WRITTEN: ";".join(written)}
