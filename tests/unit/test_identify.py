"""Vessel profiles (bai_mei_plugin.core.profiles) and the ranking of who a sighted vessel could be (core.identify).

Hand-made AIS reports and gaps around a sighting, then the synthetic BAI MEI 8 scenario end to end: seen at Nampo
while dark, it must come first among its look-alikes and every other vessel. The scenario test takes ~6 s (it writes
and reads the 1.3 million-row file) and stays in the normal unit run.
"""

import calendar
import csv
import time

import numpy as np
import pytest
from shapely.geometry import box

from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.identify import DARK, ELSEWHERE, HERE, NEARBY, NO_DATA, feature_score, identify_vessels
from bai_mei_plugin.core.profiles import (
    PROFILE_COLUMNS,
    VesselProfile,
    default_profiles_path,
    load_profiles,
    profile_from_sighting,
    write_profiles,
)
from bai_mei_plugin.core.sightings import Sighting

T0 = calendar.timegm((2017, 6, 17, 2, 0, 0))
H = 3600
LON, LAT = 125.15, 38.70
LOOK = dict(
    length_m=169.0,
    beam_m=27.0,
    hatch_count=5,
    crane_count=4,
    hull_colour="black",
    deck_colour="red",
    superstructure_colour="white",
    superstructure_position="aft",
    crane_type="jib cranes",
    bow_type="bulbous",
)


def profile(mmsi, name, **changes):
    return VesselProfile(mmsi=mmsi, imo=None, name=name, **{**LOOK, **changes})


def sighting(t=T0, lon=LON, lat=LAT, **features):
    return Sighting("S1", lon, lat, t, features if features else dict(LOOK))


def reports(*tracks):
    """AIS columns from (mmsi, [(t, lon, lat), ...]) tracks."""
    rows = [(m, t, lon, lat) for m, points in tracks for t, lon, lat in points]
    m, t, lon, lat = zip(*rows)
    return AisColumns.build(m, t, lon, lat, sog=[12.0] * len(rows), vessel_name=[f"SHIP {x}" for x in m])


def steady(lon, lat, start=T0 - 3 * H, stop=T0 + 3 * H, step=600):
    return [(t, lon, lat) for t in range(start, stop + 1, step)]


def gap(mmsi, off, on, a=(LON - 1.0, LAT - 1.0), b=(LON - 1.0, LAT - 2.0)):
    return Gap(
        gap_id=f"{mmsi}-gap",
        mmsi=mmsi,
        vessel_name=None,
        off_time=off,
        on_time=on,
        gap_hours=(on - off) / H,
        distance_nm=0.0,
        implied_speed_kn=0.0,
        off_lon=a[0],
        off_lat=a[1],
        on_lon=b[0],
        on_lat=b[1],
        sog_before=10.0,
        sog_after=10.0,
        draught_before=None,
        draught_after=None,
        destination_before=None,
        destination_after=None,
        positions_12h_before=0,
        off_shore_nm=None,
        on_shore_nm=None,
    )


def by_mmsi(candidates):
    return {c.mmsi: c for c in candidates}


# ------------------------------------------------------------------------------------------------------------------
# Features
# ------------------------------------------------------------------------------------------------------------------


def test_a_perfect_match_reporting_right_there_ranks_first_with_full_marks():
    cols = reports((1, steady(LON + 0.01, LAT)), (2, steady(LON, LAT + 0.02)))
    found = identify_vessels([sighting()], [profile(1, "ONE"), profile(2, "TWO", hatch_count=6)], cols)
    assert [c.mmsi for c in found] == [1, 2] and [c.rank for c in found] == [1, 2]
    one = found[0]
    assert (one.feature_score, one.spacetime_status, one.total_score) == (1.0, HERE, 1.0)
    assert "5 hatches match" in one.reasons and "hull black matches" in one.reasons
    assert "length 169 m within 10 m of 169 m" in one.reasons and "nm from the sighting" in one.reasons
    assert (one.lon, one.lat, one.observed_at, one.sighting_id, one.name) == (LON, LAT, T0, "S1", "ONE")
    assert "5 hatches, not 6" in found[1].reasons and found[1].total_score < 1.0


def test_a_look_alike_300_nm_away_is_elsewhere_and_excluded():
    cols = reports((1, steady(LON, LAT)), (2, steady(LON, LAT - 5.0)))  # 5 degrees of latitude = 300 nm
    found = identify_vessels([sighting()], [profile(1, "ONE", hull_colour="red"), profile(2, "TWIN")], cols)
    twin = by_mmsi(found)[2]
    assert twin.feature_score == 1.0 and twin.spacetime_status == ELSEWHERE
    assert twin.rank is None and twin.total_score == 0 and found[-1] is twin
    assert "300 nm away" in twin.reasons and "too far" in twin.reasons
    assert by_mmsi(found)[1].rank == 1


def test_a_dark_vessel_that_could_be_there_ranks_first_when_its_features_match():
    cols = reports(
        (1, steady(LON, LAT)),
        (
            2,
            steady(LON - 1.0, LAT - 1.0, T0 - 2 * 24 * H, T0 - 24 * H)
            + steady(LON - 1.0, LAT - 2.0, T0 + 24 * H, T0 + 2 * 24 * H),
        ),
    )
    dark = gap(2, T0 - 24 * H, T0 + 24 * H)
    found = identify_vessels([sighting()], [profile(1, "REPORTING", hatch_count=6), profile(2, "DARK")], cols, [dark])
    first, second = found
    assert (first.mmsi, first.rank, first.spacetime_status) == (2, 1, DARK)
    assert first.total_score == pytest.approx(0.9)
    assert "dark 16 Jun 02:00 – 18 Jun 02:00 UTC and the sighting is within its reachable sea" in first.reasons
    assert (second.spacetime_status, second.rank) == (HERE, 2) and second.total_score < 0.9
    # without the gap, the silence is only "no data" (the nearest reports do not rule it out)
    assert by_mmsi(identify_vessels([sighting()], [profile(2, "DARK")], cols))[2].spacetime_status == NO_DATA


def test_dark_but_out_of_reach_or_outside_the_given_area_is_elsewhere():
    dark = gap(2, T0 - 2 * H, T0 + 2 * H, a=(LON, LAT - 3.0), b=(LON, LAT - 3.0))  # 180 nm away, 2 h either side
    found = identify_vessels([sighting()], [profile(2, "DARK")], None, [dark])
    assert found[0].spacetime_status == ELSEWHERE and "could not be here" in found[0].reasons
    near = gap(2, T0 - 24 * H, T0 + 24 * H)
    inside = identify_vessels([sighting()], [profile(2, "DARK")], None, [near], {near.gap_id: box(124, 37, 126, 39)})
    assert inside[0].spacetime_status == DARK
    outside = identify_vessels([sighting()], [profile(2, "DARK")], None, [near], {near.gap_id: box(120, 30, 121, 31)})
    assert outside[0].spacetime_status == ELSEWHERE and "outside its reachability area" in outside[0].reasons


def test_reachability_areas_from_gap_reachability_are_used_as_they_are():
    from bai_mei_plugin.core.reachability import gap_reachability

    near = gap(2, T0 - 24 * H, T0 + 24 * H)
    areas = gap_reachability([near], None, None, [], max_speed_kn=12).areas
    assert identify_vessels([sighting()], [profile(2, "DARK")], None, [near], areas)[0].spacetime_status == DARK
    slow = gap_reachability([near], None, None, [], max_speed_kn=0.5).areas  # not feasible: an empty area
    found = identify_vessels([sighting()], [profile(2, "DARK")], None, [near], slow, max_speed_kn=12)
    assert found[0].spacetime_status == ELSEWHERE


def test_no_profiles_no_candidates():
    assert identify_vessels([sighting()], [], reports((1, steady(LON, LAT)))) == []


def test_missing_features_neither_help_nor_hurt():
    full = profile(1, "ONE")
    score, _ = feature_score(sighting(hatch_count=5, hull_colour="red"), full)
    assert score == pytest.approx(2 / 3, abs=1e-4)  # hatches (weight 2) match, hull (1) does not
    sparse = VesselProfile(mmsi=1, imo=None, name="ONE", hatch_count=5, hull_colour="black")
    assert feature_score(sighting(hatch_count=5, hull_colour="red", crane_type="gantry", length_m=300), sparse)[
        0
    ] == pytest.approx(2 / 3, abs=1e-4)
    assert feature_score(sighting(heading_deg=30.0), full) == (None, [])
    found = identify_vessels([sighting(activity="loading")], [full], reports((1, steady(LON, LAT))))
    assert found[0].feature_score is None and found[0].total_score == 0.5
    assert "no features to compare" in found[0].reasons


@pytest.mark.parametrize("seen, credit", [(175.0, 1.0), (159.0, 1.0), (189.0, 0.5), (199.0, 0.0), (120.0, 0.0)])
def test_length_gets_full_credit_within_the_tolerance_then_less_to_none_at_three_times_it(seen, credit):
    score, reasons = feature_score(sighting(length_m=seen), profile(1, "ONE"))
    assert score == pytest.approx(credit)
    assert ("within 10 m" in reasons[0]) == (credit == 1.0)


def test_categories_ignore_case_and_counts_may_be_text():
    assert feature_score(sighting(hull_colour=" Black ", hatch_count="5", crane_count=4.0), profile(1, "A"))[0] == 1


# ------------------------------------------------------------------------------------------------------------------
# Space and time
# ------------------------------------------------------------------------------------------------------------------


def test_statuses_from_reports_around_the_time():
    # 1: its position interpolated between reports 40 min apart passes the sighting
    # 2: 20 nm away at the time of the sighting, but reports 50 min either side leave time to get here at 25 kn
    # 3: no report within the hour: nearest 5 h before, 30 nm away -> no data
    # 4: no report within the hour, but the one 2 h before is 200 nm away -> elsewhere
    # 5: never reported
    cols = reports(
        (1, [(T0 - 20 * 60, LON - 0.1, LAT), (T0 + 20 * 60, LON + 0.1, LAT)]),
        (2, [(T0 - 50 * 60, LON, LAT + 20 / 60), (T0 + 50 * 60, LON, LAT + 20 / 60)]),
        (3, [(T0 - 5 * H, LON, LAT + 0.5)]),
        (4, [(T0 - 2 * H, LON, LAT - 200 / 60)]),
    )
    profiles = [profile(m, f"V{m}") for m in (1, 2, 3, 4, 5)]
    found = by_mmsi(identify_vessels([sighting()], profiles, cols, max_speed_kn=25))
    assert {m: c.spacetime_status for m, c in found.items()} == {
        1: HERE,
        2: NEARBY,
        3: NO_DATA,
        4: ELSEWHERE,
        5: NO_DATA,
    }
    assert "reports 20 min before and 20 min after" in found[1].reasons
    assert "within what it could sail at 25 kn" in found[2].reasons
    assert "nearest report 5.0 h before, 30 nm away" in found[3].reasons
    assert "no AIS reports from this MMSI" in found[5].reasons
    assert [found[m].rank for m in (1, 2, 3, 5)] == [1, 2, 3, 4] and found[4].rank is None
    # at 10 kn the second could not have sailed 20 nm in 50 minutes
    assert by_mmsi(identify_vessels([sighting()], profiles, cols, max_speed_kn=10))[2].spacetime_status == ELSEWHERE


def test_columns_in_any_order_give_the_same_result():
    cols = reports((2, steady(LON, LAT - 5.0)), (1, steady(LON + 0.01, LAT)))
    shuffled = cols.take(np.random.default_rng(1).permutation(len(cols)))
    profiles = [profile(1, "ONE"), profile(2, "TWO")]
    assert identify_vessels([sighting()], profiles, shuffled) == identify_vessels([sighting()], profiles, cols)


def test_a_sighting_without_a_time_has_no_data_and_several_sightings_are_ranked_each():
    cols = reports((1, steady(LON, LAT)))
    found = identify_vessels([sighting(t=None), Sighting("S2", LON, LAT, T0, dict(LOOK))], [profile(1, "ONE")], cols)
    assert [(c.sighting_id, c.spacetime_status, c.rank) for c in found] == [("S1", NO_DATA, 1), ("S2", HERE, 1)]
    assert "the sighting has no time" in found[0].reasons


def test_vessels_without_a_profile_are_listed_only_when_they_were_or_could_be_there():
    cols = reports((1, steady(LON, LAT)), (7, steady(LON + 0.02, LAT)), (8, steady(LON, LAT - 5.0)))
    found = identify_vessels(
        [sighting()], [profile(1, "ONE")], cols, [gap(9, T0 - 24 * H, T0 + 24 * H)], include_unprofiled=True
    )
    assert [(c.mmsi, c.rank) for c in found] == [(1, 1), (7, 2), (9, 3)]
    seven = found[1]
    assert seven.feature_score is None and seven.total_score == 0.5 and seven.name == "SHIP 7"
    assert seven.reasons.startswith("no profile; AIS puts it")
    assert found[2].spacetime_status == DARK and found[2].total_score == pytest.approx(0.45)


def test_a_negative_speed_is_refused():
    with pytest.raises(BaiMeiError, match="positive"):
        identify_vessels([sighting()], [profile(1, "ONE")], max_speed_kn=-1)


# ------------------------------------------------------------------------------------------------------------------
# Profiles files
# ------------------------------------------------------------------------------------------------------------------


def write_csv(path, header, *rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_profiles_round_trip_and_blank_cells_are_unknown(tmp_path):
    profiles = [
        profile(1, "ONE", notes="from a photo"),
        VesselProfile(mmsi=2, imo="9074729", name="TWO", hull_colour="red", length_tolerance_m=15),
    ]
    path = tmp_path / "p.csv"
    write_profiles(path, profiles)
    assert load_profiles(path) == profiles
    two = load_profiles(path)[1]
    assert two.hatch_count is None and two.features == {"hull_colour": "red"} and two.beam_tolerance_m == 3.0


def test_a_few_columns_and_values_in_any_case_are_enough(tmp_path):
    path = write_csv(
        tmp_path / "p.csv", ["\ufeffmmsi", "Name ", "Hull_Colour"], ["412000001", "X", "Black"], ["", "", ""]
    )
    assert load_profiles(path) == [VesselProfile(mmsi=412000001, imo=None, name="X", hull_colour="black")]


@pytest.mark.parametrize(
    "header, row, message",
    [
        (["mmsi", "name", "hull_color"], ["1", "X", "black"], r"line 1: unknown column\(s\) hull_color"),
        (["name", "hull_colour"], ["X", "black"], r"line 1: missing column\(s\) mmsi"),
        (
            ["mmsi", "name", "hull_colour"],
            ["1", "X", "navy"],
            r"line 2, field hull_colour: expected one of black, .*"
            r"found 'navy'",
        ),
        (
            ["mmsi", "name", "hatch_count"],
            ["1", "X", "five"],
            r"line 2, field hatch_count: expected a whole number from 0 "
            r"to 30, found 'five'",
        ),
        (["mmsi", "name", "hatch_count"], ["1", "X", "4.5"], "field hatch_count: expected a whole number"),
        (
            ["mmsi", "name", "length_m"],
            ["1", "X", "600"],
            r"field length_m: expected a number from 10 to 450, found '600'",
        ),
        (["mmsi", "name"], ["41200000X", "X"], "line 2, field mmsi: expected an MMSI"),
        (["mmsi", "name"], ["1", ""], "line 2, field name: expected a value, found nothing"),
        (
            ["mmsi", "name", "length_tolerance_m"],
            ["1", "X", "-2"],
            "field length_tolerance_m: expected a positive number",
        ),
        (["mmsi", "name"], ["1", "X", "extra"], "line 2: expected 2 fields as in the header, found 3"),
    ],
)
def test_profile_file_errors_name_the_file_line_field_expected_and_found(tmp_path, header, row, message):
    path = write_csv(tmp_path / "bad.csv", header, row)
    with pytest.raises(BaiMeiError, match=message) as error:
        load_profiles(path)
    assert str(path) in str(error.value)


def test_an_mmsi_given_twice_and_a_missing_file_are_errors(tmp_path):
    path = write_csv(tmp_path / "twice.csv", ["mmsi", "name"], ["1", "X"], ["1", "Y"])
    with pytest.raises(BaiMeiError, match=r"line 3, field mmsi: .* found 1 \(already on line 2\)"):
        load_profiles(path)
    with pytest.raises(BaiMeiError, match="Cannot read the profiles file"):
        load_profiles(tmp_path / "none.csv")


def test_profile_from_a_confirmed_sighting_round_trips(tmp_path):
    seen = Sighting(
        "S7",
        LON,
        LAT,
        T0,
        {
            **LOOK,
            "hull_colour": "Black",
            "hatch_count": "5",
            "bow_type": "",
            "activity": "loading",
            "notes": "seen loading",
        },
    )
    made = profile_from_sighting(seen, 200000008, "9000008", "BAI MEI 8")
    assert (made.mmsi, made.imo, made.name, made.hull_colour, made.hatch_count, made.bow_type) == (
        200000008,
        "9000008",
        "BAI MEI 8",
        "black",
        5,
        None,
    )
    assert made.notes == "from sighting S7"
    write_profiles(tmp_path / "p.csv", [made])
    assert load_profiles(tmp_path / "p.csv") == [made]
    assert feature_score(seen, made)[0] == 1.0
    with pytest.raises(BaiMeiError, match="Sighting S8, field crane_count: expected a whole number from 0 to 12"):
        profile_from_sighting(Sighting("S8", LON, LAT, T0, {"crane_count": 40}), 1, None, "X")


def test_the_bundled_profiles_are_synthetic_scenario_vessels():
    from bai_mei_plugin.demo.scenario import build_vessels

    profiles = load_profiles(default_profiles_path())
    assert profiles[0].mmsi == 200000008 and profiles[0].imo == "9000008" and profiles[0].name == "BAI MEI 8"
    assert 4 <= len(profiles) <= 5 and all(p.notes.startswith("synthetic demo profile") for p in profiles)
    with open(default_profiles_path(), encoding="utf-8") as f:
        assert next(csv.reader(f)) == list(PROFILE_COLUMNS)
    scenario = {v.mmsi: v for v in build_vessels()[0]}
    for p in profiles:  # real scenario identities and the size their AIS static data gives
        v = scenario[p.mmsi]
        imo, _callsign, name, _type, _cargo, width, length = v.static.split(",")[:7]
        assert (p.imo, p.name, p.beam_m, p.length_m) == (imo, name, float(width), float(length))
        differ = [k for k in LOOK if getattr(p, k) != getattr(profiles[0], k) and k not in ("length_m", "beam_m")]
        assert len(differ) <= 2 and (p is profiles[0]) == (not differ)


# ------------------------------------------------------------------------------------------------------------------
# The scenario
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario_reports(tmp_path_factory):
    from bai_mei_plugin.core.ais.reader import read_ais
    from bai_mei_plugin.core.gaps import detect_gaps
    from bai_mei_plugin.demo.scenario import generate_scenario

    path = tmp_path_factory.mktemp("scenario") / "aisdk_bai_mei_synthetic.csv"
    generate_scenario(path)
    cols = read_ais(str(path)).columns
    return cols, detect_gaps(cols).gaps


def _utc_text(seconds):
    return time.strftime("%-d %b %H:%M", time.gmtime(seconds))


@pytest.mark.parametrize("unprofiled", [False, True])
def test_the_bai_mei_8_seen_at_nampo_while_dark_ranks_first(scenario_reports, unprofiled):
    cols, gaps = scenario_reports
    profiles = load_profiles(default_profiles_path())
    seen = [
        Sighting("june", LON, LAT, calendar.timegm((2017, 6, 17, 2, 5, 0)), dict(LOOK)),
        Sighting("july", LON, LAT, calendar.timegm((2017, 7, 6, 2, 20, 0)), dict(LOOK)),
    ]
    found = identify_vessels(seen, profiles, cols, gaps, include_unprofiled=unprofiled)
    bai_mei_gaps = [g for g in gaps if g.mmsi == 200000008]
    assert len(bai_mei_gaps) == 2
    windows = [f"dark {_utc_text(g.off_time)} – {_utc_text(g.on_time)} UTC" for g in bai_mei_gaps]
    assert windows[0].startswith("dark 15 Jun") and "– 19 Jun" in windows[0]
    assert windows[1].startswith("dark 3 Jul") and "– 8 Jul" in windows[1]
    for sighting_id, window in zip(("june", "july"), windows):
        ranked = [c for c in found if c.sighting_id == sighting_id]
        best = ranked[0]
        assert (best.mmsi, best.rank, best.spacetime_status, best.feature_score) == (200000008, 1, DARK, 1.0)
        assert window in best.reasons and "within its reachable sea" in best.reasons
        assert all(c.total_score < best.total_score for c in ranked[1:])
        # the look-alikes trade openly elsewhere at those times
        assert {c.mmsi for c in ranked if c.spacetime_status == ELSEWHERE} >= {p.mmsi for p in profiles[1:]}
