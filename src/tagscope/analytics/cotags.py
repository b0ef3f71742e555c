"""cotags: hashtags used together with a tag (the sub-topics a campaign sparked)."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import rules
from .figure import Figure
from .registry import Page, Section, declare

META = declare(
    "cotags",
    "Hashtags used with a tag",
    "Other hashtags in the posts using the tag, most used first; count = posts holding both.",
    ("tag", "top", "since", "until", "tz", "no_reposts", "platform"),
    help="List the hashtags used together with a tag, most used first.",
    module=__name__,
    order=70,
    heading="Hashtags used with #{hashtag}",
    api=("tag", "since", "until", "platform", "top"),
    api_summary="Hashtags used together with the tag, most used first.",
    page=Page("Co-hashtags", "Which other hashtags travelled with it? Most used first."),
    section=Section("Co-hashtags", "Which other hashtags travelled with it?"),
)


def cotags(
    store,
    tag: str,
    *,
    top: int = 20,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """The TOP hashtags co-occurring with TAG, by posts holding both."""
    t = rules.tag(tag)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.rel_where([t])
    sql = f"""
SELECT cotag AS hashtag, CAST(sum(n) AS BIGINT) AS count
FROM tag_pairs
WHERE {where}
GROUP BY cotag
ORDER BY count DESC, hashtag
LIMIT ?"""
    plan = Plan(sql, [*params, rules.cap(top)], ("tag_pairs",), [t], f, scan=f.windowed)
    table, queries = engine_for(store, engine).run(plan, rollup=rollup)
    table = table.cast(pa.schema([("hashtag", pa.string()), ("count", pa.int64())]))
    data = {"hashtag": t, "hashtags": table.to_pylist(), **f.describe()}
    return Figure("cotags", table, data, queries, rules.RULE + " A co-tag's count is the posts using both tags.", {"filters": f.describe()})
