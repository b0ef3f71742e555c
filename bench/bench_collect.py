"""Live collection: catch-up speed of `tagscope collect bluesky` from a local Jetstream replay.

Run: ``nice -n 5 .venv/bin/python bench/bench_collect.py --events 300000``

EVENTS generated Jetstream events (tests/jetgen.py: 45% posts, one in three tagged, reposts, likes,
deletions, identity events) are served as fast as the socket takes them by the replay server
(`tagscope collect replay-server`'s class, in a thread of this process), and the collector runs as a
child process from the first event (``--since``), as one that was down for a while catches up.
Figures: events/s from the first frame sent to the store's saved cursor reaching the last event (what
is committed, not what is received), the lag once caught up (the last frame sent to its commit in the
store: what a reader waits), peak RSS of the collector, its CPU seconds. Two runs: ``--all`` (every
post and repost stored) and ``--tag`` (the usual filter: a third of the posts, their reposts and
likes). Then the lag once caught up, live: a fresh collector (``--tag``) follows the replay paced at
LIVE_RATE events/s, each event stamped with the time it is sent (as a live Jetstream); the store's
saved cursor is polled every 0.1 s, and the lag is the poll's time minus the cursor's (how stale the
store is for a reader: the batch interval, 2 s, plus the commit).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import WORK, Run, fresh_dir, machine, mb, measure

from jetgen import events
from tagscope.collect.replay import read_frames, serving
from tagscope.store import Store

SRC = Path(__file__).resolve().parents[1] / "src"


def frames_file(n: int) -> Path:
    path = WORK / f"jetstream-{n}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\n".join(events(n, seed=2014)) + b"\n")
    return path


def one(frames: list[bytes], store: Path, mode: list[str]) -> dict[str, object]:
    last_us = max(orjson.loads(f)["time_us"] for f in frames[-100:] if b'"time_us"' in f)
    first_us = orjson.loads(frames[0])["time_us"]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with serving(frames) as server:
        cmd = [sys.executable, "-m", "tagscope", "collect", "bluesky", *mode, "--since", str(first_us), "--jetstream",
               server.url, "--store", str(store), "--idle-exit", "10", "--json"]
        result: list[Run] = []
        child = threading.Thread(target=lambda: result.append(measure(cmd, env=env)))
        child.start()
        caught_up = None
        while child.is_alive():
            time.sleep(0.02)
            saved = Store(store).cursor(f"bluesky {server.url}") if (store / "manifest.json").exists() else None
            if caught_up is None and isinstance(saved, dict) and saved.get("cursor") == last_us:
                caught_up = time.monotonic()
        child.join()
        run = result[0].check()
        first, last = server.first_sent_at, server.last_sent_at
    status = orjson.loads(run.stdout)
    if caught_up is None:
        print(run.stderr.decode()[-2000:], status, Store(store).manifest.get("cursors"), last_us)
    assert caught_up is not None and first is not None and last is not None, "never caught up"
    return {"mode": " ".join(mode), "events": status["events"], "stored": status["stored"],
            "events_per_s": status["events"] / (caught_up - first), "lag_s": max(caught_up - last, 0.0),
            "peak_rss": run.peak_rss, "cpu_s": run.cpu_seconds, "wall_s": run.seconds, "cmd": " ".join(cmd)}


def live(frames: list[bytes], store: Path, rate: float, seconds: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    frames = frames[: int(rate * seconds)]
    with serving(frames, rate=rate, restamp=True) as server:
        cmd = [sys.executable, "-m", "tagscope", "collect", "bluesky", "--tag", "YesAllWomen", "--jetstream",
               server.url, "--store", str(store), "--idle-exit", "5", "--json"]
        result: list[Run] = []
        child = threading.Thread(target=lambda: result.append(measure(cmd, env=env)))
        child.start()
        lags: list[float] = []
        while child.is_alive():
            time.sleep(0.1)
            saved = Store(store).cursor(f"bluesky {server.url}") if (store / "manifest.json").exists() else None
            sending = server.last_sent_at is not None and time.monotonic() - server.last_sent_at < 1
            if isinstance(saved, dict) and saved.get("cursor") and sending:
                lags.append(time.time() - saved["cursor"] / 1e6)
        child.join()
        run = result[0].check()
    lags.sort()
    assert lags, "no live commit seen"
    return {"events": orjson.loads(run.stdout)["events"], "median": lags[len(lags) // 2],
            "p95": lags[int(len(lags) * 0.95)], "max": lags[-1], "cmd": " ".join(cmd)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--live-rate", type=float, default=500.0, help="events/s of the live phase")
    ap.add_argument("--live-seconds", type=float, default=30.0)
    ap.add_argument("--skip-catch-up", action="store_true")
    args = ap.parse_args()
    frames = read_frames(frames_file(args.events))
    print(f"machine: {machine()}; {len(frames):,} Jetstream events")
    for mode in ([] if args.skip_catch_up else (["--all"], ["--tag", "YesAllWomen"])):
        r = one(frames, fresh_dir(WORK / "collect-store"), mode)
        r["idle_s"] = 10
        print(f"{r['mode']:<18} {r['events']:>9,} events  {r['events_per_s']:>9,.0f} events/s into the store  "
              f"lag once caught up {r['lag_s']:.2f} s  stored {r['stored']:,} posts  "
              f"peak RSS {mb(r['peak_rss'])}  CPU {r['cpu_s']:.1f} s  wall {r['wall_s']:.1f} s")
    r = live(frames, fresh_dir(WORK / "collect-live"), args.live_rate, args.live_seconds)
    print(f"live at {args.live_rate:,.0f} events/s ({r['events']:,} events): lag of the store behind real time "
          f"median {r['median']:.2f} s, p95 {r['p95']:.2f} s, max {r['max']:.2f} s")


if __name__ == "__main__":
    main()
