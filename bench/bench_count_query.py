"""Benchmark: count-query by the index, by a DuckDB scan and by a Spark scan, the same store and queries.

    python bench/bench_count_query.py --store STORE [--warm 2] [--master local[*]] [--queries Q ...]

STORE is written to (the index is built in it): give a copy. Per path: "cold" is the first call on
a new Store (the index: after its build, timed apart; DuckDB: a new connection; Spark: a new
session's first plan, the JVM already up, its start timed apart), "warm" the median of WARM more.
Wall and CPU seconds (this process and its children: DuckDB's threads, the JVM and Spark's Python
workers) and the load average around each figure: the machine is shared. The answers of the three
paths must be equal (``same_answer``), or the figures are void. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from pathlib import Path

import psutil

from tagscope.engines import spark_session
from tagscope.search import count_query, reindex
from tagscope.store import Store

QUERIES = ["#yesallwomen", '"supreme gentleman"', "femin*", "women OR men -#notallmen"]


def cpu() -> float:
    """CPU seconds of this process and its descendants, those that ended included (a Spark Python
    worker that exited is in its parent's children times)."""
    total = sum(psutil.Process().cpu_times()[:4])
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:4])
    return total


def timed(fn) -> tuple[float, float, object]:
    c0, t0 = cpu(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, cpu() - c0, out


def measure(store: Path, engine: str, queries: list[str], warm: int, every: str) -> tuple[dict, str]:
    st = Store(store)
    call = lambda: count_query(st, queries, every=every, engine=engine)  # noqa: E731
    load = os.getloadavg()[0]
    cold, cold_cpu, fig = timed(call)
    runs = [timed(call) for _ in range(warm)]
    st.close()
    out = {"cold_s": round(cold, 2), "cold_cpu_s": round(cold_cpu, 2),
           "warm_s": round(statistics.median(r[0] for r in runs), 2) if runs else None,
           "warm_cpu_s": round(statistics.median(r[1] for r in runs), 2) if runs else None,
           "load": [round(load, 1), round(os.getloadavg()[0], 1)]}
    return out, json.dumps(fig.data, sort_keys=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--master", default=None, help="Spark master (default local[*])")
    ap.add_argument("--warm", type=int, default=2)
    ap.add_argument("--every", default="day")
    ap.add_argument("--paths", default="index,duckdb,spark")
    ap.add_argument("--queries", nargs="*", default=QUERIES)
    args = ap.parse_args()
    spark_session.configure(args.master)
    st = Store(args.store)
    result: dict = {"posts": st.stats()["posts"], "queries": args.queries, "every": args.every, "cores": os.cpu_count(),
                    "paths": {}}
    st.close()
    answers = {}
    for path in args.paths.split(","):
        if path == "index":
            with Store(args.store) as st:
                s, c, _ = timed(lambda st=st: reindex(st))
            result["index_build"] = {"s": round(s, 2), "cpu_s": round(c, 2), "posts_per_s": round(result["posts"] / s)}
        if path == "spark":
            s, c, _ = timed(lambda: spark_session.session().sql("SELECT 1").collect())
            result["jvm_start"] = {"s": round(s, 2), "cpu_s": round(c, 2), "master": spark_session.master()}
        result["paths"][path], answers[path] = measure(args.store, path, args.queries, args.warm, args.every)
        w = result["paths"][path]["warm_cpu_s"] or result["paths"][path]["cold_cpu_s"]
        result["paths"][path]["posts_per_cpu_s"] = round(result["posts"] / w) if w else None
        print(json.dumps({path: result["paths"][path]}), flush=True)
    result["same_answer"] = len(set(answers.values())) == 1
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
