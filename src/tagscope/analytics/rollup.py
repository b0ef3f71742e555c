"""Rollups: per posts file, the derived relations of :mod:`.relations`, kept in step after each commit.

Posts files are immutable (a changed file gets a new name), so each one's rollup is computed once
and dropped when its posts file leaves the manifest. That keeps counts exact under deduplication,
deletions and rewrites, and a crash at any point only leaves work for the next call.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ..engines.duckdb import rollup_dir, rollup_name, write_parquet
from ..store.store import SPILL_DIR
from . import relations

if TYPE_CHECKING:
    from ..store import Store


def update(store: Store) -> dict[str, int]:
    """Add rollups for new posts files and remove those of files no longer committed."""
    folder = rollup_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    posts = store.files("posts")
    wanted = {rollup_name(p, r) for p in posts for r in relations.NAMES}
    removed = 0
    for name in os.listdir(folder):
        if name not in wanted:
            (folder / name).unlink(missing_ok=True)
            removed += 1
    added = 0
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '512MB'; SET temp_directory = '{SPILL_DIR}'")  # per-file group-bys: a cap keeps a long ingest's peak flat
    try:
        for p in posts:
            for rel in relations.NAMES:
                target = folder / rollup_name(p, rel)
                if target.exists():
                    continue
                src = "read_parquet('" + p.replace("'", "''") + "')"
                sql, params = relations.define(rel, src)
                write_parquet(sql, params, target, con)
                added += 1
    finally:
        con.close()
    return {"added": added, "removed": removed}


def rebuild(store: Store) -> dict[str, int]:
    """Drop every rollup and compute them again (after a bug fix in a relation's definition)."""
    folder = rollup_dir(store)
    if folder.is_dir():
        for name in os.listdir(folder):
            Path(folder / name).unlink(missing_ok=True)
    return update(store)
