"""SQL text for the store's DuckDB queries: literals (DuckDB takes file lists only inline), where
every connection of the store spills, and a scratch connection for SQL over Arrow batches."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
import threading

import duckdb
import pyarrow as pa

# Spills (a capped write, a big sort) go to the system's temporary folder, not the working folder.
SPILL_DIR = os.path.join(tempfile.gettempdir(), "tagscope-duckdb")
_SERIAL = itertools.count()
_MADE: list[str] = []


def spill_dir() -> str:
    """A spill folder of its own for one DuckDB database, as a SQL-quoted path body.

    DuckDB names its spill files alike in every database (``duckdb_temp_storage_DEFAULT-0.tmp``): two
    databases spilling into one folder (two rollup threads, or two tagscope processes) overwrote each
    other's pages ("Could not read enough bytes from file ...tmp", seen building rollups while another
    process spilled). DuckDB makes the folder when it first spills; this process removes its own at exit.
    """
    path = os.path.join(SPILL_DIR, f"{os.getpid()}-{next(_SERIAL)}")
    _MADE.append(path)
    return path.replace("'", "''")


@atexit.register
def _remove_spill_dirs() -> None:
    for path in _MADE:
        shutil.rmtree(path, ignore_errors=True)


def sql_str(value: str) -> str:
    """A SQL string literal (file paths are user input)."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(paths: list[str]) -> str:
    """A SQL list of string literals, as ``read_parquet`` takes its files."""
    return "[" + ", ".join(sql_str(p) for p in paths) + "]"


_scratch = threading.local()  # one connection per thread: a DuckDB connection is not shared across threads


def over_batch(query: str, name: str, batch: pa.RecordBatch, params: dict | None = None) -> pa.Table:
    """QUERY run over BATCH (seen as table NAME) on this thread's in-memory DuckDB, one thread.

    For SQL over data already in memory (the search index's documents) without a store: one thread,
    because a batch is small and the caller's other core is busy with it (the index writer).
    """
    con = getattr(_scratch, "connection", None)
    if con is None:
        con = duckdb.connect()
        con.execute("SET threads = 1")
        _scratch.connection = con
    con.register(name, batch)
    try:
        return con.execute(query, params or {}).to_arrow_table()
    finally:
        con.unregister(name)
