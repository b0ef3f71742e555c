"""places' cache of place mentions per posts file (analytics/places_cache.py): the cached answer equals the
scan of the text (``rollup=False``) for every option, from a fresh store object, after new commits,
deletions and forget; and what a forgotten post said leaves the cache on disk with it."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from tagscope.analytics import places, places_cache
from tagscope.analytics.places_gazetteer import load
from tagscope.simulate import content, simulate
from tagscope.store import Store
from tagscope.store.forget import forget
from tweetfactory import delete_notice, tweet, write_jsonl

TAG = "savethem"
OPTIONS = [
    {},
    {"top": 3},
    {"no_reposts": True},
    {"platform": "reddit"},
    {"platform": "bluesky", "no_reposts": True},
    {"every": "day"},
    {"every": "hour", "tz": "America/New_York"},
    {"since": "2014-05-25", "until": "2014-05-27"},
    {"since": "2014-05-25T10:30:15", "until": "2014-05-26T08:00:01", "every": "day"},  # edges off the minute
    {"since": "2014-05-25", "tz": "Asia/Tokyo", "every": "day"},
]


def _same(store, tag: str, **kw) -> dict:
    cached = places(store, tag, **kw)
    scanned = places(store, tag, rollup=False, **kw)
    assert cached.data == scanned.data, kw
    assert cached.table.equals(scanned.table), kw
    return cached.data


def _cache_files(store) -> list[str]:
    folder = places_cache.cache_dir(store)
    return sorted(os.listdir(folder)) if folder.is_dir() else []


@pytest.mark.parametrize("kw", OPTIONS, ids=[str(sorted(k.items())) for k in OPTIONS])
@pytest.mark.parametrize("tag", [content.MAIN, content.COUNTER])
def test_cached_equals_scan_for_every_option(multi, tag, kw):
    data = _same(multi, tag, **kw)
    if not kw:
        assert data["places"] and data["posts_naming_a_place"]  # the campaign plants places: not a vacuous test
    # one cache file per posts file, named after it
    names = {n.rsplit(".", 3)[0] for n in _cache_files(multi)}
    assert names == {os.path.basename(p) for p in multi.files("posts")}


def test_a_fresh_store_object_reads_the_cache_without_matching(multi, monkeypatch):
    places(multi, content.MAIN)  # made by the first call
    before = {n: os.path.getmtime(places_cache.cache_dir(multi) / n) for n in _cache_files(multi)}

    def refuse(*args, **kw):
        raise AssertionError("a cached posts file was matched again")

    monkeypatch.setattr(places_cache, "build", refuse)
    fresh = Store(multi.path)
    try:
        assert places(fresh, content.MAIN, every="day").data == places(multi, content.MAIN, every="day", rollup=False).data
    finally:
        fresh.close()
    assert {n: os.path.getmtime(places_cache.cache_dir(multi) / n) for n in _cache_files(multi)} == before
    fig = places(multi, content.MAIN)
    assert "place_mentions" in fig.explain() and "FROM posts" in fig.explain()


def first_batch() -> list:
    first = tweet("1", "Women in India and Nigeria #SaveThem", user="alice", tags=["SaveThem"])
    return [
        first,
        tweet("2", "India's daughters, Indian women #SaveThem", user="bob", tags=["SaveThem"],
              created="Sat May 24 11:00:00 +0000 2014"),
        tweet("3", "", user="carol", retweet_of=first, tags=["SaveThem"], created="Sat May 24 12:00:00 +0000 2014"),
        tweet("4", "Nothing about anywhere #SaveThem", user="dave", tags=["SaveThem"]),
        tweet("5", "Secret words from Kenya #SaveThem", user="mallory", tags=["SaveThem"],
              created="Sun May 25 08:00:00 +0000 2014"),
    ]


def test_new_commits_deletions_and_forget(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", first_batch()))])
    got = _same(store, TAG)
    assert {r["code"]: r["posts"] for r in got["places"]} == {"IN": 3, "NG": 2, "KE": 1}
    one = _cache_files(store)
    assert len(one) == 1

    # a new file: its cache is added, the first one kept
    later = [tweet("6", "Lagos tonight, then Peru #SaveThem", user="frank", tags=["SaveThem"],
                   created="Mon May 26 09:00:00 +0000 2014")]
    store.ingest([str(write_jsonl(tmp_path / "b.jsonl", later))])
    got = _same(store, TAG, every="day")
    assert {r["code"]: r["posts"] for r in got["places"]} == {"IN": 3, "NG": 3, "KE": 1, "PE": 1}
    assert set(one) < set(_cache_files(store)) and len(_cache_files(store)) == len(store.files("posts"))

    # a deletion rewrites the file holding post 2: its old cache goes, the answer follows
    store.ingest([str(write_jsonl(tmp_path / "c.jsonl", [delete_notice("2", "u-bob")]))])
    got = _same(store, TAG)
    assert {r["code"]: r["posts"] for r in got["places"]} == {"IN": 2, "NG": 3, "KE": 1, "PE": 1}

    # forget: the caches of the rewritten files are gone at once (no places call needed) ...
    places(store, TAG)
    forget(store, authors=["mallory"])
    committed = {os.path.basename(p) for p in store.files("posts")}
    assert all(n.rsplit(".", 3)[0] in committed for n in _cache_files(store))
    assert not any(
        "Kenya" in pq.read_table(places_cache.cache_dir(store) / n).column("form").to_pylist()
        for n in _cache_files(store))
    # ... and the next answer no longer counts the forgotten post
    got = _same(store, TAG)
    assert "KE" not in {r["code"] for r in got["places"]}
    for n in _cache_files(store):
        assert "u-mallory" not in pq.read_table(places_cache.cache_dir(store) / n).column("author_id").to_pylist()
    store.close()


def test_another_gazetteer_s_cache_is_dropped_and_remade(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", first_batch()))])
    places(store, TAG)
    (name,) = _cache_files(store)
    stale = name.replace(f".{places_cache.fingerprint(load())}.", ".0000000000.")
    os.rename(places_cache.cache_dir(store) / name, places_cache.cache_dir(store) / stale)
    _same(store, TAG)
    assert _cache_files(store) == [name]
    store.close()


def test_an_empty_store_and_a_tag_nobody_used(tmp_path):
    store = Store(tmp_path / "store")
    assert places(store, TAG).data["places"] == []
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", first_batch()))])
    assert _same(store, "nobodyusedthis")["posts"] == 0
    store.close()


def test_forget_from_a_script_that_imports_only_the_store_drops_the_cache(tmp_path):
    """The package root's loader subscribes the cache to forget, as it does the index and the labels."""
    store = Store(tmp_path / "store")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", first_batch()))])
    places(store, TAG)
    assert _cache_files(store)
    store.close()
    script = (f"from tagscope.store import Store\nfrom tagscope.store.forget import forget\n"
              f"print(forget(Store({str(tmp_path / 'store')!r}), authors=['mallory'])['forgotten'])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=os.environ, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
    after = Store(tmp_path / "store")
    # the one posts file was rewritten: its cache went, the new file's (made by forget's commit) is clean
    assert [n.rsplit(".", 3)[0] for n in _cache_files(after)] == [os.path.basename(p) for p in after.files("posts")]
    assert not any("Kenya" in pq.read_table(places_cache.cache_dir(after) / n).column("form").to_pylist()
                   for n in _cache_files(after))


# The cache is made at ingest (file_written from rows in memory; after_commit from disk for the rest).

@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """A campaign just ingested (with delete notices, so the end-of-run rewrite emits file_written),
    no `places` call yet; which files were made from rows in memory and which from disk."""
    folder = tmp_path_factory.mktemp("campaign-ingest")
    truth = simulate(folder, posts=2500, seed=11, platforms=("twitter", "bluesky", "mastodon", "reddit"))
    store = Store(tmp_path_factory.mktemp("store-ingest"))
    made: dict[str, int] = {"memory": 0, "disk": 0}
    mp = pytest.MonkeyPatch()
    real_rows, real_build = places_cache.rows_of, places_cache.build

    def rows_of(table, gazetteer):
        made["memory"] += 1
        return real_rows(table, gazetteer)

    def build(posts_file, gazetteer):
        made["disk"] += 1
        made["memory"] -= 1  # build reads the file, then calls rows_of
        return real_build(posts_file, gazetteer)

    mp.setattr(places_cache, "rows_of", rows_of)
    mp.setattr(places_cache, "build", build)
    mp.setattr("tagscope.store.ingest.BATCH_POSTS", 400)  # several batch files
    try:
        store.ingest([str(folder / f["path"]) for f in truth["files"].values()])
        # delete notices for posts of two files: the deletion rewrite emits file_written
        gone = store.sql("SELECT id, author_id FROM posts WHERE platform = 'twitter' "
                         "ORDER BY created_at DESC, id LIMIT 5").to_pylist()
        assert gone
        notices = write_jsonl(folder / "deletes.jsonl", [delete_notice(r["id"], r["author_id"]) for r in gone])
        assert store.ingest([str(notices)])["deleted"] == len(gone)
    finally:
        mp.undo()
    yield store, made
    store.close()


def test_the_cache_is_there_right_after_ingest(ingested):
    store, made = ingested
    names = {n.rsplit(".", 3)[0] for n in _cache_files(store)}
    assert names == {os.path.basename(p) for p in store.files("posts")}
    # the deletion rewrite's files come from memory, the batches' own files from disk
    assert made["memory"] >= 1 and made["disk"] >= 1
    assert made["memory"] + made["disk"] >= len(names)


@pytest.mark.parametrize("kw", OPTIONS, ids=[str(sorted(k.items())) for k in OPTIONS])
@pytest.mark.parametrize("tag", [content.MAIN, content.COUNTER])
def test_ingest_s_cache_answers_as_the_scan_without_matching_again(ingested, tag, kw, monkeypatch):
    store, _ = ingested

    def refuse(*args, **kw):
        raise AssertionError("a posts file was matched again after ingest")

    before = {n: os.path.getmtime(places_cache.cache_dir(store) / n) for n in _cache_files(store)}
    monkeypatch.setattr(places_cache, "build", refuse)
    data = _same(store, tag, **kw)
    if not kw:
        assert data["places"] and data["posts_naming_a_place"]
    assert {n: os.path.getmtime(places_cache.cache_dir(store) / n) for n in _cache_files(store)} == before


def test_a_failing_cache_write_does_not_fail_the_ingest(tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    batch = [*first_batch(), delete_notice("4", "u-dave")]  # the deletion rewrite emits file_written too

    def full(path, rows):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(places_cache, "_write", full)
    with pytest.warns(places_cache.PlacesCacheWarning, match="No space left"):
        summary = store.ingest([str(write_jsonl(tmp_path / "a.jsonl", batch))])
    assert summary["ingested"] == 4 and summary["deleted"] == 1
    assert _cache_files(store) == []
    monkeypatch.undo()
    got = _same(store, TAG)  # the lazy path makes them
    assert {r["code"]: r["posts"] for r in got["places"]} == {"IN": 3, "NG": 2, "KE": 1}
    assert len(_cache_files(store)) == len(store.files("posts"))
    store.close()


def test_a_cache_made_for_a_file_whose_commit_failed_does_not_survive(tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", first_batch()))])
    committed = set(_cache_files(store))
    real_commit = store.commit

    def failing(changes):
        if any("-d" in name for name in changes.get("posts", ([], []))[0]):
            raise OSError("the disk went away")  # the deletion rewrite's commit fails
        real_commit(changes)

    monkeypatch.setattr(store, "commit", failing)
    with pytest.raises(OSError, match="went away"):
        store.ingest([str(write_jsonl(tmp_path / "b.jsonl", [delete_notice("5", "u-mallory")]))])
    monkeypatch.undo()
    orphans = set(_cache_files(store)) - committed
    assert orphans and all("-d" in n for n in orphans)  # made from the rows of the file never committed
    # the next commit drops them (a forget would too: it prunes at once)
    store.ingest([str(write_jsonl(tmp_path / "c.jsonl", [tweet("9", "Hello Chile #SaveThem", user="zoe",
                                                               tags=["SaveThem"])]))])
    names = _cache_files(store)
    assert not orphans & set(names)
    assert {n.rsplit(".", 3)[0] for n in names} == {os.path.basename(p) for p in store.files("posts")}
    got = _same(store, TAG)
    assert "KE" not in {r["code"] for r in got["places"]}  # the deletion was applied by the recovery
    store.close()


def test_an_orphan_cache_is_dropped_by_forget(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", first_batch()))])
    (posts_file,) = store.files("posts")
    never = str(store.path / "posts" / "part-999999-0123456789ab-d0.parquet")
    places_cache.add_file(store, never, pq.read_table(posts_file))
    assert any(n.startswith("part-999999") for n in _cache_files(store))
    forget(store, authors=["mallory"])
    assert not any(n.startswith("part-999999") for n in _cache_files(store))
    store.close()
