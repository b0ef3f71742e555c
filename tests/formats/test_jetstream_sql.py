"""Jetstream's fast path (formats/bluesky/jetstream_sql.py) against the record-by-record parser.

Both paths ingest the same lines into two stores; every table must be identical, on the real captures
and on events made to hit every branch of the classification (skipped, mapped, left to Python).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from formats.both_paths import both
from formats.golden import DATA
from tagscope.formats.bluesky import jetstream_sql

REAL = [DATA / "bluesky-jetstream" / "jetstream_expected_v1.jsonl", DATA / "bluesky-jetstream" / "jetstream_golden_v1.jsonl"]
DID = "did:plc:abcdefghijklmnopqrstuvwx"
POST = {"$type": "app.bsky.feed.post", "text": "hi #YesAllWomen", "createdAt": "2024-06-01T10:00:00Z",
        "facets": [{"index": {"byteStart": 3, "byteEnd": 15},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "YesAllWomen"}]}]}


def _ev(rkey: Any = "3kabc", op: Any = "create", coll: Any = "app.bsky.feed.post", record: Any = POST,
        **over: Any) -> dict[str, Any]:
    commit = {"rev": "3kabc", "operation": op, "collection": coll, "rkey": rkey, "record": record, "cid": "bafy"}
    ev = {"did": DID, "time_us": 1717236000000000, "kind": "commit", "commit": {k: v for k, v in commit.items()}}
    ev.update(over)
    return ev


CASES: list[Any] = [
    _ev(),
    _ev("r1", coll="app.bsky.feed.repost", record={"subject": {"uri": f"at://{DID}/app.bsky.feed.post/3kabc"},
                                                  "createdAt": "2024-06-01T10:00:01Z"}),
    _ev("r2", coll="app.bsky.feed.repost", record={"subject": {}}),
    _ev("l1", coll="app.bsky.feed.like", record={"subject": {"uri": "x"}}),
    _ev("l2", coll="app.bsky.feed.like", op="delete", record=None),
    _ev("d1", op="delete", record=None),
    _ev("d2", op="delete", record=None, time_us=1.5),
    _ev("d3", op="delete", record=None, time_us=2**63 + 5),
    _ev("u1", op="update", record={**POST, "text": "edited", "createdAt": "0000-01-01T00:00:00Z"}),
    _ev("u2", op="rename"),
    _ev("x/y"),
    _ev(5),
    _ev(""),
    _ev("c1", coll=7),
    _ev("c2", coll=None),
    _ev("c3", record="not a record"),
    _ev("c4", record={**POST, "createdAt": "yesterday"}, time_us=None),
    _ev("c5", record={**POST, "langs": ["fr"], "tags": ["a", "b"], "text": "é #x", "n": 2**64 - 1}),
    _ev("c6", did="did:web:example.com"),
    _ev("c7", did="plc:nope"),
    _ev("c8", did=None),
    {"did": DID, "time_us": 1, "kind": "identity", "identity": {"handle": "a.example"}},
    {"did": DID, "time_us": 1, "kind": "account", "account": {"active": False}},
    {"did": DID, "time_us": 1, "kind": "commit", "commit": "str"},
    {"did": DID, "time_us": 1, "kind": "commit", "commit": {}},
    {"did": DID, "time_us": 1, "kind": "commit"},
    {"did": DID, "time_us": 1, "kind": "later"},
    {"did": DID, "time_us": 1},
    {"did": DID, "time_us": 1, "kind": 3, "commit": {"collection": "app.bsky.feed.like"}},
    [1, 2],
]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_captures_map_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, path.read_bytes(), monkeypatch)
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert sql_tables["posts"]


def test_every_branch_maps_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\n".join(json.dumps(c).encode() for c in CASES) + b"\n\n{not json\n"
    sql_sum, sql_tables, py_sum, py_tables = both(tmp_path, data, monkeypatch)
    assert sql_sum == py_sum
    assert sql_tables == py_tables
    assert sql_sum["quarantined"] >= 10 and sql_tables["tombstones"]


def test_the_query_skips_likes_and_account_events_and_maps_posts(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(b"\n".join(json.dumps(c).encode() for c in CASES) + b"\n")
    con = duckdb.connect()
    con.execute(jetstream_sql.MACROS)
    table = jetstream_sql.finish(con.execute(jetstream_sql.query(), [str(path)]).to_arrow_table())
    rows = table.to_pylist()
    assert len(rows) == len(CASES)
    assert [r["skip"] for r in rows[3:5]] == [True, True] and rows[21]["python"] and rows[22]["skip"]
    assert rows[0]["hashtags"] == ["YesAllWomen"] and not rows[0]["python"]
    assert rows[1]["kind"] == "repost" and not rows[1]["python"]
    assert rows[5]["tombstone"] and rows[5]["id"] == f"at://{DID}/app.bsky.feed.post/d1"
    assert all(rows[i]["python"] for i in (2, 9, 10, 11, 12, 15, 19, 20, 23, 25, 26, 27))
