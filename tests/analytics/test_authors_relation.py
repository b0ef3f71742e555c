"""The authors relation: each field as of the account's latest post that records it, by (time, id)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from tagscope.analytics import relations

T = datetime(2014, 5, 24, 10, 0, 0)


def _posts(rows: list[tuple]) -> pa.Table:
    names = ["platform", "id", "author_id", "author_handle", "author_name", "author_followers", "author_verified",
             "author_bio", "created_at"]
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows], schema=pa.schema([
        ("platform", pa.string()), ("id", pa.string()), ("author_id", pa.string()), ("author_handle", pa.string()),
        ("author_name", pa.string()), ("author_followers", pa.int64()), ("author_verified", pa.bool_()),
        ("author_bio", pa.string()), ("created_at", pa.timestamp("us"))]))


def test_latest_by_time_then_id_and_nulls_never_erase() -> None:
    later = T.replace(microsecond=5)
    posts = _posts([
        ("twitter", "9", "u1", "old", "Old", 5, False, "bio 1", T),
        ("twitter", "10", "u1", "tie-10", None, 7, None, None, T),  # same time: '9' > '10' as strings
        ("twitter", "11", "u1", None, "Newest", None, None, None, later),
        ("twitter", "12", "u2", "solo", None, None, None, None, T),
    ])
    con = duckdb.connect()
    con.register("p", posts)
    sql, params = relations.define("authors", "p")
    got = {r["author_key"]: r for r in con.execute(sql + " ORDER BY 1, 2", params).to_arrow_table().to_pylist()}
    u1 = got["u1"]
    # Ties on time are broken by the id as a string, the (created_at, id) order used everywhere.
    assert (u1["author_handle"], u1["followers"], u1["verified"], u1["author_bio"]) == ("old", 5, False, "bio 1")
    assert u1["author_name"] == "Newest" and u1["name_at"] == later and u1["handle_at"] == T
    assert u1["last_at"] == later
    assert (got["u2"]["author_handle"], got["u2"]["followers"], got["u2"]["followers_at"]) == ("solo", None, None)
