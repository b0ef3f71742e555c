"""`collect bluesky` against a loopback Jetstream replaying real and generated events, with faults.

Every case compares the collected store with a store that ingested, from a file, exactly the events the
server sent (the reference): the same posts, the same deletions, each raw record once, and every hole
that could not be avoided recorded as a gap in the coverage.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import orjson
import pytest

pytest.importorskip("websockets")

from jetgen import POST, REPOST, events
from tagscope.collect import sink
from tagscope.collect.bluesky import Collector, CommitFailed, Matcher, Options
from tagscope.collect.replay import read_frames, serving
from tagscope.store import Store, coverage

FIXTURE = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "bluesky-jetstream" / "jetstream_expected_v1.jsonl"
if not FIXTURE.exists():  # a worktree beside the main checkout
    FIXTURE = Path("/work/shared/fixtures/bluesky-jetstream/jetstream_expected_v1.jsonl")


def collect(path: Path, url: str, **kw: object) -> Collector:
    opts = Options(url=url, batch_seconds=0.2, idle_exit=kw.pop("idle_exit", 0.8), backoff_first=0.05, **kw)  # type: ignore[arg-type]
    st = Store(path)
    c = Collector(st, opts)
    asyncio.run(c.run(asyncio.Event()))
    st.close()
    return c


def reference(tmp: Path, frames: list[bytes]) -> Store:
    """A store that ingested FRAMES from a file: what the collector's store must hold."""
    f = tmp / "reference.jsonl"
    f.write_bytes(b"\n".join(frames) + b"\n")
    st = Store(tmp / "reference")
    st.ingest([str(f)], fmt="bluesky-jetstream")
    return st


def content(st: Store) -> dict[str, object]:
    st.refresh()
    posts = st.sql("SELECT id FROM posts").column("id").to_pylist()
    raws = st.sql("SELECT id FROM raw").column("id").to_pylist()
    tombs = st.sql("SELECT id FROM tombstones").column("id").to_pylist()
    # Each post's raw record is kept once (a post deleted in a later batch keeps its record, as in any
    # ingest of several batches).
    return {"posts": sorted(posts), "tombstones": sorted(tombs),
            "raw_once": len(raws) == len(set(raws)) and set(posts) <= set(raws) <= set(posts) | set(tombs)}


def kinds(st: Store, kind: str) -> list[dict]:
    return [e for e in coverage.entries(st) if e["kind"] == kind]


def test_real_fixture_into_the_store_as_a_file_ingest_would(tmp_path: Path) -> None:
    frames = read_frames(FIXTURE)
    with serving(frames) as server:
        c = collect(tmp_path / "s", server.url, keep_all=True)
    got = Store(tmp_path / "s")
    assert content(got) == content(reference(tmp_path, frames))
    assert len(content(got)["posts"]) == 32  # type: ignore[arg-type]
    saved = got.cursor("bluesky " + server.url)
    assert saved["cursor"] == max(orjson.loads(f)["time_us"] for f in frames)
    assert saved["run"] == c.run_id
    run = kinds(got, "run")
    assert len(run) == 1 and run[0]["end"] and run[0]["reason"] == "collecting all"
    assert coverage.may_lack(got) == []


def expected_for_tag(frames: list[bytes], tag: str) -> list[bytes]:
    """The frames a --tag collector must keep: tagged posts, and reposts and deletions of kept ones."""
    kept, uris = [], set()
    for f in frames:
        ev = orjson.loads(f)
        c = ev.get("commit") or {}
        uri = f"at://{ev['did']}/{c.get('collection')}/{c.get('rkey')}"
        if c.get("operation") == "delete":
            if uri in uris:
                kept.append(f)
        elif (c.get("collection") == POST and f"#{tag}" in c["record"]["text"]) or (c.get("collection") == REPOST and c["record"]["subject"]["uri"] in uris):
            kept.append(f)
            uris.add(uri)
    return kept


def test_tag_filter_keeps_matched_posts_their_reposts_and_deletions(tmp_path: Path) -> None:
    frames = events(3000)
    with serving(frames) as server:
        c = collect(tmp_path / "s", server.url, tags=["#yesallwomen"])  # folded as the store folds tags
    want = expected_for_tag(frames, "YesAllWomen")
    assert content(Store(tmp_path / "s")) == content(reference(tmp_path, want))
    assert c.status.events == 3000
    likes = sum(1 for f in frames if b"feed.like" in f)
    assert 0 < c.status.matched - len(want) < likes  # likes of matched posts are kept too (and map to no post)


def test_keyword_matches_text_case_insensitively() -> None:
    m = Matcher([], ["Nothing"])
    post = {"kind": "commit", "did": "did:plc:a", "time_us": 1,
            "commit": {"operation": "create", "collection": POST, "rkey": "r", "record": {"text": "about NOTHING"}}}
    assert m.keep(post)
    other = orjson.loads(orjson.dumps(post))
    other["commit"].update(rkey="s", record={"text": "about something"})
    assert not m.keep(other)
    post["commit"]["record"]["text"] = "about something"  # type: ignore[index]
    assert m.keep(post)  # a later edit of a matched post is kept, whatever it says now
    assert not m.keep(other) and not m.keep({"kind": "identity", "did": "did:plc:a"})


def test_connection_dropped_mid_stream_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    frames = events(2000, seed=2)
    with serving(frames, drops=[300, 700, 5]) as server:
        c = collect(tmp_path / "s", server.url, keep_all=True)
        assert server.connections == 4
        # Each resume asked for a few seconds before the newest event it had (the rewind).
        assert all(cur is not None for cur in server.cursors[1:])
    got = Store(tmp_path / "s")
    assert content(got) == content(reference(tmp_path, frames))
    assert c.status.reconnects == 3 and c.status.gaps == 0
    disconnects = kinds(got, "disconnect")
    assert len(disconnects) == 3 and all(d["end"] for d in disconnects)
    assert coverage.may_lack(got) == []


def test_duplicated_out_of_order_and_malformed_frames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sink, "PARALLEL_RECORDS", 100)  # batches parsed in the worker process, renumbered
    clean = events(1500, seed=3)
    rnd = random.Random(7)
    frames = list(clean)
    for i in range(0, len(frames) - 4, 50):  # local disorder, well within the rewind
        window = frames[i:i + 4]
        rnd.shuffle(window)
        frames[i:i + 4] = window
    frames = [f for f in frames for _ in range(2 if rnd.random() < 0.1 else 1)]  # duplicates
    bad = [b'{"did": "did:plc:x", "time_us": ', b"not json at all", b'{"kind": "commit", "commit": 3}']
    for j, b in enumerate(bad):
        frames.insert(100 + 400 * j, b)
    with serving(frames, drops=[600]) as server:
        collect(tmp_path / "s", server.url, keep_all=True)
    got = Store(tmp_path / "s")
    assert content(got) == content(reference(tmp_path, clean))
    quarantined = got.sql("SELECT raw FROM quarantine").column("raw").to_pylist()
    assert sorted(quarantined) == sorted(b.decode() for b in bad)  # each once, though replayed after the drop


def test_cursor_older_than_the_replay_window_records_the_gap(tmp_path: Path) -> None:
    frames = events(1000, seed=4, step_us=10_000)  # 10 ms apart: the 300 events lost span 3 s
    first, second = frames[:400], frames
    with serving(first) as server:
        collect(tmp_path / "s", server.url, keep_all=True)
    had = orjson.loads(first[-1])["time_us"]
    lost_until = orjson.loads(frames[700])["time_us"]  # the server has forgotten events 400..699
    with serving(second, oldest_us=lost_until, port=0) as server2:
        collect(tmp_path / "s", server2.url, keep_all=True, since=had)
    got = Store(tmp_path / "s")
    gaps = kinds(got, "gap")
    assert len(gaps) == 1
    assert gaps[0]["cursor"] == str(had)
    assert gaps[0]["start"].startswith("2026-07-04T14:38") and gaps[0]["end"] > gaps[0]["start"]
    assert [g["id"] for g in coverage.may_lack(got) if g["kind"] == "gap"] == [gaps[0]["id"]]
    # The store holds what the server sent: the first 400 events and those from 700 on.
    assert content(got) == content(reference(tmp_path, first + frames[700:]))


def test_resume_from_the_saved_cursor_replays_only_the_rewind(tmp_path: Path) -> None:
    frames = events(1200, seed=5, step_us=20_000)  # 20 ms apart: the 5 s rewind is 250 events
    with serving(frames[:600]) as server:
        collect(tmp_path / "s", server.url, keep_all=True)
    with serving(frames, port=server.port) as server2:
        c = collect(tmp_path / "s", server2.url, keep_all=True)
        assert server2.cursors == [orjson.loads(frames[599])["time_us"] - 5_000_000]
    assert c.status.events == 600 + 251  # the rest, and the rewind's overlap (absorbed by dedup)
    assert content(Store(tmp_path / "s")) == content(reference(tmp_path, frames))
    assert kinds(Store(tmp_path / "s"), "gap") == []


def test_a_failed_commit_stops_the_collector_with_the_cursor_of_the_last_good_one(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    frames = events(1500, seed=6)
    real = sink.Sink.commit
    calls = [0]

    def flaky(self: sink.Sink, batch: sink.Batch) -> dict[str, int]:
        calls[0] += 1
        if calls[0] == 3:
            raise OSError(28, "No space left on device")
        return real(self, batch)

    monkeypatch.setattr(sink.Sink, "commit", flaky)
    with serving(frames, rate=3000) as server, pytest.raises(CommitFailed, match="No space left"):
        collect(tmp_path / "s", server.url, keep_all=True)
    st = Store(tmp_path / "s")
    saved = st.cursor(f"bluesky {server.url}")["cursor"]
    # Every event up to the saved cursor is in the store: a rerun resumes from there, nothing lost.
    upto = [f for f in frames if orjson.loads(f)["time_us"] <= saved]
    assert content(st)["posts"] == content(reference(tmp_path, upto))["posts"]
    assert calls[0] == 3  # no commit after the failed one


def test_tag_prefilter_skips_only_frames_that_cannot_hold_a_tag() -> None:
    """The bytes check before the tag search: a post without tag marks is not searched, but a tag in a
    facet, in ``tags``, or behind a JSON escape (``\\u0023`` for '#') still matches."""
    facet = {"index": {"byteStart": 0, "byteEnd": 12}, "features": [{"$type": "app.bsky.richtext.facet#tag",
                                                                     "tag": "YesAllWomen"}]}
    records = {
        "facet": {"text": "#yesallwomen", "facets": [facet]},
        "tags": {"text": "no facet", "tags": ["YESALLWOMEN"]},
        "plain": {"text": "#YesAllWomen typed, never faceted"},
    }
    m = Matcher(["#YesAllWomen"], [])
    kept = {}
    for name, rec in records.items():
        ev = {"kind": "commit", "did": "did:plc:a", "time_us": 1,
              "commit": {"operation": "create", "collection": POST, "rkey": name, "record": rec}}
        raw = orjson.dumps(ev)
        kept[name] = m.keep(orjson.loads(raw), raw)
        if name == "facet":  # the same frame with '#' escaped: the bytes check cannot rule it out
            escaped = raw.replace(b"facet#tag", b"facet\\u0023tag")
            assert orjson.loads(escaped) == ev
            m2 = Matcher(["YesAllWomen"], [])
            assert m2.keep(orjson.loads(escaped), escaped)
    assert kept == {"facet": True, "tags": True, "plain": False}  # as without the check: tags come from facets
