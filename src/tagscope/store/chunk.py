"""Parsing a chunk of records into Arrow tables: the unit of work of ingest, in or out of process.

A chunk is parsed by a pure function of picklable arguments so that JSON-lines files can be parsed by
a pool of worker processes (both cores) while the main process commits: workers send back Arrow
tables, which cross process boundaries far cheaper than dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import formats
from ..formats import merge_into
from ..formats.base import ParseError, Record, Rejected, Skipped, line_records
from ..post import KEY, POST_SCHEMA, Handle, Tombstone
from .tables import RAW_SCHEMA, to_table

MAX_QUARANTINE_RAW = 65536


@dataclass
class Chunk:
    """Posts (unique within the chunk), their raw records, tombstones and quarantined records."""

    posts: pa.Table
    raws: pa.Table
    tombstones: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    records: int = 0
    nposts: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # posts left out on purpose, by reason
    handles: list[dict[str, Any]] = field(default_factory=list)  # accounts' handles (HANDLES_SCHEMA rows)


def quarantine_row(source: str, rec: Record, fmt_name: str | None, reason: str) -> dict[str, Any]:
    raw = rec.raw[:MAX_QUARANTINE_RAW].decode("utf-8", "replace") if rec.raw else None
    return {"source_file": source, "source_line": rec.line, "source_format": fmt_name, "reason": reason, "raw": raw}


def parse_records(mod: ModuleType | None, source: str, records: Iterable[Record]) -> Chunk:
    """Parse records of one input with its format module (None: unrecognised, all quarantined)."""
    posts: dict[tuple[str, str], dict[str, Any]] = {}
    raws: list[dict[str, Any]] = []
    tombs: list[dict[str, Any]] = []
    quarantine: list[dict[str, Any]] = []
    n_records = n_posts = dups = 0
    skipped: dict[str, int] = {}
    handles: list[dict[str, Any]] = []
    for rec in records:
        n_records += 1
        if mod is None:
            quarantine.append(quarantine_row(source, rec, None, rec.error or "unrecognised format (use --format)"))
            continue
        if rec.error is not None:
            quarantine.append(quarantine_row(source, rec, mod.NAME, rec.error))
            continue
        try:
            items = mod.parse(rec.obj)
        except ParseError as exc:
            quarantine.append(quarantine_row(source, rec, mod.NAME, str(exc)))
            continue
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            quarantine.append(quarantine_row(source, rec, mod.NAME, f"cannot map record: {type(exc).__name__}: {exc}"))
            continue
        for item in items:
            if isinstance(item, Rejected):  # one bad post of a record that holds several
                quarantine.append(quarantine_row(source, Record(rec.line, None, item.raw), mod.NAME, item.reason))
                continue
            if isinstance(item, Handle):
                handles.append({"platform": item.platform, "account_id": item.id, "handle": item.handle,
                                "at": item.at, "source_file": source, "source_line": rec.line})
                continue
            if isinstance(item, Skipped):
                skipped[item.reason] = skipped.get(item.reason, 0) + 1
                continue
            if isinstance(item, Tombstone):
                tombs.append({"platform": item.platform, "id": item.id, "reason": item.reason, "at": item.at,
                              "source_file": source, "source_line": rec.line})
                continue
            n_posts += 1
            raw = item.pop("_raw", None) or rec.raw
            item["source_file"] = source
            item["source_line"] = rec.line
            if item.get("source_format") is None:
                item["source_format"] = mod.NAME
            key = (item["platform"], item["id"])
            known = posts.get(key)
            raws.append(raw_row(item, raw))  # every copy in a batch keeps its record (remap merges them again)
            if known is not None:
                dups += 1
                merge_into(known, item)
                continue
            posts[key] = item
    return Chunk(to_table(list(posts.values()), POST_SCHEMA), to_table(raws, RAW_SCHEMA), tombs, quarantine,
                 n_records, n_posts, dups, skipped, handles)


def parse_lines(fmt_name: str, source: str, data: bytes, first_line: int) -> Chunk:
    """Parse a block of whole JSON lines (worker entry point: arguments are picklable)."""
    return parse_records(formats.get(fmt_name), source, line_records(data.split(b"\n"), first_line))


def raw_row(post: dict[str, Any], raw: bytes) -> dict[str, Any]:
    return {k: post[k] for k in (*KEY, "source_format", "source_file", "source_line")} | {"raw": raw}


def combine(chunks: list[Chunk]) -> tuple[pa.Table, pa.Table, list[dict[str, Any]], list[dict[str, Any]], int]:
    """One batch from chunks: posts unique across chunks (later copies merged in order). The chunks'
    handles are taken with ``handles_of``."""
    posts = pa.concat_tables([c.posts for c in chunks]) if chunks else POST_SCHEMA.empty_table()
    raws = pa.concat_tables([c.raws for c in chunks]) if chunks else RAW_SCHEMA.empty_table()
    tombs = [t for c in chunks for t in c.tombstones]
    quarantine = [q for c in chunks for q in c.quarantine]
    dups = 0
    if len(chunks) > 1:
        posts, dups = dedup(posts)
    return posts, raws, tombs, quarantine, dups


def handles_of(chunks: list[Chunk]) -> list[dict[str, Any]]:
    return [h for c in chunks for h in c.handles]


def dedup(posts: pa.Table) -> tuple[pa.Table, int]:
    """Posts unique by key, later copies merged into earlier ones in table order; and how many merged."""
    if len(posts) < 2:
        return posts, 0
    keys = pc.binary_join_element_wise(posts.column("platform"), posts.column("id"), "\x00")
    counts = pc.value_counts(keys)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if not len(repeated):
        return posts, 0
    mask = pc.is_in(keys, value_set=repeated)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    dups = 0
    for row in posts.filter(mask).to_pylist():
        key = (row["platform"], row["id"])
        if key in merged:
            merge_into(merged[key], row)
            dups += 1
        else:
            merged[key] = row
    return pa.concat_tables([posts.filter(pc.invert(mask)), to_table(list(merged.values()), POST_SCHEMA)]), dups
