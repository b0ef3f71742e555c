"""Ingest throughput: v1.1 JSON lines and twarc2 v2 pages into a fresh store, against twarc-csv.

Run: ``nice -n 5 .venv/bin/python bench/bench_ingest.py --posts 1000000``

For each format a campaign of POSTS posts is simulated in that format alone (cached under the work
folder), then ``tagscope ingest --json FILE`` runs as a child process into a fresh store: wall time end
to end (start-up, parsing, dedup, Parquet commits, derived data), posts/s and peak RSS. The baseline is
twarc-csv (``twarc2 --bearer-token x csv IN OUT``) converting the same v2 file in the same run; it
lives in its own venv outside the repository (it needs ``pandas<3``), built here when missing.
``--big N`` adds a peak-RSS run on an N-post v1.1 file (the issue's bound: 10M posts under 1.5 GB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WORK, Run, campaign, fresh_dir, machine, mb, measure, rate, tagscope_cmd

TWARC_VENV = Path("/tmp/twarc-venv")


def twarc2() -> Path:
    """The twarc2 executable of the baseline venv, built when missing."""
    exe = TWARC_VENV / "bin" / "twarc2"
    python = TWARC_VENV / "bin" / "python"
    ok = exe.exists() and subprocess.run([str(python), "-c", "import twarc_csv"], capture_output=True).returncode == 0
    if not ok:
        print(f"building the twarc-csv baseline venv in {TWARC_VENV} ...", file=sys.stderr)
        subprocess.run(["python3", "-m", "venv", str(TWARC_VENV)], check=True)
        subprocess.run([str(TWARC_VENV / "bin" / "pip"), "install", "-q", "twarc-csv", "pandas<3"], check=True)
    return exe


def ingest(label: str, path: Path, posts: int, store: Path) -> tuple[Run, dict]:
    run = measure(tagscope_cmd("ingest", "--store", str(fresh_dir(store)), "--json", str(path))).check()
    summary = orjson.loads(run.stdout)
    report(label, posts, run)
    return run, summary


def report(label: str, posts: int, run: Run) -> None:
    print(f"{label:<24} {posts:>11,} posts {run.seconds:8.1f} s wall {rate(posts, run.seconds):>10} "
          f"| {run.cpu_seconds:8.1f} s CPU {rate(posts, run.cpu_seconds):>10} "
          f"| peak RSS {mb(run.peak_rss):>9} (process tree {mb(run.peak_tree_rss)})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=1_000_000, help="posts per simulated file (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--work", type=Path, default=WORK, help=f"work folder outside the repo (default {WORK})")
    ap.add_argument("--big", type=int, default=0, help="also measure peak RSS ingesting an N-post v1.1 file")
    ap.add_argument("--no-twarc", action="store_true", help="skip the twarc-csv baseline")
    args = ap.parse_args()
    work: Path = args.work
    print(f"machine: {machine()}", flush=True)
    results: dict[str, tuple[int, Run]] = {}

    for fmt, label in (("v1", "tagscope v1.1 lines"), ("v2", "tagscope v2 pages")):
        folder, truth = campaign(args.posts, args.seed, fmt, work)
        info = truth["files"][fmt]
        path = folder / info["path"]
        run, summary = ingest(label, path, info["posts"], work / f"store-{fmt}")
        if summary["ingested"] != truth["posts"]:
            raise SystemExit(f"{label}: ingested {summary['ingested']:,} posts, truth says {truth['posts']:,}")
        results[fmt] = (info["posts"], run)

    if not args.no_twarc:
        folder, truth = campaign(args.posts, args.seed, "v2", work)
        path = folder / truth["files"]["v2"]["path"]
        out = fresh_dir(work / "twarc.csv")
        run = measure([str(twarc2()), "--bearer-token", "x", "csv", str(path), str(out)]).check()
        n = truth["files"]["v2"]["posts"]
        report("twarc-csv v2 pages", n, run)
        for what, attr in (("wall", "seconds"), ("CPU", "cpu_seconds")):
            base = n / getattr(run, attr)
            v2 = results["v2"][0] / getattr(results["v2"][1], attr)
            v1 = results["v1"][0] / getattr(results["v1"][1], attr)
            print(f"ratio ({what} time): tagscope v2 pages {v2 / base:,.1f}x twarc-csv's posts/s; "
                  f"tagscope v1.1 lines {v1 / base:,.1f}x", flush=True)

    if args.big:
        folder, truth = campaign(args.big, args.seed, "v1", work)
        info = truth["files"]["v1"]
        ingest(f"big v1.1 ({args.big:,})", folder / info["path"], info["posts"], work / "store-big")
    print(f"command: nice -n 5 {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)


if __name__ == "__main__":
    main()
