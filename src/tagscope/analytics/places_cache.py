"""The place mentions of each posts file, kept on disk: `places` reads them instead of every post's text.

Matching text against the gazetteer is the dear part of `places` (at 10.76M posts: a scan grouping
the text, then each distinct text matched in Python, ~20 CPU-s on every new process). Posts files are
immutable (a changed file gets a new name; see :mod:`tagscope.engines.rollup`), so the mentions of one
file, computed once, stay exact: one Parquet file per posts file under ``derived/places/``, named
after it, the matcher's version and the gazetteer's fingerprint (a new rule or new gazetteer data
makes new files). A row per (post, place it names), with the columns the filters and the tally read,
so every option of `places` is answered from it as from the posts.

Made at ingest, so a new process's first `places` answer reads them instead of matching millions of
texts: a file the store writes from rows in memory (``file_written``: the end-of-run deletion
rewrite, the repost fill) gets its cache from those rows, and after every commit the committed files
still without one (a batch's own file, a file written before this version) get theirs from disk, as
rollups catch up. Made lazily too, by the first `places` call that finds a file without one: a store
written without the gazetteer's extra, a failed write (a warning, never a failed ingest), a file
matched by another gazetteer. Files that leave the manifest drop theirs: after every commit, and on
``forget`` at once, since the rows hold what forgotten posts said (hashtags, the place words); a cache
made for a file whose commit then failed goes at the next commit or forget (:func:`prune`). Made per
file, never merged, so a crash leaves at most work for the next call.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..files import replacing
from ..store import events

if TYPE_CHECKING:
    from ..store import Store
    from .places_gazetteer import Gazetteer

CACHE_DIR = ("derived", "places")
VERSION = 1  # bump when the matcher's rules change in code (the gazetteer's data are fingerprinted)
# What post_where filters on and the tally reads; `first` marks each post's first place (posts naming any).
COLUMNS = ("platform", "kind", "created_at", "author_id", "hashtags_norm")
MENTIONS = pa.schema([("code", pa.string()), ("form", pa.string()), ("first", pa.bool_())])


def cache_dir(store: Store) -> Path:
    return store.path.joinpath(*CACHE_DIR)


def fingerprint(gazetteer: Gazetteer) -> str:
    """A short digest of every name the gazetteer reads and what it means (its data and case rules);
    kept on the gazetteer, which is built once per process."""
    digest = getattr(gazetteer, "_fingerprint", None)
    if digest is None:
        h = hashlib.sha256()
        for key, e in sorted(gazetteer.entries.items()):
            h.update(repr((key, e.place.code if e.place else None, e.form, e.capital_only, e.upper_only)).encode())
        digest = gazetteer._fingerprint = h.hexdigest()[:10]  # type: ignore[attr-defined]
    return digest


def cache_name(posts_file: str, gazetteer: Gazetteer) -> str:
    return f"{Path(posts_file).name}.v{VERSION}.{fingerprint(gazetteer)}.parquet"


def _posts_name(name: str) -> str:
    """The posts file a cache file NAME belongs to ('part-1.parquet.v1.ab12.parquet' -> 'part-1.parquet')."""
    return name.rsplit(".", 3)[0]


def mentions(texts: pa.ChunkedArray | pa.Array, gazetteer: Gazetteer) -> tuple[np.ndarray, pa.Table]:
    """Each (row, place) pair TEXTS name: the row indices, and per pair its place code, the form the text
    first names it by, and whether it is the row's first place. Each distinct text is matched once."""
    import pyarrow.compute as pc

    if not len(texts):
        return np.zeros(0, dtype=np.int64), MENTIONS.empty_table()
    encoded = pc.dictionary_encode(pc.fill_null(texts, "")).combine_chunks()
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    codes: list[str] = []
    forms: list[str] = []
    per_text = np.zeros(len(encoded.dictionary), dtype=np.int64)  # places each distinct text names
    for i, text in enumerate(encoded.dictionary.to_pylist()):
        first: dict[str, str] = {}
        for place, form in gazetteer.match(text):
            first.setdefault(place.code, form)  # the form a post first names it by
        per_text[i] = len(first)
        codes += first.keys()
        forms += first.values()
    offsets = np.cumsum(per_text) - per_text  # each text's first (place, form) pair
    counts = per_text[idx]
    # One entry per (row, place it names): the row's index repeated, and the pair it stands for.
    rows = np.repeat(np.arange(len(idx)), counts)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    pair = pa.array(offsets[idx[rows]] + within)
    return rows, pa.table({"code": pa.array(codes, pa.string()).take(pair),
                           "form": pa.array(forms, pa.string()).take(pair), "first": pa.array(within == 0)},
                          schema=MENTIONS)


def build(posts_file: str, gazetteer: Gazetteer) -> pa.Table:
    """The cache rows of one posts file, read from disk (see :func:`rows_of`)."""
    import pyarrow.parquet as pq

    return rows_of(pq.read_table(posts_file, columns=["text", *COLUMNS]), gazetteer)


def rows_of(table: pa.Table, gazetteer: Gazetteer) -> pa.Table:
    """The cache rows of a posts file's rows TABLE: their filter columns, once per place each names."""
    rows, pairs = mentions(table.column("text"), gazetteer)
    taken = pa.array(rows, pa.int64())
    cols = {c: table.column(c).take(taken) for c in COLUMNS}
    return pa.table({**cols, **{c: pairs.column(c) for c in MENTIONS.names}})


def _write(path: Path, rows: pa.Table) -> None:
    """zstd level 1, not fsynced: derived from an immutable file, remade if lost (as rollups are)."""
    import pyarrow.parquet as pq

    with replacing(path, durable=False) as tmp:
        pq.write_table(rows, tmp, compression="zstd", compression_level=1)


def usable(store: Store, engine: object) -> bool:
    """Whether `places` can read the cache: the DuckDB engine on a local store it may write, whose posts
    files have the current schema (an older store is migrated by its next write; until then, a scan)."""
    from ..store import migrate

    return (getattr(engine, "name", None) == "duckdb" and bool(store.manifest.get("posts"))
            and migrate.current(store.manifest) and os.access(store.path, os.W_OK))


def ensure(store: Store, gazetteer: Gazetteer) -> list[str]:
    """The cache files of every committed posts file, making those missing (and dropping stale ones)."""
    folder = cache_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    posts = store.files("posts")
    wanted = {cache_name(p, gazetteer): p for p in posts}
    for name in os.listdir(folder):
        if name not in wanted and not name.startswith("."):
            (folder / name).unlink(missing_ok=True)  # another matcher's version, or a file no longer committed
    for name, posts_file in wanted.items():
        if not (folder / name).exists():
            _write(folder / name, build(posts_file, gazetteer))
    return [str(folder / name) for name in wanted]


def prune(store: Store) -> int:
    """Drop the cache files of posts files no longer committed; returns how many. Cheap (a listing):
    run after every commit, and on forget, so what a forgotten post said leaves the disk with it."""
    folder = cache_dir(store)
    if not folder.is_dir():
        return 0
    committed = set(store.manifest["posts"])
    removed = 0
    for name in os.listdir(folder):
        # A temporary ('.NAME.tmp') of a file no longer committed goes too: it may hold a forgotten post.
        own = name[1:-4] if name.startswith(".") and name.endswith(".tmp") else name
        if _posts_name(own) not in committed:
            (folder / name).unlink(missing_ok=True)
            removed += 1
    return removed


class PlacesCacheWarning(UserWarning):
    """A place-mentions cache could not be written at ingest: the ingest stands, answers stay exact, and
    the first `places` call makes the missing file (slower on that call)."""


_loading = threading.Lock()
_gazetteer: list[Gazetteer | None] = []  # [] until first asked; [None] where the extra is not installed


def gazetteer_or_none() -> Gazetteer | None:
    """The process's gazetteer (built once: file_written comes from several threads at once), or None
    where the ``analytics`` extra that ships its data is not installed: a core install still ingests,
    and makes no cache."""
    from . import places_gazetteer

    with _loading:
        if not _gazetteer:
            try:
                g = places_gazetteer.load()
                fingerprint(g)  # computed once, here, not by each thread
            except ModuleNotFoundError:
                g = None
            _gazetteer.append(g)
        return _gazetteer[0]


def _warn(what: str, exc: BaseException) -> None:
    warnings.warn(PlacesCacheWarning(f"Could not write the place mentions of {what} ({type(exc).__name__}: {exc}); "
                                     "the first `places` call makes them."), stacklevel=3)


def add_file(store: Store, posts_file: str, table: pa.Table) -> None:
    """``file_written``: the cache of a posts file from its rows in memory (no second read of the text).

    Called before the file is committed: if the commit fails, :func:`prune` drops this cache at the next
    commit or forget, and ``ensure`` at the next `places` call. A failure here never fails the ingest."""
    try:
        gazetteer = gazetteer_or_none()
        if gazetteer is None:
            return
        folder = cache_dir(store)
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / cache_name(posts_file, gazetteer), rows_of(table.select(["text", *COLUMNS]), gazetteer))
    except Exception as exc:  # derived data: the ingest must stand (see PlacesCacheWarning)
        _warn(Path(posts_file).name, exc)


def update(store: Store) -> int:
    """``after_commit``: drop the caches of files no longer committed, then make those of committed files
    without one, from disk (a batch's file, which no ``file_written`` brings; a store written before
    this version, once). Returns how many were made. A failure warns and leaves them to `places`."""
    prune(store)
    from ..store import migrate

    if not store.manifest.get("posts") or not migrate.current(store.manifest):
        return 0  # an older schema lacks columns the cache reads: `places` scans until its migration
    folder = cache_dir(store)
    have = {_posts_name(n) for n in os.listdir(folder) if not n.startswith(".")} if folder.is_dir() else set()
    missing = [p for p in store.files("posts") if Path(p).name not in have]
    if not missing:  # the common case: a listing, no gazetteer loaded
        return 0
    gazetteer = gazetteer_or_none()
    if gazetteer is None:
        return 0
    made = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for posts_file in missing:
            _write(folder / cache_name(posts_file, gazetteer), build(posts_file, gazetteer))
            made += 1
    except Exception as exc:  # derived data: the commit stands (see PlacesCacheWarning)
        _warn(f"{len(missing) - made} posts files", exc)
    return made


def _forgotten(store: Store, forgotten: events.ForgottenPosts) -> None:
    prune(store)  # forget rewrote the files holding those posts: their caches go with them


events.file_written.subscribe(add_file)
events.after_commit.subscribe(update)
events.on_forget.subscribe(_forgotten)
