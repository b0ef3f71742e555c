"""Bluesky firehose captures: ``com.atproto.sync.subscribeRepos`` frames, each ``[u32 LE length][frame]``.

A frame is two DAG-CBOR values: a header ``{op, t}`` and a body. A ``#commit`` body lists ``ops``
(``action`` create/update/delete, ``path`` collection/rkey, ``cid``) and carries the records in
``blocks``, a CAR file. Each op becomes one raw record in Jetstream's event shape (``did``, ``time_us``
from the frame's ``time``, ``kind: commit``, ``commit: {rev, operation, collection, rkey, cid, record}``,
plus the frame's ``seq``), its record in atproto JSON (:mod:`.car`), and is mapped by Jetstream's rules:
a post from the firehose and the same post from Jetstream are the same canonical post. So:

- posts and reposts are posts, deletes tombstones, every other collection nothing (counted in
  ``records``, as Jetstream's likes are);
- ``#identity`` is written as Jetstream's identity event (its handle is recorded, as Jetstream's is);
  ``#account``, ``#sync``, ``#info``, an error frame (``op: -1``) and a frame type this version does not
  know are one skipped record each (``kind`` names it);
- a frame that does not decode, a commit whose blocks are no CAR, an op whose record is not in the
  blocks (a ``tooBig`` commit), and a cut-off last frame are quarantined; a record's position
  (``source_line``) is the byte offset of its frame in the (decompressed) capture.

The capture may be given zstd-compressed (ingest decompresses ``.zst`` files itself; ``records`` also
accepts the compressed stream).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import IO, Any

import libipld
import orjson
import zstandard

from ..base import ParseError, Record
from ..contract import Forgotten
from . import car, jetstream

NAME = "bluesky-firehose"
PLATFORM = "bluesky"
HANDLE_KEYS = ("handle",)  # an #identity frame names the account's new handle under this key

# Record kinds that map to no post: the frame types that are no commit (as Jetstream counts its identity
# and account events), the relay's error frames and types added to the protocol after this version.
SKIPPED = frozenset({"identity", "account", "sync", "info", "error", "handle", "tombstone", "migrate", "unknown"})
MAX_FRAME = 1 << 26  # relays cap a frame at a few MiB; a larger length means this is no frame stream
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def sniff(head: bytes) -> bool:
    """A length-prefixed frame whose header is ``{t: "#...", op}`` or an error frame's ``{op: -1}``."""
    if len(head) < 10:
        return False
    n = int.from_bytes(head[:4], "little")
    h = head[4:]
    if not 4 <= n <= MAX_FRAME:
        return False
    # DAG-CBOR orders map keys by length: "t" (a1 74) before "op" (62 6f 70); -1 is the byte 0x20.
    return (h[:3] == b"\xa2\x61t" and 0x62 <= h[3] <= 0x77 and h[4:5] == b"#") or h[:5] == b"\xa1\x62op\x20"


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """A firehose record embeds no copy of another post or profile (a reply, quote or repost names its
    subject by URI only): there is nothing to scrub."""
    return False


def parse(obj: Any) -> list[Any]:
    """The post or tombstone of one op; nothing for a record that is no post."""
    return parse_event(obj, NAME)


def parse_event(obj: Any, name: str) -> list[Any]:
    """One op in Jetstream's event shape, mapped by Jetstream's rules, its posts marked as from NAME."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    kind = obj.get("kind")
    if kind in SKIPPED and kind != "identity":
        return []
    if kind not in ("commit", "identity"):
        raise ParseError("missing kind" if kind is None else f"unknown record kind: {kind!r}")
    items = jetstream.parse(obj)
    for item in items:
        if isinstance(item, dict):
            item["source_format"] = name
    return items


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """One record per op of each commit frame, one per other frame; numbered by the frame's byte offset."""
    first = _read(stream, 4)
    if first[:4] == _ZSTD_MAGIC:
        stream = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(_Prefixed(first, stream))
        first = _read(stream, 4)
    pos = 0
    prefix = first
    while prefix:
        if len(prefix) < 4:
            yield _bad(pos, prefix, f"truncated frame at byte {pos}: {len(prefix)} of 4 length bytes")
            return
        n = int.from_bytes(prefix, "little")
        if n > MAX_FRAME:
            yield _bad(pos, prefix, f"frame at byte {pos} claims {n} bytes: the rest is not a frame stream")
            return
        frame = _read(stream, n)
        if len(frame) < n:
            yield _bad(pos, frame, f"truncated frame at byte {pos}: {len(frame)} of {n} bytes")
            return
        yield from frame_records(frame, pos)
        pos += 4 + n
        prefix = _read(stream, 4)


def frame_records(frame: bytes, pos: int) -> Iterator[Record]:
    """The records of one frame (its bytes without the length) found at byte POS."""
    try:
        parts = libipld.decode_dag_cbor_multi(frame)
    except car.DECODE_ERRORS as exc:
        yield _bad(pos, frame, f"malformed frame at byte {pos}: {exc}")
        return
    if len(parts) != 2 or not isinstance(parts[0], dict) or not isinstance(parts[1], dict):
        yield _bad(pos, frame, f"malformed frame at byte {pos}: not a header and a body")
        return
    header, body = parts
    op, kind = header.get("op"), header.get("t")
    if op == -1:
        yield _record(pos, {"kind": "error", "error": body.get("error"), "message": body.get("message")})
    elif op != 1 or not isinstance(kind, str) or not kind.startswith("#"):
        yield _bad(pos, frame, f"malformed frame at byte {pos}: header {header!r}")
    elif kind == "#commit":
        yield from _commit(body, pos, frame)
    elif kind == "#identity":  # as Jetstream writes it, so jetstream.parse reads its handle
        ident = car.to_json(body)
        yield _record(pos, {"did": ident.get("did"), "time_us": car.iso_time_us(ident.get("time")),
                            "kind": "identity", "identity": ident})
    else:
        name = kind[1:] if kind[1:] in SKIPPED else "unknown"
        fields = {k: v for k, v in body.items() if k != "blocks"}  # a #sync's blocks: the commit only
        yield _record(pos, {"kind": name, "type": kind, **car.to_json(fields)})


def _commit(body: dict[str, Any], pos: int, frame: bytes) -> Iterator[Record]:
    ops = body.get("ops")
    if not isinstance(ops, list):
        yield _bad(pos, frame, f"commit at byte {pos} without ops")
        return
    blocks: dict[bytes, Any] = {}
    if body.get("blocks"):
        try:
            _, blocks = car.decode_car(body["blocks"])
        except car.DECODE_ERRORS as exc:
            yield _bad(pos, frame, f"commit at byte {pos}: its blocks are not a CAR file: {exc}")
            return
    time_us = car.iso_time_us(body.get("time"))
    for op in ops:
        path = op.get("path") if isinstance(op, dict) else None
        collection, _, rkey = path.partition("/") if isinstance(path, str) else ("", "", "")
        event: dict[str, Any] = {
            "did": body.get("repo"), "time_us": time_us, "kind": "commit", "seq": body.get("seq"),
            "commit": {"rev": body.get("rev"), "operation": op.get("action") if isinstance(op, dict) else None,
                       "collection": collection, "rkey": rkey},
        }
        cid = op.get("cid") if isinstance(op, dict) else None
        if event["commit"]["operation"] in ("create", "update"):
            value = blocks.get(cid) if isinstance(cid, bytes) else None
            if value is None:
                why = "a tooBig commit carries no blocks" if body.get("tooBig") else "missing from the commit's blocks"
                yield Record(pos, None, orjson.dumps(event),
                             f"op {path!r} at byte {pos}: its record ({car.cid_str(cid) if isinstance(cid, bytes) else cid!r}) is {why}")
                continue
            event["commit"]["cid"] = car.cid_str(cid)
            event["commit"]["record"] = car.to_json(value)
        yield _record(pos, event)


def _record(pos: int, obj: dict[str, Any]) -> Record:
    return Record(pos, obj, orjson.dumps(obj))


def _bad(pos: int, data: bytes, reason: str) -> Record:
    """A quarantined frame: its offset and bytes (base64, as the quarantine keeps text) and REASON."""
    raw = orjson.dumps({"byte": pos, "frame": base64.b64encode(data[:65536]).decode("ascii")})
    return Record(pos, None, raw, reason)


def _read(stream: IO[bytes], n: int) -> bytes:
    """N bytes, fewer only at the end of the stream (a pipe or decompressor may return short reads)."""
    data = stream.read(n)
    if len(data) in (0, n):
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = stream.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


class _Prefixed:
    """A stream's first bytes (already read to see the magic) put back in front of it, for zstandard."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head
        return self._rest.read(size)
