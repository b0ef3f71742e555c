"""Golden-output tests: each representative fixture maps exactly to its committed golden file."""

from __future__ import annotations

import json

import pytest

from formats.golden import CASES, DATA, golden_path, normalise
from tagscope import formats


@pytest.mark.parametrize(("fmt", "rel"), CASES, ids=[rel for _, rel in CASES])
def test_matches_golden(fmt: str, rel: str) -> None:
    expected = json.loads(golden_path(rel).read_text(encoding="utf-8"))
    assert normalise(fmt, DATA / rel) == expected


def _golden(rel: str) -> list[dict]:
    return json.loads(golden_path(rel).read_text(encoding="utf-8"))


def _posts(rel: str) -> dict[str, dict]:
    return {p["id"]: p for rec in _golden(rel) for p in rec.get("posts", [])}


def test_golden_v2_retweet_text_is_the_originals_full_text() -> None:
    posts = _posts("twitter-v2/brexit.jsonl")
    rt = posts["1440716856763977732"]
    assert rt["kind"] == "repost" and rt["repost_of_id"] == "1440713161355583489"
    assert rt["repost_of_author"] == "carolJhedges"
    assert not rt["text"].startswith("RT @") and not rt["text"].endswith("…")
    assert rt["text"].endswith("#BorisTheLiar https://t.co/IeqDhr3WET")
    assert rt["hashtags"] == ["BorisJohnson", "UniversalCredit", "Brexit", "brexit", "JohnsonOut", "BorisTheLiar"]
    assert rt["hashtags_norm"].count("brexit") == 1
    assert (rt["like_count"], rt["repost_count"]) == (20, 22)  # the original's counts, not the wrapper's zeros
    assert rt["author_handle"] == "jacquip537" and rt["author_followers"] == 2485


def test_golden_ids_are_strings_everywhere() -> None:
    """Twitter's ids are digits as strings (Reddit's are fullnames: tests/formats/test_reddit.py)."""
    for fmt, rel in CASES:
        if formats.get(fmt).PLATFORM != "twitter":
            continue
        for rec in _golden(rel):
            for p in rec.get("posts", []):
                for key in ("id", "author_id", "reply_to_id", "quote_of_id", "repost_of_id", "conversation_id"):
                    assert p[key] is None or (isinstance(p[key], str) and p[key].isdigit()), (rel, key, p[key])


def test_golden_v1_extended_mode_full_text_and_quote() -> None:
    ext = _posts("twitter-v1.1/python-twitter_extended_tweet_in_extended_mode.json")["782737772490600448"]
    assert ext["text"].endswith("python_twitter.egg-info/SOURCE https://t.co/JWSPztfoyt")
    quote = next(iter(_posts("twitter-v1.1/python-twitter_status_quoted_tweet_with_media.json").values()))
    assert quote["kind"] == "quote" and quote["quote_of_id"]


def test_golden_v1_retweets_take_the_original_text() -> None:
    posts = _posts("twitter-v1.1/tweepy_cassette_testgetretweets_body.json")
    raw = json.loads((DATA / "twitter-v1.1/tweepy_cassette_testgetretweets_body.json").read_text(encoding="utf-8"))
    assert len(posts) == len(raw) == 15
    for st in raw:
        p = posts[st["id_str"]]
        orig = st["retweeted_status"]
        assert p["kind"] == "repost" and p["repost_of_id"] == orig["id_str"]
        assert p["text"] == orig["text"] and p["text"] != st["text"]
        assert p["repost_of_author"] == orig["user"]["screen_name"]


def test_golden_missing_user_is_quarantined_with_reason() -> None:
    assert _golden("twitter-v1.1/tweet_parser_missing_user.json") == [{"line": 1, "error": "missing user"}]


def test_golden_streaming_cut_line_is_one_error() -> None:
    recs = _golden("twitter-v2/streaming_output_with_error.jsonl")
    assert [r["line"] for r in recs if "error" in r] == [8]
    assert sum(len(r.get("posts", [])) for r in recs) == 7


def test_golden_gnip_long_object_and_share() -> None:
    posts = _posts("gnip/tweet_parser_activity_streams_examples.jsonl")
    long = posts["867479301360205824"]
    assert long["text"].endswith("Magic! https://t.co/5PU0FLFRYz") and "…" not in long["text"]
    share = posts["867478524235366400"]
    assert share["kind"] == "repost" and share["repost_of_id"] == "861651727614746624"
    assert share["repost_of_author"] == "notFromShrek" and not share["text"].startswith("RT @")
    assert share["author_id"] == "815279070241955840"


def test_golden_csv_text_newlines_restored_and_counts_kept() -> None:
    posts = _posts("twarc-csv/brexit.csv")
    first = posts["1440716895355764743"]
    assert "leader.\n\nTypical" in first["text"]
    assert first["hashtags"] == ["PeoplesVote", "Brexit"] and first["author_followers"] == 34920
    multi = _golden("twarc-csv/brexit_multiline.csv")
    assert multi[0]["line"] == 2 and multi[1]["line"] > 3  # the first row spans three physical lines
