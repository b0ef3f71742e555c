"""velocity: how fast a tag spread: time to 1k/10k/100k/1M uses, peak, burst, half-life of decay."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import buckets, burst, rules
from .figure import Figure
from .registry import Option, Page, Section, declare

MILESTONES = (1_000, 10_000, 100_000, 1_000_000)
RULE = (
    "Milestones are exact to the minute (the minute in which the Nth use was posted), counted from the "
    "first use. Peak: the bucket with most uses. Burst: Kleinberg's two-state automaton (KDD 2002) on "
    "bucket counts, s=2, gamma=1. Half-life: from the peak bucket to the first later bucket with at most "
    "half the peak's uses."
)

META = declare(
    "velocity",
    "Speed of a tag",
    "Time to 1k/10k/100k/1M uses, peak bucket and rate, Kleinberg burst start and end, half-life of the decay.",
    ("tag", Option("every", default="hour", help="Bucket for peak, burst and half-life.", api=None),
     "since", "until", "tz", "no_reposts", "platform"),
    help="Measure how fast a tag spread: milestones, peak, burst, half-life.",
    module=__name__,
    order=40,
    heading="Velocity of #{hashtag}",
    api=("tag", "since", "until", "platform", "top"),
    api_summary="Time to 1k/10k/100k/1M uses, peak bucket and rate, burst start and end, half-life.",
    page=Page("Velocity", "How fast did it spread, when did it peak, and how fast did it fade?", menu_order=93),
    section=Section("Velocity and lifecycle", "How fast did it spread, when did it peak, how fast did it fade?"),
)


def velocity(
    store,
    tag: str,
    *,
    every: str = "hour",
    milestones: tuple[int, ...] = MILESTONES,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """Milestones, peak, burst and half-life of TAG (buckets of width EVERY, local to TZ)."""
    t = rules.tag(tag)
    buckets.check(every)
    zone = rules.zone(tz)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.rel_where([t], time_col="minute")
    sql = f"""
SELECT minute, CAST(sum(n) AS BIGINT) AS n
FROM tag_minutes
WHERE {where}
GROUP BY minute
ORDER BY minute"""
    exact = rules.on_minute(f.since) and rules.on_minute(f.until)
    eng = engine_for(store, engine)
    minutes, queries = eng.run(Plan(sql, params, ("tag_minutes",), [t], f, scan=not exact), rollup=rollup)
    first_sql = f"SELECT min(created_at) AS first_use FROM tag_first WHERE {f.rel_where([t])[0]}"
    first_params = f.rel_where([t])[1]
    if f.windowed:
        first_plan = Plan(first_sql, first_params, ("tag_first",), [t], f, scan=True, k=1)
    else:
        first_plan = Plan(first_sql, first_params, ("tag_first",), [t], f)
    ft, q = eng.run(first_plan, rollup=rollup)
    queries += q
    first_use = ft.column("first_use")[0].as_py()
    mins = [(r["minute"], int(r["n"])) for r in minutes.to_pylist()]
    total = sum(n for _, n in mins)

    reached: list[dict] = []
    run, i = 0, 0
    for m in sorted(milestones):
        while i < len(mins) and run < m:
            run += mins[i][1]
            i += 1
        hit = mins[i - 1][0] if run >= m and i else None
        reached.append({
            "uses": m,
            "reached_at": rules.iso(hit),
            "after_seconds": int((hit - rules.floor_minute(first_use)).total_seconds()) if hit and first_use else None,
        })

    per: dict[datetime, int] = {}
    for m, n in mins:
        b = buckets.trunc(m, every, zone)
        per[b] = per.get(b, 0) + n
    ticks = buckets.axis(min(per), max(per), every, zone, inclusive=True) if per else []
    counts = [per.get(b, 0) for b in ticks]
    peak = burst_info = None
    half_life = None
    bursts: list[dict] = []
    if counts:
        p = max(range(len(counts)), key=lambda k: (counts[k], -k))
        width = _width(ticks, p, every, zone)
        peak = {"bucket": rules.iso(ticks[p]), "count": counts[p], "per_hour": counts[p] / (width.total_seconds() / 3600)}
        for j in range(p + 1, len(counts)):
            if counts[j] * 2 <= counts[p]:
                half_life = int((ticks[j] - ticks[p]).total_seconds())
                break
        path = burst.states(counts)
        for a, b in burst.runs(path):
            end = ticks[b] + _width(ticks, b, every, zone)
            bursts.append({"start": rules.iso(ticks[a]), "end": rules.iso(end), "count": sum(counts[a : b + 1])})
        main = [x for x, (a, b) in zip(bursts, burst.runs(path), strict=True) if a <= p <= b]
        burst_info = main[0] if main else (max(bursts, key=lambda x: x["count"]) if bursts else None)
    data = {
        "hashtag": t,
        "count": total,
        "first_use": rules.iso(first_use),
        "milestones": reached,
        "peak": peak,
        "burst": burst_info,
        "bursts": bursts,
        "half_life_seconds": half_life,
        "every": every,
        **f.describe(),
    }
    rows = [("uses", f"{total:,}"), ("first use", data["first_use"] or "-")]
    rows += [(f"{r['uses']:,} uses", f"{r['reached_at']} (after {_span(r['after_seconds'])})" if r["reached_at"] else "not reached") for r in reached]
    if peak:
        rows.append((f"peak {every}", f"{peak['bucket']}: {peak['count']:,} uses ({peak['per_hour']:,.0f}/hour)"))
    rows.append(("burst", f"{burst_info['start']} to {burst_info['end']} ({burst_info['count']:,} uses)" if burst_info else "none"))
    rows.append(("half-life", _span(half_life) if half_life is not None else "not reached"))
    table = pa.table({"metric": [r[0] for r in rows], "value": [r[1] for r in rows]})
    return Figure("velocity", table, data, queries, rules.RULE + " " + RULE, {"filters": f.describe()},
                  raw=_raw(data))


def _raw(data: dict) -> pa.Table:
    """The table's facts as raw values (for CSV): the table's values are prose such as "(after 8h 58m)"."""
    peak, b = data["peak"] or {}, data["burst"] or {}
    rows = [("uses", data["count"], None, None, None, None), ("first_use", None, data["first_use"], None, None, None)]
    rows += [("milestone", r["uses"], r["reached_at"], None, r["after_seconds"], None) for r in data["milestones"]]
    rows.append(("peak", peak.get("count"), peak.get("bucket"), None, None, peak.get("per_hour")))
    rows.append(("burst", b.get("count"), b.get("start"), b.get("end"), None, None))
    rows.append(("half_life", None, None, None, data["half_life_seconds"], None))
    names = ("metric", "uses", "at", "end", "seconds", "per_hour")
    types = (pa.string(), pa.int64(), pa.string(), pa.string(), pa.int64(), pa.float64())
    return pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t) in enumerate(zip(names, types, strict=True))})


def _width(ticks: list[datetime], i: int, every: str, zone) -> timedelta:
    if i + 1 < len(ticks):
        return ticks[i + 1] - ticks[i]
    nxt = buckets.trunc(ticks[i] + buckets.STEP[every] + timedelta(hours=2 if every in ("day", "week") else 0), every, zone)
    return nxt - ticks[i] if nxt > ticks[i] else buckets.STEP[every]


def _span(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    d, rest = divmod(int(seconds), 86400)
    h, rest = divmod(rest, 3600)
    m = rest // 60
    return (f"{d}d " if d else "") + f"{h}h {m:02d}m"
