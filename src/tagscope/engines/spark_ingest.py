"""Ingest on Spark: archives too big for one machine, mapped by the same parsers into the same store.

    python -m tagscope.engines.spark_ingest --store STORE [--format NAME] [--master URL] INPUT...
    spark-submit --py-files tagscope.whl spark_ingest.py --store hdfs:///stores/s hdfs:///archive/*.jsonl.gz

(``spark_ingest.py``: this file, ``python -c 'import tagscope.engines.spark_ingest as m; print(m.__file__)'``.)

Each input's lines (``textFile``: plain or compressed JSON lines, local, HDFS or S3) are numbered,
then every partition of lines goes through :func:`tagscope.store.chunk.parse_records`, exactly what
``tagscope ingest`` runs per block: the format's ``parse``, quarantine reasons, the merge of copies
of a post inside the block. Across blocks, the copies of a post are merged in input order with the
same ``merge_into`` (only the repeated keys travel through Python again); tombstones (delete notices,
superseded edits) remove their posts; posts files are written sorted by time then id, as the
store's commit writes them; pointer reposts (Bluesky's) take their subject's text and tags as
``store/reposts.py`` fills them. The result is a new store: ``posts/``, ``raw/``, ``tombstones/``,
``quarantine/``, ``handles/`` and ``manifest.json`` (written last: the commit), which DuckDB and the Spark engine
read alike. Rollups and the search index are built by the next local ``tagscope`` command on the
store (or never: the engines scan without them).

Limits: a new store only (appending to a store needs its dedup against the posts already there:
use ``tagscope ingest``); JSON-lines inputs (formats read as whole documents, folders or zips go
through ``tagscope ingest``).
"""

from __future__ import annotations

import argparse
import json
import uuid
from typing import Any

import pyarrow as pa

from ..post import POST_SCHEMA
from ..store import manifest as manifests
from ..store.reposts import FILLED
from ..store.tables import HANDLES_SCHEMA, QUARANTINE_SCHEMA, TOMBSTONE_SCHEMA
from . import spark_session

KEY = ("platform", "id")
# One row type out of the parse step (a union of the store's tables), so lines are parsed once:
# `_table` says which table a row belongs to; `file_no` orders the inputs.
_EXTRA = [("_table", pa.string()), ("file_no", pa.int64()), ("raw", pa.binary()), ("reason", pa.string()),
          ("at", pa.timestamp("us")), ("qraw", pa.string()), ("account_id", pa.string()), ("handle", pa.string())]
WIDE = pa.schema([*(f for f in POST_SCHEMA), *(pa.field(n, t) for n, t in _EXTRA)])


def _spark_type(t: pa.DataType) -> str:
    if pa.types.is_list(t):
        return f"array<{_spark_type(t.value_type)}>"
    if pa.types.is_timestamp(t):
        return "timestamp_ntz"  # naive UTC, as the store's files hold it
    return {pa.string(): "string", pa.int64(): "bigint", pa.bool_(): "boolean", pa.binary(): "binary",
            pa.float32(): "float"}[t]


def ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{f.name}` {_spark_type(f.type)}" for f in schema)


def _wide(table: pa.Table, kind: str, file_no: int) -> pa.Table:
    """TABLE's rows as WIDE rows of KIND (absent columns null)."""
    n = len(table)
    cols = []
    for f in WIDE:
        if f.name == "_table":
            cols.append(pa.array([kind] * n, pa.string()))
        elif f.name == "file_no":
            cols.append(pa.array([file_no] * n, pa.int64()))
        elif kind == "quarantine" and f.name == "qraw":
            cols.append(table.column("raw").cast(pa.string()))
        elif kind == "quarantine" and f.name == "raw":
            cols.append(pa.nulls(n, pa.binary()))
        elif f.name in table.column_names:
            cols.append(table.column(f.name).cast(f.type))
        else:
            cols.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(cols, schema=WIDE)


def parse_partition(formats_by_file: dict[str, str]):
    """The mapInArrow function: batches of (file_no, source_file, source_line, value) -> WIDE rows."""

    def run(batches):
        from .. import formats
        from ..formats.base import line_records
        from ..store.chunk import parse_records
        from ..store.tables import to_table

        for batch in batches:
            rows = batch.to_pydict()
            start = 0
            n = len(rows["value"])
            while start < n:  # runs of one file: one chunk each, as ingest parses a block
                source, file_no = rows["source_file"][start], rows["file_no"][start]
                end = start
                while end < n and rows["source_file"][end] == source:
                    end += 1
                recs = (r for i in range(start, end)
                        for r in line_records([rows["value"][i]], rows["source_line"][i]))
                chunk = parse_records(formats.get(formats_by_file[source]), source, recs)
                parts = [_wide(chunk.posts, "post", file_no), _wide(chunk.raws, "raw", file_no)]
                if chunk.tombstones:
                    parts.append(_wide(to_table(chunk.tombstones, TOMBSTONE_SCHEMA), "tomb", file_no))
                if chunk.handles:
                    parts.append(_wide(to_table(chunk.handles, HANDLES_SCHEMA), "handle", file_no))
                if chunk.quarantine:
                    parts.append(_wide(to_table(chunk.quarantine, QUARANTINE_SCHEMA), "quarantine", file_no))
                for part in parts:
                    yield from part.to_batches()
                start = end

    return run


def merge_copies(batches):
    """The mapInArrow function over the repeated keys, sorted by key then input order: one post per
    key, later copies merged into the first with the platform's rule (formats.merge_into)."""
    from ..formats import merge_into
    from ..store.tables import to_table

    names = POST_SCHEMA.names
    current: dict[str, Any] | None = None
    out: list[dict[str, Any]] = []
    for batch in batches:
        for row in batch.select(names).to_pylist():
            if current is not None and (current["platform"], current["id"]) == (row["platform"], row["id"]):
                merge_into(current, row)
                continue
            if current is not None:
                out.append(current)
            current = row
        if len(out) >= 10_000:
            yield from to_table(out, POST_SCHEMA).to_batches()
            out = []
    if current is not None:
        out.append(current)
    if out:
        yield from to_table(out, POST_SCHEMA).to_batches()


def fill_pointers(posts: Any) -> Any:
    """POSTS with each pointer repost (a repost naming its subject by id alone: no text, no tags)
    given its subject's text, tags and links, as store/reposts.py fills them (same FILLED columns,
    the repost's own language first); a pointer whose subject is absent stays as it is."""
    from pyspark.sql import functions as F

    no_tags = F.col("hashtags").isNull() | (F.size("hashtags") == 0)
    pointer = (F.col("kind") == "repost") & F.col("repost_of_id").isNotNull() & F.col("text").isNull() & no_tags
    subject = (F.col("kind") != "repost") & (F.col("text").isNotNull() | ~no_tags)
    subjects = posts.where(subject).select(
        F.col("platform").alias("_sp"), F.col("id").alias("_sid"), *(F.col(c).alias(f"_s_{c}") for c in FILLED))
    flagged = posts.withColumn("_pointer", F.coalesce(pointer, F.lit(False)))
    joined = flagged.join(subjects, (F.col("_pointer") & (F.col("platform") == F.col("_sp"))
                                     & (F.col("repost_of_id") == F.col("_sid"))), "left")
    found = F.col("_sid").isNotNull()
    cols = []
    for c in POST_SCHEMA.names:
        if c == "lang":
            cols.append(F.when(found, F.coalesce(F.col("lang"), F.col("_s_lang"))).otherwise(F.col("lang")).alias(c))
        elif c in FILLED:
            cols.append(F.when(found, F.col(f"_s_{c}")).otherwise(F.col(c)).alias(c))
        else:
            cols.append(F.col(c))
    return joined.select(*cols)


class _Fs:
    """The store folder through Hadoop's file systems (local, HDFS, S3 alike)."""

    def __init__(self, spark: Any, root: str):
        self.jvm = spark.sparkContext._jvm
        self.root = root.rstrip("/")
        self.path = self.jvm.org.apache.hadoop.fs.Path
        self.fs = self.path(self.root).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.path(f"{self.root}/{rel}")))

    def parts(self, rel: str) -> list[str]:
        """The Parquet part files Spark wrote under REL (in name order)."""
        return sorted(str(s.getPath().getName()) for s in self.fs.listStatus(self.path(f"{self.root}/{rel}"))
                      if str(s.getPath().getName()).endswith(".parquet"))

    def move(self, src: str, dst: str) -> None:
        self.fs.mkdirs(self.path(f"{self.root}/{dst}").getParent())
        if not self.fs.rename(self.path(f"{self.root}/{src}"), self.path(f"{self.root}/{dst}")):
            raise OSError(f"cannot move {src} to {dst} in {self.root}")

    def remove(self, rel: str) -> None:
        self.fs.delete(self.path(f"{self.root}/{rel}"), True)

    def write_text(self, rel: str, text: str) -> None:
        """Write REL whole, then rename it into place (the manifest's commit)."""
        tmp = self.path(f"{self.root}/.{rel}.tmp")
        out = self.fs.create(tmp, True)
        out.write(bytearray(text.encode()))
        out.close()
        dst = self.path(f"{self.root}/{rel}")
        self.fs.delete(dst, False)
        self.fs.rename(tmp, dst)


def _sniff(spark: Any, path: str) -> str:
    from .. import formats

    head = "\n".join(spark.sparkContext.textFile(path).take(20)).encode()[:65536]
    mod = formats.sniff(head)
    if mod is None:
        raise ValueError(f"{path}: format not recognised; give --format NAME")
    return mod.NAME


def ingest(store: str, inputs: list[str], fmt: str | None = None, spark: Any = None) -> dict[str, int]:
    """Map INPUTS (JSON lines) into a new store at STORE (a path or URI); return what was written."""
    with spark_session.quiet():
        return _ingest(store, inputs, fmt, spark)


def _ingest(store: str, inputs: list[str], fmt: str | None, spark: Any) -> dict[str, int]:
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    spark = spark or spark_session.session()
    fs = _Fs(spark, store)
    if fs.exists(manifests.MANIFEST):
        raise ValueError(f"{store} is a store already: Spark ingest writes a new store (use tagscope ingest to add)")
    by_file = {p: fmt or _sniff(spark, p) for p in inputs}
    lines = None
    for file_no, path in enumerate(inputs):
        rdd = spark.sparkContext.textFile(path).zipWithIndex().map(
            lambda li, p=path, n=file_no: (n, p, li[1] + 1, li[0].encode()))
        part = spark.createDataFrame(rdd, "file_no bigint, source_file string, source_line bigint, value binary")
        lines = part if lines is None else lines.unionByName(part)
    assert lines is not None, "give at least one input"
    wide = lines.mapInArrow(parse_partition(by_file), ddl(WIDE)).persist()
    tag = uuid.uuid4().hex[:12]
    scratch = f"{manifests.SCRATCH}/spark-{tag}"

    posts = wide.where("_table = 'post'")
    copies = Window.partitionBy(*KEY)
    posts = posts.withColumn("_copies", F.count(F.lit(1)).over(copies))
    single = posts.where("_copies = 1").select(*POST_SCHEMA.names)
    repeated = (posts.where("_copies > 1").repartition(*KEY).sortWithinPartitions(*KEY, "file_no", "source_line")
                .select(*POST_SCHEMA.names).mapInArrow(merge_copies, ddl(POST_SCHEMA)))
    tombs = wide.where("_table = 'tomb'").select(*TOMBSTONE_SCHEMA.names)
    live = fill_pointers(single.unionByName(repeated).join(tombs.select(*KEY).distinct(), list(KEY), "left_anti"))

    tables = {
        "posts": live.select(*POST_SCHEMA.names),
        "raw": wide.where("_table = 'raw'").select("platform", "id", "source_format", "source_file", "source_line", "raw"),
        "tombstones": tombs,
        # One row per (account, handle, time), as the commit keeps them (the first seen).
        "handles": wide.where("_table = 'handle'").dropDuplicates(["platform", "account_id", "handle", "at"])
        .select(*HANDLES_SCHEMA.names),
        "quarantine": wide.where("_table = 'quarantine'").select(
            "source_file", "source_line", "source_format", "reason", F.col("qraw").alias("raw")),
    }
    prefix = {"posts": "part", "raw": "raw", "tombstones": "tomb", "quarantine": "q", "handles": "hdl"}
    data = manifests.empty()
    counts = {}
    for kind, df in tables.items():
        counts[kind] = df.count()
        if not counts[kind]:
            continue
        if kind == "posts":  # sorted by time, then id, as store.commit writes posts files
            df = df.repartitionByRange("created_at", "id").sortWithinPartitions("created_at", "id")
        df.write.option("compression", "zstd").parquet(f"{fs.root}/{scratch}/{kind}")
        for i, name in enumerate(fs.parts(f"{scratch}/{kind}")):
            final = f"{prefix[kind]}-000001-spark-{tag}-{i:05d}.parquet"
            fs.move(f"{scratch}/{kind}/{name}", f"{kind}/{final}")
            data[kind].append(final)
    wide.unpersist()
    fs.remove(scratch)
    data["generation"] = 1
    fs.write_text(manifests.MANIFEST, json.dumps(data, indent=2))
    return counts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tagscope.engines.spark_ingest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="the new store: a path or a URI (hdfs://, s3a://)")
    ap.add_argument("--format", default=None, help="the inputs' format (default: sniffed per input)")
    ap.add_argument("--master", default=None, help="Spark master (default: spark-submit's, else local[*])")
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args(argv)
    spark_session.configure(args.master)
    print(json.dumps(ingest(args.store, args.inputs, args.format)))


if __name__ == "__main__":
    main()
