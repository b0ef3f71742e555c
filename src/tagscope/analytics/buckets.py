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


MARGIN = "INTERVAL 6 HOUR"  # longer than any clock change, far shorter than the time between two


def keys(col: str, unit: str, tz: ZoneInfo | None) -> tuple[list[str], list]:
    """SQL expressions (and parameters) that tell COL's bucket apart, cheap enough for every row:
    group by them, then give each group its UTC start with :func:`start`. In UTC and for minutes
    the one key is the start itself; for local days and weeks, the local start B (a wall time);
    for local hours, B and B in the post's own offset from UTC (which pass of a repeated hour)."""
    check(unit)
    if tz is None:
        return [f"date_trunc('{unit}', {col})"], []
    local = f"timezone(?, timezone('UTC', {col}))"
    wall = f"date_trunc('{unit}', {local})"
    if unit == "minute":
        # Subtract the time since the local minute began: exact even in the repeated hour of a
        # fall-back night, where a round trip through local time would merge two minutes.
        return [f"{col} - ({local} - {wall})"], [tz.key, tz.key]
    if unit == "hour":
        # B, and COL less the time since the local hour began (B at the post's own pass, unless a
        # half-hour change came in between; an instant groups faster than an offset would).
        return [wall, f"{col} - ({local} - {wall})"], [tz.key] * 3
    return [wall], [tz.key]


def start(cols: list[str], unit: str, tz: ZoneInfo | None) -> tuple[str, list]:
    """SQL expression (and parameters) for the UTC start of the bucket whose :func:`keys` are COLS.

    A local bucket start B (wall time) can occur twice (clocks go back at B) or not at all
    (clocks jump over B). Engines resolve such a wall time differently when asked to convert it
    (DuckDB takes the later instant), so B is converted only where it is unambiguous: shifted back
    by MARGIN, converted, and the margin added back (B in the offset in force before a change at
    B), or shifted forward (the offset after it); a candidate counts when it converts back to B.
    Day and week buckets start at the earliest such instant; hour buckets at the one in the
    post's own offset (two buckets in a repeated hour), else the earliest; a skipped B at the
    moment clocks jump past it (B in the offset before the jump). As :func:`trunc` does."""
    if tz is None or unit == "minute":
        return cols[0], []
    b = cols[0]
    # As TIMESTAMP WITH TIME ZONE: adding or subtracting hours is exact.
    back = f"(timezone(?, {b} - {MARGIN}) + {MARGIN})"
    fwd = f"(timezone(?, {b} + {MARGIN}) - {MARGIN})"
    expr = (f"timezone('UTC', CASE WHEN timezone(?, {back}) = {b} THEN {back} "
            f"WHEN timezone(?, {fwd}) = {b} THEN {fwd} ELSE {back} END)")
    if unit == "hour":
        expr = f"CASE WHEN timezone(?, timezone('UTC', {cols[1]})) = {b} THEN {cols[1]} ELSE {expr} END"
    return expr, [tz.key] * expr.count("?")


def sql(col: str, unit: str, tz: ZoneInfo | None) -> tuple[str, list]:
    """SQL expression (and parameters) for the UTC start of COL's bucket, row by row (:func:`keys`
    put into :func:`start`; grouping by the keys first converts each bucket's start once)."""
    cols, _ = keys(col, unit, tz)
    expr, _ = start([f"({c})" for c in cols], unit, tz)
    return expr, [tz.key] * expr.count("?") if tz else []


def trunc(dt: datetime, unit: str, tz: ZoneInfo | None) -> datetime:
    """Python twin of :func:`sql` for one naive-UTC datetime."""
    local = dt.replace(tzinfo=UTC).astimezone(tz) if tz else dt
    local = local.replace(tzinfo=None)  # keeps fold: 1 in the second pass of a repeated hour
    if unit == "minute":
        b = local.replace(second=0, microsecond=0)
    elif unit == "hour":
        b = local.replace(minute=0, second=0, microsecond=0)
    else:
        # A day or week starts at the first pass of a repeated midnight (fold 0), whichever pass
        # the post is in; a skipped midnight (fold 0) is the moment clocks jump past it.
        b = local.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
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
