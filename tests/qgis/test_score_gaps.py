"""baimei:scoregaps through Processing, on a held-out scenario of our own: five ordinary ships silent for two to three
days alongside a berth at Dalian (loading, Nampo within reach) and one ship that goes dark offshore in the northern
Yellow Sea and comes back loaded. The port calls must not rank with the dark voyage (issue 14), in scoregaps and in
gapreachability's suspicion; a vessel reporting an IMO on OFAC's list ranks up, the list and entry named."""

import datetime as dt
import json
import os

import processing
import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsProject, QgsVectorLayer

from bai_mei_plugin.core.suspicion import Weights
from bai_mei_plugin.qgis_io.land import default_land_path
from tests.fixtures import MC_HEADER
from tests.support import SHARED_DATA

OFAC = str(SHARED_DATA / "watchlists" / "ofac_sdn_vessels_2023-03-01.csv")  # ../shared beside the checkout
LISTED_IMO = "9187629"  # OFAC SDN entry 15036, ARTAVIL
START = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)
BERTH_SHIPS = [412000101 + k for k in range(5)]
DARK_SHIP = 412000200
HALF_HOUR = dt.timedelta(minutes=30)


def imo_with_check_digit(six: int) -> str:
    """A valid IMO number from six digits (the check digit makes the seventh), so that no ship of the scenario has
    an identity anomaly the others lack."""
    digits = [int(c) for c in f"{six:06d}"]
    return f"{six:06d}{sum(d * w for d, w in zip(digits, range(7, 1, -1))) % 10}"


def _row(mmsi, when, lat, lon, sog, name, imo, draught):
    """One MarineCadastre row (the columns of MC_HEADER)."""
    return (
        f"{mmsi},{when:%Y-%m-%dT%H:%M:%S},{lat:.5f},{lon:.5f},{sog},100.0,100,{name},IMO{imo},"
        f"CALL{mmsi % 1000},70,0,180,30,{draught},70,A"
    )


def scenario_rows(listed_mmsi=None):
    """MarineCadastre rows of the scenario; ``listed_mmsi`` reports OFAC's listed IMO instead of its own."""
    rows = []
    for k, mmsi in enumerate(BERTH_SHIPS):
        imo = LISTED_IMO if mmsi == listed_mmsi else imo_with_check_digit(941000 + k)
        lon, lat = 121.68 + 0.005 * k, 38.925 + 0.002 * k  # alongside the berths of Dalian, within 2 nm of the port
        dark_hours = 48 + 6 * k  # two to three days silent at the berth
        for step in range(25):  # 12 h alongside, SOG 0, light
            rows.append(_row(mmsi, START + step * HALF_HOUR, lat, lon, 0.0, f"ORDINARY {k + 1}", imo, 5.0))
        back = START + 12 * dt.timedelta(hours=1) + dt.timedelta(hours=dark_hours)
        for step in range(13):  # back on air at the same berth, SOG 0, loaded
            rows.append(_row(mmsi, back + step * HALF_HOUR, lat, lon, 0.0, f"ORDINARY {k + 1}", imo, 9.5))
    imo = imo_with_check_digit(951000)
    off_lon, off_lat = 123.8, 37.0  # the northern Yellow Sea, about 57 nm from the nearest shore
    for step in range(25):  # 12 h under way towards the point where it goes dark, reporting every 30 min
        f = step / 24
        lon, lat = 122.9 + (off_lon - 122.9) * f, 37.9 + (off_lat - 37.9) * f
        rows.append(_row(DARK_SHIP, START + step * HALF_HOUR, lat, lon, 9.0, "DARK STAR", imo, 6.0))
    back = START + dt.timedelta(hours=12 + 60)
    for step in range(13):  # 60 h later, back on air offshore further south, loaded
        lon, lat = 124.0, 36.5 - 0.07 * step
        rows.append(_row(DARK_SHIP, back + step * HALF_HOUR, lat, lon, 9.0, "DARK STAR", imo, 11.0))
    rows.sort(key=lambda line: line.split(",")[1])
    return [MC_HEADER, *rows]


def run(algorithm, params, log=None):
    feedback = QgsProcessingFeedback()
    if log is not None:
        feedback.pushInfo = lambda text: log.append(text)
        feedback.reportError = lambda text, fatal=False: log.append(text)
    return processing.run(algorithm, params, feedback=feedback)


def _chain(folder, listed_mmsi=None):
    """importais -> detectgaps on the scenario; (points, gaps) layers' sources."""
    csv = folder / "scenario.csv"
    csv.write_text("\n".join(scenario_rows(listed_mmsi)) + "\n", encoding="utf-8")
    points = str(folder / "points.gpkg")
    run("baimei:importais", {"INPUT": str(csv), "OUTPUT": points})
    gaps = str(folder / "gaps.gpkg")
    found = run("baimei:detectgaps", {"INPUT": points, "OUTPUT_GAPS": gaps, "OUTPUT_TRACKS": "memory:"})
    assert found["GAP_COUNT"] == 6  # one per ship, nothing else
    return points, gaps


@pytest.fixture(scope="module")
def scenario(_registered_provider, tmp_path_factory):
    if not os.path.exists(default_land_path()):
        pytest.skip("QGIS's bundled world map (the default land) is not installed")
    return _chain(tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def no_saved_lists(monkeypatch):
    """No sanctions list saved in the profile (the tests must not depend on what another test saved)."""
    from bai_mei_plugin.qgis_io import watchlist_store

    monkeypatch.setattr(watchlist_store, "saved_watchlists", lambda: [])


def _by_mmsi(layer):
    return {f["mmsi"]: f for f in layer.getFeatures()}


def test_a_dark_voyage_offshore_outranks_port_calls_at_a_berth(scenario, no_saved_lists, tmp_path):
    points, gaps = scenario
    log = []
    out = str(tmp_path / "scored.gpkg")
    result = run("baimei:scoregaps", {"INPUT": points, "GAPS": gaps, "OUTPUT": out}, log)
    layer = QgsVectorLayer(out, "scored", "ogr")
    features = list(layer.getFeatures())
    assert [f["suspicion_rank"] for f in features] == [1, 2, 3, 4, 5, 6]  # sorted by rank
    scored = _by_mmsi(layer)
    dark = scored[DARK_SHIP]
    assert dark["suspicion_rank"] == 1 and result["TOP_GAP"] == dark["gap_id"]
    assert all(scored[m]["suspicion"] < dark["suspicion"] for m in BERTH_SHIPS)
    assert dark["suspicion_level"] in ("medium", "high")
    assert "Nampo" in dark["why"] and "offshore" in dark["why"].lower()
    for mmsi in BERTH_SHIPS:  # each told apart as what it is, in words
        assert "port call" in scored[mmsi]["why"] and "Dalian" in scored[mmsi]["why"], scored[mmsi]["why"]
        assert scored[mmsi]["review_status"] is None or str(scored[mmsi]["review_status"]) == "NULL"
    levels = [f["suspicion_level"] for f in features]
    assert (result["HIGH_COUNT"], result["MEDIUM_COUNT"], result["LOW_COUNT"]) == tuple(
        levels.count(level) for level in ("high", "medium", "low")
    )
    assert result["GAP_COUNT"] == 6
    # the weights used: the defaults, returned and kept in the layer's metadata
    assert json.loads(result["WEIGHTS_USED"]) == json.loads(Weights().to_json())
    from bai_mei_plugin.processing.score_gaps import weights_from_history

    assert weights_from_history(layer) == Weights()
    assert any(line.startswith("  #1 ") and dark["gap_id"] in line for line in log), log


def test_gapreachability_no_longer_scores_port_calls_like_the_dark_voyage(scenario, no_saved_lists):
    """The issue's held-out failure: through importais -> detectgaps -> gapreachability the berth ships scored 3
    points, as the dark ship did."""
    points, gaps = scenario
    result = run(
        "baimei:gapreachability",
        {"GAPS": gaps, "INPUT": points, "OUTPUT_AREAS": "memory:", "OUTPUT_VISITS": "memory:"},
    )
    areas = _by_mmsi(result["OUTPUT_AREAS"])
    dark = areas[DARK_SHIP]["suspicion"]
    assert all(areas[m]["suspicion"] < dark for m in BERTH_SHIPS), {m: a["suspicion"] for m, a in areas.items()}
    assert all("port call" in areas[m]["why"] for m in BERTH_SHIPS)


def test_a_vessel_reporting_a_listed_imo_ranks_up_naming_the_list_and_entry(provider, no_saved_lists, tmp_path):
    if not os.path.exists(OFAC):
        pytest.skip(f"the recorded OFAC list {OFAC} is not available")
    listed = BERTH_SHIPS[2]
    points, gaps = _chain(tmp_path, listed_mmsi=listed)
    plain = _by_mmsi(run("baimei:scoregaps", {"INPUT": points, "GAPS": gaps, "OUTPUT": "memory:"})["OUTPUT"])
    log = []
    result = run("baimei:scoregaps", {"INPUT": points, "GAPS": gaps, "WATCHLIST": OFAC, "OUTPUT": "memory:"}, log)
    scored = _by_mmsi(result["OUTPUT"])
    assert scored[listed]["suspicion"] - plain[listed]["suspicion"] == pytest.approx(Weights().watchlist)
    assert scored[listed]["suspicion_rank"] < plain[listed]["suspicion_rank"]
    why = scored[listed]["why"]
    assert "OFAC" in why and "15036" in why and LISTED_IMO in why, why
    assert all("OFAC" not in scored[m]["why"] for m in scored if m != listed)
    assert any("OFAC" in line and "vessels" in line for line in log), log


def test_the_lists_saved_in_the_profile_are_used_without_a_file(provider, monkeypatch, tmp_path):
    if not os.path.exists(OFAC):
        pytest.skip(f"the recorded OFAC list {OFAC} is not available")
    from bai_mei_plugin.core.watchlists import read_watchlist
    from bai_mei_plugin.qgis_io import watchlist_store

    saved = read_watchlist(OFAC)
    monkeypatch.setattr(watchlist_store, "saved_watchlists", lambda: [saved])
    listed = BERTH_SHIPS[0]
    points, gaps = _chain(tmp_path, listed_mmsi=listed)
    scored = _by_mmsi(run("baimei:scoregaps", {"INPUT": points, "GAPS": gaps, "OUTPUT": "memory:"})["OUTPUT"])
    assert "15036" in scored[listed]["why"]


def test_bad_weights_are_refused_naming_the_key(scenario, no_saved_lists):
    points, gaps = scenario
    with pytest.raises(QgsProcessingException, match="port_call"):
        run("baimei:scoregaps", {"GAPS": gaps, "WEIGHTS": '{"port_call": "lots"}', "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="WEIGHTS"):
        run("baimei:scoregaps", {"GAPS": gaps, "WEIGHTS": "{port_call: -6", "OUTPUT": "memory:"})


def test_weights_given_are_used_and_returned(scenario, no_saved_lists):
    points, gaps = scenario
    default = Weights()
    heavier = {"offshore": default.offshore + 10}
    result = run("baimei:scoregaps", {"GAPS": gaps, "WEIGHTS": json.dumps(heavier), "OUTPUT": "memory:"})
    plain = run("baimei:scoregaps", {"GAPS": gaps, "OUTPUT": "memory:"})
    used = json.loads(result["WEIGHTS_USED"])
    assert used["offshore"] == default.offshore + 10 and used["port_call"] == default.port_call
    dark, before = _by_mmsi(result["OUTPUT"])[DARK_SHIP], _by_mmsi(plain["OUTPUT"])[DARK_SHIP]
    assert dark["suspicion"] - before["suspicion"] == pytest.approx(10)


def test_without_points_the_reasons_needing_reports_are_skipped_and_said_so(scenario, no_saved_lists):
    _points, gaps = scenario
    log = []
    result = run("baimei:scoregaps", {"GAPS": gaps, "OUTPUT": "memory:"}, log)
    assert result["OUTPUT"].featureCount() == 6
    assert any("No AIS points" in line and "skipped" in line for line in log), log
    assert _by_mmsi(result["OUTPUT"])[DARK_SHIP]["suspicion_rank"] == 1


def test_a_layer_that_is_not_gaps_is_refused(scenario, no_saved_lists):
    tracks = QgsVectorLayer("LineString?crs=EPSG:4326&field=segment:integer&field=mmsi:long", "tracks", "memory")
    with pytest.raises(QgsProcessingException, match="not a dark gaps layer: it lacks the field.*gap_hours, gap_id"):
        run("baimei:scoregaps", {"GAPS": tracks, "OUTPUT": "memory:"})


def test_reviews_kept_in_the_project_are_written_with_the_scores(scenario, no_saved_lists):
    from bai_mei_plugin.core.review import make_review
    from bai_mei_plugin.qgis_io.review import save_reviews

    points, gaps = scenario
    first = next(QgsVectorLayer(gaps, "gaps", "ogr").getFeatures())["gap_id"]
    project = QgsProject.instance()
    save_reviews(project, {first: make_review(first, "dismissed", "a port call, seen on the berth's webcam")})
    try:
        layer = run("baimei:scoregaps", {"GAPS": gaps, "OUTPUT": "memory:"})["OUTPUT"]
        scored = {f["gap_id"]: f for f in layer.getFeatures()}
    finally:
        save_reviews(project, {})
    assert scored[first]["review_status"] == "dismissed"
    assert scored[first]["review_note"] == "a port call, seen on the berth's webcam"
    assert all(str(f["review_status"]) == "NULL" for g, f in scored.items() if g != first)


def test_help_gives_every_weight_and_its_default(provider):
    from qgis.core import QgsApplication

    algorithm = QgsApplication.processingRegistry().algorithmById("baimei:scoregaps")
    text = algorithm.shortHelpString()
    for name, _words, default in Weights.describe():
        assert f"<code>{name}</code>" in text and f"<td>{default:g}</td>" in text
