"""Opening ingest inputs: files, folders, compressed files, zips and stdin, as byte streams.

A unit is one logical input file: its display name and a function that opens it. Folders and zips
are expanded into units unless a format claims them whole (the X account archive).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import zstandard

from .. import formats
from ..formats.base import READ_ERRORS as FILE_READ_ERRORS
from .sql_lines import count_breaks

HEAD_BYTES = 65536


@dataclass
class Unit:
    """One input: a stream of bytes, or a path a format reads whole (then ``fmt`` is set)."""

    name: str
    open: Callable[[], IO[bytes]] | None = None
    claimed_by: object | None = None
    path: Path | None = None
    root: str | None = None  # the folder of a zip that the claiming format reads (one archive of several)


def _owning(stream: IO[bytes], *owned: IO[bytes] | zipfile.ZipFile) -> IO[bytes]:
    """Make closing the stream close what it was opened from (wrappers leave their file open)."""
    inner_close = stream.close

    def close() -> None:
        inner_close()
        for o in owned:
            o.close()

    stream.close = close  # type: ignore[method-assign]
    return stream


def _decompress(name: str, raw: IO[bytes]) -> IO[bytes]:
    lower = name.lower()
    if lower.endswith(".gz"):
        return _owning(gzip.GzipFile(fileobj=raw), raw)  # type: ignore[arg-type]
    if lower.endswith(".zst") or lower.endswith(".zstd"):
        # Real Reddit/Pushshift dumps use a 2 GiB window (zstd --long=31).
        # Unbuffered: a buffer between would drop what it holds when the cut raises (PrefixedStream reads it).
        return _ZstdReader(raw)  # type: ignore[return-value]
    if lower.endswith(".bz2"):
        return _owning(bz2.BZ2File(raw), raw)  # type: ignore[arg-type]
    if lower.endswith(".xz"):
        return _owning(lzma.LZMAFile(raw), raw)  # type: ignore[arg-type]
    return raw


class _ZstdFrames:
    """Follows the frame structure of a zstd stream (RFC 8878: headers and block sizes, not content) to
    tell whether it ended between frames. zstandard's reader returns end of file mid-frame without an
    error, so a cut-off .zst looked complete; a cut .gz raises EOFError."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._buf = b""  # header bytes gathered so far
        self._skip = 0  # bytes of content (block, checksum, skippable frame) still to pass over
        self._need = 4  # header bytes wanted next
        self._state = "magic"  # magic, frame, blocks, block, skippable; "lost" once unknown bytes are seen
        self._checksum = False

    def read(self, size: int = -1) -> bytes:
        """The compressed bytes, for zstandard's reader, followed on the way."""
        data = self._raw.read(size)
        self._feed(data)
        return data

    def _feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view and self._state != "lost":
            if self._skip:
                n = min(self._skip, len(view))
                self._skip -= n
                view = view[n:]
                continue
            take = min(self._need - len(self._buf), len(view))
            self._buf += bytes(view[:take])
            view = view[take:]
            if len(self._buf) == self._need:
                self._step()

    def _step(self) -> None:
        buf, self._buf = self._buf, b""
        if self._state == "magic":
            magic = int.from_bytes(buf, "little")
            if magic == 0xFD2FB528:
                self._state, self._need = "frame", 1
            elif magic & 0xFFFFFFF0 == 0x184D2A50:
                self._state, self._need = "skippable", 4
            else:  # not a frame the tracker knows: the decompressor says what it is
                self._state = "lost"
        elif self._state == "skippable":
            self._skip = int.from_bytes(buf, "little")
            self._state, self._need = "magic", 4
        elif self._state == "frame" and len(buf) == 1:
            fhd = buf[0]
            single = fhd >> 5 & 1
            fcs = (1 if single else 0, 2, 4, 8)[fhd >> 6]
            self._checksum = bool(fhd >> 2 & 1)
            self._need = 1 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + fcs  # with the descriptor read
            self._buf = buf
        elif self._state == "frame":
            self._state, self._need = "blocks", 3
        else:  # a block header
            header = int.from_bytes(buf, "little")
            size, kind = header >> 3, header >> 1 & 3
            self._skip = 1 if kind == 1 else size
            if header & 1:  # the last block: then the checksum, then the next frame
                self._skip += 4 if self._checksum else 0
                self._state, self._need = "magic", 4

    @property
    def complete(self) -> bool:
        """Whether the bytes fed so far end between frames (or in bytes the tracker does not know)."""
        return self._state == "lost" or (self._state == "magic" and not self._buf and not self._skip)


class _ZstdReader(io.RawIOBase):
    """A .zst stream (across frames, with the 2 GiB window of Reddit/Pushshift dumps, ``zstd --long=31``)
    that raises EOFError, as a cut .gz does, when its input ends mid-frame."""

    def __init__(self, raw: IO[bytes]):
        self._raw = raw
        self._frames = _ZstdFrames(raw)
        self._reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(self._frames,
                                                                                       read_across_frames=True)

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
        n = self._reader.readinto(buf)
        if not n and not self._frames.complete:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        return n

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


# Magic numbers of the compressed formats: stdin has no name to tell them by (`curl ... | tagscope ingest -`).
_MAGIC = ((b"\x1f\x8b", ".gz"), (b"\x28\xb5\x2f\xfd", ".zst"), (b"BZh", ".bz2"), (b"\xfd7zXZ\x00", ".xz"))


def _stdin() -> IO[bytes]:
    """Standard input, decompressed when it starts with a compressed format's magic number."""
    raw = sys.stdin.buffer
    if not hasattr(raw, "peek"):
        raw = io.BufferedReader(raw)  # type: ignore[arg-type]
    head = raw.peek(6)[:6]  # type: ignore[attr-defined]
    for magic, suffix in _MAGIC:
        if head.startswith(magic):
            return _decompress(suffix, raw)
    return raw


def _claimer(path: Path, fmt: str | None = None) -> object | None:
    """The format that reads PATH whole (an X archive), unless --format forces another one."""
    for mod in formats.FORMATS.values():
        if fmt is not None and fmt != mod.NAME:
            continue
        claims = getattr(mod, "claims_path", None)
        if claims is not None and claims(path):
            return mod
    return None


def expand(inputs: list[str], fmt: str | None = None) -> Iterator[Unit]:
    """Units of the given paths, in a stable order; a missing path raises FileNotFoundError.

    With FMT (--format) a folder or zip is claimed whole only by that format: otherwise its files
    are units, each read as FMT (a forced format on a folder holding an X archive hit an assert)."""
    for item in inputs:
        if item == "-":
            yield Unit("-", _stdin)
            continue
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {item}")
        yield from _expand_path(path, fmt, set())


def _name(path: Path) -> str:
    """A path as a name the store can keep (``source_file``): a file name that is not UTF-8 (an old
    archive's Latin-1 names) holds surrogate escapes, which Arrow refuses, stopping the whole run."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _is_store(path: Path) -> bool:
    """A tagscope store's folder (its manifest says so): never input, though it may sit in one
    (``tagscope ingest .`` with the default store ``./tagscope-data``)."""
    try:
        with open(path / "manifest.json", "rb") as fh:
            return b'"tagscope-store"' in fh.read(4096)
    except OSError:
        return False


def _expand_path(path: Path, fmt: str | None = None, seen: set[tuple[int, int]] | None = None) -> Iterator[Unit]:
    """SEEN: the folders walked so far, by device and inode: a symbolic link back up the tree made
    the walk read every file again at each level, down to the kernel's 40 links."""
    claimer = _claimer(path, fmt)
    if claimer is not None:
        yield Unit(_name(path), claimed_by=claimer, path=path)
    elif path.is_dir():
        st = path.stat()
        seen = set() if seen is None else seen
        if (st.st_dev, st.st_ino) in seen or _is_store(path):
            return
        seen.add((st.st_dev, st.st_ino))
        # Walk by hand so that a folder a format reads whole (an unzipped X archive) is found at any depth.
        for child in sorted(path.iterdir()):
            if child.name.startswith(".") or (child.is_file() and _is_documentation(child)):
                continue
            if child.is_dir() or child.is_file():
                yield from _expand_path(child, fmt, seen)
    elif zipfile.is_zipfile(path) and path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if not n.endswith("/"))
        # Archives inside (a zip of a collection): each read whole, as in a folder; the rest member by member.
        for mod in formats.FORMATS.values():
            zip_roots = getattr(mod, "zip_roots", None)
            if zip_roots is None or (fmt is not None and fmt != mod.NAME):
                continue
            for root in zip_roots(names):
                yield Unit(f"{_name(path)}!{root}", claimed_by=mod, path=path, root=root)
                names = [n for n in names if not n.startswith(root)]
        for member in names:
            yield Unit(f"{_name(path)}!{member}", _zip_opener(path, member))
    else:
        yield Unit(_name(path), _file_opener(path))


DOC_NAMES = ("readme", "license", "licence", "provenance", "changelog", "notice")


def _is_documentation(path: Path) -> bool:
    """Files that sit beside data in a folder and are never posts (skipped, not quarantined)."""
    name = path.name.lower()
    return name.endswith((".md", ".rst", ".pdf", ".html")) or name.split(".", 1)[0] in DOC_NAMES


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: _decompress(path.name, open(path, "rb"))


def _zip_opener(path: Path, member: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        zf = zipfile.ZipFile(path)
        return _decompress(member, _owning(zf.open(member), zf))  # type: ignore[arg-type]

    return opener


# What a cut-off or corrupt input raises while it is read: a file or zip member's (formats.base), and
# the other decompressors' (a cut .xz, a damaged .zst).
READ_ERRORS = (*FILE_READ_ERRORS, lzma.LZMAError, zstandard.ZstdError)


class PrefixedStream(io.RawIOBase):
    """A stream that replays the head already read (for sniffing) before the rest.

    A read error ends the stream instead of the run: what was read before it is ingested, and
    ``error`` and ``breaks`` (line breaks read until then) let ingest quarantine the cut."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head = memoryview(head)
        self._rest = rest
        self.skipped = 0  # bytes of REST's start not replayed (a byte-order mark)
        self.error: str | None = None
        self.breaks = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._rest.close()
        super().close()

    def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        if self.error is not None:
            return 0
        try:
            n = self._read_rest(buf)
        except READ_ERRORS as exc:
            self.error = f"input cut off or corrupt, read stopped here: {type(exc).__name__}: {exc}"
            return 0
        self.breaks += count_breaks(memoryview(buf)[:n])
        return n

    def _read_rest(self, buf: bytearray) -> int:
        # readinto1: a decompressor's buffered read() drops what it had decompressed when it fails.
        readinto = getattr(self._rest, "readinto1", None) or getattr(self._rest, "readinto", None)
        if readinto is not None:  # straight into the caller's buffer: no copy
            return readinto(buf) or 0
        data = self._rest.read(len(buf))
        if not data:
            return 0
        buf[: len(data)] = data
        return len(data)


def read_error(stream: IO[bytes]) -> tuple[int, str] | None:
    """(line, reason) where a stream from ``open_sniffed`` stopped on a read error, or None."""
    prefixed = getattr(stream, "raw", None)
    if not isinstance(prefixed, PrefixedStream) or prefixed.error is None:
        return None
    return prefixed.breaks + 1, prefixed.error


def regular_fd(stream: IO[bytes]) -> int | None:
    """The descriptor of the plain (uncompressed) regular file under a stream from ``open_sniffed``,
    or None (archives, compressed files, pipes): ingest maps such a file instead of reading it."""
    prefixed = getattr(stream, "raw", None)
    rest = getattr(prefixed, "_rest", None)
    if type(rest) is not io.BufferedReader or not isinstance(rest.raw, io.FileIO):
        return None
    if getattr(prefixed, "skipped", 0):  # a mapping would start at the byte-order mark: read the file
        return None
    try:
        fd = rest.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (OSError, ValueError):
        return None


BOM = b"\xef\xbb\xbf"


def open_sniffed(unit: Unit) -> tuple[bytes, IO[bytes]]:
    """The first bytes of a unit (for sniffing) and a stream over all of it.

    A leading UTF-8 byte-order mark (Windows tools write one) is dropped: it is no part of the first
    record, and orjson refuses it (RFC 8259 lets a reader ignore it)."""
    assert unit.open is not None
    prefixed = PrefixedStream(b"", unit.open())
    head = bytearray()
    while len(head) < HEAD_BYTES:  # through the stream: a read error there is kept, not raised
        part = prefixed.read(HEAD_BYTES - len(head))
        if not part:
            break
        head += part
    body = bytes(head).removeprefix(BOM)
    prefixed._head = memoryview(body)
    prefixed.skipped = len(head) - len(body)
    return body, io.BufferedReader(prefixed, buffer_size=1 << 20)
