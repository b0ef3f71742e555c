"""`tagscope simulate --platforms`: one campaign in four platforms' real formats, and a truth per
platform the store's figures agree with exactly after ingest by sniffing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tagscope.analytics import registry
from tagscope.cli import app
from tagscope.simulate import PLATFORM_FILES, PLATFORMS, TRUTH, simulate
from tagscope.store import Store

N = 3000
ALL = ("twitter", "bluesky", "mastodon", "reddit")
FORMAT_OF = {"v1": "twitter-v1", "v2": "twitter-v2", "bluesky": "bluesky-jetstream", "mastodon": "mastodon",
             "reddit-submissions": "reddit-pushshift", "reddit-comments": "reddit-pushshift"}


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Store, dict]:
    folder = tmp_path_factory.mktemp("campaign")
    truth = simulate(folder, posts=N, seed=7, platforms=ALL)
    st = Store(tmp_path_factory.mktemp("store"))
    summary = st.ingest([str(folder / info["path"]) for info in truth["files"].values()])  # sniffed, no --format
    return folder, truth, st, summary


def test_same_seed_same_bytes_and_twitter_only_default_unchanged(tmp_path: Path) -> None:
    simulate(tmp_path / "a", posts=800, seed=5, platforms=ALL)
    simulate(tmp_path / "b", posts=800, seed=5, platforms=ALL)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert sorted(digest(tmp_path / "a")) == sorted([*PLATFORM_FILES.values(), TRUTH])
    simulate(tmp_path / "c", posts=800, seed=5)
    simulate(tmp_path / "d", posts=800, seed=5, platforms=("twitter",))
    assert digest(tmp_path / "c") == digest(tmp_path / "d")
    # The same folder reused for Twitter only: no other platform's file is left behind.
    simulate(tmp_path / "a", posts=800, seed=5)
    assert digest(tmp_path / "a") == digest(tmp_path / "c")


def test_every_file_is_sniffed_as_its_platforms_format(ingested: tuple[Path, dict, Store, dict]) -> None:
    _, truth, _, summary = ingested
    got = {Path(f["file"]).name: f["format"] for f in summary["files"]}
    assert got == {info["path"]: FORMAT_OF[key] for key, info in truth["files"].items()}
    assert summary["quarantined"] == 0
    assert set(truth["platforms"]) == set(PLATFORMS) == set(ALL)


def test_bluesky_facets_index_utf8_bytes(ingested: tuple[Path, dict, Store, dict]) -> None:
    folder, truth, _, _ = ingested
    events = lines(folder / truth["files"]["bluesky"]["path"])
    kinds = {(e["kind"], e.get("commit", {}).get("collection"), e.get("commit", {}).get("operation")) for e in events}
    assert {("identity", None, None), ("commit", "app.bsky.feed.post", "create"), ("commit", "app.bsky.feed.repost", "create"),
            ("commit", "app.bsky.feed.like", "create"), ("commit", "app.bsky.feed.post", "delete")} <= kinds
    checked = hidden = non_ascii = 0
    for e in events:
        rec = e.get("commit", {}).get("record") or {}
        if rec.get("$type") != "app.bsky.feed.post":
            continue
        text = rec["text"].encode()
        non_ascii += len(text) != len(rec["text"])
        for facet in rec.get("facets", []):
            feature, index = facet["features"][0], facet["index"]
            if feature["$type"].endswith("#tag"):
                assert text[index["byteStart"]:index["byteEnd"]].decode() == "#" + feature["tag"]
                checked += 1
        for tag in rec.get("tags", []):
            assert "#" + tag not in rec["text"]  # record.tags are never in the text
            hidden += 1
    assert checked > 200 and hidden > 0 and non_ascii > 0


def test_mastodon_and_reddit_lines_are_their_real_shapes(ingested: tuple[Path, dict, Store, dict]) -> None:
    folder, truth, _, _ = ingested
    events = lines(folder / truth["files"]["mastodon"]["path"])
    assert {e["event"] for e in events} == {"update", "delete"}
    statuses = [orjson.loads(e["payload"]) for e in events if e["event"] == "update"]  # JSON text, as the API sends
    assert any(s["reblog"] for s in statuses) and any(s.get("quote") for s in statuses)
    assert any('class="mention hashtag"' in s["content"] for s in statuses)
    assert len({s["uri"].split("/")[2] for s in statuses}) > 2  # several instances
    subs = lines(folder / truth["files"]["reddit-submissions"]["path"])
    comments = lines(folder / truth["files"]["reddit-comments"]["path"])
    texts = [s["selftext"] for s in subs] + [c["body"] for c in comments]
    assert "[deleted]" in texts and "[removed]" in texts
    assert all(c["parent_id"][:3] in ("t1_", "t3_") and c["link_id"].startswith("t3_") for c in comments)
    assert truth["platforms"]["reddit"]["reposts"] == 0 and truth["not_written"]["reddit_reposts"] > 0


def test_store_totals_agree_with_truth(ingested: tuple[Path, dict, Store, dict]) -> None:
    _, truth, st, summary = ingested
    assert summary["ingested"] == truth["posts"] == sum(p["posts"] for p in truth["platforms"].values())
    assert summary["deleted"] == truth["deleted"]
    stats = st.stats()
    assert stats["removed"] == truth["platforms"]["reddit"]["removed"] > 0  # [removed] by a moderator
    assert stats["reposts_unresolved"] == 0  # every Bluesky repost's subject is in the campaign
    rows = st.con.execute("SELECT platform, kind, count(*) FROM posts GROUP BY ALL").fetchall()
    for platform, want in truth["platforms"].items():
        assert {k: n for p, k, n in rows if p == platform} == want["kinds"], platform
    communities = dict(st.con.execute(
        "SELECT community, count(*) FROM posts WHERE platform = 'reddit' GROUP BY 1").fetchall())
    assert communities == truth["platforms"]["reddit"]["communities"]


@pytest.mark.parametrize("platform", ALL)
@pytest.mark.parametrize("no_reposts", [True, False])
def test_count_and_trend_by_platform_equal_truth(ingested: tuple[Path, dict, Store, dict], platform: str,
                                                 no_reposts: bool) -> None:
    """Reposts included too: a Bluesky repost names its subject by URI only and takes its tags in the store."""
    _, truth, st, _ = ingested
    want = truth["platforms"][platform]
    tags = want["hashtags_without_reposts" if no_reposts else "hashtags"]
    for tag, n in tags.items():
        assert registry.run("count", st, tag=tag, platform=platform, no_reposts=no_reposts).data["count"] == n, tag
    fig = registry.run("trend", st, tags=[truth["main_tag"]], by="platform", no_reposts=no_reposts)
    per_day = {r["bucket"][:10]: r["count"] for r in fig.data["series"] if r["label"] == platform and r["count"]}
    assert per_day == want["main_tag_per_day_without_reposts" if no_reposts else "main_tag_per_day"]


def test_cli_platforms_option(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--posts", "300", "--platforms", "reddit,bluesky",
                              "--json"])
    assert res.exit_code == 0, res.output
    out = orjson.loads(res.output)
    assert set(out["platforms"]) == {"reddit", "bluesky"}
    assert not (tmp_path / PLATFORM_FILES["v1"]).exists()
    bad = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--platforms", "myspace"])
    assert bad.exit_code != 0 and "myspace" in bad.output
