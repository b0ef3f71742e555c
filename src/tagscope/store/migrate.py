"""Schema evolution of ``posts/``: fields added to the canonical post after a store was written.

The manifest names the post columns its posts files were written with (``posts_columns``; a store
written before the key existed has none). A reader of an older store sees the new columns as typed
nulls (``posts_view``), without rewriting anything; the first writer rewrites the older files once
with the full schema (``migrate``), so that every writing path (dedup, merges, deletions) keeps
working on one schema and readers go back to the plain scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..post import POST_SCHEMA
from .sql import sql_list

if TYPE_CHECKING:
    from .store import Store

KEY = "posts_columns"


def current(manifest: dict) -> bool:
    """Whether the posts files of MANIFEST all have today's columns."""
    return manifest.get(KEY) == POST_SCHEMA.names


def posts_view(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    """Define the ``posts`` view over FILES written with older schemas: absent columns read as nulls."""
    have: set[str] = set()
    for f in files:
        have.update(pq.read_schema(f).names)
    cols = []
    for field in POST_SCHEMA:
        if field.name in have:
            cols.append(f'"{field.name}"')
        else:
            sql_type = {pa.timestamp("us"): "TIMESTAMP", pa.int64(): "BIGINT", pa.bool_(): "BOOLEAN",
                        pa.list_(pa.string()): "VARCHAR[]"}.get(field.type, "VARCHAR")
            cols.append(f'NULL::{sql_type} AS "{field.name}"')
    con.execute(f"CREATE OR REPLACE VIEW posts AS SELECT {', '.join(cols)} "
                f"FROM read_parquet({sql_list(files)}, union_by_name = true)")


def migrate(store: Store, write: object) -> int:
    """Rewrite the posts files lacking a column of today's schema (call inside writer()); return how many.

    WRITE is the commit's file writer (``commit._write``: staged name, the posts' Parquet options).
    A store already current costs one look at its manifest."""
    if current(store.manifest):
        return 0
    gen = store.generation + 1
    added, removed = [], []
    for i, fname in enumerate(store.files("posts")):
        if pq.read_schema(fname).names == POST_SCHEMA.names:
            continue
        table = pq.read_table(fname)
        for field in POST_SCHEMA:
            if field.name not in table.column_names:
                table = table.append_column(field, pa.nulls(len(table), field.type))
        table = table.select(POST_SCHEMA.names).cast(POST_SCHEMA)
        added.append(write(store, "posts", f"part-{gen:06d}-migrate-{i}.parquet", table))  # type: ignore[operator]
        removed.append(fname.rsplit("/", 1)[-1])
    store.manifest[KEY] = POST_SCHEMA.names  # commit() carries every manifest key over
    store.commit({"posts": (added, removed)})
    return len(added)
