"""Identity and position anomalies (bai_mei_plugin.core.anomalies) and the MID table (bai_mei_plugin.core.mid)."""

import numpy as np
import pytest

from bai_mei_plugin.core import anomalies as an
from bai_mei_plugin.core import mid
from bai_mei_plugin.core.ais.model import AisColumns
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.demo import fleet, scenario

T0 = 1_500_000_000


def cols_of(rows, shuffle_seed=None):
    """Columns from (mmsi, t, lon, lat[, name, imo, callsign]) tuples."""
    rows = [tuple(r) + (None,) * (7 - len(r)) for r in rows]
    if shuffle_seed is None:
        rows.sort(key=lambda r: (r[0], r[1]))
    else:
        np.random.default_rng(shuffle_seed).shuffle(rows)
    mmsi, t, lon, lat, name, imo, callsign = zip(*rows)
    return AisColumns.build(mmsi, t, lon, lat, vessel_name=name, imo=imo, callsign=callsign)


def kinds(result):
    return [(a.mmsi, a.kind) for a in result.anomalies]


def steady(mmsi, n=20, t0=T0, lon=125.0, lat=35.0, step=60, knots=12.0, **text):
    """A ship sailing east at ``knots``."""
    dlon = knots * 1852 / 3600 * step / (111_195 * np.cos(np.radians(lat)))
    return [
        (mmsi, t0 + k * step, lon + k * dlon, lat, text.get("name"), text.get("imo"), text.get("callsign"))
        for k in range(n)
    ]


# ---------------------------------------------------------------------------------------------------- jumps


def test_one_impossible_jump():
    rows = steady(412000001, 10) + [(412000001, T0 + 600, 126.0, 35.0)]  # 1 degree east in one minute
    result = an.find_anomalies(cols_of(rows))
    (jump,) = result.anomalies
    assert (jump.mmsi, jump.kind, jump.time, jump.lon, jump.lat, jump.time_before) == (
        412000001,
        "jump",
        T0 + 600,
        126.0,
        35.0,
        T0 + 540,
    )
    expected_nm = an.haversine_m(rows[9][2], 35.0, 126.0, 35.0) / 1852
    assert jump.distance_nm == pytest.approx(expected_nm) and 47 < expected_nm < 48
    assert jump.hours == pytest.approx(1 / 60)
    assert jump.speed_kn == pytest.approx((jump.distance_nm * 1852 - 100) / 60 * 3600 / 1852)
    assert jump.count == 1 and result.jumps_per_mmsi == {412000001: 1}
    assert f"{expected_nm:.1f} nm in 1.0 min" in jump.evidence and "above the 50 kn limit" in jump.evidence


def test_noise_between_near_simultaneous_reports_is_not_a_jump():
    rows = [
        (412000001, T0, 125.0, 35.0),
        (412000001, T0 + 1, 125.0006, 35.0),  # 55 m in 1 s
        (412000001, T0 + 2, 125.0, 35.0),
        (412000001, T0 + 8, 125.0015, 35.0),
    ]  # 137 m in 6 s
    assert an.find_anomalies(cols_of(rows)).anomalies == []
    # without the allowances the two 1-s steps look like 107 kn; 137 m in 6 s is 44 kn, under the limit anyway
    strict = an.AnomalyCriteria(noise_m=0, min_dt_s=1)
    assert [a.time for a in an.find_anomalies(cols_of(rows), criteria=strict).anomalies] == [T0 + 1, T0 + 2]


def test_a_single_glitch_is_two_jumps_not_a_shared_mmsi():
    rows = steady(412000001, 20)
    rows[10] = (412000001, rows[10][1], 120.0, 30.0)
    result = an.find_anomalies(cols_of(rows))
    assert kinds(result) == [(412000001, "jump")] * 2 and result.jumps_per_mmsi == {412000001: 2}


def test_two_ships_on_one_mmsi():
    a = steady(273000001, 40, lon=131.0, lat=42.0, step=120)
    b = steady(273000001, 40, t0=T0 + 60, lon=140.0, lat=38.0, step=120)
    result = an.find_anomalies(cols_of(a + b))
    shared = [x for x in result.anomalies if x.kind == "shared_mmsi"]
    assert len(shared) == 1 and shared[0].count == 79 and result.jumps_per_mmsi == {273000001: 79}
    assert shared[0].time == T0 and shared[0].segments == 2 and "2 tracks run at the same time" in shared[0].evidence
    assert "#1 40 reports" in shared[0].evidence and "#2 40 reports" in shared[0].evidence
    jumps = [x for x in result.anomalies if x.kind == "jump"]
    assert len(jumps) == 79 and all(j.count == 79 for j in jumps)  # every jump listed, none cut


def test_rows_in_any_order_give_the_same_anomalies():
    rows = (
        steady(273000001, 10, lon=131.0, lat=42.0)
        + steady(273000001, 10, t0=T0 + 30, lon=140.0, lat=38.0)
        + steady(412000002, 10, name="A")
        + steady(412000002, 10, t0=T0 + 6000, name="B")
        + steady(200000001, 3)
    )
    ordered = an.find_anomalies(cols_of(rows)).anomalies
    assert an.find_anomalies(cols_of(rows, shuffle_seed=4)).anomalies == ordered
    assert {a.kind for a in ordered} == {"jump", "shared_mmsi", "name_change", "unallocated_mid"}


# ---------------------------------------------------------------------------------------------------- MMSI and MID


def test_mid_table():
    table = mid.load_mid_table()
    assert 280 <= len(table) <= 300
    assert min(table) == 201 and max(table) == 775
    assert all(201 <= k <= 775 and (e.iso2 == "" or (len(e.iso2) == 2 and e.iso2.isupper())) for k, e in table.items())
    expect = {
        273: "RU",
        412: "CN",
        413: "CN",
        414: "CN",
        431: "JP",
        440: "KR",
        445: "KP",
        477: "HK",
        538: "MH",
        636: "LR",
        351: "PA",
        370: "PA",
        563: "SG",
        215: "MT",
        338: "US",
        232: "GB",
        211: "DE",
    }
    assert {k: table[k].iso2 for k in expect} == expect
    assert 200 not in table and 217 not in table
    assert table[445].country.startswith("Korea (Democratic")
    assert mid.mid_country(412123456) == mid.MidEntry(412, "China", "CN")
    assert mid.mid_country(200000008) is None


def test_every_scenario_flag_mid_is_allocated():
    table = mid.load_mid_table()
    for country, mids, _weight, _prefixes in fleet.FLAGS:
        assert all(table[m].iso2 == country for m in mids), country


@pytest.mark.parametrize(
    "text, message",
    [
        ("mid,country\n201,Albania\n", "missing column(s) iso2"),
        ("mid,country,iso2\n2O1,Albania,AL\n", "line 2: MID '2O1'"),
        ("mid,country,iso2\n201,Albania,AL\n201,Albania,AL\n", "line 3: MID 201 given twice"),
        ("mid,country,iso2\n201,Albania,ALB\n", "line 2: iso2 'ALB'"),
    ],
)
def test_mid_table_rejects_bad_files(tmp_path, text, message):
    path = tmp_path / "mid.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mid.load_mid_table(path)


@pytest.mark.parametrize(
    "mmsi, kind, mid_number, allocated",
    [
        (412123456, mid.SHIP, 412, True),
        (200000008, mid.SHIP, 200, False),
        (2191000, mid.COAST, 219, True),  # 002191000
        (21912345, mid.GROUP, 219, True),  # 021912345
        (111219001, mid.SAR_AIRCRAFT, 219, True),
        (821912345, mid.HANDHELD, 219, True),
        (982191234, mid.CRAFT, 219, True),
        (992191234, mid.ATON, 219, True),
        (970123456, mid.SART, None, False),
        (972123456, mid.MOB, None, False),
        (974123456, mid.EPIRB, None, False),
        (123456789, mid.INVALID, None, False),
        (912345678, mid.INVALID, None, False),
        (1234, mid.INVALID, None, False),
        (0, mid.INVALID, None, False),
        (1_000_000_000, mid.INVALID, None, False),
    ],
)
def test_describe_mmsi(mmsi, kind, mid_number, allocated):
    info = mid.describe_mmsi(mmsi)
    assert (info.kind, info.mid, info.allocated) == (kind, mid_number, allocated)
    assert info.description.startswith("MMSI")


def test_mmsi_anomalies_and_flags():
    rows = (
        steady(200000008, 3)
        + steady(412123456, 3)
        + steady(273123456, 3)
        + steady(992191234, 3)
        + steady(123456789, 3)
        + steady(1234, 3)
        + steady(306123456, 3)
    )
    flags = {412123456: "cn", 273123456: "PA", 306123456: "CW", 200000008: "KP"}
    result = an.find_anomalies(cols_of(rows), flags=flags)
    assert kinds(result) == [
        (1234, "invalid_mmsi"),
        (123456789, "invalid_mmsi"),
        (200000008, "unallocated_mid"),
        (273123456, "flag_mismatch"),
        (992191234, "special_mmsi"),
    ]
    by_kind = {a.kind: a for a in result.anomalies}
    assert by_kind["flag_mismatch"].evidence == ("Flag given as PA, but MID 273 belongs to Russian Federation (RU).")
    assert (by_kind["flag_mismatch"].before, by_kind["flag_mismatch"].after) == ("RU", "PA")
    assert "aid to navigation" in by_kind["special_mmsi"].evidence and "Denmark" in by_kind["special_mmsi"].evidence
    assert "not allocated" in by_kind["unallocated_mid"].evidence
    assert by_kind["unallocated_mid"].time == T0 and by_kind["unallocated_mid"].lon == 125.0


# ---------------------------------------------------------------------------------------------------- identity


def test_identity_changes_ignore_nulls_and_spelling():
    rows = [
        (412000001, T0 + k * 60, 125.0, 35.0, name, imo, cs)
        for k, (name, imo, cs) in enumerate(
            [
                ("OCEAN STAR", "IMO9074729", "BABC"),
                (None, None, None),
                ("ocean  star", "9074729", "BABC"),
                ("SEA STAR", None, None),
                (None, "9074731", "BXYZ"),
                ("SEA STAR", "0", "BXYZ"),
            ]
        )
    ]
    result = an.find_anomalies(cols_of(rows))
    assert kinds(result) == [(412000001, "name_change"), (412000001, "imo_change"), (412000001, "callsign_change")]
    name, imo, callsign = result.anomalies
    assert (name.before, name.after, name.time_before, name.time) == ("OCEAN STAR", "SEA STAR", T0 + 120, T0 + 180)
    assert (imo.before, imo.after, imo.time_before, imo.time) == ("9074729", "9074731", T0 + 120, T0 + 240)
    assert (callsign.before, callsign.after, callsign.count) == ("BABC", "BXYZ", 1)
    assert name.evidence.startswith("Name changed from 'OCEAN STAR'") and name.hours == pytest.approx(1 / 60)
    assert name.vessel_name == "SEA STAR"


def test_identity_changes_are_capped_per_mmsi():
    rows = [(412000001, T0 + k * 60, 125.0, 35.0, "A" if k % 2 else "B") for k in range(30)]
    changes = an.find_anomalies(cols_of(rows)).anomalies
    assert len(changes) == 20 and all(c.count == 29 for c in changes)


def test_imo_check_digit():
    assert an.imo_is_valid("9074729") and not an.imo_is_valid("9000008") and not an.imo_is_valid("907472")
    for imo in ("9074729", "9000008", "1234567", "9319466", "9000003"):
        assert an.imo_is_valid(imo) == fleet.imo_is_valid(imo)
    assert an.normalise_imo("IMO 9074729") == "9074729" and an.normalise_imo("0000000") is None


def test_invalid_imo_once_per_mmsi_and_value():
    rows = [
        (412000001, T0 + k * 60, 125.0, 35.0, "X", imo)
        for k, imo in enumerate(["9000008", "9000008", "IMO9000008", "9074729", "12345", "0", None])
    ] + [(412000002, T0 + 30, 126.0, 35.0, "Y", "9000008")]
    bad = [a for a in an.find_anomalies(cols_of(rows)).anomalies if a.kind == "invalid_imo"]
    assert [(a.mmsi, a.before, a.time) for a in bad] == [
        (412000001, "9000008", T0),
        (412000001, "12345", T0 + 240),
        (412000002, "9000008", T0 + 30),
    ]
    assert "should end in 3" in bad[0].evidence and "not 7 digits" in bad[1].evidence


# ---------------------------------------------------------------------------------------------------- the scenario


@pytest.fixture(scope="module")
def scenario_columns(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "aisdk_bai_mei_scenario.csv"
    if not path.exists():  # shared by the test modules of one session
        scenario.generate_scenario(path)
    return read_ais(str(path)).columns


def test_scenario_flags_the_bai_mei_identity(scenario_columns):
    progress = []
    result = an.find_anomalies(scenario_columns, flags={scenario.BAI_MEI_MMSI: "KP"}, progress=progress.append)
    assert progress[-1] == 1.0
    bai_mei = [a for a in result.anomalies if a.mmsi == scenario.BAI_MEI_MMSI]
    assert [a.kind for a in bai_mei] == ["unallocated_mid", "invalid_imo"]  # no MID country to compare a flag with
    assert all(a.vessel_name == "BAI MEI 8" for a in bai_mei)
    assert bai_mei[1].before == scenario.BAI_MEI_IMO and "should end in 3" in bai_mei[1].evidence
    # its dark gaps are long silences, not impossible jumps; no other vessel has a bad MMSI or IMO
    assert scenario.BAI_MEI_MMSI not in result.jumps_per_mmsi
    others = {a.kind for a in result.anomalies if a.mmsi != scenario.BAI_MEI_MMSI}
    assert not others & {"unallocated_mid", "invalid_mmsi", "invalid_imo"}


def test_cancel(scenario_columns):
    from bai_mei_plugin.core.errors import Canceled

    with pytest.raises(Canceled):
        an.find_anomalies(scenario_columns, is_canceled=lambda: True)
