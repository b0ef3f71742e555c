"""What an engine must do for the analytics: provide relations, run one statement, say what ran.

The analytics' SQL is written once, in DuckDB's dialect. An engine whose SQL differs sets
``dialect`` (a SQLGlot dialect name) and runs :meth:`Engine.statement` of each statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any

import pyarrow as pa

from . import labels, relations
from .plan import Plan

WRITTEN_IN = "duckdb"  # the dialect of every statement the analytics and relations hold
SOURCES = ("posts", *labels.SOURCES)  # relations read from the store's files as they are


def _with_dependencies(needs: tuple[str, ...]) -> list[str]:
    """NEEDS plus the relations they are computed from, dependencies first (sources left out)."""
    out: list[str] = []
    for name in needs:
        if name in SOURCES:
            continue
        for dep in (*relations.DEPENDS.get(name, ()), name):
            if dep not in out:
                out.append(dep)
    return out


@lru_cache(maxsize=512)
def transpile(sql: str, dialect: str) -> str:
    """SQL of the analytics (DuckDB's dialect) in DIALECT; SQLGlot (the ``analytics`` extra) is
    imported only here, so the core install and the DuckDB engine never need it."""
    try:
        import sqlglot
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        raise ModuleNotFoundError(
            f"The {dialect} engine needs SQLGlot: pip install 'tagscope[analytics]'", name=exc.name) from exc
    return sqlglot.transpile(sql, read=WRITTEN_IN, write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)[0]


class Engine:
    """Base class: subclasses implement :meth:`run`, :meth:`has_rollups`, :meth:`stream`, :meth:`map_rows` and
    :meth:`temp_table`; :meth:`scan_sql` and :meth:`query` come with it."""

    name = "base"
    dialect = WRITTEN_IN

    def statement(self, sql: str) -> str:
        """SQL as this engine runs it (transpiled from DuckDB's dialect when it differs)."""
        return sql if self.dialect == WRITTEN_IN else transpile(sql, self.dialect)

    def has_rollups(self) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def run(self, plan: Plan, *, rollup: bool = True) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
        """Rows of PLAN and the statements run (exactly as run, with parameters)."""
        raise NotImplementedError  # pragma: no cover - interface

    def stream(self, plan: Plan, batch_size: int) -> Iterator[pa.RecordBatch]:
        """The rows of PLAN (scanned) in batches of BATCH_SIZE, for results too big to hold at once."""
        raise NotImplementedError  # pragma: no cover - interface

    def temp_table(self, name: str, plan: Plan) -> AbstractContextManager[str]:
        """Keep the rows of PLAN (scanned) as relation NAME while the block runs: a caller that
        counts rows, then streams them, computes them once."""
        raise NotImplementedError  # pragma: no cover - interface

    def map_rows(
        self, plan: Plan, fn: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]], schema: pa.Schema,
        sql: str,
    ) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
        """Rows of PLAN (scanned) through FN, a Python function from Arrow batches to batches of
        SCHEMA run where the engine runs its work (Spark's executors), as relation ``mapped``; then
        SQL (DuckDB's dialect) over ``mapped`` on the engine. Returns its rows and the statements run.
        For what SQL cannot say row by row (count-query's text analysis: ``search/scan.py``)."""
        raise NotImplementedError  # pragma: no cover - interface

    def query(self, sql: str, params: list[Any] | None = None, needs: tuple[str, ...] = ()) -> pa.Table:
        """Rows of one statement over ``posts`` and the relations NEEDS, scanned (no rollups)."""
        return self.run(Plan(sql, list(params or []), needs, scan=True), rollup=False)[0]

    def scan_sql(self, plan: Plan) -> tuple[str, list[Any]]:
        """PLAN as one statement over ``posts``: its relations as a WITH clause, filters first."""
        ctes, params = [], []
        where, wparams = plan.filters.post_where(plan.tags)
        for name in _with_dependencies(plan.needs):
            if name in relations.COMBINED or name == "authors":
                sql, p = relations.define(name, "posts")
                ctes.append(f"{name} AS (\n{sql}\n)")
                params += p
                continue
            sql, p = relations.define(name, "posts", where, plan.tags or None, k=plan.k)
            ctes.append(f"{name} AS (\n{sql}\n)")
            params += wparams + p
        head = ("WITH " + ",\n".join(ctes) + "\n") if ctes else ""
        return self.statement(head + plan.sql.strip()), params + list(plan.params)
