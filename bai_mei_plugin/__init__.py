"""Bai Mei: AIS dark gaps, imagery and vessel identification for sanctions-evasion analysis in QGIS."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import BaiMeiPlugin

    return BaiMeiPlugin(iface)
