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
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ..files import replacing, write_bytes
from ..store.store import spill_dir, sql_list, sql_str
from . import relations

if TYPE_CHECKING:
    from ..store import Store

COMPACT_DIR = ("derived", "compact")
COMPACT_VERSION = 1  # bump when WARM or the file layout changes: older compacted files are then ignored
# Rows per Parquet row group: small enough that a rare tag's first read decodes a few thousand rows,
# large enough that the whole file loads at full speed (measured: see bench/RESULTS.md, coldaccounts).
ROW_GROUP = 16_384
# A cap for the merge (it spills beyond it): a quarter of the machine, at least 2 GB. At 100M posts the
# authors merge failed under 2 GB (its per-account arg_max states are pinned, measured).
MEMORY = f"{max(2 << 30, (os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')) // 4) >> 20}MB"

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


# The per-file rollups WARM merges.
SOURCES = tuple(sorted({relations.DERIVED_FROM.get(r, r) for r in WARM if r not in relations.COMBINED}))


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


def _own(rollups: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
    """The per-file rollups compaction merges (of WARM's relations), or None when one is not complete:
    a relation added later (read in place) neither changes the key nor blocks compaction."""
    if not rollups or not all(r in rollups for r in SOURCES):
        return None
    return {r: rollups[r] for r in SOURCES}


def paths(store: Store, rollups: dict[str, list[str]] | None) -> dict[str, str] | None:
    """The compacted file of every relation of WARM for exactly ROLLUPS, or None when one is missing."""
    rollups = _own(rollups)
    if rollups is None:
        return None
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
    sets. True when files were written.

    A compaction that fails (out of memory or disk) must not fail the commit it follows: it leaves no
    compacted files, readers merge the rollups as before, and a warning says so."""
    try:
        return _update(store, _own(rollups), force=force)
    except (duckdb.Error, OSError) as exc:
        _remove_except(compact_dir(store), None)
        warnings.warn(CompactionWarning(f"Could not compact the rollups ({exc}); analytics read them file by "
                                        "file, slower on a new process's first call."), stacklevel=2)
        return False


class CompactionWarning(UserWarning):
    """The rollups could not be compacted: answers stay exact, a new process's first call is slower."""


def _update(store: Store, rollups: dict[str, list[str]] | None, *, force: bool) -> bool:
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
                    f"SET temp_directory = '{spill_dir()}'; SET enable_progress_bar = false; "
                    "SET preserve_insertion_order = false")  # ORDER BY still orders: less to hold
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


def reads(store: Store, rollups: dict[str, list[str]]) -> tuple[dict[str, str], bool] | None:
    """A SELECT per relation of WARM giving its rows for exactly ROLLUPS, from compacted files, and
    whether those files lag (then each SELECT adds the per-file rollups committed since); None when
    no compaction can serve (never compacted, or a file it merged has left: dedup, delete, forget)."""
    rollups = _own(rollups)
    if rollups is None:
        return None
    exact = paths(store, rollups)
    if exact is not None:
        return {rel: f"SELECT * FROM read_parquet({sql_str(p)})" for rel, p in exact.items()}, False
    folder = compact_dir(store)
    last = _last(folder)
    if last is None:
        return None
    k, covered = last
    files = {rel: folder / compact_name(rel, k) for rel in WARM}
    if not covered <= _names(rollups) or not all(p.exists() for p in files.values()):
        return None
    c = {rel: f"read_parquet({sql_str(str(p))})" for rel, p in files.items()}
    d = {rel: f"read_parquet({sql_list([p for p in ps if Path(p).name not in covered])})" for rel, ps in rollups.items()}
    return {rel: sql.format(c=c, d=d, k=relations.FIRST_K) for rel, sql in _LAGGING.items()}, True


# Each relation from a lagging compaction ({c}) plus the per-file rollups added since ({d}). Rows of
# tag_minutes, tag_hours, tag_pairs and tag_authors may repeat a key (analytics sum, as over per-file
# rollups); tag_first keeps the first K again; authors and tag_accounts keep one row per key. An account
# without posts since keeps its compacted fields; one with posts since gets them merged anew.
_LAGGING = {
    "tag_minutes": "SELECT platform, tag, minute, is_repost, n FROM {c[tag_minutes]} "
    "UNION ALL SELECT platform, tag, minute, is_repost, n FROM {d[tag_minutes]}",
    "tag_hours": "SELECT platform, tag, hour, is_repost, n FROM {c[tag_hours]} "
    "UNION ALL SELECT platform, tag, date_trunc('hour', minute) AS hour, is_repost, n FROM {d[tag_minutes]}",
    "tag_first": "SELECT platform, tag, is_repost, id, author_key, author_handle, created_at, kind FROM ("
    "SELECT platform, tag, is_repost, id, author_key, author_handle, created_at, kind FROM {c[tag_first]} UNION ALL "
    "SELECT platform, tag, is_repost, id, author_key, author_handle, created_at, kind FROM {d[tag_first]}) "
    "QUALIFY row_number() OVER (PARTITION BY platform, tag, is_repost ORDER BY created_at, id) <= {k}",
    "tag_pairs": "SELECT platform, tag, cotag, is_repost, n FROM {c[tag_pairs]} "
    "UNION ALL SELECT platform, tag, cotag, is_repost, n FROM {d[tag_pairs]}",
    "tag_authors": "SELECT platform, tag, author_key, is_repost, posts, reach, engagement FROM {c[tag_authors]} "
    "UNION ALL SELECT platform, tag, author_key, is_repost, posts, reach, engagement FROM {d[tag_authors]}",
    "authors": relations.MERGE_AUTHORS.replace(
        "{src}", "(SELECT * FROM {c[authors]} UNION ALL BY NAME SELECT * FROM {d[authors]})"),
    "tag_accounts": """
SELECT s.platform, s.tag, s.author_key, s.posts, s.reposts, s.reach, s.repost_reach, s.engagement,
       CASE WHEN m.author_key IS NULL THEN s.author_handle ELSE m.author_handle END AS author_handle,
       CASE WHEN m.author_key IS NULL THEN s.author_name ELSE m.author_name END AS author_name,
       CASE WHEN m.author_key IS NULL THEN s.followers ELSE m.followers END AS followers,
       CASE WHEN m.author_key IS NULL THEN s.verified ELSE m.verified END AS verified,
       CASE WHEN m.author_key IS NULL THEN s.author_bio ELSE m.author_bio END AS author_bio
FROM (SELECT platform, tag, author_key, sum(posts) AS posts, sum(reposts) AS reposts, sum(reach) AS reach,
             sum(repost_reach) AS repost_reach, sum(engagement) AS engagement, max(author_handle) AS author_handle,
             max(author_name) AS author_name, max(followers) AS followers, max(verified) AS verified,
             max(author_bio) AS author_bio
      FROM (SELECT platform, tag, author_key, posts, reposts, reach, repost_reach, engagement, author_handle,
                   author_name, followers, verified, author_bio FROM {c[tag_accounts]}
            UNION ALL
            SELECT platform, tag, author_key, sum(posts), sum(CASE WHEN is_repost THEN posts ELSE 0 END), sum(reach),
                   sum(CASE WHEN is_repost THEN reach ELSE 0 END), sum(engagement), NULL, NULL, NULL, NULL, NULL
            FROM {d[tag_authors]} GROUP BY platform, tag, author_key) AS u
      GROUP BY platform, tag, author_key) AS s
LEFT JOIN ({merge_new}) AS m ON m.platform = s.platform AND m.author_key = s.author_key""".replace(
        "{merge_new}", relations.MERGE_AUTHORS.replace("{src}", (
            "(SELECT a.* FROM {c[authors]} AS a WHERE EXISTS (SELECT 1 FROM {d[authors]} AS n "
            "WHERE n.platform = a.platform AND n.author_key = a.author_key) "
            "UNION ALL BY NAME SELECT * FROM {d[authors]})"))),
}


def _last(folder: Path) -> tuple[str, set[str]] | None:
    """The key of the last compaction in FOLDER and the per-file rollups it merged."""
    for name in os.listdir(folder) if folder.is_dir() else ():
        if name.endswith(".json"):
            try:
                return name[:-5], set(json.loads((folder / name).read_text()))
            except (OSError, ValueError):
                return None
    return None


def _names(rollups: dict[str, list[str]]) -> set[str]:
    return {Path(p).name for files in rollups.values() for p in files}


def _small_step(folder: Path, rollups: dict[str, list[str]]) -> bool:
    """True when the last compaction's rollups are all still current and the ones added since are
    under LAG of the store's rollup bytes (then compacting again can wait)."""
    last = _last(folder)
    covered = last[1] if last else None
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
