"""Search over hand-made stores: terms, phrases, boolean logic, filters, and the index kept in step."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from search.searchdata import CORPUS, post
from tagscope.search import QuerySyntaxError, count_query, reindex, search
from tagscope.search import index as search_index
from tweetfactory import delete_notice, tweet


def ids(result) -> list[str]:
    return sorted(h.post_id for h in result.hits)


def found(st, query: str, **kw) -> list[str]:
    res = search(st, query, limit=100, **kw)
    assert res.total == len(res.hits)
    return ids(res)


def test_words_are_stemmed_and_case_folded(make_store):
    st = make_store(CORPUS)
    assert found(st, "GENTLEMAN") == ["1", "2"]
    assert found(st, "gentleman") == ["1", "2"]
    assert found(st, "feminists") == ["3"]
    assert found(st, "feminism") == ["3"]


def test_phrases_need_the_words_in_order(make_store):
    st = make_store(CORPUS)
    assert found(st, '"supreme gentleman"') == ["1"]
    assert found(st, "supreme gentleman") == ["1", "2"]
    assert found(st, '"not all men"') == ["4"]  # no stop words removed


def test_boolean_logic(make_store):
    st = make_store(CORPUS)
    assert found(st, "supreme AND safety") == ["2"]
    assert found(st, "safety OR seguridad") == ["2", "5"]
    assert found(st, "#YesAllWomen NOT supreme") == ["5"]
    assert found(st, "#YesAllWomen -supreme") == ["5"]
    assert found(st, "(thread OR club) AND bob") == []
    assert found(st, "NOT #yesallwomen") == ["3", "4", "6"]
    assert found(st, "gentleman OR NOT #yesallwomen") == ["1", "2", "3", "4", "6"]


def test_prefix_terms_use_unstemmed_words(make_store):
    st = make_store(CORPUS)
    assert found(st, "femin*") == ["3", "6"]
    assert found(st, "feminis*") == ["3"]


def test_hashtag_and_mention_terms(make_store):
    st = make_store(CORPUS)
    assert found(st, "#yesallwomen") == ["1", "2", "5"]
    assert found(st, "#YESALLWOMEN") == ["1", "2", "5"]
    assert found(st, "＃NotAllMen") == ["3"]
    assert found(st, "#NotAll") == []  # hashtags match whole
    assert found(st, "@Alice") == ["4"]
    assert found(st, "@nobody") == []


def test_accents_and_emoji(make_store):
    st = make_store(CORPUS)
    assert found(st, "ninos") == ["5"]
    assert found(st, "niñas") == ["5"]
    assert found(st, "😡") == ["6"]


def test_filters(make_store):
    st = make_store(CORPUS)
    assert found(st, "#yesallwomen", since="2014-05-25") == ["2", "5"]
    assert found(st, "#yesallwomen", until="2014-05-25") == ["1"]  # half-open: the 25th is out
    assert found(st, "#yesallwomen", since="2014-05-25T00:00:00Z", until="2014-05-26") == ["2"]
    assert found(st, "#yesallwomen", author="BOB") == ["2"]
    assert found(st, "#yesallwomen", lang="es") == ["5"]
    assert found(st, "gentleman", tag="#YesAllWomen") == ["1", "2"]
    assert found(st, "gentleman", tag="notallmen") == []
    assert found(st, "gentleman", platform="twitter") == ["1", "2"]
    assert found(st, "gentleman", kind="reply") == []


def test_reposts_match_the_reposted_text_and_can_be_left_out(make_store):
    original = post("10", "the supreme gentleman manifesto", user="erin")
    rt = tweet("11", user="frank", retweet_of=original, created="Sun May 25 10:00:00 +0000 2014")
    st = make_store([original, rt])
    assert found(st, '"supreme gentleman"') == ["10", "11"]
    assert found(st, '"supreme gentleman"', no_reposts=True) == ["10"]
    assert found(st, '"supreme gentleman"', kind="repost") == ["11"]


def test_ranking_sorting_and_paging(make_store):
    st = make_store(CORPUS)
    best = search(st, "gentleman supreme", limit=1)
    assert best.total == 2 and best.hits[0].post_id == "1"  # shorter post, same terms: higher BM25
    assert best.hits[0].score is not None and best.hits[0].score > 0
    chrono = search(st, "#yesallwomen", sort="time")
    assert [h.post_id for h in chrono.hits] == ["1", "2", "5"]
    assert [h.post_id for h in search(st, "#yesallwomen", sort="newest").hits] == ["5", "2", "1"]
    page = search(st, "#yesallwomen", sort="time", limit=1, offset=1)
    assert page.total == 3 and [h.post_id for h in page.hits] == ["2"] and page.hits[0].score is None
    assert search(st, "#yesallwomen", limit=0).total == 3


def test_hit_json_and_highlights(make_store):
    st = make_store(CORPUS)
    res = search(st, '"supreme gentleman" #yesallwomen')
    hit = res.hits[0]
    assert res.to_json() == {"total": 1, "hits": [{
        "post_id": "1", "author": "alice", "created_at": "2014-05-24T10:00:00Z",
        "text": "He called himself the supreme gentleman #YesAllWomen", "score": hit.score}]}
    assert [hit.text[a:b] for a, b in hit.spans] == ["supreme", "gentleman", "#YesAllWomen"]
    orjson.dumps(res.to_json())


def test_deleted_posts_vanish_at_once(make_store, tmp_path):
    st = make_store(CORPUS)
    assert found(st, "#yesallwomen") == ["1", "2", "5"]
    st.ingest([str(_jsonl(tmp_path / "del.jsonl", [delete_notice("2", "u-bob")]))])
    assert found(st, "#yesallwomen") == ["1", "5"]
    assert search_index.is_current(st)


def test_duplicates_are_found_once(make_store):
    st = make_store(CORPUS, CORPUS[:3], [post("1", "He called himself the supreme gentleman #YesAllWomen", followers=99)])
    assert found(st, "gentleman") == ["1", "2"]
    assert search(st, "supreme").total == st.con.execute(
        "SELECT count(*) FROM posts WHERE text ILIKE '%supreme%'").fetchone()[0] == 2


def test_incremental_update_adds_only_new_files(make_store, tmp_path):
    st = make_store(CORPUS[:3])
    assert found(st, "#yesallwomen") == ["1", "2"]
    before = search_index.covered(st)
    st.ingest([str(_jsonl(tmp_path / "more.jsonl", CORPUS[3:]))])
    assert search_index.covered(st) == before  # the index is caught up by its reader, not by ingest
    assert found(st, "#yesallwomen") == ["1", "2", "5"]
    after = search_index.covered(st)
    assert before is not None and after is not None
    assert set(before) < set(after) and after == list(st.manifest["posts"])


def test_ingest_index_option_and_forget_update_the_index_at_once(make_store, tmp_path):
    st = make_store(CORPUS[:3])
    st.ingest([str(_jsonl(tmp_path / "more.jsonl", CORPUS[3:]))], index=True)
    assert search_index.is_current(st)
    from tagscope.store.forget import forget

    forget(st, authors=["alice"])
    assert search_index.is_current(st)


def test_reindex_gives_the_same_answers(make_store):
    st = make_store(CORPUS[:2], CORPUS[2:])
    queries = ["gentleman", '"supreme gentleman"', "#yesallwomen", "femin*", "NOT bob", "@alice"]
    before = [found(st, q) for q in queries]
    assert reindex(st)["documents"] == len(CORPUS)
    assert [found(st, q) for q in queries] == before


def test_crash_before_recording_means_a_catch_up(make_store, tmp_path):
    st = make_store(CORPUS[:3])
    found(st, "gentleman")  # builds the index
    record = search_index.folder(st) / "covered.json"
    stale = record.read_bytes()
    st.ingest([str(_jsonl(tmp_path / "more.jsonl", CORPUS[3:]))], index=True)
    # The index committed the new file but "crashed" before recording it.
    record.write_bytes(stale)
    assert not search_index.is_current(st)
    assert found(st, "#yesallwomen") == ["1", "2", "5"]  # caught up, no duplicates
    assert search_index.is_current(st)
    record.unlink()
    assert search_index.update(st)["documents"] == len(CORPUS)  # no record: rebuilt
    assert found(st, "gentleman") == ["1", "2"]


def test_store_without_derived_updates_is_caught_up_on_search(make_store, tmp_path):
    from tagscope.store import Store

    st = make_store(CORPUS[:2])
    raw = Store(st.path, derived=False)
    raw.ingest([str(_jsonl(tmp_path / "more.jsonl", CORPUS[2:]))])
    raw.close()
    assert found(st, "#yesallwomen") == ["1", "2", "5"]


def test_bad_input_is_a_clear_error(make_store, tmp_path):
    st = make_store(CORPUS)
    with pytest.raises(QuerySyntaxError, match="column 3"):
        search(st, 'a "b')
    with pytest.raises(QuerySyntaxError, match="no searchable characters"):
        search(st, "!!!")
    with pytest.raises(ValueError, match="unknown kind"):
        search(st, "a", kind="tweet")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        search(st, "a", since="last tuesday")
    with pytest.raises(ValueError, match="unknown sort"):
        search(st, "a", sort="random")
    from tagscope.store import Store

    with pytest.raises(FileNotFoundError, match="ingest posts first"):
        search(Store(tmp_path / "nothing"), "a")


def test_count_query_per_day_with_empty_buckets(make_store):
    st = make_store(CORPUS)
    fig = count_query(st, ["#yesallwomen", "gentleman"], every="day")
    series = fig.data["series"]
    assert [(r["bucket"], r["count"]) for r in series if r["query"] == "#yesallwomen"] == [
        ("2014-05-24T00:00:00Z", 1), ("2014-05-25T00:00:00Z", 1), ("2014-05-26T00:00:00Z", 1)]
    # Every series spans the same buckets (first to last match of any query), zeros included.
    assert [(r["bucket"], r["count"]) for r in series if r["query"] == "gentleman"] == [
        ("2014-05-24T00:00:00Z", 1), ("2014-05-25T00:00:00Z", 1), ("2014-05-26T00:00:00Z", 0)]
    assert fig.table.num_rows == len(series)


def test_count_query_time_zone_and_bounds(make_store):
    st = make_store(CORPUS)
    fig = count_query(st, "#yesallwomen", every="day", tz="America/Los_Angeles", since="2014-05-24", until="2014-05-27")
    got = [(r["bucket"], r["count"]) for r in fig.data["series"]]
    # Local days (bounds local too), each labelled by its start in UTC, as the analytics trend does.
    assert got == [("2014-05-24T07:00:00Z", 1), ("2014-05-25T07:00:00Z", 1), ("2014-05-26T07:00:00Z", 1)]
    late = count_query(st, "#yesallwomen", every="hour", tz="Asia/Kolkata", since="2014-05-24T15:00", until="2014-05-24T17:00")
    assert [(r["bucket"], r["count"]) for r in late.data["series"]] == [("2014-05-24T09:30:00Z", 1), ("2014-05-24T10:30:00Z", 0)]
    week = count_query(st, "#yesallwomen", every="week")
    assert [(r["bucket"], r["count"]) for r in week.data["series"]] == [("2014-05-19T00:00:00Z", 2), ("2014-05-26T00:00:00Z", 1)]
    with pytest.raises(ValueError, match="IANA time zone"):
        count_query(st, "a", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="--every minute, hour, day or week"):
        count_query(st, "a", every="fortnight")


def _jsonl(path, records):
    from tweetfactory import write_jsonl

    return write_jsonl(path, records)


def test_any_query_string_is_answered_or_rejected_with_a_column(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as hs

    from tagscope.store import Store

    folder = tmp_path_factory.mktemp("fuzz")
    st = Store(folder / "store")
    st.ingest([str(_jsonl(folder / "c.jsonl", CORPUS))])

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(hs.text(alphabet='ab "()#@*-ORNDTé日😡!', max_size=25))
    def check(query: str) -> None:
        try:
            res = search(st, query, limit=3)
        except QuerySyntaxError as exc:
            assert 1 <= exc.column <= len(query) + 1
        else:
            assert res.total >= len(res.hits)

    check()
    st.close()


def test_search_without_tantivy_fails_with_one_line_naming_the_extra(make_store, tmp_path):
    """A trimmed install without tantivy: ingest works, and searching says what to install."""
    st = make_store([tweet("1", "hello #YesAllWomen", tags=["YesAllWomen"])])
    src = str(Path(__file__).resolve().parents[2] / "src")
    code = ("import sys; sys.modules['tantivy'] = None\n"
            "from tagscope.store import Store\nfrom tagscope.search import search\n"
            f"try:\n    search(Store({str(st.path)!r}), 'hello')\nexcept ModuleNotFoundError as exc:\n    print(exc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "full-text search needs the search extra: pip install 'tagscope[search]'"
