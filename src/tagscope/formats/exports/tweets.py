"""Tweets as X's web app loads them (GraphQL ``tweet_results.result``), as Zeeschuimer captures them.

4CAT reads the same items (datasources/twitter-import, ``map_item_modern``): ``rest_id`` is the id,
``legacy`` a v1.1-style tweet, the author under ``core.user_results.result`` (its names in ``core`` on
newer responses, ``legacy`` on older ones). The post is ``("twitter", rest_id)``: the same post as from
the API, an archive or a CSV.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...post import new_post
from ..base import ParseError, as_id, as_int, as_str, is_media_link
from . import text
from .common import Skip, dict_of, list_of

_TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


def _tweet(value: Any) -> dict[str, Any]:
    """A ``tweet_results.result``-style value, unwrapped (``TweetWithVisibilityResults`` nests ``tweet``)."""
    result = dict_of(dict_of(value).get("result")) or dict_of(value)
    return dict_of(result.get("tweet")) or result


def _twitter_user(tweet: dict[str, Any]) -> dict[str, Any]:
    """The author fields of a GraphQL tweet: the user's ``core`` (newer) or ``legacy`` (older) names."""
    user = _tweet(dict_of(tweet.get("core")).get("user_results"))
    core, legacy = dict_of(user.get("core")), dict_of(user.get("legacy"))
    verified = (user.get("is_blue_verified") is True or legacy.get("verified") is True
                or dict_of(user.get("verification")).get("verified") is True or None)
    return {"author_id": as_str(dict_of(tweet.get("legacy")).get("user_id_str")) or as_str(user.get("rest_id")),
            "author_handle": as_str(core.get("screen_name") or legacy.get("screen_name")),
            "author_name": as_str(core.get("name") or legacy.get("name")),
            "author_followers": as_int(legacy.get("followers_count", dict_of(user.get("relationship_counts")).get("followers"))),
            "author_verified": verified,
            "author_bio": as_str(dict_of(user.get("profile_bio")).get("description") or legacy.get("description"))}


def twitter(item: dict[str, Any], source_format: str) -> dict[str, Any]:
    """A tweet as X's web app loads it (GraphQL ``tweet_results.result``): ``rest_id``; ``legacy`` is a
    v1.1-style tweet (``full_text``, ``entities``, counts, reply and quote ids); ``note_tweet`` holds
    the whole text of a long post. A retweet carries the retweeted post's text, tags and counts, as in
    every Twitter format; a promoted tweet (an ad in the timeline) is skipped."""
    if item.get("promoted") is True:
        raise Skip("promoted tweet (an ad)")
    if item.get("__typename") in ("TweetTombstone", "TweetUnavailable"):
        raise Skip("tweet unavailable (a tombstone in the timeline)")
    tweet = _tweet(item)
    pid = as_id(tweet.get("rest_id"))
    if not pid:
        raise Skip("legacy adaptive search items are not mapped") if item.get("type") == "adaptive" else ParseError("missing rest_id")
    legacy = dict_of(tweet.get("legacy"))
    try:
        created = datetime.strptime(legacy["created_at"], _TWITTER_TIME)
    except (KeyError, TypeError, ValueError):
        raise ParseError(f"bad legacy.created_at: {legacy.get('created_at')!r}") from None
    post = new_post(platform="twitter", id=pid, **_twitter_user(tweet),
                    created_at=created.astimezone(UTC).replace(tzinfo=None), lang=as_str(legacy.get("lang")),
                    conversation_id=as_str(legacy.get("conversation_id_str")), source_format=source_format)
    retweeted = _tweet(legacy.get("retweeted_status_result"))
    shown = retweeted if as_str(retweeted.get("rest_id")) else tweet  # the post whose text and counts are shown
    post.update(_tweet_text(shown))
    shown_legacy = dict_of(shown.get("legacy"))
    post.update(like_count=as_int(shown_legacy.get("favorite_count")), repost_count=as_int(shown_legacy.get("retweet_count")),
                reply_count=as_int(shown_legacy.get("reply_count")), quote_count=as_int(shown_legacy.get("quote_count")))
    if shown is retweeted:
        author = _twitter_user(retweeted)["author_handle"]
        post.update(kind="repost", repost_of_id=as_str(retweeted.get("rest_id")), repost_of_author=author,
                    mentions=list(dict.fromkeys([m for m in (author, *post["mentions"]) if m])))
        return post
    quoted = as_str(legacy.get("quoted_status_id_str")) or as_str(_tweet(tweet.get("quoted_status_result")).get("rest_id"))
    reply_to = as_str(legacy.get("in_reply_to_status_id_str"))
    post.update(kind="reply" if reply_to else "quote" if quoted else "original", reply_to_id=reply_to,
                reply_to_user_id=as_str(legacy.get("in_reply_to_user_id_str")) if reply_to else None, quote_of_id=quoted)
    return post


def _tweet_text(tweet: dict[str, Any]) -> dict[str, Any]:
    """Text, hashtags, mentions and links of a tweet: a long post's ``note_tweet`` and its entities, else
    ``legacy.full_text`` and ``legacy.entities`` (as written: X escapes ``&``, ``<``, ``>`` there, as in
    v1.1, and the other Twitter formats keep it so). A post's own photos and videos are not links."""
    note = dict_of(dict_of(dict_of(tweet.get("note_tweet")).get("note_tweet_results")).get("result"))
    legacy = dict_of(tweet.get("legacy"))
    body, entities = (as_str(note.get("text")), dict_of(note.get("entity_set"))) if note.get("text") else (
        as_str(legacy.get("full_text")), dict_of(legacy.get("entities")))
    # A list the response leaves out (X omits empty ones) is read from the text instead.
    tags = ([t for t in (as_str(dict_of(h).get("text")) for h in list_of(entities["hashtags"])) if t]
            if "hashtags" in entities else None)
    mentions = ([m for m in (as_str(dict_of(m).get("screen_name")) for m in list_of(entities["user_mentions"])) if m]
                if "user_mentions" in entities else None)
    urls = [as_str(dict_of(u).get("expanded_url")) for u in list_of(entities.get("urls"))]
    found = text.links(body, tags_given=tags, mentions_given=mentions)
    return {"text": body, **found, **text.url_fields([u for u in urls if u and not is_media_link(u)])}
