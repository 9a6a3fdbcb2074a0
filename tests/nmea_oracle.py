"""The pyais path: the reader Bai Mei used before its numpy decoder, kept as the test and benchmark oracle.

Decoding is pyais's (``NMEASentenceFactory``, ``assemble_from_iterable``, ``decode``); the rules around it (times,
fragments, static data merging, what counts as malformed) are the ones ``bai_mei_plugin.core.ais.nmea`` documents, so
both readers must give identical rows. pyais is a test dependency only: the plugin never imports it.
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from bai_mei_plugin.core.ais.model import MALFORMED, MISSING_TIME, AisColumns, RawRead, TextColumn

POSITION_TYPES = frozenset((1, 2, 3, 18, 19, 27))
NOT_VESSEL_TYPES = frozenset((4, 9, 21))
STATIC_TYPES = frozenset((5, 19, 24))
DECODED_TYPES = POSITION_TYPES | NOT_VESSEL_TYPES | STATIC_TYPES
MAX_PENDING = 1_000
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
_NO_STATIC = (None,) * 6  # vessel_name, callsign, imo, vessel_type, draught, destination
_ROW_COLUMNS = (("mmsi", "q"), ("t", "q"), ("lon", "d"), ("lat", "d"), ("sog", "d"), ("cog", "d"), ("heading", "d"))


def read_nmea_pyais(path) -> RawRead:
    """Read an uncompressed NMEA file with pyais, line by line."""
    import pyais

    reader = _Reader(pyais)
    with open(path, "rb") as stream:
        for line_no, raw in enumerate(stream, 1):
            reader.feed(line_no, raw)
    return reader.finish()


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


def _text(value) -> str | None:
    """AIS six-bit text without its ``@`` padding (everything from the first ``@`` on) and spaces; None if empty."""
    if not value:
        return None
    return value.split("@", 1)[0].strip() or None


def _ship_type(code) -> str | None:
    code = int(code) if code is not None else 0
    if code <= 0:
        return None
    return _SHIP_TYPES.get(code) or _SHIP_TYPE_TENS.get(code // 10 if code < 100 else 0) or str(code)


def _nan_if(value, not_available: float) -> float:
    """The value as a float, NaN when missing or at/above the "not available" code."""
    return math.nan if value is None or value >= not_available else float(value)


class _Reader:
    """Line-by-line state: fragments waiting for their siblings, rows so far and static data per MMSI."""

    def __init__(self, pyais):
        self.produce = pyais.messages.NMEASentenceFactory.produce
        self.assemble = pyais.messages.AISSentence.assemble_from_iterable
        self.known_types = pyais.messages.MSG_CLASS
        self.ais_lines = 0
        self.malformed = 0
        self.bad_checksums = 0  # also in malformed; the first one's note for the warning line
        self.checksum_example = ""
        self.example: str | None = None
        self.pending: dict = {}  # fragment key -> (fragment count, {fragment number: (line_no, line, sentence, t)})
        self.rows = {name: array(code) for name, code in _ROW_COLUMNS}  # compact: files hold millions of reports
        self.not_vessel = array("b")
        self.row_static = array("q")  # snapshot index per row, -1 = none yet
        self.snapshots: list = []  # (mmsi, static tuple) in the order they became current
        self.current: dict = {}  # mmsi -> index of its latest snapshot
        self.fill: dict = {}  # mmsi -> first known value of each static field

    def bad(self, lines: list, why: str) -> None:
        self.malformed += len(lines)
        if self.example is None:
            line_no, line = lines[0]
            text = line.decode("ascii", "replace")
            text = text if len(text) <= 60 else text[:57] + "..."
            self.example = f"line {line_no}: '{text}' ({why})"

    def feed(self, line_no: int, raw: bytes) -> None:
        line = raw.strip()
        if line_no == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
        if not line or line.startswith(b"#"):
            return
        here = [(line_no, line)]
        tag, sentence = b"", line
        if line.startswith(b"\\"):
            end = line.find(b"\\", 1)
            tag, sentence = (line[1:end], line[end + 1 :]) if end > 0 else (b"", line[1:])
        is_ais = sentence[:1] in (b"!", b"$") and sentence[3:6].upper() in (b"VDM", b"VDO")
        if not is_ais:
            if sentence[:1] in (b"!", b"$") and b"VDM" not in line and b"VDO" not in line:
                return  # another NMEA sentence ($GPRMC...): not ours to count
            if b"VDM" in line or b"VDO" in line:
                self.ais_lines += 1
            self.bad(here, "not an AIVDM/AIVDO sentence")
            return
        self.ais_lines += 1
        star = sentence.find(b"*")
        if star < 0:
            self.bad(here, "no checksum")
            return
        body, trailer = sentence[: star + 3], sentence[star + 3 :]
        t, group = MISSING_TIME, None
        for field in tag.split(b"*", 1)[0].split(b","):
            if field.startswith(b"c:"):
                t = _epoch(field[2:])
            elif field.startswith(b"g:"):
                group = field[2:].rsplit(b"-", 1)[-1]
        if t == MISSING_TIME and trailer.startswith(b","):
            t = _epoch(trailer.rsplit(b",", 1)[-1])
        try:
            msg = self.produce(body)
        except Exception:  # noqa: BLE001 - pyais raises many exception types for broken input; never fatal
            self.bad(here, "undecodable sentence")
            return
        if not msg.is_valid:
            if not self.bad_checksums:
                from pyais.util import compute_checksum

                text = line.decode("ascii", "replace")
                text = text if len(text) <= 60 else text[:57] + "..."
                self.checksum_example = (
                    f"line {line_no:,}: '{text}' says *{msg.checksum:02X}, its characters give "
                    f"*{compute_checksum(msg.raw):02X}"
                )
            self.bad_checksums += 1
            self.bad(here, "bad checksum")
            return
        if msg.frag_cnt == 1:
            self.message(msg, t, here)
            return
        key = (b"g", group) if group else (msg.talker_id, msg.type, msg.channel, msg.seq_id, msg.frag_cnt)
        count, parts = self.pending.get(key, (msg.frag_cnt, None))
        if parts is not None and (count != msg.frag_cnt or msg.frag_num in parts):
            self.give_up(key)
            parts = None
        if parts is None:
            parts = {}
            self.pending[key] = (msg.frag_cnt, parts)
            if len(self.pending) > MAX_PENDING:
                self.give_up(next(iter(self.pending)))
        parts[msg.frag_num] = (line_no, line, msg, t)
        if len(parts) == msg.frag_cnt:
            del self.pending[key]
            ordered = [parts[number] for number in sorted(parts)]
            lines = [(p[0], p[1]) for p in ordered]
            times = [p[3] for p in ordered if p[3] != MISSING_TIME]
            try:
                whole = self.assemble([p[2] for p in ordered])
            except Exception:  # noqa: BLE001 - as above
                self.bad(lines, "undecodable multi-sentence message")
                return
            self.message(whole, times[0] if times else MISSING_TIME, lines)

    def give_up(self, key) -> None:
        _, parts = self.pending.pop(key)
        self.bad([(p[0], p[1]) for _, p in sorted(parts.items())], "incomplete multi-sentence message")

    def message(self, msg, t: int, lines: list) -> None:
        ais_id = msg.ais_id
        if ais_id not in DECODED_TYPES:
            if ais_id not in self.known_types:
                self.bad(lines, f"unknown message type {ais_id}")
            return
        try:
            decoded = msg.decode()
        except Exception:  # noqa: BLE001 - as above
            self.bad(lines, f"undecodable type {ais_id} message")
            return
        mmsi = decoded.mmsi
        if mmsi is not None and ais_id in STATIC_TYPES:
            self.static(decoded, ais_id, mmsi)
        if ais_id in STATIC_TYPES and ais_id not in POSITION_TYPES:
            return
        lon, lat = decoded.lon, decoded.lat
        if mmsi is None or lon is None or lat is None:
            self.bad(lines, f"type {ais_id} position report too short")
            return
        if ais_id == 27:
            sog, cog = _nan_if(decoded.speed, 63), _nan_if(decoded.course, 360)
        elif ais_id == 9:
            sog, cog = _nan_if(decoded.speed, 1023), _nan_if(decoded.course, 360)
        else:
            sog, cog = _nan_if(getattr(decoded, "speed", None), 102.25), _nan_if(getattr(decoded, "course", None), 360)
        heading = _nan_if(getattr(decoded, "heading", None), 360)
        for name, value in zip(self.rows, (mmsi, t, lon, lat, sog, cog, heading)):
            self.rows[name].append(value)
        self.not_vessel.append(ais_id in NOT_VESSEL_TYPES)
        self.row_static.append(self.current.get(mmsi, -1))

    def static(self, d, ais_id: int, mmsi: int) -> None:
        if ais_id == 5:
            draught = d.draught if d.draught else None
            imo = str(d.imo) if d.imo else None
            values = (_text(d.shipname), _text(d.callsign), imo, _ship_type(d.ship_type), draught, _text(d.destination))
        elif ais_id == 19:
            values = (_text(d.shipname), None, None, _ship_type(d.ship_type), None, None)
        elif not d.partno:  # None when the message ends before it: pyais then decodes a part A
            values = (_text(d.shipname), None, None, None, None, None)
        else:
            values = (None, _text(d.callsign), None, _ship_type(d.ship_type), None, None)
        index = self.current.get(mmsi)
        old = _NO_STATIC if index is None else self.snapshots[index][1]
        new = tuple(old_value if value is None else value for value, old_value in zip(values, old))
        if new != old:
            self.snapshots.append((mmsi, new))
            self.current[mmsi] = len(self.snapshots) - 1
            fill = self.fill.get(mmsi, _NO_STATIC)
            self.fill[mmsi] = tuple(value if first is None else first for first, value in zip(fill, new))

    def finish(self) -> RawRead:
        for key in list(self.pending):
            self.give_up(key)
        rows = {name: np.frombuffer(values, dtype=values.typecode).copy() for name, values in self.rows.items()}
        n = len(rows["mmsi"])
        mmsi = rows["mmsi"]
        # Back-fill: a field unknown at a report's time takes the MMSI's first value of it; reports before any static
        # message use a snapshot of those first values. Snapshot -1 is the empty one appended last.
        fill = self.fill
        snapshots = [tuple(v if v is not None else f for v, f in zip(s, fill[m])) for m, s in self.snapshots]
        first = {}
        for m, values in fill.items():
            first[m] = len(snapshots)
            snapshots.append(values)
        snapshots.append(_NO_STATIC)
        ref = np.frombuffer(self.row_static, dtype=np.int64).copy()
        for i in np.flatnonzero(ref < 0).tolist():
            ref[i] = first.get(int(mmsi[i]), -1)
        text = {
            name: TextColumn.from_strings(s[k] for s in snapshots)
            for k, name in ((0, "vessel_name"), (1, "callsign"), (2, "imo"), (3, "vessel_type"), (5, "destination"))
        }
        draught = np.array([np.nan if s[4] is None else s[4] for s in snapshots], dtype=np.float64)
        cols = AisColumns.build(
            **rows,
            draught=draught[ref],
            **{name: TextColumn(col.codes[ref], col.values) for name, col in text.items()},
        )
        warnings = []
        if n and bool((cols.t == MISSING_TIME).all()):
            warnings.append(
                "No receive times in this NMEA file (no tag block c: times or trailing timestamps): "
                "its reports cannot be placed in time."
            )
        if self.bad_checksums:
            count = self.bad_checksums
            warnings.append(
                f"  {count:,} sentence{'s' if count > 1 else ''} with a bad checksum, counted among the malformed "
                f"rows dropped ({self.checksum_example})."
            )
        return RawRead(
            columns=cols,
            rows_read=n + self.malformed,
            unparseable=np.zeros(n, dtype=bool),
            not_vessel=np.frombuffer(self.not_vessel, dtype=np.int8).astype(bool),
            malformed=self.malformed,
            examples={MALFORMED: self.example} if self.example else {},
            warnings=warnings,
            format_name="NMEA",
        )
