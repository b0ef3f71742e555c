"""Time `search --count` (limit 0) and the first page for lone terms, NOT one term, and a phrase.

On a store built by bench_search.py: CPU ms of the calling thread, median and p95 of REPS runs, and
the total (which must not change between versions).

Run: PYTHONPATH=src nice .venv/bin/python bench/bench_search_count.py /tmp/sf/10m --reps 30
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_search import pct

from tagscope.search import search
from tagscope.store import Store

CASES: list[tuple[str, dict[str, Any]]] = [
    ("women", {}), ("#notallmen", {}), ("misandry", {}), ("women", {"sort": "time"}),
    ("NOT #yesallwomen", {}), ("-women", {}), ('"every woman i know"', {}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args()
    st = Store(args.store)
    print(f"{'query':<28} {'limit':>5} {'total':>10} {'cpu p50':>8} {'cpu p95':>8}")
    for q, kw in CASES:
        for limit in (0, 20):
            search(st, q, limit=limit, **kw)  # warm
            cpu = []
            for _ in range(args.reps):
                c0 = time.thread_time()
                res = search(st, q, limit=limit, **kw)
                cpu.append((time.thread_time() - c0) * 1000)
            label = q + (" --sort " + kw["sort"] if kw else "")
            print(f"{label:<28} {limit:>5} {res.total:>10,} {pct(cpu, 50):>8.2f} {pct(cpu, 95):>8.2f}", flush=True)


if __name__ == "__main__":
    main()
