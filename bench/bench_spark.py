"""Benchmark: the analytics on DuckDB and on Spark local mode, the same store, cold and warm.

    python bench/bench_spark.py --source STORE [--scales 1,10] [--work DIR] [--master local[*]]

SOURCE is a store ingested from `tagscope simulate` (e.g. 1M posts); scale k is k copies of its posts
(bench_analytics.build: ids and authors suffixed per copy). Per analytic and engine: "cold" is the
first call on a new Store (DuckDB: a new connection building its warm tables from the rollups;
Spark: a new session's first plan, the JVM already up), "warm" the median of 3 more calls. Spark
always scans posts (it reads no rollups), so DuckDB's scan (rollup=False) is given beside it: that
is the like-for-like per-core figure. Spark's JVM start is timed once, apart. CPU seconds of this
process and of the JVM (its children) are given too: the machine is shared, wall times swing.

Prints one JSON object: per scale, per analytic, per engine the seconds, and the posts scanned per
CPU-second of each engine's scan (count and notables), the input of the cluster-size note in
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analytics import build

from tagscope import analytics as an
from tagscope.engines import spark_session
from tagscope.store import Store

TAG = "yesallwomen"
CALLS = {
    "count": lambda st, **kw: an.count(st, TAG, **kw),
    "trend": lambda st, **kw: an.trend(st, [TAG, "notallmen"], every="day", tz="America/Los_Angeles", **kw),
    "origin": lambda st, **kw: an.origin(st, TAG, **kw),
    "notables": lambda st, **kw: an.notables(st, TAG, **kw),
    "cotags": lambda st, **kw: an.cotags(st, TAG, **kw),
    "audience": lambda st, **kw: an.audience(st, TAG, **kw),
    "velocity": lambda st, **kw: an.velocity(st, TAG, **kw),
}


def cpu() -> float:
    """CPU seconds of this process and its children (the JVM), so far."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


def timed(fn) -> tuple[float, float, object]:
    c0, t0 = cpu(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, cpu() - c0, out


def run(store_path: Path, names: list[str], warm: int) -> dict:
    out: dict = {}
    answers: dict = {}
    for engine, kw in (("duckdb", {"engine": "duckdb"}), ("duckdb-scan", {"engine": "duckdb", "rollup": False}),
                       ("spark", {"engine": "spark"})):
        st = Store(store_path)
        for name in names:
            call = CALLS[name]
            cold, cold_cpu, fig = timed(lambda call=call, kw=kw, st=st: call(st, **kw))
            runs = [timed(lambda call=call, kw=kw, st=st: call(st, **kw)) for _ in range(warm)]
            answers.setdefault(name, {})[engine] = json.dumps(fig.data, sort_keys=True, default=str)
            out.setdefault(name, {})[engine] = {
                "cold_s": round(cold, 3), "cold_cpu_s": round(cold_cpu, 3),
                "warm_s": round(statistics.median(r[0] for r in runs), 3),
                "warm_cpu_s": round(statistics.median(r[1] for r in runs), 3),
            }
        st.close()
    for name, by in answers.items():  # the same answer on every engine, or the figures are void
        out[name]["same_answer"] = len(set(by.values())) == 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--scales", default="1")
    ap.add_argument("--work", type=Path, default=Path("/tmp/tagscope-bench/spark"))
    ap.add_argument("--master", default=None, help="Spark master (default local[*])")
    ap.add_argument("--analytics", default=",".join(CALLS))
    ap.add_argument("--warm", type=int, default=3)
    args = ap.parse_args()
    spark_session.configure(args.master)
    names = args.analytics.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), cpu()
    spark_session.session().sql("SELECT 1").collect()
    result: dict = {"jvm_start_s": round(time.perf_counter() - t0, 2), "jvm_start_cpu_s": round(cpu() - c0, 2),
                    "master": spark_session.master(), "cores": os.cpu_count(), "load": os.getloadavg(), "scales": {}}
    for scale in (int(s) for s in args.scales.split(",")):
        path = build(args.source, scale, args.work)
        posts = Store(path).stats().get("posts")
        res = run(path, names, args.warm)
        for name in ("count", "notables"):
            if name in res:
                for eng in ("duckdb-scan", "spark"):
                    c = res[name][eng]["warm_cpu_s"]
                    res[name][eng]["posts_per_cpu_s"] = round(posts / c) if c else None
        result["scales"][str(scale)] = {"posts": posts, "analytics": res}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
