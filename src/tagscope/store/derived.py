"""Data derived from the posts (search index, rollups), kept in step after every commit.

Posts files are immutable, so derived data can be kept per posts file: an updater compares the
files it covers with ``store.files("posts")``, drops what came from files that are gone and adds
what comes from new ones. That is incremental, exact, and survives a crash (a stale updater simply
catches up on the next commit or when ``tagscope reindex`` runs).

An updater is ``module:function`` taking the store; one that is not installed is skipped.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store

UPDATERS: list[str] = [
    "tagscope.analytics.rollup:update",
    "tagscope.search.index:update",
]


def after_commit(store: Store) -> None:
    for spec in UPDATERS:
        module_name, func = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        getattr(module, func)(store)
