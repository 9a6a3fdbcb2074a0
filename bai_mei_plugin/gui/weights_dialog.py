"""The scoring weights in a small dialog: one box per weight or threshold (core.suspicion.Weights.describe(): field,
words, default), "Reset to defaults", and OK gives the new Weights (checked by Weights.from_dict)."""

from __future__ import annotations

from typing import Dict

from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..qgis_io.i18n import tr

SPIN_LIMIT = 1_000_000  # wide enough for any threshold (nm, hours, positions); Weights.from_dict checks the values
DECIMALS = 2


def _spin(default, value, parent):
    """An integer box for an integer default, else a decimal one."""
    if isinstance(default, int) and not isinstance(default, bool):
        spin = QSpinBox(parent)
        spin.setRange(-SPIN_LIMIT, SPIN_LIMIT)
        spin.setValue(int(value))
    else:
        spin = QDoubleSpinBox(parent)
        spin.setDecimals(DECIMALS)
        spin.setRange(-SPIN_LIMIT, SPIN_LIMIT)
        spin.setValue(float(value))
    return spin


class WeightsDialog(QDialog):
    def __init__(self, weights, parent=None):
        super().__init__(parent)
        self.setObjectName("weightsDialog")
        self.setWindowTitle(tr("Bai Mei: suspicion weights"))
        self.weights_class = type(weights)
        self.defaults: Dict[str, object] = {}
        self.exact: Dict[str, float] = {}  # the value each box was given, beyond the box's decimals
        self.spins: Dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr("Points given by each reason of suspicion, and the thresholds that decide when a reason applies.")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        form = QFormLayout(body)
        for name, words, default in self.weights_class.describe():
            spin = _spin(default, getattr(weights, name, default), body)
            spin.setObjectName(f"weight_{name}")
            spin.setToolTip(tr("{words} (default {default})").format(words=words, default=default))
            label = QLabel(name.replace("_", " "), body)
            label.setToolTip(words)
            form.addRow(label, spin)
            self.spins[name] = spin
            self.defaults[name] = default
            self.exact[name] = getattr(weights, name, default)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setText(tr("Reset to defaults"))
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.reset)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(460, 520)

    def reset(self) -> None:
        for name, spin in self.spins.items():
            spin.setValue(self.defaults[name])
            self.exact[name] = self.defaults[name]

    def values(self) -> Dict[str, object]:
        """The boxes' values; a box left as it was given keeps the exact value (a default such as 5.3996 nm shows
        as 5.40 but is not changed by opening and closing the dialog)."""
        out = {}
        for name, spin in self.spins.items():
            exact = self.exact[name]
            out[name] = exact if spin.value() == round(exact, DECIMALS) else spin.value()
        return out

    def weights(self):
        """The weights of the boxes (BaiMeiError naming the field when the scorer refuses a value)."""
        return self.weights_class.from_dict(self.values())
