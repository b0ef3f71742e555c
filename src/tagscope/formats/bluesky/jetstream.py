"""Bluesky Jetstream events, one JSON object per line (``kind``: ``commit``, ``identity``, ``account``).

Rules (docs/formats.md states them for users):

- a post is ``app.bsky.feed.post``, identified by its AT URI ``at://{did}/app.bsky.feed.post/{rkey}``;
  its author is the repository's DID. Jetstream carries no handle: ``author_handle`` stays null (an
  ``identity`` event names a handle only from then on, so it is not carried back onto earlier posts);
  the handle an ``identity`` event names is a ``Handle`` (the store's ``handles`` table);
- a repost (``app.bsky.feed.repost``) is a post of kind ``repost`` under its own URI with
  ``repost_of_id`` the subject's URI and ``repost_of_author`` its DID; it has no text and no tags;
- a ``delete`` names only (did, collection, rkey): for a post or a repost it is a tombstone of that URI;
- an ``update`` of a post is a later copy of the same URI (merged as every later copy is);
- likes, follows, blocks, profiles, other collections, and ``identity`` / ``account`` events are no
  posts: they map to no post and ingest counts them in ``records`` only;
- ``createdAt`` is the client's clock (year 0000 is seen): ``indexed_at`` is ``time_us``, the time
  Jetstream saw the event, and ``created_at`` is ``createdAt`` unless it is implausible (no valid time,
  before 1970, or after ``time_us``): then ``time_us`` (``record.created_time``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from ...post import Handle, Tombstone, new_post
from ...times import to_utc
from ..base import ParseError, mapped
from ..contract import Forgotten
from . import record

NAME = "bluesky-jetstream"
PLATFORM = "bluesky"
HANDLE_KEYS = ("handle",)  # identity events name an account's handle under this key
SQL_MAPPING = ".jetstream_sql"  # ingest's fast path for JSON lines (formats.contract.SqlMapping)

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_EPOCH = datetime(1970, 1, 1)
# A Jetstream event's keys: a DID, the relay time and the event kind, in the first object of the head.
_DID = re.compile(rb'"did"\s*:\s*"did:')
_TIME_US = re.compile(rb'"time_us"\s*:\s*\d')
_KIND = re.compile(rb'"kind"\s*:\s*"(?:commit|identity|account)"')


def sniff(head: bytes) -> bool:
    """JSON objects with ``did``, ``time_us`` and a Jetstream ``kind`` in the first line."""
    h = head[:65536].lstrip(b" \t\r\n\xef\xbb\xbf")
    if not h.startswith(b"{"):
        return False
    first = h.split(b"\n", 1)[0]
    return bool(_DID.search(first) and _TIME_US.search(first) and _KIND.search(first))


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """Jetstream events embed no copy of another post or profile (a reply, quote or repost names its
    subject by URI only): there is nothing to scrub."""
    return False


def parse(obj: Any) -> list[Any]:
    """The post or tombstone of one event; nothing for an event that is no post."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    return mapped("Jetstream event", _parse, obj)


def _parse(obj: dict[str, Any]) -> list[Any]:
    kind = obj.get("kind")
    if kind == "identity":
        return _identity(obj)
    if kind == "account":
        return []
    if kind != "commit":
        raise ParseError("missing kind" if kind is None else f"unknown event kind: {kind!r}")
    commit = obj.get("commit")
    if not isinstance(commit, dict):
        raise ParseError("missing commit")
    collection = commit.get("collection")
    if collection not in (POST, REPOST):
        return []  # a like, follow, block, profile, or another app's record
    did = obj.get("did")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise ParseError("missing did" if did in (None, "") else f"bad did: {did!r}")
    rkey = commit.get("rkey")
    if not isinstance(rkey, str) or not rkey or "/" in rkey:
        raise ParseError("missing commit.rkey" if rkey in (None, "") else f"bad commit.rkey: {rkey!r}")
    uri = f"at://{did}/{collection}/{rkey}"
    seen = _time_us(obj.get("time_us"))
    op = commit.get("operation")
    if op == "delete":
        return [Tombstone(PLATFORM, uri, "deleted", seen)]
    if op not in ("create", "update"):
        raise ParseError("missing commit.operation" if op is None else f"unknown commit.operation: {op!r}")
    rec = commit.get("record")
    if not isinstance(rec, dict):
        raise ParseError("missing commit.record")
    created = record.created_time(rec.get("createdAt"), seen)
    post = new_post(platform=PLATFORM, id=uri, author_id=did, created_at=created, indexed_at=seen,
                    source_format=NAME)
    if collection == REPOST:
        subject = rec.get("subject")
        target = subject.get("uri") if isinstance(subject, dict) else None
        if not isinstance(target, str) or not target.startswith("at://"):
            raise ParseError("missing subject.uri of a repost")
        post.update(kind="repost", repost_of_id=target, repost_of_author=record.did_of(target),
                    hashtags=[], hashtags_norm=[], hashtags_hidden=[], mentions=[], urls=[], domains=[])
        return [post]
    post.update(record.fields(rec))
    if post["conversation_id"] is None:
        post["conversation_id"] = uri  # a thread's root is its own conversation
    return [post]


def _identity(obj: dict[str, Any]) -> list[Any]:
    """The handle an identity event names for its DID (none when it names no valid handle)."""
    ident = obj.get("identity")
    ident = ident if isinstance(ident, dict) else {}
    did, handle = ident.get("did") or obj.get("did"), ident.get("handle")
    if not (isinstance(did, str) and did.startswith("did:") and isinstance(handle, str) and handle
            and handle != "handle.invalid"):
        return []
    at = None
    if isinstance(ident.get("time"), str):
        try:
            at = to_utc(ident["time"])
        except (ValueError, OverflowError):
            at = None
    return [Handle(PLATFORM, did, handle, at or _time_us(obj.get("time_us")))]


def _time_us(value: Any) -> datetime | None:
    if value.__class__ is not int or value <= 0:
        return None
    try:
        return _EPOCH + timedelta(microseconds=value)
    except OverflowError:
        return None
