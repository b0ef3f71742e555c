"""Benchmark: issue #21's one run at 10M and 100M posts: DuckDB cold and warm, Spark local mode, search.

    python bench/bench_scale.py --store 10M=/tmp/s21/scale/s10m --store 100M=/tmp/s21/s100m \\
        --out /tmp/s21/scale/run [--phases build,duckdb,cold,scan,spark,index,search] [--warm 5]

Phases (each skippable, each re-runnable alone: results are merged into OUT/bench_scale.json and the
markdown, OUT/bench_scale.md, is written again from all of them):

- ``build``: with ``--source SRC --copies 10M=12,100M=112``, a store of that many copies of SRC's posts
  (bench_analytics.copy_posts), then its rollups; each step a measured child (wall, CPU, peak RSS).
- ``duckdb``: count, trend, origin, notables, cotags, each in a NEW process (as bench_cold.py: import,
  open, first call = "cold"), then the median of ``--warm`` further calls ("warm").
- ``cold``: every registered analytic's cold first answer (bench_cold.py's child), on ``--cold-stores``.
- ``scan``: the five with ``rollup=False`` (a plain scan of posts, what Spark does): posts per CPU-second.
- ``spark``: the same calls on Spark local mode (``engine="spark"``, ``local[*]``), one JVM per store
  (its start timed apart); ``--spark-analytics 100M=count,trend`` limits a store's list.
- ``stats``: ``tagscope stats`` (the dashboard's first page shows it) in a new process.
- ``index``: the search index rebuilt from scratch (``tagscope reindex``'s path) on ``--index-store``.
- ``search``: bench_search.py's queries, ``--reps`` runs each, p50/p95 on ``--search-store``.

Every call's answer is digested: DuckDB warm, DuckDB scan and Spark must agree (``same``), and a
store of k copies must count k times the source's posts (checked when copies are known). CPU seconds
are the child process's and its threads' and children's (the JVM); the load average is recorded per
phase. Cold is process-cold, not page-cache-cold (the machine is shared: no cache drops).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cold import CHILD as COLD_CHILD
from common import measure

FIVE = ("count", "trend", "origin", "notables", "cotags")
TAG = "yesallwomen"

# One child: open a store, run analytics cold then warm; MODE is duckdb (rollups), scan or spark.
CHILD = r"""
import functools, hashlib, json, resource, sys, time
import psutil
def cpu():
    me = psutil.Process(); t = sum(me.cpu_times()[:2])
    for c in me.children(recursive=True):
        try: t += sum(c.cpu_times()[:2])
        except psutil.NoSuchProcess: pass
    return t
path, mode, names, warm, tag = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4]), sys.argv[5]
t0, c0 = time.perf_counter(), cpu()
import tagscope
from tagscope.analytics import registry
out = {"mode": mode, "analytics": {}}
if mode == "spark":
    from tagscope.engines import spark_session
    spark_session.session().sql("SELECT 1").collect()
    out["jvm_s"], out["jvm_cpu_s"] = round(time.perf_counter() - t0, 3), round(cpu() - c0, 3)
st = tagscope.open(path, engine="spark" if mode == "spark" else "duckdb")
out["open_s"], out["open_cpu_s"] = round(time.perf_counter() - t0, 3), round(cpu() - c0, 3)
opts = dict(tag=tag, tags=[tag], top=10, every="day", compare=["notallmen"])
def call(name):
    if mode != "scan":
        return registry.run(name, st, **opts)
    fn = functools.partial(registry.get(name).call(), rollup=False)
    with registry.substituted({name: fn}):
        return registry.run(name, st, **opts)
for name in names:
    row = {}
    try:
        t1, c1 = time.perf_counter(), cpu()
        fig = call(name)
        row.update(cold_s=round(time.perf_counter() - t1, 4), cold_cpu_s=round(cpu() - c1, 3), rows=fig.table.num_rows)
        if mode == "duckdb":  # the second call reads in place while the warm tables load in the background
            t1, c1 = time.perf_counter(), cpu()
            call(name)
            row.update(second_s=round(time.perf_counter() - t1, 4), second_cpu_s=round(cpu() - c1, 3))
            t1 = time.perf_counter()
            from tagscope.engines import engine_for
            row["loaded"] = engine_for(st).wait_loads(600)  # warm = a process whose loads are done
            row["load_wait_s"] = round(time.perf_counter() - t1, 3)
        ws, wc = [], []
        for _ in range(warm):
            t1, c1 = time.perf_counter(), cpu()
            call(name)
            ws.append(time.perf_counter() - t1); wc.append(cpu() - c1)
        if ws:
            ws.sort(); wc.sort()
            row.update(warm_s=round(ws[len(ws) // 2], 5), warm_cpu_s=round(wc[len(wc) // 2], 4), warm_n=len(ws))
        blob = json.dumps(fig.data, sort_keys=True, default=str)
        row["digest"] = hashlib.sha1(blob.encode()).hexdigest()[:16]
        if name == "count":
            row["count"] = fig.data.get("count")
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"[:300]
    out["analytics"][name] = row
    print(json.dumps({name: row}), file=sys.stderr, flush=True)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""

INDEX_CHILD = r"""
import json, sys, time
from pathlib import Path
from tagscope.search import index as search_index
from tagscope.store import Store
st = Store(sys.argv[1])
t0 = time.perf_counter()
with st.writer():
    built = search_index.reindex(st)
secs = time.perf_counter() - t0
folder = search_index.folder(st)
size = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
print(json.dumps({"documents": built["documents"], "build_s": round(secs, 2), "index_mb": round(size / 1e6)}))
"""

STATS_CHILD = r"""
import json, sys, time
import tagscope
t0 = time.perf_counter()
st = tagscope.open(sys.argv[1])
stats = st.stats()
print(json.dumps({"stats_s": round(time.perf_counter() - t0, 2), "posts": stats["posts"], "authors": stats["authors"]}))
"""

SEARCH_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
from bench_search import QUERIES, pct
from tagscope.search import index as search_index
from tagscope.search import search
from tagscope.store import Store
st = Store(sys.argv[1]); reps = int(sys.argv[2])
out = {"index_current": search_index.is_current(st), "queries": []}
all_ms, all_cpu = [], []
for q, filters, _ in QUERIES:
    search(st, q, limit=20, **filters)  # warm the page cache once
    ms, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.thread_time()
        res = search(st, q, limit=20, **filters)
        ms.append((time.perf_counter() - t0) * 1000); cpu.append((time.thread_time() - c0) * 1000)
    all_ms += ms; all_cpu += cpu
    label = q + (" " + " ".join(f"--{k}={v}" for k, v in filters.items()) if filters else "")
    out["queries"].append({"query": label, "total": res.total, "p50_ms": round(pct(ms, 50), 2),
                           "p95_ms": round(pct(ms, 95), 2), "cpu_p95_ms": round(pct(cpu, 95), 2),
                           "coverage": getattr(res, "coverage", None)})
out.update(p50_ms=round(pct(all_ms, 50), 2), p95_ms=round(pct(all_ms, 95), 2), cpu_p95_ms=round(pct(all_cpu, 95), 2))
print(json.dumps(out))
"""


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# The machine is shared: a child whose processes hold more than this is killed (and says so), before
# the kernel's OOM killer picks a victim among everyone's processes.
RSS_LIMIT_GB = float(os.environ.get("BENCH_SCALE_RSS_GB", "10"))


def _guard(stop: threading.Event, killed: list[float]) -> None:
    me = psutil.Process()
    while not stop.wait(0.25):
        for kid in me.children():
            try:
                tree = [kid, *kid.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree)
                if rss > RSS_LIMIT_GB * 2**30:
                    killed.append(rss / 2**30)
                    for p in reversed(tree):
                        p.kill()
            except psutil.NoSuchProcess:
                pass


def child(script: str, *args: str, timeout: float | None = None) -> dict[str, Any]:
    """Run SCRIPT in a new interpreter with this process's PYTHONPATH; its last stdout line is JSON."""
    cmd = [sys.executable, "-c", script, *args]
    t0 = time.perf_counter()
    if timeout:
        cmd = ["timeout", "--signal=KILL", str(int(timeout)), *cmd]
    stop, killed = threading.Event(), []
    guard = threading.Thread(target=_guard, args=(stop, killed), daemon=True)
    guard.start()
    try:
        # Children inherit this process's niceness (run it with nice); the tree's RSS sampled twice a second
        # (psutil every 50 ms cost this process ~5% of a core during a 30-minute build).
        run = measure(cmd, nice=0, interval=0.5)
    finally:
        stop.set()
        guard.join()
    out: dict[str, Any] = {}
    if killed:
        out["error"] = f"killed: its processes held {killed[0]:.1f} GB (over BENCH_SCALE_RSS_GB={RSS_LIMIT_GB:g})"
    lines = run.stdout.decode(errors="replace").strip().splitlines()
    if lines:
        try:
            value = json.loads(lines[-1])
            out = value if isinstance(value, dict) else {"value": value}
        except json.JSONDecodeError:
            out = {"error": lines[-1][:300]}
    if run.returncode != 0:
        err = run.stderr.decode(errors="replace").strip().splitlines()
        reason = "killed at the timeout" if run.returncode in (-9, 137) else (err[-1][:300] if err else "no output")
        out.setdefault("error", f"exit {run.returncode}: {reason}")
    out.update(process_s=round(time.perf_counter() - t0, 2), process_cpu_s=round(run.cpu_seconds, 2),
               process_peak_rss_mb=round(run.peak_tree_rss / 2**20))
    return out


def store_posts(path: Path) -> dict[str, Any]:
    from tagscope.engines.rollup import rollup_dir
    from tagscope.store import Store

    st = Store(path, derived=False)
    files = st.files("posts")
    rdir = rollup_dir(st)
    posts = int(st.con.execute("SELECT count(*) FROM posts").fetchone()[0])  # type: ignore[index]
    copies = sum(1 for f in files if Path(f).name.startswith("bench-copy-"))
    out = {"posts": posts, "posts_files": len(files), "copies": copies,
           "posts_mb": round(sum(os.path.getsize(f) for f in files) / 1e6),
           "rollup_mb": round(sum(f.stat().st_size for f in rdir.iterdir()) / 1e6) if rdir.is_dir() else 0}
    st.close()
    return out


# -- phases ------------------------------------------------------------------------------------
def phase_build(args, stores: dict[str, Path], res: dict) -> None:
    copies = dict(kv.split("=") for kv in args.copies.split(",")) if args.copies else {}
    derived = set(filter(None, args.derived_rollups.split(",")))
    bench = str(Path(__file__).resolve().parent)
    if args.source:  # what an ingested store holds beside its posts (the copies keep no raw records)
        from tagscope.store import Store

        src = Store(args.source, derived=False)
        live = int(src.con.execute("SELECT count(*) FROM posts").fetchone()[0])  # type: ignore[index]
        raw = sum(os.path.getsize(f) for f in src.files("raw"))
        res["source"] = {"path": str(args.source), "posts": live, "raw_bpp": raw / live if live else 0,
                         "posts_bpp": sum(os.path.getsize(f) for f in src.files("posts")) / live if live else 0}
    for label, path in stores.items():
        if label not in copies:
            continue
        row: dict[str, Any] = {"load_before": load()}
        script = (f"import sys; sys.path.insert(0, {bench!r}); from pathlib import Path; import bench_analytics as b; "
                  f"print(b.copy_posts(Path({str(args.source)!r}), {int(copies[label])}, Path({str(path)!r}), "
                  f"rollups={label in derived}))")
        row["copy"] = child(script)
        script = ("import sys, json; from tagscope.engines import rollup; from tagscope.store import Store; "
                  f"print(json.dumps(rollup.update(Store({str(path)!r}, derived=False))))")
        row["rollups"] = child(script)
        row.update(store_posts(path), load_after=load())
        res.setdefault("build", {})[label] = row
        print(f"build {label}: {json.dumps(row)}", flush=True)
        args.save(res)


def phase_duckdb(args, stores: dict[str, Path], res: dict) -> None:
    for label, path in stores.items():
        out = {"load_before": load(), "analytics": {}}
        for name in args.analytics.split(","):
            r = child(CHILD, str(path), "duckdb", name, str(args.warm), TAG, timeout=args.timeout)
            row = r.get("analytics", {}).get(name, {"error": r.get("error", "no answer")})
            row.update(open_s=r.get("open_s"), process_s=r["process_s"], process_cpu_s=r["process_cpu_s"],
                       peak_rss_mb=r["process_peak_rss_mb"])
            out["analytics"][name] = row
            print(f"duckdb {label} {name}: {json.dumps(row)}", flush=True)
            res.setdefault("duckdb", {})[label] = out
            args.save(res)
        out["load_after"] = load()


def phase_cold(args, stores: dict[str, Path], res: dict) -> None:
    from tagscope.analytics import registry

    names = args.cold_analytics.split(",") if args.cold_analytics else [a.name for a in registry.analytics()]
    for label in args.cold_stores.split(","):
        path = stores[label]
        out = {"load_before": load(), "analytics": {}}
        for name in names:
            r = child(COLD_CHILD, str(path), name, TAG, "", timeout=args.timeout)
            out["analytics"][name] = r
            print(f"cold {label} {name}: {json.dumps(r)}", flush=True)
            res.setdefault("cold", {})[label] = out
            args.save(res)
        out["load_after"] = load()


def _multi(mode: str, args, stores: dict[str, Path], res: dict, lists: dict[str, str], warm: int) -> None:
    for label, path in stores.items():
        names = lists.get(label, args.analytics)
        if not names:
            continue
        r = child(CHILD, str(path), mode, names, str(warm), TAG, timeout=args.timeout)
        r["load_before"] = res.get("_load", load())
        r["load_after"] = load()
        res.setdefault(mode, {})[label] = r
        print(f"{mode} {label}: {json.dumps(r)}", flush=True)
        args.save(res)


def phase_scan(args, stores, res) -> None:
    _multi("scan", args, stores, res, _lists(args.scan_analytics), args.scan_warm)


def phase_spark(args, stores, res) -> None:
    _multi("spark", args, stores, res, _lists(args.spark_analytics), args.spark_warm)


def phase_stats(args, stores, res) -> None:
    """`tagscope stats` (and the dashboard's first page, which shows it): a full pass over posts."""
    for label, path in stores.items():
        r = child(STATS_CHILD, str(path), timeout=args.timeout)
        r["load_after"] = load()
        res.setdefault("stats", {})[label] = r
        print(f"stats {label}: {json.dumps(r)}", flush=True)
        args.save(res)


def phase_index(args, stores, res) -> None:
    path = stores[args.index_store]
    r = child(INDEX_CHILD, str(path), timeout=args.timeout)
    r.update(store=args.index_store, load_before=res.get("_load"), load_after=load())
    if "documents" in r:
        r["posts_per_s"] = round(r["documents"] / r["build_s"])
        r["posts_per_cpu_s"] = round(r["documents"] / r["process_cpu_s"])
    res["index"] = r
    print(f"index: {json.dumps(r)}", flush=True)


def phase_search(args, stores, res) -> None:
    r = child(SEARCH_CHILD, str(stores[args.search_store]), str(args.reps), str(Path(__file__).resolve().parent),
              timeout=args.timeout)
    r.update(store=args.search_store, load_after=load())
    res["search"] = r
    print(f"search: {json.dumps(r)}", flush=True)


PHASES = {"build": phase_build, "duckdb": phase_duckdb, "cold": phase_cold, "scan": phase_scan,
          "spark": phase_spark, "stats": phase_stats, "index": phase_index, "search": phase_search}


def _lists(spec: str) -> dict[str, str]:
    """'100M=count,trend;10M=count' -> {'100M': 'count,trend', '10M': 'count'}."""
    return dict(part.split("=", 1) for part in spec.split(";") if part) if spec else {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", action="append", required=True, help="LABEL=PATH (e.g. 100M=/tmp/s21/s100m)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--analytics", default=",".join(FIVE))
    ap.add_argument("--warm", type=int, default=5, help="warm calls per analytic on DuckDB (median)")
    ap.add_argument("--source", type=Path, help="build: the store to copy")
    ap.add_argument("--copies", default="", help="build: LABEL=K,... copies of --source per store")
    ap.add_argument("--derived-rollups", default="", help="build: LABEL,... whose copies' rollups are derived "
                    "from the source's (bench_analytics.copy_rollups) instead of computed by rollup.update")
    ap.add_argument("--cold-stores", default="10M")
    ap.add_argument("--cold-analytics", default="", help="cold: these analytics only (default: every registered one)")
    ap.add_argument("--scan-analytics", default="", help="LABEL=a,b;LABEL=... (default: --analytics)")
    ap.add_argument("--scan-warm", type=int, default=1)
    ap.add_argument("--spark-analytics", default="", help="LABEL=a,b;LABEL=... (default: --analytics)")
    ap.add_argument("--spark-warm", type=int, default=1)
    ap.add_argument("--index-store", default="10M")
    ap.add_argument("--search-store", default="100M")
    ap.add_argument("--reps", type=int, default=20, help="search: runs per query")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a child is killed")
    args = ap.parse_args()
    stores = {k: Path(v) for k, v in (s.split("=", 1) for s in args.store)}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "bench_scale.json"
    res: dict = json.loads(path.read_text()) if path.exists() else {}
    from bench_scale_report import markdown

    def save(res: dict) -> None:
        path.write_text(json.dumps(res, indent=1))
        (args.out / "bench_scale.md").write_text(markdown(res))

    args.save = save
    res.setdefault("stores", {}).update({k: str(v) for k, v in stores.items()})
    for phase in args.phases.split(","):
        t0 = time.perf_counter()
        res["_load"] = load()
        print(f"== {phase} ({time.strftime('%H:%M:%S', time.gmtime())} UTC, load {res['_load']})", flush=True)
        PHASES[phase](args, stores, res)
        res.setdefault("_phases", {})[phase] = {"at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                                                "wall_s": round(time.perf_counter() - t0, 1), "load_start": res["_load"],
                                                "load_end": load()}
        save(res)
    print(markdown(res))
    bad = [line for line in markdown(res).splitlines() if "**DIFFERENT**" in line]
    if bad:
        sys.exit("answers differ:\n" + "\n".join(bad))


if __name__ == "__main__":
    main()
