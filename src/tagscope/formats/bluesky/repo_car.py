"""A Bluesky repository export: the CAR file ``com.atproto.sync.getRepo`` returns (``goat repo export``).

One account's records: the CAR's root is the signed commit (``did``, ``rev``, ``data``), ``data`` the
root of the Merkle search tree whose keys are ``collection/rkey`` and values the records' CIDs. Each
record becomes one raw record in Jetstream's event shape (``operation: create``) and is mapped by
Jetstream's rules (:func:`.firehose.parse_event`): posts and reposts are posts, other collections
nothing. An export has no relay time: when ``createdAt`` is not a valid time, the post's time is the one
its record key (a TID) encodes. A record the tree names but the file lacks is quarantined; a file that
is no CAR, or whose tree cannot be walked, is quarantined whole. ``source_line`` is the record's number
in key order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from ..base import Record
from ..contract import Forgotten
from . import car, firehose

NAME = "bluesky-car"
PLATFORM = "bluesky"

_ROOTS = b"\xa2\x65roots"  # a CAR v1 header {roots, version}, keys in DAG-CBOR order


def sniff(head: bytes) -> bool:
    """A varint length, then the CAR header map ``{roots: [...], version: 1}``."""
    for i in range(3):  # a header of up to 2 MiB has a varint of at most 3 bytes
        if i >= len(head):
            return False
        if head[i] < 0x80:
            return head[i + 1:i + 1 + len(_ROOTS)] == _ROOTS
    return False


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """A repository's records embed no copy of another post (they name subjects by URI): nothing to scrub."""
    return False


def parse(obj: Any) -> list[Any]:
    """The post of one record; nothing for a record that is no post. The record key's time stands in for
    ``time_us`` (the fallback of an implausible ``createdAt``) but is no indexed time: none is known."""
    items = firehose.parse_event(obj, NAME)
    for item in items:
        if isinstance(item, dict):
            item["indexed_at"] = None
    return items


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """One record per entry of the repository's tree, in key order."""
    data = stream.read()
    try:
        roots, blocks = car.decode_car(data)
        commit = blocks[roots[0]]
        did, rev, root = commit["did"], commit.get("rev"), commit["data"]
        entries = list(car.walk_mst(blocks, root))
    except (*car.DECODE_ERRORS, KeyError, IndexError) as exc:
        yield Record(1, None, data[:65536], f"not a readable repository CAR: {type(exc).__name__}: {exc}")
        return
    for n, (key, cid) in enumerate(entries, 1):
        collection, _, rkey = key.partition("/")
        event: dict[str, Any] = {
            "did": did, "time_us": car.tid_time_us(rkey), "kind": "commit",
            "commit": {"rev": rev, "operation": "create", "collection": collection, "rkey": rkey,
                       "cid": car.cid_str(cid)},
        }
        value = blocks.get(cid)
        if value is None:
            yield Record(n, None, orjson.dumps(event), f"record {key} ({car.cid_str(cid)}) is not in the file")
            continue
        event["commit"]["record"] = car.to_json(value)
        yield Record(n, event, orjson.dumps(event))
