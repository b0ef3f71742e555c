"""topics on a hand-made campaign of three sub-topics that start on three days: the words that name them,
shares, reposts, trend, representative posts, determinism, and the command, route, page and section."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import datetime

import orjson
import pytest
from typer.testing import CliRunner

from analytics.test_registry import client_for
from tagscope.analytics import registry, topics
from tagscope.analytics.topics import parse_k, query_where
from tagscope.cli import app
from tagscope.report import build_report
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

pytest.importorskip("sklearn")
runner = CliRunner()
TAG = "savethem"
TOPICS = {
    "cats": ("My cat knocked the litter box over again.", "The kitten needs a vet visit for her vaccines.",
             "Cat food prices doubled and the vet bills too.", "Adopted a kitten from the shelter, the cat is jealous.",
             "Cleaning the litter box is the worst part of having a cat.", "The vet says my kitten is healthy."),
    "trains": ("The train was delayed again and the platform was packed with commuters.",
               "Ticket prices went up while every train runs late.", "Commuters stuck on the platform for an hour.",
               "Another cancelled train, another expensive ticket.", "The platform announcement said the train is delayed.",
               "Commuters deserve trains that run on time for what the ticket costs."),
    "garden": ("My tomatoes finally ripened in the garden.", "Turning the compost heap before planting seedlings.",
               "The seedlings need watering twice a day in this heat.", "Garden tomatoes taste better than shop ones.",
               "Compost made the tomatoes grow huge this year.", "Watering the garden seedlings before work."),
}
DAY = {"cats": 24, "trains": 25, "garden": 26}


def _t(id_: str, user: str, day: int, minute: int, text: str, tags=("SaveThem",), **extra):
    wd = {24: "Sat", 25: "Sun", 26: "Mon", 27: "Tue"}[day]
    body = f"{text} @bob " + " ".join("#" + t for t in tags) + " https://t.co/x"
    rec = tweet(id_, body, user=user, created=f"{wd} May {day} {10 + minute // 60:02d}:{minute % 60:02d}:00 +0000 2014",
                tags=list(tags), **extra)
    rec["entities"]["user_mentions"] = [{"screen_name": "bob", "id_str": "u-bob"}]
    rec["entities"]["urls"] = [{"url": "https://t.co/x", "expanded_url": "https://example.org/news"}]
    return rec


def records() -> list:
    out, n = [], 0
    for name, sentences in TOPICS.items():
        for i in range(24):
            n += 1
            text = sentences[i % 6] + " " + sentences[(i // 6 + i + 1) % 6]  # 24 distinct texts
            tags = ("SaveThem", "TrainLife") if name == "trains" else ("SaveThem",)
            out.append(_t(str(1000 + n), f"user{n}", DAY[name], i, text, tags=tags))
    first_cat = out[0]
    # five reposts of a cats post on the last day: they count for cats (the subject's topic)
    out += [_t(str(2000 + i), f"fan{i}", 27, i, "", retweet_of=first_cat) for i in range(5)]
    for rec in out[-5:]:
        rec["text"] = first_cat["text"]
    # only tags and a link: no topic words
    out += [_t(str(3000 + i), f"tagger{i}", 26, 40 + i, "") for i in range(3)]
    # a post without the tag is not read
    out.append(_t("4000", "other", 25, 1, "Cat cat kitten vet litter box", tags=("Other",)))
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("topics")
    st = Store(work / "store")
    st.ingest([str(write_jsonl(work / "posts.jsonl", records()))])
    yield st
    st.close()


def _named(rows: list[dict]) -> dict[str, dict]:
    """Each planted topic's row: the row whose words hold its characteristic word."""
    marks = {"cats": "kitten", "trains": "train", "garden": "tomatoes"}
    return {name: next(r for r in rows if any(mark in w for w in r["words"])) for name, mark in marks.items()}


def test_three_topics_with_their_words_shares_and_reposts(store, engine):
    fig = topics(store, "#SaveThem", k=3, engine=engine)
    d = fig.data
    assert (d["k"], d["posts"], d["texts"], d["fit_on"], d["method"]) == (3, 80, 73, 73, "tfidf-nmf")
    rows = d["topics"]
    named = _named(rows)
    assert len({r["topic"] for r in named.values()}) == 3
    assert named["cats"]["posts"] == 29  # 24 posts and 5 reposts of one of them
    assert named["trains"]["posts"] == named["garden"]["posts"] == 24
    assert rows[-1]["topic"] == 0 and rows[-1]["posts"] == 3 and rows[-1]["name"] == "(no topic words)"
    assert sum(r["posts"] for r in rows) == 80 and abs(sum(r["share"] for r in rows) - 1) < 1e-9
    words = {w for r in rows for w in r["words"]}
    for banned in ("savethem", "trainlife", "bob", "https", "co", "t.co", "example"):
        assert not any(banned in w.split() for w in words), banned
    # each topic starts on its own day and the cats topic, reposted on the 27th, is the only one then
    assert [named[n]["start"] for n in ("cats", "trains", "garden")] == [
        "2014-05-24T00:00:00Z", "2014-05-25T00:00:00Z", "2014-05-26T00:00:00Z"]
    cats = [s for s in d["series"] if s["topic"] == named["cats"]["topic"]]
    assert [s["count"] for s in cats] == [24, 0, 0, 5]
    assert {s["bucket"] for s in d["series"]} == {f"2014-05-{x}T00:00:00Z" for x in (24, 25, 26, 27)}
    assert fig.table.column_names == ["topic", "words", "posts", "share", "start", "peak", "faded", "example"]


def test_representative_posts_and_no_reposts(store, engine):
    d = topics(store, TAG, k=3, examples=2, engine=engine).data
    assert len(d["examples"]) == 6 and all(e["topic"] in {1, 2, 3} for e in d["examples"])
    assert all("@user" in e["text"] and "@bob" not in e["text"] for e in d["examples"])
    assert all(e["author"].startswith("user") for e in d["examples"])  # the first original, not a repost
    without = topics(store, TAG, k=3, no_reposts=True, engine=engine).data
    assert without["posts"] == 75 and _named(without["topics"])["cats"]["posts"] == 24


def test_deterministic_for_a_seed_and_sampled_fit(store, engine):
    a = topics(store, TAG, k="auto", seed=3, sample=50, engine=engine).data
    b = topics(store, TAG, k="auto", seed=3, sample=50, engine="duckdb").data
    assert a == b  # same seed, same topics, and the same on every engine
    assert a["fit_on"] == 50 and a["texts"] == 73 and "k = " in a["k_rule"] and "coherence" in a["k_rule"]


def test_query_keeps_posts_with_every_word(store, engine):
    d = topics(store, TAG, k=2, query="train platform", engine=engine).data
    assert d["query"] == "train platform" and 0 < d["posts"] < 24
    assert query_where('"litter box" cat') == (" AND regexp_matches(text, ?) AND regexp_matches(text, ?)",
                                                ["(?i)(^|\\W)litter\\ box($|\\W)", "(?i)(^|\\W)cat($|\\W)"])
    expected = sum(1 for r in records() if "litter box" in r["text"].lower()
                   and "SaveThem" in [h["text"] for h in r["entities"]["hashtags"]])
    assert expected > 5  # the five reposts repost a litter-box post
    assert topics(store, TAG, k=2, query='"Litter Box"', engine=engine).data["posts"] == expected


def test_too_few_posts_is_an_empty_figure(store, engine):
    d = topics(store, "other", engine=engine).data
    assert (d["k"], d["topics"], d["series"], d["posts"]) == (0, [], [], 1) and "too few posts" in d["k_rule"].lower()


def test_k_is_checked():
    assert parse_k("auto") is None and parse_k(None) is None and parse_k("7") == 7
    with pytest.raises(ValueError, match="2 to 50"):
        parse_k(1)
    with pytest.raises(ValueError, match="number of topics or auto"):
        parse_k("many")


def test_importing_analytics_loads_no_sklearn():
    code = "import sys, tagscope.analytics, tagscope.analytics.registry as r; r.discover(); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _cli(store, *args: str) -> str:
    res = runner.invoke(app, ["topics", TAG, "--k", "3", *args, "--store", str(store.path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    return res.stdout


def test_cli_json_csv_explain_and_table(store):
    assert orjson.loads(_cli(store, "--json"))["k"] == 3
    rows = list(csv.DictReader(io.StringIO(_cli(store, "--csv"))))
    assert len(rows) == 4 and {r["topic"] for r in rows} == {"0", "1", "2", "3"}
    assert "FROM posts" in _cli(store, "--explain")
    table = _cli(store)
    assert "Topics of posts using #savethem" in table and "Fit on 73 of 73 distinct texts" in table


def test_api_route_page_and_section(store):
    with client_for(store.path) as client:
        got = client.get("/api/topics", params={"tag": "#SaveThem", "k": "3"})
        assert got.status_code == 200 and got.json()["k"] == 3
        page = client.get("/topics", params={"tag": TAG, "k": "3"})
        assert page.status_code == 200 and "Topics" in page.text
    spec = registry.get("topics")
    assert spec.section is not None and spec.section.title == "What it sparked"
    rep = build_report(store, TAG, since=datetime(2014, 5, 24), until=datetime(2014, 5, 28))
    sec = next(s for s in rep.sections if s.id == "topics")
    assert sec.status == "ok" and "FROM posts" in sec.queries
    body = str(sec.body)
    assert "author-" in body and ">user1<" not in body  # representative posts' authors are pseudonymised


def test_local_buckets_as_trend_buckets(store, engine):
    d = topics(store, TAG, k=3, tz="Asia/Tokyo", engine=engine).data
    assert d["tz"] == "Asia/Tokyo" and {s["bucket"][10:] for s in d["series"]} == {"T15:00:00Z"}
    assert sum(s["count"] for s in d["series"]) == 80
    hourly = topics(store, TAG, k=3, every="hour", tz="Asia/Kolkata", engine=engine).data["series"]
    assert sum(s["count"] for s in hourly) == 80 and {s["bucket"][13:] for s in hourly} == {":30:00Z"}


def test_statements_transpile_to_spark(store):
    """Engine neutrality, as tests/analytics/test_portable_sql.py checks the others (its store is too small)."""
    sqlglot = pytest.importorskip("sqlglot")
    fig = topics(store, TAG, k=3, query="cat", tz="Asia/Tokyo")
    assert len(fig.queries) == 2  # the texts per bucket, the representative posts
    for sql, _ in fig.queries:
        assert sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)[0]
