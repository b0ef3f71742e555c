"""CSV written by twarc-csv (``twarc2 csv IN OUT``) from Twitter API v2 data.

Columns read: ``id``, ``author_id``/``author.*``, ``created_at``, ``text``, ``lang``,
``conversation_id``, ``referenced_tweets.{replied_to,retweeted,quoted}.id``, ``in_reply_to_user_id``,
``retweeted_username``, ``public_metrics.*``, ``author.public_metrics.followers_count``,
``author.verified``/``author.verified_type``, ``author.description`` and the JSON-string columns
``entities.hashtags`` / ``entities.mentions`` / ``entities.urls`` (lists of "#tag", "@name", URL).

Traps handled: twarc-csv already replaced a retweet's cut text with the original's (its default
``--merge-retweets``), so the text is used as it is; it writes every newline inside a text as the
two characters ``\\n`` (and drops ``\\r``): they are turned back into newlines; empty cells are
nulls, never zeros; booleans are "True"/"False"; a record's line is the first physical line of its
row, and quoted fields may span lines (a CSV re-saved by a spreadsheet).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from ...post import Tombstone, hashtag_fields, kind_of, new_post, unique, url_fields
from .. import csv_rows
from ..base import MAPPING_ERRORS, ParseError, Record, as_int, cannot_map, is_media_link, parse_iso
from . import scrubbing

NAME = "twarc-csv"
PLATFORM = "twitter"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS
_HEADER_START = b"id,conversation_id,referenced_tweets.replied_to.id"
_REQUIRED = ("id", "author_id", "created_at", "text")


def sniff(head: bytes) -> bool:
    """The header row twarc-csv writes (``id,conversation_id,referenced_tweets.replied_to.id,...``)."""
    h = head.lstrip(b"\xef\xbb\xbf")
    if h.startswith(_HEADER_START):
        return True
    first = h.split(b"\n", 1)[0]
    return first.startswith(b"id,") and b",author_id," in first and b"public_metrics." in first


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """One record per CSV row, as a {column: cell} object; a row of the wrong width is an error."""
    return csv_rows.rows(stream, header_check=_header_problem)


def _header_problem(header: list[str]) -> str | None:
    missing = [c for c in _REQUIRED if c not in header]
    return f"not a twarc-csv file: no column {', '.join(missing)}" if missing else None


def parse(obj: Any) -> list[Any]:
    """The post of one row."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a CSV row object")
    try:
        post = _post(obj)
        return [*_edit_tombstones(obj, post["id"]), post]
    except ParseError:
        raise
    except MAPPING_ERRORS as exc:
        raise ParseError(cannot_map("CSV row", exc)) from exc


def _cell(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _json_list(row: dict[str, Any], name: str) -> list[str]:
    value = row.get(name)
    if not value:
        return []
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return [v.strip() for v in value.split(",") if v.strip()]  # a plain comma list
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def _refs(row: dict[str, Any]) -> dict[str, str]:
    """A ``referenced_tweets`` JSON column (other exports): [{"type", "id"}] or {"type": {"id"}}."""
    value = row.get("referenced_tweets")
    if not value or not isinstance(value, str):
        return {}
    try:
        refs = orjson.loads(value)
    except orjson.JSONDecodeError:
        return {}
    if isinstance(refs, dict):
        refs = [{"type": k, "id": v.get("id")} for k, v in refs.items() if isinstance(v, dict)]
    out: dict[str, str] = {}
    for ref in refs if isinstance(refs, list) else ():
        if isinstance(ref, dict) and isinstance(ref.get("type"), str) and ref.get("id") is not None:
            out.setdefault(ref["type"], str(ref["id"]))
    return out


def _edit_tombstones(row: dict[str, Any], pid: str) -> list[Tombstone]:
    """Older versions of an edited tweet (``edit_history_tweet_ids``, oldest first), as in twitter-v2."""
    ids = [i for i in _json_list(row, "edit_history_tweet_ids") if i.isdigit()]
    if len(ids) < 2 or not pid.isdigit():
        return []
    return [Tombstone("twitter", i, "edited") for i in ids if (len(i), i) < (len(pid), pid)]


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    low = value.lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    return None


def _unescape(text: str | None) -> str | None:
    return text.replace("\\n", "\n") if text and "\\n" in text else text


def _whole_id(value: str, column: str) -> str:
    """A Twitter id as written: digits only. A spreadsheet that re-saved the CSV may have rounded it
    (``1.44072E+18``, ``...269.0``): such ids would merge different posts or authors into one."""
    if not (value.isascii() and value.isdigit()):
        raise ParseError(f"{column} {value!r} is not a whole number as written (rounded by a spreadsheet?)")
    return value


def _post(row: dict[str, Any]) -> dict[str, Any]:
    pid = _cell(row, "id")
    if not pid:
        raise ParseError("missing id")
    pid = _whole_id(pid, "id")
    author_id = _cell(row, "author_id") or _cell(row, "author.id")
    if not author_id:
        raise ParseError("missing author_id")
    author_id = _whole_id(author_id, "author_id")
    created = _cell(row, "created_at")
    if not created:
        raise ParseError("missing created_at")
    refs = _refs(row)
    reply_to = _cell(row, "referenced_tweets.replied_to.id") or refs.get("replied_to")
    rt_of = _cell(row, "referenced_tweets.retweeted.id") or refs.get("retweeted")
    quote_of = _cell(row, "referenced_tweets.quoted.id") or refs.get("quoted")
    rt_author = _cell(row, "retweeted_username") if rt_of else None
    mentions = [m.lstrip("@") for m in _json_list(row, "entities.mentions")]
    if rt_of and rt_author:
        mentions = [rt_author, *mentions]
    kind = kind_of(repost=bool(rt_of), reply=bool(reply_to), quote=bool(quote_of))
    verified = _bool(_cell(row, "author.verified"))
    vtype = _cell(row, "author.verified_type")
    if vtype and vtype != "none":
        verified = True
    post = new_post(
        platform="twitter",
        id=pid,
        author_id=author_id,
        author_handle=_cell(row, "author.username"),
        author_name=_cell(row, "author.name"),
        author_followers=as_int(_cell(row, "author.public_metrics.followers_count")),
        author_verified=verified,
        author_bio=_unescape(_cell(row, "author.description")),
        created_at=parse_iso(created).replace(microsecond=0),  # v1.1 has seconds only
        text=_unescape(_cell(row, "text")),
        lang=_cell(row, "lang"),
        mentions=unique([m for m in mentions if m]),
        kind=kind,
        reply_to_id=reply_to,
        reply_to_user_id=_cell(row, "in_reply_to_user_id"),
        quote_of_id=quote_of,
        repost_of_id=rt_of,
        repost_of_author=rt_author,
        conversation_id=_cell(row, "conversation_id"),
        like_count=as_int(_cell(row, "public_metrics.like_count")),
        repost_count=as_int(_cell(row, "public_metrics.retweet_count")),
        reply_count=as_int(_cell(row, "public_metrics.reply_count")),
        quote_count=as_int(_cell(row, "public_metrics.quote_count")),
        source_format=NAME,
    )
    post.update(hashtag_fields(_json_list(row, "entities.hashtags")))
    post.update(url_fields([u for u in _json_list(row, "entities.urls") if not is_media_link(u)]))
    return post
