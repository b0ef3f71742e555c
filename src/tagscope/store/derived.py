"""Data derived from the posts (rollups, search index), kept in step with the posts files.

Posts files are immutable, so derived data can be kept per posts file: an updater compares the
files it covers with ``store.files("posts")``, drops what came from files that are gone and adds
what comes from new ones. That is incremental, exact, and survives a crash (a stale updater simply
catches up on the next commit or when ``tagscope reindex`` runs).

An updater is ``module:function`` taking the store; one that is not installed is skipped.
``UPDATERS`` run after every commit (rollups: cheap, and every figure reads them). ``ON_DEMAND``
updaters are caught up by their readers instead (the first search after an ingest), by
``tagscope ingest --index``, ``tagscope reindex``, and by ``forget`` (forgotten text must not wait in
an index): building the search index once over the final posts files costs less than keeping it in
step with every batch of an ingest, whose merges and deletions rewrite files.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from .store import Store

UPDATERS: list[str] = ["tagscope.engines.rollup:update"]
# Called by a writer with a posts file's rows in memory, before the file is committed: derived data
# made from them at once (`module:function(store, posts_file, table)`); UPDATERS still check it.
FILE_UPDATERS: list[str] = ["tagscope.engines.rollup:add_file"]
ON_DEMAND: list[str] = ["tagscope.search.index:update"]


def _resolve(spec: str) -> Any:
    """The function named by SPEC, or None when its module is not installed."""
    module_name, func = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, func)


def file_written(store: Store, posts_file: str, table: pa.Table) -> None:
    """Make the derived data of a posts file just written from its rows (see FILE_UPDATERS)."""
    if not store._derived:
        return
    for spec in FILE_UPDATERS:
        fn = _resolve(spec)
        if fn is not None:
            fn(store, posts_file, table)


def after_commit(store: Store, *, on_demand: bool = False) -> None:
    """Run the updaters (and the on-demand ones too with ON_DEMAND); call with the write lock held."""
    for spec in UPDATERS + (ON_DEMAND if on_demand else []):
        fn = _resolve(spec)
        if fn is not None:
            fn(store)
