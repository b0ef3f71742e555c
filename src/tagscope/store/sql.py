"""SQL text for the store's DuckDB queries: literals (DuckDB takes file lists only inline), and where
every connection of the store spills."""

from __future__ import annotations

import os
import tempfile

# Spills (a capped write, a big sort) go to the system's temporary folder, not the working folder.
SPILL_DIR = os.path.join(tempfile.gettempdir(), "tagscope-duckdb").replace("'", "''")


def sql_str(value: str) -> str:
    """A SQL string literal (file paths are user input)."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(paths: list[str]) -> str:
    """A SQL list of string literals, as ``read_parquet`` takes its files."""
    return "[" + ", ".join(sql_str(p) for p in paths) + "]"
