"""Ingest: read inputs, parse them with their format, and commit batches to the store.

Rules (docs/store.md states them for users):

- a post is identified by (platform, id); a copy of a known post is a duplicate: it is stored once,
  and it may fill fields the store did not know, never erase them (see ``post.merge_into``);
- a tombstone (delete notice, compliance delete, superseded edit) removes its post from ``posts/`` and
  is remembered, so a copy arriving later stays deleted;
- a record that cannot be read or mapped is quarantined with file, line and reason, and the rest
  of the file goes on;
- each batch is one atomic commit, so a crash loses at most the batch in flight, and re-running the
  same ingest ends with exactly the posts it would have had.
"""

from __future__ import annotations

import gc
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .. import formats
from ..formats.base import ParseError, Record, json_records
from ..post import KEY, Tombstone, merge_into
from . import commit as committer
from .sources import Unit, expand, open_sniffed

# Posts per commit; TAGSCOPE_BATCH_POSTS overrides it (smaller = less memory, more files).
BATCH_POSTS = int(os.environ.get("TAGSCOPE_BATCH_POSTS", "100000"))
BATCH_BYTES = 96 << 20
MAX_QUARANTINE_RAW = 65536


@dataclass
class Batch:
    """Posts (deduplicated within the batch), raw records, tombstones and quarantined records."""

    posts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    raws: list[dict[str, Any]] = field(default_factory=list)
    tombstones: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    nbytes: int = 0
    duplicates: int = 0

    def full(self) -> bool:
        return len(self.posts) >= BATCH_POSTS or self.nbytes >= BATCH_BYTES

    def empty(self) -> bool:
        return not (self.posts or self.tombstones or self.quarantine)


@dataclass
class Summary:
    ingested: int = 0
    duplicates: int = 0
    updated: int = 0
    quarantined: int = 0
    deleted: int = 0
    skipped_deleted: int = 0
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
            "records": self.records,
            "files": self.files,
            "seconds": round(self.seconds, 3),
        }


def _unit_records(unit: Unit, fmt: str | None, stack: ExitStack) -> tuple[ModuleType | None, Iterator[Record]]:
    if unit.claimed_by is not None and fmt is None:
        mod = unit.claimed_by
        return mod, mod.path_records(unit.path)  # type: ignore[attr-defined]
    head, stream = open_sniffed(unit)
    if unit.name != "-":
        stack.callback(stream.close)
    mod = formats.get(fmt) if fmt else formats.sniff(head)
    if mod is None:
        if not head.strip():
            return None, iter(())
        return None, iter([Record(1, None, head[:MAX_QUARANTINE_RAW], "unrecognised format (use --format)")])
    reader = getattr(mod, "records", json_records)
    return mod, reader(stream, unit.name)


def _quarantine(batch: Batch, unit: Unit, rec: Record, fmt_name: str | None, reason: str) -> None:
    raw = rec.raw[:MAX_QUARANTINE_RAW].decode("utf-8", "replace") if rec.raw else None
    batch.quarantine.append(
        {"source_file": unit.name, "source_line": rec.line, "source_format": fmt_name, "reason": reason, "raw": raw}
    )


def add_record(batch: Batch, unit: Unit, mod: ModuleType, rec: Record) -> int:
    """Parse one record into the batch; return the number of posts it held."""
    if rec.error is not None:
        _quarantine(batch, unit, rec, mod.NAME, rec.error)
        return 0
    try:
        items = mod.parse(rec.obj)
    except ParseError as exc:
        _quarantine(batch, unit, rec, mod.NAME, str(exc))
        return 0
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        _quarantine(batch, unit, rec, mod.NAME, f"cannot map record: {type(exc).__name__}: {exc}")
        return 0
    n = 0
    for item in items:
        if isinstance(item, Tombstone):
            batch.tombstones.append(
                {"platform": item.platform, "id": item.id, "reason": item.reason, "at": item.at,
                 "source_file": unit.name, "source_line": rec.line}
            )
            continue
        n += 1
        raw = item.pop("_raw", None) or rec.raw
        item["source_file"] = unit.name
        item["source_line"] = rec.line
        item.setdefault("source_format", mod.NAME)
        key = (item["platform"], item["id"])
        known = batch.posts.get(key)
        if known is not None:
            batch.duplicates += 1
            if merge_into(known, item):
                batch.raws.append(_raw_row(item, raw))
                batch.nbytes += len(raw)
            continue
        batch.posts[key] = item
        batch.raws.append(_raw_row(item, raw))
        batch.nbytes += len(raw)
    return n


def _raw_row(post: dict[str, Any], raw: bytes) -> dict[str, Any]:
    return {k: post[k] for k in (*KEY, "source_format", "source_file", "source_line")} | {"raw": raw}


def ingest(store: Any, inputs: list[str], *, fmt: str | None = None, progress: Any = None) -> dict[str, Any]:
    """Ingest inputs into the store, one atomic commit per batch; return the summary."""
    if fmt is not None:
        formats.get(fmt)  # fail early on an unknown name
    units = list(expand(inputs))
    summary = Summary()
    started = time.perf_counter()
    # Millions of short-lived dicts make the cyclic GC the biggest cost of a batch (~35%); the
    # batch holds no cycles, so collect once per commit instead.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _ingest_units(store, units, fmt, summary, progress)
    finally:
        if gc_was_enabled:
            gc.enable()
    summary.seconds = time.perf_counter() - started
    if progress is not None:
        progress(summary)
    return summary.as_dict()


def _ingest_units(store: Any, units: list[Unit], fmt: str | None, summary: Summary, progress: Any) -> None:
    with store.writer():
        batch = Batch()
        for unit in units:
            with ExitStack() as stack:
                batch = _ingest_unit(store, unit, fmt, stack, batch, summary, progress)
        _flush(store, batch, summary)


def _ingest_unit(
    store: Any, unit: Unit, fmt: str | None, stack: ExitStack, batch: Batch, summary: Summary, progress: Any
) -> Batch:
    mod, records = _unit_records(unit, fmt, stack)
    fsum = {"file": unit.name, "format": mod.NAME if mod else None, "records": 0, "posts": 0, "quarantined": 0}
    q_before = len(batch.quarantine) + summary.quarantined
    for rec in records:
        fsum["records"] += 1
        summary.records += 1
        if mod is None:
            _quarantine(batch, unit, rec, None, rec.error or "unrecognised format")
        else:
            fsum["posts"] += add_record(batch, unit, mod, rec)
        if batch.full():
            _flush(store, batch, summary)
            batch = Batch()
        if progress is not None and summary.records % 10000 == 0:
            progress(summary)
    fsum["quarantined"] = len(batch.quarantine) + summary.quarantined - q_before
    summary.files.append(fsum)
    return batch


def _flush(store: Any, batch: Batch, summary: Summary) -> None:
    if batch.empty():
        return
    result = committer.commit_batch(store, batch, uuid.uuid4().hex[:12])
    summary.ingested += result["new"]
    summary.duplicates += batch.duplicates + result["duplicates"]
    summary.updated += result["updated"]
    summary.deleted += result["deleted"]
    summary.skipped_deleted += result["skipped_deleted"]
    summary.quarantined += result["quarantined"]
    batch.posts.clear()
    batch.raws.clear()
    gc.collect()
