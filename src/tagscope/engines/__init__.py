"""Engines run the analytics' SQL. DuckDB is the default; a Spark engine can be added beside it.

An engine provides the derived relations of :mod:`tagscope.analytics.relations` (from rollups or
by scanning ``posts``) and runs one statement over them. Analytics never touch an engine's
connection or files directly, so the same analytic runs unchanged on another engine.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import Engine

_ENGINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def engine_for(store: Any) -> Engine:
    """The (warm, cached) engine of STORE; an engine passed in is returned as it is."""
    from .base import Engine

    if isinstance(store, Engine):
        return store
    eng = _ENGINES.get(store)
    if eng is None:
        from .duckdb import DuckDBEngine

        eng = DuckDBEngine(store)
        _ENGINES[store] = eng
    return eng


__all__ = ["engine_for"]
