"""Sanctions lists: OFAC's real vessel rows, a generic CSV, OpenSanctions' maritime columns, hostile files, matching
by IMO / MMSI / name / former name, and the matching of AIS reports."""

import json
import subprocess
import sys

import pytest

from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.watchlists import (
    NAME_TOO_LONG,
    NO_IDENTIFIER,
    NOT_A_VESSEL,
    Watchlist,
    WatchlistEntry,
    WatchlistMatch,
    WatchlistMatcher,
    date_in_file_name,
    imo_check_digit_ok,
    listed_vessels,
    normalise_vessel_name,
    parse_published,
    read_watchlist,
)
from tests.support import ROOT, SHARED_DATA

DATA = ROOT / "tests" / "data" / "watchlists"
OFAC = SHARED_DATA / "watchlists" / "ofac_sdn_vessels_2023-03-01.csv"
needs_ofac = pytest.mark.skipif(not OFAC.is_file(), reason="../shared/data/watchlists not present (no shared data)")

# Rows in OFAC's layout: two real vessel rows copied from the list, then an individual and an entity (made up).
OFAC_ROWS = (
    '15036,"ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Crude/Oil Products Tanker","99,144","56,068","Iran",-0- ,'
    "\"Vessel Registration Identification IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA'.\"\n"
    '4243,"EBANO","vessel","CUBA",-0- ,-0- ,"General Cargo","2595","1865","Panama",-0- ,'
    "\"Vessel Registration Identification IMO 7406784; f.k.a. 'ANA I'; f.k.a. 'SAND SWAN'.\"\n"
    '90001,"DOE, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1970."\n'
    '90002,"TEST TRADING LLC",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
    "\x1a\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# ------------------------------------------------------------------------------------------------ OFAC


@needs_ofac
def test_real_ofac_vessel_rows():
    wl = read_watchlist(OFAC)
    assert (wl.name, wl.published, wl.source, wl.format) == (
        "OFAC SDN",
        "2023-03-01",
        "ofac_sdn_vessels_2023-03-01.csv",
        "OFAC SDN CSV",
    )
    assert len(wl.entries) == 711 and wl.dropped == {}
    assert sum(1 for e in wl.entries if e.imo) == 704
    assert sum(1 for e in wl.entries if e.mmsi) == 82
    artavil = next(e for e in wl.entries if e.entry_id == "15036")
    assert artavil == WatchlistEntry(
        entry_id="15036",
        name="ARTAVIL",
        imo="9187629",
        mmsi=572469210,
        former_names=("ALPHA",),
        program="IRAN",
        flag="Iran",
        vessel_type="Crude/Oil Products Tanker",
        call_sign="T2EU4",
    )
    # "IMO  8730455" (two spaces) in OFAC's text is read too; a.k.a. names are aliases, not former names
    assert next(e for e in wl.entries if e.entry_id == "40717").aliases == ("DENA",)
    assert {e.imo for e in wl.entries} >= {"8730455", "8904408"}
    assert all(len(e.imo) == 7 for e in wl.entries if e.imo)
    assert all(100_000_000 <= e.mmsi <= 999_999_999 for e in wl.entries if e.mmsi)


def test_ofac_layout_skips_people_and_companies_and_the_end_of_file_mark(tmp_path):
    wl = read_watchlist(write(tmp_path, "sdn.csv", OFAC_ROWS, "latin-1"))
    assert [e.name for e in wl.entries] == ["ARTAVIL", "EBANO"]
    assert wl.dropped == {NOT_A_VESSEL: 2}
    assert wl.entries[1].former_names == ("ANA I", "SAND SWAN") and wl.entries[1].mmsi is None
    assert wl.published is None  # no date in the file's name


def test_ofac_row_with_wrong_column_count_names_file_and_line(tmp_path):
    text = OFAC_ROWS.replace('"DOB 01 Jan 1970."', '"DOB 01 Jan 1970.","extra"')
    with pytest.raises(BaiMeiError, match=r"sdn\.csv, line 3: 13 columns where OFAC's sdn\.csv has 12"):
        read_watchlist(write(tmp_path, "sdn.csv", text))


# ------------------------------------------------------------------------------------------------ generic CSVs


def test_generic_csv_with_bom_synonyms_and_drops():
    wl = read_watchlist(DATA / "generic_list_2024-05-17.csv")
    assert (wl.name, wl.published, wl.format) == ("generic list", "2024-05-17", "CSV")
    by_id = {e.entry_id: e for e in wl.entries}
    assert sorted(by_id) == ["G-1", "G-2", "G-3", "G-5", "G-6"]
    assert by_id["G-1"].former_names == ("ALPHA", "OMEGA STAR") and by_id["G-1"].call_sign == "T2EU4"
    assert by_id["G-3"].imo == "9999999"  # kept although its check digit fails: lists are taken as published
    assert by_id["G-5"].name == 'Quote, Comma "Ltd"' and by_id["G-5"].imo is None and by_id["G-5"].mmsi is None
    assert by_id["G-6"].mmsi == 412000001 and by_id["G-6"].name == ""
    assert wl.dropped == {NO_IDENTIFIER: 1}
    assert any("IMO numbers that are not 7 digits" in n and "line 6" in n for n in wl.notes)
    assert any("MMSIs that are not 9 digits" in n for n in wl.notes)


def test_opensanctions_maritime_columns():
    wl = read_watchlist(DATA / "opensanctions_maritime.csv")
    assert wl.format == "OpenSanctions maritime CSV" and wl.name == "OpenSanctions maritime"
    assert wl.dropped == {NOT_A_VESSEL: 1}  # the ORGANIZATION row
    one = [e for e in wl.entries if e.entry_id == "os-vessel-1"]
    # two MMSIs joined by ";": one entry each under the same id
    assert [(e.imo, e.mmsi) for e in one] == [("9321483", 351000001), (None, 352000002)]
    assert one[0].aliases == ("OLD TEST ONE", "TEST UNO") and one[0].program == "us_ofac_sdn;un_1718_vessels"
    assert one[0].vessel_type == ""  # "VESSEL" is the row's type, not the ship's


def test_latin1_file_is_read():
    wl = read_watchlist(DATA / "latin1_list.csv", name="Latin", published="2020-01-31")
    assert [e.name for e in wl.entries] == ["SÃO JOÃO", "CAFÉ NOIR"]
    assert (wl.name, wl.published) == ("Latin", "2020-01-31")


def test_header_without_identifying_column_names_what_was_found_and_expected(tmp_path):
    path = write(tmp_path, "owners.csv", "owner,country\nACME,Panama\n")
    with pytest.raises(BaiMeiError) as info:
        read_watchlist(path)
    message = info.value.message
    assert message.startswith("owners.csv: no IMO, MMSI or name column in the first row (found 'owner', 'country')")
    assert "imo number" in message and "OFAC's sdn.csv (12 columns" in message


def test_short_row_names_the_missing_columns(tmp_path):
    path = write(tmp_path, "short.csv", "name,flag,imo\nONE,Panama,9074729\nTWO\n")
    with pytest.raises(
        BaiMeiError, match=r"short\.csv, line 3: 1 values where the header has 3: no value for 'flag', 'imo'"
    ):
        read_watchlist(path)


# ------------------------------------------------------------------------------------------------ hostile files


def test_formula_and_markup_names_are_kept_as_text_never_evaluated(tmp_path):
    path = write(
        tmp_path,
        "hostile.csv",
        'name,imo\n"=HYPERLINK(""http://evil.example"",""x"")",9074729\n<b>BOLD</b><script>x</script>,\n'
        '"@SUM(1+1)\ttab",\n',
    )
    wl = read_watchlist(path)
    assert [e.name for e in wl.entries] == [
        '=HYPERLINK("http://evil.example","x")',
        "<b>BOLD</b><script>x</script>",
        "@SUM(1+1) tab",  # a control character becomes a space
    ]
    match = WatchlistMatcher([wl]).match(names=["<b>BOLD</b><script>x</script>"])[0]
    assert '"<b>BOLD</b><script>x</script>"' in match.text  # the caller escapes it for rich text


def test_huge_field_is_a_clear_error(tmp_path):
    path = write(tmp_path, "huge.csv", "name,imo\n" + "A" * 200_000 + ",9074729\n")
    with pytest.raises(BaiMeiError, match=r"huge\.csv, line 2: not readable as CSV \(field larger than field limit"):
        read_watchlist(path)


def test_overlong_name_is_dropped_and_counted(tmp_path):
    path = write(tmp_path, "long.csv", "name,imo\n" + "B" * 500 + ",9074729\nSHORT,\n")
    wl = read_watchlist(path)
    assert [e.name for e in wl.entries] == ["SHORT"] and wl.dropped == {NAME_TOO_LONG: 1}


def test_binary_empty_and_all_dropped_files(tmp_path):
    with pytest.raises(BaiMeiError, match=r"bin\.csv is not a text CSV file \(it contains NUL bytes\)"):
        read_watchlist(write(tmp_path, "bin.csv", b"name\x00imo\n"))
    with pytest.raises(BaiMeiError, match=r"The sanctions list empty\.csv is empty"):
        read_watchlist(write(tmp_path, "empty.csv", ""))
    with pytest.raises(BaiMeiError, match=r"No vessels in the sanctions list none\.csv \(2 no usable IMO number"):
        read_watchlist(write(tmp_path, "none.csv", "name,imo\n,\n ,0000000\n--,\n"))
    with pytest.raises(BaiMeiError, match="it is not a file"):
        read_watchlist(tmp_path / "missing.csv")


def test_file_size_is_capped(tmp_path, monkeypatch):
    import bai_mei_plugin.core.watchlists as module

    monkeypatch.setattr(module, "MAX_FILE_BYTES", 100)
    with pytest.raises(BaiMeiError, match=r"big\.csv is 0 MB: larger than the 0 MB"):
        read_watchlist(write(tmp_path, "big.csv", "name\n" + "X\n" * 100))


def test_a_million_rows_are_streamed_not_held_twice(tmp_path):
    """1e6 rows (22 MB) read in a fresh Python: its peak memory beyond the import is the entries (under 450 bytes
    each) and at most one more copy of the file's text, not the text read whole and then split."""
    path = tmp_path / "million.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("imo,name\n")
        f.writelines(f"{1_000_000 + i},VESSEL {i}\n" for i in range(1_000_000))
    size = path.stat().st_size
    script = (
        "import resource, sys\n"
        "from bai_mei_plugin.core.watchlists import read_watchlist\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "wl = read_watchlist(sys.argv[1])\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(len(wl.entries), wl.entries[-1].imo, (after - before) * 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    count, last_imo, grown = out.stdout.split()
    assert (int(count), last_imo) == (1_000_000, "1999999")
    assert int(grown) < 450 * 1_000_000 + size, (int(grown), size)


# ------------------------------------------------------------------------------------------------ dates, names


def test_dates_from_file_names_and_typed():
    assert date_in_file_name("ofac_sdn_vessels_2023-03-01.csv") == "2023-03-01"
    assert date_in_file_name("/x/list_20240517.csv") == "2024-05-17"
    assert date_in_file_name("list_2023-13-45.csv") is None and date_in_file_name("sdn.csv") is None
    assert parse_published(" 2023-03-01 ") == "2023-03-01" and parse_published("") is None
    with pytest.raises(BaiMeiError, match=r"The published date '1 March' is not a date: expected YYYY-MM-DD"):
        parse_published("1 March")


@pytest.mark.parametrize(
    "written",
    ["Sea Breeze", "SEA BREEZE", "  sea   breeze ", "M/V SEA BREEZE", "MV Sea-Breeze", "m.v. sea breeze", "Séa Breeze"],
)
def test_name_normalisation(written):
    assert normalise_vessel_name(written) == "SEA BREEZE"


def test_name_normalisation_keeps_whole_names():
    assert normalise_vessel_name("MV") == "MV"  # nothing after the prefix: the name itself
    assert normalise_vessel_name("MVP STAR") == "MVP STAR"
    assert normalise_vessel_name("") == "" and normalise_vessel_name(None) == ""


def test_imo_check_digit():
    assert imo_check_digit_ok("9074729") and imo_check_digit_ok("9187629")
    assert not imo_check_digit_ok("9999999") and not imo_check_digit_ok("907472")


# ------------------------------------------------------------------------------------------------ matching


def _list():
    return read_watchlist(DATA / "generic_list_2024-05-17.csv", name="TEST LIST")


def test_match_by_imo_mmsi_name_and_former_name():
    matcher = WatchlistMatcher([_list()])
    by_imo = matcher.match(imo="IMO 9187629")
    assert [(m.matched_on, m.value, m.entry.entry_id) for m in by_imo] == [("IMO", "9187629", "G-1")]
    assert by_imo[0].text == 'on TEST LIST (2024-05-17): entry G-1 "ARTAVIL", matched by IMO 9187629'
    assert [m.matched_on for m in matcher.match(mmsi=412000001)] == ["MMSI"]
    former = matcher.match(names=["Omega-Star"])
    assert [(m.matched_on, m.entry.entry_id) for m in former] == [("former name", "G-1")]
    assert former[0].text.endswith('matched by former name "OMEGA STAR" (reported "Omega-Star")')
    assert [m.entry.entry_id for m in matcher.match(names=["MV SEA BREEZE"])] == ["G-2"]


def test_one_match_per_entry_the_strongest():
    matches = WatchlistMatcher([_list()]).match(mmsi=572469210, imo="9187629", names=["ARTAVIL", "ALPHA"])
    assert [(m.matched_on, m.entry.entry_id) for m in matches] == [("IMO", "G-1")]


def test_invalid_check_digit_still_matches_and_says_so():
    match = WatchlistMatcher([_list()]).match(imo="9999999")[0]
    assert match.text.endswith("matched by IMO 9999999 (the IMO check digit fails)")


def test_no_partial_names_and_no_name_match_against_another_imo():
    matcher = WatchlistMatcher([_list()])
    assert matcher.match(names=["SEA BREEZE II", "BREEZE", "ARTAVI"]) == []
    assert matcher.match(names=["ARTAVIL"], imo="9074729") == []  # another ship of the same name
    assert [m.entry.entry_id for m in matcher.match(names=["ARTAVIL"], imo="9187629")] == ["G-1"]
    # an MMSI match stands even when the IMO numbers disagree (MMSIs are reused, and spoofed), and says so
    spoof = matcher.match(mmsi=572469210, imo="9074729")[0]
    assert spoof.matched_on == "MMSI" and "the vessel reports IMO 9074729, the list 9187629" in spoof.text


def test_match_across_lists_and_published_missing():
    other = Watchlist("UN 1718", None, "un.csv", "2024-01-01T00:00:00+00:00", [WatchlistEntry("U1", "ARTAVIL")])
    matches = WatchlistMatcher([_list(), other]).match(imo="9187629", names=["ARTAVIL"])
    assert [(m.list_name, m.matched_on) for m in matches] == [("TEST LIST", "IMO"), ("UN 1718", "name")]
    assert matches[1].text == 'on UN 1718: entry U1 "ARTAVIL", matched by name "ARTAVIL"'


def _reports():
    # vessel 1: a listed IMO (written with a prefix) and an unrelated name; vessel 2: a listed former name;
    # vessel 3: listed by MMSI only; vessel 4: not listed
    rows = [
        (111111111, 0, 120.0, 30.0, "IMO9187629", "NEW NAME"),
        (111111111, 600, 120.1, 30.1, "IMO9187629", "NEW NAME"),
        (222222222, 0, 121.0, 31.0, None, "omega star"),
        (222222222, 900, 121.5, 31.5, None, None),
        (412000001, 0, 122.0, 32.0, None, None),
        (444444444, 0, 123.0, 33.0, "9074729", "QUIET ONE"),
    ]
    mmsi, t, lon, lat, imo, name = zip(*rows)
    return AisColumns.build(mmsi, t, lon, lat, imo=list(imo), vessel_name=list(name))


def test_match_reports_reads_each_vessels_imo_and_names():
    matches = WatchlistMatcher([_list()]).match_reports(_reports())
    assert {m: [(x.matched_on, x.entry.entry_id) for x in ms] for m, ms in matches.items()} == {
        111111111: [("IMO", "G-1")],
        222222222: [("former name", "G-1")],
        412000001: [("MMSI", "G-6")],
    }
    assert WatchlistMatcher([]).match_reports(_reports()) == {}


def test_listed_vessels_at_their_last_position():
    cols = _reports()
    matches = WatchlistMatcher([_list()]).match_reports(cols)
    records = {r.mmsi: r for r in listed_vessels(cols, matches)}
    assert sorted(records) == [111111111, 222222222, 412000001]
    two = records[222222222]
    assert (two.lon, two.lat, two.last_seen, two.vessel_name) == (121.5, 31.5, 900, "omega star")
    assert two.label == "omega star (TEST LIST)" and two.lists == "TEST LIST (2024-05-17)"
    assert records[412000001].label == "412000001 (TEST LIST)"  # no name: the MMSI


def test_watchlist_round_trips_through_json():
    wl = _list()
    back = Watchlist.from_dict(json.loads(json.dumps(wl.to_dict())))
    assert back == wl


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda d: d.pop("entries"), "no list of entries"),
        (lambda d: d["entries"][0].update(imo="12"), "entry 1: IMO '12' is not 7 digits"),
        (lambda d: d["entries"][1].update(mmsi="x"), "entry 2: MMSI 'x' is not 9 digits"),
        (lambda d: d["entries"][0].update(former_names="ALPHA"), "entry 1: former_names is not a list"),
        (lambda d: d.update(name=""), "the list has no name"),
    ],
)
def test_damaged_saved_list_says_what_is_wrong(damage, expected):
    d = _list().to_dict()
    damage(d)
    with pytest.raises(ValueError, match=expected):
        Watchlist.from_dict(d)


def test_match_text_of_a_hand_made_match():
    entry = WatchlistEntry("15036", "ARTAVIL", "9187629", 572469210)
    match = WatchlistMatch("OFAC SDN", "2023-03-01", entry, "IMO", "9187629")
    assert match.text == 'on OFAC SDN (2023-03-01): entry 15036 "ARTAVIL", matched by IMO 9187629'
