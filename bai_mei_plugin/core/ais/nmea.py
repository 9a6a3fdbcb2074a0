"""Raw NMEA 0183 AIVDM/AIVDO files: decoded with numpy, one row per position report, static data merged in.

Times: a line's NMEA 4.0 tag block ``c:`` field (unix seconds; values above 1e11 are taken as milliseconds), else
the last comma field after the checksum in the old USCG/libais style: ``!AIVDM,...,0*28,d-109,...,r003669946,
1325394060,1325394001`` gives 1325394001, as that format puts the receive time last (the number before it is
ignored). Tag block checksums are not checked (some recorders write ``*00``). A multi-sentence message takes the first
time found on its sentences. A report without any time gets ``MISSING_TIME``, which cleaning counts as missing.

Rows: message types 1, 2, 3, 18, 19 and 27 are vessel positions; 4 (base station), 9 (SAR aircraft) and 21 (aid to
navigation) are rows marked ``not_vessel``. Not available: heading 511, speed 102.3 (63 for type 27, 1023 for type 9)
and course 360 become NaN; latitude 91 / longitude 181 stay for cleaning to drop. Static data (types 5, 24 and the
static part of 19) is kept per MMSI in file order: each position gets the latest value of each field seen at or before
it; a field not yet seen takes the first value the MMSI sends later (back-fill, so names cover whole tracks and Class
B parts A and B combine). A static message updates only the fields it carries with a usable value (a blank name,
IMO 0 or draught 0 never erases a known one). Ship types become text: the category name for the standard codes
("Cargo", "Tanker", "Fishing"...), else the number; types 5 and 19 fold reserved codes to their decade's reserved
code and codes outside the table to 0, i.e. NULL (as pyais does; type 24's code is taken as sent).

``malformed`` counts lines: unreadable lines, bad checksums, lines of incomplete or undecodable multi-sentence
messages, unknown message types and position reports too short to hold a position. ``rows_read`` is the number of
position-type messages decoded (the rows, ``not_vessel`` ones included) plus ``malformed``. Sentences with a bad
checksum are also counted apart, in a warning line naming the first (where it is, the checksum it gives and the one
its characters give). Other NMEA sentences (``$GPRMC``, Gatehouse ``$PGHP`` whose times are not used...), blank lines
and ``#`` comments are skipped uncounted. A compressed stream that ends early or is corrupt stops the read with a
message naming the file and the rows, lines and sentences read before it stopped (nothing is loaded).

Decoding needs no compiled package: chunks of whole lines are located and checked with numpy (``nmea_scan``),
payloads decoded as arrays of six-bit values (``nmea_decode``), multi-sentence messages whose fragments arrive in
order assembled as arrays (``nmea_multi``); Python works per line only on lines that are not well-formed sentences
and on fragments that are repeated, missing or out of order. A sentence must have its exact shape (``!`` or ``$``,
two-letter talker, VDM/VDO, one-digit fragment count and number, a sequence id of up to three digits, a channel of
at most one character, a payload of at most 200 six-bit characters, fill bits 0-5, ``*`` and two hex digits);
anything else, including a payload character outside the six-bit set, makes the line malformed. A line longer than
``MAX_LINE`` bytes is malformed without being read whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import numpy as np

from ..errors import BaiMeiError, Canceled
from . import nmea_decode as dec
from . import nmea_multi as multi
from .model import MALFORMED, MISSING_TIME, AisColumns, RawRead, TextColumn
from .nmea_scan import Scratch, scan
from .source import STREAM_ERRORS, damaged, inspect, open_utf8

FORMAT_NAME = "NMEA"
CHUNK = 1 << 21  # bytes read and decoded at a time (progress and cancel checks between chunks)
MAX_LINE = 1 << 20  # a longer line is skipped to its end and counted malformed, never held whole
MAX_PENDING = 1_000  # unfinished multi-sentence messages kept before the oldest is given up as malformed

_AIS_LINE = re.compile(r"^(?:\\[^\\]*\\)?[!$][A-Z]{2}VD[MO],", re.IGNORECASE)
_SHIP_TYPES = {
    30: "Fishing",
    31: "Towing",
    32: "Towing (large)",
    33: "Dredging or underwater ops",
    34: "Diving ops",
    35: "Military ops",
    36: "Sailing",
    37: "Pleasure craft",
    50: "Pilot vessel",
    51: "Search and rescue",
    52: "Tug",
    53: "Port tender",
    54: "Anti-pollution",
    55: "Law enforcement",
    58: "Medical transport",
    59: "Noncombatant",
}
_SHIP_TYPE_TENS = {2: "Wing in ground", 4: "High speed craft", 6: "Passenger", 7: "Cargo", 8: "Tanker", 9: "Other"}
_LATE = float("inf")  # the trigger of what is given up at the end of the file


def looks_like_nmea(first_lines: list[str]) -> bool:
    """True when the first lines are mostly AIVDM/AIVDO sentences (blank and ``#`` comment lines ignored)."""
    lines = [line.strip().lstrip("\ufeff") for line in first_lines]
    lines = [line for line in lines if line and not line.startswith("#")]
    hits = sum(1 for line in lines if _AIS_LINE.match(line))
    return hits > 0 and 2 * hits >= len(lines)


def read_nmea(
    path, progress: Callable[[float], None] | None = None, is_canceled: Callable[[], bool] | None = None
) -> RawRead:
    """Read an NMEA AIVDM/AIVDO file into uncleaned AIS columns (see the module docstring for the rules)."""
    name = os.fspath(path)
    reader = _Reader()
    try:
        # Shared with the CSV readers: refuses FIFOs and devices before opening, decompresses, transcodes UTF-16.
        info = inspect(name)
        opened = open_utf8(info)
    except STREAM_ERRORS as err:
        raise BaiMeiError(
            f"Cannot read the NMEA file {name}: {getattr(err, 'strerror', None) or err}", details=repr(err)
        ) from err
    stopped = None
    with opened:
        try:
            for piece in _chunks(opened.stream):
                if is_canceled is not None and is_canceled():
                    raise Canceled()
                reader.feed(piece)
                if progress is not None:
                    progress(opened.fraction())
        except STREAM_ERRORS as err:  # a truncated or corrupt stream: say how far it got (raised with the file closed)
            stopped = err
    if stopped is not None:
        raise _damaged(info, stopped, reader) from stopped
    if reader.ais_lines == 0:
        raise BaiMeiError(f"{name} contains no AIVDM/AIVDO sentences.")
    result = reader.finish()
    if progress is not None:
        progress(1.0)
    return result


def _damaged(info, err: BaseException, reader: _Reader, spilled_rows: int = 0) -> BaiMeiError:
    """A stream that failed in the middle, with the lines, AIS sentences and rows (position reports) read before
    (``spilled_rows`` of them no longer in the reader: NmeaBlocks)."""
    rows = spilled_rows + sum(len(r["mmsi"]) for r in reader.rows)
    read = (
        f"the position reports decoded from its first {reader.lines:,} lines, {reader.ais_lines:,} of them "
        "AIVDM/AIVDO sentences"
    )
    return damaged(info, err, rows, detail=read)


def _checksum_note(line_no: int, line: bytes) -> str:
    """Where a sentence with a bad checksum is, what it says its checksum is and what its characters give."""
    sentence = line
    if line.startswith(b"\\"):
        sentence = line[line.find(b"\\", 1) + 1 :]
    star = sentence.find(b"*")
    computed = 0
    for byte in sentence[1:star]:
        computed ^= byte
    text = line.decode("ascii", "replace")
    text = text if len(text) <= 60 else text[:57] + "..."
    given = sentence[star + 1 : star + 3].decode("ascii", "replace").upper()
    return f"line {line_no:,}: '{text}' says *{given}, its characters give *{computed:02X}"


class _LongLine(bytes):
    """The start of a line longer than MAX_LINE (the rest was skipped)."""


def _chunks(stream):
    """Whole lines, CHUNK bytes at a time (each piece ends with a line break), or a _LongLine for an endless line."""
    carry, skipping = b"", None
    while True:
        block = stream.read(CHUNK)
        if not block:
            if skipping is not None:
                yield skipping
            elif carry:
                yield carry + b"\n"
            return
        if skipping is not None:
            cut = block.find(b"\n")
            if cut < 0:
                continue
            yield skipping
            skipping, block = None, block[cut + 1 :]
        data = carry + block
        cut = data.rfind(b"\n")
        if cut >= 0:
            yield data[: cut + 1]
            data = data[cut + 1 :]
        carry = data
        if len(carry) > MAX_LINE:
            skipping, carry = _LongLine(carry[:80]), b""


def _epoch(text: bytes) -> int:
    try:
        value = float(text)
    except ValueError:
        return MISSING_TIME
    if value > 1e11:  # milliseconds
        value /= 1000
    if not (0 < value < 1e11):  # also NaN and infinity; 1e11 s is past the year 5000
        return MISSING_TIME
    return int(value)


def _long_group_key(s, i: int, key: int):
    """The key of fragment row ``i`` whose tag block group id is too long to pack into an integer."""
    group = None
    for field in s.tag(i).split(b"*", 1)[0].split(b","):
        if field.startswith(b"g:"):
            group = field[2:].rsplit(b"-", 1)[-1]
    return (b"g", group) if group else key


def _ship_type(code: int) -> str | None:
    if code <= 0:
        return None
    return _SHIP_TYPES.get(code) or _SHIP_TYPE_TENS.get(code // 10 if code < 100 else 0) or str(code)


_SHIP_TYPE_TEXT = [_ship_type(code) for code in range(256)]


def _classify(line: bytes) -> tuple:
    """(is an AIS line, reason it is malformed or None to skip it) for a line that is not a well-formed sentence."""
    if not line or line.startswith(b"#"):
        return False, None
    sentence = line
    if line.startswith(b"\\"):
        end = line.find(b"\\", 1)
        sentence = line[end + 1 :] if end > 0 else line[1:]
    mentions = b"VDM" in line or b"VDO" in line
    if not (sentence[:1] in (b"!", b"$") and sentence[3:6].upper() in (b"VDM", b"VDO")):
        if sentence[:1] in (b"!", b"$") and not mentions:
            return False, None  # another NMEA sentence ($GPRMC...): not ours to count
        return mentions, "not an AIVDM/AIVDO sentence"
    if b"*" not in sentence:
        return True, "no checksum"
    return True, "undecodable sentence"


class _Reader:
    """State across chunks: fragments waiting for their siblings, decoded rows and static reports so far."""

    def __init__(self):
        self.lines = 0  # lines before the current chunk
        self.ais_lines = 0
        self.malformed = 0
        self.bad_checksums = 0  # sentences whose checksum did not match (also counted in ``malformed``)
        self.checksum_example = ""
        self.example: tuple | None = None  # (trigger, text): the bad event that happened first
        self.pending: dict = {}  # fragment key -> (fragment count, {fragment number: part}, line it began on)
        self.rows: list = []  # per chunk: dict of row arrays
        self.statics: list = []  # per chunk: dict of static report arrays
        self.multi: list = []  # messages of the current chunk assembled one by one
        self.assembled: list = []  # ... and with numpy: (last lines, values, bits, times, fragments, first rows)
        self.scratch = Scratch()

    def bad(self, count: int, trigger, line_no: int, line: bytes, why: str) -> None:
        self.malformed += count
        if self.example is None or trigger < self.example[0]:
            text = line.decode("ascii", "replace")
            text = text if len(text) <= 60 else text[:57] + "..."
            self.example = (trigger, f"line {line_no}: '{text}' ({why})")

    def feed(self, piece: bytes) -> None:
        if isinstance(piece, _LongLine):
            self.lines += 1
            self.ais_lines += b"VDM" in piece or b"VDO" in piece
            self.bad(1, (self.lines - 1, 0), self.lines, piece, f"line longer than {MAX_LINE // (1 << 20)} MiB")
            return
        s = scan(piece, self.lines == 0, _epoch, self.scratch)
        base = self.lines
        self.lines += len(s.starts)
        self.ais_lines += int(s.shaped.sum())
        for i in np.flatnonzero(~s.shaped).tolist():
            line = s.line(i)
            is_ais, why = _classify(line)
            self.ais_lines += is_ais
            if why is not None:
                self.bad(1, (base + i, 0), base + i + 1, line, why)
        checksum = s.bad_checksum & ~s.bad_fragment
        hits = np.flatnonzero(checksum)
        if len(hits):  # counted apart too, for the read's warnings (they stay malformed in the drop counts)
            if self.bad_checksums == 0:
                self.checksum_example = _checksum_note(base + int(hits[0]) + 1, s.line(int(hits[0])))
            self.bad_checksums += len(hits)
        for mask, why in ((s.bad_fragment, "undecodable sentence"), (checksum, "bad checksum")):
            hits = np.flatnonzero(mask)
            if len(hits):
                self.malformed += len(hits) - 1
                self.bad(1, (base + int(hits[0]), 0), base + int(hits[0]) + 1, s.line(int(hits[0])), why)
        good = s.shaped & ~s.bad_fragment & ~s.bad_checksum
        singles = np.flatnonzero(good & (s.frag_cnt == 1))
        self.fragments(s, np.flatnonzero(good & (s.frag_cnt > 1)), base)
        self.decode(s, singles, base)

    def fragments(self, s, rows: np.ndarray, base: int) -> None:
        """Sentences of multi-sentence messages, in line order: kept until their siblings arrive (tag block group,
        else talker, channel, sequence id and count). Keys whose fragments come in order are assembled with numpy
        (``nmea_multi``); the others, and every key when too many messages could wait at once, one by one here."""
        if len(rows) == 0:
            return
        keys, odd = multi.fragment_keys(s, rows)
        waiting = np.array([k for k in self.pending if isinstance(k, int)], dtype=np.int64)
        count, number = s.frag_cnt[rows], s.frag_num[rows]
        how = multi.plan(keys, odd, count, number, rows, waiting, MAX_PENDING - len(self.pending))
        if how is None:
            self.one_by_one(s, rows, keys, odd, base)
            return
        python = np.searchsorted(rows, how.python)
        self.one_by_one(s, how.python, keys[python], odd[python], base)
        for cut in how.cut:
            self.wait(s, cut, int(keys[np.searchsorted(rows, cut[0])]), base)
        if len(how.count):
            values, nbits, times = multi.assemble(s, how.parts, how.count)
            heads = how.parts[np.cumsum(how.count) - how.count]
            done = base + how.parts[np.cumsum(how.count) - 1]
            self.assembled.append((done, values, nbits, times, how.count, heads))
        if len(self.pending) > 1:  # waiting messages in the order they began, as one by one would have added them
            self.pending = dict(sorted(self.pending.items(), key=lambda item: item[1][2]))

    def one_by_one(self, s, rows, keys, odd, base: int) -> None:
        buf = s.buf
        fields = (s.starts, s.ends, s.payload_at, s.payload_len, s.fill, s.t, s.frag_cnt, s.frag_num)
        columns = [x[rows].tolist() for x in fields]
        for i, key, is_odd, start, end, at, length, fill, t, count, number in zip(
            rows.tolist(), keys.tolist(), odd.tolist(), *columns
        ):
            if is_odd:
                key = _long_group_key(s, i, key)
            part = (base + i + 1, buf[start:end], buf[at : at + length], fill, t)
            self.fragment(key, count, number, part, base + i)

    def wait(self, s, rows, key: int, base: int) -> None:
        """An in-order message cut by the end of the chunk: its fragments wait for the next chunk."""
        buf, first = s.buf, int(rows[0])
        parts = {}
        for i in rows.tolist():
            start, at = int(s.starts[i]), int(s.payload_at[i])
            line, payload = buf[start : int(s.ends[i])], buf[at : at + int(s.payload_len[i])]
            parts[int(s.frag_num[i])] = (base + i + 1, line, payload, int(s.fill[i]), int(s.t[i]))
        self.pending[key] = (int(s.frag_cnt[first]), parts, base + first)

    def fragment(self, key, count: int, number: int, part: tuple, trigger: int) -> None:
        held, parts, _ = self.pending.get(key, (count, None, trigger))
        if parts is not None and (held != count or number in parts):
            self.give_up(key, (trigger, 0))
            parts = None
        if parts is None:
            parts = {}
            self.pending[key] = (count, parts, trigger)
            if len(self.pending) > MAX_PENDING:
                self.give_up(next(iter(self.pending)), (trigger, 1))
        parts[number] = part
        if len(parts) == count:
            del self.pending[key]
            ordered = [parts[k] for k in sorted(parts)]
            times = [p[4] for p in ordered if p[4] != MISSING_TIME]
            payload = b"".join(p[2] for p in ordered)
            self.multi.append((trigger, payload, ordered[-1][3], times[0] if times else MISSING_TIME, ordered))

    def give_up(self, key, trigger) -> None:
        _, parts, _ = self.pending.pop(key)
        first = parts[min(parts)]
        self.bad(len(parts), trigger, first[0], first[1], "incomplete multi-sentence message")

    def decode(self, s, singles: np.ndarray, base: int) -> None:
        """Decode this chunk's complete messages (single sentences and assembled ones) in the order they completed."""
        multi_, self.multi = self.multi, []
        assembled, self.assembled = self.assembled, []
        # Batches of different widths (single sentences hold fewer characters), decoded apart, then put in order.
        batches = [(s.payload_values(singles), 6 * s.payload_len[singles].astype(np.int64) - s.fill[singles])]
        order, times = [base + singles], [s.t[singles]]
        if multi_:
            padded = b"".join(m[1][: dec.WIDTH].ljust(dec.WIDTH, b"0") for m in multi_)
            values = dec.ARMOR[np.frombuffer(padded, np.uint8)].reshape(len(multi_), dec.WIDTH)
            batches.append((values, np.array([6 * len(m[1]) - m[2] for m in multi_], dtype=np.int64)))
            order.append(np.array([m[0] for m in multi_], dtype=np.int64))
            times.append(np.array([m[3] for m in multi_], dtype=np.int64))
        for done, values, nbits, t, _, _ in assembled:
            batches.append((values, nbits))
            order.append(done)
            times.append(t)
        order, times = np.concatenate(order), np.concatenate(times)
        d = dec.concat([dec.decode(values, nbits) for values, nbits in batches])
        self.message_errors(d, order, s, base, multi_, assembled)
        sort = np.argsort(order, kind="stable")  # rows and static reports in the order their messages completed
        rows = sort[(d.is_row & (d.bad == dec.OK))[sort]]
        self.rows.append(
            {
                "order": order[rows],
                "mmsi": d.mmsi[rows],
                "t": times[rows],
                **{name: getattr(d, name)[rows] for name in ("lon", "lat", "sog", "cog", "heading", "not_vessel")},
            }
        )
        static = np.isin(d.ais_id, dec.STATIC_TYPES) & d.has_mmsi & ((d.bad == dec.OK) | (d.bad == dec.TOO_SHORT))
        static = sort[static[sort]]
        names = ("mmsi", "name", "callsign", "imo", "ship_type", "draught", "destination")
        self.statics.append({"order": order[static], **{name: getattr(d, name)[static] for name in names}})

    def message_errors(self, d, order, s, base: int, multi_: list, assembled: list) -> None:
        bad = np.flatnonzero(d.bad != dec.OK)
        if len(bad) == 0:
            return
        bad = bad[np.argsort(order[bad], kind="stable")]  # the first in the file gives the example
        parts = {m[0]: (len(m[4]), m[4][0][0], m[4][0][1]) for m in multi_}  # trigger: count, first line
        for done, _, _, _, count, heads in assembled:
            hit = np.isin(done, order[bad])
            for trigger, n, head in zip(done[hit].tolist(), count[hit].tolist(), heads[hit].tolist()):
                parts[trigger] = (n, base + head + 1, s.line(head))
        for k, i in enumerate(bad.tolist()):
            trigger = int(order[i])
            count, line_no, line = parts.get(trigger, (1, trigger + 1, None))
            if k == 0:
                line = s.line(trigger - base) if line is None else line
                self.bad(count, (trigger, 2), line_no, line, dec.reason_text(int(d.bad[i]), int(d.ais_id[i])))
            else:
                self.malformed += count

    def finish(self) -> RawRead:
        self.give_up_pending()
        rows = _joined_rows(self.rows)
        timed = int((rows["t"] != MISSING_TIME).sum())
        return self.raw_read(rows, self.static_table(), last=True, rows_total=len(rows["mmsi"]), rows_timed=timed)

    def give_up_pending(self) -> None:
        """The file has ended: fragments still waiting for their siblings are malformed."""
        for key in list(self.pending):
            self.give_up(key, (_LATE, 0))

    def static_table(self) -> dict:
        statics = self.statics
        return {name: np.concatenate([r[name] for r in statics]) for name in statics[0]} if statics else {}

    def raw_read(self, rows: dict, static: dict, last: bool, rows_total: int, rows_timed: int) -> RawRead:
        """The RawRead of ``rows`` (all of the file's, or a block of them) with their static fields from ``static``
        (all of the file's); the last one also carries the file's malformed lines, example and warnings, which
        ``rows_total`` and ``rows_timed`` (of the whole file) settle."""
        n = len(rows["mmsi"])
        merged = _merge_static(rows["order"].astype(np.int64), rows["mmsi"].astype(np.int64), static)
        cols = AisColumns.build(
            mmsi=rows["mmsi"],
            t=rows["t"],
            **{name: rows[name] for name in ("lon", "lat", "sog", "cog", "heading")},
            **merged,
        )
        warnings = []
        malformed = self.malformed if last else 0
        if last and rows_total and not rows_timed:
            warnings.append(
                "No receive times in this NMEA file (no tag block c: times or trailing timestamps): "
                "its reports cannot be placed in time."
            )
        if last and self.bad_checksums:
            count = self.bad_checksums
            warnings.append(
                f"  {count:,} sentence{'s' if count > 1 else ''} with a bad checksum, counted among the malformed "
                f"rows dropped ({self.checksum_example})."
            )
        return RawRead(
            columns=cols,
            rows_read=n + malformed,
            unparseable=np.zeros(n, dtype=bool),
            not_vessel=rows["not_vessel"].astype(bool),
            malformed=malformed,
            examples={MALFORMED: self.example[1]} if last and self.example else {},
            warnings=warnings,
            format_name=FORMAT_NAME,
        )


_ROW_FIELDS = ("order", "mmsi", "t", "lon", "lat", "sog", "cog", "heading", "not_vessel")


def _joined_rows(parts: list) -> dict:
    if not parts:
        empty = np.zeros(0)
        return {k: empty for k in _ROW_FIELDS}
    return {name: np.concatenate([r[name] for r in parts]) for name in parts[0]}


class NmeaBlocks:
    """An NMEA file too big for memory, for the bucketed read. One pass decodes it, spilling the position reports
    to ``folder`` every ``block_rows`` rows while the static reports (a few per vessel an hour) stay in memory; then
    each block of rows gets its static fields from all of the file's static reports, exactly as the one-pass read
    gives them (each position the latest value at or before it, else the first after it). Iterating gives
    (RawRead, 0 lines, fraction read) per block; the last one carries the file's malformed count, example and
    warnings. Raises as read_nmea does (no sentences, a broken stream)."""

    def __init__(self, info, folder: str, block_rows: int, progress=None, is_canceled=None):
        self.info, self.folder, self.block_rows = info, folder, max(1, block_rows)
        self.progress, self.is_canceled = progress, is_canceled

    def __iter__(self):
        reader = _Reader()
        spilled: list = []
        held = rows_total = rows_timed = 0
        stopped = None
        try:
            with open_utf8(self.info) as opened:
                try:
                    for piece in _chunks(opened.stream):
                        if self.is_canceled is not None and self.is_canceled():
                            raise Canceled()
                        before = len(reader.rows)
                        reader.feed(piece)
                        held += sum(len(r["mmsi"]) for r in reader.rows[before:])
                        if held >= self.block_rows:
                            rows = _joined_rows(reader.rows)
                            reader.rows, held = [], 0
                            rows_total += len(rows["mmsi"])
                            rows_timed += int((rows["t"] != MISSING_TIME).sum())
                            spilled.append(os.path.join(self.folder, f"nmea_rows_{len(spilled)}.npz"))
                            np.savez(spilled[-1], **rows)
                            del rows
                        if self.progress is not None:
                            self.progress(opened.fraction())
                except STREAM_ERRORS as err:
                    stopped = err
            if stopped is not None:
                raise _damaged(self.info, stopped, reader, rows_total) from stopped
            if reader.ais_lines == 0:
                raise BaiMeiError(f"{self.info.path} contains no AIVDM/AIVDO sentences.")
            reader.give_up_pending()
            static = reader.static_table()
            last_rows = _joined_rows(reader.rows)
            reader.rows = []
            rows_total += len(last_rows["mmsi"])
            rows_timed += int((last_rows["t"] != MISSING_TIME).sum())
            for path in spilled:
                rows = _load(path)
                os.remove(path)
                yield reader.raw_read(rows, static, False, rows_total, rows_timed), 0, 1.0  # the file is read
            yield reader.raw_read(last_rows, static, True, rows_total, rows_timed), 0, 1.0
        finally:
            for path in spilled:
                if os.path.exists(path):
                    os.remove(path)


def _load(path: str) -> dict:
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


def _text_codes(raw: np.ndarray) -> tuple:
    """Codes (-1: none) and unique values of six-bit texts (blank-padded bytes). A dict finds the distinct values:
    sorting fixed-width byte strings (np.unique) costs several times more."""
    seen: dict = {}
    index = np.array([seen.setdefault(value, len(seen)) for value in raw.tolist()], dtype=np.int64)
    lookup: dict = {}
    code_of = []
    for value in seen:
        text = value.strip().decode("ascii")
        code_of.append(lookup.setdefault(text, len(lookup)) if text else -1)
    values = list(lookup)
    return np.array(code_of, dtype=np.int64)[index] if len(raw) else np.zeros(0, np.int64), values


class _Timeline:
    """Static reports sorted by MMSI then order, and where each row falls among them (a report before a row of the
    same order: type 19's own). Rows are only searched into the reports, so the work per field is on the reports."""

    def __init__(self, row_order, row_mmsi, event_order, event_mmsi):
        if len(row_order) and max(int(row_order.max()), int(event_order.max(initial=0))) >= 1 << 32:
            ranks = np.unique(np.r_[event_order, row_order], return_inverse=True)[1]  # keys need 32-bit orders
            event_order, row_order = ranks[: len(event_order)], ranks[len(event_order) :]
        events = (event_mmsi << 33) | (event_order << 1)  # MMSIs have 30 bits
        self.sort = np.argsort(events, kind="stable")
        mmsi = event_mmsi[self.sort]
        e = self.e = len(events)
        position = np.arange(e)
        new_run = np.r_[True, mmsi[1:] != mmsi[:-1]]
        run_start = np.maximum.accumulate(np.where(new_run, position, 0))
        run_end = np.r_[np.flatnonzero(new_run)[1:], e][np.cumsum(new_run) - 1]
        # Per row: the last report of its MMSI at or before it (-1: none), and its MMSI's run of reports.
        at = np.searchsorted(events[self.sort], (row_mmsi << 33) | (row_order << 1) | 1, "right") - 1
        same = (at >= 0) & (mmsi[np.maximum(at, 0)] == row_mmsi)
        after = np.minimum(at + 1, e - 1)
        later = ~same & (at + 1 < e) & (mmsi[after] == row_mmsi)
        self.upto = np.where(same, at, -1)
        self.run = np.where(same, run_start[np.maximum(at, 0)], np.where(later, after, e))
        self.run_end = np.where(same | later, run_end[np.minimum(self.run, e - 1)], e)

    def pick(self, usable: np.ndarray) -> np.ndarray:
        """Per row (in row order), the index of the report chosen for a field (-1: none); ``usable`` per report."""
        n, e = len(self.upto), self.e
        if n == 0 or not usable.any():
            return np.full(n, -1, dtype=np.int64)
        marks = usable[self.sort]
        position = np.arange(e)
        latest = np.maximum.accumulate(np.where(marks, position, -1))
        following = np.r_[np.minimum.accumulate(np.where(marks, position, e)[::-1])[::-1], e]
        chosen = np.where(self.upto >= 0, latest[np.maximum(self.upto, 0)], -1)
        chosen = np.where(chosen >= self.run, chosen, -1)  # the latest usable one of the row's MMSI...
        first = following[self.run]
        chosen = np.where(chosen >= 0, chosen, np.where(first < self.run_end, first, -1))  # ...else its first
        return np.where(chosen >= 0, self.sort[np.maximum(chosen, 0)], -1)


def _merge_static(order: np.ndarray, mmsi: np.ndarray, static: dict) -> dict:
    """Static fields per row (see the module docstring): each field on its own, from the reports carrying it."""
    n = len(order)
    if not static or len(static["order"]) == 0:
        empty = {name: TextColumn.empty(n) for name in ("vessel_name", "callsign", "imo", "vessel_type", "destination")}
        return {**empty, "draught": np.full(n, np.nan)}
    timeline = _Timeline(order, mmsi, static["order"].astype(np.int64), static["mmsi"].astype(np.int64))

    def merged(codes, values):
        chosen = timeline.pick(codes >= 0)
        return TextColumn(np.where(chosen >= 0, codes[np.maximum(chosen, 0)], -1), values)

    out = {}
    for field, column in (("name", "vessel_name"), ("callsign", "callsign"), ("destination", "destination")):
        out[column] = merged(*_text_codes(static[field]))
    imo = static["imo"]
    imo_unique, imo_inverse = np.unique(imo, return_inverse=True)
    imo_codes = np.where(imo > 0, imo_inverse - int(imo_unique[0] == 0), -1)
    out["imo"] = merged(imo_codes, [str(v) for v in imo_unique.tolist() if v > 0])
    values = sorted({text for text in _SHIP_TYPE_TEXT if text})
    code_of = np.array([values.index(text) if text else -1 for text in _SHIP_TYPE_TEXT], dtype=np.int64)
    out["vessel_type"] = merged(code_of[static["ship_type"].astype(np.int64) & 255], values)
    draught = static["draught"]
    chosen = timeline.pick(~np.isnan(draught))
    out["draught"] = np.where(chosen >= 0, draught[np.maximum(chosen, 0)], np.nan)
    return out
