"""What the dashboard shows that is not an analytic's Figure: what the store holds, search hits,
the newest posts of a tag, and one post.

Nothing here counts posts of its own; these look posts up (or ask the store and the search index).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request

from ..analytics.figure import Figure
from ..analytics.registry import NotAvailable
from ..store import Store
from ..times import to_utc

FEED_COLUMNS = "platform, id AS post_id, author_handle AS author, created_at, text, kind"


def iso(t: datetime | None) -> str | None:
    return t.isoformat() + "Z" if t else None


def feed(store: Store, tag: str | None, *, after: tuple[datetime, str, str] | None, limit: int) -> list[dict[str, Any]]:
    """Posts (using ``tag`` if given) newer than the cursor (created_at, platform, id), newest first."""
    where, params = [], []
    if tag:
        where.append("list_contains(hashtags_norm, ?)")
        params.append(tag)
    if after:
        t, platform, pid = after
        where.append("(created_at > ? OR (created_at = ? AND (platform > ? OR (platform = ? AND id > ?))))")
        params += [t, t, platform, platform, pid]
    sql = f"SELECT {FEED_COLUMNS} FROM posts"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created_at DESC, platform DESC, id DESC LIMIT ?"
    rows = store.sql(sql, [*params, limit]).to_pylist()
    for r in rows:
        r["cursor"] = f"{iso(r['created_at'])}|{r['platform']}|{r['post_id']}"
        r["created_at"] = iso(r["created_at"])
    return rows


def parse_cursor(value: str | None) -> tuple[datetime, str, str] | None:
    """A feed cursor ``ISO|platform|id``; ValueError when malformed."""
    if not value:
        return None
    parts = value.split("|", 2)
    if len(parts) != 3:
        raise ValueError("after must be a cursor returned by /api/feed (time|platform|id)")
    t = to_utc(parts[0])
    assert t is not None
    return t, parts[1], parts[2]


def post(store: Store, platform: str, post_id: str) -> dict[str, Any] | None:
    """Every stored field of one live post."""
    rows = store.sql("SELECT * FROM posts WHERE platform = ? AND id = ? LIMIT 1", [platform, post_id]).to_pylist()
    if not rows:
        return None
    row = rows[0]
    row["created_at"] = iso(row["created_at"])
    return row


def cached_stats(request: Request, st: Any) -> dict[str, Any]:
    """`store.stats()` once per store generation (it counts distinct authors: seconds at 10M posts)."""
    cache = request.app.state.stats_cache
    if cache.get("generation") != st.generation:
        cache.update(generation=st.generation, stats=st.stats())
    return dict(cache["stats"])


def search_function() -> Callable[..., Any]:
    """:func:`tagscope.search.search`, or NotAvailable naming the extra to install."""
    try:
        from ..search import search
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("tagscope"):
            raise
        raise NotAvailable(f"full-text search needs the search extra: pip install 'tagscope[search]' ({exc.name} is missing)") from exc
    return search


def search(store: Any, query: str, **options: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The JSON of `search --json`, and its hits with ``platform`` and highlight ``spans``."""
    result = search_function()(store, query, **{k: v for k, v in options.items() if v is not None})
    data = result.data if isinstance(result, Figure) else result.to_json()
    raw = getattr(result, "hits", None)
    hits = []
    for i, h in enumerate(data.get("hits", [])):
        obj = raw[i] if isinstance(raw, list) and i < len(raw) else None
        extra = {
            "platform": getattr(obj, "platform", None) or h.get("platform"),
            "spans": list(getattr(obj, "spans", None) or []),
        }
        hits.append({**h, **extra})
    return data, hits
