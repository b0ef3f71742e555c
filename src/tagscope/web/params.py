"""Request parameters, checked once: bad input becomes a 400 that says what to write instead."""

from __future__ import annotations

from datetime import datetime

from ..post import fold_tag
from ..times import to_utc

EVERY = ("minute", "hour", "day", "week")
KINDS = ("original", "reply", "quote", "repost")
SORTS = ("relevance", "newest", "time")


class BadRequest(Exception):
    """Invalid input; the message is shown to the user as it is."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def tag(value: str | None, *, required: bool = True) -> str | None:
    if value is None or not value.strip():
        if required:
            raise BadRequest("give a hashtag: add ?tag=yesallwomen to the address, or use the form")
        return None
    folded = fold_tag(value)
    if not folded or len(folded) > 140 or any(c.isspace() for c in folded):
        raise BadRequest(f"{value[:60]!r} is not a hashtag: write one word such as yesallwomen (# optional)")
    return folded


def when(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        t = to_utc(value)
    except ValueError:
        t = None
    if t is None or not (1990 <= t.year <= 2100):
        raise BadRequest(f"{name}={value[:40]!r} is not a time: write it like 2014-05-24 or 2014-05-24T18:00")
    return t


def window(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    s, u = when(since, "since"), when(until, "until")
    if s and u and s >= u:
        raise BadRequest("since must be before until")
    return s, u


def choice(value: str | None, name: str, allowed: tuple[str, ...], default: str) -> str:
    if value is None or value == "":
        return default
    if value not in allowed:
        raise BadRequest(f"{name}={value[:40]!r}: choose one of {', '.join(allowed)}")
    return value
