"""baimei:importais and baimei:detectgaps through Processing, with real QGIS layers."""

import processing
import pytest
from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import Qt, QVariant

from bai_mei_plugin.core.ais.csv_reader import have_pyarrow


def run(algorithm, params, feedback=None):
    return processing.run(algorithm, params, feedback=feedback or QgsProcessingFeedback())


def import_points(path, **extra):
    return run("baimei:importais", {"INPUT": path, "OUTPUT": "memory:", **extra})


def test_provider_lists_the_algorithms(provider):
    ids = {alg.id() for alg in provider.algorithms()}
    assert {"baimei:importais", "baimei:detectgaps"} <= ids
    for alg in provider.algorithms():
        assert alg.shortHelpString()


def test_importais_fields_crs_and_counts(provider, voyage_csv):
    result = import_points(voyage_csv)
    layer = result["OUTPUT"]
    assert layer.crs().authid() == "EPSG:4326"
    assert layer.wkbType() == QgsWkbTypes.Point
    fields = layer.fields()
    assert fields.field("mmsi").type() == QVariant.LongLong
    assert fields.field("timestamp").type() == QVariant.DateTime
    assert [f.name() for f in fields] == [
        "mmsi",
        "timestamp",
        "sog",
        "cog",
        "heading",
        "vessel_name",
        "imo",
        "callsign",
        "vessel_type",
        "draught",
        "destination",
    ]
    assert result["ROWS_READ"] == result["ROWS_KEPT"] == layer.featureCount() == 50
    assert result["ROWS_DROPPED"] == 0
    first = next(layer.getFeatures())
    assert first["timestamp"].timeSpec() == Qt.UTC
    assert first["destination"] in (None, "") or first["destination"].isNull()


def test_detectgaps_outputs(provider, voyage_csv):
    points = import_points(voyage_csv)["OUTPUT"]
    result = run(
        "baimei:detectgaps",
        {
            "INPUT": points,
            "MMSI_FIELD": "mmsi",
            "TIME_FIELD": "timestamp",
            "OUTPUT_GAPS": "memory:",
            "OUTPUT_TRACKS": "memory:",
        },
    )
    assert result["GAP_COUNT"] == 1
    gaps, tracks = result["OUTPUT_GAPS"], result["OUTPUT_TRACKS"]
    gap = next(gaps.getFeatures())
    assert gap["mmsi"] == 367000001 and gap["vessel_name"] == "ONE"
    assert gap["off_time"].toSecsSinceEpoch() == 1590969600 + 170 * 60
    assert gap["on_time"].toSecsSinceEpoch() == 1590969600 + 13 * 3600
    assert gap["gap_hours"] == pytest.approx((13 * 60 - 170) / 60)
    assert gap["draught_before"] == 6.5 and gap["draught_after"] == 11.0
    assert gap["off_shore_nm"] is None or gap["off_shore_nm"].isNull()  # no land given, no shore criterion
    assert gap["gap_id"] == "367000001-20200601T025000Z"
    assert QgsWkbTypes.geometryType(gaps.wkbType()) == QgsWkbTypes.LineGeometry
    assert tracks.wkbType() == QgsWkbTypes.LineStringM
    assert tracks.featureCount() == 3  # vessel 1 split in two, vessel 2 whole
    seg = sorted(tracks.getFeatures(), key=lambda f: (f["mmsi"], f["segment"]))[0]
    vertex = seg.geometry().constGet().pointN(0)
    assert vertex.m() == 1590969600  # M carries epoch seconds
    assert seg["n_points"] == 18


def test_presets_override_and_custom(provider, voyage_csv):
    points = import_points(voyage_csv)["OUTPUT"]
    common = {
        "INPUT": points,
        "MMSI_FIELD": "mmsi",
        "TIME_FIELD": "timestamp",
        "OUTPUT_GAPS": "memory:",
        "OUTPUT_TRACKS": "memory:",
    }
    assert run("baimei:detectgaps", {**common, "PRESET": 0, "MIN_GAP_HOURS": 11})["GAP_COUNT"] == 0
    assert run("baimei:detectgaps", {**common, "PRESET": 1, "MIN_GAP_HOURS": 11})["GAP_COUNT"] == 1  # preset wins
    assert run("baimei:detectgaps", {**common, "PRESET": 2})["GAP_COUNT"] == 0  # GFW: 12 h
    # vessel 1 reappears inland in Natural Earth (0 nm from shore), so a 1 nm criterion drops its gap
    assert run("baimei:detectgaps", {**common, "PRESET": 0, "MIN_SHORE_NM": 1})["GAP_COUNT"] == 0
    from bai_mei_plugin.qgis_io.land import default_land_path

    land = QgsVectorLayer(default_land_path() + "|layername=countries", "land", "ogr")
    with_land = run("baimei:detectgaps", {**common, "PRESET": 0, "LAND": land})
    gap = next(with_land["OUTPUT_GAPS"].getFeatures())
    assert gap["on_shore_nm"] == 0.0 and 0 < gap["off_shore_nm"] < 30  # inland Mississippi; Lake Pontchartrain


class Log(QgsProcessingFeedback):
    """What an algorithm writes to the log."""

    def __init__(self):
        super().__init__()
        self.infos, self.warnings = [], []

    def pushInfo(self, info):  # noqa: N802 - QgsProcessingFeedback's name
        self.infos.append(info)

    def reportError(self, error, fatalError=False):  # noqa: N802,N803
        self.warnings.append(error)


def test_the_log_says_which_criteria_a_preset_used(provider, voyage_csv):
    points = import_points(voyage_csv)["OUTPUT"]
    params = {"INPUT": points, "OUTPUT_GAPS": "memory:", "OUTPUT_TRACKS": "memory:"}
    log = Log()
    run("baimei:detectgaps", {**params, "PRESET": 2, "MIN_GAP_HOURS": 3}, log)
    assert "Criteria (GFW (12 h, 50 nm offshore)): Minimum gap 12 h, Distance from shore 50 nm, " in "".join(log.infos)
    assert any("overrides the criteria given (Minimum gap 3 h" in w for w in log.warnings), log.warnings
    log = Log()
    run("baimei:detectgaps", {**params, "PRESET": 0, "MIN_GAP_HOURS": 3, "MIN_POSITIONS_BEFORE": 2}, log)
    assert "Criteria (Custom): Minimum gap 3 h, Distance from shore 0 nm, Positions in 12 h before 2." in log.infos
    assert not log.warnings
    log = Log()
    run("baimei:detectgaps", params, log)  # the default preset, no numbers given: nothing to warn about
    assert any(i.startswith("Criteria (Port call (6 h, any distance)): Minimum gap 6 h") for i in log.infos)
    assert not log.warnings


def test_the_criteria_parameters_come_from_the_description(provider):
    from qgis.core import QgsApplication

    from bai_mei_plugin.core.gaps import CRITERIA_FIELDS, PRESET_NAMES

    for algorithm_id in ("baimei:detectgaps", "baimei:detectgapspostgis", "baimei:detectgapsarchive"):
        algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
        preset = algorithm.parameterDefinition("PRESET")
        assert preset.options() == PRESET_NAMES and preset.defaultValue() == 1, algorithm_id
        for field in CRITERIA_FIELDS:
            parameter = algorithm.parameterDefinition(field.key)
            assert parameter is not None and parameter.description() == field.label, (algorithm_id, field.name)
            assert parameter.defaultValue() == field.default and parameter.minimum() == field.minimum
            assert parameter.flags() & parameter.FlagOptional


def test_outputs_styled_and_time_enabled_when_loaded(provider, voyage_csv, qgis_new_project):
    points = import_points(voyage_csv)["OUTPUT"]
    result = processing.runAndLoadResults(
        "baimei:detectgaps",
        {
            "INPUT": points,
            "MMSI_FIELD": "mmsi",
            "TIME_FIELD": "timestamp",
            "OUTPUT_GAPS": "memory:gaps",
            "OUTPUT_TRACKS": "memory:tracks",
        },
    )
    gaps = QgsProject.instance().mapLayer(result["OUTPUT_GAPS"])
    tracks = QgsProject.instance().mapLayer(result["OUTPUT_TRACKS"])
    for layer, start, end in ((gaps, "off_time", "on_time"), (tracks, "start_time", "end_time")):
        props = layer.temporalProperties()
        assert props.isActive()
        assert props.startField() == start and props.endField() == end
    symbol = gaps.renderer().symbol()
    assert symbol.symbolLayerCount() == 3  # dashed line + off and on markers


def test_gpkg_output_keeps_types(provider, voyage_csv, tmp_path):
    out = str(tmp_path / "points.gpkg")
    import_points(voyage_csv, OUTPUT=out)
    layer = QgsVectorLayer(out, "p", "ogr")
    assert layer.isValid() and layer.featureCount() == 50
    assert layer.fields().field("timestamp").type() == QVariant.DateTime
    assert layer.fields().field("mmsi").type() == QVariant.LongLong


def test_bad_input_raises_processing_error(provider, write_file):
    path = write_file("junk.csv", "foo,bar\n1,2\n")
    with pytest.raises(QgsProcessingException) as err:
        import_points(path)
    assert "Unrecognised AIS header" in str(err.value) and "junk.csv" in str(err.value)


def test_missing_field_raises_processing_error(provider, voyage_csv):
    points = import_points(voyage_csv)["OUTPUT"]
    with pytest.raises(QgsProcessingException):
        run(
            "baimei:detectgaps",
            {
                "INPUT": points,
                "MMSI_FIELD": "nope",
                "TIME_FIELD": "timestamp",
                "OUTPUT_GAPS": "memory:",
                "OUTPUT_TRACKS": "memory:",
            },
        )


def test_detectgaps_on_a_layer_with_other_names_and_crs(provider, tmp_path):
    layer = QgsVectorLayer("Point?crs=EPSG:3857&field=ship:long&field=when:string", "ais", "memory")
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    feats = []
    for when, x in (("2020-06-01T00:00:00", 0.0), ("2020-06-01T08:00:00", 100000.0), ("2020-06-01T08:10:00", 101000.0)):
        f = QgsFeature(layer.fields())
        f.setAttributes([99, when])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, 0.0)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    result = run(
        "baimei:detectgaps",
        {
            "INPUT": layer,
            "MMSI_FIELD": "ship",
            "TIME_FIELD": "when",
            "OUTPUT_GAPS": "memory:",
            "OUTPUT_TRACKS": "memory:",
        },
    )
    assert result["GAP_COUNT"] == 1
    gap = next(result["OUTPUT_GAPS"].getFeatures())
    assert gap["on_lon"] == pytest.approx(100000.0 / 6378137.0 * 57.29577951, rel=1e-6)  # back to degrees


def test_cancel_stops_import_and_leaves_no_layer(provider, write_file, mc_rows, tmp_path):
    rows = [
        (
            367000000 + i % 97,
            f"2020-06-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
            30.0,
            -90.0,
            1.0,
            1,
            "X",
            "",
        )
        for i in range(40000)
    ]
    path = write_file("big.csv", mc_rows(rows))
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 1 else None)
    with pytest.raises(QgsProcessingException, match="ancel"):
        run("baimei:importais", {"INPUT": path, "OUTPUT": "memory:"}, feedback)
    # cancelled while writing: the half-written GeoPackage is removed
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 45 else None)
    out = tmp_path / "cancelled.gpkg"
    with pytest.raises(QgsProcessingException, match="ancel"):
        run("baimei:importais", {"INPUT": path, "OUTPUT": str(out)}, feedback)
    assert not out.exists()


@pytest.mark.skipif(not have_pyarrow(), reason="pyarrow is needed to read a 2 GB file in reasonable time")
def test_two_gigabyte_file_cancelled_half_way(provider, tmp_path):
    header = (
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,"
        "Draft,Cargo,TransceiverClass\n"
    )
    block = "".join(
        f"{367000000 + i % 3000},2020-06-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d},"
        f"30.1234,-90.5678,10.0,100.0,511,VESSEL {i % 3000},IMO9000001,CALL,70,0,180,30,,70,A\n"
        for i in range(20000)
    ).encode()
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.write(header.encode())
        for _ in range(2 * 1024**3 // len(block) + 1):
            handle.write(block)
    assert path.stat().st_size >= 2 * 1024**3
    feedback = QgsProcessingFeedback()
    seen = []

    def on_progress(p):
        seen.append(p)
        if p >= 20:  # reading is mapped onto 0-40 %: 20 % is half the file
            feedback.cancel()

    feedback.progressChanged.connect(on_progress)
    out = str(tmp_path / "huge.gpkg")
    context = QgsProcessingContext()
    with pytest.raises(QgsProcessingException, match="ancel"):
        processing.run("baimei:importais", {"INPUT": str(path), "OUTPUT": out}, feedback=feedback, context=context)
    assert 15 <= max(seen) < 40  # stopped about half way through the file, before writing anything
    assert not (tmp_path / "huge.gpkg").exists()
    path.unlink()


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "is empty"),
        (
            b"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,"
            b"Cargo,TransceiverClass\n",
            "no data rows",
        ),
        (b"\xff\xfe\x00garbage\x00\n\x01\x02", "Unrecognised AIS header"),
    ],
)
def test_bad_files_give_clear_processing_errors(provider, write_file, tmp_path, content, expected):
    path = write_file("bad.csv", content)
    out = tmp_path / "out.gpkg"
    with pytest.raises(QgsProcessingException, match=expected):
        run("baimei:importais", {"INPUT": path, "OUTPUT": str(out)})
    assert not out.exists()


def test_ragged_and_non_utf8_rows_are_reported_in_the_log(provider, write_file, mc_rows):
    text = mc_rows([(367000001, "2020-06-01T12:00:00", 30.5, -91.5, 10.0, 90, "NAME", "")]).encode()
    text = text.replace(b"NAME", b"S\xe9VERINE") + b"367000001,2020-06-01T12:07:00,30.5\n"
    path = write_file("ragged.csv", text)
    log = []
    feedback = QgsProcessingFeedback()
    feedback.pushInfo = log.append
    result = run("baimei:importais", {"INPUT": path, "OUTPUT": "memory:"}, feedback)
    assert result["ROWS_READ"] == 2 and result["ROWS_KEPT"] == 1 and result["ROWS_DROPPED"] == 1
    text_log = "\n".join(log)
    assert "malformed" in text_log and "'367000001,2020-06-01T12:07:00,30.5' has 3 fields" in text_log
    assert "UTF-8" in text_log


def test_detectgaps_stops_when_cancelled(provider, voyage_csv):
    points = import_points(voyage_csv)["OUTPUT"]
    feedback = QgsProcessingFeedback()
    feedback.cancel()
    with pytest.raises(QgsProcessingException, match="ancel"):
        run("baimei:detectgaps", {"INPUT": points, "OUTPUT_GAPS": "memory:", "OUTPUT_TRACKS": "memory:"}, feedback)
