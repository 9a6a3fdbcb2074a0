"""What every Bai Mei algorithm shares: naming, help, and turning core errors into Processing errors."""

from __future__ import annotations

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException

from ..core.errors import BaiMeiError, Canceled


class BaiMeiAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY_NAME, GROUP, HELP and define ``initAlgorithm`` and
    ``compute(parameters, context, feedback)``, which may raise BaiMeiError."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = "AIS"
    HELP = ""

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.DISPLAY_NAME

    def group(self):
        return self.GROUP

    def groupId(self):  # noqa: N802
        return self.GROUP.lower().replace(" ", "")

    def shortHelpString(self):  # noqa: N802
        return self.HELP

    def createInstance(self):  # noqa: N802
        return type(self)()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            return self.compute(parameters, context, feedback)
        except Canceled as exc:
            raise QgsProcessingException(exc.message) from exc
        except BaiMeiError as exc:
            if exc.details:
                feedback.pushDebugInfo(exc.details)
            raise QgsProcessingException(exc.message) from exc

def progress_callbacks(feedback, start: float = 0.0, span: float = 100.0):
    """(progress, is_canceled) callbacks for core functions, mapping 0..1 onto [start, start + span] percent."""
    def progress(fraction: float) -> None:
        feedback.setProgress(start + span * max(0.0, min(1.0, fraction)))

    return progress, feedback.isCanceled
