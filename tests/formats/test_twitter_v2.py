"""Twitter API v2 (twarc2): pages, flattened and streaming lines, errors, edits, compliance."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tagscope.formats import ParseError
from tagscope.formats.base import json_records
from tagscope.formats.twitter import v2 as twitter_v2
from tagscope.post import Tombstone

DATA = Path(__file__).resolve().parents[1] / "data" / "twitter-v2"


def _records(name: str) -> list:
    with open(DATA / name, "rb") as fh:
        return list(json_records(fh))


def _tweet(id_: str, text: str, author: str = "10", **extra: object) -> dict:
    tw = {"id": id_, "text": text, "author_id": author, "created_at": "2014-05-24T10:00:00.000Z"}
    tw.update(extra)
    return tw


def _user(id_: str, name: str, followers: int = 5) -> dict:
    return {"id": id_, "username": name, "name": name.title(), "public_metrics": {"followers_count": followers}}


def test_page_posts_and_self_contained_raw() -> None:
    [page] = _records("brexit.jsonl")
    posts = twitter_v2.parse(page.obj)
    assert len(posts) == 100
    for post in posts:
        again = [p for p in twitter_v2.parse(orjson.loads(post["_raw"])) if isinstance(p, dict)]
        assert len(again) == 1
        again[0].pop("_raw", None)
        assert again[0] == {k: v for k, v in post.items() if k != "_raw"}
        assert len(post["_raw"]) < len(page.raw) / 10  # only what the tweet references


def test_retweet_text_from_includes_and_fallback_without_them() -> None:
    orig = _tweet("2", "a long original #YesAllWomen text", author="20",
                  entities={"hashtags": [{"start": 16, "end": 28, "tag": "YesAllWomen"}]},
                  public_metrics={"retweet_count": 9, "like_count": 30, "reply_count": 1, "quote_count": 0})
    rt = _tweet("3", "RT @bob: a long original #YesAllWo…", referenced_tweets=[{"type": "retweeted", "id": "2"}],
                public_metrics={"retweet_count": 9, "like_count": 0, "reply_count": 0, "quote_count": 0})
    page = {"data": [rt], "includes": {"users": [_user("10", "alice"), _user("20", "bob")], "tweets": [orig]}}
    [post] = twitter_v2.parse(page)
    assert post["text"] == "a long original #YesAllWomen text" and post["hashtags"] == ["YesAllWomen"]
    assert (post["kind"], post["repost_of_id"], post["repost_of_author"]) == ("repost", "2", "bob")
    assert (post["like_count"], post["repost_count"]) == (30, 9)
    [bare] = twitter_v2.parse({"data": rt})
    assert bare["text"].startswith("RT @bob:") and bare["repost_of_author"] == "bob" and bare["kind"] == "repost"


def test_note_tweet_text_wins() -> None:
    long = "x" * 300 + " #tag"
    tw = _tweet("4", "x" * 270 + "…", note_tweet={"text": long, "entities": {"hashtags": [{"tag": "tag"}]}})
    [post] = twitter_v2.parse({"data": tw, "includes": {"users": [_user("10", "alice")]}})
    assert post["text"] == long and post["hashtags"] == ["tag"]


def test_edit_newest_version_is_the_post_and_older_ones_are_tombstoned() -> None:
    [rec] = _records("edited.jsonl")
    items = twitter_v2.parse(rec.obj)
    assert Tombstone("twitter", "1576994746135764992", "edited") in items
    assert [p["id"] for p in items if isinstance(p, dict)] == ["1576994789110992896"]
    [before] = _records("edited_before.jsonl")
    items = twitter_v2.parse(before.obj)  # the data is the old version; the page includes the new one
    assert [p["id"] for p in items if isinstance(p, dict)] == ["1576994789110992896"]
    assert [t.id for t in items if isinstance(t, Tombstone)] == ["1576994746135764992"]


def test_old_version_alone_is_kept_until_the_newer_one_arrives() -> None:
    tw = _tweet("100", "first", edit_history_tweet_ids=["100", "200"])
    items = twitter_v2.parse({"data": tw})
    assert [p["id"] for p in items] == ["100"]


def test_errors_carry_no_posts_and_not_found_tweets_are_tombstoned() -> None:
    errors = [
        {"resource_id": "leeseunggi", "resource_type": "user", "title": "Forbidden", "parameter": "entities.mentions.username"},
        {"resource_id": "123", "resource_type": "tweet", "title": "Not Found Error", "parameter": "referenced_tweets.id"},
        {"resource_id": "124", "resource_type": "tweet", "title": "Authorization Error", "parameter": "referenced_tweets.id"},
    ]
    assert twitter_v2.parse({"errors": errors}) == [Tombstone("twitter", "123", "deleted")]
    assert twitter_v2.parse({"errors": errors[:1], "meta": {"result_count": 0}}) == []


def test_streaming_file_with_cut_last_line() -> None:
    recs = _records("streaming_output_with_error.jsonl")
    assert [r.error is not None for r in recs] == [False] * 7 + [True]
    posts = [p for r in recs[:7] for p in twitter_v2.parse(r.obj)]
    assert len(posts) == 7 and all("_raw" not in p for p in posts)  # a line is already self-contained


def test_flattened_lines_use_inlined_author_and_references() -> None:
    recs = _records("flat.jsonl")
    first = twitter_v2.parse(recs[0].obj)[0]
    assert first["kind"] == "repost" and first["repost_of_author"] == "williamserafino"
    assert first["text"].startswith("De manera simultánea") and first["author_handle"]
    assert first["author_followers"] is not None


def test_compliance_lines() -> None:
    recs = _records("tweets_compliance.jsonl")
    items = [t for r in recs for t in twitter_v2.parse(r.obj)]
    assert [(t.id, t.reason) for t in items] == [("1170025343920402432", "compliance"),
                                                ("1170147183095664640", "compliance")]
    assert twitter_v2.parse({"id": "1", "action": "scrub_geo", "created_at": "2019-09-06T17:25:54.667Z"}) == []


def test_withheld_tweets_are_posts() -> None:
    posts = [p for r in _records("withheld.jsonl") for p in twitter_v2.parse(r.obj) if isinstance(p, dict)]
    assert len(posts) == 215 and all(p["text"] for p in posts)


def test_verified_type_counts_as_verified() -> None:
    [rec] = _records("verified_type.jsonl")
    post = twitter_v2.parse(rec.obj)[0]
    assert post["author_verified"] is True


def test_missing_author_and_bad_shapes_are_parse_errors() -> None:
    with pytest.raises(ParseError, match="missing author_id"):
        twitter_v2.parse({"data": {"id": "1", "text": "x", "created_at": "2014-05-24T10:00:00.000Z"}})
    with pytest.raises(ParseError):
        twitter_v2.parse({"data": "nope"})
    with pytest.raises(ParseError):
        twitter_v2.parse({"something": "else"})
    with pytest.raises(ParseError, match="a page of users"):
        twitter_v2.parse({"data": [_user("1", "alice")], "meta": {"result_count": 1}})


def test_times_are_utc_seconds_like_v1() -> None:
    tw = _tweet("7", "x", created_at="2014-05-24T10:00:00.860Z")
    [post] = twitter_v2.parse({"data": tw, "includes": {"users": [_user("10", "alice")]}})
    assert post["created_at"].isoformat() == "2014-05-24T10:00:00"
