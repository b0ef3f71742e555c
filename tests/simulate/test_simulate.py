"""`tagscope simulate`: reproducible, real formats, realistic shape, and a truth.json the store agrees with."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tagscope import formats
from tagscope.simulate import FILES, TRUTH, names, simulate
from tagscope.simulate.campaign import Campaign
from tagscope.store import Store

N = 2000


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("campaign")
    truth = simulate(folder, posts=N, seed=11)
    return folder, truth


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    simulate(tmp_path / "a", posts=N, seed=5)
    simulate(tmp_path / "b", posts=N, seed=5)
    simulate(tmp_path / "c", posts=N, seed=6)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert sorted(digest(tmp_path / "a")) == sorted([*FILES.values(), TRUTH])
    other = digest(tmp_path / "c")
    assert all(other[name] != h for name, h in digest(tmp_path / "a").items())


def test_truth_file_matches_return_value(campaign: tuple[Path, dict]) -> None:
    folder, truth = campaign
    assert orjson.loads((folder / TRUTH).read_bytes()) == truth
    assert truth["posts"] == N - truth["deleted"]
    assert sum(truth["kinds"].values()) == truth["posts"]
    assert truth["files"]["v1"]["posts"] + truth["files"]["v2"]["posts"] == N + truth["in_both_files"]
    assert truth["files"]["v1"]["delete_notices"] == truth["deleted"] > 0
    assert truth["in_both_files"] > 0


def test_v1_file_is_real_v1_streaming(campaign: tuple[Path, dict]) -> None:
    folder, truth = campaign
    path = folder / FILES["v1"]
    assert formats.sniff(path.read_bytes()[:65536]) is formats.get("twitter-v1")
    records = lines(path)
    v1 = formats.get("twitter-v1")
    posts = [p for r in records for p in v1.parse(r) if isinstance(p, dict)]
    assert len(posts) == truth["files"]["v1"]["posts"]
    assert sum(1 for r in records if "delete" in r) == truth["deleted"]
    statuses = [r for r in records if "id_str" in r]
    assert all(r["id_str"] == str(r["id"]) and int(r["id_str"]) > 2**53 for r in statuses)  # ids past double precision
    long = [r for r in statuses if "extended_tweet" in r]
    assert long and all(r["truncated"] and len(r["text"]) <= 140 for r in long)
    assert all(len(r["extended_tweet"]["full_text"]) > 140 for r in long)
    rts = [r for r in statuses if "retweeted_status" in r]
    cut = [r for r in rts if r["text"].endswith("…")]
    assert cut, "some retweet wrappers must be cut at 140 characters"
    for r in rts:
        assert r["text"].startswith("RT @" + r["retweeted_status"]["user"]["screen_name"] + ": ")
        assert r["retweet_count"] == 0 and len(r["text"]) <= 140
    assert any(r.get("quoted_status") for r in statuses)
    assert any(r.get("in_reply_to_status_id_str") for r in statuses)
    for r in statuses[:200]:
        text = r.get("extended_tweet", {}).get("full_text") or r["text"]
        ents = r.get("extended_tweet", {}).get("entities") or r["entities"]
        for h in ents["hashtags"]:
            start, end = h["indices"]
            assert text[start:end] == "#" + h["text"]


@pytest.mark.skipif("twitter-v2" not in formats.FORMATS, reason="the twitter-v2 format module has not landed")
def test_v2_file_is_real_twarc2_pages(campaign: tuple[Path, dict]) -> None:
    folder, truth = campaign
    path = folder / FILES["v2"]
    assert formats.sniff(path.read_bytes()[:65536]) is formats.get("twitter-v2")
    pages = lines(path)
    assert len(pages) == truth["files"]["v2"]["pages"] == -(-truth["files"]["v2"]["posts"] // 100)
    v2 = formats.get("twitter-v2")
    posts = [p for page in pages for p in v2.parse(page) if isinstance(p, dict)]
    assert len({p["id"] for p in posts}) == truth["files"]["v2"]["posts"]
    for page in pages:
        users = {u["id"] for u in page["includes"]["users"]}
        included = {t["id"] for t in page["includes"].get("tweets", [])}
        assert page["meta"]["result_count"] == len(page["data"])
        for t in page["data"]:
            assert t["author_id"] in users
            for ref in t.get("referenced_tweets", []):
                assert ref["id"] in included
    rt_texts = [t["text"] for page in pages for t in page["data"] if t["text"].startswith("RT @")]
    assert any(t.endswith("…") for t in rt_texts)


def test_store_agrees_with_truth(campaign: tuple[Path, dict], tmp_path: Path) -> None:
    folder, truth = campaign
    st = Store(tmp_path / "store")
    summary = st.ingest([str(folder / FILES["v1"]), str(folder / FILES["v2"])])
    assert summary["quarantined"] == 0
    assert summary["ingested"] == truth["posts"]
    stats = st.stats()
    assert stats["posts"] == truth["posts"]
    assert stats["authors"] == truth["authors"]
    assert stats["deleted"] == truth["deleted"]
    assert stats["first_post"][:19] == truth["first_post"][:19]
    assert stats["last_post"][:19] == truth["last_post"][:19]
    con = st.con
    for tag, n in truth["hashtags"].items():
        got = con.execute("SELECT count(*) FROM posts WHERE list_contains(hashtags_norm, ?)", [tag]).fetchone()[0]
        assert got == n, tag
    for tag, n in truth["hashtags_without_reposts"].items():
        got = con.execute(
            "SELECT count(*) FROM posts WHERE list_contains(hashtags_norm, ?) AND kind <> 'repost'", [tag]
        ).fetchone()[0]
        assert got == n, tag
    per_day = dict(
        con.execute(
            "SELECT strftime(created_at, '%Y-%m-%d'), count(*) FROM posts "
            "WHERE list_contains(hashtags_norm, 'yesallwomen') GROUP BY 1"
        ).fetchall()
    )
    assert per_day == truth["main_tag_per_day"]
    assert dict(con.execute("SELECT kind, count(*) FROM posts GROUP BY 1").fetchall()) == truth["kinds"]
    assert dict(con.execute("SELECT lang, count(*) FROM posts GROUP BY 1").fetchall()) == truth["langs"]
    first = con.execute(
        "SELECT id, author_id, author_handle FROM posts WHERE list_contains(hashtags_norm, 'yesallwomen') "
        "ORDER BY created_at, id LIMIT 1"
    ).fetchone()
    mf = truth["main_tag_first"]
    assert first == (mf["id"], mf["author_id"], mf["author_handle"]) and mf["author_handle"] == truth["creator"]
    domains = dict(con.execute("SELECT d, count(*) FROM (SELECT unnest(domains) d FROM posts) GROUP BY 1").fetchall())
    assert domains == truth["domains"]
    phrase = con.execute("SELECT count(*) FROM posts WHERE text LIKE '%supreme gentleman%'").fetchone()[0]
    assert phrase == truth["phrase"]["posts"] > 0
    st.close()


def test_ingest_order_and_repeats_do_not_change_the_figures(campaign: tuple[Path, dict], tmp_path: Path) -> None:
    folder, truth = campaign
    st = Store(tmp_path / "store")
    st.ingest([str(folder / FILES["v2"])])
    st.ingest([str(folder / FILES["v1"])])
    again = st.ingest([str(folder / FILES["v1"]), str(folder / FILES["v2"])])
    assert again["ingested"] == 0
    assert st.stats()["posts"] == truth["posts"]
    n = st.con.execute("SELECT count(*) FROM posts WHERE list_contains(hashtags_norm, 'yesallwomen')").fetchone()[0]
    assert n == truth["hashtags"]["yesallwomen"]
    st.close()


def test_campaign_shape(campaign: tuple[Path, dict]) -> None:
    folder, truth = campaign
    statuses = [r for r in lines(folder / FILES["v1"]) if "id_str" in r]
    users = {r["user"]["id_str"]: r["user"] for r in statuses}
    followers = sorted(u["followers_count"] for u in users.values())
    assert followers[-1] > 100 * statistics.median(followers)  # heavy-tailed
    notables = set(truth["notable_accounts"])
    assert all(u["verified"] for u in users.values() if u["screen_name"] in notables)
    assert any(u["screen_name"] in notables for u in users.values())
    bios = " ".join(u["description"] or "" for u in users.values())
    assert all(p in bios for p in ("she/her", "he/him", "they/them"))
    per_author = Counter(r["user"]["id_str"] for r in statuses)
    assert per_author.most_common(1)[0][1] >= 5 * statistics.median(per_author.values())  # a few post a lot
    days = truth["main_tag_per_day"]
    ordered = list(days.values())
    assert max(ordered) == max(ordered[1:3]) and ordered[1] > 5 * ordered[-1]  # burst, then decay
    hours = Counter(int(r["created_at"][11:13]) for r in statuses)
    assert hours[2] > 2 * hours[9]  # daily rhythm in UTC
    assert {"en", "es", "fr"} <= set(truth["langs"]) and truth["langs"]["en"] > 0.8 * truth["posts"]
    assert {"yesallwomen", "notallmen", "everydaysexism", "rapecultureiswhen", "yesallwomem"} <= set(truth["hashtags"])
    written = {h["text"] for r in statuses for h in (r.get("extended_tweet") or r)["entities"]["hashtags"]}
    assert {"YesAllWomen", "yesallwomen"} <= written
    assert all(d.endswith(".example") for d in truth["domains"])
    assert all(len(r.get("extended_tweet", {}).get("full_text") or r["text"]) <= 280 for r in statuses)


def test_reposts_form_heavy_tailed_cascades() -> None:
    camp = Campaign(20_000, seed=3, dests=(1,))
    sizes = Counter(ev.parent.id for ev in camp.events() if getattr(ev, "kind", None) == "repost")
    counts = sorted(sizes.values(), reverse=True)
    assert counts[0] >= 50 * statistics.median(counts)
    assert sum(counts[: len(counts) // 100 or 1]) > 0.1 * sum(counts)  # the top 1% of cascades hold >10% of reposts


def test_handles_are_unique_and_invented() -> None:
    handles = [names.handle(i) for i in range(20_000)]
    assert len(set(handles)) == len(handles)
    ids = [names.user_id(i) for i in range(20_000)]
    assert len(set(ids)) == len(ids)


def test_one_format_only(tmp_path: Path) -> None:
    t1 = simulate(tmp_path / "v1", posts=500, seed=1, formats=("v1",))
    assert sorted(p.name for p in (tmp_path / "v1").iterdir()) == [FILES["v1"], TRUTH]
    assert t1["files"]["v1"]["posts"] == 500 and t1["in_both_files"] == 0
    t2 = simulate(tmp_path / "v2", posts=500, seed=1, formats=("v2",))
    assert t2["deleted"] == 0 and t2["posts"] == 500 and t2["files"]["v2"]["pages"] == 5
    with pytest.raises(ValueError, match="unknown format"):
        simulate(tmp_path / "x", posts=10, formats=("v3",))


def test_cli_json_and_progress(tmp_path: Path) -> None:
    from tagscope.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["simulate", "--out", str(tmp_path / "c"), "--posts", "300", "--seed", "2", "--json"])
    assert res.exit_code == 0, res.output
    summary = orjson.loads(res.stdout)
    assert summary["posts_generated"] == 300
    assert Path(summary["files"]["v1"]["path"]).exists()
    res = runner.invoke(app, ["simulate", "--out", str(tmp_path / "d"), "--posts", "300"])
    assert res.exit_code == 0
    assert "wrote 300/300 posts" in res.stderr
    assert "Wrote 300 posts" in res.stdout
    bad = runner.invoke(app, ["simulate", "--out", str(tmp_path / "e"), "--formats", "v3"])
    assert bad.exit_code == 2 and "--formats" in bad.stderr
