"""Batch labelling on Spark's executors: `TAGSCOPE_ENGINE=spark tagscope classify` on a cluster.

:func:`tagscope.classify.run.classify` computes the posts to label (the anti-join with the label
files) through the engine either way; on the Spark engine it hands that relation to :func:`label`,
which runs the models with ``mapInArrow`` over its partitions instead of in this process:

- each Python worker loads the shipped models once, from the installed package (``classify/models``;
  nothing is fetched), and keeps them for every task it runs (Spark reuses its Python workers);
- each task labels its batches with the very function the local path runs
  (:func:`tagscope.classify.run.label_texts`) and writes its labels with the very writer
  (:func:`tagscope.classify.labels.write_to`): same schema, same file names, files published
  atomically, one file per model every ``flush`` labels and at the end of the task;
- only a row of counts per task and model comes back to the driver (the progress bar's ticks).

So the label files are those the local path writes, and DuckDB and Spark read each other's labels
(the ``labels`` relation's "current label" rule is the same on both). The executors write into the
store's folder: on a cluster it must be a path every node sees alike (a shared mount); a store by
URI is read-only (:class:`tagscope.engines.spark_store.RemoteStore`). A task Spark runs twice (a
retry, speculation) writes its labels twice: identical rows of the same version, which the current
label rule reads as one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from . import labels as label_store
from .base import Predictor

if TYPE_CHECKING:
    from ..engines.spark import SparkEngine

Progress = Callable[[int, int], None]
# What each task hands back: per model, the posts the task read and the labels it wrote.
RESULT = pa.schema([("model", pa.string()), ("posts", pa.int64()), ("labelled", pa.int64())])
_LOADED: dict[tuple[str, str], Predictor] = {}  # (model, tier) -> predictor, per Python worker process


def _predictors(versions: dict[str, str], tier: str) -> dict[str, Predictor]:
    """The models of VERSIONS, loaded once per worker process; a worker whose package holds another
    model file (a stale wheel on a node) fails rather than write labels under the wrong version."""
    from .registry import load

    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one task, one core: as the local path's workers
    out = {}
    for name, version in versions.items():
        key = (name, tier)
        if key not in _LOADED:
            _LOADED[key] = load(name, tier)
        if _LOADED[key].version != version:
            raise RuntimeError(f"The {name} model on this executor is version {_LOADED[key].version}, the driver's is "
                               f"{version}: install the same tagscope wheel on the driver and the executors.")
        out[name] = _LOADED[key]
    return out


def labeller(versions: dict[str, str], need_cols: list[str], tier: str, labels_dir: str,
             flush: int) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function ``mapInArrow`` runs on each partition of the posts to label (platform, id, text
    and one boolean ``need_<i>`` column per model): it labels them and writes the label files."""
    names = list(versions)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from .run import label_texts

        predictors = _predictors(versions, tier)
        pending: dict[str, tuple[list, list, list, list]] = {n: ([], [], [], []) for n in names}
        labelled = dict.fromkeys(names, 0)
        posts = 0

        def write(force: bool) -> None:
            for n, (plats, ids, labs, scores) in pending.items():
                if ids and (force or len(ids) >= flush):
                    label_store.write_to(Path(labels_dir) / n, n, versions[n], plats, ids, labs, scores)
                    labelled[n] += len(ids)
                    pending[n] = ([], [], [], [])

        for rb in batches:
            cols = rb.to_pydict()
            texts, plats, ids = cols["text"], cols["platform"], cols["id"]
            needs = {n: [i for i, v in enumerate(cols[c]) if v] for n, c in zip(names, need_cols, strict=True)}
            for n, (labs, scores) in label_texts(predictors, texts, needs).items():
                p = pending[n]
                p[0].extend(plats[i] for i in needs[n])
                p[1].extend(ids[i] for i in needs[n])
                p[2].extend(labs)
                p[3].extend(scores)
            posts += len(texts)
            write(force=False)
        write(force=True)
        yield pa.RecordBatch.from_pylist(
            [{"model": n, "posts": posts, "labelled": labelled[n]} for n in names], schema=RESULT)

    return run


def label(eng: SparkEngine, table: str, labels_dir: Path, versions: dict[str, str], need_cols: list[str], *,
          tier: str, flush: int, total: int, progress: Progress | None = None) -> tuple[int, dict[str, int]]:
    """Label the rows of the engine's relation TABLE on the executors, writing label files into
    LABELS_DIR (``STORE/labels``); returns (posts read, labels written per model)."""
    from ..engines import spark_session
    from ..engines.plan import Plan

    df = eng.dataframe(Plan(f"SELECT platform, id, text, {', '.join(need_cols)} FROM {table}"))
    run = labeller(versions, need_cols, tier, str(Path(labels_dir).resolve()), flush)
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([StructField("model", StringType()), StructField("posts", LongType()),
                         StructField("labelled", LongType())])
    first = next(iter(versions))
    done, labelled = 0, dict.fromkeys(versions, 0)
    # Counts come back as each task ends: the progress bar moves partition by partition.
    with spark_session.quiet():  # pyspark's "pandas 3 not fully supported": no pandas is used here
        rows = df.mapInArrow(run, schema).toLocalIterator()
        for row in rows:
            model, posts, n = row[0], int(row[1]), int(row[2])
            labelled[model] += n
            if model == first:
                done += posts
                if progress:
                    progress(done, total)
    return done, labelled


__all__ = ["RESULT", "label", "labeller"]
