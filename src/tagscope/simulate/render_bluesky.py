"""Simulated posts as Bluesky Jetstream events, one JSON object per line (what Jetstream sends).

- a post is a ``commit`` ``create`` of ``app.bsky.feed.post`` under a TID record key; hashtags are
  ``app.bsky.richtext.facet#tag`` facets at UTF-8 **byte** offsets (end exclusive), mentions and links
  facets too; one post in ten with two or more tags carries its last tag in ``record.tags`` only
  (never in the text), as clients that add "hidden" tags do;
- a repost is an ``app.bsky.feed.repost`` record naming its subject by URI and CID (no text, no tags);
  a reply names ``reply.root`` and ``reply.parent``, a quote embeds ``app.bsky.embed.record``;
- likes (``app.bsky.feed.like``) follow a post: they are no posts, ingest counts them as records only;
- the first event of an account is its ``identity`` event (DID and handle; posts carry no handle);
- a deletion is a ``delete`` commit naming only (did, collection, rkey).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import orjson

from . import names
from .campaign import Deletion, Sim
from .people import People
from .segments import byte_offsets, compose
from .truth import iso

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
LIKE = "app.bsky.feed.like"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable: TIDs sort as their times do
_LAG_US = 180_000  # Jetstream sees an event a fraction of a second after the client wrote it
MAX_LIKES = 2  # like events written per post (a post's like count is larger: the rest fall outside the capture)


def _b32(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(_B32[n & 31])
        n >>= 5
    return "".join(reversed(out))


def tid(us: int, clock: int) -> str:
    """A record key: 53 bits of microseconds and 10 bits of clock id, 13 base32-sortable characters."""
    return _b32(((us & ((1 << 53) - 1)) << 10) | (clock & 1023), 13)


@lru_cache(maxsize=1 << 16)
def did(a: int) -> str:
    """Account A's DID (did:plc: and 24 base32 characters, derived from A)."""
    digest = hashlib.sha256(f"tagscope-sim-did-{a}".encode()).digest()
    return "did:plc:" + _b32(int.from_bytes(digest[:16]), 24)


def handle(a: int) -> str:
    return names.handle(a).lower() + ".bsky.social"


def cid(uri: str) -> str:
    digest = hashlib.sha256(uri.encode()).digest()
    return "bafyrei" + _b32(int.from_bytes(digest), 52)


class BlueskyRenderer:
    """Renders posts and deletions as Jetstream lines; remembers each account's first appearance."""

    def __init__(self, people: People):
        self.people = people
        self.seen = bytearray(people.count)
        self.likes = 0
        self.identities = 0

    def lines(self, sim: Sim) -> list[bytes]:
        """The events of SIM: its account's identity event the first time, the post, its likes."""
        out: list[bytes] = []
        us = sim.ms * 1000 + _LAG_US + sim.idx % 1000
        if not self.seen[sim.author]:
            self.seen[sim.author] = 1
            self.identities += 1
            d = did(sim.author)
            out.append(orjson.dumps({"did": d, "time_us": us - 1, "kind": "identity", "identity": {
                "did": d, "handle": handle(sim.author), "seq": sim.idx * 3 + 1, "time": iso(sim.ms)}}))
        collection = REPOST if sim.kind == "repost" else POST
        rkey = tid(sim.ms * 1000 + sim.idx % 1000, sim.idx)
        uri = f"at://{did(sim.author)}/{collection}/{rkey}"
        ref = {"cid": cid(uri), "uri": uri}
        sim.memo["bsky"] = ref
        record = self._repost(sim) if sim.kind == "repost" else self._post(sim, ref)
        out.append(self._commit(sim.author, us, "create", collection, rkey, record, ref["cid"]))
        if sim.kind != "repost":
            for k in range(min(sim.likes, MAX_LIKES)):
                liker = (sim.author * 7919 + k * 104729 + 1) % self.people.count
                like_us = us + 20_000 * (k + 1)
                key = tid(like_us, liker)
                like = {"$type": LIKE, "createdAt": iso(like_us // 1000), "subject": ref}
                out.append(self._commit(liker, like_us, "create", LIKE, key, like,
                                        cid(f"at://{did(liker)}/{LIKE}/{key}")))
                self.likes += 1
        return out

    def delete(self, ev: Deletion, sim_ref: dict[str, str]) -> bytes:
        """A delete commit: only (did, collection, rkey), taken from the deleted record's URI."""
        _, _, _, collection, rkey = sim_ref["uri"].split("/", 4)
        us = ev.ms * 1000 + _LAG_US
        return orjson.dumps({"did": did(ev.author), "time_us": us, "kind": "commit", "commit": {
            "rev": tid(us, ev.author), "operation": "delete", "collection": collection, "rkey": rkey}})

    @staticmethod
    def _commit(author: int, us: int, op: str, collection: str, rkey: str, record: dict[str, Any], c: str) -> bytes:
        return orjson.dumps({"did": did(author), "time_us": us, "kind": "commit", "commit": {
            "rev": tid(us, author + 1), "operation": op, "collection": collection, "rkey": rkey,
            "record": record, "cid": c}})

    @staticmethod
    def _repost(sim: Sim) -> dict[str, Any]:
        assert sim.parent is not None
        return {"$type": REPOST, "createdAt": iso(sim.ms), "subject": sim.parent.memo["bsky"]}

    def _post(self, sim: Sim, ref: dict[str, str]) -> dict[str, Any]:
        hidden = frozenset()
        if len(sim.tags) >= 2 and sim.idx % 10 == 3:
            hidden = frozenset({sim.tags[-1][0]})
        text, spans = compose(sim, lambda a: "@" + handle(a), drop_tags=hidden)
        facets = []
        for sp, start, end in byte_offsets(text, spans):
            if sp.kind == "tag":
                feature = {"$type": "app.bsky.richtext.facet#tag", "tag": sp.value}
            elif sp.kind == "mention":
                feature = {"$type": "app.bsky.richtext.facet#mention", "did": did(sp.value)}
            else:
                feature = {"$type": "app.bsky.richtext.facet#link", "uri": sp.value}
            facets.append({"features": [feature], "index": {"byteEnd": end, "byteStart": start}})
        record: dict[str, Any] = {"$type": POST, "createdAt": iso(sim.ms)}
        parent = sim.parent
        if sim.kind == "quote" and parent is not None:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": parent.memo["bsky"]}
        if facets:
            record["facets"] = facets
        record["langs"] = [sim.lang]
        if sim.kind == "reply" and parent is not None:
            root = parent.memo.get("bsky_root", parent.memo["bsky"])
            record["reply"] = {"parent": parent.memo["bsky"], "root": root}
            sim.memo["bsky_root"] = root
        if hidden:
            record["tags"] = sorted(hidden)
        record["text"] = text
        return record
