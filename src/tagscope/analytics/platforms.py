"""platforms: the platform mix of a tag: posts, reposts, authors and first use per platform and community.

Which platforms carried a campaign, and where its backlash came from: the same counting rules on
every platform (docs/analytics.md, "Counting rules per platform"), one row per platform and one per
community (subreddit, instance; posts without one form '(none)'), with the posts of the tags it is
compared with (``--compare``, e.g. the counter-hashtag notallmen) beside them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import labelled, rules
from .figure import Figure
from .registry import Option, Page, Section, declare

META = declare(
    "platforms",
    "Platform mix of a tag",
    "Posts, reposts, authors and first use of the tag per platform and per community (subreddit, instance), "
    "with the posts of compared tags (e.g. a counter-hashtag) beside them.",
    (
        "tag",
        Option("compare", help="A tag to set beside it, e.g. the counter-hashtag notallmen (repeatable).",
               repeatable=True, tag=True, api_help="A tag to set beside it (repeat the parameter for several).",
               api_max_items=8, api_too_many="compare at most 8 tags at a time"),
        Option("top", int, 20, "Communities to list.", min=1, api_help="Communities to return.", api_max=1000),
        "since", "until", "tz", "no_reposts", "platform",
    ),
    help="Compare platforms: posts, reposts, authors and first use of a tag per platform and community.",
    module=__name__,
    order=45,  # after trend, origin and velocity in the report; after Trend in the menu
    heading="Platform mix of #{hashtag}",
    api=("tag", "compare", "since", "until", "no_reposts", "platform", "top"),
    api_summary="Posts, reposts, authors and first use of the tag per platform and community",
    page=Page("Platforms", "Which platforms and communities carried it, and where did the backlash come from?"),
    section=Section("Platform mix", "Which platforms carried it, and where did the backlash come from?"),
)

RULE_MORE = (
    " Per platform and community: posts using the tag (reposts included unless --no-reposts), the reposts "
    "among them, distinct authors, and the first post's time (created_at, UTC). Share: the row's posts over "
    "all posts using the tag. A compared tag's column counts the posts using that tag in the same row."
)


def platforms(
    store,
    tag: str,
    *,
    compare: list[str] | tuple[str, ...] = (),
    top: int = 20,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """TAG's posts, reposts, authors and first use per platform and per community (the TOP biggest)."""
    t = rules.tag(tag)
    others = [c for c in dict.fromkeys(rules.tag(c) for c in compare) if c != t]
    names = [t, *others]
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.rel_where(names)
    # From the per-tag community rollup (relations.tag_communities: posts per community and account):
    # no time column, so a window scans posts.
    sql = f"""
SELECT tag AS hashtag, platform, community, grouping(community) AS whole, CAST(sum(posts) AS BIGINT) AS posts,
       CAST(sum(CASE WHEN is_repost THEN posts ELSE 0 END) AS BIGINT) AS reposts,
       count(DISTINCT author_key) AS authors, min(first_at) AS first_seen
FROM (SELECT platform, tag, coalesce(community, '{labelled.NO_VALUE}') AS community, author_key, is_repost, posts,
             first_at
      FROM tag_communities WHERE {where}) AS u
GROUP BY GROUPING SETS ((tag, platform), (tag, platform, community))
ORDER BY whole DESC, posts DESC, platform, community"""
    plan = Plan(sql, params, ("tag_communities",), names, f, scan=f.windowed)
    table, queries = engine_for(store, engine).run(plan, rollup=rollup)
    got = table.to_pylist()
    main = [r for r in got if r["hashtag"] == t]
    total = sum(int(r["posts"]) for r in main if r["whole"])
    beside: dict[tuple[str, str | None], dict[str, int]] = {}
    for r in got:
        if r["hashtag"] != t:
            key = (r["platform"], None if r["whole"] else r["community"])
            beside.setdefault(key, {})[r["hashtag"]] = int(r["posts"])

    def row(r: dict[str, Any], community: bool) -> dict[str, Any]:
        key = (r["platform"], r["community"] if community else None)
        out: dict[str, Any] = {"platform": r["platform"]}
        if community:
            out["community"] = r["community"]
        posts = int(r["posts"])
        out.update(posts=posts, share=round(posts / total, 4) if total else 0.0, reposts=int(r["reposts"]),
                   authors=int(r["authors"]), first_seen=rules.iso(r["first_seen"]))
        for o in others:
            out["#" + o] = beside.get(key, {}).get(o, 0)
        return out

    per_platform = [row(r, False) for r in main if r["whole"]]
    # A platform where only a compared tag was used still gets its row (the backlash may live there alone).
    for plat in sorted({p for p, c in beside if c is None} - {r["platform"] for r in per_platform}):
        per_platform.append(row({"platform": plat, "community": None, "posts": 0, "reposts": 0, "authors": 0,
                                 "first_seen": None}, False))
    communities = [row(r, True) for r in main if not r["whole"]][: rules.cap(top)]
    data = {"hashtag": t, "compare": others, "platforms": per_platform, "communities": communities, **f.describe()}
    fields = [("platform", pa.string()), ("posts", pa.int64()), ("share", pa.float64()), ("reposts", pa.int64()),
              ("authors", pa.int64()), ("first_seen", pa.string()), *(("#" + o, pa.int64()) for o in others)]
    out = pa.Table.from_pylist(per_platform, schema=pa.schema(fields))
    return Figure("platforms", out, data, queries, rules.RULE + RULE_MORE, {"filters": f.describe()})
