"""The authors relation: each field as of the account's latest post that records it, by (time, id)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from tagscope.engines import relations

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


def test_per_file_forms_give_the_portable_forms_rows() -> None:
    """The per-file rollups' cheaper forms (row number as "latest", top-K aggregate) on a posts file
    sorted as commit sorts every posts file, ties on time and ids of several lengths included."""
    import random

    import numpy as np

    from tagscope.store.commit import _sorted

    rng = random.Random(7)
    rows = []
    for i in range(400):
        rows.append({
            "platform": rng.choice(["twitter", "mastodon"]), "id": str(rng.choice([5, 95, 995]) + i),
            "author_id": rng.choice(["u1", "u2", "u3", None]), "author_handle": rng.choice(["a", "b", None]),
            "author_name": rng.choice(["N", None]), "author_followers": rng.choice([1, 2, None]),
            "author_verified": rng.choice([True, False, None]), "author_bio": rng.choice(["x", None]),
            "created_at": T.replace(minute=rng.randrange(3)), "kind": rng.choice(["original", "repost"]),
            "hashtags_norm": rng.sample(["a", "b", "c"], rng.randrange(3)),
            "like_count": 1, "repost_count": 0, "reply_count": 0, "quote_count": 0,
            # columns the read-in-place relations need (relations.IN_PLACE)
            "hashtags": rng.choice([["A"], ["a", "Ä"], []]), "community": rng.choice(["r/x", None]),
            "urls": rng.choice([["http://a.org/1"], []]), "domains": rng.choice([["a.org"], []]),
        })
    table = _sorted(pa.Table.from_pylist(rows))
    con = duckdb.connect()
    con.register("p", table.append_column("_row", pa.array(np.arange(len(table), dtype=np.int64))))
    for name in relations.NAMES:
        for k in (2, relations.FIRST_K):
            portable, params = relations.define(name, "p", k=k)
            per_file, _ = relations.define(name, "p", k=k, per_file="_row")
            want = sorted(map(str, con.execute(portable, params).fetchall()))
            assert want and sorted(map(str, con.execute(per_file, params).fetchall())) == want, name
