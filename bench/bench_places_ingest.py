"""Benchmark: what making `places`' cache at ingest costs (issue #21, bench/RESULTS.md "Places").

    python bench/bench_places_ingest.py ab --a /work/main/src --b src --rounds 3 FILE...
    python bench/bench_places_ingest.py make STORE

``ab``: ingest FILES into a fresh store with the code under --a, then under --b, alternating, each in
a new process (``python -m tagscope ingest``); prints wall, CPU seconds (the process and its children:
ingest's workers) and peak RSS of each run, and the cache files it left. One small file shows the
gazetteer's fixed cost per process. ``make``: make the cache of every posts file of STORE without one,
as ingest's ``after_commit`` does (from disk), timed: for a store built by copying posts files.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _ingest(src: str, store: Path, files: list[str]) -> dict[str, float]:
    """One ingest in a new process; its rusage (children included) from wait4."""
    env = {**os.environ, "PYTHONPATH": src}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tagscope", "ingest", "--store", str(store), *files],
                            env=env, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"ingest failed ({proc.returncode}) with {src}")
    places = store / "derived" / "places"
    return {"wall_s": round(time.perf_counter() - started, 2), "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
            "peak_rss_mb": ru.ru_maxrss // 1024, "cache_files": len(os.listdir(places)) if places.is_dir() else 0,
            "posts_files": len(os.listdir(store / "posts"))}


def ab(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-places-ingest-", dir=args.tmp))
    try:
        for r in range(1, args.rounds + 1):
            for side, src in (("a", args.a), ("b", args.b)):
                store = work / side
                shutil.rmtree(store, ignore_errors=True)
                load = _load()
                print({"round": r, "side": side, "src": src, "load": load, **_ingest(src, store, args.files)}, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make(args: argparse.Namespace) -> None:
    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    from tagscope.analytics import places_cache
    from tagscope.store import Store

    store = Store(args.store)
    load = _load()
    with store.writer():
        t0, c0 = time.perf_counter(), cpu()
        made = places_cache.update(store)
        t1, c1 = time.perf_counter(), cpu()
    print({"made": made, "posts_files": len(store.files("posts")), "wall_s": round(t1 - t0, 1),
           "cpu_s": round(c1 - c0, 1), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
           "load": load})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ab", help="ingest A/B, alternating")
    p.add_argument("--a", required=True, help="PYTHONPATH of side a (e.g. main's src)")
    p.add_argument("--b", required=True, help="PYTHONPATH of side b")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--tmp", default=None, help="where the stores go (default: the system's temp folder)")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=ab)
    p = sub.add_parser("make", help="make the missing caches of a store, as ingest's after_commit does")
    p.add_argument("store")
    p.set_defaults(run=make)
    args = ap.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
