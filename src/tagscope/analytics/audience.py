"""audience: the accounts using a tag, grouped by the pronouns they declare in their bio.

Never guesses gender from names or photos: only a pronoun set written in the bio counts. The rule:
the bio (as of the account's latest post in the store), lower-cased, is searched for the first
``X/Y`` pronoun pair where X is she, he or they ("she/her", "(he/him)", "they/them", "she/they",
"pronouns: he/they"); X decides the group, so "she/they" is she and "they/she" is they. Accounts
with no such pair (or no bio) are "none".
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import rules
from .figure import Figure
from .registry import Page, Section, declare

GROUPS = ("she", "he", "they", "none")
PATTERN = r"(^|[^a-z])(she|he|they)\s*/\s*(her|hers|him|his|them|theirs|she|he|they|xe|ze|it)([^a-z]|$)"
RULE = (
    "Pronouns are read from the bio as of the account's latest post: the first she/…, he/… or they/… pair "
    "decides (she/they counts as she); no pair, no bio: none. Gender is never guessed from names."
)

META = declare(
    "audience",
    "Who used a tag, by declared pronouns",
    "Accounts using the tag grouped by the pronouns in their bio (she/he/they/none); never guessed from names.",
    ("tag", "since", "until", "tz", "no_reposts", "platform"),
    help="Group the accounts using a tag by the pronouns declared in their bio.",
    module=__name__,
    order=60,
    heading="{authors:,} accounts using #{hashtag}, by declared pronouns",
    api=("tag", "since", "until", "platform", "top"),
    api_summary="Authors by the pronouns they declare in their bio (never guessed from names).",
    page=Page("Audience", "Who posted, by the pronouns they declare in their bio? Never guessed from names.",
                menu_order=91),  # the menu has always listed it after variants
    section=Section("Audience by self-declared pronouns",
                    "Who posted, by the pronouns they state in their bio (never guessed from names)?"),
)


def audience(
    store,
    tag: str,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """Accounts (and their posts) using TAG per declared pronoun group."""
    t = rules.tag(tag)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    conds, params = ["tag = ?"], [t]
    if f.platform:
        conds.append("platform = ?")
        params.append(f.platform)
    posts = "posts - reposts" if f.no_reposts else "posts"
    if f.no_reposts:
        conds.append("posts > reposts")
    sql = f"""
SELECT pronouns, CAST(count(*) AS BIGINT) AS authors, CAST(sum(posts) AS BIGINT) AS posts
FROM (SELECT coalesce(nullif(regexp_extract(lower(author_bio), '{PATTERN}', 2), ''), 'none') AS pronouns, {posts} AS posts
      FROM tag_accounts
      WHERE {" AND ".join(conds)}) AS g
GROUP BY pronouns"""
    plan = Plan(sql, params, ("tag_accounts",), [t], f, scan=f.windowed)
    table, queries = engine_for(store, engine).run(plan, rollup=rollup)
    got = {r["pronouns"]: r for r in table.to_pylist()}
    total = sum(int(r["authors"]) for r in got.values())
    rows = []
    for g in GROUPS:
        r = got.get(g, {})
        n = int(r.get("authors") or 0)
        rows.append({"pronouns": g, "authors": n, "posts": int(r.get("posts") or 0), "share": (n / total) if total else 0.0})
    out = pa.Table.from_pylist(rows)
    data = {"hashtag": t, "groups": rows, "authors": total, "by_pronouns": {r["pronouns"]: r["authors"] for r in rows},
            **f.describe()}
    return Figure("audience", out, data, queries, rules.RULE + " " + RULE, {"filters": f.describe()})
