"""The gap criteria as Processing parameters, for every detect-gaps algorithm: added and read here only, generated
from the description of the criteria in ``core.gaps`` (CRITERIA_FIELDS), so a new criterion needs no change here.

Keys and defaults are stable (models and qgis_process calls store them): PRESET (an enum of the preset names, default
"Port call") and one number per criterion, keyed by its name in upper case (MIN_GAP_HOURS, MIN_SHORE_NM,
MIN_POSITIONS_BEFORE). A preset other than Custom overrides the numbers, and the log says which values were used.
"""

from __future__ import annotations

from qgis.core import QgsProcessingParameterEnum, QgsProcessingParameterNumber
from qgis.PyQt.QtCore import QCoreApplication

from ..core.gaps import (
    CRITERIA_FIELDS,
    DEFAULT_PRESET,
    PRESET_CUSTOM,
    PRESET_NAMES,
    GapCriteria,
    criteria_with,
    describe_criteria,
)

PRESET = "PRESET"


def add_criteria_parameters(alg) -> None:
    """The preset and one optional number per criterion (optional, so a model or qgis_process may omit them)."""
    alg.addParameter(
        QgsProcessingParameterEnum(
            PRESET,
            QCoreApplication.translate("BaiMeiAlgorithm", "Preset"),
            options=PRESET_NAMES,
            defaultValue=PRESET_NAMES.index(DEFAULT_PRESET),
            optional=True,
        )
    )
    for field in CRITERIA_FIELDS:
        kind = QgsProcessingParameterNumber.Type.Integer if field.integer else QgsProcessingParameterNumber.Type.Double
        parameter = QgsProcessingParameterNumber(
            field.key, field.label, kind, field.default, True, field.minimum, field.maximum
        )
        parameter.setHelp(field.help)
        alg.addParameter(parameter)


def criteria_from_parameters(alg, parameters, context, feedback) -> GapCriteria:
    """The criteria to use: the preset's, or (Custom) the numbers given. Logs them, and warns when a preset
    overrides numbers that were set."""
    values = {
        field.name: (alg.parameterAsInt if field.integer else alg.parameterAsDouble)(parameters, field.key, context)
        for field in CRITERIA_FIELDS
    }
    preset = PRESET_NAMES[alg.parameterAsEnum(parameters, PRESET, context)]
    given = criteria_with(values)
    criteria = criteria_with(values, preset)
    if given != criteria and given != GapCriteria():
        feedback.reportError(
            f"Preset '{preset}' overrides the criteria given ({describe_criteria(given)}); choose the preset "
            f"'{PRESET_CUSTOM}' to use them.",
            False,
        )
    feedback.pushInfo(f"Criteria ({preset}): {describe_criteria(criteria)}.")
    return criteria
