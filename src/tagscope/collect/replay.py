"""A local Jetstream: replays recorded events over a websocket, as ``/subscribe`` serves them.

`tagscope collect replay-server FILE` runs it for the docs' worked example; the tests and
bench/bench_collect.py run it in a thread. It honours ``cursor`` (events from that ``time_us`` on)
and ``wantedCollections``, keeps a replay window (``oldest_us``: older events are gone, as on the
real server), can pace the events (``rate``; with ``restamp`` each is sent as happening now, a live
stream) and can drop the connection after a given number of
frames (``drops``, one entry per connection), so a collector meets the faults of the real network.
Frames are sent as they are in the file: duplicated, out-of-order or malformed lines stay so.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson


def _time_and_collection(frame: bytes) -> tuple[int | None, str | None]:
    try:
        ev = orjson.loads(frame)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(ev, dict):
        return None, None
    t = ev.get("time_us")
    commit = ev.get("commit")
    coll = commit.get("collection") if isinstance(commit, dict) else None
    return (t if isinstance(t, int) else None), (coll if isinstance(coll, str) else None)


def read_frames(path: str | Path) -> list[bytes]:
    """The non-empty lines of a file of Jetstream events."""
    return [line for line in Path(path).read_bytes().splitlines() if line.strip()]


class ReplayServer:
    """Serves FRAMES (one Jetstream event each, in order) at ``ws://HOST:PORT/subscribe``."""

    def __init__(self, frames: Iterable[bytes], *, oldest_us: int | None = None, drops: Iterable[int] = (),
                 rate: float | None = None, restamp: bool = False, host: str = "127.0.0.1", port: int = 0):
        self.frames = list(frames)
        times: list[int] = []
        self.collections: list[str | None] = []
        last = 0
        for f in self.frames:
            t, coll = _time_and_collection(f)
            # A frame without a time (malformed) sorts with the event before it. The running maximum
            # keeps the list sorted for bisect when the file has events out of order.
            last = max(last, t or 0)
            times.append(last)
            self.collections.append(coll)
        self.times = times
        self.oldest_us = oldest_us
        self.drops = list(drops)
        self.rate = rate
        self.restamp = restamp  # send each event with time_us = now: a live stream (lag measurements)
        self.host, self.port = host, port
        self.connections = 0
        self.cursors: list[int | None] = []  # the cursor each connection asked for
        self.sent = 0
        self.first_sent_at: float | None = None  # time.monotonic() of the first and the last frame sent
        self.last_sent_at: float | None = None

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/subscribe"

    def _start(self, cursor: int | None) -> int:
        start = 0 if cursor is None else bisect.bisect_left(self.times, cursor)
        if self.oldest_us is not None:
            start = max(start, bisect.bisect_left(self.times, self.oldest_us))
        return start

    async def handler(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        query = parse_qs(urlsplit(ws.request.path).query)
        cursor = int(query["cursor"][0]) if query.get("cursor", [""])[0].lstrip("-").isdigit() else None
        wanted = set(query.get("wantedCollections", []))
        conn = self.connections
        self.connections += 1
        self.cursors.append(cursor)
        drop_after = self.drops[conn] if conn < len(self.drops) else None
        sent = 0
        pace = 1.0 / self.rate if self.rate else 0.0
        for i in range(self._start(cursor), len(self.frames)):
            coll = self.collections[i]
            if wanted and coll is not None and coll not in wanted:
                continue
            if drop_after is not None and sent >= drop_after:
                ws.transport.abort()  # no close frame: the connection is lost, as a network drop is
                return
            frame = self.frames[i]
            if self.restamp and coll is not None:
                ev = orjson.loads(frame)
                ev["time_us"] = time.time_ns() // 1000
                frame = orjson.dumps(ev)
            try:
                await ws.send(frame, text=True)
            except ConnectionClosed:  # the collector went away (stopped, killed): nothing to serve
                return
            sent += 1
            self.sent += 1
            self.last_sent_at = time.monotonic()
            if self.first_sent_at is None:
                self.first_sent_at = self.last_sent_at
            if pace:
                await asyncio.sleep(pace)
        await ws.wait_closed()  # caught up: live from here on (nothing more to send)

    async def serve(self, ready: threading.Event | None = None, stop: asyncio.Event | None = None) -> None:
        from websockets.asyncio.server import serve

        async with serve(self.handler, self.host, self.port, compression=None, max_queue=None) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            if ready is not None:
                ready.set()
            await (stop.wait() if stop is not None else asyncio.Future())


@contextlib.contextmanager
def serving(frames: Iterable[bytes], **kwargs: Any) -> Iterator[ReplayServer]:
    """A :class:`ReplayServer` on a free loopback port, in a thread, for the with-block."""
    server = ReplayServer(frames, **kwargs)
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(ready, stop),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the replay server did not start")
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
