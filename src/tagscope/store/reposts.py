"""Reposts that name their subject only by id: filled from the subject when the store holds it.

A Twitter retweet or a Mastodon boost carries the reposted post's text and tags inline, so it counts
for the subject's tags. A Bluesky repost (and any record that points at its subject by id alone) has
neither: a *pointer repost* (kind ``repost``, a ``repost_of_id``, no text and no tags). The store
makes the two the same: a pointer repost takes its subject's text, language, tags and links

- when it is committed, from a subject in the same batch or already in the store (``fill_batch``);
- when the subject arrives later, at the end of that ingest run (``resolve``: one join on ids over
  the store, rewriting only the files holding reposts it can now fill).

A pointer repost whose subject is not in the store stays as it is (it counts for no tag) and is
counted as unresolved (``unresolved``: the ingest summary and ``stats``). Everything is a join in
DuckDB on (platform, id); nothing loops over posts in Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..post import POST_SCHEMA
from . import events
from .sql import sql_list

if TYPE_CHECKING:
    from collections.abc import Callable

    from .store import Store

# The fields a repost takes from its subject (what a retweet carries inline).
FILLED = ("text", "lang", "hashtags", "hashtags_norm", "hashtags_hidden", "urls", "domains")
POINTER = ("{p}kind = 'repost' AND {p}repost_of_id IS NOT NULL AND {p}text IS NULL "
           "AND coalesce(len({p}hashtags), 0) = 0")
# A subject worth filling from (an image-only post with no tags has nothing to give: the repost stays
# a pointer, and counts as resolved since its subject is there).
SUBJECT = "{p}kind <> 'repost' AND ({p}text IS NOT NULL OR coalesce(len({p}hashtags), 0) > 0)"


def pointer_sql(prefix: str = "") -> str:
    return POINTER.format(p=prefix)


def _pointer_mask(b: pa.Table) -> pa.Array:
    tags = pc.fill_null(pc.list_value_length(b.column("hashtags")), 0)
    return pc.fill_null(pc.and_(pc.and_(pc.equal(b.column("kind"), "repost"), pc.is_valid(b.column("repost_of_id"))),
                                pc.and_(pc.is_null(b.column("text")), pc.equal(tags, 0))), False)


def _select_filled(src: str, subjects: str) -> str:
    """Every column of the pointer reposts in SRC, the FILLED ones from their subject in SUBJECTS."""
    repl = ", ".join(
        f"CASE WHEN s.id IS NULL THEN r.{c} ELSE {'coalesce(r.lang, s.lang)' if c == 'lang' else 's.' + c} END AS {c}"
        for c in FILLED)
    return (f"SELECT r.* REPLACE ({repl}) FROM {src} r LEFT JOIN (SELECT DISTINCT ON (platform, id) * FROM "
            f"({subjects})) s ON s.platform = r.platform AND s.id = r.repost_of_id")


def fill_batch(store: Store, new: pa.Table, batch: pa.Table) -> pa.Table:
    """NEW (a batch's posts the store does not hold) with its pointer reposts filled from subjects in
    BATCH (the whole batch) or in the store (commit time)."""
    if not len(new):
        return new
    mask = _pointer_mask(new)
    if not pc.any(mask).as_py():
        return new
    con = store.con
    pointers = new.filter(mask)
    con.register("_rp", pointers)
    con.register("_rb", batch)
    cols = ", ".join(("platform", "id", *FILLED))
    subjects = f"SELECT {cols} FROM _rb WHERE {SUBJECT.format(p='')}"
    files = store.files("posts")
    if files:
        # Which files hold the subjects: a semi-join reading only keys (as the commit's dedup lookup does);
        # their text and tags are then read from those files alone.
        held = [f for (f,) in con.execute(
            f"SELECT DISTINCT p.filename FROM read_parquet({sql_list(files)}, filename=true) p "
            "SEMI JOIN _rp k ON k.platform = p.platform AND k.repost_of_id = p.id").fetchall()]
        if held:
            subjects += (f" UNION ALL SELECT {cols} FROM read_parquet({sql_list(sorted(held))}) p "
                         f"WHERE {SUBJECT.format(p='p.')} AND EXISTS (SELECT 1 FROM _rp k "
                         "WHERE k.platform = p.platform AND k.repost_of_id = p.id)")
    if store.files("tombstones"):  # a subject deleted earlier in this run is still in its file until the end
        subjects = (f"SELECT * FROM ({subjects}) x WHERE NOT EXISTS "
                    "(SELECT 1 FROM tombstones t WHERE t.platform = x.platform AND t.id = x.id)")
    try:
        filled = con.execute(_select_filled("_rp", subjects)).to_arrow_table()
    finally:
        con.unregister("_rp")
        con.unregister("_rb")
    return pa.concat_tables([new.filter(pc.invert(mask)), filled.select(POST_SCHEMA.names).cast(POST_SCHEMA)])


def resolve(store: Store, tag: str, write: Callable[..., str]) -> dict[str, str]:
    """Fill the pointer reposts already stored whose subject the store now holds (call inside writer(),
    after deletions are applied); return which posts files replaced which (old name: new name).

    WRITE is the commit's file writer (``commit._write``)."""
    files = store.files("posts")
    if not files:
        return {}
    con = store.con
    hits = con.execute(
        f"SELECT DISTINCT r.filename FROM read_parquet({sql_list(files)}, filename=true) r "
        f"WHERE {pointer_sql('r.')} AND EXISTS (SELECT 1 FROM posts s WHERE s.platform = r.platform "
        f"AND s.id = r.repost_of_id AND {SUBJECT.format(p='s.')})").fetchall()
    if not hits:
        return {}
    gen = store.generation + 1
    renames: dict[str, str] = {}
    added, removed = [], []
    cols = ", ".join(("platform", "id", *FILLED))
    for i, (fname,) in enumerate(sorted(hits)):
        rows = pq.read_table(fname)
        # The file's order (time, then id) is kept: the joined rows are put back in it by row number.
        con.register("_rf", rows.append_column("_n", pa.array(np.arange(len(rows), dtype=np.int64))))
        subjects = f"SELECT {cols} FROM posts WHERE {SUBJECT.format(p='')}"
        try:
            table = con.execute(
                f"SELECT * EXCLUDE (_n) FROM ({_select_filled('_rf', subjects)}) ORDER BY _n").to_arrow_table()
        finally:
            con.unregister("_rf")
        table = table.select(POST_SCHEMA.names).cast(POST_SCHEMA)
        name = write(store, "posts", f"part-{gen:06d}-{tag}-p{i}.parquet", table)
        if store._derived:
            events.file_written.emit(store, name, table)
        old = fname.rsplit("/", 1)[-1]
        added.append(name)
        removed.append(old)
        renames[old] = name
    store.commit({"posts": (added, removed)})
    return renames


def unresolved(store: Store, names: set[str] | None = None) -> int:
    """Pointer reposts whose subject is not in the store (in the posts files NAMES, when given)."""
    files = store.files("posts")
    if names is not None:
        files = [f for f in files if f.rsplit("/", 1)[-1] in names]
    if not files:
        return 0
    row = store.con.execute(
        f"SELECT count(*) FROM read_parquet({sql_list(files)}) r WHERE {pointer_sql('r.')} "
        "AND NOT EXISTS (SELECT 1 FROM posts s WHERE s.platform = r.platform AND s.id = r.repost_of_id)").fetchone()
    return int(row[0]) if row else 0
