"""A collector's way into the store: raw records committed in small batches, with the cursor.

Each batch is parsed by the platform's format (the same ``parse_records`` as a file ingest, so raw
records, quarantine and dedup follow the store's rules) and committed under the store's write lock,
which is held only for the commit: ``ingest``, ``forget`` and another collector can write between
two batches. The cursor of the last event the batch covers is staged into the same manifest commit,
so the saved cursor never runs ahead of the saved posts (kill -9 at any point resumes without loss).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import formats
from ..formats.base import Record
from ..store import coverage
from ..store.chunk import Chunk, combine, parse_lines, parse_records
from ..store.commit import commit_batch

# Batches of at least this many records are parsed in a worker process: parsing is most of a batch's
# CPU (the format's Python mapping, ~30 us an event), and in a worker it runs on the other core while
# this process receives the next batch (catch-up at twice the rate, measured in bench/bench_collect.py).
PARALLEL_RECORDS = 2000


@dataclass
class Batch:
    """Records waiting for the next commit, and the cursor they bring the collector to."""

    records: list[Record] = field(default_factory=list)
    # The frames in the batch: a frame sent twice (a replay's overlap) is kept once, where a file
    # ingest keeps every copy's record (the store keeps each copy of a batch for remap).
    frames: set[bytes] = field(default_factory=set)
    cursor: Any = None
    # Coverage changes to write with this batch (under the same lock): callables taking the store.
    coverage: list[Callable[[Any], None]] = field(default_factory=list)


class Sink:
    """Commits records of format FMT from SOURCE (a URL: raw records and quarantine name it) to STORE,
    saving the collector's cursor under KEY with every commit."""

    def __init__(self, store: Any, fmt: str, source: str, key: str, run_id: str):
        self.store = store
        self.mod = formats.get(fmt)
        self.source = source
        self.key = key
        self.run_id = run_id
        self.pool: ProcessPoolExecutor | None = None

    def parse(self, records: list[Record]) -> Chunk:
        """The batch's posts, raw records, tombstones and quarantine, as a file ingest would make them;
        each keeps its record's ``line`` (Jetstream: the event's time_us) as ``source_line``."""
        if len(records) < PARALLEL_RECORDS or any(b"\n" in r.raw for r in records):
            return parse_records(self.mod, self.source, records)
        if self.pool is None:
            self.pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_die_with_parent)
        block = b"\n".join(r.raw for r in records)
        chunk = self.pool.submit(parse_lines, self.mod.NAME, self.source, block, 1).result()
        return _renumber(chunk, [r.line for r in records])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def commit(self, batch: Batch) -> dict[str, int]:
        """Commit BATCH (its records, cursor and coverage entries) atomically; return the counts."""
        counts = {"new": 0, "duplicates": 0, "deleted": 0, "quarantined": 0}
        # Parsed before taking the lock: writers of the same store wait only for the commit itself.
        chunk = self.parse(batch.records) if batch.records else None
        with self.store.writer(recover=False) as st:
            if batch.cursor is not None:
                st.stage_cursor(self.key, {"cursor": batch.cursor, "at": coverage.now(), "run": self.run_id})
            generation = st.generation
            if chunk is not None:
                posts, raws, tombs, quarantine, dups = combine([chunk])
                result = commit_batch(st, posts, raws, tombs, quarantine, uuid.uuid4().hex[:12])
                counts = {"new": result["new"], "duplicates": result["duplicates"] + dups + chunk.duplicates,
                          "deleted": result["deleted"], "quarantined": result["quarantined"]}
            if st.generation == generation and batch.cursor is not None:
                st.commit({})  # nothing new (duplicates, likes): the cursor alone
            for change in batch.coverage:
                change(st)
        return counts


def cursor_of(store: Any, key: str) -> Any:
    """The cursor saved under KEY (re-reading the manifest: another process may have committed)."""
    store.refresh()
    saved = store.cursor(key)
    return saved.get("cursor") if isinstance(saved, dict) else saved


def _renumber(chunk: Chunk, lines: list[int]) -> Chunk:
    """CHUNK parsed from a block of lines numbered 1..n, with each row's ``source_line`` the LINES entry
    of its record instead."""
    table = pa.array(lines, pa.int64())

    def mapped(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("source_line")
        at = pc.subtract(t.column(i), 1)
        return t.set_column(i, t.schema.field(i), pc.take(table, at)) if len(t) else t

    for rows in (chunk.tombstones, chunk.quarantine):
        for r in rows:
            r["source_line"] = lines[r["source_line"] - 1]
    chunk.posts, chunk.raws = mapped(chunk.posts), mapped(chunk.raws)
    return chunk


def _die_with_parent() -> None:
    """The parsing worker must not outlive a killed collector (Linux: the kernel kills it with us)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except OSError:
        pass
