"""Mastodon files as records: JSON (REST responses, WebSocket stream lines) or Server-Sent Events text.

The streaming API over HTTP sends ``event: NAME`` and ``data: PAYLOAD`` lines, an event ending at a
blank line (``:)`` lines are heartbeats). Each event becomes one JSON record ``{"event", "payload"}``,
the shape the WebSocket API writes, so both read alike and ``remap`` re-reads a stored event alone.

A ``delete`` event names only the instance-local id of a status. The post id is the status's ``uri``:
a delete is resolved here to the ``uri`` of the status the same file carried earlier under that local id
(written into the record as ``"uri"``); the format quarantines a delete that stays unresolved.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO, Any

import orjson

from ..base import Record, json_records

# A JSON head: a status's keys (quotes possibly escaped: a WebSocket payload is JSON text).
_KEY = re.compile(rb'\\?"(content|account|created_at|visibility|spoiler_text|reblog|uri|acct|event|payload)\\?"\s*:')
_WS_EVENT = re.compile(rb'"event"\s*:\s*"(update|delete|status\.update|notification|conversation)"')
_SSE_EVENT = re.compile(rb"(?m)^event: ?(update|delete|status\.update|notification|conversation)\r?$")
_STATUS_MARKS = frozenset({b"visibility", b"spoiler_text", b"reblog", b"uri", b"acct"})


def sniff(head: bytes) -> bool:
    """Mastodon statuses as JSON (a status's ``content``, ``account``, ``created_at`` and one of its
    own keys), WebSocket stream lines, or Server-Sent Events with Mastodon's event names."""
    h = head[:65536].lstrip(b" \t\r\n\xef\xbb\xbf")
    if h.startswith((b"{", b"[")):
        keys = set(_KEY.findall(h))
        if {b"content", b"account", b"created_at"} <= keys and keys & _STATUS_MARKS:
            return True
        return {b"event", b"payload"} <= keys and _WS_EVENT.search(h) is not None
    return _SSE_EVENT.search(h) is not None and b"\ndata:" in h


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """The records of a Mastodon file, its streaming deletes resolved to the uris the file gave before."""
    start = stream.read(65536)
    rest = io.BufferedReader(_Chained(start, stream))  # type: ignore[arg-type]
    if start.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"["):
        found: Iterator[Record] = json_records(rest, source)
    else:
        found = sse_records(rest)
    return _resolve_deletes(found)


def sse_records(stream: IO[bytes]) -> Iterator[Record]:
    """One record per event, numbered by the line of its first field."""
    event: str | None = None
    data: list[bytes] = []
    first = 0
    lineno = 0
    for lineno, line in enumerate(stream, 1):
        line = line.rstrip(b"\r\n")
        if not line:
            if data:
                yield _event_record(first, event or "message", b"\n".join(data))
            event, data, first = None, [], 0
            continue
        if line.startswith(b":"):  # a comment: the heartbeat
            continue
        name, _, value = line.partition(b":")
        value = value[1:] if value.startswith(b" ") else value
        first = first or lineno
        if name == b"event":
            event = value.decode("utf-8", "replace")
        elif name == b"data":
            data.append(value)
    if data:
        yield _event_record(first or lineno, event or "message", b"\n".join(data))


def _event_record(line: int, event: str, data: bytes) -> Record:
    raw_fallback = b"event: " + event.encode() + b"\ndata: " + data
    if event == "delete":
        payload: Any = data.decode("utf-8", "replace").strip()
    else:
        try:
            payload = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            return Record(line, None, raw_fallback, f"invalid JSON in {event} event: {exc}")
    obj = {"event": event, "payload": payload}
    return Record(line, obj, orjson.dumps(obj))


def _resolve_deletes(found: Iterator[Record]) -> Iterator[Record]:
    uris: dict[str, str] = {}
    for rec in found:
        obj = rec.obj
        if isinstance(obj, dict) and isinstance(obj.get("event"), str):
            payload = obj.get("payload")
            if obj["event"] == "delete" and "uri" not in obj:
                uri = uris.get(str(payload).strip())
                if uri is not None:
                    obj = {**obj, "uri": uri}
                    rec = Record(rec.line, obj, orjson.dumps(obj))
            else:
                status = _payload_status(payload)
                if status is not None:
                    uris[status["id"]] = status["uri"]
        yield rec


def _payload_status(payload: Any) -> dict[str, Any] | None:
    if isinstance(payload, str) and payload.startswith("{"):
        try:
            payload = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return None
    if isinstance(payload, dict) and isinstance(payload.get("id"), str) and isinstance(payload.get("uri"), str):
        return payload
    return None


class _Chained(io.RawIOBase):
    """The bytes already read, then the rest of the stream."""

    def __init__(self, start: bytes, stream: IO[bytes]) -> None:
        self._start = memoryview(start)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        if self._start:
            n = min(len(buf), len(self._start))
            buf[:n] = self._start[:n]
            self._start = self._start[n:]
            return n
        chunk = self._stream.read(len(buf))
        buf[: len(chunk)] = chunk
        return len(chunk)
