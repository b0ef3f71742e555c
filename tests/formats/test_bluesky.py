"""Bluesky (Jetstream events): the mapping, facets, reposts, deletes, bad times, end to end.

The contract test (test_contract.py) runs the goldens, sniffing, a cut record and forget on the real
fixtures; here are the Bluesky rules those do not name. The real fixtures have no quote, mention,
malformed facet or bad ``createdAt``: the records below are made up (no real person).
"""

from __future__ import annotations

import contextlib
import copy
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from formats.test_properties import _check, with_one_value_replaced
from tagscope import formats
from tagscope.cli import app
from tagscope.formats.base import json_records
from tagscope.formats.bluesky import jetstream, record
from tagscope.post import Handle, Tombstone
from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data" / "bluesky-jetstream"
EXPECTED = DATA / "jetstream_expected_v1.jsonl"
GOLDEN = DATA / "jetstream_golden_v1.jsonl"
US_2014_05_24 = 1400889600 * 1_000_000  # 2014-05-24T00:00:00Z in microseconds
HOUR = 3600 * 1_000_000


def _uri(did: str, rkey: str, collection: str = "app.bsky.feed.post") -> str:
    return f"at://{did}/{collection}/{rkey}"


def _tag(start: int, end: int, tag: str | None) -> dict[str, Any]:
    feature: dict[str, Any] = {"$type": "app.bsky.richtext.facet#tag"}
    if tag is not None:
        feature["tag"] = tag
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def _event(did: str, rkey: str, at_us: int, collection: str = "app.bsky.feed.post", op: str = "create",
           rec: dict[str, Any] | None = None) -> dict[str, Any]:
    commit: dict[str, Any] = {"rev": "3x", "operation": op, "collection": collection, "rkey": rkey}
    if rec is not None:
        commit["record"] = {"$type": collection, **rec}
        commit["cid"] = "bafyfake"
    return {"did": did, "time_us": at_us, "kind": "commit", "commit": commit}


ALICE, BOB, CAROL, DAVE, ERIN, FRANK = (f"did:plc:{n}fake" for n in ("alice", "bob", "carol", "dave", "erin", "frank"))
ALICE_POST = _uri(ALICE, "3a1")
# "✨ " is 4 UTF-8 bytes (3 + 1): the tag's byte offsets are 4..16, its character offsets 2..14.
CAMPAIGN = [
    _event(ALICE, "3a1", US_2014_05_24 + 12 * HOUR, rec={
        "text": "✨ #YesAllWomen matters", "createdAt": "2014-05-24T12:00:00.000Z", "langs": ["en"],
        "facets": [_tag(4, 16, "YesAllWomen")]}),
    # A tag facet without its tag (read from the text's bytes) and a client clock at year 0000.
    _event(BOB, "3b1", US_2014_05_24 + 13 * HOUR, rec={
        "text": "agreed #yesallwomen", "createdAt": "0000-01-01T00:00:00Z", "facets": [_tag(7, 19, None)],
        "reply": {"root": {"uri": ALICE_POST, "cid": "c"}, "parent": {"uri": ALICE_POST, "cid": "c"}}}),
    # A quote with media, a mention, a link, a reversed facet index and a record tag not in the text.
    _event(CAROL, "3c1", US_2014_05_24 + 33 * HOUR, rec={
        "text": "no. #NotAllMen @alice.example", "createdAt": "2014-05-25T09:00:00+00:00", "tags": ["Backlash"],
        "facets": [_tag(4, 14, "NotAllMen"),
                   {"index": {"byteStart": 15, "byteEnd": 29},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ALICE}]},
                   {"index": {"byteStart": 9, "byteEnd": 2}, "features": [{"$type": "app.bsky.richtext.facet#tag"}]},
                   {"index": "bad", "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/x"}]},
                   {"features": "bad"}],
        "embed": {"$type": "app.bsky.embed.recordWithMedia",
                  "record": {"$type": "app.bsky.embed.record", "record": {"uri": ALICE_POST, "cid": "c"}},
                  "media": {"$type": "app.bsky.embed.images", "images": []}}}),
    _event(DAVE, "3d1", US_2014_05_24 + 15 * HOUR, "app.bsky.feed.repost", rec={
        "subject": {"uri": ALICE_POST, "cid": "c"}, "createdAt": "2014-05-24T15:00:00Z"}),
    # A repost of a post this store never sees.
    _event(ERIN, "3e1", US_2014_05_24 + 16 * HOUR, "app.bsky.feed.repost", rec={
        "subject": {"uri": _uri("did:plc:elsewherefake", "3z9"), "cid": "c"}, "createdAt": "2014-05-24T16:00:00Z"}),
    _event(DAVE, "3d2", US_2014_05_24 + 15 * HOUR, "app.bsky.feed.like", rec={
        "subject": {"uri": ALICE_POST, "cid": "c"}, "createdAt": "2014-05-24T15:00:00Z"}),
    {"did": BOB, "time_us": US_2014_05_24, "kind": "identity",
     "identity": {"did": BOB, "handle": "bob.example", "seq": 1, "time": "2014-05-24T00:00:00Z"}},
    _event(FRANK, "3f1", US_2014_05_24 + 17 * HOUR, rec={
        "text": "#YesAllWomen", "createdAt": "2014-05-24T17:00:00Z", "facets": [_tag(0, 12, "YesAllWomen")]}),
    _event(FRANK, "3f1", US_2014_05_24 + 18 * HOUR, op="delete"),
    _event(BOB, "3b2", US_2014_05_24 + 19 * HOUR),  # a create without its record: quarantined
]


def _one(obj: dict[str, Any]) -> Any:
    items = jetstream.parse(obj)
    assert len(items) == 1
    return items[0]


def test_a_post_by_at_uri_with_tags_from_facet_byte_offsets() -> None:
    p = _one(CAMPAIGN[0])
    assert (p["platform"], p["id"], p["author_id"], p["author_handle"]) == ("bluesky", ALICE_POST, ALICE, None)
    assert (p["hashtags"], p["hashtags_norm"], p["lang"], p["kind"]) == (["YesAllWomen"], ["yesallwomen"], "en", "original")
    assert (p["created_at"], p["conversation_id"]) == (datetime(2014, 5, 24, 12), ALICE_POST)


def test_a_tag_facet_without_its_tag_reads_the_text_and_year_0000_falls_back_to_time_us() -> None:
    p = _one(CAMPAIGN[1])
    assert p["hashtags"] == ["yesallwomen"]
    assert p["created_at"] == datetime(2014, 5, 24, 13)  # time_us: createdAt "0000-01-01" is no time
    assert (p["kind"], p["reply_to_id"], p["reply_to_user_id"], p["conversation_id"]) == ("reply", ALICE_POST, ALICE, ALICE_POST)


def test_a_quote_with_media_mentions_and_malformed_facets() -> None:
    p = _one(CAMPAIGN[2])
    assert (p["kind"], p["quote_of_id"]) == ("quote", ALICE_POST)
    assert p["hashtags"] == ["NotAllMen", "Backlash"]  # the facet, then record.tags (not in the text)
    assert p["mentions"] == ["alice.example"]  # the handle as the text shows it
    assert p["urls"] == ["https://example.org/x"]  # a link facet's uri needs no index
    plain = _event(CAROL, "3c2", 1, rec={"text": "q", "createdAt": "2014-05-25T09:00:00Z",
                                         "embed": {"$type": "app.bsky.embed.record", "record": {"uri": ALICE_POST}}})
    assert (_one(plain)["kind"], _one(plain)["quote_of_id"]) == ("quote", ALICE_POST)


@pytest.mark.parametrize(("facets", "tags", "mentions"), [
    (None, [], []),
    ("not a list", [], []),
    ([{"index": {"byteStart": 0, "byteEnd": 99}, "features": [{"$type": "app.bsky.richtext.facet#tag"}]}], [], []),
    ([{"index": {"byteStart": 0, "byteEnd": 4}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": 5}]}], ["#tag"], []),
    ([{"index": {"byteStart": 0, "byteEnd": 4}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "#"}]}], [], []),
    ([{"index": {"byteStart": 5, "byteEnd": 9}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:x"}]}], [], ["did:plc:x"]),
    ([{"index": {"byteStart": 5, "byteEnd": 8}, "features": [{"$type": "app.bsky.richtext.facet#mention"}]}], [], []),
])
def test_malformed_facets_are_skipped(facets: Any, tags: list[str], mentions: list[str]) -> None:
    found_tags, found_mentions, _ = record.facets("#tag text", facets)
    assert (found_tags, found_mentions) == (tags, mentions)


def test_a_repost_points_at_its_subject_and_has_no_tags() -> None:
    r = _one(CAMPAIGN[3])
    assert (r["id"], r["kind"], r["repost_of_id"], r["repost_of_author"]) == (
        _uri(DAVE, "3d1", "app.bsky.feed.repost"), "repost", ALICE_POST, ALICE)
    assert (r["text"], r["hashtags_norm"]) == (None, [])


def test_likes_identity_and_other_collections_map_to_nothing_and_a_delete_to_a_tombstone() -> None:
    assert jetstream.parse(CAMPAIGN[5]) == []
    # an identity event is no post: the handle it names goes to the store's handles table
    assert jetstream.parse(CAMPAIGN[6]) == [Handle("bluesky", BOB, "bob.example", datetime(2014, 5, 24))]
    assert jetstream.parse({"did": ALICE, "time_us": 1, "kind": "account", "account": {"active": False}}) == []
    t = _one(CAMPAIGN[8])
    assert t == Tombstone("bluesky", _uri(FRANK, "3f1"), "deleted", datetime(2014, 5, 24, 18))
    assert jetstream.parse(_event(ALICE, "3zz", 1, "app.bsky.graph.follow", "delete")) == []


@pytest.mark.parametrize(("obj", "reason"), [
    ([1], "record is not a JSON object"),
    ({"did": ALICE, "time_us": 1}, "missing kind"),
    ({"did": ALICE, "time_us": 1, "kind": "commit"}, "missing commit"),
    (CAMPAIGN[9], "missing commit.record"),
    (_event(ALICE, "a/b", 1, op="delete"), "bad commit.rkey: 'a/b'"),
    (_event("alice", "3a", 1, op="delete"), "bad did: 'alice'"),
    (_event(ALICE, "3a", 1, op="wipe"), "unknown commit.operation: 'wipe'"),
    ({**_event(ALICE, "3a", 1, rec={"text": "x", "createdAt": "0000-00-00"}), "time_us": None}, "no valid createdAt and no time_us"),
    (_event(ALICE, "3a", 1, "app.bsky.feed.repost", rec={"subject": {}}), "missing subject.uri of a repost"),
])
def test_what_cannot_be_mapped_says_why(obj: Any, reason: str) -> None:
    with pytest.raises(formats.ParseError) as err:
        jetstream.parse(obj)
    assert str(err.value) == reason


def _records(path: Path) -> list[Any]:
    with open(path, "rb") as fh:
        return [rec.obj for rec in json_records(fh, str(path))]


def test_the_real_fixtures_counted_by_hand() -> None:
    """expected_v1: 152 events: 17 post creates, 15 repost creates, 1 post delete; the rest (105 likes,
    follows, blocks, statuses, identity, account) are no posts."""
    items = [it for obj in _records(EXPECTED) for it in jetstream.parse(obj)]
    posts = [it for it in items if isinstance(it, dict)]
    assert len(_records(EXPECTED)) == 152
    assert (sum(p["kind"] == "repost" for p in posts), len(posts), sum(isinstance(t, Tombstone) for t in items)) == (15, 32, 1)
    assert sorted(t for p in posts for t in p["hashtags"]) == [
        "HowToTellAiToShutUp", "IndieRebellion", "balanwonderworldoc", "talesatwonderworld"]
    # One client writes createdAt with "+00:00" and no fraction: read as any RFC 3339 time.
    assert any(p["created_at"] == datetime(2026, 7, 4, 14, 38, 2) for p in posts)


_SAMPLES = [*(r for r in _records(EXPECTED) if r.get("commit", {}).get("collection") == "app.bsky.feed.post"),
            *CAMPAIGN[:5]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_parse_of_an_event_with_any_value_replaced_raises_only_parse_error(data: st.DataObject) -> None:
    obj = with_one_value_replaced(data, _SAMPLES)
    _check("bluesky-jetstream", obj)
    # Nothing is lost unsaid: an event is at most one post or tombstone, or quarantined with a reason.
    with contextlib.suppress(formats.ParseError):
        assert len(jetstream.parse(obj)) <= 1


def test_a_later_delete_removes_the_post(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(orjson.dumps(CAMPAIGN[7]) + b"\n")
    second.write_bytes(orjson.dumps(CAMPAIGN[8]) + b"\n")
    with Store(tmp_path / "s") as store:
        store.ingest([str(first)])
        assert store.posts().num_rows == 1
        store.ingest([str(second)])
        assert store.posts().num_rows == 0
        assert store.sql("SELECT id, reason FROM tombstones").to_pylist() == [{"id": _uri(FRANK, "3f1"), "reason": "deleted"}]


def test_end_to_end_ingest_stats_count_trend(tmp_path: Path) -> None:
    runner = CliRunner()
    campaign = tmp_path / "jetstream_campaign.jsonl"
    campaign.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in CAMPAIGN))
    where = ["--store", str(tmp_path / "store")]

    def js(*args: str) -> Any:
        res = runner.invoke(app, [*args, *where, "--json"])
        assert res.exit_code == 0, res.output
        return orjson.loads(res.stdout)

    summary = js("ingest", str(campaign))
    # 10 events: alice's, bob's and carol's posts, dave's and erin's reposts, frank's post (deleted by the
    # 9th event), a like and an identity event (no posts), and a create without its record.
    assert (summary["records"], summary["ingested"], summary["deleted"], summary["quarantined"]) == (10, 5, 1, 1)
    stats = js("stats")
    assert (stats["posts"], stats["authors"], stats["platforms"], stats["deleted"]) == (5, 5, {"bluesky": 5}, 1)
    assert (stats["first_post"], stats["last_post"]) == ("2014-05-24T12:00:00Z", "2014-05-25T09:00:00Z")
    # alice's post and bob's reply use it, and dave's repost of alice's post (it takes its subject's tags, as a
    # retweet carries them); erin's repost names a post the store never sees; frank's post was deleted.
    assert (summary["reposts_unresolved"], stats["reposts_unresolved"]) == (1, 1)
    assert js("count", "#YesAllWomen")["count"] == 3
    assert js("count", "yesallwomen", "--platform", "bluesky")["count"] == 3
    assert js("count", "yesallwomen", "--platform", "bluesky", "--no-reposts")["count"] == 2
    assert js("count", "yesallwomen", "--platform", "reddit")["count"] == 0
    assert js("count", "notallmen")["count"] == 1
    assert js("count", "backlash")["count"] == 1  # from record.tags alone
    series = js("trend", "yesallwomen", "notallmen", "--every", "day")["series"]
    assert [s for s in series if s["count"]] == [
        {"hashtag": "yesallwomen", "bucket": "2014-05-24T00:00:00Z", "count": 3},
        {"hashtag": "notallmen", "bucket": "2014-05-25T00:00:00Z", "count": 1}]


def test_forget_by_did_takes_the_reposts_of_the_forgotten_author(tmp_path: Path) -> None:
    """Jetstream has no handles: an author is forgotten by DID, and a repost names its subject's DID."""
    from tagscope.store.forget import forget

    path = tmp_path / "c.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in CAMPAIGN[:5]))
    with Store(tmp_path / "s") as store:
        store.ingest([str(path)])
        forget(store, authors=[ALICE])
        store.refresh()
        assert sorted(store.posts().column("author_id").to_pylist()) == [BOB, CAROL, ERIN]
        assert all(b"YesAllWomen matters" not in r for r in store.sql("SELECT raw FROM raw").column("raw").to_pylist())


# AppView responses, made up from the lexicon (app.bsky.feed.defs): the real fixture is one thread post.
def _view(did: str, handle: str, rkey: str, text: str, **extra: Any) -> dict[str, Any]:
    rec = {"$type": "app.bsky.feed.post", "text": text, "createdAt": extra.pop("createdAt", "2014-05-24T12:00:00Z")}
    rec.update(extra.pop("record", {}))
    return {"uri": _uri(did, rkey), "cid": "bafyfake", "author": {"did": did, "handle": handle, "displayName": handle[:5]},
            "record": rec, "likeCount": 7, "repostCount": 2, "replyCount": 1, "quoteCount": 0,
            "indexedAt": "2014-05-24T12:00:05Z", **extra}


ALICE_VIEW = _view(ALICE, "alice.example", "3a1", "✨ #YesAllWomen matters",
                   record={"facets": [_tag(4, 16, "YesAllWomen")]})
QUOTE_VIEW = _view(CAROL, "carol.example", "3c1", "no", record={
    "embed": {"$type": "app.bsky.embed.record", "record": {"uri": ALICE_POST, "cid": "c"}}},
    embed={"$type": "app.bsky.embed.record#view", "record": {
        "$type": "app.bsky.embed.record#viewRecord", "uri": ALICE_POST, "cid": "c",
        "author": {"did": ALICE, "handle": "alice.example"}, "value": ALICE_VIEW["record"],
        "indexedAt": "2014-05-24T12:00:05Z"}})


def test_appview_search_posts_each_post_alone_and_a_bad_view_rejected_alone() -> None:
    from tagscope.formats.bluesky import appview

    bad = {"uri": "nope", "author": {"did": BOB}, "record": {}}
    items = appview.parse({"posts": [ALICE_VIEW, bad, QUOTE_VIEW], "cursor": "x"})
    a, rejected, q = items
    assert (a["id"], a["author_handle"], a["author_name"], a["like_count"], a["hashtags"]) == (
        ALICE_POST, "alice.example", "alice", 7, ["YesAllWomen"])
    assert isinstance(rejected, formats.Rejected) and rejected.reason == "bad uri: 'nope'"
    assert (q["kind"], q["quote_of_id"]) == ("quote", ALICE_POST)
    # Each post's raw record holds it alone, and parses back to it.
    assert [p for p in appview.parse(orjson.loads(q["_raw"]))] == [q]


def test_appview_feed_with_a_repost_reason_and_a_reply_context_that_is_no_post() -> None:
    from tagscope.formats.bluesky import appview

    repost_uri = _uri(DAVE, "3d1", "app.bsky.feed.repost")
    reason = {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": DAVE, "handle": "dave.example"},
              "uri": repost_uri, "indexedAt": "2014-05-24T15:00:00Z"}
    reply = _view(BOB, "bob.example", "3b1", "agreed", createdAt="0000-01-01T00:00:00Z",
                  record={"reply": {"root": {"uri": ALICE_POST}, "parent": {"uri": ALICE_POST}}})
    feed = {"feed": [{"post": ALICE_VIEW, "reason": reason},
                     {"post": reply, "reply": {"root": ALICE_VIEW, "parent": ALICE_VIEW}},
                     {"post": QUOTE_VIEW, "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": ERIN}}}]}
    items = appview.parse(feed)
    assert [(p["id"], p["kind"]) for p in items] == [
        (ALICE_POST, "original"), (repost_uri, "repost"), (reply["uri"], "reply"), (QUOTE_VIEW["uri"], "quote")]
    r = items[1]
    assert (r["author_id"], r["author_handle"], r["repost_of_id"], r["repost_of_author"], r["created_at"]) == (
        DAVE, "dave.example", ALICE_POST, "alice.example", datetime(2014, 5, 24, 15))
    assert items[2]["created_at"] == datetime(2014, 5, 24, 12, 0, 5)  # indexedAt: createdAt is year 0000


def test_appview_thread_parents_post_and_replies() -> None:
    from tagscope.formats.bluesky import appview

    reply = _view(BOB, "bob.example", "3b1", "agreed")
    thread = {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": QUOTE_VIEW,
                         "parent": {"$type": "app.bsky.feed.defs#threadViewPost", "post": ALICE_VIEW,
                                    "parent": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x", "notFound": True}},
                         "replies": [{"$type": "app.bsky.feed.defs#threadViewPost", "post": reply, "replies": []},
                                     {"$type": "app.bsky.feed.defs#blockedPost", "uri": "at://y", "blocked": True}]}}
    assert [p["id"] for p in appview.parse(thread)] == [ALICE_POST, QUOTE_VIEW["uri"], reply["uri"]]


def test_appview_scrub_cuts_a_forgotten_authors_quoted_copy_and_reply_context() -> None:
    from tagscope.formats.bluesky import appview

    feed = {"feed": [{"post": QUOTE_VIEW, "reply": {"root": ALICE_VIEW, "parent": ALICE_VIEW,
                                                    "grandparentAuthor": ALICE_VIEW["author"]}}]}
    before = appview.parse(copy.deepcopy(feed))
    assert not appview.scrub(feed, formats.Forgotten.of(accounts=["did:plc:nobody"]))
    assert appview.scrub(feed, formats.Forgotten.of(handles=["alice.example"]))
    assert b"YesAllWomen matters" not in orjson.dumps(feed) and b"alice.example" not in orjson.dumps(feed)
    assert [{k: v for k, v in p.items() if k != "_raw"} for p in appview.parse(feed)] == [
        {k: v for k, v in p.items() if k != "_raw"} for p in before]


def test_the_same_post_from_jetstream_and_appview_is_one_post(tmp_path: Path) -> None:
    """The URI is the id in both: the AppView copy adds the handle and counts Jetstream lacks."""
    events, views = tmp_path / "j.jsonl", tmp_path / "search.json"
    events.write_bytes(orjson.dumps(CAMPAIGN[0]) + b"\n")
    views.write_bytes(orjson.dumps({"posts": [ALICE_VIEW]}, option=orjson.OPT_INDENT_2))
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(events), str(views)])
        assert [f["format"] for f in summary["files"]] == ["bluesky-jetstream", "bluesky-appview"]
        rows = store.sql("SELECT id, author_handle, like_count, hashtags_norm FROM posts").to_pylist()
        assert rows == [{"id": ALICE_POST, "author_handle": "alice.example", "like_count": 7, "hashtags_norm": ["yesallwomen"]}]


_VIEW_SAMPLES = [{"posts": [ALICE_VIEW, QUOTE_VIEW]}, {"feed": [{"post": QUOTE_VIEW, "reply": {"parent": ALICE_VIEW}}]}]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_appview_parse_and_scrub_of_a_response_with_any_value_replaced(data: st.DataObject) -> None:
    from tagscope.formats.bluesky import appview

    obj = with_one_value_replaced(data, _VIEW_SAMPLES)
    _check("bluesky-appview", obj)
    assert isinstance(appview.scrub(obj, formats.Forgotten.of(ids=[ALICE_POST], handles=["alice.example"])), bool)


def test_indexed_time_and_where_each_tag_came_from() -> None:
    carol = _one(CAMPAIGN[2])  # "Backlash" is a record tag, never in the text
    assert carol["indexed_at"] == datetime(2014, 5, 25, 9)  # time_us
    assert (carol["hashtags"], carol["hashtags_hidden"]) == (["NotAllMen", "Backlash"], ["Backlash"])
    assert _one(CAMPAIGN[0])["hashtags_hidden"] == []
    both = _one(_event(ALICE, "3a9", US_2014_05_24, rec={
        "text": "#YesAllWomen", "createdAt": "2014-05-24T00:00:00Z", "facets": [_tag(0, 12, "YesAllWomen")],
        "tags": ["YesAllWomen", "Hidden"]}))
    assert both["hashtags_hidden"] == ["Hidden"]  # a record tag also in the text came from the text


@pytest.mark.parametrize(("created", "expected"), [
    ("2014-05-24T00:05:00Z", datetime(2014, 5, 24, 0, 5)),  # a client clock a few minutes ahead: kept
    ("2031-01-01T00:00:00Z", datetime(2014, 5, 24)),  # far after the relay saw it: time_us
    ("0001-01-01T00:00:00Z", datetime(2014, 5, 24)),  # before 1970: time_us
    ("2009-01-01T00:00:00Z", datetime(2009, 1, 1)),  # backdated (an imported archive): kept
])
def test_an_implausible_created_at_falls_back_to_the_indexed_time(created: str, expected: datetime) -> None:
    p = _one(_event(ALICE, "3a8", US_2014_05_24, rec={"text": "x", "createdAt": created}))
    assert (p["created_at"], p["indexed_at"]) == (expected, datetime(2014, 5, 24))
    no_time = _event(ALICE, "3a8", 0, rec={"text": "x", "createdAt": "0001-01-01T00:00:00Z"})
    with pytest.raises(formats.ParseError, match="implausible createdAt"):
        jetstream.parse(no_time)


def test_an_appview_repost_takes_the_tags_of_the_post_in_its_item(tmp_path: Path) -> None:
    from tagscope.store import Store

    reason = {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": DAVE, "handle": "dave.example"},
              "uri": _uri(DAVE, "3d1", "app.bsky.feed.repost"), "indexedAt": "2014-05-24T15:00:00Z"}
    feed = tmp_path / "feed.json"
    feed.write_bytes(orjson.dumps({"feed": [{"post": ALICE_VIEW, "reason": reason}]}))
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(feed)], fmt="bluesky-appview")
        assert (summary["ingested"], summary["reposts_unresolved"]) == (2, 0)
        rows = store.sql("SELECT kind, hashtags_norm, indexed_at FROM posts ORDER BY kind").to_pylist()
        assert [(r["kind"], r["hashtags_norm"]) for r in rows] == [("original", ["yesallwomen"]),
                                                                   ("repost", ["yesallwomen"])]
        assert rows[1]["indexed_at"] == datetime(2014, 5, 24, 15)


def test_tags_and_where_they_came_from_match_blueskys_own_indexer() -> None:
    """indigo's search fixtures: real post records beside the tags Bluesky's indexer reads from them."""
    from tagscope.formats.bluesky import record

    path = Path(__file__).resolve().parents[1] / "data" / "bluesky-records" / "indigo_search_transform-post-fixtures.json"
    cases = orjson.loads(path.read_bytes())
    seen_hidden = 0
    for case in cases:
        got = record.fields(case["PostRecord"])
        assert got["hashtags"] == (case["PostDoc"].get("tag") or []), case["doc_id"]
        hidden = case["PostRecord"].get("tags") or []
        assert got["hashtags_hidden"] == hidden
        seen_hidden += len(hidden)
    assert seen_hidden == 1  # "thing": in record.tags, never in the text; "some" is a facet of the text
