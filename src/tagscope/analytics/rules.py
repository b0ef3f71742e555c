"""The counting rules, stated once: every analytic and every engine uses these helpers.

A post uses a tag when its own hashtags (``hashtags_norm``: NFKC + casefold, unique per post) hold
the folded tag, so a post counts once however often it repeats the tag. Reposts count (as Topsy's
"tweeted N times" did) unless ``no_reposts``; a quote or a reply counts only when its own text has
the tag (the format modules store only the post's own hashtags on quotes and replies, and the
reposted post's hashtags on reposts). Deleted posts are not in ``posts``; duplicates are merged
there. Windows are half-open ``[since, until)`` in UTC unless a time zone is given; a bare date is
midnight in that zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..post import fold_tag

RULE = (
    "A post uses a tag when its own text has it (case-insensitive after Unicode NFKC and casefold; "
    "a post counts once however often it repeats the tag). Reposts count unless --no-reposts; a quote "
    "or reply counts only when its own text has the tag. Deleted posts count nowhere; duplicates count "
    "once. Windows are half-open [since, until), UTC unless --tz; a bare date means midnight."
)


def tag(value: str) -> str:
    """The folded tag a user means ('#YesAllWomen' -> 'yesallwomen'); raises on an empty one."""
    folded = fold_tag(value)
    if not folded:
        raise ValueError(f"Give a hashtag, e.g. yesallwomen (got {value!r}).")
    return folded


INT64_MAX = 2**63 - 1


def cap(n: int) -> int:
    """A row limit or threshold that SQL and JSON can hold: anything past a 64-bit integer means
    "no limit" anyway, and DuckDB (LIMIT ?) or orjson would fail on it with a traceback."""
    return min(int(n), INT64_MAX)


def zone(name: str | None) -> ZoneInfo | None:
    """The time zone called NAME (None or UTC -> None: plain UTC)."""
    if name is None or name.upper() in ("UTC", "Z", "ETC/UTC"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Use an IANA time zone name such as Europe/London (got {name!r}).") from exc


def parse_time(value: str | datetime | None, tz: ZoneInfo | None = None) -> datetime | None:
    """A window edge as a naive UTC datetime. A bare date is midnight; a value without an offset
    is local time in TZ (UTC when no zone is given)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"Give times as ISO 8601, e.g. 2014-05-24 or 2014-05-24T18:00 (got {value!r}).") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz or UTC)
    return dt.astimezone(UTC).replace(tzinfo=None)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, the form of every time in JSON output."""
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="seconds") + "Z"


def floor_minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def ceil_minute(dt: datetime) -> datetime:
    f = floor_minute(dt)
    return f if f == dt else f + timedelta(minutes=1)


def on_minute(dt: datetime | None) -> bool:
    return dt is None or (dt.second == 0 and dt.microsecond == 0)


def on_hour(dt: datetime | None) -> bool:
    return dt is None or (dt.minute == 0 and on_minute(dt))


@lru_cache(maxsize=64)
def whole_hours(tz: ZoneInfo | None) -> bool:
    """Whether TZ's offset from UTC is a whole number of hours (checked twice a month, 1990-2040),
    so its local hours and days are made of whole UTC hours."""
    if tz is None:
        return True
    for year in range(1990, 2041):
        for month in range(1, 13):
            for day in (1, 15):
                off = datetime(year, month, day, 12, tzinfo=tz).utcoffset()
                if off is None or off.total_seconds() % 3600:
                    return False
    return True


def time_relation(filters: Filters, unit: str = "hour", tz: ZoneInfo | None = None) -> tuple[str, str]:
    """The coarsest per-time relation that answers exactly: (relation, its time column)."""
    if unit != "minute" and on_hour(filters.since) and on_hour(filters.until) and whole_hours(tz):
        return "tag_hours", "hour"
    return "tag_minutes", "minute"


@dataclass(frozen=True)
class Filters:
    """Which posts count: the options shared by every analytic."""

    since: datetime | None = None
    until: datetime | None = None
    no_reposts: bool = False
    platform: str | None = None

    @classmethod
    def of(cls, since=None, until=None, tz: str | None = None, no_reposts=False, platform=None) -> Filters:
        z = zone(tz)
        start, end = parse_time(since, z), parse_time(until, z)
        if start is not None and end is not None and end <= start:
            # Swapped dates gave a confident 0; search and the dashboard already refuse them.
            raise ValueError(f"--until must be later than --since (got since {iso(start)}, until {iso(end)} in UTC).")
        # Platforms are stored lower-case (twitter, bluesky...): "--platform Twitter" counted 0.
        return cls(start, end, bool(no_reposts), platform.strip().lower() if platform else None)

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def post_where(self, tags: list[str]) -> tuple[str, list]:
        """WHERE clause over `posts` selecting the posts that count for TAGS (the scan path)."""
        conds, params = [], []
        if tags:
            conds.append("list_has_any(hashtags_norm, ?)")
            params.append(list(tags))
        if self.since is not None:
            conds.append("created_at >= ?")
            params.append(self.since)
        if self.until is not None:
            conds.append("created_at < ?")
            params.append(self.until)
        if self.no_reposts:
            conds.append("kind <> 'repost'")
        if self.platform:
            conds.append("platform = ?")
            params.append(self.platform)
        return ("WHERE " + " AND ".join(conds)) if conds else "", params

    def rel_where(self, tags: list[str], *, time_col: str | None = None) -> tuple[str, list]:
        """Conditions on a derived relation (columns platform, tag, is_repost[, TIME_COL])."""
        conds = ["tag IN (" + ", ".join("?" for _ in tags) + ")"]
        params: list = list(tags)
        if time_col and self.since is not None:
            conds.append(f"{time_col} >= ?")
            params.append(floor_minute(self.since))
        if time_col and self.until is not None:
            conds.append(f"{time_col} < ?")
            params.append(ceil_minute(self.until))
        if self.no_reposts:
            conds.append("NOT is_repost")
        if self.platform:
            conds.append("platform = ?")
            params.append(self.platform)
        return " AND ".join(conds), params

    def describe(self) -> dict:
        return {
            "since": iso(self.since),
            "until": iso(self.until),
            "no_reposts": self.no_reposts,
            "platform": self.platform,
        }
