"""petitions on a hand-made campaign: which links count, how posts and authors are counted, and the
command, route, page and section the registry gives it."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import orjson
import pytest
from typer.testing import CliRunner

from analytics.test_registry import client_for
from tagscope.analytics import petitions, registry
from tagscope.analytics.petitions import _HOST, KINDS
from tagscope.cli import app
from tagscope.engines import engine_for
from tagscope.post import domain_of
from tagscope.report import build_report
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

runner = CliRunner()
TAG = "savethem"
STOP_X = "https://www.change.org/p/stop-x"
HELP_Z = "https://gofundme.com/f/help-z"
AVAAZ = "https://secure.avaaz.org/campaign/en/y/"
DEGREES = "https://you.38degrees.org.uk/petitions/w"


def _t(id_: str, user: str, day: int, hm: str, urls: list[str], tags=("SaveThem",), **extra):
    wd = {24: "Sat", 25: "Sun", 26: "Mon", 27: "Tue"}[day]
    rec = tweet(id_, " ".join("#" + t for t in tags), user=user, created=f"{wd} May {day} {hm}:00 +0000 2014",
                tags=list(tags), **extra)
    rec["entities"]["urls"] = [{"url": "https://t.co/" + str(i), "expanded_url": u} for i, u in enumerate(urls)]
    return rec


def records() -> list:
    first = _t("1", "alice", 24, "10:00", [STOP_X, "https://example.org/news"])
    return [
        first,
        # the same URL twice in one post counts once; avaaz through a subdomain
        _t("2", "bob", 24, "11:00", [STOP_X, STOP_X, AVAAZ]),
        # a repost counts, as the counting rules say
        _t("3", "carol", 24, "12:00", [STOP_X, "https://example.org/news"], tags=(), retweet_of=first),
        _t("4", "dave", 25, "09:00", [HELP_Z, DEGREES]),
        # not petitions: a look-alike host and a shortener (not expanded)
        _t("5", "erin", 25, "10:00", ["https://notchange.org/p/stop-x", "http://bit.ly/abc"]),
        # outside the window of the tests below
        _t("6", "frank", 27, "10:00", ["https://www.gofundme.com/f/help-z"]),
        # a petition linked without the tag
        _t("7", "gina", 24, "13:00", ["https://change.org/p/other"], tags=("Other",)),
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("petitions")
    st = Store(work / "store")
    st.ingest([str(write_jsonl(work / "posts.jsonl", records()))])
    yield st
    st.close()


WINDOW = {"since": "2014-05-24", "until": "2014-05-26"}
EXPECTED = [
    {"url": STOP_X, "domain": "change.org", "kind": "petition", "posts": 3, "authors": 3,
     "first_seen": "2014-05-24T10:00:00Z", "last_seen": "2014-05-24T12:00:00Z"},
    {"url": HELP_Z, "domain": "gofundme.com", "kind": "fundraiser", "posts": 1, "authors": 1,
     "first_seen": "2014-05-25T09:00:00Z", "last_seen": "2014-05-25T09:00:00Z"},
    {"url": AVAAZ, "domain": "secure.avaaz.org", "kind": "petition", "posts": 1, "authors": 1,
     "first_seen": "2014-05-24T11:00:00Z", "last_seen": "2014-05-24T11:00:00Z"},
    {"url": DEGREES, "domain": "you.38degrees.org.uk", "kind": "petition", "posts": 1, "authors": 1,
     "first_seen": "2014-05-25T09:00:00Z", "last_seen": "2014-05-25T09:00:00Z"},
]


def test_petitions_rows(store, engine, rollup):
    fig = petitions(store, "#SaveThem", engine=engine, rollup=rollup, **WINDOW)
    assert fig.data == {"hashtag": TAG, "petitions": EXPECTED, "since": "2014-05-24T00:00:00Z",
                        "until": "2014-05-26T00:00:00Z", "no_reposts": False, "platform": None}
    assert fig.table.column_names == ["url", "domain", "kind", "posts", "authors", "first_seen", "last_seen"]
    assert fig.table.num_rows == 4


def test_reposts_top_and_window(store, engine):
    rows = petitions(store, TAG, no_reposts=True, top=1, engine=engine, **WINDOW).data["petitions"]
    assert rows == [{**EXPECTED[0], "posts": 2, "authors": 2, "last_seen": "2014-05-24T11:00:00Z"}]
    everything = petitions(store, TAG, engine=engine).data["petitions"]
    assert [r["url"] for r in everything] == [STOP_X, HELP_Z, AVAAZ, "https://www.gofundme.com/f/help-z", DEGREES]
    assert petitions(store, TAG, platform="bluesky", engine=engine).data["petitions"] == []


def test_hosts_in_sql_are_the_stores_domains(store):
    """The SQL's host of each URL is what the store writes in `domains` (tagscope.post.domain_of)."""
    urls = ["https://WWW.Change.ORG./p/a", "http://user:pw@chng.it:443/x?y=1#z", "https://sign.moveon.org",
            "https://gofund.me?x", "https://change.org.evil.com/p", "https://notchange.org/p"]
    got = engine_for(store, None).query(f"SELECT url, {_HOST} AS host FROM (SELECT unnest(?) AS url) AS u", [urls]).to_pylist()
    assert {r["url"]: r["host"] for r in got} == {u: domain_of(u) for u in urls}


def test_no_site_is_a_subdomain_of_another():
    """Each host matches at most one listed site, so a link has one kind and counts once."""
    for site in KINDS:
        assert not [other for other in KINDS if other != site and site.endswith("." + other)], site


def _cli(store, *args: str) -> str:
    res = runner.invoke(app, ["petitions", TAG, *args, "--since", "2014-05-24", "--until", "2014-05-26",
                              "--store", str(store.path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    return res.stdout


def test_cli_json_csv_explain_and_table(store):
    assert orjson.loads(_cli(store, "--json"))["petitions"] == EXPECTED
    rows = list(csv.DictReader(io.StringIO(_cli(store, "--csv"))))
    assert [(r["url"], r["kind"], r["posts"]) for r in rows] == [(e["url"], e["kind"], str(e["posts"])) for e in EXPECTED]
    explained = _cli(store, "--explain")
    assert "FROM posts" in explained and "'change.org', 'petition'" in explained
    table = _cli(store)
    assert "Petitions and fundraisers linked with #savethem" in table and STOP_X in table


def test_api_route_page_and_section(store):
    with client_for(store.path) as client:
        assert client.get("/api/petitions", params={"tag": "#SaveThem", **WINDOW}).json()["petitions"] == EXPECTED
        page = client.get("/petitions", params={"tag": TAG})
        assert page.status_code == 200 and "Petitions" in page.text
    spec = registry.get("petitions")
    assert spec.section is not None and spec.order > registry.get("links").order
    rep = build_report(store, TAG, since=datetime(2014, 5, 24), until=datetime(2014, 5, 26))
    sec = next(s for s in rep.sections if s.id == "petitions")
    assert sec.status == "ok" and "FROM posts" in sec.queries
    # bars are named by URL: two fundraisers on one site are two bars, not two "gofundme.com"
    assert f'text-anchor="end">{HELP_Z}<' in str(sec.body)
