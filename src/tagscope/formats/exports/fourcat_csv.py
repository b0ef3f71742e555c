"""4CAT CSV: a dataset as 4CAT downloads it, one row per item, in the columns of its datasource.

Every datasource's ``map_item`` (digitalmethodsinitiative/4cat, datasources/*/search_*.py) writes
``id``, ``thread_id``, ``author``, ``body``, ``timestamp`` ("YYYY-MM-DD HH:MM:SS") and
``unix_timestamp``, then columns of its own: ``subject``, ``hashtags`` and ``mentions`` (comma lists),
``urls``, counts (``likes``, ``like_count``, ``num_likes``...), ``is_retweet``/``is_reply`` ("yes"/"no").

Traps handled (docs/formats.md states them for users):

- the datasource is in no column: it is read from the row's own links (``collected_from_url``, which
  Zeeschuimer imports carry, ``tiktok_url``, a tweet's ``link``, a post's ``url``), else from the
  user's ``--platform``, which the reader writes into the record (``_platform``); a row with neither
  is quarantined saying so;
- ``timestamp`` is written in the 4CAT server's local time by some datasources (Instagram, Threads,
  Telegram use ``datetime.fromtimestamp``): ``unix_timestamp`` is used, ``timestamp`` (read as UTC)
  only when it is absent;
- empty cells are nulls, never zeros; a ``hashtags`` column, when present, is the datasource's own
  list (no ``#``); without one the tags are read from the text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from urllib.parse import urlparse

from ...post import new_post
from .. import csv_rows
from ..base import ParseError, Record, as_int, mapped, parse_option
from . import text
from .items import unix_time

NAME = "4cat-csv"
PLATFORM = "exports"
HANDLE_KEYS: tuple[str, ...] = ()  # a row names accounts in columns whose names vary by datasource


def scrub(obj: Any, forgotten: Any) -> bool:
    """A row embeds no copy of another post or account (only names in its own columns): nothing to scrub."""
    return False


_NEEDED = {"id", "thread_id", "body"}
# The host of a post's own link, and the platform it names.
_HOSTS = {"tiktok.com": "tiktok", "instagram.com": "instagram", "threads.net": "threads", "threads.com": "threads",
          "twitter.com": "twitter", "x.com": "twitter", "reddit.com": "reddit", "t.me": "telegram",
          "bsky.app": "bluesky", "linkedin.com": "linkedin", "truthsocial.com": "truthsocial", "gab.com": "gab",
          "9gag.com": "9gag", "douyin.com": "douyin", "tumblr.com": "tumblr", "vk.com": "vk"}
# Columns that hold the item's own page (never a link the post shares), most telling first.
_OWN_LINKS = ("collected_from_url", "tiktok_url", "post_url", "permalink", "link", "url")
_YES = {"yes", "true", "1", "y"}


def sniff(head: bytes) -> bool:
    """A CSV header with 4CAT's columns: ``id``, ``thread_id``, ``body`` and a timestamp."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    if "," not in first or first.lstrip().startswith(("{", "[")):
        return False
    try:
        header = set(next(csv.reader([first])))
    except (csv.Error, StopIteration):
        return False
    return header >= _NEEDED and bool(header & {"timestamp", "unix_timestamp"})


def _header_problem(header: list[str]) -> str | None:
    missing = sorted(_NEEDED - set(header))
    return f"not a 4CAT CSV: no column {', '.join(missing)}" if missing else None


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """One record per row; the user's ``--platform``, if given, is written into each (``_platform``)."""
    given = (parse_option("platform") or "").strip().lower() or None

    def extra(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "_platform": given} if given else row

    return csv_rows.rows(stream, extra, header_check=_header_problem)


def parse(obj: Any) -> list[Any]:
    """The post of one row."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a CSV row object")
    return mapped("4CAT row", _parse, obj)


def _cell(row: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is not None and not isinstance(value, str):
            return str(value)
    return None


def platform_of(row: dict[str, Any]) -> str | None:
    """The platform a row's own links name, else the one the user gave (``_platform``)."""
    for col in _OWN_LINKS:
        url = _cell(row, col)
        if not url or "://" not in url:
            continue
        host = (urlparse(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")
        found = _HOSTS.get(host) or _HOSTS.get(host.split(".", 1)[-1])
        if found and (col != "url" or found in ("instagram", "threads", "tiktok")):
            return found  # a bare "url" is a shared link on some datasources: trusted for these only
    if _cell(row, "subreddit"):
        return "reddit"
    if "chat" in row and "author_is_bot" in row:  # the columns of 4CAT's Telegram datasource
        return "telegram"
    return _cell(row, "_platform")


def _time(row: dict[str, Any]) -> datetime:
    unix = _cell(row, "unix_timestamp")
    if unix is not None:
        return unix_time(unix, "unix_timestamp")
    stamp = _cell(row, "timestamp")
    if stamp is None:
        raise ParseError("missing unix_timestamp and timestamp")
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise ParseError(f"bad timestamp: {stamp!r}") from None


def _flag(row: dict[str, Any], *names: str) -> bool:
    value = _cell(row, *names)
    return value is not None and value.lower() in _YES


def _yes_no(row: dict[str, Any], *names: str) -> bool | None:
    """A "yes"/"no" (or True/False) column as a boolean; None when the row has none."""
    value = _cell(row, *names)
    return None if value is None else value.lower() in _YES


def _parse(row: dict[str, Any]) -> list[Any]:
    pid = _cell(row, "id")
    if not pid:
        raise ParseError("missing id")
    platform = platform_of(row)
    if platform is None:
        raise ParseError("4CAT CSV row of an unknown datasource: give its platform (tagscope ingest --platform NAME)")
    body, subject = _cell(row, "body"), _cell(row, "subject")
    full = f"{subject}\n\n{body}" if subject and body and subject != body else subject or body
    handle = _cell(row, "author_username", "author")
    reply_to = _cell(row, "reply_to")
    if _flag(row, "is_retweet"):
        kind = "repost"
    elif _flag(row, "is_quote_tweet", "is_duet"):  # a TikTok duet quotes a video 4CAT does not name
        kind = "quote"
    elif _flag(row, "is_reply") or reply_to:
        kind = "reply"
    else:
        kind = "original"
    tags = None
    if "hashtags" in row:
        tags = text.split_list(row.get("hashtags")) + text.split_list(row.get("challenges"))
    mentions = [m.lstrip("@") for m in text.split_list(row["mentions"])] if "mentions" in row else None
    urls = text.split_list(_cell(row, "urls", "link_url") or "")
    post = new_post(
        platform=platform, id=pid, author_id=_cell(row, "author_id", "author"), author_handle=handle,
        author_name=_cell(row, "author_fullname", "author_full", "author_name"),
        author_followers=as_int(_cell(row, "author_followers")),
        author_verified=_yes_no(row, "verified", "is_verified", "author_is_verified", "author_verified"),
        created_at=_time(row), text=full, lang=_cell(row, "language_guess", "language", "lang"), kind=kind,
        reply_to_id=reply_to, repost_of_author=_cell(row, "retweeted_user") if kind == "repost" else None,
        conversation_id=_cell(row, "thread_id"), community=_cell(row, "subreddit", "chat", "board", "channel"),
        like_count=as_int(_cell(row, "likes", "like_count", "num_likes", "favorite_count")),
        repost_count=as_int(_cell(row, "retweet_count", "reposts", "shares", "num_shares")),
        reply_count=as_int(_cell(row, "reply_count", "replies", "comments", "num_comments")),
        quote_count=as_int(_cell(row, "quote_count", "quotes")), source_format=NAME)
    post.update(text.links(full, tags_given=tags, mentions_given=mentions, urls_given=urls))
    return [post]
