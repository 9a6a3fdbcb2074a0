"""qgis_io/compat.py: the same result on QGIS 3.22 and on 3.40/3.44, and no DeprecationWarning on either (the
deprecated spellings it replaces warn on 3.38+)."""

import warnings
from contextlib import contextmanager

import pytest
from qgis.core import (
    Qgis,
    QgsFeature,
    QgsGeometry,
    QgsLayoutItemLabel,
    QgsPointXY,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QMetaType
from qgis.PyQt.QtGui import QColor, QFont

from bai_mei_plugin.qgis_io import compat

KINDS = ("int", "int64", "float", "str", "datetime", "date", "bool")


@contextmanager
def no_deprecation():
    """Fail on any DeprecationWarning raised inside, whatever the ini filters say."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        yield


def test_types_follow_the_qgis_version():
    if Qgis.QGIS_VERSION_INT >= 33800:
        expected = QMetaType.Type
    else:
        from qgis.PyQt.QtCore import QVariant  # Qt5 only

        expected = QVariant.Type
    assert compat.QMETATYPE_FIELDS == (Qgis.QGIS_VERSION_INT >= 33800)
    assert all(isinstance(compat.field_type(kind), expected) for kind in KINDS)
    assert len({int(compat.field_type(kind)) for kind in KINDS}) == len(KINDS)  # no two kinds share a type


@pytest.mark.parametrize("kind", KINDS)
def test_field_round_trips_through_a_memory_layer(kind):
    with no_deprecation():
        field = compat.field(f"f_{kind}", kind, "some type")
    assert field.name() == f"f_{kind}" and field.typeName() == "some type"
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "kinds", "memory")
    assert layer.dataProvider().addAttributes([field])
    layer.updateFields()
    stored = layer.fields().field(f"f_{kind}")
    assert compat.field_is(stored, kind)
    assert not compat.field_is(stored, *(other for other in KINDS if other != kind))


def test_null_rectangle_grows_from_the_first_extent_not_from_the_origin():
    with no_deprecation():
        extent = compat.null_rectangle()
    assert extent.isEmpty()
    extent.combineExtentWith(QgsRectangle(120, 30, 121, 31))
    assert (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()) == (120, 30, 121, 31)


def _gpkg_layer(tmp_path):
    memory = QgsVectorLayer("Point?crs=EPSG:4326", "pts", "memory")
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(121, 31)))
    memory.dataProvider().addFeatures([feature])
    path = str(tmp_path / "style.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName = "GPKG", "pts"
    write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
    error = write(memory, path, QgsProject.instance().transformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    return f"{path}|layername=pts"


def test_style_saved_into_a_geopackage_is_its_default(tmp_path):
    uri = _gpkg_layer(tmp_path)
    layer = QgsVectorLayer(uri, "pts", "ogr")
    layer.renderer().symbol().setColor(QColor("#123456"))
    with no_deprecation():
        message = compat.save_style_to_database(layer, "pts", "compat test")
    assert message == ""
    del layer
    reopened = QgsVectorLayer(uri, "again", "ogr")
    assert reopened.renderer().symbol().color().name() == "#123456"


def test_style_that_cannot_be_stored_gives_the_reason():
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "pts", "memory")  # a memory layer has no database for styles
    with no_deprecation():
        message = compat.save_style_to_database(layer, "pts", "compat test")
    assert message  # QGIS's reason, e.g. "Provider memory has no saveStyle method"


def test_label_font_size_bold_and_colour():
    layout = QgsPrintLayout(QgsProject.instance())
    label = QgsLayoutItemLabel(layout)
    font = QFont("DejaVu Sans", 1)
    font.setPointSizeF(13.5)
    font.setBold(True)
    with no_deprecation():
        compat.set_label_font(label, font, QColor("#a00000"))
    if hasattr(label, "textFormat"):  # QGIS 3.24+
        shown, size, colour = label.textFormat().font(), label.textFormat().size(), label.textFormat().color()
    else:
        shown, size, colour = label.font(), label.font().pointSizeF(), label.fontColor()
    assert size == pytest.approx(13.5)
    assert shown.bold() and shown.family() == "DejaVu Sans"
    assert colour.name() == "#a00000"
