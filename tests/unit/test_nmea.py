"""The NMEA AIVDM/AIVDO reader: tag block and trailing times, multi-sentence assembly, static data merging, bad lines.

``data/nmea/tagblocks_static.nmea`` is project-owned: sentences made with pyais's encoder for invented vessels
(T0 = 2024-03-01T00:00:00Z). Real recordings in ``../shared/data/nmea`` are used when present. The reader needs no
pyais (test_nmea_oracle.py compares it with the pyais path).
"""

from __future__ import annotations

import math
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import (
    BAD_POSITION,
    MALFORMED,
    MISSING_ID_TIME,
    MISSING_TIME,
    NO_TIMES,
    NOT_A_VESSEL,
    RawRead,
)
from bai_mei_plugin.core.ais.nmea import looks_like_nmea, read_nmea
from bai_mei_plugin.core.errors import BaiMeiError, Canceled

DATA = Path(__file__).resolve().parent / "data" / "nmea"
FIXTURE = DATA / "tagblocks_static.nmea"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nmea"
T0 = 1709251200

requires_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data/nmea not present (fresh clone without shared test data)"
)

# Sentences from the fixture: 538000003's two-sentence type 5 (channel B, sequence id 2) and a type 3 position.
STATIC_1 = "!AIVDM,2,1,2,B,5814rPh2<r8MKL4;<01=@5:10D58h0000000001D000000000GljBjh@0000,0*0C"
STATIC_2 = "!AIVDM,2,2,2,B,00000000000,2*25"
POSITION = "!AIVDM,1,1,,A,1814rPwP014snn0<ha`0I0H1P000,0*5C"


def write(tmp_path: Path, lines, name: str = "sample.nmea") -> Path:
    path = tmp_path / name
    data = b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines)
    path.write_bytes(data)
    return path


def rows_of(raw: RawRead, mmsi: int) -> np.ndarray:
    return np.flatnonzero(raw.columns.mmsi == mmsi)


def text(raw: RawRead, field: str, mmsi: int) -> list:
    return getattr(raw.columns, field).take(rows_of(raw, mmsi)).to_list()


@pytest.fixture(scope="module")
def raw() -> RawRead:
    return read_nmea(FIXTURE)


# --- project-owned fixture ---------------------------------------------------------------------------------------


def test_counts_and_bookkeeping(raw):
    assert raw.format_name == "NMEA"
    assert len(raw.columns) == 14  # position-type messages decoded, non-vessels included
    assert raw.malformed == 4  # bad checksum, orphan fragment, non-ASCII bytes, truncated position report
    assert raw.rows_read == len(raw.columns) + raw.malformed
    assert raw.unparseable.dtype == bool and not raw.unparseable.any() and len(raw.unparseable) == 14
    assert raw.not_vessel.dtype == bool and len(raw.not_vessel) == 14
    assert raw.examples[MALFORMED].startswith("line 29: '\\c:1709251700*57\\!AIVDM,1,1,,B,")
    assert raw.examples[MALFORMED].endswith("(bad checksum)")


def test_times_from_tag_blocks_and_trailing_fields(raw):
    t = raw.columns.t
    assert t[rows_of(raw, 273000001)].tolist() == [T0, T0 + 60, T0 + 180]  # first with a dummy "*00" tag checksum
    assert t[rows_of(raw, 412000002)].tolist() == [T0 + 5]  # \s:rEV02,c:...
    assert t[rows_of(raw, 636000006)].tolist() == [T0 + 400]  # c: in milliseconds
    assert t[rows_of(raw, 538000003)].tolist() == [T0 + 241]  # last of the USCG-style trailing fields
    assert t[rows_of(raw, 244000008)].tolist() == [MISSING_TIME]  # no tag block, no trailing fields


def test_positions_and_not_available_values(raw):
    cols = raw.columns
    (i,) = rows_of(raw, 273000001)[:1]
    assert (cols.lon[i], cols.lat[i], cols.sog[i], cols.cog[i], cols.heading[i]) == (56.1, 26.2, 11.5, 135.0, 134.0)
    (i,) = rows_of(raw, 412000002)
    assert math.isnan(cols.sog[i]) and math.isnan(cols.cog[i]) and math.isnan(cols.heading[i])  # 102.3, 360, 511
    (i,) = rows_of(raw, 244000007)  # own ship (AIVDO), position not available: kept for cleaning to drop
    assert (cols.lon[i], cols.lat[i]) == (181.0, 91.0)
    (i,) = rows_of(raw, 636000006)  # type 27: knots and whole degrees, no heading
    assert (cols.lon[i], cols.lat[i], cols.sog[i], cols.cog[i]) == (-15.5, 5.25, 12.0, 271.0)
    assert math.isnan(cols.heading[i])


def test_type5_merged_with_latest_value_and_back_filled(raw):
    # 273000001: a position, type 5 "SHADOW TANKER" (two sentences told apart from 412000002's only by tag block
    # groups), a position, type 5 renamed "OCEAN GHOST" (interleaved with 538000003's on the other channel), a position.
    assert text(raw, "vessel_name", 273000001) == ["SHADOW TANKER", "SHADOW TANKER", "OCEAN GHOST"]
    assert text(raw, "destination", 273000001) == ["NAKHODKA", "NAKHODKA", "FOR ORDERS"]
    assert raw.columns.draught[rows_of(raw, 273000001)].tolist() == [12.5, 12.5, 14.0]
    assert text(raw, "imo", 273000001) == ["9123456"] * 3
    assert text(raw, "callsign", 273000001) == ["UBCD7"] * 3
    assert text(raw, "vessel_type", 273000001) == ["Tanker"] * 3
    # 412000002: IMO 0 is NULL, draught 0 is NaN; its position came before its type 5 (back-fill)
    assert text(raw, "vessel_name", 412000002) == ["HUA XIN 8"]
    assert text(raw, "imo", 412000002) == [None]
    assert math.isnan(raw.columns.draught[rows_of(raw, 412000002)][0])
    assert text(raw, "vessel_type", 412000002) == ["Cargo"]
    assert text(raw, "vessel_name", 538000003) == ["STAR PEARL"]
    # 244000008's type 5 used sequence id 3, interleaved with 219000005's with sequence id 4
    assert text(raw, "vessel_name", 244000008) == ["NO CLOCK"]
    assert text(raw, "destination", 244000008) == ["ROTTERDAM"]


def test_class_b_static_data(raw):
    # 367000004: position, type 24 part A (name), part B (callsign, ship type), position: both rows get everything
    assert text(raw, "vessel_name", 367000004) == ["NIGHT OWL", "NIGHT OWL"]
    assert text(raw, "callsign", 367000004) == ["WDX1234", "WDX1234"]
    assert text(raw, "vessel_type", 367000004) == ["Pleasure craft", "Pleasure craft"]
    # 219000005: type 19 carries its own name and ship type; a later type 5 adds the callsign
    assert text(raw, "vessel_name", 219000005) == ["FREYA"]
    assert text(raw, "vessel_type", 219000005) == ["Fishing"]
    assert text(raw, "callsign", 219000005) == ["OXAB"]


def test_not_vessel_rows(raw):
    flagged = set(raw.columns.mmsi[raw.not_vessel].tolist())
    assert flagged == {2190001, 111219001, 992191234}  # base station, SAR aircraft, aid to navigation


def test_cleaning_counts_every_dropped_row(raw):
    result = clean(raw)
    assert result.rows_read == 18
    assert result.dropped == {MALFORMED: 4, MISSING_ID_TIME: 1, BAD_POSITION: 1, NOT_A_VESSEL: 3}
    assert result.rows_kept == 9
    assert not set(result.columns.mmsi.tolist()) & {2190001, 111219001, 992191234, 244000007, 244000008}
    assert result.columns.vessel_name.to_list().count("OCEAN GHOST") == 1
    assert any("bad checksum" in line for line in result.summary_lines())


# --- fragments and bad lines ---------------------------------------------------------------------------------------


def test_fragments_out_of_order_are_assembled(tmp_path):
    raw = read_nmea(write(tmp_path, [STATIC_2, POSITION, STATIC_1]))
    assert raw.malformed == 0
    assert raw.columns.vessel_name.to_list() == ["STAR PEARL"]


def test_orphan_and_incomplete_fragments_are_malformed(tmp_path):
    bad_checksum = STATIC_2[:-2] + "26"
    raw = read_nmea(write(tmp_path, [STATIC_2, POSITION, bad_checksum]))
    assert raw.malformed == 2  # an orphan second sentence (given up at the end) and one with a bad checksum
    assert raw.rows_read == 3 and len(raw.columns) == 1
    assert raw.examples[MALFORMED] == f"line 3: '{bad_checksum}' (bad checksum)"
    assert raw.columns.vessel_name.to_list() == [None]
    raw = read_nmea(write(tmp_path, [STATIC_1, STATIC_1, STATIC_2, POSITION]))
    assert raw.malformed == 1  # the first STATIC_1 never got its second sentence
    assert raw.columns.vessel_name.to_list() == ["STAR PEARL"]
    assert raw.examples[MALFORMED] == f"line 1: '{STATIC_1[:57]}...' (incomplete multi-sentence message)"


def test_stray_bytes_and_garbage_never_raise(tmp_path):
    lines = [b"\xff\xfe\x00garbage", POSITION.encode()[:20] + b"\xe9" + POSITION.encode()[21:], b"!AIVDM,1,1", POSITION]
    raw = read_nmea(write(tmp_path, lines))
    assert raw.malformed == 3
    assert len(raw.columns) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=90) | st.sampled_from([STATIC_1, STATIC_2, POSITION]).map(str.encode)))
def test_any_bytes_read_without_error(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), [POSITION.encode(), *lines])
        raw = read_nmea(path)
    assert raw.rows_read == len(raw.columns) + raw.malformed
    assert len(raw.not_vessel) == len(raw.unparseable) == len(raw.columns) >= 1


@pytest.mark.parametrize("lines", [[], ["# comments only", ""]])
def test_file_without_ais_sentences_is_an_error(tmp_path, lines):
    path = write(tmp_path, lines, name="empty.nmea")
    with pytest.raises(BaiMeiError, match=re.escape(f"{path} contains no AIVDM/AIVDO sentences")):
        read_nmea(path)


def test_other_nmea_sentences_only_is_an_error():
    with pytest.raises(BaiMeiError, match="no_ais.nmea contains no AIVDM/AIVDO sentences"):
        read_nmea(DATA / "no_ais.nmea")


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(BaiMeiError, match="nowhere.nmea"):
        read_nmea(tmp_path / "nowhere.nmea")


def test_progress_and_cancel(tmp_path):
    path = write(tmp_path, [f"\\c:{T0 + i}*00\\{POSITION}" for i in range(60_000)])  # 4.1 MB: two chunks
    fractions = []
    raw = read_nmea(path, progress=fractions.append)
    assert len(raw.columns) == 60_000
    assert raw.columns.t[-1] == T0 + 59_999  # the line cut by the first chunk's end was read whole
    assert len(fractions) == 3 and fractions == sorted(fractions) and fractions[0] > 0 and fractions[-1] == 1.0
    with pytest.raises(Canceled):
        read_nmea(path, is_canceled=lambda: True)


def test_reads_without_pyais(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyais", None)  # importing pyais would now fail
    assert len(read_nmea(FIXTURE).columns) == 14
    source = (Path(__file__).resolve().parents[2] / "bai_mei_plugin" / "core" / "ais").glob("nmea*.py")
    assert not any(re.search(r"^\s*(import|from)\s+pyais", p.read_text(), flags=re.M) for p in source)


def test_looks_like_nmea():
    assert looks_like_nmea([POSITION])
    assert looks_like_nmea(["# recorded 2024-03-01", "", "\\c:1420030798*00\\!ABVDM,1,1,4,B,17P;HV?P008F98I,0*22"])
    assert looks_like_nmea(["!BSVDM,1,1,,B,17PCie0P00:;2MmqtCvQ;OwL0400,0*7C", "!AIVDO,1,1,,A,13`dU1wP00<t,0*5D"])
    assert looks_like_nmea(["\ufeff" + STATIC_1, STATIC_2, "$GPRMC,000748.00,A,5220.000,N,00454.000,E,,,,,,A*6A"])
    assert not looks_like_nmea([])
    assert not looks_like_nmea(["# a comment", "   "])
    assert not looks_like_nmea(["MMSI,BaseDateTime,LAT,LON,SOG", "367000004,2024-03-01T00:00:00,42.3,-70.9,6.2"])
    assert not looks_like_nmea(["$GPRMC,000748.00,A,5220.000,N,00454.000,E,0.0,0.0,010324,,,A*6A"])


# --- real recordings (../shared/data/nmea) --------------------------------------------------------------------------


@requires_shared
def test_amsa_tag_block_times():
    raw = read_nmea(SHARED / "amsa_tagblock_timestamped.nmea")
    assert (len(raw.columns), raw.malformed, int(raw.not_vessel.sum())) == (100, 0, 0)
    assert raw.rows_read == len(raw.columns) + raw.malformed
    assert raw.columns.t[0] == 1420030798 and raw.columns.mmsi[0] == 503503000
    assert not (raw.columns.t == MISSING_TIME).any()
    assert raw.columns.t.min() >= 1420030790 and raw.columns.t.max() <= 1420030900


@requires_shared
def test_exactearth_multi_sentence_static_data():
    raw = read_nmea(SHARED / "exactearth_multisentence.nmea")
    assert (len(raw.columns), raw.malformed) == (178, 0)
    assert raw.rows_read == 178
    assert text(raw, "vessel_name", 310528000) == ["MET. HEATHER SALLY"] * 2  # its type 5 came in two sentences
    assert text(raw, "imo", 310528000) == ["9321744"] * 2
    assert text(raw, "vessel_type", 310528000) == ["Tanker"] * 2
    assert raw.columns.t[rows_of(raw, 310528000)].tolist() == [1334337322, 1334337333]
    named = set(raw.columns.mmsi[raw.columns.vessel_name.codes >= 0].tolist())
    assert len(named) == 20


def _gpsd_oracle() -> list:
    """(MMSI, longitude, latitude) from the ``# key: value`` comments under gpsd's type 1 and 18 sentences."""
    names = {"messageid": "type", "messagetype": "type", "userid": "mmsi", "longitude": "lon", "latitude": "lat"}
    expected, fields = [], None
    lines = (SHARED / "gpsd_sample.aivdm").read_text(encoding="utf-8", errors="replace").splitlines()
    for line in [*lines, "!end"]:
        if line.startswith("!"):
            if fields and fields.get("type") in ("1", "18") and {"mmsi", "lon", "lat"} <= fields.keys():
                expected.append((int(fields["mmsi"]), float(fields["lon"]), float(fields["lat"])))
            fields = {}
        elif fields is not None and (match := re.match(r"#\s+([A-Za-z ]+?)\s*:\s*(\S+)", line)):
            key = match.group(1).lower().replace(" ", "")
            fields.setdefault(names.get(key, key), match.group(2))
    return expected


@requires_shared
def test_gpsd_sample_against_its_decoded_comments():
    raw = read_nmea(SHARED / "gpsd_sample.aivdm")
    assert (len(raw.columns), raw.malformed, int(raw.not_vessel.sum())) == (20, 1, 8)
    assert "line 978" in raw.examples[MALFORMED]  # "AIVDM,2,2,..." without its "!"
    expected = _gpsd_oracle()
    assert len(expected) >= 4
    cols = raw.columns
    for mmsi, lon, lat in expected:
        (i,) = rows_of(raw, mmsi)[:1]
        assert cols.lon[i] == pytest.approx(lon, abs=1e-5) and cols.lat[i] == pytest.approx(lat, abs=1e-5)
    assert (cols.t == MISSING_TIME).all() and raw.warnings  # no times anywhere in this file
    result = clean(raw)
    assert result.rows_kept == 0 and result.dropped[NO_TIMES] == 20  # the file has no times, not a few rows
    assert "carries no times on 100 % of its reports" in result.examples[NO_TIMES]


@requires_shared
def test_libais_trailing_timestamps():
    raw = read_nmea(SHARED / "libais_typeexamples.nmea")
    assert (len(raw.columns), raw.malformed, int(raw.not_vessel.sum())) == (8, 0, 3)
    assert raw.columns.t[:2].tolist() == [1325394001, 1325394001]  # the last trailing field of each line
    assert text(raw, "vessel_name", 366764000) == ["R/V GULF CHALLENGER"]  # type 24 part A after its type 18
