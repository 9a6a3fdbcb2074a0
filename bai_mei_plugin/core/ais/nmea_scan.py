"""Find the AIS sentences in a chunk of NMEA text with numpy, without Python work per well-formed line.

A chunk is whole lines (it ends with a line break). Line starts, tag blocks, the six commas of a sentence, its checksum
star, the fields between them and the tag block ``c:`` times are located with array searches over the whole chunk;
the checksum is an XOR over the sentence (a running XOR of the chunk, two lookups per line). What does not have the
exact shape ``[\\tag\\]!ccVDM,n,n,[seq],[ch],payload,fill*hh[trailer]`` is left for the caller to classify line by line
(comments, other NMEA sentences, damaged lines: few in real files).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .model import MISSING_TIME
from .nmea_decode import ARMOR, ARMOR_VALID, WIDTH

PAD = bytes(32)  # zeros after the chunk: reading a few bytes past any line never leaves the array
_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[[9, 11, 12, 13, 32]] = True  # what bytes.strip() removes, line breaks aside
_HEX = np.full(256, -1, dtype=np.int16)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX[_c] = _HEX[bytes([_c]).lower()[0]] = _i
BOM = b"\xef\xbb\xbf"
MAX_DIGITS = 18  # decimal times longer than this are read by Python's float (as the docstring's rules say)


@dataclass
class Scan:
    """Per line of the chunk (``starts``/``ends`` without the line break or a CR); sentence fields where ``shaped``."""

    buf: bytes
    starts: np.ndarray
    ends: np.ndarray
    shaped: np.ndarray  # the exact shape of an AIS sentence
    bad_fragment: np.ndarray  # shaped, but fragment number above the fragment count
    bad_checksum: np.ndarray
    frag_cnt: np.ndarray
    frag_num: np.ndarray
    seq: np.ndarray  # -1: none
    channel: np.ndarray  # byte value, 0: none
    s0: np.ndarray  # where the sentence ('!' or '$') starts
    tag_end: np.ndarray  # the closing backslash of the tag block, -1 if none
    payload_at: np.ndarray
    payload_len: np.ndarray
    fill: np.ndarray
    t: np.ndarray

    def line(self, i: int) -> bytes:
        return self.buf[int(self.starts[i]) : int(self.ends[i])]

    def payload(self, i: int) -> bytes:
        start = int(self.payload_at[i])
        return self.buf[start : start + int(self.payload_len[i])]

    def tag(self, i: int) -> bytes:
        end = int(self.tag_end[i])
        return self.buf[int(self.starts[i]) + 1 : end] if end >= 0 else b""

    def payload_values(self, rows: np.ndarray) -> np.ndarray:
        """Six-bit values of the payloads of ``rows`` (len x WIDTH, zero past each payload)."""
        a = np.frombuffer(self.buf + bytes(WIDTH), np.uint8)
        values = ARMOR[sliding_window_view(a, WIDTH)[self.payload_at[rows]]]  # rows of the text, copied as bytes
        values[np.arange(WIDTH) >= self.payload_len[rows, None]] = 0
        return values


def _normalised(buf: bytes, first_chunk: bool) -> bytes:
    """Lines stripped of surrounding blanks (and the file's BOM), as the rules read them; most chunks need nothing."""
    a = np.frombuffer(buf, np.uint8)
    ends = np.flatnonzero(a == 10)
    starts = np.r_[0, ends[:-1] + 1]
    trimmed = ends - ((a[np.maximum(ends - 1, 0)] == 13) & (ends > starts))
    full = trimmed > starts
    edges = _WHITESPACE[a[starts[full]]] | _WHITESPACE[a[trimmed[full] - 1]]
    if not edges.any() and not (first_chunk and buf.startswith(BOM)):
        return buf
    lines = [line.strip() for line in buf.split(b"\n")[:-1]]
    if first_chunk and lines:
        lines[0] = lines[0].removeprefix(BOM)
    return b"\n".join(lines) + b"\n"


def _decimals(a: np.ndarray, start: np.ndarray, end: np.ndarray, most: int = MAX_DIGITS) -> tuple:
    """Integers written in a[start:end] (digits only, 1 to ``most`` of them) and where that was the case."""
    length = end - start
    windows = sliding_window_view(a, most)
    digits = windows[np.minimum(start, len(windows) - 1)] - np.uint8(48)  # non-digits wrap to values above 9
    inside = np.arange(most) < length[:, None]
    ok = (length >= 1) & (length <= most) & ((digits <= 9) | ~inside).all(axis=1)
    values = np.zeros(len(start), dtype=np.int64)
    for size in np.unique(length[ok]).tolist():  # a few lengths (10 digits for seconds, 13 for milliseconds)
        rows = np.flatnonzero(ok & (length == size))
        values[rows] = digits[rows, :size].astype(np.int64) @ (10 ** np.arange(size - 1, -1, -1, dtype=np.int64))
    return values, ok


def _epochs(values: np.ndarray) -> np.ndarray:
    """Unix seconds from integers: above 1e11 they are milliseconds; not in (0, 1e11) s is no time."""
    seconds = values.astype(np.float64)
    seconds = np.where(seconds > 1e11, seconds / 1000, seconds)
    good = (seconds > 0) & (seconds < 1e11)
    out = np.full(len(values), MISSING_TIME, dtype=np.int64)
    out[good] = seconds[good].astype(np.int64)  # truncated, as int() does
    return out


def _times(a, buf, start, end, epoch) -> np.ndarray:
    """Times of the fields a[start:end]: digits in numpy, anything else through ``epoch`` (Python's float)."""
    values, ok = _decimals(a, start, end)
    out = _epochs(values)
    out[~ok] = [epoch(buf[s:e]) for s, e in zip(start[~ok].tolist(), end[~ok].tolist())]
    return out


def _next(positions: np.ndarray, after: np.ndarray, sentinel: int, skip: int = 0) -> np.ndarray:
    """The (skip+1)-th of ``positions`` at or after each of ``after``; ``sentinel`` when there is none."""
    padded = np.r_[positions, np.full(skip + 1, sentinel, dtype=np.int64)]
    return padded[np.searchsorted(positions, after) + skip]


def scan(buf: bytes, first_chunk: bool, epoch) -> Scan:
    """Locate and check every AIS sentence of ``buf`` (whole lines); ``epoch`` reads a time field numpy cannot."""
    buf = _normalised(buf, first_chunk)
    a = np.frombuffer(buf + PAD, np.uint8)
    size = len(buf)
    body = a[:size]
    newlines = np.flatnonzero(body == 10)
    starts = np.r_[0, newlines[:-1] + 1].astype(np.int64)
    ends = newlines - ((a[newlines - 1] == 13) & (newlines > starts))
    at = a.__getitem__
    commas, stars = np.flatnonzero(body == 44), np.flatnonzero(body == 42)

    # Tag block: from a leading backslash to the next one; without a closing one the line reads on after the first.
    tagged = (ends > starts) & (at(starts) == 92)
    close = _next(np.flatnonzero(body == 92), starts + 1, size)
    closed = tagged & (close < ends)
    s0 = np.where(closed, close + 1, np.where(tagged, starts + 1, starts))

    padded = np.r_[commas, np.full(6, size, dtype=np.int64)]
    first_comma = np.searchsorted(commas, s0)
    c = [padded[first_comma + i] for i in range(6)]
    lead = at(np.minimum(s0, size))
    ok = (ends > s0) & ((lead == 33) | (lead == 36)) & (c[0] == s0 + 6)
    ok &= ((at(s0 + 3) | 32) == 118) & ((at(s0 + 4) | 32) == 100) & (((at(s0 + 5) | 32) & 0xFD) == 109)  # VDM/VDO
    frag_cnt = at(c[0] + 1).astype(np.int16) - 48
    frag_num = at(c[1] + 1).astype(np.int16) - 48
    ok &= (
        (c[1] == c[0] + 2) & (frag_cnt >= 1) & (frag_cnt <= 9) & (c[2] == c[1] + 2) & (frag_num >= 1) & (frag_num <= 9)
    )
    seq_len = c[3] - c[2] - 1
    seq, seq_ok = _decimals(a, c[2] + 1, c[3], most=3)
    ok &= (seq_len == 0) | seq_ok
    seq = np.where(seq_len == 0, -1, seq)
    channel_len = c[4] - c[3] - 1
    ok &= (channel_len >= 0) & (channel_len <= 1)
    channel = np.where(channel_len == 1, at(c[3] + 1), 0)
    payload_at, payload_len = c[4] + 1, c[5] - c[4] - 1
    ok &= (payload_len >= 0) & (payload_len <= 200)
    # Every payload character is six-bit armour: the first byte that is not is the comma closing the payload.
    ok &= _next(np.flatnonzero(~ARMOR_VALID[body]), payload_at, size) == c[5]
    fill = at(c[5] + 1).astype(np.int16) - 48
    star = c[5] + 2
    hi, lo = _HEX[at(star + 1)], _HEX[at(star + 2)]
    ok &= (fill >= 0) & (fill <= 5) & (at(star) == 42) & (star + 3 <= ends) & (hi >= 0) & (lo >= 0)
    # Nothing odd before the star: no other star, no byte outside ASCII (what pyais also refuses).
    for odd in (stars, np.flatnonzero(body >= 128)):
        ok &= np.searchsorted(odd, star) == np.searchsorted(odd, s0)

    # XOR of each sentence between '!' and '*': segments [s0 + 1, star) of a reduceat over the well-shaped lines.
    checksum_ok = np.zeros(len(starts), bool)
    shaped = np.flatnonzero(ok)
    if len(shaped):
        bounds = np.column_stack((s0[shaped] + 1, star[shaped])).ravel()
        xor = np.bitwise_xor.reduceat(body, bounds)[::2]
        checksum_ok[shaped] = xor == (hi[shaped] * 16 + lo[shaped])

    # c: times in tag blocks (a field of the part before the tag's own '*'); the last one of a tag counts.
    tag_stop = np.where(closed, np.minimum(close, _next(stars, starts + 1, size)), starts)
    t = np.full(len(starts), MISSING_TIME, dtype=np.int64)
    found = np.flatnonzero((body[:-1] == 99) & (body[1:] == 58)) if size > 1 else np.zeros(0, np.int64)
    line = np.searchsorted(starts, found, side="right") - 1
    keep = (found >= starts[line] + 1) & (found + 2 <= tag_stop[line])
    keep &= (found == starts[line] + 1) | (at(found - 1) == 44)
    found, line = found[keep], line[keep]
    last = np.r_[line[1:] != line[:-1], True] if len(line) else np.zeros(0, bool)
    found, line = found[last], line[last]
    value_end = np.minimum(_next(commas, found, size), tag_stop[line])
    t[line] = _times(a, buf, found + 2, value_end, epoch)

    # Else the last comma field after the checksum (USCG/libais receive time).
    trailing = np.flatnonzero(ok & (t == MISSING_TIME) & (star + 3 < ends) & (at(star + 3) == 44))
    if len(trailing):
        last_comma = np.r_[commas, size][np.searchsorted(commas, ends[trailing]) - 1]
        t[trailing] = _times(a, buf, last_comma + 1, ends[trailing], epoch)

    return Scan(
        buf=buf,
        starts=starts,
        ends=ends,
        shaped=ok,
        bad_fragment=ok & (frag_num > frag_cnt),
        bad_checksum=ok & ~checksum_ok,
        frag_cnt=frag_cnt,
        frag_num=frag_num,
        seq=seq,
        channel=channel,
        s0=s0,
        tag_end=np.where(closed, close, -1),
        payload_at=payload_at,
        payload_len=payload_len,
        fill=fill,
        t=t,
    )
