"""Find the AIS sentences in a chunk of NMEA text with numpy, without Python work per well-formed line.

A chunk is whole lines (it ends with a line break). Line starts, tag blocks, the six commas of a sentence, its
checksum star, the fields between them and the tag block fields (``c:`` times, ``g:`` groups) are located with array
searches over the whole chunk; the checksum is an XOR over each sentence and the payload characters are checked with
an OR of per-byte flags over each payload (both ``reduceat`` over the lines' segments). Work arrays the size of a
chunk are kept from chunk to chunk (``Scratch``): allocating them afresh costs more in page faults than the
arithmetic. What does not have the exact shape ``[\\tag\\]!ccVDM,n,n,[seq],[ch],payload,fill*hh[trailer]`` is left
for the caller to classify line by line (comments, other NMEA sentences, damaged lines: few in real files).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .model import MISSING_TIME
from .nmea_decode import WIDTH

PAD = bytes(WIDTH + 8)  # zeros after the chunk: reading a payload's width past any line never leaves the array
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
    tags: TagFields | None = None
    a: np.ndarray | None = None  # buf as bytes, padded with PAD

    def line(self, i: int) -> bytes:
        return self.buf[int(self.starts[i]) : int(self.ends[i])]

    def payload(self, i: int) -> bytes:
        start = int(self.payload_at[i])
        return self.buf[start : start + int(self.payload_len[i])]

    def tag(self, i: int) -> bytes:
        end = int(self.tag_end[i])
        return self.buf[int(self.starts[i]) + 1 : end] if end >= 0 else b""

    def payload_values(self, rows: np.ndarray) -> np.ndarray:
        """Six-bit values of the payloads of ``rows`` (len x the longest of them, at most WIDTH; zero past each)."""
        length = self.payload_len[rows]
        width = int(min(WIDTH, max(1, length.max(initial=0))))
        text = sliding_window_view(self.a, width)[self.payload_at[rows]]  # rows of the text, copied as bytes
        return six_bits(text, np.arange(width) < length[:, None])


def six_bits(text: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Armour characters to six-bit values ('0'..'W' are 0..39, '`'..'w' 40..63), with arithmetic (cheaper than a
    table lookup), in place; zero where not ``inside``."""
    values = np.subtract(text, 48, out=text)
    values -= (values >= 40).view(np.uint8) << 3
    values *= inside
    return values


def _normalised(buf: bytes, first_chunk: bool) -> tuple:
    """Lines stripped of surrounding blanks (and the file's BOM), as the rules read them, and where the line breaks
    are; most chunks need no change."""
    a = np.frombuffer(buf, np.uint8)
    ends = np.flatnonzero(a == 10)
    starts = np.r_[0, ends[:-1] + 1]
    trimmed = ends - ((a[np.maximum(ends - 1, 0)] == 13) & (ends > starts))
    full = trimmed > starts
    edges = _WHITESPACE[a[starts[full]]] | _WHITESPACE[a[trimmed[full] - 1]]
    if not edges.any() and not (first_chunk and buf.startswith(BOM)):
        return buf, ends
    lines = [line.strip() for line in buf.split(b"\n")[:-1]]
    if first_chunk and lines:
        lines[0] = lines[0].removeprefix(BOM)
    buf = b"\n".join(lines) + b"\n"
    return buf, np.flatnonzero(np.frombuffer(buf, np.uint8) == 10)


def _decimals(a: np.ndarray, start: np.ndarray, end: np.ndarray, most: int = MAX_DIGITS) -> tuple:
    """Integers written in a[start:end] (digits only, 1 to ``most`` of them) and where that was the case."""
    length = end - start
    ok = (length >= 1) & (length <= most)
    values = np.zeros(len(start), dtype=np.int64)
    longest = int(length[ok].max()) if ok.any() else 0
    at = np.minimum(start, len(a) - 1)
    for k in range(longest):  # one digit of every field at a time: as many steps as the longest field has digits
        inside = ok & (k < length)
        digit = a[np.minimum(at + k, len(a) - 1)] - np.uint8(48)  # non-digits wrap to values above 9
        ok &= ~inside | (digit <= 9)
        values = np.where(inside, values * 10 + digit, values)
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


_NOT_ARMOR, _ODD = 1, 2  # bits of Scratch.flags: not a six-bit payload character; a star or a byte outside ASCII


class Scratch:
    """Byte-sized work arrays kept from chunk to chunk: a fresh array the size of a chunk costs more in page faults
    than the arithmetic done in it, and a 256-entry table lookup over every byte several times more again."""

    def __init__(self):
        self.size = 0

    def flags(self, body: np.ndarray) -> np.ndarray:
        """Per byte: the _NOT_ARMOR and _ODD bits."""
        n = len(body)
        if n > self.size:
            self.size = n
            self.byte, self.out = np.empty(n, np.uint8), np.empty(n, np.uint8)
            self.yes, self.also = np.empty(n, bool), np.empty(n, bool)
        byte, out, yes, also = self.byte[:n], self.out[:n], self.yes[:n], self.also[:n]
        # Six-bit armour is '0'..'W' and '`'..'w': two ranges, tested with uint8 subtraction (it wraps).
        np.less(np.subtract(body, 48, out=byte), 40, out=yes)
        np.logical_or(yes, np.less(np.subtract(body, 96, out=byte), 24, out=also), out=yes)
        np.logical_or(np.equal(body, 42, out=also), np.greater_equal(body, 128, out=out.view(bool)), out=also)
        np.left_shift(also.view(np.uint8), 1, out=out)
        return np.bitwise_or(out, np.logical_not(yes, out=yes).view(np.uint8), out=out)


def _clean(flags, s0, payload_at, payload_end, star, ok) -> np.ndarray:
    """Where the payload is all six-bit characters and nothing between the sentence start and its checksum star is
    another star or a byte outside ASCII (what pyais also refuses): an OR over segments of each line."""
    out = np.zeros(len(s0), bool)
    rows = np.flatnonzero(ok)
    if len(rows) == 0:
        return out
    # Segments header, payload, fill bits, then from the star to the next line (ignored).
    bounds = np.column_stack((s0[rows], payload_at[rows], payload_end[rows], star[rows])).ravel()
    flags = np.bitwise_or.reduceat(flags, bounds).reshape(-1, 4)
    # An empty segment reads the byte at its start instead of nothing: only the payload can be empty.
    payload = np.where(payload_at[rows] < payload_end[rows], flags[:, 1], 0)
    out[rows] = (((flags[:, 0] | payload | flags[:, 2]) & _ODD) == 0) & ((payload & _NOT_ARMOR) == 0)
    return out


class TagFields:
    """The fields of each line's tag block (``\\c:...,s:...,g:...*hh\\``: from after the backslash, or after a comma,
    to the next comma or the end of the tag), found from the comma positions without looking at other bytes."""

    def __init__(self, a: np.ndarray, commas: np.ndarray, starts: np.ndarray, tag_stop: np.ndarray):
        self.a, self.tag_stop = a, tag_stop
        self.lines = np.flatnonzero(tag_stop > starts)
        self.first_at = starts[self.lines] + 1  # the field right after the opening backslash
        lo = np.searchsorted(commas, self.first_at)
        counts = np.searchsorted(commas, tag_stop[self.lines]) - lo
        self.padded = np.r_[commas, len(a) + np.zeros(1, np.int64)]
        self.first_next = lo  # the comma ending each tag's first field
        # The commas inside the tags and the tag of each (index into self.lines): ranges lo .. lo + count flattened.
        offsets = np.repeat(np.cumsum(counts) - counts, counts)
        self.comma_index = np.arange(int(counts.sum())) - offsets + np.repeat(lo, counts)
        self.comma_tag = np.repeat(np.arange(len(self.lines)), counts)

    def last(self, letter: int) -> tuple:
        """(lines, value starts, value ends) of the last field ``<letter>:`` of each tag that has one."""
        a, stop, at = self.a, self.tag_stop[self.lines], self.padded
        value_at = np.full(len(self.lines), -1, dtype=np.int64)
        value_end = np.zeros(len(self.lines), dtype=np.int64)
        f = self.first_at
        hit = np.flatnonzero((a[f] == letter) & (a[f + 1] == 58) & (f + 2 <= stop))
        value_at[hit], value_end[hit] = f[hit] + 2, at[self.first_next[hit]]
        f, tag = at[self.comma_index] + 1, self.comma_tag  # a comma is never in the padding: f + 1 is inside
        hit = (a[f] == letter) & (a[f + 1] == 58) & (f + 2 <= stop[tag])
        f, tag, following = f[hit], tag[hit], at[self.comma_index[hit] + 1]
        last = np.r_[tag[1:] != tag[:-1], True] if len(tag) else np.zeros(0, bool)  # a later field of a tag wins
        value_at[tag[last]], value_end[tag[last]] = f[last] + 2, following[last]
        found = np.flatnonzero(value_at >= 0)
        return self.lines[found], value_at[found], np.minimum(value_end[found], stop[found])


def scan(buf: bytes, first_chunk: bool, epoch, scratch: Scratch | None = None) -> Scan:
    """Locate and check every AIS sentence of ``buf`` (whole lines); ``epoch`` reads a time field numpy cannot."""
    buf, newlines = _normalised(buf, first_chunk)
    a = np.frombuffer(buf + PAD, np.uint8)
    size = len(buf)
    body = a[:size]
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
    fill = at(c[5] + 1).astype(np.int16) - 48
    star = c[5] + 2
    hi, lo = _HEX[at(star + 1)], _HEX[at(star + 2)]
    ok &= (fill >= 0) & (fill <= 5) & (at(star) == 42) & (star + 3 <= ends) & (hi >= 0) & (lo >= 0)
    ok &= _clean((scratch or Scratch()).flags(body), s0, payload_at, c[5], star, ok)

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
    fields = TagFields(a, commas, starts, tag_stop)
    line, value_at, value_end = fields.last(ord("c"))
    t[line] = _times(a, buf, value_at, value_end, epoch)

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
        tags=fields,
        a=a,
    )
