"""The post store: Parquet files named by an atomic manifest, queried through DuckDB.

Layout (every folder is plain Parquet that DuckDB, pandas or Apache Spark read as it is)::

    STORE/manifest.json        the committed state (generation, file lists)
    STORE/posts/*.parquet      live posts: deduplicated, merged, deletions already applied
    STORE/raw/*.parquet        raw records (zstd), for `tagscope remap`
    STORE/tombstones/*.parquet deletions and superseded edits, remembered forever
    STORE/quarantine/*.parquet malformed records with file, line and reason
    STORE/forgotten/*.parquet  accounts and posts `forget` keeps out of later ingests

``posts/`` holds exactly the posts that count: a post that is deleted is removed from it, so an
engine reading the folder needs no anti-join to be right.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from .. import files as atomic
from . import events, manifest, migrate, reposts
from .sql import SPILL_DIR, spill_dir, sql_list, sql_str  # re-exported (see __all__)
from .tables import SCHEMAS

__all__ = ["DEFAULT_STORE", "SPILL_DIR", "Store", "default_path", "spill_dir", "sql_list", "sql_str"]

DEFAULT_STORE = "tagscope-data"
STATS_CACHE = ".stats.json"  # Store.stats() of the committed state it names (see there)


def default_path() -> Path:
    return Path(os.environ.get("TAGSCOPE_STORE") or DEFAULT_STORE)


def _say_waiting(holder: str) -> None:
    sys.stderr.write(f"store is being written by {holder}, waiting\n")
    sys.stderr.flush()


# Called once when a writer has to wait for the lock, with who holds it ("pid N (tagscope collect ...)").
# A front end may replace it (the collector shows it in its status line).
on_wait: Callable[[str], None] = _say_waiting


def lock_holder(path: Path) -> str:
    """Who holds the write lock of the store at PATH, as its lock file says ("pid N (command)")."""
    try:
        text = (path / ".lock").read_text("utf-8", "replace").strip()
    except OSError:
        text = ""
    pid, _, command = text.partition(" ")
    if not pid.isdigit():
        return "another process"
    return f"pid {pid} ({command})" if command else f"pid {pid}"


def _me() -> str:
    """This process as the lock file names it: its pid and command line."""
    args = [os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    if args[0] == "__main__.py":  # python -m tagscope
        args[0] = "tagscope"
    elif args[0] == "-c":
        args[0] = "python -c"
    return f"{os.getpid()} {' '.join(args)[:300]}"


# DuckDB's memory cap while a store is written (the writer's queries stream or spill to disk).
WRITE_MEMORY = os.environ.get("TAGSCOPE_WRITE_MEMORY", "512MB")


class Store:
    """A tagscope store at ``path``; open with :func:`tagscope.open`."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, threads: int | None = None, derived: bool = True
    ):
        self.path = Path(path) if path is not None else default_path()
        self._derived = derived
        self._deferring = False
        self.manifest: dict[str, Any] = manifest.load(self.path)
        self._threads = threads
        self._con: duckdb.DuckDBPyConnection | None = None
        self._con_generation = -1
        # Cursors to save in the next commit's manifest (see stage_cursor) and the generation this
        # object last committed (a writer that finds it unchanged has nothing to recover).
        self._cursors: dict[str, Any] = {}
        self._written = -1

    def __repr__(self) -> str:
        return f"<tagscope.Store {str(self.path)!r} generation={self.generation}>"

    @property
    def generation(self) -> int:
        return int(self.manifest["generation"])

    def files(self, kind: str) -> list[str]:
        """Absolute paths of the committed files of one kind."""
        return [str(self.path / kind / name) for name in self.manifest[kind]]

    def cursor(self, key: str) -> Any:
        """The collection cursor saved under KEY by the last commit that staged one (None if never)."""
        return (self.manifest.get("cursors") or {}).get(key)

    def stage_cursor(self, key: str, value: Any) -> None:
        """Save VALUE as cursor KEY in the manifest of the next commit: the cursor becomes visible in the
        same atomic rename as the posts it covers, so a killed collector never resumes past unsaved posts."""
        self._cursors[key] = value

    def refresh(self) -> None:
        """Re-read the manifest (another process may have committed)."""
        self.manifest = manifest.load(self.path)

    # -- reading -------------------------------------------------------------------------
    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with views ``posts``, ``raw``, ``tombstones``, ``quarantine``."""
        if self._con is None:
            self._con = duckdb.connect()
            # Spills (a capped write, a big sort) go to the system's temporary folder, not ./.tmp.
            self._con.execute(f"SET temp_directory = '{spill_dir()}'")
            if self._threads:
                self._con.execute(f"SET threads = {int(self._threads)}")
        if self._con_generation != self.generation:
            for kind, schema in SCHEMAS.items():
                self._define_view(self._con, kind, schema)
            self._con_generation = self.generation
        return self._con

    def _define_view(self, con: duckdb.DuckDBPyConnection, kind: str, schema: pa.Schema) -> None:
        files = self.files(kind)
        if kind == "posts" and files and not migrate.current(self.manifest):
            migrate.posts_view(con, files)  # an older store, not yet opened for writing
        elif files:
            con.execute(f"CREATE OR REPLACE VIEW {kind} AS SELECT * FROM read_parquet({sql_list(files)})")
        else:
            con.register(f"_empty_{kind}", schema.empty_table())
            con.execute(f"CREATE OR REPLACE VIEW {kind} AS SELECT * FROM _empty_{kind}")

    def sql(self, query: str, params: list[Any] | None = None) -> pa.Table:
        """Run a read-only query against the views and return Arrow."""
        return self.con.execute(query, params or []).to_arrow_table()

    def posts(self) -> pa.Table:
        """Every live post (small stores; for large ones query ``con``)."""
        return self.sql("SELECT * FROM posts ORDER BY created_at, platform, id")

    def stats(self) -> dict[str, Any]:
        """What the store holds: the figures behind `tagscope stats`.

        Counting distinct authors reads every post (at 100M posts: 2.5 min and 5 GB here), so the
        figures are kept in ``.stats.json`` for the committed state they describe (its manifest) and
        the next call on that state reads them back: `tagscope stats`, the dashboard's first page and
        the report compute them once per commit, in any process."""
        key = self._stats_key()
        cached = self._cached_stats(key)
        if cached is not None:
            return {**cached, "path": str(self.path)}
        out = self._count_stats()
        if key is not None and (self.path / manifest.MANIFEST).exists():
            with suppress(OSError):  # a store on read-only media is read, never written
                atomic.write_bytes(self.path / STATS_CACHE, orjson.dumps({"key": key, "stats": out}))
        return {**out, "path": str(self.path)}

    def _stats_key(self) -> str | None:
        """The committed state the figures describe: a digest of the manifest (its file names are unique)."""
        if not (self.path / manifest.MANIFEST).exists():
            return None
        return hashlib.sha1(orjson.dumps(self.manifest, option=orjson.OPT_SORT_KEYS)).hexdigest()

    def _cached_stats(self, key: str | None) -> dict[str, Any] | None:
        if key is None:
            return None
        try:
            data = orjson.loads((self.path / STATS_CACHE).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("stats"), dict):
            return None
        return dict(data["stats"])

    def _count_stats(self) -> dict[str, Any]:
        con = self.con
        row = con.execute("SELECT count(*), min(created_at), max(created_at) FROM posts").fetchone()
        assert row is not None
        posts, first, last = row
        # Distinct (platform, account) pairs, not 'platform:account' strings: the same count (no
        # platform name holds ':'), a quarter less CPU and no string built per post.
        authors = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT platform, coalesce(author_id, author_handle) AS a FROM posts) "
            "WHERE a IS NOT NULL").fetchone()[0]  # type: ignore[index]
        platforms = dict(con.execute("SELECT platform, count(*) FROM posts GROUP BY 1 ORDER BY 1").fetchall())
        fmts = dict(con.execute("SELECT source_format, count(*) FROM posts GROUP BY 1 ORDER BY 1").fetchall())
        reasons = dict(con.execute("SELECT reason, count(*) FROM tombstones GROUP BY 1").fetchall())
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]  # type: ignore[index]
        size = sum(os.path.getsize(f) for k in manifest.KINDS for f in self.files(k))
        return {
            "posts": int(posts),
            "authors": int(authors),
            "platforms": platforms,
            "first_post": first.isoformat() + "Z" if first else None,
            "last_post": last.isoformat() + "Z" if last else None,
            "quarantined": int(quarantined),
            # A removal (Reddit: by a moderator or Reddit) takes a post out as its author's deletion does.
            "deleted": int(reasons.get("deleted", 0) + reasons.get("compliance", 0) + reasons.get("removed", 0)),
            # Of those, the removals by a moderator or the platform (Reddit `[removed]`), apart from the
            # authors' own deletions.
            "removed": int(reasons.get("removed", 0)),
            "edited": int(reasons.get("edited", 0)),
            # Reposts naming a subject by id alone (Bluesky) whose subject the store does not hold:
            # they count for no tag until it is ingested (store/reposts.py).
            "reposts_unresolved": reposts.unresolved(self),
            # Accounts with a handle recorded apart from their posts (Bluesky identity events).
            "handles": int(con.execute("SELECT count(DISTINCT platform || ':' || account_id) FROM handles").fetchone()[0]),  # type: ignore[index]
            "formats": fmts,
            "generation": self.generation,
            "bytes": size,
        }

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def writer(self, *, recover: bool = True) -> Iterator[Store]:
        """Hold the store's write lock; clean leftovers of interrupted commits first.

        A second writer waits; :data:`on_wait` says who holds the lock (its pid and command, written
        into ``.lock``). With ``recover=False`` the clean-up is skipped when the store's last commit
        was this object's own (a collector committing every few seconds: nothing to recover, and
        recovery reads every posts file)."""
        self.path.mkdir(parents=True, exist_ok=True)
        for kind in manifest.KINDS:
            (self.path / kind).mkdir(exist_ok=True)
        with open(self.path / ".lock", "a+b") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                on_wait(lock_holder(self.path))
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            lock.seek(0)
            lock.truncate()
            lock.write(_me().encode("utf-8", "replace"))
            lock.flush()
            # DuckDB caches the Parquet bytes it reads (external file cache): while writing, every
            # batch reads the key columns of the whole store, so the cache would grow with the store
            # (~150 bytes a post). Writes do not need it; memory stays bounded by the batch.
            self.con.execute("SET enable_external_file_cache = false")
            # Writing runs for hours over a growing store: cap what DuckDB keeps between queries.
            limit = self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # type: ignore[index]
            self.con.execute(f"SET memory_limit = '{WRITE_MEMORY}'")
            try:
                self.refresh()
                if not recover and self.generation == self._written:
                    yield self
                    return
                manifest.collect_garbage(self.path, self.manifest)
                shutil.rmtree(self.path / manifest.SCRATCH, ignore_errors=True)  # left by a killed ingest
                # The writing machinery loads with the first writer: readers (analytics, the dashboard)
                # never pay for it.
                from .commit import _write, apply_tombstones

                migrate.migrate(self, _write)  # posts files of an older schema get today's columns
                apply_tombstones(self, "recover")  # deletions a killed ingest had not applied yet
                yield self
            finally:
                self.con.execute("SET enable_external_file_cache = true")
                self.con.execute(f"SET memory_limit = '{limit}'")
                lock.seek(0)
                lock.truncate()
                lock.flush()
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def commit(self, changes: dict[str, tuple[list[str], list[str]]]) -> None:
        """Make staged files visible: for each kind, (files added, files removed). Call inside writer()."""
        data = {k: list(v) if isinstance(v, list) else v for k, v in self.manifest.items()}
        for kind, (added, removed) in changes.items():
            gone = set(removed)
            data[kind] = [f for f in data[kind] if f not in gone] + list(added)
        data["generation"] = self.generation + 1
        if self._cursors:
            data["cursors"] = {**(data.get("cursors") or {}), **self._cursors}
            self._cursors = {}
        # Staged files are hidden (".name"); publish them before the manifest names them.
        for kind, (added, _) in changes.items():
            for name in added:
                staged = self.path / kind / ("." + name)
                if staged.exists():
                    os.replace(staged, self.path / kind / name)
            atomic.fsync_dir(self.path / kind)
        manifest.save(self.path, data)
        self.manifest = data
        self._written = self.generation
        for kind, (_, removed) in changes.items():
            for name in removed:
                with suppress(FileNotFoundError):
                    (self.path / kind / name).unlink()
        # A commit of cursors alone (a collector that matched nothing) changes no data: nothing to derive.
        if self._derived and not self._deferring and changes:
            events.after_commit.emit(self)

    @contextmanager
    def derived_deferred(self) -> Iterator[None]:
        """Commits inside emit no ``after_commit``; it is emitted once on leaving (call inside writer()).

        An ingest run commits batch after batch and rewrites earlier files at its end (deferred
        deletions): rollups of files about to be replaced would be computed for nothing."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self._derived:
            events.after_commit.emit(self)

    def ingest(self, inputs: list[str] | str | os.PathLike[str], *, fmt: str | None = None, progress: Any = None,
               index: bool = False, include_private: bool = False, tz: str | None = None,
               platform: str | None = None, mapping: dict[str, Any] | None = None) -> dict[str, Any]:
        """Ingest files, folders, archives or '-' (stdin); see :mod:`tagscope.store.ingest`.

        One path may be given alone, as a string or a path. With ``index``
        the search index is brought up to date before returning (otherwise the first search does it).
        With ``include_private`` what formats keep out for privacy (Mastodon direct and followers-only
        statuses) is stored too. ``tz`` is the zone of times a file writes without one (default UTC).
        ``platform`` names the platform of export files that do not say it (4CAT CSV), ``mapping`` is a
        checked mapping (``formats.exports.mapping.load``) for CSV/JSON files of no known format."""
        from ..formats.base import parse_options
        from .ingest import ingest  # loaded by the first ingest, as writer() loads the commit

        if isinstance(inputs, (str, os.PathLike)):
            inputs = [os.fspath(inputs)]
        with parse_options(include_private=include_private, platform=platform, mapping=mapping):
            summary = ingest(self, [os.fspath(i) for i in inputs], fmt=fmt, progress=progress, tz=tz)
        if index:
            self.update_derived(on_demand=True)
        return summary

    def update_derived(self, *, on_demand: bool = True) -> None:
        """Bring derived data (with ON_DEMAND: the search index too) in step with the posts."""
        with self.writer():
            self.derived_changed(on_demand=on_demand)

    def derived_changed(self, *, on_demand: bool = False) -> None:
        """Emit the events that bring derived data in step (call inside writer()): ``after_commit``, and
        with ON_DEMAND ``catch_up`` too (see :mod:`.events`)."""
        events.after_commit.emit(self)
        if on_demand:
            events.catch_up.emit(self)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
            self._con_generation = -1

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
