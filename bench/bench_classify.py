"""Throughput of the fast-tier classifiers, in posts per second, against baselines run in the same process.

    nice python bench/bench_classify.py [--posts 200000] [--jobs 2]

Texts are the shipped labelled sets (EDOS, OLID, UMSAB, stance, Guest 2021: tweets and Reddit
comments), cycled to --posts. Baselines: the same sexism model called one post at a time (what a
naive `label` loop does), and the VADER lexicon (the sentiment baseline).
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from tagscope.classify import datasets
from tagscope.classify.base import Batch
from tagscope.classify.registry import get
from tagscope.classify.run import _init_worker, _label_chunk

NGRAM_MODELS = ["sexism", "sexism-category", "sexism-vector", "stance", "offensive", "testimony"]


def corpus(n: int) -> list[str]:
    texts: list[str] = []
    for name in ("edos", "olid", "umsab_en", "stance_feminist", "guest2021"):
        texts += [r["text"] for r in datasets.rows(name)]
    return [texts[i % len(texts)] for i in range(n)]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def pooled(texts: list[str], names: list[str], jobs: int, batch: int) -> float:
    """Posts/s over `jobs` worker processes, as `tagscope classify` runs them (start-up excluded)."""
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_init_worker,
                             initargs=(names,)) as pool:
        list(pool.map(_label_chunk, [texts[:10]] * jobs, [{n: list(range(10)) for n in names}] * jobs))  # warm up
        t = time.perf_counter()
        chunks = [texts[i : i + batch] for i in range(0, len(texts), batch)]
        needs = [{n: list(range(len(c))) for n in names} for c in chunks]
        list(pool.map(_label_chunk, chunks, needs))
        return rate(len(texts), time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--batch", type=int, default=10_000)
    args = ap.parse_args()
    texts = corpus(args.posts)
    small = texts[:2_000]
    sexism = get("sexism").load()
    rows: list[tuple[str, float]] = []

    base = rate(len(small), timed(lambda: [sexism.predict(Batch([t])) for t in small]))
    rows.append(("baseline: sexism one post at a time, 1 process", base))
    from tagscope.classify.sentiment import vader_scores

    rows.append(("baseline: VADER lexicon, 1 process", rate(len(small), timed(lambda: vader_scores(small)))))

    def batched(names: list[str], sample: list[str]) -> float:
        preds = [get(n).load() for n in names]
        def run() -> None:
            for i in range(0, len(sample), args.batch):
                b = Batch(sample[i : i + args.batch])
                for p in preds:
                    p.predict(b)
        return rate(len(sample), timed(run))

    mid = texts[: min(len(texts), 50_000)]
    rows.append(("fast sexism, batches, 1 process", batched(["sexism"], mid)))
    rows.append((f"fast n-gram models x{len(NGRAM_MODELS)} (shared features), 1 process", batched(NGRAM_MODELS, mid)))
    rows.append(("sentiment (n-grams + VADER), 1 process", batched(["sentiment"], small * 5)))
    rows.append(("language (fastText lid.176 lite), 1 process", batched(["language"], mid[:20_000])))
    rows.append((f"fast sexism, {args.jobs} processes", pooled(texts, ["sexism"], args.jobs, args.batch)))
    rows.append((f"fast n-gram models x{len(NGRAM_MODELS)}, {args.jobs} processes", pooled(texts, NGRAM_MODELS, args.jobs, args.batch)))

    print(f"{args.posts:,} posts (shipped labelled texts, cycled); batch {args.batch:,}; {os.cpu_count()} cores")
    print(f"{'what':<62} {'posts/s':>10} {'x baseline':>10}")
    for what, r in rows:
        print(f"{what:<62} {r:>10,.0f} {r / base:>10.1f}")


if __name__ == "__main__":
    main()
