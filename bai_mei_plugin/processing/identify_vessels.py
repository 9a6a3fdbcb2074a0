"""baimei:identifyvessels — rank who each sighted vessel could be, by its looks and by where ships were."""

from __future__ import annotations

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP

from ..core.errors import BaiMeiError
from ..core.identify import identify_vessels
from ..core.layer_kinds import CANDIDATES
from ..core.profiles import default_profiles_path, load_profiles
from ..qgis_io.footprints import source_geometries
from ..qgis_io.inputs import gaps_from_source, profiles_from_source, sightings_from_source
from .base import AisInputMixin, BaiMeiAlgorithm


class IdentifyVesselsAlgorithm(AisInputMixin, BaiMeiAlgorithm):
    NAME = "identifyvessels"
    DISPLAY_NAME = QT_TRANSLATE_NOOP("IdentifyVesselsAlgorithm", "Identify sighted vessels")
    GROUP = "Analysis"
    SIGHTINGS = "SIGHTINGS"
    PROFILES = "PROFILES"
    GAPS = "GAPS"
    AREAS = "AREAS"
    MAX_SPEED_KN = "MAX_SPEED_KN"
    NEAR_NM = "NEAR_NM"
    INCLUDE_UNPROFILED = "INCLUDE_UNPROFILED"
    OUTPUT = "OUTPUT"
    CANDIDATE_COUNT = "CANDIDATE_COUNT"
    # pylupdate5 skips a text followed by a comma, which the formatter would add here
    # fmt: off
    HELP = QT_TRANSLATE_NOOP(
        "IdentifyVesselsAlgorithm",
        "<p>For each vessel sighted on imagery, every profiled vessel is a candidate, ranked by how it looks and by "
        "whether it could have been there. One output point per sighting and candidate, <code>rank</code> 1 = most "
        "likely.</p>"
        "<p><b>Feature score</b> (0–1): over the features both the sighting and the profile have, the matched weight "
        "over the compared weight (length, hatches and cranes count twice). Counts, colours and types must be equal; "
        "a length or beam gets full credit within the profile's tolerance (10 m, 3 m), decreasing linearly to none "
        "at three times the tolerance. Features missing on either side neither help nor hurt; with none to compare "
        "the score is empty (counted as 0.5).</p>"
        "<p><b>Space–time status</b> at the sighting's time, with the vessel's maximum speed (<i>maximum speed</i>, "
        "or 0 for its default: 1.2 × its 95th-percentile SOG, at least 12 kn, at most 25 kn) and a slack of "
        "<i>distance counted as here</i> (5 nm): <i>dark and reachable</i> when the time falls in one of its "
        "<i>dark gaps</i> and it could have sailed from where it went dark to the sighting by then and on to where "
        "it reappeared (and the sighting is in the gap's <i>reachability area</i>, when given); <i>reporting "
        "here</i> when its AIS position, interpolated from reports within 1 h, is within that distance; "
        "<i>reporting nearby</i> when it is further but could have sailed there; <i>elsewhere</i> when its reports "
        "or its gap put it out of reach (excluded: listed with an empty rank); <i>no data</i> otherwise.</p>"
        "<p><b>Total score</b> = feature score × 1.0 (reporting here), 0.9 (dark and reachable), 0.6 (reporting "
        "nearby), 0.5 (no data) or 0 (elsewhere). <code>reasons</code> says why in words.</p>"
        "<p><b>Vessels without a profile</b>: optionally, every other MMSI of the AIS points or gaps is listed too "
        "when it was reporting there or could have been there while dark (no feature score).</p>"
        "<p>Profiles default to the bundled <i>synthetic</i> demo profiles of the BAI MEI 8 and its look-alikes "
        "(resources/profiles/bai_mei_8_profiles.csv; a CSV with the same columns can be given instead).</p>"
    )
    # fmt: on

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.SIGHTINGS, self.tr("Sightings"), [QgsProcessing.SourceType.TypeVectorPoint]
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.PROFILES,
                self.tr("Vessel profiles (default: the bundled synthetic BAI MEI 8 profiles)"),
                [QgsProcessing.SourceType.TypeVector],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT, self.tr("AIS points"), [QgsProcessing.SourceType.TypeVectorPoint], optional=True
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
                self.GAPS, self.tr("Dark gaps"), [QgsProcessing.SourceType.TypeVectorLine], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.AREAS,
                self.tr("Reachability areas (with gap_id)"),
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
            QgsProcessingParameterNumber(
                self.NEAR_NM,
                self.tr("Distance counted as here (nm)"),
                QgsProcessingParameterNumber.Type.Double,
                5.0,
                True,
                0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.INCLUDE_UNPROFILED,
                self.tr("Also list vessels without a profile that were or could have been there"),
                False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Candidate vessels"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.CANDIDATE_COUNT, self.tr("Number of candidate rows")))

    def _profiles(self, parameters, context, feedback):
        value = parameters.get(self.PROFILES)
        if isinstance(value, str) and value.lower().endswith(".csv") and os.path.isfile(value):
            return load_profiles(value)  # the CSV reader's messages name the line and field
        source = self.parameterAsSource(parameters, self.PROFILES, context)
        if source is None:
            feedback.pushInfo(f"Profiles: the bundled synthetic demo profiles ({default_profiles_path()}).")
            return load_profiles(default_profiles_path())
        return profiles_from_source(source, feedback)

    def compute(self, parameters, context, feedback):
        sightings_source = self.parameterAsSource(parameters, self.SIGHTINGS, context)
        if sightings_source is None:
            raise BaiMeiError("Choose the sightings layer.")
        sightings = sightings_from_source(sightings_source, context)
        profiles = self._profiles(parameters, context, feedback)
        feedback.pushInfo(f"{len(sightings):,} sightings, {len(profiles):,} profiles.")
        cols = None
        if self.parameterAsSource(parameters, self.INPUT, context) is not None:
            cols = self.read_ais_input(parameters, context, feedback).columns
        gaps_source = self.parameterAsSource(parameters, self.GAPS, context)
        gaps = gaps_from_source(gaps_source) if gaps_source is not None else []
        areas = None
        areas_source = self.parameterAsSource(parameters, self.AREAS, context)
        if areas_source is not None:
            if "gap_id" not in areas_source.fields().names():
                raise BaiMeiError(
                    "The reachability areas layer has no gap_id field: use the areas output of Gap "
                    "reachability (baimei:gapreachability)."
                )
            areas = {str(feature["gap_id"]): shape for feature, shape in source_geometries(areas_source, context)}
        if cols is None and not gaps:
            feedback.reportError(
                "No AIS points and no dark gaps: every candidate's space-time status is 'no data' "
                "and the ranking rests on the features alone.",
                False,
            )
        include = self.parameterAsBoolean(parameters, self.INCLUDE_UNPROFILED, context)
        if include and cols is None and not gaps:
            feedback.reportError("Vessels without a profile come from the AIS points or gaps: none given.", False)
        feedback.setProgressText("Ranking candidates")
        feedback.setProgress(60)
        candidates = identify_vessels(
            sightings,
            profiles,
            cols,
            gaps,
            areas,
            max_speed_kn=self.parameterAsDouble(parameters, self.MAX_SPEED_KN, context) or None,
            near_nm=self.parameterAsDouble(parameters, self.NEAR_NM, context),
            include_unprofiled=include,
            is_canceled=feedback.isCanceled,
        )
        ranked = sum(1 for c in candidates if c.rank is not None)
        feedback.pushInfo(
            f"{len(candidates):,} candidates, {ranked:,} ranked, {len(candidates) - ranked:,} excluded (elsewhere)."
        )
        for sighting in sightings:
            best = next((c for c in candidates if c.sighting_id == sighting.sighting_id and c.rank == 1), None)
            if best is not None:
                feedback.pushInfo(
                    f"Sighting {sighting.sighting_id}: {best.name} (MMSI {best.mmsi}), "
                    f"{best.spacetime_status}, score {best.total_score:.2f}."
                )
        dest = self.write_records(
            parameters,
            self.OUTPUT,
            context,
            candidates,
            CANDIDATES,
        )
        feedback.setProgress(100)
        return {self.OUTPUT: dest, self.CANDIDATE_COUNT: len(candidates)}
