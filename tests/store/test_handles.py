"""Handles from Bluesky identity events: kept in the store's ``handles`` table (posts keep the handle as
of the post), deduplicated, and gone with the account when it is forgotten."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson

from tagscope.formats.bluesky import jetstream
from tagscope.post import Handle
from tagscope.store import Store
from tagscope.store.forget import forget

DATA = Path(__file__).resolve().parents[1] / "data"
JETSTREAM = DATA / "bluesky-jetstream" / "jetstream_expected_v1.jsonl"


def _lines() -> list[dict]:
    return [orjson.loads(line) for line in JETSTREAM.read_bytes().splitlines() if line.strip()]


def _with_handle(author: str, handle: str) -> dict:
    """The capture's real identity event, for the DID of one of its real post authors, naming a handle (as
    Jetstream's identity events do once the relay has resolved one; the captured one names none)."""
    ident = next(e for e in _lines() if e["kind"] == "identity")
    ev = orjson.loads(orjson.dumps(ident))
    ev["did"] = ev["identity"]["did"] = author
    ev["identity"]["handle"] = handle
    return ev


def test_an_identity_event_names_a_handle_or_nothing() -> None:
    ident = next(e for e in _lines() if e["kind"] == "identity")
    assert jetstream.parse(ident) == []  # the real event names no handle
    ev = _with_handle(ident["did"], "alice.example")
    assert jetstream.parse(ev) == [Handle("bluesky", ident["did"], "alice.example", datetime(2026, 7, 4, 14, 38, 7, 877000))]
    ev["identity"]["handle"] = "handle.invalid"
    assert jetstream.parse(ev) == []


def test_handles_are_recorded_once_and_forgotten_with_their_account(tmp_path: Path) -> None:
    lines = _lines()
    author = next(e["did"] for e in lines if (e.get("commit") or {}).get("collection") == "app.bsky.feed.post"
                  and e["commit"]["operation"] == "create")
    extra = tmp_path / "identity.jsonl"
    extra.write_bytes(orjson.dumps(_with_handle(author, "Author.example")) + b"\n")
    with Store(tmp_path / "s") as store:
        summary = store.ingest([str(JETSTREAM), str(extra)])
        assert summary["handles"] == 1
        assert store.sql("SELECT platform, account_id, handle FROM handles").to_pylist() == [
            {"platform": "bluesky", "account_id": author, "handle": "Author.example"}]
        # the posts keep their own (null) handle: the handle is not carried back onto them
        assert store.sql("SELECT count(*) AS n FROM posts WHERE author_id = ? AND author_handle IS NULL",
                         [author]).column("n")[0].as_py() > 0
        assert store.ingest([str(extra)])["handles"] == 0  # the same event again: recorded once
        assert store.stats()["handles"] == 1
        # forget by the handle the identity event gave: the DID's posts (which name no handle) and the row go
        out = forget(store, authors=["author.example"])
        assert out["forgotten"] > 0
        assert store.sql("SELECT count(*) AS n FROM posts WHERE author_id = ?", [author]).column("n")[0].as_py() == 0
        assert store.sql("SELECT count(*) AS n FROM handles").column("n")[0].as_py() == 0
        # and a later identity event of the forgotten account is kept out
        assert store.ingest([str(extra)])["handles"] == 0
