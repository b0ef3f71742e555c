"""Bluesky AppView post views: searchPosts / getPosts (``posts``), getPostThread (``thread``),
getAuthorFeed / getTimeline / getFeed (``feed``) responses, and bare post views one per line.

A post view is a post record (read as Jetstream's are: ``record``) plus what the AppView adds: the
author's handle and display name as of the capture, the counts, ``indexedAt``. Rules beyond Jetstream's
(docs/formats.md states them for users):

- the response's own posts are posts: every post of a thread (the post, its parents, its replies), of
  ``posts``, and each feed item's ``post``; the reply context of a feed item (``reply.parent`` /
  ``root``) and quoted posts (``embed`` views) are copies, not posts (the query did not return them);
- a feed item with ``reason`` ``reasonRepost`` is also a repost by ``reason.by``, under the repost
  record's ``reason.uri`` (older responses give none: then the repost is not known and is skipped);
- each post keeps as raw record a response holding it alone (``{"posts": [view]}``, or the feed item
  for a repost), so one bad view is quarantined alone and ``forget`` drops a post's record whole;
- ``indexed_at`` is ``indexedAt``; ``created_at`` is ``createdAt`` unless it is implausible, then
  ``indexedAt`` (the rule of ``record.created_time``).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ...post import new_post
from ..base import MAPPING_ERRORS, ParseError, Rejected, as_int, cannot_map
from . import record, scrubbing

NAME = "bluesky-appview"
PLATFORM = "bluesky"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS

_AT_URI = re.compile(rb'"uri"\s*:\s*"at://did:')
_AUTHOR = re.compile(rb'"author"\s*:\s*\{')
_HANDLE = re.compile(rb'"handle"\s*:\s*"')
_REPOST_REASON = "app.bsky.feed.defs#reasonRepost"


def sniff(head: bytes) -> bool:
    """A JSON document or lines with an AT URI and a post view's ``author`` object with a ``handle``
    (``indexedAt`` comes after the record and its embeds: a long post puts it past the head)."""
    h = head[:65536].lstrip(b" \t\r\n\xef\xbb\xbf")
    if not h.startswith((b"{", b"[")):
        return False
    return bool(_AT_URI.search(h) and _AUTHOR.search(h) and _HANDLE.search(h)) and b'"time_us"' not in h


def parse(obj: Any) -> list[Any]:
    """The posts (and reposts) of one response, or of one post view."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    try:
        views = _views(obj)
    except MAPPING_ERRORS as exc:
        raise ParseError(f"cannot read AppView response: {type(exc).__name__}: {exc}") from exc
    if not views:
        raise ParseError("no post view (not a post, thread, posts or feed response)")
    out: list[Any] = []
    for view, reason in views:
        try:
            raw = orjson.dumps({"feed": [{"post": view, "reason": reason}]} if reason else {"posts": [view]})
        except TypeError as exc:  # a value JSON cannot hold (orjson reads no integer past 64 bits either)
            out.append(Rejected(f"post view is not JSON: {exc}", repr(view)[:65536].encode()))
            continue
        try:
            post = _post(view)
            if reason:
                post = _repost(post, reason)
                if post is None:
                    continue
        except ParseError as exc:
            out.append(Rejected(str(exc), raw))
            continue
        except MAPPING_ERRORS as exc:
            out.append(Rejected(cannot_map("post view", exc), raw))
            continue
        post["_raw"] = raw
        out.append(post)
    return out


def _views(obj: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(post view, repost reason or None) of every post the response returned, in order."""
    if "uri" in obj and "record" in obj and "author" in obj:
        return [(obj, None)]
    found: list[tuple[Any, Any]] = []
    if isinstance(obj.get("thread"), dict):
        _thread(obj["thread"], found, set())
    if isinstance(obj.get("posts"), list):
        found += [(v, None) for v in obj["posts"]]
    if isinstance(obj.get("feed"), list):
        for item in obj["feed"]:
            if not isinstance(item, dict):
                found.append((item, None))
                continue
            found.append((item.get("post"), None))
            reason = item.get("reason")
            if isinstance(reason, dict) and reason.get("$type") == _REPOST_REASON:
                found.append((item.get("post"), reason))
    return found


def _thread(node: dict[str, Any], found: list[tuple[Any, Any]], seen: set[int]) -> None:
    """A thread's posts: its parents (oldest first), the post, then its replies, depth first."""
    if id(node) in seen or "post" not in node:
        return  # a notFoundPost or blockedPost names no post view
    seen.add(id(node))
    if isinstance(node.get("parent"), dict):
        _thread(node["parent"], found, seen)
    found.append((node["post"], None))
    for reply in node.get("replies") or ():
        if isinstance(reply, dict):
            _thread(reply, found, seen)


def _post(view: Any) -> dict[str, Any]:
    if not isinstance(view, dict):
        raise ParseError("post view is not a JSON object")
    uri, rec, author = view.get("uri"), view.get("record"), view.get("author")
    if not isinstance(uri, str) or not uri.startswith("at://did:"):
        raise ParseError("missing uri" if uri in (None, "") else f"bad uri: {uri!r}")
    if not isinstance(author, dict) or not isinstance(author.get("did"), str):
        raise ParseError("missing author.did")
    if not isinstance(rec, dict):
        raise ParseError("missing record")
    handle = author.get("handle")
    post = new_post(
        platform=PLATFORM, id=uri, author_id=author["did"],
        author_handle=handle if isinstance(handle, str) and handle and handle != "handle.invalid" else None,
        author_name=author.get("displayName") or None if isinstance(author.get("displayName"), str) else None,
        author_followers=as_int(author.get("followersCount")),
        author_bio=author.get("description") or None if isinstance(author.get("description"), str) else None,
        created_at=record.created_time(rec.get("createdAt"), record.valid_time(view.get("indexedAt")), "indexedAt"),
        indexed_at=record.valid_time(view.get("indexedAt")),
        like_count=as_int(view.get("likeCount")), repost_count=as_int(view.get("repostCount")),
        reply_count=as_int(view.get("replyCount")), quote_count=as_int(view.get("quoteCount")),
        source_format=NAME)
    post.update(record.fields(rec))
    if post["conversation_id"] is None:
        post["conversation_id"] = uri
    return post


def _repost(subject: dict[str, Any], reason: dict[str, Any]) -> dict[str, Any] | None:
    """The repost a feed item's ``reasonRepost`` stands for, or None when it names no repost record."""
    uri, by = reason.get("uri"), reason.get("by")
    if not isinstance(uri, str) or not uri.startswith("at://did:"):
        return None
    if not isinstance(by, dict) or not isinstance(by.get("did"), str):
        raise ParseError("missing reason.by.did")
    handle = by.get("handle")
    return new_post(
        platform=PLATFORM, id=uri, author_id=by["did"],
        author_handle=handle if isinstance(handle, str) and handle and handle != "handle.invalid" else None,
        author_name=by.get("displayName") or None if isinstance(by.get("displayName"), str) else None,
        created_at=record.valid_time(reason.get("indexedAt")) or subject["created_at"],
        indexed_at=record.valid_time(reason.get("indexedAt")),
        kind="repost", repost_of_id=subject["id"], repost_of_author=subject["author_handle"] or subject["author_id"],
        hashtags=[], hashtags_norm=[], hashtags_hidden=[], mentions=[], urls=[], domains=[], source_format=NAME)
