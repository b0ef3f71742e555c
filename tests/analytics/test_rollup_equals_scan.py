"""Property: on random small stores every analytic gives the same answer from the rollups as from a
scan of posts, and count agrees with a reference computed independently from the records."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagscope import analytics as an
from tagscope.engines import engine_for
from tagscope.post import fold_tag
from tagscope.store import Store
from tweetfactory import delete_notice, tweet, write_jsonl

TAGS = ["YesAllWomen", "yesallwomen", "ＹｅｓＡｌｌＷｏｍｅｎ", "NotAllMen", "everydaysexism", "everdaysexism"]
USERS = ["ann", "ben", "cat", "dan"]
BASE = datetime(2014, 5, 24, 22, 0, tzinfo=UTC)
_counter = itertools.count()

post = st.fixed_dictionaries({
    "minute": st.integers(0, 60 * 30),  # 30 hours: crosses UTC and Tokyo midnights
    "user": st.sampled_from(USERS),
    "tags": st.lists(st.sampled_from(TAGS), max_size=3),
    "kind": st.sampled_from(["original", "original", "repost", "reply", "quote"]),
    "followers": st.one_of(st.none(), st.integers(0, 10_000)),
    "bio": st.sampled_from([None, "she/her", "he/him", "they/she", "no pronouns"]),
    "likes": st.integers(0, 5),
    "file": st.integers(0, 1),
    "dup": st.booleans(),
    "deleted": st.integers(0, 9),
    "tie": st.booleans(),  # at the same instant as the minute's other tied posts: (time, id) order decides
})


def _records(posts: list[dict]) -> tuple[list, list, dict]:
    files: list[list] = [[], []]
    live: dict[str, list[str]] = {}
    originals: list[dict] = []
    for i, p in enumerate(posts):
        pid = str(990 + i)  # 999 < 1000 numerically, not as strings: ids order as strings everywhere
        created = BASE + timedelta(minutes=p["minute"], seconds=0 if p["tie"] else 1 + i % 59)
        stamp = created.strftime("%a %b %d %H:%M:%S +0000 %Y")
        extra = {}
        if p["kind"] == "reply":
            extra = {"in_reply_to_status_id_str": "1"}
        elif p["kind"] == "quote":
            extra = {"is_quote_status": True, "quoted_status_id_str": "1"}
        if p["kind"] == "repost" and originals:
            src = originals[i % len(originals)]
            rec = tweet(pid, user=p["user"], created=stamp, followers=p["followers"], retweet_of=src)
            tags = src["tags_as_written"]
        else:
            rec = tweet(pid, " ".join("#" + t for t in p["tags"]), user=p["user"], created=stamp, tags=p["tags"],
                        followers=p["followers"], favorite_count=p["likes"], **extra)
            tags = p["tags"]
            rec["tags_as_written"] = tags
            if p["kind"] == "original":
                originals.append(rec)
        if p["bio"]:
            rec["user"]["description"] = p["bio"]
        files[p["file"]].append(rec)
        if p["dup"]:
            files[1 - p["file"]].append(rec)
        if p["deleted"] == 0:
            files[1].append(delete_notice(pid))
        else:
            live[pid] = [fold_tag(t) for t in tags]
    clean = [[{k: v for k, v in r.items() if k != "tags_as_written"} if "tags_as_written" in r else r for r in f] for f in files]
    for f in clean:
        for r in f:
            if "retweeted_status" in r:
                r["retweeted_status"] = {k: v for k, v in r["retweeted_status"].items() if k != "tags_as_written"}
    return clean[0], clean[1], live


def _data(fig) -> dict:
    return {k: v for k, v in fig.data.items() if k not in ("queries",)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(post, min_size=1, max_size=25))
def test_rollup_path_equals_scan_path(tmp_path, engine, posts):
    work = tmp_path / str(next(_counter))
    work.mkdir()
    first, second, live = _records(posts)
    store = Store(work / "store")
    try:
        store.ingest([str(write_jsonl(work / "a.jsonl", first))])
        store.ingest([str(write_jsonl(work / "b.jsonl", second))])
        expected = sum("yesallwomen" in set(tags) for tags in live.values())
        if not store.files("posts"):  # every post deleted (or never stored): there is nothing to roll up
            assert an.count(store, "YesAllWomen", engine=engine).data["count"] == expected == 0
            return
        assert engine_for(store, engine).has_rollups()
        assert an.count(store, "YesAllWomen", engine=engine).data["count"] == expected
        calls = [
            lambda r: an.count(store, "yesallwomen", rollup=r, engine=engine),
            lambda r: an.count(store, "yesallwomen", since="2014-05-25", tz="Asia/Tokyo", no_reposts=True, rollup=r, engine=engine),
            lambda r: an.count(store, "notallmen", since="2014-05-25T01:00", until="2014-05-25T13:00", rollup=r, engine=engine),
            lambda r: an.trend(store, ["yesallwomen", "notallmen"], every="hour", rollup=r, engine=engine),
            lambda r: an.trend(store, "yesallwomen", every="day", tz="Asia/Tokyo", cumulative=True, rollup=r, engine=engine),
            lambda r: an.trend(store, "yesallwomen", every="day", tz="Asia/Kolkata", rollup=r, engine=engine),
            lambda r: an.trend(store, "yesallwomen", every="minute", since="2014-05-25T00:00", until="2014-05-25T01:00", rollup=r, engine=engine),
            lambda r: an.origin(store, "yesallwomen", first=5, rollup=r, engine=engine),
            lambda r: an.origin(store, "yesallwomen", first=3, no_reposts=True, rollup=r, engine=engine),
            lambda r: an.notables(store, "yesallwomen", rollup=r, engine=engine),
            lambda r: an.notables(store, "yesallwomen", by="reach", rollup=r, engine=engine),
            lambda r: an.notables(store, "yesallwomen", by="engagement", no_reposts=True, rollup=r, engine=engine),
            lambda r: an.audience(store, "yesallwomen", rollup=r, engine=engine),
            lambda r: an.cotags(store, "yesallwomen", rollup=r, engine=engine),
            lambda r: an.variants(store, "everydaysexism", rollup=r, engine=engine),
            lambda r: an.velocity(store, "yesallwomen", milestones=(2, 5), rollup=r, engine=engine),
        ]
        for call in calls:
            assert _data(call(True)) == _data(call(False))
    finally:
        store.close()
