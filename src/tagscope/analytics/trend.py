"""trend: uses of one or more tags per time bucket, on one axis, empty buckets as zero."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import buckets, labelled, rules
from .figure import Figure
from .registry import EVERY, REQUIRED, Option, Section, declare

META = declare(
    "trend",
    "Trend of tags over time",
    "Posts per minute, hour, day or week for each tag on one time axis (several tags = a comparison).",
    (
        Option("tags", default=REQUIRED, help="One or more hashtags (several = a comparison).", repeatable=True,
               argument=True, tag=True, api="tag", api_help="One or more hashtags (repeat the parameter to compare).",
               api_max_items=8, api_too_many="compare at most 8 tags at a time"),
        Option("every", default="day", help="minute, hour, day or week.", choices=EVERY),
        Option("cumulative", bool, False, "Running totals.", api_help="Running totals instead of uses per bucket."),
        "since", "until", "tz", "no_reposts", "platform", "where", "by",
    ),
    help="Show uses of tags per time bucket on one axis, empty buckets as zero.",
    module=__name__,
    order=20,
    heading=lambda fig: (f"Posts per {fig.data['every']} ({fig.data['tz']} buckets, starts in UTC): "
                         + ", ".join("#" + t for t in fig.meta["hashtags"])),
    api=("tags", "every", "cumulative", "tz", "since", "until", "platform", "where", "by"),
    api_summary="Uses per time bucket for one or more tags",
    section=Section("Volume over time", "How many posts used the tag, and when?"),
)


def trend(
    store,
    tags: str | list[str],
    *,
    every: str = "day",
    cumulative: bool = False,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    where: str | list[str] | None = None,
    by: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """Per-bucket (or cumulative) uses of TAGS; buckets are local to TZ when given, starts in UTC.

    ``where="stance=against"`` keeps posts with that classifier label; ``by="stance"`` gives one
    series per tag and label (posts without one form the label 'unlabelled'). ``by="platform"`` or
    ``by="community"`` gives one series per platform or community (a post column, not a label)."""
    names = list(dict.fromkeys(rules.tag(t) for t in ([tags] if isinstance(tags, str) else tags)))
    if not names:
        raise ValueError("Give at least one hashtag.")
    buckets.check(every)
    zone = rules.zone(tz)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    rel, col = rules.time_relation(f, every, zone)
    # Group by the buckets' cheap keys first, then convert each bucket's start once.
    kexprs, kparams = buckets.keys(col, every, zone)
    knames = [f"k{i}" for i in range(len(kexprs))]
    sexpr, sparams = buckets.start(knames, every, zone)
    if col == "hour" and every == "hour":
        # A row of the hourly rollup is one UTC hour, and so one local hour (time_relation takes
        # it only in zones of whole-hour offsets; each pass of a repeated hour is its own).
        kexprs, kparams, knames, sexpr, sparams = [col], [], ["k0"], "k0", []
    direct = knames == [sexpr]  # UTC, minutes or hourly rollup rows: the key is the start
    if direct:
        knames = ["bucket"]
    column = by if by in labelled.POST_COLUMNS else None
    if column == "community":
        # Communities are not in the rollups (they would multiply the per-minute rows by the
        # subreddits and instances): a --by community counts from posts, with the same rules.
        rel, rel_params = _community_minutes(f, names, col)
    else:
        rel_params = []
    rwhere, wparams = f.rel_where(names, time_col=col)
    lcol = ["label"] if column else []
    kcols = ", ".join([*(f"{e} AS {k}" for e, k in zip(kexprs, knames, strict=True)),
                       *([f"{column} AS label"] if column else [])])
    groups = ", ".join(str(i + 2) for i in range(len(kexprs) + len(lcol)))
    inner = f"""SELECT tag AS hashtag, {kcols}, CAST(sum(n) AS BIGINT) AS count
FROM {rel}
WHERE {rwhere}
GROUP BY 1, {groups}"""
    if direct:
        sql = f"\n{inner}\nORDER BY 2, 1"
    else:
        outer_label = ", label" if column else ""
        sql = f"""
SELECT hashtag, {sexpr} AS bucket{outer_label}, CAST(sum(count) AS BIGINT) AS count
FROM ({inner}) AS per_key
GROUP BY 1, 2{", 3" if column else ""}
ORDER BY 2, 1"""
    bparams = sparams + kparams
    specs = ([where] if isinstance(where, str) else list(where)) if where else []
    rule = rules.RULE
    if specs or (by and not column):
        table, queries = labelled.trend(engine_for(store, engine), names, f, every, zone, specs, by)
        rule += labelled.LABEL_RULE
    else:
        exact = rules.on_minute(f.since) and rules.on_minute(f.until)
        scan = not exact or column == "community"
        plan = Plan(sql, bparams + rel_params + wparams, () if column == "community" else (rel,), names, f, scan=scan)
        table, queries = engine_for(store, engine).run(plan, rollup=rollup and column != "community")
    if column == "community":
        table = _top_communities(table)
        rule += COMMUNITY_RULE
    got = {(r["hashtag"], r.get("label"), r["bucket"]): int(r["count"]) for r in table.to_pylist()}
    seen = sorted({b for _, _, b in got})
    groups = sorted({lab for _, lab, _ in got if lab is not None}) if by else [None]
    if by and not groups:
        groups = [labelled.NO_VALUE if column else "unlabelled"]
    ticks = buckets.span(f.since, f.until, seen, every, zone)
    rows = []
    for name in names:
        for group in groups:
            total = 0
            for b in ticks:
                n = got.get((name, group, b), 0)
                total += n
                row = {"hashtag": name, "bucket": b, "count": total if cumulative else n, "new": n}
                if by:
                    row = {"hashtag": name, "label": group, **{k: v for k, v in row.items() if k != "hashtag"}}
                rows.append(row)
    fields = [("hashtag", pa.string()), ("bucket", pa.timestamp("us")), ("count", pa.int64()), ("new", pa.int64())]
    if by:
        fields.insert(1, ("label", pa.string()))
    out = pa.Table.from_pylist(rows, schema=pa.schema(fields))
    data = {
        "series": [
            {"hashtag": r["hashtag"], "bucket": rules.iso(r["bucket"]), "count": r["count"],
             **({"label": r["label"]} if by else {})}
            for r in rows
        ],
        "every": every,
        "tz": zone.key if zone else "UTC",
        "cumulative": cumulative,
        **({"where": specs} if specs else {}),
        **({"by": by} if by else {}),
        **f.describe(),
    }
    meta = {"filters": f.describe(), "hashtags": names, "width": str(buckets.STEP[every]) if every != "week" else str(timedelta(weeks=1))}
    return Figure("trend", out, data, queries, rule, meta)


TOP_COMMUNITIES = 8
COMMUNITY_RULE = (
    f" With --by community, the {TOP_COMMUNITIES} communities (subreddit, instance) with the most uses in the "
    "window are shown and the others are summed as 'other'; posts without a community form '(none)'."
)


def _community_minutes(f: rules.Filters, names: list[str], col: str) -> tuple[str, list]:
    """``tag_minutes`` (or ``tag_hours``) with a community column, computed from the posts that count
    (filters applied to posts first, so the exact window holds)."""
    where, params = f.post_where(names)
    return (f"(SELECT platform, coalesce(community, '{labelled.NO_VALUE}') AS community, tag, "
            f"date_trunc('{col}', created_at) AS {col}, kind = 'repost' AS is_repost, 1 AS n\n"
            f"      FROM (SELECT platform, community, created_at, kind, unnest(hashtags_norm) AS tag FROM posts {where}) AS u"
            ") AS community_rows"), params


def _top_communities(table: pa.Table) -> pa.Table:
    """The rows of the TOP_COMMUNITIES biggest communities; the others summed as 'other'."""
    rows = table.to_pylist()
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["label"]] = totals.get(r["label"], 0) + int(r["count"])
    keep = {lab for lab, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_COMMUNITIES]}
    merged: dict[tuple, int] = {}
    for r in rows:
        key = (r["hashtag"], r["bucket"], r["label"] if r["label"] in keep else "other")
        merged[key] = merged.get(key, 0) + int(r["count"])
    return pa.Table.from_pylist([{"hashtag": h, "bucket": b, "label": lab, "count": n}
                                 for (h, b, lab), n in merged.items()])
