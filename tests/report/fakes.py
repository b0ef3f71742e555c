"""Stand-in analytics with the documented JSON shapes, so front-end tests do not depend on
another area's numbers. They compute from the store with plain SQL (test code only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from tagscope.analytics.figure import Figure
from tagscope.post import fold_tag

TAGGED = "list_contains(hashtags_norm, ?)"


def _where(since: datetime | None, until: datetime | None) -> tuple[str, list[Any]]:
    sql, params = "", []
    if since:
        sql += " AND created_at >= ?"
        params.append(since)
    if until:
        sql += " AND created_at < ?"
        params.append(until)
    return sql, params


def _fig(name: str, store: Any, sql: str, params: list[Any], key: str) -> Figure:
    table = store.sql(sql, params)
    rows = table.to_pylist()
    for r in rows:
        for k, v in r.items():
            if isinstance(v, datetime):
                r[k] = v.isoformat() + "Z"
    return Figure(name, table, {key: rows}, [(sql, params)], rule=f"fake {name}: posts whose hashtags include the tag")


def count(store: Any, tag: str, *, since: datetime | None = None, until: datetime | None = None) -> Figure:
    w, p = _where(since, until)
    sql = f"SELECT count(*) AS count FROM posts WHERE {TAGGED}{w}"
    n = store.sql(sql, [fold_tag(tag), *p]).column(0)[0].as_py()
    return Figure("count", pa.table({"count": [n]}), {"count": n}, [(sql, [fold_tag(tag), *p])], "fake count")


def trend(store: Any, tags: list[str], *, every: str = "day", cumulative: bool = False,
          since: datetime | None = None, until: datetime | None = None) -> Figure:
    rows: list[dict[str, Any]] = []
    queries = []
    w, p = _where(since, until)
    for tag in tags:
        sql = (f"SELECT date_trunc('{every}', created_at) AS bucket, count(*) AS count FROM posts "
               f"WHERE {TAGGED}{w} GROUP BY 1 ORDER BY 1")
        total = 0
        for row in store.sql(sql, [fold_tag(tag), *p]).to_pylist():
            b, n = row["bucket"], row["count"]
            total += n
            rows.append({"hashtag": fold_tag(tag), "bucket": b.isoformat() + "Z", "count": total if cumulative else n})
        queries.append((sql, [fold_tag(tag), *p]))
    return Figure("trend", pa.Table.from_pylist(rows) if rows else pa.table({}), {"series": rows}, queries, "fake trend")


def origin(store: Any, tag: str, *, first: int = 10, since: datetime | None = None,
           until: datetime | None = None) -> Figure:
    w, p = _where(since, until)
    sql = (f"SELECT id AS post_id, author_handle AS author, created_at FROM posts WHERE {TAGGED}{w} "
           "ORDER BY created_at, id LIMIT ?")
    fig = _fig("origin", store, sql, [fold_tag(tag), *p, first], "first")
    fig.meta["caveat"] = "The archive may not hold the true first use."
    return fig


def notables(store: Any, tag: str, *, top: int = 20, since: datetime | None = None,
             until: datetime | None = None) -> Figure:
    w, p = _where(since, until)
    sql = (f"SELECT author_handle AS author, max(author_followers) AS followers, count(*) AS posts FROM posts "
           f"WHERE {TAGGED}{w} AND author_followers >= 1000 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?")
    return _fig("notables", store, sql, [fold_tag(tag), *p, top], "accounts")


def cotags(store: Any, tag: str, *, top: int = 20, since: datetime | None = None,
           until: datetime | None = None) -> Figure:
    w, p = _where(since, until)
    sql = (f"SELECT t AS hashtag, count(*) AS count FROM (SELECT unnest(hashtags_norm) AS t FROM posts "
           f"WHERE {TAGGED}{w}) WHERE t <> ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?")
    return _fig("cotags", store, sql, [fold_tag(tag), *p, fold_tag(tag), top], "hashtags")


def search(store: Any, query: str, *, limit: int = 20, offset: int = 0, tag: str | None = None,
           since: datetime | None = None, until: datetime | None = None, **_: Any) -> Figure:
    w, p = _where(since, until)
    cond = "text ILIKE ?" + (f" AND {TAGGED}" if tag else "") + w
    params = [f"%{query}%", *([fold_tag(tag)] if tag else []), *p]
    total = store.sql(f"SELECT count(*) FROM posts WHERE {cond}", params).column(0)[0].as_py()
    sql = (f"SELECT id AS post_id, author_handle AS author, created_at, text, 1.0 AS score, platform FROM posts "
           f"WHERE {cond} ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
    fig = _fig("search", store, sql, [*params, limit, offset], "hits")
    fig.data = {"total": total, "hits": fig.data["hits"]}
    return fig


FAKES = {"count": count, "trend": trend, "origin": origin, "notables": notables, "cotags": cotags, "search": search}
