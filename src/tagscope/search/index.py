"""The full-text index (tantivy), kept in step with the store's posts files.

Posts files are immutable and a deletion rewrites its file under a new name, so every document
records the posts file it came from. ``update`` deletes the documents of files the store no longer
lists (deleted or merged posts vanish in the same commit), adds those of new files, commits the
index, and only then records the covered file list (``covered.json``, replaced atomically). A crash
between the two leaves a list older than the index: the next update deletes the documents of the
"new" files again before adding them, so a crash means a catch-up, never a wrong index.

Layout: ``STORE/derived/search/index/`` (tantivy) and ``STORE/derived/search/covered.json``.

Kept in step through the store's events (:mod:`tagscope.store.events`): ``catch_up`` runs ``update``,
``on_forget`` rebuilds the index (see :func:`forget`). This module subscribes when it is imported.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow.parquet as pq

from .. import files as atomic
from ..store import events

try:
    import tantivy

    from . import analysis, documents
except ModuleNotFoundError as _exc:  # tantivy missing (a trimmed install): ingest and forget still work
    if _exc.name != "tantivy":
        raise
    tantivy = None

MISSING = "full-text search needs the search extra: pip install 'tagscope[search]'"

if TYPE_CHECKING:
    from ..store import Store

SCHEMA_VERSION = 3  # 2: text and words indexed pre-split (same terms as 1), chunk; 3: created_at not indexed
COLUMNS = ["platform", "id", "author_handle", "created_at", "text", "lang", "kind", "hashtags_norm", "mentions"]
HEAP_BYTES = 1_000_000_000  # shared by the writer's threads; used as needed. At 10M: 3 segments, not 9 (256 MB), 7% less CPU
WRITER_THREADS = max(1, min(2, os.cpu_count() or 1))  # tokenising and segment writing, beside our Python
CHUNK_ROWS = 65_536  # posts read (and resumable) at once
COMMIT_ROWS = 32 * CHUNK_ROWS  # ~2M posts: a crash loses less; few commits keep segments (query time) few


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", tokenizer_name=analysis.SPLIT_STEMMED, index_option="position")
    sb.add_text_field("words", tokenizer_name=analysis.SPLIT_PLAIN, index_option="basic")
    for name in ("tags", "mentions", "author", "lang", "kind", "platform"):
        sb.add_text_field(name, tokenizer_name=analysis.KEYWORD, index_option="basic")
    # "FILE:BATCH": a file's documents go by prefix, a resumed build's by chunk (one term per post).
    sb.add_text_field("chunk", tokenizer_name=analysis.KEYWORD, index_option="basic")
    # What a hit shows, kept in the index so a page of results needs no Parquet scan.
    sb.add_bytes_field("doc", stored=True, indexed=False)
    # Time ranges are fast-field range queries (tantivy's default) and sorting reads the fast field:
    # a term per post in the inverted index was never read, and cost ~2.5 µs a post (an eighth).
    sb.add_date_field("created_at", stored=True, indexed=False, fast=True)
    return sb.build()


def folder(store: Store) -> Path:
    return store.path / "derived" / "search"


def _covered_path(store: Store) -> Path:
    return folder(store) / "covered.json"


def _state(store: Store) -> dict[str, Any] | None:
    """covered.json: the files fully indexed, and ``partial`` [file, chunks done] while a build is under way."""
    try:
        data = orjson.loads(_covered_path(store).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    if data.get("schema_version") != SCHEMA_VERSION or not (folder(store) / "index" / "meta.json").exists():
        return None
    return dict(data)


def covered(store: Store) -> list[str] | None:
    """Posts file names the index holds in full, or None when there is no usable index."""
    state = _state(store)
    return None if state is None else list(state["files"])


def _save_covered(store: Store, files: list[str], partial: tuple[str, int] | None = None) -> None:
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "generation": store.generation, "files": files}
    if partial is not None:
        data["partial"] = list(partial)
    atomic.write_bytes(_covered_path(store), orjson.dumps(data))


def open_index(store: Store, *, create: bool = False) -> tantivy.Index:
    path = folder(store) / "index"
    if create:
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(build_schema(), path=str(path), reuse=True)
    else:
        index = tantivy.Index.open(str(path))
    analysis.register(index)
    return index


def store_files(store: Store) -> list[str]:
    return list(store.manifest["posts"])


def is_current(store: Store) -> bool:
    state = _state(store)
    return state is not None and state["files"] == store_files(store) and not state.get("partial")


def store_posts(store: Store) -> int:
    """Posts in the store's posts files (Parquet footers only)."""
    return sum(pq.read_metadata(store.path / "posts" / name).num_rows for name in store_files(store))


def update(store: Store, *, progress: Any = None, budget: float | None = None) -> dict[str, Any]:
    """Bring the index in step with the store (call with the store's write lock held).

    With a BUDGET (seconds), stop at the first commit point past it: the index then answers for the
    posts it holds (``complete`` is False) and the next update resumes where this one stopped."""
    if tantivy is None:  # searching later needs the extra, and catches up then
        return {"added_files": 0, "removed_files": 0, "documents": 0, "complete": True}
    state = _state(store)
    if state is None:
        return reindex(store, progress=progress, budget=budget)
    want = store_files(store)
    have = [f for f in state["files"] if f in set(want)]
    gone = [f for f in state["files"] if f not in set(want)]
    partial = state.get("partial")
    if partial and partial[0] not in set(want):
        gone.append(partial[0])
        partial = None
    new = [f for f in want if f not in set(have)]
    if not gone and not new:
        return {"added_files": 0, "removed_files": 0, "documents": 0, "complete": True}
    index = open_index(store, create=True)
    docs, complete = _apply(store, index, gone, have, new, partial, progress, budget)
    return {"added_files": len(new), "removed_files": len(gone), "documents": docs, "complete": complete}


def reindex(store: Store, *, progress: Any = None, budget: float | None = None) -> dict[str, Any]:
    """Rebuild the index from scratch (call with the store's write lock held)."""
    shutil.rmtree(folder(store), ignore_errors=True)
    index = open_index(store, create=True)
    want = store_files(store)
    docs, complete = _apply(store, index, [], [], want, None, progress, budget)
    return {"added_files": len(want), "removed_files": 0, "documents": docs, "complete": complete}


def forget(store: Store, forgotten: events.ForgottenPosts) -> None:
    """Rebuild an existing index without the forgotten (or purged deleted) posts. An update would not
    do: tantivy only marks a deleted document, and its stored text stays in the segment's files until a
    merge, which its merge policy may never make for a segment still holding other posts. Without
    tantivy the index cannot be rewritten, so it goes: it is derived data, rebuilt by the next search."""
    if not (forgotten.keys or forgotten.deleted) or not folder(store).exists():
        return
    if tantivy is None:
        shutil.rmtree(folder(store))
    else:
        reindex(store)


def _apply(
    store: Store, index: tantivy.Index, drop: list[str], have: list[str], add: list[str],
    partial: list[Any] | None, progress: Any, budget: float | None,
) -> tuple[int, bool]:
    """Delete DROP's documents, add ADD's (resuming PARTIAL), committing every ~COMMIT_ROWS posts and
    recording what each commit covers, so a query can use a half-built index and a later update
    (or a crash) resumes at the last commit. Returns (documents added, whether ADD was finished).

    A reader thread reads the posts and builds their documents (:mod:`.documents`) while this one
    hands them to tantivy, whose own threads index them: reading overlaps indexing."""
    started = time.perf_counter()
    writer = index.writer(HEAP_BYTES, WRITER_THREADS)
    for name in drop:
        _delete_file(index, writer, name)
    done = list(have)
    order = {f: i for i, f in enumerate(store_files(store))}
    docs = pending = 0

    def commit(at: tuple[str, int] | None) -> None:
        writer.commit()
        _save_covered(store, sorted(done, key=lambda f: order.get(f, len(order))), at)

    with _Reader(store, add, partial) as reader:
        for item in reader:
            if item[0] == "file":  # before a file's first chunk: clear what an earlier attempt left
                _, name, start, chunks = item
                if start == 0:  # a crash after a commit but before its record: drop what it added
                    _delete_file(index, writer, name)
                else:
                    for k in range(start, chunks):
                        writer.delete_documents_by_term("chunk", f"{name}:{k}")
                continue
            if item[0] == "end":
                name = item[1]
                done.append(name)
                if budget is not None and time.perf_counter() - started > budget and name != add[-1]:
                    commit(None)
                    writer.wait_merging_threads()
                    return docs, False
                if pending >= COMMIT_ROWS:
                    commit(None)
                    pending = 0
                continue
            _, name, k, chunks, jsons = item
            for doc in jsons:
                writer.add_json(doc)
            docs += len(jsons)
            pending += len(jsons)
            if progress is not None:
                progress(docs)
            last = k + 1 == chunks
            over = budget is not None and time.perf_counter() - started > budget
            if not last and (pending >= COMMIT_ROWS or over):
                commit((name, k + 1))
                pending = 0
                if over:
                    writer.wait_merging_threads()
                    return docs, False
    commit(None)
    writer.wait_merging_threads()
    return docs, True


class _Reader:
    """Posts files read and turned into documents by a thread of their own, a few chunks ahead.

    Iterating gives ("file", name, first chunk, chunks), then ("chunk", name, k, chunks, documents)
    for each chunk from the first, then ("end", name), file by file. The queue is short (memory stays
    bounded at any store size); leaving the ``with`` early stops the thread."""

    AHEAD = 2  # chunks ready beyond the one being indexed

    def __init__(self, store: Store, add: list[str], partial: list[Any] | None):
        self.store, self.add, self.partial = store, add, partial
        self.queue: queue.Queue[Any] = queue.Queue(self.AHEAD)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="tagscope-index-reader", daemon=True)

    def __enter__(self) -> _Reader:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()  # a put waiting for room gives up within its timeout
        self.thread.join()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (item := self.queue.get()) is not None:
            if item[0] == "error":
                raise item[1]
            yield item

    def _put(self, item: Any) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for name in self.add:
                pf = pq.ParquetFile(self.store.path / "posts" / name)
                start = int(self.partial[1]) if self.partial and self.partial[0] == name else 0
                chunks = -(-pf.metadata.num_rows // CHUNK_ROWS)
                if not self._put(("file", name, start, chunks)):
                    return
                for k, batch in enumerate(pf.iter_batches(batch_size=CHUNK_ROWS, columns=COLUMNS)):
                    if k < start:
                        continue
                    if not self._put(("chunk", name, k, chunks, documents.jsons(batch, name, k))):
                        return
                if not self._put(("end", name)):
                    return
            self._put(None)
        except BaseException as exc:  # handed to the indexing thread, which raises it
            self._put(("error", exc))


def _delete_file(index: tantivy.Index, writer: tantivy.IndexWriter, name: str) -> None:
    """Delete every document of posts file NAME (its chunk terms all start with "NAME:")."""
    escaped = "".join("\\" + c if c in r"\.+*?()|[]{}^$#&-~" else c for c in name)
    writer.delete_documents_by_query(tantivy.Query.regex_query(index.schema, "chunk", escaped + ":[0-9]+"))


events.catch_up.subscribe(update)
events.on_forget.subscribe(forget)
