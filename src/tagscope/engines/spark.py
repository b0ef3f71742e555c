"""The Spark engine: the same analytics, run by Apache Spark over the store's Parquet files.

Spark reads ``posts/`` (deletions already applied there: the folder holds exactly the posts that
count) and the label files straight from the store folder: a local path, or the URI of a store on
HDFS or S3 (:class:`tagscope.engines.spark_store.RemoteStore`). Every plan runs as one Spark SQL
statement: the analytic's DuckDB SQL through :func:`.spark_sql.to_spark`. The per-file rollups are
not read (they are a DuckDB cache of the same rows); every relation is computed from ``posts``,
which is what a cluster is for.

The session: :mod:`.spark_session` (``local[*]``, ``$TAGSCOPE_SPARK_MASTER``, or a Spark Connect
``sc://`` URL).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..post import POST_SCHEMA
from . import labels, spark_session
from .base import Engine
from .plan import Plan
from .spark_sql import named, to_spark

if TYPE_CHECKING:
    from ..store import Store


def _value(v: Any) -> Any:
    """A parameter as Spark binds it: a naive time is UTC (pyspark would read it as local time)."""
    if isinstance(v, datetime) and v.tzinfo is None:
        return v.replace(tzinfo=UTC)
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    return v


def _naive(table: pa.Table) -> pa.Table:
    """TABLE with Spark's UTC instants as naive UTC times (DuckDB's type for the same values)."""
    fields, cols, changed = [], [], False
    for field, col in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            col = col.cast(pa.timestamp(field.type.unit))
            field = pa.field(field.name, col.type)
            changed = True
        fields.append(field.with_nullable(True))
        cols.append(col)
    return pa.Table.from_arrays(cols, schema=pa.schema(fields)) if changed else table


class SparkEngine(Engine):
    """Runs plans as Spark SQL over the store's files, in a Spark session of its own."""

    name = "spark"
    dialect = "spark"

    def __init__(self, store: Store):
        self._store = weakref.ref(store)
        self._spark: Any = store.spark if hasattr(store, "label_files") else None  # a RemoteStore: its session
        self._generation = -1
        self._label_files: list[str] | None = None
        self._temp: set[str] = set()

    @property
    def store(self) -> Store:
        st = self._store()
        if st is None:
            raise RuntimeError("The store of this engine was closed; open it again with tagscope.open().")
        return st

    def statement(self, sql: str) -> str:
        return to_spark(sql)

    def has_rollups(self) -> bool:
        return False  # the rollups are DuckDB's cache; Spark computes every relation from posts

    # -- the store's files as views ----------------------------------------------------------
    def spark(self) -> Any:
        """This engine's SparkSession, its ``posts`` view on the store's current files."""
        if self._spark is None:
            self._spark = spark_session.session()
        st = self.store
        st.refresh()
        if st.generation != self._generation:
            self._view("posts", st.files("posts"), POST_SCHEMA)
            self._generation = st.generation
        return self._spark

    def _view(self, name: str, paths: list[str], schema: pa.Schema, merge: bool = False) -> None:
        spark = self._spark
        with spark_session.quiet():
            if paths:
                reader = spark.read.option("mergeSchema", "true") if merge else spark.read
                df = reader.parquet(*paths)
            else:
                # an explicit schema: Spark Connect infers none from an empty table; times as
                # TIMESTAMP, as Spark reads the store's Parquet (inferTimestampNTZ off)
                from pyspark.sql.pandas.types import from_arrow_schema

                df = spark.createDataFrame([], schema=from_arrow_schema(schema, prefer_timestamp_ntz=False))
        df.createOrReplaceTempView(name)

    def _provide_labels(self) -> None:
        st = self.store
        paths = st.label_files() if hasattr(st, "label_files") else labels.files(st)
        if paths == self._label_files:
            return
        self._view("label_rows", paths, labels.SCHEMA, merge=True)
        self._spark.sql(f"CREATE OR REPLACE TEMP VIEW labels AS {to_spark(labels.CURRENT)}")
        self._label_files = paths

    def _frame(self, plan: Plan) -> tuple[Any, str, list[Any]]:
        spark = self.spark()
        if any(n in labels.SOURCES for n in plan.needs):
            self._provide_labels()
        sql, params = self.scan_sql(plan)
        return spark.sql(sql, args=named([_value(p) for p in params])), sql, params

    # -- running -----------------------------------------------------------------------------
    def dataframe(self, plan: Plan) -> Any:
        """PLAN (scanned) as a Spark DataFrame, for work that runs on the executors (batch labelling's
        ``mapInArrow``) rather than bringing rows back here."""
        return self._frame(plan)[0]

    def run(self, plan: Plan, *, rollup: bool = True) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
        df, sql, params = self._frame(plan)
        with spark_session.quiet():
            table = df.toArrow()
        return _naive(table), [(sql, params)]

    def stream(self, plan: Plan, batch_size: int) -> Iterator[pa.RecordBatch]:
        df, _, _ = self._frame(plan)
        with spark_session.quiet():
            schema = _naive(df.limit(0).toArrow()).schema
        # Rows come back one partition at a time; times as microseconds since the epoch, since
        # pyspark would turn a TIMESTAMP into the local time of this process.
        cols = [f"unix_micros(`{f.name}`) AS `{f.name}`" if pa.types.is_timestamp(f.type) else f"`{f.name}`"
                for f in schema]
        rows: list[tuple] = []
        for row in df.selectExpr(*cols).toLocalIterator(prefetchPartitions=True):
            rows.append(tuple(row))
            if len(rows) >= batch_size:
                yield _batch(rows, schema)
                rows = []
        if rows:
            yield _batch(rows, schema)

    @contextmanager
    def temp_table(self, name: str, plan: Plan) -> Iterator[str]:
        df, _, _ = self._frame(plan)
        df = df.cache()
        df.createOrReplaceTempView(name)
        self._temp.add(name)
        try:
            yield name
        finally:
            self._temp.discard(name)
            self._spark.catalog.dropTempView(name)
            df.unpersist()

    def map_rows(
        self, plan: Plan, fn: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]], schema: pa.Schema,
        sql: str,
    ) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
        # mapInArrow: FN is pickled to the executors (which need tagscope and what FN imports), then
        # SQL runs over its output as a Spark statement (the group-by happens on the cluster).
        from .spark_ingest import ddl

        df, scan, params = self._frame(plan)
        stmt = to_spark(sql)
        with spark_session.quiet():
            df.mapInArrow(fn, ddl(schema)).createOrReplaceTempView("mapped")
            try:
                table = self._spark.sql(stmt).toArrow()
            finally:
                self._spark.catalog.dropTempView("mapped")
        return _naive(table), [(scan, params), (stmt, [])]


def _batch(rows: list[tuple], schema: pa.Schema) -> pa.RecordBatch:
    """ROWS (times in microseconds) as a batch of SCHEMA."""
    cols = list(zip(*rows, strict=True))
    arrays = []
    for i, field in enumerate(schema):
        if pa.types.is_timestamp(field.type):
            arrays.append(pa.array(cols[i], type=pa.int64()).cast(field.type))
        else:
            arrays.append(pa.array(cols[i], type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
