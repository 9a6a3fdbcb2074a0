"""The gap criteria form of the Gaps page, generated from the description of the criteria in ``core.gaps``
(CRITERIA_FIELDS): a preset and one spin box per criterion. A new criterion needs no change here.

Presets behave as in Processing: choosing one shows its values, read-only; "Custom" makes them editable. The
criteria are read through ``core.gaps.criteria_with``, the one rule by which a preset's values win.
"""

from __future__ import annotations

from typing import Dict

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QAbstractSpinBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget

from ..core.gaps import (
    CRITERIA_FIELDS,
    DEFAULT_PRESET,
    PRESET_CUSTOM,
    PRESET_DESCRIPTIONS,
    PRESET_NAMES,
    PRESETS,
    CriterionField,
    GapCriteria,
    criteria_with,
)
from ..qgis_io.i18n import tr

PRESET_SETTING = "preset"


def _editor(field: CriterionField, parent: QWidget) -> QAbstractSpinBox:
    spin = QSpinBox(parent) if field.integer else QDoubleSpinBox(parent)
    spin.setObjectName(f"{field.name}Spin")
    spin.setRange(field.minimum, field.maximum)
    if field.unit:
        spin.setSuffix(f" {field.unit}")
    spin.setValue(field.default)
    spin.setToolTip(field.help)
    return spin


class CriteriaWidget(QWidget):
    """``presetCombo`` and ``editors`` (criterion name -> spin box); ``criteria()`` is what the form says."""

    presetChanged = pyqtSignal(str)  # the preset's name

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("criteriaWidget")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.presetCombo = QComboBox(self)
        self.presetCombo.setObjectName("presetCombo")
        for index, name in enumerate(PRESET_NAMES):
            self.presetCombo.addItem(name)
            self.presetCombo.setItemData(index, PRESET_DESCRIPTIONS[name], Qt.ItemDataRole.ToolTipRole)
        form.addRow(tr("Preset"), self.presetCombo)
        self.editors: Dict[str, QAbstractSpinBox] = {}
        for field in CRITERIA_FIELDS:
            self.editors[field.name] = _editor(field, self)
            form.addRow(field.short_label, self.editors[field.name])
        self.presetCombo.currentTextChanged.connect(self._on_preset)
        self._on_preset(self.preset())

    def preset(self) -> str:
        return self.presetCombo.currentText()

    def set_preset(self, name: str) -> None:
        self.presetCombo.setCurrentText(name if name in PRESETS else DEFAULT_PRESET)  # names of older versions

    def values(self) -> dict:
        return {name: editor.value() for name, editor in self.editors.items()}

    def criteria(self) -> GapCriteria:
        return criteria_with(self.values(), self.preset())

    def set_criteria(self, criteria: GapCriteria) -> None:
        """Show these criteria as Custom ones (editable)."""
        self.set_preset(PRESET_CUSTOM)
        self._show(criteria)

    def _show(self, criteria: GapCriteria) -> None:
        for name, editor in self.editors.items():
            editor.setValue(getattr(criteria, name))

    def _on_preset(self, name: str) -> None:
        preset = PRESETS.get(name)
        self.presetCombo.setToolTip(PRESET_DESCRIPTIONS.get(name, ""))
        for editor in self.editors.values():
            editor.setReadOnly(preset is not None)
            # no arrows on a preset's values: they read as fixed, not as disabled
            editor.setButtonSymbols(
                QAbstractSpinBox.ButtonSymbols.NoButtons
                if preset is not None
                else QAbstractSpinBox.ButtonSymbols.UpDownArrows
            )
        if preset is not None:
            self._show(preset)
        self.presetChanged.emit(name)

    # --- settings -------------------------------------------------------------------------------------------
    def restore(self, settings) -> None:
        """The preset and values of the last session (values first: a preset then shows its own)."""
        for field in CRITERIA_FIELDS:
            value = settings.value(field.name, field.default)
            try:
                self.editors[field.name].setValue(int(float(value)) if field.integer else float(value))
            except (TypeError, ValueError):  # a setting edited by hand: the default
                self.editors[field.name].setValue(field.default)
        self.set_preset(str(settings.value(PRESET_SETTING, DEFAULT_PRESET)))
        self._on_preset(self.preset())

    def save(self, settings) -> None:
        settings.set_value(PRESET_SETTING, self.preset())
        for name, value in self.values().items():
            settings.set_value(name, value)
