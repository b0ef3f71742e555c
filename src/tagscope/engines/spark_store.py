"""A store read by URI (``hdfs://``, ``s3a://``, ``file://``, ``abfss://``...) for the Spark engine.

A cluster's store often lives where this machine cannot list it as a folder. Spark reads it
through Hadoop's file systems: the manifest names the committed files (the same contract DuckDB
reads), and the label files are listed through the same file system. Read-only: ingest writes a
store (locally, or with :mod:`tagscope.engines.spark_ingest`) and Spark reads it here.

    from tagscope import analytics as an
    from tagscope.engines.spark_store import RemoteStore
    an.trend(RemoteStore("s3a://bucket/store"), "yesallwomen", engine="spark")
"""

from __future__ import annotations

import json
from typing import Any

from . import spark_session


class RemoteStore:
    """The committed state of the store at URI, read through Spark (only the Spark engine runs on it)."""

    def __init__(self, uri: str, spark: Any = None):
        self.uri = uri.rstrip("/")
        self.path = self.uri  # what messages and figures name
        self._spark = spark
        self.manifest: dict[str, Any] = {}
        self.refresh()

    def __repr__(self) -> str:
        return f"<tagscope.RemoteStore {self.uri!r} generation={self.generation}>"

    @property
    def spark(self) -> Any:
        if self._spark is None:
            self._spark = spark_session.session()
        return self._spark

    @property
    def generation(self) -> int:
        return int(self.manifest.get("generation", 0))

    def refresh(self) -> None:
        """Re-read ``manifest.json`` (whole, as one text row)."""
        with spark_session.quiet():
            row = self.spark.read.text(f"{self.uri}/manifest.json", wholetext=True).first()
        self.manifest = json.loads(row[0]) if row else {}

    def files(self, kind: str) -> list[str]:
        return [f"{self.uri}/{kind}/{name}" for name in self.manifest.get(kind, [])]

    def label_files(self) -> list[str]:
        """Committed label files, as :func:`tagscope.engines.labels.files` lists them locally."""
        jvm = self.spark.sparkContext._jvm
        conf = self.spark.sparkContext._jsc.hadoopConfiguration()
        base = jvm.org.apache.hadoop.fs.Path(f"{self.uri}/labels")
        fs = base.getFileSystem(conf)
        if not fs.exists(base):
            return []
        out = []
        for model in sorted(str(s.getPath().toString()) for s in fs.listStatus(base) if s.isDirectory()):
            names = sorted(str(s.getPath().getName()) for s in fs.listStatus(jvm.org.apache.hadoop.fs.Path(model)))
            out += [f"{model}/{n}" for n in names if n.endswith(".parquet") and not n.startswith(".")]
        return out
