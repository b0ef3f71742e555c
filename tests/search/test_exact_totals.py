"""search() answers exactly as tantivy's counting pass does: the same totals, hits and order.

A lone term's total is read from the term dictionary (its document frequency) when the index holds
no deleted document; every other query, and every query after a deletion, is counted by tantivy in
the pass that ranks it. These tests compare search() with that reference pass (the path search()
took for every query before) on the hand-made stores, fresh, after a deletion and after forget.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from search.searchdata import CORPUS, post
from tagscope.engines.filters import Filters
from tagscope.search import engine, search
from tagscope.search.query import parse
from tweetfactory import delete_notice, write_jsonl

QUERIES = [
    "gentleman", "GENTLEMAN", "supreme", "women", "feminists", "seguridad", "niños", "😡", "nothing",
    "#yesallwomen", "#NotAllMen", "#nosuchtag", "@alice", "@nobody", "e-mail", '"supreme gentleman"',
    "femin*", "supreme gentleman", "safety OR seguridad", "#yesallwomen -supreme", "NOT #yesallwomen",
    "-gentleman", "NOT @alice", "NOT nothing", "NOT femin*",
]
FILTERS = [{}, {"since": "2014-05-25"}, {"tag": "yesallwomen"}, {"author": "bob"}, {"lang": "es"},
           {"kind": "original"}, {"no_reposts": True}, {"platform": "twitter"}]
PAGES = [(20, 0), (1, 0), (1, 1), (2, 1), (0, 0), (5, 50)]


def reference(st, query: str, *, limit: int = 20, offset: int = 0, sort: str = "relevance", **kw):
    """(total, post ids of the page) as tantivy's counting pass gives them (the old path)."""
    f = engine.check_filters(Filters(**kw))
    ix, s = engine._searcher(st)
    q = engine.compile_query(ix.schema, parse(query), f)
    skip = min(offset, s.num_docs)
    page = max(1, min(limit, s.num_docs - skip))
    if sort == "relevance":
        res = s.search(q, page, count=True, offset=skip)
    else:
        order = engine.tantivy.Order.Asc if sort == "time" else engine.tantivy.Order.Desc
        res = s.search(q, page, count=True, order_by_field="created_at", offset=skip, order=order)
    return res.count, [orjson.loads(s.doc(a).to_dict()["doc"][0])[1] for _, a in res.hits[:limit]]


def answer(st, query: str, **kw):
    res = search(st, query, **kw)
    return res.total, [h.post_id for h in res.hits]


def assert_same_everywhere(st) -> None:
    for query in QUERIES:
        for sort in ("relevance", "time", "newest"):
            for filters in FILTERS:
                assert answer(st, query, sort=sort, **filters) == reference(st, query, sort=sort, **filters), (query, sort, filters)
            for limit, offset in PAGES:
                kw = {"sort": sort, "limit": limit, "offset": offset}
                assert answer(st, query, **kw) == reference(st, query, **kw), (query, kw)


def lone_total(st, query: str) -> int | None:
    _, s = engine._searcher(st)
    return engine._lone_term_total(s, parse(query), Filters())


def _jsonl(path: Path, records) -> Path:
    return write_jsonl(path, records)


def test_lone_terms_are_counted_from_the_dictionary_and_agree(make_store):
    st = make_store(CORPUS[:3], CORPUS[3:])
    assert_same_everywhere(st)
    # The dictionary path is taken for lone words, hashtags and mentions, and only for them.
    assert lone_total(st, "gentleman") == 2 and lone_total(st, "#yesallwomen") == 3
    assert lone_total(st, "@alice") == 1 and lone_total(st, "nothing") == 0
    assert lone_total(st, "NOT #yesallwomen") == 3 and lone_total(st, "-gentleman") == 4
    for query in ('"supreme gentleman"', "e-mail", "femin*", "supreme gentleman", "NOT femin*", "NOT e-mail",
                  "NOT (a OR b)", "#yesallwomen -supreme"):
        assert lone_total(st, query) is None, query
    _, s = engine._searcher(st)
    assert engine._lone_term_total(s, parse("gentleman"), engine.check_filters(Filters(lang="en"))) is None


def test_after_a_deletion_the_dictionary_is_not_trusted(make_store, tmp_path):
    st = make_store(CORPUS)
    assert lone_total(st, "#yesallwomen") == 3
    st.ingest([str(_jsonl(tmp_path / "del.jsonl", [delete_notice("2", "u-bob")]))])  # purged: index rebuilt
    assert answer(st, "#yesallwomen")[0] == 2 == lone_total(st, "#yesallwomen")
    assert_same_everywhere(st)


def test_deleted_documents_left_in_a_segment_are_not_counted(make_store):
    st = make_store(CORPUS[:3], CORPUS[3:])
    assert answer(st, "#yesallwomen")[0] == 3
    # A posts file leaves the manifest (as when a merge rewrites it): the update deletes its
    # documents, which stay in their segment (no merge yet) and in the term dictionary's counts.
    second = st.manifest["posts"][-1]
    with st.writer():
        st.commit({"posts": ([], [second])})
    total, hits = answer(st, "#yesallwomen")
    assert total == 2 and sorted(hits) == ["1", "2"]
    _, s = engine._searcher(st)
    assert s.doc_freq("tags", "yesallwomen") == 3  # the deleted post's term is still counted there
    assert lone_total(st, "#yesallwomen") is None  # so search() counts the matches instead
    assert lone_total(st, "NOT #yesallwomen") is None and answer(st, "NOT #yesallwomen")[0] == 1
    assert_same_everywhere(st)


def test_after_forget_and_with_duplicates(make_store):
    st = make_store(CORPUS, CORPUS[:3], [post("1", "He called himself the supreme gentleman #YesAllWomen", followers=9)])
    assert_same_everywhere(st)
    from tagscope.store.forget import forget

    forget(st, authors=["bob"])  # rebuilds the index: no deleted document left in it
    assert lone_total(st, "#yesallwomen") == 2 == search(st, "#yesallwomen").total
    assert_same_everywhere(st)


@pytest.mark.parametrize("sort", ["relevance", "time", "newest"])
def test_count_only_of_a_lone_term(make_store, sort):
    st = make_store(CORPUS)
    res = search(st, "#yesallwomen", limit=0, sort=sort)
    assert res.total == 3 and res.hits == []
