"""The search commands end to end: JSON shapes, tables with highlights, errors without tracebacks."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from search.searchdata import CORPUS
from tagscope.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_search_json(make_store):
    st = make_store(CORPUS)
    res = run("search", "--store", str(st.path), '"supreme gentleman"', "--json")
    assert res.exit_code == 0
    data = orjson.loads(res.stdout)
    assert data["total"] == 1
    assert data["hits"][0]["post_id"] == "1" and data["hits"][0]["author"] == "alice"
    assert set(data["hits"][0]) == {"post_id", "author", "created_at", "text", "score"}


def test_search_words_join_and_filters(make_store):
    st = make_store(CORPUS)
    res = run("search", "--store", str(st.path), "supreme", "gentleman", "--since", "2014-05-25", "--json")
    assert [h["post_id"] for h in orjson.loads(res.stdout)["hits"]] == ["2"]
    res = run("search", "--store", str(st.path), "#yesallwomen", "--no-reposts", "--lang", "es", "--count")
    assert res.stdout.strip() == "1"


def test_search_table(make_store):
    st = make_store(CORPUS)
    res = run("search", "--store", str(st.path), "#yesallwomen", "--sort", "time", "--limit", "2")
    assert res.exit_code == 0
    assert "3 posts match #yesallwomen" in res.stdout
    assert "Showing 1–2 of 3; next page: --offset 2." in res.stdout
    assert "@alice" in res.stdout


def test_syntax_error_points_at_the_column(make_store):
    st = make_store(CORPUS)
    res = run("search", "--store", str(st.path), 'women "supreme')
    assert res.exit_code == 2
    assert "unbalanced quote at column 7" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_bad_options_are_errors(make_store, tmp_path):
    st = make_store(CORPUS)
    assert "unknown kind" in run("search", "--store", str(st.path), "a", "--kind", "tweet").stderr
    res = run("search", "--store", str(tmp_path / "none"), "a")
    assert res.exit_code == 2 and "ingest posts" in " ".join(res.stderr.split())


def test_count_query_json_and_table(make_store):
    st = make_store(CORPUS)
    res = run("count-query", "--store", str(st.path), "#yesallwomen", "--every", "day", "--json")
    series = orjson.loads(res.stdout)["series"]
    assert [r["count"] for r in series] == [1, 1, 1]
    assert set(series[0]) == {"query", "bucket", "count"}
    table = run("count-query", "--store", str(st.path), "#yesallwomen", "gentleman", "--every", "week")
    assert "2014-05-19T00:00:00Z" in table.stdout and "gentleman" in table.stdout


def test_reindex(make_store):
    st = make_store(CORPUS)
    res = run("reindex", "--store", str(st.path), "--json")
    assert orjson.loads(res.stdout)["documents"] == len(CORPUS)
    assert "Indexed 6 posts" in run("reindex", "--store", str(st.path)).stdout


def test_count_query_until_alone_with_no_matches_is_empty(make_store):
    """Only --until and no match before it left no start for the axis: an IndexError traceback."""
    st = make_store(CORPUS)
    for query, until in (("nosuchword", "2014-06-01"), ("#yesallwomen", "2000-01-01")):
        res = run("count-query", "--store", str(st.path), query, "--until", until, "--json")
        assert res.exit_code == 0 and orjson.loads(res.stdout)["series"] == []


def test_huge_limit_and_offset_are_pages_not_crashes(make_store):
    """tantivy allocates offset + limit slots: --limit 2000000000 aborted the process (Rust OOM),
    a limit beyond 64 bits raised OverflowError; paging past the last post is just an empty page."""
    st = make_store(CORPUS)
    every = orjson.loads(run("search", "--store", str(st.path), "#yesallwomen", "--limit", "3", "--json").stdout)
    for args in (["--limit", "2000000000"], ["--limit", "99999999999999999999"]):
        res = run("search", "--store", str(st.path), "#yesallwomen", *args, "--json")
        assert res.exit_code == 0 and orjson.loads(res.stdout) == every
    res = run("search", "--store", str(st.path), "#yesallwomen", "--offset", "99999999999", "--json")
    assert res.exit_code == 0 and orjson.loads(res.stdout) == {"total": every["total"], "hits": []}
    res = run("search", "--store", str(st.path), "#yesallwomen", "--offset", "99999999999")
    assert "No hits on this page; there are 3" in res.stdout


def test_brackets_in_queries_are_text_not_markup(make_store):
    """The query was Rich markup in the table title, the count-query header and error messages:
    'gentleman [/]' crashed with a MarkupError traceback instead of pointing at the bad word."""
    st = make_store(CORPUS)
    res = run("search", "--store", str(st.path), "gentleman [/]")
    assert res.exit_code == 2 and "word '[/]' has no searchable characters" in " ".join(res.stderr.split())
    res = run("search", "--store", str(st.path), "gentleman [/x]")
    assert res.exit_code == 0 and "posts match gentleman [/x]" in res.stdout
    res = run("count-query", "--store", str(st.path), "gentleman [/x]")
    assert res.exit_code == 0 and "gentleman [/x]" in res.stdout
    res = run("search", "--store", str(st.path), "a", "--kind", "[/]")
    assert res.exit_code == 2 and "unknown kind '[/]'" in res.stderr


def test_platform_filter_ignores_case(make_store):
    """Platforms are stored lower-case: --platform Twitter found no posts."""
    st = make_store(CORPUS)
    counts = [run("search", "--store", str(st.path), "#yesallwomen", "--platform", p, "--count").stdout.strip()
              for p in ("twitter", "Twitter", "TWITTER")]
    assert counts == ["3", "3", "3"]


def test_bare_hash_or_at_filters_are_errors(make_store):
    """--tag '#' or --author '@' folded to nothing and printed 0 matches with exit 0."""
    st = make_store(CORPUS)
    res = run("search", "--store", str(st.path), "gentleman", "--tag", "#", "--count")
    assert res.exit_code == 2 and "--tag needs a hashtag" in res.stderr
    res = run("count-query", "--store", str(st.path), "gentleman", "--author", "@")
    assert res.exit_code == 2 and "--author needs a handle" in res.stderr
    res = run("search", "--store", str(st.path), "gentleman", "--tag", "#YesAllWomen", "--author", "@Alice", "--count")
    assert res.exit_code == 0 and res.stdout.strip() == "1"


def test_count_is_a_plain_integer_for_scripts(make_store):
    """--count printed "1,200": n=$(tagscope search ... --count) then $((n + 1)) or int(n) failed."""
    from tweetfactory import tweet

    st = make_store([tweet(str(i), "supreme gentleman", user=f"u{i % 7}") for i in range(1, 1201)])
    assert run("search", "--store", str(st.path), "gentleman", "--count").stdout == "1200\n"


def test_search_and_count_query_take_csv_like_every_analytic(make_store):
    """Both had only a table and --json; the CSV carries --json's fields, through the one CSV writer."""
    import csv
    import io

    st = make_store(CORPUS)
    hits = orjson.loads(run("search", "--store", str(st.path), "#yesallwomen", "--json").stdout)["hits"]
    rows = list(csv.DictReader(io.StringIO(run("search", "--store", str(st.path), "#yesallwomen", "--csv").stdout)))
    assert [r["post_id"] for r in rows] == [h["post_id"] for h in hits]
    assert rows[0]["text"] == hits[0]["text"] and set(rows[0]) == {"post_id", "author", "created_at", "score", "text"}
    series = orjson.loads(run("count-query", "--store", str(st.path), "#yesallwomen", "--json").stdout)["series"]
    out = run("count-query", "--store", str(st.path), "#yesallwomen", "--csv").stdout
    assert list(csv.DictReader(io.StringIO(out))) == [{k: str(v) for k, v in r.items()} for r in series]
