"""The dashboard over HTTP (no browser): pages, JSON API mirroring the CLI, validation, safety."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PAGES = ["/", "/search?q=woman", "/trend?tag=yesallwomen&compare=notallmen", "/notables?tag=yesallwomen",
         "/cotags?tag=yesallwomen", "/links?tag=yesallwomen", "/variants?tag=yesallwomen", "/audience?tag=yesallwomen",
         "/origin?tag=yesallwomen", "/velocity?tag=yesallwomen", "/backlash?tag=yesallwomen", "/feed?tag=yesallwomen", "/post?id=1001", "/docs",
         "/trend", "/search", "/notables", "/feed"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render(client, fake_analytics, url):
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert "<nav>" in r.text and "tagscope" in r.text


def test_the_menu_lists_every_analytic_page(client):
    """The menu comes from the analytics registry: the pages it always listed, with their labels and in
    their order, then the velocity, backlash and misogyny pages it left out (reachable only by URL)."""
    nav = client.get("/notables?tag=yesallwomen").text.split("<nav>")[1].split("</nav>")[0]
    links = re.findall(r'<a href="([^"?]*)[^"]*"[^>]*>([^<]*)</a>', nav)
    assert links == [
        ("/", "Overview"), ("/search", "Search"), ("/trend", "Trend"), ("/platforms", "Platforms"), ("/notables", "Notables"),
        ("/cotags", "Co-hashtags"), ("/topics", "Topics"), ("/links", "Links"), ("/petitions", "Petitions"), ("/places", "Places"),
        ("/variants", "Variants"), ("/audience", "Audience"),
        ("/origin", "Origin"), ("/velocity", "Velocity"), ("/backlash", "Backlash"), ("/misogyny", "Misogyny"), ("/gaps", "Coverage gaps"),
        ("/feed", "Live feed"), ("/docs", "API")]
    assert '<a href="/cotags?tag=yesallwomen">Co-hashtags</a>' in nav and 'href="/notables?tag=yesallwomen" class="active"' in nav
    assert '<a href="/backlash" class="active">' in client.get("/backlash").text


def test_missing_analytic_is_a_panel_not_an_error(client, fake_analytics):
    r = client.get("/variants?tag=yesallwomen")
    assert r.status_code == 200 and 'id="unavailable"' in r.text and "not available" in r.text


def test_api_mirrors_the_figures(client, fake_analytics, campaign_store):
    fakes = fake_analytics
    assert client.get("/api/count", params={"tag": "#YesAllWomen"}).json() == fakes["count"](campaign_store, "yesallwomen").data
    r = client.get("/api/trend", params=[("tag", "yesallwomen"), ("tag", "notallmen"), ("every", "day")]).json()
    assert r == fakes["trend"](campaign_store, ["yesallwomen", "notallmen"], every="day").data
    assert client.get("/api/cotags?tag=yesallwomen&top=5").json() == fakes["cotags"](campaign_store, "yesallwomen", top=5).data
    explained = client.get("/api/cotags?tag=yesallwomen&explain=true").json()
    assert explained["queries"][0]["sql"].startswith("SELECT") and explained["rule"]
    assert client.get("/api/stats").json()["posts"] == 35
    hits = client.get("/api/search?q=woman").json()
    assert hits["total"] == 1 and hits["hits"][0]["post_id"] == "1001"
    assert client.get("/api/variants?tag=x").status_code == 501


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/count", "/api/trend", "/api/search", "/api/feed", "/api/notables", "/api/posts/{platform}/{post_id}"):
        assert path in spec["paths"]
    assert "/trend" not in spec["paths"]  # pages are not API
    undocumented = [(path, p["name"]) for path, ops in spec["paths"].items() for p in ops["get"].get("parameters", [])
                    if not p.get("description")]
    assert undocumented == []


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/count", 400, "give a hashtag"),
        ("/api/count?tag=two%20words", 400, "is not a hashtag"),
        ("/api/count?tag=x&since=yesterday", 400, "is not a time"),
        ("/api/count?tag=x&since=2014-06-01&until=2014-05-01", 400, "since must be before until"),
        ("/api/trend?tag=x&every=fortnight", 400, "choose one of minute, hour, day, week"),
        ("/api/trend", 400, "at least one tag"),
        ("/api/notables?tag=x&top=0", 400, "top"),
        ("/api/notables?tag=x&top=abc", 400, "top"),
        ("/api/search?q=", 400, "q"),
        ("/api/search?q=x&limit=100000", 400, "limit"),
        ("/api/search?q=x&kind=tweet", 400, "choose one of original"),
        ("/api/feed?after=garbage", 400, "cursor"),
        ("/api/posts/twitter/999", 404, "no live post"),
        ("/trend?tag=x&since=soon", 400, "is not a time"),
        ("/search?q=x&page=0", 400, "page"),
        ("/post?id=999", 404, "No live post"),
        ("/nowhere", 404, "no such page"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, fake_analytics, url, status, message):
    r = client.get(url)
    assert r.status_code == status
    assert message in (r.json()["error"] if url.startswith("/api/") else r.text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tag=st.text(max_size=30), since=st.text(max_size=25), every=st.text(max_size=8), q=st.text(max_size=30))
def test_no_input_makes_a_500(client, fake_analytics, tag, since, every, q):
    for url, params in [("/api/trend", {"tag": tag, "since": since, "every": every}), ("/trend", {"tag": tag, "since": since}),
                        ("/api/search", {"q": q, "since": since}), ("/search", {"q": q, "tag": tag}),
                        ("/api/feed", {"tag": tag, "after": since})]:
        assert client.get(url, params=params).status_code < 500


def test_real_search_syntax_error_is_400(client, monkeypatch):
    pytest.importorskip("tantivy", reason="search is not installed")
    r = client.get("/api/search", params={"q": '"unbalanced'})
    assert r.status_code == 400 and "quote" in r.json()["error"]


def test_post_text_is_escaped(client, fake_analytics):
    for url in ("/search?q=window", "/post?id=1003"):  # (the feed inserts text with textContent: browser test)
        html = client.get(url).text
        assert "<script>window" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_mastodon_html_is_sanitised():
    from tagscope.web.pages import post_body

    html = str(post_body({"platform": "mastodon", "text": '<p>hi <a href="javascript:x()" onclick="y()">l</a><script>z()</script></p>'}))
    assert "<p>" in html and "script" not in html and "onclick" not in html and "javascript" not in html
    assert str(post_body({"platform": "twitter", "text": "<p>x</p>"})) == "&lt;p&gt;x&lt;/p&gt;"


def test_read_only_and_security_headers(client):
    assert client.post("/api/count?tag=x").status_code == 405
    assert client.delete("/").status_code == 405
    h = client.get("/").headers
    assert "script-src 'self'" in h["content-security-policy"] and h["x-frame-options"] == "DENY"


def test_token_required_when_configured(store_path):
    from tagscope.web.app import create_app
    from web.conftest import make_client

    with make_client(create_app(store_path, token="s3cret")) as c:
        assert c.get("/api/stats").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/api/stats", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.get("/api/stats", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        r = c.get("/?token=s3cret")
        assert r.status_code == 200 and "tagscope_token" in r.headers["set-cookie"]
        assert c.get("/api/stats").status_code == 200  # the cookie now carries it


def test_feed_follows_new_ingests(client, fake_analytics, store_path, tmp_path):
    from tagscope.store import Store
    from tweetfactory import tweet, write_jsonl

    first = client.get("/api/feed?tag=yesallwomen&limit=5").json()
    assert len(first["posts"]) == 5 and first["posts"][0]["created_at"] >= first["posts"][-1]["created_at"]
    cursor = first["cursor"]
    assert client.get("/api/feed", params={"tag": "yesallwomen", "after": cursor}).json()["posts"] == []
    new = write_jsonl(tmp_path / "new.jsonl", [
        tweet("9001", "just in #YesAllWomen", user="late", created="Tue May 27 08:00:00 +0000 2014", tags=["YesAllWomen"]),
        tweet("9002", "other tag #NotAllMen", user="late", created="Tue May 27 08:01:00 +0000 2014", tags=["NotAllMen"]),
    ])
    with Store(store_path) as st:
        st.ingest([str(new)])
    after = client.get("/api/feed", params={"tag": "yesallwomen", "after": cursor}).json()
    assert [p["post_id"] for p in after["posts"]] == ["9001"]
    assert after["generation"] > first["generation"]


def test_serve_refuses_public_host_without_token(store_path, monkeypatch):
    from typer.testing import CliRunner

    from tagscope.cli import app

    monkeypatch.delenv("TAGSCOPE_TOKEN", raising=False)
    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--store", str(store_path)])
    assert res.exit_code == 2 and "without a token" in " ".join(res.output.split())
