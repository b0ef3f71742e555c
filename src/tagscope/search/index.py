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

import base64
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import files as atomic
from ..store import events

try:
    import tantivy

    from . import analysis
except ModuleNotFoundError as _exc:  # tantivy missing (a trimmed install): ingest and forget still work
    if _exc.name != "tantivy":
        raise
    tantivy = None

MISSING = "full-text search needs the search extra: pip install 'tagscope[search]'"

if TYPE_CHECKING:
    from ..store import Store

SCHEMA_VERSION = 2  # 2: text and words are indexed pre-split (analysis.split), same terms as 1
COLUMNS = ["platform", "id", "author_handle", "created_at", "text", "lang", "kind", "hashtags_norm", "mentions"]
HEAP_BYTES = 128_000_000


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", tokenizer_name=analysis.SPLIT_STEMMED, index_option="position")
    sb.add_text_field("words", tokenizer_name=analysis.SPLIT_PLAIN, index_option="basic")
    for name in ("tags", "mentions", "author", "lang", "kind", "platform"):
        sb.add_text_field(name, tokenizer_name=analysis.KEYWORD, index_option="basic")
    sb.add_text_field("file", tokenizer_name=analysis.KEYWORD, index_option="basic")
    # What a hit shows, kept in the index so a page of results needs no Parquet scan.
    sb.add_bytes_field("doc", stored=True, indexed=False)
    sb.add_date_field("created_at", stored=True, indexed=True, fast=True)
    return sb.build()


def folder(store: Store) -> Path:
    return store.path / "derived" / "search"


def _covered_path(store: Store) -> Path:
    return folder(store) / "covered.json"


def covered(store: Store) -> list[str] | None:
    """Posts file names the index holds, or None when there is no usable index."""
    try:
        data = orjson.loads(_covered_path(store).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    if data.get("schema_version") != SCHEMA_VERSION or not (folder(store) / "index" / "meta.json").exists():
        return None
    return list(data["files"])


def _save_covered(store: Store, files: list[str]) -> None:
    data = {"schema_version": SCHEMA_VERSION, "generation": store.generation, "files": files}
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
    return covered(store) == store_files(store)


def update(store: Store, *, progress: Any = None) -> dict[str, int]:
    """Bring the index in step with the store (call with the store's write lock held)."""
    if tantivy is None:  # searching later needs the extra, and catches up then
        return {"added_files": 0, "removed_files": 0, "documents": 0}
    have = covered(store)
    if have is None:
        return reindex(store, progress=progress)
    want = store_files(store)
    gone = [f for f in have if f not in set(want)]
    new = [f for f in want if f not in set(have)]
    if not gone and not new:
        return {"added_files": 0, "removed_files": 0, "documents": 0}
    index = open_index(store, create=True)
    docs = _apply(store, index, gone + new, new, progress)
    _save_covered(store, want)
    return {"added_files": len(new), "removed_files": len(gone), "documents": docs}


def reindex(store: Store, *, progress: Any = None) -> dict[str, int]:
    """Rebuild the index from scratch (call with the store's write lock held)."""
    shutil.rmtree(folder(store), ignore_errors=True)
    index = open_index(store, create=True)
    want = store_files(store)
    docs = _apply(store, index, [], want, progress)
    _save_covered(store, want)
    return {"added_files": len(want), "removed_files": 0, "documents": docs}


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


def _apply(store: Store, index: tantivy.Index, drop: list[str], add: list[str], progress: Any) -> int:
    writer = index.writer(HEAP_BYTES, 1)
    for name in drop:
        writer.delete_documents_by_term("file", name)
    docs = 0
    for name in add:
        for batch in pq.ParquetFile(store.path / "posts" / name).iter_batches(batch_size=65_536, columns=COLUMNS):
            for doc in _doc_jsons(batch, name):
                writer.add_json(doc)
            docs += batch.num_rows
            if progress is not None:
                progress(docs)
    writer.commit()
    writer.wait_merging_threads()
    return docs


def _doc_jsons(batch: pa.RecordBatch, file: str) -> list[str]:
    """One JSON document per post of BATCH, built column by column (no per-row dicts from Arrow).

    ASCII texts (most posts) are split by one vectorised regex; the rest by :func:`analysis.split`
    after NFKC + casefold (for ASCII both are the identity up to case, which the analyzer lowers)."""
    text = pc.fill_null(batch.column("text"), "")
    ascii_split = pc.replace_substring_regex(text, analysis.ASCII_SEPARATORS, " ").to_pylist()
    is_ascii = pc.string_is_ascii(text).to_pylist()
    texts = text.to_pylist()
    created = pc.strftime(batch.column("created_at"), format="%Y-%m-%dT%H:%M:%SZ").to_pylist()
    cols = [batch.column(c).to_pylist() for c in ("platform", "id", "author_handle", "lang", "kind", "hashtags_norm", "mentions")]
    out = []
    for t, split, asc, when, platform, pid, handle, lang, kind, tags, mentions in zip(
        texts, ascii_split, is_ascii, created, *cols, strict=True
    ):
        if not asc:
            split = analysis.split(analysis.normalize(t))
        doc: dict[str, Any] = {
            "text": split,
            "words": split,
            "tags": tags or [],
            "mentions": [analysis.fold_handle(m) for m in mentions] if mentions else [],
            "file": file,
            "platform": platform,
            "doc": base64.b64encode(orjson.dumps([platform, pid, handle, t])).decode(),
        }
        if handle:
            doc["author"] = analysis.fold_handle(handle)
        if lang:
            doc["lang"] = lang
        if kind:
            doc["kind"] = kind
        if when is not None:
            doc["created_at"] = when
        out.append(orjson.dumps(doc).decode())
    return out


events.catch_up.subscribe(update)
events.on_forget.subscribe(forget)
