"""Suspicion of a dark gap, and why (bai_mei_plugin.core.suspicion)."""

from dataclasses import replace

from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.reachability import CandidateVisit
from bai_mei_plugin.core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, assess_gap, parse_port_list

GAP = Gap(
    gap_id="g1",
    mmsi=412000008,  # a valid Chinese MMSI (MID 200 is unallocated: an identity reason)
    vessel_name="BAI MEI 8",
    off_time=0,
    on_time=80 * 3600,
    gap_hours=80.0,
    distance_nm=200.0,
    implied_speed_kn=2.5,
    off_lon=123.1,
    off_lat=38.8,
    on_lon=119.5,
    on_lat=38.7,
    sog_before=9.0,
    sog_after=9.5,
    draught_before=6.5,
    draught_after=6.5,
    destination_before="VLADIVOSTOK",
    destination_after="VLADIVOSTOK",
    positions_12h_before=10,
    off_shore_nm=20.0,
    on_shore_nm=30.0,
)


def visit(name, locode, hours, sea=None, gap_id="g1"):
    return CandidateVisit(
        gap_id=gap_id,
        mmsi=GAP.mmsi,
        port_name=name,
        locode=locode,
        max_dwell_hours=hours,
        max_dwell_hours_sea=sea,
        arrive_earliest=0,
        depart_latest=0,
        distance_in_nm=1.0,
        distance_out_nm=1.0,
    )


INTEREST = InterestPorts(DEFAULT_INTEREST_PORTS)


def test_nothing_suspicious():
    s = assess_gap(GAP, [visit("Dalian", "CNDLC", 70.0)], INTEREST)
    assert (s.points, s.level, s.reasons) == (0, "none", [])
    assert s.why.startswith("No sign of suspicion")


def test_each_reason_adds_its_points_and_says_why():
    visits = [
        visit("Dalian", "CNDLC", 70.0),
        visit("Nampo", "KPNAM", 56.0, sea=55.6),
        visit("Nampo", "KPNAM", 90.0, gap_id="another gap"),
    ]
    s = assess_gap(GAP, visits, INTEREST)
    assert (s.points, s.level) == (3, "low")
    assert [r.text for r in s.reasons] == ["could have called at Nampo (up to 56 h by sea)"]
    laden = replace(GAP, draught_after=11.5)
    s = assess_gap(laden, visits, INTEREST)
    assert (s.points, s.level) == (5, "medium")
    assert "draught rose 6.5 -> 11.5 m (loaded while dark)" in [r.text for r in s.reasons]
    rerouted = replace(laden, destination_after=" nakhodka ")
    s = assess_gap(rerouted, visits, INTEREST)
    assert s.points == 6 and s.level == "medium"
    assert s.reasons[-1].text == "declared destination changed VLADIVOSTOK -> NAKHODKA"
    assert s.why.startswith("Suspicion medium (6 pts): could have called at") and s.why.endswith("NAKHODKA +1.")


def test_small_draught_changes_and_missing_values_do_not_count():
    assert assess_gap(replace(GAP, draught_after=6.9), [], INTEREST).points == 0  # under 0.5 m: trim, noise
    assert [r.code for r in assess_gap(replace(GAP, draught_after=5.0), [], INTEREST).reasons] == ["draught_fell"]
    assert assess_gap(replace(GAP, draught_before=None, draught_after=11.5), [], INTEREST).points == 0
    assert assess_gap(replace(GAP, destination_after=""), [], INTEREST).points == 0
    assert assess_gap(replace(GAP, destination_after="vladivostok"), [], INTEREST).points == 0


def test_several_ports_of_interest_are_named_longest_first():
    visits = [
        visit(n, c, h)
        for n, c, h in (
            ("Haeju", "KPHAE", 40),
            ("Nampo", "KPNAM", 50),
            ("Songnim", "KPSON", 49),
            ("Rason", "KPNJN", 10),
        )
    ]
    s = assess_gap(GAP, visits, INTEREST)
    assert s.points == 3  # once, however many ports
    assert s.reasons[0].text == (
        "could have called at ports of interest: Nampo (up to 50 h by great circle, may cross land), "
        "Songnim (up to 49 h by great circle, may cross land), Haeju (up to 40 h by great circle, may cross land) "
        "and 1 more"
    )


def test_port_list_matching_by_name_locode_and_other_spellings():
    assert parse_port_list("Nampo; KPCHO,\\nnampo , ,Wonsan\n") == ["Nampo", "KPCHO", "\\nnampo", "Wonsan"]
    assert parse_port_list(None) == list(DEFAULT_INTEREST_PORTS)
    assert parse_port_list("") == []
    ports = InterestPorts(["Nam-po", "kpcho", "Rajin"])
    assert ("Nampo", "KPNAM") in ports
    assert ("Chongjin", "KPCHO") in ports
    assert ("Rason", "KPNJN") in ports  # Rajin is the gazetteer's Rason (UN/LOCODE KPNJN, also spelt Najin)
    assert ("Wonsan", "KPWON") not in ports
    assert ("Nampho port", "") not in ports
    assert ("NAMPHO", "") not in ports  # other spellings are matched through the port's UN/LOCODE
    assert ("Anything", "KPNAM") in InterestPorts(["Nampho"])
    empty = InterestPorts([])
    assert ("Nampo", "KPNAM") not in empty
