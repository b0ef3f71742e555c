"""`tagscope forget`: remove an author's (or a post's) data from the store, for good.

People who shared their stories may ask to be taken out. Forgetting removes the posts from
``posts/`` (and so from every figure, the search index and rollups), rewrites the raw files and the
classifier label files without their records, and leaves only tombstones (platform, id, reason ``forgotten``) so that a copy arriving
in a later ingest stays out. Quarantined records are not searched for the author: they are listed by
``tagscope quarantine`` and can be dropped with ``--quarantine``.

A delete notice removes its post from ``posts/`` (and every figure) at once, but the raw record of a
post a notice names after its post was committed stays in ``raw/`` (remap never reads it): rewriting
the raw files at every ingest would cost as much as writing them. ``--deleted`` purges them all.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..formats import Forgotten
from ..post import POST_SCHEMA
from . import commit as committer
from . import events, scrub
from .store import Store, sql_list
from .tables import FORGOTTEN_SCHEMA, HANDLES_SCHEMA, RAW_SCHEMA, to_table


def forget(store: Store, *, authors: list[str] = (), posts: list[str] = (), platform: str | None = None,  # type: ignore[assignment]
           drop_quarantine: bool = False, deleted: bool = False) -> dict[str, Any]:
    """Forget every post by these authors (handle or author id) and these post ids; with DELETED, also
    purge the raw records of every post the store knows as deleted."""
    handles = [a.lstrip("@").lower() for a in authors]
    if handles and store.files("handles"):
        # An account whose posts name no handle (Bluesky's Jetstream) is named by the handle its identity
        # events gave: its id joins the ids asked for.
        authors = list(authors) + store.sql(
            "SELECT DISTINCT account_id FROM handles WHERE lower(handle) IN (SELECT unnest(?))"
            + (" AND platform = ?" if platform else ""), [handles, *([platform] if platform else [])]
        ).column("account_id").to_pylist()
    conds, params = [], []
    if handles:
        # A handle names an account, whose posts under an earlier handle share its author id.
        conds.append("(lower(author_handle) IN (SELECT unnest(?)) OR author_id IN (SELECT unnest(?)) OR EXISTS ("
                     "SELECT 1 FROM posts h WHERE lower(h.author_handle) IN (SELECT unnest(?)) "
                     "AND h.platform = posts.platform AND h.author_id = posts.author_id))")
        params += [handles, list(authors), handles]
    if posts:
        conds.append("id IN (SELECT unnest(?))")
        params.append(list(posts))
    if not conds and not deleted:
        raise ValueError("name at least one --author or --post to forget (or --deleted)")
    with store.writer():
        account_ids = set(store.sql(
            f"SELECT DISTINCT author_id FROM posts WHERE {conds[0]} AND author_id IS NOT NULL", params[:3]
        ).column("author_id").to_pylist()) | set(authors) if handles else set()
        # Reposts carry the reposted text, also when the reposted post itself was never collected
        # (most retweets in a hashtag collection): they are found by the reposted post's id or author.
        names = sorted(set(handles) | set(store.sql(
            "SELECT DISTINCT lower(author_handle) AS h FROM posts WHERE author_id IN (SELECT unnest(?)) "
            "AND author_handle IS NOT NULL", [sorted(account_ids)]).column("h").to_pylist())) if handles else []
        reposts, rparams = [], []
        if names:
            reposts.append("lower(repost_of_author) IN (SELECT unnest(?))")
            rparams.append(names)
        if posts:
            reposts.append("repost_of_id IN (SELECT unnest(?))")
            rparams.append(list(posts))
        where = "(" + " OR ".join(conds + reposts) + ")"
        rwhere = "(" + " OR ".join(reposts) + ") AND repost_of_id IS NOT NULL" if reposts else "false"
        if platform:
            where += " AND platform = ?"
            rwhere += " AND platform = ?"
        keys = store.sql(f"SELECT DISTINCT platform, id FROM posts WHERE {where}",
                         params + rparams + ([platform] if platform else [])).to_pylist() if conds else []
        # The reposted posts the store never held: tombstoned too, so a later copy stays out.
        originals = store.sql(f"SELECT DISTINCT platform, repost_of_id AS id FROM posts WHERE {rwhere}",
                              rparams + ([platform] if platform else [])).to_pylist()
        # Reposts of the forgotten posts carry their text too.
        if keys:
            store.con.register("_fk", pa.Table.from_pylist(keys))
            keys += store.sql(
                "SELECT DISTINCT p.platform, p.id FROM posts p JOIN _fk k "
                "ON p.platform = k.platform AND p.repost_of_id = k.id"
            ).to_pylist()
            store.con.unregister("_fk")
        tombs = [{"platform": k["platform"], "id": k["id"], "reason": "forgotten", "at": None,
                  "source_file": None, "source_line": None} for k in keys + originals]
        _remember(store, authors, posts, platform, keys)  # while the posts still tell the account's ids
        _forget_handles(store, sorted(account_ids), names, platform)
        result = committer.commit_batch(
            store, POST_SCHEMA.empty_table(), RAW_SCHEMA.empty_table(), tombs, [], uuid.uuid4().hex[:12]
        ) if tombs else {"deleted": 0}
        dead = store.sql("SELECT DISTINCT platform, id FROM tombstones").to_pylist() if deleted and store.files("tombstones") else []
        purged, purged_dead = _purge_raw(store, keys, dead)
        _scrub_raw(store, Forgotten.of({k["id"] for k in keys + originals}, account_ids, names))
        # Derived data holding the text (the search index, labels) drops it from disk, whatever the
        # store's derived setting: forgetting is a promise, not an update.
        events.on_forget.emit(store, events.ForgottenPosts(tuple((k["platform"], k["id"]) for k in keys), deleted))
        dropped = _drop_quarantine(store) if drop_quarantine else 0
        if store._derived:
            store.derived_changed(on_demand=True)
    return {"forgotten": len({(k["platform"], k["id"]) for k in keys}), "tombstones": result["deleted"],
            "raw_records_purged": purged, "deleted_raw_records_purged": purged_dead, "quarantine_dropped": dropped}


def _remember(store: Store, authors: list[str], posts: list[str], platform: str | None,
              keys: list[dict[str, str]]) -> int:
    """Record the forgotten accounts (author id and every handle they had) and posts in ``forgotten/``,
    so that later ingests keep the accounts' new posts out and strip copies of both from the raw records
    of other posts: tombstones name only the posts that existed. Returns how many rows were added."""
    handles = [a.lstrip("@").lower() for a in authors]
    rows: list[dict[str, Any]] = []
    if handles:
        pf = " AND platform = ?" if platform else ""
        # Account ids are per platform: every handle each matched (platform, author id) had.
        found = store.sql(
            "SELECT DISTINCT p.platform, p.author_id AS id, lower(p.author_handle) AS handle FROM posts p SEMI JOIN ("
            "SELECT platform, author_id FROM posts WHERE (lower(author_handle) IN (SELECT unnest(?)) OR author_id IN "
            f"(SELECT unnest(?))){pf}) a ON a.platform = p.platform AND a.author_id = p.author_id",
            [handles, list(authors), *([platform] if platform else [])]).to_pylist()
        rows += [{**r, "kind": "account"} for r in found]
        known = {r["id"] for r in found} | {r["handle"] for r in found}
        # Named before any of its posts was stored: matched later by id or handle, as forget matches.
        rows += [{"platform": platform, "kind": "name", "id": None if a.startswith("@") else a, "handle": h}
                 for a, h in zip(authors, handles, strict=True) if a not in known and h not in known]
    named = {k["id"] for k in keys}
    rows += [{"platform": k["platform"], "kind": "post", "id": k["id"], "handle": None}
             for k in keys if k["id"] in set(posts)]
    rows += [{"platform": platform, "kind": "post", "id": p, "handle": None} for p in posts if p not in named]
    table = to_table(rows, FORGOTTEN_SCHEMA)
    if store.files("forgotten") and len(table):
        store.con.register("_fr", table)
        table = store.con.execute("SELECT * FROM _fr EXCEPT SELECT * FROM forgotten").to_arrow_table()
        store.con.unregister("_fr")
    if not len(table):
        return 0
    name = committer._write(store, "forgotten", f"acct-{store.generation + 1:06d}-{uuid.uuid4().hex[:12]}.parquet",
                            table.cast(FORGOTTEN_SCHEMA))
    store.commit({"forgotten": ([name], [])})
    return len(table)


def _forget_handles(store: Store, ids: list[str], names: list[str], platform: str | None) -> int:
    """Rewrite the handles files without the forgotten accounts' rows (by account id or handle); return
    how many rows went."""
    files = store.files("handles")
    if not files or not (ids or names):
        return 0
    cond = "(account_id IN (SELECT unnest(?)) OR lower(handle) IN (SELECT unnest(?)))" + (
        " AND platform = ?" if platform else "")
    params = [ids, names, *([platform] if platform else [])]
    hits = store.con.execute(
        f"SELECT filename, count(*) FROM read_parquet({sql_list(files)}, filename=true) WHERE {cond} GROUP BY 1",
        params).fetchall()
    added, removed = [], []
    for i, (fname, _) in enumerate(hits):
        kept = store.con.execute(f"SELECT * FROM read_parquet({sql_list([fname])}) WHERE NOT {cond}",
                                 params).to_arrow_table()
        name = f"hdl-{store.generation + 1:06d}-forget-{uuid.uuid4().hex[:8]}-{i}.parquet"
        added.append(committer._write(store, "handles", name, kept.cast(HANDLES_SCHEMA)))
        removed.append(fname.rsplit("/", 1)[-1])
    if added:
        store.commit({"handles": (added, removed)})
    return sum(n for _, n in hits)


def _purge_raw(store: Store, keys: list[dict[str, str]], dead: list[dict[str, str]]) -> tuple[int, int]:
    """Rewrite the raw files holding records of KEYS (forgotten) or DEAD (deleted) posts without them, in
    one pass; return how many records of each were purged."""
    if not (keys or dead) or not store.files("raw"):
        return 0, 0
    con = store.con
    schema = pa.schema([("platform", pa.string()), ("id", pa.string()), ("forgotten", pa.bool_())])
    key_table = pa.Table.from_pylist([{**k, "forgotten": True} for k in keys] + [{**k, "forgotten": False} for k in dead],
                                     schema=schema)
    con.register("_fk", key_table)
    hits = con.execute(
        f"SELECT r.filename, count(*) FILTER (WHERE k.forgotten), count(*) FILTER (WHERE NOT k.forgotten) "
        f"FROM read_parquet({sql_list(store.files('raw'))}, filename=true) r "
        "JOIN (SELECT platform, id, bool_or(forgotten) AS forgotten FROM _fk GROUP BY ALL) k "
        "ON k.platform = r.platform AND k.id = r.id GROUP BY 1"
    ).fetchall()
    con.unregister("_fk")
    drop = committer.joined_keys(key_table)
    added, removed, purged, purged_dead = [], [], 0, 0
    for i, (fname, n_forgotten, n_dead) in enumerate(hits):
        kept = committer.rows_without(fname, drop)
        name = f"raw-{store.generation + 1:06d}-forget-{uuid.uuid4().hex[:8]}-{i}.parquet"
        added.append(committer._write(store, "raw", name, kept.cast(RAW_SCHEMA)))
        removed.append(fname.rsplit("/", 1)[-1])
        purged += n_forgotten
        purged_dead += n_dead
    if added:
        store.commit({"raw": (added, removed)})
    return purged, purged_dead


def _scrub_raw(store: Store, gone: Forgotten) -> int:
    """Rewrite the raw records of other posts that embed a copy of a forgotten post or account without
    it (each record by its own format's ``scrub``, see store/scrub.py); return how many records changed
    or were dropped. The copy holds the forgotten text, handle and bio; the post embedding it keeps its
    own fields (its mapping never reads the copy's)."""
    if not gone or not store.files("raw"):
        return 0
    hits = store.con.execute(
        f"SELECT filename, platform, id FROM read_parquet({sql_list(store.files('raw'))}, filename=true) "
        "WHERE regexp_matches(try(decode(raw)), ?)", [scrub.pattern(gone)]
    ).fetchall()
    by_file: dict[str, set[str]] = {}
    for fname, platform, pid in hits:
        by_file.setdefault(fname, set()).add(f"{platform}\x00{pid}")
    added, removed, changed = [], [], 0
    for i, (fname, wanted) in enumerate(sorted(by_file.items())):
        table = committer.rows_without(fname, pa.array([], pa.string()))
        rows = pc.is_in(committer._joined(table), value_set=pa.array(sorted(wanted), pa.string()))
        # Only the records that matched, not the whole file.
        edits = scrub.scrubbed(table.column("raw"), table.column("source_format"),
                               pc.indices_nonzero(rows).to_pylist(), gone)
        if edits:
            changed += len(edits)
            records = [edits.get(j, r) for j, r in enumerate(table.column("raw").to_pylist())]
            table = table.set_column(table.schema.get_field_index("raw"), "raw", pa.array(records, pa.binary()))
            dropped = [j for j, r in edits.items() if r is None]
            if dropped:
                table = table.filter(pa.array(~np.isin(np.arange(len(table)), dropped)))
            name = f"raw-{store.generation + 1:06d}-scrub-{uuid.uuid4().hex[:8]}-{i}.parquet"
            added.append(committer._write(store, "raw", name, table.cast(RAW_SCHEMA)))
            removed.append(fname.rsplit("/", 1)[-1])
    if added:
        store.commit({"raw": (added, removed)})
    return changed


def _drop_quarantine(store: Store) -> int:
    n = store.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]  # type: ignore[index]
    if n:
        store.commit({"quarantine": ([], list(store.manifest["quarantine"]))})
    return int(n)
