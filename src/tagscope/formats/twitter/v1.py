"""Twitter API v1.1 statuses: REST (compat and extended modes), streaming lines, search responses.

Traps handled: ids come from ``id_str`` (the numeric ``id`` loses precision in JSON doubles); the
full text is ``extended_tweet.full_text`` > ``full_text`` > ``text`` with the entities of the same
object; a retweet takes text, hashtags, URLs and counts from ``retweeted_status`` (the wrapper's text
is cut at ~140 characters and its counts are zero); streaming ``delete`` notices become tombstones;
``limit``/``warning`` notices carry no post and are skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from ...post import Tombstone, hashtag_fields, kind_of, unique, url_fields
from ...times import to_utc
from ..base import MAPPING_ERRORS, ParseError, as_id, as_int, as_str, mapped
from . import scrubbing

NAME = "twitter-v1"
PLATFORM = "twitter"
SQL_MAPPING = ".v1_sql"  # ingest's fast path for JSON lines (formats.contract.SqlMapping)
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS
_ERRORS = (*MAPPING_ERRORS, OSError)  # datetime.fromtimestamp raises OSError on a timestamp_ms out of range
_NOTICES = ("limit", "warning", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "friends")


def sniff(head: bytes) -> bool:
    """v1.1 payloads carry ``id_str`` with a ``user`` object, or streaming delete notices."""
    h = head[:65536]
    if h.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"window.YTD."):  # X archive file
        return False
    if b'"data"' in h[:200] and b'"includes"' in h:
        return False
    if b'"actor"' in h and b'"verb"' in h:  # Gnip Activity Streams
        return False
    if h.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b'{"nav_index":') or b'"__import_meta":' in h:
        return False  # Zeeschuimer / 4CAT exports: their X items carry v1.1-style "legacy" tweets
    if b'"id_str"' not in h:
        return False
    # Statuses, or a stream that opens with delete notices (written with or without spaces).
    return b'"created_at"' in h or (b'"delete"' in h and b'"status"' in h)


_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def parse_time(value: str) -> datetime:
    """Twitter's 'Thu Jun 08 15:23:27 +0000 2017' (always UTC); sliced by hand, strptime is slow."""
    if len(value) == 30 and value[20:25] == "+0000":
        try:
            return datetime(int(value[26:30]), _MONTHS[value[4:7]], int(value[8:10]),
                            int(value[11:13]), int(value[14:16]), int(value[17:19]))
        except (KeyError, ValueError):
            pass
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S +0000 %Y")
    except (TypeError, ValueError):
        try:
            return to_utc(datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y"))  # type: ignore[return-value]
        except (TypeError, ValueError) as exc:
            raise ParseError(f"bad created_at: {value!r}") from exc


def _text_and_entities(st: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ext = st.get("extended_tweet")
    if isinstance(ext, dict) and ext.get("full_text") is not None:
        return ext["full_text"], ext.get("entities") or st.get("entities") or {}
    if st.get("full_text") is not None:
        return st["full_text"], st.get("entities") or {}
    return st.get("text"), st.get("entities") or {}


def _urls(entities: dict[str, Any], st: dict[str, Any]) -> list[str]:
    out = []
    for u in entities.get("urls") or ():
        url = u.get("expanded_url") or u.get("url")
        if url and isinstance(url, str):
            out.append(url)
    return out


def parse(obj: Any) -> list[Any]:
    """Posts and tombstones of one v1.1 record (a status, a search response, or a notice)."""
    return mapped("v1.1 record", _parse, obj, errors=_ERRORS)


def _parse(obj: Any) -> list[Any]:
    if obj.__class__ is dict and "user" in obj:  # a status: by far the most common record
        return [parse_status(obj)]
    if isinstance(obj, list):
        return [p for item in obj for p in _with_raw(item)]
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    if "statuses" in obj and isinstance(obj["statuses"], list):
        return [p for item in obj["statuses"] for p in _with_raw(item)]
    if "delete" in obj:
        st = (obj["delete"] or {}).get("status") or {}
        pid = as_str(st.get("id_str")) or as_str(st.get("id"))
        if not pid:
            raise ParseError("delete notice without status id")
        ms = as_int(obj["delete"].get("timestamp_ms"))
        at = datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None) if ms else None
        return [Tombstone("twitter", pid, "deleted", at)]
    if any(k in obj for k in _NOTICES) and "id_str" not in obj and "user" not in obj:
        return []
    return [parse_status(obj)]


def _with_raw(item: Any) -> list[Any]:
    out = _parse(item)
    raw = orjson.dumps(item)
    for p in out:
        if isinstance(p, dict):
            p["_raw"] = raw
    return out


def _reduced_user(st: dict[str, Any]) -> dict[str, Any]:
    """The user of a reduced status: datasets shared as tweet ids plus a few columns (and some
    hydration tools) keep ``user_id_str`` (and maybe ``screen_name``) in place of the ``user`` object.
    ``user_id`` as a JSON float has lost its last digits: as_id refuses it."""
    uid = as_str(st.get("user_id_str")) or as_id(st.get("user_id"))
    handle = st.get("screen_name") if st.get("screen_name") is not None else st.get("user_screen_name")
    return {"id_str": uid, "screen_name": handle, "name": st.get("user_name"),
            "followers_count": st.get("user_followers_count")}


def parse_status(st: dict[str, Any]) -> dict[str, Any]:
    """One status object to a post."""
    pid = as_id(st.get("id_str")) or as_id(st.get("id"))
    if not pid:
        raise ParseError("missing id_str")
    user = st.get("user")
    if user is None and (st.get("user_id_str") or st.get("user_id")):
        user = _reduced_user(st)
    if not isinstance(user, dict) or not (user.get("id_str") or user.get("id") or user.get("screen_name")):
        raise ParseError("missing user")
    if not st.get("created_at"):
        raise ParseError("missing created_at")
    rt = st.get("retweeted_status")
    rt = rt if isinstance(rt, dict) else None
    source = rt or st
    text, entities = _text_and_entities(source)
    tags = [h["text"] for h in entities.get("hashtags") or () if isinstance(h.get("text"), str)]
    mentions = [m["screen_name"] for m in entities.get("user_mentions") or () if isinstance(m.get("screen_name"), str)]
    kind = kind_of(repost=bool(rt), reply=bool(st.get("in_reply_to_status_id_str") or st.get("in_reply_to_status_id")),
                   quote=bool(st.get("is_quote_status") and (st.get("quoted_status_id_str") or st.get("quoted_status"))))
    if rt:
        rt_user = rt.get("user") or {}
        if isinstance(rt_user.get("screen_name"), str):
            mentions = [rt_user["screen_name"], *mentions]
    quoted = st.get("quoted_status")
    tag_cols = hashtag_fields(tags)
    url_cols = url_fields(_urls(entities, source))
    # A dict display in POST_FIELDS order: the cheapest way to build millions of posts.
    return {
        "platform": "twitter",
        "id": pid,
        "author_id": as_str(user.get("id_str")) or as_str(user.get("id")),
        "author_handle": as_str(user.get("screen_name")),
        "author_name": as_str(user.get("name")),
        "author_followers": as_int(user.get("followers_count")),
        "author_verified": user["verified"] if isinstance(user.get("verified"), bool) else None,
        "author_bio": as_str(user.get("description")),
        "created_at": parse_time(st["created_at"]),
        "text": text if isinstance(text, str) else as_str(text),
        "lang": as_str(st.get("lang")),
        "hashtags": tag_cols["hashtags"],
        "hashtags_norm": tag_cols["hashtags_norm"],
        "mentions": unique(mentions),
        "urls": url_cols["urls"],
        "domains": url_cols["domains"],
        "kind": kind,
        "reply_to_id": as_str(st.get("in_reply_to_status_id_str")) or as_str(st.get("in_reply_to_status_id")),
        "reply_to_user_id": as_str(st.get("in_reply_to_user_id_str")) or as_str(st.get("in_reply_to_user_id")),
        "quote_of_id": as_str(st.get("quoted_status_id_str"))
        or (as_str(quoted.get("id_str")) if isinstance(quoted, dict) else None),
        "repost_of_id": (as_str(rt.get("id_str")) or as_str(rt.get("id"))) if rt else None,
        "repost_of_author": as_str((rt.get("user") or {}).get("screen_name")) if rt else None,
        "conversation_id": None,
        "community": None,
        "like_count": as_int(source.get("favorite_count")),
        "repost_count": as_int(source.get("retweet_count")),
        "reply_count": as_int(source.get("reply_count")),
        "quote_count": as_int(source.get("quote_count")),
        "source_format": NAME,
        "source_file": None,
        "source_line": None,
        "indexed_at": None,
        "hashtags_hidden": None,
        "edit_count": None,
    }
