"""baimei:anomalies — identity anomalies: impossible jumps, shared or invalid MMSIs, changes of identity."""

from __future__ import annotations

from collections import Counter

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.anomalies import AnomalyCriteria, find_anomalies
from ..core.errors import BaiMeiError
from ..core.layer_kinds import ANOMALIES
from .base import AisInputMixin, BaiMeiAlgorithm, progress_callbacks


class AnomaliesAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "anomalies"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("AnomaliesAlgorithm", "Identity anomalies")
    GROUP = "Analysis"
    MAX_SPEED_KN = "MAX_SPEED_KN"
    FLAGS = "FLAGS"
    FLAG_FIELD = "FLAG_FIELD"
    OUTPUT = "OUTPUT"
    ANOMALY_COUNT = "ANOMALY_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "AnomaliesAlgorithm",
        "<p>Signs that an AIS identity is not what it says. <b>jump</b>: consecutive reports of one MMSI further "
        "apart than <i>maximum speed</i> (50 kn) allows (spoofing, or two ships sharing an MMSI — "
        "<b>shared_mmsi</b> when its reports split into two or more tracks running at the same time, each out of "
        "reach of the others; the evidence gives each track's reports, times and extent). Every jump is listed. "
        "<b>conflicting_duplicate</b>: reports of one MMSI at the same second more than 1 nm apart (one per MMSI, at "
        "the largest, with their number). <b>invalid_mmsi</b> (not 9 digits, or no ITU format; reports with MMSI 0 "
        "or below are left out when reading and still reported here with their number), "
        "<b>unallocated_mid</b> (the country prefix is not in the ITU MID table shipped with the plugin), "
        "<b>special_mmsi</b> (coast stations, SAR aircraft, AtoN… described, not flagged). <b>name_change</b>, "
        "<b>imo_change</b>, <b>callsign_change</b> under one MMSI, and <b>invalid_imo</b> (the IMO check digit "
        "fails). Each anomaly is a point with its evidence in plain words.</p>"
        "<p><b>flag_mismatch</b>: give a table of flags (<i>Flags</i>: any layer or table with an <code>mmsi</code> "
        "field and a <i>flag field</i> holding ISO 3166 two-letter country codes, such as a registry extract) and "
        "each MMSI whose MID country differs from its flag is reported.</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_ais_input()
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_SPEED_KN,
                self.tr("Maximum plausible speed (kn)"),
                QgsProcessingParameterNumber.Type.Double,
                AnomalyCriteria().max_speed_kn,
                True,
                1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.FLAGS,
                self.tr("Flags (table with mmsi and a flag field)"),
                [QgsProcessing.SourceType.TypeVector],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.FLAG_FIELD, self.tr("Flag field (ISO country code)"), "flag", self.FLAGS, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Anomalies"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.ANOMALY_COUNT, self.tr("Number of anomalies")))

    def flag_table(self, parameters, context):
        """MMSI -> flag (ISO code) from the optional flags table; None without one."""
        source = self.parameterAsSource(parameters, self.FLAGS, context)
        if source is None:
            return None
        field = self.parameterAsString(parameters, self.FLAG_FIELD, context) or "flag"
        names = source.fields().names()
        missing = [n for n in ("mmsi", field) if n not in names]
        if missing:
            raise BaiMeiError(f"The flags table has no field {', '.join(missing)} (fields: {', '.join(names)}).")
        flags = {}
        for feature in source.getFeatures():
            mmsi, flag = feature["mmsi"], feature[field]
            try:
                mmsi = int(mmsi)
            except (TypeError, ValueError):
                continue
            if isinstance(flag, str) and flag.strip():
                flags[mmsi] = flag.strip().upper()
        return flags

    def compute(self, parameters, context, feedback):
        reports = self.read_ais_input(parameters, context, feedback)
        criteria = AnomalyCriteria(max_speed_kn=self.parameterAsDouble(parameters, self.MAX_SPEED_KN, context))
        feedback.setProgressText("Looking for anomalies")
        progress, is_canceled = progress_callbacks(feedback, 40, 50)
        flags = self.flag_table(parameters, context)
        found = find_anomalies(
            reports.columns, flags=flags, criteria=criteria, progress=progress, is_canceled=is_canceled, cleaned=reports
        )
        for kind, count in sorted(Counter(a.kind for a in found.anomalies).items()):
            feedback.pushInfo(f"{count:,} {kind}")
        dest_id = self.write_records(
            parameters,
            self.OUTPUT,
            context,
            found.anomalies,
            ANOMALIES,
        )
        return {self.OUTPUT: dest_id, self.ANOMALY_COUNT: len(found.anomalies)}
