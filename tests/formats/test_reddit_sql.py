"""Reddit's DuckDB mapping (formats/reddit/pushshift_sql.py) against the record-by-record parser.

Both paths ingest the same lines into two stores; every table must be identical (posts, raw records,
tombstones, quarantine), on the real dumps and on records made to hit every rule the query restates or
leaves to Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.both_paths import both
from formats.golden import DATA
from tagscope.store import ingest as ingest_mod

REAL = [DATA / "reddit-pushshift" / "pushshift_importer_test_comments.ndjson",
        DATA / "reddit-pushshift" / "pushshift_importer_test_submissions.ndjson"]


def _real_lines() -> list[bytes]:
    return [line for path in REAL for line in path.read_bytes().splitlines() if line.strip()]


def _comment(**over: Any) -> dict[str, Any]:
    base = {"id": "abc1", "author": "alice", "subreddit": "TwoXChromosomes", "created_utc": 1400000000,
            "body": "hello #YesAllWomen", "link_id": "t3_zz1", "parent_id": "t3_zz1", "score": 3}
    return {k: v for k, v in {**base, **over}.items() if v is not _DROP}


def _submission(**over: Any) -> dict[str, Any]:
    base = {"id": "sub1", "author": "bob", "subreddit": "MensRights", "created_utc": 1400000100, "title": "A title",
            "selftext": "", "url": "https://example.org/a", "is_self": False, "num_comments": 4, "score": 9}
    return {k: v for k, v in {**base, **over}.items() if v is not _DROP}


_DROP = object()

# Each rule of pushshift._parse, restated by the query or left to Python by it.
CASES: list[dict[str, Any]] = [
    _comment(),
    _comment(id="c2", body="a &amp;gt; b &amp; #tag&#39;s u/someone_else https://x.org/a_(b) www"),
    _comment(id="c3", body="[deleted]"),
    _comment(id="c4", body="[removed]", author="[deleted]"),
    _comment(id="c5", _meta={"was_deleted_later": True}),
    _comment(id="c6", _meta={"removal_type": "moderator"}),
    _comment(id="c7", _meta={"was_deleted_later": "false"}),
    _comment(id="c8", _meta={"was_deleted_later": False, "retrieved_2nd_on": 1}),
    _comment(id="c9", removed_by_category="moderator"),
    _comment(id="c10", removed_by_category=""),
    _comment(id="c31", _meta={"was_deleted_later": True, "removal_type": ""}, created_utc="bad"),
    _comment(id="c32", _meta={"removal_type": "deleted"}),
    _comment(id="c33", _meta={"removal_type": 1}),
    _comment(id="c34", _meta={"was_deleted_later": 1}),
    _comment(id="c35", _meta=[1], removed_by_category="author"),
    _comment(id="c36", removed_by_category=5),
    _comment(id="c37", body="[deleted]", created_utc=None, score="x"),
    _comment(id="c11", created_utc=1400000000.9),
    _comment(id="c12", created_utc="1400000000"),
    _comment(id="c13", created_utc=-5.5),
    _comment(id="c14", created_utc=10**15),
    _comment(id="c15", created_utc=True),
    _comment(id="c16", created_utc=_DROP),
    _comment(id="c17", name="t1_c17x"),
    _comment(id="c-18"),
    _comment(id="ÇA19"),
    _comment(id=_DROP, name="t1_c20"),
    _comment(id="C21", author=5, subreddit="", score=True),
    _comment(id="c22", score=2**64 - 1, parent_id=7),
    _comment(id="c23", score=1.5),
    _comment(id="c24", subreddit=3),
    _comment(id="c25", body=""),
    _comment(id="c26", body=None),
    _comment(id="c27", body=12, link_id=""),
    {"kind": "t1", "data": _comment(id="c28")},
    {"data": {"x": 1}, "body": "b", "id": "c29", "created_utc": 1400000000},
    {"id": "c30", "created_utc": 1400000000},
    _submission(),
    _submission(id="s2", selftext="self &amp; #MeToo", url="https://www.reddit.com/r/x/comments/s2", is_self=True),
    _submission(id="s3", crosspost_parent="t3_orig", num_crossposts=2, url="https://i.redd.it/img.jpg"),
    _submission(id="s4", selftext="[deleted]"),
    _submission(id="s5", title="", selftext="only self"),
    _submission(id="s6", is_self=1),
    _submission(id="s7", is_self=None, url="ftp://x.org"),
    _submission(id="s8", crosspost_parent=""),
    _submission(id="s9", title=7, selftext=None, num_comments="3"),
    _submission(id="s10", url="https://example.org/&amp;x", body="also a body"),
]


@pytest.fixture(autouse=True)
def _sql_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_mod, "SQL_LINES", True)


def test_real_dumps_map_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, b"\n".join(_real_lines()) + b"\n", monkeypatch)
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert len(sql_tables["posts"]) > 30 and len(sql_tables["tombstones"]) > 5
    assert {p["kind"] for p in sql_tables["posts"]} >= {"reply", "original", "quote"}


def test_every_rule_maps_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\n".join(orjson.dumps(c) for c in CASES) + b"\n\n{not json\n[1]\n"
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, data, monkeypatch)
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert sql_sum["quarantined"] >= 5 and len(sql_tables["tombstones"]) >= 6


def test_the_query_claims_plain_records_and_leaves_the_rest(tmp_path: Path) -> None:
    import duckdb

    from tagscope.formats.reddit import pushshift_sql

    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(c) for c in CASES) + b"\n")
    con = duckdb.connect()
    con.execute(pushshift_sql.MACROS)
    table = pushshift_sql.finish(con.execute(pushshift_sql.query(), [str(path)]).to_arrow_table())
    rows = {r["id"]: r for r in table.to_pylist()}
    claimed = {i for i, r in rows.items() if not r["python"] and not r["tombstone"]}
    assert {"t1_abc1", "t1_c2", "t1_c8", "t1_c11", "t1_c13", "t3_sub1", "t3_s2", "t3_s3"} <= claimed
    assert not claimed & {"t1_c3", "t1_c5", "t1_c7", "t1_c9", "t1_c12", "t1_c15", "t3_s4", "t3_s6"}
    gone = {i: r["tombstone_reason"] for i, r in rows.items() if r["tombstone"] and not r["python"]}
    assert gone == {"t1_c3": "deleted", "t1_c4": "removed", "t1_c5": "deleted", "t1_c6": "removed",
                    "t1_c9": "removed", "t3_s4": "deleted", "t1_c31": "removed", "t1_c32": "deleted",
                    "t1_c35": "deleted", "t1_c37": "deleted"}
    row = rows["t1_c2"]
    assert row["hashtags"] == ["tag"] and row["urls"] == ["https://x.org/a_(b)"]


_TEXT = st.lists(st.sampled_from([*"ab #&;u/:htps.x_(1)\n", "&amp;", "https://", "＃", "é"]), max_size=20).map("".join)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(
    st.builds(lambda b, s, c: _comment(id=f"g{abs(hash((b, s)))}", body=b, score=s, created_utc=c), _TEXT,
              st.one_of(st.none(), st.integers(-5, 5), st.booleans()),
              st.one_of(st.integers(0, 2**34), st.floats(0, 2e9))),
    st.builds(lambda t, s, u, x: _submission(id=f"h{abs(hash((t, s, u)))}", title=t, selftext=s, url=u, is_self=x),
              _TEXT, _TEXT, _TEXT, st.one_of(st.booleans(), st.none()))), min_size=1, max_size=12))
def test_generated_records_map_the_same(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> None:
    mp = pytest.MonkeyPatch()
    try:
        sql_sum, sql_tables, py_sum, py_tables = both(tmp_path_factory.mktemp("g"),
                                                      b"\n".join(orjson.dumps(r) for r in records) + b"\n", mp)
    finally:
        mp.undo()
    assert sql_sum == py_sum
    assert sql_tables == py_tables
