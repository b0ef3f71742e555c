"""Jetstream events made to order, for the collector's tests and benchmark (shaped as the recorded
events in ../shared/fixtures/bluesky-jetstream: commit create/delete of posts, reposts and likes)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import orjson

POST, REPOST, LIKE = "app.bsky.feed.post", "app.bsky.feed.repost", "app.bsky.feed.like"
START_US = 1_783_175_888_000_000


def _commit(did: str, t: int, collection: str, rkey: str, op: str, record: dict | None) -> bytes:
    commit: dict = {"rev": f"r{t}", "operation": op, "collection": collection, "rkey": rkey}
    if record is not None:
        commit["record"] = record
        commit["cid"] = f"bafy{rkey}"
    return orjson.dumps({"did": did, "time_us": t, "kind": "commit", "commit": commit})


def events(n: int, *, tag: str = "YesAllWomen", tag_every: int = 3, start_us: int = START_US, step_us: int = 1000,
           seed: int = 1) -> list[bytes]:
    """N events, STEP_US apart: posts (one in TAG_EVERY with #TAG in a facet), reposts and likes of
    earlier posts, a deletion now and then, and identity events (which a collector drops)."""
    rnd = random.Random(seed)
    posts: list[str] = []
    out = []
    for i in range(n):
        t = start_us + i * step_us
        did = f"did:plc:user{rnd.randrange(500):04d}"
        rkey = f"k{i:08d}"
        roll = rnd.random()
        created = datetime.fromtimestamp(t / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if roll < 0.45 or not posts:
            tagged = i % tag_every == 0
            text = f"post {i} #{tag}" if tagged else f"post {i} about nothing"
            rec: dict = {"$type": POST, "createdAt": created, "text": text, "langs": ["en"]}
            if tagged:
                start = len(f"post {i} ".encode())
                rec["facets"] = [{"index": {"byteStart": start, "byteEnd": start + 1 + len(tag)},
                                  "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}]
            out.append(_commit(did, t, POST, rkey, "create", rec))
            posts.append(f"at://{did}/{POST}/{rkey}")
        elif roll < 0.6:
            subject = rnd.choice(posts[-200:])
            out.append(_commit(did, t, REPOST, rkey, "create", {"$type": REPOST, "createdAt": created,
                                                                "subject": {"uri": subject, "cid": "bafyx"}}))
        elif roll < 0.95:
            subject = rnd.choice(posts[-200:])
            out.append(_commit(did, t, LIKE, rkey, "create", {"$type": LIKE, "createdAt": created,
                                                              "subject": {"uri": subject, "cid": "bafyx"}}))
        elif roll < 0.98:
            victim = posts.pop(rnd.randrange(len(posts)))
            vdid, _, vrkey = victim[5:].split("/")
            out.append(_commit(vdid, t, POST, vrkey, "delete", None))
        else:
            out.append(orjson.dumps({"did": did, "time_us": t, "kind": "identity",
                                     "identity": {"did": did, "handle": f"u{i}.bsky.social", "seq": i}}))
    return out
