"""notables: accounts that used a tag, ranked by followers, reach or engagement."""

from __future__ import annotations

from datetime import datetime

from ..engines import Plan, engine_for
from . import rules
from .figure import Figure
from .meta import declare, pick

RANKS = {
    "followers": "a.followers",
    "reach": "t.reach",
    "engagement": "t.engagement",
}
DEFINITIONS = (
    "followers: the account's follower count as of its latest post in the store that records one; "
    "reach: the sum of follower counts recorded with each of its posts using the tag (potential views); "
    "engagement: likes + reposts + replies + quotes of its own posts using the tag (reposts earn none)."
)

META = declare(
    "notables",
    "Notable accounts using a tag",
    "Accounts that used the tag, ranked by followers, reach or engagement.",
    pick("since", "until", "tz", "no_reposts", "platform", by="Rank by followers, reach or engagement.", top="Rows."),
)


def notables(
    store,
    tag: str,
    *,
    by: str = "followers",
    top: int = 20,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
) -> Figure:
    """The TOP accounts using TAG ranked BY followers | reach | engagement."""
    if by not in RANKS:
        raise ValueError(f"Use --by followers, reach or engagement (got {by!r}).")
    t = rules.tag(tag)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.rel_where([t])
    sql = f"""
SELECT a.author_handle AS author, a.followers AS followers, t.posts, t.reach, t.engagement,
       a.author_name AS name, a.verified, t.platform, t.author_key AS author_id
FROM (SELECT platform, author_key, CAST(sum(posts) AS BIGINT) AS posts, CAST(sum(reach) AS BIGINT) AS reach,
             CAST(sum(engagement) AS BIGINT) AS engagement
      FROM tag_authors
      WHERE {where}
      GROUP BY platform, author_key) AS t
JOIN authors AS a ON a.platform = t.platform AND a.author_key = t.author_key
ORDER BY {RANKS[by]} DESC NULLS LAST, t.posts DESC, t.platform, t.author_key
LIMIT ?"""
    plan = Plan(sql, [*params, top], ("tag_authors", "authors"), [t], f, scan=f.windowed)
    table, queries = engine_for(store).run(plan, rollup=rollup)
    rows = table.to_pylist()
    data = {"hashtag": t, "by": by, "accounts": rows, "definitions": DEFINITIONS, **f.describe()}
    return Figure("notables", table, data, queries, rules.RULE + " " + DEFINITIONS, {"filters": f.describe()})
