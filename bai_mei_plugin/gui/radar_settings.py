"""The radar row's settings: the detector's and the matching's parameters (core.sar_detect.CfarParams,
core.sar_match.MatchParams, named as baimei:detectvessels and baimei:matchdetections name them) in a small dialog,
kept in QgsSettings under the plugin's prefix (``bai_mei/radar/...``; nothing secret) and read by the next Detect
vessels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from ..core.sar_detect import CfarParams
from ..core.sar_match import MatchParams
from ..qgis_io.i18n import tr
from .settings import PREFIX, Settings

PFA, LAND_BUFFER_M, MIN_LENGTH_M = "radar/pfa", "radar/land_buffer_m", "radar/min_length_m"
MAX_DISTANCE_M, DEAD_RECKONING_MIN = "radar/max_distance_m", "radar/dead_reckoning_min"


@dataclass(frozen=True)
class Field:
    """One setting: its key (under the plugin's prefix), the algorithm's name for it, its range and its box."""

    key: str
    label: str
    default: float
    minimum: float
    maximum: float
    decimals: int  # of its spin box; -1: a text box for a rate such as 1e-7
    help: str


def fields() -> Tuple[Field, ...]:
    """The settings with the algorithms' defaults (read from the parameter classes, so they cannot drift)."""
    cfar, matching = CfarParams(), MatchParams()
    rows = (  # key, label, default, minimum, maximum, decimals, help
        (PFA, tr("False-alarm rate (PFA)"), cfar.pfa, 1e-12, 1e-3, -1, tr(
            "How often a patch of empty sea may be taken for a ship: 1e-7 is one pixel in ten million. A larger "
            "rate (1e-5) also finds fainter, smaller boats and more false alarms; a smaller one (1e-9) only bright "
            "ships. Between 1e-12 and 1e-3."
        )),
        (LAND_BUFFER_M, tr("Land buffer (m)"), cfar.land_buffer_m, 0.0, 5000.0, 0, tr(
            "Sea this close to the coast is not searched, so quays, rocks and breakwaters are not taken for ships. "
            "Raise it where the world map's coastline is coarse."
        )),
        (MIN_LENGTH_M, tr("Minimum length (m)"), cfar.min_length_m, 0.0, 400.0, 0, tr(
            "Bright targets shorter than this are dropped: speckle, buoys and small boats. At Sentinel-1's 10 m "
            "pixels a vessel needs about 30 m to show at all."
        )),
        (MAX_DISTANCE_M, tr("Maximum match distance (m)"), matching.max_distance_m, 100.0, 20000.0, 0, tr(
            "How far a radar target may lie from where AIS puts a vessel at the scene's time and still be that "
            "vessel. Raise it where AIS reports are sparse."
        )),
        (DEAD_RECKONING_MIN, tr("Dead reckoning at most (minutes)"), matching.dead_reckoning_s / 60.0, 0.0, 360.0, 0,
         tr(
            "A vessel whose nearest AIS report is at most this far from the scene's time is moved along its course "
            "and speed to that time; a vessel with no report that near is not placed and cannot match."
        )),
    )  # fmt: skip
    return tuple(
        Field(key, label, default, low, high, decimals, f"{words} " + tr("Default: {value}.").format(
            value=f"{default:g}" if decimals < 0 else f"{default:,.0f}"))
        for key, label, default, low, high, decimals, words in rows
    )  # fmt: skip


def out_of_range(field: Field, value: Optional[float]) -> Optional[str]:
    """Why ``value`` cannot be ``field``'s (None when it can)."""
    if value is None or not field.minimum <= value <= field.maximum:
        found = tr("nothing") if value is None else f"{value:g}"
        return tr("{label} must be between {low:g} and {high:g}; found {found}.").format(
            label=field.label, low=field.minimum, high=field.maximum, found=found
        )
    return None


def _number(value) -> Optional[float]:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def stored(settings: Optional[Settings] = None) -> Dict[str, float]:
    """The values kept in the settings: a key never set, or set to something out of range (edited by hand), gives
    the algorithm's default."""
    settings = settings or Settings()
    values = {}
    for field in fields():
        value = _number(settings.value(field.key, field.default))
        values[field.key] = field.default if out_of_range(field, value) else value
    return values


def radar_params(settings: Optional[Settings] = None) -> Tuple[CfarParams, MatchParams]:
    """The detector's and the matching's parameters for the next Detect vessels."""
    v = stored(settings)
    cfar = CfarParams(pfa=v[PFA], land_buffer_m=v[LAND_BUFFER_M], min_length_m=v[MIN_LENGTH_M])
    matching = MatchParams(max_distance_m=v[MAX_DISTANCE_M], dead_reckoning_s=60.0 * v[DEAD_RECKONING_MIN])
    return cfar, matching


class RadarSettingsDialog(QDialog):
    """One box per setting, Restore defaults; OK checks every value and keeps them (an out-of-range value is
    named under the boxes and nothing is kept)."""

    def __init__(self, settings: Optional[Settings] = None, parent=None):
        super().__init__(parent)
        self.setObjectName("radarSettingsDialog")
        self.setWindowTitle(tr("Bai Mei: radar settings"))
        self.settings = settings or Settings()
        self.fields = fields()
        self.boxes: Dict[str, object] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "Used by the next Detect vessels. Detect vessels in a radar scene and Match radar detections with "
                "AIS in the Processing Toolbox take the same parameters."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        values = stored(self.settings)
        for field in self.fields:
            box = self._box(field)
            self._show(field, values[field.key])
            label = QLabel(field.label, self)
            label.setBuddy(box)
            label.setToolTip(field.help)
            form.addRow(label, box)
        layout.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName("radarSettingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.setText(tr("Restore defaults"))
        restore.clicked.connect(self.restore_defaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _box(self, field: Field):
        if field.decimals < 0:  # a rate spans many powers of ten: typed as 1e-7, checked on OK
            box = QLineEdit(self)
        else:
            box = QDoubleSpinBox(self)
            box.setDecimals(field.decimals)
            box.setRange(field.minimum, field.maximum)  # the box itself refuses what is out of range
        box.setObjectName("radar_" + field.key.split("/")[-1])
        box.setToolTip(field.help)
        box.setAccessibleName(field.label)
        self.boxes[field.key] = box
        return box

    def _show(self, field: Field, value: float) -> None:
        box = self.boxes[field.key]
        if isinstance(box, QLineEdit):
            box.setText(f"{value:g}")
        else:
            box.setValue(value)

    def restore_defaults(self) -> None:
        for field in self.fields:
            self._show(field, field.default)
        self.error.hide()

    def values(self) -> Dict[str, Optional[float]]:
        """The boxes' values (None for a rate that is not a number)."""
        out = {}
        for key, box in self.boxes.items():
            out[key] = _number(box.text()) if isinstance(box, QLineEdit) else box.value()
        return out

    def problems(self) -> list:
        values = self.values()
        return [p for p in (out_of_range(f, values[f.key]) for f in self.fields) if p]

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            self.error.setText(" ".join(problems))
            self.error.show()
            return
        for key, value in self.values().items():
            self.settings.set_value(key, value)
        super().accept()


def settings_key(field: Field) -> str:
    """The full QgsSettings key of ``field`` (for the README and the tests)."""
    return PREFIX + field.key
