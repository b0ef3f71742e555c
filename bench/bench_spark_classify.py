"""Batch labelling: the local path (in this process, or its worker pool) vs Spark's executors.

    nice .venv/bin/python bench/bench_spark_classify.py --store STORE --work DIR --mode spark --master 'local[2]'

Each run labels a fresh copy of STORE (no labels yet) with the default models and prints one JSON
line: posts, wall and CPU seconds (this process, its children and the JVM's Python workers), and
for Spark the session start apart from the labelling, cold then warm. One mode per process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from pathlib import Path


def _cpu() -> float:
    """CPU seconds of this process, its waited-for children, and its live descendants (the JVM and
    Spark's Python workers)."""
    import psutil

    own = sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            live += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return own + live


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--mode", choices=("inprocess", "pool", "spark"), required=True)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--models", default=None)
    args = ap.parse_args()

    from tagscope import engines
    from tagscope.classify.run import classify
    from tagscope.store import Store

    if args.mode == "spark":
        from tagscope.engines import spark_session

        spark_session.configure(args.master)
    # Spark runs twice, each time on a fresh copy: cold (the JVM's first queries: class loading and JIT)
    # and warm (what every later run of a long-lived driver costs).
    for run in ("cold", "warm") if args.mode == "spark" else ("once",):
        copy = args.work / f"store-{args.mode}-{run}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(args.store, copy, ignore=shutil.ignore_patterns("labels"))
        st = Store(copy)
        st.stats()  # rollups and anything else opening writes, outside the timing
        out: dict = {"mode": args.mode, "run": run, "load_before": os.getloadavg()[0]}
        if args.mode == "spark":
            engines.choose(st, "spark")
            t0, c0 = time.perf_counter(), _cpu()
            engines.engine_for(st).spark()  # the JVM (first run) and the posts view
            out |= {"master": args.master, "start_wall_s": round(time.perf_counter() - t0, 1),
                    "start_cpu_s": round(_cpu() - c0, 1)}
        t0, c0 = time.perf_counter(), _cpu()
        summary = classify(st, args.models, jobs=1 if args.mode == "inprocess" else 2)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        out |= {"models": list(summary.models), "posts": summary.posts, "labelled": summary.labelled,
                "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "posts_per_s": round(summary.posts / wall),
                "posts_per_cpu_s": round(summary.posts / cpu), "load_after": os.getloadavg()[0]}
        print(json.dumps(out), flush=True)
        st.close()
        shutil.rmtree(copy, ignore_errors=True)

if __name__ == "__main__":
    main()
