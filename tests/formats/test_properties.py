"""Property tests: parse() of any JSON value raises nothing but ParseError, and what it returns fits the store."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagscope import formats
from tagscope.formats import ParseError, Rejected
from tagscope.formats.base import Skipped
from tagscope.post import POST_FIELDS, POST_SCHEMA, Handle, Tombstone

DATA = Path(__file__).resolve().parents[1] / "data"
NAMES = ["twitter-v1", "twitter-v2", "gnip", "x-archive", "twarc-csv"]

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
# Keys the mappers look at, so arbitrary values reach deep into them.
KEYS = ["id", "id_str", "text", "full_text", "user", "created_at", "data", "includes", "users", "tweets",
        "author_id", "author", "entities", "hashtags", "referenced_tweets", "retweeted_status", "extended_tweet",
        "delete", "status", "verb", "actor", "object", "postedTime", "long_object", "tweet", "account",
        "edit_history_tweet_ids", "note_tweet", "errors", "action", "public_metrics", "in_reply_to_status_id_str",
        "accountId", "deleted_at", "edit_info", "inReplyTo", "twitter_entities", "statuses", "username"]
keyed = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    max_leaves=30,
)


def _check(name: str, obj: Any) -> None:
    mod = formats.get(name)
    try:
        items = mod.parse(obj)
    except ParseError:
        return
    assert isinstance(items, list)
    posts = []
    for item in items:
        if isinstance(item, Tombstone):
            assert isinstance(item.id, str) and item.id
            continue
        if isinstance(item, Rejected):  # one bad post of a record that holds several: quarantined alone
            assert isinstance(item.reason, str) and item.reason and isinstance(item.raw, bytes)
            continue
        if isinstance(item, Skipped):  # left out on purpose: counted under its reason
            assert isinstance(item.reason, str) and item.reason
            continue
        if isinstance(item, Handle):  # an account's handle (a record that is no post)
            assert all(isinstance(v, str) and v for v in (item.platform, item.id, item.handle))
            continue
        assert set(item) - {"_raw"} == set(POST_FIELDS)
        assert isinstance(item["id"], str) and item["id"]
        posts.append({k: v for k, v in item.items() if k != "_raw"})
    if posts:
        pa.Table.from_pylist(posts, schema=POST_SCHEMA)  # every value has the store's type


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), json_values | keyed)
def test_parse_of_any_json_raises_only_parse_error(name: str, obj: Any) -> None:
    _check(name, obj)


def _samples() -> dict[str, list[Any]]:
    def first_lines(path: Path, n: int) -> list[Any]:
        return [orjson.loads(x) for x in path.read_bytes().splitlines()[:n] if x.strip()]

    csv_row = {"id": "1", "author_id": "2", "created_at": "2021-09-22T16:37:29.000Z", "text": "hi #a",
               "entities.hashtags": '["#a"]', "public_metrics.like_count": "3", "author.verified": "False"}
    archive = {"account": {"accountId": "1", "username": "a"},
               "tweet": {"id_str": "5", "created_at": "Sat May 24 10:00:00 +0000 2014", "full_text": "RT @b: x",
                         "entities": {"hashtags": [{"text": "a"}]}, "favorite_count": "1"}}
    return {
        "twitter-v1": first_lines(DATA / "twitter-v1.1" / "tweet_parser_original_format_examples.jsonl", 3),
        "twitter-v2": first_lines(DATA / "twitter-v2" / "streaming_output_with_error.jsonl", 2)
        + first_lines(DATA / "twitter-v2" / "flat.jsonl", 1),
        "gnip": first_lines(DATA / "gnip" / "tweet_parser_activity_streams_examples.jsonl", 3),
        "x-archive": [archive],
        "twarc-csv": [csv_row],
    }


SAMPLES = _samples()


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            out += _paths(v, (*prefix, i))
    return out


def with_one_value_replaced(data: st.DataObject, samples: list[Any]) -> Any:
    """A copy of one of SAMPLES (real records) with one value, at any depth, replaced by any JSON value."""
    obj = copy.deepcopy(data.draw(st.sampled_from(samples)))
    path = data.draw(st.sampled_from([p for p in _paths(obj) if p]))
    cur = obj
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = data.draw(json_values)
    return obj


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_real_records_with_one_value_replaced(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(NAMES))
    _check(name, with_one_value_replaced(data, SAMPLES[name]))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=300).map(lambda s: s.encode("utf-8")))
def test_readers_of_any_bytes_yield_records_and_never_raise(data: bytes) -> None:
    import io

    from tagscope.formats.base import json_records
    from tagscope.formats.twitter import twarc_csv, x_archive

    header = b"id,conversation_id,referenced_tweets.replied_to.id,author_id,created_at,text\n"
    cases = [(json_records, data, None), (twarc_csv.records, header + data, "twarc-csv"),
             (x_archive.records, b"window.YTD.tweets.part0 = " + data, "x-archive")]
    for reader, payload, name in cases:
        for rec in reader(io.BytesIO(payload), "x"):
            assert rec.line >= 1 and (rec.error is None or isinstance(rec.error, str))
            if rec.error is None and name is not None:
                _check(name, rec.obj)
