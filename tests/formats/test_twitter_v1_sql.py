"""The fast mappings of v1.1 lines (native C++ over simdjson, and DuckDB's SQL) store exactly what the
Python mapping does.

Each case ingests the same JSON lines twice, once through a fast path and once with TAGSCOPE_SQL_LINES
off (the record-by-record parser), and compares every table of the two stores row for row: on the real
v1.1 fixtures (their statuses written one per line) and on generated statuses that vary every field
the mapping reads, with blank, malformed and unusual lines among them. Every case runs for both fast
paths (``fast`` fixture).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.both_paths import both, fast_path
from tagscope.formats.twitter import v1_native as twitter_v1_native
from tagscope.store import ingest as ingest_mod
from tweetfactory import DATA

FIXTURES = DATA / "twitter-v1.1"


def _statuses(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return [s for d in doc for s in _statuses(d)]
    if isinstance(doc, dict) and isinstance(doc.get("statuses"), list):
        return doc["statuses"]
    return [doc]


def _real_lines() -> list[bytes]:
    lines: list[bytes] = []
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix == ".jsonl":
            lines += path.read_bytes().splitlines()
        elif path.suffix == ".json":
            try:
                docs = [orjson.loads(path.read_bytes())]
            except orjson.JSONDecodeError:  # a file of several documents, one a line
                docs = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
            lines += [orjson.dumps(s) for doc in docs for s in _statuses(doc)]
    return lines


@pytest.fixture(params=["native", "duckdb"])
def fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    return fast_path(request.param, monkeypatch, twitter_v1_native)


def test_native_mapping_claims_plain_statuses() -> None:
    """The native path vouches for the real statuses (else the comparisons below would test nothing)."""
    import numpy as np

    from tagscope.store.sql_lines import Lines

    data = b"\n".join(_real_lines()) + b"\n"
    lines = Lines(data, 1)
    table = twitter_v1_native.map_lines(data, lines.starts, lines.ends)
    python = np.asarray(table.column("python").to_numpy(zero_copy_only=False))
    assert len(table) == len(lines) and python.mean() < 0.05


def test_native_mapping_reads_delete_notices() -> None:
    """Plain delete notices become tombstones on the native path; odd ones are left to Python."""
    import numpy as np

    from tagscope.store.sql_lines import Lines

    data = b"\n".join(NOTICES) + b"\n"
    lines = Lines(data, 1)
    table = twitter_v1_native.map_lines(data, lines.starts, lines.ends)
    tomb = table.column("tombstone").to_pylist()
    python = table.column("python").to_pylist()
    assert tomb[:4] == [True] * 4 and not any(python[:4])
    assert table.column("id").to_pylist()[:4] == ["11", "12", "13", "14"]
    assert table.column("created_at").to_pylist()[2:4] == [None, None]
    assert all(python[4:]) and not any(tomb[4:])
    assert np.asarray(python).sum() == len(NOTICES) - 4


def test_real_fixtures_map_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    lines = _real_lines()
    assert len(lines) > 350
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, b"\n".join(lines) + b"\n", monkeypatch)
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert len(sql_tables["posts"]) > 300
    kinds = {p["kind"] for p in sql_tables["posts"]}
    assert kinds == {"original", "reply", "quote", "repost"}


_ODD = b'"user": {"id_str": "u"}, "created_at": "Sat May 24 10:00:00 +0000 2014"'
# JSON that parsers disagree on: the native path leaves it to Python (DuckDB's reader is more lenient,
# a known difference stated in docs/store.md).
ODD_JSON = [
    b'\xef\xbb\xbf{"id_str": "b1", ' + _ODD + b"}",  # a byte-order mark: orjson refuses it
    b'{"id_str": "d1", "id_str": "d2", ' + _ODD + b"}",  # a repeated key: orjson keeps the last
    b'{"id_str": "n1", "x": 123456789012345678901234567890, ' + _ODD + b"}",  # over 64 bits
    b'{"id_str": "n2", "x": 1e400, ' + _ODD + b"}",
    b'{"id_str": "s1", "x": "\\ud800", ' + _ODD + b"}",  # a lone surrogate
    b'{"id_str": "s2", "x": "\xff", ' + _ODD + b"}",  # not UTF-8
    b'{"id_str": "k1", "x": [' + b"[" * 1100 + b"]" * 1100 + b"], " + _ODD + b"}",  # deeper than orjson goes
    b'{"id\\u005fstr": "e1", ' + _ODD + b"}",  # an escaped key
]
# Values of other types than Twitter writes: the native path restates Python's handling or leaves the
# line to Python; DuckDB's reader coerces them to the column types it reads (a known difference).
ODD_TYPES = [
    b'{"id_str": "t1", "text": 7, "lang": 0, "entities": {"hashtags": "ab"}, ' + _ODD + b"}",
    b'{"id_str": "t2", "entities": {"hashtags": [null]}, ' + _ODD + b"}",
    b'{"id_str": "t3", "entities": [1], ' + _ODD + b"}",
    b'{"id_str": "t8", "user": {"id_str": "u", "followers_count": 18446744073709551615, "verified": 1}, '
    b'"created_at": "Sat May 24 10:00:00 +0000 2014", "entities": {"urls": [{"expanded_url": 3, "url": "http://x.org"}, '
    b'{"expanded_url": "", "url": "http://y.org"}, {"expanded_url": 1.5}]}}',
    b'{"id_str": "t13", "user": {"id_str": "u", "verified": 1}, "created_at": "Sat May 24 10:00:00 +0000 2014"}',
]
# Delete notices as streams write them, and odd ones.
NOTICES = [
    b'{"delete": {"status": {"id": 11, "id_str": "11", "user_id": 3, "user_id_str": "3"}, "timestamp_ms": "1401000000123"}}',
    b'{"delete": {"status": {"id": 12}, "timestamp_ms": 1401000000999}}',
    b'{"delete": {"status": {"id_str": "13"}, "timestamp_ms": "0"}}',
    b'{"delete": {"status": {"id_str": "14"}}}',
    b'{"delete": {"status": {"id_str": "15"}, "timestamp_ms": " 12"}}',
    b'{"delete": {"status": {"id_str": "16"}, "timestamp_ms": "-12"}}',
    b'{"delete": {"status": {"id_str": ""}, "timestamp_ms": "12"}}',
    b'{"delete": {"status": {"id_str": "17"}, "timestamp_ms": 1.5}}',
    b'{"delete": {"status": {"id_str": "18", "id_str": "19"}}}',
    b'{"delete": null}',
    b'{"delete": {"status": {"id_str": "20"}}, "statuses": []}',
    b'{"delete": {"status": {"id_str": "21"}}, "user": {"id_str": "u"}}',
    b'{"delete": {"status": {"id_str": "22"}, "timestamp_ms": "99999999999999999999"}}',
    b'{"limit": {"track": 5}}',
]
# Shapes the mappings must leave to Python or restate exactly.
ODD_SHAPES = [
    b'{"id_str": "t4", "user": {"id": 0, "followers_count": "12"}, "created_at": "Sat May 24 10:00:00 +0000 2014"}',
    b'{"id_str": "t5", "favorite_count": 1.5, "retweeted_status": "x", ' + _ODD + b"}",
    b'{"id_str": "t6", "retweeted_status": {"id": 8, "user": "x"}, ' + _ODD + b"}",
    b'{"id_str": "t7", "retweeted_status": {"id": 8, "user": {"screen_name": 5}}, ' + _ODD + b"}",
    b'{"id_str": "t9", "user": {"id_str": "u"}, "created_at": "Sat May 24 10:00:00 +0000 20\xc3\xa9"}',
    b'{"id_str": "t10", "user": {"id_str": "u"}, "created_at": "Sat Feb 29 10:00:00 +0000 2015"}',
    b'{"id_str": "t11", "user": {"id_str": "u"}, "created_at": "Sat Feb 29 10:00:60 +0000 2016"}',
    b'{"id_str": "t12", "user": {"id_str": "u"}, "created_at": "Xyz Feb 29 10:00:00 +0000 2016", "is_quote_status": 1, '
    b'"quoted_status": {"id_str": 9}, "in_reply_to_status_id": 0, "in_reply_to_user_id": -4}',
]


def test_blocks_and_fallbacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    """Small blocks, blank lines, CRLF, a record over two lines, bad JSON, odd JSON and a cut-off last line."""
    monkeypatch.setattr(ingest_mod, "SQL_BLOCK_BYTES", 3000)
    lines = _real_lines()[:60]
    lines[5:5] = [b"", b"   \t", b"{not json", b"[1, 2]", b'"text"', *ODD_SHAPES, *NOTICES,
                  *(ODD_JSON + ODD_TYPES if fast == "native" else [])]
    lines[20] = lines[20] + b"\r"
    lines[30:30] = [b'{"id_str": "9", "user":', b'{"id_str": "u"}, "created_at": "Sat May 24 10:00:00 +0000 2014"}']
    data = b"\n".join(lines) + b'\n{"id_str": "77", "text": "cut'
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, data, monkeypatch)
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert sql_sum["quarantined"] >= 5


_text = st.text(alphabet=st.sampled_from("aZß#＃éİ ﬁ\u200b\u0301x1_"), max_size=8)
_maybe_str = st.one_of(st.none(), st.just(""), _text)
_count = st.one_of(st.none(), st.integers(0, 10**6))


@st.composite
def _entities(draw: Any) -> dict[str, Any]:
    ents: dict[str, Any] = {}
    if draw(st.booleans()):
        ents["hashtags"] = [{"text": draw(_maybe_str), "indices": [0, 1]} for _ in range(draw(st.integers(0, 4)))]
    if draw(st.booleans()):
        ents["user_mentions"] = [{"screen_name": draw(_maybe_str)} for _ in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        ents["urls"] = [{"url": draw(st.sampled_from([None, "", "https://t.co/x"])),
                         "expanded_url": draw(st.sampled_from([None, "", "https://WWW.Example.org:8/a?b#c",
                                                               "http://user@Ex.COM./", "example.net/x", "a/b://c", "HTTP://x.org?q=1",
                                                               "https://münchen.de/x", "https://a@b@WWW.c.d:1#x"]))}
                        for _ in range(draw(st.integers(0, 3)))]
    return ents


@st.composite
def _status(draw: Any, depth: int = 0) -> dict[str, Any]:
    s: dict[str, Any] = {}
    pid = draw(st.sampled_from(["1", "2", "3", "18446744073709551", "", None]))
    if pid is not None:
        s["id_str"] = pid
    if draw(st.booleans()):
        s["id"] = draw(st.sampled_from([1, 2, 5, 470296454099894272]))
    s["created_at"] = draw(st.sampled_from([
        "Sat May 24 10:00:00 +0000 2014", "Sun Jun 01 23:59:59 +0000 2014", "Sat May 24 10:00:00 +0200 2014",
        "Mon Feb 30 10:00:00 +0000 2014", "2014-05-24T10:00:00Z", "", "Sat May 24 24:00:00 +0000 2014"]))
    if draw(st.integers(0, 4)):
        s["user"] = {k: v for k, v in {
            "id_str": draw(st.sampled_from(["10", "", None])), "id": draw(st.sampled_from([10, 0, None])),
            "screen_name": draw(_maybe_str), "name": draw(_maybe_str), "description": draw(_maybe_str),
            "followers_count": draw(_count), "verified": draw(st.sampled_from([True, False, None])),
        }.items() if v is not None or draw(st.booleans())}
    for key in ("text", "full_text"):
        if draw(st.booleans()):
            s[key] = draw(_maybe_str)
    if draw(st.booleans()):
        s["entities"] = draw(_entities())
    if draw(st.integers(0, 3)) == 0:
        ext: dict[str, Any] = {"full_text": draw(_maybe_str)}
        if draw(st.booleans()):
            ext["entities"] = draw(st.one_of(st.just({}), _entities()))
        s["extended_tweet"] = ext
    for key in ("in_reply_to_status_id_str", "in_reply_to_user_id_str", "quoted_status_id_str", "lang"):
        if draw(st.integers(0, 3)) == 0:
            s[key] = draw(st.sampled_from(["", "42", None]))
    if draw(st.integers(0, 3)) == 0:
        s["in_reply_to_status_id"] = draw(st.sampled_from([None, 42]))
    if draw(st.integers(0, 3)) == 0:
        s["is_quote_status"] = draw(st.booleans())
        if draw(st.booleans()):
            s["quoted_status"] = {"id_str": "43"}
    for key in ("favorite_count", "retweet_count", "reply_count", "quote_count"):
        if draw(st.booleans()):
            s[key] = draw(_count)
    if depth == 0 and draw(st.integers(0, 2)) == 0:
        s["retweeted_status"] = draw(st.one_of(st.just({}), _status(depth=1)))
    return s


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(statuses=st.lists(_status(), min_size=1, max_size=25),
       extra=st.lists(st.sampled_from([b"", b"{}", b'{"delete": {"status": {"id_str": "2"}}}', b"{bad"]), max_size=3))
def test_generated_statuses_map_the_same(tmp_path_factory: pytest.TempPathFactory, statuses: list[dict[str, Any]],
                                         extra: list[bytes], fast: str) -> None:
    tmp = tmp_path_factory.mktemp("gen")
    lines = [orjson.dumps(s) for s in statuses] + extra
    with pytest.MonkeyPatch.context() as mp:
        sql_sum, sql_tables, py_sum, py_tables = both(tmp, b"\n".join(lines) + b"\n", mp)
    assert sql_sum == py_sum
    assert sql_tables == py_tables


# Any JSON value, for the native path: it must restate Python's handling of every type or leave the line to it.
_any = st.sampled_from([None, "", "x", "0", 0, 1, -1, 2**63, 1.5, True, False, [], [1], [{}], [None], {}, {"a": 1},
                        {"text": "T", "screen_name": "S", "expanded_url": "http://e.org", "url": "u", "id_str": "7"}])


@st.composite
def _odd_status(draw: Any) -> dict[str, Any]:
    """A generated status with some of its fields (at any depth) replaced by values of any type."""
    s = draw(_status())
    for obj in [s, s.get("user"), s.get("entities"), s.get("extended_tweet"), s.get("retweeted_status")]:
        if isinstance(obj, dict) and obj and draw(st.booleans()):
            key = draw(st.sampled_from([*sorted(obj), "user", "entities", "text", "full_text", "retweeted_status",
                                        "extended_tweet", "hashtags", "urls", "user_mentions", "quoted_status"]))
            obj[key] = draw(_any)
    return s


@settings(max_examples=int(os.environ.get("V1_EXAMPLES", "60")), deadline=None, suppress_health_check=list(HealthCheck))
@given(statuses=st.lists(_odd_status(), min_size=1, max_size=25))
def test_native_mapping_restates_any_types(tmp_path_factory: pytest.TempPathFactory,
                                           statuses: list[dict[str, Any]]) -> None:
    assert twitter_v1_native.ENABLED
    tmp = tmp_path_factory.mktemp("odd")
    lines = [orjson.dumps(s) for s in statuses]
    with pytest.MonkeyPatch.context() as mp:
        fast_sum, fast_tables, py_sum, py_tables = both(tmp, b"\n".join(lines) + b"\n", mp)
    assert fast_sum == py_sum
    assert fast_tables == py_tables


def test_a_float_id_is_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    """``"id": 8.7e+17`` without ``id_str`` was stored as the post id '8.7e+17' (or '8.728...e+17'): a
    double has lost the id's last digits, so different posts would merge into one. It is quarantined
    (an integer id without id_str is still read), the same on every path."""
    from tweetfactory import tweet

    def bare(id_: Any) -> dict[str, Any]:
        st = tweet("1")
        del st["id_str"]
        st["id"] = id_
        return st

    lines = [bare(8.7e17), bare(872836479608733700.0), bare(872836479608733696), tweet("5") | {"id": 5.5},
             tweet("6") | {"id_str": 6.0}]
    data = b"".join(orjson.dumps(r) + b"\n" for r in lines)
    assert b'"id":8.7e+17' in data and b'"id":8.728364796087337e+17' in data
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, data, monkeypatch, "twitter-v1")
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert [p["id"] for p in py_tables["posts"]] == ["5", "872836479608733696"]  # id_str wins over a float id
    assert [(q["source_line"], q["reason"]) for q in py_tables["quarantine"]] == [
        (1, "id is not an integer"), (2, "id is not an integer"), (5, "id is not an integer")]
