"""Twitter v1.1: the traps, each on a record written or picked by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson
import pytest

from tagscope.formats import ParseError
from tagscope.formats.base import json_records
from tagscope.formats.twitter import v1 as twitter_v1
from tagscope.post import Tombstone

DATA = Path(__file__).resolve().parents[1] / "data" / "twitter-v1.1"


def _status(**extra: object) -> dict:
    st = {"id": 1134795826098708480, "id_str": "1134795826098708481", "created_at": "Sat May 24 10:00:00 +0000 2014",
          "text": "short", "user": {"id_str": "42", "screen_name": "alice", "followers_count": 7},
          "entities": {"hashtags": [], "user_mentions": [], "urls": []}}
    st.update(extra)
    return st


def test_delete_notice_becomes_a_tombstone() -> None:
    rec = {"delete": {"status": {"id": 1400925600000000000, "id_str": "1400925600000000001", "user_id": 3,
                                 "user_id_str": "3"}, "timestamp_ms": "1400925600000"}}
    [tomb] = twitter_v1.parse(rec)
    assert tomb == Tombstone("twitter", "1400925600000000001", "deleted", datetime(2014, 5, 24, 10, 0))


def test_notices_carry_no_post() -> None:
    assert twitter_v1.parse({"limit": {"track": 12, "timestamp_ms": "1400925600000"}}) == []
    assert twitter_v1.parse({"warning": {"code": "FALLING_BEHIND", "percent_full": 60}}) == []


def test_id_str_wins_over_lossy_numeric_id() -> None:
    [post] = twitter_v1.parse(_status())
    assert post["id"] == "1134795826098708481"


def test_extended_tweet_full_text_and_its_entities_win() -> None:
    st = _status(truncated=True, text="cut #a…",
                 extended_tweet={"full_text": "the whole text #a #b",
                                 "entities": {"hashtags": [{"text": "a"}, {"text": "b"}], "urls": []}})
    [post] = twitter_v1.parse(st)
    assert post["text"] == "the whole text #a #b" and post["hashtags"] == ["a", "b"]


def test_retweet_uses_the_retweeted_status_extended_text() -> None:
    orig = _status(id_str="5", text="cut", user={"id_str": "9", "screen_name": "bob"}, retweet_count=40,
                   favorite_count=50,
                   extended_tweet={"full_text": "long original #YesAllWomen", "entities": {"hashtags": [{"text": "YesAllWomen"}]}})
    [post] = twitter_v1.parse(_status(text="RT @bob: cut", retweeted_status=orig, retweet_count=40, favorite_count=0))
    assert post["kind"] == "repost" and post["repost_of_id"] == "5" and post["repost_of_author"] == "bob"
    assert post["text"] == "long original #YesAllWomen" and post["hashtags_norm"] == ["yesallwomen"]
    assert (post["like_count"], post["repost_count"]) == (50, 40)
    assert post["mentions"][0] == "bob"


def test_missing_user_is_a_clear_parse_error() -> None:
    with open(DATA / "tweet_parser_missing_user.json", "rb") as fh:
        [rec] = list(json_records(fh))
    with pytest.raises(ParseError, match="missing user"):
        twitter_v1.parse(rec.obj)


def test_streaming_file_maps_every_line() -> None:
    with open(DATA / "python-twitter_streaming_lines.jsonl", "rb") as fh:
        recs = list(json_records(fh))
    posts = [p for r in recs for p in twitter_v1.parse(r.obj)]
    assert len(posts) == len(recs) == 72
    assert all(isinstance(p["created_at"], datetime) for p in posts)


def test_search_response_gives_each_status_its_own_raw() -> None:
    page = orjson.loads((DATA / "python-twitter_get_search_raw.json").read_bytes())
    posts = twitter_v1.parse(page)
    assert len(posts) == len(page["statuses"]) == 100
    assert orjson.loads(posts[0]["_raw"])["id_str"] == posts[0]["id"]


def test_time_parsing_fast_path_matches_strptime() -> None:
    assert twitter_v1.parse_time("Thu Jun 08 15:23:27 +0000 2017") == datetime(2017, 6, 8, 15, 23, 27)
    assert twitter_v1.parse_time("Thu Jun 08 17:23:27 +0200 2017") == datetime(2017, 6, 8, 15, 23, 27)
    with pytest.raises(ParseError):
        twitter_v1.parse_time("yesterday")
