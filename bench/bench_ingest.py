"""Ingest throughput: v1.1 JSON lines and twarc2 v2 pages into a fresh store, against twarc-csv.

Run: ``nice -n 5 .venv/bin/python bench/bench_ingest.py --posts 1000000``

For each format a campaign of POSTS posts is simulated in that format alone (cached under the work
folder) and read once, so that every timed run reads it from the page cache. Then ``tagscope ingest
--json FILE`` runs as a child process into a fresh store: wall and CPU time end to end (start-up,
parsing, dedup, Parquet commits, derived data: rollups and search index), posts/s and peak RSS; then
the same into a store opened with ``derived=False`` ("store only": the ingest driver alone). The
baseline is twarc-csv (``twarc2 --bearer-token x csv IN OUT``) converting the same v2 file in the same run; it
lives in its own venv outside the repository (it needs ``pandas<3``), built here when missing.
``--big N`` adds a peak-RSS run on an N-post file per ``--big-formats`` (the issue's bound: 10M posts
under 1.5 GB).
"""

from __future__ import annotations

import argparse
import os
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


# The store alone, without derived data (rollups, search index): what the ingest driver itself costs.
CORE = (
    "import sys, orjson; from tagscope.store import Store; "
    "s = Store(sys.argv[1], derived=False).ingest([sys.argv[2]]); s.pop('files'); print(orjson.dumps(s).decode())"
)


def warm(path: Path) -> None:
    """Read PATH once so that every timed run reads it from the page cache, the first one too (a
    larger file read in between, such as the 10M one, evicts it: the first run then waited on the disk)."""
    with open(path, "rb", buffering=0) as fh:
        while fh.read(64 << 20):
            pass


def ingest(label: str, path: Path, posts: int, store: Path, core: bool = False, index: bool = False,
           env: dict[str, str] | None = None) -> tuple[Run, dict]:
    if core:
        cmd = [sys.executable, "-c", CORE, str(fresh_dir(store)), str(path)]
    else:
        cmd = tagscope_cmd("ingest", "--store", str(fresh_dir(store)), "--json", *(["--index"] if index else []),
                           str(path))
    run = measure(cmd, env={**os.environ, **env} if env else None).check()
    summary = orjson.loads(run.stdout)
    # Live posts, not the summary's "ingested": a post committed in one batch and deleted by a notice
    # in a later batch counts as ingested, then leaves.
    stats = measure(tagscope_cmd("stats", "--store", str(store), "--json"), nice=0).check()
    summary["live"] = orjson.loads(stats.stdout)["posts"]
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
    ap.add_argument("--big", type=int, default=0, help="also measure peak RSS ingesting an N-post file")
    ap.add_argument("--big-formats", default="v1", help="formats of the --big runs (default v1; v1,v2 for both)")
    ap.add_argument("--no-twarc", action="store_true", help="skip the twarc-csv baseline")
    ap.add_argument("--formats", default="v1,v2", help="which ingest runs to make (default v1,v2)")
    ap.add_argument("--modes", default="e2e,index,core,duckdb,python",
                    help="e2e: the tagscope ingest command; index: with --index (the search index built too); "
                         "core: the store without derived data; duckdb: e2e with TAGSCOPE_NATIVE=0, lines mapped "
                         "by DuckDB's JSON reader instead of the C++ mappers; python: e2e with "
                         "TAGSCOPE_SQL_LINES=0, the record-by-record parser on worker processes (v1.1 only; "
                         "default all)")
    args = ap.parse_args()
    work: Path = args.work
    print(f"machine: {machine()}", flush=True)
    results: dict[str, tuple[int, Run]] = {}

    for fmt, label in (("v1", "tagscope v1.1 lines"), ("v2", "tagscope v2 pages")):
        if fmt not in args.formats.split(","):
            continue
        folder, truth = campaign(args.posts, args.seed, fmt, work)
        info = truth["files"][fmt]
        path = folder / info["path"]
        warm(path)
        for mode in args.modes.split(","):
            if mode == "python" and fmt != "v1":
                continue
            core = mode == "core"
            name = {"core": label.replace("tagscope", "store only"), "index": label + " +index",
                    "python": label + " (Python parser)", "duckdb": label + " (DuckDB mapper)"}.get(mode, label)
            env = {"python": {"TAGSCOPE_SQL_LINES": "0"}, "duckdb": {"TAGSCOPE_NATIVE": "0"}}.get(mode)
            run, summary = ingest(name, path, info["posts"], work / f"{mode}-{fmt}", core, mode == "index", env)
            if summary["live"] != truth["posts"]:
                raise SystemExit(f"{name}: the store holds {summary['live']:,} posts, truth says {truth['posts']:,}")
            results[f"{mode}-{fmt}"] = (info["posts"], run)

    if not args.no_twarc:
        folder, truth = campaign(args.posts, args.seed, "v2", work)
        path = folder / truth["files"]["v2"]["path"]
        warm(path)
        out = fresh_dir(work / "twarc.csv")
        run = measure([str(twarc2()), "--bearer-token", "x", "csv", str(path), str(out)]).check()
        n = truth["files"]["v2"]["posts"]
        report("twarc-csv v2 pages", n, run)
        for what, attr in (("wall", "seconds"), ("CPU", "cpu_seconds")):
            base = n / getattr(run, attr)
            ratios = [f"{key} {posts / getattr(r, attr) / base:,.1f}x" for key, (posts, r) in results.items()]
            print(f"ratio ({what} time) to twarc-csv's posts/s: {', '.join(ratios)}", flush=True)

    for fmt in args.big_formats.split(",") if args.big else []:
        folder, truth = campaign(args.big, args.seed, fmt, work)
        info = truth["files"][fmt]
        warm(folder / info["path"])  # as far as memory holds it
        name = {"v1": "v1.1", "v2": "v2"}[fmt]
        _, summary = ingest(f"big {name} ({args.big:,})", folder / info["path"], info["posts"], work / f"store-big-{fmt}")
        if summary["live"] != truth["posts"]:
            raise SystemExit(f"big {name}: the store holds {summary['live']:,} posts, truth says {truth['posts']:,}")
    print(f"command: nice -n 5 {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)


if __name__ == "__main__":
    main()
