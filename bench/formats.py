"""Format mapping cost: records -> posts per second of CPU, for v1.1 lines, v2 pages and twarc-csv rows.

Run: ``nice -n 5 .venv/bin/python bench/formats.py --posts 200000``

A campaign is simulated (``tagscope simulate``, cached under the work folder). For each format the
same records are (a) only decoded (``orjson.loads``, or the csv module for CSV: the baseline, measured
in the same run) and (b) decoded and mapped with the format's ``records()``/``parse()``. CPU time
(process_time, the least of --repeat runs) is reported, because the machine is shared; the ratio mapped/decoded says what the
mapping adds over reading the bytes at all. The CSV is made from the v2 file by twarc-csv when its
venv (/tmp/twarc-venv, see bench/bench_ingest.py) exists.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import subprocess
import sys
import time
from pathlib import Path

import orjson

from tagscope import formats
from tagscope.formats.base import json_records

WORK = Path("/tmp/tagscope-bench-formats")
TWARC2 = Path("/tmp/twarc-venv/bin/twarc2")


def simulate(posts: int, seed: int) -> Path:
    out = WORK / f"sim-{posts}-{seed}"
    if not (out / "campaign-v2.jsonl").exists():
        exe = Path(sys.executable).with_name("tagscope")
        subprocess.run([str(exe), "simulate", "--posts", str(posts), "--seed", str(seed), "--out", str(out), "--json"],
                       check=True, capture_output=True)
    return out


REPEAT = 3


def cpu(fn) -> tuple[float, int]:
    """The least CPU time of REPEAT runs (the machine is shared: the least is the least disturbed)."""
    best = float("inf")
    n = 0
    for _ in range(REPEAT):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            n = fn()
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best, n


def bench_json(name: str, path: Path) -> None:
    data = path.read_bytes()
    mod = formats.get(name)

    def decode() -> int:
        return sum(1 for line in io.BytesIO(data) if line.strip() and orjson.loads(line) is not None)

    def mapped() -> int:
        return sum(len(mod.parse(r.obj)) for r in json_records(io.BytesIO(data)) if r.error is None)

    report(name, path, cpu(decode), cpu(mapped))


def bench_csv(path: Path) -> None:
    data = path.read_bytes()
    mod = formats.get("twarc-csv")

    def decode() -> int:
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""))
        next(reader)
        return sum(1 for _ in reader)

    def mapped() -> int:
        return sum(len(mod.parse(r.obj)) for r in mod.records(io.BytesIO(data)) if r.error is None)

    report("twarc-csv", path, cpu(decode), cpu(mapped))


def report(name: str, path: Path, base: tuple[float, int], run: tuple[float, int]) -> None:
    (bs, _), (rs, rn) = base, run
    print(f"{name:<11} {path.name:<20} {path.stat().st_size / 1e6:8.1f} MB | decode only {bs:6.2f} s CPU "
          f"| decode+map {rs:6.2f} s CPU, {rn:>9,} items, {rn / rs:>9,.0f} posts/s CPU | ratio {rs / bs:4.2f}x",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the least CPU time is kept")
    args = ap.parse_args()
    global REPEAT
    REPEAT = args.repeat
    sim = simulate(args.posts, args.seed)
    v1, v2 = sim / "campaign-v1.jsonl", sim / "campaign-v2.jsonl"
    bench_json("twitter-v1", v1)
    bench_json("twitter-v2", v2)
    out = sim / "campaign-v2.csv"
    if not out.exists() and TWARC2.exists():
        subprocess.run([str(TWARC2), "--bearer-token", "x", "csv", "--hide-progress", "--hide-stats", str(v2), str(out)],
                       check=True, capture_output=True)
    if out.exists():
        bench_csv(out)
    else:
        print("twarc-csv   skipped: no /tmp/twarc-venv (see bench/bench_ingest.py)")


if __name__ == "__main__":
    main()
