"""Tokenisation rules, and search over the real multilingual v1.1 fixtures (ja, ar, ru, es, ko)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagscope.search import search
from tagscope.search.analysis import plain_terms, spans, terms
from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data" / "twitter-v1.1"


def test_english_is_stemmed_and_unicode_folded():
    assert terms("Feminists FEMINISM") == ["feminist", "femin"]
    assert plain_terms("Feminists") == ["feminists"]
    assert terms("ＦＵＬＬ ﬁne") == ["full", "fine"]  # NFKC: full-width letters, ligatures
    assert terms("Straße") == terms("STRASSE")  # casefold
    assert terms("café niños") == ["cafe", "nino"]


def test_cjk_characters_are_tokens_and_emoji_are_kept():
    assert terms("妖怪体操") == ["妖", "怪", "体", "操"]
    assert terms("ようかい") == ["よ", "う", "か", "い"]
    assert terms("so angry 😡🔥 ❤️") == ["so", "angri", "😡", "🔥", "❤"]


def test_other_scripts_are_lower_cased_words():
    assert terms("Привет Жінки") == ["привет", "жінки"]
    assert terms("مرحبا بالعالم") == ["مرحبا", "بالعالم"]


def test_hashtag_and_mention_signs_are_separators_in_text():
    assert terms("#YesAllWomen @Alice") == ["yesallwomen", "alic"]


def test_spans_point_into_the_original_text():
    text = "Hi Feminists 日本"
    assert [(text[a:b], stem) for a, b, stem, _ in spans(text)] == [
        ("Hi", "hi"), ("Feminists", "feminist"), ("日", "日"), ("本", "本")]


@pytest.fixture(scope="module")
def fixtures_store(tmp_path_factory):
    st = Store(tmp_path_factory.mktemp("fx") / "store")
    st.ingest([str(DATA / "python-twitter_streaming_lines.jsonl"), str(DATA / "python-twitter_get_search_raw.json")])
    yield st
    st.close()


def ids(st, query: str, **kw) -> set[str]:
    res = search(st, query, limit=1000, **kw)
    assert res.total == len(res.hits)
    return {h.post_id for h in res.hits}


def sql_ids(st, where: str, params: list) -> set[str]:
    return {r["id"] for r in st.sql(f"SELECT id FROM posts WHERE {where}", params).to_pylist()}


@pytest.mark.parametrize(
    ("query", "lang", "needle"),
    [
        ('"土曜日"', "ja", "土曜日"),  # Japanese phrase: a run of characters
        ('"ヘッドスライディング"', "ja", "ヘッドスライディング"),
        ("داعش", "ar", "داعش"),
        ("Западе", "ru", "Западе"),
        ("caracter", "es", "carácter"),  # accent folded
        ('"장재인"', "ko", "장재인"),
    ],
)
def test_multilingual_fixtures_match_like_a_substring_scan(fixtures_store, query, lang, needle):
    got = ids(fixtures_store, query)
    assert got, f"no hit for {query}"
    assert got == sql_ids(fixtures_store, "text ILIKE ?", [f"%{needle}%"])
    assert ids(fixtures_store, query, lang=lang) <= got


def test_non_latin_hashtags_and_emoji_on_fixtures(fixtures_store):
    assert ids(fixtures_store, "#수호") == sql_ids(fixtures_store, "list_contains(hashtags_norm, ?)", ["수호"])
    assert ids(fixtures_store, "#BestFanArmy") == sql_ids(fixtures_store, "list_contains(hashtags_norm, ?)", ["bestfanarmy"])
    assert ids(fixtures_store, "😎") == sql_ids(fixtures_store, "text LIKE ?", ["%😎%"])


def test_every_fixture_post_is_indexed(fixtures_store):
    total = fixtures_store.con.execute("SELECT count(*) FROM posts").fetchone()[0]
    assert search(fixtures_store, "NOT zzzzunlikely", limit=0).total == total
