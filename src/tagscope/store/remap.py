"""`tagscope remap`: rebuild the posts from the raw records kept in the store.

When a format module learns a better mapping, the posts can be rebuilt without the source files:
the raw records are parsed again, in the order they were stored, through the same batch commit
(dedup, merge, tombstones) into a scratch store beside the real one, whose posts files then replace
the old ones in one manifest commit. Memory stays bounded by a batch.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import orjson
import pyarrow.parquet as pq

from .. import formats
from ..formats import merge_into
from ..formats.base import ParseError, parse_options
from ..post import POST_SCHEMA
from . import commit as committer
from . import reposts
from .chunk import raw_row
from .ingest import BATCH_POSTS
from .store import Store
from .tables import RAW_SCHEMA, TOMBSTONE_SCHEMA, to_table


def remap(store: Store) -> dict[str, Any]:
    """Re-parse every raw record; return counts of posts and records that no longer map."""
    # What the store holds was stored on purpose: a status an ingest kept with --include-private maps again.
    with parse_options(include_private=True):
        return _remap(store)


def _remap(store: Store) -> dict[str, Any]:
    failed = 0
    with store.writer():
        scratch = Store(store.path / ".remap", derived=False)
        shutil.rmtree(scratch.path, ignore_errors=True)
        with scratch.writer():
            tombs = store.sql("SELECT * FROM tombstones").to_pylist()
            if tombs:
                _commit(scratch, {}, tombs)
            batch: dict[tuple[str, str], dict[str, Any]] = {}
            for raw_file in store.files("raw"):
                for chunk in pq.ParquetFile(raw_file).iter_batches(batch_size=20_000):
                    for row in chunk.to_pylist():
                        failed += not _add(batch, row)
                        if len(batch) >= BATCH_POSTS:
                            _commit(scratch, batch, [])
                            batch = {}
            _commit(scratch, batch, [])
            # Reposts re-parsed before their subject take its text and tags, as at the end of an ingest.
            reposts.resolve(scratch, "remap", committer._write)
        added = []
        for name in scratch.manifest["posts"]:
            os.replace(scratch.path / "posts" / name, store.path / "posts" / ("." + name))
            added.append(name)
        # Tombstones met while re-parsing (edits) are already known to the store: only posts change.
        store.commit({"posts": (added, list(store.manifest["posts"]))})
        scratch.close()
        shutil.rmtree(scratch.path, ignore_errors=True)
    return {"posts": store.stats()["posts"], "failed": failed, "generation": store.generation}


def _commit(scratch: Store, batch: dict[tuple[str, str], dict[str, Any]], tombs: list[dict[str, Any]]) -> None:
    rows = list(batch.values())
    raws = to_table([raw_row(r, r.pop("_rawbytes")) for r in rows], RAW_SCHEMA)
    committer.commit_batch(scratch, to_table(rows, POST_SCHEMA), raws, [
        {k: t[k] for k in TOMBSTONE_SCHEMA.names} for t in tombs], [], "remap")


def _add(batch: dict[tuple[str, str], dict[str, Any]], row: dict[str, Any]) -> bool:
    try:
        mod = formats.get(row["source_format"])
        items = mod.parse(orjson.loads(row["raw"]))
    except (ParseError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return False
    for item in items:
        if not isinstance(item, dict) or (item["platform"], item["id"]) != (row["platform"], row["id"]):
            continue
        item.pop("_raw", None)
        item["source_file"] = row["source_file"]
        item["source_line"] = row["source_line"]
        key = (item["platform"], item["id"])
        if key in batch:
            merge_into(batch[key], item)
        else:
            item["_rawbytes"] = row["raw"]
            batch[key] = item
        return True
    return False
