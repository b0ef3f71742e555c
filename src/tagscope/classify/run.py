"""`tagscope classify`: label the store's posts incrementally, in batches, on every core.

Only posts without a label of a model's current version are read. Each batch of posts is split
between worker processes; a worker vectorises its texts once and runs every requested model on
them. Labels are written every ``flush`` posts, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from ..engines import engine_for
from ..engines.plan import Plan
from ..post import fold_tag
from . import labels as label_store
from .base import Batch, Predictor
from .registry import load, parse

if TYPE_CHECKING:
    from ..store import Store

Progress = Callable[[int, int], None]  # (posts done, posts to do)
_WORKER: dict[str, Predictor] = {}


@dataclass
class Summary:
    models: dict[str, str] = field(default_factory=dict)  # model -> version
    todo: dict[str, int] = field(default_factory=dict)  # model -> posts that needed a label
    labelled: dict[str, int] = field(default_factory=dict)
    posts: int = 0  # distinct posts read

    def as_dict(self) -> dict[str, Any]:
        return {"models": self.models, "todo": self.todo, "labelled": self.labelled, "posts": self.posts}


def load_predictors(names: list[str], tier: str = "fast") -> dict[str, Predictor]:
    return {n: load(n, tier) for n in names}


def _init_worker(names: list[str], tier: str = "fast") -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("TAGSCOPE_THREADS", "1")
    _WORKER.clear()
    _WORKER.update(load_predictors(names, tier))


def _label_chunk(texts: list[str], needs: dict[str, list[int]]) -> dict[str, tuple[list[str], list[float]]]:
    """Labels and scores for the rows of ``texts`` each model needs (runs in a worker)."""
    return label_texts(_WORKER, texts, needs)


SLICE = 2_048  # posts vectorised at once: small enough for the arrays to stay in cache and reused memory


def label_texts(predictors: dict[str, Predictor], texts: list[str],
                needs: dict[str, list[int]]) -> dict[str, tuple[list[str], list[float]]]:
    """Labels and scores of the rows each model needs, in order of ``needs[model]``."""
    out: dict[str, tuple[list[str], list[float]]] = {n: ([], []) for n, rows in needs.items() if rows}
    for start in range(0, len(texts), SLICE):
        part = texts[start : start + SLICE]
        batch = Batch(part)
        for name in out:
            rows = [i - start for i in needs[name] if start <= i < start + SLICE]
            if not rows:
                continue
            sub = batch if len(rows) == len(part) else Batch([part[i] for i in rows])
            labs, scores = predictors[name].predict(sub)
            out[name][0].extend(labs)
            out[name][1].extend(float(s) for s in scores)
    return out


def _todo_query(names: list[str], tag: str | None) -> tuple[str, list[Any]]:
    needs, params = [], []
    for i, _ in enumerate(names):
        needs.append(
            f"NOT EXISTS (SELECT 1 FROM label_rows l WHERE l.platform = p.platform AND l.id = p.id "
            f"AND l.model = ? AND l.version = ?) AS need_{i}"
        )
    where = "TRUE"
    if tag:
        where = "list_contains(p.hashtags_norm, ?)"
    sql = f"SELECT p.platform, p.id, coalesce(p.text, '') AS text, {', '.join(needs)} FROM posts p WHERE {where}"
    return sql, params + ([fold_tag(tag)] if tag else [])


def classify(store: Store, models: str | list[str] | None = None, *, tag: str | None = None,
             tier: str = "fast", batch_size: int = 20_000, jobs: int | None = None, flush: int = 200_000,
             progress: Progress | None = None) -> Summary:
    """Label posts of the store that lack a current label; see the module docstring."""
    names = parse(models) if not isinstance(models, list) else parse(",".join(models))
    predictors = load_predictors(names, tier)
    summary = Summary(models={n: p.version for n, p in predictors.items()})
    sql, tag_params = _todo_query(names, tag)
    params: list[Any] = []
    for n in names:
        params += [n, summary.models[n]]
    params += tag_params
    need_cols = [f"need_{i}" for i in range(len(names))]
    eng = engine_for(store)
    todo = Plan(f"SELECT * FROM ({sql}) AS todo WHERE {' OR '.join(need_cols)}", params, ("label_rows",))
    # Computed once, counted, then streamed: the anti-join over every post runs a single time.
    with eng.temp_table("_classify_todo", todo) as table:
        counts = list(eng.query(f"SELECT count(*), {', '.join(f'count_if({c})' for c in need_cols)} FROM {table}")
                      .to_pylist()[0].values())
        total = int(counts[0])
        summary.todo = {n: int(c or 0) for n, c in zip(names, counts[1:], strict=True)}
        summary.labelled = dict.fromkeys(names, 0)
        if progress:
            progress(0, total)
        if total == 0:
            return summary
        if eng.name == "spark":  # the labelling runs on the executors (classify/spark_labels.py)
            from .spark_labels import label

            summary.posts, summary.labelled = label(
                eng, table, label_store.folder(store), summary.models, need_cols, tier=tier, flush=flush,
                total=total, progress=progress)
            return _compacted(store, summary)
        jobs = jobs or min(2, os.cpu_count() or 1)
        pool = None
        if jobs > 1 and total >= 4_000:
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(names, tier))
        pending: dict[str, tuple[list[str], list[str], list[str], list[float]]] = {n: ([], [], [], []) for n in names}

        def flush_labels(force: bool) -> None:
            for n, (plats, ids, labs, scores) in pending.items():
                if ids and (force or len(ids) >= flush):
                    label_store.write(store, n, summary.models[n], plats, ids, labs, scores)
                    summary.labelled[n] += len(ids)
                    pending[n] = ([], [], [], [])

        try:
            reader = eng.stream(Plan(f"SELECT * FROM {table}"), batch_size)
            done = 0
            for rb in reader:
                cols = rb.to_pydict()
                texts, plats, ids = cols["text"], cols["platform"], cols["id"]
                needs = {n: [i for i, v in enumerate(cols[c]) if v] for n, c in zip(names, need_cols, strict=True)}
                if pool is None:
                    parts = [label_texts(predictors, texts, needs)]
                    offsets = [0]
                else:
                    step = -(-len(texts) // jobs)
                    offsets = list(range(0, len(texts), step))
                    futures = []
                    for off in offsets:
                        sub_needs = {n: [i - off for i in rows if off <= i < off + step] for n, rows in needs.items()}
                        futures.append(pool.submit(_label_chunk, texts[off : off + step], sub_needs))
                    parts = [f.result() for f in futures]
                step = len(texts) if pool is None else -(-len(texts) // jobs)
                for off, part in zip(offsets, parts, strict=True):
                    for n, (labs, scores) in part.items():
                        rows = [i for i in needs[n] if off <= i < off + step]
                        p = pending[n]
                        p[0].extend(plats[i] for i in rows)
                        p[1].extend(ids[i] for i in rows)
                        p[2].extend(labs)
                        p[3].extend(scores)
                done += len(texts)
                summary.posts = done
                flush_labels(force=False)
                if progress:
                    progress(done, total)
            flush_labels(force=True)
        finally:
            if pool is not None:
                pool.shutdown()
    return _compacted(store, summary)


def _compacted(store: Store, summary: Summary) -> Summary:
    """SUMMARY, once each model's label files are compacted (:func:`.labels.compact`)."""
    for n, version in summary.models.items():
        label_store.compact(store, n, version)
    return summary
