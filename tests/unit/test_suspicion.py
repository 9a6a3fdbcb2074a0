"""Suspicion of a dark gap, and why (bai_mei_plugin.core.suspicion)."""

from dataclasses import replace

from bai_mei_plugin.core.gaps import Gap
from bai_mei_plugin.core.reachability import CandidateVisit
from bai_mei_plugin.core.suspicion import DEFAULT_INTEREST_PORTS, InterestPorts, assess_gap, parse_port_list

GAP = Gap(
    gap_id="g1",
    mmsi=200000008,
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
    assert (s.score, s.level, s.reasons) == (0, "none", [])
    assert s.why.startswith("No sign of suspicion")


def test_each_reason_adds_to_the_score_and_says_why():
    visits = [
        visit("Dalian", "CNDLC", 70.0),
        visit("Nampo", "KPNAM", 56.0, sea=55.6),
        visit("Nampo", "KPNAM", 90.0, gap_id="another gap"),
    ]
    s = assess_gap(GAP, visits, INTEREST)
    assert (s.score, s.level) == (2, "medium")
    assert s.reasons == ["could have called at a port of interest: Nampo (up to 56 h by sea)"]
    laden = replace(GAP, draught_after=11.5)
    s = assess_gap(laden, visits, INTEREST)
    assert (s.score, s.level) == (3, "high")
    assert "draught rose from 6.5 m to 11.5 m (loaded while dark)" in s.reasons
    rerouted = replace(laden, destination_after=" nakhodka ")
    s = assess_gap(rerouted, visits, INTEREST)
    assert s.score == 4 and s.level == "high"
    assert s.reasons[-1] == "declared destination changed from VLADIVOSTOK to NAKHODKA"
    assert s.why.startswith("Suspicion high: could have called at") and s.why.endswith("to NAKHODKA.")


def test_small_draught_changes_and_missing_values_do_not_count():
    assert assess_gap(replace(GAP, draught_after=6.9), [], INTEREST).score == 0  # under 0.5 m: trim, noise
    assert assess_gap(replace(GAP, draught_after=5.0), [], INTEREST).score == 0  # unloaded
    assert assess_gap(replace(GAP, draught_before=None, draught_after=11.5), [], INTEREST).score == 0
    assert assess_gap(replace(GAP, destination_after=""), [], INTEREST).score == 0
    assert assess_gap(replace(GAP, destination_after="vladivostok"), [], INTEREST).score == 0


def test_several_ports_of_interest_are_named_longest_first_as_given():
    visits = [
        visit(n, c, h)
        for n, c, h in (
            ("Nampo", "KPNAM", 50),
            ("Songnim", "KPSON", 49),
            ("Haeju", "KPHAE", 40),
            ("Rason", "KPNJN", 10),
        )
    ]
    s = assess_gap(GAP, visits, INTEREST)
    assert s.score == 2
    assert s.reasons[0] == (
        "could have called at ports of interest: Nampo (up to 50 h), Songnim (up to 49 h), "
        "Haeju (up to 40 h) and 1 more"
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
