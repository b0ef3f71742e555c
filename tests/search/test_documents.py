"""Index documents built in DuckDB (the fast path) equal those built row by row in Python (the
reference), whatever the text, handles, nulls and slicing; and the index built from them answers
as the reference's does."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa
import pytest

from search.searchdata import CORPUS
from search.test_build import QUERIES, TEXTS
from tagscope.post import POST_SCHEMA
from tagscope.search import index as search_index
from tagscope.search import reindex, search

pytest.importorskip("tantivy")
from tagscope.search import documents  # after the skip: needs tantivy

HANDLES = ["alice", "Alice_B.c-d", "Quiet@Feminist.Social.example", "@@x", " @Bob ", "@carol", "ＦＵＬＬ", "Straße", "", "@", None, "a b", "x\ty"]
MENTIONS = [[], None, ["Alice"], ["Ann@Toot.Example", "@lead@x"], ["alice", "@Bob"], ["Ünïcode", "plain"], [""], ["dots.and-dashes", "UPPER"]]


def _batch(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    cols = {name: [r.get(name) for r in rows] for name in search_index.COLUMNS}
    schema = pa.schema([POST_SCHEMA.field(name) for name in search_index.COLUMNS])
    return pa.RecordBatch.from_pydict(cols, schema=schema)


def _rows() -> list[dict[str, Any]]:
    texts = [*TEXTS, None, 'quotes " and \\ backslash', "NUL\x00byte", "ctrl \x01\x1f chars", "line\u2028sep"]
    rows = []
    for i in range(len(texts) * 3):
        rows.append({
            "platform": "twitter" if i % 2 else "bluesky",
            "id": f"at://did:plc:x/{i}" if i % 2 == 0 else str(i),
            "author_handle": HANDLES[i % len(HANDLES)],
            "created_at": None if i % 7 == 3 else datetime(2014, 5, 24, i % 24, i % 60, i % 60, (i * 12_345) % 1_000_000),
            "text": texts[i % len(texts)],
            "lang": ["en", "", None, "es"][i % 4],
            "kind": ["original", "repost", None, "reply", ""][i % 5],
            "hashtags_norm": [["yesallwomen"], [], None, ["a", "b"]][i % 4],
            "mentions": MENTIONS[i % len(MENTIONS)],
        })
    return rows


def _normal(doc: str) -> dict[str, Any]:
    """A document as tantivy reads it: a missing key is no value, a scalar one value; tokens split by
    whitespace (the analyzers' first step); the stored record decoded."""
    d = orjson.loads(doc)
    out: dict[str, Any] = {}
    for k in ("text", "words", "tags", "mentions", "chunk", "platform", "author", "lang", "kind", "created_at"):
        v = d.get(k, [])
        out[k] = v if isinstance(v, list) else [v]
    out["text"] = [t.split() for t in out["text"]]
    out["words"] = [t.split() for t in out["words"]]
    out["doc"] = orjson.loads(base64.b64decode(d["doc"]))
    return out


def test_duckdb_documents_equal_the_python_reference():
    batch = _batch(_rows())
    fast = documents.jsons(batch, "part-x.parquet", 3)
    slow = documents.python_jsons(batch, "part-x.parquet", 3)
    assert len(fast) == len(slow) == batch.num_rows
    assert [_normal(d) for d in fast] == [_normal(d) for d in slow]
    # Both paths were taken: plain posts in SQL, the others through Python.
    plain = [i for i, d in enumerate(fast) if '"author":[' in d]
    assert 0 < len(plain) < batch.num_rows


def test_a_sliced_batch_gives_the_documents_of_its_own_rows():
    batch = _batch(_rows())
    part = batch.slice(5, 17)
    assert [_normal(d) for d in documents.jsons(part, "f", 0)] == [_normal(d) for d in documents.python_jsons(part, "f", 0)]
    assert documents.jsons(batch.slice(0, 0), "f", 0) == []


def test_ascii_split_turns_every_non_word_byte_into_a_space():
    arr = pa.array(["xx", "a-b_c, D9!", "", "tab\there"]).slice(1)
    assert documents.ascii_split(arr).to_pylist() == ["a b_c  D9 ", "", "tab here"]
    with pytest.raises(ValueError, match="without nulls"):
        documents.ascii_split(pa.array(["a", None]))


def test_the_index_from_either_path_answers_the_same(make_store, monkeypatch):
    st = make_store(CORPUS[:3], CORPUS[3:])
    # Posts 4 and 5 share a time: their order is the documents' (two writer threads: either), so each
    # page is compared in (time, id) order.
    def answers():
        return [(r.total, sorted((h.created_at, h.post_id, h.text, h.author, h.spans) for h in r.hits))
                for r in (search(st, q, limit=100, sort="newest") for q in QUERIES)]

    reindex(st)
    fast = answers()
    monkeypatch.setattr(documents, "jsons", documents.python_jsons)
    reindex(st)
    slow = answers()
    assert fast == slow
    assert any(total for total, _ in fast)


def test_an_error_while_reading_stops_the_build_and_is_raised(make_store, monkeypatch):
    st = make_store(CORPUS[:3], CORPUS[3:])

    def broken(batch, file, chunk=0):
        raise OSError(f"cannot read {file}")

    monkeypatch.setattr(documents, "jsons", broken)
    with pytest.raises(OSError, match="cannot read part-"):
        reindex(st)
    assert not search_index.is_current(st)
    monkeypatch.undo()
    assert search(st, "gentleman").total == 2  # the next search builds it
