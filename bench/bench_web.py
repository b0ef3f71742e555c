"""Load on the dashboard's JSON API: concurrent clients on search and trend endpoints.

Starts `tagscope serve` on loopback (a separate process, as a user would run it) over a store built
from a simulated campaign, then:

1. baseline: ONE client sending the same request mix one after another (same run);
2. load: CLIENTS concurrent clients (httpx, asyncio) for SECONDS, each sending the mix in a loop.

Prints throughput, p50/p95/p99 latency per endpoint and overall, errors (any non-200 or transport
error: must be zero), and the ratios load/baseline. Example (the command behind bench/RESULTS.md)::

    nice .venv/bin/python bench/bench_web.py --posts 1000000 --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import WORK, campaign, machine, measure, tagscope_cmd

SEARCHES = ["women", '"every woman"', "#notallmen", "femin*", "harassment OR misandry", "women safety"]
TRENDS = [
    {"tag": "yesallwomen", "every": "day"},
    {"tag": "yesallwomen", "every": "hour"},
    {"tag": ["yesallwomen", "notallmen"], "every": "day"},
    {"tag": "notallmen", "every": "hour", "since": "2014-05-25", "until": "2014-05-28"},
]


def requests_mix() -> list[tuple[str, str, dict[str, Any]]]:
    """(endpoint label, path, params): half search, half trend."""
    mix: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(max(len(SEARCHES), len(TRENDS))):
        mix.append(("search", "/api/search", {"q": SEARCHES[i % len(SEARCHES)], "limit": 20}))
        mix.append(("trend", "/api/trend", TRENDS[i % len(TRENDS)]))
    return mix


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class Tally:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, label: str, seconds: float) -> None:
        self.lat.setdefault(label, []).append(seconds * 1000)

    def all(self) -> list[float]:
        return [v for vs in self.lat.values() for v in vs]


async def one(client: httpx.AsyncClient, tally: Tally, label: str, path: str, params: dict[str, Any]) -> None:
    t0 = time.perf_counter()
    try:
        r = await client.get(path, params=params)
        ok = r.status_code == 200
        if not ok:
            tally.errors.append(f"{label} {r.status_code} {r.text[:120]}")
    except httpx.HTTPError as exc:
        ok = False
        tally.errors.append(f"{label} {type(exc).__name__}: {exc}")
    if ok:
        tally.add(label, time.perf_counter() - t0)


async def baseline(base: str, rounds: int) -> tuple[Tally, float]:
    tally = Tally()
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for label, path, params in requests_mix():  # warm every query once
            await one(client, Tally(), label, path, params)
        t0 = time.perf_counter()
        for _ in range(rounds):
            for label, path, params in requests_mix():
                await one(client, tally, label, path, params)
    return tally, time.perf_counter() - t0


async def load(base: str, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    mix = requests_mix()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        stop = time.perf_counter() + seconds

        async def worker(k: int) -> None:
            i = k
            while time.perf_counter() < stop:
                label, path, params = mix[i % len(mix)]
                await one(client, tally, label, path, params)
                i += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(clients)))
    return tally, time.perf_counter() - t0


def store_for(posts: int) -> Path:
    """A store of the simulated campaign of POSTS posts (v1.1 lines), built once and reused."""
    store = WORK / f"web-store-{posts}"
    if (store / "manifest.json").exists():
        return store
    folder, _ = campaign(posts, formats="v1")
    run = measure(tagscope_cmd("ingest", "--store", str(store), "--json", str(folder))).check()
    print(f"ingested {posts:,} posts (with rollups and search index) in {run.seconds:,.0f} s", flush=True)
    return store


def serve(store: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TAGSCOPE_TOKEN": ""}
    cmd = tagscope_cmd("serve", "--store", str(store), "--port", str(port), "--workers", str(workers))
    return subprocess.Popen(cmd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError("the server exited: " + (proc.stderr.read().decode() if proc.stderr else ""))
        try:
            if httpx.get(base + "/api/stats", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not answer within 300 s")


def report(name: str, tally: Tally, seconds: float) -> dict[str, float]:
    allv = tally.all()
    n = len(allv) + len(tally.errors)
    row = {"requests": n, "rps": n / seconds, "p50": pct(allv, 50), "p95": pct(allv, 95), "p99": pct(allv, 99),
           "errors": len(tally.errors)}
    print(f"{name}: {n:,} requests in {seconds:,.1f} s = {row['rps']:,.1f} req/s; p50 {row['p50']:,.1f} ms, "
          f"p95 {row['p95']:,.1f} ms, p99 {row['p99']:,.1f} ms; errors {len(tally.errors):,}")
    for label, vs in sorted(tally.lat.items()):
        print(f"  {label:7s} {len(vs):6,} ok  p50 {pct(vs, 50):8,.1f} ms  p95 {pct(vs, 95):8,.1f} ms  "
              f"mean {statistics.fmean(vs):8,.1f} ms")
    for e in tally.errors[:5]:
        print("  error:", e)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=1_000_000, help="size of the simulated campaign")
    ap.add_argument("--store", type=Path, help="use this store instead of building one")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--baseline-rounds", type=int, default=3, help="times the single client runs the mix")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=1, help="tagscope serve --workers")
    args = ap.parse_args()
    print(machine(), flush=True)
    store = args.store or store_for(args.posts)
    base = f"http://127.0.0.1:{args.port}"
    proc = serve(store, args.port, args.workers)
    try:
        wait_ready(base, proc)
        stats = httpx.get(base + "/api/stats", timeout=60).json()
        print(f"store {store}: {stats['posts']:,} posts; mix: {len(SEARCHES)} searches, {len(TRENDS)} trends; "
              f"{args.workers} server process(es)", flush=True)
        b_tally, b_secs = asyncio.run(baseline(base, args.baseline_rounds))
        b = report("baseline, 1 client sequential", b_tally, b_secs)
        l_tally, l_secs = asyncio.run(load(base, args.clients, args.seconds))
        r = report(f"load, {args.clients} concurrent clients", l_tally, l_secs)
        print(f"ratios load/baseline: throughput {r['rps'] / b['rps']:.2f}x, p50 {r['p50'] / b['p50']:.1f}x, "
              f"p95 {r['p95'] / b['p95']:.1f}x; load average at end {os.getloadavg()[0]:.1f}")
        if r["errors"] or b["errors"]:
            sys.exit(1)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
