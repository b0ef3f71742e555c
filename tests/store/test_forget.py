"""`forget` removes an author's posts, their raw records and reposts of them, and keeps them out."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from tagscope.cli import app
from tagscope.engines import engine_for
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl


def test_forget_author(tmp_path) -> None:
    store_dir = tmp_path / "store"
    orig = tweet("10", "my story #YesAllWomen", user="carol", tags=["YesAllWomen"])
    f = write_jsonl(tmp_path / "a.jsonl", [orig, tweet("11", user="dave"), tweet("12", user="dave", retweet_of=orig)])
    st = Store(store_dir)
    st.ingest([str(f)])
    res = CliRunner().invoke(app, ["forget", "--author", "@Carol", "--store", str(store_dir), "--json"])
    assert res.exit_code == 0, res.output
    out = orjson.loads(res.stdout)
    assert out["forgotten"] == 2 and out["raw_records_purged"] == 2
    st.refresh()
    assert st.posts().column("id").to_pylist() == ["11"]
    assert st.sql("SELECT id FROM raw").column("id").to_pylist() == ["11"]
    # A later copy stays out.
    s = st.ingest([str(f)])
    assert s["ingested"] == 0
    assert st.posts().column("id").to_pylist() == ["11"]


def test_forget_needs_a_target(tmp_path) -> None:
    res = CliRunner().invoke(app, ["forget", "--store", str(tmp_path / "s")])
    assert res.exit_code == 2
    assert "--author" in res.output


def test_forget_deleted_purges_the_raw_records_deletions_left(tmp_path) -> None:
    """A notice in a later run removes its post from posts/ at once; its raw record stays until
    `forget --deleted`, which leaves every other record (and the posts) as they were."""
    from tweetfactory import delete_notice

    store_dir = tmp_path / "store"
    st = Store(store_dir)
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet(str(i)) for i in range(1, 6)]))])
    st.ingest([str(write_jsonl(tmp_path / "b.jsonl", [delete_notice("2"), delete_notice("4"), tweet("6")]))])
    assert sorted(st.posts().column("id").to_pylist()) == ["1", "3", "5", "6"]
    assert sorted(st.sql("SELECT id FROM raw").column("id").to_pylist()) == ["1", "2", "3", "4", "5", "6"]
    res = CliRunner().invoke(app, ["forget", "--deleted", "--store", str(store_dir), "--json"])
    assert res.exit_code == 0, res.output
    out = orjson.loads(res.stdout)
    assert (out["deleted_raw_records_purged"], out["forgotten"], out["raw_records_purged"]) == (2, 0, 0)
    st.refresh()
    assert sorted(st.sql("SELECT id FROM raw").column("id").to_pylist()) == ["1", "3", "5", "6"]
    assert sorted(st.posts().column("id").to_pylist()) == ["1", "3", "5", "6"]
    res = CliRunner().invoke(app, ["forget", "--deleted", "--author", "alice", "--store", str(store_dir)])
    assert res.exit_code == 0 and "Forgot 4 posts" in res.output and "Purged 0 raw records of deleted" in res.output
    st.refresh()
    assert st.sql("SELECT id FROM raw").num_rows == 0 and st.posts().num_rows == 0


def test_forget_by_handle_takes_the_account_under_every_handle(tmp_path) -> None:
    """People change handles: `forget --author @carol_now` left the posts the same account (author id)
    wrote as @carol_then, text and raw records included."""
    store_dir = tmp_path / "store"
    f = write_jsonl(tmp_path / "a.jsonl", [tweet("10", "my story", user="carol_then", uid="42"),
                                          tweet("11", "later", user="carol_now", uid="42"),
                                          tweet("12", user="dave", uid="7")])
    st = Store(store_dir)
    st.ingest([str(f)])
    res = CliRunner().invoke(app, ["forget", "--author", "@carol_now", "--store", str(store_dir), "--json"])
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["forgotten"] == 2
    st.refresh()
    assert st.posts().column("id").to_pylist() == ["12"]
    assert st.sql("SELECT id FROM raw").column("id").to_pylist() == ["12"]


def test_forget_drops_the_labels_of_forgotten_posts(tmp_path) -> None:
    """Labels (testimony, sexism...) are derived from the forgotten text: they go with the posts."""
    from tagscope.classify import labels

    store_dir = tmp_path / "store"
    orig = tweet("10", "my story #YesAllWomen", user="carol", tags=["YesAllWomen"])
    st = Store(store_dir)
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [orig, tweet("11", user="dave"),
                                                      tweet("12", user="dave", retweet_of=orig)]))])
    for model in ("testimony", "stance"):
        labels.write(st, model, "v1", ["twitter"] * 3, ["10", "11", "12"], ["yes", "no", "yes"], [0.9, 0.1, 0.8])
    res = CliRunner().invoke(app, ["forget", "--author", "carol", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    st.refresh()
    assert engine_for(st).query("SELECT model, id FROM label_rows ORDER BY model", needs=("label_rows",)).to_pylist() == [
        {"model": "stance", "id": "11"}, {"model": "testimony", "id": "11"}]
    st.close()


def test_forget_scrubs_copies_of_the_posts_embedded_in_other_records(tmp_path) -> None:
    """A quote's raw record embeds the quoted post (v1.1 ``quoted_status``, v2 ``includes``): text, handle,
    bio. Forgetting the quoted author left all of it in raw/; the quote itself stays, and remaps the same."""
    from tagscope.store.remap import remap

    store_dir = tmp_path / "store"
    orig = tweet("10", "I was followed home #YesAllWomen", user="carol", uid="42", tags=["YesAllWomen"])
    orig["user"]["description"] = "survivor, she/her"
    quote = tweet("11", "Please read this", user="dave", uid="7", is_quote_status=True,
                  quoted_status_id_str="10", quoted_status=orig)
    quote["entities"]["user_mentions"] = [{"screen_name": "carol", "name": "Carol Realname", "id_str": "42"}]
    page = _quote_page("21", "20", "carol", "I was followed home")
    st = Store(store_dir)
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [orig, quote])), str(write_jsonl(tmp_path / "b.jsonl", [page]))])
    before = {r["id"]: r for r in st.posts().to_pylist()}
    res = CliRunner().invoke(app, ["forget", "--author", "carol", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    st.refresh()
    raw = b"".join(st.sql("SELECT raw FROM raw").column("raw").to_pylist()).lower()
    assert b"followed home" not in raw and b"realname" not in raw and b"survivor" not in raw
    assert b'"screen_name":"carol"' in raw  # dave's own mention of her stays, as his text does
    remap(st)
    after = {r["id"]: r for r in st.posts().to_pylist()}
    assert sorted(after) == ["11", "21"]
    for pid in after:
        assert {k: v for k, v in after[pid].items() if k != "source_file"} == \
            {k: v for k, v in before[pid].items() if k != "source_file"}
    st.close()


def test_forget_leaves_no_forgotten_text_in_the_search_index_files(tmp_path) -> None:
    """tantivy only marks deleted documents: a segment that also holds posts of a file forget did not
    rewrite kept the forgotten text on disk (unsearchable, yet readable) until a merge that may never come."""
    import pytest

    pytest.importorskip("tantivy")
    from tagscope.search import index, search

    store_dir = tmp_path / "store"
    st = Store(store_dir)
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet(str(100 + i), f"common words {i}", user=f"u{i}")
                                                      for i in range(20)]))])
    st.ingest([str(write_jsonl(tmp_path / "b.jsonl", [tweet("900", "zanzibarquokka story", user="hidethisperson"),
                                                      tweet("901", "more words", user="other")]))])
    with st.writer():
        index.reindex(st)  # one segment holding both posts files

    def on_disk() -> bool:
        return any(b"zanzibarquokka" in f.read_bytes() for f in index.folder(st).rglob("*") if f.is_file())

    assert on_disk() and search(st, "zanzibarquokka").total == 1
    res = CliRunner().invoke(app, ["forget", "--author", "hidethisperson", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    st.refresh()
    assert not on_disk()
    assert search(st, "zanzibarquokka").total == 0 and search(st, "words").total == 21
    st.close()


def test_forget_deleted_leaves_no_deleted_text_in_the_search_index_files(tmp_path) -> None:
    """`forget --deleted` purges what deleted posts left behind: their text in tantivy's segments too."""
    import pytest

    pytest.importorskip("tantivy")
    from tagscope.search import index, search
    from tweetfactory import delete_notice

    store_dir = tmp_path / "store"
    st = Store(store_dir)
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("1", "common words"), tweet("2", "more words")]))])
    st.ingest([str(write_jsonl(tmp_path / "b.jsonl", [tweet("3", "zanzibarquokka story"), tweet("4", "words")]))])
    with st.writer():
        index.reindex(st)  # one segment holding both posts files
    st.ingest([str(write_jsonl(tmp_path / "c.jsonl", [delete_notice("3")]))])
    assert search(st, "zanzibarquokka").total == 0

    def on_disk() -> bool:
        return any(b"zanzibarquokka" in f.read_bytes() for f in index.folder(st).rglob("*") if f.is_file())

    assert on_disk()
    res = CliRunner().invoke(app, ["forget", "--deleted", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    st.refresh()
    assert not on_disk() and search(st, "words").total == 3
    st.close()


def test_a_later_repost_of_a_forgotten_post_stays_out(tmp_path) -> None:
    """A repost carries the reposted text: forget removes the reposts it finds, and one arriving in a
    later ingest brought the forgotten text back."""
    store_dir = tmp_path / "store"
    orig = tweet("10", "my private story #YesAllWomen", user="carol", uid="42", tags=["YesAllWomen"])
    st = Store(store_dir)
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [orig, tweet("11", user="dave")]))])
    res = CliRunner().invoke(app, ["forget", "--author", "carol", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    st.refresh()
    later = write_jsonl(tmp_path / "b.jsonl", [tweet("12", user="erin", retweet_of=orig), tweet("14", user="erin")])
    summary = st.ingest([str(later)])
    assert summary["ingested"] == 1 and summary["skipped_deleted"] == 1
    assert sorted(st.posts().column("id").to_pylist()) == ["11", "14"]
    assert b"private story" not in b"".join(st.sql("SELECT raw FROM raw").column("raw").to_pylist())
    st.close()


def test_forget_scrubs_gnip_quoted_copies(tmp_path) -> None:
    """Gnip embeds a quoted post as ``twitter_quoted_status`` (body, actor with display name and bio)."""
    from tagscope.store.remap import remap
    from tweetfactory import DATA

    st = Store(tmp_path / "store")
    st.ingest([str(DATA / "gnip" / "tweet_parser_activity_streams_examples.jsonl")])
    before = {r["id"]: r for r in st.posts().to_pylist()}
    res = CliRunner().invoke(app, ["forget", "--author", "notFromShrek", "--store", str(st.path)])
    assert res.exit_code == 0, res.output
    st.refresh()
    raw = b"".join(st.sql("SELECT raw FROM raw").column("raw").to_pylist()).decode()
    assert "A startling number of technical people" not in raw and "Fiona" not in raw
    remap(st)
    after = {r["id"]: r for r in st.posts().to_pylist()}
    assert after and all(pid in before for pid in after)
    for pid in after:
        assert {k: v for k, v in after[pid].items() if k != "source_file"} == \
            {k: v for k, v in before[pid].items() if k != "source_file"}
    st.close()


def test_forget_takes_reposts_of_posts_the_store_never_held(tmp_path) -> None:
    """Collections hold many retweets whose original was never captured; each carries the original's
    text. forget only took reposts of posts it found in the store, so all of these stayed."""
    orig = tweet("10", "my private story #YesAllWomen", user="carol", uid="42", tags=["YesAllWomen"])
    other = tweet("20", "another story", user="bea", uid="43")
    recs = [tweet("11", user="dave", retweet_of=orig), tweet("12", user="erin", retweet_of=orig),
            tweet("21", user="erin", retweet_of=other), tweet("30", user="erin")]
    for args, left in ((["--author", "Carol"], ["21", "30"]), (["--post", "20"], ["30"])):
        if args[0] == "--author":
            st = Store(tmp_path / "store")
            st.ingest([str(write_jsonl(tmp_path / "a.jsonl", recs))])
        res = CliRunner().invoke(app, ["forget", *args, "--store", str(tmp_path / "store")])
        assert res.exit_code == 0, res.output
        st.refresh()
        assert sorted(st.posts().column("id").to_pylist()) == left
        assert sorted(st.sql("SELECT id FROM raw").column("id").to_pylist()) == left
    st.close()


def test_a_forgotten_account_stays_out_of_later_ingests(tmp_path) -> None:
    """`forget --author` promises a person to be removed: their posts arriving in a later ingest (also
    under a new handle, and reposts of them) were stored again, since tombstones name only the posts
    forgotten. Later quotes keep no embedded copy of the account's posts (v1.1 and v2)."""
    store_dir = tmp_path / "store"
    st = Store(store_dir)
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("10", "my story", user="carol", uid="42"),
                                                      tweet("11", user="dave", uid="7")]))])
    res = CliRunner().invoke(app, ["forget", "--author", "carol", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    st.refresh()
    new = tweet("30", "my new private story", user="carol_2", uid="42")
    new["user"]["description"] = "survivor, she/her"
    quote = tweet("31", "Please read this", user="dave", uid="7", is_quote_status=True,
                  quoted_status_id_str="30", quoted_status=new)
    page = _quote_page("41", "40", "carol_2", "my new private story")
    later = [new, tweet("32", user="erin", uid="8", retweet_of=tweet("33", "a private story", user="carol", uid="42")),
             quote, tweet("34", user="erin", uid="8")]
    summary = st.ingest([str(write_jsonl(tmp_path / "b.jsonl", later)), str(write_jsonl(tmp_path / "c.jsonl", [page]))])
    assert summary["skipped_deleted"] == 2 and summary["ingested"] == 3
    assert sorted(st.posts().column("id").to_pylist()) == ["11", "31", "34", "41"]
    raw = b"".join(st.sql("SELECT raw FROM raw").column("raw").to_pylist()).lower()
    assert b"private story" not in raw and b"survivor" not in raw
    # A store without forgotten accounts stores the same records as they came.
    other = Store(tmp_path / "other")
    assert other.ingest([str(tmp_path / "b.jsonl")])["ingested"] == 4
    st.close()
    other.close()


def test_forget_by_id_before_the_posts_arrive_keeps_them_out(tmp_path) -> None:
    """An account id named before any of its posts was ingested is remembered too."""
    store_dir = tmp_path / "store"
    res = CliRunner().invoke(app, ["forget", "--author", "42", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    st = Store(store_dir)
    summary = st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("10", "story", user="carol", uid="42"),
                                                                tweet("11", user="dave", uid="7")]))])
    assert summary["ingested"] == 1 and summary["skipped_deleted"] == 1
    assert st.posts().column("id").to_pylist() == ["11"]
    st.close()


def test_forgetting_an_account_does_not_forget_its_id_on_another_platform(tmp_path) -> None:
    """Account ids are per platform: forget recorded every platform's account with the same id."""
    from datetime import datetime

    from tagscope.post import POST_SCHEMA, new_post
    from tagscope.store import commit
    from tagscope.store.tables import RAW_SCHEMA, to_table

    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("10", "story", user="carol", uid="42")]))])
    def toot(pid: str) -> dict:
        return new_post(platform="mastodon", id=pid, author_id="42", author_handle="zed",
                        created_at=datetime(2014, 5, 25), text="hello", hashtags=[], hashtags_norm=[], mentions=[],
                        urls=[], domains=[], kind="original")

    with st.writer():
        commit.commit_batch(st, to_table([toot("m1")], POST_SCHEMA), RAW_SCHEMA.empty_table(), [], [], "t")
    res = CliRunner().invoke(app, ["forget", "--author", "carol", "--store", str(st.path)])
    assert res.exit_code == 0, res.output
    st.refresh()
    assert st.sql("SELECT DISTINCT platform FROM forgotten").column("platform").to_pylist() == ["twitter"]
    with st.writer():
        out = commit.commit_batch(st, to_table([toot("m2")], POST_SCHEMA), RAW_SCHEMA.empty_table(), [], [], "u")
    assert out["new"] == 1
    st.close()


def _quote_page(pid: str, quoted: str, handle: str, text: str) -> dict:
    """A twarc2 page: erin (8) quotes account 42's post QUOTED, whose copy and author (HANDLE, with a
    bio) the page's includes carry."""
    return {"data": [{"id": pid, "text": "Read this", "author_id": "8", "created_at": "2014-05-25T10:00:00.000Z",
                      "referenced_tweets": [{"type": "quoted", "id": quoted}]}],
            "includes": {"users": [{"id": "8", "username": "erin", "name": "Erin"},
                                   {"id": "42", "username": handle, "name": "Carol", "description": "survivor"}],
                         "tweets": [{"id": quoted, "text": text, "author_id": "42",
                                     "created_at": "2014-05-25T09:00:00.000Z"}]}}


def test_a_raw_record_no_registered_format_can_scrub_is_dropped_whole() -> None:
    """forget asks each record's own format to scrub it; a record of a format this version does not
    know (a store written by one with more formats) cannot be scrubbed, so it is not kept as it is."""
    import pyarrow as pa

    from tagscope.formats import Forgotten
    from tagscope.store import scrub

    raw = pa.chunked_array([pa.array([b'{"user": {"id_str": "42"}, "text": "hi"}',
                                      b'{"quoted_status": {"id_str": "9", "user": {"id_str": "42"}, "text": "mine"}}',
                                      b'{"user": {"id_str": "7"}}'], pa.binary())])
    fmts = pa.chunked_array([pa.array(["no-such-format", "twitter-v1", "twitter-v1"])])
    edits = scrub.scrubbed(raw, fmts, [0, 1, 2], Forgotten.of(accounts=["42"]))
    assert edits == {0: None, 1: b'{"quoted_status":{"id_str":"9"}}'}
