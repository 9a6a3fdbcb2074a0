"""The numpy NMEA decoder against the pyais path (tests/nmea_oracle.py), and hostile input.

Identical rows are asserted on every real recording in ../shared/data/nmea, on the project's fixture, on sentences
written here with tests/nmea_encode.py (multi-sentence type 5 by tag block group and by sequence id, type 24 parts A
and B, 19, 27, AIVDO, BSVDM, bad checksums, truncated groups) and on random payloads of every decoded type (which
exercise fields cut by the end of a message). The hostile-input tests need no pyais.
"""

from __future__ import annotations

import importlib.util
import math
import random
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from bai_mei_plugin.core.ais import nmea
from bai_mei_plugin.core.ais.model import MALFORMED
from bai_mei_plugin.core.ais.nmea import read_nmea
from bai_mei_plugin.core.ais.nmea_decode import SHIP_TYPE_FOLD
from tests import nmea_encode as enc

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1].parent / "shared" / "data" / "nmea"
SHARED_FILES = sorted(SHARED.glob("*")) if SHARED.is_dir() else []
T0 = 1709251200

requires_pyais = pytest.mark.skipif(
    importlib.util.find_spec("pyais") is None, reason="pyais (the test oracle) is not installed"
)


def oracle(path):
    from tests.nmea_oracle import read_nmea_pyais

    return read_nmea_pyais(path)


def rows(raw) -> list:
    c = raw.columns
    numbers = [
        [None if math.isnan(x) else x for x in getattr(c, f).tolist()]
        for f in ("lon", "lat", "sog", "cog", "heading", "draught")
    ]
    texts = [getattr(c, f).to_list() for f in ("vessel_name", "callsign", "imo", "vessel_type", "destination")]
    return list(zip(c.mmsi.tolist(), c.t.tolist(), *numbers, *texts, raw.not_vessel.tolist()))


def assert_same(path) -> object:
    new, old = read_nmea(path), oracle(path)
    assert rows(new) == rows(old)
    assert (new.malformed, new.rows_read, new.examples, new.warnings) == (
        old.malformed,
        old.rows_read,
        old.examples,
        old.warnings,
    )
    return new


def write(tmp_path: Path, lines, name="own.nmea") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


# --- against pyais ---------------------------------------------------------------------------------------------------


@requires_pyais
@pytest.mark.skipif(not SHARED_FILES, reason="../shared/data/nmea not present (fresh clone without shared test data)")
@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_real_recordings_match_pyais(path):
    raw = assert_same(path)
    assert len(raw.columns) >= 8


@requires_pyais
def test_project_fixture_matches_pyais():
    raw = assert_same(HERE / "data" / "nmea" / "tagblocks_static.nmea")
    assert raw.malformed == 4


def own_lines() -> list:
    """Every case the decoder handles, in one file."""
    t = T0
    a5, f5 = enc.static5(273000001, 9123456, "UBCD7", "SHADOW TANKER", 80, 12.5, "NAKHODKA")
    b5, g5 = enc.static5(412000002, 0, "BQAB", "HUA XIN 8", 57, 0, "")  # reserved ship type 57, IMO 0, draught 0
    c5, h5 = enc.static5(538000003, 9000003, "9HA1", "STAR PEARL", 38, 9.1, "FOR ORDERS")  # 38: folded to 0
    lines = [
        enc.tagged(enc.sentences(*enc.position(273000001, 56.1, 26.2, 11.5, 135, 134))[0], t, "rEV02"),
        *[
            enc.tagged(s, t + 1, "rEV02", f"{k}-2-77")
            for k, s in enumerate(enc.sentences(a5, f5, seq="1", channel="A"), 1)
        ],
        enc.tagged(enc.sentences(*enc.position(273000001, 56.2, 26.3, 12, 136, 135))[0], t + 60),
        # Two type 5 messages interleaved on both channels with the same sequence id, no tag blocks.
        enc.sentences(b5, g5, seq="3", channel="A")[0],
        enc.sentences(c5, h5, seq="3", channel="B")[0],
        enc.sentences(b5, g5, seq="3", channel="A")[1],
        enc.sentences(c5, h5, seq="3", channel="B")[1],
        enc.tagged(enc.sentences(*enc.position(412000002, -70.5, 42.1, 0, 0, 511, kind=3))[0], t + 70),
        enc.tagged(enc.sentences(*enc.position(538000003, 120.0, -33.9, 102.3, 360, 511, kind=2))[0], t + 80),
        # Class B: position, 24 part A, 24 part B (ship type 57 stays 57), position; own ship from an AIVDO.
        enc.tagged(enc.sentences(*enc.position(367000004, -70.9, 42.3, 6.2, 45, 44, kind=18))[0], t + 90),
        enc.tagged(enc.sentences(*enc.static24(367000004, 0, name="NIGHT OWL"))[0], t + 91),
        enc.tagged(enc.sentences(*enc.static24(367000004, 1, callsign="WDX1234", ship_type=57))[0], t + 92),
        enc.tagged(enc.sentences(*enc.position(367000004, -70.8, 42.4, 6.1, 46, 45, kind=18), "BSVDM")[0], t + 120),
        enc.tagged(enc.sentences(*enc.position(244000007, 4.5, 52.0, 3, 10, 11), "AIVDO")[0], t + 130),
        enc.sentences(*enc.class_b_extended(219000005, 10.5, 55.5, "FREYA", 30), "ABVDM")[0] + f",r1,{t + 140}",
        enc.tagged(enc.sentences(*enc.long_range(636000006, -15.5, 5.25, 12, 271))[0], (t + 150) * 1000),
        # A bad checksum, a group never completed, a fragment count of 9 never completed, a sentence with '$'.
        enc.tagged(enc.sentences(*enc.position(273000001, 56.3, 26.4))[0][:-2] + "00", t + 160),
        enc.tagged(enc.sentences(a5, f5, seq="5")[0], t + 170, "rEV02", "1-2-78"),
        "!AIVDM,9,1,7,A,15Mwkv0P00G?ufbE`FepT@3n00Sa,0*" + enc.checksum("AIVDM,9,1,7,A,15Mwkv0P00G?ufbE`FepT@3n00Sa,0"),
        "$" + enc.sentences(*enc.position(273000001, 56.4, 26.5))[0][1:] + f",{t + 180}",
    ]
    return lines


@requires_pyais
def test_own_sentences_match_pyais(tmp_path):
    raw = assert_same(write(tmp_path, own_lines()))
    cols = raw.columns
    by = {m: np.flatnonzero(cols.mmsi == m) for m in set(cols.mmsi.tolist())}
    assert cols.vessel_name.take(by[273000001]).to_list() == ["SHADOW TANKER"] * 3
    assert cols.vessel_type.take(by[412000002]).to_list() == ["56"]  # 57 folded to its decade's reserved code
    assert cols.vessel_type.take(by[538000003]).to_list() == [None]  # 38 is not a ship type
    assert cols.vessel_type.take(by[367000004]).to_list() == ["57", "57"]  # type 24 part B: as sent
    assert cols.callsign.take(by[367000004]).to_list() == ["WDX1234"] * 2
    assert cols.t[by[636000006]].tolist() == [T0 + 150]  # c: in milliseconds
    assert cols.t[by[219000005]].tolist() == [T0 + 140]  # trailing field
    assert raw.malformed == 3  # bad checksum, the incomplete group, the 9-sentence fragment
    assert raw.examples[MALFORMED].endswith("(bad checksum)")


@requires_pyais
def test_crlf_blanks_and_bom_match_pyais(tmp_path):
    lines = [line.encode() for line in own_lines()]
    path = tmp_path / "crlf.nmea"
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(b"  " + x + b" \t" for x in lines) + b"\r\n")
    new = read_nmea(path)
    plain = read_nmea(write(tmp_path, own_lines()))
    assert rows(new) == rows(plain) and new.malformed == plain.malformed


@requires_pyais
@pytest.mark.parametrize("seed", range(6))
def test_random_payloads_match_pyais(tmp_path, seed):
    """Random bits under every decoded type, of every length (fields cut short included), any fill bits."""
    rng = random.Random(seed)
    lines = []
    for i in range(400):
        ais_id = rng.choice([1, 2, 3, 4, 5, 9, 18, 19, 21, 24, 27, 0, 8, 30, 63])
        length = rng.choice([rng.randint(1, 12), rng.randint(12, 72)])
        b = enc.Bits().add(ais_id, 6)
        for _ in range(length * 6 - 6):
            b.add(rng.random() < 0.5, 1)
        payload, _ = b.payload()
        fill = rng.randint(0, 5)
        body = f"AIVDM,1,1,,A,{payload},{fill}"
        lines.append(f"\\c:{T0 + i}*00\\!{body}*{enc.checksum(body)}")
    raw = assert_same(write(tmp_path, lines))
    assert len(raw.columns) > 50


@requires_pyais
def test_ship_type_folding_is_pyais_s():
    from pyais.constants import ShipType

    assert SHIP_TYPE_FOLD.tolist() == [int(ShipType.from_value(v)) for v in range(256)]


@requires_pyais
def test_benchmark_file_matches_pyais(tmp_path):
    from tests.bench.bench_nmea import generate, same_rows

    path = tmp_path / "bench.nmea"
    generate(str(path), 3_000)
    assert same_rows(read_nmea(path), oracle(path))


# --- hostile input (no pyais) ----------------------------------------------------------------------------------------

GOOD = enc.sentences(*enc.position(273000001, 56.1, 26.2))[0]


def test_huge_line_is_one_malformed_line_without_holding_it(tmp_path, monkeypatch):
    monkeypatch.setattr(nmea, "CHUNK", 1 << 16)
    path = tmp_path / "huge.nmea"
    with open(path, "wb") as out:
        out.write(f"\\c:{T0}*00\\{GOOD}\n".encode())
        out.write(b"!AIVDM," + b"A" * (8 << 20) + b"\n")
        out.write(f"\\c:{T0 + 1}*00\\{GOOD}\n".encode())
    tracemalloc.start()
    raw = read_nmea(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 << 20  # the 8 MiB line was never held
    assert (len(raw.columns), raw.malformed) == (2, 1)
    assert raw.columns.t.tolist() == [T0, T0 + 1]
    assert raw.examples[MALFORMED].startswith("line 2: '!AIVDM,AAAA")
    assert raw.examples[MALFORMED].endswith("(line longer than 1 MiB)")


def test_binary_garbage_and_non_ascii_payloads_are_counted(tmp_path):
    garbage = bytes(np.random.default_rng(3).integers(0, 256, 20_000, dtype=np.uint8)).replace(b"\n", b"")
    non_ascii = GOOD.encode()[:20] + "é".encode() + GOOD.encode()[21:]
    outside_armour = GOOD[:20] + "x" + GOOD[21:]  # 'x' is ASCII but not a six-bit character
    raw = read_nmea(write(tmp_path, [GOOD, garbage, non_ascii, outside_armour, b"\x00" * 50, GOOD]))
    assert (len(raw.columns), raw.malformed, raw.rows_read) == (2, 4, 6)


def test_unfinished_fragments_are_bounded_and_counted(tmp_path):
    lines = []
    for i in range(3 * nmea.MAX_PENDING):  # fragment 1 of 9 under as many keys: none ever completes
        talker, seq = ("AIVDM", "BSVDM", "ABVDM")[i // 1000], i % 1000
        body = f"{talker},9,1,{seq},A,15Mwkv0P00G?ufbE`FepT@3n00Sa,0"
        lines.append(f"!{body}*{enc.checksum(body)}")
    raw = read_nmea(write(tmp_path, [*lines, GOOD]))
    assert (len(raw.columns), raw.malformed) == (1, 3 * nmea.MAX_PENDING)
    assert raw.examples[MALFORMED] == f"line 1: '{lines[0]}' (incomplete multi-sentence message)"


def test_only_comments_and_other_sentences_is_an_error(tmp_path):
    from bai_mei_plugin.core.errors import BaiMeiError

    path = write(tmp_path, ["# log", "$GPRMC,000748.00,A,5220.000,N,00454.000,E,0.0,0.0,010324,,,A*6A", ""])
    with pytest.raises(BaiMeiError, match="contains no AIVDM/AIVDO sentences"):
        read_nmea(path)
