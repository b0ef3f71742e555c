"""Time buckets for `count-query`: UTC pre-aggregates rolled up into local calendar buckets.

The index aggregates matches per 15 minutes (1 minute for ``--every minute``) in UTC; every real
time-zone offset is a multiple of 15 minutes, so rolling those up into local minutes, hours, days or
ISO weeks (starting Monday) is exact. Buckets are labelled by their local start time; a bucket
repeated by a daylight-saving change is merged, one skipped by it is reported as zero.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_BUCKETS = 1_000_000
EVERY = ("minute", "hour", "day", "week")
STEP = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def zone(name: str) -> timezone | ZoneInfo:
    if name.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as UTC or America/Los_Angeles") from exc


def pre_interval(every: str) -> str:
    """Interval of the UTC pre-aggregation done by the index."""
    return "1m" if every == "minute" else "15m"


def floor(local: datetime, every: str) -> datetime:
    """Start of the bucket holding a local (naive) time."""
    if every == "minute":
        return local.replace(second=0, microsecond=0)
    if every == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if every == "day":
        return day
    if every == "week":
        return day - timedelta(days=day.weekday())
    raise ValueError(f"unknown bucket {every!r}: use one of {', '.join(EVERY)}")


def to_local(utc_naive: datetime, tz: timezone | ZoneInfo) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


def label(local: datetime, tz: timezone | ZoneInfo) -> str:
    """ISO label of a bucket start: ``Z`` for UTC, else the local offset at that time."""
    if tz is UTC:
        return local.isoformat() + "Z"
    aware = local.replace(tzinfo=tz)
    return aware.isoformat()


def roll_up(
    counts: list[tuple[datetime, int]],
    every: str,
    tz: timezone | ZoneInfo,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[tuple[datetime, int]]:
    """Local buckets (start, count) from UTC (time, count) pairs, empty buckets filled with zero.

    The series runs from the bucket of ``since`` (or of the first match) to the bucket of the last
    instant before ``until`` (or of the last match); both bounds are naive UTC.
    """
    per: Counter[datetime] = Counter()
    for t, n in counts:
        per[floor(to_local(t, tz), every)] += n
    first = floor(to_local(since, tz), every) if since else min(per, default=None)
    last = floor(to_local(until - timedelta(microseconds=1), tz), every) if until else max(per, default=None)
    if first is None or last is None:
        return []
    n = (last - first) // STEP[every] + 1
    if n > MAX_BUCKETS:
        raise ValueError(f"{n:,} {every} buckets is too many: use a larger --every or narrow --since/--until")
    return [(first + i * STEP[every], per.get(first + i * STEP[every], 0)) for i in range(max(n, 0))]
