"""Full-text search over the store: a tantivy index kept in step with the posts files."""

from __future__ import annotations

from .engine import Filters, Hit, SearchResult, count_query, search
from .query import QuerySyntaxError, parse

__all__ = ["Filters", "Hit", "QuerySyntaxError", "SearchResult", "count_query", "parse", "reindex", "search"]


def reindex(store):  # type: ignore[no-untyped-def]
    """Rebuild the search index of a store from scratch."""
    from .index import reindex as run

    with store.writer():
        return run(store)
