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
from .labels import LABELS_DIR


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
        """Re-read ``manifest.json`` (whole, as one text row); ValueError when there is none."""
        try:
            with spark_session.quiet():
                row = self.spark.read.text(f"{self.uri}/manifest.json", wholetext=True).first()
        except Exception as exc:  # pyspark's AnalysisException (classic or Connect): no such path
            if "PATH_NOT_FOUND" not in str(exc) and "does not exist" not in str(exc):
                raise
            raise ValueError(f"no store at {self.uri}: it has no manifest.json (write a store there with "
                             "`tagscope ingest` and copy it, or with tagscope.engines.spark_ingest).") from None
        self.manifest = json.loads(row[0]) if row else {}

    def files(self, kind: str) -> list[str]:
        return [f"{self.uri}/{kind}/{name}" for name in self.manifest.get(kind, [])]

    def label_files(self) -> list[str]:
        """Committed label files, as :func:`tagscope.engines.labels.files` lists them locally.

        Listed by Spark's own file listing (the ``binaryFile`` source, its contents never read), so it
        works on a Spark Connect session as well, which has no JVM on this side; like the local
        listing, it skips hidden files (being written)."""
        try:
            with spark_session.quiet():
                rows = (self.spark.read.format("binaryFile").option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", "*.parquet").load(f"{self.uri}/{LABELS_DIR}")
                        .select("path").collect())
        except Exception as exc:  # no labels folder yet: no labels
            if "PATH_NOT_FOUND" not in str(exc) and "does not exist" not in str(exc):
                raise
            return []
        out = []
        for (path,) in rows:
            # labels/<model>/<file>.parquet only; named with the store's own spelling of its URI
            # (Hadoop writes a local file:///x as file:/x)
            parent, model, name = path.rsplit("/", 3)[-3:]
            if parent == LABELS_DIR:
                out.append(f"{self.uri}/{LABELS_DIR}/{model}/{name}")
        return sorted(out)
