"""Multi-sentence messages: the numpy assembly (core/ais/nmea_multi.py) against pyais and against the reader's own
sentence-by-sentence rules, on fragments in order, out of order, repeated, missing, interleaved, under tag block groups
(short, long and empty ids) and sequence ids, split across chunks."""

from __future__ import annotations

import random

import pytest

from bai_mei_plugin.core.ais import nmea, nmea_multi
from bai_mei_plugin.core.ais.nmea import read_nmea
from tests import nmea_encode as enc
from tests.unit.test_nmea_oracle import T0, assert_same, requires_pyais, rows, write


def messy_lines(seed: int, messages: int = 600) -> list:
    """Type 5 messages in two to four sentences with every way their fragments can arrive, and positions between."""
    rng = random.Random(seed)
    lines, t = [], T0
    waiting: list = []  # fragments held back to arrive later (interleaved with other messages)
    for i in range(messages):
        t += rng.randint(0, 2)
        mmsi = 200_000_000 + rng.randrange(40) * 7919
        payload, fill = enc.static5(mmsi, 9_000_000 + i, f"C{i:05d}", f"SHIP {i}", 70, 7.5, "PORT")
        parts = enc.sentences(
            payload, fill, seq=str(rng.randrange(10)), channel=rng.choice("AB"), per=rng.choice((30, 40, 60))
        )
        style = rng.random()
        group = rng.choice(["", f"{i % 100}", f"{i:012d}", "7"]) if style < 0.6 else None
        tagged = [
            enc.tagged(s, t, "rX", f"{k}-{len(parts)}-{group}" if group is not None else "")
            for k, s in enumerate(parts, 1)
        ]
        roll = rng.random()
        if roll < 0.08:
            tagged = tagged[:-1]  # never completed
        elif roll < 0.14:
            tagged.insert(1, tagged[0])  # a part repeated
        elif roll < 0.2:
            tagged.reverse()  # out of order
        elif roll < 0.3:
            waiting.extend(tagged[1:])  # the rest comes later, after other messages
            tagged = tagged[:1]
        lines.extend(tagged)
        if waiting and rng.random() < 0.3:
            lines.append(waiting.pop(0))
        if rng.random() < 0.5:
            lines.append(enc.tagged(enc.sentences(*enc.position(mmsi, 10 + i / 100, 50, 8, 90, 90))[0], t))
    return lines + waiting


@requires_pyais
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("chunk", [1 << 12, 1 << 21])
def test_messy_fragments_match_pyais(tmp_path, monkeypatch, seed, chunk):
    monkeypatch.setattr(nmea, "CHUNK", chunk)
    raw = assert_same(write(tmp_path, messy_lines(seed)))
    assert raw.malformed > 20 and len(raw.columns) > 200


@pytest.mark.parametrize("seed", range(3))
def test_numpy_assembly_gives_what_one_by_one_gives(tmp_path, monkeypatch, seed):
    """The same file read with the numpy assembly and with every fragment through the sentence-by-sentence rules."""
    monkeypatch.setattr(nmea, "CHUNK", 1 << 13)
    path = write(tmp_path, messy_lines(seed))
    planned = []
    plan = nmea_multi.plan
    monkeypatch.setattr(nmea_multi, "plan", lambda *a: planned.append(plan(*a)) or planned[-1])
    fast = read_nmea(path)
    assert any(p is not None and len(p.count) for p in planned)  # the numpy path assembled messages
    monkeypatch.setattr(nmea_multi, "plan", lambda *a: None)
    slow = read_nmea(path)
    assert rows(fast) == rows(slow)
    assert (fast.malformed, fast.rows_read, fast.examples) == (slow.malformed, slow.rows_read, slow.examples)


def test_too_many_waiting_messages_fall_back_to_one_by_one(tmp_path, monkeypatch):
    """1,500 first fragments (more than MAX_PENDING waiting at once), then their second ones, then 200 messages in
    order: the chunk goes sentence by sentence, and the oldest are given up as those rules give them up."""
    payload, fill = enc.static5(273000001, 9123456, "UBCD7", "SHADOW TANKER", 80, 12.5, "NAKHODKA")
    first, second = enc.sentences(payload, fill)
    heads = [enc.tagged(first, T0, "rX", f"1-2-{i}") for i in range(1500)]
    tails = [enc.tagged(second, T0 + 1, "rX", f"2-2-{i}") for i in range(1500)]
    whole = [
        enc.tagged(s, T0 + 2, "rX", f"{k}-2-{i}") for i in range(2000, 2200) for k, s in enumerate((first, second), 1)
    ]
    position = enc.tagged(enc.sentences(*enc.position(273000001, 1, 2))[0], T0 + 3)
    path = write(tmp_path, heads + tails + whole + [position])
    planned = []
    plan = nmea_multi.plan
    monkeypatch.setattr(nmea_multi, "plan", lambda *a: planned.append(plan(*a)) or planned[-1])
    fast = read_nmea(path)
    assert planned == [None]  # one chunk, too many waiting at once
    assert fast.malformed == 3000  # each head given up to make room for a later one, then each orphan tail
    assert fast.columns.vessel_name.to_list() == ["SHADOW TANKER"]  # from the 200 whole messages
    monkeypatch.setattr(nmea_multi, "plan", lambda *a: None)
    slow = read_nmea(path)
    assert rows(fast) == rows(slow) and fast.examples == slow.examples
