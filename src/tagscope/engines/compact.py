"""Compacted rollups: each relation over the whole store in one Parquet file, sorted by tag, written after a commit.

Why: a new process used to merge every per-file rollup into whole-store tables before its first answer
(the account tables took 9.5-28 s at 10M posts for notables and audience). The writer now does that merge
once per commit, and a reader's first call reads only the row groups of its tags (sorted by tag, small
row groups: Parquet's min/max statistics prune the rest).

Exact by naming: a compacted file is named by a key of the per-file rollups it was merged from, which
name the posts files (immutable, uniquely named) and the rollup version. A reader uses it only when
the key of the store's committed files now is the same; otherwise it merges the rollups itself, as
before. Dedup, deletions, forget and rewrites all change the posts files, hence the key.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ..files import replacing, write_bytes
from ..store.store import SPILL_DIR, sql_list, sql_str
from . import relations

if TYPE_CHECKING:
    from ..store import Store

COMPACT_DIR = ("derived", "compact")
COMPACT_VERSION = 1  # bump when WARM or the file layout changes: older compacted files are then ignored
# Rows per Parquet row group: small enough that a rare tag's first read decodes a few thousand rows,
# large enough that the whole file loads at full speed (measured: see bench/RESULTS.md, coldaccounts).
ROW_GROUP = 16_384
MEMORY = "2GB"  # a cap for the merge at 100M posts (it spills to SPILL_DIR beyond it)

# How each whole-store relation is merged from the per-file rollups ({files}: a read_parquet of them),
# sorted by tag so a tag's rows are contiguous. The DuckDB engine's warm tables are the same rows.
WARM = {
    "tag_minutes": "SELECT platform, tag, minute, is_repost, CAST(sum(n) AS BIGINT) AS n FROM {files} "
    "GROUP BY platform, tag, minute, is_repost ORDER BY tag, minute",
    "tag_hours": "SELECT platform, tag, date_trunc('hour', minute) AS hour, is_repost, CAST(sum(n) AS BIGINT) AS n "
    "FROM {files} GROUP BY platform, tag, date_trunc('hour', minute), is_repost ORDER BY tag, hour",
    "tag_first": "SELECT platform, tag, is_repost, id, author_key, author_handle, created_at, kind FROM ("
    "SELECT *, row_number() OVER (PARTITION BY platform, tag, is_repost ORDER BY created_at, id) AS rank "
    "FROM {files}) WHERE rank <= {k} ORDER BY tag, created_at, id",
    "tag_pairs": "SELECT platform, tag, cotag, is_repost, CAST(sum(n) AS BIGINT) AS n FROM {files} "
    "GROUP BY platform, tag, cotag, is_repost ORDER BY tag, n DESC",
    "tag_authors": "SELECT platform, tag, author_key, is_repost, CAST(sum(posts) AS BIGINT) AS posts, "
    "CAST(sum(reach) AS BIGINT) AS reach, CAST(sum(engagement) AS BIGINT) AS engagement FROM {files} "
    "GROUP BY platform, tag, author_key, is_repost ORDER BY tag",
    "authors": relations.MERGE_AUTHORS + " ORDER BY platform, author_key",
    "tag_accounts": relations.COMBINED["tag_accounts"] + " ORDER BY tag, followers DESC NULLS LAST",
}


def compact_dir(store: Store) -> Path:
    return store.path.joinpath(*COMPACT_DIR)


def key(rollups: dict[str, list[str]]) -> str:
    """The key of a set of per-file rollups (their names hold the posts files' names and the rollup version)."""
    h = hashlib.sha256(f"compact v{COMPACT_VERSION}".encode())
    for rel in sorted(rollups):
        for path in rollups[rel]:
            h.update(b"\0" + Path(path).name.encode())
    return h.hexdigest()[:20]


def compact_name(relation: str, k: str) -> str:
    return f"{relation}.{k}.parquet"


def paths(store: Store, rollups: dict[str, list[str]]) -> dict[str, str] | None:
    """The compacted file of every relation of WARM for exactly ROLLUPS, or None when one is missing."""
    folder, k = compact_dir(store), key(rollups)
    found = {rel: folder / compact_name(rel, k) for rel in WARM}
    return {rel: str(p) for rel, p in found.items()} if all(p.exists() for p in found.values()) else None


def source(rel: str, rollups: dict[str, list[str]]) -> str:
    """A read_parquet of the per-file rollups relation REL is merged from."""
    return f"read_parquet({sql_list(rollups[relations.DERIVED_FROM.get(rel, rel)])})"


# A commit that adds less than this share of the store's rollup bytes (a collector's small batch) leaves
# the compacted files as they are: merging the whole store again costs O(store) per commit. Readers then
# merge the rollups themselves until a bigger commit (or ``tagscope reindex``) compacts again.
LAG = 0.125


def update(store: Store, rollups: dict[str, list[str]] | None, *, force: bool = False) -> bool:
    """Write the compacted files for ROLLUPS (the store's complete per-file rollups) unless they exist
    or only a small commit (see LAG) happened since the last compaction; remove those of other file
    sets. True when files were written."""
    folder = compact_dir(store)
    if not rollups:  # no posts, or rollups incomplete: nothing exact to compact; drop stale files
        _remove_except(folder, None)
        return False
    k = key(rollups)
    if paths(store, rollups) is not None:
        _remove_except(folder, k)
        return False
    if not force and _small_step(folder, rollups):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"SET threads = {os.cpu_count() or 1}; SET memory_limit = '{MEMORY}'; "
                    f"SET temp_directory = '{SPILL_DIR}'; SET enable_progress_bar = false")
        for rel in WARM:
            if rel in relations.COMBINED:
                # Computed from the compacted files just written: the merge of the per-file rows is done once.
                for dep in relations.DEPENDS[rel]:
                    con.execute(f"CREATE OR REPLACE VIEW {dep} AS SELECT * FROM read_parquet({sql_str(str(folder / compact_name(dep, k)))})")
                body = WARM[rel]
            else:
                src = source(rel, rollups)
                body = WARM[rel].format(files=src, src=src, k=relations.FIRST_K)
            with replacing(folder / compact_name(rel, k), durable=False) as tmp:
                con.execute(f"COPY ({body}) TO {sql_str(str(tmp))} "
                            f"(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE {ROW_GROUP})")
    finally:
        con.close()
    write_bytes(folder / f"{k}.json", json.dumps(sorted(_names(rollups))).encode())
    _remove_except(folder, k)
    return True


def _names(rollups: dict[str, list[str]]) -> set[str]:
    return {Path(p).name for files in rollups.values() for p in files}


def _small_step(folder: Path, rollups: dict[str, list[str]]) -> bool:
    """True when the last compaction's rollups are all still current and the ones added since are
    under LAG of the store's rollup bytes (then compacting again can wait)."""
    covered = None
    for name in os.listdir(folder) if folder.is_dir() else ():
        if name.endswith(".json"):
            try:
                covered = set(json.loads((folder / name).read_text()))
            except (OSError, ValueError):
                return False
    now = {Path(p).name: p for files in rollups.values() for p in files}
    if not covered or not covered <= set(now):  # never compacted, or a file left (dedup, delete, forget)
        return False
    added = sum(os.path.getsize(p) for n, p in now.items() if n not in covered)
    total = sum(os.path.getsize(p) for p in now.values())
    return added < LAG * total


def _remove_except(folder: Path, k: str | None) -> None:
    """Remove every compacted file but those of key K."""
    if not folder.is_dir():
        return
    keep = {compact_name(rel, k) for rel in WARM} | {f"{k}.json"} if k else set()
    for name in os.listdir(folder):
        if name not in keep:
            (folder / name).unlink(missing_ok=True)
