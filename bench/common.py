"""Helpers the benchmarks share: simulated campaigns and stores of N posts, timing, peak memory, machine.

Everything is written under a work folder outside the repository (default ``/tmp/tagscope-bench``),
and campaigns are cached there by (posts, seed, formats), because generating 10M posts takes minutes.
Commands are measured as child processes: wall time, peak RSS of the process as the kernel reports it
(``wait4`` rusage, which covers the children it waited for) and the peak summed RSS of its whole process
tree, sampled with psutil (what the machine really had to hold when the ingest runs in parallel).
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psutil

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
WORK = Path(os.environ.get("TAGSCOPE_BENCH_DIR", "/tmp/tagscope-bench"))


@dataclass
class Run:
    """One measured command."""

    cmd: list[str]
    seconds: float
    peak_rss: int  # bytes, the process itself (kernel high-water mark)
    peak_tree_rss: int  # bytes, the process and its children summed, sampled every 50 ms
    cpu_seconds: float  # user + system time of the process and the children it waited for
    returncode: int
    stdout: bytes
    stderr: bytes

    def check(self) -> Run:
        if self.returncode != 0:
            raise RuntimeError(
                f"command failed ({self.returncode}): {' '.join(self.cmd)}\n{self.stderr.decode(errors='replace')[-2000:]}"
            )
        return self


def measure(cmd: list[str], *, nice: int = 5, env: dict[str, str] | None = None, cwd: Path | None = None,
            interval: float = 0.05) -> Run:
    """Run CMD (niced) and measure wall time and peak memory (the process tree sampled every INTERVAL s)."""
    full = ["nice", "-n", str(nice), *cmd] if nice else list(cmd)
    started = time.perf_counter()
    proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    peak_tree = [0]
    done = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        total += p.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                break
            peak_tree[0] = max(peak_tree[0], total)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Read the pipes in threads so a chatty child never blocks; wait4 gives this child's own rusage.
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s)) for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    for t in readers:
        t.join()
    sampler.join()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(full, seconds, usage.ru_maxrss * 1024, peak_tree[0], cpu, proc.returncode, chunks.get("out", b""),
               chunks.get("err", b""))


def tagscope_cmd(*args: str) -> list[str]:
    """The tagscope CLI of this venv."""
    exe = VENV_BIN / "tagscope"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "tagscope.cli", *args]


def campaign(posts: int, seed: int = 2014, formats: str = "v1,v2", work: Path = WORK) -> tuple[Path, dict[str, Any]]:
    """A simulated campaign folder of POSTS posts (cached) and its truth.json."""
    folder = work / f"campaign-{posts}-{seed}-{formats.replace(',', '+')}"
    truth_path = folder / "truth.json"
    if truth_path.exists():
        truth = orjson.loads(truth_path.read_bytes())
        if truth.get("posts_generated") == posts and truth.get("seed") == seed:
            return folder, truth
    folder.mkdir(parents=True, exist_ok=True)
    run = measure(tagscope_cmd("simulate", "--out", str(folder), "--posts", str(posts), "--seed", str(seed),
                               "--formats", formats, "--json")).check()
    print(f"simulated {posts:,} posts ({formats}) in {run.seconds:,.1f} s wall, {run.cpu_seconds:,.1f} s CPU, "
          f"peak RSS {mb(run.peak_rss)}", flush=True)
    return folder, orjson.loads(truth_path.read_bytes())


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def build_store(posts: int, store: Path, seed: int = 2014, work: Path = WORK) -> tuple[Path, dict[str, Any], Run]:
    """A fresh store at STORE holding a simulated campaign of POSTS posts; returns (store, truth, ingest run)."""
    folder, truth = campaign(posts, seed, work=work)
    files = [str(folder / info["path"]) for info in truth["files"].values()]
    run = measure(tagscope_cmd("ingest", "--store", str(fresh_dir(store)), "--json", "--index", *files)).check()
    return store, truth, run


def machine() -> str:
    """One line describing the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    load = os.getloadavg()[0]
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load {load:.1f} at start")


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "n/a"
