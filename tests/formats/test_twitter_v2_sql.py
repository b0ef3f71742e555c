"""The fast mappings of v2 pages (native C++ over simdjson, and DuckDB's SQL) store exactly what the
Python mapping does.

As for v1.1 (test_twitter_v1_sql.py): the same lines are ingested through a fast path and with
TAGSCOPE_SQL_LINES off, and every table of the two stores is compared row for row, raw records
included, on the real v2 fixtures, on a simulated campaign's pages and on generated pages; each case
runs for both fast paths (``fast`` fixture).
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
from tagscope.formats.twitter import v2_native as twitter_v2_native
from tweetfactory import DATA

FIXTURES = DATA / "twitter-v2"


def _fixture_lines() -> list[bytes]:
    return [line for p in sorted(FIXTURES.glob("*.jsonl")) for line in p.read_bytes().splitlines()]


@pytest.fixture(params=["native", "duckdb"])
def fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    return fast_path(request.param, monkeypatch, twitter_v2_native)


def test_real_fixtures_map_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    lines = _fixture_lines()
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, b"\n".join(lines) + b"\n", monkeypatch, "twitter-v2")
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert len(sql_tables["posts"]) > 500
    assert {p["kind"] for p in sql_tables["posts"]} == {"original", "reply", "quote", "repost"}


def test_fixture_pages_take_the_fast_path(tmp_path: Path) -> None:
    """Plain pages are mapped by the query, not handed to Python (else the test above proves little)."""
    from tagscope.formats.twitter import v2_sql as twitter_v2_sql
    from tagscope.store.sql_lines import Lines, _split, connect

    path = tmp_path / "pages.jsonl"
    path.write_bytes(b"\n".join(_fixture_lines()) + b"\n")
    con = connect(twitter_v2_sql)  # the store's connection for a mapping: the format is SQL text
    table = con.execute(twitter_v2_sql.query(), [str(path)]).to_arrow_table()
    lines = Lines(path.read_bytes(), 1)
    posts, _, _, slow, gone = _split(lines, table)
    assert len(posts) > 700
    assert gone  # 'Not Found Error' for a tweet in a page's errors: deleted
    pages = [i for i in slow if lines.line(i).startswith(b'{"data": [')]
    assert len(pages) <= 4  # only pages with edits or an includes id given twice go to Python


def test_fixture_pages_take_the_native_path() -> None:
    """The native mapping claims the plain pages too (floats in entity annotations included)."""
    from tagscope.store.sql_lines import Lines, _split

    data = b"\n".join(_fixture_lines()) + b"\n"
    lines = Lines(data, 1)
    posts, _, raw, slow, gone = _split(lines, twitter_v2_native.finish(twitter_v2_native.map_lines(
        data, lines.starts, lines.ends)))
    assert len(posts) > 700 and len(raw) == len(posts)
    assert gone
    pages = [i for i in slow if lines.line(i).startswith(b'{"data": [')]
    assert len(pages) <= 4


def test_simulated_pages_map_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    from tagscope.simulate import FILES, simulate

    simulate(tmp_path / "sim", posts=3000, seed=3, formats=("v2",))
    data = (tmp_path / "sim" / FILES["v2"]).read_bytes()
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, data, monkeypatch, "twitter-v2")
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert len(sql_tables["posts"]) > 2500


_text = st.text(alphabet=st.sampled_from("aZß#＃éİ ﬁ\u200b\u0301x1_:@"), max_size=8)
_maybe_str = st.one_of(st.none(), st.just(""), _text)
_ids = st.sampled_from(["1", "2", "3", "40", "41", "18446744073709551"])
_uids = st.sampled_from(["10", "11", "12", ""])


@st.composite
def _entities(draw: Any) -> dict[str, Any]:
    ents: dict[str, Any] = {}
    if draw(st.booleans()):
        ents["hashtags"] = [{"tag": draw(_maybe_str), "start": 0} for _ in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        ents["mentions"] = [{"username": draw(_maybe_str)} for _ in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        urls = []
        for _ in range(draw(st.integers(0, 3))):
            u = {k: draw(st.sampled_from([None, "", "https://t.co/x", "https://WWW.Example.org:8/a?b#c",
                                          "https://pic.twitter.com/abc", "https://twitter.com/a/status/1/photo/1",
                                          "https://münchen.de/x", "example.net/x"]))
                 for k in ("expanded_url", "unwound_url", "url") if draw(st.booleans())}
            if draw(st.integers(0, 4)) == 0:
                u["media_key"] = "3_1"
            urls.append(u)
        ents["urls"] = urls
    return ents


@st.composite
def _tweet(draw: Any, pid: str | None = None) -> dict[str, Any]:
    tw: dict[str, Any] = {"id": pid or draw(_ids)}
    # Odd shapes (drawn on 17: hypothesis favours small numbers) are rare, so most pages take the fast path.
    if draw(st.integers(0, 30)) != 17:
        tw["author_id"] = draw(st.sampled_from(["10", "11", "12"])) if draw(st.integers(0, 30)) != 17 else ""
    tw["text"] = draw(st.one_of(_maybe_str, st.sampled_from(["RT @zed: hi", "RT @: x", "RT @ab"])))
    if draw(st.booleans()):
        tw["edit_history_tweet_ids"] = [tw["id"]]
    tw["created_at"] = draw(st.sampled_from([
        "2014-05-24T10:00:00.000Z", "2014-05-24T10:00:00.123Z", "2014-05-24T10:00:00Z",
        "2014-05-24T10:00:00.123456Z"])) if draw(st.integers(0, 30)) != 17 else draw(st.sampled_from([
        "2014-05-24T12:00:00+02:00", "2014-02-30T10:00:00.000Z", ""]))
    if draw(st.booleans()):
        tw["entities"] = draw(_entities())
    if draw(st.booleans()):
        tw["referenced_tweets"] = [{"type": draw(st.sampled_from(["retweeted", "quoted", "replied_to"])),
                                    "id": draw(st.sampled_from(["40", "41", "42", ""]))}
                                   for _ in range(draw(st.integers(0, 2)))]
    for key in ("lang", "conversation_id", "in_reply_to_user_id"):
        if draw(st.booleans()):
            tw[key] = draw(_maybe_str)
    if draw(st.booleans()):
        tw["public_metrics"] = {k: draw(st.integers(0, 99)) for k in ("like_count", "retweet_count", "reply_count")
                                if draw(st.booleans())}
    if draw(st.integers(0, 30)) == 17:
        tw["edit_history_tweet_ids"] = ["1", tw["id"]]
    if draw(st.integers(0, 30)) == 17:
        tw["note_tweet"] = {"text": "long " + draw(_text)}
    if draw(st.integers(0, 3)) == 0:  # floats (entity annotations, places) and escapes, written back as orjson does
        tw["geo"] = {"coordinates": [draw(st.floats(allow_nan=False, allow_infinity=False)), draw(st.sampled_from(
            [0.5266, 1e-7, 123.0, -0.0, 1e16, 1234567890123456.7, 0.0001, 5e-324]))], "note": draw(st.sampled_from(
                ["a\x01b\x1f\"\\/\u2028é", "\U0001F600", ""]))}
    return tw


@st.composite
def _page(draw: Any) -> dict[str, Any]:
    page: dict[str, Any] = {"data": [draw(_tweet()) for _ in range(draw(st.integers(0 if draw(st.integers(0, 9)) == 7 else 1, 5)))]}
    includes: dict[str, Any] = {}
    if draw(st.integers(0, 3)):
        includes["users"] = [{
            "id": uid, "username": draw(_maybe_str), "name": draw(_maybe_str), "description": draw(_maybe_str),
            **({"verified": draw(st.booleans())} if draw(st.booleans()) else {}),
            **({"verified_type": draw(st.sampled_from(["none", "blue", ""]))} if draw(st.booleans()) else {}),
            **({"public_metrics": {"followers_count": draw(st.integers(0, 10**6))}} if draw(st.booleans()) else {}),
        } for uid in draw(st.lists(_uids, max_size=4, unique=draw(st.integers(0, 9)) != 7))]
    if draw(st.booleans()):
        includes["tweets"] = [draw(_tweet(pid)) for pid in draw(st.lists(
            st.sampled_from(["40", "41", "42", "1"]), max_size=3, unique=draw(st.integers(0, 9)) != 7))]
    if includes or draw(st.booleans()):
        page["includes"] = includes
    if draw(st.integers(0, 4)) == 0:
        page["errors"] = [{"resource_type": draw(st.sampled_from(["tweet", "user"])), "title": "Not Found Error",
                           "resource_id": draw(st.sampled_from(["40", "x1", "77"]))}]
    return page


@settings(max_examples=int(os.environ.get("V2_EXAMPLES", "40")), deadline=None, suppress_health_check=list(HealthCheck))
@given(pages=st.lists(_page(), min_size=1, max_size=8),
       extra=st.lists(st.sampled_from([b"", b"{}", b'{"id": "5", "action": "delete", "created_at": "2014-05-24T10:00:00.000Z"}',
                                       b"{bad", b'{"data": {"id": "9", "text": "x", "author_id": "10", '
                                                b'"created_at": "2014-05-24T10:00:00.000Z"}}']), max_size=3))
def test_generated_pages_map_the_same(tmp_path_factory: pytest.TempPathFactory, pages: list[dict[str, Any]],
                                      extra: list[bytes], fast: str) -> None:
    tmp = tmp_path_factory.mktemp("gen")
    if fast == "duckdb":  # its raw records write 1e16 and "\x1f" otherwise than orjson (docs/store.md)
        for page in pages:
            for tw in [*page["data"], *page.get("includes", {}).get("tweets", [])]:
                tw.pop("geo", None)
    lines = [orjson.dumps(p) for p in pages] + extra
    with pytest.MonkeyPatch.context() as mp:
        sql_sum, sql_tables, py_sum, py_tables = both(tmp, b"\n".join(lines) + b"\n", mp, "twitter-v2")
    assert sql_sum == py_sum
    assert sql_tables == py_tables


def test_a_bad_tweet_in_a_page_is_quarantined_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    """One malformed tweet in a page of 100 quarantined the whole page: its good tweets were never
    ingested. Now the bad tweet alone is quarantined (the page's line, a reason naming its index in
    ``data``) and the page's other tweets are posts, the same on every path."""
    def tw(pid: str, **extra: Any) -> dict[str, Any]:
        return {"id": pid, "text": f"#tag {pid}", "author_id": "10", "created_at": "2014-05-24T10:00:00.000Z",
                "edit_history_tweet_ids": [pid]} | extra

    users = {"users": [{"id": "10", "username": "alice", "name": "Alice"}]}
    no_author = tw("3")
    del no_author["author_id"]
    pages = [
        {"data": [tw("1")], "includes": users},
        {"data": [tw("2"), no_author, "not a tweet", tw("4"), tw("5", created_at=None), tw("6")], "includes": users},
    ]
    data = b"\n".join(orjson.dumps(p) for p in pages) + b"\n"
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, data, monkeypatch, "twitter-v2")
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert sorted(p["id"] for p in py_tables["posts"]) == ["1", "2", "4", "6"]
    assert (py_sum["ingested"], py_sum["quarantined"], py_sum["records"]) == (4, 3, 2)
    q = [(r["source_line"], r["reason"]) for r in py_tables["quarantine"]]
    assert q == [(2, "data[1]: missing author_id"), (2, "data[2]: tweet is not a JSON object"),
                 (2, "data[4]: missing created_at")]
    assert [orjson.loads(r["raw"]) for r in py_tables["quarantine"]] == [no_author, "not a tweet", tw("5", created_at=None)]
    assert {p["source_line"] for p in py_tables["posts"] if p["id"] != "1"} == {2}


def test_a_float_id_is_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    """A tweet id written as a JSON number in exponent or decimal form (8.7e+17) was stored as that text:
    the double has lost the id's last digits and would merge posts. The tweet is quarantined, on every path."""
    def tw(pid: Any) -> dict[str, Any]:
        return {"id": pid, "text": "x", "author_id": "10", "created_at": "2014-05-24T10:00:00.000Z"}

    users = {"users": [{"id": "10", "username": "alice"}]}
    lines = [{"data": [tw("1"), tw(8.7e17), tw(872836479608733700.0)], "includes": users},
             {"data": tw(2.5), "includes": users}, {"data": [tw(3)], "includes": users}]
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, b"\n".join(map(orjson.dumps, lines)) + b"\n",
                                                  monkeypatch, "twitter-v2")
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert [p["id"] for p in py_tables["posts"]] == ["1", "3"]
    assert [(q["source_line"], q["reason"]) for q in py_tables["quarantine"]] == [
        (1, "data[1]: id is not an integer"), (1, "data[2]: id is not an integer"), (2, "id is not an integer")]
