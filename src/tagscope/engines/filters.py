"""Which posts count: the one ``Filters`` of analytics and search, and how it reads user input.

It lives with the engines because an engine applies it: ``post_where`` before scanning ``posts``,
``rel_where`` on a derived relation. Search applies the same fields through its index instead.
Times are naive UTC, windows half-open ``[since, until)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..times import to_utc

TIME_HINT = "Give times as ISO 8601, e.g. 2014-05-24 or 2014-05-24T18:00"


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
    try:
        return to_utc(value, tz)
    except ValueError as exc:
        raise ValueError(f"{TIME_HINT} (got {value!r}).") from exc


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


@dataclass
class Filters:
    """Which posts count: the options shared by every analytic and by search.

    ``since``, ``until``, ``no_reposts`` and ``platform`` are applied by the engines (the SQL below)
    and by search; ``tag``, ``author``, ``lang`` and ``kind`` narrow a search only (an analytic takes
    its tags as arguments), so the SQL refuses them rather than ignore them.
    """

    since: datetime | None = None
    until: datetime | None = None
    no_reposts: bool = False
    platform: str | None = None
    tag: str | None = None
    author: str | None = None
    lang: str | None = None
    kind: str | None = None

    @classmethod
    def of(cls, since=None, until=None, tz: str | None = None, no_reposts=False, platform=None) -> Filters:
        """Filters from user input: times read in zone TZ, the platform as stored (lower case)."""
        z = zone(tz)
        start, end = parse_time(since, z), parse_time(until, z)
        if start is not None and end is not None and end <= start:
            raise ValueError(f"--until must be later than --since (got since {iso(start)}, until {iso(end)} in UTC).")
        return cls(start, end, bool(no_reposts), platform.strip().lower() if platform else None)

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def _sql_only(self) -> None:
        if self.tag or self.author or self.lang or self.kind:
            raise ValueError("tag, author, lang and kind filter a search; give an analytic its tags as arguments.")

    def post_where(self, tags: list[str]) -> tuple[str, list]:
        """WHERE clause over `posts` selecting the posts that count for TAGS (the scan path)."""
        self._sql_only()
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
        self._sql_only()
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
