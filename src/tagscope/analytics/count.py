"""count: how many posts used a tag (the "tweeted N times" of the 2014 articles)."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import labelled, rules
from .figure import Figure
from .registry import declare

META = declare(
    "count",
    "Count posts using a tag",
    "Posts whose own text has the tag, reposts included unless --no-reposts, in a half-open window.",
    ("tag", "since", "until", "tz", "no_reposts", "platform", "where"),
    help="Count posts using a tag (reposts included unless --no-reposts).",
    module=__name__,
    order=10,
    heading="Posts using #{hashtag}",
    api=("tag", "since", "until", "no_reposts", "platform", "where"),
    api_summary="Posts using a tag",
)


def count(
    store,
    tag: str,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    where: str | list[str] | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """Posts using TAG; ``where="stance=against"`` keeps posts with that classifier label.

    ``rollup=False`` forces a scan of posts (to check the rollups)."""
    t = rules.tag(tag)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    if where:
        specs = [where] if isinstance(where, str) else list(where)
        n, reposts, queries = labelled.count(engine_for(store, engine), t, f, specs)
        out = pa.table({"hashtag": [t], "count": [n], "reposts": [reposts], "originals": [n - reposts]})
        data = {"hashtag": t, "count": n, "reposts": reposts, "where": specs, **f.describe()}
        return Figure("count", out, data, queries, rules.RULE + labelled.LABEL_RULE, {"filters": f.describe()})
    rel, col = rules.time_relation(f)
    where, params = f.rel_where([t], time_col=col)
    sql = f"""
SELECT CAST(coalesce(sum(n), 0) AS BIGINT) AS count,
       CAST(coalesce(sum(CASE WHEN is_repost THEN n ELSE 0 END), 0) AS BIGINT) AS reposts
FROM {rel}
WHERE {where}"""
    exact = rules.on_minute(f.since) and rules.on_minute(f.until)
    plan = Plan(sql, params, (rel,), [t], f, scan=not exact)
    table, queries = engine_for(store, engine).run(plan, rollup=rollup)
    row = table.to_pylist()[0]
    n, reposts = int(row["count"]), int(row["reposts"])
    out = pa.table({"hashtag": [t], "count": [n], "reposts": [reposts], "originals": [n - reposts]})
    data = {"hashtag": t, "count": n, "reposts": reposts, **f.describe()}
    return Figure("count", out, data, queries, rules.RULE, {"filters": f.describe()})
