"""The DuckDB engine: rollups read into warm in-memory tables, scans over the store's `posts` view,
labels as views over their files."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from ..store.store import sql_list
from . import labels, relations
from .base import SOURCES, Engine
from .plan import Plan
from .rollup import rollup_dir, rollup_name

if TYPE_CHECKING:
    from ..store import Store

# How the warm tables are built from the per-file rollups (merged, sorted by tag for pruning).
_WARM = {
    "tag_minutes": "SELECT platform, tag, minute, is_repost, CAST(sum(n) AS BIGINT) AS n FROM {files} "
    "GROUP BY platform, tag, minute, is_repost ORDER BY tag, minute",
    "tag_hours": "SELECT platform, tag, date_trunc('hour', minute) AS hour, is_repost, CAST(sum(n) AS BIGINT) AS n "
    "FROM {files} GROUP BY platform, tag, date_trunc('hour', minute), is_repost ORDER BY tag, hour",
    "tag_first": "SELECT platform, tag, is_repost, id, author_key, author_handle, created_at, kind FROM ("
    "SELECT *, row_number() OVER (PARTITION BY platform, tag, is_repost ORDER BY created_at, id) AS rank "
    "FROM {files}) WHERE rank <= {k} ORDER BY tag, created_at, id",
    "tag_pairs": "SELECT platform, tag, cotag, is_repost, CAST(sum(n) AS BIGINT) AS n FROM {files} "
    "GROUP BY platform, tag, cotag, is_repost ORDER BY tag, n DESC",
    "tag_authors": "SELECT platform, tag, author_key, is_repost, CAST(sum(posts) AS BIGINT) AS posts, "
    "CAST(sum(reach) AS BIGINT) AS reach, CAST(sum(engagement) AS BIGINT) AS engagement FROM {files} "
    "GROUP BY platform, tag, author_key, is_repost ORDER BY tag",
    "authors": relations.MERGE_AUTHORS + " ORDER BY platform, author_key",
    "tag_accounts": relations.COMBINED["tag_accounts"] + " ORDER BY tag, followers DESC NULLS LAST",
}


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
        self._con: duckdb.DuckDBPyConnection | None = None
        self._generation = -1
        self._covered: dict[str, list[str]] | None = None
        self._warm: dict[str, str] = {}  # relation -> the statement that built its warm table
        self._label_files: list[str] | None = None  # the label files the label views read
        self.warm_seconds: dict[str, float] = {}

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
            self._covered, self._warm = None, {}
            for name in (*relations.NAMES, *relations.DERIVED_FROM, *relations.COMBINED):
                self._wcon.execute(f"DROP VIEW IF EXISTS {name}")
                self._wcon.execute(f"DROP TABLE IF EXISTS _ts_{name}")
        return con

    def rollup_files(self) -> dict[str, list[str]] | None:
        """Rollup files per relation when they cover exactly the committed posts files, else None."""
        self._sync()
        if self._covered is None:
            folder = rollup_dir(self.store)
            posts = self.store.files("posts")
            have = set(os.listdir(folder)) if folder.is_dir() else set()
            ok = bool(posts) and all(rollup_name(p, r) in have for p in posts for r in relations.NAMES)
            self._covered = (
                {r: [str(folder / rollup_name(p, r)) for p in posts] for r in relations.NAMES} if ok else {}
            )
        return self._covered or None

    def has_rollups(self) -> bool:
        return self.rollup_files() is not None

    def _ensure_warm(self, name: str) -> str:
        """Build the warm table behind relation NAME (once per generation); return its statement."""
        self._sync()
        con = self._wcon
        if name not in self._warm:
            for dep in relations.DEPENDS.get(name, ()):
                self._ensure_warm(dep)
            files = self.rollup_files()
            assert files is not None
            source = relations.DERIVED_FROM.get(name, name)
            src = f"read_parquet({sql_list(files[source])})" if source in files else ""
            body = _WARM[name].format(files=src, src=src, k=relations.FIRST_K)
            t0 = time.perf_counter()
            con.execute(f"SET threads = {os.cpu_count() or 1}")
            try:
                con.execute(f"CREATE OR REPLACE TABLE _ts_{name} AS {body}")
                con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM _ts_{name}")
            finally:
                con.execute("SET threads = 1")
            self.warm_seconds[name] = time.perf_counter() - t0
            self._warm[name] = (
                f"-- warm table of {name}, built once per store generation from the rollups under "
                f"{rollup_dir(self.store)}\nCREATE TABLE _ts_{name} AS {body};\nCREATE VIEW {name} AS SELECT * FROM _ts_{name}"
            )
        return self._warm[name]

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
            return self._wcon.execute(sql, params).to_arrow_table(), [*defs, (sql, params)]
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
