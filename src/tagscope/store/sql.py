"""SQL literals for the queries the store builds as text (DuckDB takes file lists only inline)."""

from __future__ import annotations


def sql_str(value: str) -> str:
    """A SQL string literal (file paths are user input)."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(paths: list[str]) -> str:
    """A SQL list of string literals, as ``read_parquet`` takes its files."""
    return "[" + ", ".join(sql_str(p) for p in paths) + "]"
