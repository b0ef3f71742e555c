"""notables, audience, cotags, links, variants, velocity and network on the hand-made campaign."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tagscope.analytics import audience, cotags, links, network, notables, variants, velocity
from tagscope.analytics import burst as kb
from tagscope.analytics.variants import distance


def test_notables_by_followers_uses_latest_post(camp, rollup, engine):
    acc = notables(camp, "yesallwomen", rollup=rollup, engine=engine).data["accounts"]
    assert [(a["author"], a["followers"], a["posts"]) for a in acc] == [
        ("frank", 20000, 1), ("bob", 5000, 1), ("gina", 300, 1),
        ("alice", 150, 2),  # 100 on post 1, 150 on her latest (11)
        ("carol", 50, 1), ("erin", 7, 1)]


def test_notables_by_reach_and_engagement(camp, rollup, engine):
    reach = notables(camp, "yesallwomen", by="reach", top=4, rollup=rollup, engine=engine).data["accounts"]
    assert [(a["author"], a["reach"]) for a in reach] == [("frank", 20000), ("bob", 5000), ("gina", 300), ("alice", 250)]
    eng = notables(camp, "yesallwomen", by="engagement", top=3, rollup=rollup, engine=engine).data["accounts"]
    # gina 40 likes; alice 5 likes on post 1; frank 3 retweets; carol's repost of post 1 earns nothing.
    assert [(a["author"], a["engagement"]) for a in eng] == [("gina", 40), ("alice", 5), ("frank", 3)]


def test_notables_window_and_no_reposts(camp, rollup, engine):
    acc = notables(camp, "yesallwomen", since="2014-05-26", rollup=rollup, engine=engine).data["accounts"]
    assert [(a["author"], a["posts"]) for a in acc] == [("gina", 1), ("alice", 1)]
    names = {a["author"] for a in notables(camp, "yesallwomen", no_reposts=True, rollup=rollup, engine=engine).data["accounts"]}
    assert "carol" not in names and len(names) == 5


def test_audience_reads_pronouns_from_bio_only(camp, rollup, engine):
    groups = {g["pronouns"]: (g["authors"], g["posts"]) for g in audience(camp, "yesallwomen", rollup=rollup, engine=engine).data["groups"]}
    # alice she/her (2 posts), erin she/they -> she; bob he/him; carol (they/them); frank "shelter" is no pronoun; gina no bio.
    assert groups == {"she": (2, 3), "he": (1, 1), "they": (1, 1), "none": (2, 2)}
    assert audience(camp, "yesallwomen", no_reposts=True, rollup=rollup, engine=engine).data["by_pronouns"] == {
        "she": 2, "he": 1, "they": 0, "none": 2}  # carol only reposted


def test_cotags_most_used_first(camp, rollup, engine):
    assert cotags(camp, "yesallwomen", rollup=rollup, engine=engine).data["hashtags"] == [
        {"hashtag": "everydaysexism", "count": 1}, {"hashtag": "notallmen", "count": 1}]
    assert cotags(camp, "everydaysexism", rollup=rollup, engine=engine).data["hashtags"] == [{"hashtag": "yesallwomen", "count": 1}]
    assert cotags(camp, "yesallwomen", until="2014-05-25", rollup=rollup, engine=engine).data["hashtags"] == [{"hashtag": "notallmen", "count": 1}]


def test_links_count_posts_per_url_and_domain(camp, engine):
    d = links(camp, "yesallwomen", engine=engine).data  # links always scans: no rollup path to test
    assert d["domains"] == [{"domain": "example.org", "count": 2}]
    assert sorted((u["url"], u["count"]) for u in d["urls"]) == [("http://example.org/a", 1), ("http://www.example.org/b", 1)]


def test_variants_case_and_near_miss(camp, rollup, engine):
    rows = variants(camp, "everydaysexism", rollup=rollup, engine=engine).data["variants"]
    assert [(r["kind"], r["hashtag"], r["posts"]) for r in rows] == [
        ("case", "EverydaySexism", 1), ("case", "everydaysexism", 1), ("near-miss", "everdaysexism", 1)]
    assert rows[2]["distance"] == 1 and rows[2]["shared_authors"] == 0
    case = {r["hashtag"]: r["posts"] for r in variants(camp, "yesallwomen", rollup=rollup, engine=engine).data["variants"]}
    assert case == {"YesAllWomen": 6, "yesallwomen": 1, "ＹｅｓＡｌｌＷｏｍｅｎ": 1}


def test_distance_counts_swaps_as_one():
    assert distance("everydaysexism", "everdaysexism", 2) == 1
    assert distance("yesallwomen", "yesallwomne", 2) == 1
    assert distance("yesallwomen", "yesallmen", 2) == 2
    assert distance("yesallwomen", "notallmen", 2) == 3


def test_velocity_milestones_peak_half_life(camp, rollup, engine):
    d = velocity(camp, "yesallwomen", milestones=(3, 6, 100), rollup=rollup, engine=engine).data
    assert d["first_use"] == "2014-05-24T10:00:00Z" and d["count"] == 7
    assert d["milestones"][0] == {"uses": 3, "reached_at": "2014-05-24T10:30:00Z", "after_seconds": 1800}
    assert d["milestones"][1]["reached_at"] == "2014-05-26T09:00:00Z"
    assert d["milestones"][2]["reached_at"] is None
    assert d["peak"] == {"bucket": "2014-05-24T10:00:00Z", "count": 3, "per_hour": 3.0}
    assert d["half_life_seconds"] == 3600  # 11:00 has 1 use, at most half of 3


def test_kleinberg_marks_the_burst():
    counts = [2, 1, 2, 1, 30, 45, 20, 2, 1, 2, 1, 2]
    path = kb.states(counts)
    assert kb.runs(path) == [(4, 6)]
    assert kb.states([3] * 10) == [0] * 10
    assert kb.states([]) == []


def test_network_retweet_and_cohashtag_files(camp, tmp_path, rollup, engine):
    fig = network(camp, "yesallwomen", kind="retweet", output=tmp_path / "rt.gexf", rollup=rollup, engine=engine)
    assert fig.table.to_pylist() == [{"source": "carol", "target": "alice", "weight": 1}]
    root = ET.parse(tmp_path / "rt.gexf").getroot()
    ns = {"g": "http://gexf.net/1.3"}
    assert sorted(n.get("label") for n in root.iterfind(".//g:node", ns)) == ["alice", "carol"]
    fig = network(camp, "yesallwomen", kind="cohashtag", output=tmp_path / "co.graphml", rollup=rollup, engine=engine)
    assert {(r["source"], r["target"]) for r in fig.table.to_pylist()} == {
        ("notallmen", "yesallwomen"), ("everydaysexism", "yesallwomen")}
    g = ET.parse(tmp_path / "co.graphml").getroot()
    assert len(g.findall(".//{http://graphml.graphdrawing.org/xmlns}edge")) == 2
    assert network(camp, "yesallwomen", kind="cohashtag", min_degree=2).data["edges"] == 0


def test_network_rejects_unknown_kind_and_format(camp, tmp_path):
    with pytest.raises(ValueError, match="retweet, mention or cohashtag"):
        network(camp, "yesallwomen", kind="follow")
    with pytest.raises(ValueError, match=r"\.gexf or \.graphml"):
        network(camp, "yesallwomen", output=tmp_path / "x.csv")
