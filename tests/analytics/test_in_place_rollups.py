"""The rollups read in place (relations.IN_PLACE: spellings, communities, URLs, domain lists) answer
variants, links, petitions and platforms exactly as the scan does, follow the store's changes, and a
store written before they existed keeps its other rollups (coverage is per relation)."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagscope import analytics as an
from tagscope.engines import engine_for, relations
from tagscope.engines import rollup as rollups
from tagscope.engines.duckdb import rollup_dir
from tagscope.store import Store
from tweetfactory import delete_notice, tweet, write_jsonl

# Spellings: ASCII case variants (lower() decides), a fullwidth one and a Turkish dotted I (only
# fold_tag decides), an underscore variant and a near miss (other tags).
SPELLINGS = ["YesAllWomen", "yesallwomen", "YESALLWOMEN", "ＹｅｓＡｌｌＷｏｍｅｎ", "YesAllWomen_", "YesAİlWomen",
             "NotAllMen", "everdaysexism", "EverydaySexism"]
# Links: petition and fundraiser sites (a subdomain, a site's own shortener), a look-alike, plain sites.
URLS = ["https://www.change.org/p/a", "https://chng.it/x", "https://secure.avaaz.org/c", "https://gofund.me/z",
        "https://notchange.org/p", "http://example.org/a", "http://www.example.org/b", "https://news.site/1"]
USERS = ["ann", "ben", "cat", "dan"]
BASE = datetime(2014, 5, 24, 22, 0, tzinfo=UTC)
_counter = itertools.count()

post = st.fixed_dictionaries({
    "minute": st.integers(0, 60 * 30),
    "user": st.sampled_from(USERS),
    "tags": st.lists(st.sampled_from(SPELLINGS), max_size=3),
    "urls": st.lists(st.sampled_from(URLS), max_size=3),
    "repost": st.booleans(),
    "file": st.integers(0, 1),
    "deleted": st.integers(0, 9),
})


def _store(folder, posts: list[dict]) -> Store:
    files: list[list] = [[], []]
    originals: list[dict] = []
    for i, p in enumerate(posts):
        pid = str(1000 + i)
        stamp = (BASE + timedelta(minutes=p["minute"], seconds=i % 59)).strftime("%a %b %d %H:%M:%S +0000 %Y")
        if p["repost"] and originals:
            rec = tweet(pid, user=p["user"], created=stamp, retweet_of=originals[i % len(originals)])
        else:
            rec = tweet(pid, " ".join("#" + t for t in p["tags"]), user=p["user"], created=stamp, tags=p["tags"])
            rec["entities"]["urls"] = [{"url": u, "expanded_url": u} for u in p["urls"]]
            originals.append(rec)
        files[p["file"]].append(rec)
        if p["deleted"] == 0:
            files[1].append(delete_notice(pid))
    store = Store(folder / "store")
    store.ingest([str(write_jsonl(folder / "a.jsonl", files[0]))])
    store.ingest([str(write_jsonl(folder / "b.jsonl", files[1]))])
    return store


def _data(fig) -> dict:
    return {k: v for k, v in fig.data.items() if k != "queries"}


CALLS = [
    lambda s, r: an.variants(s, "yesallwomen", rollup=r),
    lambda s, r: an.variants(s, "everydaysexism", no_reposts=True, rollup=r),
    lambda s, r: an.links(s, "yesallwomen", rollup=r),
    lambda s, r: an.links(s, "yesallwomen", top=2, no_reposts=True, rollup=r),
    lambda s, r: an.petitions(s, "yesallwomen", rollup=r),
    lambda s, r: an.petitions(s, "notallmen", top=1, rollup=r),
    lambda s, r: an.platforms(s, "yesallwomen", compare=["notallmen", "everydaysexism"], rollup=r),
    lambda s, r: an.platforms(s, "yesallwomen", no_reposts=True, platform="twitter", rollup=r),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(post, min_size=1, max_size=20))
def test_in_place_rollups_equal_the_scan(tmp_path, posts):
    work = tmp_path / str(next(_counter))
    work.mkdir()
    store = _store(work, posts)
    try:
        if not store.files("posts"):
            return
        assert engine_for(store).has_rollups(relations.IN_PLACE)
        for call in CALLS:
            assert _data(call(store, True)) == _data(call(store, False))
    finally:
        store.close()


def test_spellings_that_only_fold_to_the_tag_are_kept(tmp_path):
    """A fullwidth or dotted-I spelling is no ASCII word: the rollup keeps it and fold_tag decides."""
    recs = [tweet("1", tags=["ＹｅｓＡｌｌＷｏｍｅｎ"]), tweet("2", tags=["YesAllWomen", "YESALLWOMEN"], user="bob"),
            tweet("3", tags=["yesallwomen_"], user="cat")]
    store = Store(tmp_path / "s")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", recs))])
    fig = an.variants(store, "yesallwomen")
    case = {r["hashtag"]: r["posts"] for r in fig.data["variants"] if r["kind"] == "case"}
    assert case == {"ＹｅｓＡｌｌＷｏｍｅｎ": 1, "YesAllWomen": 1, "YESALLWOMEN": 1}
    assert "tag_spellings" in fig.explain() and "read in place" in fig.explain()
    assert _data(fig) == _data(an.variants(store, "yesallwomen", rollup=False))
    store.close()


@pytest.mark.parametrize("kw", [{}, {"no_reposts": True}, {"platform": "reddit"}, {"since": "2014-05-26"}])
def test_four_platform_campaign_rollup_equals_scan(multi, kw):
    for call in (lambda r: an.platforms(multi, "yesallwomen", compare=["notallmen"], rollup=r, **kw),
                 lambda r: an.links(multi, "yesallwomen", rollup=r, **kw),
                 lambda r: an.petitions(multi, "yesallwomen", rollup=r, **kw),
                 lambda r: an.variants(multi, "yesallwomen", rollup=r, **kw)):
        assert _data(call(True)) == _data(call(False))


def test_a_store_written_before_a_relation_existed_keeps_its_other_rollups(tmp_path):
    recs = [tweet("1", tags=["YesAllWomen"]), tweet("2", tags=["yesallwomen"], user="bob")]
    recs[0]["entities"]["urls"] = [{"url": "https://www.change.org/p/a", "expanded_url": "https://www.change.org/p/a"}]
    store = Store(tmp_path / "s")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", recs))])
    want = _data(an.links(store, "yesallwomen"))
    store.close()
    for name in os.listdir(rollup_dir(store)):
        if ".tag_urls." in name:
            os.unlink(rollup_dir(store) / name)
    old = Store(tmp_path / "s")
    eng = engine_for(old)
    assert not eng.has_rollups() and not eng.has_rollups(("tag_urls",))
    assert eng.has_rollups(("tag_hours",)) and eng.has_rollups(("tag_accounts",))
    assert "tag_hours" in an.count(old, "yesallwomen").explain()  # still from the rollups
    fig = an.links(old, "yesallwomen")
    assert _data(fig) == want and "FROM posts" in fig.explain()  # scanned, same answer
    assert rollups.update(old)["added"] == len(old.files("posts"))
    fresh = Store(tmp_path / "s")
    assert engine_for(fresh).has_rollups() and _data(an.links(fresh, "yesallwomen")) == want
    old.close()
    fresh.close()


def test_read_in_place_follows_new_files_and_deletions(tmp_path):
    """The same open store, written between two calls: the second call reads the new files only."""
    store = Store(tmp_path / "s")
    first = tweet("1", tags=["YesAllWomen"])
    first["entities"]["urls"] = [{"url": "https://chng.it/a", "expanded_url": "https://chng.it/a"}]
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [first]))])
    assert an.petitions(store, "yesallwomen").data["petitions"][0]["posts"] == 1
    second = tweet("2", tags=["yesallwomen"], user="bob")
    second["entities"]["urls"] = first["entities"]["urls"]
    store.ingest([str(write_jsonl(tmp_path / "b.jsonl", [second, delete_notice("1")]))])
    got = an.petitions(store, "yesallwomen").data["petitions"]
    assert [(r["url"], r["posts"], r["authors"]) for r in got] == [("https://chng.it/a", 1, 1)]
    assert _data(an.petitions(store, "yesallwomen")) == _data(an.petitions(store, "yesallwomen", rollup=False))
    store.close()
