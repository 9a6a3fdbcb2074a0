"""Multi-sentence AIS messages assembled with numpy: the fragments of a chunk grouped by key and put together as
arrays, so that Python works only on the keys whose fragments do not simply arrive in order.

A fragment's key is its tag block group (the id after the last '-' of ``g:``) or else its talker, channel, sequence
id and fragment count, as in ``nmea._Reader.fragment``; here it is packed into an int64 (a group id of up to
``MAX_GROUP_BYTES`` bytes; a longer one is left to Python). The fragments of a key are "in order" when they read 1, 2,
... n with the same n, again and again: each run of 1..n is then a complete message, found without Python, and a last
run cut by the end of the chunk waits in the reader for the next chunk. Any other key (a part repeated, missing or out
of order, a key already waiting from an earlier chunk) goes through the reader's sentence-by-sentence rules, which
give the same result in any order across keys as long as no more than MAX_PENDING messages wait at once:
``plan`` checks that bound (counting every key it cannot see through as waiting all along) and otherwise returns
None, and the whole chunk goes sentence by sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import MISSING_TIME
from .nmea_decode import WIDTH
from .nmea_scan import six_bits

G_KEY = 1 << 62  # tag block group keys; talker keys stay below
MAX_GROUP_BYTES = 7  # group ids packed into the key: 7 bytes and the length
_LONGEST_G = 64  # g: values longer than this are read by Python


def fragment_keys(s, rows: np.ndarray) -> tuple:
    """Integer keys of the fragment ``rows`` of scan ``s``, and where the key is a group id too long to pack."""
    a = s.a
    s0 = s.s0[rows]
    talker = np.zeros(len(rows), np.int64)
    for k in range(1, 6):  # 'AIVDM', 'BSVDO'...: five bytes
        talker = (talker << 8) | a[s0 + k]
    keys = (talker << 22) | (s.channel[rows].astype(np.int64) << 14) | ((s.seq[rows] + 1) << 4)
    keys |= s.frag_cnt[rows].astype(np.int64)
    odd = np.zeros(len(rows), bool)
    lines, value_at, value_end = s.tags.last(ord("g"))
    if len(lines) == 0:
        return keys, odd
    where = np.minimum(np.searchsorted(lines, rows), len(lines) - 1)
    idx = np.flatnonzero(lines[where] == rows)
    start, end = value_at[where[idx]], value_end[where[idx]]
    long_value = end - start > _LONGEST_G
    odd[idx[long_value]] = True
    idx, start, end = idx[~long_value], start[~long_value], end[~long_value]
    group = start.copy()  # the group id follows the last '-'
    found = np.zeros(len(idx), bool)
    for k in range(1, int((end - start).max(initial=0)) + 1):
        pos = end - k
        hit = ~found & (pos >= start) & (a[np.maximum(pos, 0)] == 45)
        group[hit], found = pos[hit] + 1, found | hit
    length = end - group
    packed = np.zeros(len(idx), np.int64)
    for k in range(MAX_GROUP_BYTES):
        packed = np.where(k < length, (packed << 8) | a[np.minimum(group + k, len(a) - 1)], packed)
    use = (length > 0) & (length <= MAX_GROUP_BYTES)  # an empty group id: the talker key, as in Python
    keys[idx[use]] = G_KEY | (length[use] << 56) | packed[use]
    odd[idx[length > MAX_GROUP_BYTES]] = True
    return keys, odd


@dataclass
class Plan:
    """How the fragments of a chunk (``rows``, indices into the scan) are handled."""

    python: np.ndarray  # rows left to the sentence-by-sentence rules, in line order
    cut: list  # the rows of each in-order message cut by the end of the chunk (it waits for the next one)
    parts: np.ndarray  # the rows of the complete messages, message after message, in fragment order
    count: np.ndarray  # fragments per complete message


def plan(keys, odd, count, number, rows, waiting: np.ndarray, room: int) -> Plan | None:
    """Split the fragment ``rows`` (in line order) into in-order keys and the rest; None when more than ``room``
    more messages could wait at once (``waiting``: the integer keys already waiting, left to Python)."""
    order = np.argsort(keys, kind="stable")  # by key, then line
    k, cnt, num = keys[order], count[order], number[order]
    first = np.r_[True, k[1:] != k[:-1]]
    prev_num, prev_cnt = np.r_[0, num[:-1]], np.r_[0, cnt[:-1]]
    start = (num == 1) & (first | (prev_num == prev_cnt))
    follows = ~first & (num == prev_num + 1) & (cnt == prev_cnt) & (prev_num < prev_cnt)
    run = np.cumsum(first) - 1
    bad_run = np.zeros(int(run[-1]) + 1, bool)
    bad_run[run[~(start | follows) | odd[order] | np.isin(k, waiting)]] = True
    clean = ~bad_run[run]
    python = np.sort(order[~clean])
    at = np.flatnonzero(clean)
    heads = at[start[at]]
    tails = np.r_[at[np.flatnonzero(start[at])[1:] - 1], at[-1:]] if len(at) else at
    complete = num[tails] == cnt[tails]
    # Messages waiting at once: those of the keys left to Python (all along), plus in-order ones from their first
    # fragment to their last (to the end of the chunk when incomplete), counted when each new one opens.
    opens = np.sort(rows[order[heads]])
    closes = np.sort(rows[order[tails[complete]]])
    at_once = np.searchsorted(opens, opens, "right") - np.searchsorted(closes, opens, "right")
    if int(bad_run.sum()) + int(at_once.max(initial=0)) > room:
        return None
    done_heads, done_tails = heads[complete], tails[complete]
    sizes = done_tails - done_heads + 1
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return Plan(
        python=rows[python],
        cut=[rows[order[h : t + 1]] for h, t in zip(heads[~complete].tolist(), tails[~complete].tolist())],
        parts=rows[order[np.repeat(done_heads, sizes) + offsets]],
        count=sizes,
    )


def assemble(s, parts: np.ndarray, count: np.ndarray) -> tuple:
    """Six-bit values (messages x WIDTH), bit lengths and times of complete messages whose fragment rows are
    ``parts`` (``count`` each, in fragment order): payloads joined, fill bits of the last part, first time found."""
    m, total = len(count), len(parts)
    if m == 0:
        return np.zeros((0, WIDTH), np.uint8), np.zeros(0, np.int64), np.zeros(0, np.int64)
    heads = np.cumsum(count) - count
    length = s.payload_len[parts].astype(np.int64)
    ends = np.cumsum(length)
    offset = ends - length - np.repeat((ends - length)[heads], count)  # where each part starts in its message
    size = np.add.reduceat(length, heads)
    # Where column c of each message is in the text: in part r from its offset on, the later parts overriding.
    column = np.arange(WIDTH)
    where = s.payload_at[parts[heads], None] + column
    for r in range(1, int(count.max())):
        has = np.flatnonzero(count > r)
        part = heads[has] + r
        later = column >= offset[part, None]
        where[has] = np.where(later, (s.payload_at[parts[part]] - offset[part])[:, None] + column, where[has])
    values = six_bits(s.a[where], column < size[:, None])
    nbits = 6 * size - s.fill[parts[heads + count - 1]]
    t = s.t[parts]
    firsts = np.minimum.reduceat(np.where(t != MISSING_TIME, np.arange(total), total), heads)
    times = np.where(firsts < total, t[np.minimum(firsts, total - 1)], MISSING_TIME)
    return values, nbits.astype(np.int64), times.astype(np.int64)
