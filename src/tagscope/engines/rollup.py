"""Rollups: per posts file, the derived relations of :mod:`.relations`, kept in step after each commit.

Posts files are immutable (a changed file gets a new name), so each one's rollup is computed once
and dropped when its posts file leaves the manifest. That keeps counts exact under deduplication,
deletions and rewrites, and a crash at any point only leaves work for the next call.
"""

from __future__ import annotations

import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from ..files import replacing
from ..store import events
from ..store.store import spill_dir, sql_str
from . import compact, relations

if TYPE_CHECKING:
    from ..store import Store


THREADS = os.cpu_count() or 1
ROLLUP_DIR = ("derived", "rollup")
ROLLUP_VERSION = 2  # bump when a relation's definition changes: older files are then rebuilt


def rollup_dir(store: Store) -> Path:
    return store.path.joinpath(*ROLLUP_DIR)


def rollup_name(posts_file: str, relation: str) -> str:
    return f"{Path(posts_file).name}.{relation}.v{ROLLUP_VERSION}.parquet"


def write_parquet(sql: str, params: list[Any], path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Write the rows of SQL to PATH atomically.

    zstd level 1 (DuckDB's default is 3): the same size on rollups, 15% less time writing them (measured).
    Not fsynced: a rollup is no more durable than its posts file, and ``update`` remakes a missing one."""
    with replacing(path, durable=False) as tmp:
        con.execute(f"COPY ({sql}) TO {sql_str(str(tmp))} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)", params)


def files(store: Store, posts: list[str] | None = None) -> dict[str, list[str]] | None:
    """Rollup files per relation, for the relations whose files cover exactly the committed posts files
    (POSTS); None when none does (a store written before a relation was added lacks only that one)."""
    folder = rollup_dir(store)
    posts = store.files("posts") if posts is None else posts
    have = set(os.listdir(folder)) if folder.is_dir() else set()
    covered = {r: [str(folder / rollup_name(p, r)) for p in posts] for r in relations.NAMES
               if posts and all(rollup_name(p, r) in have for p in posts)}
    return covered or None


def update(store: Store) -> dict[str, int]:
    """Add rollups for new posts files and remove those of files no longer committed; then compact
    them (:mod:`.compact`), so a new process's first answer reads one file sorted by tag."""
    out = _update_files(store)
    out["compacted"] = int(compact.update(store, files(store)))
    return out


def _update_files(store: Store) -> dict[str, int]:
    folder = rollup_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    posts = store.files("posts")
    wanted = {rollup_name(p, r) for p in posts for r in relations.NAMES}
    removed = 0
    for name in os.listdir(folder):
        if name not in wanted:
            (folder / name).unlink(missing_ok=True)
            removed += 1
    todo = [(p, rel) for p in posts for rel in relations.NAMES if not (folder / rollup_name(p, rel)).exists()]
    if not todo:
        return {"added": 0, "removed": removed}
    # Per-file group-bys are small: one connection per core does them side by side (a memory cap
    # each keeps a long ingest's peak flat).
    threads = max(min(THREADS, len(todo)), 1)
    idle: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
    cons = [_connect() for _ in range(threads)]
    for con in cons:
        idle.put(con)

    def one(job: tuple[str, str]) -> None:
        con = idle.get()  # a connection is used by one thread at a time
        try:
            _write_one(con, folder, *job)
        finally:
            idle.put(con)

    try:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, todo))
    finally:
        for con in cons:
            con.close()
    return {"added": len(todo), "removed": removed}


_local = threading.local()


def _connect() -> duckdb.DuckDBPyConnection:
    """A connection for per-file group-bys: one thread, a memory cap (a long ingest's peak stays flat)."""
    con = duckdb.connect()
    con.execute(f"SET threads = 1; SET memory_limit = '256MB'; SET temp_directory = '{spill_dir()}'")
    return con


def add_file(store: Store, posts_file: str, table: pa.Table) -> None:
    """Write the rollups of a posts file from its rows in memory, on the calling thread.

    For a writer that has just written the file (ingest's end-of-run deletion rewrite rewrites every
    file of a run): no second read and decode of the file, and its rollups are made in the same
    thread pool as the rewrite instead of in a second pass after it. ``update`` then finds them done;
    if the file is never committed (a crash), ``update`` removes them.
    """
    folder = rollup_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    con = getattr(_local, "con", None)
    if con is None:  # one connection a thread: connecting costs ~10 ms of CPU
        con = _local.con = _connect()
    # The file's rows are in order (time, then id): a row number is each account's "latest" key.
    con.register("_posts_file", table.append_column("_row", pa.array(np.arange(len(table), dtype=np.int64))))
    try:
        for rel in relations.NAMES:
            sql, params = relations.define(rel, "_posts_file", per_file="_row")
            write_parquet(sql, params, folder / rollup_name(posts_file, rel), con)
    finally:
        con.unregister("_posts_file")  # the rows are not kept past the call


def _write_one(con: duckdb.DuckDBPyConnection, folder: Path, posts_file: str, rel: str) -> None:
    src = f"read_parquet({sql_str(posts_file)}, file_row_number = true)"
    sql, params = relations.define(rel, src, per_file="file_row_number")  # see add_file
    write_parquet(sql, params, folder / rollup_name(posts_file, rel), con)


def rebuild(store: Store) -> dict[str, int]:
    """Drop every rollup and compute them again (after a bug fix in a relation's definition)."""
    for folder in (rollup_dir(store), compact.compact_dir(store)):  # the compacted files are merged from them
        if folder.is_dir():
            for name in os.listdir(folder):
                Path(folder / name).unlink(missing_ok=True)
    return update(store)


# Every figure reads the rollups: they follow every commit (see tagscope.store.events).
events.file_written.subscribe(add_file)
events.after_commit.subscribe(update)
