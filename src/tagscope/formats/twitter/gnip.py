"""Gnip Activity Streams (the enterprise "original" PowerTrack/Historical format before v2).

Traps handled: ids are tags ("tag:search.twitter.com,2005:NNN"; the user id is
"id:twitter.com:NNN"); ``body`` is cut at 140 characters for long posts, whose full text is
``long_object.body`` with its own ``twitter_entities``; ``verb: share`` is a retweet whose ``object``
is the original activity (text, entities and counts come from there, like v1.1's
``retweeted_status``); a reply only links to its parent (``inReplyTo.link`` ".../statuses/NNN");
Gnip's system messages (``info``, ``error``) and ``verb: delete`` compliance activities.
"""

from __future__ import annotations

from typing import Any

from ...post import Tombstone, hashtag_fields, kind_of, new_post, unique, url_fields
from ..base import ParseError, as_int, as_str, id_after, mapped, parse_iso
from . import scrubbing

NAME = "gnip"
PLATFORM = "twitter"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS


def sniff(head: bytes) -> bool:
    """Activities carry ``"verb"``, ``"actor"`` and a ``twitter.com`` tag id."""
    h = head[:65536]
    return b'"verb"' in h and b'"actor"' in h and (b"search.twitter.com" in h or b"id:twitter.com:" in h)


def parse(obj: Any) -> list[Any]:
    """Posts and tombstones of one activity."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    return mapped("activity", _parse, obj)


def _parse(act: dict[str, Any]) -> list[Any]:
    verb = act.get("verb")
    if verb in ("delete", "status_delete"):
        target = act.get("object") if isinstance(act.get("object"), dict) else {}
        pid = id_after(target.get("id")) or id_after(act.get("id"))
        if not pid:
            raise ParseError("delete activity without a status id")
        at = parse_iso(act["postedTime"]) if act.get("postedTime") else None
        return [Tombstone("twitter", pid, "deleted", at)]
    if verb is None and ("info" in act or "error" in act):
        return []  # Gnip system message: no post
    if verb not in ("post", "share"):
        raise ParseError(f"unsupported activity verb: {verb!r}")
    return [_post(act)]


def _full(act: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    long = act.get("long_object")
    if isinstance(long, dict) and isinstance(long.get("body"), str):
        return long["body"], long.get("twitter_entities") or act.get("twitter_entities") or {}
    return act.get("body"), act.get("twitter_entities") or {}


def _post(act: dict[str, Any]) -> dict[str, Any]:
    pid = id_after(act.get("id"))
    if not pid:
        raise ParseError("missing id")
    actor = act.get("actor")
    if not isinstance(actor, dict) or not (actor.get("id") or actor.get("preferredUsername")):
        raise ParseError("missing actor")
    if not act.get("postedTime"):
        raise ParseError("missing postedTime")
    share = act.get("verb") == "share" and isinstance(act.get("object"), dict) and "actor" in act["object"]
    original = act["object"] if share else None
    source = original or act
    text, entities = _full(source)
    if not isinstance(entities, dict):
        entities = {}
    tags = [h["text"] for h in entities.get("hashtags") or () if isinstance(h, dict) and isinstance(h.get("text"), str)]
    mentions = [m["screen_name"] for m in entities.get("user_mentions") or ()
                if isinstance(m, dict) and isinstance(m.get("screen_name"), str)]
    urls = [u.get("expanded_url") or u.get("url") for u in entities.get("urls") or () if isinstance(u, dict)]
    reply_to = act.get("inReplyTo")
    reply_to_id = id_after(reply_to.get("link"), "/") if isinstance(reply_to, dict) else None
    quoted = act.get("twitter_quoted_status")
    quote_of_id = id_after(quoted.get("id")) if isinstance(quoted, dict) else None
    repost_of_author = None
    if original is not None:
        orig_actor = original.get("actor") if isinstance(original.get("actor"), dict) else {}
        repost_of_author = as_str(orig_actor.get("preferredUsername"))
        if repost_of_author:
            mentions = [repost_of_author, *mentions]
    kind = kind_of(repost=original is not None, reply=bool(reply_to_id), quote=bool(quote_of_id))
    lang = act.get("twitter_lang")
    post = new_post(
        platform="twitter",
        id=pid,
        author_id=id_after(actor.get("id")) or as_str(actor.get("id")),
        author_handle=as_str(actor.get("preferredUsername")),
        author_name=as_str(actor.get("displayName")),
        author_followers=as_int(actor.get("followersCount")),
        author_verified=actor["verified"] if isinstance(actor.get("verified"), bool) else None,
        author_bio=as_str(actor.get("summary")),
        created_at=parse_iso(act["postedTime"]).replace(microsecond=0),  # v1.1 has seconds only
        text=text if isinstance(text, str) else as_str(text),
        lang=as_str(lang),
        mentions=unique(mentions),
        kind=kind,
        reply_to_id=reply_to_id,
        quote_of_id=quote_of_id,
        repost_of_id=id_after(original.get("id")) if original is not None else None,
        repost_of_author=repost_of_author,
        like_count=as_int(source.get("favoritesCount", act.get("favoritesCount"))),
        repost_count=as_int(source.get("retweetCount", act.get("retweetCount"))),
        source_format=NAME,
    )
    post.update(hashtag_fields(tags))
    post.update(url_fields([u for u in urls if isinstance(u, str)]))
    return post
