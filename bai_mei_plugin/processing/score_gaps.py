"""baimei:scoregaps — every dark gap scored: how suspicious it is, why, and its rank among all the gaps."""

from __future__ import annotations

import html
import json
from typing import Dict, List, Optional

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.errors import BaiMeiError
from ..core.layer_kinds import GAPS, layer_kind, scored_gaps_of
from ..core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, Weights, parse_port_list, score_gaps
from ..qgis_io.inputs import default_ports, gaps_from_source, ports_from_source
from ..qgis_io.land import land_index, land_polygons
from ..qgis_io.layer_kinds import kind_fields, recognised_kind, wkb_type
from ..qgis_io.records import record_features
from ..qgis_io.sources import WGS84
from ..qgis_io.styles import post_processor
from .base import AisInputMixin, BaiMeiAlgorithm, file_destination, progress_callbacks
from .gap_reachability import land_input

GAP_KINDS = ("gaps", "scored_gaps")  # a scored layer may be scored again (other weights, lists, ports)
HISTORY_PREFIX = "baimei:scoregaps weights: "  # the output layer's metadata history: the weights used
REPORTS_NEEDED = (
    "next port seen after the gap, the vessel's identity anomalies, ships stopped in its reachable sea "
    "(rendezvous) and its reported IMO and names on a sanctions list"
)


def weights_json(weights: Weights) -> str:
    """``weights`` as JSON on one line (WEIGHTS_USED, the metadata; ``Weights.from_json`` reads it back): one line
    reads well in qgis_process's output and a model's results."""
    return json.dumps(weights.to_dict(), sort_keys=True)


def weights_history(weights: Weights) -> str:
    """The metadata history item recording ``weights`` (``weights_from_history`` reads it back)."""
    return HISTORY_PREFIX + weights_json(weights)


def weights_from_history(layer) -> Optional[Weights]:
    """The weights a layer written by baimei:scoregaps was scored with (its metadata history), None if not one."""
    for item in reversed(layer.metadata().history()):
        if item.startswith(HISTORY_PREFIX):
            return Weights.from_json(item[len(HISTORY_PREFIX) :])
    return None


def _only_table(gpkg: str) -> Optional[str]:
    """The one feature table of a GeoPackage written as a whole file (None if it has several or cannot be read)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchall()
    except sqlite3.Error:
        return None
    return rows[0][0] if len(rows) == 1 else None


def _weights_table() -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(words)}</td><td>{default:g}</td></tr>"
        for name, words, default in Weights.describe()
    )
    return f"<table><tr><th>Weight</th><th>What</th><th>Default</th></tr>{rows}</table>"


class ScoreGapsAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "scoregaps"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("ScoreGapsAlgorithm", "Score dark gaps by suspicion")
    GROUP = "Analysis"
    GAPS = "GAPS"
    PORTS = "PORTS"
    INTEREST_PORTS = "INTEREST_PORTS"
    WATCHLIST = "WATCHLIST"
    USE_SAVED_LISTS = "USE_SAVED_LISTS"
    LAND = "LAND"
    MAX_SPEED_KN = "MAX_SPEED_KN"
    WEIGHTS = "WEIGHTS"
    OUTPUT = "OUTPUT"
    GAP_COUNT = "GAP_COUNT"
    HIGH_COUNT = "HIGH_COUNT"
    MEDIUM_COUNT = "MEDIUM_COUNT"
    LOW_COUNT = "LOW_COUNT"
    TOP_GAP = "TOP_GAP"
    WEIGHTS_USED = "WEIGHTS_USED"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "ScoreGapsAlgorithm",
        "<p>Scores every dark gap (the output of Detect dark gaps) by how suspicious it is, so that the gap that "
        "matters stands out among hundreds without knowing the vessel's name. Each reason adds (or, for a port "
        "call, removes) points: a port of interest reachable by sea with the longest possible stay; the draught "
        "rose (loaded) or fell (unloaded); the declared destination changed, or the next port seen is not the one "
        "declared; both ends offshore (Global Fishing Watch's criterion) or, lowering it, both ends at a berth or "
        "anchorage of one port at speed ≈ 0 (a port call); good reception before the gap (the silence looks "
        "deliberate); identity anomalies of the vessel near the gap; another ship stopped in its reachable sea "
        "while it was dark (rendezvous); its other gaps in the same area; the vessel on a sanctions list.</p>"
        "<p><b>Output</b>: the gaps with <code>suspicion</code> (points), <code>suspicion_level</code> (none, low, "
        "medium, high), <code>suspicion_rank</code> (1 = most suspicious) and <code>why</code> (every reason with "
        "its points, in words), sorted by rank; <code>review_status</code> and <code>review_note</code> carry the "
        "project's review queue. The weights used are written into the layer's metadata (history) and returned as "
        "<code>WEIGHTS_USED</code>.</p>"
        "<p><b>AIS points</b> (optional): without them the reasons that need the reports ({needs}) are skipped, "
        "and the log says so. <b>Ports</b>: points or port outlines (default: the bundled gazetteer). "
        "<b>Ports of interest</b>: names or UN/LOCODEs, comma-separated (default: {interest}). <b>Sanctions "
        "list</b>: OFAC's <code>sdn.csv</code> or any CSV with IMO, MMSI or name columns; empty = the lists saved "
        "in your profile (the dock's Vessels page), unless <i>use the lists saved in your profile</i> (advanced) is "
        "off. <b>Land</b>: default QGIS's world map. <b>Maximum speed</b>: "
        "0 = each vessel's default, as in Gap reachability.</p>"
        '<p><b>Weights</b> (optional JSON, e.g. <code>{{"port_call": -6, "watchlist": 5}}</code>; keys left out '
        "keep their default):</p>{table}"
    )
    # fmt: on

    def shortHelpString(self):  # noqa: N802
        return self.tr(self.HELP).format(
            needs=html.escape(REPORTS_NEEDED),
            interest=html.escape(", ".join(DEFAULT_INTEREST_PORTS)),
            table=_weights_table(),
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.GAPS, self.tr("Dark gaps (from Detect dark gaps)"), [QgsProcessing.SourceType.TypeVectorLine]
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("AIS points (optional: the reasons that need reports)"),
                [QgsProcessing.SourceType.TypeVectorPoint],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(self.MMSI_FIELD, self.tr("MMSI field"), "mmsi", self.INPUT, optional=True)
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.TIME_FIELD, self.tr("Time field (UTC)"), "timestamp", self.INPUT, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.PORTS,
                self.tr("Ports: points, or port outlines as polygons (default: bundled gazetteer)"),
                [QgsProcessing.SourceType.TypeVectorPoint, QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.INTEREST_PORTS,
                self.tr("Ports of interest (comma-separated)"),
                ", ".join(DEFAULT_INTEREST_PORTS),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.WATCHLIST,
                self.tr(
                    "Sanctions list (OFAC sdn.csv or a CSV with IMO/MMSI/name; empty: the lists saved in your profile)"
                ),
                fileFilter="CSV files (*.csv *.CSV *.txt);;All files (*)",
                optional=True,
            )
        )
        saved_lists = QgsProcessingParameterBoolean(
            self.USE_SAVED_LISTS,
            self.tr("Without a sanctions list file, use the lists saved in your profile"),
            True,
            optional=True,
        )
        # advanced: a model or script that must give the same answer on every machine turns it off
        saved_lists.setFlags(saved_lists.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(saved_lists)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.LAND,
                self.tr("Land polygons (default: QGIS's world map)"),
                [QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_SPEED_KN,
                self.tr("Maximum speed (kn; 0 = per-vessel default)"),
                QgsProcessingParameterNumber.Type.Double,
                0.0,
                True,
                0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.WEIGHTS, self.tr("Weights (JSON; empty: the defaults)"), "", multiLine=True, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Dark gaps by suspicion"), QgsProcessing.SourceType.TypeVectorLine
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.GAP_COUNT, self.tr("Number of gaps scored")))
        self.addOutput(QgsProcessingOutputNumber(self.HIGH_COUNT, self.tr("Gaps of high suspicion")))
        self.addOutput(QgsProcessingOutputNumber(self.MEDIUM_COUNT, self.tr("Gaps of medium suspicion")))
        self.addOutput(QgsProcessingOutputNumber(self.LOW_COUNT, self.tr("Gaps of low suspicion")))
        self.addOutput(QgsProcessingOutputString(self.TOP_GAP, self.tr("The most suspicious gap (gap_id)")))
        self.addOutput(QgsProcessingOutputString(self.WEIGHTS_USED, self.tr("Weights used (JSON)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        results = super().processAlgorithm(parameters, context, feedback)
        # Once the file is complete (renamed over its final name), the weights go into its metadata.
        self._record_weights(results[self.OUTPUT], results[self.WEIGHTS_USED], feedback)
        return results

    def compute(self, parameters, context, feedback):
        weights = self._weights(parameters, context)
        gaps = self._gaps(parameters, context, feedback)
        reports = self._reports(parameters, context, feedback)
        feedback.setProgressText("Preparing ports, land and sanctions lists")
        ports_source = self.parameterAsSource(parameters, self.PORTS, context)
        ports = ports_from_source(ports_source) if ports_source is not None else default_ports()
        interest = InterestPorts(parse_port_list(self.parameterAsString(parameters, self.INTEREST_PORTS, context)))
        land = land_input(self, parameters, self.LAND, context)
        watchlists = self._watchlists(parameters, context, feedback)
        speed = self.parameterAsDouble(parameters, self.MAX_SPEED_KN, context)
        feedback.setProgress(25)
        feedback.setProgressText(f"Scoring {len(gaps):,} gaps")
        progress, is_canceled = progress_callbacks(feedback, 25, 70)
        result = score_gaps(
            gaps,
            reports,
            ports,
            interest,
            land_index=land_index(land),
            land_polygons=land_polygons(land),
            watchlists=watchlists,
            weights=weights,
            max_speed_kn=speed if speed > 0 else None,
            progress=progress,
            is_canceled=is_canceled,
        )
        for note in result.notes:
            feedback.reportError(note, False)
        counts = self._report(result.scores, feedback)
        ranked = sorted(zip(result.scores, gaps), key=lambda pair: pair[0].rank)
        feedback.setProgressText("Writing the scored gaps")
        return {
            self.OUTPUT: self._write(parameters, context, ranked, result.weights),
            self.GAP_COUNT: len(gaps),
            self.HIGH_COUNT: counts.get("high", 0),
            self.MEDIUM_COUNT: counts.get("medium", 0),
            self.LOW_COUNT: counts.get("low", 0),
            self.TOP_GAP: ranked[0][0].gap_id if ranked else "",
            self.WEIGHTS_USED: weights_json(result.weights),
        }

    def _weights(self, parameters, context) -> Weights:
        """The WEIGHTS given (JSON; keys left out keep their default), checked before anything is read."""
        text = (self.parameterAsString(parameters, self.WEIGHTS, context) or "").strip()
        if not text:
            return Weights()
        try:
            return Weights.from_json(text)
        except BaiMeiError as exc:
            raise BaiMeiError(f"WEIGHTS: {exc.message}", exc.details) from None

    def _gaps(self, parameters, context, feedback) -> List:
        source = self.parameterAsSource(parameters, self.GAPS, context)
        if source is None:
            raise BaiMeiError("Choose the dark gaps layer (the Dark gaps output of Detect dark gaps).")
        kind = recognised_kind(source)
        if kind not in GAP_KINDS:
            missing = sorted(GAPS.signature - set(source.fields().names()))
            looks = f" (it looks like a {layer_kind(kind).title} layer)" if kind else ""
            raise BaiMeiError(
                f"GAPS: {source.sourceName()} is not a dark gaps layer: it lacks the field(s) {', '.join(missing)}"
                f"{looks}. Use the Dark gaps output of Detect dark gaps (baimei:detectgaps)."
            )
        gaps = gaps_from_source(source)
        feedback.pushInfo(f"{len(gaps):,} gaps.")
        return gaps

    def _reports(self, parameters, context, feedback):
        if self.parameterAsSource(parameters, self.INPUT, context) is None:
            feedback.pushInfo(f"No AIS points: the reasons that need the reports ({REPORTS_NEEDED}) are skipped.")
            return None
        return self.read_ais_input(parameters, context, feedback).columns

    def _watchlists(self, parameters, context, feedback) -> list:
        """The WATCHLIST file read, or (empty) the lists saved in the user's profile."""
        path = self.parameterAsFile(parameters, self.WATCHLIST, context)
        if path:
            from ..core.watchlists import read_watchlist

            lists = [read_watchlist(path)]
        elif self.parameterAsBoolean(parameters, self.USE_SAVED_LISTS, context):
            from ..qgis_io.watchlist_store import saved_watchlists

            lists = saved_watchlists()
        else:
            lists = []
        if not lists:
            feedback.pushInfo("No sanctions list: none given, and none saved in your profile or not used.")
        for wl in lists:
            feedback.pushInfo(
                f"Sanctions list {wl.name} ({wl.published or 'date unknown'}, from {wl.source}): "
                f"{len(wl.entries):,} vessels."
            )
        return lists

    @staticmethod
    def _report(scores, feedback) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for score in scores:
            counts[score.level] = counts.get(score.level, 0) + 1
        feedback.pushInfo(
            f"{len(scores):,} gaps scored: "
            + ", ".join(f"{counts.get(level, 0):,} {level}" for level in ("high", "medium", "low", "none"))
            + "."
        )
        for score in sorted(scores, key=lambda s: s.rank)[:5]:
            feedback.pushInfo(f"  #{score.rank} {score.gap_id} (MMSI {score.mmsi}): {score.why}")
        return counts

    def _write(self, parameters, context, ranked, weights: Weights) -> str:
        """The gaps, most suspicious first, with their score and review fields."""
        kind = scored_gaps_of({score.gap_id: score for score, _ in ranked}, self._reviews(context))
        fields = kind_fields(kind)
        sink, dest_id = self.create_sink(parameters, self.OUTPUT, context, fields, wkb_type(kind), WGS84)
        sink.addFeatures(
            list(record_features([gap for _, gap in ranked], kind, fields)), QgsFeatureSink.Flag.FastInsert
        )
        if context.willLoadLayerOnCompletion(dest_id):
            details = context.layerToLoadOnCompletionDetails(dest_id)
            details.setPostProcessor(post_processor(kind.name, weights_history(weights)))
        return dest_id

    @staticmethod
    def _reviews(context) -> dict:
        """The project's review queue (gap_id -> Review), so that a re-run keeps the analysts' reviews."""
        project = context.project()
        if project is None:
            return {}
        from ..qgis_io.review import load_reviews

        return load_reviews(project)

    @staticmethod
    def _record_weights(dest_id: str, weights_json: str, feedback) -> None:
        """Write the weights into the metadata of a GeoPackage output (a memory or loaded layer gets them from its
        post-processor)."""
        target = file_destination(dest_id)
        if target is None or not target[0].lower().endswith(".gpkg"):
            return
        from qgis.core import QgsProviderRegistry, QgsVectorLayer

        path, table = target
        table = table or _only_table(path)
        uri = f"{path}|layername={table}"
        layer = QgsVectorLayer(uri, "scored gaps", "ogr")
        if table is None or not layer.isValid():
            return
        metadata = layer.metadata()
        metadata.addHistoryItem(HISTORY_PREFIX + weights_json)
        saved, error = QgsProviderRegistry.instance().saveLayerMetadata("ogr", uri, metadata)
        if not saved:
            feedback.reportError(f"Could not write the weights into the metadata of {uri}: {error}", False)
