"""Forget's scrub for captured items (Zeeschuimer, 4CAT NDJSON): the copies of others an item carries.

A tweet carries the whole tweet it retweets or quotes; a Threads post the whole post it quotes or reposts (``text_post_app_info.share_info``); an
Instagram post carries comments, the likers shown beside it, people tagged in it and its co-authors,
each with their username; a TikTok comment its video's description and replies. These are replaced by their ids alone (a quoted post) or removed (a comment,
a liker) when they are a forgotten post or by a forgotten account. Mentions and the account replied to
are references, not copies: they stay, and the record maps to the same post.
"""

from __future__ import annotations

from typing import Any

from ..contract import Forgotten

# Keys under which these items name an account's handle.
HANDLE_KEYS = ("username", "uniqueId", "unique_id", "screen_name")
# Instagram's lists of other people's entries, and where each entry's account is.
_IG_LISTS = ("comments", "preview_comments", "facepile_top_likers", "coauthor_producers")


def _item(obj: Any) -> Any:
    """The platform item of a Zeeschuimer wrapper, or a 4CAT item itself."""
    return obj.get("data") if isinstance(obj, dict) and "source_platform" in obj and "data" in obj else obj


def _gone_account(user: Any, forgotten: Forgotten) -> bool:
    if not isinstance(user, dict):
        return False
    ids = {str(user[k]) for k in ("pk", "id", "pk_id") if user.get(k) is not None}
    name = user.get("username")
    return (not ids.isdisjoint(forgotten.accounts)
            or (isinstance(name, str) and name.lower().lstrip("@") in forgotten.handles))


def _gone_post(post: dict[str, Any], forgotten: Forgotten) -> bool:
    ids = {str(post[k]) for k in ("code", "pk", "id") if post.get(k) is not None}
    return not ids.isdisjoint(forgotten.ids) or _gone_account(post.get("user"), forgotten)


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """Remove, in place, the embedded copies of forgotten posts and accounts; return whether any."""
    item = _item(obj)
    if not isinstance(item, dict):
        return False
    changed = False
    info = item.get("text_post_app_info")
    share = info.get("share_info") if isinstance(info, dict) else None
    if isinstance(share, dict):
        for key in ("quoted_post", "reposted_post"):
            post = share.get(key)
            if isinstance(post, dict) and _gone_post(post, forgotten):
                kept = {k: post[k] for k in ("code", "pk", "id") if k in post}
                changed = changed or kept != post
                share[key] = kept
    for key in _IG_LISTS:
        entries = item.get(key)
        if isinstance(entries, list):
            kept_entries = [e for e in entries if not (isinstance(e, dict) and (
                _gone_account(e.get("user", e), forgotten)
                or (e.get("pk") is not None and str(e["pk"]) in forgotten.ids)))]
            if len(kept_entries) != len(entries):
                item[key] = kept_entries
                changed = True
    changed = _scrub_tweets(item, forgotten) or changed
    changed = _scrub_comment(item, forgotten) or changed
    tags = item.get("usertags")
    people = tags.get("in") if isinstance(tags, dict) else None
    if isinstance(people, list):
        kept_people = [p for p in people if not (isinstance(p, dict) and _gone_account(p.get("user"), forgotten))]
        if len(kept_people) != len(people):
            tags["in"] = kept_people
            changed = True
    return changed


def _scrub_tweets(item: dict[str, Any], forgotten: Forgotten) -> bool:
    """A GraphQL tweet's copies of the tweet it retweets (``legacy.retweeted_status_result``) and quotes
    (``quoted_status_result``): one of a forgotten post or account keeps only its ``rest_id``."""
    changed = False
    legacy = item.get("legacy")
    for holder, key in ((legacy, "retweeted_status_result"), (item, "quoted_status_result")):
        copy = holder.get(key) if isinstance(holder, dict) else None
        result = copy.get("result") if isinstance(copy, dict) else None
        tweet = result.get("tweet", result) if isinstance(result, dict) else None
        if isinstance(tweet, dict) and _gone_tweet(tweet, forgotten):
            holder[key] = {"result": {"rest_id": tweet["rest_id"]} if "rest_id" in tweet else {}}
            changed = True
    return changed


def _gone_tweet(tweet: dict[str, Any], forgotten: Forgotten) -> bool:
    user = tweet.get("core", {}).get("user_results", {}).get("result") if isinstance(tweet.get("core"), dict) else None
    user = user if isinstance(user, dict) else {}
    legacy = tweet.get("legacy") if isinstance(tweet.get("legacy"), dict) else {}
    names = [n.get("screen_name") for n in (user.get("core"), user.get("legacy")) if isinstance(n, dict)]
    return (str(tweet.get("rest_id")) in forgotten.ids
            or not {str(user.get("rest_id")), str(legacy.get("user_id_str"))}.isdisjoint(forgotten.accounts)
            or any(isinstance(n, str) and n.lower() in forgotten.handles for n in names))


def _scrub_comment(item: dict[str, Any], forgotten: Forgotten) -> bool:
    """A TikTok comment's copy of its video's description (``share_info.title``), when the video is a
    forgotten post, and the replies it embeds (``reply_comment``) of forgotten comments or accounts."""
    changed = False
    share = item.get("share_info")
    if isinstance(share, dict) and str(item.get("aweme_id")) in forgotten.ids:
        for key in ("title", "desc"):
            if share.get(key):
                share[key] = ""
                changed = True
    replies = item.get("reply_comment")
    if isinstance(replies, list):
        kept = [r for r in replies if not (isinstance(r, dict) and (
            str(r.get("cid")) in forgotten.ids or _gone_tiktok_user(r.get("user"), forgotten)))]
        if len(kept) != len(replies):
            item["reply_comment"] = kept
            changed = True
    return changed


def _gone_tiktok_user(user: Any, forgotten: Forgotten) -> bool:
    if not isinstance(user, dict):
        return False
    name = user.get("unique_id")
    return str(user.get("uid")) in forgotten.accounts or (isinstance(name, str) and name.lower() in forgotten.handles)
