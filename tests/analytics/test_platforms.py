"""Comparing platforms: `trend --by platform|community` and the `platforms` analytic, on a simulated
campaign across four platforms, on every engine and both paths, against the generator's truth."""

from __future__ import annotations

import pytest

from tagscope.analytics import platforms, registry, trend
from tagscope.analytics.trend import TOP_COMMUNITIES
from tagscope.simulate import simulate
from tagscope.store import Store

MAIN, COUNTER = "yesallwomen", "notallmen"


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict]:
    folder = tmp_path_factory.mktemp("campaign")
    truth = simulate(folder, posts=2500, seed=21, platforms=("twitter", "bluesky", "mastodon", "reddit"))
    st = Store(tmp_path_factory.mktemp("store"))
    st.ingest([str(folder / f["path"]) for f in truth["files"].values()])
    return st, truth


def per_label(fig) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in fig.data["series"]:
        if r["count"]:
            out.setdefault(r["label"], {})[r["bucket"][:10]] = r["count"]
    return out


def test_trend_by_platform_equals_truth(multi, engine, rollup) -> None:
    st, truth = multi
    fig = trend(st, MAIN, by="platform", no_reposts=True, engine=engine, rollup=rollup)
    assert fig.data["by"] == "platform" and {"hashtag", "label", "bucket", "count"} <= set(fig.data["series"][0])
    want = {p: v["main_tag_per_day_without_reposts"] for p, v in truth["platforms"].items()}
    assert per_label(fig) == want
    # Reposts included (a Bluesky repost takes its subject's tags in the store).
    with_reposts = per_label(trend(st, MAIN, by="platform", engine=engine, rollup=rollup))
    assert with_reposts == {p: v["main_tag_per_day"] for p, v in truth["platforms"].items()}


@pytest.mark.parametrize("every,kw", [("hour", {"since": "2014-05-25T06:30:20", "until": "2014-05-27"}),
                                      ("day", {"tz": "America/New_York"})])
def test_by_platform_and_community_add_up_to_the_plain_trend(multi, engine, rollup, every, kw) -> None:
    st, _ = multi
    plain = trend(st, [MAIN, COUNTER], every=every, engine=engine, rollup=rollup, **kw).data["series"]
    total = {(r["hashtag"], r["bucket"]): r["count"] for r in plain}
    for by in ("platform", "community"):
        fig = trend(st, [MAIN, COUNTER], every=every, by=by, engine=engine, rollup=rollup, **kw)
        summed: dict[tuple[str, str], int] = {}
        for r in fig.data["series"]:
            summed[(r["hashtag"], r["bucket"])] = summed.get((r["hashtag"], r["bucket"]), 0) + r["count"]
        assert summed == total, by


def test_by_community_keeps_the_top_communities_and_sums_the_rest(multi, engine, rollup) -> None:
    st, truth = multi
    fig = trend(st, MAIN, by="community", engine=engine, rollup=rollup)
    labels = {r["label"] for r in fig.data["series"]}
    assert "(none)" in labels  # tweets and Bluesky posts have no community
    assert "other" in labels and len(labels) == TOP_COMMUNITIES + 1
    assert sum(len(p["communities"]) for p in truth["platforms"].values()) >= TOP_COMMUNITIES + 1
    # --by composes with the other filters: Reddit alone is its subreddits.
    reddit = trend(st, MAIN, by="community", platform="reddit", engine=engine, rollup=rollup)
    assert {r["label"] for r in reddit.data["series"]} <= set(truth["platforms"]["reddit"]["communities"])


def test_by_classifier_label_still_works(multi) -> None:
    st, _ = multi
    fig = trend(st, MAIN, by="stance")
    assert {r["label"] for r in fig.data["series"]} == {"unlabelled"}  # nothing classified yet


def test_platforms_analytic_equals_truth(multi, engine) -> None:
    st, truth = multi
    fig = platforms(st, MAIN, compare=[COUNTER], no_reposts=True, engine=engine)
    rows = {r["platform"]: r for r in fig.data["platforms"]}
    assert set(rows) == set(truth["platforms"])
    for p, want in truth["platforms"].items():
        assert rows[p]["posts"] == want["hashtags_without_reposts"][MAIN], p
        assert rows[p]["#" + COUNTER] == want["hashtags_without_reposts"][COUNTER], p
        assert rows[p]["reposts"] == 0
    assert abs(sum(r["share"] for r in rows.values()) - 1) < 1e-3
    assert fig.data["platforms"][0]["posts"] == max(r["posts"] for r in rows.values())  # biggest first
    subs = {r["community"]: r for r in platforms(st, MAIN, top=100, engine=engine).data["communities"]
            if r["platform"] == "reddit"}
    assert sum(r["posts"] for r in subs.values()) == truth["platforms"]["reddit"]["hashtags"][MAIN]
    first = {r["platform"]: r["first_seen"] for r in platforms(st, MAIN, engine=engine).data["platforms"]}
    assert first["twitter"][:19] == truth["main_tag_first"]["created_at"][:19]  # the campaign began on Twitter


def test_platforms_through_the_registry_and_the_report_section(multi) -> None:
    st, _ = multi
    spec = registry.get("platforms")
    assert spec.page is not None and spec.section is not None and spec.api is not None
    fig = registry.run("platforms", st, tag=MAIN, compare=[COUNTER], platform="reddit")
    assert [r["platform"] for r in fig.data["platforms"]] == ["reddit"]


def test_report_with_platform_mix_and_a_platform_filter(multi) -> None:
    from tagscope.report import build_report

    st, truth = multi
    whole = build_report(st, MAIN, compare=[COUNTER])
    mix = next(s for s in whole.sections if s.id == "platforms")
    assert mix.status == "ok" and all(p in mix.body for p in truth["platforms"])
    assert "#" + COUNTER in mix.body  # the report's compared tag sits beside the platform mix
    only = build_report(st, MAIN, platform="Reddit")
    assert f'id="headline-count">{truth["platforms"]["reddit"]["hashtags"][MAIN]:,}<' in only.html
    assert " on reddit" in only.html and only.problems == []


def test_api_and_dashboard_take_the_platform(multi) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from tagscope.web.app import create_app

    st, truth = multi
    with TestClient(create_app(st.path)) as c:
        r = c.get("/api/platforms", params={"tag": MAIN, "compare": COUNTER, "platform": "reddit", "no_reposts": True})
        assert r.status_code == 200, r.text
        assert [row["posts"] for row in r.json()["platforms"]] == [
            truth["platforms"]["reddit"]["hashtags_without_reposts"][MAIN]]
        r = c.get("/api/trend", params={"tag": MAIN, "by": "platform", "platform": "mastodon"})
        assert {row["label"] for row in r.json()["series"]} == {"mastodon"}
        page = c.get("/platforms", params={"tag": MAIN, "platform": "bluesky", "compare": COUNTER})
        assert page.status_code == 200 and 'name="platform" value="bluesky"' in page.text
        assert "#" + COUNTER in page.text
