"""Throughput of the fast-tier classifiers, in posts per second, against baselines run in the same process.

    nice python bench/bench_classify.py [--posts 200000] [--jobs 2]

Texts are the tweets shipped with the labelled sets (OLID, UMSAB, SemEval stance: ~18,000 distinct),
cycled to --posts; --reddit uses EDOS and Guest 2021 (Reddit and Gab, ~2x longer) instead. Baselines: the same sexism model called one post at a time (what a
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


def corpus(n: int, reddit: bool = False) -> list[str]:
    texts: list[str] = []
    for name in ("edos", "guest2021") if reddit else ("olid", "umsab_en", "stance_feminist"):
        texts += [r["text"] for r in datasets.rows(name)]
    return [texts[i % len(texts)] for i in range(n)]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


CPU: dict[str, float] = {}


def timed(fn, label: str = "") -> float:
    """Wall seconds of fn(); its CPU seconds go to CPU[label] (the machine may be shared)."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    if label:
        CPU[label] = time.process_time() - c
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
    ap.add_argument("--batch", type=int, default=2_048)
    ap.add_argument("--reddit", action="store_true", help="Reddit and Gab posts instead of tweets.")
    args = ap.parse_args()
    load = os.getloadavg()
    texts = corpus(args.posts, args.reddit)
    small = texts[:2_000]
    sexism = get("sexism").load()
    rows: list[tuple[str, float]] = []

    label = "baseline: sexism one post at a time, 1 process"
    base = rate(len(small), timed(lambda: [sexism.predict(Batch([t])) for t in small], label))
    rows.append((label, base))
    counted = {label: len(small)}
    from tagscope.classify.sentiment import vader_scores

    label = "baseline: VADER lexicon, 1 process"
    rows.append((label, rate(len(small), timed(lambda: vader_scores(small), label))))
    counted[label] = len(small)

    def batched(label: str, names: list[str], sample: list[str]) -> None:
        preds = [get(n).load() for n in names]

        def run() -> None:
            for i in range(0, len(sample), args.batch):
                b = Batch(sample[i : i + args.batch])
                for p in preds:
                    p.predict(b)

        rows.append((label, rate(len(sample), timed(run, label))))
        counted[label] = len(sample)

    mid = texts[: min(len(texts), 50_000)]
    batched("fast sexism, batches, 1 process", ["sexism"], mid)
    batched(f"fast n-gram models x{len(NGRAM_MODELS)} (shared features), 1 process", NGRAM_MODELS, mid)
    batched("sentiment (n-grams + VADER), 1 process", ["sentiment"], small * 5)
    batched("language (fastText lid.176 lite), 1 process", ["language"], mid[:20_000])
    rows.append((f"fast sexism, {args.jobs} processes", pooled(texts, ["sexism"], args.jobs, args.batch)))
    rows.append((f"fast n-gram models x{len(NGRAM_MODELS)}, {args.jobs} processes", pooled(texts, NGRAM_MODELS, args.jobs, args.batch)))

    kind = "Reddit/Gab posts" if args.reddit else "tweets"
    print(f"{args.posts:,} {kind} (shipped labelled texts, cycled); batch {args.batch:,}; {os.cpu_count()} cores; "
          f"load average before/after {load[0]:.1f}/{os.getloadavg()[0]:.1f}")
    print(f"{'what':<62} {'posts/s':>10} {'x baseline':>10} {'posts/CPU-s':>12}")
    for what, r in rows:
        per_cpu = f"{counted[what] / CPU[what]:,.0f}" if CPU.get(what) else "-"
        print(f"{what:<62} {r:>10,.0f} {r / base:>10.1f} {per_cpu:>12}")


if __name__ == "__main__":
    main()
