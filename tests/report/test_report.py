"""The single-file report: structure (snapshot), self-containment, pseudonyms, safety, CLI."""

from __future__ import annotations

import os
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tagscope.analytics import registry
from tagscope.report import build_report

SNAPSHOTS = Path(__file__).parent / "snapshots"
FIXED = datetime(2026, 1, 1, 12, 0)


class Outline(HTMLParser):
    """Headings, section/figure/table ids and external references of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.external: list[str] = []
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href", "data", "action", "poster"):
            v = a.get(key) or ""
            if re.match(r"\s*(https?:)?//", v):
                self.external.append(f"{tag} {key}={v}")
        if tag in ("link", "script", "img", "iframe", "object", "embed"):
            self.lines.append(f"<{tag}>")  # none expected in the report
        if tag in ("h1", "h2", "h3"):
            self._heading = tag
        elif tag in ("section", "svg", "table") and a.get("id"):
            self.lines.append(f"{tag}#{a['id']}" + (f" .{a['class']}" if tag == "section" and a.get("class") else ""))

    def handle_data(self, data: str) -> None:
        if self._heading and data.strip():
            text = re.sub(r"\d[\d,]*", "N", data.strip())
            self.lines.append(f"{self._heading}: {text}")
            self._heading = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None


def outline(html: str) -> Outline:
    p = Outline()
    p.feed(html)
    return p


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; rerun with UPDATE_SNAPSHOTS=1 if intended"


def test_report_structure_snapshot(campaign_store, fake_analytics):
    rep = build_report(campaign_store, "#YesAllWomen", compare=["NotAllMen"], generated_at=FIXED)
    assert rep.problems == []
    o = outline(rep.html)
    check_snapshot("report_outline.txt", "\n".join(o.lines) + "\n")
    assert o.external == []


def test_report_is_self_contained(campaign_store, fake_analytics):
    html = build_report(campaign_store, "yesallwomen", generated_at=FIXED).html
    lower = html.lower()
    assert "<script" not in lower and "<link" not in lower and "<img" not in lower
    assert "@import" not in lower and "url(" not in lower
    assert outline(html).external == []
    assert html.count("<svg") >= 3  # charts are inline SVG


def test_every_figure_has_rule_and_query_in_appendix(campaign_store, fake_analytics):
    rep = build_report(campaign_store, "yesallwomen", compare=["notallmen"], generated_at=FIXED)
    shown = [s for s in rep.sections if s.status == "ok"]
    assert {s.id for s in shown} == {"volume", "cumulative", "compare", "origin", "notables", "cotags"}
    for s in shown:
        assert s.rule and s.queries
        assert f'id="query-{s.id}"' in rep.html
        # the SQL is in the appendix, escaped but otherwise exactly as run
        first_line = s.queries.splitlines()[0]
        assert first_line.replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;") in rep.html


def test_missing_analytics_become_panels(campaign_store, fake_analytics):
    rep = build_report(campaign_store, "yesallwomen", generated_at=FIXED)
    missing = {s.id for s in rep.sections if s.status == "unavailable"}
    assert missing == {"platforms", "gaps", "velocity", "audience", "topics", "links", "petitions", "places", "variants",
                       "backlash", "misogyny"}
    assert rep.html.count('class="unavailable"') == len(missing)


def test_cumulative_marks_round_numbers(campaign_store, fake_analytics, monkeypatch):
    # 35 posts never cross 1,000; a milestone list from velocity (exact times) is drawn when present.
    import pyarrow as pa

    from tagscope.analytics.figure import Figure

    def velocity(store, tag, **_):
        return Figure("velocity", pa.table({"metric": ["uses"], "value": ["34"]}),
                      {"count": 34, "milestones": [{"uses": 10, "reached_at": "2014-05-26T10:09:00Z"},
                                                   {"uses": 1000, "reached_at": None}]})

    with registry.substituted({"velocity": velocity}):
        html = build_report(campaign_store, "yesallwomen", generated_at=FIXED).html
    cum = html[html.index('id="chart-cumulative"'):]
    cum = cum[: cum.index("</svg>")]
    assert cum.count('class="marker"') == 1 and "10 uses" in cum


def test_authors_are_pseudonymised_unless_notable(campaign_store, fake_analytics):
    html = build_report(campaign_store, "yesallwomen", generated_at=FIXED).html
    assert "celeb" in html  # verified, 2.5M followers: a public figure
    for private in ("kaye", "mallory", "bea", "user1"):  # (pseudonyms are hex: "bea" may occur inside one)
        assert not re.search(rf"(?<![\w-]){private}(?!\w)", html), private
    assert re.search(r"author-[0-9a-f]{6}", html)
    again = build_report(campaign_store, "yesallwomen", generated_at=FIXED).html
    assert sorted(set(re.findall(r"author-[0-9a-f]{6}", html))) == sorted(set(re.findall(r"author-[0-9a-f]{6}", again)))


def test_reveal_authors(campaign_store, fake_analytics):
    html = build_report(campaign_store, "yesallwomen", reveal_authors=True, generated_at=FIXED).html
    assert "kaye" in html and not re.search(r"author-[0-9a-f]{6}", html)


def test_post_text_cannot_inject_markup(campaign_store, fake_analytics, monkeypatch):
    import pyarrow as pa

    from tagscope.analytics.figure import Figure

    evil = '<script>alert(1)</script>'

    def cotags(store, tag, **_):
        return Figure("cotags", pa.table({}), {"hashtags": [{"hashtag": evil, "count": 3}]}, [(f"SELECT '{evil}'", [])],
                      rule=evil)

    with registry.substituted({"cotags": cotags}):
        html = build_report(campaign_store, "yesallwomen", generated_at=FIXED).html
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_failing_analytic_is_reported_not_fatal(campaign_store, fake_analytics, monkeypatch):
    def broken(store, tag, **_):
        raise RuntimeError("disk on fire")

    with registry.substituted({"cotags": broken}):
        rep = build_report(campaign_store, "yesallwomen", generated_at=FIXED)
    assert rep.problems == ["cotags: RuntimeError: disk on fire"]
    assert "Could not compute this figure: disk on fire" in rep.html


def test_empty_tag_is_refused(campaign_store, fake_analytics):
    with pytest.raises(ValueError, match="give a hashtag"):
        build_report(campaign_store, "#")


def test_cli_report_writes_file(campaign_store, fake_analytics, tmp_path):
    from tagscope.cli import app

    out = tmp_path / "r" / "report.html"
    res = CliRunner().invoke(app, ["report", "yesallwomen", "--compare", "notallmen", "--since", "2014-05-25",
                                   "-o", str(out), "--store", str(campaign_store.path)])
    assert res.exit_code == 0, res.output
    assert "Wrote the report" in " ".join(res.output.split()) and "file://" in res.output
    html = out.read_text()
    assert 'id="compare"' in html and "<h1>#yesallwomen</h1>" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "is not a date"),
        (["--every", "fortnight"], "choose minute, hour, day or week"),
    ],
)
def test_cli_report_bad_options(campaign_store, fake_analytics, tmp_path, args, message):
    from tagscope.cli import app

    res = CliRunner().invoke(app, ["report", "yesallwomen", "-o", str(tmp_path / "x.html"),
                                   "--store", str(campaign_store.path), *args])
    assert res.exit_code == 2 and message in " ".join(res.output.split())


def test_cli_report_empty_store(tmp_path):
    from tagscope.cli import app

    res = CliRunner().invoke(app, ["report", "x", "--store", str(tmp_path / "empty"), "-o", str(tmp_path / "x.html")])
    assert res.exit_code == 2 and "holds no posts yet" in " ".join(res.output.split())


def test_report_with_the_installed_analytics(campaign_store):
    """The real analytics (whatever is installed) render without a failing section."""
    rep = build_report(campaign_store, "yesallwomen", compare=["notallmen"], generated_at=FIXED)
    assert rep.problems == []
    ok = {s.id for s in rep.sections if s.status == "ok"}
    assert {"volume", "cumulative", "compare", "origin", "notables", "cotags"} <= ok
    assert outline(rep.html).external == []
    assert "https://www.example.org/yesallwomen-story" in rep.html


def test_pdf_without_chromium_says_what_to_do(tmp_path, monkeypatch):
    from tagscope.report import pdf

    monkeypatch.delenv("TAGSCOPE_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    (tmp_path / "r.html").write_text("<h1>x</h1>")
    with pytest.raises(RuntimeError, match="install it"):
        pdf.html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf")


def test_status_links_do_not_name_private_authors(tmp_path):
    """A shared twitter.com/<handle>/status link names its author: the links section pseudonymises it."""
    from tagscope.store import Store
    from tweetfactory import tweet, write_jsonl

    def linking(id_: str, user: str, url: str, **kw) -> dict:
        return tweet(id_, "this #YesAllWomen https://t.co/q", user=user, followers=50, tags=["YesAllWomen"],
                     entities={"hashtags": [{"text": "YesAllWomen"}], "user_mentions": [],
                               "urls": [{"url": "https://t.co/q", "expanded_url": url}]}, **kw)

    recs = [
        tweet("5001", "followed home #YesAllWomen", user="secretsurvivor", followers=80, tags=["YesAllWomen"]),
        linking("5002", "quoter", "https://twitter.com/secretsurvivor/status/5001"),
        linking("5003", "friend", "https://mobile.x.com/SecretSurvivor/status/5001?s=20"),
        linking("5004", "fan", "https://twitter.com/bigcelebrity/status/5005"),
        tweet("5005", "#YesAllWomen matters", user="bigcelebrity", followers=2_000_000, tags=["YesAllWomen"]),
    ]
    with Store(tmp_path / "store") as st:
        st.ingest([str(write_jsonl(tmp_path / "in.jsonl", recs))])
        html = build_report(st, "yesallwomen", generated_at=FIXED).html
        shown = build_report(st, "yesallwomen", reveal_authors=True, generated_at=FIXED).html
    assert "secretsurvivor" not in html.lower()
    assert re.search(r"twitter\.com/author-[0-9a-f]{6}/status/post-[0-9a-f]{6}", html)
    assert "5001" not in html  # the status id resolves to its author too
    assert "twitter.com/bigcelebrity/status/5005" in html  # a public figure stays named
    assert "twitter.com/secretsurvivor/status/5001" in shown


def test_post_ids_of_private_authors_are_pseudonymised(campaign_store, fake_analytics):
    """x.com/i/status/ID resolves an id to its author: the origin table's post ids of private authors
    undid their pseudonyms. Public figures' ids stay, as do all with --reveal-authors."""
    def origin_table(html: str) -> str:
        at = html.index('id="table-origin"')
        return html[at: html.index("</table>", at)]

    table = origin_table(build_report(campaign_store, "yesallwomen", generated_at=FIXED).html)
    for private in ("1001", "1003", "1004"):
        assert private not in table, private
    assert "1002" in table  # celeb: verified
    assert re.search(r"post-[0-9a-f]{6}", table)
    shown = origin_table(build_report(campaign_store, "yesallwomen", reveal_authors=True, generated_at=FIXED).html)
    assert "1001" in shown and "post-" not in shown


def test_pseudonymiser_hides_every_post_id_it_cannot_vouch_for():
    """A row's own post id follows its author; ids of posts it refers to (author unknown) are
    pseudonymised, a repost's one follows the reposted author."""
    from tagscope.report.pseudonym import Pseudonymiser

    p = Pseudonymiser(b"k" * 32, notables=["celeb"])
    row = p.row({"id": "1", "author": "kaye", "reply_to_id": "2", "quote_of_id": "3", "conversation_id": "2",
                 "repost_of_id": "4", "repost_of_author": "celeb"})
    assert row["id"] != "1" and row["id"] == p.post_id("1")
    assert row["reply_to_id"] == row["conversation_id"] == p.post_id("2") and row["quote_of_id"] == p.post_id("3")
    assert row["repost_of_id"] == "4"
    pub = p.row({"post_id": "5", "author": "celeb", "quote_of_id": "6"})
    assert pub["post_id"] == "5" and pub["quote_of_id"] == p.post_id("6")
    assert Pseudonymiser(b"k" * 32, reveal=True).row({"id": "1", "author": "kaye"})["id"] == "1"


@pytest.mark.parametrize("url", [
    "https://nitter.net/SecretSurvivor/status/5001#m",
    "https://nitter.poast.org/secretsurvivor/status/5001",
    "https://xcancel.com/secretsurvivor/status/5001",
    "https://fxtwitter.com/secretsurvivor/status/5001",
    "https://d.fxtwitter.com/secretsurvivor/status/5001",
    "https://vxtwitter.com/secretsurvivor/status/5001",
    "https://fixupx.com/secretsurvivor/status/5001",
    "https://fixvx.com/secretsurvivor",
    "https://mobile.twitter.com/secretsurvivor/status/5001",
    "nitter.net/secretsurvivor",
])
def test_mirror_links_are_pseudonymised_as_twitter_links_are(url):
    """Mirrors and embed fixers (nitter instances, fxtwitter, vxtwitter, fixupx) carry the handle and
    status id in the same path: they were published as written."""
    from tagscope.report.pseudonym import Pseudonymiser

    p = Pseudonymiser(b"k" * 32, notables=["bigcelebrity"])
    out = p.urls(f"see {url} now")
    assert "secretsurvivor" not in out.lower() and "5001" not in out
    assert p.name("secretsurvivor") in out
    celeb = url.replace("SecretSurvivor", "bigcelebrity").replace("secretsurvivor", "bigcelebrity")
    assert p.urls(celeb) == celeb  # a public figure's links stay as written
    assert Pseudonymiser(b"k" * 32, reveal=True).urls(url) == url


@pytest.mark.parametrize("url", ["https://twitter.com/i/web/status/5001", "https://x.com/i/status/5001",
                                 "https://twitter.com/statuses/5001", "https://nitter.net/i/status/5001"])
def test_id_only_status_links_are_pseudonymised(url):
    """twitter.com/i/web/status/ID names no handle, but the id leads to its author: whose it is the link
    does not say, so it is pseudonymised (kept with --reveal-authors)."""
    from tagscope.report.pseudonym import Pseudonymiser

    p = Pseudonymiser(b"k" * 32)
    out = p.urls(url)
    assert "5001" not in out and out.endswith(p.post_id("5001") or "")
    assert Pseudonymiser(b"k" * 32, reveal=True).urls(url) == url
    assert p.urls("https://twitter.com/i/web/status/") == "https://twitter.com/i/web/status/"
