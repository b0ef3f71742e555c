"""Mastodon (REST statuses, pages, search and context results, streaming events): the mapping, the
stream's deletes and edits, one post per uri, end to end.

The contract test (test_contract.py) runs the goldens, sniffing, a cut record and forget on the real
fixtures; here are the Mastodon rules those do not name, with numbers counted by hand from the fixtures.
"""

from __future__ import annotations

import contextlib
import copy
import io
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
from tagscope.formats.base import Rejected
from tagscope.formats.mastodon import html_text, merging, statuses, streaming
from tagscope.post import Tombstone
from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data" / "mastodon"


def _items(name: str) -> list[Any]:
    path = DATA / name
    with open(path, "rb") as fh:
        return [it for rec in statuses.records(fh, str(path)) if rec.error is None for it in statuses.parse(rec.obj)]


def _by_id(name: str) -> dict[str, Any]:
    return {(it["id"] if isinstance(it, dict) else it.id): it for it in _items(name)}


def test_ids_are_uris_authors_urls_handles_full_and_the_instance_is_the_community() -> None:
    [post] = _items("rtoot_get_status_default_0.json")
    assert post["id"].startswith("https://") and "/statuses/" in post["id"]
    assert post["author_id"].startswith("https://") and "@" in post["author_handle"]
    assert post["community"] == "mstdn.social"  # fetched from social.tchncs.de, it lives on mstdn.social
    hashtag = _by_id("rtoot_get_timeline_hashtag_default_0.json")
    remote = hashtag["https://mastodon.social/users/amreibahr/statuses/109307661613791619"]
    # Fetched from social.tchncs.de, the status lives on mastodon.social: its instance is that one.
    assert (remote["community"], remote["author_id"], remote["author_handle"]) == (
        "mastodon.social", "https://mastodon.social/@amreibahr", "amreibahr@mastodon.social")


def test_tags_are_the_servers_list_as_the_text_writes_them() -> None:
    remote = _by_id("rtoot_get_timeline_hashtag_default_0.json")[
        "https://mastodon.social/users/amreibahr/statuses/109307661613791619"]
    # tags[] says "IchbinHanna", the text's tag link "#IchBinHanna": written as the text, folded alike.
    assert (remote["hashtags"], remote["hashtags_norm"]) == (["IchBinHanna"], ["ichbinhanna"])
    assert "Aber wehe #IchBinHanna hat so einen Tag." in remote["text"]


@pytest.mark.parametrize(("html", "text", "tags", "links"), [
    ("<p>it&#39;s cool guy</p>", "it's cool guy", [], []),
    ('<p><span class="h-card"><a href="https://a.example/@bo" class="u-url mention">@<span>bo</span></a></span> hi</p>',
     "@bo hi", [], []),
    ('<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow"><span class="invisible">https://</span>'
     '<span class="ellipsis">example.org/a?b=1&amp;c</span><span class="invisible">=2</span></a></p>',
     "see https://example.org/a?b=1&c=2", [], ["https://example.org/a?b=1&c=2"]),
    ('<p>one</p><p>two<br>three <a href="https://x.example/tags/Été" class="mention hashtag" rel="tag">#<span>Été</span></a></p>',
     "one\n\ntwo\nthree #Été", ["Été"], []),
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;</p>", "<script>alert(1)</script> &amp;", [], []),
    ("plain text", "plain text", [], []),
])
def test_html_to_text(html: str, text: str, tags: list[str], links: list[str]) -> None:
    found = html_text.read(html)
    assert (found.text, found.tags, found.links) == (text, tags, links)


def test_a_boost_is_a_repost_with_the_boosted_text_and_tags() -> None:
    [boost] = _items("localhost_reblog_1.json")
    assert boost["kind"] == "repost" and boost["id"].endswith("/activity")
    assert boost["repost_of_id"] == "http://localhost:3000/ap/users/117020565966271181/statuses/117020586019094258"
    assert (boost["text"], boost["repost_of_author"], boost["repost_count"]) == ("Toot!", "mastodonpy_test@localhost", 1)


def test_a_quote_names_the_quoted_uri_and_replies_resolve_inside_a_context() -> None:
    quoting = next(it for it in _items("mastodon_social_statuses_from_mastodonpy_cassettes.jsonl")
                   if isinstance(it, dict) and it["quote_of_id"])
    assert quoting["quote_of_id"].endswith("/app.bsky.feed.post/3lwlumdwf522i")
    thread = _items("rtoot_get_context_with_ancesters_0.json")
    assert [(p["kind"], p["reply_to_id"] is not None) for p in thread] == [
        ("original", False), ("reply", False), ("reply", True), ("reply", True)]  # the 2nd's parent is not in it
    assert thread[2]["reply_to_id"] == thread[1]["id"] and thread[2]["reply_to_user_id"] == thread[1]["author_id"]
    assert all("_raw" in p for p in thread)  # each status is stored alone


def test_edit_history_entries_and_non_status_events_are_skipped() -> None:
    lines = (DATA / "mastodon_social_statuses_from_mastodonpy_cassettes.jsonl").read_bytes().splitlines()
    assert [len(statuses.parse(orjson.loads(x))) for x in lines[11:]] == [0, 0, 0, 0]
    assert statuses.parse({"event": "filters_changed", "payload": None}) == []


def _sse(*events: tuple[str, Any]) -> bytes:
    out = [b":)\n"]
    for name, payload in events:
        data = payload.encode() if isinstance(payload, str) else orjson.dumps(payload)
        out.append(b"event: " + name.encode() + b"\ndata: " + data + b"\n\n")
    return b"".join(out)


# Made up for these tests (no real person): a campaign on example.social and other.example.
def _status(local: str, uri: str, who: str, html: str, tags: list[str], at: str, **extra: Any) -> dict[str, Any]:
    user, _, host = who.partition("@")
    return {"id": local, "uri": uri, "created_at": at, "content": html, "spoiler_text": "", "language": "en",
            "visibility": "public", "in_reply_to_id": None, "in_reply_to_account_id": None, "reblog": None,
            "account": {"id": "a" + user, "username": user, "acct": who if host != "example.social" else user,
                        "url": f"https://{host}/@{user}", "display_name": user.title(), "followers_count": 5,
                        "note": ""},
            "tags": [{"name": t.lower()} for t in tags], "mentions": [], "favourites_count": 1,
            "reblogs_count": 0, "replies_count": 0, **extra}


ALICE_URI = "https://example.social/users/alice/statuses/1"
ALICE = _status("1", ALICE_URI, "alice@example.social",
                '<p>Why <a href="https://example.social/tags/YesAllWomen" class="mention hashtag" rel="tag">'
                "#<span>YesAllWomen</span></a> matters</p>", ["YesAllWomen"], "2014-05-24T10:00:00.000Z")
BOB = _status("2", "https://other.example/users/bob/statuses/9", "bob@other.example",
              "<p>#NotAllMen</p>", ["NotAllMen"], "2014-05-25T10:00:00.000Z")
CAROL_BOOST = _status("3", "https://example.social/users/carol/statuses/3/activity", "carol@example.social",
                      "", [], "2014-05-24T11:00:00.000Z", reblog=ALICE)
ALICE_EDITED = {**ALICE, "content": ALICE["content"].replace("matters", "matters, edited"),
                "edited_at": "2014-05-24T12:00:00.000Z"}
STREAM = _sse(("update", ALICE), ("update", BOB), ("update", CAROL_BOOST), ("status.update", ALICE_EDITED),
              ("delete", "2"), ("delete", "99"))
# The same status of alice's seen from other.example: another local id, one uri.
ELSEWHERE = orjson.dumps([{**ALICE, "id": "555", "account": {**ALICE["account"], "id": "77",
                                                              "acct": "alice@example.social"}}])


def test_stream_deletes_resolve_to_the_uri_the_stream_carried() -> None:
    recs = list(streaming.records(io.BytesIO(STREAM)))
    assert [r.line for r in recs] == [2, 5, 8, 11, 14, 17]
    assert recs[4].obj == {"event": "delete", "payload": "2", "uri": BOB["uri"]}
    assert statuses.parse(recs[4].obj) == [Tombstone("mastodon", BOB["uri"], "deleted")]
    with pytest.raises(formats.ParseError, match="delete of local status id '99'"):
        statuses.parse(recs[5].obj)
    # A stored event is one JSON value: remap parses it alone, to the same posts.
    assert statuses.parse(orjson.loads(recs[4].raw)) == statuses.parse(recs[4].obj)


def test_websocket_lines_read_as_the_sse_text() -> None:
    lines = b"".join(orjson.dumps({"stream": ["public"], "event": name, "payload": p if isinstance(p, str)
                                   else orjson.dumps(p).decode()}) + b"\n"
                     for name, p in [("update", ALICE), ("delete", "1")])
    assert formats.sniff(lines) is statuses
    items = [it for r in statuses.records(io.BytesIO(lines)) for it in statuses.parse(r.obj)]
    assert items[0]["id"] == ALICE_URI and items[1] == Tombstone("mastodon", ALICE_URI, "deleted")


def test_an_edit_brings_its_text_and_tags() -> None:
    old, new = statuses.parse(ALICE)[0], statuses.parse(ALICE_EDITED)[0]
    assert merging.merge(old, new) and old["text"] == "Why #YesAllWomen matters, edited"
    assert not merging.merge(old, statuses.parse(ALICE_EDITED)[0])  # the same text again: nothing to do


def test_a_bad_status_of_a_page_is_rejected_alone() -> None:
    items = statuses.parse({"statuses": [ALICE, {**BOB, "created_at": "soon"}, 3]})
    assert [type(i).__name__ for i in items] == ["dict", "Rejected", "Rejected"]
    assert [i.reason for i in items if isinstance(i, Rejected)] == ["bad created_at: 'soon'", "status is not a JSON object"]


@pytest.mark.parametrize(("obj", "reason"), [
    ([1], None),
    ("x", "record is not a JSON object"),
    ({"hello": 1}, "not a Mastodon status, page, search or context result, or streaming event"),
    ({**ALICE, "uri": None}, "missing uri"),
    ({**ALICE, "account": None}, "missing account"),
    ({**ALICE, "created_at": ""}, "missing created_at"),
    ({"event": "update", "payload": "{nope"}, "update event with a payload that is not JSON: .*"),
    ({"event": "update", "payload": 3}, "update event without a status"),
    ({"event": "weird", "payload": {}}, "unknown streaming event 'weird'"),
])
def test_what_cannot_be_mapped_says_why(obj: Any, reason: str | None) -> None:
    if reason is None:
        assert isinstance(statuses.parse(obj)[0], Rejected)
        return
    with pytest.raises(formats.ParseError, match=reason):
        statuses.parse(obj)


def test_scrub_cuts_a_forgotten_boosted_status_and_mentions_to_their_ids() -> None:
    obj = copy.deepcopy(CAROL_BOOST)
    obj["mentions"] = [{"id": "x", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}]
    assert not statuses.scrub(obj, formats.Forgotten.of(handles=["nobody@else.example"]))
    assert statuses.scrub(obj, formats.Forgotten.of(handles=["alice@example.social"]))
    assert obj["reblog"] == {"id": "1", "uri": ALICE_URI}
    assert obj["mentions"] == [{"id": "x", "url": "https://example.social/@alice", "acct": "alice@example.social"}]
    assert b"matters" not in orjson.dumps(obj) and statuses.parse(obj)[0]["repost_of_id"] == ALICE_URI


_SAMPLES = [ALICE, CAROL_BOOST, {"event": "update", "payload": BOB},
            orjson.loads((DATA / "localhost_quotes_0.json").read_bytes())]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_parse_of_a_record_with_any_value_replaced_raises_only_parse_error(data: st.DataObject) -> None:
    obj = with_one_value_replaced(data, _SAMPLES)
    _check("mastodon", obj)
    # Nothing is lost unsaid: a status is one post, or quarantined with a reason.
    with contextlib.suppress(formats.ParseError):
        assert len(statuses.parse(obj)) == 1
    assert isinstance(statuses.scrub(obj, formats.Forgotten.of(ids=[ALICE_URI], handles=["bob@other.example"])), bool)


def test_end_to_end_ingest_stats_count_trend(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "stream.txt").write_bytes(STREAM)
    (tmp_path / "elsewhere.json").write_bytes(ELSEWHERE)
    where = ["--store", str(tmp_path / "store")]

    def js(*args: str) -> Any:
        res = runner.invoke(app, [*args, *where, "--json"])
        assert res.exit_code == 0, res.output
        return orjson.loads(res.stdout)

    # The copy from other.example first, then the stream (alice's status, bob's, carol's boost of alice's,
    # alice's edit, the delete of bob's, a delete the stream cannot resolve).
    summary = js("ingest", str(DATA), str(tmp_path / "elsewhere.json"), str(tmp_path / "stream.txt"))
    # 117 fixture records (4 edit history entries give nothing; a search and a context result give 2 and 4
    # posts): 117 posts of 115 statuses, two seen twice; 5 of them are direct or followers-only statuses,
    # skipped. 7 campaign records: alice's status twice more.
    assert (summary["records"], summary["ingested"], summary["duplicates"]) == (117 + 7, 110 + 2, 2 + 2)
    assert sum(summary["skipped"].values()) == 5
    assert (summary["deleted"], summary["skipped_deleted"], summary["quarantined"]) == (1, 1, 1)
    stats = js("stats")
    # 110 public fixture statuses by 60 accounts, alice's status and carol's boost (bob's was deleted).
    assert (stats["posts"], stats["authors"], stats["platforms"], stats["deleted"]) == (112, 62, {"mastodon": 112}, 1)
    assert (stats["first_post"], stats["last_post"]) == ("2014-05-24T10:00:00Z", "2026-08-02T05:25:16.840000Z")
    # alice's status (one post, seen from two instances) and carol's boost of it; bob's status was deleted.
    assert js("count", "#YesAllWomen") | {} == {**js("count", "yesallwomen"), "count": 2, "reposts": 1}
    assert js("count", "notallmen")["count"] == 0
    assert js("count", "yesallwomen", "--platform", "twitter")["count"] == 0
    # In the fixtures: #IchBinHanna in five statuses; #rstats in four and two boosts of them.
    assert js("count", "ichbinhanna")["count"] == 5
    assert (js("count", "rstats")["count"], js("count", "rstats")["reposts"]) == (6, 2)
    series = js("trend", "yesallwomen", "--every", "day")["series"]
    assert [s for s in series if s["count"]] == [{"hashtag": "yesallwomen", "bucket": "2014-05-24T00:00:00Z", "count": 2}]
    with Store(tmp_path / "store") as store:
        rows = store.sql(f"SELECT text, kind, community FROM posts WHERE id = '{ALICE_URI}' "
                         f"OR repost_of_id = '{ALICE_URI}' ORDER BY kind").to_pylist()
        assert rows == [{"text": "Why #YesAllWomen matters, edited", "kind": "original", "community": "example.social"},
                        # the boost came before the edit: it carries the text it boosted
                        {"text": "Why #YesAllWomen matters", "kind": "repost", "community": "example.social"}]


def test_forget_scrubs_a_quoted_status_of_the_forgotten_author(tmp_path: Path) -> None:
    """Made up: dave quotes alice's status, whose copy sits in his record; alice is forgotten."""
    from tagscope.store.forget import forget

    dave = _status("4", "https://other.example/users/dave/statuses/4", "dave@other.example", "<p>so true</p>", [],
                   "2014-05-24T13:00:00.000Z", quote={"state": "accepted", "quoted_status": ALICE})
    path = tmp_path / "page.json"
    path.write_bytes(orjson.dumps([ALICE, dave]))
    with Store(tmp_path / "store") as store:
        store.ingest([str(path)])
        assert forget(store, authors=["alice@example.social"])["forgotten"] == 1
        store.refresh()
        assert store.sql("SELECT id, quote_of_id FROM posts").to_pylist() == [
            {"id": dave["uri"], "quote_of_id": ALICE_URI}]
        raws = store.sql("SELECT raw FROM raw").column("raw").to_pylist()
        assert len(raws) == 1 and b"matters" not in raws[0] and b"Alice" not in raws[0]
        assert orjson.loads(raws[0])["quote"]["quoted_status"] == {"id": "1", "uri": ALICE_URI}
        store.ingest([str(path)])  # a later capture: alice's status stays out, dave's new copy is scrubbed
        store.refresh()
        assert store.posts().column("id").to_pylist() == [dave["uri"]]
        assert all(b"matters" not in r for r in store.sql("SELECT raw FROM raw").column("raw").to_pylist())


def test_direct_and_followers_only_statuses_are_skipped_unless_asked(tmp_path: Path) -> None:
    direct = DATA / "localhost_stream_direct_6.txt"  # a real stream: one conversation event, a direct status
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(direct)])
        assert (summary["ingested"], summary["quarantined"], summary["records"]) == (0, 0, 1)
        assert summary["skipped"] == {"mastodon direct status (kept out; ingest --include-private keeps it)": 1}
        assert store.stats()["posts"] == 0
        kept = store.ingest([str(direct)], include_private=True)
        assert (kept["ingested"], kept["skipped"]) == (1, {})
    cassettes = DATA / "mastodon_social_statuses_from_mastodonpy_cassettes.jsonl"  # 4 private or direct
    res = CliRunner().invoke(app, ["ingest", str(cassettes), "--store", str(tmp_path / "c"), "--json"])
    assert res.exit_code == 0, res.output
    assert sum(orjson.loads(res.stdout)["skipped"].values()) == 4
    res = CliRunner().invoke(app, ["ingest", str(cassettes), "--store", str(tmp_path / "c"), "--json",
                                   "--include-private"])
    assert orjson.loads(res.stdout)["ingested"] == 4


def test_edits_are_counted_and_a_stale_copy_brings_nothing_back() -> None:
    first = statuses.status_post(ALICE, {})
    edited = statuses.status_post(ALICE_EDITED, {})
    assert (first["edit_count"], edited["edit_count"]) == (0, 1)
    again = statuses.status_post({**ALICE_EDITED, "content": ALICE["content"].replace("matters", "matters, twice"),
                                  "edited_at": "2014-05-24T13:00:00.000Z"}, {})
    assert merging.merge(first, edited) and first["edit_count"] == 1
    assert not merging.merge(first, edited)  # the same edit again counts once
    assert merging.merge(first, again) and first["edit_count"] == 2
    stale = statuses.status_post(ALICE, {})  # the unedited copy, ingested after the edits
    assert not merging.merge(first, stale) and first["text"].endswith("twice")
