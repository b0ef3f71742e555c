"""notables: accounts that used a tag, ranked by followers, reach or engagement."""

from __future__ import annotations

from datetime import datetime

from ..engines import engine_for
from ..engines.plan import Plan
from . import rules
from .figure import Figure
from .registry import Option, Page, Section, declare

RANKS = ("followers", "reach", "engagement")
DEFINITIONS = (
    "followers: the account's follower count as of its latest post in the store that records one; "
    "reach: the sum of follower counts recorded with each of its posts using the tag (potential views); "
    "engagement: likes + reposts + replies + quotes of its own posts using the tag (reposts earn none)."
)

META = declare(
    "notables",
    "Notable accounts using a tag",
    "Accounts that used the tag, ranked by followers, reach or engagement.",
    ("tag", Option("by", default="followers", help="followers, reach or engagement.", api=None), "top",
     "since", "until", "tz", "no_reposts", "platform"),
    help="Rank the accounts that used a tag by followers, reach or engagement.",
    module=__name__,
    order=50,
    heading="Accounts using #{hashtag}, by {by}",
    api=("tag", "since", "until", "platform", "top"),
    api_summary="Accounts that used the tag, ranked (followers as of their latest post in the store).",
    page=Page("Notable accounts", "Which prominent accounts used the tag? Ranked by followers as of their latest post.",
                menu="Notables"),
    section=Section("Notable accounts", "Which prominent accounts joined?"),
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
    engine: str | None = None,
) -> Figure:
    """The TOP accounts using TAG ranked BY followers | reach | engagement."""
    if by not in RANKS:
        raise ValueError(f"Use --by followers, reach or engagement (got {by!r}).")
    t = rules.tag(tag)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    conds, params = ["tag = ?"], [t]
    if f.platform:
        conds.append("platform = ?")
        params.append(f.platform)
    posts, reach = "posts", "reach"
    if f.no_reposts:  # tag_accounts keeps repost posts and reach apart so this needs no regrouping
        posts, reach = "posts - reposts", "reach - repost_reach"
        conds.append("posts > reposts")
    sql = f"""
SELECT author, followers, posts, reach, engagement, name, verified, platform, author_id
FROM (SELECT author_handle AS author, followers, CAST({posts} AS BIGINT) AS posts, CAST({reach} AS BIGINT) AS reach,
             CAST(engagement AS BIGINT) AS engagement, author_name AS name, verified, platform, author_key AS author_id
      FROM tag_accounts
      WHERE {" AND ".join(conds)}) AS a
ORDER BY {by} DESC NULLS LAST, posts DESC, platform, author_id
LIMIT ?"""
    plan = Plan(sql, [*params, rules.cap(top)], ("tag_accounts",), [t], f, scan=f.windowed)
    table, queries = engine_for(store, engine).run(plan, rollup=rollup)
    rows = table.to_pylist()
    data = {"hashtag": t, "by": by, "accounts": rows, "definitions": DEFINITIONS, **f.describe()}
    return Figure("notables", table, data, queries, rules.RULE + " " + DEFINITIONS, {"filters": f.describe()})
