"""SQL text for the store's DuckDB queries: literals (DuckDB takes file lists only inline), and where
every connection of the store spills."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile

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
