"""The same tweet from different formats maps to the same post, and ends as one post in the store."""

from __future__ import annotations

from pathlib import Path

import orjson

from tagscope.formats.base import json_records
from tagscope.formats.twitter import gnip, twarc_csv
from tagscope.formats.twitter import v1 as twitter_v1
from tagscope.formats.twitter import v2 as twitter_v2
from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
SAME = ["id", "author_id", "author_handle", "created_at", "text", "hashtags", "hashtags_norm", "mentions", "kind",
        "reply_to_id", "quote_of_id", "repost_of_id", "repost_of_author", "like_count", "repost_count"]

V1_ORIGINAL = {
    "id": 470190000000000001, "id_str": "470190000000000001", "created_at": "Sat May 24 13:00:00 +0000 2014",
    "full_text": "Not all men, but #YesAllWomen. Read https://t.co/x1", "lang": "en",
    "display_text_range": [0, 50], "favorite_count": 31, "retweet_count": 12,
    "user": {"id_str": "2900000001", "screen_name": "writer_one", "name": "Writer One", "followers_count": 900},
    "entities": {"hashtags": [{"text": "YesAllWomen", "indices": [17, 29]}], "user_mentions": [],
                 "urls": [{"url": "https://t.co/x1", "expanded_url": "https://example.org/a"}]},
}
V1_RETWEET = {
    "id_str": "470190000000000002", "created_at": "Sat May 24 13:05:00 +0000 2014", "lang": "en",
    "full_text": "RT @writer_one: Not all men, but #YesAllWomen. Read https://t.co/x1", "favorite_count": 0,
    "retweet_count": 12, "user": {"id_str": "2900000002", "screen_name": "reader_two", "followers_count": 15},
    "entities": {"hashtags": [{"text": "YesAllWomen"}], "user_mentions": [{"screen_name": "writer_one"}], "urls": []},
    "retweeted_status": V1_ORIGINAL,
}
V2_PAGE = {
    "data": [
        {"id": "470190000000000002", "author_id": "2900000002", "created_at": "2014-05-24T13:05:00.000Z",
         "text": "RT @writer_one: Not all men, but #YesAllWomen. Read https://t.co/x1", "lang": "en",
         "referenced_tweets": [{"type": "retweeted", "id": "470190000000000001"}],
         "entities": {"mentions": [{"username": "writer_one", "id": "2900000001"}],
                      "hashtags": [{"tag": "YesAllWomen"}]},
         "public_metrics": {"retweet_count": 12, "like_count": 0, "reply_count": 0, "quote_count": 0}},
        {"id": "470190000000000001", "author_id": "2900000001", "created_at": "2014-05-24T13:00:00.000Z",
         "text": "Not all men, but #YesAllWomen. Read https://t.co/x1", "lang": "en",
         "entities": {"hashtags": [{"tag": "YesAllWomen"}],
                      "urls": [{"url": "https://t.co/x1", "expanded_url": "https://example.org/a"}]},
         "public_metrics": {"retweet_count": 12, "like_count": 31, "reply_count": 2, "quote_count": 1}},
    ],
    "includes": {
        "users": [{"id": "2900000001", "username": "writer_one", "name": "Writer One",
                   "public_metrics": {"followers_count": 950}},
                  {"id": "2900000002", "username": "reader_two", "name": "Reader Two",
                   "public_metrics": {"followers_count": 15}}],
        "tweets": [{"id": "470190000000000001", "author_id": "2900000001", "created_at": "2014-05-24T13:00:00.000Z",
                    "text": "Not all men, but #YesAllWomen. Read https://t.co/x1",
                    "entities": {"hashtags": [{"tag": "YesAllWomen"}],
                                 "urls": [{"url": "https://t.co/x1", "expanded_url": "https://example.org/a"}]},
                    "public_metrics": {"retweet_count": 12, "like_count": 31, "reply_count": 2, "quote_count": 1}}],
    },
}


def test_constructed_v1_and_v2_pair_map_alike() -> None:
    v1 = {p["id"]: p for st in (V1_ORIGINAL, V1_RETWEET) for p in twitter_v1.parse(st)}
    v2 = {p["id"]: p for p in twitter_v2.parse(V2_PAGE)}
    assert v1.keys() == v2.keys()
    for pid in v1:
        assert {k: v1[pid][k] for k in SAME} == {k: v2[pid][k] for k in SAME}, pid
        assert v1[pid]["urls"] == v2[pid]["urls"]


def test_pair_ingested_from_both_formats_is_stored_once(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(orjson.dumps(V1_ORIGINAL) + b"\n" + orjson.dumps(V1_RETWEET) + b"\n")
    (tmp_path / "b.jsonl").write_bytes(orjson.dumps(V2_PAGE) + b"\n")
    store = Store(tmp_path / "store")
    try:
        store.ingest([str(tmp_path / "a.jsonl")])
        summary = store.ingest([str(tmp_path / "b.jsonl")])
        assert summary["ingested"] == 0 and summary["duplicates"] == 2
        rows = store.sql("SELECT id, author_followers, reply_count, source_format FROM posts ORDER BY id").to_pylist()
        assert [r["id"] for r in rows] == ["470190000000000001", "470190000000000002"]
        assert rows[0]["author_followers"] == 950  # the later, larger count
        assert rows[0]["reply_count"] == 2  # v1 did not know it; v2 filled it
    finally:
        store.close()


def _map(mod, path: Path) -> dict[str, dict]:
    with open(path, "rb") as fh:
        recs = list(getattr(mod, "records", json_records)(fh))
    return {p["id"]: p for r in recs for p in mod.parse(r.obj) if isinstance(p, dict)}


def test_v2_page_and_its_twarc_csv_export_agree() -> None:
    v2 = _map(twitter_v2, DATA / "twitter-v2" / "brexit.jsonl")
    csv = _map(twarc_csv, DATA / "twarc-csv" / "brexit.csv")
    assert v2.keys() == csv.keys() and len(v2) == 100
    for pid in v2:
        for k in [*SAME, "urls", "author_followers", "author_verified", "conversation_id", "reply_to_user_id"]:
            assert v2[pid][k] == csv[pid][k], (pid, k)


def test_v1_and_gnip_copies_of_the_same_tweets_agree() -> None:
    v1 = _map(twitter_v1, DATA / "twitter-v1.1" / "tweet_parser_original_format_examples.jsonl")
    gn = _map(gnip, DATA / "gnip" / "tweet_parser_activity_streams_examples.jsonl")
    assert v1.keys() == gn.keys() and len(v1) == 25
    for pid in v1:
        for k in [*SAME, "urls", "author_followers", "author_bio"]:
            assert v1[pid][k] == gn[pid][k], (pid, k)
