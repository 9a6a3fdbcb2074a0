"""NMEA files that are damaged or partly wrong: truncated or corrupt compressed streams stop the read with a message
naming the file and how far it got (as the CSV and JSON Lines readers say it), and sentences with a bad checksum are
counted on a line of their own while staying among the malformed rows dropped (issue 16)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
import zlib
from pathlib import Path

import pytest

from bai_mei_plugin.core.ais.clean import clean
from bai_mei_plugin.core.ais.model import MALFORMED
from bai_mei_plugin.core.ais.nmea import CHUNK, read_nmea
from bai_mei_plugin.core.ais.reader import read_ais
from bai_mei_plugin.core.errors import BaiMeiError

T0 = 1709251200
POSITION = "!AIVDM,1,1,,A,1814rPwP014snn0<ha`0I0H1P000,0*5C"  # 538000003, type 3
STATIC_1 = "!AIVDM,2,1,2,B,5814rPh2<r8MKL4;<01=@5:10D58h0000000001D000000000GljBjh@0000,0*0C"
STATIC_2 = "!AIVDM,2,2,2,B,00000000000,2*25"
LINES = 100_000
FIXTURE = Path(__file__).resolve().parent / "data" / "nmea" / "tagblocks_static.nmea"

STOPPED = re.compile(
    r"reading stopped after ([\d,]+) rows \(the position reports decoded from its first ([\d,]+) lines, ([\d,]+) of "
    r"them AIVDM/AIVDO sentences\) with '(.+)'\. Nothing was loaded"
)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def tagged_positions(n: int = LINES) -> bytes:
    return "".join(f"\\c:{T0 + i}*00\\{POSITION}\n" for i in range(n)).encode()


def stopped_at(message: str) -> tuple:
    """(rows, lines, sentences, error) from a damaged-file message."""
    match = STOPPED.search(message)
    assert match, message
    return number(match.group(1)), number(match.group(2)), number(match.group(3)), match.group(4)


# --- truncated and corrupt streams ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix, compress, kind",
    [(".gz", gzip.compress, "gzip"), (".bz2", bz2.compress, "bzip2"), (".xz", lzma.compress, "xz")],
)
def test_truncated_stream_names_file_lines_and_rows(tmp_path, suffix, compress, kind):
    packed = compress(tagged_positions())
    path = tmp_path / f"cut.nmea{suffix}"
    path.write_bytes(packed[: len(packed) // 2])
    for read in (read_nmea, read_ais):  # the reader itself and the way the dock and importais call it
        with pytest.raises(BaiMeiError) as err:
            read(str(path))
        message = str(err.value)
        assert message.startswith(f"cut.nmea{suffix} is a damaged {kind} file (truncated or corrupt): ")
        assert "Cannot read the NMEA file" not in message
        assert message.endswith(f"download or copy the file again ({path}).")
        rows, lines, sentences, _ = stopped_at(message)
        # Whole chunks were decoded before the stream ended (the line a chunk cuts waits for the next): every line
        # so far a position report.
        assert 0 < rows == lines == sentences < LINES
        width = len(f"\\c:{T0}*00\\{POSITION}\n")
        assert lines * width > CHUNK - width


def test_truncated_gzip_counts_sentences_and_rows_apart(tmp_path):
    """Lines that are not sentences and sentences that are not rows: the three counts differ."""
    block = ["# receiver log", POSITION, STATIC_1, STATIC_2, POSITION[:-2] + "00"]  # 4 AIS sentences, 1 row
    data = ("\n".join(block * 40_000) + "\n").encode()
    packed = gzip.compress(data)
    path = tmp_path / "mixed.nmea.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    with pytest.raises(BaiMeiError) as err:
        read_nmea(path)
    rows, lines, sentences, error = stopped_at(str(err.value))
    assert "Compressed file ended" in error
    assert 0 < lines < 200_000
    kinds = [i % 5 for i in range(lines)]  # which line of the block each line read was
    assert sentences == sum(k != 0 for k in kinds) and rows == kinds.count(1)


def test_corrupt_deflate_data_is_a_damaged_file_not_a_traceback(tmp_path):
    """gzip lets zlib.error through for some corrupt data ("invalid block type" here): still a plain message."""
    deflate = zlib.compressobj(wbits=31)  # a gzip stream
    good = deflate.compress(tagged_positions(60_000)) + deflate.flush(zlib.Z_FULL_FLUSH)  # ends on a byte boundary
    path = tmp_path / "corrupt.nmea.gz"
    path.write_bytes(good + b"\xff" * 64)  # a final block of the reserved type 3
    with pytest.raises(zlib.error):
        gzip.decompress(path.read_bytes())
    with pytest.raises(BaiMeiError) as err:
        read_nmea(path)
    message = str(err.value)
    assert message.startswith("corrupt.nmea.gz is a damaged gzip file (truncated or corrupt): ")
    rows, lines, sentences, error = stopped_at(message)
    assert "invalid block type" in error and 0 < rows == lines == sentences < 60_000


def test_missing_file_still_says_cannot_read(tmp_path):
    with pytest.raises(BaiMeiError, match="nowhere.nmea.gz"):
        read_nmea(tmp_path / "nowhere.nmea.gz")


def test_whole_gzip_reads_as_the_plain_file(tmp_path):
    plain = tmp_path / "whole.nmea"
    plain.write_bytes(FIXTURE.read_bytes())
    packed = tmp_path / "whole.nmea.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    a, b = read_nmea(plain), read_nmea(packed)
    assert (a.rows_read, a.malformed, a.warnings) == (b.rows_read, b.malformed, b.warnings)
    assert a.columns.mmsi.tolist() == b.columns.mmsi.tolist() and a.columns.t.tolist() == b.columns.t.tolist()


# --- bad checksums counted apart --------------------------------------------------------------------------------


def checksum_lines(raw) -> list:
    return [line for line in raw.warnings if "bad checksum" in line]


def test_fixture_bad_checksum_has_its_own_line():
    raw = read_nmea(FIXTURE)
    (line,) = checksum_lines(raw)
    assert line == (
        "  1 sentence with a bad checksum, counted among the malformed rows dropped (line 29: "
        "'\\c:1709251700*57\\!AIVDM,1,1,,B,144FV@OP1T42;L0>lO83Q2l1P0...' says *00, its characters give *37)."
    )
    result = clean(raw)
    assert line in result.summary_lines()
    assert result.dropped[MALFORMED] == 4  # the bad checksum stays one of the 4 malformed lines
    assert result.rows_dropped == sum(result.dropped.values()) == result.rows_read - result.rows_kept


def test_bad_checksums_counted_across_chunks_and_fragments(tmp_path):
    wrong = POSITION[:-2] + "5D"
    lines = [f"\\c:{T0 + i}*00\\{POSITION}" for i in range(60_000)]  # 4.1 MB: two chunks
    lines[10] = wrong  # first chunk
    lines[50_000] = f"\\c:{T0}*00\\{wrong.lower()}"  # second chunk; the checksum's hex case is not what's wrong
    lines[50_001:50_003] = [STATIC_1, STATIC_2[:-2] + "26"]  # a fragment: its sibling is then given up too
    lines.append("!AIVDM,1,1,,A,1814rPwP014snn0<ha`0I0H1P000,0")  # no checksum at all: malformed, not counted here
    path = tmp_path / "checksums.nmea"
    path.write_text("\n".join(lines) + "\n")
    raw = read_nmea(path)
    (line,) = checksum_lines(raw)
    assert line.startswith("  3 sentences with a bad checksum, counted among the malformed rows dropped (line 11: ")
    assert line.endswith("says *5D, its characters give *5C).")
    assert raw.malformed == 5  # three bad checksums, the orphaned first fragment, the line without a checksum
    result = clean(raw)
    assert result.dropped[MALFORMED] == raw.malformed
    assert result.rows_dropped == sum(result.dropped.values()) == result.rows_read - result.rows_kept
    assert result.rows_read == len(lines) and result.rows_kept + result.rows_dropped == len(lines)


def test_no_checksum_line_when_every_checksum_is_right(tmp_path):
    path = tmp_path / "fine.nmea"
    path.write_text(f"\\c:{T0}*00\\{POSITION}\n{STATIC_1}\n{STATIC_2}\n")
    raw = read_nmea(path)
    assert raw.malformed == 0 and checksum_lines(raw) == []
