"""The case carries the ranking (issue 14): exported gaps keep their score fields, the project's review queue goes
with them (each gap's verdict and a review_queue table), and the report gives each of the vessel's gaps its rank,
reasons and verdict."""

import re
import sqlite3

import pytest
from qgis.core import QgsProject, QgsVectorLayer

from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.layer_kinds import scored_gaps_of
from bai_mei_plugin.core.review import make_review
from bai_mei_plugin.core.suspicion import GapScore, Reason
from bai_mei_plugin.qgis_io.case_export import export_layers, with_reviews
from bai_mei_plugin.qgis_io.case_report import case_layers, guess_vessel, write_case_report
from bai_mei_plugin.qgis_io.records import records_layer
from bai_mei_plugin.qgis_io.review import save_reviews

T0 = 1497574923  # 2017-06-16T01:02:03Z
H = 3600
HOSTILE_NOTE = "<script>alert(1)</script> [% env('HOME') %] =cmd"


def _gap(gap_id, mmsi, name, off, hours, lon):
    return Gap(
        gap_id=gap_id,
        mmsi=mmsi,
        vessel_name=name,
        off_time=off,
        on_time=off + int(hours * H),
        gap_hours=hours,
        distance_nm=10.0,
        implied_speed_kn=1.0,
        off_lon=lon,
        off_lat=38.5,
        on_lon=lon + 0.5,
        on_lat=38.6,
        sog_before=9.0,
        sog_after=9.0,
        draught_before=6.5,
        draught_after=11.5,
        destination_before=None,
        destination_after=None,
        positions_12h_before=20,
        off_shore_nm=None,
        on_shore_nm=None,
    )


@pytest.fixture
def scored_gaps():
    """Three gaps of two vessels, ranked as baimei:scoregaps writes them (most suspicious first)."""
    gaps = [
        _gap("G1", 200000008, "BAI MEI 8", T0, 80.0, 123.0),
        _gap("G2", 412000001, "OTHER", T0, 30.0, 121.7),
        _gap("G3", 200000008, "BAI MEI 8", T0 + 400 * H, 40.0, 122.0),
    ]
    scores = {
        "G1": GapScore("G1", 200000008, 7.0, "high", 1, [Reason("interest_port", 3.0, "could have called at Nampo")]),
        "G2": GapScore("G2", 412000001, 3.0, "medium", 2, [Reason("offshore", 3.0, "went dark far offshore")]),
        "G3": GapScore("G3", 200000008, 2.0, "low", 3, [Reason("draught_rose", 2.0, "draught rose 6.5 -> 11.5 m")]),
    }
    ordered = sorted(gaps, key=lambda g: scores[g.gap_id].rank)
    layer = records_layer(scored_gaps_of(scores), "Dark gaps by suspicion", ordered)
    yield layer
    del layer


@pytest.fixture
def reviews(qgis_new_project):
    queue = {
        "G1": make_review("G1", "escalated", HOSTILE_NOTE),
        "G2": make_review("G2", "dismissed", "port call"),
        "G-ELSEWHERE": make_review("G-ELSEWHERE", "reviewed", "another case"),
    }
    save_reviews(QgsProject.instance(), queue)
    yield queue
    save_reviews(QgsProject.instance(), {})


def test_without_reviews_the_layers_are_exported_as_they_are(scored_gaps):
    assert with_reviews([scored_gaps], {}) == [scored_gaps]


def test_the_gaps_carry_their_verdicts_and_a_review_queue_table_lists_the_cases(scored_gaps, reviews):
    plain = QgsVectorLayer("LineString?crs=EPSG:4326&field=segment:integer", "tracks", "memory")
    out = with_reviews([scored_gaps, plain], reviews)
    gaps, kept, queue = out
    assert kept is plain and gaps is not scored_gaps  # the analyst's layer is left as it is
    verdicts = {f["gap_id"]: (f["review_status"], f["review_note"]) for f in gaps.getFeatures()}
    assert verdicts["G1"] == ("escalated", HOSTILE_NOTE) and verdicts["G2"] == ("dismissed", "port call")
    assert str(verdicts["G3"][0]) == "NULL"
    assert all(str(f["review_status"]) == "NULL" for f in scored_gaps.getFeatures())
    rows = [(f["gap_id"], f["suspicion_rank"], f["review_status"]) for f in queue.getFeatures()]
    assert rows == [("G1", 1, "escalated"), ("G2", 2, "dismissed")]  # the case's gaps only, by rank
    assert queue.name() == "review_queue" and not queue.isSpatial()


def test_exported_geopackage_keeps_scores_reviews_and_the_queue(scored_gaps, reviews, tmp_path, provider):
    import processing

    result = processing.run(
        "baimei:exportcase",
        {"LAYERS": [scored_gaps], "FORMATS": [0, 2, 3], "FOLDER": str(tmp_path), "NAME": "case"},
    )
    gpkg = str(tmp_path / "case.gpkg")
    assert gpkg in result["WRITTEN"].split(";")
    with sqlite3.connect(gpkg) as db:
        tables = {row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")} - {"layer_styles"}
        assert tables == {"dark_gaps_by_suspicion", "review_queue"}
        rows = db.execute(
            "SELECT gap_id, suspicion, suspicion_level, suspicion_rank, why, review_status, review_note "
            "FROM dark_gaps_by_suspicion ORDER BY suspicion_rank"
        ).fetchall()
    assert rows[0][:4] == ("G1", 7.0, "high", 1) and rows[0][4].startswith("Suspicion high (7 pts)")
    assert rows[0][5:] == ("escalated", HOSTILE_NOTE)
    assert rows[1][:6] == ("G2", 3.0, "medium", 2, "Suspicion medium (3 pts): went dark far offshore +3.", "dismissed")
    assert rows[2][:4] == ("G3", 2.0, "low", 3) and rows[2][5] is None
    csv_text = (tmp_path / "case_review_queue.csv").read_text(encoding="utf-8")
    assert "'=cmd" not in csv_text and '"<script>' in csv_text  # quoted text; the note starts with "<", no formula
    assert "escalated" in csv_text and "G-ELSEWHERE" not in csv_text


def test_report_gives_each_gap_its_rank_reasons_and_verdict(scored_gaps, reviews, tmp_path):
    layers = case_layers([scored_gaps])
    assert layers == {"gaps": scored_gaps}  # a scored layer is the case's gaps
    vessel = guess_vessel(layers, 200000008)
    pdf, page = tmp_path / "r.pdf", tmp_path / "r.html"
    write_case_report(QgsProject.instance(), layers, vessel, str(pdf), str(page))
    text = page.read_text(encoding="utf-8")
    table = re.search(r"<table id='suspicion'>.*?</table>", text, re.S).group(0)
    assert "could have called at Nampo" in table and "draught rose 6.5 -&gt; 11.5 m" in table
    assert "escalated" in table and "&lt;script&gt;alert(1)&lt;/script&gt;" in table and "<script>" not in text
    assert "went dark far offshore" not in table  # another vessel's gap
    summary = re.search(r"<h2>Summary</h2><ul>.*?</ul>", text, re.S).group(0)
    assert "suspicion rank 1 of 3 — Suspicion high (7 pts): could have called at Nampo" in summary
    assert "escalated on review" in summary
    assert pdf.read_bytes().startswith(b"%PDF")


def test_report_of_a_vessels_gaps_alone_gives_ranks_without_a_total(scored_gaps, tmp_path, qgis_new_project):
    scored_gaps.setSubsetString('"mmsi" = 200000008')  # the vessel's gaps only: ranks 1 and 3 of a larger set
    layers = case_layers([scored_gaps])
    page = tmp_path / "r.html"
    write_case_report(QgsProject.instance(), layers, guess_vessel(layers), str(tmp_path / "r.pdf"), str(page))
    text = page.read_text(encoding="utf-8")
    assert "suspicion rank 1 —" in text and "suspicion rank 1 of" not in text


def test_exporting_gaps_without_scores_still_works(tmp_path, reviews):
    gaps = records_layer("gaps", "gaps", [_gap("G1", 200000008, "BAI MEI 8", T0, 80.0, 123.0)])
    written = export_layers(with_reviews([gaps], reviews), str(tmp_path), ["gpkg"], "plain")
    layer = QgsVectorLayer(f"{written[0]}|layername=gaps", "g", "ogr")
    assert next(layer.getFeatures())["review_status"] == "escalated"  # the field added for the verdict


def test_a_vessels_gaps_ranked_first_are_not_taken_for_the_whole_traffic(scored_gaps, tmp_path, qgis_new_project):
    """The Bai Mei 8's two gaps are ranks 1 and 2 of 686 in the demo: a layer of them alone holds ranks 1..n too, so
    one vessel's layer never gives a total."""
    scored_gaps.setSubsetString('"mmsi" = 200000008 AND "suspicion_rank" = 1')
    layers = case_layers([scored_gaps])
    page = tmp_path / "r.html"
    write_case_report(QgsProject.instance(), layers, guess_vessel(layers), str(tmp_path / "r.pdf"), str(page))
    text = page.read_text(encoding="utf-8")
    assert "suspicion rank 1 —" in text and "rank 1 of 1" not in text and "gaps scored)" not in text


def test_the_pdf_page_gives_rank_and_level_and_leaves_the_long_reasons_to_the_html(scored_gaps):
    """The reasons of two gaps ran off the PDF's summary box: the page gives each gap's rank, level and points."""
    from bai_mei_plugin.qgis_io.case_report import report_layers, summary_lines

    shown = report_layers(case_layers([scored_gaps]), guess_vessel(case_layers([scored_gaps]), 200000008))
    brief = [line for line in summary_lines(shown, 3, brief=True) if "suspicion rank" in line]
    full = [line for line in summary_lines(shown, 3) if "suspicion rank" in line]
    assert brief and len(brief) == len(full)
    assert all("the reasons are in the HTML report" in line and "could have called" not in line for line in brief)
    assert "suspicion rank 1 of 3, high (7 pts)" in brief[0]
    assert "could have called at Nampo" in full[0]
