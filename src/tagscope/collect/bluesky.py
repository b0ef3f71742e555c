"""Bluesky's Jetstream into the store: `tagscope collect bluesky`.

Jetstream (``/subscribe``) sends every commit of the wanted collections as one JSON text frame; a
``cursor`` (``time_us``, microseconds) replays from that time within the server's replay window.
The collector keeps what the user asked for and hands it to the ``bluesky-jetstream`` format:

- posts whose tags (facets and ``record.tags``, folded as the store folds them) or text match, and the
  reposts, likes, edits and deletions of matched posts (their URIs are remembered in a bounded LRU set,
  seeded from the store's newest Bluesky posts at start, so a deletion after a restart is still kept);
- frames that are not JSON, or not Jetstream events, go to the quarantine (nothing is dropped silently);
- the cursor is the newest ``time_us`` processed, saved in the manifest with every commit; a reconnect
  resumes REWIND seconds before it (dedup absorbs the overlap), and when the first event replayed is
  newer than what the collector already had (the replay window did not reach back), the hole is a
  ``gap`` in the store's coverage. Jetstream replays, so a disconnect alone loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson

from ..formats.base import Record
from ..formats.bluesky import record as bsky_record
from ..formats.bluesky.jetstream import NAME as FORMAT
from ..formats.bluesky.jetstream import POST, REPOST
from ..post import fold_tag
from ..store import coverage
from .backoff import Backoff
from .sink import Batch, Sink, cursor_of
from .status import Status

PLATFORM = "bluesky"
LIKE = "app.bsky.feed.like"
COLLECTIONS = (POST, REPOST, LIKE)
JETSTREAM = "wss://jetstream2.us-east.bsky.network/subscribe"
MATCHED_MAX = 500_000  # URIs of matched posts remembered (~150 bytes each: ~75 MB at most)


def could_have_tags(raw: bytes) -> bool:
    """Could the post in RAW carry a tag? A post without the tag facet's type or a ``tags`` key has none,
    unless its JSON escapes a character of them (``\\u``): only then is the decoded post searched."""
    return b"facet#tag" in raw or b'"tags"' in raw or b"\\u" in raw


@lru_cache(maxsize=1 << 16)
def _folded(tag: str) -> str:
    """fold_tag (two NFKC passes) of a tag without its '#': cached, as the same tags recur all day."""
    return fold_tag(tag.lstrip("#＃"))


@dataclass
class Options:
    """What to collect and how (the CLI's options; defaults suit the real network)."""

    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    keep_all: bool = False  # every post and repost, no filter (benchmarks, small replays)
    since: int | None = None  # a time_us cursor; None: the saved cursor, else live
    url: str = JETSTREAM
    rewind_us: int = 5_000_000  # resume this far before the cursor: a few seconds of overlap
    gap_after_us: int = 1_000_000  # a replay starting later than this after what we had is a gap
    batch_seconds: float = 2.0
    batch_records: int = 20_000  # or BATCH_SECONDS, whichever comes first
    idle_exit: float | None = None  # stop after this many seconds without a frame (catch-up runs)
    matched_max: int = MATCHED_MAX
    backoff_first: float = 0.5  # the first reconnect delay, doubled up to a minute

    def source(self) -> str:
        """The endpoint without its query: raw records, quarantine and coverage name it."""
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))

    def subscribe_url(self, cursor: int | None) -> str:
        parts = urlsplit(self.url)
        query = [("wantedCollections", c) for c in COLLECTIONS]
        if cursor is not None:
            query.append(("cursor", str(max(int(cursor), 0))))
        extra = f"&{parts.query}" if parts.query else ""
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/subscribe", urlencode(query) + extra, ""))


class Matcher:
    """Which events to keep: matched posts and everything that points at one."""

    def __init__(self, tags: Iterable[str], keywords: Iterable[str], *, keep_all: bool = False,
                 capacity: int = MATCHED_MAX):
        self.tags = frozenset(fold_tag(t.lstrip("#＃")) for t in tags if t.lstrip("#＃"))
        self.keywords = tuple(k.casefold() for k in keywords if k)
        self.keep_all = keep_all
        self.capacity = capacity
        self.uris: OrderedDict[str, None] = OrderedDict()

    def remember(self, uri: str) -> None:
        self.uris[uri] = None
        if len(self.uris) > self.capacity:
            self.uris.popitem(last=False)

    def seed(self, uris: Iterable[str]) -> None:
        for uri in uris:
            self.remember(uri)

    def post_matches(self, rec: Any, raw: bytes | None = None) -> bool:
        """Does post record REC match? RAW, its frame, lets a post without tag marks skip the tag search."""
        if self.keep_all:
            return True
        if not isinstance(rec, dict):
            return True  # malformed: the format quarantines it with its reason
        text = rec.get("text")
        if self.keywords:
            folded = text.casefold() if isinstance(text, str) else ""
            if any(k in folded for k in self.keywords):
                return True
        if raw is not None and not could_have_tags(raw):
            return False
        if self.tags and (rec.get("facets") or rec.get("tags")):
            tags, _, _ = bsky_record.facets(text if isinstance(text, str) else None, rec.get("facets"))
            extra = rec.get("tags")
            if isinstance(extra, list):
                tags += [t for t in extra[:bsky_record.MAX_RECORD_TAGS] if isinstance(t, str)]
            return any(_folded(t) in self.tags for t in tags)
        return False

    def keep(self, ev: Any, raw: bytes | None = None) -> bool:
        """Keep EV (decoded from the frame RAW, when given)? Events that are not Jetstream commits of the three collections are kept only when
        malformed (to be quarantined); identity and account events are dropped."""
        if not isinstance(ev, dict):
            return True
        kind = ev.get("kind")
        if kind in ("identity", "account"):
            return False
        commit = ev.get("commit")
        if kind != "commit" or not isinstance(commit, dict):
            return True
        collection = commit.get("collection")
        if collection not in COLLECTIONS:
            return False
        uri = f"at://{ev.get('did')}/{collection}/{commit.get('rkey')}"
        op = commit.get("operation")
        if op == "delete":
            return self.keep_all or uri in self.uris
        rec = commit.get("record")
        if collection == POST:
            if self.post_matches(rec, raw) or uri in self.uris:  # an edit of a matched post is kept
                if not self.keep_all:
                    self.remember(uri)
                return True
            return False
        subject = rec.get("subject") if isinstance(rec, dict) else None
        target = subject.get("uri") if isinstance(subject, dict) else None
        if collection == REPOST and self.keep_all:
            return True
        if isinstance(target, str) and target in self.uris:
            if collection == REPOST:
                self.remember(uri)  # its deletion must be kept too
            return True
        return not isinstance(target, str) and collection == REPOST  # malformed repost: quarantined


def iso_us(time_us: int) -> str:
    return coverage.iso(datetime.fromtimestamp(time_us / 1e6, UTC))


class Collector:
    """One Jetstream collection run into STORE (see the module's doc)."""

    def __init__(self, store: Any, opts: Options, status: Status | None = None):
        self.store = store
        self.opts = opts
        self.status = status or Status()
        self.source = opts.source()
        self.key = f"{PLATFORM} {self.source}"
        self.run_id = coverage.new_id()
        self.sink = Sink(store, FORMAT, self.source, self.key, self.run_id)
        self.matcher = Matcher(opts.tags, opts.keywords, keep_all=opts.keep_all, capacity=opts.matched_max)
        self.batch = Batch()
        self.batch_started = time.monotonic()
        self.last_us: int | None = None  # newest time_us processed
        self.flushed_us: int | None = None  # the cursor of the last batch handed to the sink
        self.line_us = 0  # source_line of a malformed frame: the time of the event before it
        self.expect: int | None = None  # after a (re)connect with a cursor: the newest event we had
        self.open_disconnects: list[str] = []  # coverage entries of disconnects not yet resumed
        self.receiving_since: float | None = None  # when the consumer began waiting for the next frame
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="tagscope-collect-commit")
        self.committing: Future[dict[str, int]] | None = None
        self.flush_lock = asyncio.Lock()
        self.failed: str | None = None  # why a commit failed: no later commit may happen

    # -- coverage ------------------------------------------------------------------------------
    def _coverage(self, change: Callable[[Any], Any]) -> None:
        self.batch.coverage.append(change)

    def _start_run(self, cursor: int | None) -> None:
        rid, src = self.run_id, self.source
        wanted = ",".join([*(f"#{t}" for t in sorted(self.matcher.tags)), *self.matcher.keywords]) or "all"
        self._coverage(lambda st: coverage.record(st, "run", PLATFORM, src, start=coverage.now(), cursor=cursor,
                                                  reason=f"collecting {wanted}", entry_id=rid))

    def _close_stale(self, saved: Any) -> None:
        """The run that saved the cursor we resume from, if it never closed (killed, power lost), ends
        at its last commit: this run replays from there, so its stop loses nothing unless a gap says so."""
        if not isinstance(saved, dict) or not saved.get("run") or not saved.get("at"):
            return
        prev, at = saved["run"], saved["at"]
        note = "stopped without closing (killed?): ended at its last commit, resumed by the next run"

        def close(st: Any) -> None:
            for e in coverage.load(st.path):
                if e["id"] == prev and e["kind"] == "run" and e["end"] is None:
                    coverage.update(st, prev, end=at, reason=f"{e['reason']}; {note}" if e["reason"] else note)

        self._coverage(close)

    # -- the stream ----------------------------------------------------------------------------
    def _seed(self) -> None:
        if self.opts.keep_all or not self.store.files("posts"):
            return
        rows = self.store.sql("SELECT id FROM posts WHERE platform = 'bluesky' ORDER BY created_at DESC LIMIT ?",
                              [self.opts.matched_max]).column("id").to_pylist()
        self.matcher.seed(reversed(rows))  # newest last: the last evicted

    def handle(self, frame: bytes | str) -> None:
        """One frame: advance the cursor, check for a gap, keep it when it matches."""
        raw = frame.encode() if isinstance(frame, str) else frame
        self.status.events += 1
        try:
            ev = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self._keep(Record(self.line_us, None, raw, f"invalid JSON: {exc}"))
            return
        t = ev.get("time_us") if isinstance(ev, dict) else None
        if t.__class__ is int and t > 0:
            if self.expect is not None:
                self._resumed(t)
            if self.last_us is None or t > self.last_us:
                self.last_us = t
                self.status.last_event_us = t
            self.line_us = t
            line = t
        else:
            line = self.line_us
        if self.matcher.keep(ev, raw):
            self._keep(Record(line, ev, raw))

    def _keep(self, rec: Record) -> None:
        if rec.raw in self.batch.frames:
            self.status.duplicates += 1
            return
        self.batch.frames.add(rec.raw)
        self.batch.records.append(rec)
        self.status.matched += 1

    def _resumed(self, first_us: int) -> None:
        """The first event after a (re)connect: a replay that starts after what we had is a gap."""
        assert self.expect is not None
        had, self.expect = self.expect, None
        resumed_at = coverage.now()
        for rid in self.open_disconnects:
            self._coverage(lambda st, rid=rid: coverage.update(st, rid, end=resumed_at))
        self.open_disconnects = []
        if first_us > had + self.opts.gap_after_us:
            self.status.gaps += 1
            src = self.source
            reason = (f"the replay began {(first_us - had) / 1e6:,.1f} s after the cursor {had}: events between "
                      "were not replayed (the cursor was older than the server's replay window)")
            self._coverage(lambda st: coverage.record(st, "gap", PLATFORM, src, start=iso_us(had), end=iso_us(first_us),
                                                      cursor=had, reason=reason))

    def due(self) -> bool:
        return (len(self.batch.records) >= self.opts.batch_records
                or time.monotonic() - self.batch_started >= self.opts.batch_seconds)

    async def flush(self, *, final: bool = False) -> None:
        """Hand the batch to the commit thread (after the previous commit has ended)."""
        async with self.flush_lock:
            if self.failed is not None:
                raise CommitFailed(self.failed)
            if self.committing is not None:
                try:
                    await asyncio.wrap_future(self.committing)
                except Exception as exc:
                    # Fatal, never a reason to reconnect: a later commit would save a cursor past the
                    # records this one lost. The saved cursor is still the last good commit's.
                    self.failed = f"a commit to the store failed ({type(exc).__name__}: {exc}); the cursor " \
                                  "saved is the last good commit's: run again to resume from it"
                    raise CommitFailed(self.failed) from exc
            batch, self.batch = self.batch, Batch()
            self.batch_started = time.monotonic()
            advanced = self.last_us is not None and self.last_us != self.flushed_us
            if not (batch.records or batch.coverage or advanced):
                return
            batch.cursor = self.last_us
            self.flushed_us = self.last_us
            self.committing = self.pool.submit(self.sink.commit, batch)
            self.committing.add_done_callback(self._counted)
            if final:
                await asyncio.wrap_future(self.committing)

    def _counted(self, fut: Future[dict[str, int]]) -> None:
        if fut.exception() is not None:
            return
        c = fut.result()
        s = self.status
        s.stored += c["new"]
        s.duplicates += c["duplicates"]
        s.deleted += c["deleted"]
        s.quarantined += c["quarantined"]
        s.commits += 1

    async def _consume(self, ws: Any) -> None:
        while True:
            self.receiving_since = time.monotonic()  # only time spent waiting for a frame is idle time
            try:
                frame = await ws.recv(decode=False)
            except Exception as exc:  # the connection's end, clean or not: the caller reconnects
                if _closed_ok(exc):
                    return
                raise
            finally:
                self.receiving_since = None
            self.handle(frame)
            if self.due():
                await self.flush()

    async def _ticker(self, stop: asyncio.Event, ws: Any, on_tick: Callable[[Status], None] | None) -> None:
        """Commit a part-filled batch on time, show the status, and end the connection on stop or idle."""
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.25)
            # A loop that woke late was starved (a busy machine, a long commit holding the GIL): frames may
            # be waiting unread, so that time does not count as an idle stream.
            late = time.monotonic() - before - 0.25
            if late > 0.1 and self.receiving_since is not None:
                self.receiving_since += late
            self.status.tick()
            if on_tick is not None:
                on_tick(self.status)
            # A part-filled batch of a quiet stream is committed on time; a busy one is the consumer's.
            if self.due() and not self.flush_lock.locked() and (self.committing is None or self.committing.done()):
                await self.flush()
            waiting = self.receiving_since
            idle = (self.opts.idle_exit is not None and waiting is not None
                    and time.monotonic() - waiting > self.opts.idle_exit)
            if idle:
                self.status.note = f"no event for {self.opts.idle_exit:g} s: stopping"
                stop.set()
            if stop.is_set():
                await ws.close()
                return

    async def run(self, stop: asyncio.Event, on_tick: Callable[[Status], None] | None = None) -> Status:
        """Collect until STOP is set (Ctrl-C, SIGTERM) or the stream is idle for ``idle_exit`` seconds."""
        import websockets  # the collect extra; imported here so the module loads without it

        saved = await asyncio.to_thread(cursor_of, self.store, self.key)
        cursor = self.opts.since if self.opts.since is not None else saved
        await asyncio.to_thread(self._seed)
        self._close_stale(self.store.cursor(self.key))
        self._start_run(cursor)
        await self.flush(final=True)  # the run is in the coverage before the first event
        backoff = Backoff(first=self.opts.backoff_first)
        try:
            while not stop.is_set():
                resume = self.last_us if self.last_us is not None else cursor
                url = self.opts.subscribe_url(None if resume is None else resume - self.opts.rewind_us)
                if resume is not None:
                    self.expect = resume
                reason = "closed by the server"
                try:
                    async with websockets.connect(url, compression=None, max_size=2 ** 22, open_timeout=15,
                                                  ping_interval=20, ping_timeout=30, close_timeout=2) as ws:
                        self.status.note = ""
                        ticker = asyncio.create_task(self._ticker(stop, ws, on_tick))
                        try:
                            await self._consume(ws)
                        finally:
                            ticker.cancel()
                            with contextlib.suppress(asyncio.CancelledError):
                                await ticker
                    if self.status.events:
                        backoff.reset()
                except (TimeoutError, OSError, websockets.exceptions.WebSocketException) as exc:
                    reason = f"{type(exc).__name__}: {exc}"
                if stop.is_set():
                    break
                # Lost the connection: note it, wait, resume from the newest event processed.
                self.status.reconnects += 1
                rid = coverage.new_id()
                self.open_disconnects.append(rid)
                at, cur = coverage.now(), self.last_us
                self._coverage(lambda st, at=at, cur=cur, reason=reason, rid=rid: coverage.record(
                    st, "disconnect", PLATFORM, self.source, start=at, cursor=cur, reason=reason, entry_id=rid))
                delay = backoff.next()
                self.status.note = f"{reason[:80]}; reconnecting in {delay:.1f} s"
                if on_tick is not None:
                    on_tick(self.status)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
        finally:
            rid = self.run_id
            end_cursor = self.last_us if self.last_us is not None else cursor
            self._coverage(lambda st: coverage.update(st, rid, end=coverage.now(), cursor=end_cursor))
            try:
                if self.failed is None:
                    await self.flush(final=True)
            finally:
                self.pool.shutdown()
                self.sink.close()
        return self.status


class CommitFailed(RuntimeError):
    """A batch could not be committed: the collector stops (see :meth:`Collector.flush`)."""


def _closed_ok(exc: BaseException) -> bool:
    """A connection closed normally (the server's end of a replay, or our own close on stop)."""
    import websockets

    return isinstance(exc, websockets.exceptions.ConnectionClosedOK)
