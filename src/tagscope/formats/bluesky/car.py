"""What the firehose and repository exports share: CAR files, DAG-CBOR values as JSON, the repo's MST.

Decoding is libipld's (a small Rust wheel, maintained with the atproto SDK): it reads DAG-CBOR and CAR,
and gives CID links as their binary form. A stored raw record must be one JSON value (``remap`` parses it
again, ``forget`` scrubs it), so a record decoded from CBOR is turned into the atproto data model's JSON
form, the one Jetstream and the AppView serve: a CID link as ``{"$link": "bafy..."}``, bytes as
``{"$bytes": base64}``. A post from the firehose then maps exactly as the same post from Jetstream.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import libipld

from ...times import to_utc

# What libipld raises on a cut or corrupt CBOR or CAR (its messages say which); a record's mapping errors
# are the format's own.
DECODE_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, OverflowError, RecursionError)

# A binary CIDv1: version 1, codec dag-cbor (0x71) or raw (0x55), multihash sha2-256 (0x12) of 32 bytes.
# libipld gives links and byte strings alike as bytes; atproto uses only these CIDs, and a record's
# byte strings (rare: none in app.bsky posts) of exactly this shape would read as links.
_CID_PREFIXES = (b"\x01\x71\x12\x20", b"\x01\x55\x12\x20")
_CID_LEN = 36
_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, as atproto's TIDs are written
_EPOCH = datetime(1970, 1, 1)


def decode_car(data: bytes) -> tuple[list[bytes], dict[bytes, Any]]:
    """The roots and blocks (CID bytes -> decoded value) of a CAR file's bytes."""
    header, blocks = libipld.decode_car(data)
    roots = header.get("roots") if isinstance(header, dict) else None
    if not isinstance(roots, list):
        raise ValueError("CAR header without roots")
    return roots, blocks


def cid_str(cid: Any) -> str | None:
    """A binary CID as its string (``bafy...``); None when it is none."""
    if not isinstance(cid, bytes) or not cid:
        return None
    return libipld.encode_cid(cid)


def is_cid(value: Any) -> bool:
    return isinstance(value, bytes) and len(value) == _CID_LEN and value[:4] in _CID_PREFIXES


def to_json(value: Any) -> Any:
    """A decoded DAG-CBOR value in the atproto data model's JSON form (links, bytes)."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        if is_cid(value):
            return {"$link": libipld.encode_cid(value)}
        return {"$bytes": base64.b64encode(value).decode("ascii").rstrip("=")}
    return value


def walk_mst(blocks: dict[bytes, Any], root: bytes) -> Iterator[tuple[str, bytes]]:
    """The (key, record CID) pairs of a repository's Merkle search tree, in key order.

    A node is ``{l: left subtree, e: [{p: prefix length, k: key suffix, v: value, t: right subtree}]}``;
    each entry's key is the previous key's first ``p`` bytes plus ``k``. A missing node raises KeyError
    (a partial export), a malformed one ValueError."""
    stack: list[tuple[str, Any]] = [("node", root)]
    while stack:
        kind, item = stack.pop()
        if kind == "leaf":
            yield item
            continue
        node = blocks[item]
        if not isinstance(node, dict) or not isinstance(node.get("e"), list):
            raise ValueError(f"not an MST node: {cid_str(item)}")
        # Pushed in reverse so the left subtree, then each entry and its right subtree, come out in order.
        todo: list[tuple[str, Any]] = []
        if node.get("l") is not None:
            todo.append(("node", node["l"]))
        prev = b""
        for entry in node["e"]:
            p, k, v = entry.get("p"), entry.get("k"), entry.get("v")
            if p.__class__ is not int or not isinstance(k, bytes) or not isinstance(v, bytes) or not 0 <= p <= len(prev):
                raise ValueError(f"malformed MST entry in {cid_str(item)}")
            prev = prev[:p] + k
            todo.append(("leaf", (prev.decode("utf-8", "replace"), v)))
            if entry.get("t") is not None:
                todo.append(("node", entry["t"]))
        stack.extend(reversed(todo))


def tid_time_us(tid: str) -> int | None:
    """The microseconds since 1970 a TID (a record key or a commit's rev) encodes, or None."""
    if len(tid) != 13 or tid[0] not in _TID_CHARS[:16]:  # the top bit is always 0
        return None
    n = 0
    for ch in tid:
        i = _TID_CHARS.find(ch)
        if i < 0:
            return None
        n = n * 32 + i
    return n >> 10  # the low 10 bits are a clock id


def iso_time_us(value: Any) -> int | None:
    """The microseconds since 1970 of an RFC 3339 time (a frame's ``time``), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = to_utc(value)
    except (ValueError, OverflowError, TypeError):
        return None
    if t is None:
        return None
    return (t - _EPOCH) // timedelta(microseconds=1)
