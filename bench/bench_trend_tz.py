"""trend with --tz: warm (rollups, median of 25 runs on an open store) and scan (rollup=False, median
of 3), per zone and bucket width. A/B against an older commit with PYTHONPATH=<worktree>/src.

    python bench/bench_trend_tz.py --store STORE
"""

from __future__ import annotations

import argparse
import statistics
import time

from tagscope.analytics import trend
from tagscope.store import Store

ZONES = (None, "America/Havana", "Australia/Lord_Howe", "America/Los_Angeles")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--tag", default="yesallwomen")
    args = ap.parse_args()
    st = Store(args.store)
    trend(st, args.tag)  # open the rollups
    for tz in ZONES:
        for every in ("hour", "day", "week"):
            out = []
            for rollup, n in ((True, 25), (False, 3)):
                ts = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    trend(st, args.tag, every=every, tz=tz, rollup=rollup)
                    ts.append(time.perf_counter() - t0)
                out.append(statistics.median(ts) * 1000)
            print(f"{tz or 'UTC':20} {every:5} warm {out[0]:8.2f} ms  scan {out[1]:8.1f} ms", flush=True)


if __name__ == "__main__":
    main()
