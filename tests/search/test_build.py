"""Building the index: pre-split text gives the regex analyzer's terms, and a query never waits for a
whole build (it answers from the commits made so far and says what they cover)."""

from __future__ import annotations

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from search.searchdata import CORPUS
from tagscope.cli import app
from tagscope.search import engine, reindex, search
from tagscope.search import index as search_index

tantivy = pytest.importorskip("tantivy")
from tagscope.search import analysis  # noqa: E402  (needs tantivy)

TEXTS = [
    "He called himself the supreme gentleman #YesAllWomen",
    "Las mujeres merecen seguridad. Niños y niñas",
    "Feminine mystique 😡👍🏽 book club",
    "日本語のテキスト and 한국어 mixed_with_underscores",
    "Straße ﬁne ＦＵＬＬ width café, naïve — déjà vu",
    "x" * 79 + "ß " + "y" * 85 + " short",
    "combining e\u0301 marks and \u0915\u093f hindi, tabs\tand\nnewlines",
    "",
    "   ",
    "a_b__c 123 4.5 #tag @handle http://t.co/abc?x=1",
]

QUERIES = ["gentleman", '"supreme gentleman"', "#yesallwomen", "femin*", "NOT bob", "@alice", "ninos", "😡"]


def _index_terms(analyzer: tantivy.TextAnalyzer, text: str) -> list[str]:
    return list(analyzer.analyze(analysis.split(analysis.normalize(text))))


@pytest.mark.parametrize("text", TEXTS)
def test_pre_split_text_gives_the_regex_analyzers_terms(text):
    assert _index_terms(analysis.split_stemmed_analyzer(), text) == analysis.terms(text)
    assert _index_terms(analysis.split_plain_analyzer(), text) == analysis.plain_terms(text)
    if text.isascii():  # the vectorised split used for ASCII posts (tested before normalising)
        fast = pc.replace_substring_regex(pa.array([text]), analysis.ASCII_SEPARATORS, " ")[0].as_py()
        assert list(analysis.split_stemmed_analyzer().analyze(fast)) == analysis.terms(text)


def _answers(st) -> list[tuple[int, list[str]]]:
    out = []
    for q in QUERIES:
        res = search(st, q, limit=100)
        out.append((res.total, sorted(h.post_id for h in res.hits)))
    return out


@pytest.fixture
def tiny_commits(monkeypatch):
    """One post per chunk, a commit every two, and no time to wait: each search adds one chunk."""
    monkeypatch.setattr(search_index, "CHUNK_ROWS", 1)
    monkeypatch.setattr(search_index, "COMMIT_ROWS", 2)
    monkeypatch.setattr(engine, "WAIT_SECONDS", 0.0)


def test_a_query_answers_from_a_half_built_index_and_says_so(make_store, tiny_commits):
    st = make_store(CORPUS[:4], CORPUS[4:])
    first = search(st, "#yesallwomen", limit=100)
    assert first.coverage is not None
    n, m = first.coverage
    assert 0 < n < m == len(CORPUS)
    assert first.to_json()["coverage"] == {"indexed_posts": n, "posts": m, "note": first.note}
    assert f"index covers {n:,} of {m:,} posts" in (first.note or "")
    seen = [n]
    while not search_index.is_current(st):
        res = search(st, "#yesallwomen", limit=100)
        seen.append(res.coverage[0] if res.coverage else len(CORPUS))
    assert seen == sorted(seen) and seen[-1] == len(CORPUS)  # each query went on from the last
    final = search(st, "#yesallwomen", limit=100)
    assert final.coverage is None and "coverage" not in final.to_json()
    got = _answers(st)
    reindex(st)  # built whole, in one go: the same answers
    assert _answers(st) == got
    assert sorted(h.post_id for h in final.hits) == ["1", "2", "5"]


def test_a_crash_inside_a_file_resumes_without_duplicates(make_store, tiny_commits):
    st = make_store(CORPUS)
    record = search_index.folder(st) / "covered.json"
    search(st, "gentleman")  # no time to wait: one commit, after the first chunk (post)
    stale = record.read_bytes()
    assert orjson.loads(stale)["partial"] == [st.manifest["posts"][0], 1]
    search(st, "gentleman")  # one more post committed ...
    record.write_bytes(stale)  # ... but "crashed" before recording them
    while not search_index.is_current(st):
        search(st, "gentleman")
    got = _answers(st)
    assert search(st, "NOT nobodysaysthis", limit=0).total == len(CORPUS)
    reindex(st)
    assert _answers(st) == got


def test_the_cli_notes_a_half_built_index(make_store, tiny_commits):
    st = make_store(CORPUS)
    res = CliRunner().invoke(app, ["search", "--store", str(st.path), "gentleman", "--count", "--json"])
    assert res.exit_code == 0
    data = orjson.loads(res.stdout)
    assert data["coverage"]["posts"] == len(CORPUS) and data["coverage"]["indexed_posts"] < len(CORPUS)
    engine.WAIT_SECONDS = 60.0  # restored by monkeypatch: now the rest is built within the wait
    res = CliRunner().invoke(app, ["search", "--store", str(st.path), "gentleman", "--count", "--json"])
    assert orjson.loads(res.stdout) == {"total": 2}
