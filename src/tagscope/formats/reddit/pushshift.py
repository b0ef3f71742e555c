"""Reddit comments and submissions, one JSON object per line: Pushshift and Arctic Shift dumps.

Both write Reddit's own API objects (Arctic Shift adds ``_meta``); the dumps (``RC_*``, ``RS_*``) are
.zst with a 2 GiB window, which ingest decompresses. A record is a comment when it has a ``body``, a
submission when it has a ``title``; Reddit's ``{"kind": "t1", "data": {...}}`` wrapper is read too.

Rules (docs/formats.md states them for users):

- the id is Reddit's *fullname*, the base36 id with its kind prefix (``t1_`` comment, ``t3_``
  submission): comments and submissions are numbered apart, so the bare id is not unique, and
  ``parent_id`` / ``link_id`` name posts this way already (``reply_to_id``, ``conversation_id``);
- the author id is the username (Reddit never reuses or renames one; ``author_fullname`` is absent
  from older dumps); ``[deleted]`` is no author;
- a deleted or removed post (``[deleted]`` / ``[removed]`` text, Arctic Shift's ``_meta``,
  ``removed_by_category``) is a tombstone (reason ``deleted`` or ``removed``), not a post: it is
  counted by ingest and stays out of every figure, also when a copy captured before arrives.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from ...post import Tombstone, new_post
from ..base import ParseError, as_int, as_str, mapped
from . import scrubbing, text

NAME = "reddit-pushshift"
PLATFORM = "reddit"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS
SQL_MAPPING = ".pushshift_sql"  # ingest's fast path for JSON lines (formats.contract.SqlMapping)

_EPOCH = datetime(1970, 1, 1)
# What a comment body or a selftext becomes once its author deleted it, or a moderator removed it.
_GONE_TEXT = {"[deleted]": "deleted", "[removed]": "removed"}
# removed_by_category values that mean the author took the post down; any other is a removal.
_BY_AUTHOR = frozenset({"deleted", "author"})
_NO_AUTHOR = frozenset({"[deleted]", "[removed]", ""})
# A Reddit object's keys, as written in a dump line (quotes unescaped: not inside a JSON string).
_KEY = re.compile(rb'"(subreddit|created_utc|body|title|parent_id|link_id|selftext|num_comments)"\s*:')


def sniff(head: bytes) -> bool:
    """JSON objects with ``subreddit`` and ``created_utc``, and a comment's or submission's keys."""
    h = head[:65536].lstrip(b" \t\r\n\xef\xbb\xbf")
    if not h.startswith(b"{"):
        return False
    keys = set(_KEY.findall(h))  # the whole head: dumps sort keys, and a long selftext comes before subreddit
    return {b"subreddit", b"created_utc"} <= keys and bool(keys & {b"body", b"parent_id", b"title", b"selftext"})


def parse(obj: Any) -> list[Any]:
    """The post, or the tombstone, of one comment or submission."""
    if isinstance(obj, dict) and isinstance(obj.get("data"), dict) and obj.get("kind") in ("t1", "t3"):
        obj = obj["data"]
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    return mapped("Reddit record", _parse, obj)


def _parse(obj: dict[str, Any]) -> list[Any]:
    if "title" in obj:
        prefix, own = "t3_", obj.get("selftext")
    elif "body" in obj:
        prefix, own = "t1_", obj.get("body")
    else:
        raise ParseError("neither a comment (body) nor a submission (title)")
    pid = _fullname(obj, prefix)
    gone = _gone(obj, own)
    if gone is not None:
        return [Tombstone(PLATFORM, pid, gone)]
    created = _time(obj.get("created_utc"))
    author = obj.get("author")
    author = None if not isinstance(author, str) or author in _NO_AUTHOR else author
    post = new_post(platform=PLATFORM, id=pid, author_id=author, author_handle=author, created_at=created,
                    community=as_str(obj.get("subreddit")), like_count=as_int(obj.get("score")),
                    source_format=NAME)
    if prefix == "t1_":
        body = text.unescape(own)
        post.update(text.links(body), text=body, kind="reply", reply_to_id=as_str(obj.get("parent_id")),
                    conversation_id=as_str(obj.get("link_id")))
        return [post]
    title, selftext = text.unescape(obj.get("title")), text.unescape(own)
    full = f"{title}\n\n{selftext}" if title and selftext else title or selftext
    url = text.unescape(obj.get("url"))  # escaped as the texts are
    shared = [url] if url and url.startswith(("http://", "https://")) and not obj.get("is_self") else []
    crossposted = as_str(obj.get("crosspost_parent"))
    post.update(text.links(full, shared), text=full, kind="quote" if crossposted else "original",
                quote_of_id=crossposted, conversation_id=pid, reply_count=as_int(obj.get("num_comments")),
                quote_count=as_int(obj.get("num_crossposts")))
    return [post]


def _fullname(obj: dict[str, Any], prefix: str) -> str:
    name = obj.get("name")
    if isinstance(name, str) and name.startswith(prefix) and len(name) > 3:
        return name
    rid = obj.get("id")
    if not isinstance(rid, str) or not rid.isalnum():
        raise ParseError("missing id" if rid in (None, "") else f"bad id: {rid!r}")
    return prefix + rid.lower()


def _gone(obj: dict[str, Any], own: Any) -> str | None:
    """``deleted`` or ``removed`` when the post was taken down (by its author, or by a moderator or
    Reddit), else None. The text says so once the capture came after; Arctic Shift's ``_meta`` and
    Reddit's ``removed_by_category`` say so also when the text was captured before."""
    reason = _GONE_TEXT.get(own) if isinstance(own, str) else None
    if reason is not None:
        return reason
    meta = obj.get("_meta")
    if isinstance(meta, dict) and (meta.get("was_deleted_later") or meta.get("removal_type")):
        kind = meta.get("removal_type")
        return "deleted" if kind in (None, "deleted") else "removed"
    category = obj.get("removed_by_category")
    if isinstance(category, str) and category:
        return "deleted" if category in _BY_AUTHOR else "removed"
    return None


def _time(value: Any) -> datetime:
    """``created_utc``: seconds since the epoch, as an int, a float or a string (all three are found)."""
    try:
        seconds = int(value) if value.__class__ is int else int(float(value))
        return _EPOCH + timedelta(seconds=seconds)
    except (TypeError, ValueError, OverflowError):
        raise ParseError("missing created_utc" if value in (None, "") else f"bad created_utc: {value!r}") from None
