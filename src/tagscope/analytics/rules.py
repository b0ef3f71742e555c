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

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..engines.filters import Filters, ceil_minute, floor_minute, iso, parse_time, zone
from ..post import fold_tag

__all__ = ["RULE", "Filters", "cap", "ceil_minute", "floor_minute", "iso", "on_hour", "on_minute", "parse_time",
           "tag", "time_relation", "whole_hours", "zone"]

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
