"""count-query by scan (search/scan.py) on DuckDB: the same answers as the index, bucket for bucket.

Spark runs the same parity in tests/engines/test_spark_count_query.py."""

from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner

import tagscope
from search.scandata import FILTERS, LONG, QUERIES, build
from search.searchdata import CORPUS
from tagscope import engines
from tagscope.cli import app
from tagscope.search import QuerySyntaxError, count_query
from tagscope.search import index as search_index
from tagscope.search.engine import count_engine


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    st = build(tmp_path_factory.mktemp("scan"))
    yield st
    st.close()


@pytest.mark.parametrize("kw", FILTERS, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()))
def test_duckdb_scan_equals_the_index_bucket_for_bucket(sample, kw):
    index = count_query(sample, QUERIES, engine="index", **kw)
    scan = count_query(sample, QUERIES, engine="duckdb", **kw)
    assert scan.data == index.data
    assert scan.table.equals(index.table)
    assert sum(r["count"] for r in index.data["series"]) > 0 or kw["since"].endswith("16.5")  # [16.5, ...): none


def test_every_query_of_the_parity_list_matches_posts(sample):
    """The parity would hold trivially for queries that match nothing: each one matches some post."""
    fig = count_query(sample, QUERIES, every="week", engine="duckdb")
    totals = dict.fromkeys(QUERIES, 0)
    for r in fig.data["series"]:
        totals[r["query"]] += r["count"]
    assert [q for q, n in totals.items() if n == 0] == ["istanbul"]  # casefold gives İ a combining dot: "i̇stanbul"
    assert totals["salvini -meloni"] == totals["salvini AND NOT meloni"] < totals["salvini OR meloni"]


# Hand-counted answers on the traps (scandata.traps), by author: both paths must give them.
KNOWN = [
    ("oli", "gentleman", 1), ("oli", '"supreme gentleman"', 0),  # a too-long token between keeps its position
    ("oli", f'"supreme {LONG} gentleman"', 0), ("oli", '"the supreme"', 1),
    ("nia", "#yesallwomen", 0), ("nia", "yesallwomen", 1),  # a hashtag in the text only is a word, not a tag
    ("ｚｏｅ", "café", 2), ("zoe", "ｃａｆｅ", 2), ("zoe", "CAFE", 2),  # the full-width handle folds to zoe
    ("yann", "café", 1), ("yann", '"supreme gentleman"', 1),  # a repost counts by the reposted text
    ("mia", "👍🏽", 1), ("mia", "👩\u200d👩\u200d👧", 1), ("mia", "🔥", 1), ("mia", "done", 1),
    ("pam", "@alice", 1), ("pam", "@ＡＬＩＣＥ", 1), ("pam", "don't", 1), ("pam", "feminism_2014", 1), ("pam", "feminism", 0),
    ("ulla", "strasse", 1), ("ulla", "maßnahme", 1), ("ulla", "οδος", 1), ("ulla", "STRAẞE", 1),
    ("ken", '"東京タワー"', 1), ("ken", "서울", 1), ("ken", '"京東"', 0),
    ("quin", "final", 1), ("quin", "femin*", 1), ("quin", "feminist", 1), ("quin", "123", 1), ("quin", "1", 0),
]


@pytest.mark.parametrize("engine", ["index", "duckdb"])
def test_traps_give_the_hand_counted_answers(sample, engine):
    got = [(a, q, sum(r["count"] for r in count_query(sample, q, every="week", author=a, engine=engine).data["series"]))
           for a, q, _ in KNOWN]
    assert got == KNOWN


@pytest.mark.parametrize("engine", ["index", "duckdb"])
def test_a_query_given_twice_is_one_series(sample, engine):
    """`count-query café café` summed each bucket twice into one series of doubled counts."""
    once = count_query(sample, ["café"], every="week", engine=engine).data["series"]
    twice = count_query(sample, ["café", "café"], every="week", engine=engine).data["series"]
    assert twice == once and sum(r["count"] for r in once) > 0


def test_reposts_and_the_clock_change(sample):
    kw = {"every": "hour", "tz": "America/New_York", "since": "2014-11-02", "until": "2014-11-03"}
    series = count_query(sample, "#yesallwomen", engine="duckdb", **kw).data["series"]
    # 01:00-02:00 happens twice that night: two buckets, one post each.
    assert [(r["bucket"], r["count"]) for r in series if r["count"]] == [("2014-11-02T05:00:00Z", 1), ("2014-11-02T06:00:00Z", 1)]
    both = count_query(sample, "café", every="week", engine="duckdb").data["series"]
    originals = count_query(sample, "café", every="week", engine="duckdb", no_reposts=True).data["series"]
    assert sum(r["count"] for r in both) == sum(r["count"] for r in originals) + 1


def test_the_scan_needs_no_index_and_says_what_ran(make_store):
    st = make_store(CORPUS)
    fig = count_query(st, ["gentleman", "#brexit"], every="day", engine="duckdb", lang="en", since="2014-01-01")
    assert not search_index.folder(st).exists()  # nothing was indexed
    assert fig.meta["engine"] == "duckdb" and "scan of the posts on duckdb" in fig.rule
    scan_sql, params = fig.queries[0]
    assert "FROM posts WHERE created_at IS NOT NULL AND created_at >= ? AND lang = ?" in scan_sql and params[1] == "en"
    assert "GROUP BY q, slot" in fig.queries[1][0]
    assert count_query(st, "gentleman", engine="index").meta["engine"] == "index"


def test_a_bad_leaf_is_refused_alike(sample):
    for engine in ("index", "duckdb"):
        with pytest.raises(QuerySyntaxError, match=r"word '!!!' has no searchable characters at column 1"):
            count_query(sample, "!!!", engine=engine)
        with pytest.raises(QuerySyntaxError, match="must be one word"):
            count_query(sample, "a-b*", engine=engine)
    with pytest.raises(ValueError, match="unknown engine 'nope'; known engines: duckdb, spark"):
        count_query(sample, "a", engine="nope")


def test_which_path_counts(sample, monkeypatch):
    """The index unless an engine is named: by the call, or by tagscope.open / $TAGSCOPE_ENGINE when
    that is not the default (duckdb's way to count is the index; a DuckDB scan is asked by name)."""
    monkeypatch.delenv(engines.ENV, raising=False)
    assert count_engine(sample, None) is None
    assert count_engine(sample, "index") is None
    assert count_engine(sample, "duckdb") == "duckdb"
    assert count_engine(sample, "spark") == "spark"
    monkeypatch.setenv(engines.ENV, "duckdb")
    assert count_engine(sample, None) is None
    monkeypatch.setenv(engines.ENV, "spark")
    assert count_engine(sample, None) == "spark"
    assert count_engine(sample, "index") is None and count_engine(sample, "duckdb") == "duckdb"
    monkeypatch.delenv(engines.ENV)
    with tagscope.open(sample.path, engine="spark") as st:
        assert count_engine(st, None) == "spark"


def test_cli_engine_option(sample, monkeypatch):
    monkeypatch.delenv(engines.ENV, raising=False)
    runner = CliRunner()

    def run(*args: str) -> dict:
        res = runner.invoke(app, ["count-query", "--store", str(sample.path), "#brexit", "brexit OR kpop", "--every", "week",
                                  "--json", *args])
        assert res.exit_code == 0, res.output
        return orjson.loads(res.stdout)

    index = run()
    assert run("--engine", "duckdb") == index == run("--engine", "index")
    table = runner.invoke(app, ["count-query", "--store", str(sample.path), "brexit", "--engine", "duckdb", "--since", "2016-01-01"])
    assert table.exit_code == 0 and "scan of the posts on duckdb" in " ".join(table.output.split())
    bad = runner.invoke(app, ["count-query", "--store", str(sample.path), "brexit", "--engine", "nope"])
    assert bad.exit_code == 2 and "unknown engine 'nope'; known engines: duckdb, spark" in bad.output


def test_a_phrase_never_spans_two_posts_of_a_batch():
    """The evaluator holds a batch's tokens end to end; a phrase is a run inside one post."""
    from datetime import datetime

    import pyarrow as pa

    from tagscope.search import parse
    from tagscope.search.scan import Evaluate, compile_tree

    texts = ["women deserve", "safety now", f"women {LONG} deserve safety", "Women DESERVE safety"]
    batch = pa.RecordBatch.from_pydict({"created_at": pa.array([datetime(2014, 5, 24, 10, i) for i in range(4)]),
                                        "text": texts})
    ev = Evaluate([compile_tree(parse(q)) for q in ('"deserve safety"', '"women deserve"', "women -safety")], 60, None)
    got = ev.batch(batch).to_pylist()
    minute = int((datetime(2014, 5, 24, 10, 0) - datetime(1970, 1, 1)).total_seconds())
    assert got == [{"q": 0, "slot": minute + 120, "n": 1}, {"q": 0, "slot": minute + 180, "n": 1},
                   {"q": 1, "slot": minute, "n": 1}, {"q": 1, "slot": minute + 180, "n": 1},
                   {"q": 2, "slot": minute, "n": 1}]
