"""Throughput of the accurate tier (ONNX int8 fine-tunes + fast tier) against the fast tier, same run.

    nice python bench/bench_accurate.py [--posts 4000] [--threads 2]

Texts: EDOS test posts (Reddit and Gab), cycled to --posts. Both tiers label the same posts in
2,048-post batches in one process; the accurate tier's onnxruntime session uses --threads threads.
"three models" = sexism, sexism-category and stance on the same batch: every graph accurate.json names
for them, each run once per batch (see docs/models/sexism.md for the current set).
Prints posts/s (wall) and posts per CPU-second (process CPU time: the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import time

from tagscope.classify import accurate, datasets
from tagscope.classify.base import Batch
from tagscope.classify.registry import get, load

THREE = ("sexism", "sexism-category", "stance")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=4_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=2_048)
    args = ap.parse_args()
    before = os.getloadavg()
    base = [r["text"] for r in datasets.rows("edos", "test")]
    texts = [base[i % len(base)] for i in range(args.posts)]
    fast = get("sexism").load()
    fast3 = [get(n).load() for n in THREE]
    os.environ["TAGSCOPE_THREADS"] = str(args.threads)  # the session every accurate model shares
    acc3 = [load(n, "accurate") for n in THREE]
    first = accurate.sexism_files(accurate.settings())[0]
    scorer = accurate.graph_scorer(first, accurate.MODELS_DIR, args.threads)  # the same cached session
    runs = {
        "fast sexism (baseline)": lambda b: fast.predict(b),
        "fast: three models": lambda b: [p.predict(b) for p in fast3],
        f"accurate: {first} alone, {args.threads} threads": lambda b: scorer.outputs(b.texts),
        f"accurate: three models, {args.threads} threads": lambda b: [p.predict(b) for p in acc3],
    }
    rows = []
    for what, fn in runs.items():
        fn(Batch(texts[:64]))  # warm up
        t, c = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), args.batch):
            fn(Batch(texts[i : i + args.batch]))
        rows.append((what, len(texts) / (time.perf_counter() - t), len(texts) / (time.process_time() - c)))
    print(f"{len(texts):,} EDOS test posts (cycled); batch {args.batch:,}; {os.cpu_count()} cores; "
          f"load average before/after {before[0]:.1f}/{os.getloadavg()[0]:.1f}")
    print(f"{'what':<56} {'posts/s':>10} {'x fast':>8} {'posts/CPU-s':>12}")
    for what, r, per_cpu in rows:
        print(f"{what:<56} {r:>10,.0f} {r / rows[0][1]:>8.3f} {per_cpu:>12,.0f}")


if __name__ == "__main__":
    main()
