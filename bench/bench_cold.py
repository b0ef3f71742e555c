"""Benchmark: every analytic's cold first answer, each in a new process, as a user's first command.

    python bench/bench_cold.py --store STORE [--analytics count,notables] [--tag yesallwomen] [--engine duckdb]

For each registered analytic: a new Python process imports tagscope, opens STORE and runs the
analytic once with the report's options (its tag, top 10, daily buckets, compared with #notallmen),
then once more on the same open store (warm). "cold" is the first call's wall time and the CPU
seconds of the process (its threads included) during it; opening the store and importing are
timed apart, since a user pays them too ("open"). Issue #21's target: cold <= 5 s at 10M posts.
Prints one JSON line per analytic and a table at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0, c0 = time.perf_counter(), cpu()
import tagscope
from tagscope.analytics import registry
st = tagscope.open(sys.argv[1], engine=sys.argv[4] or None)
t1, c1 = time.perf_counter(), cpu()
opts = dict(tag=sys.argv[3], tags=[sys.argv[3]], top=10, every="day", compare=["notallmen"])
out = {"analytic": sys.argv[2]}
try:
    fig = registry.run(sys.argv[2], st, **opts)
    t2, c2 = time.perf_counter(), cpu()
    registry.run(sys.argv[2], st, **opts)
    t3, c3 = time.perf_counter(), cpu()
    out.update(open_s=round(t1 - t0, 3), cold_s=round(t2 - t1, 3), cold_cpu_s=round(c2 - c1, 3),
               warm_s=round(t3 - t2, 3), warm_cpu_s=round(c3 - c2, 3), rows=fig.table.num_rows)
except Exception as exc:  # an analytic that cannot run here (no labels, a missing extra) says why
    out.update(error=f"{type(exc).__name__}: {exc}"[:200])
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("--analytics", default="", help="comma-separated names (default: every registered one)")
    ap.add_argument("--tag", default="yesallwomen")
    ap.add_argument("--engine", default="")
    args = ap.parse_args()
    if args.analytics:
        names = args.analytics.split(",")
    else:
        from tagscope.analytics import registry

        names = [a.name for a in registry.analytics()]
    rows = []
    for name in names:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, args.store, name, args.tag, args.engine],
                              capture_output=True, text=True)
        line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else json.dumps(
            {"analytic": name, "error": proc.stderr.strip().splitlines()[-1][:200] if proc.stderr.strip() else "no output"})
        row = json.loads(line)
        row["process_s"] = round(time.perf_counter() - t0, 3)
        print(json.dumps(row), flush=True)
        rows.append(row)
    print("\n| analytic | open s | cold s | cold CPU s | warm s | <= 5 s |\n|---|---:|---:|---:|---:|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['analytic']} | | | | | {r['error']} |")
        else:
            ok = "yes" if r["cold_s"] <= 5 else "**no**"
            print(f"| {r['analytic']} | {r['open_s']} | {r['cold_s']} | {r['cold_cpu_s']} | {r['warm_s']} | {ok} |")


if __name__ == "__main__":
    main()
