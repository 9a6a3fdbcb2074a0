"""What an AIS file is before any reader opens it: a regular file? compressed? which text encoding?

Every reader (CSV backends, NMEA, format detection) goes through ``inspect`` and ``open_utf8`` so that a FIFO,
a device, a gzip file or a UTF-16 export gets the same answer everywhere: read as a stream (gzip, bzip2, xz, a zip
holding one file; UTF-16 transcoded to UTF-8 as it is read), or a message saying what the file is and what to do.
Nothing here prints the file's bytes: a message quotes at most a cleaned-up excerpt of text.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ..errors import BaiMeiError

HEAD_BYTES = 64 * 1024
PARQUET_MAGIC = b"PAR1"

# Compressed formats read as streams (magic bytes -> name).
STREAMED = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"PK\x03\x04", "zip"))
# Recognisable binary formats nobody should feed to an AIS reader, named so the message can say what the file is.
OTHER_BINARY = (
    (b"PK\x05\x06", "an empty zip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard-compressed file"),
    (b"SQLite format 3\x00", "an SQLite database or GeoPackage (add it as a layer instead)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x7fELF", "a program (ELF executable)"),
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ODD_CHARACTERS = {c: None for c in [*range(0, 9), 11, 12, *range(14, 32), 0x7F, 0xFFFD]}  # deleted to count them
_DECOMPRESS = {"gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"), "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}


@dataclass
class SourceInfo:
    """A file's size, compression (None: plain), zip member, text encoding and BOM length.

    ``path`` is what the user named: a file, or a member of a zip written as ``archive.zip/member.csv``;
    ``file`` is the file on disk that is opened (the archive for a member).
    """

    path: str
    size: int
    compression: Optional[str] = None
    member: Optional[str] = None
    encoding: str = "utf-8"
    bom: int = 0
    archive: Optional[str] = None  # the zip on disk when ``path`` names a member inside it
    member_start: int = 0  # where the member's compressed bytes begin in the archive (for progress)
    member_bytes: int = 0  # the member's compressed size (progress) ...
    member_text: int = 0  # ... and its uncompressed size (the memory estimate)
    parquet: bool = False

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def file(self) -> str:
        return self.archive or self.path

    @property
    def plain(self) -> bool:
        """Uncompressed UTF-8 (or ASCII / Latin-1 read as UTF-8): readers may open the file directly."""
        return self.compression is None and self.encoding == "utf-8" and self.archive is None

    def describe(self) -> str:
        parts = [
            f"{self.compression}-compressed" if self.compression else "",
            self.encoding.upper() if self.encoding != "utf-8" else "",
        ]
        return " ".join(p for p in parts if p)


def size_text(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{int(size)} bytes"


def check_regular(path: str) -> int:
    """The size of ``path``; BaiMeiError unless it is a regular file (checked without opening it: a FIFO would
    block the open forever, a device could be endless)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise BaiMeiError(f"Cannot open the AIS file {path}: {exc.strerror or exc}.") from exc
    if stat.S_ISREG(info.st_mode):
        return info.st_size
    kind = (
        "a folder"
        if stat.S_ISDIR(info.st_mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(info.st_mode)
        else "a device"
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "a socket"
        if stat.S_ISSOCK(info.st_mode)
        else "not a regular file"
    )
    raise BaiMeiError(
        f"{path} is {kind}, not an AIS file: choose a CSV or NMEA file saved on disk (copy a stream to a file first)."
    )


def split_member(path: str) -> Tuple[str, Optional[str]]:
    """(archive, member) when ``path`` is ``some.zip/inside/name.csv`` (a member of a zip on disk), else
    (path, None). A path that exists on disk is always the file itself."""
    if os.path.lexists(path):
        return path, None
    head, parts = path, []
    while True:
        parent, part = os.path.split(head)
        if not part or parent == head:
            return path, None
        parts.insert(0, part)
        head = parent
        if os.path.isfile(head):
            return (head, "/".join(parts)) if zipfile.is_zipfile(head) else (path, None)


def inspect(path: str) -> SourceInfo:
    """Check ``path`` and tell how to read it; BaiMeiError naming what the file is when it cannot be read."""
    path = os.fspath(path)
    archive, member = split_member(path)
    if member is not None:
        return _inspect_member(path, archive, member)
    size = check_regular(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise BaiMeiError(f"Cannot open the AIS file {path}: {exc.strerror or exc}.") from exc
    info = SourceInfo(path, size)
    if magic.startswith(PARQUET_MAGIC):
        info.parquet = True
        return info
    for prefix, kind in OTHER_BINARY:
        if magic.startswith(prefix):
            raise BaiMeiError(
                f"{info.name} is {kind}, not an AIS text file: export or extract the AIS reports "
                f"as CSV or NMEA text and choose that file ({path})."
            )
    info.compression = next((kind for prefix, kind in STREAMED if magic.startswith(prefix)), None)
    if info.compression == "zip":
        info.member = _zip_member(path)
        _member_figures(info, path, info.member)
    return _with_encoding(info)


def _inspect_member(path: str, archive: str, member: str) -> SourceInfo:
    """A member of a zip named as ``archive.zip/member``: checked (present, not encrypted) and its encoding told."""
    info = SourceInfo(path, check_regular(archive), compression="zip", member=member, archive=archive)
    _member_figures(info, archive, member)
    return _with_encoding(info)


def _with_encoding(info: SourceInfo) -> SourceInfo:
    path = info.path
    head = _raw_head(info)
    info.encoding, info.bom = _encoding(head)
    if info.encoding.startswith("utf-32"):
        raise BaiMeiError(
            f"{info.name} is {info.encoding.upper()} text, which the AIS readers do not read: save it "
            f"as UTF-8 (any text editor can) and choose that file ({path})."
        )
    return info


def _encoding(head: bytes) -> tuple:
    """(encoding, BOM length). A UTF-16 BOM counts only if the text after it looks like UTF-16 (stray bytes
    \xff\xfe at the start of an NMEA capture are noise, not a BOM)."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            if encoding.startswith("utf-16") and len(head) > 16 and _utf16_without_bom(head[2:]) != encoding:
                break
            return encoding, len(bom)
    return _utf16_without_bom(head) or "utf-8", 0


def binary_share(text: str) -> float:
    """The share of characters in decoded text that no AIS text file holds: control characters other than tab and
    line ends, and U+FFFD (bytes that are not UTF-8). Random binary data scores about 0.5, Latin-1 names well under
    0.01."""
    if not text:
        return 0.0
    return (len(text) - len(text.translate(_ODD_CHARACTERS))) / len(text)


def zip_members(path: str) -> List[zipfile.ZipInfo]:
    """The files in the zip ``path`` (not folders), BaiMeiError when it is not a readable zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise BaiMeiError(
            f"{os.path.basename(path)} starts like a zip archive but cannot be opened as one "
            f"({exc}): extract the AIS file with another tool and choose it ({path})."
        ) from exc


def _zip_member(path: str) -> str:
    members = zip_members(path)
    if len(members) != 1:
        names = ", ".join(m.filename for m in members[:5]) + (", ..." if len(members) > 5 else "")
        raise BaiMeiError(
            f"{os.path.basename(path)} is a zip archive of {len(members)} files ({names or 'none'}); "
            f"read it as a dataset (every AIS file in it, as one) or name one member as "
            f"{os.path.basename(path)}/<member> ({path})."
        )
    return members[0].filename


def _member_figures(info: SourceInfo, archive: str, member: str) -> None:
    """Where the member lies and how big it is; BaiMeiError when it is absent or encrypted."""
    found = {m.filename: m for m in zip_members(archive)}
    entry = found.get(member)
    if entry is None:
        names = ", ".join(list(found)[:5]) + (", ..." if len(found) > 5 else "")
        raise BaiMeiError(
            f"{os.path.basename(archive)} holds no member {member!r}: it holds {names or 'nothing'} ({archive})."
        )
    if entry.flag_bits & 0x1:
        raise BaiMeiError(
            f"{os.path.basename(archive)} is an encrypted (password-protected) zip: its member {member} cannot be "
            f"read without the password. Extract it with the password (e.g. 7-Zip or unzip) and choose the "
            f"extracted file ({archive}).",
            "zip member flag bit 0 (encrypted)",
        )
    info.member_start, info.member_bytes, info.member_text = entry.header_offset, entry.compress_size, entry.file_size


def _raw_head(info: SourceInfo) -> bytes:
    """The first bytes after decompression (before any transcoding)."""
    raw = open(info.file, "rb")
    try:
        stream = _decompressed(info, raw)
        try:
            return stream.read(HEAD_BYTES)
        finally:
            stream.close()
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        raise BaiMeiError(
            f"{info.name} is a damaged {info.compression} file ({exc}): download or compress it again ({info.path})."
        ) from exc
    except (RuntimeError, NotImplementedError) as exc:  # zipfile: an encrypted member, an unsupported method
        raise BaiMeiError(
            f"{info.name} is a zip archive this reader cannot open ({exc}): extract {info.member} with "
            f"another tool and choose it ({info.path})."
        ) from exc
    finally:
        raw.close()


def _utf16_without_bom(head: bytes) -> Optional[str]:
    """UTF-16 text without a BOM betrays itself by a NUL in every other byte of its ASCII characters."""
    sample = head[:4096] if len(head) % 2 == 0 else head[:4095]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.4 * len(sample) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.4 * len(sample) / 2 and odd == 0:
        return "utf-16-be"
    return None


def _decompressed(info: SourceInfo, raw):
    if info.compression is None:
        return raw
    if info.compression == "zip":
        archive = zipfile.ZipFile(raw)
        return archive.open(info.member)  # the member keeps the archive open; closing both is done by the caller
    return _DECOMPRESS[info.compression](raw)


class _Utf8Recoder(io.RawIOBase):
    """A binary stream of UTF-8 bytes read from a stream of text in another encoding (UTF-16), chunk by chunk."""

    def __init__(self, binary, encoding: str):
        super().__init__()
        self._text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = self._text.read(64 * 1024)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            self._text.close()
        super().close()


class Opened:
    """An open AIS file as a binary stream of UTF-8 bytes (BOM removed), with ``fraction()`` read so far."""

    def __init__(self, info: SourceInfo):
        self.info = info
        self._raw = open(info.file, "rb")
        try:
            stream = _decompressed(info, self._raw)
            stream.read(info.bom)
            if info.encoding != "utf-8":
                stream = io.BufferedReader(_Utf8Recoder(stream, info.encoding), 1 << 20)
        except Exception:
            self._raw.close()
            raise
        self.stream = stream

    def fraction(self) -> float:
        """How much of the file on disk has been consumed (the compressed bytes for a compressed file)."""
        try:
            if self.info.member_bytes:
                done = self._raw.tell() - self.info.member_start
                return min(1.0, max(0.0, done / self.info.member_bytes))
            return min(1.0, self._raw.tell() / max(1, self.info.size))
        except (OSError, ValueError):
            return 0.0

    def close(self) -> None:
        self.stream.close()
        self._raw.close()

    def __enter__(self) -> Opened:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def text_size(info: SourceInfo, sample: int = 4 << 20) -> int:
    """The size of the file's text once decompressed and in UTF-8: exact for a plain file or a small compressed
    one, else extrapolated from the ratio over the first ``sample`` bytes of text (for the memory estimate)."""
    if info.plain:
        return info.size
    if info.member_text and info.encoding == "utf-8":
        return info.member_text
    try:
        with open_utf8(info) as opened:
            out = len(opened.stream.read(sample))
            if out < sample:
                return out
            return int(out / max(opened.fraction(), 1e-9))
    except STREAM_ERRORS:
        return info.size


def open_utf8(info: SourceInfo) -> Opened:
    """The file of ``info`` as UTF-8 bytes (see ``Opened``)."""
    return Opened(info)


# What a damaged compressed stream raises in the middle of a read (turned into a message by ``damaged``); gzip lets
# zlib.error through for some corrupt deflate data.
STREAM_ERRORS = (EOFError, lzma.LZMAError, zipfile.BadZipFile, zlib.error, OSError)


def damaged(
    info: SourceInfo, exc: BaseException, rows: Optional[int] = None, line: Optional[int] = None, detail: str = ""
) -> BaiMeiError:
    """A stream that failed in the middle: truncated or corrupt. ``rows`` read before it stopped, when known, and
    where: at ``line``, or as ``detail`` says."""
    what = f"a damaged {info.compression} file (truncated or corrupt)" if info.compression else "unreadable"
    where = ""
    if rows is not None:
        where = f" after {rows:,} rows" + (f" ({detail})" if detail else f" (at line {line:,})" if line else "")
    return BaiMeiError(
        f"{info.name} is {what}: reading stopped{where} with '{exc}'. Nothing was loaded; download or copy the "
        f"file again ({info.path}).",
        repr(exc),
    )
