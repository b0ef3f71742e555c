"""Twitter API v2 as twarc2 writes it: response pages, flattened lines, streaming lines, compliance.

Shapes read (one JSON value per line):

- a page: ``{"data": [tweet...], "includes": {"users", "tweets", "media"...}, "errors": [...], "meta"}``;
- a streaming line: ``{"data": tweet, "includes": {...}, "matching_rules": [...]}``;
- a flattened tweet (``twarc2 flatten``): the tweet itself, with ``author`` and the referenced tweets
  inlined and a ``__twarc`` key;
- a compliance line: ``{"id", "action": "delete", "created_at", "reason"}``;
- a bare tweet: an API response's ``data[]`` item alone (datasets keep them so), often without
  ``entities``: its hashtags and mentions are then read from its text (``_from_text``), as for a
  streaming line's or a flattened tweet; a page's tweets are read from their entities only.

Traps handled: a retweet's ``text`` is cut ("RT @x: ...…"): text, hashtags, URLs and counts come from
the retweeted tweet in ``includes.tweets`` (or inlined); long posts keep their full text in
``note_tweet.text``; ``edit_history_tweet_ids`` lists every version, oldest first: the newest one is
the post and the older ids become ``edited`` tombstones; ``errors[]`` carry no posts, but a
"Not Found Error" for a tweet means the tweet is gone, so it becomes a ``deleted`` tombstone.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ...post import Tombstone, hashtag_fields, kind_of, unique, url_fields
from ..base import (
    MAPPING_ERRORS,
    ParseError,
    Rejected,
    as_id,
    as_int,
    as_str,
    cannot_map,
    is_media_link,
    mapped,
    parse_iso,
)
from . import scrubbing

NAME = "twitter-v2"
PLATFORM = "twitter"
SQL_MAPPING = ".v2_sql"  # ingest's fast path for JSON lines (formats.contract.SqlMapping)
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS


# A bare v2 tweet: a string id of digits, a text, and a key only v2 tweets have.
_BARE_ID = re.compile(rb'"id"\s*:\s*"\d+"')
_V2_KEY = re.compile(rb'"(?:edit_history_tweet_ids|author_id|conversation_id|referenced_tweets|reply_settings|'
                     rb'possibly_sensitive|public_metrics)"\s*:')
_NOT_V2 = re.compile(rb'"(?:id_str|user|verb|subreddit|account|did|uri|from_id)"\s*:')
# Tags and mentions as Twitter marks them, read from a text whose record has no entities.
_TAG = re.compile(r"(?<![\w&#＃])[#＃](\w*[^\W\d_]\w*)")
_MENTION = re.compile(r"(?<![\w@＠])[@＠](\w{1,15})(?![\w@＠])")
_URL_IN_TEXT = re.compile(r"https?://\S+", re.IGNORECASE)


def sniff(head: bytes) -> bool:
    """twarc2 pages/streaming lines open with ``{"data":``; flattened lines carry ``__twarc`` and no
    v1.1 ``id_str``; bare tweet objects a string id, a text and a v2 key; compliance lines carry
    ``"action"``."""
    h = head[:65536].lstrip(b" \t\r\n\xef\xbb\xbf")
    if not h.startswith(b"{"):
        return False
    first = h.split(b"\n", 1)[0]
    if first.startswith((b'{"data":', b'{"data" :', b'{"errors":')) or (
        b'"data":' in first[:2000] and b'"includes":' in first
    ):
        return True
    if b'"id_str"' in first or b'"verb"' in first:
        return False
    if b'"__twarc"' in first and b'"author_id"' in first:
        return True
    if _BARE_ID.search(first) and b'"text"' in first and _V2_KEY.search(first) and not _NOT_V2.search(first):
        return True  # a bare tweet object, as API responses' data[] (no page, no __twarc)
    return b'"action":' in first and b'"id":' in first and b'"created_at":' in first and len(first) < 1000


def parse(obj: Any) -> list[Any]:
    """Posts and tombstones of one v2 record (see the module docstring for the shapes)."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    return mapped("v2 record", _parse, obj)


def _parse(obj: dict[str, Any]) -> list[Any]:
    data = obj.get("data")
    if data is not None or "errors" in obj:
        includes = obj.get("includes") or {}
        users = _by_id(includes.get("users"))
        tweets = _by_id(includes.get("tweets"))
        out: list[Any] = _error_tombstones(obj.get("errors"))
        if isinstance(data, list):
            if data and isinstance(data[0], dict) and "username" in data[0] and "text" not in data[0]:
                raise ParseError("a page of users, not tweets (twarc2 users/followers output holds no posts)")
            for i, tw in enumerate(data):
                out.extend(_page_tweet(i, tw, users, tweets))
        elif isinstance(data, dict):
            out.extend(_tweet(data, users, tweets, with_raw=False))
        elif data is not None:
            raise ParseError("data is neither a tweet nor a list of tweets")
        return out
    if "action" in obj and "text" not in obj:
        return _compliance(obj)
    if "id" in obj and ("text" in obj or "author_id" in obj or "author" in obj):
        return _tweet(obj, {}, {}, with_raw=False)
    raise ParseError("not a Twitter API v2 record (no data, tweet id or compliance action)")


def _page_tweet(i: int, tw: Any, users: dict[str, Any], tweets: dict[str, Any]) -> list[Any]:
    """The posts of tweet I of a page, or its rejection: a bad tweet is quarantined alone, so the
    page's other tweets (up to 99) are still posts."""
    try:
        return _tweet(tw, users, tweets, with_raw=True)
    except ParseError as exc:
        reason = str(exc)
    except MAPPING_ERRORS as exc:
        reason = cannot_map("v2 record", exc)
    try:
        raw = orjson.dumps(tw)
    except orjson.JSONEncodeError:  # not from JSON (an integer past 64 bits): the reason says enough
        raw = b""
    return [Rejected(f"data[{i}]: {reason}", raw)]


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {it["id"]: it for it in items if isinstance(it, dict) and isinstance(it.get("id"), str)}


def _error_tombstones(errors: Any) -> list[Any]:
    """A tweet the API reports as not found is gone (deleted, or its account is): remember that."""
    out: list[Any] = []
    if not isinstance(errors, list):
        return out
    for err in errors:
        if (
            isinstance(err, dict)
            and err.get("resource_type") == "tweet"
            and err.get("title") == "Not Found Error"
            and isinstance(err.get("resource_id"), str)
            and err["resource_id"].isdigit()
        ):
            out.append(Tombstone("twitter", err["resource_id"], "deleted"))
    return out


def _compliance(obj: dict[str, Any]) -> list[Any]:
    if obj.get("action") != "delete":
        return []
    pid = as_str(obj.get("id"))
    if not pid:
        raise ParseError("compliance record without id")
    at = parse_iso(obj["created_at"]) if obj.get("created_at") else None
    return [Tombstone("twitter", pid, "compliance", at)]


def _tweet(tw: Any, users: dict[str, Any], tweets: dict[str, Any], *, with_raw: bool) -> list[Any]:
    if not isinstance(tw, dict):
        raise ParseError("tweet is not a JSON object")
    pid = as_id(tw.get("id"))
    if not pid:
        raise ParseError("missing id")
    out: list[Any] = []
    history = tw.get("edit_history_tweet_ids")
    if isinstance(history, list) and len(history) > 1:
        newest = as_str(history[-1])
        if newest != pid and newest in tweets:
            # An older version, and the page holds the newest: that one is the post.
            tw, pid = tweets[newest], newest
        # Versions older than the one kept (ids grow with time) are superseded.
        out.extend(Tombstone("twitter", old, "edited") for old in map(as_str, history) if old and _older(old, pid))
    post = _post(tw, pid, users, tweets, text_fallback=not with_raw)
    if with_raw:
        post["_raw"] = orjson.dumps(_self_contained(tw, users, tweets))
    out.append(post)
    return out


def _older(a: str, b: str) -> bool:
    """Whether tweet id a is older than b (snowflake ids are increasing numbers)."""
    return (len(a), a) < (len(b), b) if a.isdigit() and b.isdigit() else False


def _self_contained(tw: dict[str, Any], users: dict[str, Any], tweets: dict[str, Any]) -> dict[str, Any]:
    """The tweet with only the includes it references, so it maps alone to the same post."""
    inc_tweets: dict[str, Any] = {}
    for ref in tw.get("referenced_tweets") or ():
        rid = ref.get("id") if isinstance(ref, dict) else None
        if rid in tweets:
            inc_tweets[rid] = tweets[rid]
    for hid in tw.get("edit_history_tweet_ids") or ():
        if hid in tweets:
            inc_tweets[hid] = tweets[hid]
    uids = [tw.get("author_id"), *(t.get("author_id") for t in inc_tweets.values())]
    inc_users = [users[u] for u in unique([u for u in uids if isinstance(u, str)]) if u in users]
    includes: dict[str, Any] = {}
    if inc_users:
        includes["users"] = inc_users
    if inc_tweets:
        includes["tweets"] = list(inc_tweets.values())
    return {"data": tw, "includes": includes} if includes else {"data": tw}


def _ref_ids(refs: Any) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Referenced ids by type, and the referenced tweets inlined by ``twarc2 flatten``."""
    ids: dict[str, str] = {}
    inlined: dict[str, dict[str, Any]] = {}
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, dict) and isinstance(ref.get("type"), str) and ref.get("id") is not None:
                ids.setdefault(ref["type"], as_str(ref["id"]) or "")
                if "text" in ref:
                    inlined[ref["type"]] = ref
    return ids, inlined


def _full_text(tw: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    note = tw.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return note["text"], note.get("entities") or tw.get("entities") or {}
    return tw.get("text"), tw.get("entities") or {}


def _note_entities(tw: dict[str, Any]) -> bool:
    note = tw.get("note_tweet")
    return isinstance(note, dict) and note.get("entities") is not None


def _from_text(text: Any) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentions and URLs of a tweet that came without ``entities`` (the API returns them only
    when asked), read from its text: a tag is ``#`` not after a letter, digit, ``_``, ``&`` or ``#``,
    then word characters with at least one letter; a mention ``@`` and up to 15 word characters. The
    text's links are t.co short links that only entities expand: they are taken out first, so a
    link's path is no tag, and not kept (every one would count for the domain t.co)."""
    if not isinstance(text, str):
        return [], [], []
    rest = _URL_IN_TEXT.sub(" ", text) if "://" in text else text
    tags = _TAG.findall(rest) if ("#" in rest or "＃" in rest) else []
    mentions = _MENTION.findall(rest) if ("@" in rest or "＠" in rest) else []
    return tags, mentions, []


def _user_of(tw: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    author = tw.get("author")
    if isinstance(author, dict):
        return author
    return users.get(tw.get("author_id")) or {}  # type: ignore[arg-type]


def _post(tw: dict[str, Any], pid: str, users: dict[str, Any], tweets: dict[str, Any], *,
          text_fallback: bool = False) -> dict[str, Any]:
    """TEXT_FALLBACK: a tweet standing alone (not in a page) without ``entities`` is read from its text.
    A page's tweets are not: the API leaves ``entities`` out of a tweet that has none, and a page is
    mapped by the fast paths from its entities alone."""
    user = _user_of(tw, users)
    author_id = as_str(tw.get("author_id")) or as_str(user.get("id"))
    if not author_id:
        raise ParseError("missing author_id")
    if not tw.get("created_at"):
        raise ParseError("missing created_at")
    ref_ids, inlined = _ref_ids(tw.get("referenced_tweets"))
    rt_id = ref_ids.get("retweeted")
    rt = inlined.get("retweeted") or (tweets.get(rt_id) if rt_id else None)
    source = rt if isinstance(rt, dict) else tw
    text, entities = _full_text(source)
    if text_fallback and source.get("entities") is None and not _note_entities(source):
        tags, mentions, urls = _from_text(text)  # requested without entities: read the text as Twitter does
    else:
        if not isinstance(entities, dict):
            entities = {}
        # Entity lists of non-objects raise AttributeError: the record is then quarantined, not half-read.
        tags = [t for t in (h.get("tag") for h in entities.get("hashtags") or ()) if t.__class__ is str]
        mentions = [t for t in (m.get("username") for m in entities.get("mentions") or ()) if t.__class__ is str]
        urls = [u.get("expanded_url") or u.get("unwound_url") or u.get("url")
                for u in entities.get("urls") or () if "media_key" not in u]
    rt_author = None
    if rt_id:
        if isinstance(rt, dict):
            rt_author = as_str(_user_of(rt, users).get("username"))
        if rt_author is None:
            rt_author = _rt_prefix(tw.get("text"))
        if rt_author and isinstance(rt, dict):
            mentions = [rt_author, *mentions]
    kind = kind_of(repost=bool(rt_id), reply="replied_to" in ref_ids, quote="quoted" in ref_ids)
    metrics = source.get("public_metrics") or {}
    umetrics = user.get("public_metrics") or {}
    verified = user.get("verified")
    vtype = user.get("verified_type")
    if isinstance(vtype, str) and vtype not in ("none", ""):
        verified = True
    tag_cols = hashtag_fields(tags)
    url_cols = url_fields([u for u in urls if u.__class__ is str and not is_media_link(u)])
    # A dict display in POST_FIELDS order: the cheapest way to build millions of posts.
    return {
        "platform": "twitter",
        "id": pid,
        "author_id": author_id,
        "author_handle": as_str(user.get("username")),
        "author_name": as_str(user.get("name")),
        "author_followers": as_int(umetrics.get("followers_count")),
        "author_verified": verified if isinstance(verified, bool) else None,
        "author_bio": as_str(user.get("description")),
        "created_at": parse_iso(tw["created_at"]).replace(microsecond=0),  # v1.1 has seconds only
        "text": text if isinstance(text, str) else as_str(text),
        "lang": as_str(tw.get("lang")),
        "hashtags": tag_cols["hashtags"],
        "hashtags_norm": tag_cols["hashtags_norm"],
        "mentions": unique(mentions),
        "urls": url_cols["urls"],
        "domains": url_cols["domains"],
        "kind": kind,
        "reply_to_id": ref_ids.get("replied_to") or None,
        "reply_to_user_id": as_str(tw.get("in_reply_to_user_id")),
        "quote_of_id": ref_ids.get("quoted") or None,
        "repost_of_id": rt_id or None,
        "repost_of_author": rt_author,
        "conversation_id": as_str(tw.get("conversation_id")),
        "community": None,
        "like_count": as_int(metrics.get("like_count")),
        "repost_count": as_int(metrics.get("retweet_count")),
        "reply_count": as_int(metrics.get("reply_count")),
        "quote_count": as_int(metrics.get("quote_count")),
        "source_format": NAME,
        "source_file": None,
        "source_line": None,
        "indexed_at": None,
        "hashtags_hidden": None,
        "edit_count": None,
    }


def _rt_prefix(text: Any) -> str | None:
    """'alice' from 'RT @alice: ...' (the only trace of the original author when includes lack it)."""
    if isinstance(text, str) and text.startswith("RT @"):
        end = text.find(":", 4)
        if end > 4:
            return text[4:end]
    return None
