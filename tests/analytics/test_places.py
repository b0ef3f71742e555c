"""places: the gazetteer's rules on hard cases, exact counts against a simulated campaign's planted places,
and the command, route, page and section the registry gives it."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import orjson
import pytest
from typer.testing import CliRunner

from analytics.test_registry import client_for
from tagscope.analytics import places, registry
from tagscope.analytics.places_gazetteer import load
from tagscope.cli import app
from tagscope.report import build_report
from tagscope.simulate import content, geography, simulate
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

runner = CliRunner()
TAG = "savethem"


def named(text: str) -> list[str]:
    return [place.code for place, _ in load().match(text)]


@pytest.mark.parametrize(("text", "codes"), [
    ("It sparked talk of rape in India and Africa", ["IN", "R-AF"]),
    ("india's women, INDIA, Indians", ["IN", "IN", "IN"]),  # any case, possessive, plural demonym
    ("Nigerian girls in Lagos", ["NG", "NG"]),  # a major city counts for its country
    ("Bogotá and Bogota; São Paulo and Sao Paulo", ["CO", "CO", "BR", "BR"]),  # accents fold
    ("South Africa, not Africa", ["ZA", "R-AF"]),  # the longest name wins
    ("African American women", []),  # a phrase that names no place
    ("the US, the U.S., the UK, usa, UAE, the uk", ["US", "US", "GB", "US", "AE", "GB"]),
    ("let us go, tell us", []),  # the pronoun
    ("LET US GO NOW", []),  # all capitals: US is not read as a country
    ("Chad and Stacy, Jordan Peterson, Georgia", []),  # ambiguous names count for nothing
    ("turkey dinner, china plates, guinea pig", []),  # common words count only capitalised
    ("Turkey and China", ["TR", "CN"]),
    ("Male feminists in paris", []),  # Malé is not read; cities only capitalised
    ("Women in Texas and the Middle East", ["US", "R-ME"]),  # a US state counts for the US
    ("see https://india.example/x and @India", []),  # URLs and mentions are not read
    ("#India #YesAllWomen", ["IN"]),  # hashtags are
    ("English lessons", []),  # the language
    ("American women", ["US"]),  # a demonym two territories share names the larger
])
def test_gazetteer_rules(text, codes):
    assert named(text) == codes


def test_campaign_templates_name_no_place():
    """The simulated campaign names places only in its planted sentences, so its truth is exact."""
    pools = [content.TESTIMONY, content.COMMENTARY, content.SUPPORT, content.BACKLASH, content.REPLY_SUPPORT,
             content.REPLY_BACKLASH, content.QUOTE_SUPPORT, content.QUOTE_BACKLASH, content.SPANISH, content.FRENCH]
    for template in (t for pool in pools for t in pool):
        for place in (*content.PLACES, *content.PLACES_ES, *content.PLACES_FR):
            text = template.format(age="12", place=place, place_es=place, place_fr=place)
            assert named(text) == [], text


def test_planted_sentences_name_their_place():
    for code, _, _, _, forms in geography.PLANTED:
        for form in forms:
            templates = (geography.POSSESSIVE_SENTENCES if form.endswith("'s") else geography.DEMONYM_SENTENCES
                         if form in geography.DEMONYMS else geography.PLACE_SENTENCES)
            for template in templates:
                assert named(template.format(form)) == [code], template.format(form)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    work = tmp_path_factory.mktemp("places-campaign")
    truth = simulate(work / "campaign", posts=6000, seed=7)
    st = Store(work / "store")
    st.ingest([str(work / "campaign" / "campaign-v1.jsonl"), str(work / "campaign" / "campaign-v2.jsonl")])
    yield st, truth
    st.close()


@pytest.mark.parametrize("tag", [content.MAIN, content.COUNTER])
def test_counts_equal_the_planted_truth(campaign, engine, tag):
    st, truth = campaign
    got = {r["code"]: r["posts"] for r in places(st, tag, top=100, engine=engine).data["places"]}
    assert got == truth["places"][tag]
    assert got  # the campaign planted some
    alone = {r["code"]: r["posts"] for r in places(st, tag, top=100, no_reposts=True, engine=engine).data["places"]}
    assert alone == truth["places_without_reposts"][tag]


def test_series_shows_places_entering_late(campaign, engine):
    st, truth = campaign
    fig = places(st, content.MAIN, every="day", top=100, engine=engine)
    per_place: dict[str, int] = {}
    first_day: dict[str, str] = {}
    for row in fig.data["series"]:
        per_place[row["series"]] = per_place.get(row["series"], 0) + row["count"]
        if row["count"] and row["series"] not in first_day:
            first_day[row["series"]] = row["bucket"]
    names = truth["place_names"]
    assert per_place == {names[c]: n for c, n in truth["places"][content.MAIN].items()}
    # India joins on the campaign's third day (geography.PLANTED), the US from the start
    assert first_day["India"] >= "2014-05-26" > first_day["United States"]


def records() -> list:
    first = tweet("1", "Women in India and Nigeria #SaveThem", user="alice", tags=["SaveThem"])
    return [
        first,
        tweet("2", "India's daughters, Indian women #SaveThem", user="bob", tags=["SaveThem"],
              created="Sat May 24 11:00:00 +0000 2014"),
        tweet("3", "", user="carol", retweet_of=first, tags=["SaveThem"], created="Sat May 24 12:00:00 +0000 2014"),
        tweet("4", "Nothing about anywhere #SaveThem", user="dave", tags=["SaveThem"]),
        tweet("5", "India again but another tag #Other", user="erin", tags=["Other"]),
        tweet("6", "Lagos tonight #SaveThem", user="frank", tags=["SaveThem"], created="Mon May 26 09:00:00 +0000 2014"),
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("places")
    st = Store(work / "store")
    st.ingest([str(write_jsonl(work / "posts.jsonl", records()))])
    yield st
    st.close()


EXPECTED = [
    {"place": "India", "kind": "country", "code": "IN", "posts": 3, "authors": 3, "share": 0.75, "forms": "India",
     "first_seen": "2014-05-24T10:00:00Z", "last_seen": "2014-05-24T12:00:00Z"},
    {"place": "Nigeria", "kind": "country", "code": "NG", "posts": 2, "authors": 2, "share": 0.5, "forms": "Nigeria",
     "first_seen": "2014-05-24T10:00:00Z", "last_seen": "2014-05-24T12:00:00Z"},
]
WINDOW = {"since": "2014-05-24", "until": "2014-05-26"}


def test_rows_reposts_and_window(store, engine, rollup):
    fig = places(store, "#SaveThem", engine=engine, rollup=rollup, **WINDOW)
    # a post naming India twice counts once; the repost carries its original's text and counts
    assert fig.data["places"] == EXPECTED
    assert fig.data["posts"] == 4 and fig.data["posts_naming_a_place"] == 3
    alone = places(store, TAG, no_reposts=True, engine=engine, **WINDOW).data["places"]
    assert [(r["code"], r["posts"]) for r in alone] == [("IN", 2), ("NG", 1)]
    everything = places(store, TAG, engine=engine).data["places"]
    assert [(r["code"], r["posts"], r["forms"]) for r in everything] == [("IN", 3, "India"), ("NG", 3, "Nigeria, Lagos")]
    assert places(store, TAG, platform="bluesky", engine=engine).data["places"] == []


def _cli(store, *args: str) -> str:
    res = runner.invoke(app, ["places", TAG, *args, "--since", "2014-05-24", "--until", "2014-05-26",
                              "--store", str(store.path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    return res.stdout


def test_cli_json_csv_explain_and_table(store):
    assert orjson.loads(_cli(store, "--json"))["places"] == EXPECTED
    rows = list(csv.DictReader(io.StringIO(_cli(store, "--csv"))))
    assert [(r["place"], r["posts"]) for r in rows] == [("India", "3"), ("Nigeria", "2")]
    explained = _cli(store, "--explain")
    assert "FROM posts" in explained and "gazetteer" in explained
    table = _cli(store, "--every", "day")
    assert "Places named in posts using #savethem" in table and "India" in table
    bad = runner.invoke(app, ["places", TAG, "--every", "fortnight", "--store", str(store.path)])
    assert bad.exit_code != 0 and "--every" in bad.output


def test_api_route_page_and_section(store):
    with client_for(store.path) as client:
        got = client.get("/api/places", params={"tag": "#SaveThem", **WINDOW, "every": "day"}).json()
        assert got["places"] == EXPECTED and {r["series"] for r in got["series"]} == {"India", "Nigeria"}
        page = client.get("/places", params={"tag": TAG})
        assert page.status_code == 200 and "Places" in page.text
    rep = build_report(store, TAG, since=datetime(2014, 5, 24), until=datetime(2014, 5, 26))
    sec = next(s for s in rep.sections if s.id == "places")
    assert sec.status == "ok" and "FROM posts" in sec.queries and "India" in str(sec.body)
    assert ">#India<" not in str(sec.body)  # places are no hashtags: no "#" before their names in a legend
    assert registry.get("places").section is not None
