"""Bluesky firehose captures and repository CARs (formats/bluesky/firehose.py, repo_car.py, car.py).

The capture and its manifest, the same window as Jetstream served it, and the repo CAR with indigo's
listing of it are real files (tests/data/bluesky-firehose/PROVENANCE.md); the broken frames are cut or
built from them here.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import libipld
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.golden import DATA
from tagscope import formats
from tagscope.formats.base import Record, json_records
from tagscope.formats.bluesky import car, firehose, jetstream, repo_car
from tagscope.post import Handle, Tombstone
from tagscope.store import Store

HERE = DATA / "bluesky-firehose"
FRAMES = HERE / "frames" / "frames.bin"
REPO = HERE / "car" / "repo.car"
JETSTREAM = DATA / "bluesky-jetstream" / "jetstream_expected_v1.jsonl"
MANIFEST = json.loads((HERE / "firehose_manifest.json").read_text())


def _records(data: bytes) -> list[Record]:
    return list(firehose.records(io.BytesIO(data)))


def _mapped(mod: Any, recs: list[Record]) -> dict[str, Any]:
    """The posts (by id) and tombstones (by ('deleted', id)) the records map to."""
    out: dict[str, Any] = {}
    for rec in recs:
        assert rec.error is None, rec.error
        for item in mod.parse(rec.obj):
            if isinstance(item, Handle):
                out[("handle", item.id)] = item
                continue
            out[item["id"] if isinstance(item, dict) else ("deleted", item.id)] = item
    return out


def _frames(data: bytes) -> list[tuple[int, bytes]]:
    """(byte offset, frame bytes) of a length-prefixed capture."""
    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "little")
        out.append((pos, data[pos + 4:pos + 4 + n]))
        pos += 4 + n
    return out


def _framed(*frames: bytes) -> bytes:
    return b"".join(len(f).to_bytes(4, "little") + f for f in frames)


def test_every_frame_and_op_of_the_capture_is_a_record_counted_as_the_manifest_says() -> None:
    recs = _records(FRAMES.read_bytes())
    assert all(r.error is None for r in recs)
    assert len({r.line for r in recs}) == MANIFEST["frames"]
    kinds = Counter(r.obj["kind"] for r in recs)
    assert (kinds["identity"], kinds["account"]) == (MANIFEST["identity"], MANIFEST["account"])
    assert len({r.line for r in recs if r.obj["kind"] == "commit"}) == MANIFEST["commit_frames"]
    ops = Counter(r.obj["commit"]["operation"] for r in recs if r.obj["kind"] == "commit")
    assert ops == {"create": MANIFEST["creates"], "update": MANIFEST["updates"], "delete": MANIFEST["deletes"]}
    # Each record's position is its frame's byte offset in the capture.
    offsets = {pos for pos, _ in _frames(FRAMES.read_bytes())}
    assert {r.line for r in recs} == offsets


def test_a_post_from_the_firehose_is_the_same_post_as_from_jetstream() -> None:
    """The same window, from the relay and from Jetstream: the same posts, field for field, the same
    deletes and handles (a tombstone's, a handle's and a post's indexed time are when each service saw
    it: the relay's frame time here, Jetstream's own clock there, a second apart at most)."""
    from_firehose = _mapped(firehose, _records(FRAMES.read_bytes()))
    with open(JETSTREAM, "rb") as fh:
        from_jetstream = _mapped(jetstream, list(json_records(fh)))
    assert from_firehose.keys() == from_jetstream.keys()
    posts = [k for k in from_firehose if isinstance(k, str)]
    # 17 posts, 15 reposts; a delete (the window's #identity names no handle)
    assert len(posts) == 32 and len(from_firehose) - len(posts) == 1
    for key, post in from_firehose.items():
        other = from_jetstream[key]
        if isinstance(post, Handle):
            assert (post.id, post.handle) == (other.id, other.handle)
            continue
        if isinstance(post, Tombstone):
            assert (post.platform, post.id, post.reason) == (other.platform, other.id, other.reason)
            continue
        assert post["source_format"] == "bluesky-firehose" and other["source_format"] == "bluesky-jetstream"
        assert abs((post["indexed_at"] - other["indexed_at"]).total_seconds()) < 2
        same = {"source_format": None, "indexed_at": None}
        assert {**post, **same} == {**other, **same}, key


def test_a_zst_capture_reads_as_the_decompressed_one() -> None:
    data = FRAMES.read_bytes()
    packed = zstandard.ZstdCompressor().compress(data)
    assert [(r.line, r.obj) for r in _records(packed)] == [(r.line, r.obj) for r in _records(data)]


def test_ingest_stores_posts_tombstones_and_counts_the_rest(tmp_path: Path) -> None:
    packed = tmp_path / "frames.bin.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(FRAMES.read_bytes()))
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(packed)])
        assert summary["files"][0]["format"] == "bluesky-firehose"
        assert (summary["records"], summary["quarantined"]) == (152, 0)
        assert store.posts().num_rows == 32
        assert Counter(store.posts().column("kind").to_pylist()) == {"original": 9, "reply": 8, "repost": 15}
        assert store.sql("SELECT count(*) AS n FROM tombstones").to_pylist() == [{"n": 1}]
        stored = store.sql(_SAME).to_pylist()
    with Store(tmp_path / "j") as store:
        store.ingest([str(JETSTREAM)])
        assert store.sql(_SAME).to_pylist() == stored


# What a store holds of the posts, but where they were read from.
_SAME = "SELECT id, author_id, created_at, text, hashtags, kind, reply_to_id, repost_of_id, urls FROM posts ORDER BY id"


def test_the_repo_walk_lists_what_indigo_lists() -> None:
    expected = [line.split("\t") for line in (HERE / "car_expected_records.tsv").read_text().splitlines() if line]
    recs = list(repo_car.records(io.BytesIO(REPO.read_bytes())))
    got = [[f"{r.obj['commit']['collection']}/{r.obj['commit']['rkey']}", r.obj["commit"]["cid"]] for r in recs]
    assert got == expected
    posts = [p for r in recs for p in repo_car.parse(r.obj)]
    assert Counter(p["kind"] for p in posts) == {"original": 5, "reply": 1, "repost": 3}
    assert {p["author_id"] for p in posts} == {"did:plc:53iucmf5ldftgqyf2ac7hmhd"}
    assert {p["source_format"] for p in posts} == {"bluesky-car"}


def test_a_repo_record_without_a_valid_created_at_takes_its_record_keys_time() -> None:
    rec = next(r for r in repo_car.records(io.BytesIO(REPO.read_bytes()))
               if r.obj["commit"]["collection"] == "app.bsky.feed.post")
    rec.obj["commit"]["record"]["createdAt"] = "0000-01-01T00:00:00Z"
    post = repo_car.parse(rec.obj)[0]
    # 3lqcnvhqk622d: a TID, 2025-05-29 11:54:47.xx UTC, the post's own createdAt to the second.
    assert post["created_at"].isoformat()[:19] == "2025-05-29T11:54:47"


def test_a_malformed_frame_is_quarantined_at_its_byte_and_the_next_frames_are_read() -> None:
    frames = _frames(FRAMES.read_bytes())
    bad = b"\xa2\x61t\x67#commit\x62op\x01\xff\xff"  # a header, then no body
    data = _framed(frames[0][1], bad, frames[1][1])
    recs = _records(data)
    errors = [r for r in recs if r.error is not None]
    at = 4 + len(frames[0][1])
    assert [(r.line, r.error.startswith(f"malformed frame at byte {at}:")) for r in errors] == [(at, True)]
    assert [r.line for r in recs if r.error is None] == [0, at + 4 + len(bad)]


def test_an_op_whose_record_is_not_in_the_blocks_is_quarantined_and_its_siblings_kept() -> None:
    frame = next(f for _, f in _frames(FRAMES.read_bytes())
                 if libipld.decode_dag_cbor_multi(f)[0]["t"] == "#commit")
    header, body = libipld.decode_dag_cbor_multi(frame)
    missing = {"action": "create", "path": "app.bsky.feed.post/3zzzzzzzzzzzz", "cid": b"\x01\x71\x12\x20" + b"\x00" * 32}
    body = {**body, "ops": [*body["ops"], missing], "tooBig": True}
    recs = _records(_framed(libipld.encode_dag_cbor(header) + libipld.encode_dag_cbor(body)))
    assert [r.error is None for r in recs] == [True] * (len(body["ops"]) - 1) + [False]
    assert "app.bsky.feed.post/3zzzzzzzzzzzz" in recs[-1].error and "tooBig" in recs[-1].error


def test_error_identity_and_unknown_frames_are_skipped_records() -> None:
    def frame(header: dict[str, Any], body: dict[str, Any]) -> bytes:
        return libipld.encode_dag_cbor(header) + libipld.encode_dag_cbor(body)

    data = _framed(frame({"op": -1}, {"error": "FutureCursor", "message": "cursor in the future"}),
                   frame({"op": 1, "t": "#identity"}, {"did": "did:plc:x", "seq": 1, "handle": "x.bsky.social"}),
                   frame({"op": 1, "t": "#labels"}, {"seq": 2}))
    recs = _records(data)
    assert firehose.sniff(data)
    assert [r.obj["kind"] for r in recs] == ["error", "identity", "unknown"]
    assert recs[1].obj["identity"]["handle"] == "x.bsky.social"
    assert firehose.parse(recs[0].obj) == [] and firehose.parse(recs[2].obj) == []
    assert [(h.id, h.handle) for h in firehose.parse(recs[1].obj)] == [("did:plc:x", "x.bsky.social")]


def test_a_cut_capture_keeps_every_whole_frame(tmp_path: Path) -> None:
    data = FRAMES.read_bytes()
    frames = _frames(data)
    cut_at = frames[100][0] + 9  # inside the 101st frame
    recs = _records(data[:cut_at])
    assert recs[-1].error == f"truncated frame at byte {frames[100][0]}: 5 of {len(frames[100][1])} bytes"
    assert {r.line for r in recs[:-1]} == {p for p, _ in frames[:100]}


def test_sniffing_tells_frames_cars_and_jetstream_apart() -> None:
    heads = {"frames": FRAMES.read_bytes()[:65536], "car": REPO.read_bytes()[:65536],
             "jetstream": JETSTREAM.read_bytes()[:65536]}
    found = {k: formats.sniff(h).NAME for k, h in heads.items()}
    assert found == {"frames": "bluesky-firehose", "car": "bluesky-car", "jetstream": "bluesky-jetstream"}
    assert not firehose.sniff(b"\x10\x00\x00\x00{}") and not repo_car.sniff(b"\x3a\xa2\x67version")


def test_cbor_values_become_atproto_json() -> None:
    raw_cid = next(iter(car.decode_car(REPO.read_bytes())[1]))
    assert car.to_json({"a": raw_cid, "b": b"\x00\x01"}) == {"a": {"$link": car.cid_str(raw_cid)}, "b": {"$bytes": "AAE"}}
    assert car.tid_time_us("3lqcnvhqk622d") is not None and car.tid_time_us("not-a-tid") is None


_DATA = FRAMES.read_bytes()
_FRAMES = _frames(_DATA)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_cut_or_damaged_frames_never_crash_and_lose_nothing_unsaid(data: st.DataObject) -> None:
    """Any cut, and any bytes overwritten: every record is read, quarantined with a reason, or skipped;
    parse raises only ParseError."""
    first = data.draw(st.integers(0, len(_FRAMES) - 3))
    chunk = bytearray(_DATA[_FRAMES[first][0]:_FRAMES[first + 2][0]])
    for _ in range(data.draw(st.integers(0, 4))):
        chunk[data.draw(st.integers(0, len(chunk) - 1))] = data.draw(st.integers(0, 255))
    chunk = chunk[:data.draw(st.integers(0, len(chunk)))]
    for rec in firehose.records(io.BytesIO(bytes(chunk))):
        assert isinstance(rec.line, int) and rec.raw
        if rec.error is not None:
            assert rec.obj is None
            continue
        with contextlib.suppress(formats.ParseError):
            assert len(firehose.parse(rec.obj)) <= 1


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600))
def test_a_cut_or_garbage_car_never_crashes(tail: bytes) -> None:
    data = REPO.read_bytes()
    for blob in (data[:len(tail) * 13 % len(data)], data[:40] + tail):
        for rec in repo_car.records(io.BytesIO(blob)):
            if rec.error is None:
                with contextlib.suppress(formats.ParseError):
                    repo_car.parse(rec.obj)


@pytest.mark.parametrize("obj", [None, [], {"kind": "later"}, {"kind": "commit"}])
def test_parse_of_what_is_no_firehose_op_says_why(obj: Any) -> None:
    with pytest.raises(formats.ParseError):
        firehose.parse(obj)
