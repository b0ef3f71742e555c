"""trend: uses of one or more tags per time bucket, on one axis, empty buckets as zero."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from ..engines import engine_for
from . import buckets, rules
from .figure import Figure
from .meta import declare, pick
from .plan import Plan

META = declare(
    "trend",
    "Trend of tags over time",
    "Posts per minute, hour, day or week for each tag on one time axis (several tags = a comparison).",
    pick(
        "since", "until", "tz", "no_reposts", "platform",
        every="Bucket width: minute, hour, day or week (weeks start on Monday).",
        cumulative="Give running totals instead of counts per bucket.",
    ),
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
    rollup: bool = True,
) -> Figure:
    """Per-bucket (or cumulative) uses of TAGS; buckets are local to TZ when given, starts in UTC."""
    names = list(dict.fromkeys(rules.tag(t) for t in ([tags] if isinstance(tags, str) else tags)))
    if not names:
        raise ValueError("Give at least one hashtag.")
    buckets.check(every)
    zone = rules.zone(tz)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    rel, col = rules.time_relation(f, every, zone)
    bexpr, bparams = buckets.sql(col, every, zone)
    where, wparams = f.rel_where(names, time_col=col)
    sql = f"""
SELECT tag AS hashtag, {bexpr} AS bucket, CAST(sum(n) AS BIGINT) AS count
FROM {rel}
WHERE {where}
GROUP BY 1, 2
ORDER BY 2, 1"""
    exact = rules.on_minute(f.since) and rules.on_minute(f.until)
    plan = Plan(sql, bparams + wparams, (rel,), names, f, scan=not exact)
    table, queries = engine_for(store).run(plan, rollup=rollup)
    got = {(r["hashtag"], r["bucket"]): int(r["count"]) for r in table.to_pylist()}
    seen = sorted({b for _, b in got})
    if f.since is not None or f.until is not None or seen:
        start = f.since if f.since is not None else seen[0]
        if f.until is not None:
            ticks = buckets.axis(start, f.until, every, zone, inclusive=False)
        else:
            ticks = buckets.axis(start, seen[-1], every, zone, inclusive=True) if seen else []
    else:
        ticks = []
    ticks = sorted(set(ticks) | set(seen))
    rows = []
    for name in names:
        total = 0
        for b in ticks:
            n = got.get((name, b), 0)
            total += n
            rows.append({"hashtag": name, "bucket": b, "count": total if cumulative else n, "new": n})
    out = pa.Table.from_pylist(
        rows, schema=pa.schema([("hashtag", pa.string()), ("bucket", pa.timestamp("us")), ("count", pa.int64()), ("new", pa.int64())])
    )
    data = {
        "series": [{"hashtag": r["hashtag"], "bucket": rules.iso(r["bucket"]), "count": r["count"]} for r in rows],
        "every": every,
        "tz": zone.key if zone else "UTC",
        "cumulative": cumulative,
        **f.describe(),
    }
    meta = {"filters": f.describe(), "hashtags": names, "width": str(buckets.STEP[every]) if every != "week" else str(timedelta(weeks=1))}
    return Figure("trend", out, data, queries, rules.RULE, meta)
