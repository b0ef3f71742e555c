"""`tagscope forget`: remove an author's (or a post's) data from the store, for good.

People who shared their stories may ask to be taken out. Forgetting removes the posts from
``posts/`` (and so from every figure, the search index and rollups), rewrites the raw files without
their records, and leaves only tombstones (platform, id, reason ``forgotten``) so that a copy arriving
in a later ingest stays out. Quarantined records are not searched for the author: they are listed by
``tagscope quarantine`` and can be dropped with ``--quarantine``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyarrow as pa

from ..post import POST_SCHEMA
from . import commit as committer
from . import derived
from .store import Store, sql_list
from .tables import RAW_SCHEMA


def forget(store: Store, *, authors: list[str] = (), posts: list[str] = (), platform: str | None = None,
           drop_quarantine: bool = False) -> dict[str, Any]:  # type: ignore[assignment]
    """Forget every post by these authors (handle or author id) and these post ids."""
    handles = [a.lstrip("@").lower() for a in authors]
    conds, params = [], []
    if handles:
        conds.append("(lower(author_handle) IN (SELECT unnest(?)) OR author_id IN (SELECT unnest(?)))")
        params += [handles, list(authors)]
    if posts:
        conds.append("id IN (SELECT unnest(?))")
        params.append(list(posts))
    if not conds:
        raise ValueError("name at least one --author or --post to forget")
    where = "(" + " OR ".join(conds) + ")"
    if platform:
        where += " AND platform = ?"
        params.append(platform)
    with store.writer():
        keys = store.sql(f"SELECT DISTINCT platform, id FROM posts WHERE {where}", params).to_pylist()
        # Reposts of the forgotten posts carry their text too.
        if keys:
            store.con.register("_fk", pa.Table.from_pylist(keys))
            keys += store.sql(
                "SELECT DISTINCT p.platform, p.id FROM posts p JOIN _fk k "
                "ON p.platform = k.platform AND p.repost_of_id = k.id"
            ).to_pylist()
            store.con.unregister("_fk")
        tombs = [{"platform": k["platform"], "id": k["id"], "reason": "forgotten", "at": None,
                  "source_file": None, "source_line": None} for k in keys]
        result = committer.commit_batch(
            store, POST_SCHEMA.empty_table(), RAW_SCHEMA.empty_table(), tombs, [], uuid.uuid4().hex[:12]
        )
        purged = _purge_raw(store, keys)
        dropped = _drop_quarantine(store) if drop_quarantine else 0
        if store._derived:
            derived.after_commit(store, on_demand=True)  # no forgotten text left in the search index
    return {"forgotten": len({(k["platform"], k["id"]) for k in keys}), "tombstones": result["deleted"],
            "raw_records_purged": purged, "quarantine_dropped": dropped}


def _purge_raw(store: Store, keys: list[dict[str, str]]) -> int:
    if not keys or not store.files("raw"):
        return 0
    con = store.con
    key_table = pa.Table.from_pylist(keys)
    con.register("_fk", key_table)
    hits = con.execute(
        f"SELECT filename, count(*) FROM read_parquet({sql_list(store.files('raw'))}, filename=true) r "
        "WHERE EXISTS (SELECT 1 FROM _fk k WHERE k.platform = r.platform AND k.id = r.id) GROUP BY 1"
    ).fetchall()
    added, removed, purged = [], [], 0
    for i, (fname, n) in enumerate(hits):
        kept = committer.rows_without(fname, key_table)
        name = f"raw-{store.generation + 1:06d}-forget-{uuid.uuid4().hex[:8]}-{i}.parquet"
        added.append(committer._write(store, "raw", name, kept.cast(RAW_SCHEMA)))
        removed.append(fname.rsplit("/", 1)[-1])
        purged += n
    con.unregister("_fk")
    if added:
        store.commit({"raw": (added, removed)})
    return purged


def _drop_quarantine(store: Store) -> int:
    n = store.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]  # type: ignore[index]
    if n:
        store.commit({"quarantine": ([], list(store.manifest["quarantine"]))})
    return int(n)
