"""Engines run the analytics' SQL. DuckDB is the default; others register beside it by name.

An engine provides the derived relations of :mod:`tagscope.engines.relations` (from rollups or by
scanning ``posts``) and the label relations of :mod:`tagscope.engines.labels`, and runs one
statement over them. Analytics never touch an engine's connection or files directly, so the same
analytic runs unchanged on another engine.

Which engine runs: the ``engine=`` of the call, else the one given to ``tagscope.open(path,
engine=...)`` for that store, else ``$TAGSCOPE_ENGINE``, else ``duckdb``.
"""

from __future__ import annotations

import importlib
import os
import weakref
from typing import Any

from .base import Engine

DEFAULT = "duckdb"
ENV = "TAGSCOPE_ENGINE"

# name -> the engine class, or "module:Class" imported on first use (an engine's heavy
# dependencies, such as pyspark, load only when it is chosen).
_REGISTRY: dict[str, type[Engine] | str] = {
    "duckdb": "tagscope.engines.duckdb:DuckDBEngine",
    "spark": "tagscope.engines.spark:SparkEngine",  # the `spark` extra (pyspark) and Java 17
}
_ENGINES: weakref.WeakKeyDictionary[Any, dict[str, Engine]] = weakref.WeakKeyDictionary()
_CHOSEN: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def register(name: str, engine: type[Engine] | str) -> None:
    """Make ENGINE (a class, or ``"module:Class"``) available as NAME."""
    _REGISTRY[name] = engine


def names() -> list[str]:
    """The registered engine names, the default first."""
    return list(_REGISTRY)


def engine_class(name: str) -> type[Engine]:
    """The class registered as NAME; ValueError naming the known engines otherwise."""
    found = _REGISTRY.get(name)
    if found is None:
        raise ValueError(f"unknown engine {name!r}; known engines: {', '.join(names())}")
    if isinstance(found, str):
        module, cls = found.split(":")
        found = _REGISTRY[name] = getattr(importlib.import_module(module), cls)
    return found


def choose(store: Any, name: str | None) -> None:
    """Make NAME the engine of STORE when a call names none (``tagscope.open(path, engine=...)``)."""
    if name is None:
        _CHOSEN.pop(store, None)
        return
    engine_class(name)  # an unknown name fails when the store is opened, not at its first figure
    _CHOSEN[store] = name


def chosen(store: Any) -> str | None:
    """The engine named for STORE when a call names none: ``tagscope.open(..., engine=)``, else
    ``$TAGSCOPE_ENGINE``; None when neither does (count-query then answers from its index)."""
    return _CHOSEN.get(store) or os.environ.get(ENV) or None


def engine_for(store: Any, name: str | None = None) -> Engine:
    """The (warm, cached) engine NAME of STORE; an engine passed in is returned as it is.

    NAME None: the store's engine from ``tagscope.open``, else ``$TAGSCOPE_ENGINE``, else duckdb."""
    if isinstance(store, Engine):
        return store
    if name is None:
        name = _CHOSEN.get(store) or os.environ.get(ENV) or DEFAULT
    per_store = _ENGINES.get(store)
    if per_store is None:
        per_store = _ENGINES[store] = {}
    eng = per_store.get(name)
    if eng is None:
        eng = per_store[name] = engine_class(name)(store)
    return eng


__all__ = ["DEFAULT", "ENV", "Engine", "choose", "chosen", "engine_class", "engine_for", "names", "register"]
