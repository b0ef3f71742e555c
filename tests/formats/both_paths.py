"""Ingest the same lines through DuckDB (the SQL mapping) and through the Python mapper; compare stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tagscope.store import Store
from tagscope.store import ingest as ingest_mod


def tables(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every table of the store, rows sorted: what the two paths must agree on."""
    return {view: store.sql(f"SELECT * FROM {view} ORDER BY ALL").to_pylist()
            for view in ("posts", "raw", "tombstones", "quarantine")}


def both(tmp: Path, data: bytes, mp: pytest.MonkeyPatch, fmt: str | None = None) -> tuple[dict, dict, dict, dict]:
    """(summary, tables) of the DuckDB path, then of the Python path, for DATA written as one file."""
    src = tmp / "in.jsonl"
    src.write_bytes(data)
    out: list[dict[str, Any]] = []
    for sql in (True, False):
        mp.setattr(ingest_mod, "SQL_LINES", sql)
        store = Store(tmp / f"store-{sql}", derived=False)
        summary = store.ingest([str(src)], fmt=fmt)
        summary.pop("seconds")
        out += [summary, tables(store)]
        store.close()
    return out[0], out[1], out[2], out[3]


def fast_path(param: str, mp: pytest.MonkeyPatch, native_module: Any) -> str:
    """Map with the native module (PARAM "native": it must be built, setup.py compiles it on install)
    or with DuckDB ("duckdb")."""
    if param == "native":
        assert native_module.native is not None, "tagscope._native is not built: pip install -e . compiles it"
    mp.setattr(native_module, "ENABLED", param == "native")
    return param
