"""The DuckDB engine: rollups read into warm in-memory tables, scans over the store's `posts` view,
labels as views over their files.

A relation's first use reads the store's compacted rollup (:mod:`.compact`: one Parquet sorted by
tag, so a tag's query decodes only its row groups); from its second use the file is loaded into a
warm table on a background thread, and later calls read that. A process that asks once (a CLI
command) never pays for the load. Without a compacted file for the current posts files (an older
store, or rollups written by another tool) the warm table is merged from the per-file rollups.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from ..store.store import spill_dir, sql_list
from . import compact, labels, relations, rollup
from .base import SOURCES, Engine
from .plan import Plan
from .rollup import rollup_dir

if TYPE_CHECKING:
    from ..store import Store


class DuckDBEngine(Engine):
    """Runs plans on the store's DuckDB connection; keeps rollups warm per store generation."""

    name = "duckdb"

    def __init__(self, store: Store):
        self._store = weakref.ref(store)  # the engine is cached per store: never keep it alive
        # Warm tables live in a connection of their own, queried on one thread: a rollup query
        # touches thousands of rows, where waking a second thread costs more than it saves.
        self._wcon = duckdb.connect()
        self._wcon.execute("SET threads = 1")
        self._wcon.execute("SET enable_progress_bar = false")
        # A warm table of a 100M store can spill: into a folder of its own, not ./.tmp in the cwd.
        self._wcon.execute(f"SET temp_directory = '{spill_dir()}'")
        self._con: duckdb.DuckDBPyConnection | None = None
        self._generation = -1
        self._covered: dict[str, list[str]] | None = None
        self._compacted: dict[str, str] | None = None  # relation -> its SELECT from compacted files, this generation
        self._lagging = False  # the compacted files lag: their SELECTs add the rollups committed since
        self._warm: dict[str, str] = {}  # relation -> the statement that built its warm table (or view)
        self._cold: dict[str, str] = {}  # relation -> the SELECT of its compacted file (no warm table yet)
        self._unloadable: set[str] = set()  # relations whose load failed this generation: read in place
        self._tables: set[str] = set()  # warm tables of this generation
        self._loads: dict[str, _Load] = {}  # relation -> its warm table being loaded in the background
        self._label_files: list[str] | None = None  # the label files the label views read
        self.warm_seconds: dict[str, float] = {}
        _ENGINES.add(self)

    @property
    def store(self) -> Store:
        st = self._store()
        if st is None:
            raise RuntimeError("The store of this engine was closed; open it again with tagscope.open().")
        return st

    # -- rollup coverage -------------------------------------------------------------------
    def _sync(self) -> duckdb.DuckDBPyConnection:
        st = self.store
        st.refresh()
        con = st.con
        if con is not self._con or st.generation != self._generation:
            if con is not self._con:
                con.execute("SET enable_progress_bar = false")  # long scans must not draw on stderr
                self._label_files = None
            self._con, self._generation = con, st.generation
            self._covered, self._compacted, self._warm, self._cold, self._unloadable = None, None, {}, {}, set()
            for name in (*relations.NAMES, *relations.DERIVED_FROM, *relations.COMBINED):
                self._wcon.execute(f"DROP VIEW IF EXISTS {name}")
            for table in self._tables:
                self._wcon.execute(f"DROP TABLE IF EXISTS {table}")
            self._tables = set()
            for load in self._loads.values():
                load.stop()  # a table of the old generation: interrupt it (its CPU is the caller's)
            self._adopt_loads()  # and drop what they made
        return con

    def rollup_files(self) -> dict[str, list[str]] | None:
        """Rollup files per relation, for the relations whose files cover exactly the committed posts
        files (None when none does). Per relation: a store written before a relation was added keeps
        reading its other rollups, and scans for that one until its next write adds it."""
        self._sync()
        if self._covered is None:
            self._covered = rollup.files(self.store) or {}
            found = compact.reads(self.store, self._covered) if self._covered else None
            self._compacted, self._lagging = found if found else (None, False)
        return self._covered or None

    def has_rollups(self, needs: tuple[str, ...] | None = None) -> bool:
        """Whether the rollups cover the relations NEEDS (default: every relation)."""
        files = self.rollup_files() or {}
        wanted = relations.NAMES if needs is None else needs
        sources = {relations.DERIVED_FROM.get(dep, dep) for name in wanted for dep in (*relations.DEPENDS.get(name, ()), name)}
        return bool(files) and all(s in files for s in sources if s not in relations.COMBINED)

    def _ensure_warm(self, name: str) -> str:
        """Provide relation NAME for this generation; return the statement that defined it."""
        self._sync()
        files = self.rollup_files()
        assert files is not None
        self._adopt_loads()
        if name in self._cold and name not in self._loads and name not in self._unloadable:
            self._loads[name] = _Load(self._wcon, name, self._generation, self._cold[name])
        if name not in self._warm:
            if name in relations.IN_PLACE:  # a view: each call reads only its tags' rows (see relations)
                src = compact.source(name, files)
                self._wcon.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {src}")
                self._warm[name] = (f"-- {name}: read in place from the rollups under {rollup_dir(self.store)}\n"
                                    f"CREATE VIEW {name} AS SELECT * FROM {src}")
            elif self._compacted and name in self._compacted:
                self._read_compacted(name, self._compacted[name])
            else:
                self._merge_rollups(name, files)
        return self._warm[name]

    def _read_compacted(self, name: str, body: str) -> None:
        """First use: a view over the compacted file (its tag filter prunes row groups)."""
        self._wcon.execute(f"CREATE OR REPLACE VIEW {name} AS {body}")
        self._cold[name] = body
        since = " plus the per-file rollups committed since it" if self._lagging else ""
        self._warm[name] = (f"-- {name}: the store's compacted rollup (one file sorted by tag){since}, read in place\n"
                            f"CREATE VIEW {name} AS\n{body}")

    def _adopt_loads(self) -> None:
        """Point each relation whose background load finished at its warm table (or drop a stale one)."""
        for name, load in list(self._loads.items()):
            if not load.done.is_set():
                continue
            del self._loads[name]
            if load.generation != self._generation or load.error is not None or name not in self._cold:
                self._wcon.execute(f"DROP TABLE IF EXISTS {load.table}")
                if load.generation == self._generation:
                    self._unloadable.add(name)
                continue
            self._wcon.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {load.table}")
            self._tables.add(load.table)
            del self._cold[name]
            self.warm_seconds[name] = load.seconds
            self._warm[name] = (f"-- warm table of {name}, loaded once per store generation from the compacted "
                                f"rollup under {compact.compact_dir(self.store)}\nCREATE TABLE {load.table} AS "
                                f"{load.body};\nCREATE VIEW {name} AS SELECT * FROM {load.table}")

    def _merge_rollups(self, name: str, files: dict[str, list[str]]) -> None:
        """Build the warm table of NAME by merging the per-file rollups (no compacted file)."""
        con = self._wcon
        for dep in relations.DEPENDS.get(name, ()):
            self._ensure_warm(dep)
        src = compact.source(name, files) if name not in relations.COMBINED else ""
        body = compact.WARM[name].format(files=src, src=src, k=relations.FIRST_K)
        t0 = time.perf_counter()
        con.execute(f"SET threads = {os.cpu_count() or 1}")
        try:
            con.execute(f"CREATE OR REPLACE TABLE _ts_{name} AS {body}")
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM _ts_{name}")
        finally:
            con.execute("SET threads = 1")
        self._tables.add(f"_ts_{name}")
        self.warm_seconds[name] = time.perf_counter() - t0
        self._warm[name] = (
            f"-- warm table of {name}, built once per store generation from the rollups under "
            f"{rollup_dir(self.store)}\nCREATE TABLE _ts_{name} AS {body};\nCREATE VIEW {name} AS SELECT * FROM _ts_{name}"
        )

    def wait_loads(self, timeout: float | None = None) -> bool:
        """Wait until the background loads started so far have finished (or TIMEOUT seconds); whether
        they all have. Calls never need this (they read in place meanwhile): for timing a warm process."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for load in list(self._loads.values()):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not load.done.wait(left):
                return False
        return True

    def stop_loads(self) -> None:
        """Stop background loads (a process leaving must not wait for them)."""
        for load in list(self._loads.values()):
            load.stop()

    # -- labels ----------------------------------------------------------------------------
    def _provide_labels(self, con: duckdb.DuckDBPyConnection) -> None:
        """(Re)define the label views on CON when the label files changed (a listing per call)."""
        paths = labels.files(self.store)
        if paths == self._label_files:
            return
        if paths:
            con.execute(f"CREATE OR REPLACE VIEW label_rows AS SELECT * FROM read_parquet({sql_list(paths)}, union_by_name = true)")
        else:
            con.register("_empty_label_rows", labels.SCHEMA.empty_table())
            con.execute("CREATE OR REPLACE VIEW label_rows AS SELECT * FROM _empty_label_rows")
        con.execute(f"CREATE OR REPLACE VIEW labels AS {labels.CURRENT}")
        self._label_files = paths

    def _scan_con(self, plan: Plan) -> duckdb.DuckDBPyConnection:
        con = self._sync()
        if any(n in labels.SOURCES for n in plan.needs):
            self._provide_labels(con)
        return con

    # -- running ---------------------------------------------------------------------------
    def run(self, plan: Plan, *, rollup: bool = True) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
        # Label relations come from their files, never from rollups: a plan reading them scans.
        use_rollup = (rollup and bool(plan.needs) and not plan.scan and not any(n in SOURCES for n in plan.needs)
                      and self.has_rollups())
        if use_rollup:
            defs = [(self._ensure_warm(n), []) for n in plan.needs]
            sql, params = plan.sql.strip(), list(plan.params)
            # A read in place touches a tag's rows in every rollup file: worth every core. Not while a
            # background load runs: SET threads waits for its query to end.
            if not any(n in relations.IN_PLACE for n in plan.needs) or self._loads:
                return self._wcon.execute(sql, params).to_arrow_table(), [*defs, (sql, params)]
            self._wcon.execute(f"SET threads = {os.cpu_count() or 1}")
            try:
                return self._wcon.execute(sql, params).to_arrow_table(), [*defs, (sql, params)]
            finally:
                self._wcon.execute("SET threads = 1")
        con = self._scan_con(plan)
        sql, params = self.scan_sql(plan)
        return con.execute(sql, params).to_arrow_table(), [(sql, params)]

    def stream(self, plan: Plan, batch_size: int) -> Iterator[pa.RecordBatch]:
        con = self._scan_con(plan)
        sql, params = self.scan_sql(plan)
        yield from con.execute(sql, params).to_arrow_reader(batch_size)

    @contextmanager
    def temp_table(self, name: str, plan: Plan) -> Iterator[str]:
        con = self._scan_con(plan)
        sql, params = self.scan_sql(plan)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", params)
        try:
            yield name
        finally:
            con.execute(f"DROP TABLE IF EXISTS {name}")

    def map_rows(
        self, plan: Plan, fn: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]], schema: pa.Schema,
        sql: str,
    ) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
        # FN runs in this process on the streamed rows; what it yields is small (count-query: partial
        # counts per batch), so it is held whole and SQL runs on a cursor that sees it as `mapped`.
        mapped = pa.Table.from_batches(list(fn(self.stream(plan, MAP_BATCH_ROWS))), schema)
        cur = self._scan_con(plan).cursor()
        try:
            cur.register("mapped", mapped)
            table = cur.execute(sql).to_arrow_table()
        finally:
            cur.close()
        return table, [self.scan_sql(plan), (sql, [])]


MAP_BATCH_ROWS = 65_536  # rows handed to a map_rows function at once


class _Load:
    """A warm table loaded from a compacted file on a daemon thread, with a cursor of its own."""

    def __init__(self, wcon: duckdb.DuckDBPyConnection, name: str, generation: int, body: str):
        self.generation, self.body = generation, body
        self.table = f"_ts_{name}_g{generation}"
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.done = threading.Event()
        self._cur = wcon.cursor()  # same database, its own connection: the caller's queries go on
        threading.Thread(target=self._run, name=f"tagscope-load-{name}", daemon=True).start()

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            self._cur.execute(f"CREATE OR REPLACE TABLE {self.table} AS {self.body}")
        except BaseException as exc:  # interrupted (the process leaves) or the file went: reads stay on the file
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - t0
            self.done.set()

    def stop(self) -> None:
        if not self.done.is_set():
            self._cur.interrupt()
            self.done.wait(5)


_ENGINES: weakref.WeakSet[DuckDBEngine] = weakref.WeakSet()


@atexit.register
def _stop_loads() -> None:
    """Interrupt background loads before the interpreter tears down (they run inside DuckDB)."""
    for eng in list(_ENGINES):
        eng.stop_loads()
