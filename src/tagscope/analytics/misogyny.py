"""misogyny: how often posts are labelled sexist, by hashtag, by community and by author group.

Rates are exact counts over labelled posts with 95% Wilson intervals, so a subreddit with 12
labelled posts shows how little it says. Author groups are follower bands (the audience an
author had), a grouping every platform in the store has. Needs labels: run
``tagscope classify --models sexism`` first.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..classify import labels as label_store
from ..classify.intervals import wilson
from ..engines import engine_for
from ..engines.plan import Plan
from . import rules
from .figure import Figure
from .registry import Option, Page, Section, declare

META = declare(
    "misogyny",
    "Rate misogyny by hashtag, community and author group",
    "Share of labelled posts the sexism model calls sexist, per hashtag, community and follower band, with 95% intervals.",
    (
        Option("tag", help="Only posts using this hashtag.", tag=True,
               api_help="Only posts using this hashtag (default: every post)."),
        Option("model", default="sexism", help="Model whose labels count."),
        Option("positive", default="sexist", help="Label that counts."),
        Option("top", int, 20, "Groups to list per dimension.", min=0, api_min=1, api_max=1000),
        Option("min_posts", int, 1, "Leave out groups with fewer labelled posts.", min=0, api_min=0),
        "since", "until", "platform",
    ),
    help="Rate misogyny by hashtag, community and author group, with 95% confidence intervals.",
    module=__name__,
    order=120,
    rollup=False,
    labels=True,
    heading="misogyny",
    columns={
        "by": "{dimension}", "group": "{group}", "posts": "{posts}", "labelled": "{labelled}",
        "positive": "{positive}", "rate [95% CI]": "{rate} [{low}-{high}]",
    },
    api=("tag", "model", "positive", "top", "min_posts", "since", "until", "platform"),
    api_summary="Rate of a label by hashtag, community and follower band, with 95% intervals",
    page=Page("Misogyny", "What share of posts did the classifier label misogynistic? (Needs `tagscope classify`.)"),
    section=Section("Misogyny", "What share of posts did the classifier label sexist, by hashtag, community and "
                                "follower band?"),
)

DIMENSIONS = ("hashtag", "community", "author_group")
AUTHOR_GROUP = """CASE
    WHEN p.author_followers IS NULL THEN 'followers unknown'
    WHEN p.author_followers < 100 THEN 'followers 0-99'
    WHEN p.author_followers < 1000 THEN 'followers 100-999'
    WHEN p.author_followers < 10000 THEN 'followers 1,000-9,999'
    WHEN p.author_followers < 100000 THEN 'followers 10,000-99,999'
    ELSE 'followers 100,000+' END"""
GROUP_SQL = {
    "hashtag": "unnest(p.hashtags_norm)",
    "community": "coalesce(p.community, '(none)')",
    "author_group": AUTHOR_GROUP,
}
RULE = (
    "Rate = posts whose current label from the model is the positive label / posts in the group with a label "
    "from that model (unlabelled posts are left out and shown as 'unlabelled'). A post counts once per hashtag it "
    "uses, in its community (subreddit, instance; '(none)' when unknown) and in its author's follower band at "
    "posting time. 95% Wilson intervals. " + rules.RULE
)
_SCHEMA = pa.schema([
    ("dimension", pa.string()), ("group", pa.string()), ("posts", pa.int64()), ("labelled", pa.int64()),
    ("positive", pa.int64()), ("rate", pa.float64()), ("low", pa.float64()), ("high", pa.float64()),
])


def misogyny(
    store,
    *,
    tag: str | None = None,
    model: str = "sexism",
    positive: str = "sexist",
    by: tuple[str, ...] | list[str] = DIMENSIONS,
    top: int = 20,
    min_posts: int = 1,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    engine: str | None = None,
) -> Figure:
    """Rates of POSITIVE labels from MODEL per hashtag, community and author group."""
    for d in by:
        if d not in GROUP_SQL:
            raise ValueError(f"Use --by among {', '.join(DIMENSIONS)} (got {d!r}).")
    label_store.check(model, positive)  # a misspelt name would match no label: a plausible 0 %
    tags = [rules.tag(tag)] if tag else []
    f = rules.Filters.of(since, until, None, no_reposts, platform)
    where, wparams = f.post_where(tags)
    scope = f"(SELECT * FROM posts {where})"
    eng = engine_for(store, engine)
    queries: list[tuple[str, list]] = []
    rows: list[dict] = []
    overall_sql = f"""
SELECT count(*) AS posts, count(l.label) AS labelled, count(*) FILTER (WHERE l.label = ?) AS positive
FROM {scope} p
LEFT JOIN labels l ON l.platform = p.platform AND l.id = p.id AND l.model = ?"""
    params = [positive, *wparams, model]
    o, q = eng.run(Plan(overall_sql, params, ("labels",), scan=True), rollup=False)
    queries += q
    overall = _rate("all", "all posts", *(int(v) for v in o.to_pylist()[0].values()))
    for dim in by:
        sql = f"""
SELECT grp, count(*) AS posts, count(label) AS labelled, count(*) FILTER (WHERE label = ?) AS positive
FROM (
    SELECT {GROUP_SQL[dim]} AS grp, l.label
    FROM {scope} p
    LEFT JOIN labels l ON l.platform = p.platform AND l.id = p.id AND l.model = ?
)
GROUP BY grp
HAVING count(label) >= ?
ORDER BY labelled DESC, grp
LIMIT ?"""
        params = [positive, *wparams, model, int(min_posts), int(top)]
        got, q = eng.run(Plan(sql, params, ("labels",), scan=True), rollup=False)
        queries += q
        for r in got.to_pylist():
            rows.append(_rate(dim, str(r["grp"]), int(r["posts"]), int(r["labelled"]), int(r["positive"])))
    table = pa.Table.from_pylist([overall, *rows], schema=_SCHEMA)
    data = {
        "model": model,
        "positive": positive,
        "hashtag": tags[0] if tags else None,
        "overall": overall,
        "groups": {d: [r for r in rows if r["dimension"] == d] for d in by},
        **f.describe(),
    }
    meta: dict = {"filters": f.describe()}
    if overall["labelled"] == 0 and overall["posts"]:
        meta["caveat"] = f"No post has a {model} label yet: run `tagscope classify --models {model}`."
    return Figure("misogyny", table, data, queries, RULE, meta)


def _rate(dim: str, group: str, posts: int, labelled: int, positive: int) -> dict:
    lo, hi = wilson(positive, labelled)
    return {"dimension": dim, "group": group, "posts": posts, "labelled": labelled, "positive": positive,
            "rate": positive / labelled if labelled else None, "low": lo, "high": hi}
