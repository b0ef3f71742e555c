"""Time buckets: the SQL that assigns a post to a bucket and the Python that lists every bucket.

Buckets start at minute, hour, day or ISO week (Monday) boundaries, in UTC or in a local time
zone (a local day is 23, 24 or 25 hours long across daylight-saving changes). Bucket starts are
always given back in UTC, so every front end shows the same instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

UNITS = ("minute", "hour", "day", "week")
STEP = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def check(unit: str) -> str:
    if unit not in UNITS:
        raise ValueError(f"Use --every minute, hour, day or week (got {unit!r}).")
    return unit


def sql(col: str, unit: str, tz: ZoneInfo | None) -> tuple[str, list]:
    """SQL expression (and parameters) for the UTC start of COL's bucket."""
    check(unit)
    if tz is None:
        return f"date_trunc('{unit}', {col})", []
    local = f"timezone(?, timezone('UTC', {col}))"
    if unit in ("minute", "hour"):
        # Subtract the time since the local hour began: exact even in the repeated hour of a
        # fall-back night, where a round trip through local time would merge two hours.
        return f"{col} - ({local} - date_trunc('{unit}', {local}))", [tz.key, tz.key]
    return f"timezone('UTC', timezone(?, date_trunc('{unit}', {local})))", [tz.key, tz.key]


def trunc(dt: datetime, unit: str, tz: ZoneInfo | None) -> datetime:
    """Python twin of :func:`sql` for one naive-UTC datetime."""
    local = dt.replace(tzinfo=UTC).astimezone(tz) if tz else dt
    local = local.replace(tzinfo=None)
    if unit == "minute":
        b = local.replace(second=0, microsecond=0)
    elif unit == "hour":
        b = local.replace(minute=0, second=0, microsecond=0)
    else:
        b = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if unit == "week":
            b -= timedelta(days=b.weekday())
    if tz is None:
        return b
    return b.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


MAX_BUCKETS = 1_000_000


def span(
    since: datetime | None, until: datetime | None, seen: list[datetime], unit: str, tz: ZoneInfo | None
) -> list[datetime]:
    """The time axis of a trend or count-query: the whole window when --since/--until are given,
    else the first to the last bucket used; the buckets in SEEN (sorted) always included.

    Only --until with no uses has no start to count from, so the axis is empty (not an error)."""
    start = since if since is not None else (seen[0] if seen else None)
    end = until if until is not None else (seen[-1] if seen else None)
    if start is None or end is None:
        return list(seen)
    steps = (end - start) / (STEP[unit] if tz is None or unit == "minute" else STEP["hour"])
    if steps > MAX_BUCKETS:
        raise ValueError(
            f"That window is too long for --every {unit} (more than {MAX_BUCKETS:,} buckets to list): "
            "use a coarser --every or a narrower --since/--until."
        )
    return sorted(set(axis(start, end, unit, tz, inclusive=until is None)) | set(seen))


def axis(start: datetime, end: datetime, unit: str, tz: ZoneInfo | None, *, inclusive: bool) -> list[datetime]:
    """Every bucket start from START's bucket to END's (END excluded unless INCLUSIVE), in UTC."""
    if tz is None:
        step = STEP[unit]
        out, b = [], trunc(start, unit, None)
        while b < end or (inclusive and b == end):
            out.append(b)
            b += step
        return out
    step = STEP["minute"] if unit == "minute" else STEP["hour"]
    seen: set[datetime] = set()
    t = start
    while t < end or (inclusive and t == end):
        seen.add(trunc(t, unit, tz))
        t += step
    if inclusive:
        seen.add(trunc(end, unit, tz))
    return sorted(seen)
