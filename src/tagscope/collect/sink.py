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
from dataclasses import dataclass, field
from typing import Any

from .. import formats
from ..formats.base import Record
from ..store import coverage
from ..store.chunk import combine, parse_records
from ..store.commit import commit_batch


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

    def commit(self, batch: Batch) -> dict[str, int]:
        """Commit BATCH (its records, cursor and coverage entries) atomically; return the counts."""
        counts = {"new": 0, "duplicates": 0, "deleted": 0, "quarantined": 0}
        # Parsed before taking the lock: writers of the same store wait only for the commit itself.
        chunk = parse_records(self.mod, self.source, batch.records) if batch.records else None
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
