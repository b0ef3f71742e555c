"""backlash: how much of a campaign's conversation pushed against it, bucket by bucket.

Two measures, both exact counts over the store: the share of the tag's posts that the stance
model labels ``against`` (among the tag's labelled posts), and the share of posts using a
counter-hashtag (``--counter``, e.g. notallmen for yesallwomen) among all posts using the tag or a
counter-hashtag. Needs stance labels: run ``tagscope classify --models stance`` first.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..classify.intervals import wilson
from ..engines import engine_for
from ..engines.plan import Plan
from . import buckets, rules
from .figure import Figure
from .registry import EVERY, Option, Page, Section, declare

META = declare(
    "backlash",
    "Measure the backlash against a campaign",
    "Share of the tag's posts labelled against by the stance model, and share of counter-hashtag posts, per bucket.",
    (
        "tag",
        Option("counter", help="Counter-hashtag (repeatable), e.g. notallmen.", repeatable=True, tag=True,
               api_help="Counter-hashtag (repeat the parameter for several), e.g. notallmen.",
               api_max_items=8, api_too_many="give at most 8 counter-hashtags"),
        Option("every", default="day", help="Bucket: minute, hour, day or week.", choices=EVERY,
               api_help="minute, hour, day or week."),
        "since", "until", "no_reposts", "platform",
    ),
    help="Measure backlash: share of against-stance posts and of counter-hashtag posts over time.",
    module=__name__,
    order=110,
    rollup=False,
    labels=True,
    heading="backlash",
    columns={
        "bucket (UTC)": "{bucket}", "posts": "{posts}", "labelled": "{labelled}", "against": "{against}",
        "against share [95% CI]": "{against_share} [{against_low}-{against_high}]",
        "counter posts": "{counter_posts}", "counter share [95% CI]": "{counter_share} [{counter_low}-{counter_high}]",
    },
    api=("tag", "counter", "every", "since", "until", "no_reposts", "platform"),
    api_summary="Against-stance and counter-hashtag shares per bucket, with 95% intervals",
    page=Page("Backlash", "How much of the conversation was against it, and how much used counter-hashtags? "
                          "(Needs `tagscope classify`.)"),
    section=Section("Stance and backlash", "How much of it was support, and how much backlash?"),
)

RULE = (
    "Against share = posts using the tag whose current stance label is 'against' / posts using the tag that "
    "have a stance label (unlabelled posts are left out, and counted in 'unlabelled'). Counter share = posts "
    "using a counter-hashtag / posts using the tag or a counter-hashtag (a post with both counts in both). "
    "95% Wilson intervals. " + rules.RULE
)


def backlash(
    store,
    tag: str,
    *,
    counter: list[str] | tuple[str, ...] = (),
    every: str = "day",
    model: str = "stance",
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    engine: str | None = None,
) -> Figure:
    """Against-stance share and counter-hashtag share of TAG's conversation per bucket."""
    t = rules.tag(tag)
    counters = [rules.tag(c) for c in counter]
    buckets.check(every)
    f = rules.Filters.of(since, until, None, no_reposts, platform)
    where, wparams = f.post_where([t, *counters])
    sql = f"""
WITH scope AS (
    SELECT platform, id, date_trunc('{every}', created_at) AS bucket,
           list_contains(hashtags_norm, ?) AS uses_tag,
           list_has_any(hashtags_norm, CAST(? AS VARCHAR[])) AS uses_counter
    FROM posts
    {where}
)
SELECT s.bucket,
       count(*) FILTER (WHERE s.uses_tag) AS posts,
       count(l.label) FILTER (WHERE s.uses_tag) AS labelled,
       count(*) FILTER (WHERE s.uses_tag AND l.label = 'against') AS against,
       count(*) FILTER (WHERE s.uses_tag AND l.label = 'favor') AS favor,
       count(*) FILTER (WHERE s.uses_counter) AS counter_posts,
       count(*) AS conversation
FROM scope s
LEFT JOIN labels l ON l.platform = s.platform AND l.id = s.id AND l.model = ?
GROUP BY s.bucket
ORDER BY s.bucket"""
    params = [t, counters, *wparams, model]
    table, queries = engine_for(store, engine).run(Plan(sql, params, ("labels",), scan=True), rollup=False)
    rows = table.to_pylist()
    out_rows = [_shares(r) for r in rows]
    total = _shares({
        "bucket": None,
        **{k: sum(int(r[k]) for r in rows) for k in ("posts", "labelled", "against", "favor", "counter_posts", "conversation")},
    })
    table = pa.Table.from_pylist(out_rows, schema=_SCHEMA) if out_rows else _SCHEMA.empty_table()
    data = {
        "hashtag": t,
        "counter": counters,
        "every": every,
        "model": model,
        "buckets": [{**r, "bucket": rules.iso(r["bucket"])} for r in out_rows],
        "total": {k: v for k, v in total.items() if k != "bucket"},
        **f.describe(),
    }
    meta = {"filters": f.describe()}
    if total["labelled"] == 0 and total["posts"]:
        meta["caveat"] = f"No post using #{t} has a {model} label: run `tagscope classify --models {model} --tag {t}`."
    return Figure("backlash", table, data, queries, RULE, meta)


_SCHEMA = pa.schema([
    ("bucket", pa.timestamp("us")), ("posts", pa.int64()), ("labelled", pa.int64()), ("unlabelled", pa.int64()),
    ("against", pa.int64()), ("favor", pa.int64()), ("against_share", pa.float64()), ("against_low", pa.float64()),
    ("against_high", pa.float64()), ("counter_posts", pa.int64()), ("conversation", pa.int64()),
    ("counter_share", pa.float64()), ("counter_low", pa.float64()), ("counter_high", pa.float64()),
])


def _shares(r: dict) -> dict:
    posts, labelled, against = int(r["posts"]), int(r["labelled"]), int(r["against"])
    counter, conv = int(r["counter_posts"]), int(r["conversation"])
    a_lo, a_hi = wilson(against, labelled)
    c_lo, c_hi = wilson(counter, conv)
    return {
        "bucket": r["bucket"], "posts": posts, "labelled": labelled, "unlabelled": posts - labelled,
        "against": against, "favor": int(r["favor"]),
        "against_share": against / labelled if labelled else None, "against_low": a_lo, "against_high": a_hi,
        "counter_posts": counter, "conversation": conv,
        "counter_share": counter / conv if conv else None, "counter_low": c_lo, "counter_high": c_hi,
    }
