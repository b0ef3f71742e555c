"""TikTok videos and comments, Instagram and Threads posts as the platforms' own web APIs give them.

Zeeschuimer captures these items from the browser's traffic and 4CAT keeps them as they came (its
NDJSON); both read them here. Each mapper takes one item (a dict) and returns one post, or raises
:class:`Skip` for an item that is not a post one can date (an ad, a grid tile without its time) and
:class:`ParseError` for one that is malformed. The fields read follow 4CAT's own ``map_item`` for each
datasource (datasources/tiktok, instagram, threads in digitalmethodsinitiative/4cat), so a post keeps
the id 4CAT's CSV gives it and the two exports of one item are one post. X's tweets are in ``tweets``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from ...post import new_post
from ..base import ParseError, as_id, as_int, as_str
from . import text
from .common import Skip, bool_of, dict_of, list_of, unix_time
from .tweets import twitter

__all__ = ["MAPPERS", "Skip", "instagram", "map_item", "threads", "tiktok", "tiktok_comment", "twitter", "unix_time"]


def tiktok(item: dict[str, Any], source_format: str) -> dict[str, Any]:
    """A TikTok video (``itemList``/``itemStruct`` item): ``desc`` is the text; tags from ``textExtra``
    (in the text) then ``challenges`` (the video's hashtag pages); ``createTime`` in seconds."""
    pid = as_id(item.get("id"))
    if not pid:
        raise ParseError("missing id")
    author = item.get("author")
    if isinstance(author, dict):  # from an intercepted API response
        handle, author_id = as_str(author.get("uniqueId")), as_str(author.get("id"))
        name, verified, bio = as_str(author.get("nickname")), bool_of(author.get("verified")), as_str(author.get("signature"))
    else:  # from the JSON embedded in a page: the handle alone, the rest beside it
        handle, author_id = as_str(author), as_str(item.get("authorId"))
        name, verified, bio = as_str(item.get("nickname")), None, None
    extra = [e for e in list_of(item.get("textExtra")) if isinstance(e, dict)]
    tags = [as_str(e.get("hashtagName")) for e in extra] + [as_str(dict_of(c).get("title")) for c in list_of(item.get("challenges"))]
    mentions = [as_str(e.get("userUniqueId")) for e in extra]
    stats = dict_of(item.get("stats")) or dict_of(item.get("statsV2"))
    duet = as_str(dict_of(item.get("duetInfo")).get("duetFromId"))
    duet = duet if duet and duet != "0" else None
    post = new_post(
        platform="tiktok", id=pid, author_id=author_id or handle, author_handle=handle, author_name=name,
        author_verified=verified, author_bio=bio,
        author_followers=as_int(dict_of(item.get("authorStats")).get("followerCount")),
        created_at=unix_time(item.get("createTime"), "createTime"), text=as_str(item.get("desc")),
        lang=as_str(item.get("textLanguage")), kind="quote" if duet else "original", quote_of_id=duet,
        like_count=as_int(stats.get("diggCount")), repost_count=as_int(stats.get("shareCount")),
        reply_count=as_int(stats.get("commentCount")), source_format=source_format)
    # textExtra marks the text's tags and mentions; older and embedded items leave it empty: then the
    # text is read. Challenges (the hashtag pages the video is listed on) are added after either.
    tags = [t for t in tags if t]
    mentions = [m for m in mentions if m]
    post.update(text.links(post["text"], tags_given=[*text.tags(post["text"]), *tags], mentions_given=mentions or None))
    return post


def tiktok_comment(item: dict[str, Any], source_format: str) -> dict[str, Any]:
    """A comment under a TikTok video (Zeeschuimer's ``tiktok-comments`` module, 4CAT's tiktok_comments):
    ``cid``, ``text``, ``create_time``, ``user``; a reply to the video (``aweme_id``) or, when
    ``reply_id`` is not ``"0"``, to that comment. The video is the conversation."""
    cid = as_id(item.get("cid"))
    if not cid:
        raise ParseError("missing cid")
    video = as_str(item.get("aweme_id"))
    parent = as_str(item.get("reply_id"))
    user = dict_of(item.get("user"))
    post = new_post(
        platform="tiktok", id=cid, author_id=as_str(user.get("uid")) or as_str(user.get("unique_id")),
        author_handle=as_str(user.get("unique_id")), author_name=as_str(user.get("nickname")),
        created_at=unix_time(item.get("create_time"), "create_time"), text=as_str(item.get("text")),
        lang=as_str(item.get("comment_language")), kind="reply",
        reply_to_id=parent if parent and parent != "0" else video, conversation_id=video,
        like_count=as_int(item.get("digg_count")), reply_count=as_int(item.get("reply_comment_total")),
        source_format=source_format)
    post.update(text.links(post["text"]))
    return post


# Instagram's media types (4CAT's SearchInstagram constants) do not matter here: any item is one post.
def instagram(item: dict[str, Any], source_format: str) -> dict[str, Any]:
    """An Instagram post: the item-list form (``code``, ``taken_at``, ``caption.text``, ``user``) or the
    older graph form (``shortcode``, ``taken_at_timestamp``, ``edge_media_to_caption``, ``owner``).
    The id is the shortcode (``code``), as 4CAT's; tags and mentions are read from the caption."""
    link = as_str(item.get("link")) or ""
    if item.get("product_type") == "ad" or link.startswith("https://www.facebook.com/ads/ig_redirect"):
        raise Skip("Instagram ad")
    typename = as_str(item.get("__typename")) or ""
    if "polaris" in typename.lower() or (item.get("_zs_partial") and item.get("taken_at") in (None, "")):
        raise Skip("Instagram grid tile without its time (open the post to capture it whole)")
    graph = typename.startswith("Graph")
    code = as_str(item.get("shortcode" if graph else "code"))
    if not code:
        raise ParseError("missing code")
    user = dict_of(item.get("user")) or dict_of(item.get("owner"))
    if graph:
        edges = list_of(dict_of(item.get("edge_media_to_caption")).get("edges"))
        caption = as_str(dict_of(dict_of(edges[0]).get("node")).get("text")) if edges else None
        created = unix_time(item.get("taken_at_timestamp"), "taken_at_timestamp")
        likes = as_int(dict_of(item.get("edge_media_preview_like")).get("count"))
        comments = as_int(dict_of(item.get("edge_media_to_comment") or item.get("edge_media_preview_comment")).get("count"))
    else:
        caption = as_str(dict_of(item.get("caption")).get("text"))
        created = unix_time(item.get("taken_at"), "taken_at")
        likes, comments = as_int(item.get("like_count")), as_int(item.get("comment_count"))
    if item.get("like_and_view_counts_disabled") is True:
        likes = None  # hidden by the author: Instagram sends a placeholder, not the count
    post = new_post(
        platform="instagram", id=code, author_id=as_str(user.get("pk") or user.get("id")) or as_str(user.get("username")),
        author_handle=as_str(user.get("username")), author_name=as_str(user.get("full_name")),
        author_verified=bool_of(user.get("is_verified")), created_at=created, text=caption, kind="original",
        like_count=likes, reply_count=comments, source_format=source_format)
    post.update(text.links(caption))
    return post


def _unwrap(url: str) -> str:
    """A link as Threads shows it goes through ``l.threads.net/?u=<url>``: the link is the ``u``."""
    inner = parse_qs(urlparse(url).query).get("u") if "threads." in url[:40] else None
    return inner[0] if inner else url


def threads(item: dict[str, Any], source_format: str) -> dict[str, Any]:
    """A Threads post (the ``post`` objects of a thread's items): ``caption.text``, or the text
    fragments of ``text_post_app_info`` when the caption is empty; the id is ``code``, as 4CAT's."""
    code = as_str(item.get("code"))
    if not code:
        raise ParseError("missing code")
    info = dict_of(item.get("text_post_app_info"))
    caption = as_str(dict_of(item.get("caption")).get("text"))
    fragments = [f for f in list_of(dict_of(info.get("text_fragments")).get("fragments")) if isinstance(f, dict)]
    if caption is None and fragments:
        caption = "".join(f["plaintext"] for f in fragments if isinstance(f.get("plaintext"), str)) or None
    urls = [as_str(dict_of(f.get("link_fragment")).get("uri")) for f in fragments]
    preview = as_str(dict_of(info.get("link_preview_attachment")).get("url"))
    urls = [_unwrap(u) for u in [preview, *urls] if u]
    user = dict_of(item.get("user"))
    share = dict_of(info.get("share_info"))
    reposted = dict_of(share.get("reposted_post"))
    if as_str(reposted.get("code")):
        return _threads_repost(item, reposted, source_format)
    quoted = dict_of(share.get("quoted_post"))
    quote_of = as_str(quoted.get("code"))
    replied = dict_of(info.get("reply_to_author"))
    is_reply = info.get("is_reply") is True or bool(replied)
    kind = "quote" if quote_of else "reply" if is_reply else "original"
    post = new_post(
        platform="threads", id=code, author_id=as_str(user.get("pk") or user.get("id")) or as_str(user.get("username")),
        author_handle=as_str(user.get("username")), author_name=as_str(user.get("full_name")),
        author_verified=bool_of(user.get("is_verified")), created_at=unix_time(item.get("taken_at"), "taken_at"),
        text=caption, kind=kind, quote_of_id=quote_of,
        reply_to_user_id=as_str(replied.get("pk") or replied.get("id")) if is_reply else None,
        like_count=as_int(item.get("like_count")), repost_count=as_int(info.get("repost_count")),
        reply_count=as_int(info.get("direct_reply_count")), quote_count=as_int(info.get("quote_count")),
        source_format=source_format)
    post.update(text.links(caption, urls_given=urls))
    return post


def _threads_repost(item: dict[str, Any], reposted: dict[str, Any], source_format: str) -> dict[str, Any]:
    """A Threads repost: a post of its own (``code``, ``taken_at``, the reposter as ``user``, no caption)
    whose ``share_info.reposted_post`` is the post reposted. As a retweet, it carries the reposted
    post's text, tags, links and counts, and its mentions start with the reposted author."""
    original = threads(reposted, source_format)
    user = dict_of(item.get("user"))
    return {**original, "id": as_str(item.get("code")), "author_id": as_str(user.get("pk") or user.get("id")) or as_str(user.get("username")),
            "author_handle": as_str(user.get("username")), "author_name": as_str(user.get("full_name")),
            "author_verified": bool_of(user.get("is_verified")), "author_followers": None, "author_bio": None,
            "created_at": unix_time(item.get("taken_at"), "taken_at"), "kind": "repost", "reply_to_id": None,
            "reply_to_user_id": None, "quote_of_id": None, "repost_of_id": original["id"],
            "repost_of_author": original["author_handle"],
            "mentions": [m for m in dict.fromkeys([original["author_handle"], *original["mentions"]]) if m]}


# Zeeschuimer's module ids (``source_platform``) whose items are mapped, with their platform's name.
MAPPERS: dict[str, tuple[str, Callable[[dict[str, Any], str], dict[str, Any]]]] = {
    "tiktok.com": ("tiktok", tiktok),
    "instagram.com": ("instagram", instagram),
    "threads.net": ("threads", threads),
    "threads.com": ("threads", threads),
    "twitter.com": ("twitter", twitter),
    "tiktok-comments": ("tiktok", tiktok_comment),
}


def map_item(source_platform: Any, item: Any, source_format: str) -> dict[str, Any]:
    """The post of one item captured on SOURCE_PLATFORM (a Zeeschuimer module id); Skip for a platform
    whose items are not mapped (yet), with the reason."""
    found = MAPPERS.get(source_platform) if isinstance(source_platform, str) else None
    if found is None:
        raise Skip(f"{source_platform} items are not mapped" if isinstance(source_platform, str) and source_platform
                   else "no source_platform")
    if not isinstance(item, dict):
        raise ParseError("item is not a JSON object")
    return found[1](item, source_format)
