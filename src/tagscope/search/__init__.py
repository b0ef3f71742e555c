"""Full-text search over the store: a tantivy index kept in step with the posts files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import index
from .engine import Filters, Hit, SearchResult, count_query, search
from .query import QuerySyntaxError, parse

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["Filters", "Hit", "QuerySyntaxError", "SearchResult", "count_query", "parse", "reindex", "search"]


def reindex(store: Store) -> dict[str, int]:
    """Rebuild the search index of a store from scratch."""
    with store.writer():
        done = index.reindex(store)  # no time budget: always complete, so the JSON keeps its keys
    return {k: v for k, v in done.items() if k != "complete"}
