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

import os
from concurrent.futures import ThreadPoolExecutor
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

THREADS = os.cpu_count() or 1  # files rewritten side by side at the end of a run (as deletions are)
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


def fill_batch(store: Store, new: pa.Table, batch: pa.Table) -> pa.Table:
    """NEW (a batch's posts the store does not hold) with its pointer reposts filled from subjects in
    BATCH (the whole batch) or in the store (commit time)."""
    if not len(new):
        return new
    mask = _pointer_mask(new)
    if not pc.any(mask).as_py():
        return new
    con = store.con
    # The pointers with their row in NEW: only the filled columns are rebuilt, the rest stay as they are.
    pointers = new.select(["platform", "id", "repost_of_id", "lang"]).append_column(
        "_n", pa.array(np.arange(len(new), dtype=np.int64))).filter(mask)
    con.register("_rp", pointers)
    con.register("_rb", batch)
    cols = ", ".join(("platform", "id", *FILLED))
    subjects = (f"SELECT {cols} FROM _rb b SEMI JOIN _rp k ON k.platform = b.platform AND k.repost_of_id = b.id "
                f"WHERE {SUBJECT.format(p='b.')}")
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
    own_lang = ", ".join(f"s.{c}" if c != "lang" else "coalesce(r.lang, s.lang) AS lang" for c in FILLED)
    try:
        fills = con.execute(
            f"SELECT r._n, {own_lang} FROM _rp r JOIN (SELECT DISTINCT ON (platform, id) * FROM ({subjects})) s "
            "ON s.platform = r.platform AND s.id = r.repost_of_id ORDER BY r._n").to_arrow_table()
    finally:
        con.unregister("_rp")
        con.unregister("_rb")
    return _replace_rows(new, fills)


def _replace_rows(table: pa.Table, fills: pa.Table) -> pa.Table:
    """TABLE with the FILLED columns of its rows ``fills._n`` taken from FILLS (the other columns as they are)."""
    if not len(fills):
        return table
    at = np.arange(len(table), dtype=np.int64)
    at[fills.column("_n").to_numpy()] = len(table) + np.arange(len(fills), dtype=np.int64)
    take = pa.array(at)
    for c in FILLED:
        field = POST_SCHEMA.field(c)
        both = pa.concat_arrays([table.column(c).combine_chunks().cast(field.type),
                                 fills.column(c).combine_chunks().cast(field.type)])
        table = table.set_column(table.schema.get_field_index(c), field, both.take(take))
    return table


def resolve(store: Store, tag: str, write: Callable[..., str]) -> dict[str, str]:
    """Fill the pointer reposts already stored whose subject the store now holds (call inside writer(),
    after deletions are applied); return which posts files replaced which (old name: new name).

    WRITE is the commit's file writer (``commit._write``)."""
    files = store.files("posts")
    if not files:
        return {}
    # One join: the stored pointers (their file and row) with what their subjects give. The pointers are
    # few and carry no text; only the subjects they name are read whole.
    con = store.con
    own_lang = ", ".join(f"s.{c}" if c != "lang" else "coalesce(p.lang, s.lang) AS lang" for c in FILLED)
    fills = con.execute(
        f"WITH p AS (SELECT filename, file_row_number AS n, platform, repost_of_id, lang "
        f"FROM read_parquet({sql_list(files)}, filename=true, file_row_number=true) WHERE {pointer_sql()}) "
        f"SELECT p.filename, p.n, {own_lang} FROM p JOIN (SELECT DISTINCT ON (platform, id) * FROM posts s "
        f"WHERE {SUBJECT.format(p='s.')} AND EXISTS (SELECT 1 FROM p WHERE p.platform = s.platform "
        "AND p.repost_of_id = s.id)) s ON s.platform = p.platform AND s.id = p.repost_of_id "
        "ORDER BY p.filename, p.n").to_arrow_table()
    if not len(fills):
        return {}
    gen = store.generation + 1
    names = fills.column("filename").to_pylist()
    by_file: dict[str, tuple[int, int]] = {}  # file: (first, end) of its rows in FILLS (sorted by file)
    for i, f in enumerate(names):
        first, _ = by_file.get(f, (i, i))
        by_file[f] = (first, i + 1)

    def rewrite(i: int, fname: str) -> str:
        first, end = by_file[fname]
        mine = fills.slice(first, end - first)
        table = pq.read_table(fname, use_threads=False)  # Arrow's reader and writer release the GIL
        table = _replace_rows(table, mine.rename_columns(["filename", "_n", *FILLED]))
        table = table.cast(POST_SCHEMA)
        name = write(store, "posts", f"part-{gen:06d}-{tag}-p{i}.parquet", table)
        if store._derived:  # its rollups while its rows are at hand
            events.file_written.emit(store, name, table)
        return name

    touched = sorted(by_file)
    with ThreadPoolExecutor(THREADS) as pool:
        added = list(pool.map(rewrite, range(len(touched)), touched))
    removed = [f.rsplit("/", 1)[-1] for f in touched]
    store.commit({"posts": (added, removed)})
    return dict(zip(removed, added, strict=True))


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
