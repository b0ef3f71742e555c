"""Mastodon hashtags into the store: `tagscope collect mastodon`.

For each instance and tag, one loop: a REST back-fill of ``/api/v1/timelines/tag/TAG`` from the saved
cursor (the newest status id seen, paged by ``min_id``), then the ``hashtag`` stream (Server-Sent
Events; a user token is needed since Mastodon 4.2) until it drops, then the back-fill again: the
stream has no replay, and the back-fill is what fills each reconnect's hole. Rate limits are read
from the responses (429 with ``Retry-After``, ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``) and
waited out; 5xx answers are retried with back-off. Statuses and stream events go to the ``mastodon``
format as records (a stream event as ``{"event", "payload"}``, a delete with the ``uri`` of the status
it names when this run saw it), so one status seen from several instances is one post (by ``uri``).
Each instance has its own cursor, coverage and source.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from ..formats.base import Record
from ..store import coverage
from .backoff import Backoff
from .sink import Batch, Sink, cursor_of
from .status import Status

PLATFORM = "mastodon"
FORMAT = "mastodon"
PAGE = 40  # statuses per REST page (Mastodon's maximum for timelines)
LOCAL_IDS = 100_000  # local id -> uri of statuses seen, to resolve deletes (bounded)


@dataclass
class Options:
    instances: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    token: str | None = None
    batch_seconds: float = 2.0
    idle_exit: float | None = None  # stop after this many seconds without a status (tests, catch-up)
    backoff_first: float = 1.0
    stream: bool = True


class RateLimited(Exception):
    """A 429 or 5xx answer; ``wait`` seconds before the next request."""

    def __init__(self, wait: float, why: str):
        super().__init__(why)
        self.wait = wait


def _retry_after(headers: Any) -> float | None:
    value = headers.get("retry-after") or headers.get("x-ratelimit-reset")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class TagCollector:
    """One instance and one tag: back-fill, stream, back-fill again."""

    def __init__(self, store: Any, instance: str, tag: str, opts: Options, status: Status):
        self.instance = instance.rstrip("/")
        if "://" not in self.instance:
            self.instance = "https://" + self.instance
        self.tag = tag.lstrip("#＃")
        self.opts = opts
        self.status = status
        self.source = f"{self.instance}/api/v1/timelines/tag/{self.tag}"
        self.key = f"{PLATFORM} {self.source}"
        self.run_id = coverage.new_id()
        self.sink = Sink(store, FORMAT, self.source, self.key, self.run_id)
        self.store = store
        self.cursor: int | None = None  # the newest status id seen (ids grow with time on one instance)
        self.local: OrderedDict[str, str] = OrderedDict()
        self.batch = Batch()
        self.last_status = time.monotonic()
        self.lock = asyncio.Lock()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.opts.token}"} if self.opts.token else {}

    def keep(self, obj: dict[str, Any], raw: bytes) -> None:
        st = obj.get("payload") if "event" in obj else obj
        line = 0
        if isinstance(st, dict) and isinstance(st.get("id"), str) and st["id"].isdigit():
            line = int(st["id"])
            if self.cursor is None or line > self.cursor:
                self.cursor = line
            if isinstance(st.get("uri"), str):
                self.local[st["id"]] = st["uri"]
                if len(self.local) > LOCAL_IDS:
                    self.local.popitem(last=False)
        if raw in self.batch.frames:
            return
        self.batch.frames.add(raw)
        self.batch.records.append(Record(line, obj, raw))
        self.status.matched += 1
        self.last_status = time.monotonic()

    async def flush(self) -> None:
        async with self.lock:
            batch, self.batch = self.batch, Batch()
            if not (batch.records or batch.coverage):
                return
            batch.cursor = None if self.cursor is None else str(self.cursor)
            c = await asyncio.to_thread(self.sink.commit, batch)
            self.status.stored += c["new"]
            self.status.duplicates += c["duplicates"]
            self.status.deleted += c["deleted"]
            self.status.quarantined += c["quarantined"]
            self.status.commits += 1

    async def get(self, client: Any, url: str, params: dict[str, Any] | None) -> Any:
        """GET with the instance's rate limits respected: waits out 429s and retries 5xx with back-off."""
        backoff = Backoff(first=self.opts.backoff_first, cap=300)
        while True:
            r = await client.get(url, params=params, headers=self.headers())
            if r.status_code == 429 or r.status_code >= 500:
                wait = _retry_after(r.headers) if r.status_code == 429 else None
                delay = wait if wait is not None else backoff.next()
                self.status.note = f"{self.instance}: HTTP {r.status_code}, waiting {delay:.1f} s"
                await asyncio.sleep(delay)
                continue
            r.raise_for_status()
            remaining = r.headers.get("x-ratelimit-remaining")
            if remaining is not None and remaining.strip() == "0":
                wait = _retry_after({"x-ratelimit-reset": r.headers.get("x-ratelimit-reset")})
                if wait:
                    self.status.note = f"{self.instance}: rate limit reached, waiting {wait:.0f} s"
                    await asyncio.sleep(wait)
            return r

    async def backfill(self, client: Any) -> int:
        """Every status newer than the cursor (min_id pages, oldest page first); the count fetched.
        Without a cursor (a first run): the newest page only."""
        url = f"{self.instance}/api/v1/timelines/tag/{self.tag}"
        fetched = 0
        start = coverage.now()
        before = self.cursor
        link: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if self.cursor is not None:
                params["min_id"] = str(self.cursor)
            # The next newer page: the answer's Link rel="prev" when it names one on this instance (Mastodon
            # writes min_id there), else min_id = the newest id seen.
            r = await self.get(client, link, None) if link else await self.get(client, url, params)
            prev = r.links.get("prev", {}).get("url")
            link = prev if isinstance(prev, str) and prev.startswith(self.instance) and "min_id=" in prev else None
            page = r.json()
            if not isinstance(page, list) or not page:
                break
            newest = self.cursor
            for st in sorted((s for s in page if isinstance(s, dict)), key=lambda s: int(s.get("id") or 0)):
                self.keep(st, orjson.dumps(st))
                fetched += 1
            if before is not None and self.cursor == newest:
                break  # nothing newer than what we had: a server ignoring min_id must not loop us forever
            self.status.events += len(page)
            if before is None:  # a first run takes the newest page as where it starts
                break
            if len(self.batch.records) >= 5000:
                await self.flush()
        if fetched or before is not None:
            src, cur, n = self.source, self.cursor, fetched
            self.batch.coverage.append(lambda st: coverage.record(
                st, "backfill", PLATFORM, src, start=start, end=coverage.now(), cursor=cur,
                reason=f"REST back-fill from min_id {before}: {n} statuses"))
        await self.flush()
        return fetched

    async def stream(self, client: Any) -> None:
        """The hashtag stream until it ends (raises on a dropped connection)."""
        url = f"{self.instance}/api/v1/streaming/hashtag"
        async with client.stream("GET", url, params={"tag": self.tag}, headers=self.headers(), timeout=None) as r:
            if r.status_code == 429 or r.status_code >= 500:
                raise RateLimited(_retry_after(r.headers) or 0.0, f"HTTP {r.status_code}")
            r.raise_for_status()
            event, data = None, []
            async for line in r.aiter_lines():
                if line.startswith(":"):
                    continue  # a heartbeat
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif not line.strip() and event is not None:
                    self.event(event, "\n".join(data))
                    event, data = None, []
                    if len(self.batch.records) >= 5000:
                        await self.flush()

    def event(self, name: str, data: str) -> None:
        self.status.events += 1
        if name in ("update", "status.update"):
            try:
                payload = orjson.loads(data)
            except orjson.JSONDecodeError:
                payload = data
            self.keep({"event": name, "payload": payload}, orjson.dumps({"event": name, "payload": payload}))
        elif name == "delete":
            uri = self.local.get(data.strip())
            if uri is not None:  # a delete of a status this run never saw names nothing it keeps
                self.keep({"event": "delete", "payload": data.strip(), "uri": uri},
                          orjson.dumps({"event": "delete", "payload": data.strip(), "uri": uri}))

    async def run(self, client: Any, stop: asyncio.Event) -> None:
        saved = await asyncio.to_thread(cursor_of, self.store, self.key)
        self.cursor = int(saved) if isinstance(saved, str) and saved.isdigit() else None
        rid, src, cur = self.run_id, self.source, self.cursor
        self.batch.coverage.append(lambda st: coverage.record(
            st, "run", PLATFORM, src, start=coverage.now(), cursor=cur, reason=f"collecting #{self.tag}", entry_id=rid))
        backoff = Backoff(first=self.opts.backoff_first)
        try:
            while not stop.is_set():
                try:
                    await self.backfill(client)
                    if not self.opts.stream:
                        break
                    streaming = asyncio.create_task(self.stream(client))
                    ticker = asyncio.create_task(self._ticker(stop, streaming))
                    try:
                        await streaming
                    finally:
                        ticker.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await ticker
                    reason = "the stream ended"
                    backoff.reset()
                except asyncio.CancelledError:
                    if stop.is_set():
                        break  # the ticker ended the stream: stopping
                    raise
                except RateLimited as exc:
                    reason, delay = str(exc), exc.wait
                    await self._pause(stop, max(delay, backoff.next()))
                    continue
                except Exception as exc:  # the connection's loss, whatever the library calls it
                    reason = f"{type(exc).__name__}: {exc}"
                if stop.is_set():
                    break
                self.status.reconnects += 1
                at, cur = coverage.now(), self.cursor
                self.batch.coverage.append(lambda st, at=at, cur=cur, reason=reason: coverage.record(
                    st, "disconnect", PLATFORM, self.source, start=at, end=at, cursor=cur,
                    reason=f"{reason}; the back-fill that follows fills the hole"))
                await self._pause(stop, backoff.next())
        finally:
            cur = self.cursor
            self.batch.coverage.append(lambda st: coverage.update(st, rid, end=coverage.now(), cursor=cur))
            await self.flush()
            self.sink.close()

    async def _pause(self, stop: asyncio.Event, delay: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)

    async def _ticker(self, stop: asyncio.Event, streaming: asyncio.Task[None]) -> None:
        """Commit on time; end the stream when idle (``idle_exit``) or asked to stop."""
        started = time.monotonic()
        while True:
            await asyncio.sleep(min(self.opts.batch_seconds, 0.25))
            if time.monotonic() - started >= self.opts.batch_seconds:
                started = time.monotonic()
                await self.flush()
            if self.opts.idle_exit is not None and time.monotonic() - self.last_status > self.opts.idle_exit:
                stop.set()
            if stop.is_set():
                streaming.cancel()
                return


async def collect(store: Any, opts: Options, stop: asyncio.Event, status: Status | None = None) -> Status:
    """Every instance and tag at once, until STOP (or ``idle_exit``)."""
    import httpx

    status = status or Status()
    loops = [TagCollector(store, i, t, opts, status) for i in opts.instances for t in opts.tags]
    one_commit = asyncio.Lock()  # the loops share the Store object: one commit at a time
    for c in loops:
        c.lock = one_commit
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=120.0), follow_redirects=True) as client:
        tasks = [asyncio.create_task(c.run(client, stop)) for c in loops]
        try:
            await asyncio.gather(*tasks)
        finally:
            stop.set()
    return status
