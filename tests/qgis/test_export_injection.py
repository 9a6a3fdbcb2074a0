"""Text from data (AIS names, destinations, sighting notes, typed by strangers) is never evaluated by an export:
the PDF report prints QGIS expressions literally, the HTML report escapes markup, CSV cells are no spreadsheet
formulas, KML reads back as the data was. And exportcase refuses a FOLDER that is a file and a NAME that is no file
name with a message, not a traceback."""

import csv
import html
import os
import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET

import processing
import pytest
from qgis.core import QgsProcessingException

from bai_mei_plugin.qgis_io.case_export import spreadsheet_safe
from bai_mei_plugin.qgis_io.case_report import literal_label_text, set_literal_text
from bai_mei_plugin.qgis_io.sightings_layer import add_sighting, create_sightings_layer
from tests.qgis.test_case_export import KML, NAMPO, T0, H, memory_layer, utc

HOME_EXPRESSION = "[%ENV('HOME')%]"  # 15 characters of AIS 6-bit text
SECRET_EXPRESSION = "[% env('BAI_MEI_SECRET') %]"
FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
PORT = "[%1+41%] Nampo $CURRENT_DATE(yyyy)"  # labels also replace $CURRENT_DATE


@pytest.fixture
def secrets(monkeypatch, tmp_path):
    """HOME and BAI_MEI_SECRET set to values found nowhere else, so that any evaluation shows in the outputs."""
    marks = {"HOME": f"homemark{uuid.uuid4().hex[:12]}", "BAI_MEI_SECRET": f"secretmark{uuid.uuid4().hex[:12]}"}
    home = tmp_path / marks["HOME"]
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("BAI_MEI_SECRET", marks["BAI_MEI_SECRET"])
    return marks


@pytest.fixture
def hostile_case(tmp_path):
    """A case whose vessel, ports, scenes, sightings and candidates carry expressions, formulas and markup."""
    ids = [("gap_id", "str"), ("mmsi", "int64")]
    gaps = memory_layer(
        "LineString",
        "gaps",
        ids
        + [
            ("vessel_name", "str"),
            ("destination", "str"),
            ("off_time", "datetime"),
            ("on_time", "datetime"),
            ("gap_hours", "float"),
            ("draught_before", "float"),
            ("draught_after", "float"),
        ],
        [
            (
                "LINESTRING (123.47 36.10, 125.27 34.85)",
                ["G'1", 200000008, HOME_EXPRESSION, FORMULA, utc(T0 - 160 * H), utc(T0 + 88 * H), 248.0, 6.5, 11.5],
            )
        ],
    )
    visits = memory_layer(
        "Point",
        "visits",
        ids + [("port_name", "str"), ("locode", "str"), ("max_dwell_hours", "float")],
        [(f"POINT ({NAMPO[0]} {NAMPO[1]})", ["G'1", 200000008, PORT, "KPNAM", 220.0])],
    )
    scenes = memory_layer(
        "MultiPolygon",
        "scenes",
        [("item_id", "str"), ("acquired", "datetime"), ("gap_id", "str"), ("source", "str"), ("in_gap_window", "bool")],
        [
            (
                "MULTIPOLYGON (((125.2 38.6, 125.5 38.6, 125.5 38.8, 125.2 38.8, 125.2 38.6)))",
                ["SCENE-1", utc(T0 + H), "G'1", SECRET_EXPRESSION, True],
            )
        ],
    )
    (tmp_path / "input").mkdir()
    sightings = create_sightings_layer(str(tmp_path / "input" / "sightings.gpkg"))
    add_sighting(
        sightings,
        *NAMPO,
        {
            "sighting_id": "S-1",
            "observed_at": T0 + H,
            "hatch_count": 5,
            "image_id": "+1",
            "analyst": "@SUM(1)",
            "notes": f"{SCRIPT} {SECRET_EXPRESSION}",
        },
    )
    candidates = memory_layer(
        "Point",
        "candidates",
        [
            ("sighting_id", "str"),
            ("observed_at", "datetime"),
            ("rank", "int"),
            ("mmsi", "int64"),
            ("name", "str"),
            ("imo", "str"),
            ("feature_score", "float"),
            ("spacetime_status", "str"),
            ("total_score", "float"),
            ("reasons", "str"),
        ],
        [
            (
                f"POINT ({NAMPO[0]} {NAMPO[1]})",
                [
                    "S-1",
                    utc(T0 + H),
                    1,
                    200000008,
                    HOME_EXPRESSION,
                    "",
                    1.0,
                    "dark and reachable",
                    0.9,
                    f"{SECRET_EXPRESSION} -2",
                ],
            )
        ],
    )
    layers = [gaps, visits, scenes, sightings, candidates]
    yield layers
    del layers[:], gaps, visits, scenes, sightings, candidates  # freed while QGIS is up (see test_case_export)
    import gc

    gc.collect()


def squeezed(text: str) -> str:
    """Text without white space: a table cell may wrap anywhere."""
    return "".join(text.split())


def pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is needed to read the report's text")
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def export(provider, layers, folder, **params):
    return processing.run(
        "baimei:exportcase", {"LAYERS": list(layers), "FOLDER": str(folder), "NAME": "case", **params}
    )


def test_label_text_is_printed_as_it_is(qgis_new_project, secrets):
    from qgis.core import QgsLayoutItemLabel, QgsPrintLayout, QgsProject

    layout = QgsPrintLayout(QgsProject.instance())  # kept: a label uses its layout
    label = QgsLayoutItemLabel(layout)
    for text in (
        HOME_EXPRESSION,
        SECRET_EXPRESSION,
        PORT,
        "[[%1%]]",
        "%][%'a'%]",
        "[%",
        "%]",
        "a [",
        "$CURRENT_DATE",
        "[%$CURRENT_DATE(yyyy)%]",
    ):
        label.setText(text)
        unescaped = label.currentText()
        label.setText(literal_label_text(text))
        assert label.currentText() == text
        if "1+41" in text:
            assert "42" in unescaped  # what an unescaped label makes of it: the test would notice
    label.setText(HOME_EXPRESSION)
    assert label.currentText().endswith(secrets["HOME"])


def test_a_label_switched_to_html_in_the_template_escapes_markup(qgis_new_project, secrets):
    from qgis.core import QgsLayoutItemLabel, QgsPrintLayout, QgsProject

    layout = QgsPrintLayout(QgsProject.instance())  # kept: a label uses its layout
    label = QgsLayoutItemLabel(layout)
    label.setMode(QgsLayoutItemLabel.ModeHtml)
    set_literal_text(label, f"{SCRIPT}\n{HOME_EXPRESSION} & co")
    assert label.currentText() == f"{html.escape(SCRIPT)}<br>{html.escape(HOME_EXPRESSION)} &amp; co"
    label.setMode(QgsLayoutItemLabel.ModeFont)
    set_literal_text(label, f"{SCRIPT} {HOME_EXPRESSION}")
    assert label.currentText() == f"{SCRIPT} {HOME_EXPRESSION}"  # plain text: nothing to escape but expressions


def test_report_prints_names_notes_and_sources_literally(provider, hostile_case, tmp_path, secrets, qgis_new_project):
    result = export(provider, hostile_case, tmp_path, FORMATS=[0], REPORT=True)
    pdf, page = result["WRITTEN"].split(";")[-2:]
    text = squeezed(pdf_text(pdf))
    for literal in (HOME_EXPRESSION, SECRET_EXPRESSION, PORT, "@SUM(1)", "+1"):
        assert squeezed(literal) in text, literal
    assert f"Casereport:{squeezed(HOME_EXPRESSION)}(MMSI200000008)" in text  # the title, from the vessel name
    assert text.count(squeezed(HOME_EXPRESSION)) >= 3  # title, summary and candidates table
    for mark in secrets.values():
        assert mark not in text
    page_text = open(page, encoding="utf-8").read()
    assert "<script>" not in page_text and html.escape(SCRIPT) in page_text
    readable = html.unescape(page_text)
    for literal in (HOME_EXPRESSION, SECRET_EXPRESSION, PORT):
        assert literal in readable, literal
    for mark in secrets.values():
        assert mark not in readable


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_cells_are_not_formulas_and_numbers_stay_numbers(provider, tmp_path):
    notes = [FORMULA, "@SUM(1)", "+1", "-2", "\tTAB", "\rCR", "plain -3", "'already quoted"]
    points = memory_layer(
        "Point",
        "points",
        [("vessel_name", "str"), ("lon", "float"), ("count", "int"), ("notes", "str")],
        [(f"POINT (-12.5 {k})", [FORMULA, -12.5, -7, note]) for k, note in enumerate(notes)],
    )
    written = export(provider, [points], tmp_path, FORMATS=[3])["WRITTEN"]
    rows = read_csv(written)
    assert [r["notes"] for r in rows] == [
        "'" + FORMULA,
        "'@SUM(1)",
        "'+1",
        "'-2",
        "'\tTAB",
        "'\rCR",
        "plain -3",
        "'already quoted",
    ]
    assert {r["vessel_name"] for r in rows} == {"'" + FORMULA}
    assert {(r["X"], r["lon"], r["count"]) for r in rows} == {("-12.5", "-12.5", "-7")}
    raw = open(written, newline="", encoding="utf-8").read().split("\n")
    # text quoted whole, numbers bare (a spreadsheet reads them as numbers)
    assert raw[0] == "X,Y,vessel_name,lon,count,notes"
    assert raw[2] == f'-12.5,1.0,"\'{FORMULA.replace(chr(34), chr(34) * 2)}",-12.5,-7,"\'@SUM(1)"'


def test_spreadsheet_safe_only_touches_formula_starts():
    assert spreadsheet_safe("=1+1") == "'=1+1" and spreadsheet_safe("a=1") == "a=1" and spreadsheet_safe("") == ""


def test_kml_names_and_values_read_back_as_they_were(provider, tmp_path):
    names = ["a < b & c ]]> d", "<![CDATA[x]]><evil/>", "ctl\x01x", HOME_EXPRESSION, "]]>]]>", "plain"]
    points = memory_layer(
        "Point",
        "points",
        [("vessel_name", "str"), ("notes", "str")],
        [(f"POINT (125 {k})", [name, name]) for k, name in enumerate(names)],
    )
    points.setFieldAlias(1, "Notes <i>&</i>")
    written = export(provider, [points], tmp_path, FORMATS=[2])["WRITTEN"]
    root = ET.parse(written).getroot()  # well-formed XML
    placemarks = list(root.iter(f"{KML}Placemark"))
    expected = [name.replace("\x01", "\ufffd") for name in names]  # XML cannot hold U+0001 at all
    assert [p.find(f"{KML}name").text for p in placemarks] == expected
    data = [{d.get("name"): d.text for d in p.iter(f"{KML}SimpleData")} for p in placemarks]
    assert [d["notes"] for d in data] == expected and [d["vessel_name"] for d in data] == expected
    description = placemarks[0].find(f"{KML}description").text  # HTML for Google Earth: data escaped
    assert "<b>Notes &lt;i&gt;&amp;&lt;/i&gt;</b>: a &lt; b &amp; c ]]&gt; d<br>" in description
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]


def test_folder_that_is_a_file_is_refused_with_a_message(provider, hostile_case, tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    for folder, report in ((existing, False), (existing, True), (existing / "sub", False)):
        with pytest.raises(QgsProcessingException, match=r"FOLDER .*notes\.txt.* is a file, not a folder"):
            export(provider, hostile_case, folder, FORMATS=[0], REPORT=report)
    assert existing.read_text() == "keep me" and sorted(os.listdir(tmp_path)) == ["input", "notes.txt"]


@pytest.mark.parametrize(
    "name, said",
    [
        ("case\\one", r"a backslash \(\\\)"),
        ("case/one", r"a slash \(/\)"),
        ("case|one", "a vertical bar"),
        ("a:b", "a colon"),
        ("tab\there", r"control character U\+0009"),
        ("case.", "ends with a dot"),
        ("NUL", "Windows reserves"),
        ("x" * 101, "at most 100"),
    ],
)
def test_name_that_is_no_file_name_is_refused_with_a_message(provider, hostile_case, tmp_path, name, said):
    with pytest.raises(QgsProcessingException, match=f"NAME.*{said}"):
        export(provider, hostile_case, tmp_path / "out", FORMATS=[0, 1, 2, 3], REPORT=True, NAME=name)
    assert os.listdir(tmp_path) == ["input"]  # nothing written, not even the folder
