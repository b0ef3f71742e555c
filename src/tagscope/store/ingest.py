"""Ingest: read inputs, parse them with their format, and commit batches to the store.

Rules (docs/store.md states them for users):

- a post is identified by (platform, id); a copy of a known post is a duplicate: it is stored once,
  and it may fill fields the store did not know, never erase them (see ``formats.merge_into``);
- a tombstone (delete notice, compliance delete, superseded edit) removes its post from ``posts/`` and
  is remembered, so a copy arriving later stays deleted;
- a record that cannot be read or mapped is quarantined with file, line and reason, and the rest
  of the file goes on;
- each batch is one atomic commit, so a crash loses at most the batch in flight, and re-running the
  same ingest ends with exactly the posts it would have had.

JSON-lines inputs are cut into blocks of whole lines that a pool of worker processes parses while
this process commits; other inputs (JSON documents, CSV, archives) are parsed here, record by record.
Either way chunks are combined and committed in input order, so the result does not depend on it.
"""

from __future__ import annotations

import gc
import io
import mmap
import os
import queue
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from types import ModuleType
from typing import IO, Any

import orjson

from .. import formats
from ..formats.base import Record, json_records, parse_options
from . import commit as committer
from . import reposts, sql_lines
from .chunk import Chunk, combine, handles_of, parse_lines, parse_records
from .manifest import SCRATCH
from .sources import PrefixedStream, Unit, expand, open_sniffed, read_error, regular_fd

# Posts per commit; TAGSCOPE_BATCH_POSTS overrides it (smaller = less memory, more files).
BATCH_POSTS = int(os.environ.get("TAGSCOPE_BATCH_POSTS", "100000"))
BATCH_BYTES = int(os.environ.get("TAGSCOPE_BATCH_BYTES", str(96 << 20)))  # raw bytes per commit
BLOCK_BYTES = int(os.environ.get("TAGSCOPE_BLOCK_BYTES", str(4 << 20)))  # one unit of parallel work
RECORDS_PER_CHUNK = 5000
# Worker processes for JSON lines (0 = parse in this process). Default: one per core.
WORKERS = int(os.environ.get("TAGSCOPE_INGEST_WORKERS", str(os.cpu_count() or 1)))
PARALLEL_AFTER_BLOCKS = 2  # small inputs are parsed in-process: a worker costs ~0.5 s to start
# JSON lines of formats with an SQL mapping go through DuckDB (TAGSCOPE_SQL_LINES=0: the Python parser).
SQL_LINES = os.environ.get("TAGSCOPE_SQL_LINES", "1") != "0"
# Threads mapping blocks side by side, one single-threaded DuckDB connection each (TAGSCOPE_SQL_THREADS).
SQL_THREADS = int(os.environ.get("TAGSCOPE_SQL_THREADS", str(os.cpu_count() or 1)))
# Blocks queued beyond one per thread: while this thread waits for the previous commit before handing
# over a batch, the mapping threads go on with these instead of idling (measured: 5% faster at 1M v1.1
# posts for ~60 MB more peak memory; commits slow down as a store grows, so it pays more on big files).
BLOCKS_AHEAD = 2
# Bytes of lines per DuckDB query: the format's own BLOCK_BYTES unless TAGSCOPE_SQL_BLOCK_BYTES says.
SQL_BLOCK_BYTES = int(os.environ["TAGSCOPE_SQL_BLOCK_BYTES"]) if os.environ.get("TAGSCOPE_SQL_BLOCK_BYTES") else None
# Plain files of JSON lines are mapped, not read (see _mapped_blocks); TAGSCOPE_MAP_FILES=0 reads them.
MAP_FILES = os.environ.get("TAGSCOPE_MAP_FILES", "1") != "0"


@dataclass
class Summary:
    ingested: int = 0
    duplicates: int = 0
    updated: int = 0
    quarantined: int = 0
    deleted: int = 0
    skipped_deleted: int = 0
    removed: int = 0
    handles: int = 0
    reposts_unresolved: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    records: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "updated": self.updated,
            "quarantined": self.quarantined,
            "deleted": self.deleted,
            "skipped_deleted": self.skipped_deleted,
            # Of "deleted": the removals by a moderator or the platform (Reddit [removed]); the rest are
            # the authors' own deletions (and compliance notices).
            "removed": self.removed,
            # Accounts' handles newly recorded from records that are no posts (Bluesky identity events).
            "handles": self.handles,
            # Reposts stored by this run that name a subject the store does not hold (they count for no tag).
            "reposts_unresolved": self.reposts_unresolved,
            # Posts left out on purpose, by reason (Mastodon direct and followers-only statuses; an
            # export's items of a platform not mapped, its ads).
            "skipped": dict(sorted(self.skipped.items())),
            "records": self.records,
            "files": self.files,
            "seconds": round(self.seconds, 3),
        }


class Run:
    """State of one ingest run: the batch being filled, the summary, the worker pool."""

    def __init__(self, store: Any, summary: Summary, progress: Any):
        self.store = store
        self.summary = summary
        self.progress = progress
        self.chunks: list[Chunk] = []
        self.npost = 0
        self.nbytes = 0
        self.pool: ProcessPoolExecutor | None = None
        # Batch N commits on this thread while the caller gathers batch N+1: commits stay one at a
        # time and in order (each dedups against the one before), but reading and mapping go on.
        self.committer = ThreadPoolExecutor(1, thread_name_prefix="tagscope-commit")
        self.committing: Future[None] | None = None
        # Posts files holding only posts this run stored: a delete notice later in the same run that
        # removes one of them un-counts it from "ingested" (the summary counts live new posts).
        self.new_files: set[str] = set()

    def add(self, chunk: Chunk, fsum: dict[str, Any]) -> None:
        self.chunks.append(chunk)
        self.npost += len(chunk.posts)
        self.nbytes += chunk.raws.nbytes
        fsum["records"] += chunk.records
        fsum["posts"] += chunk.nposts
        fsum["quarantined"] += len(chunk.quarantine)
        self.summary.records += chunk.records
        if chunk.skipped:
            fsum["skipped"] = fsum.get("skipped", 0) + sum(chunk.skipped.values())
        for reason, n in chunk.skipped.items():
            self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + n
        if self.npost >= BATCH_POSTS or self.nbytes >= BATCH_BYTES:
            self.flush()
        if self.progress is not None:
            self.progress(self.summary)

    def flush(self) -> None:
        """Start committing the batch gathered so far (after the previous commit has ended)."""
        if not self.chunks:
            return
        posts, raws, tombs, quarantine, dups = combine(self.chunks)
        handles = handles_of(self.chunks)
        in_chunk_dups = sum(c.duplicates for c in self.chunks)
        self.chunks, self.npost, self.nbytes = [], 0, 0
        self.wait()
        self.committing = self.committer.submit(self._commit, posts, raws, tombs, quarantine, dups + in_chunk_dups,
                                                handles)

    def wait(self) -> None:
        """Wait for the commit under way; its error, if any, is raised here."""
        if self.committing is not None:
            done, self.committing = self.committing, None
            done.result()

    def _commit(self, posts: Any, raws: Any, tombs: list[dict[str, Any]], quarantine: list[dict[str, Any]],
                dups: int, handles: list[dict[str, Any]]) -> None:
        if not (len(posts) or tombs or quarantine or handles):
            self.summary.duplicates += dups
            return
        result = committer.commit_batch(
            self.store, posts, raws, tombs, quarantine, uuid.uuid4().hex[:12], defer_removals=True, handles=handles
        )
        if result["new_file"]:
            self.new_files.add(result["new_file"])
        for old, repl in result["rewrites"].items():
            if old in self.new_files:
                self.new_files.discard(old)
                self.new_files.add(repl)
        s = self.summary
        s.ingested += result["new"]
        s.duplicates += dups + result["duplicates"]
        s.updated += result["updated"]
        s.deleted += result["deleted"]
        s.skipped_deleted += result["skipped_deleted"]
        s.removed += result["removed"]
        s.handles += result["handles"]
        s.quarantined += result["quarantined"]
        gc.collect(1)  # this batch's young objects: a full collection walked every module's objects (~0.1 s a batch)

    def workers(self) -> ProcessPoolExecutor | None:
        if WORKERS < 1:
            return None
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=get_context("spawn"), initializer=_die_with_parent
            )
        return self.pool

    def close(self) -> None:
        self.committer.shutdown()  # lets a commit under way end: a commit is never cut in two threads
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _die_with_parent() -> None:
    """A worker must not outlive a killed ingest (Linux: ask the kernel to kill it with its parent)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except OSError:
        pass


def ingest(store: Any, inputs: list[str], *, fmt: str | None = None, progress: Any = None,
           tz: str | None = None) -> dict[str, Any]:
    """Ingest inputs into the store, one atomic commit per batch; return the summary.

    TZ (an IANA zone) is the zone of times a file writes without one (Telegram Desktop's ``date``); a
    format that reads one records it in its raw records. Without it such times are UTC."""
    if fmt is not None:
        formats.get(fmt)  # fail early on an unknown name
    if tz is not None:
        check_zone(tz)
    units = list(expand(inputs, fmt))
    summary = Summary()
    started = time.perf_counter()
    # Millions of short-lived dicts make the cyclic GC the biggest cost of a batch (~35%); the
    # batch holds no cycles, so collect once per commit instead.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    run = Run(store, summary, progress)
    try:
        with store.writer(), store.derived_deferred(), parse_options(tz=tz):
            try:
                for unit in units:
                    with ExitStack() as stack:
                        _ingest_unit(run, unit, fmt, stack)
                run.flush()
            finally:
                run.wait()  # no commit may outlive the writer lock, even on an error
            renamed: dict[str, str] = {}
            summary.ingested -= committer.apply_tombstones(store, uuid.uuid4().hex[:12], run.new_files, renamed)
            mine = {renamed.get(f, f) for f in run.new_files}
            # Reposts stored before their subject arrived take its text and tags now (see reposts.py).
            renamed = reposts.resolve(store, uuid.uuid4().hex[:12], committer._write)
            summary.reposts_unresolved = reposts.unresolved(store, {renamed.get(f, f) for f in mine})
    finally:
        run.close()
        if gc_was_enabled:
            gc.enable()
    summary.seconds = time.perf_counter() - started
    if progress is not None:
        progress(summary)
    return summary.as_dict()


def check_zone(tz: str) -> None:
    """A ValueError naming TZ unless it is an IANA time zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}: give an IANA name such as Europe/Berlin or UTC") from exc


def _ingest_unit(run: Run, unit: Unit, fmt: str | None, stack: ExitStack) -> None:
    fsum: dict[str, Any] = {"file": unit.name, "format": None, "records": 0, "posts": 0, "quarantined": 0}
    run.summary.files.append(fsum)
    if unit.claimed_by is not None and (fmt is None or fmt == unit.claimed_by.NAME):  # type: ignore[attr-defined]
        mod: ModuleType | None = unit.claimed_by  # type: ignore[assignment]
        fsum["format"] = mod.NAME  # type: ignore[union-attr]
        records = mod.path_records(unit.path, unit.root)  # type: ignore[union-attr]
        _serial(run, mod, unit.name, records, fsum)
        return
    head, stream = open_sniffed(unit)
    if unit.name != "-":
        stack.callback(stream.close)
    _read_stream(run, unit, fmt, head, stream, fsum)
    cut = read_error(stream)
    if cut is not None:  # a cut-off or corrupt input: what was read before is kept, the cut is quarantined
        _serial(run, None, unit.name, iter([Record(cut[0], None, b"", cut[1])]), fsum)


def _read_stream(run: Run, unit: Unit, fmt: str | None, head: bytes, stream: IO[bytes], fsum: dict[str, Any]) -> None:
    mod = formats.get(fmt) if fmt else formats.sniff(head)
    if mod is None:
        if head.strip():
            _serial(run, None, unit.name, iter([Record(1, None, head[:65536])]), fsum)
        return
    fsum["format"] = mod.NAME
    reader = getattr(mod, "records", None)
    if reader is None:
        first, start, offset = stream.readline(), 1, 0
        while first and not first.strip():
            offset += len(first)
            first, start = stream.readline(), start + 1
        if _is_json_line(first):
            sql_mod = formats.sql_mapping(mod) if SQL_LINES else None
            if sql_mod is not None:
                fd = regular_fd(stream) if MAP_FILES else None
                size = SQL_BLOCK_BYTES or sql_mod.BLOCK_BYTES
                blocks = (_mapped_blocks(fd, offset, start, size) if fd is not None
                          else _blocks(first, start, stream, size))
                _sql_lines(run, mod, sql_mod, unit.name, blocks, fsum)
            else:
                _parallel_lines(run, mod, unit.name, first, start, stream, fsum)
            return
        stream = io.BufferedReader(PrefixedStream(b"\n" * (start - 1) + first, stream))  # type: ignore[assignment]
        reader = json_records
    _serial(run, mod, unit.name, reader(stream, unit.name), fsum)


def _is_json_line(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _serial(run: Run, mod: ModuleType | None, source: str, records: Iterator[Any], fsum: dict[str, Any]) -> None:
    while True:
        block = list(islice(records, RECORDS_PER_CHUNK))
        if not block:
            return
        run.add(parse_records(mod, source, block), fsum)


def _new_bytearray() -> Any:
    """``bytearray(n)`` without its zero fill: C's PyByteArray_FromStringAndSize(NULL, n).

    A block is read into fresh memory (the previous ones are still referenced by their raw records), and
    ``bytearray(n)`` zeroes it while holding the GIL: 40 ms per 30 MB block, a third of the time every
    other ingest thread waited for the GIL (measured). Unfilled, the pages are first touched by the read,
    which runs without the GIL."""
    try:
        import ctypes

        fn = ctypes.pythonapi.PyByteArray_FromStringAndSize
        fn.restype, fn.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_ssize_t]
        return lambda n: fn(None, n)
    except (ImportError, AttributeError):  # not CPython
        return bytearray


_bytearray = _new_bytearray()


def _blocks(first: bytes, start: int, stream: IO[bytes], size: int | None = None) -> Iterator[tuple[bytearray, int]]:
    """Blocks of whole lines (about SIZE bytes, default BLOCK_BYTES) with the number of their first line."""
    size = size or BLOCK_BYTES
    line = start
    rest = first
    while True:
        buf = _bytearray(len(rest) + size)  # only the bytes read are used: readinto fills them
        buf[: len(rest)] = rest
        got = stream.readinto(memoryview(buf)[len(rest):])  # type: ignore[attr-defined]
        if not got:
            if rest:
                yield rest, line
            return
        end = len(rest) + got
        cut = buf.rfind(b"\n", 0, end)
        if cut < 0:
            rest = bytes(buf[:end])
            continue
        rest = bytes(buf[cut + 1: end])
        del buf[cut + 1:]
        yield buf, line  # a bytearray: parsers take it as they take bytes, without a copy
        line += sql_lines.count_breaks(buf)


def _mapped_blocks(fd: int, offset: int, line: int, size: int) -> Iterator[tuple[memoryview, int]]:
    """The blocks ``_blocks`` would read from the regular file FD (from byte OFFSET, whose line is
    LINE), mapped instead of read: each block is a read-only view of its own mapping of the file.

    Reading copied every byte into fresh memory that the kernel first zeroed: ~0.8 CPU-s per 2.5 GB
    (1M v1.1 posts), 5% of an ingest (measured). A mapping is unmapped when the last raw record
    pointing into it is gone. The file is read up to the size it has when the ingest starts; a file
    cut shorter while it is being ingested ends the process (SIGBUS): ingest it with
    TAGSCOPE_MAP_FILES=0 if another program may truncate it.
    """
    end = os.fstat(fd).st_size
    pos = offset
    while pos < end:
        base = pos - pos % mmap.ALLOCATIONGRANULARITY
        want = size
        while True:
            length = min(end - base, pos - base + want)
            mapping = mmap.mmap(fd, length, offset=base, access=mmap.ACCESS_READ)
            if base + length >= end:  # the rest of the file, a last line without a break included
                stop = length
                break
            cut = mapping.rfind(b"\n", pos - base, length)
            if cut >= 0:
                stop = cut + 1
                break
            mapping.close()
            want *= 2  # a line longer than a block
        block = memoryview(mapping)[pos - base: stop]
        yield block, line
        line += sql_lines.count_breaks(block)
        pos = base + stop


def _sql_lines(
    run: Run, mod: ModuleType, sql_mod: ModuleType, source: str, blocks: Iterator[tuple[Any, int]],
    fsum: dict[str, Any],
) -> None:
    """JSON lines mapped by DuckDB (see store.sql_lines): threads map the next blocks, one connection
    each, while this one reads and commits (DuckDB and Arrow work outside the GIL). Chunks are
    added in input order, whichever thread finishes first."""
    threads = max(SQL_THREADS, 1)
    # Scratch files live in the store (STORE/.scratch): one a killed run leaves behind is removed the
    # next time the store is opened for writing (Store.writer), not left in the system temp folder.
    scratch_root = run.store.path / SCRATCH
    scratch_root.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root) as scratch, ThreadPoolExecutor(threads) as pool:
        idle: queue.SimpleQueue[sql_lines.Mapper] = queue.SimpleQueue()
        mappers = [sql_lines.Mapper(sql_mod, scratch) for _ in range(threads)]
        for m in mappers:
            idle.put(m)

        def map_block(block: bytearray | memoryview, line: int) -> Chunk:
            mapper = idle.get()  # a connection serves one thread at a time
            try:
                return sql_lines.chunk(mapper, mod, source, block, line)
            finally:
                idle.put(mapper)

        pending: deque[Future[Chunk]] = deque()
        try:
            for block, line in blocks:
                pending.append(pool.submit(map_block, block, line))
                while len(pending) > threads + BLOCKS_AHEAD:
                    run.add(pending.popleft().result(), fsum)
            while pending:
                run.add(pending.popleft().result(), fsum)
        finally:
            for f in pending:
                f.cancel()
            pool.shutdown()  # before the mappers close: a thread may still be using its connection
            for m in mappers:
                m.close()


def _parallel_lines(
    run: Run, mod: ModuleType, source: str, first: bytes, start: int, stream: IO[bytes], fsum: dict[str, Any]
) -> None:
    pending: deque[Future[Chunk]] = deque()
    for n, (block, line) in enumerate(_blocks(first, start, stream)):
        pool = run.workers() if n >= PARALLEL_AFTER_BLOCKS else None
        if pool is None:
            while pending:
                run.add(pending.popleft().result(), fsum)
            run.add(parse_lines(mod.NAME, source, block, line), fsum)
            continue
        pending.append(pool.submit(parse_lines, mod.NAME, source, block, line))
        while len(pending) > 2 * WORKERS:
            run.add(pending.popleft().result(), fsum)
    while pending:
        run.add(pending.popleft().result(), fsum)
